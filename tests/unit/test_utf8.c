/*
 * test_utf8.c: unit tests for common/utf8.c, hostile input included.
 *
 * The validator is also checked against a slow reference decoder written
 * straight from RFC 3629 over every one-, two- and three-byte sequence and a
 * sample of four-byte ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* Reference: decode by arithmetic, then reject what RFC 3629 forbids. */
static size_t ref_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t v;
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		n = 1;
		v = p[0];
	} else if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		v = p[0] & 0x1Fu;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		v = p[0] & 0x0Fu;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		v = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3Fu);
	}
	if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

static int ref_valid(const unsigned char *p, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = ref_decode(p + i, len - i, &cp);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

static void assert_invalid_at(const char *s, size_t len, size_t at)
{
	size_t bad = (size_t)-1;

	assert_int_equal(tc_utf8_valid(s, len, &bad), 0);
	assert_int_equal(bad, at);
	bad = (size_t)-1;
	assert_int_equal(tc_utf8_is_text(s, len, &bad), 0);
	assert_int_equal(bad, at);
}

static void test_valid_simple(void **state)
{
	(void)state;
	assert_true(tc_utf8_valid("", 0, NULL));
	assert_true(tc_utf8_valid(S("plain ascii text, long enough"), NULL));
	assert_true(tc_utf8_valid(
	    S("caf\xc3\xa9 \xe2\x80\x99 \xf0\x9f\x98\x80"), NULL));
	/* The edges of each length. */
	assert_true(tc_utf8_valid(S("\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80"), NULL));
	assert_true(tc_utf8_valid(S("\xef\xbf\xbf\xf0\x90\x80\x80"), NULL));
	assert_true(tc_utf8_valid(S("\xf4\x8f\xbf\xbf"), NULL));
	assert_true(tc_utf8_valid(S("\xed\x9f\xbf\xee\x80\x80"), NULL));
	/* bad is untouched on success. */
	{
		size_t bad = 77;

		assert_true(tc_utf8_valid(S("abc"), &bad));
		assert_int_equal(bad, 77);
	}
}

/* Ill-formed input and the offset of its first bad byte. */
static const struct {
	const char *s;
	size_t len, at;
} invalid[] = {
#define BAD(lit, at)                                                           \
	{                                                                      \
		(lit), sizeof(lit) - 1, (at)                                   \
	}
    /* overlong forms, among them an overlong slash (a path trick) */
    BAD("\xc0\x80", 0),
    BAD("\xc1\xbf", 0),
    BAD("\xe0\x80\x80", 0),
    BAD("\xe0\x9f\xbf", 0),
    BAD("\xf0\x80\x80\x80", 0),
    BAD("\xf0\x8f\xbf\xbf", 0),
    BAD("..\xc0\xaf", 2),
    /* surrogates, and code points above U+10FFFF */
    BAD("\xed\xa0\x80", 0),
    BAD("ab\xed\xbf\xbf", 2),
    BAD("\xf4\x90\x80\x80", 0),
    BAD("\xf5\x80\x80\x80", 0),
    BAD("\xf8\x88\x80\x80\x80", 0),
    BAD("\xfe", 0),
    BAD("\xff", 0),
    /* sequences cut short, stray continuations, a lead before ASCII */
    BAD("abc\xc3", 3),
    BAD("abc\xe2\x80", 3),
    BAD("abcdefgh\xf0\x9f\x98", 8),
    BAD("\x80", 0),
    BAD("abcdefghij\xbf", 10),
    BAD("\xc3\xa9\xa9", 2),
    BAD("\xe2\x80z", 0),
#undef BAD
};

static void test_invalid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		assert_invalid_at(invalid[i].s, invalid[i].len, invalid[i].at);
	/* Truncation is seen by length, not by a NUL after it. */
	assert_int_equal(tc_utf8_valid("\xc3\xa9", 1, NULL), 0);
}

static void test_nul(void **state)
{
	size_t bad = 0;

	(void)state;
	assert_true(tc_utf8_valid(S("ab\0cd"), NULL));
	assert_int_equal(tc_utf8_is_text(S("ab\0cd"), &bad), 0);
	assert_int_equal(bad, 2);
	/* A NUL inside an eight-byte block on the fast path. */
	assert_int_equal(tc_utf8_is_text(S("0123456789\0abcdefghij"), &bad), 0);
	assert_int_equal(bad, 10);
	assert_int_equal(tc_utf8_is_text(S("\xc3\xa9xxxxxxxxxx\0"), &bad), 0);
	assert_int_equal(bad, 12);
	assert_true(tc_utf8_is_text(S("no nul here at all, \xc3\xa9"), NULL));
}

static void test_fast_path_offsets(void **state)
{
	char buf[100];
	size_t i, bad;

	(void)state;
	/* An invalid byte at every offset of a long ASCII run. */
	for (i = 0; i < sizeof(buf); i++) {
		memset(buf, 'x', sizeof(buf));
		buf[i] = (char)0xff;
		bad = 0;
		assert_int_equal(tc_utf8_valid(buf, sizeof(buf), &bad), 0);
		assert_int_equal(bad, i);
	}
}

/* The first len bytes of b decode as the reference decodes them. */
static void agree(const unsigned char *b, size_t len)
{
	uint32_t cp1, cp2;
	size_t n1 = tc_utf8_decode((const char *)b, len, &cp1);
	size_t n2 = ref_decode(b, len, &cp2);

	assert_int_equal(n1, n2);
	if (n1)
		assert_int_equal(cp1, cp2);
	assert_int_equal(tc_utf8_valid((const char *)b, len, NULL),
			 ref_valid(b, len));
}

static void test_against_reference(void **state)
{
	unsigned char b[4];
	unsigned a, c, d;

	(void)state;
	for (a = 0; a < 256; a++) {
		b[0] = (unsigned char)a;
		agree(b, 1);
		for (c = 0; c < 256; c++) {
			b[1] = (unsigned char)c;
			agree(b, 2);
			if (a < 0xE0)
				continue;
			for (d = 0x70; d < 0xD0; d++) {
				b[2] = (unsigned char)d;
				agree(b, 3);
				b[3] = 0x80 + (unsigned char)(d & 0x3F);
				agree(b, 4);
			}
		}
	}
}

static void test_decode_encode_roundtrip(void **state)
{
	char out[4];
	uint32_t cp, back;
	size_t n;

	(void)state;
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		n = tc_utf8_encode(cp, out);
		if (cp >= 0xD800 && cp <= 0xDFFF) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, cp < 0x80	   ? 1
				    : cp < 0x800   ? 2
				    : cp < 0x10000 ? 3
						   : 4);
		assert_int_equal(tc_utf8_decode(out, n, &back), n);
		assert_int_equal(back, cp);
		assert_true(tc_utf8_valid(out, n, NULL));
		/* One byte short is always a truncation. */
		if (n > 1)
			assert_int_equal(tc_utf8_decode(out, n - 1, &back), 0);
	}
	assert_int_equal(tc_utf8_encode(0x110000, out), 0);
	assert_int_equal(tc_utf8_encode(0xFFFFFFFFu, out), 0);
	assert_int_equal(tc_utf8_decode("", 0, &cp), 0);
	assert_int_equal(tc_utf8_decode("\xe2\x80\x99", 3, NULL), 3);
}

static void check_strip(const char *in, size_t len, const char *want)
{
	char *buf = malloc(len + 1);
	size_t n;

	assert_non_null(buf);
	memcpy(buf, in, len);
	buf[len] = 'Z'; /* must be overwritten by the NUL */
	n = tc_utf8_strip_controls(buf, len);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
	assert_int_equal(buf[n], '\0');
	free(buf);
}

static void test_strip_controls(void **state)
{
	(void)state;
	check_strip(S(""), "");
	check_strip(S("plain text"), "plain text");
	check_strip(S("tab\there\nline"), "tab\there\nline");
	check_strip(S("a\r\nb\rc\r\r\nd\n\re"), "a\nb\nc\n\nd\n\ne");
	check_strip(S("\r"), "\n");
	check_strip(S("x\0y\x01\x1b[31mz\x7f"), "xy[31mz");
	/* C1 controls go; other two-byte code points, including the C2 lead
	 * of U+00A0 and U+00E9's C3, stay. */
	check_strip(S("a\xc2\x80\xc2\x9f\xc2\xa0\xc3\xa9\xc2\x85"),
		    "a\xc2\xa0\xc3\xa9");
	check_strip(S("\xe2\x80\x99quoted\xe2\x80\x9d"),
		    "\xe2\x80\x99quoted\xe2\x80\x9d");
	check_strip(S("\x01\x02\x03"), "");
	check_strip(S("\xf0\x9f\x98\x80\x0c"), "\xf0\x9f\x98\x80");
}

/* Controls become '?', one for each byte; the length stays. */
static void test_mask_controls(void **state)
{
	char s[] = "a\x1b[31mb\tc\nd\x7f"
		   " e\xc2\x85"
		   "f\xc2\xa0"
		   "g\xc3\xa9\xc2";
	const char want[] = "a?[31mb?c?d? e??f\xc2\xa0"
			    "g\xc3\xa9\xc2";

	(void)state;
	tc_utf8_mask_controls(s, sizeof(s) - 1);
	assert_int_equal(sizeof(s), sizeof(want));
	assert_memory_equal(s, want, sizeof(want));
}

static void test_length(void **state)
{
	(void)state;
	assert_int_equal(tc_utf8_length("", 0), 0);
	assert_int_equal(tc_utf8_length(S("abc")), 3);
	assert_int_equal(tc_utf8_length(S("caf\xc3\xa9")), 4);
	assert_int_equal(tc_utf8_length(S("\xe2\x80\x99\xf0\x9f\x98\x80")), 2);
	/* Long enough to use the eight-byte path, mixed. */
	assert_int_equal(
	    tc_utf8_length(
		S("abcdefgh\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xe2\x80\x99\xe2\x80\x99 12345678\xf0\x9f\x98\x80")),
	    8 + 4 + 2 + 9 + 1);
	assert_int_equal(tc_utf8_length(S("a\0b")), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_simple),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_nul),
	    cmocka_unit_test(test_fast_path_offsets),
	    cmocka_unit_test(test_against_reference),
	    cmocka_unit_test(test_decode_encode_roundtrip),
	    cmocka_unit_test(test_strip_controls),
	    cmocka_unit_test(test_mask_controls),
	    cmocka_unit_test(test_length),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
