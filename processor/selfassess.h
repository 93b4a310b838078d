/*
 * selfassess.h: the council's self-assessment against the Complaint
 * Handling Code (2024), content/self-assessment.yml beside the rules, for
 * the annual report's table (annual.c). The Code's sections are facts kept
 * here; what the council says of each (complies, evidence, commentary) is
 * its file's, and the register's figures are added by the report.
 *
 * The file, every key optional:
 *   "5":
 *     complies: yes          # yes, no or partly
 *     evidence: ...          # text
 *     commentary: ...        # text
 */
#ifndef CW_SELFASSESS_H
#define CW_SELFASSESS_H

#include <stddef.h>

/* The Code's sections, 1 to 9. */
#define CW_SA_SECTIONS 9

/* One section of the Code, as the Code numbers and names it. */
struct cw_sa_section {
	const char *num;	 /* "1" ... "9" */
	const char *title;	 /* the Code's title */
	const char *requirement; /* what it asks, in short */
};

/* The Code's sections in order (static storage). */
const struct cw_sa_section *cw_sa_sections(void);

/* What the council's file says of each section: NULL for what it left
 * out. Owned by the struct. */
struct cw_selfassess {
	char *complies[CW_SA_SECTIONS]; /* "yes", "no" or "partly" */
	char *evidence[CW_SA_SECTIONS];
	char *commentary[CW_SA_SECTIONS];
};

/*
 * Reads path into sa (zeroed first). A missing file is no error: nothing
 * is assessed. Returns 0; 1 after printing "file:line:col: problem" for
 * each mistake in the file (an unknown section or key, a complies other
 * than yes, no or partly, a repeated key, a value that is not text); -1
 * when it cannot be read (printed). Release sa in every case.
 */
int cw_selfassess_load(const char *path, struct cw_selfassess *sa);
void cw_selfassess_release(struct cw_selfassess *sa);

#endif
