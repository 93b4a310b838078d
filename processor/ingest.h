/*
 * ingest.h: casework ingest: bundles in, cases and records out.
 *
 * Each bundle is verified (manifest first, every entry a plain file at a
 * safe path, sizes and checksums as the manifest says, caps against zip
 * bombs), each submission validated against its form, classified and put
 * through the rules, and written to the register; a submission that fails a
 * check goes to quarantine/BUNDLE/ID/ with reason.txt. Entries are streamed
 * and hashed as they are read; no bundle is ever held in memory.
 */
#ifndef CW_INGEST_H
#define CW_INGEST_H

#include "casework.h"
#include "limits.h"

/* Caps on what a bundle may hold (zip bombs, oversized input). */
#define CW_MAX_ENTRY	       TC_MAX_BUNDLE_ENTRY	    /* one entry */
#define CW_MAX_TOTAL	       (64ull * 1024 * 1024 * 1024) /* all entries */
#define CW_MAX_RATIO	       200		       /* size / compressed */
#define CW_RATIO_FROM	       (1u * 1024 * 1024)      /* ratio checked above */
#define CW_MAX_MANIFEST	       (256u * 1024 * 1024)    /* manifest.json */
#define CW_MAX_SUBMISSION_JSON TC_MAX_SUBMISSION_JSON  /* submission.json */
#define CW_MAX_FILES	       TC_MAX_SUBMISSION_FILES /* per submission */

/* What became of the submissions of one bundle, or of all. */
struct cw_counts {
	long read;	  /* submissions listed in the manifests */
	long cases;	  /* complaints and service requests opened */
	long records;	  /* compliments, comments, unmatched reviews */
	long escalations; /* stage 2 (or later) requests on existing cases */
	long signposted;  /* excluded service areas */
	long quarantined; /* failed a check */
	long already;	  /* ingested before */
};

/*
 * Ingests the bundles at paths[0..n), printing one line per bundle and the
 * total; then writes the packs and the day's report. Returns an exit code:
 * 0 all processed, 1 something quarantined or refused (reported), 3 I/O.
 */
int cw_ingest(struct cw_env *env, char **paths, int n);

/*
 * Checks the bundle at path as cw_ingest would, without the register:
 * the zip (entries, paths, sizes, caps), the manifest, and each listed
 * submission's files (extracted under the data folder's tmp/, then
 * removed) and submission.json against its form. Appends what would be
 * refused or quarantined to problems. env needs data (with tmp/), rules
 * and forms; no register. Returns 0 when all is well, 1 when something
 * would be refused or quarantined, -1 on an I/O error (printed). For
 * tests and the fuzz harness.
 */
int cw_ingest_check(struct cw_env *env, const char *path,
		    struct tc_buf *problems);

#endif
