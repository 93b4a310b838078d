/*
 * commands.c: casework record: appending an event to a case's history
 * (see commands.h).
 */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admit.h"
#include "casepack.h"
#include "case.h"
#include "err.h"
#include "history.h"
#include "people.h"
#include "restrict.h"

static void detail_str(cJSON *d, const char *k, const char *v)
{
	if (v && !cJSON_AddStringToObject(d, k, v))
		tc_die_nomem();
}

/* An event being recorded: what it was given and the case it is for. */
struct event_ctx {
	struct cw_env *env;
	const struct cw_record *r;
	const char *event;   /* what is recorded: r->event, or reclassified
				for a service request escalated */
	const char *as;	     /* reclassified: the type (r->as unless set) */
	const char *reason;  /* r->reason unless set */
	int64_t other;	     /* merged, linked: the other case's number */
	int64_t other_event; /* withdrawn merge or link: the other case's
				own event for it */
	struct tc_buf said;  /* to print once committed */
	struct cw_case *c;
	const struct cw_history *h; /* the case's history so far */
	tc_day date;		    /* the day it happened */
	cJSON *detail;		    /* the event's details, for the history */
	int64_t letters[CW_MAX_LETTERS]; /* restrictions whose letters are
					    drafted once it is committed */
	int nletters;
};

/* Each event's handler checks what it was given and fills the details
 * (the history's replay decides what they do to the case); it returns 0,
 * or an exit code after a message. */

static int needs(int ok, const char *what)
{
	if (ok)
		return 0;
	tc_warnx("%s", what);
	return TC_EXIT_USAGE;
}

static int ev_reassigned(struct event_ctx *x)
{
	if (needs(x->r->to != NULL, "reassigned needs --to TEAM"))
		return TC_EXIT_USAGE;
	if (!cw_team_known(x->env->rules, x->r->to)) {
		tc_warnx("--to: '%s' is not a team the rules route to (see "
			 "'routing' in %s; to allocate the case to a person: "
			 "record REF allocated --to USERNAME)",
			 x->r->to, x->env->rules->path);
		return TC_EXIT_USAGE;
	}
	detail_str(x->detail, "from", x->c->team);
	detail_str(x->detail, "to", x->r->to);
	return 0;
}

/* What restricted and unrestricted share: the case must name a person. */
static int withdrawn_in(const struct cw_history *h, int64_t id);

/* An officer named in the complaint, noted by an officer (the form's
 * staff_named answer is read as well): they may not handle it. */
static int officer_seen(const struct cw_officer_row *o, void *arg)
{
	(void)o;
	(void)arg;
	return 0;
}

static int ev_named(struct event_ctx *x)
{
	int r;

	if (needs(x->r->to != NULL, "named needs --to USERNAME: the officer "
				    "the complaint is about"))
		return TC_EXIT_USAGE;
	r = cw_store_officer_find(x->env->reg, x->r->to, NULL, officer_seen,
				  NULL);
	if (r <= 0) {
		if (!r)
			tc_warnx("--to: no officer '%s' (try 'casework user "
				 "list')",
				 x->r->to);
		return r < 0 ? TC_EXIT_ENV : TC_EXIT_INPUT;
	}
	detail_str(x->detail, "to", x->r->to);
	return 0;
}

/* 1 when the history notes officer username as named in the complaint. */
static int noted_named(const struct cw_history *h, const char *username)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].event, "named") &&
		    !strcmp(cw_jstr(h->v[i].detail, "to"), username) &&
		    !withdrawn_in(h, h->v[i].id))
			return 1;
	return 0;
}

/* Allocated to a named officer: who, from whom, and why when it is a
 * reallocation. */
static int ev_allocated(struct event_ctx *x)
{
	const char *to = x->r->to, *from = x->c->handler;
	int rc;

	if (needs(to != NULL, "allocated needs --to USERNAME"))
		return TC_EXIT_USAGE;
	if (from && !strcmp(from, to)) {
		tc_warnx("%s is allocated to %s already", x->c->reference, to);
		return TC_EXIT_INPUT;
	}
	if (needs(!from || x->r->reason,
		  "reallocating a case needs --reason TEXT: why it moves"))
		return TC_EXIT_USAGE;
	if (noted_named(x->h, to)) {
		tc_warnx(
		    "%s: refused: rule 'named officer': %s is named in the "
		    "complaint (a 'named' event), and the officer named in "
		    "a complaint does not respond to it",
		    x->c->reference, to);
		return TC_EXIT_INPUT;
	}
	rc = cw_people_allocatable(x->env, x->c, to);
	if (rc)
		return rc;
	detail_str(x->detail, "to", to);
	detail_str(x->detail, "from", from);
	detail_str(x->detail, "reason", x->r->reason);
	return 0;
}

static int restriction_details(struct event_ctx *x, int restricted)
{
	char d[11];

	if (!x->c->person_key) {
		tc_warnx("%s: the case gives no contact details to restrict",
			 x->c->reference);
		return TC_EXIT_INPUT;
	}
	if (restricted &&
	    needs(x->r->reason != NULL, "restricted needs --reason TEXT"))
		return TC_EXIT_USAGE;
	detail_str(x->detail, "reason", x->r->reason);
	detail_str(x->detail, "contact", x->r->contact);
	detail_str(x->detail, "review", cw_day_str(x->r->review, d));
	return 0;
}

static int ev_restricted(struct event_ctx *x)
{
	return restriction_details(x, 1);
}

static int ev_unrestricted(struct event_ctx *x)
{
	return restriction_details(x, 0);
}

/* What restricted and unrestricted do to the restrictions register, once
 * the event is known to hold. */
static int restriction_effect(struct event_ctx *x)
{
	const struct cw_record *r = x->r;
	struct cw_restriction rs;
	int64_t id = 0;
	int rc;

	if (!strcmp(r->event, "unrestricted")) {
		x->nletters =
		    cw_restrict_lift_key(x->env, x->c->person_key, x->date,
					 x->letters, CW_MAX_LETTERS);
		return x->nletters < 0 ? TC_EXIT_ENV : 0;
	}
	if (strcmp(r->event, "restricted"))
		return 0;
	memset(&rs, 0, sizeof(rs));
	rs.person_key = x->c->person_key;
	rs.case_id = x->c->id;
	rs.kind = r->kind ? r->kind : "single-point-of-contact";
	rs.scope = r->scope ? r->scope : "council";
	rs.reason = r->reason;
	rs.decided_by = r->decided_by;
	rs.contact = r->contact;
	rs.start = x->date;
	rs.review =
	    r->review != CW_NODAY
		? r->review
		: tc_day_add_months(x->date,
				    x->env->rules->restriction_review_months);
	rc = cw_restrict_insert(x->env, &rs, &id, &x->said);
	if (!rc &&
	    !cJSON_AddNumberToObject(x->detail, "restriction", (double)id))
		tc_die_nomem();
	if (!rc)
		x->letters[x->nletters++] = id;
	return rc;
}

/* The rules' id of the outcome typed, or NULL after a message. */
static const char *closing_outcome(struct event_ctx *x, const char *typed)
{
	const struct tc_outcome *o = tc_rules_outcome(x->env->rules, typed);

	if (!o)
		tc_warnx("--outcome: '%s' is not one of the outcomes in %s "
			 "(%s)",
			 typed, x->env->rules->path,
			 tc_rules_outcome_list(x->env->rules));
	return o ? o->id : NULL;
}

static int ev_closed(struct event_ctx *x)
{
	const char *o;

	if (needs(x->r->outcome != NULL, "closed needs --outcome O"))
		return TC_EXIT_USAGE;
	o = closing_outcome(x, x->r->outcome);
	if (!o)
		return TC_EXIT_USAGE;
	detail_str(x->detail, "outcome", o);
	detail_str(x->detail, "remedy", x->r->remedy);
	detail_str(x->detail, "learning", x->r->learning);
	return 0;
}

static int ev_plain(struct event_ctx *x)
{
	(void)x;
	return 0;
}

static int ev_extended(struct event_ctx *x)
{
	if (needs(x->r->days && x->r->reason,
		  "extended needs --days N and --reason TEXT"))
		return TC_EXIT_USAGE;
	if (!cJSON_AddNumberToObject(x->detail, "days", x->r->days) ||
	    (x->r->exceptional &&
	     !cJSON_AddTrueToObject(x->detail, "exceptional")))
		tc_die_nomem();
	detail_str(x->detail, "reason", x->r->reason);
	return 0;
}

static int ev_step(struct event_ctx *x)
{
	if (needs(x->r->step != NULL,
		  "step needs --step ID (a step of the stage in rules.yml)"))
		return TC_EXIT_USAGE;
	detail_str(x->detail, "step", x->r->step);
	return 0;
}

static int ev_updated(struct event_ctx *x)
{
	detail_str(x->detail, "note", x->r->note);
	return 0;
}

static int ev_escalated(struct event_ctx *x)
{
	detail_str(x->detail, "reason", x->r->reason);
	return 0;
}

static const char *const case_types[] = {"complaint",  "service_request",
					 "compliment", "comment",
					 "signposted", NULL};

static int ev_reclassified(struct event_ctx *x)
{
	const struct cw_record *r = x->r;
	const struct cw_case *c = x->c;
	const struct tc_rules *rules = x->env->rules;
	const char *proc = NULL;
	char *ref;
	int i, days = 0;

	const char *as = x->as ? x->as : r->as;
	const char *reason = x->reason ? x->reason : r->reason;

	if (needs(as && reason,
		  "reclassified needs --as TYPE (complaint, service_request, "
		  "compliment, comment or signposted) and --reason TEXT"))
		return TC_EXIT_USAGE;
	for (i = 0; case_types[i] && strcmp(case_types[i], as); i++)
		;
	if (!case_types[i]) {
		tc_warnx("--as is complaint, service_request, compliment, "
			 "comment or signposted, not '%s'",
			 as);
		return TC_EXIT_USAGE;
	}
	if (!strcmp(c->type, as)) {
		tc_warnx("%s is a %s already", c->reference, c->type);
		return TC_EXIT_INPUT;
	}
	if (!strcmp(as, "complaint")) {
		if (tc_rules_exclusion(rules, c->service_area)) {
			tc_warnx("%s: %s is handled by another route (the "
				 "rules' exclusions): move it to another "
				 "service area first, or keep it signposted",
				 c->reference, c->service_area);
			return TC_EXIT_INPUT;
		}
		proc = tc_rules_procedure_for(rules, c->service_area);
	} else if (!strcmp(as, "service_request"))
		days = rules->service_request_days;
	else if (!strcmp(as, "comment"))
		days = c->reply_days;
	ref = cw_new_reference(x->env, as, c->received_date);
	if (!ref)
		return TC_EXIT_ENV;
	detail_str(x->detail, "from_type", c->type);
	detail_str(x->detail, "from_reference", c->reference);
	detail_str(x->detail, "from_procedure", c->procedure);
	detail_str(x->detail, "to", as);
	detail_str(x->detail, "reference", ref);
	detail_str(x->detail, "procedure", proc);
	if (!cJSON_AddNumberToObject(x->detail, "from_reply_days",
				     c->reply_days) ||
	    !cJSON_AddNumberToObject(x->detail, "reply_days", days))
		tc_die_nomem();
	detail_str(x->detail, "reason", reason);
	free(ref);
	return 0;
}

static int ev_moved(struct event_ctx *x)
{
	const struct cw_record *r = x->r;
	const struct tc_rules *rules = x->env->rules;
	const struct tc_route *route;
	const char *proc;

	if (needs(r->area && r->reason,
		  "moved needs --service-area AREA and --reason TEXT"))
		return TC_EXIT_USAGE;
	if (x->c->service_area && !strcmp(x->c->service_area, r->area)) {
		tc_warnx("%s is about %s already", x->c->reference, r->area);
		return TC_EXIT_INPUT;
	}
	route = tc_rules_route(rules, r->area);
	if (!route && tc_rules_exclusion(rules, r->area) &&
	    strcmp(x->c->type, "signposted")) {
		tc_warnx("%s is handled by another route (the rules' "
			 "exclusions): reclassify the case as signposted",
			 r->area);
		return TC_EXIT_INPUT;
	}
	if (!route && !tc_rules_exclusion(rules, r->area)) {
		tc_warnx("the rules do not know the service area '%s' (see "
			 "routing in %s)",
			 r->area, rules->path);
		return TC_EXIT_INPUT;
	}
	detail_str(x->detail, "from", x->c->service_area);
	detail_str(x->detail, "to", r->area);
	detail_str(x->detail, "team_from", x->c->team);
	detail_str(x->detail, "team_to",
		   route ? route->team : rules->default_team);
	/* a complaint follows the procedure of the area it is about now:
	 * its deadlines from stage 1's request change with it */
	proc = tc_rules_procedure_for(rules, r->area);
	if (x->c->procedure && route && strcmp(x->c->procedure, proc)) {
		if (x->c->nstages > 1) {
			tc_warnx("%s is at stage %d under %s: a move to %s "
				 "(procedure %s) comes before any escalation; "
				 "close the case and open a new one instead",
				 x->c->reference, x->c->stage, x->c->procedure,
				 r->area, proc);
			return TC_EXIT_INPUT;
		}
		detail_str(x->detail, "procedure_from", x->c->procedure);
		detail_str(x->detail, "procedure_to", proc);
	}
	detail_str(x->detail, "reason", r->reason);
	return 0;
}

static int ev_action(struct event_ctx *x)
{
	const struct cw_record *r = x->r;
	char d[11];

	if (needs(r->action && r->owner && r->due != CW_NODAY,
		  "action needs --action TEXT --owner WHO --due D"))
		return TC_EXIT_USAGE;
	if (r->due < x->date) {
		tc_warnx("%s: an action due on %s, before it was promised",
			 x->c->reference, cw_day_str(r->due, d));
		return TC_EXIT_INPUT;
	}
	detail_str(x->detail, "action", r->action);
	detail_str(x->detail, "owner", r->owner);
	detail_str(x->detail, "due", cw_day_str(r->due, d));
	return 0;
}

static int ev_action_done(struct event_ctx *x)
{
	if (needs(x->r->target != 0,
		  "action-done needs --event N (the action's number in "
		  "'casework show')"))
		return TC_EXIT_USAGE;
	if (!cJSON_AddNumberToObject(x->detail, "event", (double)x->r->target))
		tc_die_nomem();
	return 0;
}

static int ev_ombudsman(struct event_ctx *x)
{
	if (needs(x->r->step != NULL,
		  "ombudsman needs --step considering|decided|complied (and "
		  "for decided --outcome O [--remedy R])"))
		return TC_EXIT_USAGE;
	detail_str(x->detail, "step", x->r->step);
	detail_str(x->detail, "outcome", x->r->outcome);
	detail_str(x->detail, "remedy", x->r->remedy);
	return 0;
}

/* The other case of a merge or a link (ref): its number into x->other and
 * its reference into the details as key. 0, or an exit code. */
static int other_case(struct event_ctx *x, const char *ref, const char *key)
{
	struct cw_case o;
	int found = cw_case_find(x->env, ref, &o), rc = 0;

	if (found <= 0)
		return found == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	if (o.id == x->c->id) {
		tc_warnx("%s: that is this case", x->c->reference);
		rc = TC_EXIT_INPUT;
	} else if (o.merged_into || cw_store_case_purged(x->env->reg, o.id)) {
		tc_warnx("%s was merged into another case or purged: name "
			 "the case it became",
			 o.reference);
		rc = TC_EXIT_INPUT;
	} else {
		x->other = o.id;
		detail_str(x->detail, key, o.reference);
		if (!cJSON_AddNumberToObject(x->detail, "into_id",
					     (double)o.id))
			tc_die_nomem();
	}
	cw_case_release(&o);
	return rc;
}

static int ev_merged(struct event_ctx *x)
{
	int rc;

	if (needs(x->r->into && x->r->reason,
		  "merged needs --into REF (the case this duplicates) and "
		  "--reason TEXT"))
		return TC_EXIT_USAGE;
	rc = other_case(x, x->r->into, "into");
	detail_str(x->detail, "reason", x->r->reason);
	return rc;
}

static int ev_linked(struct event_ctx *x)
{
	int rc;

	if (needs(x->r->with && x->r->reason,
		  "linked needs --with REF and --reason TEXT"))
		return TC_EXIT_USAGE;
	rc = other_case(x, x->r->with, "to");
	if (!rc &&
	    !cJSON_AddNumberToObject(x->detail, "to_id", (double)x->other))
		tc_die_nomem();
	cJSON_DeleteItemFromObjectCaseSensitive(x->detail, "into_id");
	detail_str(x->detail, "reason", x->r->reason);
	return rc;
}

static int ev_prioritised(struct event_ctx *x)
{
	if (needs(x->r->priority && x->r->reason,
		  "prioritised needs --priority urgent|normal --reason TEXT"))
		return TC_EXIT_USAGE;
	detail_str(x->detail, "priority", x->r->priority);
	detail_str(x->detail, "reason", x->r->reason);
	return 0;
}

static int ev_decided(struct event_ctx *x)
{
	const struct cw_record *r = x->r;
	char d[11];
	tc_day review = r->review;

	if (needs(r->flag && r->outcome && r->reason,
		  "decided needs --flag F --outcome O --reason TEXT"))
		return TC_EXIT_USAGE;
	if (cw_flag_outcome_kept(r->flag, r->outcome)) {
		if (needs(r->note != NULL,
			  "an agreed adjustment needs --note TEXT: what was "
			  "agreed"))
			return TC_EXIT_USAGE;
		if (review == CW_NODAY)
			review = tc_day_add_months(x->date, 6);
	}
	detail_str(x->detail, "flag", r->flag);
	detail_str(x->detail, "outcome", r->outcome);
	detail_str(x->detail, "reason", r->reason);
	detail_str(x->detail, "note", r->note);
	detail_str(x->detail, "review", cw_day_str(review, d));
	return 0;
}

/* The options a correction may set on each kind of event. */
static const struct {
	const char *event;
	const char *fields; /* space-separated */
} correctable[] = {
    {"received", ""},
    {"acknowledged", ""},
    {"responded", ""},
    {"extended", "days reason"},
    {"escalated", "reason"},
    {"closed", "outcome remedy learning"},
    {"reassigned", "to"},
    {"decided", "outcome reason note review"},
    {"prioritised", "priority reason"},
    {"reclassified", "reason"},
    {"moved", "reason"},
    {"action", "action owner due"},
    {"ombudsman", "outcome remedy"},
};

static int field_ok(const char *fields, const char *f)
{
	size_t n = strlen(f);
	const char *p = fields;

	while ((p = strstr(p, f)) != NULL) {
		if ((p == fields || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

/* The event a correction or withdrawal names into *t: 0, or an exit
 * code after a message. */
static int named(struct event_ctx *x, const struct cw_hist_event **t)
{
	if (!x->r->target || !x->r->why) {
		tc_warnx("%s needs --event N (its number in 'casework show') "
			 "and --why TEXT",
			 x->r->event);
		return TC_EXIT_USAGE;
	}
	*t = cw_history_find(x->h, x->r->target);
	if (*t)
		return 0;
	tc_warnx("%s has no event %lld (see 'casework show %s')",
		 x->c->reference, (long long)x->r->target, x->c->reference);
	return TC_EXIT_INPUT;
}

static int ev_corrected(struct event_ctx *x)
{
	const struct cw_record *r = x->r;
	const struct cw_hist_event *t = NULL;
	const char *fields = NULL;
	cJSON *set;
	char d[11], d2[11];
	size_t i;
	const struct {
		const char *name;
		const char *text;
		int given;
	} opt[] = {
	    {"days", NULL, r->days != 0},
	    {"reason", r->reason, r->reason != NULL},
	    {"outcome", r->outcome, r->outcome != NULL},
	    {"remedy", r->remedy, r->remedy != NULL},
	    {"learning", r->learning, r->learning != NULL},
	    {"to", r->to, r->to != NULL},
	    {"note", r->note, r->note != NULL},
	    {"review", cw_day_str(r->review, d), r->review != CW_NODAY},
	    {"priority", r->priority, r->priority != NULL},
	    {"action", r->action, r->action != NULL},
	    {"owner", r->owner, r->owner != NULL},
	    {"due", cw_day_str(r->due, d2), r->due != CW_NODAY},
	};
	int any = r->new_date != CW_NODAY, rc = named(x, &t);

	if (rc)
		return rc;
	for (i = 0; i < sizeof(correctable) / sizeof(correctable[0]); i++)
		if (!strcmp(correctable[i].event, t->event))
			fields = correctable[i].fields;
	if (!fields) {
		tc_warnx("event %lld (%s) cannot be corrected%s",
			 (long long)t->id, t->event,
			 strcmp(t->event, "corrected")
			     ? ""
			     : ": withdraw it, then record the correction "
			       "again");
		return TC_EXIT_INPUT;
	}
	set = cJSON_AddObjectToObject(x->detail, "set");
	if (!set || !cJSON_AddNumberToObject(x->detail, "event", (double)t->id))
		tc_die_nomem();
	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		if (!opt[i].given)
			continue;
		if (!field_ok(fields, opt[i].name)) {
			tc_warnx("--%s does not apply to a %s event (it can "
				 "take: --new-date%s%s)",
				 opt[i].name, t->event, fields[0] ? " --" : "",
				 fields);
			return TC_EXIT_USAGE;
		}
		any = 1;
		if (!strcmp(t->event, "closed") &&
		    !strcmp(opt[i].name, "outcome")) {
			const char *o = closing_outcome(x, opt[i].text);

			if (!o)
				return TC_EXIT_USAGE;
			detail_str(set, "outcome", o);
		} else if (opt[i].text)
			detail_str(set, opt[i].name, opt[i].text);
		else if (!cJSON_AddNumberToObject(set, opt[i].name, r->days))
			tc_die_nomem();
	}
	if (!any) {
		tc_warnx("corrected needs what to change: --new-date D%s%s",
			 fields[0] ? " or --" : "", fields);
		return TC_EXIT_USAGE;
	}
	if (r->new_date != CW_NODAY) {
		if (r->new_date > x->env->today) {
			tc_warnx("%s: the corrected date %s is after today "
				 "(%s)",
				 x->c->reference, cw_day_str(r->new_date, d),
				 x->env->today_s);
			return TC_EXIT_INPUT;
		}
		detail_str(x->detail, "date", cw_day_str(r->new_date, d));
	}
	detail_str(x->detail, "why", r->why);
	return 0;
}

/* The other case a merge or link event names: 0 for none, -1 on error.
 * A link recorded before links kept the other case's number names it by
 * reference. */
static int64_t join_other(struct cw_env *env, const cJSON *detail)
{
	static const char *const keys[] = {"into_id", "from_id", "to_id"};
	struct cw_case o;
	int64_t id;
	size_t i;
	int found;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *n =
		    cJSON_GetObjectItemCaseSensitive(detail, keys[i]);

		if (cJSON_IsNumber(n))
			return (int64_t)n->valuedouble;
	}
	if (!cw_jstr(detail, "to")[0])
		return 0;
	found = cw_store_case_load(env->reg, cw_jstr(detail, "to"), 0, &o);
	if (found <= 0)
		return found;
	id = o.id;
	cw_case_release(&o);
	return id;
}

/* Whether h withdraws event id. */
static int withdrawn_in(const struct cw_history *h, int64_t id)
{
	size_t k;

	for (k = 0; k < h->n; k++)
		if (!strcmp(h->v[k].event, "withdrawn") &&
		    cw_jnum(h->v[k].detail, "event") == (double)id)
			return 1;
	return 0;
}

/* A merge or link joins two cases, each with its own event: withdrawing
 * one withdraws the other (other_side records it). 0, or an exit code. */
static int withdraw_join(struct event_ctx *x, const struct cw_hist_event *t)
{
	const char *want = !strcmp(t->event, "merged")	    ? "merged-in"
			   : !strcmp(t->event, "merged-in") ? "merged"
							    : "linked";
	struct cw_history h = {0};
	size_t k;

	x->other = join_other(x->env, t->detail);
	if (x->other <= 0 ||
	    cw_store_case_history(x->env->reg, x->other, &h) < 0)
		return TC_EXIT_ENV;
	for (k = h.n; k-- > 0 && !x->other_event;) {
		int64_t o;

		if (strcmp(h.v[k].event, want) || withdrawn_in(&h, h.v[k].id))
			continue;
		o = join_other(x->env, h.v[k].detail);
		if (o < 0) {
			cw_history_release(&h);
			return TC_EXIT_ENV;
		}
		if (o == x->c->id)
			x->other_event = h.v[k].id;
	}
	cw_history_release(&h);
	if (x->other_event)
		return 0;
	tc_warnx("event %lld (%s): the other case holds no %s for it "
		 "(withdrawn already?)",
		 (long long)t->id, t->event, want);
	return TC_EXIT_INPUT;
}

static int ev_withdrawn(struct event_ctx *x)
{
	const struct cw_hist_event *t = NULL;
	int rc = named(x, &t);

	if (rc)
		return rc;
	if (!strcmp(t->event, "merged") || !strcmp(t->event, "merged-in") ||
	    !strcmp(t->event, "linked")) {
		rc = withdraw_join(x, t);
		if (rc)
			return rc;
	}
	if (!strcmp(t->event, "restricted") ||
	    !strcmp(t->event, "unrestricted")) {
		tc_warnx("event %lld (%s) belongs to the restrictions "
			 "register: review the restriction there "
			 "('casework restrict review')",
			 (long long)t->id, t->event);
		return TC_EXIT_INPUT;
	}
	if (!cJSON_AddNumberToObject(x->detail, "event", (double)t->id))
		tc_die_nomem();
	detail_str(x->detail, "why", x->r->why);
	return 0;
}

/* The events `record` knows. */
static const struct {
	const char *name;
	int (*check)(struct event_ctx *x);
} events[] = {
    {"acknowledged", ev_plain},	       /* the current stage */
    {"responded", ev_plain},	       /* the current stage */
    {"extended", ev_extended},	       /* --days N --reason TEXT */
    {"step", ev_step},		       /* --step ID */
    {"updated", ev_updated},	       /* [--note TEXT] */
    {"escalated", ev_escalated},       /* opens the next stage */
    {"closed", ev_closed},	       /* --outcome, --remedy, ... */
    {"reassigned", ev_reassigned},     /* --to TEAM */
    {"allocated", ev_allocated},       /* --to USERNAME [--reason] */
    {"named", ev_named},	       /* --to USERNAME */
    {"decided", ev_decided},	       /* --flag F --outcome O --reason */
    {"prioritised", ev_prioritised},   /* --priority P --reason TEXT */
    {"reclassified", ev_reclassified}, /* --as TYPE --reason TEXT */
    {"moved", ev_moved},	       /* --service-area AREA --reason */
    {"action", ev_action},	       /* --action TEXT --owner WHO --due D */
    {"action-done", ev_action_done},   /* --event N */
    {"ombudsman", ev_ombudsman},       /* --step S [--outcome O] */
    {"merged", ev_merged},	       /* --into REF --reason TEXT */
    {"linked", ev_linked},	       /* --with REF --reason TEXT */
    {"corrected", ev_corrected},       /* --event N --why TEXT ... */
    {"withdrawn", ev_withdrawn},       /* --event N --why TEXT */
    {"restricted", ev_restricted},     /* --reason, --review, ... */
    {"unrestricted", ev_unrestricted}, /* lifts the person's */
};

static int check_event(struct event_ctx *x)
{
	size_t i, n = sizeof(events) / sizeof(events[0]);
	char d[11];

	/* a service request escalated becomes a complaint, whose clock
	 * starts on the day */
	if (!strcmp(x->event, "escalated") &&
	    !strcmp(x->c->type, "service_request")) {
		x->event = "reclassified";
		x->as = "complaint";
		x->reason = x->r->reason ? x->r->reason
					 : "escalated from a service request";
	}
	for (i = 0; i < n && strcmp(events[i].name, x->event); i++)
		;
	if (i == n) {
		struct tc_buf known = {tc_buf_empty, 0, 0, 0};

		for (i = 0; i < n; i++)
			if (tc_buf_addf(&known, "%s%s", i ? ", " : "",
					events[i].name) < 0)
				tc_die_nomem();
		tc_warnx("unknown event '%s' (%s)", x->r->event, known.data);
		tc_buf_release(&known);
		return TC_EXIT_USAGE;
	}
	if (x->date > x->env->today) {
		tc_warnx("%s: %s on %s is after today (%s): record it on the "
			 "day it happens",
			 x->c->reference, x->r->event, cw_day_str(x->date, d),
			 x->env->today_s);
		return TC_EXIT_INPUT;
	}
	return events[i].check(x);
}

/* Adds the event to the history and replays it: 0 when it holds (c is the
 * case with it), or an exit code after saying what it would break. */
static int replay_with(struct cw_env *env, struct cw_case *c,
		       struct cw_history *h, const char *event, tc_day date,
		       const cJSON *detail, const char *by)
{
	struct cw_faults before = {0}, after = {0};
	const struct cw_fault *f;
	cJSON *d = cJSON_Duplicate(detail, 1);
	int rc = TC_EXIT_ENV;

	if (!d)
		tc_die_nomem();
	if (cw_case_replay(env->rules, c, h, &before) < 0)
		goto out;
	cw_history_add(h, CW_EVENT_NEW, event, c->stage, date, d, by);
	if (cw_case_replay(env->rules, c, h, &after) < 0)
		goto out;
	f = cw_faults_new(&before, &after);
	rc = 0;
	if (f) {
		tc_warnx("%s: %s", c->reference, f->msg);
		rc = TC_EXIT_INPUT;
	}
out:
	cw_faults_release(&before);
	cw_faults_release(&after);
	return rc;
}

/* Stores the event just replayed (the history's last) against stage and
 * rebuilds the case with the event's own number, which decisions and
 * actions name; *id gets it. 0 or -1 (printed). */
static int save_event(struct cw_env *env, struct cw_case *c,
		      struct cw_history *h, int stage, const cJSON *detail,
		      const char *by, int64_t *id)
{
	struct cw_hist_event *e = &h->v[h->n - 1];
	char *txt = cJSON_PrintUnformatted(detail);
	int rc = -1;

	if (!txt)
		tc_die_nomem();
	if (cw_store_event(env->reg, c->id, stage, e->event, e->date, txt, by,
			   env->today_s) == 0) {
		*id = e->id = cw_store_last_id(env->reg);
		rc = cw_case_replay(env->rules, c, h, NULL) < 0 ||
			     cw_store_case_update(env->reg, c) < 0
			 ? -1
			 : 0;
	}
	free(txt);
	return rc;
}

/* What the other case of a merge or a link records: merged-in or linked,
 * naming this one. 0, or an exit code after a message. */
static int other_side(struct event_ctx *x, const char *by)
{
	struct cw_env *env = x->env;
	struct cw_case o;
	struct cw_history h = {0};
	const char *event = !strcmp(x->event, "merged")	     ? "merged-in"
			    : !strcmp(x->event, "withdrawn") ? "withdrawn"
							     : "linked";
	cJSON *d;
	int64_t id;
	int rc = TC_EXIT_ENV, found;

	if (!x->other)
		return 0;
	found = cw_store_case_load_id(env->reg, x->other, &o);
	if (found <= 0)
		return TC_EXIT_ENV;
	d = cJSON_CreateObject();
	if (!d)
		tc_die_nomem();
	if (!strcmp(event, "withdrawn")) {
		if (!cJSON_AddNumberToObject(d, "event",
					     (double)x->other_event))
			tc_die_nomem();
		detail_str(d, "why", x->r->why);
	} else {
		if (!cJSON_AddStringToObject(
			d, !strcmp(event, "linked") ? "to" : "from",
			x->c->reference) ||
		    !cJSON_AddNumberToObject(d, "from_id", (double)x->c->id))
			tc_die_nomem();
		detail_str(d, "reason", x->r->reason);
	}
	if (cw_store_case_history(env->reg, o.id, &h) < 0)
		goto out;
	rc = replay_with(env, &o, &h, event, x->date, d, by);
	if (!rc && save_event(env, &o, &h, o.stage, d, by, &id) < 0)
		rc = TC_EXIT_ENV;
out:
	cJSON_Delete(d);
	cw_history_release(&h);
	cw_case_release(&o);
	return rc;
}

/* The pack of a case whose reference changed from was to now: gone (the
 * case's pack is written under its new name). 0 or -1. */
static int drop_old_pack(struct cw_env *env, const char *was, const char *now)
{
	struct tc_buf p = TC_BUF_INIT;
	int rc = 0;

	if (!strcmp(was, now))
		return 0;
	cw_env_path(env, "casepacks/", &p);
	if (tc_buf_addf(&p, "%s.zip", was) < 0)
		tc_die_nomem();
	if (unlink(p.data) < 0 && errno != ENOENT) {
		tc_warn("cannot remove '%s'", p.data);
		rc = -1;
	}
	tc_buf_release(&p);
	return rc;
}

/* What recording event asks of the acting officer's role: allocation
 * and what moves a case between people, teams or cases belongs to the
 * complaints team; the rest to whoever handles the case. */
static enum tc_act event_act(const char *event)
{
	static const char *const team[] = {
	    "allocated", "reassigned", "moved",	      "merged",
	    "linked",	 "restricted", "unrestricted"};
	size_t i;

	for (i = 0; i < sizeof(team) / sizeof(team[0]); i++)
		if (!strcmp(event, team[i]))
			return TC_ACT_ALLOCATE;
	return TC_ACT_RECORD;
}

int cw_record_event(struct cw_env *env, const struct cw_record *r)
{
	struct cw_case c;
	struct cw_history h = {0};
	cJSON *detail = NULL;
	const char *by = cw_people_by(env, r->by);
	tc_day date = r->date == CW_NODAY ? env->today : r->date;
	int rc = TC_EXIT_ENV, found, stage, k;
	int64_t id;
	struct event_ctx x = {.env = env,
			      .r = r,
			      .event = r->event,
			      .c = &c,
			      .h = &h,
			      .date = date,
			      .said = TC_BUF_INIT};
	char *was = NULL; /* the reference before, when it changes */

	if (!by)
		return TC_EXIT_USAGE;
	/* who may: asked before the change begins, so that a refusal is
	 * logged for good */
	found = cw_case_find(env, r->ref, &c);
	if (found <= 0)
		return found == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	rc = cw_people_allow(env, event_act(r->event), &c);
	cw_case_release(&c);
	if (rc)
		return rc;
	if (cw_store_begin(env->reg) < 0)
		return TC_EXIT_ENV;
	found = cw_case_find(env, r->ref, &c);
	if (found <= 0) {
		cw_store_rollback(env->reg);
		return found == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	}
	rc = TC_EXIT_ENV;
	detail = x.detail = cJSON_CreateObject();
	if (!detail)
		tc_die_nomem();
	found = cw_store_case_purged(env->reg, c.id);
	if (found) {
		if (found > 0)
			tc_warnx("%s: its personal data was purged; nothing "
				 "more can be recorded",
				 c.reference);
		rc = found > 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
		goto out;
	}
	if (cw_store_case_history(env->reg, c.id, &h) < 0)
		goto out;
	rc = check_event(&x);
	if (rc)
		goto out;
	was = tc_xstrdup(c.reference);
	rc = replay_with(env, &c, &h, x.event, date, detail, by);
	if (rc)
		goto out;
	/* an escalation belongs to the stage it opened */
	stage = strcmp(x.event, "escalated") ? h.v[h.n - 1].stage : c.stage;
	rc = restriction_effect(&x);
	if (rc)
		goto out;
	rc = TC_EXIT_ENV;
	/* every reference the case has had still finds it */
	if (strcmp(was, c.reference) &&
	    (cw_store_alias_add(env->reg, was, c.id) < 0 ||
	     cw_store_alias_add(env->reg, c.reference, c.id) < 0))
		goto out;
	if (save_event(env, &c, &h, stage, detail, by, &id) < 0)
		goto out;
	rc = other_side(&x, by);
	if (rc)
		goto out;
	rc = TC_EXIT_ENV;
	if (cw_store_commit(env->reg) < 0 || cw_env_flush_packs(env) < 0 ||
	    drop_old_pack(env, was, c.reference) < 0)
		goto out;
	printf("%s: %s recorded as event %lld", c.reference, x.event,
	       (long long)id);
	if (strcmp(was, c.reference))
		printf(" (was %s)", was);
	if (c.nstages) {
		const struct cw_stage *s = &c.stages[c.nstages - 1];
		char a[40], b[40];

		printf("; stage %d: %s, %s", s->stage,
		       cw_due_words("acknowledge", s->ack_due, a),
		       cw_due_words("respond", s->respond_due, b));
	}
	printf("\n");
	fputs(x.said.len ? x.said.data : "", stdout);
	rc = fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
	for (k = 0; k < x.nletters && !rc; k++)
		if (cw_restrict_letter(env, x.letters[k]) < 0) {
			tc_warnx("%s: the event is recorded but the letter of "
				 "R%lld was not drafted; 'casework restrict "
				 "letter R%lld' drafts it again",
				 c.reference, (long long)x.letters[k],
				 (long long)x.letters[k]);
			rc = TC_EXIT_ENV;
		}
out:
	tc_buf_release(&x.said);
	cw_store_rollback(env->reg);
	cJSON_Delete(detail);
	cw_history_release(&h);
	cw_case_release(&c);
	free(was);
	return rc;
}
