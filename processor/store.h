/*
 * store.h: the casework register, one SQLite database (register.db): the
 * one interface through which casework reads and writes it.
 *
 * It holds the bundles seen (by sha256), every submission and what became
 * of it, the quarantine, cases, their stages, the append-only history of
 * events, contact restrictions and the reference sequences per type and
 * year. WAL journal, foreign keys on, a busy timeout, and a schema_version
 * table that migrations move forward one step at a time.
 *
 * Dates are stored as "YYYY-MM-DD" text (they sort and compare as dates);
 * in C they are tc_day, with CW_NODAY for "none".
 *
 * The interface speaks in cases (model/case.h), stages, events and
 * restrictions, never in SQL: callers hold no statements, and another
 * engine (PostgreSQL) can implement it without touching the rest of
 * casework. Functions that walk many rows call the caller's function once
 * per row; what they pass lives until that function returns.
 */
#ifndef CW_STORE_H
#define CW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "access.h"
#include "case.h"
#include "date.h"
#include "history.h"

/* The schema version this build writes (see the migrations in store.c). */
#define CW_SCHEMA_VERSION 12

struct cw_store; /* opaque: an open register */

/*
 * Opens (creating if need be, with mode) and migrates the register at
 * path. Returns it, or NULL after printing why.
 */
struct cw_store *cw_store_open(const char *path, unsigned mode);
void cw_store_close(struct cw_store *reg);

/* Transactions: 0 or -1 (after printing the SQLite error). */
int cw_store_begin(struct cw_store *reg);
int cw_store_commit(struct cw_store *reg);
void cw_store_rollback(struct cw_store *reg);

/* Prints the database's last error with what was being done. */
void cw_store_error(struct cw_store *reg, const char *doing);

/* 1 when a bundle with this sha256 was ingested, 0 when not, -1 error. */
int cw_store_bundle_seen(struct cw_store *reg, const char *sha256);
int cw_store_add_bundle(struct cw_store *reg, const char *sha256,
			const char *name, const char *bundle_id,
			const char *today, int nsubmissions);

/* 1 when the submission was processed (not quarantined), 0, -1 error. */
int cw_store_submission_seen(struct cw_store *reg, const char *id);
/* Records what became of a processed submission. */
int cw_store_add_submission(struct cw_store *reg, const char *id,
			    const char *bundle_sha, const char *form,
			    const char *channel, const char *received,
			    tc_day received_date, const char *outcome,
			    int64_t case_id, const char *today);
/* Records a quarantined submission (once per bundle and submission),
 * waiting for an officer's decision. */
int cw_store_add_quarantine(struct cw_store *reg, const char *bundle,
			    const char *bundle_sha, const char *submission_id,
			    const char *reason, const char *today);

/* A quarantined submission as the register holds it; "" for what is not
 * (yet) known. Valid during the callback only. */
struct cw_quarantined {
	const char *bundle, *id, *reason, *date;
	const char *status; /* waiting, released or rejected */
	const char *decided, *decision, *decided_by;
	const char *reference;	/* the case a release made */
	const char *bundle_sha; /* the bundle's sha256 */
};
typedef int (*cw_quarantined_fn)(void *arg, const struct cw_quarantined *q);
/*
 * Calls fn for each quarantined submission, oldest first: those waiting,
 * or all when all is set. With id, only that submission's (in bundle, when
 * bundle is not NULL). Returns the number of rows, or -1.
 */
int cw_store_quarantine_each(struct cw_store *reg, int all, const char *bundle,
			     const char *id, cw_quarantined_fn fn, void *arg);
/* An officer's decision on a quarantined submission. */
struct cw_qdecision {
	const char *status; /* "released" or "rejected" */
	const char *date;   /* YYYY-MM-DD */
	const char *why;
	const char *by;
};
/*
 * Records the decision on the waiting submission id of bundle (for a
 * release, the case its submission made is looked up). 0, 1 when it was
 * not waiting (decided already), -1.
 */
int cw_store_quarantine_decide(struct cw_store *reg, const char *bundle,
			       const char *id, const struct cw_qdecision *d);
/* Marks as released every waiting quarantine of a submission that has
 * just been ingested from another bundle (named in the decision). */
int cw_store_quarantine_ingested(struct cw_store *reg, const char *id,
				 const char *date, const char *bundle);

/* The next number in the sequence of type in year (1, 2, ...). */
int cw_store_next_seq(struct cw_store *reg, const char *type, int year,
		      int *seq);

/* Inserts c (c->id set) with its stages, marked for a new pack. */
int cw_store_case_insert(struct cw_store *reg, struct cw_case *c);
/* Rewrites c's row and stages, marked for a new pack. */
int cw_store_case_update(struct cw_store *reg, const struct cw_case *c);
/* Keeps reference as one that finds case_id (a reference it had before
 * it was reclassified). 0 or -1. */
int cw_store_alias_add(struct cw_store *reg, const char *reference,
		       int64_t case_id);
/*
 * Loads the case with this reference, or one it had (or with this
 * submission id when by_submission). Returns 1 found, 0 not found, -1 error.
 * The caller releases c with cw_case_release (case.h).
 */
int cw_store_case_load(struct cw_store *reg, const char *key, int by_submission,
		       struct cw_case *c);
int cw_store_case_load_id(struct cw_store *reg, int64_t id, struct cw_case *c);

/* Appends an event to a case's history (never updated or deleted),
 * recorded today by the officer by (NULL: by casework itself). */
int cw_store_event(struct cw_store *reg, int64_t case_id, int stage,
		   const char *event, tc_day date, const char *detail_json,
		   const char *by, const char *today);
/* The number of the row last inserted (an event's id after
 * cw_store_event). */
int64_t cw_store_last_id(struct cw_store *reg);
/* Appends the case's events, oldest first, to h. 0 or -1 (printed). */
int cw_store_case_history(struct cw_store *reg, int64_t case_id,
			  struct cw_history *h);

/* The case id of a pack waiting to be written, from after (0 first); 0
 * when there is none, -1 error. */
int64_t cw_store_next_dirty(struct cw_store *reg, int64_t after);
int cw_store_pack_done(struct cw_store *reg, int64_t case_id);

/*
 * Another case of the same person and service area received within
 * days calendar days before (or on) date: its reference into ref (size
 * n). 1 found, 0 not, -1 error.
 */
int cw_store_find_duplicate(struct cw_store *reg, const char *person_key,
			    const char *service_area, tc_day date, int days,
			    char *ref, size_t n);

/* ---- A case's history and the list of cases ---- */

/* One event of a case's history; the strings live until fn returns. */
struct cw_event {
	const char *date;	 /* the day it happened, "YYYY-MM-DD" */
	const char *event;	 /* received, acknowledged, ... */
	int stage;		 /* the stage it was recorded against */
	const char *detail_json; /* a JSON object, or NULL */
	const char *recorded;	 /* the day it was recorded */
	int64_t id;		 /* its number, which corrections name */
	const char *by;		 /* who recorded it, "" for casework */
};
/* Called once per event; returns 0 for more, -1 to stop with an error. */
typedef int (*cw_event_fn)(const struct cw_event *ev, void *arg);

/* Calls fn on each event of the case, oldest first. 0 or -1 (printed,
 * or fn's -1). */
int cw_store_history(struct cw_store *reg, int64_t case_id, cw_event_fn fn,
		     void *arg);

/* The cases merged into case into, by id, as cw_store_list_cases. */
int cw_store_merged_cases(struct cw_store *reg, int64_t into, int64_t **ids,
			  size_t *n);
/* Every case's id in the order of their references into *ids (the caller
 * frees it), their number into *n. 0 or -1 (printed). */
int cw_store_list_cases(struct cw_store *reg, int64_t **ids, size_t *n);
/* The open cases (not closed, signposted, merged or purged) of the person
 * with this normalised email, phone or person key ("" or NULL: not
 * asked), by id, as cw_store_list_cases. */
int cw_store_person_open_cases(struct cw_store *reg, const char *email_norm,
			       const char *phone_norm, const char *person_key,
			       int64_t **ids, size_t *n);

/* 1 when the case's personal data was purged, 0 when not, -1 error. */
int cw_store_case_purged(struct cw_store *reg, int64_t case_id);

/* ---- Retention ---- */

/* What is past retention: a case, a restriction, a quarantined
 * submission. The strings are owned by the list. */
struct cw_purge_item {
	int64_t id;  /* its number in the register */
	char *ref;   /* the case's reference, "R12", or "BUNDLE/SUBMISSION" */
	char *when;  /* the day it closed, was lifted, or was quarantined */
	int warning; /* a restriction: 1 for a warning (when: its review) */
};
struct cw_purge_items {
	struct cw_purge_item *v;
	size_t n, alloc;
};
enum cw_purge_kind {
	CW_PURGE_CASES,	       /* cases closed, records received */
	CW_PURGE_RESTRICTIONS, /* restrictions lifted */
	CW_PURGE_QUARANTINED   /* submissions quarantined */
};

/* Appends to out what of kind dates from before cutoff and is not purged
 * yet, in the order of references. 0 or -1 (printed). */
int cw_store_purge_candidates(struct cw_store *reg, enum cw_purge_kind kind,
			      tc_day cutoff, struct cw_purge_items *out);
/* Frees the items and empties the list. */
void cw_purge_items_release(struct cw_purge_items *it);

/* Calls fn on the id of every submission the case was made from (the id
 * may be NULL); fn returns 0 for more, -1 to stop with an error (fn says
 * why). 0 or -1. */
int cw_store_case_submissions(struct cw_store *reg, int64_t case_id,
			      int (*fn)(const char *submission_id, void *arg),
			      void *arg);

/*
 * In one transaction: removes the personal data of the cases, the
 * restrictions and the quarantined submissions (their events, dates and
 * what the figures count stay), appends audit_json to the audit log as a
 * "purge"; then compacts the register so no deleted byte lingers on disk.
 * 0 or -1 (printed; nothing is changed).
 */
int cw_store_purge(struct cw_store *reg, const struct cw_purge_items *cases,
		   const struct cw_purge_items *restrictions,
		   const struct cw_purge_items *quarantined, const char *today,
		   const char *audit_json);

/* ---- Restrictions (the unreasonable behaviour policy) ---- */

/* What `restrict add` and `record REF restricted` give. */
struct cw_restriction {
	const char *name;  /* the person, or NULL (record REF restricted) */
	const char *email; /* may be NULL */
	const char *phone; /* may be NULL */
	const char *person_key; /* the case's person key, or NULL */
	int64_t case_id;	/* the case it came from, or 0 */
	const char *kind;	/* single-point-of-contact, ... */
	const char *scope;	/* "council" or a service area */
	const char *reason;
	const char *decided_by;
	const char *contact;  /* the named contact (team or officer), or NULL */
	tc_day start;	      /* decided on */
	tc_day review;	      /* review by */
	int warning;	      /* 1: a warning given before any restriction
				 (status 'warning', never matched) */
	int64_t warning_id;   /* the warning this restriction followed, or 0 */
	const char *expected; /* a warning: what the person is asked to
				 change, or NULL */
};

/* A restriction matched against a new submission. */
struct cw_restriction_match {
	int64_t id;
	int strong;	   /* 1: email, phone or person key; 0: name only */
	char kind[64];	   /* the kind */
	char scope[128];   /* council or the service area */
	char contact[256]; /* the named contact, or "" */
	char review[11];   /* review date */
};

/* A restriction as the register holds it; every string is "" when not
 * set and lives until the callback returns. */
struct cw_restriction_row {
	int64_t id;
	const char *name, *email, *phone;
	const char *kind, *scope, *reason, *decided_by;
	const char *start, *review; /* "YYYY-MM-DD" */
	const char *contact;
	const char *status; /* active, lifted or warning */
	const char *lifted; /* the day it was lifted */
	int64_t case_id;    /* the case it came from, or 0 */
	const char *person_key;
	const char *purged;   /* the day its personal data was purged */
	int64_t warning_id;   /* the warning it followed, or 0 */
	const char *expected; /* a warning: what the person was asked to
				 change */
};
/* Called per restriction; returns 0 for more, -1 to stop with an error. */
typedef int (*cw_restriction_fn)(const struct cw_restriction_row *r, void *arg);

/* One review of a restriction; strings as in cw_restriction_row. */
struct cw_restriction_review {
	const char *date, *outcome;
	const char *next_review; /* "" after a lift */
	const char *recorded;
};

/* Adds r, active, with the normalised forms of its name, email and phone
 * ("" or NULL: none); *id gets its number. 0 or -1 (printed). */
int cw_store_restriction_insert(struct cw_store *reg,
				const struct cw_restriction *r,
				const char *name_norm, const char *email_norm,
				const char *phone_norm, int64_t *id);
/* The active restriction in scope for service_area matching any of the
 * normalised details ("" or NULL: not given), strong matches first: 1
 * found (m filled), 0 none, -1 error. */
int cw_store_restriction_match(struct cw_store *reg, const char *email_norm,
			       const char *phone_norm, const char *name_norm,
			       const char *person_key, const char *service_area,
			       struct cw_restriction_match *m);
/* The numbers of at most max active restrictions keyed by person_key into
 * ids: how many, or -1. */
int cw_store_restrictions_active(struct cw_store *reg, const char *person_key,
				 int64_t *ids, size_t max);
/* Marks restriction id lifted on date. 0 or -1. */
int cw_store_restriction_lift(struct cw_store *reg, int64_t id, tc_day date);
/* Sets its next review and, those not NULL, its kind, scope and contact. */
int cw_store_restriction_vary(struct cw_store *reg, int64_t id, tc_day review,
			      const char *kind, const char *scope,
			      const char *contact);
/* Appends to its review history (continue, vary, lift). 0 or -1. */
int cw_store_restriction_review_add(struct cw_store *reg, int64_t id,
				    tc_day date, const char *outcome,
				    tc_day next, const char *detail_json,
				    const char *today);
/* Calls fn on every restriction by number. 0 or -1. */
int cw_store_restriction_list(struct cw_store *reg, cw_restriction_fn fn,
			      void *arg);
/* Calls fn on restriction id: 1 found, 0 none, -1 error. */
int cw_store_restriction_find(struct cw_store *reg, int64_t id,
			      cw_restriction_fn fn, void *arg);
/* Calls fn on each review of restriction id, oldest first. 0 or -1. */
int cw_store_restriction_reviews(
    struct cw_store *reg, int64_t id,
    int (*fn)(const struct cw_restriction_review *rv, void *arg), void *arg);

/* ---- The audit log ---- */

/* Appends to the audit log (what belongs to no case: restrictions,
 * purges). detail_json must hold no personal data. 0 or -1. */
int cw_store_audit(struct cw_store *reg, const char *today, const char *action,
		   const char *detail_json);

/* ---- Reports: the daily report, the annual figures, subject access ---- */

/* Opens a read transaction, so that a report's figures are all of one
 * moment; end it with cw_store_rollback. 0 or -1 (printed). */
int cw_store_read_begin(struct cw_store *reg);

/*
 * The functions below call fn once per row, in the order they name, with
 * strings that belong to the store and last until fn returns (never
 * NULL: "" for none). Each returns 0, or -1 (printed).
 */

/* Cases made or escalated by the submissions ingested on day, by
 * reference: type is "stage N escalation" for an escalation. */
typedef void (*cw_store_intake_fn)(void *arg, const char *reference,
				   const char *type, int stage,
				   const char *team, tc_day received,
				   const char *service_area);
int cw_store_report_intake(struct cw_store *reg, const char *day,
			   cw_store_intake_fn fn, void *arg);

/*
 * The daily report's rows, sorted on disk rather than in memory: an
 * attached database file at path (in the data folder's tmp/), its rows
 * read back in order of section, date, reference and detail. open, add
 * rows, read them (each, types), close (which removes the file).
 */
struct cw_report_row {
	int sec;
	const char *reference, *type, *team;
	const char *date; /* YYYY-MM-DD or "" */
	const char *detail;
	int stage; /* 0: none */
	int days;  /* working days overdue, -1: none */
};
typedef int (*cw_report_row_fn)(void *arg, const struct cw_report_row *r);
int cw_store_rows_open(struct cw_store *reg, const char *path);
int cw_store_rows_add(struct cw_store *reg, const struct cw_report_row *r);
int cw_store_rows_each(struct cw_store *reg, cw_report_row_fn fn, void *arg);
/* Section sec's rows counted by type, in the order each type first comes:
 * fn gets the type as reference and the count as days. */
int cw_store_rows_types(struct cw_store *reg, int sec, cw_report_row_fn fn,
			void *arg);
void cw_store_rows_close(struct cw_store *reg, const char *path);

/* A case at its current stage, as the daily report weighs it. */
struct cw_report_case {
	const char *reference;
	const char *type;
	const char *team;
	const char *status;
	const char *flags_json;	  /* the case's flags, as stored */
	const char *priority;	  /* urgent or normal */
	const char *actions_json; /* the actions promised, as stored */
	int stage;		  /* 0 when it has none */
	tc_day ack_due, acknowledged, respond_due, responded;
	tc_day window_closes, closed; /* CW_NODAY for none */
	tc_day received;	      /* the day it counts from */
	tc_day update_due;	      /* the resident to be told why there is
					 no answer yet, by (CW_NODAY: none) */
	const char *steps_json;	      /* the stage's steps, as stored */
	const char *procedure;	      /* NULL for records */
	const char *handler;	      /* its officer's username, or NULL */
	tc_day away_from, away_to;    /* when its officer is away (CW_NODAY:
					 not, or no end) */
	/* a record (stage 0) has its reply as respond_due and responded */
};
typedef void (*cw_store_case_fn)(void *arg, const struct cw_report_case *c);
/* Every case, by reference. */
int cw_store_report_cases(struct cw_store *reg, cw_store_case_fn fn, void *arg);

/* A contact restriction as the reports show it: no name, no reason. */
struct cw_report_restriction {
	int64_t id;	    /* shown as R<id> */
	const char *kind;   /* written-contact-only, ... */
	const char *scope;  /* "council" or a service area */
	const char *start;  /* YYYY-MM-DD */
	const char *review; /* YYYY-MM-DD */
	const char *lifted; /* YYYY-MM-DD, or "" */
	const char *status; /* active, lifted */
	const char *contact;
	tc_day review_day; /* review as a day, CW_NODAY if unreadable */
};
typedef void (*cw_store_restriction_fn)(void *arg,
					const struct cw_report_restriction *r);
/* The active restrictions, by number. */
int cw_store_report_restrictions(struct cw_store *reg,
				 cw_store_restriction_fn fn, void *arg);
/* Every restriction on the person with this normalised email, phone or
 * name ("" for one not asked about), by number. */
int cw_store_person_restrictions(struct cw_store *reg, const char *email_norm,
				 const char *phone_norm, const char *name_norm,
				 cw_store_restriction_fn fn, void *arg);

/* Every submission with its case's reference and id ("" and 0 when it
 * made no case), by submission id. */
typedef void (*cw_store_submission_fn)(void *arg, const char *id,
				       const char *reference, int64_t case_id);
int cw_store_each_submission(struct cw_store *reg, cw_store_submission_fn fn,
			     void *arg);

/*
 * The annual report's figures for the section called id (its CSV
 * section), for what happened from..to (both YYYY-MM-DD, included), with
 * today for the sections that count what is due: rows of (label, count,
 * total), total -1 for a section of plain counts. The by-month sections
 * give (YYYY-MM, count) for the months with something;
 * refused_or_signposted gives (service area, count) and
 * learning_by_service_area (service area, with learning, closed);
 * ombudsman_decisions gives the decision as recorded, which may be free
 * text: the caller publishes only the rules' outcome it matches.
 */
typedef void (*cw_store_figure_fn)(void *arg, const char *label, long count,
				   long total);
int cw_store_annual_figures(struct cw_store *reg, const char *id,
			    const char *from, const char *to, const char *today,
			    cw_store_figure_fn fn, void *arg);

/* ---- Ingest ---- */

/* The submissions an ingested bundle (by sha256) listed: the count (0 when
 * the register has no such bundle), or -1 on an error. */
int cw_store_bundle_submissions(struct cw_store *reg, const char *sha256);

/* ---- Officers and the access log (store_people.c) ---- */

/* An officer as the register holds them; strings live until the callback
 * returns ("" when not set). */
struct cw_officer_row {
	struct tc_officer o;
	const char *unix_user; /* the Unix account that acts as them */
	const char *added;     /* "YYYY-MM-DD" */
	int open_cases;	       /* cases allocated to them and still open */
	tc_day next_due;       /* the earliest deadline among them, or
				  CW_NODAY */
};
typedef int (*cw_officer_fn)(const struct cw_officer_row *r, void *arg);

/* What user set changes: NULL / -1 / TC_ROLE_NONE leave a field alone;
 * set_away replaces both away dates (CW_NODAY: none). */
struct cw_officer_change {
	const char *name, *title, *team, *email, *unix_user;
	enum tc_role role;
	int active;
	int set_away;
	tc_day away_from, away_to;
	char away_from_s[11], away_to_s[11];
};

/* The number of officers, or -1. */
int cw_store_officer_count(struct cw_store *reg);
/* Adds o (active), acted as by unix_user (NULL: none). 0 or -1. */
int cw_store_officer_add(struct cw_store *reg, const struct tc_officer *o,
			 const char *unix_user, const char *today);
/* Applies ch to the officer username: 1 changed, 0 no such officer, -1. */
int cw_store_officer_set(struct cw_store *reg, const char *username,
			 const struct cw_officer_change *ch);
/* Every officer by username. 0 or -1. */
int cw_store_officer_list(struct cw_store *reg, cw_officer_fn fn, void *arg);
/* The officer called username, or acted as by unix_user (either may be
 * NULL): 1 found (fn called), 0 none, -1. */
int cw_store_officer_find(struct cw_store *reg, const char *username,
			  const char *unix_user, cw_officer_fn fn, void *arg);
/* Logs that officer read case_id's personal data (action: show, export)
 * at the UTC time at. 0 or -1. */
int cw_store_access_add(struct cw_store *reg, const char *at,
			const char *officer, int64_t case_id,
			const char *action);
/* Each entry of case_id's access log, oldest first. 0 or -1. */
int cw_store_access_list(struct cw_store *reg, int64_t case_id,
			 int (*fn)(const char *at, const char *officer,
				   const char *action, void *arg),
			 void *arg);

#endif
