/*
 * escape.h: escaping by context, explicitly.
 *
 * HTML text, HTML attribute values and URL components need different
 * escaping; every writer names the one it needs. All functions take UTF-8 and
 * pass multi-byte sequences through untouched (URL encoding percent-encodes
 * them byte by byte). They append to out and return 0, or -1 when the buffer
 * cannot grow (errno set by tc_buf_grow).
 */
#ifndef TC_ESCAPE_H
#define TC_ESCAPE_H

#include <stddef.h>

#include "buffer.h"

enum tc_esc {
	TC_ESC_NONE, /* copy as it is (trusted HTML) */
	TC_ESC_HTML, /* element text: & < > " ' */
	TC_ESC_ATTR, /* quoted attribute value: & < > " ' and ` */
	TC_ESC_URL,  /* one URL component: all but A-Z a-z 0-9 - . _ ~ */
};

int tc_escape(struct tc_buf *out, enum tc_esc mode, const char *s, size_t len);
int tc_esc_html(struct tc_buf *out, const char *s, size_t len);
int tc_esc_attr(struct tc_buf *out, const char *s, size_t len);
int tc_esc_url(struct tc_buf *out, const char *s, size_t len);

/*
 * Turns heading text into an id: ASCII letters lowercased, ASCII letters and
 * digits kept, other valid non-ASCII code points kept as they are, every run
 * of anything else (spaces, punctuation, controls, invalid bytes) becomes one
 * '-', no '-' at either end; an empty result becomes "section". Appends to out.
 * "What we’ll do: Stage 1" -> "what-we-ll-do-stage-1".
 */
int tc_slug(struct tc_buf *out, const char *s, size_t len);

/* The value of one hex digit (either case), or -1 when c is none. */
int tc_hexval(int c);

#endif
