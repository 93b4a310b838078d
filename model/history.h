/*
 * history.h: a case's append-only history and what it gives. A case's
 * stages, status, team and flag decisions are never edited in place: each
 * officer's step is an event, a mistake is put right by a later event that
 * points at the one it corrects or withdraws, and the case is rebuilt from
 * the history as corrected (cw_case_replay). The original events stay in
 * the history for anyone to read.
 *
 * Events and their details (a JSON object):
 *   received      {submission}                 the case was opened
 *   acknowledged  {}                           the stage was acknowledged
 *   responded     {}                           the stage was answered (a
 *                                              record: replied to)
 *   extended      {days, reason[, exceptional: true]}  the response
 *                                              deadline moved (beyond the
 *                                              usual maximum only when
 *                                              exceptional)
 *   step          {step}                       a step of the stage done
 *                                              (the rules' step id)
 *   updated       {note}                       the resident told why the
 *                                              stage is not answered yet
 *   escalated     {submission | reason}        the next stage was opened
 *   closed        {outcome, remedy, learning}  the stage (or record) closed
 *   reassigned    {from, to}                   another team handles it
 *   decided       {flag, outcome, reason, note, review}  a flag decided
 *   prioritised   {priority, reason}           urgent or normal
 *   reclassified  {from_type, from_reference, from_procedure,
 *                  from_reply_days, to, reference, procedure, reply_days,
 *                  reason}                     another type (a complaint's
 *                                              stage 1 counts from then)
 *   moved         {from, to, team_from, team_to, procedure_from,
 *                  procedure_to, reason}       another service area,
 *                                              routed by the rules (the
 *                                              procedure only when it
 *                                              changes)
 *   action        {action, owner, due}         an action promised
 *   action-done   {event}                      that action done
 *   ombudsman     {step: considering | decided | complied, outcome,
 *                  remedy}                     the Ombudsman's steps
 *   merged        {into, into_id, reason}      a duplicate, merged into
 *                                              the case named
 *   merged-in     {from, from_id, reason}      that duplicate, on the case
 *                                              it was merged into
 *   linked        {to, to_id | from_id, reason}  a related case
 *                                              (recorded on both; links
 *                                              recorded before to_id name
 *                                              the other case by `to`)
 *   corrected     {event, reason, date, and any of days, outcome, remedy,
 *                  learning, to, note, review}  event N as it should read
 *   withdrawn     {event, why}                 event N did not happen (a
 *                                              merge or link: on both
 *                                              cases)
 *   restricted, unrestricted                   (the restrictions register
 *                                              keeps what they did)
 */
#ifndef CW_HISTORY_H
#define CW_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "case.h"
#include "rules.h"

/* One event as recorded. */
struct cw_hist_event {
	int64_t id; /* its number in the register; CW_EVENT_NEW for one
		       about to be recorded */
	char *event;
	int stage; /* the stage it was recorded against (0: none) */
	tc_day date;
	cJSON *detail; /* an object, owned */
	char *by;      /* who recorded it, or NULL */
};

#define CW_EVENT_NEW INT64_MAX

struct cw_history {
	struct cw_hist_event *v;
	size_t n, alloc;
};

/* Appends an event (detail is taken; NULL for none). */
void cw_history_add(struct cw_history *h, int64_t id, const char *event,
		    int stage, tc_day date, cJSON *detail, const char *by);
/* The event numbered id, or NULL. */
const struct cw_hist_event *cw_history_find(const struct cw_history *h,
					    int64_t id);
void cw_history_release(struct cw_history *h);

/* Something in a history that does not hold: the event and why. */
struct cw_fault {
	int64_t id;
	char msg[320];
};
struct cw_faults {
	struct cw_fault *v;
	size_t n, alloc;
};
void cw_faults_release(struct cw_faults *f);
/* The first fault of after that before does not hold, or NULL: what a new
 * event (or a correction) would break. */
const struct cw_fault *cw_faults_new(const struct cw_faults *before,
				     const struct cw_faults *after);

/*
 * Rebuilds from h what the history gives: stage 1 from the first received
 * event, each further stage from an escalation, every stage's facts (a
 * record's reply), the status, the team, the flags' decisions, the
 * priority (urgent while an urgent flag is not decided otherwise, or as an
 * officer set it); then the deadlines. Each event
 * that does not hold (a date before what it follows, a second response,
 * an escalation with no reason before the stage was answered or overdue,
 * a decision on a flag the case does not carry) is reported in faults
 * (which may be NULL) and, when it cannot be applied, skipped. Returns 0,
 * or -1 when a deadline falls beyond the calendar (printed).
 */
int cw_case_replay(const struct tc_rules *r, struct cw_case *c,
		   const struct cw_history *h, struct cw_faults *faults);

/*
 * The outcomes a decision on flag may have ("accepted", "refused", ...)
 * as a comma-separated list for messages, and whether outcome is one.
 * A flag not in the table takes "accepted" and "refused".
 */
const char *cw_flag_outcomes(const char *flag);
int cw_flag_outcome_ok(const char *flag, const char *outcome);
/* 1 when a decision on flag with this outcome needs a note (what was
 * agreed) and a review date: agreed reasonable adjustments. */
int cw_flag_outcome_kept(const char *flag, const char *outcome);

/* 1 when the flag object (an item of c->flags) is decided. */
int cw_flag_decided(const cJSON *flag);

#endif
