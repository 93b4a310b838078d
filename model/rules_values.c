/*
 * rules_values.c: the rules as text for pages (see rules_values.h).
 */
#include "rules_values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "case.h"
#include "rules.h"

/* "10 working days", "1 working day", "6 months", "12 months". */
static void period(char *out, size_t n, int count, const char *unit)
{
	snprintf(out, n, "%d %s%s", count, unit, count == 1 ? "" : "s");
}

static void add_str(cJSON *vals, const char *name, const char *text)
{
	cJSON *v = text ? cJSON_CreateString(text) : cJSON_CreateNull();

	if (!v)
		tc_die_nomem();
	cJSON_DeleteItemFromObjectCaseSensitive(vals, name);
	cJSON_AddItemToObject(vals, name, v);
}

/*
 * name -> "N unit(s)" and name_SUFFIX -> "N", or both null when set is 0.
 * prefix and name are joined with '.'.
 */
static void add_count(cJSON *vals, const char *prefix, const char *name,
		      const char *suffix, int set, int count, const char *unit)
{
	char key[256], text[64];

	snprintf(key, sizeof(key), "%s.%s", prefix, name);
	period(text, sizeof(text), count, unit);
	add_str(vals, key, set ? text : NULL);
	snprintf(key, sizeof(key), "%s.%s_%s", prefix, name, suffix);
	snprintf(text, sizeof(text), "%d", count);
	add_str(vals, key, set ? text : NULL);
}

/* 17:00 -> "5pm", 17:30 -> "5:30pm", 12:00 -> "12 noon", 9:00 -> "9am". */
static void clock_text(char *out, size_t n, int minutes)
{
	int h = minutes / 60, m = minutes % 60;
	int h12 = h % 12 == 0 ? 12 : h % 12;
	const char *ampm = h < 12 ? "am" : "pm";

	if (h == 12 && m == 0)
		snprintf(out, n, "12 noon");
	else if (h == 0 && m == 0)
		snprintf(out, n, "midnight");
	else if (m == 0)
		snprintf(out, n, "%d%s", h12, ampm);
	else
		snprintf(out, n, "%d:%02d%s", h12, m, ampm);
}

static void add_stage(cJSON *vals, const char *proc,
		      const struct tc_stage_rule *st, int number)
{
	char prefix[200];
	int k;

	snprintf(prefix, sizeof(prefix), "rules.%s.stage%d", proc, number);
	add_count(vals, prefix, "acknowledge", "days", st->ack_days >= 0,
		  st->ack_days, "working day");
	add_count(vals, prefix, "respond", "days", st->respond_days > 0,
		  st->respond_days, "working day");
	add_count(vals, prefix, "extension", "days", st->extension_max > 0,
		  st->extension_max, "working day");
	add_count(vals, prefix, "longest", "days", st->respond_days > 0,
		  st->respond_days + st->extension_max, "working day");
	add_count(vals, prefix, "next_stage_within", "days",
		  st->window_days > 0, st->window_days,
		  st->window_working ? "working day" : "calendar day");
	add_count(vals, prefix, "update_after", "months", st->update_months > 0,
		  st->update_months, "month");
	{
		char key[256];

		snprintf(key, sizeof(key), "%s.responder", prefix);
		add_str(vals, key, st->responder);
	}
	for (k = 0; k < st->nsteps; k++)
		add_count(vals, prefix, st->step[k].id, "days", 1,
			  st->step[k].days, "working day");
}

void tc_rules_add_values(const struct tc_rules *r, cJSON *vals)
{
	char text[64], key[256];
	size_t i;
	int s;

	if (r->end_of_day >= 0)
		clock_text(text, sizeof(text), r->end_of_day);
	add_str(vals, "rules.end_of_day", r->end_of_day >= 0 ? text : NULL);
	add_count(vals, "rules", "time_limit", "months",
		  r->time_limit_months > 0, r->time_limit_months, "month");
	add_count(vals, "rules", "retention", "years", r->retention_years > 0,
		  r->retention_years, "year");
	add_count(vals, "rules", "service_request", "days",
		  r->service_request_days > 0, r->service_request_days,
		  "working day");
	add_count(vals, "rules", "comment_reply", "days",
		  r->comment_reply_days > 0, r->comment_reply_days,
		  "working day");
	add_count(vals, "rules", "duplicate_window", "days",
		  r->duplicate_window_days > 0, r->duplicate_window_days,
		  "calendar day");
	add_count(vals, "rules", "restriction_review", "months",
		  r->restriction_review_months > 0,
		  r->restriction_review_months, "month");
	add_count(vals, "rules", "restriction_appeal", "days",
		  r->restriction_appeal_days > 0, r->restriction_appeal_days,
		  "working day");
	for (i = 0; i < r->nproc; i++) {
		const struct tc_procedure *p = &r->proc[i];
		char prefix[200];

		snprintf(prefix, sizeof(prefix), "rules.%s", p->id);
		snprintf(key, sizeof(key), "%s.name", prefix);
		add_str(vals, key, p->name);
		snprintf(key, sizeof(key), "%s.ombudsman", prefix);
		add_str(vals, key, p->ombudsman);
		snprintf(key, sizeof(key), "%s.ombudsman_url", prefix);
		add_str(vals, key, p->ombudsman_url);
		snprintf(key, sizeof(key), "%s.ombudsman_phone", prefix);
		add_str(vals, key, p->ombudsman_phone);
		add_count(vals, prefix, "ombudsman_time_limit", "months",
			  p->ombudsman_months > 0, p->ombudsman_months,
			  "month");
		snprintf(key, sizeof(key), "%s.stages", prefix);
		snprintf(text, sizeof(text), "%d", p->nstages);
		add_str(vals, key, text);
		for (s = 0; s < p->nstages; s++)
			add_stage(vals, p->id, &p->stage[s], s + 1);
	}
}

/* Sets name to "N unit(s)" on obj when set. */
static void put_period(cJSON *obj, const char *name, int set, int count,
		       const char *unit)
{
	char text[64];

	if (!set)
		return;
	period(text, sizeof(text), count, unit);
	if (!cJSON_AddStringToObject(obj, name, text))
		tc_die_nomem();
}

static void put_true(cJSON *obj, const char *name)
{
	if (!cJSON_AddTrueToObject(obj, name))
		tc_die_nomem();
}

/* What a deadline counts from: receipt (of the complaint, or of the
 * request for this stage), the acknowledgement, or an earlier step. */
static void put_base(cJSON *obj, const struct tc_stage_rule *st,
		     enum tc_base base, int from, int has_ack)
{
	int step = base == TC_FROM_STEP && from >= 0 && from < st->nsteps;
	int ack = !step && base == TC_FROM_ACK && has_ack;

	/* All three, so that a step's never reads its stage's. */
	if (!(step ? cJSON_AddStringToObject(obj, "from_step",
					     st->step[from].name)
		   : cJSON_AddFalseToObject(obj, "from_step")) ||
	    !cJSON_AddBoolToObject(obj, "from_acknowledgement", ack) ||
	    !cJSON_AddBoolToObject(obj, "from_receipt", !step && !ack))
		tc_die_nomem();
}

static cJSON *stage_context(const struct tc_stage_rule *st, int number,
			    int last)
{
	cJSON *o = cJSON_CreateObject(), *steps;
	int k, has_ack = st->ack_days >= 0;

	if (!o || !cJSON_AddNumberToObject(o, "number", number))
		tc_die_nomem();
	if (number == 1)
		put_true(o, "first");
	if (last)
		put_true(o, "last");
	put_period(o, "acknowledge", has_ack, st->ack_days, "working day");
	if (st->respond_days > 0) {
		put_period(o, "respond", 1, st->respond_days, "working day");
		put_base(o, st, st->base, st->base_step, has_ack);
	} else {
		put_true(o, "no_deadline");
	}
	put_period(o, "extension", st->extension_max > 0, st->extension_max,
		   "working day");
	put_period(o, "next_stage_within", !last && st->window_days > 0,
		   st->window_days,
		   st->window_working ? "working day" : "calendar day");
	put_period(o, "update_after", st->update_months > 0, st->update_months,
		   "month");
	if (st->responder &&
	    !cJSON_AddStringToObject(o, "responder", st->responder))
		tc_die_nomem();
	steps = cJSON_AddArrayToObject(o, "steps");
	if (!steps)
		tc_die_nomem();
	for (k = 0; k < st->nsteps; k++) {
		cJSON *so = cJSON_CreateObject();

		if (!so ||
		    !cJSON_AddStringToObject(so, "name", st->step[k].name))
			tc_die_nomem();
		put_period(so, "within", 1, st->step[k].days, "working day");
		put_base(so, st, st->step[k].base, st->step[k].from, has_ack);
		cJSON_AddItemToArray(steps, so);
	}
	return o;
}

cJSON *tc_rules_timescales(const struct tc_rules *r)
{
	cJSON *ctx = cJSON_CreateObject(), *procs;
	size_t i;
	int s;

	if (!ctx || !(procs = cJSON_AddArrayToObject(ctx, "procedures")))
		tc_die_nomem();
	for (i = 0; i < r->nproc; i++) {
		const struct tc_procedure *p = &r->proc[i];
		cJSON *po = cJSON_CreateObject(), *stages;

		if (!po || !cJSON_AddStringToObject(po, "id", p->id) ||
		    !cJSON_AddStringToObject(po, "name", p->name) ||
		    !cJSON_AddStringToObject(po, "ombudsman", p->ombudsman) ||
		    !(stages = cJSON_AddArrayToObject(po, "stages")))
			tc_die_nomem();
		for (s = 0; s < p->nstages; s++)
			cJSON_AddItemToArray(
			    stages, stage_context(&p->stage[s], s + 1,
						  s == p->nstages - 1));
		cJSON_AddItemToArray(procs, po);
	}
	return ctx;
}

int tc_rules_example_day(const struct tc_rules *r, const char *name,
			 tc_day from, tc_day *out)
{
	char proc[64], what[16];
	int stage, n = 0, rc;
	struct cw_case c;
	struct cw_stage *s;

	if (sscanf(name, "rules.%63[a-z0-9_-].stage%d.%15[a-z]%n", proc, &stage,
		   what, &n) != 3 ||
	    name[n] || stage < 1 || stage > CW_MAX_STAGES ||
	    (strcmp(what, "acknowledge") && strcmp(what, "respond")) ||
	    !tc_rules_procedure(r, proc))
		return -1;
	if (tc_calendar_next_working(r->cal, from, &from) < 0)
		return 2;
	memset(&c, 0, sizeof(c));
	c.type = tc_xstrdup("complaint");
	c.procedure = tc_xstrdup(proc);
	c.status = tc_xstrdup("open");
	c.stage = stage;
	c.received_date = from;
	c.nstages = 1;
	cw_stage_open(&c.stages[0], stage, from, NULL);
	s = &c.stages[0];
	rc = cw_case_recompute(r, &c) < 0 ? 2 : 0;
	if (!rc) {
		*out =
		    !strcmp(what, "acknowledge") ? s->ack_due : s->respond_due;
		rc = *out == CW_NODAY ? 1 : 0;
	}
	cw_case_release(&c);
	return rc;
}
