/*
 * bundle.h: the bundle and submission format between intake and casework
 * (docs/bundle.md), owned once: the format names, submission IDs, entry
 * names, the manifest intake writes (the streaming reader casework uses is
 * model/manifest.h) and the check of a submission.json that both programs
 * make, intake before bundling and casework again after, trusting nothing.
 */
#ifndef TC_BUNDLE_H
#define TC_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "jsoncheck.h"

#define TC_BUNDLE_FORMAT     "threecs-bundle/1"
#define TC_SUBMISSION_FORMAT "threecs-submission/1"
#define TC_BUNDLE_MANIFEST   "manifest.json"
/* Where a bundle's submissions are: "submissions/ID/...". */
#define TC_BUNDLE_SUBMISSIONS "submissions/"

/*
 * A submission ID, the resident's reference: ten characters in two groups
 * of five, "K7QXM-3PD9R". intake makes them from Crockford's base32
 * (TC_SUBMISSION_ID_ALPHABET); an ID is valid when it has that shape in
 * upper-case letters and digits, so every ID intake makes is valid and so
 * are the older references in the register and the test data.
 */
#define TC_SUBMISSION_ID_LEN	  11 /* without the NUL */
#define TC_SUBMISSION_ID_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* Fills id with a fresh random ID. Returns 0, or -1 with errno set when
 * the system has no randomness to give. */
int tc_submission_id_random(char id[TC_SUBMISSION_ID_LEN + 1]);

/* How a submission came: "web" (intake's forms), or an officer's record
 * of contact by another channel (casework new). */
#define TC_CHANNELS "web, phone, letter, email, in-person, social-media"
/* 1 when s (NULL allowed) is one of TC_CHANNELS. */
int tc_channel_valid(const char *s);

/* 1 when s (NULL allowed) is a submission ID, else 0. */
int tc_submission_id_valid(const char *s);

/* The N of an attachment's file name "N" (1 to TC_MAX_SUBMISSION_FILES, no
 * leading zero), or 0 when name is not one. */
unsigned tc_bundle_attachment_number(const char *name);

/*
 * Appends the entry name of a submission's file to out:
 * "submissions/ID/submission.json" for n 0, "submissions/ID/files/N"
 * otherwise. 0 or -1 (out of memory).
 */
int tc_bundle_entry_name(struct tc_buf *out, const char *id, unsigned n);

/*
 * The manifest writer: manifest.json with the layout and member order of
 * docs/bundle.md, so the same bundle always has the same bytes. Call
 * _begin once, then for each submission in order _sub followed by _file
 * for each of its entries in order, then _end. Each returns 0 or -1 (out
 * of memory). Strings are written as given: IDs, entry names and digests
 * need no escaping.
 */
struct tc_manifest_writer {
	struct tc_buf *out; /* the caller's; the manifest is appended */
	size_t nsubs;	    /* submissions written */
	size_t nfiles;	    /* files of the current submission written */
};

int tc_manifest_write_begin(struct tc_manifest_writer *w, struct tc_buf *out,
			    const char *bundle_id, const char *created,
			    const char *source);
int tc_manifest_write_sub(struct tc_manifest_writer *w, const char *id);
int tc_manifest_write_file(struct tc_manifest_writer *w, const char *path,
			   uint64_t size, const char *sha256);
int tc_manifest_write_end(struct tc_manifest_writer *w);

/* One file of a submission as its reader found it, for the check. */
struct tc_sub_file {
	unsigned n;	    /* the N of files/N, 1 or more */
	uint64_t size;	    /* bytes */
	const char *sha256; /* lowercase hex digest */
};

/* The first problem the check found; each caller words it its own way. */
enum tc_sub_problem {
	TC_SUB_OK,
	TC_SUB_NOT_UTF8,	  /* at byte off (a NUL byte counts) */
	TC_SUB_NOT_JSON,	  /* at byte off: json says what */
	TC_SUB_NOT_OBJECT,	  /* the top value */
	TC_SUB_BAD_FORMAT,	  /* "format" is not TC_SUBMISSION_FORMAT */
	TC_SUB_BAD_ID,		  /* "id" is not the folder's */
	TC_SUB_ATTACHMENTS_TYPE,  /* "attachments" is not a list */
	TC_SUB_ATTACHMENT_PATH,	  /* attachment index names no file, or one
				     named before */
	TC_SUB_ATTACHMENT_SIZE,	  /* attachment index: file's size differs */
	TC_SUB_ATTACHMENT_SHA256, /* attachment index: file's digest differs */
	TC_SUB_FILE_UNLISTED,	  /* files/file is in no attachment */
};

/* What tc_submission_check found. */
struct tc_sub_check {
	enum tc_sub_problem problem;
	size_t off;		   /* for NOT_UTF8 and NOT_JSON */
	struct tc_json_check json; /* for NOT_JSON: the fault */
	int line, col;		   /* off as a 1-based line and column */
	size_t index;  /* the attachment, from 0, for ATTACHMENT_* */
	unsigned file; /* the N of files/N, for ATTACHMENT_* when known
			  and FILE_UNLISTED */
	cJSON *doc;    /* the parsed document when it parsed; the
			  caller's to cJSON_Delete */
};

/*
 * Checks submission.json's bytes (text[len] must be a NUL, as a tc_buf's
 * is) against its folder: UTF-8 without NUL bytes, one JSON value and
 * nothing after it, strictly as tc_json_check has it (no raw control
 * characters, no \u0000, no key twice in an object), an object with "format"
 * TC_SUBMISSION_FORMAT and "id" equal to id, and "attachments" (when present) a
 * list naming every one of files (nfiles of them) exactly once by "path"
 * ("files/N") with its "size" and "sha256". Returns 0 when all holds, else -1;
 * either way *res says what was found. Needs memory only as cJSON does (dies
 * without it).
 */
int tc_submission_check(const char *text, size_t len, const char *id,
			const struct tc_sub_file *files, size_t nfiles,
			struct tc_sub_check *res);

/* For NOT_JSON: what is wrong, as a phrase ("a key given twice in one
 * object: 'received'"), in buf[n]; returns buf. */
const char *tc_sub_json_why(const struct tc_sub_check *res, char *buf,
			    size_t n);

#endif
