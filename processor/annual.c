/*
 * annual.c: the annual complaints performance report (see annual.h).
 *
 * Every figure is a count from the register's anonymised columns (type,
 * stage, service area, dates, outcome, remedy category, whether learning
 * was recorded), never a name, contact detail or free text, so the report
 * can be published and still adds up after a purge. One pass gathers rows
 * (section, label, count, total) from cw_store_annual_figures; the HTML
 * (the theme's casework/annual.mustache) and the CSV render the same rows.
 */
#include "annual.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "report.h"

/* How a section is drawn. */
enum shape {
	COUNTS, /* label, count */
	SHARES, /* label, count of total, percent */
};

struct section {
	const char *id;	   /* CSV section and HTML id; the store's name */
	const char *title; /* heading */
	const char *what;  /* column heading for the count */
	enum shape shape;
	int chart; /* draw a bar chart as well */
};

/* The figures of each come from cw_store_annual_figures. */
static const struct section sections[] = {
    {"volume_by_type", "Volumes by type", "Number", COUNTS, 1},
    {"volume_by_stage", "Complaints by stage (stage started in the period)",
     "Number", COUNTS, 0},
    {"volume_by_service_area", "Volumes by service area", "Number", COUNTS, 1},
    {"volume_by_channel", "Volumes by channel", "Number", COUNTS, 0},
    {"acknowledged_in_time",
     "Acknowledged within timescale, by stage (of those acknowledged or "
     "due)",
     "Within timescale", SHARES, 0},
    {"answered_in_time",
     "Answered within timescale (including any extension), by stage (of "
     "those answered or due)",
     "Within timescale", SHARES, 0},
    {"extensions", "Extensions, by stage", "Extended", SHARES, 0},
    {"outcomes", "Outcomes (stages closed in the period)", "Number", COUNTS, 1},
    {"remedies", "Remedies (stages closed in the period)", "Number", COUNTS, 0},
    {"stage2_escalations", "Complaints escalated to stage 2", "Escalated",
     SHARES, 0},
    /* by the rules' reason codes: see on_signposted() */
    {"refused_or_signposted", "Refused or signposted, by reason", "Number",
     COUNTS, 0},
    {"learning", "Learning recorded at closure", "With learning", SHARES, 0},
    {"ombudsman_considering", "The Ombudsman: complaints taken up", "Number",
     COUNTS, 0},
    {"ombudsman_decisions", "The Ombudsman's decisions, by outcome", "Number",
     COUNTS, 0},
    {"ombudsman_complied",
     "The Ombudsman's remedies the council complied with (of the decisions "
     "with a remedy)",
     "Complied", SHARES, 0},
    {"restrictions_in_place",
     "Contact restrictions in place during the period, by kind", "Number",
     COUNTS, 0},
    /* every month of the period: see months() */
    {"complaints_by_month", "Complaints received, month by month", "Number",
     COUNTS, 1},
    {"all_contacts_by_month", "Everything received (all types), month by month",
     "Number", COUNTS, 0},
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

/* What the store's rows are added to. */
struct gather {
	struct cw_env *env;
	struct rows *r;
	size_t sec;   /* the section being read */
	size_t first; /* months: its first row */
};

static void add(struct rows *r, size_t sec, const char *label, long count,
		long total)
{
	struct row *x;

	TC_ALLOC_GROW(r->v, r->n + 1, r->cap);
	x = &r->v[r->n++];
	x->sec = sec;
	x->label = tc_xstrdup(label ? label : "");
	x->count = count;
	x->total = total;
}

static void on_figure(void *arg, const char *label, long count, long total)
{
	struct gather *g = arg;

	add(g->r, g->sec, label, count,
	    sections[g->sec].shape == SHARES ? total : -1);
}

/* A service area by the name people know it by. */
static void on_area(void *arg, const char *area, long count, long total)
{
	struct gather *g = arg;

	(void)total;
	add(g->r, g->sec, cw_service_name(g->env, area), count, -1);
}

/* "stage N: ID" as "stage N: the outcome's label". */
static void on_outcome(void *arg, const char *label, long count, long total)
{
	struct gather *g = arg;
	const char *id = label ? strstr(label, ": ") : NULL;
	struct tc_buf l = TC_BUF_INIT;

	(void)total;
	if (!id) {
		add(g->r, g->sec, label, count, -1);
		return;
	}
	if (tc_buf_addf(&l, "%.*s: %s", (int)(id - label), label,
			tc_rules_outcome_label(g->env->rules, id + 2)) < 0)
		tc_die_nomem();
	add(g->r, g->sec, l.data, count, -1);
	tc_buf_release(&l);
}

/* Signposted (excluded) matters by the rules' reason code. */
static void on_signposted(void *arg, const char *area, long count, long total)
{
	struct gather *g = arg;
	const struct tc_exclusion *ex = tc_rules_exclusion(g->env->rules, area);
	struct tc_buf l = TC_BUF_INIT;

	(void)total;
	if (tc_buf_addf(&l, "%s (%s)", ex ? ex->reason_code : "other",
			cw_service_name(g->env, area)) < 0)
		tc_die_nomem();
	add(g->r, g->sec, l.data, count, -1);
	tc_buf_release(&l);
}

static void on_month(void *arg, const char *month, long count, long total)
{
	struct gather *g = arg;
	size_t i;

	(void)total;
	for (i = g->first; i < g->r->n; i++)
		if (!strcmp(g->r->v[i].label, month))
			g->r->v[i].count = count;
}

/* Every month of the period, with zero for a month with nothing. */
static void months(struct gather *g, const struct cw_period *p)
{
	int y, m, d, ey, em;

	g->first = g->r->n;
	tc_day_civil(p->from, &y, &m, &d);
	tc_day_civil(p->to, &ey, &em, &d);
	while (y < ey || (y == ey && m <= em)) {
		char l[16];

		snprintf(l, sizeof(l), "%04d-%02d", y, m);
		add(g->r, g->sec, l, 0, -1);
		if (++m > 12)
			m = 1, y++;
	}
}

static int gather(struct cw_env *env, struct rows *r, const struct cw_period *p,
		  const char *from, const char *to)
{
	struct gather g = {env, r, 0, 0};
	cw_store_figure_fn fn;

	for (g.sec = 0; g.sec < NSECTIONS; g.sec++) {
		const char *id = sections[g.sec].id;

		fn = on_figure;
		if (!strcmp(id, "refused_or_signposted"))
			fn = on_signposted;
		else if (!strcmp(id, "volume_by_service_area"))
			fn = on_area;
		else if (!strcmp(id, "outcomes"))
			fn = on_outcome;
		else if (strstr(id, "_by_month")) {
			months(&g, p);
			fn = on_month;
		}
		if (cw_store_annual_figures(env->reg, id, from, to,
					    env->today_s, fn, &g) < 0)
			return -1;
	}
	return 0;
}

/* count of total as a percentage to one decimal place, rounded half up
 * (2 of 3 is 66.7). */
static void percent(char *out, size_t n, long count, long total)
{
	long tenths;

	if (total <= 0) {
		snprintf(out, n, "%s", "");
		return;
	}
	tenths = (count * 1000 + total / 2) / total;
	snprintf(out, n, "%ld.%ld", tenths / 10, tenths % 10);
}

static void csv(const struct rows *r, struct tc_buf *out)
{
	size_t i;
	char count[32], total[32], pc[32];

	if (tc_buf_adds(out, "section,label,count,total,percent\r\n") < 0)
		tc_die_nomem();
	for (i = 0; i < r->n; i++) {
		const struct row *x = &r->v[i];
		const char *cells[5] = {sections[x->sec].id, x->label, count,
					total, pc};

		snprintf(count, sizeof(count), "%ld", x->count);
		snprintf(total, sizeof(total), "%ld", x->total);
		if (x->total < 0)
			total[0] = 0;
		percent(pc, sizeof(pc), x->count, x->total);
		cw_csv_row(out, cells, 5);
	}
}

/* A horizontal bar chart of one section's rows, as inline SVG labelled
 * by its title and the figure's caption: the bars' geometry. */
static void chart(cJSON *so, const struct rows *r, size_t a, size_t e)
{
	cJSON *rows = cJSON_GetObjectItemCaseSensitive(so, "rows"), *ro;
	long max = 1, y = 0, w;
	size_t i;

	for (i = a; i < e; i++)
		if (r->v[i].count > max)
			max = r->v[i].count;
	cw_ctx_num(so, "height", (long)((e - a) * 28 + 8), -1);
	i = a;
	cJSON_ArrayForEach(ro, rows)
	{
		w = r->v[i++].count * 380 / max;
		cw_ctx_num(ro, "text_y", y + 18, -1);
		cw_ctx_num(ro, "bar_y", y + 4, -1);
		cw_ctx_num(ro, "width", w, -1);
		cw_ctx_num(ro, "count_x", 226 + w, -1);
		y += 28;
	}
}

static int html(struct cw_env *env, const struct rows *r, const char *title,
		long total, struct tc_buf *b)
{
	cJSON *o = cw_ctx_page(title, "figures"), *secs;
	size_t sec, i = 0, a;
	char pc[32];
	int rc;

	cw_ctx_bool(o, "viewport", 1);
	cw_ctx_bool(o, "empty", !total);
	secs = cw_ctx_arr(o, "sections");
	for (sec = 0; sec < NSECTIONS; sec++) {
		const struct section *s = &sections[sec];
		cJSON *so = cw_ctx_item(secs), *rows;

		for (a = i; i < r->n && r->v[i].sec == sec; i++)
			;
		cw_ctx_str(so, "id", s->id);
		cw_ctx_str(so, "title", s->title);
		cw_ctx_str(so, "what", s->what);
		cw_ctx_bool(so, "shares", s->shape == SHARES);
		cw_ctx_bool(so, "chart", s->chart);
		cw_ctx_bool(so, "any", i > a);
		rows = cw_ctx_arr(so, "rows");
		for (size_t k = a; k < i; k++) {
			cJSON *ro = cw_ctx_item(rows);

			percent(pc, sizeof(pc), r->v[k].count, r->v[k].total);
			cw_ctx_str(ro, "label", r->v[k].label);
			cw_ctx_num(ro, "count", r->v[k].count, -1);
			cw_ctx_num(ro, "total", r->v[k].total, -1);
			cw_ctx_str(ro, "percent", pc);
		}
		if (s->chart)
			chart(so, r, a, i);
	}
	rc = cw_render(env, "annual", o, b);
	cJSON_Delete(o);
	return rc;
}

int cw_annual(struct cw_env *env, const struct cw_period *p)
{
	struct rows r = {0};
	struct tc_buf h = TC_BUF_INIT, c = TC_BUF_INIT;
	struct tc_buf title = TC_BUF_INIT, name = TC_BUF_INIT;
	char from[11], to[11];
	long total = 0;
	size_t i;
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
	if (cw_store_read_begin(env->reg) < 0 ||
	    gather(env, &r, p, from, to) < 0)
		goto out;
	cw_store_rollback(env->reg);
	for (i = 0; i < r.n; i++)
		if (!strcmp(sections[r.v[i].sec].id, "volume_by_type"))
			total += r.v[i].count;
	if (html(env, &r, title.data, total, &h) < 0)
		goto out;
	csv(&r, &c);
	if (cw_report_files(env, name.data, &h, &c, "annual report") < 0)
		goto out;
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
	tc_buf_release(&title);
	tc_buf_release(&name);
	return rc;
}
