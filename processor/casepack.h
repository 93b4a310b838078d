/*
 * casepack.h: casepacks/REF.zip, everything a stage 1 handler needs about
 * one case or record.
 *
 * Entries, in bytewise name order, all with the same fixed timestamp and
 * mode 0600 so the same case and --today give the same bytes:
 *   SHA256SUMS          "HEX  NAME" for every other entry
 *   case.json           the case as the register holds it (see
 *                       docs/casework.1, "CASE PACKS")
 *   files/N-NAME        the resident's attachments
 *   index.html          the printable, accessible cover sheet
 *   letters/NAME.html   draft letters from content/letters/NAME.md
 *                       (NAME-large-print.html in large print when asked
 *                       for; NAME.txt, plain text, when they go by email)
 *   submission.json     the submission as received
 *   stage-N-submission.json  the request that opened stage N (N > 1)
 */
#ifndef CW_CASEPACK_H
#define CW_CASEPACK_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "casework.h"
#include "letters.h"

/*
 * case.json's content for the case (reference, type, procedure, stage,
 * status, submission_id, received, received_date, service_area, team,
 * flags, deadlines, stages, history). The caller frees it.
 */
cJSON *cw_case_json(struct cw_env *env, const struct cw_case *c);

/*
 * Reads store/ID/submission.json, the submission id as kept, into raw and
 * *doc (the caller frees both). 0, or -1 (printed).
 */
int cw_submission_read(struct cw_env *env, const char *id, struct tc_buf *raw,
		       cJSON **doc);

/* Builds the pack of case id and writes it atomically (not yet synced). */
int cw_casepack_write(struct cw_env *env, int64_t case_id);

#endif
