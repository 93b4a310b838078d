/*
 * test_cli.c: options bound to their variables (common/cli.c): each kind
 * stored at its field, values refused with the message that names them,
 * unbound options still reaching the caller's set function.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "testlib.h"

struct vals {
	const char *name;
	int flag, count;
	tc_day day;
	const char *called; /* the last unbound option set() saw */
};

static int set(void *arg, const char *name, const char *value)
{
	struct vals *v = arg;

	(void)value;
	v->called = name;
	return 0;
}

static const struct tc_opt opts[] = {
    TC_OPT_BIND_STR("name", "N", "a name", struct vals, name),
    TC_OPT_BIND_FLAG("flag", "a flag", struct vals, flag),
    TC_OPT_BIND_INT("count", "N", "1 to 9", struct vals, count, 1, 9, NULL),
    TC_OPT_BIND_INT("year", "YYYY", "a year", struct vals, count, 1900, 9999,
		    "a year YYYY"),
    TC_OPT_BIND_DAY("day", "a day", struct vals, day),
    {"other", "X", "handled by set"},
    {0},
};

static const struct tc_cmd cmds[] = {
    {"go", NULL, "go", "", opts},
    {0},
};

static const struct tc_prog prog = {
    .name = "prog", .summary = "a test", .usage = "COMMAND", .cmds = cmds};

/* Parses argv (after the command name) into v; the exit code. */
static int parse(struct vals *v, int argc, char **argv)
{
	int used = 0;

	memset(v, 0, sizeof(*v));
	v->day = TC_NODAY;
	return tc_cli_parse(&prog, &cmds[0], argc, argv, set, v, &used);
}

static void test_bound(void **state)
{
	char *argv[] = {"go",	 "--name",     "Ann",	  "--flag", "--count=7",
			"--day", "2027-01-04", "--other", "x"};
	struct vals v;
	tc_day want;

	(void)state;
	assert_int_equal(parse(&v, 9, argv), 0);
	assert_string_equal(v.name, "Ann");
	assert_int_equal(v.flag, 1);
	assert_int_equal(v.count, 7);
	assert_int_equal(tc_day_parse("2027-01-04", &want), 0);
	assert_int_equal(v.day, want);
	assert_string_equal(v.called, "other");
}

/* Each refusal: exit 2 and "--NAME: 'VALUE' is not WHAT". */
static const struct refusal {
	const char *args[2]; /* the option and its value */
	const char *msg;
} refusals[] = {
    {{"--count", "0"}, "--count: '0' is not a number in range"},
    {{"--count", "10"}, "--count: '10' is not a number in range"},
    {{"--count", "3x"}, "--count: '3x' is not a number in range"},
    {{"--count", ""}, "--count: '' is not a number in range"},
    {{"--year", "20x4"}, "--year: '20x4' is not a year YYYY"},
    {{"--day", "2027-02-29"}, "--day: '2027-02-29' is not a date"},
    {{"--day", "2027-1-04"}, "--day: '2027-1-04' is not a date"},
};

static void test_refused(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < TL_LEN(refusals); i++) {
		const struct refusal *r = &refusals[i];
		char *argv[] = {"go", (char *)r->args[0], (char *)r->args[1]};
		char buf[512] = "";
		struct vals v;
		FILE *err = tmpfile(), *old = stderr;
		int rc;
		size_t n;

		assert_non_null(err);
		stderr = err;
		rc = parse(&v, 3, argv);
		stderr = old;
		rewind(err);
		n = fread(buf, 1, sizeof(buf) - 1, err);
		buf[n] = '\0';
		fclose(err);
		if (rc != TC_EXIT_USAGE || !strstr(buf, r->msg))
			fail_msg("%s '%s': exit %d, said '%s'; want %d, '%s'",
				 r->args[0], r->args[1], rc, buf, TC_EXIT_USAGE,
				 r->msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bound),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
