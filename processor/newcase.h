/*
 * newcase.h: casework new, a case from contact by phone, letter, email, a
 * visit or social media, entered by an officer. The answers go through the
 * same form definitions, the same validator and the same rules as a
 * submission from the website: the command writes a submission in the
 * bundle's format to store/ID/ and admits it as ingest does.
 */
#ifndef CW_NEWCASE_H
#define CW_NEWCASE_H

#include <stddef.h>

#include "casework.h"
#include "ingest.h"

#define CW_NEW_MAX_FIELDS 64

/* What `casework new` was given. */
struct cw_newcase {
	const char *channel; /* phone, letter, email, in-person, social-media */
	const char *form;    /* complaint (default), feedback or review */
	const char *received; /* "YYYY-MM-DD HH:MM" local, or RFC 3339 UTC */
	const char *answers;  /* a JSON object of the form's fields, or NULL */
	const char *field[CW_NEW_MAX_FIELDS]; /* NAME=VALUE, after answers */
	size_t nfield;
	const char *attach[CW_MAX_FILES]; /* files: a scanned letter, ... */
	size_t nattach;
	const char *by; /* the officer (NULL: the Unix account) */
};

/*
 * Makes the case or record and prints its reference. Returns 0, 1 when
 * the answers fail the form or the rules (every problem printed, nothing
 * kept), 2 for a bad command line, 3 on I/O errors.
 */
int cw_new(struct cw_env *env, const struct cw_newcase *n);

#endif
