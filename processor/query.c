/*
 * query.c: casework list and show, reading the register (see commands.h).
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

/* The earliest action not yet done into *due (CW_NODAY: none). */
static tc_day next_action(const struct cw_case *c)
{
	const cJSON *a;
	tc_day best = CW_NODAY, d;

	cJSON_ArrayForEach(a, c->actions)
	{
		const cJSON *due = cJSON_GetObjectItemCaseSensitive(a, "due");

		if (cJSON_GetObjectItemCaseSensitive(a, "done") ||
		    !cJSON_IsString(due) ||
		    tc_day_parse(due->valuestring, &d) < 0)
			continue;
		if (best == CW_NODAY || d < best)
			best = d;
	}
	return best;
}

static tc_day stage_deadline(const struct cw_case *c, const char **what);

/* The deadline that matters now: the open one that falls first (an
 * action promised counts). */
static tc_day next_deadline(const struct cw_case *c, const char **what)
{
	tc_day d = stage_deadline(c, what), a = next_action(c);

	if (c->merged_into) {
		*what = "";
		return CW_NODAY;
	}
	if (a != CW_NODAY && (d == CW_NODAY || a < d)) {
		*what = "action";
		return a;
	}
	return d;
}

static tc_day stage_deadline(const struct cw_case *c, const char **what)
{
	const struct cw_stage *s;
	int i;

	*what = "";
	if (!c->nstages) {
		if (c->reply_due == CW_NODAY || c->replied != CW_NODAY ||
		    !strcmp(c->status, "closed"))
			return CW_NODAY;
		*what = "reply";
		return c->reply_due;
	}
	s = &c->stages[c->nstages - 1];
	if (s->closed != CW_NODAY)
		return CW_NODAY;
	if (s->acknowledged == CW_NODAY && s->ack_due != CW_NODAY) {
		*what = "acknowledge";
		return s->ack_due;
	}
	if (s->responded != CW_NODAY)
		return CW_NODAY;
	/* the next step not done (a review panel), else the response, else
	 * (no fixed deadline) the update owed to the resident */
	for (i = 0; i < s->nsteps; i++)
		if (s->steps[i].done == CW_NODAY &&
		    s->steps[i].due != CW_NODAY) {
			*what = s->steps[i].id;
			return s->steps[i].due;
		}
	*what = "respond";
	if (s->respond_due == CW_NODAY && s->update_due != CW_NODAY) {
		*what = "update";
		return s->update_due;
	}
	return s->respond_due;
}

/* 1 while something is left to do: a stage not closed; a record open,
 * unmatched or waiting for its reply. */
static int case_open(const struct cw_case *c)
{
	if (c->merged_into)
		return 0;
	if (next_action(c) != CW_NODAY)
		return 1;
	if (c->nstages)
		return c->stages[c->nstages - 1].closed == CW_NODAY;
	if (!strcmp(c->status, "closed"))
		return 0;
	if (!strcmp(c->status, "open") || !strcmp(c->status, "unmatched"))
		return 1;
	return c->reply_due != CW_NODAY && c->replied == CW_NODAY;
}

static int has(const char *hay, const char *needle)
{
	return hay && needle[0] && strstr(hay, needle) != NULL;
}

/* 1 when what (as typed) finds the case: its reference, or the person's
 * name, email, phone or postcode (each compared as stored). */
static int found_by(const struct cw_case *c, const char *what)
{
	char up[256], low[256], digits[64], pc[64];
	size_t i, nu = 0, nd = 0, np = 0, ndig = 0;

	for (i = 0; what[i] && nu + 1 < sizeof(up); i++) {
		char ch = what[i];

		up[nu] = (ch >= 'a' && ch <= 'z') ? ch - 32 : ch;
		low[nu++] = (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
		if (ch >= '0' && ch <= '9' && nd + 1 < sizeof(digits))
			digits[nd++] = ch, ndig++;
		if (ch != ' ' && np + 1 < sizeof(pc))
			pc[np++] = up[nu - 1];
	}
	up[nu] = low[nu] = digits[nd] = pc[np] = 0;
	cw_norm_phone(what, digits, sizeof(digits));
	return has(c->reference, up) || has(c->name, low) ||
	       has(c->email, low) || (ndig >= 4 && has(c->phone, digits)) ||
	       (np >= 2 && has(c->postcode, pc));
}

/* 1 when the case passes every filter of q. */
static int wanted(struct cw_env *env, const struct cw_query *q,
		  const struct cw_case *c, tc_day due, tc_day horizon)
{
	return !(
	    (q->overdue && (due == CW_NODAY || due >= env->today)) ||
	    (q->due_within >= 0 && (due == CW_NODAY || due > horizon)) ||
	    (q->flag && !cw_case_has_flag(c, q->flag)) ||
	    (q->stage >= 0 && c->stage != q->stage) ||
	    (q->open && !case_open(c)) || (q->closed && case_open(c)) ||
	    (q->team && (!c->team || strcmp(c->team, q->team))) ||
	    (q->priority &&
	     strcmp(c->priority ? c->priority : "normal", q->priority)) ||
	    (q->search && !found_by(c, q->search)) ||
	    (q->handler && (!c->handler || strcmp(c->handler, q->handler))) ||
	    (q->unallocated && c->handler) || !cw_people_sees(env, c));
}

/* A line of the list, kept until it is sorted. */
struct line {
	int urgent;
	tc_day due; /* CW_NODAY sorts last */
	char *ref;
	cJSON *item;
};

static int line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->urgent != y->urgent)
		return y->urgent - x->urgent;
	if (x->due != y->due)
		return x->due == CW_NODAY   ? 1
		       : y->due == CW_NODAY ? -1
		       : x->due < y->due    ? -1
					    : 1;
	return strcmp(x->ref, y->ref);
}

void cw_case_open_flags(const struct cw_case *c, char *out, size_t n)
{
	const cJSON *f;
	size_t fl = 0;

	out[0] = 0;
	cJSON_ArrayForEach(f, c->flags)
	{
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(f, "flag");
		int w;

		if (cw_flag_decided(f))
			continue;
		w = snprintf(out + fl, n - fl, "%s%s", fl ? "," : "",
			     cJSON_IsString(nm) ? nm->valuestring : "");
		if (w > 0 && (size_t)w < n - fl)
			fl += (size_t)w;
	}
}

int cw_days_late(const struct cw_env *env, tc_day due)
{
	if (due == CW_NODAY || due >= env->today)
		return 0;
	return tc_calendar_working_between(env->rules->cal, due, env->today);
}

int cw_list_select(struct cw_env *env, const struct cw_query *in, cw_list_fn fn,
		   void *arg, cJSON **out)
{
	struct cw_query qq = *in, *q = &qq;
	tc_day horizon = CW_NODAY;
	int64_t *ids = NULL;
	struct line *lines = NULL;
	size_t n = 0, i, nl = 0;
	int rc = TC_EXIT_ENV;

	*out = NULL;
	if (q->mine) {
		if (!env->who || !env->who->people) {
			tc_warnx("--mine: the register has no officers yet "
				 "(see 'casework user add')");
			rc = TC_EXIT_USAGE;
			goto out;
		}
		q->handler = env->who->o.username;
	}
	if (q->priority && strcmp(q->priority, "urgent") &&
	    strcmp(q->priority, "normal")) {
		tc_warnx("--priority is urgent or normal, not '%s'",
			 q->priority);
		rc = TC_EXIT_USAGE;
		goto out;
	}
	if (cw_store_list_cases(env->reg, &ids, &n) < 0)
		goto out;
	if (q->due_within >= 0 &&
	    tc_calendar_add_working(env->rules->cal, env->today, q->due_within,
				    &horizon) < 0) {
		tc_warnx("--due-within reaches beyond the calendar");
		rc = TC_EXIT_USAGE;
		goto out;
	}
	lines = calloc(n ? n : 1, sizeof(*lines));
	if (!lines)
		tc_die_nomem();
	for (i = 0; i < n; i++) {
		struct cw_case c;
		const char *what;
		tc_day due;

		if (cw_store_case_load_id(env->reg, ids[i], &c) <= 0)
			goto out;
		due = next_deadline(&c, &what);
		if (wanted(env, q, &c, due, horizon)) {
			struct line *l = &lines[nl++];

			l->urgent = cw_case_urgent(&c);
			l->due = due;
			l->ref = tc_xstrdup(c.reference);
			l->item = fn(env, &c, due, what, arg);
		}
		cw_case_release(&c);
	}
	qsort(lines, nl, sizeof(*lines), line_cmp);
	*out = cJSON_CreateArray();
	if (!*out)
		tc_die_nomem();
	for (i = 0; i < nl; i++) {
		cJSON_AddItemToArray(*out, lines[i].item);
		lines[i].item = NULL;
	}
	rc = TC_EXIT_OK;
out:
	for (i = 0; i < nl; i++) {
		free(lines[i].ref);
		cJSON_Delete(lines[i].item);
	}
	free(lines);
	free(ids);
	return rc;
}

/* A line of list's table, or the case as JSON without its history. */
static cJSON *list_item(struct cw_env *env, const struct cw_case *c, tc_day due,
			const char *what, void *arg)
{
	char d[11] = "", late[16] = "", flags[256];
	struct tc_buf t = TC_BUF_INIT;
	cJSON *item;

	if (*(int *)arg) {
		item = cw_case_json(env, c);
		cJSON_DeleteItemFromObjectCaseSensitive(item, "history");
		return item;
	}
	if (due != CW_NODAY)
		tc_day_format(due, d);
	if (due != CW_NODAY && due < env->today)
		snprintf(late, sizeof(late), "%d", cw_days_late(env, due));
	cw_case_open_flags(c, flags, sizeof(flags));
	if (tc_buf_addf(&t,
			"%-16s %-16s %-5d %-12s %-8s %-12s %-11s %-5s %-22.22s "
			"%-12s %s",
			c->reference, c->type, c->stage, c->status,
			c->priority ? c->priority : "normal", what, d, late,
			c->team ? c->team : "-", c->handler ? c->handler : "-",
			flags) < 0)
		tc_die_nomem();
	item = cJSON_CreateString(t.data);
	tc_buf_release(&t);
	if (!item)
		tc_die_nomem();
	return item;
}

int cw_list(struct cw_env *env, const struct cw_query *q, int json)
{
	cJSON *arr = NULL;
	const cJSON *it;
	int rc = cw_list_select(env, q, list_item, &json, &arr);

	if (rc)
		goto out;
	if (json) {
		char *s = cJSON_Print(arr);

		if (!s)
			tc_die_nomem();
		puts(s);
		free(s);
	} else {
		printf("%-16s %-16s %-5s %-12s %-8s %-12s %-11s %-5s %-22s "
		       "%-12s %s\n",
		       "REFERENCE", "TYPE", "STAGE", "STATUS", "PRIORITY",
		       "NEXT", "DUE", "LATE", "TEAM", "HANDLER", "FLAGS");
		cJSON_ArrayForEach(it, arr) puts(it->valuestring);
	}
	rc = fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
out:
	cJSON_Delete(arr);
	return rc;
}

int cw_case_find(struct cw_env *env, const char *ref, struct cw_case *c)
{
	char key[128];
	int r;

	tc_rules_ref_canonical(env->rules, ref, key, sizeof(key));
	r = cw_store_case_load(env->reg, key, 0, c);
	if (r == 0)
		tc_warnx("no case has the reference '%s' (try 'casework "
			 "list')",
			 key);
	/* a duplicate merged into another case is found as that case */
	while (r > 0 && c->merged_into) {
		int64_t into = c->merged_into;
		char *was = tc_xstrdup(c->reference);

		cw_case_release(c);
		r = cw_store_case_load_id(env->reg, into, c);
		if (r > 0)
			tc_warnx("%s was merged into %s", was, c->reference);
		free(was);
	}
	return r;
}

/* The events that correct or withdraw event id, as "; corrected by 7". */
static void print_amended(const cJSON *hist, double id)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, hist)
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "detail");
		const char *ev = cw_jstr(it, "event");

		if ((!strcmp(ev, "corrected") || !strcmp(ev, "withdrawn")) &&
		    cw_jnum(d, "event") == id)
			printf("; %s by %.0f", ev, cw_jnum(it, "id"));
	}
}

/* The actions promised and what the Ombudsman did. */
static void print_follow_up(const struct cw_case *c)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, c->actions)
	{
		printf("action %.0f: %s (%s), due %s%s%s\n",
		       cw_jnum(a, "event"), cw_jstr(a, "text"),
		       cw_jstr(a, "owner"), cw_jstr(a, "due"),
		       cw_jstr(a, "done")[0] ? ", done " : ", not yet done",
		       cw_jstr(a, "done"));
	}
	cJSON_ArrayForEach(a, c->links)
	    printf("related: %s\n", cJSON_IsString(a) ? a->valuestring : "");
	if (!c->ombudsman)
		return;
	printf("ombudsman: considering %s",
	       cw_jstr(c->ombudsman, "considering")[0]
		   ? cw_jstr(c->ombudsman, "considering")
		   : "-");
	if (cw_jstr(c->ombudsman, "decided")[0])
		printf(", decided %s: %s%s%s", cw_jstr(c->ombudsman, "decided"),
		       cw_jstr(c->ombudsman, "decision"),
		       cw_jstr(c->ombudsman, "remedy")[0] ? ", remedy " : "",
		       cw_jstr(c->ombudsman, "remedy"));
	if (cw_jstr(c->ombudsman, "complied")[0])
		printf(", complied %s", cw_jstr(c->ombudsman, "complied"));
	printf("\n");
}

/* The history, one event a line: number, date, event, stage, who, and
 * what corrects or withdraws it. */
static void print_history(const cJSON *hist)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, hist)
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "detail");
		const char *ev = cw_jstr(it, "event"), *by = cw_jstr(it, "by");

		printf("%4.0f  %s %s (stage %.0f)", cw_jnum(it, "id"),
		       cw_jstr(it, "date"), ev, cw_jnum(it, "stage"));
		if (!strcmp(ev, "corrected") || !strcmp(ev, "withdrawn"))
			printf(" event %.0f: %s", cw_jnum(d, "event"),
			       cw_jstr(d, "why"));
		else if (!strcmp(ev, "decided"))
			printf(" %s: %s", cw_jstr(d, "flag"),
			       cw_jstr(d, "outcome"));
		else if (!strcmp(ev, "reclassified"))
			printf(" %s %s -> %s %s", cw_jstr(d, "from_type"),
			       cw_jstr(d, "from_reference"), cw_jstr(d, "to"),
			       cw_jstr(d, "reference"));
		else if (!strcmp(ev, "moved") || !strcmp(ev, "reassigned"))
			printf(" %s -> %s", cw_jstr(d, "from"),
			       cw_jstr(d, "to"));
		else if (!strcmp(ev, "merged"))
			printf(" into %s", cw_jstr(d, "into"));
		else if (!strcmp(ev, "merged-in"))
			printf(" %s", cw_jstr(d, "from"));
		else if (!strcmp(ev, "linked"))
			printf(" with %s", cw_jstr(d, "to"));
		if (by[0])
			printf(" by %s", by);
		print_amended(hist, cw_jnum(it, "id"));
		printf("\n");
	}
}

/* "WHAT by YYYY-MM-DD", or that the stage has no such deadline, into
 * buf. */
const char *cw_due_words(const char *what, tc_day due, char buf[40])
{
	char d[11];

	if (due == CW_NODAY)
		snprintf(buf, 40, "no %s deadline",
			 !strcmp(what, "respond") ? "fixed response"
						  : "acknowledgement");
	else
		snprintf(buf, 40, "%s by %s", what, cw_day_str(due, d));
	return buf;
}

int cw_show(struct cw_env *env, const char *ref, int json)
{
	struct cw_case c;
	cJSON *o;
	char *s;
	int r = cw_case_find(env, ref, &c);

	if (r <= 0)
		return r == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	r = cw_people_allow(env, TC_ACT_READ, &c);
	if (!r && cw_people_read(env, &c, "show") < 0)
		r = TC_EXIT_ENV;
	if (r) {
		cw_case_release(&c);
		return r;
	}
	o = cw_case_json(env, &c);
	if (json) {
		s = cJSON_Print(o);
		if (!s)
			tc_die_nomem();
		puts(s);
		free(s);
	} else {
		const cJSON *it;
		int k, st;

		printf("%s  %s  %s\n", c.reference, c.type, c.status);
		printf("team: %s\nservice area: %s\nreceived: %s (counts from "
		       "%s)\n",
		       c.team ? c.team : "-",
		       c.service_area ? cw_service_name(env, c.service_area)
				      : "-",
		       c.received,
		       cJSON_GetObjectItemCaseSensitive(o, "received_date")
			   ->valuestring);
		for (k = 0; k < c.nstages; k++) {
			const struct cw_stage *sg = &c.stages[k];
			char a[40], b[40], d1[11], d2[11];

			printf("stage %d: %s", sg->stage,
			       cw_due_words("acknowledge", sg->ack_due, a));
			if (sg->acknowledged != CW_NODAY)
				printf(" (acknowledged %s)",
				       cw_day_str(sg->acknowledged, d1));
			printf(", %s",
			       cw_due_words("respond", sg->respond_due, b));
			for (st = 0; st < sg->nsteps; st++)
				printf(", %s %s %s", sg->steps[st].id,
				       sg->steps[st].done != CW_NODAY ? "done"
								      : "by",
				       cw_day_str(sg->steps[st].done != CW_NODAY
						      ? sg->steps[st].done
						      : sg->steps[st].due,
						  d2));
			if (sg->update_due != CW_NODAY)
				printf(", tell the resident why by %s",
				       cw_day_str(sg->update_due, d2));
			if (sg->responded != CW_NODAY)
				printf(" (responded %s)",
				       cw_day_str(sg->responded, d2));
			if (sg->extension_days)
				printf(", extended %d working days: %s",
				       sg->extension_days,
				       sg->extension_reason
					   ? sg->extension_reason
					   : "");
			if (sg->closed != CW_NODAY)
				printf(", closed %s: %s%s%s",
				       cw_day_str(sg->closed, d1),
				       sg->outcome
					   ? tc_rules_outcome_label(env->rules,
								    sg->outcome)
					   : "",
				       sg->remedy ? ", remedy " : "",
				       sg->remedy ? sg->remedy : "");
			printf("\n");
		}
		cJSON_ArrayForEach(it, c.flags)
		{
			const cJSON *dec =
			    cJSON_GetObjectItemCaseSensitive(it, "decision");

			printf("flag %s: %s", cw_jstr(it, "flag"),
			       cw_jstr(it, "detail"));
			if (dec)
				printf(" [decided %s: %s%s%s%s%s]",
				       cw_jstr(dec, "date"),
				       cw_jstr(dec, "outcome"),
				       cw_jstr(dec, "note")[0] ? ", " : "",
				       cw_jstr(dec, "note"),
				       cw_jstr(dec, "review")[0] ? ", review "
								 : "",
				       cw_jstr(dec, "review"));
			printf("\n");
		}
		print_follow_up(&c);
		print_history(cJSON_GetObjectItemCaseSensitive(o, "history"));
	}
	cJSON_Delete(o);
	cw_case_release(&c);
	return fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
}

static int access_line(const char *at, const char *officer, const char *action,
		       void *arg)
{
	int *n = arg;

	printf("%-20s %-24s %s\n", at, officer, action);
	(*n)++;
	return 0;
}

int cw_show_access(struct cw_env *env, const char *ref)
{
	struct cw_case c;
	int n = 0, r = cw_case_find(env, ref, &c);

	if (r <= 0)
		return r == 0 ? TC_EXIT_INPUT : TC_EXIT_ENV;
	r = cw_people_allow(env, TC_ACT_READ, &c);
	if (!r) {
		printf("%-20s %-24s %s\n", "WHEN (UTC)", "OFFICER", "READ BY");
		r = cw_store_access_list(env->reg, c.id, access_line, &n) < 0
			? TC_EXIT_ENV
			: TC_EXIT_OK;
	}
	if (!r && !n)
		printf("(no one has read it since officers were added)\n");
	cw_case_release(&c);
	return r || fflush(stdout) == 0 ? r : TC_EXIT_ENV;
}
