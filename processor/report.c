/*
 * report.c: the daily report (see report.h).
 *
 * One pass over the register gathers rows (section, reference, ...) sorted
 * by section, date and reference (the register is read through store.h);
 * the HTML (the theme's casework/report.mustache) and the CSV are two
 * renderings of the same rows, so they cannot disagree.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "fsutil.h"
#include "restrict.h"

enum section {
	S_INTAKE,
	S_QUARANTINED,
	S_OVERDUE,
	S_ACK_DUE,
	S_RESPOND_DUE,
	S_WINDOW,
	S_FLAG,
	S_RESTRICTION,
	S_COUNT
};

static const char *const sec_id[S_COUNT] = {
    "intake",	   "quarantined",    "overdue", "acknowledge_due",
    "respond_due", "window_closing", "flag",	"restriction_review"};
static const char *const sec_title[S_COUNT] = {
    "Today's intake",
    "Waiting in quarantine (casework quarantine list)",
    "Overdue",
    "Acknowledgements due today and in the next 5 working days",
    "Responses due today and in the next 5 working days",
    "Escalation windows closing in the next 5 working days",
    "Flags waiting for a decision",
    "Contact restriction reviews due in the next 5 working days or overdue"};

struct row {
	enum section sec;
	char *reference; /* or submission id for quarantine */
	char *type;
	int stage;
	char *team;
	char date[11]; /* the relevant date, or "" */
	int days;      /* working days overdue; -1 when not applicable */
	char *detail;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

/* What gathering needs beside the rows. */
struct gather {
	struct rows *r;
	const struct tc_calendar *cal;
	tc_day today, horizon; /* horizon: 5 working days on */
};

static struct row *add(struct rows *r, enum section sec, const char *ref,
		       const char *type, int stage, const char *team,
		       tc_day date, int days, const char *detail)
{
	struct row *x;

	TC_ALLOC_GROW(r->v, r->n + 1, r->cap);
	x = &r->v[r->n++];
	x->sec = sec;
	x->reference = tc_xstrdup(ref ? ref : "");
	x->type = tc_xstrdup(type ? type : "");
	x->stage = stage;
	x->team = tc_xstrdup(team ? team : "");
	if (date == CW_NODAY)
		x->date[0] = 0;
	else
		tc_day_format(date, x->date);
	x->days = days;
	x->detail = tc_xstrdup(detail ? detail : "");
	return x;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if ((c = strcmp(x->date, y->date)))
		return c;
	if ((c = strcmp(x->reference, y->reference)))
		return c;
	return strcmp(x->detail, y->detail);
}

static void on_intake(void *arg, const char *ref, const char *type, int stage,
		      const char *team)
{
	add(((struct gather *)arg)->r, S_INTAKE, ref, type, stage, team,
	    CW_NODAY, -1, "");
}

static int on_quarantine(void *arg, const struct cw_quarantined *q)
{
	struct tc_buf d = TC_BUF_INIT;
	tc_day since = CW_NODAY;

	/* The first reason; reason.txt in the folder and casework quarantine
	 * show have them all. */
	if (tc_buf_addf(&d, "%s: %.*s", q->bundle,
			(int)strcspn(q->reason, "\n"), q->reason) < 0)
		tc_die_nomem();
	if (tc_day_parse(q->date, &since) < 0)
		since = CW_NODAY;
	add(((struct gather *)arg)->r, S_QUARANTINED, q->id, "", 0, "", since,
	    -1, d.data);
	tc_buf_release(&d);
	return 0;
}

/* A deadline not yet met: overdue, or due within the horizon. */
static void deadline(struct gather *g, const struct cw_report_case *c,
		     tc_day due, tc_day done, enum section sec,
		     const char *what)
{
	if (done != CW_NODAY || due == CW_NODAY)
		return;
	if (due < g->today)
		add(g->r, S_OVERDUE, c->reference, c->type, c->stage, c->team,
		    due, tc_calendar_working_between(g->cal, due, g->today),
		    what);
	else if (due <= g->horizon)
		add(g->r, sec, c->reference, c->type, c->stage, c->team, due,
		    -1, "");
}

static void on_case(void *arg, const struct cw_report_case *c)
{
	struct gather *g = arg;
	int open = c->closed == CW_NODAY && strcmp(c->status, "closed") &&
		   strcmp(c->status, "signposted");
	cJSON *flags, *f;

	if (open && c->stage > 0) {
		deadline(g, c, c->ack_due, c->acknowledged, S_ACK_DUE,
			 "acknowledgement");
		deadline(g, c, c->respond_due, c->responded, S_RESPOND_DUE,
			 "response");
		if (c->window_closes != CW_NODAY &&
		    c->window_closes >= g->today &&
		    c->window_closes <= g->horizon)
			add(g->r, S_WINDOW, c->reference, c->type, c->stage,
			    c->team, c->window_closes, -1,
			    "last day to ask for the next stage");
	}
	if (!open && strcmp(c->status, "signposted"))
		return;
	flags = cJSON_Parse(c->flags_json);
	cJSON_ArrayForEach(f, flags)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(f, "flag");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "detail");
		struct tc_buf t = TC_BUF_INIT;

		if (tc_buf_addf(&t, "%s: %s",
				cJSON_IsString(n) ? n->valuestring : "",
				cJSON_IsString(d) ? d->valuestring : "") < 0)
			tc_die_nomem();
		add(g->r, S_FLAG, c->reference, c->type, c->stage, c->team,
		    CW_NODAY, -1, t.data);
		tc_buf_release(&t);
	}
	cJSON_Delete(flags);
}

/* Restriction reviews: by number, kind and scope only. */
static void on_restriction(void *arg, const struct cw_report_restriction *x)
{
	struct gather *g = arg;
	struct tc_buf ref = TC_BUF_INIT, d = TC_BUF_INIT;
	int council = !strcmp(x->scope, "council");

	if (x->review_day == CW_NODAY || x->review_day > g->horizon)
		return;
	if (tc_buf_addf(&ref, "R%lld", (long long)x->id) < 0 ||
	    tc_buf_addf(&d, "%s; %s%s", cw_restrict_kind_label(x->kind),
			council ? "whole council" : "service: ",
			council ? "" : x->scope) < 0)
		tc_die_nomem();
	add(g->r, S_RESTRICTION, ref.data, "restriction", 0, x->contact,
	    x->review_day,
	    x->review_day < g->today
		? tc_calendar_working_between(g->cal, x->review_day, g->today)
		: -1,
	    d.data);
	tc_buf_release(&ref);
	tc_buf_release(&d);
}

static int gather(struct cw_env *env, struct rows *r)
{
	struct gather g;

	g.r = r;
	g.cal = env->rules->cal;
	g.today = env->today;
	if (tc_calendar_add_working(g.cal, g.today, 5, &g.horizon) < 0)
		g.horizon = g.today + 7;
	if (cw_store_report_intake(env->reg, env->today_s, on_intake, &g) < 0 ||
	    cw_store_quarantine_each(env->reg, 0, NULL, NULL, on_quarantine,
				     &g) < 0 ||
	    cw_store_report_cases(env->reg, on_case, &g) < 0 ||
	    cw_store_report_restrictions(env->reg, on_restriction, &g) < 0)
		return -1;
	qsort(r->v, r->n, sizeof(*r->v), cmp_row);
	return 0;
}

void cw_csv_cell(struct tc_buf *out, const char *s)
{
	const char *p;
	int ok = tc_buf_addch(out, '"');

	if (s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
		  s[0] == '\t' || s[0] == '\r'))
		ok |= tc_buf_addch(out, '\'');
	for (p = s ? s : ""; *p; p++) {
		if (*p == '"')
			ok |= tc_buf_addch(out, '"');
		ok |= tc_buf_addch(out, *p);
	}
	ok |= tc_buf_addch(out, '"');
	if (ok < 0)
		tc_die_nomem();
}

void cw_csv_row(struct tc_buf *out, const char *const *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && tc_buf_addch(out, ',') < 0)
			tc_die_nomem();
		cw_csv_cell(out, cells[i]);
	}
	if (tc_buf_adds(out, "\r\n") < 0)
		tc_die_nomem();
}

static void csv(const struct rows *r, struct tc_buf *out)
{
	size_t i;
	char stage[16], days[16];

	if (tc_buf_adds(out, "section,reference,type,stage,team,date,"
			     "working_days_overdue,detail\r\n") < 0)
		tc_die_nomem();
	for (i = 0; i < r->n; i++) {
		const struct row *x = &r->v[i];
		const char *cells[8] = {sec_id[x->sec], x->reference, x->type,
					stage,		x->team,      x->date,
					days,		x->detail};

		snprintf(stage, sizeof(stage), "%d", x->stage);
		snprintf(days, sizeof(days), "%d", x->days);
		if (!x->stage)
			stage[0] = 0;
		if (x->days < 0)
			days[0] = 0;
		cw_csv_row(out, cells, 8);
	}
}

/* The intake's counts by type, in the order each type first appears. */
static void by_type(cJSON *sec, const struct rows *r, size_t a, size_t e)
{
	cJSON *types = cw_ctx_arr(sec, "types");
	size_t k, j;

	cw_ctx_bool(sec, "typed", 1);
	for (k = a; k < e; k++) {
		cJSON *t;
		int first = 1, n = 0;

		for (j = a; j < k; j++)
			if (!strcmp(r->v[j].type, r->v[k].type))
				first = 0;
		if (!first)
			continue;
		for (j = k; j < e; j++)
			n += !strcmp(r->v[j].type, r->v[k].type);
		t = cw_ctx_item(types);
		cw_ctx_str(t, "type", r->v[k].type);
		cw_ctx_num(t, "number", n, -1);
	}
}

static int html(struct cw_env *env, const struct rows *r, struct tc_buf *out)
{
	struct tc_buf title = TC_BUF_INIT;
	cJSON *o, *secs;
	size_t i = 0, start;
	int sec, rc;

	if (tc_buf_addf(&title, "Complaints daily report %s", env->today_s) < 0)
		tc_die_nomem();
	o = cw_ctx_page(title.data, NULL);
	cw_ctx_bool(o, "viewport", 1);
	cw_ctx_str(o, "today", env->today_s);
	secs = cw_ctx_arr(o, "sections");
	for (sec = 0; sec < S_COUNT; sec++) {
		cJSON *so = cw_ctx_item(secs), *rows;

		cw_ctx_str(so, "id", sec_id[sec]);
		cw_ctx_str(so, "title", sec_title[sec]);
		for (start = i; i < r->n && (int)r->v[i].sec == sec; i++)
			;
		cw_ctx_bool(so, "any", i > start);
		if (sec == S_INTAKE && i > start)
			by_type(so, r, start, i);
		rows = cw_ctx_arr(so, "rows");
		for (; start < i; start++) {
			const struct row *x = &r->v[start];
			cJSON *ro = cw_ctx_item(rows);

			cw_ctx_str(ro, "reference", x->reference);
			cw_ctx_str(ro, "type", x->type);
			cw_ctx_num(ro, "stage", x->stage, 0);
			cw_ctx_str(ro, "team", x->team);
			cw_ctx_str(ro, "date", x->date);
			cw_ctx_num(ro, "days", x->days < 0 ? -1 : x->days, -1);
			cw_ctx_str(ro, "detail", x->detail);
		}
	}
	rc = cw_render(env, "report", o, out);
	cJSON_Delete(o);
	tc_buf_release(&title);
	return rc;
}

int cw_report_files(struct cw_env *env, const char *name,
		    const struct tc_buf *html, const struct tc_buf *csv,
		    const char *what)
{
	const struct tc_buf *b[2] = {html, csv};
	static const char *const ext[2] = {"html", "csv"};
	struct tc_buf p = TC_BUF_INIT;
	int i, rc = -1;

	for (i = 0; i < 2; i++) {
		cw_env_path(env, "reports/", &p);
		if (tc_buf_addf(&p, "%s.%s", name, ext[i]) < 0)
			tc_die_nomem();
		if (tc_fs_write_if_changed(p.data, b[i]->data, b[i]->len, 0600,
					   NULL) < 0) {
			tc_warn("cannot write '%s'", p.data);
			goto out;
		}
		printf("%s: %s\n", what, p.data);
	}
	rc = 0;
out:
	tc_buf_release(&p);
	return rc;
}

int cw_report_write(struct cw_env *env)
{
	struct rows r = {0};
	struct tc_buf h = TC_BUF_INIT, c = TC_BUF_INIT;
	size_t i;
	int rc = -1;

	if (gather(env, &r) < 0 || html(env, &r, &h) < 0)
		goto out;
	csv(&r, &c);
	rc = cw_report_files(env, env->today_s, &h, &c, "report");
out:
	for (i = 0; i < r.n; i++) {
		free(r.v[i].reference);
		free(r.v[i].type);
		free(r.v[i].team);
		free(r.v[i].detail);
	}
	free(r.v);
	tc_buf_release(&h);
	tc_buf_release(&c);
	return rc;
}
