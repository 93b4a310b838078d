/*
 * admit.h: one submission, checked as intake checked it and admitted to
 * the register: the same code for a submission met in a bundle (ingest.c)
 * and one released from quarantine (quarantine.c).
 *
 * cw_sub_check trusts nothing: submission.json's format and its
 * attachments against the files received (tc_submission_check), its
 * fields against its form (tc_form_validate), and each file's type by its
 * content against the type declared. cw_sub_admit then makes the case, the
 * record or the stage 2 escalation by the rules, in the open transaction.
 */
#ifndef CW_ADMIT_H
#define CW_ADMIT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "bundle.h"
#include "casework.h"
#include "ingest.h"

/* A submission in hand. The caller sets id, bundle_sha, json and, for each
 * files/N received, type_of[N] and sniffed[N]; cw_sub_check sets the
 * rest. */
struct cw_sub {
	const char *id;
	const char *bundle_sha; /* the bundle it came in */
	struct tc_buf json;	/* submission.json bytes */
	cJSON *doc;
	const cJSON *fields;
	const char *form;
	const char *received;
	const char *channel; /* web, or the officer's channel (casework new) */
	const char *by;	     /* the officer who entered it, or NULL */
	tc_day rdate;
	/* files/N's type by its content (tc_sniff_end), NULL for none of
	 * the kinds accepted; sniffed[N] once it has been read */
	const char *type_of[CW_MAX_FILES + 1];
	int sniffed[CW_MAX_FILES + 1];
	struct tc_buf reason; /* why it cannot be admitted; empty when fine */
};

/*
 * Adds a line to b, up to 64 KiB; past that, says once that there were
 * more, so hostile input cannot make the text grow without end. Control
 * characters in the line (from a name a bundle chose) become '?'.
 */
void cw_reasonf(struct tc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Checks s: files[0..nfiles) are the attachments received, with their
 * sizes and digests as checked against the bytes. Problems go to
 * s->reason, each naming the field or file, never a value.
 */
void cw_sub_check(struct cw_env *env, struct cw_sub *s,
		  const struct tc_sub_file *files, size_t nfiles);

/*
 * Admits s, checked and its files in store/ID/: a new case or record, or
 * a stage 2 request escalating its case. *outcome is "case", "record",
 * "escalated" or "signposted". 0, or -1 on a register error (printed).
 */
int cw_sub_admit(struct cw_env *env, const struct cw_sub *s,
		 const char **outcome);

/*
 * Flags c restricted_contact when an active restriction in scope for its
 * service area matches these contact details (any may be NULL) or its
 * person key: a match on email, phone or key routes the case to the named
 * contact; a match on the name alone asks for a check. Returns 1 flagged,
 * 0 not (no match, or flagged already), -1 error.
 */
int cw_flag_restricted(struct cw_env *env, struct cw_case *c,
		       const char *email, const char *phone, const char *name);

/* A new reference for a case of type received on received (its year):
 * PREFIX-YYYY-NNNNNN from the rules' format and the register's sequence.
 * The caller frees it; NULL on an error (printed). */
char *cw_new_reference(struct cw_env *env, const char *type, tc_day received);

/* A file held for a submission: files/N, its size, digest and type. */
struct cw_held {
	unsigned n;
	uint64_t size;
	char sha256[65];
	const char *type; /* by its content; NULL: none of the kinds */
};

/*
 * The files in dir/files/, each hashed and sniffed, into h[0..*nh) (room
 * for CW_MAX_FILES). Returns 0, 1 after naming in problems a file that is
 * not files/N, or -1 on an I/O error (printed).
 */
int cw_held_files(const char *dir, struct cw_held *h, size_t *nh,
		  struct tc_buf *problems);

/*
 * Checks the submission kept in dir (submission.json, files/N) as ingest
 * checks one in a bundle: into s (s->id set by the caller; json read, files
 * hashed and sniffed), problems in s->reason. 0, or -1 on an I/O error
 * (printed).
 */
int cw_sub_load_dir(struct cw_env *env, const char *dir, struct cw_sub *s);

/* Frees what s holds (not s). */
void cw_sub_release(struct cw_sub *s);

#endif
