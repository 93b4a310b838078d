/*
 * buffer.h: the one growable byte buffer used everywhere.
 *
 * In the style of git's strbuf: data is never NULL (an empty buffer points at
 * a shared "" so it can be printed at once), always NUL-terminated, and may
 * carry a size cap so a buffer fed by untrusted input stops growing with an
 * error instead of taking all memory.
 *
 *     struct tc_buf b = TC_BUF_INIT;
 *     if (tc_buf_addf(&b, "%d pages", n) < 0) goto out;
 *     ...
 *     tc_buf_release(&b);
 */
#ifndef TC_BUFFER_H
#define TC_BUFFER_H

#include <stdarg.h>
#include <stddef.h>

struct tc_buf {
	char *data;   /* the bytes, NUL-terminated; never NULL */
	size_t len;   /* bytes in use, not counting the NUL */
	size_t alloc; /* bytes allocated, 0 while data is the shared "" */
	size_t cap;   /* most bytes len may reach; 0 for no cap */
};

extern char tc_buf_empty[];
#define TC_BUF_INIT                                                            \
	{                                                                      \
		tc_buf_empty, 0, 0, 0                                          \
	}

/* Sets up an empty buffer with an optional cap (0 for none). */
void tc_buf_init(struct tc_buf *b, size_t cap);
/* Sets the cap on a buffer; 0 removes it. */
void tc_buf_setcap(struct tc_buf *b, size_t cap);

/*
 * Makes room for extra more bytes. Returns 0, or -1 with errno ENOMEM when
 * allocation fails or EFBIG when the cap would be passed (the buffer is then
 * left as it was).
 */
int tc_buf_grow(struct tc_buf *b, size_t extra);

/* Append functions: 0 on success, -1 (errno as tc_buf_grow) on failure. */
int tc_buf_add(struct tc_buf *b, const void *data, size_t len);
int tc_buf_adds(struct tc_buf *b, const char *s);
int tc_buf_addch(struct tc_buf *b, int c);
int tc_buf_addbuf(struct tc_buf *b, const struct tc_buf *other);
int tc_buf_addf(struct tc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int tc_buf_vaddf(struct tc_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Shortens the buffer to len bytes (len must not exceed b->len). */
void tc_buf_setlen(struct tc_buf *b, size_t len);
/* Empties the buffer but keeps its memory. */
void tc_buf_reset(struct tc_buf *b);
/* Frees the contents; the buffer is empty and usable again. Cap kept. */
void tc_buf_release(struct tc_buf *b);
/*
 * Hands the bytes over: returns a malloc'd NUL-terminated string the caller
 * frees (never NULL unless out of memory), stores the length in *len when len
 * is not NULL, and leaves the buffer empty.
 */
char *tc_buf_detach(struct tc_buf *b, size_t *len);

#endif
