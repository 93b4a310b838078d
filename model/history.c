/*
 * history.c: a case rebuilt from its history as corrected (see history.h).
 */
#include "history.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "buffer.h"
#include "err.h"

void cw_history_add(struct cw_history *h, int64_t id, const char *event,
		    int stage, tc_day date, cJSON *detail, const char *by)
{
	struct cw_hist_event *e;

	TC_ALLOC_GROW(h->v, h->n + 1, h->alloc);
	e = &h->v[h->n++];
	e->id = id;
	e->event = tc_xstrdup(event);
	e->stage = stage;
	e->date = date;
	e->detail = detail ? detail : cJSON_CreateObject();
	if (!e->detail)
		tc_die_nomem();
	e->by = by && by[0] ? tc_xstrdup(by) : NULL;
}

const struct cw_hist_event *cw_history_find(const struct cw_history *h,
					    int64_t id)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].id == id)
			return &h->v[i];
	return NULL;
}

void cw_history_release(struct cw_history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].event);
		free(h->v[i].by);
		cJSON_Delete(h->v[i].detail);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

void cw_faults_release(struct cw_faults *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

const struct cw_fault *cw_faults_new(const struct cw_faults *before,
				     const struct cw_faults *after)
{
	size_t i, j;

	for (i = 0; i < after->n; i++) {
		for (j = 0; j < before->n; j++)
			if (before->v[j].id == after->v[i].id &&
			    !strcmp(before->v[j].msg, after->v[i].msg))
				break;
		if (j == before->n)
			return &after->v[i];
	}
	return NULL;
}

/* ---- Decisions on flags ---- */

static const struct {
	const char *flag;
	const char *outcomes; /* comma-separated; the first ones "kept" */
	const char *kept;     /* the outcome that keeps a note under review */
} flag_outcomes[] = {
    {"late", "accepted,refused", NULL},
    {"reasonable_adjustments", "agreed,declined", "agreed"},
    {"third_party_without_consent", "consent-received,refused", NULL},
    {"restricted_contact", "confirmed,not-the-person", NULL},
    {"possible_exclusion", "confirmed,not-excluded", NULL},
    {"possible_duplicate", "separate,merged", NULL},
    {"anonymous", "noted", NULL},
    {"review_out_of_time", "accepted,refused", NULL},
    {"early_review", "accepted,refused", NULL},
    {"unmatched_review", "matched,not-a-review", NULL},
    {"urgent", "confirmed,not-urgent", NULL},
    {"member_enquiry", "noted,consent-received", NULL},
};

#define NFLAGS (sizeof(flag_outcomes) / sizeof(flag_outcomes[0]))

const char *cw_flag_outcomes(const char *flag)
{
	size_t i;

	for (i = 0; i < NFLAGS; i++)
		if (!strcmp(flag_outcomes[i].flag, flag))
			return flag_outcomes[i].outcomes;
	return "accepted,refused";
}

int cw_flag_outcome_ok(const char *flag, const char *outcome)
{
	const char *list = cw_flag_outcomes(flag), *p = list;
	size_t n = strlen(outcome);

	while (n && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, outcome, n))
			return 1;
		p += len + (end != NULL);
	}
	return 0;
}

int cw_flag_outcome_kept(const char *flag, const char *outcome)
{
	size_t i;

	for (i = 0; i < NFLAGS; i++)
		if (!strcmp(flag_outcomes[i].flag, flag))
			return flag_outcomes[i].kept &&
			       !strcmp(flag_outcomes[i].kept, outcome);
	return 0;
}

int cw_flag_decided(const cJSON *flag)
{
	return cJSON_IsObject(
	    cJSON_GetObjectItemCaseSensitive(flag, "decision"));
}

/* ---- Replay ---- */

/* An event as the corrections leave it. */
struct eff {
	const struct cw_hist_event *e;
	tc_day date;
	cJSON *detail; /* a copy, corrections applied */
	int withdrawn;
};

struct replay {
	const struct tc_rules *r;
	struct cw_case *c;
	const struct tc_procedure *p;
	struct cw_faults *faults;
	struct eff *v;
	size_t n;
};

static void fault(struct replay *x, int64_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fault(struct replay *x, int64_t id, const char *fmt, ...)
{
	struct cw_fault *f;
	va_list ap;

	if (!x->faults)
		return;
	TC_ALLOC_GROW(x->faults->v, x->faults->n + 1, x->faults->alloc);
	f = &x->faults->v[x->faults->n++];
	f->id = id;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

static const char *dstr(tc_day d, char buf[11])
{
	if (d == CW_NODAY)
		return "-";
	tc_day_format(d, buf);
	return buf;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static int64_t target_of(const struct cw_hist_event *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e->detail, "event");

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static struct eff *find_eff(struct replay *x, int64_t id)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (x->v[i].e->id == id)
			return &x->v[i];
	return NULL;
}

static int is_meta(const char *ev)
{
	return !strcmp(ev, "corrected") || !strcmp(ev, "withdrawn");
}

/* The event a correction or withdrawal points at, or NULL (a fault). */
static struct eff *target(struct replay *x, struct eff *m)
{
	int64_t t = target_of(m->e);
	struct eff *to = t ? find_eff(x, t) : NULL;

	if (!to) {
		fault(x, m->e->id,
		      "%s points at event %lld, which is not in this case's "
		      "history",
		      m->e->event, (long long)t);
		return NULL;
	}
	if (to->e->id >= m->e->id) {
		fault(x, m->e->id,
		      "%s points at event %lld, which comes after it",
		      m->e->event, (long long)t);
		return NULL;
	}
	if (!strcmp(m->e->event, "withdrawn") &&
	    (!strcmp(to->e->event, "received") ||
	     !strcmp(to->e->event, "withdrawn"))) {
		fault(x, m->e->id, "event %lld (%s) cannot be withdrawn%s",
		      (long long)t, to->e->event,
		      strcmp(to->e->event, "received")
			  ? ""
			  : ": correct its date instead");
		return NULL;
	}
	if (!strcmp(m->e->event, "corrected") && is_meta(to->e->event)) {
		fault(
		    x, m->e->id,
		    "event %lld is a %s: withdraw it instead of correcting it",
		    (long long)t, to->e->event);
		return NULL;
	}
	return to;
}

/* The effective events: withdrawals first, then corrections in order. */
static void effective(struct replay *x, const struct cw_history *h)
{
	size_t i;

	x->v = calloc(h->n ? h->n : 1, sizeof(*x->v));
	if (!x->v)
		tc_die_nomem();
	x->n = h->n;
	for (i = 0; i < h->n; i++) {
		x->v[i].e = &h->v[i];
		x->v[i].date = h->v[i].date;
		x->v[i].detail = cJSON_Duplicate(h->v[i].detail, 1);
		if (!x->v[i].detail)
			tc_die_nomem();
	}
	for (i = 0; i < x->n; i++) {
		struct eff *t;

		if (strcmp(x->v[i].e->event, "withdrawn"))
			continue;
		t = target(x, &x->v[i]);
		if (t && t->withdrawn)
			fault(x, x->v[i].e->id,
			      "event %lld was withdrawn already",
			      (long long)t->e->id);
		else if (t)
			t->withdrawn = 1;
	}
	for (i = 0; i < x->n; i++) {
		struct eff *m = &x->v[i], *t;
		const cJSON *set, *it;
		const char *d;

		if (strcmp(m->e->event, "corrected") || m->withdrawn)
			continue;
		t = target(x, m);
		if (!t)
			continue;
		d = str(m->e->detail, "date");
		if (d && tc_day_parse(d, &t->date) < 0)
			fault(x, m->e->id,
			      "the corrected date '%s' is not a "
			      "date YYYY-MM-DD",
			      d);
		set = cJSON_GetObjectItemCaseSensitive(m->e->detail, "set");
		cJSON_ArrayForEach(it, set)
		{
			cJSON *cp = cJSON_Duplicate(it, 1);

			if (!cp)
				tc_die_nomem();
			if (cJSON_HasObjectItem(t->detail, it->string))
				cJSON_ReplaceItemInObjectCaseSensitive(
				    t->detail, it->string, cp);
			else
				cJSON_AddItemToObject(t->detail, it->string,
						      cp);
		}
	}
}

static const char *base_status(const struct cw_case *c)
{
	if (c->procedure)
		return "open";
	if (!strcmp(c->type, "compliment") || !strcmp(c->type, "comment"))
		return "recorded";
	if (!strcmp(c->type, "signposted"))
		return "signposted";
	if (!strcmp(c->type, "review"))
		return "unmatched";
	return "open";
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? tc_xstrdup(v) : NULL;
}

static void clear_stage(struct cw_stage *s)
{
	int i;

	for (i = 0; i < s->nsteps; i++)
		free(s->steps[i].id);
	s->nsteps = 0;
	s->updated = s->update_due = CW_NODAY;
	s->exceptional = 0;
	free(s->extension_reason);
	free(s->outcome);
	free(s->remedy);
	free(s->learning);
	free(s->handler);
	s->extension_reason = s->outcome = s->remedy = s->learning = NULL;
	s->handler = NULL;
	s->acknowledged = s->responded = s->closed = CW_NODAY;
	s->extension_days = 0;
}

/* Frees every stage: the case has none. */
static void drop_stages(struct cw_case *c)
{
	int i;

	for (i = 0; i < c->nstages; i++) {
		clear_stage(&c->stages[i]);
		free(c->stages[i].submission_id);
		memset(&c->stages[i], 0, sizeof(c->stages[i]));
	}
	c->nstages = c->stage = 0;
}

/* Opens stage 1, counted from request. */
static void first_stage(struct cw_case *c, tc_day request)
{
	cw_stage_open(&c->stages[0], 1, request, c->submission_id);
	c->nstages = c->stage = 1;
}

static const struct tc_procedure *procedure_of(struct replay *x)
{
	return x->c->procedure ? tc_rules_procedure(x->r, x->c->procedure)
			       : NULL;
}

/* What the case was before the first event that changed it: its type,
 * reference, procedure and reply days (the first reclassification's
 * from_*), its service area (the first move's), its team (the first
 * reassignment's or move's). */
static void base_values(struct replay *x)
{
	struct cw_case *c = x->c;
	int type = 0, area = 0, team = 0, proc = 0;
	size_t k;

	for (k = 0; k < x->n; k++) {
		const char *ev = x->v[k].e->event;
		const cJSON *d = x->v[k].e->detail;

		if (!strcmp(ev, "reclassified") && !type++ &&
		    str(d, "from_type")) {
			set_str(&c->type, str(d, "from_type"));
			if (str(d, "from_reference"))
				set_str(&c->reference,
					str(d, "from_reference"));
			if (!proc++)
				set_str(&c->procedure,
					str(d, "from_procedure"));
			c->reply_days = (int)cJSON_GetNumberValue(
			    cJSON_GetObjectItemCaseSensitive(
				d, "from_reply_days"));
			if (c->reply_days < 0)
				c->reply_days = 0;
		}
		if (!strcmp(ev, "moved") && !area++ && str(d, "from"))
			set_str(&c->service_area, str(d, "from"));
		if (!strcmp(ev, "moved") && str(d, "procedure_from") && !proc++)
			set_str(&c->procedure, str(d, "procedure_from"));
		if (!team && ((!strcmp(ev, "reassigned") && str(d, "from")) ||
			      (!strcmp(ev, "moved") && str(d, "team_from")))) {
			set_str(
			    &c->team,
			    str(d, strcmp(ev, "moved") ? "from" : "team_from"));
			team = 1;
		}
	}
}

/* The case as it was before any event: stage 1 only (for a complaint),
 * nothing recorded, the first type, area and team, no decisions. */
static void reset(struct replay *x)
{
	struct cw_case *c = x->c;
	const cJSON *f;

	base_values(x);
	x->p = procedure_of(x);
	drop_stages(c);
	if (x->p)
		first_stage(c, c->received_date);
	set_str(&c->status, base_status(c));
	c->replied = CW_NODAY;
	cw_case_set_priority(c, cw_case_has_flag(c, "urgent") ? "urgent"
							      : "normal");
	cJSON_ArrayForEach(f, c->flags)
	    cJSON_DeleteItemFromObjectCaseSensitive((cJSON *)f, "decision");
	cJSON_Delete(c->actions);
	cJSON_Delete(c->ombudsman);
	cJSON_Delete(c->links);
	c->ombudsman = NULL;
	c->merged_into = 0;
	set_str(&c->handler, NULL);
	if (!(c->actions = cJSON_CreateArray()) ||
	    !(c->links = cJSON_CreateArray()))
		tc_die_nomem();
}

/* An open flag that event e answers: decided as outcome, with the event's
 * reason and date. */
static void decide_by(struct replay *x, const struct eff *e, const char *flag,
		      const char *outcome)
{
	const char *why = str(e->detail, "reason");
	cJSON *f, *dec;
	char d[11];

	cJSON_ArrayForEach(f, x->c->flags)
	{
		const char *n = str(f, "flag");

		if (!n || strcmp(n, flag) || cw_flag_decided(f))
			continue;
		dec = cJSON_CreateObject();
		if (!dec || !cJSON_AddStringToObject(dec, "outcome", outcome) ||
		    !cJSON_AddStringToObject(dec, "reason", why ? why : "") ||
		    !cJSON_AddStringToObject(dec, "date", dstr(e->date, d)) ||
		    !cJSON_AddNumberToObject(dec, "event", (double)e->e->id))
			tc_die_nomem();
		cJSON_AddItemToObject(f, "decision", dec);
	}
}

/* A change of type: the new reference, procedure and reply days, and the
 * stages the new type has (a complaint's clock starts on the day). */
static void ap_reclassified(struct replay *x, const struct eff *e)
{
	struct cw_case *c = x->c;
	const char *to = str(e->detail, "to");
	const char *ref = str(e->detail, "reference");
	int days = (int)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(e->detail, "reply_days"));

	if (!to || !ref) {
		fault(x, e->e->id, "reclassified names no type or reference");
		return;
	}
	if (c->nstages > 1) {
		fault(x, e->e->id,
		      "the case is at stage %d: a reclassification comes "
		      "before any escalation",
		      c->stage);
		return;
	}
	set_str(&c->type, to);
	set_str(&c->reference, ref);
	set_str(&c->procedure, str(e->detail, "procedure"));
	c->reply_days = days > 0 ? days : 0;
	x->p = procedure_of(x);
	drop_stages(c);
	if (x->p)
		first_stage(c, e->date);
	set_str(&c->status, base_status(c));
	/* signposted: the exclusion it might have been is confirmed */
	if (!strcmp(to, "signposted"))
		decide_by(x, e, "possible_exclusion", "confirmed");
}

static void ap_moved(struct replay *x, const struct eff *e)
{
	const char *proc = str(e->detail, "procedure_to");

	if (proc && x->c->nstages > 1) {
		fault(x, e->e->id,
		      "the case is at stage %d: a move to another procedure "
		      "comes before any escalation",
		      x->c->stage);
		return;
	}
	if (str(e->detail, "to"))
		set_str(&x->c->service_area, str(e->detail, "to"));
	if (str(e->detail, "team_to"))
		set_str(&x->c->team, str(e->detail, "team_to"));
	if (proc && x->p) {
		set_str(&x->c->procedure, proc);
		x->p = procedure_of(x);
	}
}

/* The stage an event was recorded against, or NULL (a fault). */
static struct cw_stage *stage_of(struct replay *x, const struct eff *e)
{
	struct cw_case *c = x->c;
	struct cw_stage *s;
	char d[11];

	if (!x->p) {
		fault(x, e->e->id, "%s: a %s has no stages", e->e->event,
		      c->type);
		return NULL;
	}
	if (e->e->stage < 1 || e->e->stage > c->nstages) {
		fault(x, e->e->id, "%s: stage %d is not open", e->e->event,
		      e->e->stage);
		return NULL;
	}
	s = &c->stages[e->e->stage - 1];
	if (s->closed != CW_NODAY && strcmp(e->e->event, "closed")) {
		fault(x, e->e->id, "%s: stage %d was closed on %s", e->e->event,
		      s->stage, dstr(s->closed, d));
		return NULL;
	}
	return s;
}

/* A fault when date comes before after (what it follows). */
static void not_before(struct replay *x, const struct eff *e, tc_day after,
		       const char *what)
{
	char a[11], b[11];

	if (after != CW_NODAY && e->date < after)
		fault(x, e->e->id, "%s on %s is before %s on %s", e->e->event,
		      dstr(e->date, a), what, dstr(after, b));
}

/* Records date in *slot unless it was done: 0, or -1 (a fault). */
static int once(struct replay *x, const struct eff *e, struct cw_stage *s,
		tc_day *slot, const char *done)
{
	char d[11];

	if (*slot != CW_NODAY) {
		fault(x, e->e->id,
		      "stage %d was %s on %s already: correct that event to "
		      "change it",
		      s->stage, done, dstr(*slot, d));
		return -1;
	}
	*slot = e->date;
	return 0;
}

/* The stage an event was recorded against, checked not to come before
 * the stage was opened; NULL (a fault) when there is none to record on. */
static struct cw_stage *opened_stage(struct replay *x, const struct eff *e)
{
	struct cw_stage *s = stage_of(x, e);
	char opened[40];

	if (s) {
		snprintf(opened, sizeof(opened), "stage %d was opened",
			 s->stage);
		not_before(x, e, s->request, opened);
	}
	return s;
}

static void ap_acknowledged(struct replay *x, const struct eff *e)
{
	struct cw_stage *s = opened_stage(x, e);

	if (s && once(x, e, s, &s->acknowledged, "acknowledged") == 0 &&
	    s->responded != CW_NODAY && e->date > s->responded)
		fault(x, e->e->id, "acknowledged after stage %d was answered",
		      s->stage);
}

/* A record's reply (a service request answered, a comment replied to). */
static void ap_replied(struct replay *x, const struct eff *e)
{
	struct cw_case *c = x->c;
	char d[11];

	if (c->replied != CW_NODAY) {
		fault(x, e->e->id,
		      "the %s was replied to on %s already: correct that "
		      "event to change it",
		      c->type, dstr(c->replied, d));
		return;
	}
	if (!strcmp(c->status, "closed")) {
		fault(x, e->e->id, "the %s is closed", c->type);
		return;
	}
	c->replied = e->date;
	if (!strcmp(c->type, "service_request"))
		set_str(&c->status, "responded");
}

static void ap_responded(struct replay *x, const struct eff *e)
{
	struct cw_stage *s;

	if (!x->p) {
		ap_replied(x, e);
		return;
	}
	s = opened_stage(x, e);

	if (!s)
		return;
	not_before(x, e, s->acknowledged, "it was acknowledged");
	once(x, e, s, &s->responded, "responded to");
}

static void ap_extended(struct replay *x, const struct eff *e)
{
	struct cw_stage *s = opened_stage(x, e);
	const struct tc_stage_rule *sr;
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(e->detail, "days");
	int n = cJSON_IsNumber(days) ? (int)days->valuedouble : 0;
	int exceptional, most;
	char d[11];

	if (!s)
		return;
	sr = &x->p->stage[s->stage - 1];
	if (s->extension_days) {
		fault(x, e->e->id,
		      "stage %d was extended already; the rules allow one "
		      "extension",
		      s->stage);
		return;
	}
	if (s->responded != CW_NODAY && e->date > s->responded) {
		fault(x, e->e->id,
		      "stage %d was answered on %s: there is nothing left to "
		      "extend",
		      s->stage, dstr(s->responded, d));
		return;
	}
	if (sr->respond_days == 0) {
		fault(x, e->e->id,
		      "stage %d has no fixed response deadline to extend: "
		      "record an update to the resident instead",
		      s->stage);
		return;
	}
	exceptional = cJSON_IsTrue(
	    cJSON_GetObjectItemCaseSensitive(e->detail, "exceptional"));
	if (exceptional && !sr->exceptional_max) {
		fault(x, e->e->id,
		      "the rules allow no exceptional extension at stage %d",
		      s->stage);
		return;
	}
	most = sr->extension_max + (exceptional ? sr->exceptional_max : 0);
	if (n < 1 || n > most) {
		fault(x, e->e->id,
		      "stage %d may be extended by 1 to %d working days%s, not "
		      "%d",
		      s->stage, most,
		      exceptional || !sr->exceptional_max
			  ? ""
			  : " (more only for exceptional circumstances)",
		      n);
		return;
	}
	s->extension_days = n;
	s->exceptional = exceptional && n > sr->extension_max;
	set_str(&s->extension_reason, str(e->detail, "reason"));
}

/* A step of the stage done: the review panel met, its report came. */
static void ap_step(struct replay *x, const struct eff *e)
{
	struct cw_stage *s = opened_stage(x, e);
	const char *id = str(e->detail, "step");
	const struct tc_stage_rule *sr;
	struct tc_buf ids = {tc_buf_empty, 0, 0, 0};
	int i;

	if (!s)
		return;
	sr = &x->p->stage[s->stage - 1];
	cw_stage_sync_steps(sr, s);
	i = tc_rules_step(sr, id);
	if (i < 0) {
		for (i = 0; i < sr->nsteps; i++)
			if (tc_buf_addf(&ids, "%s%s", i ? ", " : "",
					sr->step[i].id) < 0)
				tc_die_nomem();
		fault(x, e->e->id, "stage %d has no step '%s' (%s)", s->stage,
		      id ? id : "", ids.len ? ids.data : "it has no steps");
		tc_buf_release(&ids);
		return;
	}
	if (s->steps[i].done != CW_NODAY) {
		char d[11];

		fault(
		    x, e->e->id,
		    "stage %d's step '%s' was recorded on %s already: correct "
		    "that event to change it",
		    s->stage, sr->step[i].name, dstr(s->steps[i].done, d));
		return;
	}
	s->steps[i].done = e->date;
}

/* The resident told why the stage is not answered yet. */
static void ap_updated(struct replay *x, const struct eff *e)
{
	struct cw_stage *s = opened_stage(x, e);
	char d[11];

	if (!s)
		return;
	if (s->responded != CW_NODAY && e->date > s->responded) {
		fault(x, e->e->id,
		      "stage %d was answered on %s: there is no delay to "
		      "explain",
		      s->stage, dstr(s->responded, d));
		return;
	}
	not_before(x, e, s->updated, "the last update");
	if (s->updated == CW_NODAY || e->date > s->updated)
		s->updated = e->date;
}

static int ap_escalated(struct replay *x, const struct eff *e)
{
	struct cw_case *c = x->c;
	struct cw_stage *cur;
	const char *sub = str(e->detail, "submission");
	char a[11], b[11];

	if (!x->p) {
		fault(x, e->e->id, "a %s has no stages to escalate", c->type);
		return 0;
	}
	if (c->nstages >= x->p->nstages || c->nstages >= CW_MAX_STAGES) {
		fault(x, e->e->id,
		      "the case is at the last stage of its procedure: "
		      "signpost the Ombudsman");
		return 0;
	}
	if (cw_case_recompute(x->r, c) < 0)
		return -1;
	cur = cw_case_current(c);
	not_before(x, e, cur->request, "the stage was opened");
	not_before(x, e, cur->responded, "the stage was answered");
	if (cur->responded == CW_NODAY &&
	    (cur->respond_due == CW_NODAY || e->date <= cur->respond_due) &&
	    !str(e->detail, "reason")) {
		char msg[200];

		snprintf(msg, sizeof(msg),
			 "stage %d asked for on %s, before stage %d was "
			 "answered or overdue (respond by %s)",
			 cur->stage + 1, dstr(e->date, a), cur->stage,
			 dstr(cur->respond_due, b));
		if (sub)
			cw_case_flag(c, "early_review", msg);
		else
			fault(x, e->e->id,
			      "%s: give a reason to escalate it now", msg);
	}
	cw_case_escalate(c, e->date, sub);
	/* the next stage waits for its own handler */
	set_str(&c->handler, NULL);
	return 0;
}

/* Allocated to an officer: the case's handler, and its current stage's. */
static void ap_allocated(struct replay *x, const struct eff *e)
{
	struct cw_case *c = x->c;
	const char *to = str(e->detail, "to");

	set_str(&c->handler, to);
	if (c->nstages)
		set_str(&c->stages[c->nstages - 1].handler, to);
}

static void ap_closed(struct replay *x, const struct eff *e)
{
	struct cw_case *c = x->c;
	struct cw_stage *s;
	char d[11];

	if (!x->p) {
		if (!strcmp(c->status, "closed")) {
			fault(x, e->e->id,
			      "the %s was closed already: correct that event "
			      "to change it",
			      c->type);
			return;
		}
		set_str(&c->status, "closed");
		return;
	}
	s = opened_stage(x, e);
	if (!s)
		return;
	if (s->closed != CW_NODAY) {
		fault(x, e->e->id,
		      "stage %d was closed on %s already: correct that event "
		      "to change it",
		      s->stage, dstr(s->closed, d));
		return;
	}
	not_before(x, e, s->responded, "it was answered");
	s->closed = e->date;
	set_str(&s->outcome, str(e->detail, "outcome"));
	set_str(&s->remedy, str(e->detail, "remedy"));
	set_str(&s->learning, str(e->detail, "learning"));
}

static void ap_decided(struct replay *x, const struct eff *e)
{
	const char *name = str(e->detail, "flag");
	const char *outcome = str(e->detail, "outcome");
	cJSON *f, *dec;
	char d[11];

	cJSON_ArrayForEach(f, x->c->flags)
	{
		const char *n = str(f, "flag");

		if (n && name && !strcmp(n, name))
			break;
	}
	if (!f) {
		fault(x, e->e->id, "the case carries no flag '%s'",
		      name ? name : "");
		return;
	}
	dec = cJSON_GetObjectItemCaseSensitive(f, "decision");
	if (dec) {
		fault(x, e->e->id,
		      "%s was decided on %s already: correct or withdraw that "
		      "decision",
		      name, str(dec, "date") ? str(dec, "date") : "-");
		return;
	}
	if (!outcome || !cw_flag_outcome_ok(name, outcome)) {
		char list[200], *p;

		snprintf(list, sizeof(list), "%s", cw_flag_outcomes(name));
		for (p = list; (p = strchr(p, ',')) != NULL;)
			*p = '/';
		fault(x, e->e->id, "a decision on %s is %s, not '%s'", name,
		      list, outcome ? outcome : "");
		return;
	}
	dec = cJSON_Duplicate(e->detail, 1);
	if (!dec)
		tc_die_nomem();
	cJSON_DeleteItemFromObjectCaseSensitive(dec, "flag");
	cJSON_DeleteItemFromObjectCaseSensitive(dec, "date");
	cJSON_DeleteItemFromObjectCaseSensitive(dec, "event");
	if (!cJSON_AddStringToObject(dec, "date", dstr(e->date, d)) ||
	    !cJSON_AddNumberToObject(dec, "event", (double)e->e->id))
		tc_die_nomem();
	cJSON_AddItemToObject(f, "decision", dec);
	if (!strcmp(name, "urgent"))
		cw_case_set_priority(
		    x->c, strcmp(outcome, "not-urgent") ? "urgent" : "normal");
}

static void ap_prioritised(struct replay *x, const struct eff *e)
{
	const char *p = str(e->detail, "priority");

	if (!p || (strcmp(p, "urgent") && strcmp(p, "normal"))) {
		fault(x, e->e->id, "a priority is urgent or normal, not '%s'",
		      p ? p : "");
		return;
	}
	cw_case_set_priority(x->c, p);
}

static void put(cJSON *o, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	if (v && !cJSON_AddStringToObject(o, k, v))
		tc_die_nomem();
}

static void ap_action(struct replay *x, const struct eff *e)
{
	cJSON *a = cJSON_CreateObject();
	char d[11];

	if (!a || !cJSON_AddNumberToObject(a, "event", (double)e->e->id))
		tc_die_nomem();
	put(a, "text", str(e->detail, "action"));
	put(a, "owner", str(e->detail, "owner"));
	put(a, "due", str(e->detail, "due"));
	put(a, "promised", dstr(e->date, d));
	cJSON_AddItemToArray(x->c->actions, a);
}

static void ap_action_done(struct replay *x, const struct eff *e)
{
	int64_t id = target_of(e->e);
	cJSON *a;
	char d[11];

	cJSON_ArrayForEach(a, x->c->actions)
	{
		if ((int64_t)cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(a, "event")) != id)
			continue;
		if (str(a, "done")) {
			fault(x, e->e->id, "action %lld was done on %s already",
			      (long long)id, str(a, "done"));
			return;
		}
		if (str(a, "promised") &&
		    strcmp(dstr(e->date, d), str(a, "promised")) < 0) {
			fault(x, e->e->id,
			      "action %lld done on %s, before it was promised "
			      "on %s",
			      (long long)id, d, str(a, "promised"));
			return;
		}
		put(a, "done", dstr(e->date, d));
		return;
	}
	fault(x, e->e->id, "event %lld is not an action of this case",
	      (long long)id);
}

/* The Ombudsman's steps, in order: considering, decided, complied. */
static void ap_ombudsman(struct replay *x, const struct eff *e)
{
	static const char *const steps[] = {"considering", "decided",
					    "complied", NULL};
	const char *step = str(e->detail, "step");
	cJSON *o = x->c->ombudsman;
	char d[11];
	int i, k;

	for (i = 0; steps[i] && (!step || strcmp(steps[i], step)); i++)
		;
	if (!steps[i]) {
		fault(x, e->e->id,
		      "an Ombudsman step is considering, decided or "
		      "complied, not '%s'",
		      step ? step : "");
		return;
	}
	if (!o && !(o = x->c->ombudsman = cJSON_CreateObject()))
		tc_die_nomem();
	if (str(o, step)) {
		fault(
		    x, e->e->id,
		    "the Ombudsman's '%s' was recorded on %s already: correct "
		    "that event",
		    step, str(o, step));
		return;
	}
	for (k = 0; k < i; k++)
		if (str(o, steps[k]) &&
		    strcmp(dstr(e->date, d), str(o, steps[k])) < 0)
			fault(x, e->e->id, "%s on %s is before %s on %s", step,
			      d, steps[k], str(o, steps[k]));
	if (i == 1 && !str(e->detail, "outcome")) {
		fault(x, e->e->id, "the Ombudsman's decision needs --outcome");
		return;
	}
	if (i == 2 && !str(o, "decided")) {
		fault(x, e->e->id,
		      "complied with what? record the Ombudsman's decision "
		      "first");
		return;
	}
	put(o, step, dstr(e->date, d));
	if (i == 1) {
		put(o, "decision", str(e->detail, "outcome"));
		put(o, "remedy", str(e->detail, "remedy"));
	}
}

/* A duplicate merged into another case: it is done with, and its
 * possible_duplicate flag is decided. */
static void ap_merged(struct replay *x, const struct eff *e)
{
	const cJSON *id =
	    cJSON_GetObjectItemCaseSensitive(e->detail, "into_id");

	if (x->c->merged_into) {
		fault(x, e->e->id, "the case was merged already");
		return;
	}
	x->c->merged_into = (int64_t)cJSON_GetNumberValue(id);
	set_str(&x->c->status, "merged");
	decide_by(x, e, "possible_duplicate", "merged");
}

/* A related case: its reference, once. */
static void ap_linked(struct replay *x, const struct eff *e, const char *key)
{
	const char *to = str(e->detail, key);
	const cJSON *l;

	if (!to)
		return;
	cJSON_ArrayForEach(l,
			   x->c->links) if (cJSON_IsString(l) &&
					    !strcmp(l->valuestring, to)) return;
	if (!cJSON_AddItemToArray(x->c->links, cJSON_CreateString(to)))
		tc_die_nomem();
}

static int apply(struct replay *x, const struct eff *e)
{
	const char *ev = e->e->event;
	char a[11], b[11];

	if (e->date < x->c->received_date)
		fault(x, e->e->id,
		      "%s on %s is before the case was received on %s", ev,
		      dstr(e->date, a), dstr(x->c->received_date, b));
	if (!strcmp(ev, "acknowledged"))
		ap_acknowledged(x, e);
	else if (!strcmp(ev, "responded"))
		ap_responded(x, e);
	else if (!strcmp(ev, "extended"))
		ap_extended(x, e);
	else if (!strcmp(ev, "step"))
		ap_step(x, e);
	else if (!strcmp(ev, "updated"))
		ap_updated(x, e);
	else if (!strcmp(ev, "escalated"))
		return ap_escalated(x, e);
	else if (!strcmp(ev, "closed"))
		ap_closed(x, e);
	else if (!strcmp(ev, "reassigned")) {
		if (str(e->detail, "to"))
			set_str(&x->c->team, str(e->detail, "to"));
	} else if (!strcmp(ev, "decided"))
		ap_decided(x, e);
	else if (!strcmp(ev, "reclassified"))
		ap_reclassified(x, e);
	else if (!strcmp(ev, "moved"))
		ap_moved(x, e);
	else if (!strcmp(ev, "action"))
		ap_action(x, e);
	else if (!strcmp(ev, "action-done"))
		ap_action_done(x, e);
	else if (!strcmp(ev, "ombudsman"))
		ap_ombudsman(x, e);
	else if (!strcmp(ev, "merged"))
		ap_merged(x, e);
	else if (!strcmp(ev, "merged-in"))
		ap_linked(x, e, "from");
	else if (!strcmp(ev, "linked"))
		ap_linked(x, e, "to");
	else if (!strcmp(ev, "prioritised"))
		ap_prioritised(x, e);
	else if (!strcmp(ev, "allocated"))
		ap_allocated(x, e);
	return 0;
}

int cw_case_replay(const struct tc_rules *r, struct cw_case *c,
		   const struct cw_history *h, struct cw_faults *faults)
{
	struct replay x = {.r = r, .c = c, .faults = faults};
	size_t i;
	int rc = 0, received = 0;

	effective(&x, h);
	for (i = 0; i < x.n; i++)
		if (!strcmp(x.v[i].e->event, "received") && !received++)
			c->received_date = x.v[i].date;
	reset(&x);
	for (i = 0; i < x.n && rc == 0; i++) {
		const struct eff *e = &x.v[i];

		if (e->withdrawn || is_meta(e->e->event) ||
		    !strcmp(e->e->event, "received"))
			continue;
		rc = apply(&x, e);
	}
	if (rc == 0)
		rc = cw_case_recompute(r, c);
	for (i = 0; i < x.n; i++)
		cJSON_Delete(x.v[i].detail);
	free(x.v);
	return rc;
}
