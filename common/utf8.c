/*
 * utf8.c: strict UTF-8 validation, decoding, encoding and control stripping
 * (see utf8.h).
 *
 * Validation is on the path of every file read and every form field, and
 * almost all of that text is ASCII, so it skips ASCII eight bytes at a time
 * and only looks at multi-byte sequences one by one.
 */
#include "utf8.h"

#include <string.h>

#define HIGH_BITS 0x8080808080808080ull
#define LOW_BITS  0x0101010101010101ull

/*
 * Length of the well-formed sequence at p (avail bytes there, avail >= 1), or
 * 0 when it is ill-formed or cut short. The second byte's range depends on
 * the lead byte; that is what rules out overlongs, surrogates and values
 * above U+10FFFF (RFC 3629, section 4).
 */
static size_t seq_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c < 0xC2) /* a stray continuation byte, or an overlong C0/C1 */
		return 0;
	if (c < 0xE0) {
		n = 2;
	} else if (c < 0xF0) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates U+D800..U+DFFF */
	} else if (c < 0xF5) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static uint64_t load8(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Nonzero when some byte of v is zero (the classic bit trick). */
static uint64_t has_zero_byte(uint64_t v)
{
	return (v - LOW_BITS) & ~v & HIGH_BITS;
}

static int check(const char *s, size_t len, size_t *bad, int no_nul)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		/* ASCII fast path: eight bytes without a high bit (or NUL). */
		while (len - i >= 8) {
			uint64_t v = load8(p + i);

			if (v & HIGH_BITS)
				break;
			if (no_nul && has_zero_byte(v))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (p[i] < 0x80) {
			if (no_nul && p[i] == 0)
				goto fail;
			i++;
			continue;
		}
		n = seq_len(p + i, len - i);
		if (n == 0)
			goto fail;
		i += n;
	}
	return 1;
fail:
	if (bad)
		*bad = i;
	return 0;
}

int tc_utf8_valid(const char *s, size_t len, size_t *bad)
{
	return check(s, len, bad, 0);
}

int tc_utf8_is_text(const char *s, size_t len, size_t *bad)
{
	return check(s, len, bad, 1);
}

size_t tc_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	uint32_t v;

	if (len == 0)
		return 0;
	n = seq_len(p, len);
	switch (n) {
	case 1:
		v = p[0];
		break;
	case 2:
		v = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
		break;
	case 3:
		v = (uint32_t)(p[0] & 0x0F) << 12 |
		    (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
		break;
	case 4:
		v = (uint32_t)(p[0] & 0x07) << 18 |
		    (uint32_t)(p[1] & 0x3F) << 12 |
		    (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
		break;
	default:
		return 0;
	}
	if (cp)
		*cp = v;
	return n;
}

size_t tc_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Bytes that are copied through unchanged. C1 controls are C2 80..C2 9F, so
 * a C2 lead byte needs a closer look; every other byte >= 0x80 is part of a
 * code point that stays.
 */
static int plain_byte(unsigned char c)
{
	if (c >= 0x20 && c != 0x7F && c != 0xC2)
		return 1;
	return c == '\t' || c == '\n';
}

size_t tc_utf8_strip_controls(char *s, size_t len)
{
	unsigned char *p = (unsigned char *)s;
	size_t r = 0, w = 0, start;

	while (r < len) {
		start = r;
		while (r < len && plain_byte(p[r]))
			r++;
		if (r > start) {
			if (w != start)
				memmove(p + w, p + start, r - start);
			w += r - start;
		}
		if (r >= len)
			break;
		if (p[r] == '\r') {
			p[w++] = '\n';
			r++;
			if (r < len && p[r] == '\n')
				r++;
		} else if (p[r] == 0xC2) {
			if (r + 1 < len && p[r + 1] >= 0x80 &&
			    p[r + 1] <= 0x9F) {
				r += 2; /* a C1 control */
			} else {
				p[w++] = p[r++];
			}
		} else {
			r++; /* another C0 control, or DEL */
		}
	}
	p[w] = '\0';
	return w;
}

size_t tc_utf8_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;

	/* Every byte that is not a continuation byte starts a code point. */
	for (; len - i >= 8; i += 8) {
		uint64_t v = load8(p + i);
		/* A continuation byte is 10xxxxxx: high bit set, next clear. */
		uint64_t cont = v & ~(v << 1) & HIGH_BITS;

		n += 8 - (size_t)__builtin_popcountll(cont);
	}
	for (; i < len; i++)
		n += (p[i] & 0xC0) != 0x80;
	return n;
}

void tc_utf8_line_col(const char *text, size_t len, size_t off, int *line,
		      int *col)
{
	size_t i;
	int l = 1, c = 1;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

void tc_utf8_mask_controls(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7F)
			s[i] = '?';
		else if (c == 0xC2 && i + 1 < len &&
			 (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] < 0xA0)
			s[i] = s[i + 1] = '?';
	}
}
