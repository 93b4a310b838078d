/*
 * test_access.c: unit tests for the roles' rules (model/access.c): what
 * each role may do, with a case that is theirs and one that is not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "access.h"
#include "testlib.h"

static struct tc_officer officer(enum tc_role role)
{
	struct tc_officer o = {"hana", "Hana Khan", "Complaints Officer",
			       "Waste and Recycling", "hana@example.org",
			       role, 1, TC_NODAY, TC_NODAY};

	return o;
}

/* 1 allowed, 0 refused, for each role and act: on a case allocated to
 * the officer, another's case of their team, and another team's case. */
static const struct {
	enum tc_role role;
	enum tc_act act;
	int own, team_case, team_case_team_view, other;
} table[] = {
    {TC_ROLE_ADMIN, TC_ACT_PEOPLE, 1, 1, 1, 1},
    {TC_ROLE_ADMIN, TC_ACT_REPORT, 1, 1, 1, 1},
    {TC_ROLE_ADMIN, TC_ACT_READ, 0, 0, 0, 0},
    {TC_ROLE_ADMIN, TC_ACT_WORK, 0, 0, 0, 0},
    {TC_ROLE_TEAM, TC_ACT_READ, 1, 1, 1, 1},
    {TC_ROLE_TEAM, TC_ACT_ALLOCATE, 1, 1, 1, 1},
    {TC_ROLE_TEAM, TC_ACT_WORK, 1, 1, 1, 1},
    {TC_ROLE_TEAM, TC_ACT_PEOPLE, 0, 0, 0, 0},
    {TC_ROLE_HANDLER, TC_ACT_READ, 1, 0, 1, 0},
    {TC_ROLE_HANDLER, TC_ACT_RECORD, 1, 0, 1, 0},
    {TC_ROLE_HANDLER, TC_ACT_ALLOCATE, 0, 0, 0, 0},
    {TC_ROLE_HANDLER, TC_ACT_WORK, 0, 0, 0, 0},
    {TC_ROLE_HANDLER, TC_ACT_REPORT, 0, 0, 0, 0},
    {TC_ROLE_VIEWER, TC_ACT_REPORT, 1, 1, 1, 1},
    {TC_ROLE_VIEWER, TC_ACT_READ, 0, 0, 0, 0},
};

static void test_roles(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct tc_officer o = officer(table[i].role);
		const char *own = tc_access(&o, table[i].act, "hana",
					    "Waste and Recycling", 0);
		const char *tc = tc_access(&o, table[i].act, "sam",
					   "Waste and Recycling", 0);
		const char *tv = tc_access(&o, table[i].act, "sam",
					   "Waste and Recycling", 1);
		const char *other =
		    tc_access(&o, table[i].act, "sam", "Highways", 1);

		if ((own == NULL) != table[i].own ||
		    (tc == NULL) != table[i].team_case ||
		    (tv == NULL) != table[i].team_case_team_view ||
		    (other == NULL) != table[i].other)
			fail_msg("row %zu (%s): %s / %s / %s / %s", i,
				 tc_role_name(table[i].role), own ? own : "ok",
				 tc ? tc : "ok", tv ? tv : "ok",
				 other ? other : "ok");
	}
}

static void test_refusals_name_the_rule(void **state)
{
	struct tc_officer o = officer(TC_ROLE_HANDLER);
	const char *why;

	(void)state;
	why = tc_access(&o, TC_ACT_READ, NULL, NULL, 0);
	assert_non_null(why);
	assert_non_null(strstr(why, "rule 'handler'"));
	/* an unallocated case is no handler's */
	assert_non_null(tc_access(&o, TC_ACT_READ, "", "", 1));
	o.active = 0;
	o.role = TC_ROLE_TEAM;
	why = tc_access(&o, TC_ACT_READ, "hana", NULL, 0);
	assert_non_null(why);
	assert_non_null(strstr(why, "rule 'disabled'"));
	/* no officers in the register: open */
	assert_null(tc_access(NULL, TC_ACT_PEOPLE, NULL, NULL, 0));
}

static void test_names_and_away(void **state)
{
	struct tc_officer o = officer(TC_ROLE_HANDLER);
	enum tc_role r;

	(void)state;
	for (r = TC_ROLE_ADMIN; r <= TC_ROLE_VIEWER; r++)
		assert_int_equal(tc_role_parse(tc_role_name(r)), r);
	assert_int_equal(tc_role_parse("Administrator"), TC_ROLE_NONE);
	assert_int_equal(tc_role_parse(NULL), TC_ROLE_NONE);
	o.away_from = 100;
	o.away_to = 104;
	assert_int_equal(tc_officer_away(&o, 99), 0);
	assert_int_equal(tc_officer_away(&o, 100), 1);
	assert_int_equal(tc_officer_away(&o, 104), 1);
	assert_int_equal(tc_officer_away(&o, 105), 0);
	o.away_to = TC_NODAY;
	assert_int_equal(tc_officer_away(&o, 5000), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_refusals_name_the_rule),
	    cmocka_unit_test(test_names_and_away),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
