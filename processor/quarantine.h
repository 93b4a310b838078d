/*
 * quarantine.h: casework quarantine: what waits, and the way out.
 *
 * A submission that failed a check at ingest waits in quarantine/BUNDLE/ID/
 * with its reasons in the register. An officer lists and reads them, then
 * either releases one (it is checked again, with the same code as ingest
 * and today's rules and forms, and admitted as ingest would have admitted
 * it, with its received time as the resident sent it) or rejects it (its
 * files are removed at once; the register keeps the record of what came,
 * why it waited and who decided what, until purge removes the reasons
 * with the rest of the personal data after the retention period). Each
 * decision names the officer and their reason, and goes in the audit log.
 */
#ifndef CW_QUARANTINE_H
#define CW_QUARANTINE_H

#include "casework.h"

/* What the quarantine commands take besides the submission. */
struct cw_qopts {
	int all;	    /* list: decided ones too */
	int json;	    /* list, show: JSON */
	const char *reason; /* release, reject: why (required) */
	const char *by;	    /* release, reject: the officer (default: the
			       Unix account's name) */
};

/*
 * Removes what is left of decided submissions' folders: one released by a
 * later ingest of the same submission keeps nothing in quarantine/ (the
 * register and store/ hold it). 0, or -1 after saying what it could not
 * remove.
 */
int cw_quarantine_tidy(struct cw_env *env);

/* casework quarantine list: exit code. */
int cw_quarantine_list(struct cw_env *env, const struct cw_qopts *o);

/* casework quarantine show KEY (ID or BUNDLE/ID): exit code. */
int cw_quarantine_show(struct cw_env *env, const char *key,
		       const struct cw_qopts *o);

/* casework quarantine release KEY: exit code (1 when it still fails a
 * check, which is printed). */
int cw_quarantine_release(struct cw_env *env, const char *key,
			  const struct cw_qopts *o);

/* casework quarantine reject KEY: exit code. */
int cw_quarantine_reject(struct cw_env *env, const char *key,
			 const struct cw_qopts *o);

#endif
