/*
 * restrict.h: the contact restrictions register of the unreasonable
 * behaviour policy: restrictions added, matched against new contact,
 * reviewed (an append-only history) and lifted.
 */
#ifndef CW_RESTRICT_H
#define CW_RESTRICT_H

#include <stddef.h>
#include <stdint.h>

#include "casework.h"

/* The most restrictions one event may lift at once (a person seldom has
 * more than one). */
#define CW_MAX_LETTERS 64

/*
 * Normalised forms used for matching, into out (size n): email trimmed
 * and lower case; phone digits only with a UK +44 / 0044 prefix turned
 * into 0; name lower case with single spaces. Return 1 when something is
 * left, 0 when nothing is (out is then "").
 */
int cw_norm_email(const char *in, char *out, size_t n);
int cw_norm_phone(const char *in, char *out, size_t n);
int cw_norm_name(const char *in, char *out, size_t n);

/* 1 when kind is one the policy names (see cw_restrict_kinds), else 0. */
int cw_restrict_kind_ok(const char *kind);
/* What a kind means, for people ("written contact only"); kind if unknown. */
const char *cw_restrict_kind_label(const char *kind);

/* struct cw_restriction and cw_restriction_match: see store.h. */

/*
 * Adds a restriction inside the caller's transaction; *id gets its number.
 * The person's other open cases are flagged and routed, a line for each
 * appended to said (for the caller to print once committed). Returns 0 or
 * an exit code after a message (2 for bad options, 3 for I/O).
 */
int cw_restrict_insert(struct cw_env *env, const struct cw_restriction *r,
		       int64_t *id, struct tc_buf *said);

/* Lifts every active restriction keyed by person_key (record REF
 * unrestricted), inside the caller's transaction; the ids lifted go in
 * ids (at most max). Their count, or -1. */
int cw_restrict_lift_key(struct cw_env *env, const char *person_key,
			 tc_day date, int64_t *ids, int max);

/*
 * The active restriction matching a submission's contact details (any
 * may be NULL), in scope for service_area; strong matches first. Returns
 * 1 found (m filled), 0 none, -1 error.
 */
int cw_restrict_match(struct cw_store *reg, const char *email,
		      const char *phone, const char *name,
		      const char *person_key, const char *service_area,
		      struct cw_restriction_match *m);

/*
 * Drafts the letter of restriction id as the register has it now, to
 * letters/restriction-RID-WHAT.html under the data folder: "warning" for a
 * warning, "imposed" for a restriction never reviewed, "review-DATE" after
 * its latest review, "lifted" once lifted; from content/letters/
 * restriction-WHAT.md. A restriction recorded on a case is addressed as the
 * case's letters are (address, large print, a .txt when letters go by
 * email). Prints each file written. 0 or -1 (printed).
 */
int cw_restrict_letter(struct cw_env *env, int64_t id);

/* The commands; each returns an exit code. id is "12" or "R12". add
 * gives a warning when r->warning (restrict warn); a missing review date
 * is the rules' restriction_review_months after the start. */
int cw_restrict_add(struct cw_env *env, const struct cw_restriction *r);
/* "R12" or "12" as 12 into *id: 0, or -1 when it is neither. */
int cw_restrict_parse_id(const char *s, int64_t *id);
/* casework restrict letter ID: drafts its letter again. */
int cw_restrict_redraft(struct cw_env *env, const char *id);
int cw_restrict_list(struct cw_env *env, int due_only);
int cw_restrict_show(struct cw_env *env, const char *id);
/* outcome continue|vary|lift on date; next_review (CW_NODAY: 6 months on)
 * for continue and vary; vary may change kind, scope and contact. */
int cw_restrict_review(struct cw_env *env, const char *id, const char *outcome,
		       tc_day date, tc_day next_review, const char *kind,
		       const char *scope, const char *contact);

#endif
