/*
 * test_history.c: unit tests for model/history.c: a case rebuilt from its
 * history under the council's rules (content/rules.yml), corrections and
 * withdrawals, the faults a history holds, and decisions on flags.
 *
 * The case: a complaint received Tuesday 15 December 2026 (stage 1:
 * acknowledge in 5 working days, respond in 10 after the
 * acknowledgement; 25 and 28 December 2026 and 1 January 2027 are bank
 * holidays).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "history.h"
#include "rules.h"
#include "testlib.h"

static tc_day day(const char *s)
{
	tc_day d = CW_NODAY;

	assert_int_equal(tc_day_parse(s, &d), 0);
	return d;
}

/* A new complaint with one flag, and its history's received event. */
static void make(struct cw_case *c, struct cw_history *h)
{
	memset(c, 0, sizeof(*c));
	memset(h, 0, sizeof(*h));
	c->reference = tc_xstrdup("CMP-2026-000001");
	c->type = tc_xstrdup("complaint");
	c->status = tc_xstrdup("open");
	c->procedure = tc_xstrdup(tl_rules->proc[0].id);
	c->team = tc_xstrdup("Waste");
	c->received_date = day("2026-12-15");
	c->nstages = c->stage = 1;
	c->stages[0].stage = 1;
	c->stages[0].request = c->received_date;
	c->stages[0].acknowledged = c->stages[0].responded = CW_NODAY;
	c->stages[0].closed = CW_NODAY;
	c->flags = cJSON_CreateArray();
	cw_case_flag(c, "late", "the problem happened long ago");
	cw_history_add(h, 1, "received", 1, c->received_date, NULL, NULL);
}

static cJSON *obj(const char *json)
{
	cJSON *o = cJSON_Parse(json);

	assert_non_null(o);
	return o;
}

static void replay_ok(struct cw_case *c, struct cw_history *h)
{
	struct cw_faults f = {0};

	assert_int_equal(cw_case_replay(tl_rules, c, h, &f), 0);
	if (f.n)
		fail_msg("unexpected fault on event %lld: %s",
			 (long long)f.v[0].id, f.v[0].msg);
	cw_faults_release(&f);
}

static void done(struct cw_case *c, struct cw_history *h)
{
	cw_history_release(h);
	cw_case_release(c);
}

static void test_steps_give_deadlines(void **state)
{
	struct cw_case c;
	struct cw_history h;

	(void)state;
	make(&c, &h);
	replay_ok(&c, &h);
	assert_int_equal(c.stages[0].ack_due, day("2026-12-22"));
	cw_history_add(&h, 2, "acknowledged", 1, day("2026-12-16"), NULL, "A");
	replay_ok(&c, &h);
	/* 10 WD after Wed 16 Dec, skipping 25 and 28 Dec and 1 Jan */
	assert_int_equal(c.stages[0].respond_due, day("2027-01-04"));
	assert_string_equal(c.status, "acknowledged");
	cw_history_add(&h, 3, "extended", 1, day("2026-12-17"),
		       obj("{\"days\":5,\"reason\":\"contractor\"}"), "A");
	replay_ok(&c, &h);
	assert_int_equal(c.stages[0].respond_due, day("2027-01-11"));
	assert_string_equal(c.stages[0].extension_reason, "contractor");
	done(&c, &h);
}

static void test_correction_and_withdrawal(void **state)
{
	struct cw_case c;
	struct cw_history h;

	(void)state;
	make(&c, &h);
	cw_history_add(&h, 2, "acknowledged", 1, day("2026-12-15"), NULL, "A");
	cw_history_add(&h, 3, "corrected", 1, day("2026-12-16"),
		       obj("{\"event\":2,\"date\":\"2026-12-16\","
			   "\"why\":\"typo\",\"set\":{}}"),
		       "A");
	replay_ok(&c, &h);
	assert_int_equal(c.stages[0].acknowledged, day("2026-12-16"));
	assert_int_equal(c.stages[0].respond_due, day("2027-01-04"));
	cw_history_add(&h, 4, "closed", 1, day("2026-12-17"),
		       obj("{\"outcome\":\"upheld\"}"), "A");
	replay_ok(&c, &h);
	assert_string_equal(c.status, "closed");
	cw_history_add(&h, 5, "withdrawn", 1, day("2026-12-17"),
		       obj("{\"event\":4,\"why\":\"wrong case\"}"), "A");
	replay_ok(&c, &h);
	assert_int_equal(c.stages[0].closed, CW_NODAY);
	assert_null(c.stages[0].outcome);
	assert_string_equal(c.status, "acknowledged");
	/* the correction withdrawn: the original date again */
	cw_history_add(&h, 6, "withdrawn", 1, day("2026-12-17"),
		       obj("{\"event\":3,\"why\":\"it was right\"}"), "A");
	replay_ok(&c, &h);
	assert_int_equal(c.stages[0].acknowledged, day("2026-12-15"));
	done(&c, &h);
}

/* The fault a new event brings, or NULL. */
static const char *new_fault(struct cw_case *c, struct cw_history *h,
			     const char *event, const char *date, cJSON *detail,
			     char *buf, size_t n)
{
	struct cw_faults before = {0}, after = {0};
	const struct cw_fault *f;

	assert_int_equal(cw_case_replay(tl_rules, c, h, &before), 0);
	cw_history_add(h, CW_EVENT_NEW, event, c->stage, day(date), detail,
		       NULL);
	assert_int_equal(cw_case_replay(tl_rules, c, h, &after), 0);
	f = cw_faults_new(&before, &after);
	if (f)
		snprintf(buf, n, "%s", f->msg);
	cw_faults_release(&before);
	cw_faults_release(&after);
	return f ? buf : NULL;
}

static void test_faults(void **state)
{
	struct cw_case c;
	struct cw_history h;
	char buf[400];
	const char *m;

	(void)state;
	make(&c, &h);
	m = new_fault(&c, &h, "acknowledged", "2026-12-06", NULL, buf,
		      sizeof(buf));
	assert_non_null(m);
	assert_non_null(strstr(m, "before the case was received on "
				  "2026-12-15"));
	done(&c, &h);

	make(&c, &h);
	cw_history_add(&h, 2, "responded", 1, day("2026-12-18"), NULL, NULL);
	m = new_fault(&c, &h, "responded", "2026-12-19", NULL, buf,
		      sizeof(buf));
	assert_non_null(m);
	assert_non_null(strstr(m, "responded to on 2026-12-18 already"));
	/* the second response was not applied */
	assert_int_equal(c.stages[0].responded, day("2026-12-18"));
	done(&c, &h);

	make(&c, &h);
	m = new_fault(&c, &h, "escalated", "2026-12-16", NULL, buf,
		      sizeof(buf));
	assert_non_null(m);
	assert_non_null(strstr(m, "give a reason"));
	done(&c, &h);

	make(&c, &h);
	m = new_fault(&c, &h, "escalated", "2026-12-16",
		      obj("{\"reason\":\"asked by the director\"}"), buf,
		      sizeof(buf));
	assert_null(m);
	assert_int_equal(c.nstages, 2);
	assert_int_equal(c.stage, 2);
	done(&c, &h);

	/* a resident's early request is flagged, not refused */
	make(&c, &h);
	m = new_fault(&c, &h, "escalated", "2026-12-16",
		      obj("{\"submission\":\"X-1\"}"), buf, sizeof(buf));
	assert_null(m);
	assert_true(cw_case_has_flag(&c, "early_review"));
	done(&c, &h);

	/* the withdrawn escalation leaves one stage */
	make(&c, &h);
	cw_history_add(&h, 2, "escalated", 1, day("2026-12-16"),
		       obj("{\"reason\":\"r\"}"), NULL);
	cw_history_add(&h, 3, "withdrawn", 2, day("2026-12-16"),
		       obj("{\"event\":2,\"why\":\"w\"}"), NULL);
	replay_ok(&c, &h);
	assert_int_equal(c.nstages, 1);
	assert_int_equal(c.stage, 1);
	done(&c, &h);
}

static void test_flag_decisions(void **state)
{
	struct cw_case c;
	struct cw_history h;
	char buf[400];
	const char *m;

	(void)state;
	assert_true(cw_flag_outcome_ok("late", "accepted"));
	assert_false(cw_flag_outcome_ok("late", "accept"));
	assert_false(cw_flag_outcome_ok("late", "agreed"));
	assert_true(cw_flag_outcome_kept("reasonable_adjustments", "agreed"));
	assert_false(
	    cw_flag_outcome_kept("reasonable_adjustments", "declined"));
	make(&c, &h);
	assert_false(cw_flag_decided(cJSON_GetArrayItem(c.flags, 0)));
	cw_history_add(&h, 2, "decided", 1, day("2026-12-16"),
		       obj("{\"flag\":\"late\",\"outcome\":\"accepted\","
			   "\"reason\":\"in hospital\"}"),
		       NULL);
	replay_ok(&c, &h);
	assert_true(cw_flag_decided(cJSON_GetArrayItem(c.flags, 0)));
	m = new_fault(&c, &h, "decided", "2026-12-16",
		      obj("{\"flag\":\"late\",\"outcome\":\"refused\"}"), buf,
		      sizeof(buf));
	assert_non_null(m);
	assert_non_null(strstr(m, "decided on 2026-12-16 already"));
	done(&c, &h);

	make(&c, &h);
	cw_history_add(&h, 2, "decided", 1, day("2026-12-16"),
		       obj("{\"flag\":\"late\",\"outcome\":\"accepted\"}"),
		       NULL);
	cw_history_add(&h, 3, "withdrawn", 1, day("2026-12-16"),
		       obj("{\"event\":2,\"why\":\"w\"}"), NULL);
	replay_ok(&c, &h);
	assert_false(cw_flag_decided(cJSON_GetArrayItem(c.flags, 0)));
	m = new_fault(&c, &h, "decided", "2026-12-16",
		      obj("{\"flag\":\"anonymous\",\"outcome\":\"noted\"}"),
		      buf, sizeof(buf));
	assert_non_null(m);
	assert_non_null(strstr(m, "carries no flag 'anonymous'"));
	done(&c, &h);
}

static void test_reassigned_and_received(void **state)
{
	struct cw_case c;
	struct cw_history h;

	(void)state;
	make(&c, &h);
	cw_history_add(&h, 2, "reassigned", 1, day("2026-12-16"),
		       obj("{\"from\":\"Waste\",\"to\":\"Highways\"}"), NULL);
	replay_ok(&c, &h);
	assert_string_equal(c.team, "Highways");
	cw_history_add(&h, 3, "withdrawn", 1, day("2026-12-16"),
		       obj("{\"event\":2,\"why\":\"w\"}"), NULL);
	replay_ok(&c, &h);
	assert_string_equal(c.team, "Waste");
	/* the received date corrected moves every deadline */
	cw_history_add(&h, 4, "corrected", 1, day("2026-12-17"),
		       obj("{\"event\":1,\"date\":\"2026-12-14\","
			   "\"why\":\"the letter came on Monday\"}"),
		       NULL);
	replay_ok(&c, &h);
	assert_int_equal(c.received_date, day("2026-12-14"));
	assert_int_equal(c.stages[0].ack_due, day("2026-12-21"));
	done(&c, &h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_steps_give_deadlines),
	    cmocka_unit_test(test_correction_and_withdrawal),
	    cmocka_unit_test(test_faults),
	    cmocka_unit_test(test_flag_decisions),
	    cmocka_unit_test(test_reassigned_and_received),
	};

	return cmocka_run_group_tests(tests, tl_rules_setup, tl_rules_teardown);
}
