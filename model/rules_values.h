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

#endif
