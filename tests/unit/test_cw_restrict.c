/*
 * test_cw_restrict.c: unit tests for the normalisation that contact
 * restrictions are matched on (processor/restrict.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "restrict.h"

static void test_email(void **state)
{
	char b[64];

	(void)state;
	assert_int_equal(
	    cw_norm_email("  Pat.Smith@Example.ORG \n", b, sizeof(b)), 1);
	assert_string_equal(b, "pat.smith@example.org");
	assert_int_equal(cw_norm_email("   ", b, sizeof(b)), 0);
	assert_string_equal(b, "");
	assert_int_equal(cw_norm_email(NULL, b, sizeof(b)), 0);
	cw_norm_email("abcdefghij", b, 5);
	assert_string_equal(b, "abcd");
}

static void test_phone(void **state)
{
	char b[32];

	(void)state;
	cw_norm_phone("07700 900123", b, sizeof(b));
	assert_string_equal(b, "07700900123");
	cw_norm_phone("+44 7700 900123", b, sizeof(b));
	assert_string_equal(b, "07700900123");
	cw_norm_phone("+44 (0)20 7946 0000", b, sizeof(b));
	assert_string_equal(b, "02079460000");
	cw_norm_phone("0044 20-7946-0000", b, sizeof(b));
	assert_string_equal(b, "02079460000");
	cw_norm_phone("(020) 7946 0000", b, sizeof(b));
	assert_string_equal(b, "02079460000");
	assert_int_equal(cw_norm_phone("no number", b, sizeof(b)), 0);
	/* Another country's code stays as it is. */
	cw_norm_phone("+353 1 234 5678", b, sizeof(b));
	assert_string_equal(b, "35312345678");
}

static void test_name(void **state)
{
	char b[64];

	(void)state;
	cw_norm_name("  Pat   SMITH\t ", b, sizeof(b));
	assert_string_equal(b, "pat smith");
	assert_int_equal(cw_norm_name("", b, sizeof(b)), 0);
}

static void test_kinds(void **state)
{
	(void)state;
	assert_true(cw_restrict_kind_ok("written-contact-only"));
	assert_true(cw_restrict_kind_ok("read-and-file"));
	assert_false(cw_restrict_kind_ok("banned"));
	assert_false(cw_restrict_kind_ok(NULL));
	assert_string_equal(cw_restrict_kind_label("limited-calls"),
			    "limited length or number of calls");
	assert_string_equal(cw_restrict_kind_label("other"), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_email),
	    cmocka_unit_test(test_phone),
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
