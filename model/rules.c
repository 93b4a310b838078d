/*
 * rules.c: loads content/rules.yml, checks it, and checks that it fits the
 * forms (see rules.h and docs/rules.md).
 *
 * Every error names file:line:col from the YAML positions and goes on, so
 * an editor sees all that is wrong at once.
 */
#include "rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "buffer.h"
#include "bundle.h"
#include "fields.h"
#include "forms.h"
#include "pattern.h"
#include "yamljson.h"

/* The loader's state: the document and the error count. */
struct ld {
	struct tc_yaml_doc *doc;
	const char *file;
	int nerr;
};

static void ld_err(struct ld *l, const cJSON *node, int key, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static void ld_err(struct ld *l, const cJSON *node, int key, const char *fmt,
		   ...)
{
	int line = 0, col = 0;
	char msg[1024];
	va_list ap;

	if (node) {
		if (key)
			tc_yaml_key_where(l->doc, node, &line, &col);
		else
			tc_yaml_where(l->doc, node, &line, &col);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tc_input_error(l->file, line, col, "%s", msg);
	l->nerr++;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		tc_die_nomem();
	return p;
}

/*
 * A required (or optional) non-empty string member; NULL when absent. The
 * string is the document's: the rules keep the document for their lifetime.
 */
static const char *get_str(struct ld *l, const cJSON *obj, const char *name,
			   int required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!v || cJSON_IsNull(v)) {
		if (required)
			ld_err(l, obj, 1, "missing '%s'", name);
		return NULL;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0]) {
		ld_err(l, v, 0, "'%s' must be a non-empty string", name);
		return NULL;
	}
	return v->valuestring;
}

/* An integer member within lo..hi; def when absent and not required. */
static int get_int(struct ld *l, const cJSON *obj, const char *name, int lo,
		   int hi, int def, int required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	double d;

	if (!v) {
		if (required)
			ld_err(l, obj, 1, "missing '%s'", name);
		return def;
	}
	d = cJSON_GetNumberValue(v);
	if (!cJSON_IsNumber(v) || d < lo || d > hi || d != (int)d) {
		ld_err(l, v, 0, "'%s' must be a whole number from %d to %d",
		       name, lo, hi);
		return def;
	}
	return (int)d;
}

/* A yes/no member (YAML's "yes"/"no" stay strings; true/false also). */
static int get_yesno(struct ld *l, const cJSON *obj, const char *name, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!v)
		return def;
	if (cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "yes"))
		return 1;
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "no"))
		return 0;
	ld_err(l, v, 0, "'%s' must be yes or no", name);
	return def;
}

/* Unknown keys are mistakes (a typo would silently change a deadline). */
static void check_keys(struct ld *l, const cJSON *obj, const char *const *known)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, obj)
	{
		const char *const *k;

		for (k = known; *k; k++)
			if (!strcmp(*k, m->string))
				break;
		if (!*k)
			ld_err(l, m, 1,
			       "unknown key '%s' (see docs/rules.md for the "
			       "keys)",
			       m->string);
	}
}

/*
 * An entry of a list that must be a mapping with the keys known: returns 1
 * and checks its keys, or reports what it must be and returns 0.
 */
static int entry(struct ld *l, const cJSON *e, const char *const *known,
		 const char *what)
{
	if (!cJSON_IsObject(e)) {
		ld_err(l, e, 0, "%s", what);
		return 0;
	}
	check_keys(l, e, known);
	return 1;
}

static int parse_hhmm(const char *s, int *min)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23)
		return -1;
	*min = h * 60 + m;
	return 0;
}

/* Resolves rel against the folder of the rules file. */
static char *resolve(const char *rules_path, const char *rel)
{
	struct tc_buf b = TC_BUF_INIT;
	const char *slash = strrchr(rules_path, '/');

	if (rel[0] == '/' || !slash) {
		if (tc_buf_adds(&b, rel) < 0)
			tc_die_nomem();
	} else if (tc_buf_add(&b, rules_path,
			      (size_t)(slash - rules_path) + 1) < 0 ||
		   tc_buf_adds(&b, rel) < 0) {
		tc_die_nomem();
	}
	return tc_buf_detach(&b, NULL);
}

static void load_calendar(struct ld *l, struct tc_rules *r, const cJSON *root)
{
	static const char *const keys[] = {
	    "division", "file", "time_zone", "end_of_day", "counting", NULL};
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "calendar");
	const cJSON *v;
	const char *file = NULL;
	struct tc_error e;

	if (!cJSON_IsObject(c)) {
		ld_err(l, c ? c : root, c == NULL, "%s",
		       "'calendar' must be a mapping with division, file and "
		       "time_zone");
		return;
	}
	check_keys(l, c, keys);
	r->division = get_str(l, c, "division", 1);
	if (r->division && strcmp(r->division, "england-and-wales") &&
	    strcmp(r->division, "scotland") &&
	    strcmp(r->division, "northern-ireland"))
		ld_err(l, cJSON_GetObjectItemCaseSensitive(c, "division"), 0,
		       "unknown division '%s' (use england-and-wales, "
		       "scotland or northern-ireland)",
		       r->division);
	r->time_zone = get_str(l, c, "time_zone", 0);
	if (!r->time_zone)
		r->time_zone = "Europe/London";
	r->end_of_day = -1;
	v = cJSON_GetObjectItemCaseSensitive(c, "end_of_day");
	if (v && !cJSON_IsNull(v) &&
	    (!cJSON_IsString(v) ||
	     (v->valuestring[0] && parse_hhmm(v->valuestring, &r->end_of_day))))
		ld_err(l, v, 0, "%s",
		       "'end_of_day' must be a time \"HH:MM\" in quotes, or "
		       "empty");
	v = cJSON_GetObjectItemCaseSensitive(c, "counting");
	if (v && (!cJSON_IsString(v) || strcmp(v->valuestring, "day_after")))
		ld_err(l, v, 0, "%s",
		       "'counting' must be day_after (counting starts the day "
		       "after receipt)");
	file = get_str(l, c, "file", 1);
	if (file) {
		r->calendar_path = resolve(l->file, file);
		tc_error_clear(&e);
		r->cal = tc_calendar_load(r->calendar_path, &e);
		if (!r->cal) {
			tc_report(&e);
			l->nerr++;
		} else if (r->division &&
			   strcmp(tc_calendar_division(r->cal), r->division)) {
			ld_err(l, cJSON_GetObjectItemCaseSensitive(c, "file"),
			       0,
			       "the calendar file is for division '%s', not "
			       "the division named above",
			       tc_calendar_division(r->cal));
		}
	}
}

/* An integer member as get_int, or the word none (none_value). */
static int get_int_none(struct ld *l, const cJSON *obj, const char *name,
			int lo, int hi, int def, int none_value)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(v) && !strcmp(v->valuestring, "none"))
		return none_value;
	if (v && !cJSON_IsNumber(v)) {
		ld_err(l, v, 0,
		       "'%s' must be a whole number from %d to %d, or "
		       "none",
		       name, lo, hi);
		return def;
	}
	return get_int(l, obj, name, lo, hi, def, 1);
}

/*
 * What a deadline counts from: acknowledgement, request, or (with steps)
 * the id of one of the first nsteps steps. Returns 0, or -1 (reported).
 */
static int get_base(struct ld *l, const cJSON *v,
		    const struct tc_stage_rule *st, int nsteps,
		    enum tc_base *base, int *from)
{
	int i;

	*from = -1;
	if (!v) {
		*base = TC_FROM_ACK;
		return 0;
	}
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "acknowledgement")) {
		*base = TC_FROM_ACK;
		return 0;
	}
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "request")) {
		*base = TC_FROM_REQUEST;
		return 0;
	}
	for (i = 0; cJSON_IsString(v) && i < nsteps; i++)
		if (!strcmp(v->valuestring, st->step[i].id)) {
			*base = TC_FROM_STEP;
			*from = i;
			return 0;
		}
	ld_err(l, v, 0, "%s",
	       nsteps ? "must be acknowledgement, request or the id of a step "
			"listed before it"
		      : "must be acknowledgement or request");
	return -1;
}

static void load_steps(struct ld *l, const cJSON *v, struct tc_stage_rule *st)
{
	static const char *const keys[] = {"id", "name", "days", "from", NULL};
	const cJSON *e;

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > TC_MAX_STEPS) {
		ld_err(l, v, 0,
		       "'steps' must be a list of at most %d steps "
		       "{id, name, days, from}",
		       TC_MAX_STEPS);
		return;
	}
	cJSON_ArrayForEach(e, v)
	{
		struct tc_step_rule *sp = &st->step[st->nsteps];
		int i;

		if (!entry(l, e, keys, "a step must be {id, name, days, from}"))
			continue;
		sp->id = get_str(l, e, "id", 1);
		sp->name = get_str(l, e, "name", 1);
		sp->days = get_int(l, e, "days", 1, 200, 10, 1);
		if (!sp->id || !sp->name)
			continue;
		for (i = 0; i < st->nsteps; i++)
			if (!strcmp(st->step[i].id, sp->id))
				ld_err(
				    l,
				    cJSON_GetObjectItemCaseSensitive(e, "id"),
				    0, "step '%s' is listed twice", sp->id);
		if (!cJSON_GetObjectItemCaseSensitive(e, "from"))
			ld_err(l, e, 1, "%s",
			       "missing 'from' (request, acknowledgement or an "
			       "earlier step's id)");
		get_base(l, cJSON_GetObjectItemCaseSensitive(e, "from"), st,
			 st->nsteps, &sp->base, &sp->from);
		st->nsteps++;
	}
}

static void load_window(struct ld *l, const cJSON *s, int last,
			struct tc_stage_rule *st)
{
	static const char *const wkeys[] = {"days", "unit", NULL};
	const cJSON *v =
	    cJSON_GetObjectItemCaseSensitive(s, "next_stage_within");
	const cJSON *u;

	if (v && last) {
		ld_err(l, v, 1, "%s",
		       "the last stage has no next stage: remove "
		       "'next_stage_within'");
		return;
	}
	if (!v) {
		if (!last)
			ld_err(l, s, 0, "%s",
			       "a stage before the last needs "
			       "'next_stage_within' ({days: N, unit: "
			       "calendar|working}, or none for no time limit)");
		return;
	}
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "none")) {
		st->window_days = -1;
		return;
	}
	if (!entry(l, v, wkeys,
		   "'next_stage_within' must be {days: N, unit: "
		   "calendar|working}, or none"))
		return;
	st->window_days = get_int(l, v, "days", 1, 366, 28, 1);
	u = cJSON_GetObjectItemCaseSensitive(v, "unit");
	if (cJSON_IsString(u) && !strcmp(u->valuestring, "working"))
		st->window_working = 1;
	else if (!cJSON_IsString(u) || strcmp(u->valuestring, "calendar"))
		ld_err(l, u ? u : v, u == NULL, "%s",
		       "'unit' must be calendar or working");
}

static void load_stage(struct ld *l, const cJSON *s, int n, int last,
		       struct tc_stage_rule *st)
{
	static const char *const keys[] = {"stage",
					   "acknowledge_days",
					   "respond_days",
					   "respond_from",
					   "extension_max_days",
					   "exceptional_extension_days",
					   "next_stage_within",
					   "update_after_months",
					   "responder",
					   "steps",
					   NULL};
	const cJSON *v;
	int num;

	if (!cJSON_IsObject(s)) {
		ld_err(l, s, 0, "%s", "a stage must be a mapping");
		return;
	}
	check_keys(l, s, keys);
	num = get_int(l, s, "stage", 1, 9, n, 1);
	if (num != n)
		ld_err(l, cJSON_GetObjectItemCaseSensitive(s, "stage"), 0,
		       "stages must be numbered 1, 2, ... in order (expected "
		       "%d)",
		       n);
	if ((v = cJSON_GetObjectItemCaseSensitive(s, "steps")))
		load_steps(l, v, st);
	st->ack_days = get_int_none(l, s, "acknowledge_days", 0, 100, 5, -1);
	st->respond_days = get_int_none(l, s, "respond_days", 1, 200, 10, 0);
	st->extension_max = get_int(l, s, "extension_max_days", 0, 200, 0, 0);
	st->exceptional_max =
	    get_int(l, s, "exceptional_extension_days", 0, 200, 0, 0);
	st->update_months = get_int(l, s, "update_after_months", 0, 24, 0, 0);
	st->responder = get_str(l, s, "responder", 0);
	v = cJSON_GetObjectItemCaseSensitive(s, "respond_from");
	if (get_base(l, v, st, st->nsteps, &st->base, &st->base_step) < 0)
		st->base = TC_FROM_ACK;
	if (st->respond_days == 0 && st->extension_max + st->exceptional_max)
		ld_err(l, cJSON_GetObjectItemCaseSensitive(s, "respond_days"),
		       0, "%s",
		       "a stage with no fixed response deadline (respond_days: "
		       "none) cannot be extended: remove the extension days");
	load_window(l, s, last, st);
}

static void load_procedures(struct ld *l, struct tc_rules *r, const cJSON *root)
{
	static const char *const keys[] = {
	    "name",	     "ombudsman",
	    "ombudsman_url", "ombudsman_phone",
	    "ombudsman_time_limit_months", "stages", NULL};
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "procedures");
	const cJSON *m;
	size_t i = 0;

	if (!cJSON_IsObject(p) || !cJSON_GetArraySize(p)) {
		ld_err(l, p ? p : root, p == NULL, "%s",
		       "'procedures' must map each procedure's id to its "
		       "stages");
		return;
	}
	r->nproc = (size_t)cJSON_GetArraySize(p);
	r->proc = xcalloc(r->nproc, sizeof(*r->proc));
	cJSON_ArrayForEach(m, p)
	{
		struct tc_procedure *pr = &r->proc[i++];
		const cJSON *st;
		int n = 0, cnt;

		pr->id = m->string;
		if (!cJSON_IsObject(m)) {
			ld_err(l, m, 0, "procedure '%s' must be a mapping",
			       m->string);
			continue;
		}
		check_keys(l, m, keys);
		pr->name = get_str(l, m, "name", 1);
		pr->ombudsman = get_str(l, m, "ombudsman", 1);
		pr->ombudsman_url = get_str(l, m, "ombudsman_url", 0);
		pr->ombudsman_phone = get_str(l, m, "ombudsman_phone", 0);
		pr->ombudsman_months =
		    get_int(l, m, "ombudsman_time_limit_months", 0, 60, 0, 0);
		st = cJSON_GetObjectItemCaseSensitive(m, "stages");
		cnt = cJSON_IsArray(st) ? cJSON_GetArraySize(st) : 0;
		if (cnt < 1 || cnt > 9) {
			ld_err(l, st ? st : m, st == NULL,
			       "procedure '%s' needs 'stages', a list of 1 to "
			       "9 stages",
			       pr->id);
			continue;
		}
		pr->nstages = cnt;
		pr->stage = xcalloc((size_t)cnt, sizeof(*pr->stage));
		for (n = 0; n < cnt; n++)
			load_stage(l, cJSON_GetArrayItem(st, n), n + 1,
				   n + 1 == cnt, &pr->stage[n]);
	}
}

static void procedure_release(struct tc_procedure *p)
{
	free(p->stage);
}

const struct tc_procedure *tc_rules_procedure(const struct tc_rules *r,
					      const char *id)
{
	return TC_FIND_STR(r->proc, r->nproc, struct tc_procedure, id, id);
}

int tc_rules_step(const struct tc_stage_rule *sr, const char *id)
{
	int i;

	for (i = 0; id && i < sr->nsteps; i++)
		if (!strcmp(sr->step[i].id, id))
			return i;
	return -1;
}

const char *tc_rules_procedure_for(const struct tc_rules *r,
				   const char *service_area)
{
	const struct tc_route *route =
	    service_area ? tc_rules_route(r, service_area) : NULL;

	return route ? route->procedure : r->proc[0].id;
}

static void load_references(struct ld *l, struct tc_rules *r, const cJSON *root)
{
	static const char *const types[] = {
	    "complaint",  "service_request", "compliment", "comment",
	    "signposted", "review",	     NULL};
	static const char *const keys[] = {"prefix", "digits", NULL};
	const cJSON *refs =
	    cJSON_GetObjectItemCaseSensitive(root, "references");
	size_t i;

	if (!cJSON_IsObject(refs)) {
		ld_err(l, refs ? refs : root, refs == NULL, "%s",
		       "'references' must map each type to {prefix, digits}");
		return;
	}
	check_keys(l, refs, types);
	for (i = 0; types[i]; i++)
		;
	r->ref = xcalloc(i, sizeof(*r->ref));
	for (i = 0; types[i]; i++) {
		const cJSON *t =
		    cJSON_GetObjectItemCaseSensitive(refs, types[i]);
		struct tc_refformat *f = &r->ref[r->nref];
		const char *c;

		if (!t) {
			ld_err(l, refs, 1, "missing reference format for '%s'",
			       types[i]);
			continue;
		}
		if (!cJSON_IsObject(t)) {
			ld_err(l, t, 0, "'%s' must be {prefix: ABC, digits: 6}",
			       types[i]);
			continue;
		}
		check_keys(l, t, keys);
		f->type = types[i];
		f->prefix = get_str(l, t, "prefix", 1);
		f->digits = get_int(l, t, "digits", 3, 9, 6, 0);
		r->nref++;
		for (c = f->prefix; c && *c; c++)
			if (*c < 'A' || *c > 'Z') {
				ld_err(
				    l,
				    cJSON_GetObjectItemCaseSensitive(t,
								     "prefix"),
				    0,
				    "prefix '%s' must be capital letters A-Z",
				    f->prefix);
				break;
			}
	}
}

const struct tc_refformat *tc_rules_refformat(const struct tc_rules *r,
					      const char *type)
{
	return TC_FIND_STR(r->ref, r->nref, struct tc_refformat, type, type);
}

/* in upper-cased, with the separators people type (spaces, tabs, dashes,
 * dots, slashes) dropped; 0, or -1 when it does not fit in n. */
static int ref_compact(const char *in, char *out, size_t n)
{
	size_t i = 0;

	for (; *in; in++) {
		if (strchr(" \t-./", *in))
			continue;
		if (i + 1 >= n)
			return -1;
		out[i++] = (*in >= 'a' && *in <= 'z') ? *in - 32 : *in;
	}
	out[i] = 0;
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

void tc_rules_ref_canonical(const struct tc_rules *r, const char *in, char *out,
			    size_t n)
{
	char c[128];
	size_t i, k, len;

	while (*in == ' ' || *in == '\t')
		in++;
	if (ref_compact(in, c, sizeof(c)) == 0) {
		len = strlen(c);
		for (i = 0; i < r->nref; i++) {
			const struct tc_refformat *f = &r->ref[i];
			size_t p = strlen(f->prefix), seq = len - p - 4;

			if (len <= p + 4 || strncmp(c, f->prefix, p) ||
			    !all_digits(c + p, len - p) ||
			    seq > (size_t)f->digits)
				continue;
			snprintf(out, n, "%s-%.4s-%0*d", f->prefix, c + p,
				 f->digits, atoi(c + p + 4));
			return;
		}
		/* intake's submission ID, typed without its dash */
		if (len == TC_SUBMISSION_ID_LEN - 1) {
			char id[TC_SUBMISSION_ID_LEN + 1];

			snprintf(id, sizeof(id), "%.5s-%.5s", c, c + 5);
			if (tc_submission_id_valid(id)) {
				snprintf(out, n, "%s", id);
				return;
			}
		}
	}
	/* not one of ours: as typed, trimmed and upper-cased */
	for (k = 0; *in && k + 1 < n; in++)
		out[k++] = (*in >= 'a' && *in <= 'z') ? *in - 32 : *in;
	while (k && (out[k - 1] == ' ' || out[k - 1] == '\t'))
		k--;
	out[k] = 0;
}

static void load_routing(struct ld *l, struct tc_rules *r, const cJSON *root)
{
	static const char *const keys[] = {"service_area", "team", "procedure",
					   NULL};
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(root, "routing");
	const cJSON *e;

	if (!cJSON_IsArray(rt)) {
		ld_err(l, rt ? rt : root, rt == NULL, "%s",
		       "'routing' must be a list of {service_area, team, "
		       "procedure}");
		return;
	}
	r->route = xcalloc((size_t)cJSON_GetArraySize(rt), sizeof(*r->route));
	cJSON_ArrayForEach(e, rt)
	{
		struct tc_route *ro = &r->route[r->nroute];

		if (!entry(l, e, keys,
			   "a routing entry must be {service_area, team, "
			   "procedure}"))
			continue;
		tc_yaml_where(l->doc, e, &ro->line, &ro->col);
		ro->service_area = get_str(l, e, "service_area", 1);
		ro->team = get_str(l, e, "team", 1);
		ro->procedure = get_str(l, e, "procedure", 1);
		if (!ro->service_area || !ro->team || !ro->procedure) {
			memset(ro, 0, sizeof(*ro));
			continue;
		}
		if (!tc_rules_procedure(r, ro->procedure))
			ld_err(l,
			       cJSON_GetObjectItemCaseSensitive(e, "procedure"),
			       0,
			       "unknown procedure '%s' (define it under "
			       "procedures)",
			       ro->procedure);
		if (tc_rules_route(r, ro->service_area))
			ld_err(l, e, 0, "service area '%s' is routed twice",
			       ro->service_area);
		r->nroute++;
	}
}

const struct tc_route *tc_rules_route(const struct tc_rules *r,
				      const char *service_area)
{
	return TC_FIND_STR(r->route, r->nroute, struct tc_route, service_area,
			   service_area);
}

/* A list of {phrase, KEY} under name into *out (*n of them). */
static void load_phrases(struct ld *l, const cJSON *ph, const char *name,
			 const char *key, struct tc_phrase **out, size_t *n)
{
	const char *pkeys[] = {"phrase", key, NULL};
	const cJSON *e;

	if (!ph)
		return;
	if (!cJSON_IsArray(ph)) {
		ld_err(l, ph, 0, "'%s' must be a list of {phrase, %s}", name,
		       key);
		return;
	}
	*out = xcalloc((size_t)cJSON_GetArraySize(ph), sizeof(**out));
	cJSON_ArrayForEach(e, ph)
	{
		struct tc_phrase *p = &(*out)[*n];

		if (!entry(l, e, pkeys, "a phrase must be {phrase, ...}"))
			continue;
		p->phrase = get_str(l, e, "phrase", 1);
		p->reason_code = get_str(l, e, key, 1);
		if (!p->phrase) {
			p->reason_code = NULL;
			continue;
		}
		(*n)++;
	}
}

/* What councils' policies close complaints with, when rules.yml says
 * nothing. */
static const struct tc_outcome default_outcomes[] = {
    {"upheld", "Upheld"},	  {"partly-upheld", "Partly upheld"},
    {"not-upheld", "Not upheld"}, {"resolved", "Resolved"},
    {"withdrawn", "Withdrawn"},
};

/* outcomes: a list of {id, label}, ids of lower-case letters, digits and
 * dashes, each once. */
static void load_outcomes(struct ld *l, struct tc_rules *r, const cJSON *o)
{
	static const char *const keys[] = {"id", "label", NULL};
	const cJSON *e;
	size_t i;

	r->outcome = default_outcomes;
	r->noutcome = sizeof(default_outcomes) / sizeof(default_outcomes[0]);
	if (!o)
		return;
	if (!cJSON_IsArray(o) || !cJSON_GetArraySize(o)) {
		ld_err(l, o, 0, "%s",
		       "'outcomes' must be a list of {id, label}");
		return;
	}
	r->outcome_alloc =
	    xcalloc((size_t)cJSON_GetArraySize(o), sizeof(*r->outcome_alloc));
	r->outcome = r->outcome_alloc;
	r->noutcome = 0;
	cJSON_ArrayForEach(e, o)
	{
		struct tc_outcome *x = &r->outcome_alloc[r->noutcome];
		const char *p;

		if (!entry(l, e, keys, "an outcome must be {id, label}"))
			continue;
		x->id = get_str(l, e, "id", 1);
		x->label = get_str(l, e, "label", 1);
		if (!x->id || !x->label)
			continue;
		for (p = x->id; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			      (*p >= '0' && *p <= '9') || *p == '-'))
				break;
		if (*p || !x->id[0]) {
			ld_err(l, e, 0,
			       "outcome id '%s' must be lower-case letters, "
			       "digits and dashes",
			       x->id);
			continue;
		}
		for (i = 0; i < r->noutcome; i++)
			if (!strcmp(r->outcome[i].id, x->id))
				break;
		if (i < r->noutcome) {
			ld_err(l, e, 0, "outcome '%s' is given twice", x->id);
			continue;
		}
		r->noutcome++;
	}
}

/* a and b equal with letter case aside and spaces read as dashes. */
static int outcome_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == ' ' ? '-' : *a, y = *b == ' ' ? '-' : *b;

		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return 0;
	}
	return !*a && !*b;
}

const struct tc_outcome *tc_rules_outcome(const struct tc_rules *r,
					  const char *typed)
{
	size_t i;

	for (i = 0; typed && i < r->noutcome; i++)
		if (outcome_eq(typed, r->outcome[i].id) ||
		    outcome_eq(typed, r->outcome[i].label))
			return &r->outcome[i];
	return NULL;
}

const char *tc_rules_outcome_label(const struct tc_rules *r, const char *id)
{
	const struct tc_outcome *o = tc_rules_outcome(r, id);

	return o ? o->label : id;
}

const char *tc_rules_outcome_list(const struct tc_rules *r)
{
	static char buf[512];
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < r->noutcome && n + 1 < sizeof(buf); i++) {
		int k = snprintf(buf + n, sizeof(buf) - n, "%s%s",
				 i ? ", " : "", r->outcome[i].id);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	return buf;
}

/* member_enquiry_words: a list of words in lower case. */
static void load_words(struct ld *l, struct tc_rules *r, const cJSON *w)
{
	const cJSON *e;

	if (!w)
		return;
	if (!cJSON_IsArray(w)) {
		ld_err(l, w, 0, "%s",
		       "'member_enquiry_words' must be a list of words");
		return;
	}
	r->member_words = xcalloc((size_t)cJSON_GetArraySize(w) + 1,
				  sizeof(*r->member_words));
	cJSON_ArrayForEach(e, w)
	{
		const char *s = cJSON_IsString(e) ? e->valuestring : NULL;
		size_t i;

		for (i = 0; s && s[i]; i++)
			if (s[i] >= 'A' && s[i] <= 'Z')
				s = NULL;
		if (!s || !s[0]) {
			ld_err(l, e, 0, "%s",
			       "a member enquiry word is text in lower case");
			continue;
		}
		r->member_words[r->nmember_words++] = s;
	}
}

static void load_exclusions(struct ld *l, struct tc_rules *r, const cJSON *root)
{
	static const char *const keys[] = {"service_area", "reason_code",
					   "reason", "signpost", NULL};
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(root, "exclusions");
	const cJSON *ph =
	    cJSON_GetObjectItemCaseSensitive(root, "exclusion_phrases");
	const cJSON *e;

	if (ex && !cJSON_IsArray(ex))
		ld_err(l, ex, 0, "%s",
		       "'exclusions' must be a list of {service_area, "
		       "reason_code, reason, signpost}");
	else if (ex) {
		r->excl =
		    xcalloc((size_t)cJSON_GetArraySize(ex), sizeof(*r->excl));
		cJSON_ArrayForEach(e, ex)
		{
			struct tc_exclusion *x = &r->excl[r->nexcl];

			if (!entry(l, e, keys,
				   "an exclusion must be a mapping"))
				continue;
			tc_yaml_where(l->doc, e, &x->line, &x->col);
			x->service_area = get_str(l, e, "service_area", 1);
			x->reason_code = get_str(l, e, "reason_code", 1);
			x->reason = get_str(l, e, "reason", 1);
			x->signpost = get_str(l, e, "signpost", 1);
			if (!x->service_area) {
				memset(x, 0, sizeof(*x));
				continue;
			}
			if (tc_rules_route(r, x->service_area))
				ld_err(l, e, 0,
				       "service area '%s' is both routed and "
				       "excluded",
				       x->service_area);
			r->nexcl++;
		}
	}
	load_phrases(l, ph, "exclusion_phrases", "reason_code", &r->phrase,
		     &r->nphrase);
	load_phrases(l,
		     cJSON_GetObjectItemCaseSensitive(root, "urgent_phrases"),
		     "urgent_phrases", "reason", &r->urgent, &r->nurgent);
}

const struct tc_exclusion *tc_rules_exclusion(const struct tc_rules *r,
					      const char *service_area)
{
	return TC_FIND_STR(r->excl, r->nexcl, struct tc_exclusion, service_area,
			   service_area);
}

struct tc_rules *tc_rules_load(const char *path, int *nerrors)
{
	static const char *const keys[] = {"version",
					   "calendar",
					   "time_limit_months",
					   "duplicate_window_days",
					   "retention_years",
					   "restriction_review_months",
					   "restriction_appeal_days",
					   "first_contact_as_service_request",
					   "default_team",
					   "references",
					   "procedures",
					   "routing",
					   "exclusions",
					   "exclusion_phrases",
					   "urgent_phrases",
					   "service_request_days",
					   "comment_reply_days",
					   "member_enquiry_words",
					   "outcomes",
					   NULL};
	struct tc_rules *r = NULL;
	struct ld l = {0};
	struct tc_error e;
	const cJSON *root;

	*nerrors = 0;
	tc_error_clear(&e);
	l.doc = tc_yaml_load_file(path, &e);
	if (!l.doc) {
		if (e.code == TC_EIO || e.code == TC_ENOENT) {
			tc_warnx("cannot read rules '%s': %s", path, e.msg);
			if (!errno)
				errno = ENOENT;
			return NULL;
		}
		tc_report(&e);
		*nerrors = 1;
		return NULL;
	}
	l.file = path;
	r = xcalloc(1, sizeof(*r));
	r->doc = l.doc;
	r->path = tc_xstrdup(path);
	root = tc_yaml_root(l.doc);
	if (!cJSON_IsObject(root)) {
		ld_err(&l, root, 0, "%s",
		       "the rules file must be a mapping (see docs/rules.md)");
		goto out;
	}
	check_keys(&l, root, keys);
	if (get_int(&l, root, "version", 1, 1, 1, 1) != 1)
		goto out;
	load_calendar(&l, r, root);
	r->time_limit_months =
	    get_int(&l, root, "time_limit_months", 1, 120, 12, 1);
	r->duplicate_window_days =
	    get_int(&l, root, "duplicate_window_days", 0, 366, 28, 0);
	r->retention_years = get_int(&l, root, "retention_years", 1, 100, 6, 0);
	r->restriction_review_months =
	    get_int(&l, root, "restriction_review_months", 1, 24, 6, 0);
	r->restriction_appeal_days =
	    get_int(&l, root, "restriction_appeal_days", 1, 100, 20, 0);
	r->first_contact_as_service_request =
	    get_yesno(&l, root, "first_contact_as_service_request", 0);
	r->service_request_days =
	    get_int(&l, root, "service_request_days", 0, 100, 0, 0);
	r->comment_reply_days =
	    get_int(&l, root, "comment_reply_days", 0, 100, 0, 0);
	load_words(
	    &l, r,
	    cJSON_GetObjectItemCaseSensitive(root, "member_enquiry_words"));
	load_outcomes(&l, r,
		      cJSON_GetObjectItemCaseSensitive(root, "outcomes"));
	r->default_team = get_str(&l, root, "default_team", 1);
	load_references(&l, r, root);
	load_procedures(&l, r, root);
	load_routing(&l, r, root);
	load_exclusions(&l, r, root);
out:
	*nerrors = l.nerr;
	if (l.nerr) {
		tc_rules_free(r);
		return NULL;
	}
	return r;
}

void tc_rules_free(struct tc_rules *r)
{
	if (!r)
		return;
	TC_RELEASE_EACH(r->proc, r->nproc, procedure_release);
	free(r->route);
	free(r->excl);
	free(r->phrase);
	free(r->urgent);
	free(r->member_words);
	free(r->outcome_alloc);
	free(r->ref);
	free(r->path);
	free(r->calendar_path);
	tc_calendar_free(r->cal);
	tc_yaml_free(r->doc);
	free(r);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive (ASCII) search; whitespace runs in text match one space. */
static int contains(const char *text, const char *phrase)
{
	const char *t;

	for (t = text; *t; t++) {
		const char *a = t, *b = phrase;

		while (*b) {
			if (*b == ' ' &&
			    (*a == ' ' || *a == '\n' || *a == '\t')) {
				while (*a == ' ' || *a == '\n' || *a == '\t')
					a++;
				b++;
				continue;
			}
			if (!*a || lower((unsigned char)*a) !=
				       lower((unsigned char)*b))
				break;
			a++;
			b++;
		}
		if (!*b)
			return 1;
	}
	return 0;
}

static const struct tc_phrase *match(const struct tc_phrase *v, size_t n,
				     const char *text)
{
	size_t i;

	for (i = 0; text && i < n; i++)
		if (contains(text, v[i].phrase))
			return &v[i];
	return NULL;
}

const struct tc_phrase *tc_rules_match_phrase(const struct tc_rules *r,
					      const char *text)
{
	return match(r->phrase, r->nphrase, text);
}

static int word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

int tc_rules_member_words(const struct tc_rules *r, const char *text)
{
	size_t i, n;
	const char *t;

	for (i = 0; text && i < r->nmember_words; i++) {
		n = strlen(r->member_words[i]);
		for (t = text; *t; t++) {
			size_t k;

			if (t > text && word_char((unsigned char)t[-1]))
				continue;
			for (k = 0; k < n && t[k] &&
				    lower((unsigned char)t[k]) ==
					(unsigned char)r->member_words[i][k];
			     k++)
				;
			if (k == n && !word_char((unsigned char)t[n]))
				return 1;
		}
	}
	return 0;
}

const struct tc_phrase *tc_rules_match_urgent(const struct tc_rules *r,
					      const char *text)
{
	return match(r->urgent, r->nurgent, text);
}

int tc_rules_received_date(const struct tc_rules *r, const char *utc,
			   tc_day *out)
{
	tc_day day;
	int min;

	if (tc_utc_to_local(utc, r->time_zone, &day, &min) < 0)
		return -1;
	if (r->end_of_day >= 0 && min >= r->end_of_day &&
	    tc_calendar_is_working(r->cal, day))
		day++;
	return tc_calendar_next_working(r->cal, day, out);
}

/*
 * The option values of a form's field, from the form's schema JSON: the
 * field object with "name" == field, its "options" array of {"value"} (or of
 * strings). Searched without recursion: fields may sit in sections.
 */
/* The schema's field named field that has the key with, or NULL. */
static cJSON *find_field(cJSON *schema, const char *field, const char *with)
{
	cJSON **stack = NULL, *found = NULL;
	size_t sp = 0, cap = 0;

	if (!schema)
		return NULL;
	stack = xcalloc(cap = 64, sizeof(*stack));
	stack[sp++] = schema;
	while (sp && !found) {
		cJSON *n = stack[--sp], *c;
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(n, "name");

		if (cJSON_IsObject(n) && cJSON_IsString(name) &&
		    !strcmp(name->valuestring, field) &&
		    cJSON_GetObjectItemCaseSensitive(n, with)) {
			found = n;
			break;
		}
		cJSON_ArrayForEach(c, n)
		{
			if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
				continue;
			if (sp == cap) {
				cJSON **ns =
				    realloc(stack, 2 * cap * sizeof(*ns));

				if (!ns)
					tc_die_nomem();
				stack = ns;
				cap *= 2;
			}
			stack[sp++] = c;
		}
	}
	free(stack);
	return found;
}

static const char *option_value(const cJSON *o)
{
	const cJSON *v;

	if (cJSON_IsString(o))
		return o->valuestring;
	v = cJSON_GetObjectItemCaseSensitive(o, "value");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * Each reference-like example in text ("CMP-2026-000123": letters, a
 * year, digits) must be one casework issues under these rules: one of the
 * prefixes, with its digits. Returns the misfits, printed.
 */
static int check_examples(const struct tc_rules *r, const char *where,
			  const char *text, const char *like)
{
	const char *p = text;
	int nerr = 0;
	size_t k;

	while (p && *p) {
		size_t a = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		size_t y =
		    a && p[a] == '-' ? strspn(p + a + 1, "0123456789") : 0;
		size_t d = y == 4 && p[a + 5] == '-'
			       ? strspn(p + a + 6, "0123456789")
			       : 0;
		char tok[64], canon[64];

		if (a < 2 || a > 5 || p[a] != '-' || y != 4 || !d ||
		    a + 6 + d >= sizeof(tok) ||
		    (p > text && p[-1] >= 'A' && p[-1] <= 'Z')) {
			p++;
			continue;
		}
		memcpy(tok, p, a + 6 + d);
		tok[a + 6 + d] = '\0';
		tc_rules_ref_canonical(r, tok, canon, sizeof(canon));
		for (k = 0; k < r->nref; k++)
			if (!strncmp(canon, r->ref[k].prefix, a) &&
			    !r->ref[k].prefix[a])
				break;
		if (strcmp(tok, canon) || k == r->nref) {
			tc_input_error(
			    r->path, 0, 0,
			    "%s gives the example '%s', which is not "
			    "a reference casework issues (like %s): "
			    "use the rules' references",
			    where, tok, like);
			nerr++;
		}
		p += a + 6 + d;
	}
	return nerr;
}

/*
 * The review form's reference field must take the references casework
 * gives residents, as typed (in lower case, without dashes), and its
 * examples must be ones casework issues.
 */
static int check_review_reference(const struct tc_rules *r,
				  const struct tc_forms *fs)
{
	const struct tc_form *f = tc_forms_find(fs, TC_FORM_REVIEW);
	const struct tc_refformat *rf = tc_rules_refformat(r, "complaint");
	cJSON *schema = f ? tc_form_schema_json(f) : NULL;
	cJSON *fd = find_field(schema, TC_F_CASE_REFERENCE, "name");
	const cJSON *pat = cJSON_GetObjectItemCaseSensitive(fd, "pattern");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(fd, "messages"), "pattern");
	struct tc_pattern *re = NULL;
	char like[64], typed[64], where[128];
	const char *why;
	size_t i, j;
	int nerr = 0;

	if (!fd || !rf)
		goto out;
	snprintf(like, sizeof(like), "%s-2026-%0*d", rf->prefix, rf->digits,
		 123);
	for (i = j = 0; like[i] && j + 1 < sizeof(typed); i++)
		if (like[i] != '-')
			typed[j++] = (char)(like[i] >= 'A' && like[i] <= 'Z'
						? like[i] - 'A' + 'a'
						: like[i]);
	typed[j] = '\0';
	snprintf(where, sizeof(where), "form '%s', field '%s',", TC_FORM_REVIEW,
		 TC_F_CASE_REFERENCE);
	if (cJSON_IsString(pat) &&
	    (re = tc_pattern_compile(pat->valuestring, &why)) &&
	    (tc_pattern_match(re, like) != 1 ||
	     tc_pattern_match(re, typed) != 1)) {
		tc_input_error(r->path, 0, 0,
			       "%s has a pattern that refuses the references "
			       "casework issues ('%s', or '%s' as typed): "
			       "widen it",
			       where, like, typed);
		nerr++;
	}
	nerr += check_examples(
	    r, where, tc_form_field_hint(f, TC_F_CASE_REFERENCE), like);
	nerr += check_examples(
	    r, where, cJSON_IsString(msg) ? msg->valuestring : NULL, like);
out:
	tc_pattern_free(re);
	cJSON_Delete(schema);
	return nerr;
}

int tc_rules_check_forms(const struct tc_rules *r, const struct tc_forms *fs)
{
	static const char *const need[][6] = {
	    {TC_FORM_COMPLAINT, TC_F_SERVICE_AREA, TC_F_WHAT_HAPPENED,
	     TC_F_WHEN_HAPPENED, TC_F_ON_BEHALF, TC_F_RAISED_BEFORE},
	    {TC_FORM_FEEDBACK, TC_F_FEEDBACK_TYPE, TC_F_SERVICE_AREA,
	     TC_F_MESSAGE, NULL, NULL},
	    {TC_FORM_REVIEW, TC_F_CASE_REFERENCE, TC_F_WHY_UNHAPPY, NULL, NULL,
	     NULL},
	};
	static const char *const routed[] = {TC_FORM_COMPLAINT,
					     TC_FORM_FEEDBACK};
	size_t i, j, k;
	int nerr = 0;
	char *seen = xcalloc(r->nroute + r->nexcl, 1);

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const struct tc_form *f = tc_forms_find(fs, need[i][0]);

		if (!f) {
			tc_input_error(r->path, 0, 0,
				       "casework needs the form '%s' "
				       "(content/forms/%s.yml)",
				       need[i][0], need[i][0]);
			nerr++;
			continue;
		}
		for (j = 1; j < 6 && need[i][j]; j++)
			if (!tc_form_field_type(f, need[i][j])) {
				tc_input_error(r->path, 0, 0,
					       "form '%s' has no field '%s', "
					       "which casework reads",
					       need[i][0], need[i][j]);
				nerr++;
			}
	}
	for (i = 0; i < 2; i++) {
		const struct tc_form *f = tc_forms_find(fs, routed[i]);
		cJSON *schema = f ? tc_form_schema_json(f) : NULL;
		cJSON *field = find_field(schema, TC_F_SERVICE_AREA, "options");
		const cJSON *opts =
		    cJSON_GetObjectItemCaseSensitive(field, "options");
		const cJSON *o;

		cJSON_ArrayForEach(o, opts)
		{
			const char *v = option_value(o);
			int line = 0, col = 0;

			if (!v || !v[0])
				continue;
			for (k = 0; k < r->nroute; k++)
				if (!strcmp(r->route[k].service_area, v))
					seen[k] = 1;
			for (k = 0; k < r->nexcl; k++)
				if (!strcmp(r->excl[k].service_area, v))
					seen[r->nroute + k] = 1;
			if (tc_rules_route(r, v) || tc_rules_exclusion(r, v))
				continue;
			tc_yaml_key_where(r->doc,
					  cJSON_GetObjectItemCaseSensitive(
					      tc_yaml_root(r->doc), "routing"),
					  &line, &col);
			tc_input_error(r->path, line, col,
				       "service area '%s' offered by form '%s' "
				       "has no routing entry or exclusion (add "
				       "one)",
				       v, routed[i]);
			nerr++;
		}
		cJSON_Delete(schema);
	}
	for (k = 0; k < r->nroute; k++)
		if (!seen[k]) {
			tc_input_error(
			    r->path, r->route[k].line, r->route[k].col,
			    "routing names service area '%s', which no "
			    "form offers",
			    r->route[k].service_area);
			nerr++;
		}
	for (k = 0; k < r->nexcl; k++)
		if (!seen[r->nroute + k]) {
			tc_input_error(r->path, r->excl[k].line, r->excl[k].col,
				       "exclusion names service area '%s', "
				       "which no form offers",
				       r->excl[k].service_area);
			nerr++;
		}
	free(seen);
	return nerr + check_review_reference(r, fs);
}
