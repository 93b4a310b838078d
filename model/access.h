/*
 * access.h: who may do what with the register: the roles of the officers
 * it names, decided here, in the case model, so that the command line and
 * the web workspace give the same answer to the same person.
 *
 *   administrator    people and settings, retention, anonymised reports
 *   complaints-team  every case ("master view"): reading, recording,
 *                    allocating, new cases, ingest, quarantine,
 *                    restrictions, the daily and annual reports
 *   handler          only the cases allocated to them (and, when the data
 *                    folder says so, their team's): read and record
 *   viewer           anonymised reports only
 *
 * A register with no officers yet is open to its owner: everything is
 * allowed until the first administrator is added.
 */
#ifndef TC_ACCESS_H
#define TC_ACCESS_H

#include "date.h"

enum tc_role {
	TC_ROLE_NONE = 0,
	TC_ROLE_ADMIN,
	TC_ROLE_TEAM,
	TC_ROLE_HANDLER,
	TC_ROLE_VIEWER,
};

/* An officer as the register holds them; the strings are the caller's. */
struct tc_officer {
	const char *username; /* how commands name them: "sbarnes" */
	const char *name;     /* "Sue Barnes" */
	const char *title;    /* their role title: "Complaints Officer" */
	const char *team;     /* a team the rules route to, or NULL */
	const char *email;
	enum tc_role role;
	int active;	  /* 0: disabled, may do nothing */
	tc_day away_from; /* away (leave, sickness), or TC_NODAY */
	tc_day away_to;	  /* the last day away, or TC_NODAY */
};

/* What is asked of the register. */
enum tc_act {
	TC_ACT_READ,	 /* a case's details: show, export, search */
	TC_ACT_RECORD,	 /* a step of a case's lifecycle */
	TC_ACT_ALLOCATE, /* allocate or reallocate a case, merge, move */
	TC_ACT_WORK,	 /* every case: list all, ingest, new, quarantine,
			    restrictions, the daily report */
	TC_ACT_REPORT,	 /* the anonymised annual figures */
	TC_ACT_PEOPLE,	 /* officers, settings, purge */
};

/* "administrator", "complaints-team", "handler", "viewer"; "" for
 * TC_ROLE_NONE. */
const char *tc_role_name(enum tc_role r);
/* The role named s (as tc_role_name spells it), or TC_ROLE_NONE. */
enum tc_role tc_role_parse(const char *s);

/*
 * NULL when who may do act, else the rule that refuses it: a sentence
 * naming the rule, for the message and the log. For TC_ACT_READ and
 * TC_ACT_RECORD, handler and team are the case's (NULL: unallocated);
 * team_view lets handlers see their team's cases. who NULL: a register
 * with no officers, where everything is allowed.
 */
const char *tc_access(const struct tc_officer *who, enum tc_act act,
		      const char *handler, const char *team, int team_view);

/* 1 when who is away on day (between away_from and away_to, both
 * included; an open end runs on), else 0. */
int tc_officer_away(const struct tc_officer *who, tc_day day);

#endif
