/*
 * people.c: officers, who acts, and the role checks (see people.h).
 *
 * The rules of who may do what are model/access.c's; this file finds who
 * is acting, asks those rules, says and logs each refusal, and logs each
 * reading of a case's personal data in the register's access log.
 */
#include "people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casepack.h"
#include "err.h"

static char *dup_or_null(const char *s)
{
	return s && *s ? tc_xstrdup(s) : NULL;
}

/* A copy of r's officer into o, its strings owned. */
static void officer_copy(struct tc_officer *o, const struct tc_officer *r)
{
	o->username = dup_or_null(r->username);
	o->name = dup_or_null(r->name);
	o->title = dup_or_null(r->title);
	o->team = dup_or_null(r->team);
	o->email = dup_or_null(r->email);
	o->role = r->role;
	o->active = r->active;
	o->away_from = r->away_from;
	o->away_to = r->away_to;
}

static void officer_free(struct tc_officer *o)
{
	free((char *)o->username);
	free((char *)o->name);
	free((char *)o->title);
	free((char *)o->team);
	free((char *)o->email);
	memset(o, 0, sizeof(*o));
}

void cw_people_close(struct cw_env *env)
{
	struct cw_who *w = env->who;

	if (!w)
		return;
	officer_free(&w->o);
	free(w->unix_user);
	free(w->admin);
	free(w);
	env->who = NULL;
}

static int take_row(const struct cw_officer_row *r, void *arg)
{
	officer_copy(arg, &r->o);
	return 0;
}

/* Logs a refusal: who, what, which case (by reference only). */
static void log_refusal(struct cw_env *env, const char *what,
			const struct cw_case *c, const char *why)
{
	cJSON *d = cJSON_CreateObject();
	const struct cw_who *w = env->who;

	if (!d)
		tc_die_nomem();
	cw_ctx_str(d, "officer", w && w->o.username ? w->o.username : "");
	if (w && w->admin)
		cw_ctx_str(d, "for", w->admin);
	cw_ctx_str(d, "unix_user", w ? w->unix_user : "");
	cw_ctx_str(d, "asked", what);
	if (c && c->reference)
		cw_ctx_str(d, "reference", c->reference);
	cw_ctx_str(d, "rule", why);
	(void)cw_env_audit(env, "refused", d);
}

int cw_people_open(struct cw_env *env, const char *account, const char *as)
{
	struct cw_who *w = calloc(1, sizeof(*w));
	int n, found;

	if (!w)
		tc_die_nomem();
	env->who = w;
	w->unix_user = tc_xstrdup(account ? account : "unknown");
	w->team_view = env->team_view;
	n = cw_store_officer_count(env->reg);
	if (n < 0)
		return TC_EXIT_ENV;
	if (n == 0) {
		if (as) {
			tc_warnx("--officer: the register has no officers yet "
				 "(add the first, an administrator, with "
				 "'casework user add')");
			return TC_EXIT_USAGE;
		}
		return 0;
	}
	w->people = 1;
	found = cw_store_officer_find(env->reg, NULL, w->unix_user, take_row,
				      &w->o);
	if (found < 0)
		return TC_EXIT_ENV;
	if (!found) {
		tc_warnx("the Unix account '%s' is not an officer of this "
			 "register: an administrator adds it with 'casework "
			 "user add USERNAME --name NAME --role ROLE --unix %s'",
			 w->unix_user, w->unix_user);
		return TC_EXIT_INPUT;
	}
	if (!as || !strcmp(as, w->o.username))
		return 0;
	if (w->o.role != TC_ROLE_ADMIN || !w->o.active) {
		tc_warnx(
		    "--officer: refused: rule 'as': only an administrator may "
		    "act as another officer");
		log_refusal(env, "as", NULL, "rule 'as'");
		return TC_EXIT_REFUSED;
	}
	w->admin = tc_xstrdup(w->o.username);
	officer_free(&w->o);
	found = cw_store_officer_find(env->reg, as, NULL, take_row, &w->o);
	if (found <= 0) {
		if (!found)
			tc_warnx(
			    "--officer: no officer '%s' (try 'casework user "
			    "list')",
			    as);
		return found < 0 ? TC_EXIT_ENV : TC_EXIT_INPUT;
	}
	return 0;
}

static const char *act_name(enum tc_act act)
{
	static const char *const n[] = {"read", "record", "allocate",
					"work", "report", "people"};

	return (unsigned)act < sizeof(n) / sizeof(n[0]) ? n[act] : "";
}

int cw_people_allow(struct cw_env *env, enum tc_act act,
		    const struct cw_case *c)
{
	const struct cw_who *w = env->who;
	const char *why;

	if (!w || !w->people)
		return 0;
	why = tc_access(&w->o, act, c ? c->handler : NULL, c ? c->team : NULL,
			w->team_view);
	if (!why)
		return 0;
	if (c && c->reference)
		tc_warnx("%s: refused: %s", c->reference, why);
	else
		tc_warnx("refused: %s", why);
	log_refusal(env, act_name(act), c, why);
	return TC_EXIT_REFUSED;
}

int cw_people_command(struct cw_env *env, const char *cmd)
{
	static const struct {
		const char *cmd;
		enum tc_act act;
	} acts[] = {
	    {"new", TC_ACT_WORK},      {"ingest", TC_ACT_WORK},
	    {"report", TC_ACT_WORK},   {"restrict", TC_ACT_WORK},
	    {"export", TC_ACT_WORK},   {"quarantine", TC_ACT_WORK},
	    {"annual", TC_ACT_REPORT}, {"purge", TC_ACT_PEOPLE},
	    {"init", TC_ACT_PEOPLE},
	};
	const struct cw_who *w = env->who;
	size_t i;

	if (!w || !w->people)
		return 0;
	/* list shows a handler their own cases; the others, per case */
	if (!strcmp(cmd, "list") && w->o.role == TC_ROLE_HANDLER && w->o.active)
		return 0;
	if (!strcmp(cmd, "list"))
		return cw_people_allow(env, TC_ACT_WORK, NULL);
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(acts[i].cmd, cmd))
			return cw_people_allow(env, acts[i].act, NULL);
	return 0;
}

int cw_people_sees(const struct cw_env *env, const struct cw_case *c)
{
	const struct cw_who *w = env->who;

	return !w || !w->people ||
	       !tc_access(&w->o, TC_ACT_READ, c->handler, c->team,
			  w->team_view);
}

int cw_people_read(struct cw_env *env, const struct cw_case *c,
		   const char *action)
{
	const struct cw_who *w = env->who;
	char at[32], who[160];
	time_t now = time(NULL);
	struct tm tm;

	if (!w || !w->people)
		return 0;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(at, sizeof(at), "unknown");
	snprintf(who, sizeof(who), "%s%s%s", w->admin ? w->admin : "",
		 w->admin ? " as " : "", w->o.username);
	return cw_store_access_add(env->reg, at, who, c->id, action);
}

/* Lower case with single spaces, into out (size n). */
static void fold(const char *in, char *out, size_t n)
{
	size_t k = 0;
	int space = 0;

	for (; in && *in && k + 2 < n; in++) {
		char ch = *in;

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		    ch == ',' || ch == '.') {
			space = k > 0;
			continue;
		}
		if (space)
			out[k++] = ' ';
		space = 0;
		out[k++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
	out[k] = 0;
}

/* 1 when the complaint's staff_named field names o: their full name, or
 * their username, as whole words, letter case and spacing aside. */
static int named_in(struct cw_env *env, const struct cw_case *c,
		    const struct tc_officer *o)
{
	struct tc_buf raw = {tc_buf_empty, 0, 0, 0};
	cJSON *sub = NULL;
	char text[2048], name[256], user[64];
	const char *who[2] = {name, user};
	int found = 0, i;

	if (!c->submission_id ||
	    cw_submission_read(env, c->submission_id, &raw, &sub) < 0)
		goto out;
	fold(cw_jstr(cJSON_GetObjectItemCaseSensitive(sub, "fields"),
		     "staff_named"),
	     text + 1, sizeof(text) - 2);
	text[0] = ' ';
	strcat(text, " ");
	fold(o->name, name + 1, sizeof(name) - 2);
	fold(o->username, user + 1, sizeof(user) - 2);
	name[0] = user[0] = ' ';
	strcat(name, " ");
	strcat(user, " ");
	for (i = 0; i < 2 && !found; i++)
		found = strlen(who[i]) > 2 && strstr(text, who[i]) != NULL;
out:
	cJSON_Delete(sub);
	tc_buf_release(&raw);
	return found;
}

int cw_people_allocatable(struct cw_env *env, const struct cw_case *c,
			  const char *username)
{
	struct tc_officer o;
	char a[11], b[11];
	int found, k, rc = TC_EXIT_INPUT;

	memset(&o, 0, sizeof(o));
	found = cw_store_officer_find(env->reg, username, NULL, take_row, &o);
	if (found <= 0) {
		if (!found)
			tc_warnx("--to: no officer '%s' (try 'casework user "
				 "list')",
				 username);
		return found < 0 ? TC_EXIT_ENV : TC_EXIT_INPUT;
	}
	if (!o.active)
		tc_warnx("%s: %s is disabled", c->reference, username);
	else if (o.role != TC_ROLE_HANDLER && o.role != TC_ROLE_TEAM)
		tc_warnx("%s: %s is %s %s, who handles no cases (allocate to a "
			 "handler or the complaints team)",
			 c->reference, username,
			 o.role == TC_ROLE_ADMIN ? "an" : "a",
			 tc_role_name(o.role));
	else if (tc_officer_away(&o, env->today))
		tc_warnx("%s: %s is away (from %s%s%s): allocate the case to "
			 "someone else",
			 c->reference, username, cw_day_str(o.away_from, a),
			 o.away_to != CW_NODAY ? " to " : "",
			 o.away_to != CW_NODAY ? cw_day_str(o.away_to, b) : "");
	else if (named_in(env, c, &o))
		tc_warnx("%s: refused: rule 'named officer': %s is named in "
			 "the complaint, and the officer named in a complaint "
			 "does not respond to it",
			 c->reference, o.name);
	else
		rc = 0;
	/* stage 2 and after go to someone new */
	for (k = 0; !rc && k + 1 < c->nstages; k++)
		if (c->stages[k].handler &&
		    !strcmp(c->stages[k].handler, username)) {
			tc_warnx("%s: refused: rule 'new handler': %s handled "
				 "stage %d, and stage %d goes to a different "
				 "handler",
				 c->reference, username, c->stages[k].stage,
				 c->stages[c->nstages - 1].stage);
			rc = TC_EXIT_INPUT;
		}
	officer_free(&o);
	return rc;
}

int cw_people_signature(struct cw_env *env, cJSON *o, const char *username)
{
	struct tc_officer who;
	cJSON *h;
	int found;

	if (!username)
		return 0;
	memset(&who, 0, sizeof(who));
	found = cw_store_officer_find(env->reg, username, NULL, take_row, &who);
	if (found > 0) {
		h = cJSON_AddObjectToObject(o, "handler");
		if (!h)
			tc_die_nomem();
		cw_ctx_str(h, "name", who.name);
		cw_ctx_str(h, "role",
			   who.title ? who.title : "Complaints handler");
	}
	officer_free(&who);
	return found < 0 ? -1 : 0;
}

int cw_team_known(const struct tc_rules *r, const char *team)
{
	size_t i;

	if (!team)
		return 0;
	if (r->default_team && !strcmp(team, r->default_team))
		return 1;
	for (i = 0; i < r->nroute; i++)
		if (r->route[i].team && !strcmp(r->route[i].team, team))
			return 1;
	return 0;
}

const char *cw_people_by(struct cw_env *env, const char *by)
{
	const struct cw_who *w = env->who;

	if (!w || !w->people)
		return by && by[0] ? by : cw_env_account();
	if (by && by[0] && strcmp(by, w->o.username)) {
		tc_warnx("--by: the register has officers, so each step is "
			 "recorded as done by the officer acting ('%s'); an "
			 "administrator may act for another with --officer",
			 w->o.username);
		return NULL;
	}
	return w->o.username;
}
