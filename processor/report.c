/*
 * report.c: the daily report (see report.h).
 *
 * One pass over the register gathers rows (section, reference, ...) sorted
 * by section, date and reference; the HTML and the CSV are two renderings
 * of the same rows, so they cannot disagree.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "escape.h"
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
    "Quarantined today",
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

static char *dup0(const unsigned char *s)
{
	char *d = strdup(s ? (const char *)s : "");

	if (!d)
		tc_die_nomem();
	return d;
}

static struct row *add(struct rows *r, enum section sec, const char *ref,
		       const char *type, int stage, const char *team,
		       tc_day date, int days, const char *detail)
{
	struct row *x;

	if (r->n == r->cap) {
		struct row *nv;

		r->cap = r->cap ? r->cap * 2 : 64;
		nv = realloc(r->v, r->cap * sizeof(*nv));
		if (!nv)
			tc_die_nomem();
		r->v = nv;
	}
	x = &r->v[r->n++];
	x->sec = sec;
	x->reference = dup0((const unsigned char *)ref);
	x->type = dup0((const unsigned char *)type);
	x->stage = stage;
	x->team = dup0((const unsigned char *)team);
	if (date == CW_NODAY)
		x->date[0] = 0;
	else
		tc_day_format(date, x->date);
	x->days = days;
	x->detail = dup0((const unsigned char *)detail);
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

static tc_day day_of(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	tc_day d;

	if (!s || tc_day_parse((const char *)s, &d) < 0)
		return CW_NODAY;
	return d;
}

static int gather(struct cw_env *env, struct rows *r)
{
	static const char intake[] =
	    "SELECT c.reference, CASE s.outcome WHEN 'escalated' THEN"
	    " 'stage ' || c.stage || ' escalation' ELSE c.type END,"
	    " c.stage, c.team FROM submissions s JOIN cases c ON"
	    " c.id = s.case_id WHERE s.ingested = ? ORDER BY c.reference";
	static const char quar[] = "SELECT submission_id, bundle, reason FROM"
				   " quarantine WHERE date = ?";
	static const char cases[] =
	    "SELECT c.reference, c.type, c.stage, c.team, c.flags,"
	    " c.status, s.ack_due, s.acknowledged, s.respond_due,"
	    " s.responded, s.window_closes, s.closed FROM cases c LEFT"
	    " JOIN stages s ON s.case_id = c.id AND s.stage = c.stage"
	    " ORDER BY c.reference";
	static const char restr[] =
	    "SELECT id, kind, scope, review, coalesce(contact, '') FROM"
	    " restriction_register WHERE status = 'active' ORDER BY id";
	const struct tc_calendar *cal = env->rules->cal;
	tc_day today = env->today, horizon;
	sqlite3_stmt *st;
	int rc;

	if (tc_calendar_add_working(cal, today, 5, &horizon) < 0)
		horizon = today + 7;
	st = cw_store_stmt(env->reg, intake);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, env->today_s, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add(r, S_INTAKE, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int(st, 2),
		    (const char *)sqlite3_column_text(st, 3), CW_NODAY, -1, "");
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	st = cw_store_stmt(env->reg, quar);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, env->today_s, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *why = (const char *)sqlite3_column_text(st, 2);
		struct tc_buf d = TC_BUF_INIT;

		/* The first reason; reason.txt in the folder has them all. */
		if (tc_buf_addf(&d, "%s: %.*s",
				(const char *)sqlite3_column_text(st, 1),
				(int)strcspn(why ? why : "", "\n"),
				why ? why : "") < 0)
			tc_die_nomem();
		add(r, S_QUARANTINED, (const char *)sqlite3_column_text(st, 0),
		    "", 0, "", CW_NODAY, -1, d.data);
		tc_buf_release(&d);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	st = cw_store_stmt(env->reg, cases);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		int stage = sqlite3_column_int(st, 2);
		const char *team = (const char *)sqlite3_column_text(st, 3);
		const char *status = (const char *)sqlite3_column_text(st, 5);
		tc_day ack_due = day_of(st, 6), acked = day_of(st, 7);
		tc_day resp_due = day_of(st, 8), resp = day_of(st, 9);
		tc_day window = day_of(st, 10), closed = day_of(st, 11);
		int open = closed == CW_NODAY && strcmp(status, "closed") &&
			   strcmp(status, "signposted");
		cJSON *flags, *f;

		if (open && stage > 0) {
			if (acked == CW_NODAY && ack_due != CW_NODAY) {
				if (ack_due < today)
					add(r, S_OVERDUE, ref, type, stage,
					    team, ack_due,
					    tc_calendar_working_between(
						cal, ack_due, today),
					    "acknowledgement");
				else if (ack_due <= horizon)
					add(r, S_ACK_DUE, ref, type, stage,
					    team, ack_due, -1, "");
			}
			if (resp == CW_NODAY && resp_due != CW_NODAY) {
				if (resp_due < today)
					add(r, S_OVERDUE, ref, type, stage,
					    team, resp_due,
					    tc_calendar_working_between(
						cal, resp_due, today),
					    "response");
				else if (resp_due <= horizon)
					add(r, S_RESPOND_DUE, ref, type, stage,
					    team, resp_due, -1, "");
			}
			if (window != CW_NODAY && window >= today &&
			    window <= horizon)
				add(r, S_WINDOW, ref, type, stage, team, window,
				    -1, "last day to ask for the next stage");
		}
		if (!open && strcmp(status, "signposted"))
			continue;
		flags = cJSON_Parse((const char *)sqlite3_column_text(st, 4));
		cJSON_ArrayForEach(f, flags)
		{
			const cJSON *n =
			    cJSON_GetObjectItemCaseSensitive(f, "flag");
			const cJSON *d =
			    cJSON_GetObjectItemCaseSensitive(f, "detail");
			struct tc_buf t = TC_BUF_INIT;

			if (tc_buf_addf(&t, "%s: %s",
					cJSON_IsString(n) ? n->valuestring : "",
					cJSON_IsString(d) ? d->valuestring
							  : "") < 0)
				tc_die_nomem();
			add(r, S_FLAG, ref, type, stage, team, CW_NODAY, -1,
			    t.data);
			tc_buf_release(&t);
		}
		cJSON_Delete(flags);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	/* Restriction reviews: by number, kind and scope only. */
	st = cw_store_stmt(env->reg, restr);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tc_day review = day_of(st, 3);
		struct tc_buf ref = TC_BUF_INIT, d = TC_BUF_INIT;
		const char *scope = (const char *)sqlite3_column_text(st, 2);

		if (review == CW_NODAY || review > horizon)
			continue;
		if (tc_buf_addf(&ref, "R%lld",
				(long long)sqlite3_column_int64(st, 0)) < 0 ||
		    tc_buf_addf(&d, "%s; %s%s",
				cw_restrict_kind_label(
				    (const char *)sqlite3_column_text(st, 1)),
				strcmp(scope, "council") ? "service: "
							 : "whole council",
				strcmp(scope, "council") ? scope : "") < 0)
			tc_die_nomem();
		add(r, S_RESTRICTION, ref.data, "restriction", 0,
		    (const char *)sqlite3_column_text(st, 4), review,
		    review < today
			? tc_calendar_working_between(cal, review, today)
			: -1,
		    d.data);
		tc_buf_release(&ref);
		tc_buf_release(&d);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	qsort(r->v, r->n, sizeof(*r->v), cmp_row);
	return 0;
fail:
	cw_store_error(env->reg, "reading the register for the report");
	return -1;
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

static void csv(const struct rows *r, struct tc_buf *out)
{
	size_t i;
	char num[16];

	if (tc_buf_adds(out, "section,reference,type,stage,team,date,"
			     "working_days_overdue,detail\r\n") < 0)
		tc_die_nomem();
	for (i = 0; i < r->n; i++) {
		const struct row *x = &r->v[i];

		cw_csv_cell(out, sec_id[x->sec]);
		tc_buf_addch(out, ',');
		cw_csv_cell(out, x->reference);
		tc_buf_addch(out, ',');
		cw_csv_cell(out, x->type);
		tc_buf_addch(out, ',');
		snprintf(num, sizeof(num), "%d", x->stage);
		cw_csv_cell(out, x->stage ? num : "");
		tc_buf_addch(out, ',');
		cw_csv_cell(out, x->team);
		tc_buf_addch(out, ',');
		cw_csv_cell(out, x->date);
		tc_buf_addch(out, ',');
		snprintf(num, sizeof(num), "%d", x->days);
		cw_csv_cell(out, x->days >= 0 ? num : "");
		tc_buf_addch(out, ',');
		cw_csv_cell(out, x->detail);
		if (tc_buf_adds(out, "\r\n") < 0)
			tc_die_nomem();
	}
}

static void hs(struct tc_buf *b, const char *s)
{
	if (tc_buf_adds(b, s) < 0)
		tc_die_nomem();
}

static void he(struct tc_buf *b, const char *s)
{
	if (tc_esc_html(b, s, strlen(s)) < 0)
		tc_die_nomem();
}

static void html(struct cw_env *env, const struct rows *r, struct tc_buf *out)
{
	size_t i, start;
	int sec;
	char num[32];

	hs(out, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta "
		"charset=\"utf-8\">\n<meta name=\"viewport\" "
		"content=\"width=device-width, initial-scale=1\">\n<title>"
		"Complaints daily report ");
	he(out, env->today_s);
	hs(out, "</title>\n<style>\nbody{font-family:Arial,Helvetica,"
		"sans-serif;line-height:1.5;color:#0b0c0c;max-width:60rem;"
		"margin:1rem auto;padding:0 1rem}\ntable{border-collapse:"
		"collapse;width:100%}\nth,td{text-align:left;vertical-align:"
		"top;padding:.4rem;border-bottom:1px solid #b1b4b6}\n"
		"@media print{body{max-width:none;margin:0}tr{break-inside:"
		"avoid}h2{break-after:avoid}}\n</style>\n</head>\n<body>\n"
		"<main>\n<h1>Complaints daily report, ");
	he(out, env->today_s);
	hs(out, "</h1>\n");
	for (sec = 0, i = 0; sec < S_COUNT; sec++) {
		start = i;
		while (i < r->n && (int)r->v[i].sec == sec)
			i++;
		hs(out, "<h2 id=\"");
		hs(out, sec_id[sec]);
		hs(out, "\">");
		he(out, sec_title[sec]);
		hs(out, "</h2>\n");
		if (i == start) {
			hs(out, "<p>None.</p>\n");
			continue;
		}
		if (sec == S_INTAKE) {
			/* Counts by type first, rows sorted by type. */
			size_t k, j;

			hs(out, "<table>\n<caption>By type</caption>\n<thead>"
				"<tr><th scope=\"col\">Type</th><th "
				"scope=\"col\">Number</th></tr></thead>\n"
				"<tbody>\n");
			for (k = start; k < i; k++) {
				int first = 1, n = 0;

				for (j = start; j < k; j++)
					if (!strcmp(r->v[j].type, r->v[k].type))
						first = 0;
				if (!first)
					continue;
				for (j = k; j < i; j++)
					n +=
					    !strcmp(r->v[j].type, r->v[k].type);
				snprintf(num, sizeof(num), "%d", n);
				hs(out, "<tr><th scope=\"row\">");
				he(out, r->v[k].type);
				hs(out, "</th><td>");
				hs(out, num);
				hs(out, "</td></tr>\n");
			}
			hs(out, "</tbody>\n</table>\n");
		}
		hs(out, "<table aria-labelledby=\"");
		hs(out, sec_id[sec]);
		hs(out,
		   "\">\n<thead><tr><th scope=\"col\">Reference</th>"
		   "<th scope=\"col\">Type</th><th scope=\"col\">Stage"
		   "</th><th scope=\"col\">Team</th><th scope=\"col\">"
		   "Date</th><th scope=\"col\">Working days overdue</th>"
		   "<th scope=\"col\">Detail</th></tr></thead>\n<tbody>\n");
		for (; start < i; start++) {
			const struct row *x = &r->v[start];

			hs(out, "<tr><th scope=\"row\">");
			he(out, x->reference);
			hs(out, "</th><td>");
			he(out, x->type);
			hs(out, "</td><td>");
			snprintf(num, sizeof(num), "%d", x->stage);
			hs(out, x->stage ? num : "");
			hs(out, "</td><td>");
			he(out, x->team);
			hs(out, "</td><td>");
			he(out, x->date);
			hs(out, "</td><td>");
			snprintf(num, sizeof(num), "%d", x->days);
			hs(out, x->days >= 0 ? num : "");
			hs(out, "</td><td>");
			he(out, x->detail);
			hs(out, "</td></tr>\n");
		}
		hs(out, "</tbody>\n</table>\n");
	}
	hs(out, "</main>\n</body>\n</html>\n");
}

int cw_report_write(struct cw_env *env)
{
	struct rows r = {0};
	struct tc_buf h = TC_BUF_INIT, c = TC_BUF_INIT, p = TC_BUF_INIT;
	size_t i;
	int rc = -1;

	if (gather(env, &r) < 0)
		goto out;
	html(env, &r, &h);
	csv(&r, &c);
	cw_env_path(env, "reports/", &p);
	if (tc_buf_addf(&p, "%s.html", env->today_s) < 0)
		tc_die_nomem();
	if (tc_fs_write_if_changed(p.data, h.data, h.len, 0600, NULL) < 0) {
		tc_warn("cannot write '%s'", p.data);
		goto out;
	}
	printf("report: %s\n", p.data);
	cw_env_path(env, "reports/", &p);
	if (tc_buf_addf(&p, "%s.csv", env->today_s) < 0)
		tc_die_nomem();
	if (tc_fs_write_if_changed(p.data, c.data, c.len, 0600, NULL) < 0) {
		tc_warn("cannot write '%s'", p.data);
		goto out;
	}
	printf("report: %s\n", p.data);
	rc = 0;
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
	tc_buf_release(&p);
	return rc;
}
