/*
 * array.c: growing arrays (see array.h).
 */
#include "array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* The least capacity an array is given, in elements. */
#define MIN_ALLOC 16

int tc_grow_try(void **p, size_t elem, size_t need, size_t *alloc)
{
	size_t want;
	void *q;

	if (need <= *alloc)
		return 0;
	want = *alloc + *alloc / 2;
	if (want < need)
		want = need;
	if (want < MIN_ALLOC)
		want = MIN_ALLOC;
	if (elem && want > SIZE_MAX / elem) {
		errno = ENOMEM;
		return -1;
	}
	q = realloc(*p, want * elem);
	if (!q) {
		errno = ENOMEM;
		return -1;
	}
	*p = q;
	*alloc = want;
	return 0;
}

void tc_grow(void **p, size_t elem, size_t need, size_t *alloc)
{
	if (tc_grow_try(p, elem, need, alloc) < 0)
		tc_die_nomem();
}

const void *tc_find_str(const void *v, size_t n, size_t elem, size_t off,
			const char *key)
{
	const char *p = v;
	const char *s;
	size_t i;

	for (i = 0; key && i < n; i++, p += elem) {
		memcpy(&s, p + off, sizeof(s));
		if (s && !strcmp(s, key))
			return p;
	}
	return NULL;
}
