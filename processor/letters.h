/*
 * letters.h: the council's letter templates (content/letters/NAME.md) and
 * the drafts made from them, for the case packs and the restrictions
 * register. A letter is found by its template's name; the templates are
 * loaded into env->letters on first use.
 */
#ifndef CW_LETTERS_H
#define CW_LETTERS_H

#include <cjson/cJSON.h>

#include "buffer.h"
#include "case.h"
#include "casework.h"

struct cw_letters; /* opaque: the letter templates */

/*
 * Loads the letter templates (acknowledgement.md, signposting.md,
 * compliment-thanks.md, and any other *.md) from dir, and the council's
 * letterhead from the site.yml beside it. Errors are printed; returns
 * NULL on one.
 */
struct cw_letters *cw_letters_load(const char *dir);
void cw_letters_free(struct cw_letters *l);

/* 1 when the council has a template called which, 0 when not, -1 when
 * the templates could not be loaded (printed). */
int cw_letter_exists(struct cw_env *env, const char *which);

/*
 * Renders letter which with ctx into out as an HTML draft with the
 * council's letterhead and ctx's "recipient" (see letterhead.h); label
 * names it in the title (NULL: the template's name); pt > 0 prints it in
 * that many points. 0, or -1 (printed).
 */
int cw_letter_html(struct cw_env *env, const char *which, const cJSON *ctx,
		   const char *label, int pt, struct tc_buf *out);

/*
 * The same letter as plain text for an email, wrapped at 72 columns, each
 * link followed by its address, the council's details below it. 0 or -1
 * (printed).
 */
int cw_letter_text(struct cw_env *env, const char *which, const cJSON *ctx,
		   struct tc_buf *out);

/*
 * The point size of the large print the person asked for ("18-point",
 * "16pt"; 18 when no size is given), or 0 for ordinary print: from an
 * agreed reasonable adjustment of c (may be NULL), else from what the form
 * said (fields, may be NULL), unless the adjustment was declined.
 */
int cw_letter_large_print(const struct cw_case *c, const cJSON *fields);

/* 1 when the resident's letters go by email: they asked for email
 * (contact_method) and gave an address, or gave an email address and no
 * preference and no postal address. */
int cw_letter_by_email(const cJSON *fields);

#endif
