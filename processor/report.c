/*
 * report.c: the daily report (see report.h).
 *
 * One pass over the register gathers rows (section, reference, ...) into a
 * scratch table on disk (store.h), which gives them back sorted by section,
 * date and reference; the HTML (the theme's casework/report.mustache, a
 * part at a time) and the CSV are written from them as they come, two
 * renderings of the same rows that cannot disagree. Memory does not grow
 * with the register: no row is kept.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "err.h"
#include "history.h"
#include "fsutil.h"
#include "restrict.h"

enum section {
	S_URGENT,
	S_INTAKE,
	S_QUARANTINED,
	S_OVERDUE,
	S_ACK_DUE,
	S_RESPOND_DUE,
	S_WINDOW,
	S_UPDATE,
	S_ACTION,
	S_FLAG,
	S_AWAY,
	S_ADJUSTMENT,
	S_RESTRICTION,
	S_COUNT
};

static const char *const sec_id[S_COUNT] = {"urgent",
					    "intake",
					    "quarantined",
					    "overdue",
					    "acknowledge_due",
					    "respond_due",
					    "window_closing",
					    "update_due",
					    "action_due",
					    "flag",
					    "handler_away",
					    "adjustment_review",
					    "restriction_review"};
static const char *const sec_title[S_COUNT] = {
    "Urgent cases open",
    "Today's intake",
    "Waiting in quarantine (casework quarantine list)",
    "Overdue",
    "Acknowledgements due today and in the next 5 working days",
    "Responses due today and in the next 5 working days",
    "Escalation windows closing in the next 5 working days",
    ("Residents to tell why their answer is taking longer, in the next 5 "
     "working days or overdue"),
    "Actions promised, due in the next 5 working days",
    "Flags waiting for a decision",
    "Cases whose handler is away today: reallocate them",
    "Reasonable adjustments to review in the next 5 working days or overdue",
    "Contact restriction reviews due in the next 5 working days or overdue"};

/* What gathering needs beside the register. */
struct gather {
	struct cw_env *env;
	struct cw_store *reg;
	const struct tc_calendar *cal;
	tc_day today, horizon; /* horizon: 5 working days on */
	int failed;
};

static void add(struct gather *g, enum section sec, const char *ref,
		const char *type, int stage, const char *team, tc_day date,
		int days, const char *detail)
{
	struct cw_report_row r;
	char d[11] = "";

	if (date != CW_NODAY)
		tc_day_format(date, d);
	r.sec = (int)sec;
	r.reference = ref ? ref : "";
	r.type = type ? type : "";
	r.stage = stage;
	r.team = team ? team : "";
	r.date = d;
	r.days = days;
	r.detail = detail ? detail : "";
	if (!g->failed && cw_store_rows_add(g->reg, &r) < 0)
		g->failed = 1;
}

/* The working days a review due on d is late by, or -1 when not yet
 * late. */
static int late_by(const struct gather *g, tc_day d)
{
	return d < g->today ? tc_calendar_working_between(g->cal, d, g->today)
			    : -1;
}

static void on_intake(void *arg, const char *ref, const char *type, int stage,
		      const char *team, tc_day received, const char *area)
{
	struct gather *g = arg;

	add(g, S_INTAKE, ref, type, stage, team, received, -1,
	    area && area[0] ? cw_service_name(g->env, area) : "");
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
	add((struct gather *)arg, S_QUARANTINED, q->id, "", 0, "", since, -1,
	    d.data);
	tc_buf_release(&d);
	return 0;
}

/* A deadline not yet met: overdue (as what), or due within the horizon
 * (as soon). */
static void deadline(struct gather *g, const struct cw_report_case *c,
		     tc_day due, tc_day done, enum section sec,
		     const char *what, const char *soon)
{
	if (done != CW_NODAY || due == CW_NODAY)
		return;
	if (due < g->today)
		add(g, S_OVERDUE, c->reference, c->type, c->stage, c->team, due,
		    tc_calendar_working_between(g->cal, due, g->today), what);
	else if (due <= g->horizon)
		add(g, sec, c->reference, c->type, c->stage, c->team, due, -1,
		    soon);
}

/* The steps of the case's stage not yet done (a review panel, its
 * report): due soon with the responses, or overdue. */
static void steps(struct gather *g, const struct cw_report_case *c)
{
	const struct tc_procedure *p =
	    tc_rules_procedure(g->env->rules, c->procedure);
	const struct tc_stage_rule *sr =
	    p && c->stage >= 1 && c->stage <= p->nstages
		? &p->stage[c->stage - 1]
		: NULL;
	cJSON *arr = cJSON_Parse(c->steps_json), *s;

	cJSON_ArrayForEach(s, arr)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(s, "step");
		const cJSON *due = cJSON_GetObjectItemCaseSensitive(s, "due");
		int i = sr && cJSON_IsString(id)
			    ? tc_rules_step(sr, id->valuestring)
			    : -1;
		struct tc_buf t = {tc_buf_empty, 0, 0, 0};
		tc_day d;

		if (cJSON_IsString(
			cJSON_GetObjectItemCaseSensitive(s, "done")) ||
		    !cJSON_IsString(due) ||
		    tc_day_parse(due->valuestring, &d) < 0)
			continue;
		if (tc_buf_addf(&t, "step: %s",
				i >= 0 ? sr->step[i].name : id->valuestring) <
		    0)
			tc_die_nomem();
		deadline(g, c, d, CW_NODAY, S_RESPOND_DUE, t.data, t.data);
		tc_buf_release(&t);
	}
	cJSON_Delete(arr);
}

/* The actions promised and not yet done: due soon, or overdue. */
static void actions(struct gather *g, const struct cw_report_case *c)
{
	cJSON *arr = cJSON_Parse(c->actions_json), *a;

	cJSON_ArrayForEach(a, arr)
	{
		const cJSON *due = cJSON_GetObjectItemCaseSensitive(a, "due");
		const cJSON *who = cJSON_GetObjectItemCaseSensitive(a, "owner");
		const cJSON *what = cJSON_GetObjectItemCaseSensitive(a, "text");
		struct tc_buf t = TC_BUF_INIT;
		tc_day d;

		if (cJSON_GetObjectItemCaseSensitive(a, "done") ||
		    !cJSON_IsString(due) ||
		    tc_day_parse(due->valuestring, &d) < 0)
			continue;
		if (tc_buf_addf(&t, "action for %s: %s",
				cJSON_IsString(who) ? who->valuestring : "",
				cJSON_IsString(what) ? what->valuestring : "") <
		    0)
			tc_die_nomem();
		if (d < g->today)
			add(g, S_OVERDUE, c->reference, c->type, c->stage,
			    c->team, d,
			    tc_calendar_working_between(g->cal, d, g->today),
			    t.data);
		else if (d <= g->horizon)
			add(g, S_ACTION, c->reference, c->type, c->stage,
			    c->team, d, -1, t.data);
		tc_buf_release(&t);
	}
	cJSON_Delete(arr);
}

/* Agreed adjustments whose review is due soon or past, open case or not:
 * they are the person's, and outlive the complaint they came with. */
static void adjustments(struct gather *g, const struct cw_report_case *c,
			const cJSON *flags)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, flags)
	{
		const cJSON *dec =
		    cJSON_GetObjectItemCaseSensitive(f, "decision");
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(f, "flag");
		const cJSON *o =
		    cJSON_GetObjectItemCaseSensitive(dec, "outcome");
		const cJSON *note =
		    cJSON_GetObjectItemCaseSensitive(dec, "note");
		const cJSON *rv =
		    cJSON_GetObjectItemCaseSensitive(dec, "review");
		struct tc_buf t = TC_BUF_INIT;
		tc_day d;

		if (!cJSON_IsString(n) || !cJSON_IsString(o) ||
		    !cw_flag_outcome_kept(n->valuestring, o->valuestring) ||
		    !cJSON_IsString(rv) ||
		    tc_day_parse(rv->valuestring, &d) < 0 || d > g->horizon)
			continue;
		if (tc_buf_addf(&t, "%s agreed: %s", n->valuestring,
				cJSON_IsString(note) ? note->valuestring : "") <
		    0)
			tc_die_nomem();
		add(g, S_ADJUSTMENT, c->reference, c->type, c->stage, c->team,
		    d, late_by(g, d), t.data);
		tc_buf_release(&t);
	}
}

static void on_case(void *arg, const struct cw_report_case *c)
{
	struct gather *g = arg;
	int open = c->closed == CW_NODAY && strcmp(c->status, "closed") &&
		   strcmp(c->status, "signposted") &&
		   strcmp(c->status, "merged");
	cJSON *flags, *f;

	if (open && !strcmp(c->priority, "urgent"))
		add(g, S_URGENT, c->reference, c->type, c->stage, c->team,
		    c->received, -1, "urgent: deal with it first");
	if (open && c->stage == 0)
		deadline(g, c, c->respond_due, c->responded, S_RESPOND_DUE,
			 "reply", "");
	if (open && c->stage > 0) {
		deadline(g, c, c->ack_due, c->acknowledged, S_ACK_DUE,
			 "acknowledgement", "");
		steps(g, c);
		deadline(g, c, c->respond_due, c->responded, S_RESPOND_DUE,
			 "response", "");
		if (c->update_due != CW_NODAY && c->update_due <= g->horizon)
			add(g, S_UPDATE, c->reference, c->type, c->stage,
			    c->team, c->update_due, late_by(g, c->update_due),
			    "no fixed response deadline: tell the resident "
			    "why there is no answer yet, and when to expect "
			    "one");
		if (c->window_closes != CW_NODAY &&
		    c->window_closes >= g->today &&
		    c->window_closes <= g->horizon)
			add(g, S_WINDOW, c->reference, c->type, c->stage,
			    c->team, c->window_closes, -1,
			    "last day to ask for the next stage");
	}
	if (open && c->handler && c->away_from != CW_NODAY &&
	    c->away_from <= g->today &&
	    (c->away_to == CW_NODAY || c->away_to >= g->today)) {
		char to[11], d[200];

		snprintf(d, sizeof(d),
			 "%s is away%s%s: record %s allocated "
			 "--to ... --reason",
			 c->handler, c->away_to != CW_NODAY ? " until " : "",
			 c->away_to != CW_NODAY ? cw_day_str(c->away_to, to)
						: "",
			 c->reference);
		add(g, S_AWAY, c->reference, c->type, c->stage, c->team,
		    c->away_from, -1, d);
	}
	actions(g, c);
	flags = cJSON_Parse(c->flags_json);
	if (strcmp(c->status, "merged"))
		adjustments(g, c, flags);
	if (!open && strcmp(c->status, "signposted")) {
		cJSON_Delete(flags);
		return;
	}
	cJSON_ArrayForEach(f, flags)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(f, "flag");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "detail");
		struct tc_buf t = TC_BUF_INIT;

		if (cw_flag_decided(f))
			continue;
		if (tc_buf_addf(&t, "%s: %s",
				cJSON_IsString(n) ? n->valuestring : "",
				cJSON_IsString(d) ? d->valuestring : "") < 0)
			tc_die_nomem();
		add(g, S_FLAG, c->reference, c->type, c->stage, c->team,
		    c->received, -1, t.data);
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
	add(g, S_RESTRICTION, ref.data, "restriction", 0, x->contact,
	    x->review_day, late_by(g, x->review_day), d.data);
	tc_buf_release(&ref);
	tc_buf_release(&d);
}

static int gather(struct cw_env *env)
{
	struct gather g;

	g.env = env;
	g.reg = env->reg;
	g.cal = env->rules->cal;
	g.today = env->today;
	g.failed = 0;
	if (tc_calendar_add_working(g.cal, g.today, 5, &g.horizon) < 0)
		g.horizon = g.today + 7;
	if (cw_store_report_intake(env->reg, env->today_s, on_intake, &g) < 0 ||
	    cw_store_quarantine_each(env->reg, 0, NULL, NULL, on_quarantine,
				     &g) < 0 ||
	    cw_store_report_cases(env->reg, on_case, &g) < 0 ||
	    cw_store_report_restrictions(env->reg, on_restriction, &g) < 0 ||
	    g.failed)
		return -1;
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

/* The two files being written, and where the rows have got to. */
enum { F_HTML, F_CSV };
static const char *const file_ext[2] = {"html", "csv"};

struct writer {
	struct cw_env *env;
	struct tc_fs_stream f[2]; /* F_HTML, F_CSV */
	struct tc_buf out;	  /* one part or line at a time */
	int sec;		  /* the section being written */
	long n;			  /* its rows so far */
	int failed;
};

/* Renders one part of report.mustache (part true, with o's values) into
 * the HTML. Frees o. */
static void part(struct writer *w, cJSON *o, const char *name)
{
	cw_ctx_bool(o, name, 1);
	tc_buf_setlen(&w->out, 0);
	if (cw_render(w->env, "report", o, &w->out) < 0)
		w->failed = 1;
	else
		tc_fs_stream_add(&w->f[F_HTML], w->out.data, w->out.len);
	cJSON_Delete(o);
}

static cJSON *sec_ctx(int sec)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		tc_die_nomem();
	cw_ctx_str(o, "id", sec_id[sec]);
	cw_ctx_str(o, "title", sec_title[sec]);
	return o;
}

static int on_type(void *arg, const struct cw_report_row *r)
{
	cJSON *t = cw_ctx_item(arg);

	cw_ctx_str(t, "type", r->reference);
	cw_ctx_num(t, "number", r->days, -1);
	return 0;
}

/* The end of section w->sec, and the heading of the next, if any. */
static void next_section(struct writer *w)
{
	part(w, sec_ctx(w->sec), w->n ? "table_end" : "none");
	w->n = 0;
	if (++w->sec < S_COUNT)
		part(w, sec_ctx(w->sec), "heading");
}

static int on_row(void *arg, const struct cw_report_row *r)
{
	struct writer *w = arg;
	const char *cells[8];
	char stage[16] = "", days[16] = "";
	cJSON *o;

	while (w->sec < r->sec && w->sec < S_COUNT)
		next_section(w);
	if (w->sec != r->sec)
		return 0; /* no such section */
	if (!w->n++) {
		if (w->sec == S_INTAKE) {
			/* the intake's counts by type, then its table */
			o = sec_ctx(w->sec);
			if (cw_store_rows_types(w->env->reg, S_INTAKE, on_type,
						cw_ctx_arr(o, "types")) < 0)
				w->failed = 1;
			part(w, o, "typed");
		}
		part(w, sec_ctx(w->sec), "table");
	}
	if (r->stage)
		snprintf(stage, sizeof(stage), "%d", r->stage);
	if (r->days >= 0)
		snprintf(days, sizeof(days), "%d", r->days);
	o = cJSON_CreateObject();
	if (!o)
		tc_die_nomem();
	cw_ctx_str(o, "reference", r->reference);
	/* a case's row links to its pack, beside reports/ */
	cw_ctx_bool(o, "pack",
		    w->sec != S_QUARANTINED && w->sec != S_RESTRICTION);
	cw_ctx_str(o, "type", r->type);
	cw_ctx_str(o, "stage", stage);
	cw_ctx_str(o, "team", r->team);
	cw_ctx_str(o, "date", r->date);
	cw_ctx_str(o, "days", days);
	cw_ctx_str(o, "detail", r->detail);
	part(w, o, "row");
	cells[0] = sec_id[w->sec], cells[1] = r->reference, cells[2] = r->type;
	cells[3] = stage, cells[4] = r->team, cells[5] = r->date;
	cells[6] = days, cells[7] = r->detail;
	tc_buf_setlen(&w->out, 0);
	cw_csv_row(&w->out, cells, 8);
	tc_fs_stream_add(&w->f[F_CSV], w->out.data, w->out.len);
	return w->failed ? -1 : 0;
}

/* reports/NAME.EXT into out (reset first). */
static void report_path(const struct cw_env *env, const char *name,
			const char *ext, struct tc_buf *out)
{
	cw_env_path(env, "reports/", out);
	if (tc_buf_addf(out, "%s.%s", name, ext) < 0)
		tc_die_nomem();
}

/* reports/TODAY.html and .csv, written from the sorted rows. */
static int write_files(struct cw_env *env, struct writer *w)
{
	static const char head[] = "section,reference,type,stage,team,date,"
				   "working_days_overdue,detail\r\n";
	struct tc_buf path[2] = {TC_BUF_INIT, TC_BUF_INIT};
	int live[2] = {0, 0}; /* opened, not yet committed */
	char title[64];
	cJSON *o;
	int i, rc = -1;

	for (i = 0; i < 2; i++) {
		report_path(env, env->today_s, file_ext[i], &path[i]);
		if (tc_fs_mkparents(path[i].data, cw_dir_mode()) < 0 ||
		    tc_fs_stream_open(&w->f[i], path[i].data, cw_file_mode()) <
			0) {
			tc_warn("cannot write '%s'", path[i].data);
			goto out;
		}
		live[i] = 1;
	}
	tc_fs_stream_add(&w->f[F_CSV], head, sizeof(head) - 1);
	snprintf(title, sizeof(title), "Complaints daily report %s",
		 env->today_s);
	o = cw_ctx_page(title, NULL);
	cw_ctx_bool(o, "viewport", 1);
	cw_ctx_str(o, "today", env->today_s);
	part(w, o, "start");
	part(w, sec_ctx(0), "heading");
	if (cw_store_rows_each(env->reg, on_row, w) < 0)
		w->failed = 1;
	while (!w->failed && w->sec < S_COUNT)
		next_section(w);
	part(w, cJSON_CreateObject(), "end");
	if (w->failed)
		goto out;
	/* As the files are put in place, each is named. */
	for (i = 0; i < 2; i++) {
		live[i] = 0; /* commit frees it, whatever comes of it */
		if (tc_fs_stream_commit(&w->f[i], NULL) < 0) {
			tc_warn("cannot write '%s'", path[i].data);
			goto out;
		}
		printf("report: %s\n", path[i].data);
	}
	rc = 0;
out:
	for (i = 0; i < 2; i++) {
		if (live[i])
			tc_fs_stream_abort(&w->f[i]);
		tc_buf_release(&path[i]);
	}
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
		report_path(env, name, ext[i], &p);
		if (tc_fs_write_if_changed(p.data, b[i]->data, b[i]->len,
					   cw_file_mode(), NULL) < 0) {
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
	struct writer w;
	struct tc_buf rows = TC_BUF_INIT;
	char pid[32];
	int rc = -1;

	memset(&w, 0, sizeof(w));
	w.env = env;
	/* One scratch file per process: a report may be written beside
	 * another command's. */
	snprintf(pid, sizeof(pid), "report-rows-%ld.db", (long)getpid());
	cw_env_path(env, "tmp/", &rows);
	if (tc_buf_adds(&rows, pid) < 0)
		tc_die_nomem();
	if (cw_store_rows_open(env->reg, rows.data) < 0)
		goto out;
	if (gather(env) == 0 && write_files(env, &w) == 0)
		rc = 0;
	cw_store_rows_close(env->reg, rows.data);
out:
	tc_buf_release(&w.out);
	tc_buf_release(&rows);
	return rc;
}
