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
 * unrestricted), inside the caller's transaction. 0 or -1. */
int cw_restrict_lift_key(struct cw_env *env, const char *person_key,
			 tc_day date);

/*
 * The active restriction matching a submission's contact details (any
 * may be NULL), in scope for service_area; strong matches first. Returns
 * 1 found (m filled), 0 none, -1 error.
 */
int cw_restrict_match(struct cw_store *reg, const char *email,
		      const char *phone, const char *name,
		      const char *person_key, const char *service_area,
		      struct cw_restriction_match *m);

/* The commands; each returns an exit code. id is "12" or "R12". */
int cw_restrict_add(struct cw_env *env, const struct cw_restriction *r);
int cw_restrict_list(struct cw_env *env, int due_only);
int cw_restrict_show(struct cw_env *env, const char *id);
/* outcome continue|vary|lift on date; next_review (CW_NODAY: 6 months on)
 * for continue and vary; vary may change kind, scope and contact. */
int cw_restrict_review(struct cw_env *env, const char *id, const char *outcome,
		       tc_day date, tc_day next_review, const char *kind,
		       const char *scope, const char *contact);

#endif
