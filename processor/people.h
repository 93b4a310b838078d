/*
 * people.h: the officers who work the register, who is acting, and what
 * they may do: casework user add|list|set|disable, the acting officer of
 * a command (the Unix account mapped to an officer; an administrator may
 * act as another with --officer), and the role checks of model/access.h
 * applied, with each refusal and each reading of a case's personal data
 * logged.
 */
#ifndef CW_PEOPLE_H
#define CW_PEOPLE_H

#include "access.h"
#include "casework.h"

/* Who acts in a command, once the register is open. */
struct cw_who {
	int people;	     /* 1: the register has officers (checks on) */
	struct tc_officer o; /* the acting officer (strings owned) */
	char *unix_user;     /* the Unix account acting */
	char *admin;	     /* --officer: the administrator acting for o */
	int team_view;	     /* handlers see their team's cases too */
};

/*
 * Finds who acts for env's command: the officer the Unix account (account)
 * is mapped to, or with as (NULL: none) the officer named, when the
 * account's officer is an administrator. A register with no officers is
 * open (env->who->people 0). Sets env->who (freed by cw_env_close). 0, or
 * an exit code after a message (1: not an officer of this register).
 */
int cw_people_open(struct cw_env *env, const char *account, const char *as);

/* Frees env->who. */
void cw_people_close(struct cw_env *env);

/*
 * Whether the command cmd (init, new, ingest, ...) may be run at all by
 * who acts; list, show and record are checked per case. 0, or 1 after the
 * refusal (logged).
 */
int cw_people_command(struct cw_env *env, const char *cmd);

/*
 * Whether who acts may do act on case c (NULL: no case): 0, or 1 after the
 * refusal, printed as "REF: refused: RULE" and written to the audit log.
 */
int cw_people_allow(struct cw_env *env, enum tc_act act,
		    const struct cw_case *c);

/* Whether who acts may see c in a list (no message): 1 or 0. */
int cw_people_sees(const struct cw_env *env, const struct cw_case *c);

/* Logs that who acts read c's personal data (action: show, export). 0 or
 * -1 (printed). No officers: nothing is logged. */
int cw_people_read(struct cw_env *env, const struct cw_case *c,
		   const char *action);

/* Who an event is recorded as done by: the acting officer's username;
 * with no officers, by (--by) or the Unix account. NULL after a message
 * when --by names someone else. */
const char *cw_people_by(struct cw_env *env, const char *by);

/* Adds to a letter's context o "handler": {name, role}, the officer
 * username (NULL: none, nothing added) as letters sign with them. 0, or
 * -1 when the register could not say (printed). */
int cw_people_signature(struct cw_env *env, cJSON *o, const char *username);

/* 1 when team is one the rules route to (or their default team). */
int cw_team_known(const struct tc_rules *r, const char *team);

/*
 * Checks that case c may be allocated to the officer username today: an
 * active handler or complaints-team member, not away, not named in the
 * complaint (the submission's staff_named), and at stage 2 or later not
 * the handler of an earlier stage. 0, or an exit code after a message
 * naming the conflict.
 */
int cw_people_allocatable(struct cw_env *env, const struct cw_case *c,
			  const char *username);

/* What user add and user set are given. */
struct cw_user_opts {
	const char *name, *title, *team, *email, *role, *unix_user;
	const char *active; /* set: yes or no */
	tc_day away_from, away_to;
	int not_away; /* set --back: no longer away */
};

/* casework user add USERNAME / list / set USERNAME / disable USERNAME:
 * exit codes. */
int cw_user_add(struct cw_env *env, const char *username,
		const struct cw_user_opts *u);
int cw_user_list(struct cw_env *env, int json);
int cw_user_set(struct cw_env *env, const char *username,
		const struct cw_user_opts *u);
int cw_user_disable(struct cw_env *env, const char *username);

#endif
