/*
 * restrict.c: the contact restrictions register (see restrict.h).
 *
 * A restriction holds the person's name and contact details (to match new
 * contact and to write to them) next to their normalised forms. Its
 * reviews are an append-only table; what happens to a restriction is also
 * written to the audit log, by number only, never with the person's data.
 */
#include "restrict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casepack.h"
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

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_day(sqlite3_stmt *st, int i, tc_day d)
{
	char b[11];

	bind_opt(st, i, cw_day_str(d, b));
}

static int audit(struct cw_env *env, const char *action, int64_t id,
		 const char *outcome, tc_day date)
{
	cJSON *o = cJSON_CreateObject();
	char *txt = NULL, d[11];
	int rc;

	if (!o || !cJSON_AddNumberToObject(o, "restriction", (double)id) ||
	    (outcome && !cJSON_AddStringToObject(o, "outcome", outcome)) ||
	    (date != CW_NODAY &&
	     !cJSON_AddStringToObject(o, "date", cw_day_str(date, d))))
		tc_die_nomem();
	txt = cJSON_PrintUnformatted(o);
	if (!txt)
		tc_die_nomem();
	rc = cw_store_audit(env->reg, env->today_s, action, txt);
	free(txt);
	cJSON_Delete(o);
	return rc;
}

static int scope_ok(struct cw_env *env, const char *scope)
{
	return scope && (!strcmp(scope, "council") ||
			 tc_rules_route(env->rules, scope) ||
			 tc_rules_exclusion(env->rules, scope));
}

int cw_restrict_insert(struct cw_env *env, const struct cw_restriction *r,
		       int64_t *id)
{
	static const char sql[] =
	    "INSERT INTO restriction_register(name, email, phone, name_norm,"
	    " email_norm, phone_norm, person_key, kind, scope, reason,"
	    " decided_by, start, review, contact, status, case_id)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)";
	sqlite3_stmt *st;
	char en[256], pn[64], nn[256];

	if (!cw_restrict_kind_ok(r->kind)) {
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
	st = cw_store_stmt(env->reg, sql);
	if (!st)
		return TC_EXIT_ENV;
	bind_opt(st, 1, r->name);
	bind_opt(st, 2, r->email);
	bind_opt(st, 3, r->phone);
	bind_opt(st, 4, nn);
	bind_opt(st, 5, en);
	bind_opt(st, 6, pn);
	bind_opt(st, 7, r->person_key);
	bind_opt(st, 8, r->kind);
	bind_opt(st, 9, r->scope);
	bind_opt(st, 10, r->reason);
	bind_opt(st, 11, r->decided_by);
	bind_day(st, 12, r->start);
	bind_day(st, 13, r->review);
	bind_opt(st, 14, r->contact);
	if (r->case_id)
		sqlite3_bind_int64(st, 15, r->case_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		cw_store_error(env->reg, "adding a restriction");
		return TC_EXIT_ENV;
	}
	sqlite3_reset(st);
	*id = sqlite3_last_insert_rowid(cw_store_db(env->reg));
	if (audit(env, "restriction_added", *id, NULL, r->start) < 0)
		return TC_EXIT_ENV;
	return 0;
}

static int add_review(struct cw_env *env, int64_t id, tc_day date,
		      const char *outcome, tc_day next, const char *detail)
{
	static const char sql[] =
	    "INSERT INTO restriction_reviews(restriction_id, date, outcome,"
	    " next_review, detail, recorded) VALUES(?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = cw_store_stmt(env->reg, sql);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	bind_day(st, 2, date);
	bind_opt(st, 3, outcome);
	bind_day(st, 4, next);
	bind_opt(st, 5, detail ? detail : "{}");
	bind_opt(st, 6, env->today_s);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		cw_store_error(env->reg, "recording a review");
		return -1;
	}
	sqlite3_reset(st);
	return audit(env, "restriction_reviewed", id, outcome, date);
}

int cw_restrict_lift_key(struct cw_env *env, const char *person_key,
			 tc_day date)
{
	static const char sel[] = "SELECT id FROM restriction_register WHERE"
				  " person_key = ? AND status = 'active'";
	static const char up[] = "UPDATE restriction_register SET status ="
				 " 'lifted', lifted = ? WHERE id = ?";
	sqlite3_stmt *st = cw_store_stmt(env->reg, sel);
	int64_t ids[64];
	size_t n = 0, i;
	int rc;

	if (!st)
		return -1;
	bind_opt(st, 1, person_key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 64)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		cw_store_error(env->reg, "finding restrictions");
		return -1;
	}
	for (i = 0; i < n; i++) {
		st = cw_store_stmt(env->reg, up);
		if (!st)
			return -1;
		bind_day(st, 1, date);
		sqlite3_bind_int64(st, 2, ids[i]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			cw_store_error(env->reg, "lifting a restriction");
			return -1;
		}
		if (add_review(env, ids[i], date, "lift", CW_NODAY, NULL) < 0)
			return -1;
	}
	return 0;
}

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", s ? (const char *)s : "");
}

int cw_restrict_match(struct cw_store *reg, const char *email,
		      const char *phone, const char *name,
		      const char *person_key, const char *service_area,
		      struct cw_restriction_match *m)
{
	static const char sql[] =
	    "SELECT id, kind, scope, coalesce(contact, ''), review,"
	    " ((?1 IS NOT NULL AND email_norm = ?1) OR (?2 IS NOT NULL AND"
	    " phone_norm = ?2) OR (?4 IS NOT NULL AND person_key = ?4)) AS"
	    " strong FROM restriction_register WHERE status = 'active' AND"
	    " (scope = 'council' OR scope = ?5) AND ((?1 IS NOT NULL AND"
	    " email_norm = ?1) OR (?2 IS NOT NULL AND phone_norm = ?2) OR"
	    " (?4 IS NOT NULL AND person_key = ?4) OR (?3 IS NOT NULL AND"
	    " name_norm = ?3)) ORDER BY strong DESC, id LIMIT 1";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	char en[256], pn[64], nn[256];
	int rc, found = 0;

	memset(m, 0, sizeof(*m));
	if (!st)
		return -1;
	cw_norm_email(email, en, sizeof(en));
	cw_norm_phone(phone, pn, sizeof(pn));
	cw_norm_name(name, nn, sizeof(nn));
	bind_opt(st, 1, en);
	bind_opt(st, 2, pn);
	bind_opt(st, 3, nn);
	bind_opt(st, 4, person_key);
	bind_opt(st, 5, service_area);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m->id = sqlite3_column_int64(st, 0);
		copy_col(st, 1, m->kind, sizeof(m->kind));
		copy_col(st, 2, m->scope, sizeof(m->scope));
		copy_col(st, 3, m->contact, sizeof(m->contact));
		copy_col(st, 4, m->review, sizeof(m->review));
		m->strong = sqlite3_column_int(st, 5);
		found = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		cw_store_error(reg, "looking up restrictions");
		return -1;
	}
	return found;
}

int cw_restrict_add(struct cw_env *env, const struct cw_restriction *r)
{
	int64_t id = 0;
	int rc;

	if (!r->name || !r->kind || !r->scope || !r->reason || !r->decided_by ||
	    r->review == CW_NODAY) {
		tc_warnx(
		    "restrict add needs --name, --kind, --scope, --reason, "
		    "--decided-by and --review");
		return TC_EXIT_USAGE;
	}
	if (cw_store_begin(env->reg) < 0)
		return TC_EXIT_ENV;
	rc = cw_restrict_insert(env, r, &id);
	if (!rc && cw_store_commit(env->reg) < 0)
		rc = TC_EXIT_ENV;
	cw_store_rollback(env->reg);
	if (!rc) {
		printf("restriction R%lld added: %s, %s; review by ",
		       (long long)id, cw_restrict_kind_label(r->kind),
		       strcmp(r->scope, "council") ? r->scope
						   : "the whole council");
		printf("%s\n", cw_day_str(r->review, (char[11]){0}));
		rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
	}
	return rc;
}

static int parse_id(const char *s, int64_t *id)
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

static const char cols[] =
    "SELECT id, name, email, phone, kind, scope, reason, decided_by,"
    " start, review, contact, status, lifted, case_id, person_key, purged"
    " FROM restriction_register";

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

int cw_restrict_list(struct cw_env *env, int due_only)
{
	static char sql[sizeof(cols) + 24];
	sqlite3_stmt *st;
	tc_day horizon;
	char hz[11];
	int r, n = 0;

	if (!sql[0])
		snprintf(sql, sizeof(sql), "%s ORDER BY id", cols);
	if (tc_calendar_add_working(env->rules->cal, env->today, 5, &horizon) <
	    0)
		horizon = env->today + 7;
	tc_day_format(horizon, hz);
	st = cw_store_stmt(env->reg, sql);
	if (!st)
		return TC_EXIT_ENV;
	printf("%-6s %-8s %-24s %-20s %-11s %-11s %s\n", "ID", "STATUS", "KIND",
	       "SCOPE", "START", "REVIEW", "CONTACT");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = col(st, 11), *review = col(st, 9);

		if (due_only &&
		    (strcmp(status, "active") || strcmp(review, hz) > 0))
			continue;
		printf("R%-5lld %-8s %-24s %-20s %-11s %-11s %s%s\n",
		       (long long)sqlite3_column_int64(st, 0), status,
		       col(st, 4), col(st, 5), col(st, 8), review, col(st, 10),
		       !strcmp(status, "active") &&
			       strcmp(review, env->today_s) < 0
			   ? " (review overdue)"
			   : "");
		n++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cw_store_error(env->reg, "listing restrictions");
		return TC_EXIT_ENV;
	}
	if (!n)
		printf("%s\n",
		       due_only ? "(no reviews due)" : "(no restrictions)");
	return fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
}

/* Finds restriction id; prints why not. 1 found (st stepped), 0, -1. */
static int find(struct cw_env *env, const char *ids, int64_t *id,
		sqlite3_stmt **out)
{
	static char sql[sizeof(cols) + 24];
	sqlite3_stmt *st;
	int r;

	if (!sql[0])
		snprintf(sql, sizeof(sql), "%s WHERE id = ?", cols);
	if (parse_id(ids, id) < 0) {
		tc_warnx("'%s' is not a restriction number (R12 or 12)", ids);
		return 0;
	}
	st = cw_store_stmt(env->reg, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, *id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*out = st;
		return 1;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cw_store_error(env->reg, "finding a restriction");
		return -1;
	}
	tc_warnx("no restriction R%lld (try 'casework restrict list')",
		 (long long)*id);
	return 0;
}

int cw_restrict_show(struct cw_env *env, const char *ids)
{
	static const char revs[] =
	    "SELECT date, outcome, coalesce(next_review, ''), recorded FROM"
	    " restriction_reviews WHERE restriction_id = ? ORDER BY id";
	sqlite3_stmt *st = NULL;
	int64_t id;
	int r = find(env, ids, &id, &st);

	if (r <= 0)
		return r == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	printf("R%lld  %s\n", (long long)id, col(st, 11));
	printf("name: %s\nemail: %s\nphone: %s\n", col(st, 1), col(st, 2),
	       col(st, 3));
	printf("kind: %s (%s)\nscope: %s\nreason: %s\ndecided by: %s\n",
	       col(st, 4), cw_restrict_kind_label(col(st, 4)), col(st, 5),
	       col(st, 6), col(st, 7));
	printf("start: %s\nreview by: %s\ncontact: %s\n", col(st, 8),
	       col(st, 9), col(st, 10));
	if (*col(st, 12))
		printf("lifted: %s\n", col(st, 12));
	if (*col(st, 15))
		printf("personal data purged: %s\n", col(st, 15));
	sqlite3_reset(st);
	st = cw_store_stmt(env->reg, revs);
	if (!st)
		return TC_EXIT_ENV;
	sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		printf("review %s: %s%s%s (recorded %s)\n", col(st, 0),
		       col(st, 1), *col(st, 2) ? ", next review by " : "",
		       col(st, 2), col(st, 3));
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cw_store_error(env->reg, "reading reviews");
		return TC_EXIT_ENV;
	}
	return fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
}

/* The draft letter telling the person: letters/restriction-RN-lifted.html
 * under the data folder (0600). */
static int lifted_letter(struct cw_env *env, int64_t id, const char *name,
			 const char *kind, const char *scope, const char *start,
			 tc_day date)
{
	cJSON *ctx = cJSON_CreateObject();
	struct tc_buf out = TC_BUF_INIT, p = TC_BUF_INIT;
	char d[11];
	int rc = -1;

	if (!ctx ||
	    (name && *name && !cJSON_AddStringToObject(ctx, "name", name)) ||
	    !cJSON_AddStringToObject(ctx, "today", env->today_s) ||
	    !cJSON_AddStringToObject(ctx, "kind",
				     cw_restrict_kind_label(kind)) ||
	    !cJSON_AddStringToObject(ctx, "start", start) ||
	    !cJSON_AddStringToObject(ctx, "lifted", cw_day_str(date, d)))
		tc_die_nomem();
	if (strcmp(scope, "council")) {
		if (!cJSON_AddStringToObject(ctx, "service_area", scope))
			tc_die_nomem();
	}
	if (cw_letter_render(env, "restriction-lifted", ctx, &out) < 0)
		goto out;
	cw_env_path(env, "letters", &p);
	if (tc_fs_mkdirs(p.data, 0700) < 0) {
		tc_warn("cannot make '%s'", p.data);
		goto out;
	}
	if (tc_buf_addf(&p, "/restriction-R%lld-lifted.html", (long long)id) <
	    0)
		tc_die_nomem();
	if (tc_fs_write_atomic(p.data, out.data, out.len, 0600) < 0) {
		tc_warn("cannot write '%s'", p.data);
		goto out;
	}
	printf("draft letter: %s\n", p.data);
	rc = 0;
out:
	cJSON_Delete(ctx);
	tc_buf_release(&out);
	tc_buf_release(&p);
	return rc;
}

int cw_restrict_review(struct cw_env *env, const char *ids, const char *outcome,
		       tc_day date, tc_day next, const char *kind,
		       const char *scope, const char *contact)
{
	static const char lift[] = "UPDATE restriction_register SET status ="
				   " 'lifted', lifted = ? WHERE id = ?";
	static const char cont[] =
	    "UPDATE restriction_register SET review = ?, kind ="
	    " coalesce(?, kind), scope = coalesce(?, scope), contact ="
	    " coalesce(?, contact) WHERE id = ?";
	sqlite3_stmt *st = NULL;
	char *name = NULL, *rkind = NULL, *rscope = NULL, *start = NULL;
	int64_t id;
	tc_day sday;
	int r, rc = TC_EXIT_ENV, is_lift;

	if (!outcome || (strcmp(outcome, "continue") &&
			 strcmp(outcome, "vary") && strcmp(outcome, "lift"))) {
		tc_warnx("restrict review needs --outcome continue, vary or "
			 "lift");
		return TC_EXIT_USAGE;
	}
	is_lift = !strcmp(outcome, "lift");
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
	if (date == CW_NODAY)
		date = env->today;
	if (cw_store_begin(env->reg) < 0)
		return TC_EXIT_ENV;
	r = find(env, ids, &id, &st);
	if (r <= 0) {
		rc = r == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
		goto out;
	}
	if (strcmp(col(st, 11), "active")) {
		tc_warnx("R%lld was lifted on %s: nothing to review",
			 (long long)id, col(st, 12));
		sqlite3_reset(st);
		rc = TC_EXIT_INPUT;
		goto out;
	}
	name = strdup(col(st, 1));
	rkind = strdup(kind ? kind : col(st, 4));
	rscope = strdup(scope ? scope : col(st, 5));
	start = strdup(col(st, 8));
	sqlite3_reset(st);
	if (!name || !rkind || !rscope || !start)
		tc_die_nomem();
	if (tc_day_parse(start, &sday) == 0 && date < sday) {
		tc_warnx("--date: R%lld started on %s, after %s", (long long)id,
			 start, cw_day_str(date, (char[11]){0}));
		rc = TC_EXIT_USAGE;
		goto out;
	}
	if (!is_lift) {
		if (next == CW_NODAY)
			next = tc_day_add_months(date, 6);
		if (next <= date) {
			tc_warnx("--review: the next review must be after %s",
				 cw_day_str(date, (char[11]){0}));
			rc = TC_EXIT_USAGE;
			goto out;
		}
	}
	st = cw_store_stmt(env->reg, is_lift ? lift : cont);
	if (!st)
		goto out;
	if (is_lift) {
		bind_day(st, 1, date);
		sqlite3_bind_int64(st, 2, id);
	} else {
		bind_day(st, 1, next);
		bind_opt(st, 2, kind);
		bind_opt(st, 3, scope);
		bind_opt(st, 4, contact);
		sqlite3_bind_int64(st, 5, id);
	}
	r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cw_store_error(env->reg, "updating a restriction");
		goto out;
	}
	if (add_review(env, id, date, outcome, is_lift ? CW_NODAY : next,
		       NULL) < 0)
		goto out;
	if (is_lift &&
	    lifted_letter(env, id, name, rkind, rscope, start, date) < 0)
		goto out;
	if (cw_store_commit(env->reg) < 0)
		goto out;
	if (is_lift)
		printf("R%lld lifted on %s\n", (long long)id,
		       cw_day_str(date, (char[11]){0}));
	else
		printf("R%lld reviewed (%s); next review by %s\n",
		       (long long)id, outcome, cw_day_str(next, (char[11]){0}));
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	cw_store_rollback(env->reg);
	free(name);
	free(rkind);
	free(rscope);
	free(start);
	return rc;
}
