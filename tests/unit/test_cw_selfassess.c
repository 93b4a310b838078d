/*
 * test_cw_selfassess.c: unit tests for the council's self-assessment file
 * (processor/selfassess.c): what it reads, and each mistake named at its
 * file:line:col.
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

#include "err.h"
#include "selfassess.h"

static char dir[] = "/tmp/test_cw_selfassess.XXXXXX";
static char path[512];
static char said[4096]; /* what the last load wrote to stderr */

/* Writes text as the file (NULL: removes it), loads it with stderr caught
 * in said; returns what cw_selfassess_load did. */
static int load(const char *text, struct cw_selfassess *sa)
{
	FILE *f, *err = tmpfile();
	int saved = dup(2), rc;
	size_t n;

	assert_non_null(err);
	unlink(path);
	if (text) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		assert_int_equal(fclose(f), 0);
	}
	fflush(stderr);
	dup2(fileno(err), 2);
	rc = cw_selfassess_load(path, sa);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(err);
	n = fread(said, 1, sizeof(said) - 1, err);
	said[n] = 0;
	fclose(err);
	return rc;
}

static void test_sections(void **state)
{
	const struct cw_sa_section *s = cw_sa_sections();

	(void)state;
	assert_string_equal(s[0].num, "1");
	assert_string_equal(s[0].title, "Definitions");
	assert_string_equal(s[4].title, "The complaint handling process");
	assert_string_equal(s[8].num, "9");
	assert_string_equal(
	    s[8].title,
	    "Scrutiny and oversight: continuous learning and improvement");
}

static void test_reads(void **state)
{
	struct cw_selfassess sa;

	(void)state;
	assert_int_equal(load("\"2\":\n  complies: partly\n  evidence: E\n"
			      "9:\n  commentary: \"<b>C</b>\"\n",
			      &sa),
			 0);
	assert_string_equal(sa.complies[1], "partly");
	assert_string_equal(sa.evidence[1], "E");
	assert_null(sa.commentary[1]);
	assert_null(sa.complies[8]);
	assert_string_equal(sa.commentary[8], "<b>C</b>");
	assert_null(sa.complies[0]);
	assert_string_equal(said, "");
	cw_selfassess_release(&sa);
	/* no file, an empty file: nothing assessed, no mistake */
	assert_int_equal(load(NULL, &sa), 0);
	assert_null(sa.complies[5]);
	cw_selfassess_release(&sa);
	assert_int_equal(load("", &sa), 0);
	cw_selfassess_release(&sa);
}

/* Each mistake: the file's text, and where and what the message says. */
static const struct {
	const char *text, *want;
} mistakes[] = {
    {"\"1\":\n  complies: yes\n\"0\":\n  complies: no\n",
     ":3:1: unknown section '0'"},
    {"\"4\":\n  complies: maybe\n",
     ":2:13: complies is yes, no or partly, not 'maybe'"},
    {"\"4\":\n  complies: Yes\n", ":2:13: complies is yes, no or partly"},
    {"\"4\":\n  evidence: E\n  comment: C\n", ":3:3: unknown key 'comment'"},
    {"\"4\":\n  evidence: [a, b]\n", ":2:13: 'evidence' must be text"},
    {"\"4\": yes\n", ":1:6: section 4 must be a mapping"},
    {"- \"4\"\n", ":1:1: the self-assessment is a mapping"},
    {"\"4\":\n  complies: yes\n  complies: no\n", ":3:3:"},
};

static void test_mistakes(void **state)
{
	struct cw_selfassess sa;
	char want[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++) {
		assert_int_equal(load(mistakes[i].text, &sa), 1);
		snprintf(want, sizeof(want), "%s%s", path, mistakes[i].want);
		if (!strstr(said, want))
			fail_msg("case %zu: want '%s' in '%s'", i, want, said);
		cw_selfassess_release(&sa);
	}
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/self-assessment.yml", dir);
	tc_set_progname("test");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sections),
	    cmocka_unit_test(test_reads),
	    cmocka_unit_test(test_mistakes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
