/*
 * case.h: a case as casework knows it, independently of where it is kept:
 * its stages, the facts recorded on each (received, acknowledged,
 * responded, extended, closed) and the deadlines and status those facts
 * give under the rules. Nothing here is stored knowledge: every deadline
 * is recomputed from the facts whenever one of them changes.
 *
 * Dates are tc_day, with CW_NODAY for "none".
 */
#ifndef CW_CASE_H
#define CW_CASE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "rules.h"

#define CW_NODAY      TC_NODAY
#define CW_MAX_STAGES 9

/* A step of a stage (a review panel, its report): its id as the rules
 * name it, when it is due and when it was recorded. */
struct cw_step {
	char *id;   /* owned */
	tc_day due; /* CW_NODAY before the rules give one */
	tc_day done;
};

/* One stage of a case: facts recorded and the deadlines they give. */
struct cw_stage {
	int stage;	     /* 1, 2, ... */
	char *submission_id; /* the submission that opened it, or NULL */
	tc_day request;	     /* the day it counts from (receipt/escalation) */
	tc_day ack_due;	     /* acknowledge by; CW_NODAY when the stage has
				no acknowledgement step */
	tc_day acknowledged; /* recorded, or CW_NODAY */
	tc_day respond_due;  /* respond by (with any extension); CW_NODAY
				when the stage has no fixed deadline */
	tc_day responded;    /* recorded, or CW_NODAY */
	int extension_days;  /* 0: not extended */
	char *extension_reason; /* why, or NULL */
	int exceptional;	/* 1: extended beyond the usual maximum for
				   exceptional circumstances */
	tc_day update_due;	/* tell the resident why there is no answer
				   yet, by; CW_NODAY when the rules ask for
				   no update or the stage was answered */
	tc_day updated;		/* the last update recorded, or CW_NODAY */
	struct cw_step steps[TC_MAX_STEPS]; /* the rules' steps, in order */
	int nsteps;
	tc_day window_closes;	/* last day to ask for the next stage, or
				   CW_NODAY until responded / at the last stage */
	tc_day closed;		/* recorded, or CW_NODAY */
	char *outcome;		/* when closed */
	char *remedy;		/* may be NULL */
	char *learning;		/* may be NULL */
	char *handler;		/* the officer (username) it was allocated
				   to, or NULL */
};

/* A case or record. Every string is owned by the case (cw_case_release). */
struct cw_case {
	int64_t id;	     /* the register's number; 0 before insertion */
	char *reference;     /* "CMP-2026-000123" */
	char *type;	     /* complaint, service_request, compliment, comment,
				signposted, review */
	char *procedure;     /* procedure id, or NULL for records */
	int stage;	     /* current stage; 0 for records */
	char *status;	     /* open, responded, closed, recorded, ... */
	char *submission_id; /* the submission that created it */
	char *received;	     /* UTC RFC 3339 as submitted */
	tc_day received_date; /* the local working day it counts from */
	char *service_area;   /* may be NULL */
	char *team;	      /* who handles it */
	char *person_key;     /* hash identifying the person, or NULL */
	cJSON *flags;	      /* array of {"flag","detail"[,"decision"]} */
	struct cw_stage stages[CW_MAX_STAGES];
	int nstages;
	char *priority;	  /* "urgent" or "normal" (NULL reads as normal) */
	int reply_days;	  /* records: working days to reply in; 0: none */
	tc_day reply_due; /* records: received_date + reply_days */
	tc_day replied;	  /* records: the reply recorded, or CW_NODAY */
	/* the person's details as search finds them (lower-case name and
	 * email, phone digits, postcode upper case without spaces), NULL
	 * for those not given; removed by purge */
	char *name, *email, *phone, *postcode;
	char *channel; /* how it came: web, phone, letter, email, in-person,
			  social-media */
	/* actions promised in a response: [{"event", "text", "owner",
	 * "due", "done"}], "done" the day it was closed or absent; owned */
	cJSON *actions;
	/* what the Ombudsman did: {"considering", "decided", "decision",
	 * "remedy", "complied"} (dates as "YYYY-MM-DD"), or NULL; owned */
	cJSON *ombudsman;
	int64_t merged_into; /* the case this one was merged into, or 0 */
	cJSON *links;	     /* references of related cases; owned */
	char *handler;	     /* the officer (username) the case is
				allocated to now, or NULL: unallocated */
};

/* Frees what c holds and zeroes it; NULL is fine. */
void cw_case_release(struct cw_case *c);

/*
 * Recomputes every stage's ack_due, respond_due and window_closes, and the
 * case's status; for a record (no procedure), its reply deadline (from
 * reply_days) and nothing else. Returns 0, or -1
 * when a deadline falls beyond the calendar's years (printed: the calendar
 * file must be extended).
 */
int cw_case_recompute(const struct tc_rules *r, struct cw_case *c);

/* Makes s stage number `stage`, counted from request and opened by the
 * submission submission_id (copied; NULL for none), with nothing recorded
 * yet. s holds nothing to free. */
void cw_stage_open(struct cw_stage *s, int stage, tc_day request,
		   const char *submission_id);

/* Makes s's steps the ones sr lists, in its order, keeping the dates
 * recorded for steps of the same id (the others are dropped). */
void cw_stage_sync_steps(const struct tc_stage_rule *sr, struct cw_stage *s);

/* The stage's steps as case.json and the register keep them: [{"step",
 * "due", "done"}], dates "YYYY-MM-DD" or null; the caller deletes it. */
cJSON *cw_stage_steps_json(const struct cw_stage *s);
/* The steps cw_stage_steps_json gave, back into s (which has none);
 * entries that are not such steps are skipped. */
void cw_stage_steps_read(struct cw_stage *s, const cJSON *arr);

/* The stage rule for stage n of the case's procedure, or NULL. */
const struct tc_stage_rule *cw_case_stage_rule(const struct tc_rules *r,
					       const struct cw_case *c, int n);

/* The current stage's record (the last one), or NULL. */
struct cw_stage *cw_case_current(struct cw_case *c);

/* Adds a flag {"flag": flag, "detail": detail} unless already there. */
void cw_case_flag(struct cw_case *c, const char *flag, const char *detail);

/*
 * Opens c's next stage, asked for on date (by the submission submission_id,
 * copied, or NULL when an officer records it): flags review_out_of_time
 * when date is past the current stage's window. The caller has checked
 * that the procedure has a next stage (c->nstages < CW_MAX_STAGES), and
 * recomputes the deadlines after.
 */
void cw_case_escalate(struct cw_case *c, tc_day date,
		      const char *submission_id);
/* 1 when the case is urgent. */
int cw_case_urgent(const struct cw_case *c);
/* Sets the priority: "urgent" or "normal". */
void cw_case_set_priority(struct cw_case *c, const char *priority);

/* 1 when the case carries flag. */
int cw_case_has_flag(const struct cw_case *c, const char *flag);

/* "YYYY-MM-DD" for a day into buf, or NULL for CW_NODAY. */
const char *cw_day_str(tc_day d, char buf[11]);

#endif
