/*
 * letterhead.h: the parts of a letter that come from outside the case's
 * own facts: the council's letterhead and the resident's address block
 * (Mustache context for the theme's casework/letter.mustache), and what
 * the rules say of the stage a letter is about.
 */
#ifndef CW_LETTERHEAD_H
#define CW_LETTERHEAD_H

#include <cjson/cJSON.h>

#include "case.h"
#include "rules.h"

/*
 * Reads DIR/../site.yml (DIR is the letters folder) into *out: council,
 * and contact's address, phone and email (null when not given); the
 * caller frees it with cJSON_Delete. No site.yml: *out stays NULL.
 * Returns 0, or -1 for a broken site.yml (reported).
 */
int cw_letterhead_load(const char *dir, cJSON **out);

/*
 * Adds to o a "recipient": name (NULL: none) and "lines", the postal
 * address of the form's fields one line each as typed, blank lines
 * dropped, then the postcode when the address does not hold it. Adds
 * nothing when the fields give no address.
 */
void cw_letter_recipient(cJSON *o, const cJSON *fields, const char *name);

/*
 * Adds to o what a letter about stage s of c says of its rules: who
 * responds (responder), whether the deadline is fixed
 * (no_fixed_deadline, no_acknowledgement_step), an exceptional extension
 * (extension_exceptional), the update owed (update_months, update_by), and
 * at the last stage the time left to go to the Ombudsman (ombudsman_months,
 * and ombudsman_by once answered).
 */
void cw_letter_stage(cJSON *o, const struct tc_rules *r,
		     const struct cw_case *c, const struct cw_stage *s);

#endif
