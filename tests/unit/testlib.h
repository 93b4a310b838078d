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

#endif
