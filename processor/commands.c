/*
 * commands.c: casework list, show and record (see commands.h).
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casepack.h"
#include "case.h"
#include "err.h"
#include "restrict.h"

/* The deadline that matters now: the open one that falls first. */
static tc_day next_deadline(const struct cw_case *c, const char **what)
{
	const struct cw_stage *s;

	*what = "";
	if (!c->nstages)
		return CW_NODAY;
	s = &c->stages[c->nstages - 1];
	if (s->closed != CW_NODAY)
		return CW_NODAY;
	if (s->acknowledged == CW_NODAY) {
		*what = "acknowledge";
		return s->ack_due;
	}
	if (s->responded == CW_NODAY) {
		*what = "respond";
		return s->respond_due;
	}
	return CW_NODAY;
}

int cw_list(struct cw_env *env, const struct cw_query *q, int json)
{
	cJSON *arr = json ? cJSON_CreateArray() : NULL;
	tc_day horizon = CW_NODAY;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc = TC_EXIT_ENV;

	if ((json && !arr) || cw_store_list_cases(env->reg, &ids, &n) < 0)
		goto out;
	if (q->due_within >= 0 &&
	    tc_calendar_add_working(env->rules->cal, env->today, q->due_within,
				    &horizon) < 0) {
		tc_warnx("--due-within reaches beyond the calendar");
		rc = TC_EXIT_USAGE;
		goto out;
	}
	if (!json)
		printf("%-16s %-16s %-5s %-12s %-12s %-11s %s\n", "REFERENCE",
		       "TYPE", "STAGE", "STATUS", "NEXT", "DUE", "FLAGS");
	for (i = 0; i < n; i++) {
		struct cw_case c;
		const char *what;
		tc_day due;
		char d[11] = "", flags[256] = "";
		const cJSON *f;
		size_t fl = 0;

		if (cw_store_case_load_id(env->reg, ids[i], &c) <= 0)
			goto out;
		due = next_deadline(&c, &what);
		if ((q->overdue && (due == CW_NODAY || due >= env->today)) ||
		    (q->due_within >= 0 &&
		     (due == CW_NODAY || due > horizon)) ||
		    (q->flag && !cw_case_has_flag(&c, q->flag)) ||
		    (q->stage >= 0 && c.stage != q->stage)) {
			cw_case_release(&c);
			continue;
		}
		if (json) {
			cJSON *o = cw_case_json(env, &c);

			cJSON_DeleteItemFromObjectCaseSensitive(o, "history");
			cJSON_AddItemToArray(arr, o);
		} else {
			if (due != CW_NODAY)
				tc_day_format(due, d);
			cJSON_ArrayForEach(f, c.flags)
			{
				const cJSON *nm =
				    cJSON_GetObjectItemCaseSensitive(f, "flag");
				int w = snprintf(
				    flags + fl, sizeof(flags) - fl, "%s%s",
				    fl ? "," : "",
				    cJSON_IsString(nm) ? nm->valuestring : "");

				if (w > 0 && (size_t)w < sizeof(flags) - fl)
					fl += (size_t)w;
			}
			printf("%-16s %-16s %-5d %-12s %-12s %-11s %s\n",
			       c.reference, c.type, c.stage, c.status, what, d,
			       flags);
		}
		cw_case_release(&c);
	}
	if (json) {
		char *s = cJSON_Print(arr);

		if (!s)
			tc_die_nomem();
		puts(s);
		free(s);
	}
	rc = fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
out:
	free(ids);
	cJSON_Delete(arr);
	return rc;
}

static void norm(const char *in, char *out, size_t n)
{
	size_t i = 0;

	while (*in == ' ')
		in++;
	for (; *in && i + 1 < n; in++)
		out[i++] = (*in >= 'a' && *in <= 'z') ? *in - 32 : *in;
	while (i && out[i - 1] == ' ')
		i--;
	out[i] = 0;
}

static int load(struct cw_env *env, const char *ref, struct cw_case *c)
{
	char key[128];
	int r;

	norm(ref, key, sizeof(key));
	r = cw_store_case_load(env->reg, key, 0, c);
	if (r == 0)
		tc_warnx("no case has the reference '%s' (try 'casework "
			 "list')",
			 key);
	return r;
}

int cw_show(struct cw_env *env, const char *ref, int json)
{
	struct cw_case c;
	cJSON *o;
	char *s;
	int r = load(env, ref, &c);

	if (r <= 0)
		return r == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	o = cw_case_json(env, &c);
	if (json) {
		s = cJSON_Print(o);
		if (!s)
			tc_die_nomem();
		puts(s);
		free(s);
	} else {
		const cJSON *it;
		int k;

		printf("%s  %s  %s\n", c.reference, c.type, c.status);
		printf("team: %s\nservice area: %s\nreceived: %s (counts from "
		       "%s)\n",
		       c.team ? c.team : "-",
		       c.service_area ? c.service_area : "-", c.received,
		       cJSON_GetObjectItemCaseSensitive(o, "received_date")
			   ->valuestring);
		for (k = 0; k < c.nstages; k++) {
			const struct cw_stage *sg = &c.stages[k];
			char a[11], b[11], d1[11], d2[11];

			printf("stage %d: acknowledge by %s%s%s, respond by "
			       "%s%s%s\n",
			       sg->stage, cw_day_str(sg->ack_due, a),
			       sg->acknowledged != CW_NODAY ? " (acknowledged "
							    : "",
			       sg->acknowledged != CW_NODAY
				   ? cw_day_str(sg->acknowledged, d1)
				   : "",
			       cw_day_str(sg->respond_due, b),
			       sg->responded != CW_NODAY ? " (responded " : "",
			       sg->responded != CW_NODAY
				   ? cw_day_str(sg->responded, d2)
				   : "");
		}
		cJSON_ArrayForEach(it, c.flags)
		{
			printf("flag %s: %s\n",
			       cJSON_GetObjectItemCaseSensitive(it, "flag")
				   ->valuestring,
			       cJSON_GetObjectItemCaseSensitive(it, "detail")
				   ->valuestring);
		}
		cJSON_ArrayForEach(
		    it, cJSON_GetObjectItemCaseSensitive(o, "history"))
		{
			printf(
			    "%s %s (stage %d)\n",
			    cJSON_GetObjectItemCaseSensitive(it, "date")
				->valuestring,
			    cJSON_GetObjectItemCaseSensitive(it, "event")
				->valuestring,
			    (int)cJSON_GetNumberValue(
				cJSON_GetObjectItemCaseSensitive(it, "stage")));
		}
	}
	cJSON_Delete(o);
	cw_case_release(&c);
	return fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
}

static void detail_str(cJSON *d, const char *k, const char *v)
{
	if (v && !cJSON_AddStringToObject(d, k, v))
		tc_die_nomem();
}

/* An event being applied to a case. */
struct event_ctx {
	struct cw_env *env;
	const struct cw_record *r;
	struct cw_case *c;
	struct cw_stage *s;	      /* the current stage, or NULL */
	const struct tc_procedure *p; /* the case's procedure, or NULL */
	tc_day date;		      /* the day it happened */
	cJSON *detail;		      /* the event's details, for the history */
};

/* Each event's handler returns 0, or an exit code after a message. */

static int ev_reassigned(struct event_ctx *x)
{
	if (!x->r->to) {
		tc_warnx("reassigned needs --to TEAM");
		return TC_EXIT_USAGE;
	}
	detail_str(x->detail, "from", x->c->team);
	detail_str(x->detail, "to", x->r->to);
	free(x->c->team);
	x->c->team = tc_xstrdup(x->r->to);
	return 0;
}

/* What restricted and unrestricted share: the case must name a person. */
static int restriction_details(struct event_ctx *x, int restricted)
{
	char d[11];

	if (!x->c->person_key) {
		tc_warnx("%s: the case gives no contact details to restrict",
			 x->c->reference);
		return TC_EXIT_INPUT;
	}
	if (restricted && !x->r->reason) {
		tc_warnx("restricted needs --reason TEXT");
		return TC_EXIT_USAGE;
	}
	detail_str(x->detail, "reason", x->r->reason);
	detail_str(x->detail, "contact", x->r->contact);
	detail_str(x->detail, "review", cw_day_str(x->r->review, d));
	return 0;
}

static int ev_restricted(struct event_ctx *x)
{
	const struct cw_record *r = x->r;
	struct cw_restriction rs;
	int64_t id = 0;
	int rc = restriction_details(x, 1);

	if (rc)
		return rc;
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
	    r->review != CW_NODAY ? r->review : tc_day_add_months(x->date, 6);
	rc = cw_restrict_insert(x->env, &rs, &id);
	if (!rc &&
	    !cJSON_AddNumberToObject(x->detail, "restriction", (double)id))
		tc_die_nomem();
	return rc;
}

static int ev_unrestricted(struct event_ctx *x)
{
	int rc = restriction_details(x, 0);

	if (rc)
		return rc;
	return cw_restrict_lift_key(x->env, x->c->person_key, x->date) < 0
		   ? TC_EXIT_ENV
		   : 0;
}

static int ev_closed(struct event_ctx *x)
{
	const struct cw_record *r = x->r;

	if (!r->outcome) {
		tc_warnx("closed needs --outcome O");
		return TC_EXIT_USAGE;
	}
	detail_str(x->detail, "outcome", r->outcome);
	detail_str(x->detail, "remedy", r->remedy);
	detail_str(x->detail, "learning", r->learning);
	if (x->s) {
		x->s->closed = x->date;
		x->s->outcome = tc_xstrdup(r->outcome);
		x->s->remedy = tc_xstrdup(r->remedy);
		x->s->learning = tc_xstrdup(r->learning);
	} else {
		free(x->c->status);
		x->c->status = tc_xstrdup("closed");
	}
	return 0;
}

/* Records date in *slot (acknowledged or responded) unless it was done. */
static int record_once(struct event_ctx *x, tc_day *slot, const char *done)
{
	char d[11];

	if (*slot != CW_NODAY) {
		tc_warnx("%s: stage %d was %s on %s already", x->c->reference,
			 x->s->stage, done, cw_day_str(*slot, d));
		return TC_EXIT_INPUT;
	}
	*slot = x->date;
	return 0;
}

static int ev_acknowledged(struct event_ctx *x)
{
	return record_once(x, &x->s->acknowledged, "acknowledged");
}

static int ev_responded(struct event_ctx *x)
{
	return record_once(x, &x->s->responded, "responded to");
}

static int ev_extended(struct event_ctx *x)
{
	const struct cw_record *r = x->r;
	struct cw_stage *s = x->s;
	const struct tc_stage_rule *sr = &x->p->stage[s->stage - 1];

	if (!r->days || !r->reason) {
		tc_warnx("extended needs --days N and --reason TEXT");
		return TC_EXIT_USAGE;
	}
	if (s->extension_days) {
		tc_warnx("%s: stage %d was extended already; the rules allow "
			 "one extension",
			 x->c->reference, s->stage);
		return TC_EXIT_INPUT;
	}
	if (r->days > sr->extension_max) {
		tc_warnx("%s: stage %d may be extended by at most %d working "
			 "days, not %d",
			 x->c->reference, s->stage, sr->extension_max, r->days);
		return TC_EXIT_INPUT;
	}
	s->extension_days = r->days;
	s->extension_reason = tc_xstrdup(r->reason);
	if (!cJSON_AddNumberToObject(x->detail, "days", r->days))
		tc_die_nomem();
	detail_str(x->detail, "reason", r->reason);
	return 0;
}

static int ev_escalated(struct event_ctx *x)
{
	struct cw_case *c = x->c;

	if (c->nstages >= x->p->nstages) {
		tc_warnx("%s is at the last stage of its procedure: signpost "
			 "the Ombudsman",
			 c->reference);
		return TC_EXIT_INPUT;
	}
	cw_case_escalate(c, x->date, NULL);
	return 0;
}

/* The events `record` knows; staged ones need an open stage of a
 * procedure. */
static const struct {
	const char *name;
	int (*apply)(struct event_ctx *x);
	int staged;
} events[] = {
    {"reassigned", ev_reassigned, 0},	  /* --to TEAM */
    {"restricted", ev_restricted, 0},	  /* --reason, --review, ... */
    {"unrestricted", ev_unrestricted, 0}, /* lifts the person's */
    {"closed", ev_closed, 0},		  /* --outcome, --remedy, ... */
    {"acknowledged", ev_acknowledged, 1}, /* the current stage */
    {"responded", ev_responded, 1},	  /* the current stage */
    {"extended", ev_extended, 1},	  /* --days N --reason TEXT */
    {"escalated", ev_escalated, 1},	  /* opens the next stage */
};

/* Applies r to c; returns 0, or an exit code after a message. */
static int apply(struct cw_env *env, const struct cw_record *r,
		 struct cw_case *c, tc_day date, cJSON *detail)
{
	struct event_ctx x = {
	    .env = env,
	    .r = r,
	    .c = c,
	    .s = cw_case_current(c),
	    .p = tc_rules_procedure(env->rules, c->procedure),
	    .date = date,
	    .detail = detail,
	};
	size_t i, n = sizeof(events) / sizeof(events[0]);

	for (i = 0; i < n && strcmp(events[i].name, r->event); i++)
		;
	if (i == n || events[i].staged) {
		if (!x.s || !x.p) {
			tc_warnx("%s is a %s: it has no stages to record '%s' "
				 "against",
				 c->reference, c->type, r->event);
			return TC_EXIT_INPUT;
		}
		if (x.s->closed != CW_NODAY) {
			tc_warnx("%s: stage %d is closed", c->reference,
				 x.s->stage);
			return TC_EXIT_INPUT;
		}
	}
	if (i == n) {
		tc_warnx("unknown event '%s' (acknowledged, responded, "
			 "extended, escalated, closed, reassigned, "
			 "restricted, unrestricted)",
			 r->event);
		return TC_EXIT_USAGE;
	}
	return events[i].apply(&x);
}

int cw_record_event(struct cw_env *env, const struct cw_record *r)
{
	struct cw_case c;
	cJSON *detail = NULL;
	char *txt = NULL;
	tc_day date = r->date == CW_NODAY ? env->today : r->date;
	int rc = TC_EXIT_ENV, found;

	if (cw_store_begin(env->reg) < 0)
		return TC_EXIT_ENV;
	found = load(env, r->ref, &c);
	if (found <= 0) {
		cw_store_rollback(env->reg);
		return found == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	}
	detail = cJSON_CreateObject();
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
	rc = apply(env, r, &c, date, detail);
	if (rc)
		goto out;
	rc = TC_EXIT_ENV;
	txt = cJSON_PrintUnformatted(detail);
	if (!txt)
		tc_die_nomem();
	if (cw_case_recompute(env->rules, &c) < 0 ||
	    cw_store_case_update(env->reg, &c) < 0 ||
	    cw_store_event(env->reg, c.id, c.stage, r->event, date, txt,
			   env->today_s) < 0 ||
	    cw_store_commit(env->reg) < 0 || cw_env_flush_packs(env) < 0)
		goto out;
	printf("%s: %s recorded", c.reference, r->event);
	if (c.nstages) {
		const struct cw_stage *s = &c.stages[c.nstages - 1];
		char a[11], b[11];

		printf("; stage %d: acknowledge by %s, respond by %s", s->stage,
		       cw_day_str(s->ack_due, a),
		       cw_day_str(s->respond_due, b));
	}
	printf("\n");
	rc = fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
out:
	cw_store_rollback(env->reg);
	cJSON_Delete(detail);
	free(txt);
	cw_case_release(&c);
	return rc;
}
