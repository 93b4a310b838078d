/*
 * escape.c: HTML text, HTML attribute and URL component escaping, and heading
 * slugs (see escape.h).
 *
 * Every page of a build goes through here many times, so each function
 * measures its output first, grows the buffer once and then copies runs of
 * bytes that need no escaping with memcpy. Measuring first also means a
 * buffer that hits its cap is left exactly as it was.
 */
#include "escape.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* Index into entities[] for a byte that needs escaping, 0 for one that does
 * not. The attribute table adds the backtick, which old Internet Explorer
 * took as an attribute quote. */
static const unsigned char html_class[256] = {
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const unsigned char attr_class[256] = {
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5, ['`'] = 6,
};

static const struct {
	const char *text;
	size_t len;
} entities[] = {
    {"", 0},	   {"&amp;", 5}, {"&lt;", 4},  {"&gt;", 4},
    {"&quot;", 6}, {"&#39;", 5}, {"&#96;", 5},
};

/* The longest replacement for one input byte ("&quot;" and "%XX"). */
#define MAX_GROWTH 6

static const char hex_upper[] = "0123456789ABCDEF";

/* Starts an append of exactly n bytes; returns where to write, or NULL. */
static char *reserve(struct tc_buf *out, size_t n)
{
	if (tc_buf_grow(out, n) < 0)
		return NULL;
	return out->data + out->len;
}

static void commit(struct tc_buf *out, size_t n)
{
	out->len += n;
	out->data[out->len] = '\0';
}

static int too_long(size_t len)
{
	if (len > SIZE_MAX / MAX_GROWTH) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

/* What a byte that needs escaping is written as. */
struct rep {
	const char *text;
	size_t len;
	char buf[4]; /* room for a replacement made on the fly ("%XX") */
};

/* Each returns 0 for a byte written as itself, or 1 with *r set. */
static inline int class_rep(const unsigned char *cls, unsigned char c,
			    struct rep *r)
{
	if (!cls[c])
		return 0;
	r->text = entities[cls[c]].text;
	r->len = entities[cls[c]].len;
	return 1;
}

static inline int html_rep(unsigned char c, struct rep *r)
{
	return class_rep(html_class, c, r);
}

static inline int attr_rep(unsigned char c, struct rep *r)
{
	return class_rep(attr_class, c, r);
}

/* RFC 3986 unreserved characters stand; the rest become %XX. */
static inline int url_rep(unsigned char c, struct rep *r)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~')
		return 0;
	r->buf[0] = '%';
	r->buf[1] = hex_upper[c >> 4];
	r->buf[2] = hex_upper[c & 0x0F];
	r->text = r->buf;
	r->len = 3;
	return 1;
}

/* Appends s[0..len) with each byte rep replaces replaced. Inlined into
 * each escaper so that rep is a direct call there. */
static inline __attribute__((always_inline)) int
esc_with(struct tc_buf *out, const char *s, size_t len,
	 int (*rep)(unsigned char, struct rep *))
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, start, n = 0;
	struct rep r = {"", 0, {0}};
	char *w;

	if (too_long(len))
		return -1;
	/* Every replacement is longer than one byte: n == len means none. */
	for (i = 0; i < len; i++)
		n += rep(p[i], &r) ? r.len : 1;
	if (n == len)
		return tc_buf_add(out, s, len);
	w = reserve(out, n);
	if (!w)
		return -1;
	i = 0;
	while (i < len) {
		start = i;
		while (i < len && !rep(p[i], &r))
			i++;
		if (i > start) {
			memcpy(w, s + start, i - start);
			w += i - start;
		}
		if (i < len) {
			/* r is p[i]'s, from the test that stopped the run */
			memcpy(w, r.text, r.len);
			w += r.len;
			i++;
		}
	}
	commit(out, n);
	return 0;
}

int tc_esc_html(struct tc_buf *out, const char *s, size_t len)
{
	return esc_with(out, s, len, html_rep);
}

int tc_esc_attr(struct tc_buf *out, const char *s, size_t len)
{
	return esc_with(out, s, len, attr_rep);
}

int tc_esc_url(struct tc_buf *out, const char *s, size_t len)
{
	return esc_with(out, s, len, url_rep);
}

int tc_escape(struct tc_buf *out, enum tc_esc mode, const char *s, size_t len)
{
	switch (mode) {
	case TC_ESC_NONE:
		return tc_buf_add(out, s, len);
	case TC_ESC_HTML:
		return tc_esc_html(out, s, len);
	case TC_ESC_ATTR:
		return tc_esc_attr(out, s, len);
	case TC_ESC_URL:
		return tc_esc_url(out, s, len);
	}
	errno = EINVAL;
	return -1;
}

/*
 * Non-ASCII code points that separate words in headings as written by word
 * processors: curly quotes, dashes, the ellipsis and the no-break space. C1
 * controls are controls, so they separate too.
 */
static int slug_separator(uint32_t cp)
{
	switch (cp) {
	case 0x00A0: /* no-break space */
	case 0x2013: /* en dash */
	case 0x2014: /* em dash */
	case 0x2018: /* left single quotation mark */
	case 0x2019: /* right single quotation mark, apostrophe */
	case 0x201C: /* left double quotation mark */
	case 0x201D: /* right double quotation mark */
	case 0x2026: /* horizontal ellipsis */
		return 1;
	default:
		return cp >= 0x80 && cp <= 0x9F;
	}
}

/*
 * Writes the slug of s to dst when dst is not NULL; returns its length either
 * way (0 when nothing is kept). Output never exceeds len bytes: every kept
 * byte comes from one input byte and every '-' from at least one.
 */
static size_t slug_write(const char *s, size_t len, char *dst)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0, k;
	int pending = 0;
	uint32_t cp;

	while (i < len) {
		unsigned char c = p[i];
		int keep;

		if (c < 0x80) {
			/* ASCII: letters (lowered) and digits are kept. */
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			k = 1;
			keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		} else {
			/* An invalid byte is skipped alone; a separator whole.
			 */
			k = tc_utf8_decode(s + i, len - i, &cp);
			keep = k != 0 && !slug_separator(cp);
			if (!k)
				k = 1;
		}
		if (!keep) {
			pending = n > 0;
			i += k;
			continue;
		}
		if (pending) {
			if (dst)
				dst[n] = '-';
			n++;
			pending = 0;
		}
		if (dst) {
			if (c < 0x80)
				dst[n] = (char)c;
			else
				memcpy(dst + n, s + i, k);
		}
		n += k;
		i += k;
	}
	return n;
}

int tc_slug(struct tc_buf *out, const char *s, size_t len)
{
	size_t n;
	char *w;

	n = slug_write(s, len, NULL);
	if (n == 0)
		return tc_buf_adds(out, "section");
	w = reserve(out, n);
	if (!w)
		return -1;
	slug_write(s, len, w);
	commit(out, n);
	return 0;
}

int tc_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
