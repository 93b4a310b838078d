/*
 * casepack.c: builds casepacks/REF.zip (see casepack.h).
 *
 * The zip is built in memory (libzip over a buffer source) with entries
 * sorted by name, a fixed DOS timestamp and fixed attributes, each stored
 * (a pack is a few kilobytes: deflating each entry cost more time in
 * setting up the compressor than it saved in bytes), then written
 * with one atomic rename, so a reader finds the old pack or the new one,
 * never half of one. The cover sheet and the letters' wrapper are the
 * theme's casework/cover.mustache and letter.mustache, rendered against a
 * context built here.
 */
#include "casepack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "array.h"
#include "case.h"
#include "err.h"
#include "history.h"
#include "fsutil.h"
#include "forms.h"
#include "letterhead.h"
#include "people.h"
#include "limits.h"
#include "sha256.h"
#include "template.h"

/* 2000-01-01 00:00:00 as a DOS date and time: fixed, so packs repeat. */
#define PACK_DOSDATE ((uint16_t)(((2000 - 1980) << 9) | (1 << 5) | 1))
#define PACK_DOSTIME ((uint16_t)0)

/* One entry of a pack being built. */
struct pentry {
	char *name;
	char *data;
	size_t len;
};

struct pack {
	struct pentry *v;
	size_t n, cap;
};

/* A copy of s, or of "" when s is NULL; the caller frees it. */
static char *xstrdup(const char *s)
{
	return tc_xstrdup(s ? s : "");
}

static void pack_add(struct pack *p, const char *name, char *data, size_t len)
{
	TC_ALLOC_GROW(p->v, p->n + 1, p->cap);
	p->v[p->n].name = xstrdup(name);
	p->v[p->n].data = data;
	p->v[p->n].len = len;
	p->n++;
}

static void pack_add_buf(struct pack *p, const char *name, struct tc_buf *b)
{
	size_t len;
	char *data = tc_buf_detach(b, &len);

	if (!data)
		tc_die_nomem();
	pack_add(p, name, data, len);
}

static void pentry_release(struct pentry *e)
{
	free(e->name);
	free(e->data);
}

static void pack_release(struct pack *p)
{
	TC_RELEASE_EACH(p->v, p->n, pentry_release);
	memset(p, 0, sizeof(*p));
}

static int cmp_pentry(const void *a, const void *b)
{
	return strcmp(((const struct pentry *)a)->name,
		      ((const struct pentry *)b)->name);
}

static void add_day(cJSON *o, const char *name, tc_day d)
{
	char buf[11];
	cJSON *v;

	if (d == CW_NODAY)
		v = cJSON_AddNullToObject(o, name);
	else {
		tc_day_format(d, buf);
		v = cJSON_AddStringToObject(o, name, buf);
	}
	if (!v)
		tc_die_nomem();
}

static void add_str(cJSON *o, const char *name, const char *s)
{
	cJSON *v = s ? cJSON_AddStringToObject(o, name, s)
		     : cJSON_AddNullToObject(o, name);

	if (!v)
		tc_die_nomem();
}

static void add_num(cJSON *o, const char *name, double n)
{
	if (!cJSON_AddNumberToObject(o, name, n))
		tc_die_nomem();
}

static int history_event(const struct cw_event *ev, void *arg)
{
	cJSON *e = cJSON_CreateObject(), *detail;

	if (!e)
		tc_die_nomem();
	add_num(e, "id", (double)ev->id);
	add_str(e, "date", ev->date);
	add_str(e, "event", ev->event);
	add_num(e, "stage", ev->stage);
	detail = cJSON_Parse(ev->detail_json);
	if (!detail)
		detail = cJSON_CreateObject();
	if (!detail)
		tc_die_nomem();
	cJSON_AddItemToObject(e, "detail", detail);
	add_str(e, "recorded", ev->recorded);
	add_str(e, "by", ev->by);
	cJSON_AddItemToArray(arg, e);
	return 0;
}

/* The case's history as a JSON array (owned); what could be read of it
 * when the register fails (the error is printed). */
static cJSON *history(struct cw_env *env, int64_t id)
{
	cJSON *arr = cJSON_CreateArray();

	if (!arr)
		tc_die_nomem();
	cw_store_history(env->reg, id, history_event, arr);
	return arr;
}

/* Where a signposted case was sent (the rules' exclusion); else NULL. */
static const struct tc_exclusion *signposted_to(struct cw_env *env,
						const struct cw_case *c)
{
	return strcmp(c->type, "signposted")
		   ? NULL
		   : tc_rules_exclusion(env->rules, c->service_area);
}

/* "merged_into": the reference of the case a duplicate went into, or
 * null. */
static void merged_into(struct cw_env *env, cJSON *o, const struct cw_case *c)
{
	struct cw_case m;

	if (c->merged_into &&
	    cw_store_case_load_id(env->reg, c->merged_into, &m) > 0) {
		add_str(o, "merged_into", m.reference);
		cw_case_release(&m);
	} else if (!cJSON_AddNullToObject(o, "merged_into"))
		tc_die_nomem();
}

/* The stage's steps into case.json, when it has any. */
static void steps_json(cJSON *so, const struct cw_stage *s)
{
	if (s->nsteps &&
	    !cJSON_AddItemToObject(so, "steps", cw_stage_steps_json(s)))
		tc_die_nomem();
}

cJSON *cw_case_json(struct cw_env *env, const struct cw_case *c)
{
	const struct tc_procedure *p =
	    tc_rules_procedure(env->rules, c->procedure);
	const struct tc_exclusion *ex = signposted_to(env, c);
	cJSON *o = cJSON_CreateObject(), *arr, *d;
	int i;

	if (!o)
		tc_die_nomem();
	add_str(o, "format", "threecs-case/1");
	add_str(o, "reference", c->reference);
	add_str(o, "type", c->type);
	add_str(o, "procedure", c->procedure);
	add_str(o, "procedure_name", p ? p->name : NULL);
	if (c->stage)
		add_num(o, "stage", c->stage);
	else if (!cJSON_AddNullToObject(o, "stage"))
		tc_die_nomem();
	add_str(o, "status", c->status);
	add_str(o, "submission_id", c->submission_id);
	add_str(o, "received", c->received);
	add_day(o, "received_date", c->received_date);
	add_str(o, "service_area", c->service_area);
	add_str(o, "team", c->team);
	add_str(o, "handler", c->handler);
	arr = cJSON_AddArrayToObject(o, "flags");
	if (!arr)
		tc_die_nomem();
	for (i = 0; i < cJSON_GetArraySize(c->flags); i++) {
		cJSON *f = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetArrayItem(c->flags, i), "flag");

		if (cJSON_IsString(f))
			cJSON_AddItemToArray(
			    arr, cJSON_CreateString(f->valuestring));
	}
	d = cJSON_Duplicate(c->flags, 1);
	if (!d)
		tc_die_nomem();
	cJSON_AddItemToObject(o, "flag_details", d);
	d = cJSON_AddObjectToObject(o, "deadlines");
	if (!d)
		tc_die_nomem();
	if (c->nstages) {
		const struct cw_stage *s = &c->stages[c->nstages - 1];

		add_day(d, "acknowledge", s->ack_due);
		add_day(d, "respond", s->respond_due);
	} else {
		add_day(d, "acknowledge", CW_NODAY);
		add_day(d, "respond", CW_NODAY);
	}
	add_day(d, "reply", c->reply_due);
	add_day(d, "replied", c->replied);
	add_str(o, "priority", c->priority ? c->priority : "normal");
	add_str(o, "channel", c->channel ? c->channel : "web");
	d = c->actions ? cJSON_Duplicate(c->actions, 1) : cJSON_CreateArray();
	if (!d)
		tc_die_nomem();
	cJSON_AddItemToObject(o, "actions", d);
	d = c->ombudsman ? cJSON_Duplicate(c->ombudsman, 1)
			 : cJSON_CreateNull();
	if (!d)
		tc_die_nomem();
	/* what the Ombudsman did with the case ("ombudsman" names the
	 * Ombudsman of the procedure) */
	cJSON_AddItemToObject(o, "ombudsman_case", d);
	d = c->links ? cJSON_Duplicate(c->links, 1) : cJSON_CreateArray();
	if (!d)
		tc_die_nomem();
	cJSON_AddItemToObject(o, "linked", d);
	merged_into(env, o, c);
	arr = cJSON_AddArrayToObject(o, "stages");
	if (!arr)
		tc_die_nomem();
	for (i = 0; i < c->nstages; i++) {
		const struct cw_stage *s = &c->stages[i];
		cJSON *so = cJSON_CreateObject();

		if (!so)
			tc_die_nomem();
		add_num(so, "stage", s->stage);
		add_str(so, "submission_id", s->submission_id);
		add_day(so, "request", s->request);
		add_day(so, "acknowledge_by", s->ack_due);
		add_day(so, "acknowledged", s->acknowledged);
		add_day(so, "respond_by", s->respond_due);
		add_day(so, "responded", s->responded);
		add_str(so, "handler", s->handler);
		add_num(so, "extension_days", s->extension_days);
		add_str(so, "extension_reason", s->extension_reason);
		if (s->exceptional &&
		    !cJSON_AddTrueToObject(so, "extension_exceptional"))
			tc_die_nomem();
		steps_json(so, s);
		add_day(so, "update_by", s->update_due);
		add_day(so, "updated", s->updated);
		add_day(so, "next_stage_window_closes", s->window_closes);
		add_day(so, "closed", s->closed);
		add_str(so, "outcome", s->outcome);
		add_str(so, "remedy", s->remedy);
		add_str(so, "learning", s->learning);
		cJSON_AddItemToArray(arr, so);
	}
	if (ex) {
		d = cJSON_AddObjectToObject(o, "exclusion");
		if (!d)
			tc_die_nomem();
		add_str(d, "reason_code", ex->reason_code);
		add_str(d, "reason", ex->reason);
		add_str(d, "signpost", ex->signpost);
	}
	if (p) {
		d = cJSON_AddObjectToObject(o, "ombudsman");
		if (!d)
			tc_die_nomem();
		add_str(d, "name", p->ombudsman);
		add_str(d, "url", p->ombudsman_url);
	}
	cJSON_AddItemToObject(o, "history", history(env, c->id));
	return o;
}

/* What each flag asks an officer to decide. */
static const char *flag_meaning(const char *flag)
{
	static const char *const m[][2] = {
	    {"anonymous", "No name or no way to reply"},
	    {"late", "Older than the time limit"},
	    {"third_party_without_consent",
	     "Made for someone else without their consent"},
	    {"restricted_contact", "Contact restriction in force"},
	    {"possible_duplicate", "Possible duplicate"},
	    {"possible_exclusion", "Possibly an excluded matter"},
	    {"reasonable_adjustments", "Reasonable adjustments asked for"},
	    {"unmatched_review", "Review request not matched to a case"},
	    {"review_out_of_time", "Review asked for after the window"},
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(m[i][0], flag))
			return m[i][1];
	return flag;
}

/* A row {th, td} of the cover's tables, td "—" when there is none. */
static void row(cJSON *rows, const char *th, const char *td)
{
	cJSON *r = cw_ctx_item(rows);

	add_str(r, "th", th);
	add_str(r, "td", td && td[0] ? td : "—");
}

static void row_day(cJSON *rows, const char *th, tc_day d)
{
	char buf[11];

	row(rows, th, cw_day_str(d, buf));
}

/* Appends the line s[0..len) to lines, with br set when it is not the
 * first of its paragraph. */
static void add_line(cJSON *lines, const char *s, size_t len, int br)
{
	cJSON *o = cw_ctx_item(lines);
	char *t = strndup(s, len);

	if (!t)
		tc_die_nomem();
	add_str(o, "text", t);
	cw_ctx_bool(o, "br", br);
	free(t);
}

/* The resident's text as paragraphs (split at blank lines) of lines. */
static void words(cJSON *field, const char *s)
{
	cJSON *paras = cw_ctx_arr(field, "paras"), *para = NULL, *lines = NULL;
	const char *p = s, *start = s;
	int br = 0;

	for (;; p++) {
		if (!lines) {
			para = cw_ctx_item(paras);
			lines = cw_ctx_arr(para, "lines");
			br = 0;
		}
		if (*p && *p != '\n')
			continue;
		add_line(lines, start, (size_t)(p - start), br);
		br = 1;
		if (!*p)
			break;
		if (p[1] == '\n') {
			while (p[1] == '\n')
				p++;
			lines = NULL;
		}
		start = p + 1;
	}
}

/* value as the form's option label for field name, or as it is. */
static const char *answer_of(const struct tc_form *form, const char *name,
			     const char *value)
{
	const char *l = form ? tc_form_option_label(form, name, value) : NULL;

	return l ? l : value;
}

/*
 * What submission sub gave, for "In the resident's words": each field
 * under its label in the submission's form (the name where the form does
 * not have it, as after a change to the form), options as their labels.
 */
static cJSON *fields_ctx(const struct cw_env *env, const cJSON *sub)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sub, "fields");
	const char *id =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sub, "form"));
	const struct tc_form *form = id ? tc_forms_find(env->forms, id) : NULL;
	cJSON *arr = cJSON_CreateArray();
	const cJSON *f, *it;
	const char *label;

	if (!arr)
		tc_die_nomem();
	cJSON_ArrayForEach(f, fields)
	{
		cJSON *o = cw_ctx_item(arr), *items;

		label = form ? tc_form_field_label(form, f->string) : NULL;
		add_str(o, "label", label ? label : f->string);
		if (cJSON_IsString(f))
			words(o, answer_of(form, f->string, f->valuestring));
		else if (cJSON_IsArray(f)) {
			cw_ctx_bool(o, "list", 1);
			items = cw_ctx_arr(o, "items");
			cJSON_ArrayForEach(it, f)
			{
				cw_ctx_push(items,
					    cJSON_IsString(it)
						? answer_of(form, f->string,
							    it->valuestring)
						: "");
			}
		}
	}
	return arr;
}

/* A row for each step of the stage: when it is due, when it was done. */
static void step_rows(cJSON *rows, const struct tc_stage_rule *sr,
		      const struct cw_stage *s)
{
	struct tc_buf th = {tc_buf_empty, 0, 0, 0};
	int i, j;

	for (i = 0; i < s->nsteps; i++) {
		const char *name = s->steps[i].id;

		j = sr ? tc_rules_step(sr, s->steps[i].id) : -1;
		if (j >= 0)
			name = sr->step[j].name;
		tc_buf_reset(&th);
		if (tc_buf_addf(&th, "%s: due", name) < 0)
			tc_die_nomem();
		row_day(rows, th.data, s->steps[i].due);
		tc_buf_reset(&th);
		if (tc_buf_addf(&th, "%s: done", name) < 0)
			tc_die_nomem();
		row_day(rows, th.data, s->steps[i].done);
	}
	tc_buf_release(&th);
}

/* The deadlines of every stage, one table each. */
static void stages_ctx(cJSON *o, const struct cw_env *env,
		       const struct cw_case *c)
{
	cJSON *arr = cw_ctx_arr(o, "stages");
	char num[80];
	int k;

	cw_ctx_bool(o, "has_stages", c->nstages > 0);
	for (k = 0; k < c->nstages; k++) {
		const struct cw_stage *s = &c->stages[k];
		const struct tc_stage_rule *sr =
		    cw_case_stage_rule(env->rules, c, s->stage);
		cJSON *so = cw_ctx_item(arr), *rows;

		add_num(so, "stage", s->stage);
		rows = cw_ctx_arr(so, "rows");
		row_day(rows, "Request received", s->request);
		if (sr && sr->ack_days < 0)
			row(rows, "Acknowledge by", "no acknowledgement step");
		else
			row_day(rows, "Acknowledge by", s->ack_due);
		row_day(rows, "Acknowledged", s->acknowledged);
		step_rows(rows, sr, s);
		if (sr && sr->respond_days == 0)
			row(rows, "Respond by", "no fixed deadline");
		else
			row_day(rows, "Respond by", s->respond_due);
		if (s->update_due != CW_NODAY || s->updated != CW_NODAY) {
			row_day(rows, "Tell the resident why by",
				s->update_due);
			row_day(rows, "Resident last told why", s->updated);
		}
		row_day(rows, "Responded", s->responded);
		if (s->extension_days) {
			snprintf(num, sizeof(num), "%d working days%s",
				 s->extension_days,
				 s->exceptional ? " (exceptional circumstances)"
						: "");
			row(rows, "Extended by", num);
			row(rows, "Extension reason", s->extension_reason);
		}
		row_day(rows, "Next stage window closes", s->window_closes);
		if (s->closed != CW_NODAY) {
			row_day(rows, "Closed", s->closed);
			row(rows, "Outcome",
			    tc_rules_outcome_label(env->rules, s->outcome));
			row(rows, "Remedy", s->remedy);
		}
	}
}

/* The actions promised, and what the Ombudsman did. */
static void follow_up_ctx(cJSON *o, const struct cw_case *c)
{
	static const char *const akeys[] = {"text", "owner", "due", "done"};
	cJSON *arr = cw_ctx_arr(o, "actions"), *rows;
	const cJSON *a;
	size_t i;

	cJSON_ArrayForEach(a, c->actions)
	{
		cJSON *item = cw_ctx_item(arr);

		for (i = 0; i < sizeof(akeys) / sizeof(akeys[0]); i++) {
			const cJSON *v =
			    cJSON_GetObjectItemCaseSensitive(a, akeys[i]);

			add_str(item, akeys[i],
				cJSON_IsString(v) ? v->valuestring : "");
		}
	}
	cw_ctx_bool(o, "has_actions", cJSON_GetArraySize(arr) > 0);
	arr = cw_ctx_arr(o, "links");
	cJSON_ArrayForEach(a, c->links)
	    cw_ctx_push(arr, cJSON_IsString(a) ? a->valuestring : "");
	cw_ctx_bool(o, "has_links", cJSON_GetArraySize(arr) > 0);
	cw_ctx_bool(o, "has_ombudsman", c->ombudsman != NULL);
	rows = cw_ctx_arr(o, "ombudsman_rows");
	if (c->ombudsman) {
		static const char *const okeys[][2] = {
		    {"considering", "Considering the complaint since"},
		    {"decided", "Decided on"},
		    {"decision", "Decision"},
		    {"remedy", "Remedy asked for"},
		    {"complied", "The council complied on"}};

		for (i = 0; i < sizeof(okeys) / sizeof(okeys[0]); i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			    c->ombudsman, okeys[i][0]);

			row(rows, okeys[i][1],
			    cJSON_IsString(v) ? v->valuestring : NULL);
		}
	}
}

/* A flag's decision for the cover sheet: in decided, and in adjustments
 * when it is kept under review (agreed reasonable adjustments). */
static void decision_ctx(cJSON *decided, cJSON *adjustments, const char *flag,
			 const cJSON *dec)
{
	static const char *const keys[] = {"outcome", "reason", "note",
					   "review", "date"};
	cJSON *item = cw_ctx_item(decided), *adj = NULL;
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(dec, "outcome");
	size_t i;

	if (cJSON_IsString(out) && cw_flag_outcome_kept(flag, out->valuestring))
		adj = cw_ctx_item(adjustments);
	add_str(item, "meaning", flag_meaning(flag));
	add_str(item, "flag", flag);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(dec, keys[i]);
		const char *t = cJSON_IsString(v) ? v->valuestring : "";

		add_str(item, keys[i], t);
		if (adj)
			add_str(adj, keys[i], t);
	}
}

/* The flags to decide, those decided, the adjustments agreed, and the
 * contact restriction's details. */
static void flags_ctx(cJSON *o, const struct cw_case *c)
{
	cJSON *arr = cw_ctx_arr(o, "flags");
	cJSON *decided = cw_ctx_arr(o, "decided");
	cJSON *adjustments = cw_ctx_arr(o, "adjustments");
	struct tc_buf restr = TC_BUF_INIT;
	const cJSON *f;

	cJSON_ArrayForEach(f, c->flags)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(f, "flag");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "detail");
		const cJSON *dec =
		    cJSON_GetObjectItemCaseSensitive(f, "decision");
		const char *flag = cJSON_IsString(n) ? n->valuestring : "";
		cJSON *fo;

		if (cJSON_IsString(d) && !strcmp(flag, "restricted_contact") &&
		    tc_buf_adds(&restr, d->valuestring) < 0)
			tc_die_nomem();
		if (cJSON_IsObject(dec)) {
			decision_ctx(decided, adjustments, flag, dec);
			continue;
		}
		fo = cw_ctx_item(arr);
		add_str(fo, "meaning", flag_meaning(flag));
		add_str(fo, "flag", flag);
		add_str(fo, "detail", cJSON_IsString(d) ? d->valuestring : "");
	}
	cw_ctx_bool(o, "has_flags", cJSON_GetArraySize(arr) > 0);
	cw_ctx_bool(o, "has_decided", cJSON_GetArraySize(decided) > 0);
	cw_ctx_bool(o, "has_adjustments", cJSON_GetArraySize(adjustments) > 0);
	cw_ctx_bool(o, "restricted", cw_case_has_flag(c, "restricted_contact"));
	add_str(o, "restriction", restr.len ? restr.data : "");
	tc_buf_release(&restr);
}

/* Renders the cover sheet, index.html, into b. 0 or -1 (printed). */
static int cover(struct tc_buf *b, struct cw_env *env, const struct cw_case *c,
		 const cJSON *sub, const cJSON *later, const struct pack *files)
{
	const cJSON *l;
	const struct tc_procedure *p =
	    tc_rules_procedure(env->rules, c->procedure);
	const struct tc_exclusion *ex = signposted_to(env, c);
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sub, "fields");
	cJSON *o = cJSON_CreateObject(), *rows;
	struct tc_buf t = TC_BUF_INIT;
	char num[16];
	size_t i;
	int rc;

	if (!o || tc_buf_addf(&t, "%s: case pack", c->reference) < 0)
		tc_die_nomem();
	add_str(o, "title", t.data);
	cw_ctx_bool(o, "viewport", 1);
	cw_ctx_bool(o, "pack", 1);
	add_str(o, "reference", c->reference);
	rows = cw_ctx_arr(o, "summary");
	row(rows, "Type", c->type);
	row(rows, "Procedure", p ? p->name : NULL);
	snprintf(num, sizeof(num), "%d", c->stage);
	row(rows, "Stage", c->stage ? num : NULL);
	row(rows, "Status", c->status);
	row(rows, "Priority", cw_case_urgent(c) ? "Urgent" : "Normal");
	row_day(rows, "Reply by", c->reply_due);
	row_day(rows, "Replied", c->replied);
	row(rows, "Service area", cw_service_name(env, c->service_area));
	row(rows, "Team", c->team);
	row(rows, "Came by",
	    !c->channel || !strcmp(c->channel, "web") ? "the website's form"
						      : c->channel);
	row(rows, "Submission", c->submission_id);
	row(rows, "Received (UTC)", c->received);
	row_day(rows, "Counts from", c->received_date);
	stages_ctx(o, env, c);
	flags_ctx(o, c);
	follow_up_ctx(o, c);
	cw_ctx_bool(o, "signposted", ex != NULL);
	if (ex) {
		rows = cw_ctx_arr(o, "signpost");
		row(rows, "Reason", ex->reason);
		row(rows, "Reason code", ex->reason_code);
		row(rows, "Send the resident to", ex->signpost);
	}
	cw_ctx_bool(o, "has_fields", cJSON_GetArraySize(fields) > 0);
	cJSON_AddItemToObject(o, "fields", fields_ctx(env, sub));
	rows = cw_ctx_arr(o, "requests");
	cJSON_ArrayForEach(l, later)
	{
		const cJSON *ls = cJSON_GetObjectItemCaseSensitive(l, "sub");
		const cJSON *lf =
		    cJSON_GetObjectItemCaseSensitive(ls, "fields");
		cJSON *ro = cw_ctx_item(rows);

		add_num(ro, "stage",
			cJSON_GetNumberValue(
			    cJSON_GetObjectItemCaseSensitive(l, "stage")));
		add_str(ro, "received",
			cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(ls, "received")));
		add_str(ro, "submission",
			cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(ls, "id")));
		cw_ctx_bool(ro, "has_fields", cJSON_GetArraySize(lf) > 0);
		cJSON_AddItemToObject(ro, "fields", fields_ctx(env, ls));
	}
	cw_ctx_bool(o, "has_files", files->n > 0);
	rows = cw_ctx_arr(o, "files");
	for (i = 0; i < files->n; i++)
		cw_ctx_push(rows, files->v[i].name);
	rc = cw_render(env, "cover", o, b);
	cJSON_Delete(o);
	tc_buf_release(&t);
	return rc;
}

/* Name safe inside a zip and on any disk: [A-Za-z0-9._-], 80 at most. */
static void safe_name(struct tc_buf *b, const char *s)
{
	size_t i;

	for (i = 0; s && s[i] && i < 80; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      (c == '.' && i > 0)))
			c = '_';
		if (tc_buf_addch(b, c) < 0)
			tc_die_nomem();
	}
}

/* Adds the files under store/ID/files to the pack as files/PREFIXN-NAME. */
static int add_files(struct cw_env *env, struct pack *files, const char *sub_id,
		     const cJSON *sub, const char *prefix)
{
	const cJSON *att = cJSON_GetObjectItemCaseSensitive(sub, "attachments");
	const cJSON *a;
	struct tc_buf path = TC_BUF_INIT, name = TC_BUF_INIT,
		      data = TC_BUF_INIT;
	int rc = -1;

	cJSON_ArrayForEach(a, att)
	{
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(a, "path");
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "name");
		const char *num;

		if (!cJSON_IsString(p) || strncmp(p->valuestring, "files/", 6))
			continue;
		num = p->valuestring + 6;
		cw_env_path(env, "store/", &path);
		tc_buf_reset(&name);
		tc_buf_reset(&data);
		if (tc_buf_addf(&path, "%s/files/%s", sub_id, num) < 0 ||
		    tc_buf_addf(&name, "files/%s%s-", prefix, num) < 0)
			tc_die_nomem();
		safe_name(&name, cJSON_IsString(n) ? n->valuestring : "file");
		if (tc_fs_read(path.data, 1024u * 1024 * 1024, &data) < 0) {
			tc_warn("cannot read '%s'", path.data);
			goto out;
		}
		pack_add_buf(files, name.data, &data);
	}
	rc = 0;
out:
	tc_buf_release(&path);
	tc_buf_release(&name);
	tc_buf_release(&data);
	return rc;
}

static cJSON *letter_ctx(struct cw_env *env, const struct cw_case *c,
			 const cJSON *sub, int k)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sub, "fields");
	const cJSON *name =
	    cJSON_GetObjectItemCaseSensitive(fields, "full_name");
	const struct tc_procedure *p =
	    tc_rules_procedure(env->rules, c->procedure);
	const struct tc_exclusion *ex =
	    tc_rules_exclusion(env->rules, c->service_area);
	const cJSON *adj =
	    cJSON_GetObjectItemCaseSensitive(fields, "adjustments");
	cJSON *o = cJSON_CreateObject();

	if (!o)
		tc_die_nomem();
	add_str(o, "reference", c->reference);
	cw_ctx_day_words(o, "today", env->today);
	add_str(o, "name",
		cJSON_IsString(name) && name->valuestring[0] ? name->valuestring
							     : NULL);
	cw_letter_recipient(o, fields,
			    cJSON_IsString(name) && name->valuestring[0]
				? name->valuestring
				: NULL);
	add_str(o, "service_area", c->service_area);
	add_str(o, "service", cw_service_name(env, c->service_area));
	add_str(o, "team", c->team);
	/* signed by the stage's handler (a record's: the case's) */
	if (cw_people_signature(env, o,
				k >= 0 ? c->stages[k].handler : c->handler) < 0)
		tc_warnx("%s: the letters are signed by the team",
			 c->reference);
	/* the stage the letter is about: its own request's day */
	cw_ctx_day_words(o, "received_date",
			 k >= 0 ? c->stages[k].request : c->received_date);
	if (k >= 0) {
		const struct cw_stage *s = &c->stages[k];

		add_num(o, "stage", s->stage);
		cw_ctx_day_words(o, "acknowledge_by", s->ack_due);
		cw_ctx_day_words(o, "respond_by", s->respond_due);
		if (p && s->stage == p->nstages &&
		    !cJSON_AddTrueToObject(o, "final_stage"))
			tc_die_nomem();
		/* the extension and the response, for their letters */
		if (s->extension_days) {
			add_num(o, "extension_days", s->extension_days);
			add_str(o, "extension_reason", s->extension_reason);
		}
		cw_ctx_day_words(o, "responded", s->responded);
		add_str(o, "outcome",
			tc_rules_outcome_label(env->rules, s->outcome));
		add_str(o, "remedy", s->remedy);
		cw_ctx_day_words(o, "next_stage_by", s->window_closes);
		if (p && s->stage < p->nstages)
			add_num(o, "next_stage", s->stage + 1);
		cw_letter_stage(o, env->rules, c, s);
	}
	if (p) {
		add_str(o, "procedure", p->name);
		add_str(o, "ombudsman", p->ombudsman);
		add_str(o, "ombudsman_url", p->ombudsman_url);
	}
	if (ex) {
		add_str(o, "reason", ex->reason);
		add_str(o, "signpost", ex->signpost);
	}
	if (cJSON_IsString(adj) && adj->valuestring[0] &&
	    !cJSON_AddTrueToObject(o, "adjustments"))
		tc_die_nomem();
	return o;
}

/* Letter l as letters/NAME.html in the pack, in pt-point large print
 * as letters/NAME-large-print.html when pt > 0, and as plain text for an
 * email, letters/NAME.txt, when text is set; out and path are scratch.
 * 0 or -1. */
static int draft(struct cw_env *env, struct pack *pk, const char *l,
		 const cJSON *ctx, const char *name, int pt, int text,
		 struct tc_buf *out, struct tc_buf *path)
{
	int v;

	if (text) {
		tc_buf_reset(out);
		tc_buf_reset(path);
		if (cw_letter_text(env, l, ctx, out) < 0)
			return -1;
		if (tc_buf_addf(path, "letters/%s.txt", name) < 0)
			tc_die_nomem();
		pack_add_buf(pk, path->data, out);
	}

	for (v = 0; v < (pt ? 2 : 1); v++) {
		tc_buf_reset(out);
		if (cw_letter_html(env, l, ctx, name, v ? pt : 0, out) < 0)
			return -1;
		tc_buf_reset(path);
		if (tc_buf_addf(path, "letters/%s%s.html", name,
				v ? "-large-print" : "") < 0)
			tc_die_nomem();
		pack_add_buf(pk, path->data, out);
	}
	return 0;
}

/* A compliment's author asked for a reply and said where to send it. */
static int wants_reply(const cJSON *fields)
{
	const char *r = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fields, "reply_wanted"));
	const char *e = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fields, "email"));

	return r && !strcmp(r, "yes") && e && e[0];
}

/* Letters that go with the case: none for anonymous complaints (no reply
 * is possible) or cases that have no letter. */
/* The day of the last event named event at stage in the history of
 * case.json (cj), or CW_NODAY. */
static tc_day last_event_day(const cJSON *cj, int stage, const char *event)
{
	const cJSON *e;
	tc_day d = CW_NODAY, v;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(cj, "history"))
	{
		const char *name = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "event"));
		const char *day = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "date"));
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "stage");

		if (name && !strcmp(name, event) && cJSON_IsNumber(st) &&
		    st->valueint == stage && day && tc_day_parse(day, &v) == 0)
			d = v;
	}
	return d;
}

/* The day a letter is dated: the day its step was recorded
 * (acknowledged, extended, updated, responded: step 0 to 3 of stage s),
 * so that a pack written again later keeps each letter as it was sent;
 * today for one still to be sent. A record's letter is dated by the day
 * the record counts from. */
static tc_day letter_day(const struct cw_env *env, const struct cw_case *c,
			 const struct cw_stage *s, size_t step, const cJSON *cj)
{
	tc_day d = CW_NODAY;

	if (!s)
		d = c->received_date;
	else if (step == 0)
		d = s->acknowledged;
	else if (step == 1)
		d = last_event_day(cj, s->stage, "extended");
	else if (step == 2)
		d = s->updated;
	else
		d = s->responded;
	return d != CW_NODAY ? d : env->today;
}

static int add_letters(struct cw_env *env, struct pack *pk,
		       const struct cw_case *c, const cJSON *sub,
		       const cJSON *cj)
{
	const char *which = NULL;
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sub, "fields");
	struct tc_buf out = TC_BUF_INIT, name = TC_BUF_INIT, path = TC_BUF_INIT;
	cJSON *ctx = NULL;
	int rc = -1, k, pt, by_email;

	if (!strcmp(c->type, "complaint"))
		which = "acknowledgement";
	else if (!strcmp(c->type, "signposted"))
		which = "signposting";
	else if (!strcmp(c->type, "compliment") && wants_reply(fields))
		which = "compliment-thanks";
	if (!which || cw_case_has_flag(c, "anonymous"))
		return 0;
	k = cw_letter_exists(env, which);
	if (k <= 0)
		return k;
	pt = cw_letter_large_print(c, fields);
	by_email = cw_letter_by_email(fields);
	/* a complaint: for each stage its acknowledgement, then its
	 * extension and its response once they happened, each under its own
	 * name, never overwritten (a template the council has not written is
	 * not drafted) */
	for (k = c->nstages ? 0 : -1; k < c->nstages || k < 0; k++) {
		const char *steps[4] = {which, NULL, NULL, NULL};
		const struct cw_stage *s = k >= 0 ? &c->stages[k] : NULL;
		const struct tc_stage_rule *sr =
		    s ? cw_case_stage_rule(env->rules, c, s->stage) : NULL;
		size_t st;

		/* a stage without an acknowledgement step sends none; one
		 * with no fixed deadline has the update it owes the resident
		 * drafted while it waits, and kept once sent */
		if (sr && sr->ack_days < 0)
			steps[0] = NULL;
		if (s && s->extension_days)
			steps[1] = "extension";
		if (sr && sr->update_months &&
		    (s->responded == CW_NODAY || s->updated != CW_NODAY))
			steps[2] = "update";
		if (s && s->responded != CW_NODAY)
			steps[3] = "response";
		ctx = letter_ctx(env, c, sub, k);
		for (st = 0; st < 4; st++) {
			int has =
			    steps[st] ? cw_letter_exists(env, steps[st]) : 0;

			if (has < 0)
				goto out;
			if (!has)
				continue;
			cJSON_DeleteItemFromObjectCaseSensitive(ctx, "today");
			cw_ctx_day_words(ctx, "today",
					 letter_day(env, c, s, st, cj));
			tc_buf_reset(&name);
			if ((k >= 0 &&
			     tc_buf_addf(&name, "stage-%d-%s",
					 c->stages[k].stage, steps[st]) < 0) ||
			    (k < 0 && tc_buf_adds(&name, steps[st]) < 0))
				tc_die_nomem();
			if (draft(env, pk, steps[st], ctx, name.data, pt,
				  by_email, &out, &path) < 0)
				goto out;
		}
		cJSON_Delete(ctx);
		ctx = NULL;
		if (k < 0)
			break;
	}
	rc = 0;
out:
	cJSON_Delete(ctx);
	tc_buf_release(&out);
	tc_buf_release(&name);
	tc_buf_release(&path);
	return rc;
}

/* Zips the sorted entries into out. */
static int zip_pack(struct pack *pk, struct tc_buf *out)
{
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	zip_stat_t st;
	char *raw = NULL;
	size_t i;
	int rc = -1;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (!src)
		goto out;
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (!za)
		goto out;
	zip_source_keep(src);
	for (i = 0; i < pk->n; i++) {
		zip_source_t *s =
		    zip_source_buffer(za, pk->v[i].data, pk->v[i].len, 0);
		zip_int64_t idx;

		if (!s)
			goto out;
		idx = zip_file_add(za, pk->v[i].name, s, ZIP_FL_ENC_UTF_8);
		if (idx < 0) {
			zip_source_free(s);
			goto out;
		}
		if (zip_file_set_dostime(za, (zip_uint64_t)idx, PACK_DOSTIME,
					 PACK_DOSDATE, 0) < 0 ||
		    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0,
						     ZIP_OPSYS_UNIX,
						     0100600u << 16) < 0 ||
		    zip_set_file_compression(za, (zip_uint64_t)idx,
					     ZIP_CM_STORE, 0) < 0)
			goto out;
	}
	if (zip_close(za) < 0)
		goto out;
	za = NULL;
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0)
		goto out;
	raw = malloc(st.size ? (size_t)st.size : 1);
	if (!raw)
		tc_die_nomem();
	if (zip_source_read(src, raw, st.size) != (zip_int64_t)st.size) {
		zip_source_close(src);
		goto out;
	}
	if (tc_buf_add(out, raw, (size_t)st.size) < 0)
		tc_die_nomem();
	zip_source_close(src);
	rc = 0;
out:
	if (rc < 0)
		tc_warnx("cannot build a case pack: %s",
			 za ? zip_strerror(za) : zip_error_strerror(&ze));
	if (za)
		zip_discard(za);
	zip_source_free(src);
	zip_error_fini(&ze);
	free(raw);
	return rc;
}

int cw_submission_read(struct cw_env *env, const char *id, struct tc_buf *raw,
		       cJSON **doc)
{
	struct tc_buf p = TC_BUF_INIT;
	int rc = -1;

	cw_env_path(env, "store/", &p);
	if (tc_buf_addf(&p, "%s/submission.json", id) < 0)
		tc_die_nomem();
	if (tc_fs_read(p.data, 16u * 1024 * 1024, raw) < 0) {
		tc_warn("cannot read '%s'", p.data);
		goto out;
	}
	*doc = cJSON_ParseWithLength(raw->data, raw->len);
	if (!*doc) {
		tc_warnx("'%s' is not valid JSON", p.data);
		goto out;
	}
	rc = 0;
out:
	tc_buf_release(&p);
	return rc;
}

/* The submissions and files of the duplicates merged into c, each under
 * "merged-REF-". 0 or -1. */
static int add_merged(struct cw_env *env, struct pack *pk, struct pack *files,
		      const struct cw_case *c)
{
	struct tc_buf b = TC_BUF_INIT, name = TC_BUF_INIT;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (cw_store_merged_cases(env->reg, c->id, &ids, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct cw_case m;
		cJSON *sub = NULL;
		int ok;

		if (cw_store_case_load_id(env->reg, ids[i], &m) <= 0)
			goto out;
		tc_buf_reset(&name);
		if (tc_buf_adds(&name, "merged-") < 0)
			tc_die_nomem();
		safe_name(&name, m.reference);
		if (tc_buf_adds(&name, "-") < 0)
			tc_die_nomem();
		ok = cw_submission_read(env, m.submission_id, &b, &sub) == 0;
		if (ok) {
			size_t plen = name.len;

			if (tc_buf_adds(&name, "submission.json") < 0)
				tc_die_nomem();
			pack_add_buf(pk, name.data, &b);
			tc_buf_setlen(&name, plen);
			ok = add_files(env, files, m.submission_id, sub,
				       name.data) == 0;
		}
		cJSON_Delete(sub);
		cw_case_release(&m);
		if (!ok)
			goto out;
	}
	rc = 0;
out:
	free(ids);
	tc_buf_release(&b);
	tc_buf_release(&name);
	return rc;
}

/* Appends {stage, sub} to arr; sub is taken. */
static void later_item(cJSON *arr, int stage, cJSON *sub)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddNumberToObject(o, "stage", stage))
		tc_die_nomem();
	cJSON_AddItemToObject(o, "sub", sub);
	cJSON_AddItemToArray(arr, o);
}

int cw_casepack_write(struct cw_env *env, int64_t case_id)
{
	struct cw_case c;
	struct pack pk = {0}, files = {0};
	struct tc_buf b = TC_BUF_INIT, sums = TC_BUF_INIT, zip = TC_BUF_INIT,
		      path = TC_BUF_INIT, name = TC_BUF_INIT;
	cJSON *sub = NULL, *cj = NULL, *later_all = cJSON_CreateArray();
	char *txt;
	size_t i;
	int k, rc = -1, found;

	if (!later_all)
		tc_die_nomem();

	found = cw_store_case_load_id(env->reg, case_id, &c);
	if (found <= 0)
		return -1;
	if (cw_submission_read(env, c.submission_id, &b, &sub) < 0)
		goto out;
	pack_add_buf(&pk, "submission.json", &b);
	if (add_files(env, &files, c.submission_id, sub, "") < 0)
		goto out;
	for (k = 1; k < c.nstages; k++) {
		cJSON *later = NULL;
		char prefix[24];

		if (!c.stages[k].submission_id)
			continue;
		if (cw_submission_read(env, c.stages[k].submission_id, &b,
				       &later) < 0)
			goto out;
		snprintf(prefix, sizeof(prefix), "stage-%d-",
			 c.stages[k].stage);
		tc_buf_reset(&name);
		if (tc_buf_addf(&name, "%ssubmission.json", prefix) < 0)
			tc_die_nomem();
		pack_add_buf(&pk, name.data, &b);
		if (add_files(env, &files, c.stages[k].submission_id, later,
			      prefix) < 0) {
			cJSON_Delete(later);
			goto out;
		}
		/* kept for the cover sheet, which shows it in full */
		later_item(later_all, c.stages[k].stage, later);
	}
	if (add_merged(env, &pk, &files, &c) < 0)
		goto out;
	cj = cw_case_json(env, &c);
	txt = cJSON_Print(cj);
	if (!txt)
		tc_die_nomem();
	if (tc_buf_adds(&b, txt) < 0 || tc_buf_addch(&b, '\n') < 0)
		tc_die_nomem();
	free(txt);
	pack_add_buf(&pk, "case.json", &b);
	if (cover(&b, env, &c, sub, later_all, &files) < 0)
		goto out;
	pack_add_buf(&pk, "index.html", &b);
	if (add_letters(env, &pk, &c, sub, cj) < 0)
		goto out;
	for (i = 0; i < files.n; i++) {
		pack_add(&pk, files.v[i].name, files.v[i].data, files.v[i].len);
		free(files.v[i].name);
		files.v[i].data = NULL;
		files.v[i].name = NULL;
	}
	files.n = 0;
	qsort(pk.v, pk.n, sizeof(*pk.v), cmp_pentry);
	for (i = 0; i < pk.n; i++) {
		char hex[65];

		tc_sha256_hex(pk.v[i].data, pk.v[i].len, hex);
		if (tc_buf_addf(&sums, "%s  %s\n", hex, pk.v[i].name) < 0)
			tc_die_nomem();
	}
	pack_add_buf(&pk, "SHA256SUMS", &sums);
	qsort(pk.v, pk.n, sizeof(*pk.v), cmp_pentry);
	if (zip_pack(&pk, &zip) < 0)
		goto out;
	cw_env_path(env, "casepacks/", &path);
	if (tc_buf_addf(&path, "%s.zip", c.reference) < 0)
		tc_die_nomem();
	if (tc_fs_write_atomic_ex(path.data, zip.data, zip.len, cw_file_mode(),
				  TC_FS_NOSYNC) < 0) {
		tc_warn("cannot write '%s'", path.data);
		goto out;
	}
	rc = 0;
out:
	cw_case_release(&c);
	cJSON_Delete(sub);
	cJSON_Delete(cj);
	cJSON_Delete(later_all);
	pack_release(&pk);
	pack_release(&files);
	tc_buf_release(&b);
	tc_buf_release(&sums);
	tc_buf_release(&zip);
	tc_buf_release(&path);
	tc_buf_release(&name);
	return rc;
}
