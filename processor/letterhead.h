/*
 * letterhead.h: the parts of a letter around its template's text: the
 * council's letterhead and the resident's address block, as Mustache
 * context for the theme's casework/letter.mustache.
 */
#ifndef CW_LETTERHEAD_H
#define CW_LETTERHEAD_H

#include <cjson/cJSON.h>

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

#endif
