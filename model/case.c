/*
 * case.c: a case's deadlines and status from the rules and the recorded
 * dates, its flags, and its release (see case.h).
 */
#include "case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"

const struct tc_stage_rule *cw_case_stage_rule(const struct tc_rules *r,
					       const struct cw_case *c, int n)
{
	const struct tc_procedure *p = tc_rules_procedure(r, c->procedure);

	if (!p || n < 1 || n > p->nstages)
		return NULL;
	return &p->stage[n - 1];
}

struct cw_stage *cw_case_current(struct cw_case *c)
{
	return c->nstages ? &c->stages[c->nstages - 1] : NULL;
}

static int add(const struct tc_rules *r, const struct cw_case *c, tc_day from,
	       int n, tc_day *out)
{
	char d[11];

	if (tc_calendar_add_working(r->cal, from, n, out) == 0)
		return 0;
	tc_day_format(from, d);
	tc_warnx("%s: %d working days after %s lie beyond the calendar "
		 "(extend %s)",
		 c->reference ? c->reference : "case", n, d, r->calendar_path);
	return -1;
}

void cw_stage_open(struct cw_stage *s, int stage, tc_day request,
		   const char *submission_id)
{
	memset(s, 0, sizeof(*s));
	s->stage = stage;
	s->submission_id = submission_id ? tc_xstrdup(submission_id) : NULL;
	s->request = request;
	s->ack_due = s->acknowledged = s->respond_due = s->responded = CW_NODAY;
	s->window_closes = s->closed = s->update_due = s->updated = CW_NODAY;
}

void cw_stage_sync_steps(const struct tc_stage_rule *sr, struct cw_stage *s)
{
	struct cw_step old[TC_MAX_STEPS];
	int i, j, n = s->nsteps;

	memcpy(old, s->steps, sizeof(old));
	for (i = 0; i < sr->nsteps; i++) {
		s->steps[i].id = tc_xstrdup(sr->step[i].id);
		s->steps[i].due = s->steps[i].done = CW_NODAY;
		for (j = 0; j < n; j++)
			if (old[j].id && !strcmp(old[j].id, sr->step[i].id))
				s->steps[i].done = old[j].done;
	}
	for (j = 0; j < n; j++)
		free(old[j].id);
	s->nsteps = sr->nsteps;
}

static int add_day(cJSON *o, const char *k, tc_day d)
{
	char buf[11];

	return d == CW_NODAY
		   ? cJSON_AddNullToObject(o, k) != NULL
		   : cJSON_AddStringToObject(o, k, cw_day_str(d, buf)) != NULL;
}

cJSON *cw_stage_steps_json(const struct cw_stage *s)
{
	cJSON *a = cJSON_CreateArray();
	int i;

	if (!a)
		tc_die_nomem();
	for (i = 0; i < s->nsteps; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(a, o) ||
		    !cJSON_AddStringToObject(o, "step", s->steps[i].id) ||
		    !add_day(o, "due", s->steps[i].due) ||
		    !add_day(o, "done", s->steps[i].done))
			tc_die_nomem();
	}
	return a;
}

static tc_day read_day(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	tc_day d;

	return cJSON_IsString(v) && tc_day_parse(v->valuestring, &d) == 0
		   ? d
		   : CW_NODAY;
}

void cw_stage_steps_read(struct cw_stage *s, const cJSON *arr)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, arr)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "step");
		struct cw_step *sp = &s->steps[s->nsteps];

		if (!cJSON_IsString(id) || s->nsteps >= TC_MAX_STEPS)
			continue;
		sp->id = tc_xstrdup(id->valuestring);
		sp->due = read_day(o, "due");
		sp->done = read_day(o, "done");
		s->nsteps++;
	}
}

/* The day a deadline counting from base counts from. */
static tc_day base_day(const struct cw_stage *s, enum tc_base base, int step)
{
	const struct cw_step *sp;

	switch (base) {
	case TC_FROM_REQUEST:
		return s->request;
	case TC_FROM_STEP:
		sp = &s->steps[step];
		return sp->done != CW_NODAY ? sp->done : sp->due;
	case TC_FROM_ACK:
	default:
		if (s->acknowledged != CW_NODAY)
			return s->acknowledged;
		return s->ack_due != CW_NODAY ? s->ack_due : s->request;
	}
}

/* Stage s's deadlines under sr. */
static int stage_deadlines(const struct tc_rules *r, const struct cw_case *c,
			   const struct tc_stage_rule *sr, struct cw_stage *s)
{
	int i;

	s->ack_due = CW_NODAY;
	if (sr->ack_days >= 0 &&
	    add(r, c, s->request, sr->ack_days, &s->ack_due) < 0)
		return -1;
	cw_stage_sync_steps(sr, s);
	for (i = 0; i < s->nsteps; i++)
		if (add(r, c, base_day(s, sr->step[i].base, sr->step[i].from),
			sr->step[i].days, &s->steps[i].due) < 0)
			return -1;
	s->respond_due = CW_NODAY;
	if (sr->respond_days > 0 &&
	    add(r, c, base_day(s, sr->base, sr->base_step),
		sr->respond_days + s->extension_days, &s->respond_due) < 0)
		return -1;
	s->update_due = CW_NODAY;
	if (sr->update_months > 0 && s->responded == CW_NODAY)
		s->update_due = tc_day_add_months(
		    s->updated != CW_NODAY ? s->updated : s->request,
		    sr->update_months);
	s->window_closes = CW_NODAY;
	if (s->responded == CW_NODAY || sr->window_days <= 0)
		return 0;
	if (!sr->window_working)
		s->window_closes = s->responded + sr->window_days;
	else if (add(r, c, s->responded, sr->window_days, &s->window_closes) <
		 0)
		return -1;
	return 0;
}

int cw_case_recompute(const struct tc_rules *r, struct cw_case *c)
{
	const struct tc_procedure *p = tc_rules_procedure(r, c->procedure);
	struct cw_stage *cur;
	int i;

	if (!p) {
		c->reply_due = CW_NODAY;
		if (c->reply_days > 0 && add(r, c, c->received_date,
					     c->reply_days, &c->reply_due) < 0)
			return -1;
		return 0;
	}
	for (i = 0; i < c->nstages; i++) {
		struct cw_stage *s = &c->stages[i];
		const struct tc_stage_rule *sr =
		    cw_case_stage_rule(r, c, s->stage);

		if (sr && stage_deadlines(r, c, sr, s) < 0)
			return -1;
	}
	cur = cw_case_current(c);
	if (c->merged_into) {
		if (strcmp(c->status, "merged")) {
			free(c->status);
			c->status = tc_xstrdup("merged");
		}
	} else if (cur && strcmp(c->type, "complaint") == 0) {
		const char *st = "open";

		if (cur->closed != CW_NODAY)
			st = "closed";
		else if (cur->responded != CW_NODAY)
			st = "responded";
		else if (cur->acknowledged != CW_NODAY)
			st = "acknowledged";
		if (strcmp(c->status, st)) {
			char *d = strdup(st);

			if (!d)
				tc_die_nomem();
			free(c->status);
			c->status = d;
		}
	}
	return 0;
}

int cw_case_urgent(const struct cw_case *c)
{
	return c->priority && !strcmp(c->priority, "urgent");
}

void cw_case_set_priority(struct cw_case *c, const char *priority)
{
	free(c->priority);
	c->priority = tc_xstrdup(priority);
}

int cw_case_has_flag(const struct cw_case *c, const char *flag)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, c->flags)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(f, "flag");

		if (cJSON_IsString(n) && !strcmp(n->valuestring, flag))
			return 1;
	}
	return 0;
}

void cw_case_flag(struct cw_case *c, const char *flag, const char *detail)
{
	cJSON *o;

	if (!c->flags && !(c->flags = cJSON_CreateArray()))
		tc_die_nomem();
	if (cw_case_has_flag(c, flag))
		return;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "flag", flag) ||
	    !cJSON_AddStringToObject(o, "detail", detail ? detail : ""))
		tc_die_nomem();
	cJSON_AddItemToArray(c->flags, o);
}

static void stage_release(struct cw_stage *s)
{
	int i;

	for (i = 0; i < s->nsteps; i++)
		free(s->steps[i].id);
	free(s->submission_id);
	free(s->extension_reason);
	free(s->outcome);
	free(s->remedy);
	free(s->learning);
	free(s->handler);
}

void cw_case_release(struct cw_case *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->nstages; i++)
		stage_release(&c->stages[i]);
	free(c->reference);
	free(c->type);
	free(c->procedure);
	free(c->status);
	free(c->submission_id);
	free(c->received);
	free(c->service_area);
	free(c->team);
	free(c->person_key);
	free(c->priority);
	free(c->name);
	free(c->email);
	free(c->phone);
	free(c->postcode);
	free(c->channel);
	cJSON_Delete(c->actions);
	cJSON_Delete(c->ombudsman);
	cJSON_Delete(c->links);
	cJSON_Delete(c->flags);
	free(c->handler);
	memset(c, 0, sizeof(*c));
}

const char *cw_day_str(tc_day d, char buf[11])
{
	if (d == CW_NODAY)
		return NULL;
	tc_day_format(d, buf);
	return buf;
}

void cw_case_escalate(struct cw_case *c, tc_day date, const char *submission_id)
{
	struct cw_stage *cur = cw_case_current(c), *nx;
	char d[11], msg[200];

	if (c->nstages >= CW_MAX_STAGES)
		TC_BUG("a case with no stage left to open");
	if (cur && cur->window_closes != CW_NODAY &&
	    date > cur->window_closes) {
		tc_day_format(cur->window_closes, d);
		snprintf(msg, sizeof(msg),
			 "asked for stage %d after the window closed on %s: "
			 "decide whether to accept it",
			 cur->stage + 1, d);
		cw_case_flag(c, "review_out_of_time", msg);
	}
	nx = &c->stages[c->nstages++];
	cw_stage_open(nx, cur ? cur->stage + 1 : 1, date, submission_id);
	c->stage = nx->stage;
}
