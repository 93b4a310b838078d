/*
 * restrict.c: the contact restrictions register (see restrict.h).
 *
 * A restriction holds the person's name and contact details (to match new
 * contact and to write to them) next to their normalised forms. Its
 * reviews are an append-only table; what happens to a restriction is also
 * written to the audit log, by number only, never with the person's data.
 * What is kept where is store.c's (cw_store_restriction_*); this file
 * decides what may be kept, normalises what is matched, and prints.
 */
#include "restrict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "letters.h"
#include "err.h"
#include "fsutil.h"

static const char *const kinds[][2] = {
    {"single-point-of-contact", "a single point of contact"},
    {"written-contact-only", "written contact only"},
    {"limited-calls", "limited length or number of calls"},
    {"read-and-file", "correspondence read and filed without reply"},
    {"restricted-premises", "restricted access to premises"},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

int cw_restrict_kind_ok(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < NKINDS; i++)
		if (!strcmp(kinds[i][0], kind))
			return 1;
	return 0;
}

const char *cw_restrict_kind_label(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < NKINDS; i++)
		if (!strcmp(kinds[i][0], kind))
			return kinds[i][1];
	return kind ? kind : "";
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cw_norm_email(const char *in, char *out, size_t n)
{
	size_t i = 0, len;

	out[0] = 0;
	if (!in || !n)
		return 0;
	while (is_space(*in))
		in++;
	len = strlen(in);
	while (len && is_space(in[len - 1]))
		len--;
	for (; len && i + 1 < n; in++, len--)
		out[i++] = (*in >= 'A' && *in <= 'Z') ? (char)(*in + 32) : *in;
	out[i] = 0;
	return i > 0;
}

int cw_norm_phone(const char *in, char *out, size_t n)
{
	char d[64];
	size_t k = 0, i = 0, from = 0;
	int plus = 0;

	out[0] = 0;
	if (!in || !n)
		return 0;
	for (; *in; in++) {
		if (*in == '+' && !k)
			plus = 1;
		if (*in >= '0' && *in <= '9' && k + 1 < sizeof(d))
			d[k++] = *in;
	}
	d[k] = 0;
	/* +44 20 ... and 0044 20 ... are 020 ...; +44 (0)20 ... too. */
	if (plus && k > 2 && d[0] == '4' && d[1] == '4')
		from = 1, d[1] = '0';
	else if (!plus && k > 4 && !strncmp(d, "0044", 4))
		from = 3, d[3] = '0';
	if (from && d[from + 1] == '0')
		from++;
	for (; from < k && i + 1 < n; from++)
		out[i++] = d[from];
	out[i] = 0;
	return i > 0;
}

int cw_norm_name(const char *in, char *out, size_t n)
{
	size_t i = 0;
	int space = 0;

	out[0] = 0;
	if (!in || !n)
		return 0;
	for (; *in && i + 1 < n; in++) {
		if (is_space(*in)) {
			space = i > 0;
			continue;
		}
		if (space && i + 2 < n)
			out[i++] = ' ';
		space = 0;
		out[i++] = (*in >= 'A' && *in <= 'Z') ? (char)(*in + 32) : *in;
	}
	out[i] = 0;
	return i > 0;
}

static int audit(struct cw_env *env, const char *action, int64_t id,
		 const char *outcome, tc_day date)
{
	cJSON *o = cJSON_CreateObject();
	char d[11];

	if (!o || !cJSON_AddNumberToObject(o, "restriction", (double)id) ||
	    (outcome && !cJSON_AddStringToObject(o, "outcome", outcome)) ||
	    (date != CW_NODAY &&
	     !cJSON_AddStringToObject(o, "date", cw_day_str(date, d))))
		tc_die_nomem();
	return cw_env_audit(env, action, o);
}

static int scope_ok(struct cw_env *env, const char *scope)
{
	return scope && (!strcmp(scope, "council") ||
			 tc_rules_route(env->rules, scope) ||
			 tc_rules_exclusion(env->rules, scope));
}

/* The person's other open cases, flagged and routed as new contact from
 * them would be (the case a restriction is recorded on has it in its
 * history already). A line for each one flagged goes into said, to print
 * once the change is committed. 0 or -1. */
static int flag_open_cases(struct cw_env *env, const struct cw_restriction *r,
			   const char *en, const char *pn, struct tc_buf *said)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (cw_store_person_open_cases(env->reg, en, pn, r->person_key, &ids,
				       &n) < 0)
		return -1;
	for (i = 0; i < n && !rc; i++) {
		struct cw_case c;
		int found, f;

		if (ids[i] == r->case_id)
			continue;
		found = cw_store_case_load_id(env->reg, ids[i], &c);
		if (found <= 0) {
			rc = -1;
			break;
		}
		f = cw_flag_restricted(env, &c, c.email, c.phone, c.name);
		if (f < 0 || (f > 0 && cw_store_case_update(env->reg, &c) < 0))
			rc = -1;
		else if (f > 0 &&
			 tc_buf_addf(said,
				     "%s: flagged restricted_contact, now with "
				     "%s\n",
				     c.reference, c.team ? c.team : "") < 0)
			tc_die_nomem();
		cw_case_release(&c);
	}
	free(ids);
	return rc;
}

int cw_restrict_insert(struct cw_env *env, const struct cw_restriction *r,
		       int64_t *id, struct tc_buf *said)
{
	char en[256], pn[64], nn[256];

	if (!r->warning && !cw_restrict_kind_ok(r->kind)) {
		tc_warnx("--kind: '%s' is not a kind of restriction "
			 "(single-point-of-contact, written-contact-only, "
			 "limited-calls, read-and-file, restricted-premises)",
			 r->kind ? r->kind : "");
		return TC_EXIT_USAGE;
	}
	if (!scope_ok(env, r->scope)) {
		tc_warnx("--scope: '%s' is neither 'council' nor a service "
			 "area in the rules",
			 r->scope ? r->scope : "");
		return TC_EXIT_USAGE;
	}
	if (r->review == CW_NODAY || r->review <= r->start) {
		tc_warnx("--review: a review date after the start is needed");
		return TC_EXIT_USAGE;
	}
	cw_norm_email(r->email, en, sizeof(en));
	cw_norm_phone(r->phone, pn, sizeof(pn));
	cw_norm_name(r->name, nn, sizeof(nn));
	if (!r->person_key && !en[0] && !pn[0]) {
		if (!nn[0]) {
			tc_warnx("restrict add needs --name and, to match new "
				 "contact, --email or --phone");
			return TC_EXIT_USAGE;
		}
	}
	if (cw_store_restriction_insert(env->reg, r, nn, en, pn, id) < 0)
		return TC_EXIT_ENV;
	if (audit(env, r->warning ? "restriction_warning" : "restriction_added",
		  *id, NULL, r->start) < 0)
		return TC_EXIT_ENV;
	/* a warning limits nothing: new contact goes as before */
	if (r->warning)
		return 0;
	return flag_open_cases(env, r, en, pn, said) < 0 ? TC_EXIT_ENV : 0;
}

static int add_review(struct cw_env *env, int64_t id, tc_day date,
		      const char *outcome, tc_day next, const char *detail)
{
	if (cw_store_restriction_review_add(env->reg, id, date, outcome, next,
					    detail, env->today_s) < 0)
		return -1;
	return audit(env, "restriction_reviewed", id, outcome, date);
}

int cw_restrict_lift_key(struct cw_env *env, const char *person_key,
			 tc_day date, int64_t *ids, int max)
{
	int n = cw_store_restrictions_active(env->reg, person_key, ids,
					     (size_t)max),
	    i;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (cw_store_restriction_lift(env->reg, ids[i], date) < 0 ||
		    add_review(env, ids[i], date, "lift", CW_NODAY, NULL) < 0)
			return -1;
	return n;
}

int cw_restrict_match(struct cw_store *reg, const char *email,
		      const char *phone, const char *name,
		      const char *person_key, const char *service_area,
		      struct cw_restriction_match *m)
{
	char en[256], pn[64], nn[256];

	cw_norm_email(email, en, sizeof(en));
	cw_norm_phone(phone, pn, sizeof(pn));
	cw_norm_name(name, nn, sizeof(nn));
	return cw_store_restriction_match(reg, en, pn, nn, person_key,
					  service_area, m);
}

int cw_restrict_parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (s && (*s == 'R' || *s == 'r'))
		s++;
	if (!s || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return -1;
	*id = v;
	return 0;
}

struct list_ctx {
	struct cw_env *env;
	int due_only;
	const char *horizon; /* "YYYY-MM-DD": due_only lists reviews by then */
	int n;		     /* rows printed */
};

static int list_row(const struct cw_restriction_row *r, void *arg)
{
	struct list_ctx *x = arg;
	int active = !strcmp(r->status, "active");

	if (x->due_only && (!active || strcmp(r->review, x->horizon) > 0))
		return 0;
	printf("R%-5lld %-8s %-24s %-20s %-11s %-11s %s%s\n", (long long)r->id,
	       r->status, r->kind, r->scope, r->start, r->review, r->contact,
	       active && strcmp(r->review, x->env->today_s) < 0
		   ? " (review overdue)"
		   : "");
	x->n++;
	return 0;
}

int cw_restrict_list(struct cw_env *env, int due_only)
{
	tc_day horizon;
	char hz[11];
	struct list_ctx x = {env, due_only, hz, 0};

	if (tc_calendar_add_working(env->rules->cal, env->today, 5, &horizon) <
	    0)
		horizon = env->today + 7;
	tc_day_format(horizon, hz);
	printf("%-6s %-8s %-24s %-20s %-11s %-11s %s\n", "ID", "STATUS", "KIND",
	       "SCOPE", "START", "REVIEW", "CONTACT");
	if (cw_store_restriction_list(env->reg, list_row, &x) < 0)
		return TC_EXIT_ENV;
	if (!x.n)
		printf("%s\n",
		       due_only ? "(no reviews due)" : "(no restrictions)");
	return fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
}

/* Finds restriction ids, calling fn on it; prints why not. 1 found, 0,
 * -1. */
static int find(struct cw_env *env, const char *ids, int64_t *id,
		cw_restriction_fn fn, void *arg)
{
	int r;

	if (cw_restrict_parse_id(ids, id) < 0) {
		tc_warnx("'%s' is not a restriction number (R12 or 12)", ids);
		return 0;
	}
	r = cw_store_restriction_find(env->reg, *id, fn, arg);
	if (r == 0)
		tc_warnx("no restriction R%lld (try 'casework restrict list')",
			 (long long)*id);
	return r;
}

/* The decision's letter, drafted once the decision is committed. A
 * letter that cannot be written leaves the decision made and says how to
 * draft it again. An exit code. */
static int letter_after(struct cw_env *env, int64_t id)
{
	if (fflush(stdout) || cw_restrict_letter(env, id) < 0) {
		tc_warnx("R%lld: the decision is recorded but its letter was "
			 "not drafted; 'casework restrict letter R%lld' drafts "
			 "it again",
			 (long long)id, (long long)id);
		return TC_EXIT_ENV;
	}
	return fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
}

static int warning_state(const struct cw_restriction_row *r, void *arg)
{
	*(int *)arg = !strcmp(r->status, "warning");
	return 0;
}

/* What add and warn each need. 0 or an exit code after a message. */
static int add_options(struct cw_env *env, struct cw_restriction *r)
{
	int warning = 0, found;

	if (r->warning) {
		r->kind = "warning";
		if (!r->scope)
			r->scope = "council";
	}
	if (!r->name || !r->kind || !r->scope || !r->reason || !r->decided_by) {
		tc_warnx(r->warning
			     ? "restrict warn needs --name, --reason (the "
			       "behaviour) and --decided-by"
			     : "restrict add needs --name, --kind, --scope, "
			       "--reason and --decided-by");
		return TC_EXIT_USAGE;
	}
	if ((r->warning && (r->warning_id || r->contact)) ||
	    (!r->warning && r->expected)) {
		tc_warnx("--change goes with restrict warn; --warning and "
			 "--contact with restrict add");
		return TC_EXIT_USAGE;
	}
	if (r->review == CW_NODAY)
		r->review = tc_day_add_months(
		    r->start, env->rules->restriction_review_months);
	if (!r->warning_id)
		return 0;
	found = cw_store_restriction_find(env->reg, r->warning_id,
					  warning_state, &warning);
	if (found < 0)
		return TC_EXIT_ENV;
	if (!found || !warning) {
		tc_warnx("--warning: R%lld is %s (see 'casework restrict "
			 "list')",
			 (long long)r->warning_id,
			 found ? "a restriction, not a warning"
			       : "not in the register");
		return TC_EXIT_INPUT;
	}
	return 0;
}

int cw_restrict_add(struct cw_env *env, const struct cw_restriction *in)
{
	struct tc_buf said = TC_BUF_INIT;
	struct cw_restriction r = *in;
	int64_t id = 0;
	int rc;

	rc = add_options(env, &r);
	if (rc)
		return rc;
	if (cw_store_begin(env->reg) < 0)
		return TC_EXIT_ENV;
	rc = cw_restrict_insert(env, &r, &id, &said);
	if (!rc && cw_store_commit(env->reg) < 0)
		rc = TC_EXIT_ENV;
	cw_store_rollback(env->reg);
	/* the packs of the cases it flagged */
	if (!rc && cw_env_flush_packs(env) < 0)
		rc = TC_EXIT_ENV;
	if (!rc && r.warning)
		printf("warning R%lld given; review by %s\n", (long long)id,
		       cw_day_str(r.review, (char[11]){0}));
	else if (!rc) {
		printf("restriction R%lld added: %s, %s; review by ",
		       (long long)id, cw_restrict_kind_label(r.kind),
		       strcmp(r.scope, "council") ? r.scope
						  : "the whole council");
		printf("%s\n", cw_day_str(r.review, (char[11]){0}));
		fputs(said.len ? said.data : "", stdout);
	}
	if (!rc)
		rc = letter_after(env, id);
	tc_buf_release(&said);
	return rc;
}

int cw_restrict_redraft(struct cw_env *env, const char *ids)
{
	int64_t id;
	int warning, r = find(env, ids, &id, warning_state, &warning);

	if (r <= 0)
		return r == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	return cw_restrict_letter(env, id) < 0 ? TC_EXIT_ENV : TC_EXIT_OK;
}

static int show_row(const struct cw_restriction_row *r, void *arg)
{
	(void)arg;
	printf("R%lld  %s\n", (long long)r->id, r->status);
	printf("name: %s\nemail: %s\nphone: %s\n", r->name, r->email, r->phone);
	printf("kind: %s (%s)\nscope: %s\nreason: %s\ndecided by: %s\n",
	       r->kind, cw_restrict_kind_label(r->kind), r->scope, r->reason,
	       r->decided_by);
	printf("start: %s\nreview by: %s\ncontact: %s\n", r->start, r->review,
	       r->contact);
	if (*r->expected)
		printf("asked to change: %s\n", r->expected);
	if (r->warning_id)
		printf("after warning: R%lld\n", (long long)r->warning_id);
	if (*r->lifted)
		printf("lifted: %s\n", r->lifted);
	if (*r->purged)
		printf("personal data purged: %s\n", r->purged);
	return 0;
}

static int show_review(const struct cw_restriction_review *rv, void *arg)
{
	(void)arg;
	printf("review %s: %s%s%s (recorded %s)\n", rv->date, rv->outcome,
	       *rv->next_review ? ", next review by " : "", rv->next_review,
	       rv->recorded);
	return 0;
}

int cw_restrict_show(struct cw_env *env, const char *ids)
{
	int64_t id;
	int r = find(env, ids, &id, show_row, NULL);

	if (r <= 0)
		return r == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	if (cw_store_restriction_reviews(env->reg, id, show_review, NULL) < 0)
		return TC_EXIT_ENV;
	return fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
}

/* What a review needs of the restriction it reviews (owned). */
struct held {
	char *name, *kind, *scope, *start, *lifted;
	int active, warning;
};

static int hold_row(const struct cw_restriction_row *r, void *arg)
{
	struct held *h = arg;

	h->name = tc_xstrdup(r->name);
	h->kind = tc_xstrdup(r->kind);
	h->scope = tc_xstrdup(r->scope);
	h->start = tc_xstrdup(r->start);
	h->lifted = tc_xstrdup(r->lifted);
	h->active = !strcmp(r->status, "active");
	h->warning = !strcmp(r->status, "warning");
	return 0;
}

/* Checks review's options; 0 or an exit code after a message. */
static int review_options(struct cw_env *env, const char *outcome,
			  const char *kind, const char *scope,
			  const char *contact)
{
	if (!outcome || (strcmp(outcome, "continue") &&
			 strcmp(outcome, "vary") && strcmp(outcome, "lift"))) {
		tc_warnx("restrict review needs --outcome continue, vary or "
			 "lift");
		return TC_EXIT_USAGE;
	}
	if (kind && !cw_restrict_kind_ok(kind)) {
		tc_warnx("--kind: '%s' is not a kind of restriction", kind);
		return TC_EXIT_USAGE;
	}
	if (scope && !scope_ok(env, scope)) {
		tc_warnx("--scope: '%s' is neither 'council' nor a service "
			 "area in the rules",
			 scope);
		return TC_EXIT_USAGE;
	}
	if ((kind || scope || contact) && strcmp(outcome, "vary")) {
		tc_warnx(
		    "--kind, --scope and --contact go with --outcome vary");
		return TC_EXIT_USAGE;
	}
	return 0;
}

int cw_restrict_review(struct cw_env *env, const char *ids, const char *outcome,
		       tc_day date, tc_day next, const char *kind,
		       const char *scope, const char *contact)
{
	struct held h = {NULL, NULL, NULL, NULL, NULL, 0, 0};
	int64_t id;
	tc_day sday;
	int r, rc, is_lift;

	rc = review_options(env, outcome, kind, scope, contact);
	if (rc)
		return rc;
	rc = TC_EXIT_ENV;
	is_lift = !strcmp(outcome, "lift");
	if (date == CW_NODAY)
		date = env->today;
	if (cw_store_begin(env->reg) < 0)
		return TC_EXIT_ENV;
	r = find(env, ids, &id, hold_row, &h);
	if (r <= 0) {
		rc = r == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
		goto out;
	}
	if (h.warning) {
		tc_warnx("R%lld is a warning, not a restriction: nothing to "
			 "review (to restrict contact after it: 'casework "
			 "restrict add --warning R%lld ...')",
			 (long long)id, (long long)id);
		rc = TC_EXIT_INPUT;
		goto out;
	}
	if (!h.active) {
		tc_warnx("R%lld was lifted on %s: nothing to review",
			 (long long)id, h.lifted);
		rc = TC_EXIT_INPUT;
		goto out;
	}
	if (tc_day_parse(h.start, &sday) == 0 && date < sday) {
		tc_warnx("--date: R%lld started on %s, after %s", (long long)id,
			 h.start, cw_day_str(date, (char[11]){0}));
		rc = TC_EXIT_USAGE;
		goto out;
	}
	if (!is_lift) {
		if (next == CW_NODAY)
			next = tc_day_add_months(
			    date, env->rules->restriction_review_months);
		if (next <= date) {
			tc_warnx("--review: the next review must be after %s",
				 cw_day_str(date, (char[11]){0}));
			rc = TC_EXIT_USAGE;
			goto out;
		}
	}
	if ((is_lift ? cw_store_restriction_lift(env->reg, id, date)
		     : cw_store_restriction_vary(env->reg, id, next, kind,
						 scope, contact)) < 0)
		goto out;
	if (add_review(env, id, date, outcome, is_lift ? CW_NODAY : next,
		       NULL) < 0)
		goto out;
	if (cw_store_commit(env->reg) < 0)
		goto out;
	if (is_lift)
		printf("R%lld lifted on %s\n", (long long)id,
		       cw_day_str(date, (char[11]){0}));
	else
		printf("R%lld reviewed (%s); next review by %s\n",
		       (long long)id, outcome, cw_day_str(next, (char[11]){0}));
	rc = letter_after(env, id);
out:
	cw_store_rollback(env->reg);
	free(h.name);
	free(h.kind);
	free(h.scope);
	free(h.start);
	free(h.lifted);
	return rc;
}
