/*
 * testhooks.c: the crash tests' hooks (see testhooks.h); empty unless
 * built with TC_TEST_HOOKS.
 */
#include "testhooks.h"

#ifdef TC_TEST_HOOKS
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* The number in the environment variable name, from 1 to max; 0 when it
 * is unset or not such a number. */
static long env_number(const char *name, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	return !errno && !*end && v > 0 && v <= max ? v : 0;
}

void cw_crash_point(void)
{
	static int init, count, crash_after;

	if (!init) {
		init = 1;
		crash_after =
		    (int)env_number("CASEWORK_TEST_CRASH_AFTER", 999999999);
	}
	if (crash_after > 0 && ++count >= crash_after)
		_exit(99);
}

int cw_test_batch(int batch)
{
	static int n;

	if (!n) {
		n = (int)env_number("CASEWORK_TEST_BATCH", batch);
		if (!n)
			n = batch;
	}
	return n;
}
#else
/* ISO C wants something in every translation unit. */
typedef int cw_testhooks_empty;
#endif
