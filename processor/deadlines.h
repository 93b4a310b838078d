/*
 * deadlines.h: a case's deadlines and status from the rules and the dates
 * recorded so far. Nothing here is stored knowledge: every deadline is
 * recomputed from the facts (received, acknowledged, responded, extended)
 * whenever one of them changes.
 */
#ifndef CW_DEADLINES_H
#define CW_DEADLINES_H

#include "store.h"
#include "rules.h"

/*
 * Recomputes every stage's ack_due, respond_due and window_closes, and the
 * case's status. Records (no procedure) are left alone. Returns 0, or -1
 * when a deadline falls beyond the calendar's years (printed: the calendar
 * file must be extended).
 */
int cw_case_recompute(const struct tc_rules *r, struct cw_case *c);

/* The stage rule for stage n of the case's procedure, or NULL. */
const struct tc_stage_rule *cw_case_stage_rule(const struct tc_rules *r,
					       const struct cw_case *c, int n);

/* The current stage's record (the last one), or NULL. */
struct cw_stage *cw_case_current(struct cw_case *c);

/* Adds a flag {"flag": flag, "detail": detail} unless already there. */
void cw_case_flag(struct cw_case *c, const char *flag, const char *detail);
/* 1 when the case carries flag. */
int cw_case_has_flag(const struct cw_case *c, const char *flag);

#endif
