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
#include "testlib.h"

/* What each normaliser makes of an input in a buffer of size bytes (0:
 * all of b); it returns 1 when something is left, 0 when nothing is. */
static const struct norm_case {
	int (*norm)(const char *in, char *out, size_t n);
	const char *in;
	size_t size;
	const char *want;
} norm_cases[] = {
    {cw_norm_email, "  Pat.Smith@Example.ORG \n", 0, "pat.smith@example.org"},
    {cw_norm_email, "   ", 0, ""},
    {cw_norm_email, NULL, 0, ""},
    {cw_norm_email, "abcdefghij", 5, "abcd"},
    {cw_norm_phone, "07700 900123", 0, "07700900123"},
    {cw_norm_phone, "+44 7700 900123", 0, "07700900123"},
    {cw_norm_phone, "+44 (0)20 7946 0000", 0, "02079460000"},
    {cw_norm_phone, "0044 20-7946-0000", 0, "02079460000"},
    {cw_norm_phone, "(020) 7946 0000", 0, "02079460000"},
    {cw_norm_phone, "no number", 0, ""},
    /* Another country's code stays as it is. */
    {cw_norm_phone, "+353 1 234 5678", 0, "35312345678"},
    {cw_norm_name, "  Pat   SMITH\t ", 0, "pat smith"},
    {cw_norm_name, "", 0, ""},
};

static void test_norm(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < TL_LEN(norm_cases); i++) {
		const struct norm_case *c = &norm_cases[i];
		char b[64] = "unchanged";
		int rc = c->norm(c->in, b, c->size ? c->size : sizeof(b));

		if (rc != (c->want[0] != '\0') || strcmp(b, c->want))
			fail_msg("norm case %zu '%s': %d '%s', want '%s'", i,
				 c->in ? c->in : "(null)", rc, b, c->want);
	}
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
	    cmocka_unit_test(test_norm),
	    cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
