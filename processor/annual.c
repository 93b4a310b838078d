/*
 * annual.c: the annual complaints performance report (see annual.h).
 *
 * Every figure is a count from the register's anonymised columns (type,
 * stage, service area, dates, outcome, remedy category, whether learning
 * was recorded), never a name, contact detail or free text, so the report
 * can be published and still adds up after a purge. One pass gathers rows
 * (section, label, count, total) from cw_store_annual_figures; the HTML
 * (the theme's casework/annual.mustache) and the CSV render the same rows.
 * Free text typed by officers (the Ombudsman's decision, learning) is
 * published only as a count or as the rules' label it matches. Last comes
 * the self-assessment against the Code: for each of its sections the
 * register's evidence from those rows and what the council's
 * content/self-assessment.yml says (selfassess.h), in the page and in
 * reports/self-assessment-PERIOD.csv.
 */
#include "annual.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "fsutil.h"
#include "report.h"
#include "selfassess.h"

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
    /* counts only: a remedy is free text, never published */
    {"remedies", "Remedies recorded, by stage (stages closed in the period)",
     "With a remedy", SHARES, 0},
    {"stage2_escalations", "Complaints escalated to stage 2", "Escalated",
     SHARES, 0},
    /* by the rules' reason codes: see on_signposted() */
    {"refused_or_signposted",
     "Refused or signposted, by the rules' reason code and reason", "Number",
     COUNTS, 0},
    {"learning", "Learning recorded at closure", "With learning", SHARES, 0},
    /* counts only: the learning itself is free text, never published */
    {"learning_by_service_area",
     "Learning recorded at closure, by service area (stages closed in the "
     "period)",
     "With learning", SHARES, 0},
    {"ombudsman_considering", "The Ombudsman: complaints taken up", "Number",
     COUNTS, 0},
    /* by the rules' outcome labels: see on_decision() */
    {"ombudsman_decisions", "The Ombudsman's decisions, by outcome", "Number",
     COUNTS, 0},
    {"ombudsman_remedies", "The Ombudsman's decisions that asked for a remedy",
     "With a remedy", SHARES, 0},
    {"ombudsman_complied",
     "The Ombudsman's remedies the council complied with (of the decisions "
     "with a remedy)",
     "Complied", SHARES, 0},
    {"restrictions_in_place",
     "Contact restrictions in place during the period, by kind", "Number",
     COUNTS, 0},
    {"warnings_given", "Warnings given under the unreasonable behaviour policy",
     "Number", COUNTS, 0},
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
	size_t first; /* its first row */
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

/* Adds count (and total) to the section's row called label, or adds the
 * row: two recorded values may read the same once anonymised. */
static void add_merged(struct gather *g, const char *label, long count,
		       long total)
{
	size_t i;

	for (i = g->first; i < g->r->n; i++)
		if (!strcmp(g->r->v[i].label, label)) {
			g->r->v[i].count += count;
			if (total >= 0)
				g->r->v[i].total += total;
			return;
		}
	add(g->r, g->sec, label, count, total);
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

	add_merged(g, cw_service_name(g->env, area), count,
		   sections[g->sec].shape == SHARES ? total : -1);
}

/* The Ombudsman's decision is typed as free text: published only as the
 * rules' outcome it names (its id or label), anything else as "other". */
static void on_decision(void *arg, const char *decision, long count, long total)
{
	struct gather *g = arg;
	const struct tc_outcome *o = tc_rules_outcome(g->env->rules, decision);

	(void)total;
	add_merged(g, o ? o->label : "other", count, -1);
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

/* The label of signposted records the rules do not exclude. */
static const char not_excluded[] = "other: not one of the rules' exclusions";

/* Signposted (excluded) matters by the rules' reason code, with the
 * rules' reason (the council's words, not the resident's); a record of an
 * area the rules do not exclude as "other". */
static void on_signposted(void *arg, const char *area, long count, long total)
{
	struct gather *g = arg;
	const struct tc_exclusion *ex = tc_rules_exclusion(g->env->rules, area);
	struct tc_buf l = TC_BUF_INIT;

	(void)total;
	if ((ex ? tc_buf_addf(&l, "%s: %s", ex->reason_code,
			      ex->reason ? ex->reason : "")
		: tc_buf_adds(&l, not_excluded)) < 0)
		tc_die_nomem();
	add_merged(g, l.data, count, -1);
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

		g.first = r->n;
		fn = on_figure;
		if (!strcmp(id, "refused_or_signposted"))
			fn = on_signposted;
		else if (!strcmp(id, "volume_by_service_area") ||
			 !strcmp(id, "learning_by_service_area"))
			fn = on_area;
		else if (!strcmp(id, "ombudsman_decisions"))
			fn = on_decision;
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

/* The sums of section id's rows (of those labelled label, unless NULL):
 * counts into *count, totals into *total; the number of rows. */
static size_t sums(const struct rows *r, const char *id, const char *label,
		   long *count, long *total)
{
	size_t i, n = 0;

	*count = *total = 0;
	for (i = 0; i < r->n; i++) {
		if (strcmp(sections[r->v[i].sec].id, id) ||
		    (label && strcmp(r->v[i].label, label)))
			continue;
		*count += r->v[i].count;
		*total += r->v[i].total > 0 ? r->v[i].total : 0;
		n++;
	}
	return n;
}

/* "what: C of T (P%)", or "what: none" when T is 0, to b. */
static void share(struct tc_buf *b, const char *what, long c, long t)
{
	char pc[32];

	percent(pc, sizeof(pc), c, t);
	if (tc_buf_addf(b, "%s%s: ", b->len ? "; " : "", what) < 0 ||
	    (t > 0 ? tc_buf_addf(b, "%ld of %ld (%s%%)", c, t, pc)
		   : tc_buf_adds(b, "none")) < 0)
		tc_die_nomem();
}

/* What the register shows of the Code's section i + 1, into b (reset). */
static void evidence(const struct rows *r, int i, struct tc_buf *b)
{
	long c, t, c2, t2;
	size_t n;

	tc_buf_reset(b);
	switch (i) {
	case 0: /* 1: definitions */
		sums(r, "volume_by_type", "complaint", &c, &t);
		sums(r, "volume_by_type", "service_request", &c2, &t2);
		if (tc_buf_addf(b,
				"complaints: %ld; service requests, recorded "
				"apart: %ld",
				c, c2) < 0)
			tc_die_nomem();
		break;
	case 1: /* 2: exclusions */
		sums(r, "refused_or_signposted", NULL, &c, &t);
		sums(r, "refused_or_signposted", not_excluded, &c2, &t2);
		if (tc_buf_addf(b,
				"refused or signposted: %ld; with the rules' "
				"reason code and reason: %ld",
				c, c - c2) < 0)
			tc_die_nomem();
		break;
	case 2: /* 3: accessibility and awareness */
		n = sums(r, "volume_by_channel", NULL, &c, &t);
		if (tc_buf_addf(b, "received: %ld; channels used: %zu", c, n) <
		    0)
			tc_die_nomem();
		break;
	case 4: /* 5: the complaint handling process */
		sums(r, "acknowledged_in_time", "stage 1", &c, &t);
		share(b, "stage 1 acknowledged within the rules' timescale", c,
		      t);
		sums(r, "acknowledged_in_time", "stage 2", &c, &t);
		share(b, "stage 2", c, t);
		break;
	case 5: /* 6: the complaint stages */
		sums(r, "answered_in_time", "stage 1", &c, &t);
		share(b, "stage 1 answered within timescale", c, t);
		sums(r, "answered_in_time", "stage 2", &c, &t);
		share(b, "stage 2", c, t);
		sums(r, "extensions", "stage 1", &c, &t);
		share(b, "stage 1 extended", c, t);
		sums(r, "extensions", "stage 2", &c, &t);
		share(b, "stage 2 extended", c, t);
		if (tc_buf_adds(b, " (casework refuses an extension beyond "
				   "the rules' maximum)") < 0)
			tc_die_nomem();
		break;
	case 6: /* 7: putting things right */
		sums(r, "remedies", NULL, &c, &t);
		if (tc_buf_addf(b,
				"remedies recorded at stages closed in the "
				"period: %ld",
				c) < 0)
			tc_die_nomem();
		break;
	case 7: /* 8: reporting and compliance (the Ombudsman) */
		sums(r, "ombudsman_decisions", NULL, &c, &t);
		sums(r, "ombudsman_complied", NULL, &c2, &t2);
		if (tc_buf_addf(b, "decisions of the Ombudsman: %ld", c) < 0)
			tc_die_nomem();
		share(b, "remedies complied with", c2, t2);
		break;
	case 8: /* 9: learning and improvement */
		sums(r, "learning", NULL, &c, &t);
		share(b, "learning recorded at stages closed", c, t);
		break;
	default: /* 4: complaint handling staff: nothing the register holds */
		break;
	}
}

/* content/self-assessment.yml: beside the rules. */
static void sa_path(const struct cw_env *env, struct tc_buf *out)
{
	struct tc_buf dir = TC_BUF_INIT;

	if (tc_fs_dirname(&dir, env->rules_path) < 0 ||
	    tc_fs_join(out, dir.data, "self-assessment.yml") < 0)
		tc_die_nomem();
	tc_buf_release(&dir);
}

/* The self-assessment's rows into the page's context and the CSV. */
static void self_assessment(const struct rows *r,
			    const struct cw_selfassess *sa, cJSON *o,
			    struct tc_buf *c)
{
	const struct cw_sa_section *s = cw_sa_sections();
	cJSON *arr = cw_ctx_arr(o, "self"), *ro;
	struct tc_buf ev = TC_BUF_INIT;
	int i;

	if (c &&
	    tc_buf_adds(c, "section,title,requirement,complies,"
			   "register_evidence,evidence,commentary\r\n") < 0)
		tc_die_nomem();
	for (i = 0; i < CW_SA_SECTIONS; i++) {
		const char *complies =
		    sa->complies[i] ? sa->complies[i] : "not assessed";

		evidence(r, i, &ev);
		ro = cw_ctx_item(arr);
		cw_ctx_str(ro, "num", s[i].num);
		cw_ctx_str(ro, "title", s[i].title);
		cw_ctx_str(ro, "requirement", s[i].requirement);
		cw_ctx_str(ro, "complies", complies);
		cw_ctx_str(ro, "register", ev.data);
		cw_ctx_str(ro, "evidence", sa->evidence[i]);
		cw_ctx_str(ro, "commentary", sa->commentary[i]);
		if (c) {
			const char *cells[7] = {
			    s[i].num,
			    s[i].title,
			    s[i].requirement,
			    complies,
			    ev.data,
			    sa->evidence[i] ? sa->evidence[i] : "",
			    sa->commentary[i] ? sa->commentary[i] : ""};

			cw_csv_row(c, cells, 7);
		}
	}
	tc_buf_release(&ev);
}

static int html(struct cw_env *env, const struct rows *r, const char *title,
		long total, const struct cw_selfassess *sa, struct tc_buf *sac,
		struct tc_buf *b)
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
	self_assessment(r, sa, o, sac);
	rc = cw_render(env, "annual", o, b);
	cJSON_Delete(o);
	return rc;
}

int cw_annual(struct cw_env *env, const struct cw_period *p)
{
	struct rows r = {0};
	struct tc_buf h = TC_BUF_INIT, c = TC_BUF_INIT;
	struct tc_buf title = TC_BUF_INIT, name = TC_BUF_INIT;
	struct tc_buf sac = TC_BUF_INIT, path = TC_BUF_INIT;
	struct cw_selfassess sa;
	char from[11], to[11];
	long total = 0;
	size_t i;
	int rc = TC_EXIT_ENV, k;

	/* the council's file first: a mistake in it writes no report */
	sa_path(env, &path);
	k = cw_selfassess_load(path.data, &sa);
	if (k) {
		rc = k > 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
		goto out;
	}
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
	if (html(env, &r, title.data, total, &sa, &sac, &h) < 0)
		goto out;
	csv(&r, &c);
	if (cw_report_files(env, name.data, &h, &c, "annual report") < 0)
		goto out;
	/* the self-assessment's columns are its own: a CSV of its own,
	 * self-assessment-PERIOD.csv, apart from the annual-*.csv figures */
	cw_env_path(env, "reports/", &path);
	if (tc_buf_addf(&path, "self-assessment-%s.csv",
			name.data + strlen("annual-")) < 0)
		tc_die_nomem();
	if (tc_fs_write_if_changed(path.data, sac.data, sac.len, cw_file_mode(), NULL) <
	    0) {
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
	tc_buf_release(&title);
	tc_buf_release(&name);
	tc_buf_release(&sac);
	tc_buf_release(&path);
	cw_selfassess_release(&sa);
	return rc;
}
