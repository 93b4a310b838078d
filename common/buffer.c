/*
 * buffer.c: the growable byte buffer (see buffer.h).
 */
#include "buffer.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char tc_buf_empty[1];

void tc_buf_init(struct tc_buf *b, size_t cap)
{
	b->data = tc_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void tc_buf_setcap(struct tc_buf *b, size_t cap)
{
	b->cap = cap;
}

int tc_buf_grow(struct tc_buf *b, size_t extra)
{
	size_t need, want;
	char *p;

	if (extra > SIZE_MAX - b->len - 1) {
		errno = ENOMEM;
		return -1;
	}
	if (b->cap && b->len + extra > b->cap) {
		errno = EFBIG;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	want = b->alloc ? b->alloc : 64;
	while (want < need)
		want = want > SIZE_MAX / 2 ? need : want * 2;
	p = realloc(b->alloc ? b->data : NULL, want);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = want;
	return 0;
}

int tc_buf_add(struct tc_buf *b, const void *data, size_t len)
{
	if (tc_buf_grow(b, len) < 0)
		return -1;
	if (len)
		memmove(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int tc_buf_adds(struct tc_buf *b, const char *s)
{
	return tc_buf_add(b, s, strlen(s));
}

int tc_buf_addch(struct tc_buf *b, int c)
{
	char ch = (char)c;

	return tc_buf_add(b, &ch, 1);
}

int tc_buf_addbuf(struct tc_buf *b, const struct tc_buf *other)
{
	size_t len = other->len;

	/* Grow first: other may be b, whose data moves when it grows. */
	if (tc_buf_grow(b, len) < 0)
		return -1;
	return tc_buf_add(b, other->data, len);
}

int tc_buf_vaddf(struct tc_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->alloc ? b->data + b->len : NULL,
		      b->alloc ? b->alloc - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (b->alloc && (size_t)n < b->alloc - b->len) {
		if (b->cap && b->len + (size_t)n > b->cap) {
			b->data[b->len] = '\0';
			errno = EFBIG;
			return -1;
		}
		b->len += (size_t)n;
		return 0;
	}
	if (tc_buf_grow(b, (size_t)n) < 0) {
		if (b->alloc)
			b->data[b->len] = '\0';
		return -1;
	}
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->data[b->len] = '\0';
		errno = EINVAL;
		return -1;
	}
	b->len += (size_t)n;
	return 0;
}

int tc_buf_addf(struct tc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tc_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void tc_buf_setlen(struct tc_buf *b, size_t len)
{
	if (len > b->len)
		abort(); /* programmer error: cannot lengthen this way */
	b->len = len;
	if (b->alloc)
		b->data[len] = '\0';
}

void tc_buf_reset(struct tc_buf *b)
{
	tc_buf_setlen(b, 0);
}

void tc_buf_release(struct tc_buf *b)
{
	if (b->alloc)
		free(b->data);
	b->data = tc_buf_empty;
	b->len = 0;
	b->alloc = 0;
}

char *tc_buf_detach(struct tc_buf *b, size_t *len)
{
	char *s;

	if (len)
		*len = b->len;
	if (b->alloc) {
		s = b->data;
	} else {
		s = malloc(1);
		if (s)
			s[0] = '\0';
	}
	b->data = tc_buf_empty;
	b->len = 0;
	b->alloc = 0;
	return s;
}
