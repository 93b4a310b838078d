/*
 * test_rules.c: unit tests for model/rules.c and model/case.c:
 * the council's rules load and fit the forms, receipt times become the
 * right working day, deadlines land on the right dates, and bad rules are
 * reported with file:line:col.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "forms.h"
#include "fsutil.h"
#include "rules.h"
#include "testlib.h"

static tc_day day(const char *s)
{
	tc_day d = 0;

	assert_int_equal(tc_day_parse(s, &d), 0);
	return d;
}

static void assert_day(tc_day d, const char *want)
{
	char got[11];

	tc_day_format(d, got);
	assert_string_equal(got, want);
}

static void test_loads_defaults(void **state)
{
	const struct tc_procedure *p =
	    tc_rules_procedure(tl_rules, "corporate");

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->nstages, 2);
	assert_int_equal(p->stage[0].ack_days, 5);
	assert_int_equal(p->stage[0].respond_days, 10);
	assert_int_equal(p->stage[0].extension_max, 10);
	assert_int_equal(p->stage[1].respond_days, 20);
	assert_int_equal(tl_rules->time_limit_months, 12);
	assert_non_null(tc_rules_procedure(tl_rules, "childrens"));
	assert_string_equal(tc_rules_refformat(tl_rules, "complaint")->prefix,
			    "CMP");
	assert_string_equal(tc_rules_route(tl_rules, "bins")->procedure,
			    "corporate");
	assert_non_null(tc_rules_exclusion(tl_rules, "licensing"));
	assert_null(tc_rules_route(tl_rules, "licensing"));
}

static void test_fits_forms(void **state)
{
	int nerr = 0;
	struct tc_forms *fs = tc_forms_load_dir("content/forms", &nerr);

	(void)state;
	assert_non_null(fs);
	assert_int_equal(nerr, 0);
	assert_int_equal(tc_rules_check_forms(tl_rules, fs), 0);
	tc_forms_free(fs);
}

/* A receipt time and the working day it counts as. */
static const struct received_case {
	const char *when, *day;
} received_cases[] = {
    /* A Wednesday morning counts as itself. */
    {"2026-12-23T10:00:00Z", "2026-12-23"},
    /* Saturday and a bank holiday move to the next working day. */
    {"2026-11-21T10:00:00Z", "2026-11-23"},
    {"2026-12-25T10:00:00Z", "2026-12-29"},
    /* After 17:00 local: next working day; BST makes 16:30 UTC 17:30. */
    {"2026-11-20T17:00:00Z", "2026-11-23"},
    {"2026-11-20T16:59:59Z", "2026-11-20"},
    {"2026-06-05T16:30:00Z", "2026-06-08"},
    /* 23:30 UTC on 1 June in summer is already 2 June locally. */
    {"2026-06-01T23:30:00Z", "2026-06-02"},
};

static void test_received_date(void **state)
{
	size_t i;
	tc_day d;

	(void)state;
	for (i = 0; i < TL_LEN(received_cases); i++) {
		const struct received_case *c = &received_cases[i];
		char got[11];

		if (tc_rules_received_date(tl_rules, c->when, &d) != 0)
			fail_msg("received %s: refused", c->when);
		tc_day_format(d, got);
		if (strcmp(got, c->day))
			fail_msg("received %s: day %s, want %s", c->when, got,
				 c->day);
	}
	assert_int_equal(tc_rules_received_date(tl_rules, "yesterday", &d), -1);
}

static void stage1(struct cw_case *c, const char *proc, const char *request)
{
	memset(c, 0, sizeof(*c));
	c->type = strdup("complaint");
	c->status = strdup("open");
	c->procedure = strdup(proc);
	c->stage = 1;
	c->nstages = 1;
	cw_stage_open(&c->stages[0], 1, day(request), NULL);
}

/* The adults' procedure: no fixed deadline, an update every six months;
 * the children's stage 3: a panel, its report, the response from the
 * report. Dates worked out by hand (Easter 2027: 26 and 29 March; May
 * bank holidays 3 and 31 May). */
static void test_procedures(void **state)
{
	const struct tc_procedure *p = tc_rules_procedure(tl_rules, "adults");
	struct cw_case c;
	struct cw_stage *s;

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->nstages, 1);
	assert_int_equal(p->stage[0].respond_days, 0);
	assert_int_equal(p->stage[0].update_months, 6);
	assert_int_equal(p->ombudsman_months, 12);
	assert_string_equal(p->stage[0].responder,
			    "Director of Adult Social Services");
	assert_string_equal(
	    tc_rules_route(tl_rules, "adult-social-care")->procedure, "adults");
	stage1(&c, "adults", "2026-12-23");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(c.stages[0].ack_due, "2026-12-30");
	assert_int_equal(c.stages[0].respond_due, CW_NODAY);
	assert_day(c.stages[0].update_due, "2027-06-23");
	c.stages[0].updated = day("2027-06-21");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(c.stages[0].update_due, "2027-12-21");
	c.stages[0].responded = day("2027-07-01");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_int_equal(c.stages[0].update_due, CW_NODAY);
	assert_int_equal(c.stages[0].window_closes, CW_NODAY);
	cw_case_release(&c);

	p = tc_rules_procedure(tl_rules, "childrens");
	assert_int_equal(p->stage[2].nsteps, 2);
	assert_int_equal(tc_rules_step(&p->stage[2], "panel-report"), 1);
	assert_int_equal(tc_rules_step(&p->stage[2], "panels"), -1);
	stage1(&c, "childrens", "2027-03-01");
	c.stages[0].responded = day("2027-03-05");
	cw_case_escalate(&c, day("2027-03-08"), NULL);
	c.stages[1].responded = day("2027-03-22");
	cw_case_escalate(&c, day("2027-03-25"), NULL);
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	s = &c.stages[2];
	assert_int_equal(s->nsteps, 2);
	assert_string_equal(s->steps[0].id, "panel");
	assert_day(s->steps[0].due, "2027-05-11");
	assert_day(s->steps[1].due, "2027-05-18");
	assert_day(s->respond_due, "2027-06-09");
	/* The panel met early: what follows counts from its day. */
	s->steps[0].done = day("2027-04-20");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(s->steps[1].due, "2027-04-27");
	assert_day(s->respond_due, "2027-05-19");
	cw_case_release(&c);
}

static void test_deadlines(void **state)
{
	struct cw_case c;

	(void)state;
	/* The worked example: Christmas and New Year 2026-27. */
	stage1(&c, "corporate", "2026-12-23");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(c.stages[0].ack_due, "2027-01-04");
	assert_day(c.stages[0].respond_due, "2027-01-18");
	/* Acknowledged early: the response counts from that day. */
	c.stages[0].acknowledged = day("2026-12-24");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(c.stages[0].respond_due, "2027-01-12");
	assert_string_equal(c.status, "acknowledged");
	/* Responded: the 28 calendar day window for stage 2 opens. */
	c.stages[0].responded = day("2027-01-11");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(c.stages[0].window_closes, "2027-02-08");
	assert_string_equal(c.status, "responded");
	cw_case_release(&c);

	/* Easter 2027. */
	stage1(&c, "corporate", "2027-03-25");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(c.stages[0].ack_due, "2027-04-05");
	assert_day(c.stages[0].respond_due, "2027-04-19");
	/* An extension of 10 working days. */
	c.stages[0].extension_days = 10;
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(c.stages[0].respond_due, "2027-05-04");
	cw_case_release(&c);

	/* Children's procedure: 10 WD from receipt, window in working days. */
	stage1(&c, "childrens", "2026-11-23");
	c.stages[0].responded = day("2026-12-01");
	assert_int_equal(cw_case_recompute(tl_rules, &c), 0);
	assert_day(c.stages[0].ack_due, "2026-11-26");
	assert_day(c.stages[0].respond_due, "2026-12-07");
	assert_day(c.stages[0].window_closes, "2026-12-31");
	cw_case_release(&c);

	/* Beyond the calendar: refused, not guessed. */
	stage1(&c, "corporate", "2028-12-27");
	assert_int_equal(cw_case_recompute(tl_rules, &c), -1);
	cw_case_release(&c);
}

static void test_phrases(void **state)
{
	const struct tc_phrase *p;

	(void)state;
	p = tc_rules_match_phrase(tl_rules,
				  "I got a PENALTY charge\n  notice.");
	assert_non_null(p);
	assert_string_equal(p->reason_code, "pcn");
	assert_null(tc_rules_match_phrase(tl_rules, "The bins were missed."));
	assert_null(tc_rules_match_phrase(tl_rules, NULL));
	/* urgency */
	p = tc_rules_match_urgent(tl_rules, "We have NO HEATING and a baby.");
	assert_non_null(p);
	assert_string_equal(p->reason_code, "no-heating");
	assert_non_null(
	    tc_rules_match_urgent(tl_rules, "a safeguarding worry"));
	assert_null(tc_rules_match_phrase(tl_rules, "a safeguarding worry"));
	assert_null(tc_rules_match_urgent(tl_rules, "The bins were missed."));
	/* members' enquiries: whole words, case aside */
	assert_true(tc_rules_member_words(tl_rules, "Ward Councillor"));
	assert_true(tc_rules_member_words(tl_rules, "their MP"));
	assert_true(tc_rules_member_words(tl_rules, "Cllr."));
	assert_true(tc_rules_member_words(tl_rules, "Member of Parliament"));
	assert_false(tc_rules_member_words(tl_rules, "company secretary"));
	assert_false(tc_rules_member_words(tl_rules, "MPs' researcher x"));
	assert_false(tc_rules_member_words(tl_rules, "daughter"));
	assert_false(tc_rules_member_words(tl_rules, NULL));
	assert_int_equal(tl_rules->service_request_days, 10);
	assert_int_equal(tl_rules->comment_reply_days, 10);
	/* outcomes: by id or label, letter case, spaces and dashes aside */
	assert_string_equal(tc_rules_outcome(tl_rules, "not upheld")->id,
			    "not-upheld");
	assert_string_equal(tc_rules_outcome(tl_rules, "PARTLY-UPHELD")->label,
			    "Partly upheld");
	assert_string_equal(tc_rules_outcome(tl_rules, "Withdrawn")->id,
			    "withdrawn");
	assert_null(tc_rules_outcome(tl_rules, "sorted"));
	assert_null(tc_rules_outcome(tl_rules, "upheld!"));
	assert_null(tc_rules_outcome(tl_rules, NULL));
	assert_string_equal(tc_rules_outcome_list(tl_rules),
			    "upheld, partly-upheld, not-upheld, resolved, "
			    "withdrawn");
}

/* References as residents and officers type them. */
static void test_ref_canonical(void **state)
{
	static const char *const cases[][2] = {
	    {"CMP-2026-000123", "CMP-2026-000123"},
	    {"cmp2026000123", "CMP-2026-000123"},
	    {"  Cmp 2026 000123\t", "CMP-2026-000123"},
	    {"cmp-2026-123", "CMP-2026-000123"},
	    {"CMP/2026/123", "CMP-2026-000123"},
	    {"sr.2027.42", "SR-2027-000042"},
	    {"SGN-2026-000001", "SGN-2026-000001"},
	    /* too many digits, another prefix, no sequence: as typed */
	    {"cmp-2026-0001234", "CMP-2026-0001234"},
	    {"xyz-2026-000001", "XYZ-2026-000001"},
	    {"CMP-2026", "CMP-2026"},
	    /* an intake submission ID stays as it is */
	    {" 70kpa-mn4jw ", "70KPA-MN4JW"},
	    {"70kpamn4jw", "70KPA-MN4JW"},
	    {"70kpa mn4jw", "70KPA-MN4JW"},
	    {"", ""},
	};
	char out[64], tiny[6];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tc_rules_ref_canonical(tl_rules, cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	tc_rules_ref_canonical(tl_rules, "cmp2026000123", tiny, sizeof(tiny));
	assert_string_equal(tiny, "CMP-2");
}

/* Writes a rules file whose one line is replaced, and loads it. */
static int load_with(const char *from, const char *to, int *nerr)
{
	struct tc_buf src = TC_BUF_INIT, out = TC_BUF_INIT;
	const char *at;
	struct tc_rules *r;
	char path[] = "content/.test-rules.yml";

	assert_int_equal(tc_fs_read("content/rules.yml", 1 << 20, &src), 0);
	at = strstr(src.data, from);
	assert_non_null(at);
	tc_buf_add(&out, src.data, (size_t)(at - src.data));
	tc_buf_adds(&out, to);
	tc_buf_adds(&out, at + strlen(from));
	assert_int_equal(tc_fs_write_atomic(path, out.data, out.len, 0600), 0);
	r = tc_rules_load(path, nerr);
	unlink(path);
	tc_rules_free(r);
	tc_buf_release(&src);
	tc_buf_release(&out);
	return r != NULL;
}

/* One line of the real rules made wrong, and how many errors it gives:
 * exactly nerr, or at least nerr where more may follow from it. */
static const struct bad_rule {
	const char *from, *to;
	int nerr, or_more;
} bad_rules[] = {
    {"procedure: childrens}", "procedure: kids}", 1, 0},
    {"acknowledge_days: 5", "acknowledge_days: five", 1, 0},
    {"division: england-and-wales", "division: wessex", 1, 1},
    {"time_limit_months: 12", "time_limit_monthz: 12", 1, 1},
    {"end_of_day: \"17:00\"", "end_of_day: \"25:00\"", 1, 0},
    {"member_enquiry_words: [councillor,", "member_enquiry_words: [Councillor,",
     1, 0},
    {"comment_reply_days: 10", "comment_reply_days: 1000", 1, 0},
    {"urgent_phrases:\n", "urgent_phrases: 3\n", 1, 1},
    {"{id: resolved, label: Resolved}", "{id: upheld, label: Resolved}", 1, 0},
    {"{id: resolved, label: Resolved}", "{id: Resolved, label: Resolved}", 1,
     0},
    {"{id: resolved, label: Resolved}", "{id: resolved}", 1, 0},
};

static void test_bad_rules(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < TL_LEN(bad_rules); i++) {
		const struct bad_rule *b = &bad_rules[i];
		int nerr = 0;

		if (load_with(b->from, b->to, &nerr))
			fail_msg("'%s' loaded", b->to);
		if (nerr < b->nerr || (!b->or_more && nerr > b->nerr))
			fail_msg("'%s': %d errors, want %s%d", b->to, nerr,
				 b->or_more ? "at least " : "", b->nerr);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loads_defaults),
	    cmocka_unit_test(test_fits_forms),
	    cmocka_unit_test(test_received_date),
	    cmocka_unit_test(test_deadlines),
	    cmocka_unit_test(test_procedures),
	    cmocka_unit_test(test_phrases),
	    cmocka_unit_test(test_ref_canonical),
	    cmocka_unit_test(test_bad_rules),
	};

	return cmocka_run_group_tests(tests, tl_rules_setup, tl_rules_teardown);
}
