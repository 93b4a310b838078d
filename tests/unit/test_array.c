/*
 * test_array.c: the one growth policy for arrays (common/array.c), the
 * date scanner the programs' own date checks share (common/date.c), the
 * line and column of an offset (common/utf8.c) and the one definition of
 * a submission ID (model/bundle.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "bundle.h"
#include "date.h"
#include "utf8.h"

static void test_grow(void **state)
{
	int *v = NULL;
	size_t n, alloc = 0, was;

	(void)state;
	for (n = 0; n < 1000; n++) {
		TC_ALLOC_GROW(v, n + 1, alloc);
		assert_true(alloc >= n + 1);
		v[n] = (int)n;
	}
	for (n = 0; n < 1000; n++)
		assert_int_equal(v[n], (int)n);
	/* Asking for less than there is changes nothing. */
	was = alloc;
	assert_int_equal(TC_ALLOC_GROW_TRY(v, 10, alloc), 0);
	assert_int_equal(alloc, was);
	/* A size that would overflow is refused, the array kept. */
	errno = 0;
	assert_int_equal(TC_ALLOC_GROW_TRY(v, SIZE_MAX / 2, alloc), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(alloc, was);
	assert_int_equal(v[999], 999);
	free(v);
}

static void test_ymd_scan(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(tc_ymd_scan("2028-02-29", &y, &m, &d), 0);
	assert_true(y == 2028 && m == 2 && d == 29);
	/* Any year: the callers set their own ranges. */
	assert_int_equal(tc_ymd_scan("1066-10-14", &y, &m, &d), 0);
	assert_int_equal(tc_ymd_scan("2300-01-01T", &y, &m, &d), 0);
	assert_int_equal(tc_ymd_scan("2027-02-29", &y, &m, &d), -1);
	assert_int_equal(tc_ymd_scan("2027-13-01", &y, &m, &d), -1);
	assert_int_equal(tc_ymd_scan("2027-00-01", &y, &m, &d), -1);
	assert_int_equal(tc_ymd_scan("2027/01/01", &y, &m, &d), -1);
	assert_int_equal(tc_ymd_scan("2027-1-011", &y, &m, &d), -1);
	assert_int_equal(tc_days_in_month(1900, 2), 28);
	assert_int_equal(tc_days_in_month(2000, 2), 29);
	/* tc_day_parse keeps its years. */
	{
		tc_day day;

		assert_int_equal(tc_day_parse("1066-10-14", &day), -1);
		assert_int_equal(tc_day_parse("2199-12-31", &day), 0);
	}
}

static void test_line_col(void **state)
{
	static const char text[] = "ab\n\xc3\xa9x\n\nz";
	int line, col;

	(void)state;
	tc_utf8_line_col(text, sizeof(text) - 1, 0, &line, &col);
	assert_true(line == 1 && col == 1);
	tc_utf8_line_col(text, sizeof(text) - 1, 2, &line, &col);
	assert_true(line == 1 && col == 3);
	/* 'x' after a two-byte character is column 2. */
	tc_utf8_line_col(text, sizeof(text) - 1, 5, &line, &col);
	assert_true(line == 2 && col == 2);
	tc_utf8_line_col(text, sizeof(text) - 1, 8, &line, &col);
	assert_true(line == 4 && col == 1);
	/* Past the end: clamped. */
	tc_utf8_line_col(text, sizeof(text) - 1, 999, &line, &col);
	assert_true(line == 4 && col == 2);
}

static void test_submission_id(void **state)
{
	char id[TC_SUBMISSION_ID_LEN + 1];
	size_t i;
	int k;

	(void)state;
	for (k = 0; k < 100; k++) {
		assert_int_equal(tc_submission_id_random(id), 0);
		assert_int_equal(strlen(id), TC_SUBMISSION_ID_LEN);
		assert_true(tc_submission_id_valid(id));
		for (i = 0; i < TC_SUBMISSION_ID_LEN; i++)
			if (i != 5)
				assert_non_null(
				    strchr(TC_SUBMISSION_ID_ALPHABET, id[i]));
	}
	assert_true(tc_submission_id_valid("A1CMP-7QXM3"));
	assert_false(tc_submission_id_valid(NULL));
	assert_false(tc_submission_id_valid(""));
	assert_false(tc_submission_id_valid("a1cmp-7qxm3"));
	assert_false(tc_submission_id_valid("A1CMP7QXM3"));
	assert_false(tc_submission_id_valid("A1CMP-7QXM3X"));
	assert_false(tc_submission_id_valid("../../etc/x"));
	assert_false(tc_submission_id_valid("A1CMP-7QXM/"));
	assert_int_equal(tc_bundle_attachment_number("1"), 1);
	assert_int_equal(tc_bundle_attachment_number("01"), 0);
	assert_int_equal(tc_bundle_attachment_number("0"), 0);
	assert_int_equal(tc_bundle_attachment_number("x"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grow),
	    cmocka_unit_test(test_ymd_scan),
	    cmocka_unit_test(test_line_col),
	    cmocka_unit_test(test_submission_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
