/*
 * rules_values.h: the rules as the published pages state them.
 *
 * The website promises timescales that casework applies; both read them
 * from content/rules.yml through here, so the two cannot disagree. Pages
 * name the values as {{ rules.NAME }} (docs/site-format.md lists them); the
 * timescales block renders the table of every procedure from the context
 * built here.
 */
#ifndef TC_RULES_VALUES_H
#define TC_RULES_VALUES_H

#include <cjson/cJSON.h>

#include "date.h"

struct tc_rules;

/*
 * Adds every value a page may state to the object vals, as "rules.NAME" ->
 * text: "rules.corporate.stage1.respond" -> "10 working days",
 * "rules.corporate.stage1.respond_days" -> "10", "rules.end_of_day" ->
 * "5pm". A value the rules do not set (no cut-off time, a stage with no
 * fixed deadline, the last stage's window) is JSON null, so that a page
 * stating it can be told why rather than print nothing.
 */
void tc_rules_add_values(const struct tc_rules *r, cJSON *vals);

/*
 * The context of the timescales block: {procedures: [{id, name, ombudsman,
 * stages: [{number, last, acknowledge, respond, from_receipt,
 * from_acknowledgement, from_step, extension, longest, next_stage_within,
 * no_deadline, update_after, responder, steps: [{name, within,
 * from_receipt, from_acknowledgement, from_step}]}]}]}, where every period
 * is text ("10 working days") or absent when not set. The caller frees it.
 */
cJSON *tc_rules_timescales(const struct tc_rules *r);

/*
 * A worked example: the day casework would give for name
 * ("rules.PROC.stageN.acknowledge" or "rules.PROC.stageN.respond") to a
 * complaint received on day from (before the end of the working day; a day
 * that is not a working day counts from the next), acknowledged on the last
 * day allowed. Counted by the case model itself, so the page and casework
 * cannot disagree. Returns 0 with *out; -1 when name is not one of these,
 * 1 when the rules set no such deadline, 2 when it lies beyond the calendar.
 */
int tc_rules_example_day(const struct tc_rules *r, const char *name,
			 tc_day from, tc_day *out);

#endif
