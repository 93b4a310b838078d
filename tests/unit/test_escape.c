/*
 * test_escape.c: unit tests for common/escape.c (HTML, attribute and URL
 * escaping, and heading slugs), hostile input included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "buffer.h"
#include "escape.h"

#define S(lit) (lit), (sizeof(lit) - 1)

typedef int (*esc_fn)(struct tc_buf *, const char *, size_t);

/* Escapes in (len bytes) after a prefix and checks prefix + want. */
static void check(esc_fn fn, const char *in, size_t len, const char *want)
{
	struct tc_buf b = TC_BUF_INIT;

	assert_int_equal(tc_buf_adds(&b, "pre:"), 0);
	assert_int_equal(fn(&b, in, len), 0);
	assert_int_equal(b.len, 4 + strlen(want));
	assert_memory_equal(b.data, "pre:", 4);
	assert_string_equal(b.data + 4, want);
	tc_buf_release(&b);
}

static void check_slug(const char *in, size_t len, const char *want)
{
	check(tc_slug, in, len, want);
}

static void test_html(void **state)
{
	(void)state;
	check(tc_esc_html, S(""), "");
	check(tc_esc_html, S("plain"), "plain");
	check(tc_esc_html, S("<script>alert('x&y')</script>"),
	      "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;");
	check(tc_esc_html, S("\"q\" `b`"), "&quot;q&quot; `b`");
	check(tc_esc_html, S("&amp;"), "&amp;amp;");
	/* Multi-byte sequences pass through untouched. */
	check(tc_esc_html, S("caf\xc3\xa9 <\xe2\x80\x99>"),
	      "caf\xc3\xa9 &lt;\xe2\x80\x99&gt;");
	/* Invalid bytes are not this function's business: passed through. */
	check(tc_esc_html, S("\xff<"), "\xff&lt;");
}

static void test_html_nul(void **state)
{
	struct tc_buf b = TC_BUF_INIT;

	(void)state;
	assert_int_equal(tc_esc_html(&b, S("a\0<")), 0);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "a\0&lt;", 6);
	tc_buf_release(&b);
}

static void test_attr(void **state)
{
	(void)state;
	check(tc_esc_attr, S("\" onmouseover=`x`"),
	      "&quot; onmouseover=&#96;x&#96;");
	check(tc_esc_attr, S("a&b<c>d'e"), "a&amp;b&lt;c&gt;d&#39;e");
	check(tc_esc_attr, S("safe text"), "safe text");
}

static void test_url(void **state)
{
	(void)state;
	check(tc_esc_url, S("AZaz09-._~"), "AZaz09-._~");
	check(tc_esc_url, S("a b/c?d=e&f#g"), "a%20b%2Fc%3Fd%3De%26f%23g");
	check(tc_esc_url, S("caf\xc3\xa9"), "caf%C3%A9");
	check(tc_esc_url, S("%+\x7f\xff"), "%25%2B%7F%FF");
	check(tc_esc_url, S("javascript:alert(1)"),
	      "javascript%3Aalert%281%29");
	{
		struct tc_buf b = TC_BUF_INIT;

		assert_int_equal(tc_esc_url(&b, S("\0")), 0);
		assert_string_equal(b.data, "%00");
		tc_buf_release(&b);
	}
}

static void test_dispatch(void **state)
{
	struct tc_buf b = TC_BUF_INIT;

	(void)state;
	assert_int_equal(tc_escape(&b, TC_ESC_NONE, S("<b>")), 0);
	assert_int_equal(tc_escape(&b, TC_ESC_HTML, S("<`>")), 0);
	assert_int_equal(tc_escape(&b, TC_ESC_ATTR, S("<`>")), 0);
	assert_int_equal(tc_escape(&b, TC_ESC_URL, S("<`>")), 0);
	assert_string_equal(b.data, "<b>&lt;`&gt;&lt;&#96;&gt;%3C%60%3E");
	errno = 0;
	assert_int_equal(tc_escape(&b, (enum tc_esc)42, S("x")), -1);
	assert_int_equal(errno, EINVAL);
	tc_buf_release(&b);
}

/* A capped buffer that cannot take the output is left as it was. */
static void test_cap(void **state)
{
	struct tc_buf b;

	(void)state;
	tc_buf_init(&b, 10);
	assert_int_equal(tc_buf_adds(&b, "ab"), 0);
	errno = 0;
	assert_int_equal(tc_esc_html(&b, S("<<<")), -1); /* 2 + 12 > 10 */
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 2);
	assert_string_equal(b.data, "ab");
	assert_int_equal(tc_esc_url(&b, S("  \xff")), -1);
	assert_int_equal(b.len, 2);
	assert_int_equal(tc_esc_html(&b, S("<")), 0);
	assert_string_equal(b.data, "ab&lt;");
	tc_buf_release(&b);
}

/* Long input crosses the buffer's growth steps. */
static void test_long(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	char in[10000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (i % 7 == 0) ? '&' : 'x';
	assert_int_equal(tc_esc_html(&b, in, sizeof(in)), 0);
	assert_int_equal(b.len, sizeof(in) + 4 * ((sizeof(in) + 6) / 7));
	assert_int_equal(strlen(b.data), b.len);
	assert_memory_equal(b.data, "&amp;xxxxxx&amp;x", 17);
	tc_buf_release(&b);
}

static void test_slug(void **state)
{
	(void)state;
	check_slug(S("What we\xe2\x80\x99ll do: Stage 1"),
		   "what-we-ll-do-stage-1");
	check_slug(S("Hello, World!"), "hello-world");
	check_slug(S("  --Leading and trailing--  "), "leading-and-trailing");
	check_slug(S("A"), "a");
	check_slug(S("ABC def 123"), "abc-def-123");
	check_slug(S("stage_2 review"), "stage-2-review");
	/* Non-ASCII letters kept as they are. */
	check_slug(S("Caf\xc3\xa9 Menu"), "caf\xc3\xa9-menu");
	check_slug(S("\xc3\x89t\xc3\xa9"), "\xc3\x89t\xc3\xa9");
	check_slug(S("Gw\xc5\xb5s Cymraeg"), "gw\xc5\xb5s-cymraeg");
	/* Typographic punctuation separates. */
	check_slug(
	    S("\xe2\x80\x9cQuoted\xe2\x80\x9d \xe2\x80\x98this\xe2\x80\x99"),
	    "quoted-this");
	check_slug(
	    S("Stage 1 \xe2\x80\x93 stage 2 \xe2\x80\x94 done\xe2\x80\xa6"),
	    "stage-1-stage-2-done");
	check_slug(S("no\xc2\xa0"
		     "break"),
		   "no-break");
	/* Emptiness. */
	check_slug(S(""), "section");
	check_slug(S("   "), "section");
	check_slug(S("!?\xe2\x80\x94"), "section");
}

static void test_slug_hostile(void **state)
{
	(void)state;
	/* Invalid bytes: each is a separator, never copied. */
	check_slug(S("a\xff"
		     "b"),
		   "a-b");
	check_slug(S("a\xc0\xaf"
		     "b"),
		   "a-b");
	check_slug(S("a\xed\xa0\x80"
		     "b"),
		   "a-b");
	check_slug(S("a\xf4\x90\x80\x80"
		     "b"),
		   "a-b");
	check_slug(S("\xff\xfe"), "section");
	check_slug(S("tail\xe2\x80"), "tail");
	check_slug(S("tail\xf0\x9f\x98"), "tail");
	/* Controls, NUL, markup and path tricks. */
	check_slug(S("a\0b\x01"
		     "c\x7f"
		     "d\xc2\x85"
		     "e"),
		   "a-b-c-d-e");
	check_slug(S("<script>alert(1)</script>"), "script-alert-1-script");
	check_slug(S("\" onclick=\"x"), "onclick-x");
	check_slug(S("../../etc/passwd"), "etc-passwd");
	/* Emoji are kept: they are valid code points. */
	check_slug(S("Hi \xf0\x9f\x98\x80"), "hi-\xf0\x9f\x98\x80");
}

static void test_hexval(void **state)
{
	(void)state;
	assert_int_equal(tc_hexval('0'), 0);
	assert_int_equal(tc_hexval('9'), 9);
	assert_int_equal(tc_hexval('a'), 10);
	assert_int_equal(tc_hexval('F'), 15);
	assert_int_equal(tc_hexval('g'), -1);
	assert_int_equal(tc_hexval('/'), -1);
	assert_int_equal(tc_hexval(0xC3), -1);
	assert_int_equal(tc_hexval(-1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_html_nul),
	    cmocka_unit_test(test_attr),
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_dispatch),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_long),
	    cmocka_unit_test(test_slug),
	    cmocka_unit_test(test_slug_hostile),
	    cmocka_unit_test(test_hexval),
	};

	return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
