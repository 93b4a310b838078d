/*
 * testlib.h: helpers the unit tests share.
 */
#ifndef TC_TESTLIB_H
#define TC_TESTLIB_H

#include <stdio.h>

/* root "/" rel in one of a few rotating static buffers, so a test can
 * name several paths in one call. */
static inline const char *tl_path(const char *root, const char *rel)
{
	static char bufs[4][4096];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", root, rel);
	return b;
}

/* The number of elements of an array (not a pointer). */
#define TL_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The council's rules (content/rules.yml) for a group of tests: give
 * tl_rules_setup and tl_rules_teardown to cmocka_run_group_tests; the
 * tests read tl_rules.
 */
#ifdef TC_RULES_H
static struct tc_rules *tl_rules;

static inline int tl_rules_setup(void **state)
{
	int nerr = 0;

	(void)state;
	tl_rules = tc_rules_load("content/rules.yml", &nerr);
	return tl_rules && !nerr ? 0 : -1;
}

static inline int tl_rules_teardown(void **state)
{
	(void)state;
	tc_rules_free(tl_rules);
	return 0;
}
#endif

#endif
