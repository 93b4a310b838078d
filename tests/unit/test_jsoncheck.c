/*
 * test_jsoncheck.c: unit tests for common/jsoncheck.c, the strict JSON
 * check: what it takes, what it refuses and where it says the fault is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsoncheck.h"
#include "testlib.h"

struct bad {
	const char *text;
	enum tc_json_fault fault;
	size_t off;
};

static void check_bad(const char *text, size_t len, enum tc_json_fault want,
		      size_t off)
{
	struct tc_json_check r;

	if (tc_json_check(text, len, &r) != -1 || r.fault != want ||
	    r.off != off)
		fail_msg("'%.*s': fault %d at %zu, wanted %d at %zu", (int)len,
			 text, (int)r.fault, r.off, (int)want, off);
}

static void test_accepts(void **state)
{
	static const char *const good[] = {
	    "{}",
	    " [ ] ",
	    "0",
	    "-0.5e+10",
	    "1E-2",
	    "\"\"",
	    "\"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00 \\\" \\\\ \\/ "
	    "\\b\\f\\n\\r\\t\"",
	    "{\"a\":1,\"b\":[true,false,null,{\"a\":2}],\"c\":{\"a\":{}}}",
	    "{\"a\":{\"x\":1},\"b\":{\"x\":2}}",
	    "[{\"k\":1},{\"k\":2}]",
	    "{\"A\":1,\"a\":2,\"ab\":3,\"a\\u0062c\":4}",
	    "\n\r\t{\"\":\"\"}\n",
	};
	struct tc_json_check r;
	size_t i;

	(void)state;
	for (i = 0; i < TL_LEN(good); i++)
		if (tc_json_check(good[i], strlen(good[i]), &r) != 0)
			fail_msg("'%s' refused: fault %d at %zu", good[i],
				 (int)r.fault, r.off);
}

static void test_refuses(void **state)
{
	static const struct bad bad[] = {
	    {"", TC_JSON_SYNTAX, 0},
	    {"   ", TC_JSON_SYNTAX, 3},
	    {"{} {}", TC_JSON_SYNTAX, 3},
	    {"{\"a\":1,}", TC_JSON_SYNTAX, 7},
	    {"[1,]", TC_JSON_SYNTAX, 3},
	    {"[1 2]", TC_JSON_SYNTAX, 3},
	    {"{\"a\" 1}", TC_JSON_SYNTAX, 5},
	    {"{a:1}", TC_JSON_SYNTAX, 1},
	    {"[01]", TC_JSON_SYNTAX, 2},
	    {"[1.]", TC_JSON_SYNTAX, 3},
	    {"[.5]", TC_JSON_SYNTAX, 1},
	    {"[1e]", TC_JSON_SYNTAX, 3},
	    {"[+1]", TC_JSON_SYNTAX, 1},
	    {"[NaN]", TC_JSON_SYNTAX, 1},
	    {"[tru]", TC_JSON_SYNTAX, 1},
	    {"['a']", TC_JSON_SYNTAX, 1},
	    {"\"abc", TC_JSON_SYNTAX, 4},
	    {"\"\\x\"", TC_JSON_SYNTAX, 1},
	    {"\"\\u12g4\"", TC_JSON_SYNTAX, 1},
	    {"[1]]", TC_JSON_SYNTAX, 3},
	    {"{\"a\":[1}", TC_JSON_SYNTAX, 7},
	    {"\"a\tb\"", TC_JSON_CONTROL, 2},
	    {"{\"k\":\"line\nbreak\"}", TC_JSON_CONTROL, 10},
	    {"{\"k\x01\":1}", TC_JSON_CONTROL, 3},
	    {"\"ab\\u0000cd\"", TC_JSON_NUL, 3},
	    {"{\"received\":\"x\\u0000\"}", TC_JSON_NUL, 14},
	    {"\"\\udc00\"", TC_JSON_SURROGATE, 1},
	    {"\"\\ud800x\"", TC_JSON_SURROGATE, 1},
	    {"\"\\ud800\\u0041\"", TC_JSON_SURROGATE, 1},
	    {"{\"a\":1,\"a\":2}", TC_JSON_DUPLICATE, 7},
	    {"{\"a\":1,\"\\u0061\":2}", TC_JSON_DUPLICATE, 7},
	    {"{\"b\":1,\"a\":2,\"c\":3,\"a\":4,\"b\":5}", TC_JSON_DUPLICATE,
	     19},
	    {"{\"o\":{\"x\":1,\"x\":2}}", TC_JSON_DUPLICATE, 12},
	    {"[{\"x\":1},{\"y\":1,\"y\":1}]", TC_JSON_DUPLICATE, 16},
	};
	size_t i;

	(void)state;
	for (i = 0; i < TL_LEN(bad); i++)
		check_bad(bad[i].text, strlen(bad[i].text), bad[i].fault,
			  bad[i].off);
}

/* A NUL byte in the text is a control character, not its end. */
static void test_raw_nul(void **state)
{
	static const char text[] = "{\"a\":\"x\0y\"}";

	(void)state;
	check_bad(text, sizeof(text) - 1, TC_JSON_CONTROL, 7);
	check_bad(text, 3, TC_JSON_SYNTAX, 3);
}

static void test_duplicate_key_named(void **state)
{
	static const char text[] = "{\"received\":\"2026-12-01T10:00:00Z\","
				   "\"id\":\"x\",\"rec\\u0065ived\":\"2027\"}";
	struct tc_json_check r;

	(void)state;
	assert_int_equal(tc_json_check(text, strlen(text), &r), -1);
	assert_int_equal(r.fault, TC_JSON_DUPLICATE);
	assert_string_equal(r.key, "received");
	assert_int_equal(r.off, strstr(text, "\"rec\\u") - text);
}

/* A key named in a message never carries control characters or broken
 * UTF-8, and is cut to fit. */
static void test_duplicate_key_cleaned(void **state)
{
	static const char text[] =
	    "{\"a\\nb\xc3\xa9\":1,\"a\\u000ab\\u00e9\":2}";
	struct tc_json_check r;
	char lng[300];
	int n;

	(void)state;
	assert_int_equal(tc_json_check(text, strlen(text), &r), -1);
	assert_int_equal(r.fault, TC_JSON_DUPLICATE);
	assert_string_equal(r.key, "a?b??");
	n = snprintf(lng, sizeof(lng), "{\"%0100d\":1,\"%0100d\":2}", 7, 7);
	assert_int_equal(tc_json_check(lng, (size_t)n, &r), -1);
	assert_int_equal(strlen(r.key), sizeof(r.key) - 1);
	assert_memory_equal(r.key, "0000000000", 10);
}

/* Deep nesting is refused at the first bracket past the limit, and a
 * long text of many keys is checked whole. */
static void test_limits(void **state)
{
	size_t n = 100000, i, len;
	char *s = malloc(n * 16 + 16);
	struct tc_json_check r;

	(void)state;
	assert_non_null(s);
	/* Nothing at all, from an empty buffer that was never given bytes. */
	assert_int_equal(tc_json_check(NULL, 0, &r), -1);
	assert_int_equal(r.fault, TC_JSON_SYNTAX);
	memset(s, '[', TC_JSON_MAX_DEPTH);
	memset(s + TC_JSON_MAX_DEPTH, ']', TC_JSON_MAX_DEPTH);
	assert_int_equal(tc_json_check(s, 2 * TC_JSON_MAX_DEPTH, &r), 0);
	memset(s, '[', TC_JSON_MAX_DEPTH + 1);
	memset(s + TC_JSON_MAX_DEPTH + 1, ']', TC_JSON_MAX_DEPTH + 1);
	check_bad(s, 2 * TC_JSON_MAX_DEPTH + 2, TC_JSON_DEEP,
		  TC_JSON_MAX_DEPTH);

	len = 0;
	s[len++] = '{';
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s\"k%zu\":%zu", i ? "," : "",
				       i, i);
	s[len++] = '}';
	assert_int_equal(tc_json_check(s, len, &r), 0);
	/* the last key again */
	len--;
	len += (size_t)sprintf(s + len, ",\"k%zu\":0}", n - 1);
	assert_int_equal(tc_json_check(s, len, &r), -1);
	assert_int_equal(r.fault, TC_JSON_DUPLICATE);
	assert_int_equal(r.off, len - strlen("\"k99999\":0}"));
	free(s);
}

static void test_fault_text(void **state)
{
	(void)state;
	assert_string_equal(tc_json_fault_text(TC_JSON_DUPLICATE),
			    "a key given twice in one object");
	assert_string_equal(tc_json_fault_text(TC_JSON_NUL),
			    "a NUL character (\\u0000) inside a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepts),
	    cmocka_unit_test(test_refuses),
	    cmocka_unit_test(test_raw_nul),
	    cmocka_unit_test(test_duplicate_key_named),
	    cmocka_unit_test(test_duplicate_key_cleaned),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_fault_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
