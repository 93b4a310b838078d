/*
 * commands.h: casework list and show (query.c), reading the register, and
 * record (commands.c), appending to a case's history.
 */
#ifndef CW_COMMANDS_H
#define CW_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "casework.h"

/* list's filters; -1 / NULL / 0 for "any". */
struct cw_query {
	int overdue;	/* a deadline has passed and nothing is recorded */
	int due_within; /* a deadline within N working days of today */
	const char *flag;
	int stage;
	int open, closed;     /* only those with something left to do, or not */
	const char *team;     /* only this team's */
	const char *priority; /* only urgent, or only normal */
	const char *search;   /* reference, name, email, phone or postcode */
	int mine;	      /* only those allocated to the acting officer */
	const char *handler;  /* only those allocated to this officer */
	int unallocated;      /* only those allocated to no one */
};

/* Prints the matching cases (a table, or JSON): urgent first, then by the
 * next deadline, the working days it is overdue beside it. Returns an
 * exit code. */
int cw_list(struct cw_env *env, const struct cw_query *q, int json);

/* What list makes of one case that is wanted (a line, a JSON object, a
 * page's row): a new item the caller of cw_list_select owns. */
typedef cJSON *(*cw_list_fn)(struct cw_env *env, const struct cw_case *c,
			     tc_day due, const char *what, void *arg);
/*
 * The cases q wants that who acts may see, each made by fn, into *out (a
 * new array, in list's order: urgent first, then by the next deadline).
 * Returns an exit code (messages said); *out is NULL unless 0.
 */
int cw_list_select(struct cw_env *env, const struct cw_query *q, cw_list_fn fn,
		   void *arg, cJSON **out);

/* The case's undecided flags, comma-separated, into out (size n). */
void cw_case_open_flags(const struct cw_case *c, char *out, size_t n);

/* The working days from due to today when due has passed, else 0. */
int cw_days_late(const struct cw_env *env, tc_day due);

/* Prints one case. Returns 0, 1 for an unknown reference, or 3. */
int cw_show(struct cw_env *env, const char *ref, int json);

/* Prints who read case ref's personal data and when (show --access): the
 * complaints team's, or the handler's of the case. An exit code. */
int cw_show_access(struct cw_env *env, const char *ref);

/* Loads the case ref names (any reference it has had, typed in any case,
 * with or without dashes; a duplicate merged into another is that other
 * case, said on stderr). 1 found, 0 not (said), -1 error. */
int cw_case_find(struct cw_env *env, const char *ref, struct cw_case *c);

/* "respond by 2026-12-14" into buf for what is due (what: respond or
 * acknowledge), or that there is no such deadline. */
const char *cw_due_words(const char *what, tc_day due, char buf[40]);

/* What `casework record REF EVENT` was given. */
struct cw_record {
	const char *ref;
	const char *event;    /* acknowledged, responded, extended, escalated,
				 step, updated, closed, reassigned, decided,
				 corrected, withdrawn, restricted,
				 unrestricted, ... (commands.c's table) */
	tc_day date;	      /* CW_NODAY: today */
	int days;	      /* extended */
	int exceptional;      /* extended: beyond the usual maximum */
	const char *reason;   /* extended, restricted */
	const char *outcome;  /* closed */
	const char *remedy;   /* closed */
	const char *learning; /* closed */
	const char *to;	      /* reassigned */
	tc_day review;	      /* restricted */
	const char *contact;  /* restricted */
	const char *kind;     /* restricted (default single-point-of-contact) */
	const char *scope;    /* restricted (default council) */
	const char *decided_by; /* restricted */
	const char *flag;	/* decided: the flag */
	const char *note;	/* decided: what was agreed; updated: what
				   the resident was told */
	int64_t target;		/* corrected, withdrawn: the event's number */
	const char *why;	/* corrected, withdrawn: why */
	tc_day new_date;	/* corrected: the date it should have */
	const char *by;		/* the officer (NULL: the Unix account) */
	const char *priority;	/* prioritised: urgent or normal */
	const char *as;		/* reclassified: the new type */
	const char *area;	/* moved: the new service area */
	const char *action;	/* action: what was promised */
	const char *owner;	/* action: who does it */
	tc_day due;		/* action: by when */
	const char *step;	/* ombudsman: considering, decided, complied;
				   step: the rules' step id */
	const char *into;	/* merged: the case it is a duplicate of */
	const char *with;	/* linked: the related case */
};

/*
 * Appends the event to the case's history, recomputes its deadlines and
 * rewrites its pack. Returns 0, 1 when refused (reported), 2 for a missing
 * option, 3 on I/O errors.
 */
int cw_record_event(struct cw_env *env, const struct cw_record *r);

#endif
