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
 */
#ifndef CW_STORE_H
#define CW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "date.h"

#define CW_NODAY      INT32_MIN
#define CW_MAX_STAGES 9

/* The schema version this build writes (see the migrations in store.c). */
#define CW_SCHEMA_VERSION 2

struct cw_store; /* opaque: an open register */

/* One stage of a case: facts recorded and the deadlines they give. */
struct cw_stage {
	int stage;	     /* 1, 2, ... */
	char *submission_id; /* the submission that opened it, or NULL */
	tc_day request;	     /* the day it counts from (receipt/escalation) */
	tc_day ack_due;	     /* acknowledge by */
	tc_day acknowledged; /* recorded, or CW_NODAY */
	tc_day respond_due;  /* respond by (with any extension) */
	tc_day responded;    /* recorded, or CW_NODAY */
	int extension_days;  /* 0: not extended */
	char *extension_reason; /* why, or NULL */
	tc_day window_closes;	/* last day to ask for the next stage, or
				   CW_NODAY until responded / at the last stage */
	tc_day closed;		/* recorded, or CW_NODAY */
	char *outcome;		/* when closed */
	char *remedy;		/* may be NULL */
	char *learning;		/* may be NULL */
};

/* A case or record, as the register holds it. */
struct cw_case {
	int64_t id;	     /* row id; 0 before insertion */
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
	cJSON *flags;	      /* array of {"flag","detail"}; owned */
	struct cw_stage stages[CW_MAX_STAGES];
	int nstages;
};

/*
 * Opens (creating if need be, mode 0600) and migrates the register at
 * path. Returns it, or NULL after printing why.
 */
struct cw_store *cw_store_open(const char *path);
void cw_store_close(struct cw_store *reg);
sqlite3 *cw_store_db(struct cw_store *reg);

/* Transactions: 0 or -1 (after printing the SQLite error). */
int cw_store_begin(struct cw_store *reg);
int cw_store_commit(struct cw_store *reg);
void cw_store_rollback(struct cw_store *reg);

/*
 * A prepared statement for sql, cached by the address of sql (pass string
 * literals only), reset and with bindings cleared. NULL on error (printed).
 */
sqlite3_stmt *cw_store_stmt(struct cw_store *reg, const char *sql);
/* Runs sql with no results. 0 or -1 (printed). */
int cw_store_exec(struct cw_store *reg, const char *sql);
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
			       const char *received, tc_day received_date,
			       const char *outcome, int64_t case_id,
			       const char *today);
/* Records a quarantined submission (once per bundle and submission). */
int cw_store_add_quarantine(struct cw_store *reg, const char *bundle,
			       const char *submission_id, const char *reason,
			       const char *today);

/* The next number in the sequence of type in year (1, 2, ...). */
int cw_store_next_seq(struct cw_store *reg, const char *type, int year,
			 int *seq);

/* Inserts c (c->id set) with its stages, marked for a new pack. */
int cw_store_case_insert(struct cw_store *reg, struct cw_case *c);
/* Rewrites c's row and stages, marked for a new pack. */
int cw_store_case_update(struct cw_store *reg, const struct cw_case *c);
/*
 * Loads the case with this reference (or with this submission id when
 * by_submission). Returns 1 found, 0 not found, -1 error. The caller
 * releases c with cw_case_release.
 */
int cw_store_case_load(struct cw_store *reg, const char *key,
			  int by_submission, struct cw_case *c);
int cw_store_case_load_id(struct cw_store *reg, int64_t id,
			     struct cw_case *c);
void cw_case_release(struct cw_case *c);

/* Appends an event to a case's history (never updated or deleted). */
int cw_store_event(struct cw_store *reg, int64_t case_id, int stage,
		      const char *event, tc_day date, const char *detail_json,
		      const char *today);

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

/* Appends to the audit log (what belongs to no case: restrictions,
 * purges). detail_json must hold no personal data. 0 or -1. */
int cw_store_audit(struct cw_store *reg, const char *today,
		      const char *action, const char *detail_json);

/* Date helpers: "YYYY-MM-DD" for a day, NULL for CW_NODAY (buf[11]). */
const char *cw_day_str(tc_day d, char buf[11]);

/* ---- Ingest ---- */

/* The submissions an ingested bundle (by sha256) listed: the count (0 when
 * the register has no such bundle), or -1 on an error. */
int cw_store_bundle_submissions(struct cw_store *reg, const char *sha256);

#endif
