/*
 * annual.c: the annual complaints performance report (see annual.h).
 *
 * Every figure is a count from the register's anonymised columns (type,
 * stage, service area, dates, outcome, remedy category, whether learning
 * was recorded), never a name, contact detail or free text, so the report
 * can be published and still adds up after a purge. One pass gathers rows
 * (section, label, count, total); the HTML and the CSV render the same
 * rows.
 */
#include "annual.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "escape.h"
#include "fsutil.h"
#include "report.h"
#include "restrict.h"

/* How a section is drawn. */
enum shape {
	COUNTS, /* label, count */
	SHARES, /* label, count of total, percent */
};

struct section {
	const char *id;	   /* CSV section and HTML id */
	const char *title; /* heading */
	const char *what;  /* column heading for the count */
	enum shape shape;
	int chart;	 /* draw a bar chart as well */
	const char *sql; /* ?1 from, ?2 to; rows of (label, count[, total]) */
};

static const struct section sections[] = {
    {"volume_by_type", "Volumes by type", "Number", COUNTS, 1,
     "SELECT type, count(*) FROM cases WHERE received_date BETWEEN ?1 AND"
     " ?2 GROUP BY type ORDER BY type"},
    {"volume_by_stage", "Complaints by stage (stage started in the period)",
     "Number", COUNTS, 0,
     "SELECT 'stage ' || s.stage, count(*) FROM stages s WHERE s.request"
     " BETWEEN ?1 AND ?2 GROUP BY s.stage ORDER BY s.stage"},
    {"volume_by_service_area", "Volumes by service area", "Number", COUNTS, 1,
     "SELECT coalesce(service_area, 'not given'), count(*) FROM cases"
     " WHERE received_date BETWEEN ?1 AND ?2 GROUP BY 1 ORDER BY 1"},
    {"volume_by_channel", "Volumes by channel", "Number", COUNTS, 0,
     "SELECT 'online form', count(*) FROM submissions WHERE received_date"
     " BETWEEN ?1 AND ?2 HAVING count(*) > 0 UNION ALL SELECT 'stage 2"
     " asked for by phone or letter', count(*) FROM stages WHERE stage > 1"
     " AND submission_id IS NULL AND request BETWEEN ?1 AND ?2 HAVING"
     " count(*) > 0"},
    /* Out of: stages acknowledged, or whose deadline passed before today
     * (?3); one not yet due is neither late nor on time. */
    {"acknowledged_in_time",
     "Acknowledged within timescale, by stage (of those acknowledged or "
     "due)",
     "Within timescale", SHARES, 0,
     "SELECT 'stage ' || stage, sum(acknowledged IS NOT NULL AND"
     " acknowledged <= ack_due), sum(acknowledged IS NOT NULL OR ack_due <"
     " ?3) FROM stages WHERE request BETWEEN ?1 AND ?2 GROUP BY stage"
     " ORDER BY stage"},
    {"answered_in_time",
     "Answered within timescale (including any extension), by stage (of "
     "those answered or due)",
     "Within timescale", SHARES, 0,
     "SELECT 'stage ' || stage, sum(responded IS NOT NULL AND responded <="
     " respond_due), sum(responded IS NOT NULL OR respond_due < ?3) FROM"
     " stages WHERE request BETWEEN ?1 AND ?2 GROUP BY stage ORDER BY"
     " stage"},
    {"extensions", "Extensions, by stage", "Extended", SHARES, 0,
     "SELECT 'stage ' || stage, sum(extension_days > 0), count(*) FROM"
     " stages WHERE request BETWEEN ?1 AND ?2 GROUP BY stage ORDER BY"
     " stage"},
    {"outcomes", "Outcomes (stages closed in the period)", "Number", COUNTS, 1,
     "SELECT 'stage ' || stage || ': ' || outcome, count(*) FROM stages"
     " WHERE closed BETWEEN ?1 AND ?2 AND outcome IS NOT NULL GROUP BY"
     " stage, outcome ORDER BY stage, outcome"},
    {"remedies", "Remedies (stages closed in the period)", "Number", COUNTS, 0,
     "SELECT remedy, count(*) FROM stages WHERE closed BETWEEN ?1 AND ?2"
     " AND remedy IS NOT NULL GROUP BY remedy ORDER BY remedy"},
    {"stage2_escalations", "Complaints escalated to stage 2", "Escalated",
     SHARES, 0,
     "SELECT 'complaints received in the period', coalesce(sum(EXISTS("
     "SELECT 1 FROM stages s WHERE s.case_id = c.id AND s.stage >= 2)),"
     " 0), count(*) FROM cases c WHERE c.type = 'complaint' AND"
     " c.received_date BETWEEN ?1 AND ?2 HAVING count(*) > 0"},
    {"refused_or_signposted", "Refused or signposted, by reason", "Number",
     COUNTS, 0, NULL /* by the rules' reason codes: see signposted() */},
    {"learning", "Learning recorded at closure", "With learning", SHARES, 0,
     "SELECT 'stages closed in the period', coalesce(sum(learning IS NOT"
     " NULL), 0), count(*) FROM stages WHERE closed BETWEEN ?1 AND ?2"
     " HAVING count(*) > 0"},
    {"restrictions_in_place",
     "Contact restrictions in place during the period, by kind", "Number",
     COUNTS, 0,
     "SELECT kind, count(*) FROM restriction_register WHERE start <= ?2"
     " AND (lifted IS NULL OR lifted >= ?1) GROUP BY kind ORDER BY kind"},
    {"complaints_by_month", "Complaints received, month by month", "Number",
     COUNTS, 1, NULL /* every month of the period: see months() */},
    {"all_contacts_by_month", "Everything received (all types), month by month",
     "Number", COUNTS, 0, NULL},
};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

struct row {
	size_t sec;  /* index into sections */
	char *label; /* anonymised: a type, area, stage, month, ... */
	long count;
	long total; /* SHARES: out of; else -1 */
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static void add(struct rows *r, size_t sec, const char *label, long count,
		long total)
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
	x->label = strdup(label ? label : "");
	if (!x->label)
		tc_die_nomem();
	x->count = count;
	x->total = total;
}

/* ?1 and ?2 the period; ?3 today, for the sections that ask. */
static void bind_period(struct cw_env *env, sqlite3_stmt *st, const char *from,
			const char *to)
{
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_text(st, 3, env->today_s, -1, SQLITE_STATIC);
}

static int query(struct cw_env *env, struct rows *r, size_t sec,
		 const char *from, const char *to)
{
	sqlite3_stmt *st = cw_store_stmt(env->reg, sections[sec].sql);
	int rc;

	if (!st)
		return -1;
	bind_period(env, st, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add(r, sec, (const char *)sqlite3_column_text(st, 0),
		    (long)sqlite3_column_int64(st, 1),
		    sections[sec].shape == SHARES
			? (long)sqlite3_column_int64(st, 2)
			: -1);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cw_store_error(env->reg, "reading figures");
		return -1;
	}
	return 0;
}

/* Signposted (excluded) matters by the rules' reason code. */
static int signposted(struct cw_env *env, struct rows *r, size_t sec,
		      const char *from, const char *to)
{
	static const char sql[] =
	    "SELECT coalesce(service_area, ''), count(*) FROM cases WHERE"
	    " type = 'signposted' AND received_date BETWEEN ?1 AND ?2 GROUP"
	    " BY 1 ORDER BY 1";
	sqlite3_stmt *st = cw_store_stmt(env->reg, sql);
	int rc;

	if (!st)
		return -1;
	bind_period(env, st, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *area = (const char *)sqlite3_column_text(st, 0);
		const struct tc_exclusion *ex =
		    tc_rules_exclusion(env->rules, area);
		struct tc_buf l = TC_BUF_INIT;

		if (tc_buf_addf(&l, "%s (%s)", ex ? ex->reason_code : "other",
				area) < 0)
			tc_die_nomem();
		add(r, sec, l.data, (long)sqlite3_column_int64(st, 1), -1);
		tc_buf_release(&l);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cw_store_error(env->reg, "reading figures");
		return -1;
	}
	return 0;
}

/* Every month of the period, with zero for a month with nothing. */
static int months(struct cw_env *env, struct rows *r, size_t sec,
		  const struct cw_period *p, const char *from, const char *to,
		  int complaints_only)
{
	static const char all[] =
	    "SELECT substr(received_date, 1, 7), count(*) FROM cases WHERE"
	    " received_date BETWEEN ?1 AND ?2 GROUP BY 1";
	static const char cmp[] =
	    "SELECT substr(received_date, 1, 7), count(*) FROM cases WHERE"
	    " type = 'complaint' AND received_date BETWEEN ?1 AND ?2 GROUP BY"
	    " 1";
	sqlite3_stmt *st =
	    cw_store_stmt(env->reg, complaints_only ? cmp : all);
	int y, m, d, ey, em, rc;
	size_t first = r->n, i;

	if (!st)
		return -1;
	tc_day_civil(p->from, &y, &m, &d);
	tc_day_civil(p->to, &ey, &em, &d);
	while (y < ey || (y == ey && m <= em)) {
		char l[16];

		snprintf(l, sizeof(l), "%04d-%02d", y, m);
		add(r, sec, l, 0, -1);
		if (++m > 12)
			m = 1, y++;
	}
	bind_period(env, st, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *mon = (const char *)sqlite3_column_text(st, 0);

		for (i = first; i < r->n; i++)
			if (!strcmp(r->v[i].label, mon))
				r->v[i].count =
				    (long)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cw_store_error(env->reg, "reading figures");
		return -1;
	}
	return 0;
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

/* Appends pre, the number v, post. */
static void hf(struct tc_buf *b, const char *pre, long v, const char *post)
{
	if (tc_buf_addf(b, "%s%ld%s", pre, v, post) < 0)
		tc_die_nomem();
}

static void percent(char *out, size_t n, long count, long total)
{
	if (total <= 0)
		snprintf(out, n, "%s", "");
	else
		snprintf(out, n, "%ld.%ld", count * 100 / total,
			 (count * 1000 / total) % 10);
}

static void csv(const struct rows *r, struct tc_buf *out)
{
	size_t i;
	char num[32];

	hs(out, "section,label,count,total,percent\r\n");
	for (i = 0; i < r->n; i++) {
		const struct row *x = &r->v[i];

		cw_csv_cell(out, sections[x->sec].id);
		hs(out, ",");
		cw_csv_cell(out, x->label);
		hs(out, ",");
		snprintf(num, sizeof(num), "%ld", x->count);
		cw_csv_cell(out, num);
		hs(out, ",");
		snprintf(num, sizeof(num), "%ld", x->total);
		cw_csv_cell(out, x->total >= 0 ? num : "");
		hs(out, ",");
		percent(num, sizeof(num), x->count, x->total);
		cw_csv_cell(out, num);
		hs(out, "\r\n");
	}
}

/* A horizontal bar chart of rows [a, b) of one section, as inline SVG
 * labelled by its title and the figure's caption. */
static void chart(struct tc_buf *b, const struct rows *r, size_t a, size_t e,
		  const char *id)
{
	long max = 1;
	size_t i;
	int y = 0;

	for (i = a; i < e; i++)
		if (r->v[i].count > max)
			max = r->v[i].count;
	hs(b, "<svg role=\"img\" aria-labelledby=\"");
	hs(b, id);
	hs(b, "-t ");
	hs(b, id);
	hs(b, "-cap\" width=\"100%\" viewBox=\"0 0 640 ");
	hf(b, "", (long)((e - a) * 28 + 8), "");
	hs(b, "\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"");
	hs(b, id);
	hs(b, "-t\">");
	he(b, sections[r->v[a].sec].title);
	hs(b, "</title>\n");
	for (i = a; i < e; i++, y += 28) {
		long w = r->v[i].count * 380 / max;

		hf(b, "<text x=\"0\" y=\"", y + 18, "\" font-size=\"13\">");
		he(b, r->v[i].label);
		hs(b, "</text>");
		hf(b, "<rect x=\"220\" y=\"", y + 4, "\" height=\"20\" ");
		hf(b, "width=\"", w, "\" fill=\"#1d70b8\"/>");
		hf(b, "<text x=\"", 226 + w, "\" ");
		hf(b, "y=\"", y + 18, "\" font-size=\"13\">");
		hf(b, "", r->v[i].count, "</text>\n");
	}
	hs(b, "</svg>\n");
}

static void table(struct tc_buf *b, const struct rows *r, size_t a, size_t e,
		  int captioned)
{
	const struct section *s = &sections[r->v[a].sec];
	size_t i;
	char pc[32];

	hs(b, "<table");
	if (!captioned) {
		hs(b, " aria-labelledby=\"");
		hs(b, s->id);
		hs(b, "\"");
	}
	hs(b, ">\n<thead><tr><th scope=\"col\">What</th><th scope=\"col\">");
	he(b, s->what);
	hs(b, "</th>");
	if (s->shape == SHARES)
		hs(b, "<th scope=\"col\">Out of</th><th scope=\"col\">Share "
		      "(%)</th>");
	hs(b, "</tr></thead>\n<tbody>\n");
	for (i = a; i < e; i++) {
		hs(b, "<tr><th scope=\"row\">");
		he(b, r->v[i].label);
		hf(b, "</th><td>", r->v[i].count, "</td>");
		if (s->shape == SHARES) {
			percent(pc, sizeof(pc), r->v[i].count, r->v[i].total);
			hf(b, "<td>", r->v[i].total, "</td><td>");
			hs(b, pc);
			hs(b, "</td>");
		}
		hs(b, "</tr>\n");
	}
	hs(b, "</tbody>\n</table>\n");
}

static void html(const struct rows *r, const char *title, long total,
		 struct tc_buf *b)
{
	size_t sec, i = 0, a;

	hs(b, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<meta name=\"viewport\" "
	      "content=\"width=device-width, initial-scale=1\">\n<title>");
	he(b, title);
	hs(b, "</title>\n<style>\nbody{font-family:Arial,Helvetica,sans-serif;"
	      "line-height:1.5;color:#0b0c0c;max-width:60rem;margin:1rem "
	      "auto;padding:0 1rem}\ntable{border-collapse:collapse;width:"
	      "100%}\nth,td{text-align:left;vertical-align:top;padding:.4rem;"
	      "border-bottom:1px solid #b1b4b6}\nfigure{margin:1rem 0}\n"
	      "figcaption{font-weight:bold}\nsvg text{fill:#0b0c0c}\n"
	      "@media print{body{max-width:none;margin:0}section,figure{"
	      "break-inside:avoid}h2{break-after:avoid}svg rect{fill:#000;"
	      "print-color-adjust:exact}}\n</style>\n</head>\n<body>\n"
	      "<main>\n<h1>");
	he(b, title);
	hs(b, "</h1>\n<p>Figures only: this report holds no names, contact "
	      "details or words of residents. Shares are of the items "
	      "counted in the same row.</p>\n");
	if (!total)
		hs(b, "<p id=\"none\"><strong>There were no complaints, "
		      "compliments, comments or other contacts recorded in "
		      "this period.</strong></p>\n");
	for (sec = 0; sec < NSECTIONS; sec++) {
		const struct section *s = &sections[sec];

		a = i;
		while (i < r->n && r->v[i].sec == sec)
			i++;
		hs(b, "<section>\n<h2 id=\"");
		hs(b, s->id);
		hs(b, "\">");
		he(b, s->title);
		hs(b, "</h2>\n");
		if (a == i) {
			hs(b, "<p>None.</p>\n</section>\n");
			continue;
		}
		if (s->chart) {
			hs(b, "<figure>\n<figcaption id=\"");
			hs(b, s->id);
			hs(b, "-cap\">");
			he(b, s->title);
			hs(b, ": chart, with the figures in the table below "
			      "it</figcaption>\n");
			chart(b, r, a, i, s->id);
			table(b, r, a, i, 1);
			hs(b, "</figure>\n");
		} else {
			table(b, r, a, i, 0);
		}
		hs(b, "</section>\n");
	}
	hs(b, "</main>\n</body>\n</html>\n");
}

int cw_annual(struct cw_env *env, const struct cw_period *p)
{
	struct rows r = {0};
	struct tc_buf h = TC_BUF_INIT, c = TC_BUF_INIT, path = TC_BUF_INIT;
	struct tc_buf title = TC_BUF_INIT, name = TC_BUF_INIT;
	char from[11], to[11];
	long total = 0;
	size_t sec, i;
	int rc = TC_EXIT_ENV;

	tc_day_format(p->from, from);
	tc_day_format(p->to, to);
	if (p->year) {
		if (tc_buf_addf(&name, "annual-%d", p->year) < 0 ||
		    tc_buf_addf(&title,
				"Complaints performance and service "
				"improvement report %d",
				p->year) < 0)
			tc_die_nomem();
	} else if (tc_buf_addf(&name, "annual-%s_%s", from, to) < 0 ||
		   tc_buf_addf(&title,
			       "Complaints performance and service "
			       "improvement report, %s to %s",
			       from, to) < 0)
		tc_die_nomem();
	if (cw_store_exec(env->reg, "BEGIN") < 0)
		goto out;
	for (sec = 0; sec < NSECTIONS; sec++) {
		int k;

		if (!strcmp(sections[sec].id, "refused_or_signposted"))
			k = signposted(env, &r, sec, from, to);
		else if (!sections[sec].sql)
			k = months(
			    env, &r, sec, p, from, to,
			    !strcmp(sections[sec].id, "complaints_by_month"));
		else
			k = query(env, &r, sec, from, to);
		if (k < 0)
			goto out;
	}
	cw_store_rollback(env->reg);
	for (i = 0; i < r.n; i++)
		if (!strcmp(sections[r.v[i].sec].id, "volume_by_type"))
			total += r.v[i].count;
	html(&r, title.data, total, &h);
	csv(&r, &c);
	cw_env_path(env, "reports/", &path);
	if (tc_buf_addf(&path, "%s.html", name.data) < 0)
		tc_die_nomem();
	if (tc_fs_write_if_changed(path.data, h.data, h.len, 0600, NULL) < 0) {
		tc_warn("cannot write '%s'", path.data);
		goto out;
	}
	printf("annual report: %s\n", path.data);
	cw_env_path(env, "reports/", &path);
	if (tc_buf_addf(&path, "%s.csv", name.data) < 0)
		tc_die_nomem();
	if (tc_fs_write_if_changed(path.data, c.data, c.len, 0600, NULL) < 0) {
		tc_warn("cannot write '%s'", path.data);
		goto out;
	}
	printf("annual report: %s\n", path.data);
	if (!total)
		printf("annual report: nothing was received from %s to %s\n",
		       from, to);
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	cw_store_rollback(env->reg);
	for (i = 0; i < r.n; i++)
		free(r.v[i].label);
	free(r.v);
	tc_buf_release(&h);
	tc_buf_release(&c);
	tc_buf_release(&path);
	tc_buf_release(&title);
	tc_buf_release(&name);
	return rc;
}
