/*
 * users.c: casework user add|list|set|disable, the officers of the
 * register (see people.h). Teams are the ones the rules route to; the
 * first officer is an administrator acting as the Unix account that adds
 * them, so that whoever sets the register up keeps a way in.
 */
#include "people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* A username: 1 to 32 of a-z, 0-9, '.', '_' and '-', starting with a
 * letter. */
static int username_ok(const char *s)
{
	size_t i;

	if (!s || !(*s >= 'a' && *s <= 'z'))
		return 0;
	for (i = 0; s[i]; i++)
		if (i >= 32 || !((s[i] >= 'a' && s[i] <= 'z') ||
				 (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
				 s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int no_op(const struct cw_officer_row *r, void *arg)
{
	(void)r;
	(void)arg;
	return 0;
}

/* Checks what add and set were given. 0 or an exit code after a
 * message. */
static int check_opts(struct cw_env *env, const struct cw_user_opts *u)
{
	if (u->role && tc_role_parse(u->role) == TC_ROLE_NONE) {
		tc_warnx("--role: '%s' is not a role (administrator, "
			 "complaints-team, handler or viewer)",
			 u->role);
		return TC_EXIT_USAGE;
	}
	if (u->team && !cw_team_known(env->rules, u->team)) {
		tc_warnx("--team: '%s' is not a team the rules route to (see "
			 "'routing' in %s)",
			 u->team, env->rules->path);
		return TC_EXIT_USAGE;
	}
	if (u->active && strcmp(u->active, "yes") && strcmp(u->active, "no")) {
		tc_warnx("--active: yes or no");
		return TC_EXIT_USAGE;
	}
	if (u->away_to != CW_NODAY && u->away_from != CW_NODAY &&
	    u->away_to < u->away_from) {
		tc_warnx("--away-to: before --away-from");
		return TC_EXIT_USAGE;
	}
	return 0;
}

static int audit_officer(struct cw_env *env, const char *action,
			 const char *username, const char *role)
{
	cJSON *d = cJSON_CreateObject();

	if (!d)
		tc_die_nomem();
	cw_ctx_str(d, "username", username);
	if (role)
		cw_ctx_str(d, "role", role);
	if (env->who && env->who->o.username)
		cw_ctx_str(d, "by", env->who->o.username);
	return cw_env_audit(env, action, d);
}

int cw_user_add(struct cw_env *env, const char *username,
		const struct cw_user_opts *u)
{
	struct tc_officer o;
	int rc = check_opts(env, u), n, found;

	if (rc)
		return rc;
	if (!username_ok(username)) {
		tc_warnx("'%s' is not a username: 1 to 32 of a-z, 0-9, '.', "
			 "'_' and '-', starting with a letter",
			 username ? username : "");
		return TC_EXIT_USAGE;
	}
	if (!u->name || !u->name[0] || !u->role) {
		tc_warnx("user add needs --name NAME and --role ROLE");
		return TC_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.username = username;
	o.name = u->name;
	o.title = u->title;
	o.team = u->team;
	o.email = u->email;
	o.role = tc_role_parse(u->role);
	o.away_from = u->away_from;
	o.away_to = u->away_to;
	if (cw_store_begin(env->reg) < 0)
		return TC_EXIT_ENV;
	rc = TC_EXIT_ENV;
	n = cw_store_officer_count(env->reg);
	found = cw_store_officer_find(env->reg, username, u->unix_user, no_op,
				      NULL);
	if (n < 0 || found < 0)
		goto out;
	rc = TC_EXIT_INPUT;
	if (n == 0 && (o.role != TC_ROLE_ADMIN || !u->unix_user ||
		       strcmp(u->unix_user, env->who->unix_user))) {
		tc_warnx("the first officer must be an administrator acting as "
			 "this Unix account: casework user add USERNAME --name "
			 "NAME --role administrator --unix %s",
			 env->who->unix_user);
		goto out;
	}
	if (found) {
		tc_warnx("an officer called '%s'%s%s%s is already in the "
			 "register (try 'casework user list')",
			 username, u->unix_user ? " or acting as '" : "",
			 u->unix_user ? u->unix_user : "",
			 u->unix_user ? "'" : "");
		goto out;
	}
	rc = TC_EXIT_ENV;
	if (cw_store_officer_add(env->reg, &o, u->unix_user, env->today_s) <
		0 ||
	    audit_officer(env, "officer_added", username, u->role) < 0 ||
	    cw_store_commit(env->reg) < 0)
		goto out;
	printf("%s added: %s, %s%s%s\n", username, u->name, u->role,
	       u->team ? ", " : "", u->team ? u->team : "");
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	cw_store_rollback(env->reg);
	return rc;
}

struct list_ctx {
	struct cw_env *env;
	cJSON *arr; /* --json */
};

static int list_row(const struct cw_officer_row *r, void *arg)
{
	struct list_ctx *x = arg;
	const struct tc_officer *o = &r->o;
	char from[11] = "", to[11] = "", away[40] = "", due[11] = "";

	if (o->away_from != CW_NODAY) {
		cw_day_str(o->away_from, from);
		if (o->away_to != CW_NODAY)
			cw_day_str(o->away_to, to);
		snprintf(away, sizeof(away), "%s%s%s%s", from,
			 o->away_to != CW_NODAY ? " to " : " on", to,
			 tc_officer_away(o, x->env->today) ? " (away)" : "");
	}
	if (x->arr) {
		cJSON *it = cw_ctx_item(x->arr);

		cw_ctx_str(it, "username", o->username);
		cw_ctx_str(it, "name", o->name);
		cw_ctx_str(it, "title", o->title);
		cw_ctx_str(it, "team", o->team);
		cw_ctx_str(it, "email", o->email);
		cw_ctx_str(it, "role", tc_role_name(o->role));
		cw_ctx_bool(it, "active", o->active);
		cw_ctx_str(it, "away_from", from);
		cw_ctx_str(it, "away_to", to);
		cw_ctx_bool(it, "away", tc_officer_away(o, x->env->today));
		cw_ctx_str(it, "unix_user", r->unix_user);
		cw_ctx_num(it, "open_cases", r->open_cases, -1);
		cw_ctx_str(it, "next_due",
			   r->next_due != CW_NODAY
			       ? cw_day_str(r->next_due, due)
			       : "");
		return 0;
	}
	printf("%-12s %-15s %-22s %-22s %4d %-10s %-8s %s%s\n", o->username,
	       tc_role_name(o->role), o->name, *o->team ? o->team : "-",
	       r->open_cases,
	       r->next_due != CW_NODAY ? cw_day_str(r->next_due, due) : "-",
	       *r->unix_user ? r->unix_user : "-", o->active ? "" : "disabled ",
	       away);
	return 0;
}

int cw_user_list(struct cw_env *env, int json)
{
	struct list_ctx x = {env, json ? cJSON_CreateArray() : NULL};
	int rc = TC_EXIT_ENV;

	if (json && !x.arr)
		tc_die_nomem();
	if (!json)
		printf("%-12s %-15s %-22s %-22s %4s %-10s %-8s %s\n",
		       "USERNAME", "ROLE", "NAME", "TEAM", "OPEN", "NEXT DUE",
		       "UNIX", "");
	if (cw_store_officer_list(env->reg, list_row, &x) < 0)
		goto out;
	if (json) {
		char *s = cJSON_Print(x.arr);

		if (!s)
			tc_die_nomem();
		printf("%s\n", s);
		free(s);
	}
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	cJSON_Delete(x.arr);
	return rc;
}

/* Counts the active administrators among the rows it is called on. */
static int count_admin(const struct cw_officer_row *r, void *arg)
{
	int *n = arg;

	if (r->o.role == TC_ROLE_ADMIN && r->o.active)
		(*n)++;
	return 0;
}

static int change(struct cw_env *env, const char *username,
		  struct cw_officer_change *ch, const char *action)
{
	int rc = TC_EXIT_ENV, r, admins = 0, is_admin = 0;

	if (cw_store_begin(env->reg) < 0)
		return TC_EXIT_ENV;
	/* never lock the register's people out */
	if ((ch->active == 0 || (ch->role && ch->role != TC_ROLE_ADMIN))) {
		if (cw_store_officer_list(env->reg, count_admin, &admins) < 0 ||
		    cw_store_officer_find(env->reg, username, NULL, count_admin,
					  &is_admin) < 0)
			goto out;
		if (is_admin && admins == 1) {
			tc_warnx("%s is the last active administrator: add "
				 "another first",
				 username);
			rc = TC_EXIT_INPUT;
			goto out;
		}
	}
	r = cw_store_officer_set(env->reg, username, ch);
	if (r <= 0) {
		if (r == 0) {
			tc_warnx("no officer '%s' (try 'casework user list')",
				 username);
			rc = TC_EXIT_INPUT;
		}
		goto out;
	}
	if (audit_officer(env, action, username,
			  ch->role ? tc_role_name(ch->role) : NULL) < 0 ||
	    cw_store_commit(env->reg) < 0)
		goto out;
	printf("%s %s\n", username,
	       !strcmp(action, "officer_disabled") ? "disabled" : "changed");
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	cw_store_rollback(env->reg);
	return rc;
}

int cw_user_set(struct cw_env *env, const char *username,
		const struct cw_user_opts *u)
{
	struct cw_officer_change ch;
	int rc = check_opts(env, u);

	if (rc)
		return rc;
	memset(&ch, 0, sizeof(ch));
	ch.name = u->name;
	ch.title = u->title;
	ch.team = u->team;
	ch.email = u->email;
	ch.unix_user = u->unix_user;
	ch.role = u->role ? tc_role_parse(u->role) : TC_ROLE_NONE;
	ch.active = u->active ? !strcmp(u->active, "yes") : -1;
	ch.set_away = u->not_away || u->away_from != CW_NODAY;
	ch.away_from = u->not_away ? CW_NODAY : u->away_from;
	ch.away_to = u->not_away ? CW_NODAY : u->away_to;
	if (u->away_to != CW_NODAY && u->away_from == CW_NODAY) {
		tc_warnx("--away-to goes with --away-from");
		return TC_EXIT_USAGE;
	}
	cw_day_str(ch.away_from, ch.away_from_s);
	cw_day_str(ch.away_to, ch.away_to_s);
	return change(env, username, &ch, "officer_changed");
}

int cw_user_disable(struct cw_env *env, const char *username)
{
	struct cw_officer_change ch;

	memset(&ch, 0, sizeof(ch));
	ch.active = 0;
	ch.away_from = ch.away_to = CW_NODAY;
	return change(env, username, &ch, "officer_disabled");
}
