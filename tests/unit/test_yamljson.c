/*
 * test_yamljson.c: unit tests for common/yamljson.c, hostile input included:
 * scalar typing, positions, every refusal with its line and column, deep
 * nesting under a time limit, front matter and file loading.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "limits.h"
#include "yamljson.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* Parses a literal that must load; the caller frees the document. */
static struct tc_yaml_doc *ok_parse(const char *text, size_t len)
{
	struct tc_error err;
	struct tc_yaml_doc *doc = tc_yaml_parse("t.yml", text, len, 1, &err);

	if (!doc)
		fail_msg("unexpected error %d at %d:%d: %s", err.code, err.line,
			 err.col, err.msg);
	assert_int_equal(err.code, TC_OK);
	return doc;
}

/* Parses text that must fail with code at line:col; returns the message. */
static void bad_parse(const char *text, size_t len, int code, int line, int col,
		      const char *msg)
{
	struct tc_error err;
	struct tc_yaml_doc *doc = tc_yaml_parse("t.yml", text, len, 1, &err);

	if (doc) {
		tc_yaml_free(doc);
		fail_msg("parsed but should fail: %.60s", text);
	}
	if (err.code != code || err.line != line || err.col != col)
		fail_msg("got %d at %d:%d (%s), want %d at %d:%d", err.code,
			 err.line, err.col, err.msg, code, line, col);
	assert_string_equal(err.file, "t.yml");
	if (msg && !strstr(err.msg, msg))
		fail_msg("message '%s' lacks '%s'", err.msg, msg);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum want { W_STR, W_NUM, W_TRUE, W_FALSE, W_NULL };

static void test_scalar_types(void **state)
{
	static const struct {
		const char *yaml; /* the value as written after "v: " */
		enum want type;
		const char *str; /* expected string */
		double num;	 /* expected number */
	} cases[] = {
	    {"yes", W_STR, "yes", 0},
	    {"no", W_STR, "no", 0},
	    {"on", W_STR, "on", 0},
	    {"off", W_STR, "off", 0},
	    {"1.0", W_STR, "1.0", 0},
	    {"0123", W_STR, "0123", 0},
	    {"00", W_STR, "00", 0},
	    {"2026-04-01", W_STR, "2026-04-01", 0},
	    {"true", W_TRUE, NULL, 0},
	    {"false", W_FALSE, NULL, 0},
	    {"True", W_STR, "True", 0},
	    {"FALSE", W_STR, "FALSE", 0},
	    {"~", W_NULL, NULL, 0},
	    {"null", W_NULL, NULL, 0},
	    {"Null", W_STR, "Null", 0},
	    {"", W_NULL, NULL, 0},
	    {"\"true\"", W_STR, "true", 0},
	    {"'null'", W_STR, "null", 0},
	    {"\"5\"", W_STR, "5", 0},
	    {"''", W_STR, "", 0},
	    {"-5", W_NUM, NULL, -5},
	    {"0", W_NUM, NULL, 0},
	    {"-0", W_NUM, NULL, 0},
	    {"42", W_NUM, NULL, 42},
	    {"+5", W_STR, "+5", 0},
	    {"1e3", W_STR, "1e3", 0},
	    {"0x10", W_STR, "0x10", 0},
	    {"1_000", W_STR, "1_000", 0},
	    {"9007199254740992", W_NUM, NULL, 9007199254740992.0},
	    {"-9007199254740992", W_NUM, NULL, -9007199254740992.0},
	    {"9007199254740993", W_STR, "9007199254740993", 0},
	    {"-9007199254740993", W_STR, "-9007199254740993", 0},
	    {"99999999999999999999999", W_STR, "99999999999999999999999", 0},
	    {"hello world", W_STR, "hello world", 0},
	    {"!!str 12", W_STR, "12", 0},
	    {"!!str true", W_STR, "true", 0},
	    {"!!str", W_STR, "", 0},
	    {"\"caf\\u00e9\"", W_STR, "caf\xC3\xA9", 0},
	};
	char text[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tc_yaml_doc *doc;
		cJSON *v;
		int n = snprintf(text, sizeof(text), "v: %s\n", cases[i].yaml);

		assert_true(n > 0 && (size_t)n < sizeof(text));
		doc = ok_parse(text, (size_t)n);
		v = cJSON_GetObjectItemCaseSensitive(tc_yaml_root(doc), "v");
		assert_non_null(v);
		switch (cases[i].type) {
		case W_STR:
			if (!cJSON_IsString(v) ||
			    strcmp(v->valuestring, cases[i].str))
				fail_msg("'%s' should be string '%s'",
					 cases[i].yaml, cases[i].str);
			break;
		case W_NUM:
			if (!cJSON_IsNumber(v) ||
			    v->valuedouble != cases[i].num)
				fail_msg("'%s' should be number",
					 cases[i].yaml);
			break;
		case W_TRUE:
			assert_true(cJSON_IsTrue(v));
			break;
		case W_FALSE:
			assert_true(cJSON_IsFalse(v));
			break;
		case W_NULL:
			if (!cJSON_IsNull(v))
				fail_msg("'%s' should be null", cases[i].yaml);
			break;
		}
		tc_yaml_free(doc);
	}
}

static void test_keys_are_strings(void **state)
{
	struct tc_yaml_doc *doc;
	cJSON *root, *v;
	char *out;

	(void)state;
	doc = ok_parse(S("1: one\ntrue: yes\n~: tilde\n\"q\": 2\n"));
	root = tc_yaml_root(doc);
	out = cJSON_PrintUnformatted(root);
	assert_string_equal(out, "{\"1\":\"one\",\"true\":\"yes\",\"~\":"
				 "\"tilde\",\"q\":2}");
	free(out);
	v = cJSON_GetObjectItemCaseSensitive(root, "1");
	assert_string_equal(v->valuestring, "one");
	tc_yaml_free(doc);

	bad_parse(S("? [a, b]\n: 1\n"), TC_EINVAL, 1, 3,
		  "mapping keys must be plain strings");
	bad_parse(S("? {x: 1}\n: 2\n"), TC_EINVAL, 1, 3,
		  "mapping keys must be plain strings");
	bad_parse(S("top:\n  {[a]: 1}\n"), TC_EINVAL, 2, 4,
		  "mapping keys must be plain strings");
	bad_parse(S("a: 1\n? \n: 2\n"), TC_EINVAL, 2, 2, "key is empty");
}

static void test_nested_block(void **state)
{
	static const char text[] = "title: Complaints policy\n"
				   "stages:\n"
				   "  - name: Stage 1\n"
				   "    days: 10\n"
				   "  - name: Stage 2\n"
				   "    days: 20\n"
				   "    extend:\n"
				   "      allowed: true\n"
				   "      max: null\n"
				   "tags:\n"
				   "- a\n"
				   "- - b\n"
				   "  - c\n";
	struct tc_yaml_doc *doc;
	char *out;

	(void)state;
	doc = ok_parse(S(text));
	out = cJSON_PrintUnformatted(tc_yaml_root(doc));
	assert_string_equal(out,
			    "{\"title\":\"Complaints policy\",\"stages\":[{"
			    "\"name\":\"Stage 1\",\"days\":10},{\"name\":"
			    "\"Stage 2\",\"days\":20,\"extend\":{\"allowed\":"
			    "true,\"max\":null}}],\"tags\":[\"a\",[\"b\","
			    "\"c\"]]}");
	free(out);
	assert_string_equal(tc_yaml_name(doc), "t.yml");
	tc_yaml_free(doc);
}

static void test_flow_style(void **state)
{
	struct tc_yaml_doc *doc;
	char *out;

	(void)state;
	doc = ok_parse(S("{a: [1, \"two\", {b: ~}], c: {}, d: [], "
			 "e: [yes, -3]}"));
	out = cJSON_PrintUnformatted(tc_yaml_root(doc));
	assert_string_equal(out, "{\"a\":[1,\"two\",{\"b\":null}],\"c\":{},"
				 "\"d\":[],\"e\":[\"yes\",-3]}");
	free(out);
	tc_yaml_free(doc);

	/* a top-level sequence and a top-level scalar */
	doc = ok_parse(S("[x, 7]"));
	assert_true(cJSON_IsArray(tc_yaml_root(doc)));
	assert_int_equal(cJSON_GetArraySize(tc_yaml_root(doc)), 2);
	tc_yaml_free(doc);
	doc = ok_parse(S("just text\n"));
	assert_string_equal(tc_yaml_root(doc)->valuestring, "just text");
	tc_yaml_free(doc);
}

static void test_multiline(void **state)
{
	static const char text[] = "lit: |\n"
				   "  line one\n"
				   "  line two\n"
				   "fold: >\n"
				   "  folded\n"
				   "  text\n"
				   "\n"
				   "  para\n"
				   "strip: |-\n"
				   "  no newline\n"
				   "plain: a\n"
				   "  b\n";
	struct tc_yaml_doc *doc;
	cJSON *root;

	(void)state;
	doc = ok_parse(S(text));
	root = tc_yaml_root(doc);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(root, "lit")->valuestring,
	    "line one\nline two\n");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(root, "fold")->valuestring,
	    "folded text\npara\n");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(root, "strip")->valuestring,
	    "no newline");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(root, "plain")->valuestring,
	    "a b");
	tc_yaml_free(doc);
}

static void test_duplicate_keys(void **state)
{
	struct tc_yaml_doc *doc;

	(void)state;
	bad_parse(S("a: 1\ntitle: x\nb: 2\ntitle: y\n"), TC_EDUP, 4, 1,
		  "duplicate key 'title' (first at line 2)");
	bad_parse(S("outer:\n  k: 1\n  j: 2\n  k: 3\n"), TC_EDUP, 4, 3,
		  "duplicate key 'k' (first at line 2)");
	bad_parse(S("{a: 1, b: 2, a: 3}"), TC_EDUP, 1, 14,
		  "duplicate key 'a' (first at line 1)");
	/* quoted and plain spellings of one key are the same key */
	bad_parse(S("\"1\": a\n1: b\n"), TC_EDUP, 2, 1,
		  "duplicate key '1' (first at line 1)");
	/* the same key in different mappings is fine */
	doc = ok_parse(S("x: {a: 1}\ny: {a: 2}\nz:\n- a: 3\n- a: 4\n"));
	tc_yaml_free(doc);
}

static void test_many_keys(void **state)
{
	/* enough keys to grow the duplicate table several times */
	size_t n = 20000, i, len = 0, cap = n * 16;
	char *text = malloc(cap);
	struct tc_yaml_doc *doc;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "k%zu: %zu\n", i,
					i);
	doc = ok_parse(text, len);
	assert_int_equal(cJSON_GetArraySize(tc_yaml_root(doc)), (int)n);
	assert_int_equal(
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(doc), "k19999")
		->valueint,
	    19999);
	tc_yaml_free(doc);
	/* and a repeat at the very end is still found */
	len += (size_t)snprintf(text + len, cap - len, "k123: again\n");
	bad_parse(text, len, TC_EDUP, (int)n + 1, 1,
		  "duplicate key 'k123' (first at line 124)");
	free(text);
}

static void test_anchors_refused(void **state)
{
	(void)state;
	bad_parse(S("a: &x 1\nb: *x\n"), TC_EINVAL, 1, 4,
		  "anchors and aliases are not allowed; repeat the value "
		  "instead");
	bad_parse(S("- 1\n- *x\n"), TC_EINVAL, 2, 3, "anchors and aliases");
	bad_parse(S("base: &b\n  k: v\n"), TC_EINVAL, 1, 7,
		  "anchors and aliases");
	bad_parse(S("l: &s [1]\n"), TC_EINVAL, 1, 4, "anchors and aliases");
}

static void test_tags(void **state)
{
	(void)state;
	bad_parse(S("a: !!int 5\n"), TC_EINVAL, 1, 4,
		  "tags are not allowed ('tag:yaml.org,2002:int')");
	bad_parse(S("a: !custom x\n"), TC_EINVAL, 1, 4,
		  "tags are not allowed ('!custom'); remove the tag");
	bad_parse(S("a: ! x\n"), TC_EINVAL, 1, 4, "tags are not allowed");
	bad_parse(S("a: !!map {b: 1}\n"), TC_EINVAL, 1, 4,
		  "tags are not allowed");
	bad_parse(S("a: !!str [1]\n"), TC_EINVAL, 1, 4, "tags are not allowed");
	bad_parse(S("!!binary aGk=\n"), TC_EINVAL, 1, 1,
		  "tags are not allowed");
}

/* Builds n copies of unit followed by tail; the caller frees it. */
static char *repeat(const char *unit, size_t n, const char *tail, size_t *lenp)
{
	size_t ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(ul * n + tl + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	memcpy(s + ul * n, tail, tl + 1);
	*lenp = ul * n + tl;
	return s;
}

static void test_depth_flow(void **state)
{
	size_t len;
	char *text;
	double t0;

	(void)state;
	text = repeat("[", 100000, "", &len);
	t0 = now();
	bad_parse(text, len, TC_EDEPTH, 1, TC_MAX_DEPTH + 1,
		  "nested more than 64 levels deep");
	assert_true(now() - t0 < 2.0);
	free(text);

	text = repeat("{a: ", 100000, "", &len);
	t0 = now();
	bad_parse(text, len, TC_EDEPTH, 1, 4 * TC_MAX_DEPTH + 1,
		  "nested more than 64 levels deep");
	assert_true(now() - t0 < 2.0);
	free(text);
}

static void test_depth_limit_exact(void **state)
{
	struct tc_yaml_doc *doc;
	cJSON *n;
	size_t len;
	char *text;
	int d = 0;

	(void)state;
	/* 64 levels load, 65 do not */
	text = malloc(2 * TC_MAX_DEPTH);
	assert_non_null(text);
	memset(text, '[', TC_MAX_DEPTH);
	memset(text + TC_MAX_DEPTH, ']', TC_MAX_DEPTH);
	doc = ok_parse(text, 2 * TC_MAX_DEPTH);
	for (n = tc_yaml_root(doc); n; n = n->child)
		d++;
	assert_int_equal(d, TC_MAX_DEPTH);
	tc_yaml_free(doc);
	free(text);

	text = repeat("[", TC_MAX_DEPTH + 1, "", &len);
	bad_parse(text, len, TC_EDEPTH, 1, TC_MAX_DEPTH + 1, NULL);
	free(text);
}

static void test_depth_block(void **state)
{
	size_t len, cap, i, levels;
	char *text;
	double t0;

	(void)state;
	/* 100,000 block sequences on one line: "- - - ... x" */
	text = repeat("- ", 100000, "x\n", &len);
	t0 = now();
	bad_parse(text, len, TC_EDEPTH, 1, 2 * TC_MAX_DEPTH + 1, NULL);
	assert_true(now() - t0 < 2.0);
	free(text);

	/*
	 * Block mappings need one more space of indentation per level, so
	 * the text grows with the square of the depth: the deepest that fits
	 * in TC_MAX_SOURCE_FILE is about 4,000 levels.
	 */
	levels = 4000;
	cap = levels * (levels + 1) / 2 + levels * 4 + 16;
	assert_true(cap <= TC_MAX_SOURCE_FILE + 1);
	text = malloc(cap);
	assert_non_null(text);
	len = 0;
	for (i = 0; i < levels; i++) {
		memset(text + len, ' ', i);
		len += i;
		memcpy(text + len, "k:\n", 3);
		len += 3;
	}
	t0 = now();
	bad_parse(text, len, TC_EDEPTH, TC_MAX_DEPTH + 1, TC_MAX_DEPTH + 1,
		  "flatten the structure");
	assert_true(now() - t0 < 2.0);
	free(text);
}

static void test_node_cap(void **state)
{
	size_t len;
	char *text;

	(void)state;
	/* one value more than allowed, in a flat list */
	text = repeat("0,", TC_MAX_YAML_NODES + 1, "0]", &len);
	text[0] = '[';
	text[1] = ' ';
	/* the list is value 1, so the cap is passed at its millionth item */
	bad_parse(text, len, TC_ETOOBIG, 1, 2 * (int)TC_MAX_YAML_NODES + 1,
		  "more than 1000000 values in one document; split the file");
	free(text);
}

static void test_bad_utf8(void **state)
{
	(void)state;
	/* "a: 1\n" is 5 bytes, "b: " 3, the e-acute 2: the bad byte is 10 */
	bad_parse(S("a: 1\nb: \xC3\xA9\xFF\n"), TC_EUTF8, 2, 5,
		  "invalid UTF-8 at byte offset 10");
	bad_parse(S("a: \xC0\xAF\n"), TC_EUTF8, 1, 4, "byte offset 3");
	bad_parse(S("a: 1\r\nb: 2\r\nc: \xED\xA0\x80\n"), TC_EUTF8, 3, 4,
		  "byte offset 15");
	bad_parse(S("x: \xF4\x90\x80\x80"), TC_EUTF8, 1, 4, NULL);
	bad_parse(S("x: ab\xE2\x82"), TC_EUTF8, 1, 6, "byte offset 5");
	bad_parse(S("x: \x80"), TC_EUTF8, 1, 4, NULL);
}

static void test_nul_and_controls(void **state)
{
	(void)state;
	bad_parse(S("a: 1\nb: x\0y\n"), TC_EUTF8, 2, 5,
		  "NUL byte in input at byte offset 9");
	bad_parse(S("a: \"x\\0y\"\n"), TC_EINVAL, 1, 4, "NUL character");
	bad_parse(S("a: 1\nb: x\x01\n"), TC_ESYNTAX, 2, 5,
		  "control characters are not allowed");
}

static void test_syntax_errors(void **state)
{
	struct tc_error err;
	struct tc_yaml_doc *doc;

	(void)state;
	bad_parse(S("a: 1\nb\nc: 2\n"), TC_ESYNTAX, 2, 1,
		  "this line has no colon after its name: write it as 'b:' "
		  "followed by its value");
	bad_parse(S("a: b: c\n"), TC_ESYNTAX, 1, 4,
		  "a colon and a space inside a value make it look like a new "
		  "name: put the value in quotes, like a: \"b: c\"");
	bad_parse(S("a: [1, 2\n"), TC_ESYNTAX, 1, 4,
		  "a value that starts with '[' is read as a list, and this "
		  "one does not end with ']': put the value in quotes");
	bad_parse(S("a: {1, 2\n"), TC_ESYNTAX, 1, 4,
		  "and this one does not end with '}'");
	bad_parse(S("a:\n\tb: 1\n"), TC_ESYNTAX, 2, 1,
		  "indent with spaces, not tabs");

	/* first_line shifts every line */
	doc = tc_yaml_parse("f.md", S("a: 1\na: 2\n"), 10, &err);
	assert_null(doc);
	assert_int_equal(err.line, 11);
	assert_int_equal(err.col, 1);
	assert_string_equal(err.file, "f.md");
	assert_string_equal(err.msg, "duplicate key 'a' (first at line 10)");
}

/* libyaml's messages said again, at the line where the mistake is. */
static void test_plain_errors(void **state)
{
	(void)state;
	bad_parse(S("title Privacy notice\nsummary: How\n"), TC_ESYNTAX, 1, 1,
		  "this line has no colon after its name: write it as "
		  "'title: Privacy notice'");
	bad_parse(S("a: 1\n  - b: 2\n"), TC_ESYNTAX, 2, 3, NULL);
	bad_parse(S("title: x\n summary: y\n"), TC_ESYNTAX, 2, 2,
		  "this line is indented more than line 1, so it reads as more "
		  "of that line's value: line it up with 'title', or, if it "
		  "continues the value, put the whole value in quotes");
	bad_parse(S("# c\n\ntitle: \"x\nsummary: y\n"), TC_ESYNTAX, 3, 8,
		  "this quote is never closed: end the value with another \"");
	bad_parse(
	    S("t:\n  - a\n  b: c\n"), TC_ESYNTAX, 3, 3,
	    "this line is inside the list that starts at line 2 but is "
	    "not an item of it: start it with '- ', or indent it like the "
	    "name above the list");
	bad_parse(
	    S("s: - x\n"), TC_ESYNTAX, 1, 4,
	    "a list cannot start on the same line as its name: put the "
	    "value in quotes, or put each item on a line of its own below "
	    "the name, starting with '- '");
	bad_parse(S("t: 'it's'\n"), TC_ESYNTAX, 1, 8,
		  "text follows the closing quote of a value: put the whole "
		  "value in double quotes (a quote inside single quotes is "
		  "written twice, as in 'it''s')");
	bad_parse(S("t: \"How\" we\n"), TC_ESYNTAX, 1, 10,
		  "text follows the closing quote");
	bad_parse(S("t: [Draft] Test\n"), TC_ESYNTAX, 1, 4,
		  "a value that starts with '[' is read as a list, and text "
		  "follows its closing ']': put the whole value in quotes");
	bad_parse(S("s: @home\n"), TC_ESYNTAX, 1, 4,
		  "a value cannot start with '@': put the value in quotes");
	bad_parse(
	    S("x:\n    a: 1\n  b: 2\n"), TC_ESYNTAX, 3, 3,
	    "this line does not line up with the names above it: start it "
	    "at the beginning of the line like line 1, or indent it "
	    "exactly like the names it belongs with");
	bad_parse(
	    S("m:\n  x:\n      a: 1\n    b: 2\n"), TC_ESYNTAX, 4, 5,
	    "indent it by 2 spaces like line 2, or exactly like the names "
	    "it belongs with");
	/* a byte order mark takes no column */
	bad_parse(S("\xEF\xBB\xBF"
		    "a: b: c\n"),
		  TC_ESYNTAX, 1, 4, "put the value in quotes");
}

static void test_documents(void **state)
{
	struct tc_yaml_doc *doc;

	(void)state;
	bad_parse(S("a: 1\n---\nb: 2\n"), TC_EINVAL, 2, 1,
		  "only one document is allowed per file");
	bad_parse(S("--- 1\n--- 2\n"), TC_EINVAL, 2, 1, "only one document");

	/* one explicit document is fine */
	doc = ok_parse(S("---\na: 1\n...\n"));
	assert_int_equal(
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(doc), "a")->valueint,
	    1);
	tc_yaml_free(doc);

	/* empty documents give a null root */
	doc = ok_parse(S(""));
	assert_true(cJSON_IsNull(tc_yaml_root(doc)));
	tc_yaml_free(doc);
	doc = ok_parse(S("# only a comment\n\n"));
	assert_true(cJSON_IsNull(tc_yaml_root(doc)));
	tc_yaml_free(doc);
	doc = ok_parse(S("---\n"));
	assert_true(cJSON_IsNull(tc_yaml_root(doc)));
	tc_yaml_free(doc);
	doc = ok_parse(S("\xEF\xBB\xBF"
			 "a: 1\n"));
	assert_true(cJSON_IsObject(tc_yaml_root(doc)));
	tc_yaml_free(doc);
}

static void test_positions(void **state)
{
	static const char text[] = "title: Hello\n"
				   "list:\n"
				   "  - one\n"
				   "  - {x: 2, y: [3]}\n"
				   "sub:\n"
				   "    deep: |\n"
				   "      text\n"
				   "caf\xC3\xA9: v\n";
	struct tc_yaml_doc *doc;
	cJSON *root, *title, *list, *one, *fl, *x, *y, *sub, *deep, *cafe;
	cJSON other;
	int line = 0, col = 0;

	(void)state;
	doc = ok_parse(S(text));
	root = tc_yaml_root(doc);
	title = cJSON_GetObjectItemCaseSensitive(root, "title");
	list = cJSON_GetObjectItemCaseSensitive(root, "list");
	one = cJSON_GetArrayItem(list, 0);
	fl = cJSON_GetArrayItem(list, 1);
	x = cJSON_GetObjectItemCaseSensitive(fl, "x");
	y = cJSON_GetObjectItemCaseSensitive(fl, "y");
	sub = cJSON_GetObjectItemCaseSensitive(root, "sub");
	deep = cJSON_GetObjectItemCaseSensitive(sub, "deep");
	cafe = cJSON_GetObjectItemCaseSensitive(root, "caf\xC3\xA9");

	assert_int_equal(tc_yaml_where(doc, root, &line, &col), 0);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	assert_int_equal(tc_yaml_key_where(doc, root, &line, &col), -1);

	assert_int_equal(tc_yaml_where(doc, title, &line, &col), 0);
	assert_int_equal(line, 1);
	assert_int_equal(col, 8);
	assert_int_equal(tc_yaml_key_where(doc, title, &line, &col), 0);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);

	assert_int_equal(tc_yaml_where(doc, list, &line, &col), 0);
	assert_int_equal(line, 3);
	assert_int_equal(col, 3);
	assert_int_equal(tc_yaml_key_where(doc, list, &line, &col), 0);
	assert_int_equal(line, 2);
	assert_int_equal(col, 1);

	assert_int_equal(tc_yaml_where(doc, one, &line, &col), 0);
	assert_int_equal(line, 3);
	assert_int_equal(col, 5);
	assert_int_equal(tc_yaml_key_where(doc, one, &line, &col), -1);

	assert_int_equal(tc_yaml_where(doc, fl, &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 5);
	assert_int_equal(tc_yaml_where(doc, x, &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 9);
	assert_int_equal(tc_yaml_key_where(doc, y, &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 12);
	assert_int_equal(tc_yaml_where(doc, y->child, &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 16);

	assert_int_equal(tc_yaml_where(doc, deep, &line, &col), 0);
	assert_int_equal(line, 6);
	assert_int_equal(col, 11);
	assert_int_equal(tc_yaml_key_where(doc, deep, &line, &col), 0);
	assert_int_equal(line, 6);
	assert_int_equal(col, 5);

	/* columns count characters, not bytes */
	assert_int_equal(tc_yaml_where(doc, cafe, &line, &col), 0);
	assert_int_equal(line, 8);
	assert_int_equal(col, 7);

	/* a node from elsewhere is not known */
	memset(&other, 0, sizeof(other));
	assert_int_equal(tc_yaml_where(doc, &other, &line, &col), -1);
	assert_int_equal(tc_yaml_where(doc, NULL, &line, &col), -1);
	tc_yaml_free(doc);
}

static void test_detach(void **state)
{
	struct tc_yaml_doc *doc;
	cJSON *root;

	(void)state;
	doc = ok_parse(S("a: [1, 2]\n"));
	root = tc_yaml_detach(doc);
	assert_non_null(root);
	assert_null(tc_yaml_root(doc));
	tc_yaml_free(doc);
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "a")), 2);
	cJSON_Delete(root);
	tc_yaml_free(NULL);
}

/* Runs tc_front_matter on text that must load; the caller frees it. */
static struct tc_yaml_doc *fm_ok(const char *text, size_t len, size_t *off,
				 int *line)
{
	struct tc_error err;
	struct tc_yaml_doc *doc;

	doc = tc_front_matter("p.md", text, len, off, line, &err);
	if (!doc)
		fail_msg("front matter error %d at %d:%d: %s", err.code,
			 err.line, err.col, err.msg);
	return doc;
}

static void fm_bad(const char *text, size_t len, int code, int line, int col,
		   const char *msg)
{
	struct tc_error err;
	struct tc_yaml_doc *doc;
	size_t off = 99;
	int bl = 99;

	doc = tc_front_matter("p.md", text, len, &off, &bl, &err);
	if (doc) {
		tc_yaml_free(doc);
		fail_msg("front matter should fail: %.60s", text);
	}
	if (err.code != code || err.line != line || err.col != col)
		fail_msg("got %d at %d:%d (%s), want %d at %d:%d", err.code,
			 err.line, err.col, err.msg, code, line, col);
	assert_string_equal(err.file, "p.md");
	assert_string_equal(err.msg, msg);
}

static void test_front_matter(void **state)
{
	static const char page[] = "---\n"
				   "title: Make a complaint\n"
				   "weight: 2\n"
				   "---\n"
				   "# Heading\n";
	struct tc_yaml_doc *doc;
	cJSON *root, *title;
	size_t off;
	int bl, line, col;

	(void)state;
	doc = fm_ok(S(page), &off, &bl);
	root = tc_yaml_root(doc);
	title = cJSON_GetObjectItemCaseSensitive(root, "title");
	assert_string_equal(title->valuestring, "Make a complaint");
	assert_int_equal(
	    cJSON_GetObjectItemCaseSensitive(root, "weight")->valueint, 2);
	assert_int_equal(off, strlen(page) - strlen("# Heading\n"));
	assert_string_equal(page + off, "# Heading\n");
	assert_int_equal(bl, 5);
	assert_int_equal(tc_yaml_key_where(doc, title, &line, &col), 0);
	assert_int_equal(line, 2);
	assert_int_equal(col, 1);
	assert_int_equal(tc_yaml_where(doc, title, &line, &col), 0);
	assert_int_equal(line, 2);
	assert_int_equal(col, 8);
	assert_string_equal(tc_yaml_name(doc), "p.md");
	tc_yaml_free(doc);

	/* closed with "...", nothing after it */
	doc = fm_ok(S("---\na: 1\n..."), &off, &bl);
	assert_int_equal(off, 12);
	assert_int_equal(bl, 4);
	tc_yaml_free(doc);
}

static void test_front_matter_absent(void **state)
{
	struct tc_yaml_doc *doc;
	size_t off = 99;
	int bl = 99;

	(void)state;
	doc = fm_ok(S("# Just a page\n\n---\nnot: front matter\n"), &off, &bl);
	assert_true(cJSON_IsObject(tc_yaml_root(doc)));
	assert_null(tc_yaml_root(doc)->child);
	assert_int_equal(off, 0);
	assert_int_equal(bl, 1);
	tc_yaml_free(doc);

	doc = fm_ok(S(""), &off, &bl);
	assert_true(cJSON_IsObject(tc_yaml_root(doc)));
	assert_int_equal(off, 0);
	assert_int_equal(bl, 1);
	tc_yaml_free(doc);

	/* "----" is a thematic break, not a fence */
	doc = fm_ok(S("----\ntext\n"), &off, &bl);
	assert_null(tc_yaml_root(doc)->child);
	assert_int_equal(off, 0);
	tc_yaml_free(doc);
}

static void test_front_matter_empty(void **state)
{
	struct tc_yaml_doc *doc;
	size_t off;
	int bl, line, col;

	(void)state;
	doc = fm_ok(S("---\n---\nbody"), &off, &bl);
	assert_true(cJSON_IsObject(tc_yaml_root(doc)));
	assert_null(tc_yaml_root(doc)->child);
	assert_int_equal(off, 8);
	assert_int_equal(bl, 3);
	assert_int_equal(tc_yaml_where(doc, tc_yaml_root(doc), &line, &col), 0);
	assert_int_equal(line, 2);
	tc_yaml_free(doc);

	doc = fm_ok(S("---\n# comment only\n---\n"), &off, &bl);
	assert_null(tc_yaml_root(doc)->child);
	assert_int_equal(off, 23);
	assert_int_equal(bl, 4);
	tc_yaml_free(doc);
}

static void test_front_matter_crlf_bom(void **state)
{
	static const char page[] = "\xEF\xBB\xBF---\r\n"
				   "title: T\r\n"
				   "list:\r\n"
				   "  - a\r\n"
				   "---\r\n"
				   "Body\r\n";
	struct tc_yaml_doc *doc;
	cJSON *root, *list;
	size_t off;
	int bl, line, col;

	(void)state;
	doc = fm_ok(S(page), &off, &bl);
	root = tc_yaml_root(doc);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(root, "title")->valuestring, "T");
	list = cJSON_GetObjectItemCaseSensitive(root, "list");
	assert_string_equal(list->child->valuestring, "a");
	assert_string_equal(page + off, "Body\r\n");
	assert_int_equal(bl, 6);
	assert_int_equal(tc_yaml_where(doc, list->child, &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 5);
	tc_yaml_free(doc);
}

static void test_front_matter_errors(void **state)
{
	static const char msg_unclosed[] =
	    "front matter is not closed: add a line '---' after it";
	static const char msg_map[] =
	    "front matter must be a mapping of keys to values";

	(void)state;
	fm_bad(S("---\ntitle: x\n# Heading\n"), TC_ESYNTAX, 1, 1, msg_unclosed);
	fm_bad(S("---\n"), TC_ESYNTAX, 1, 1, msg_unclosed);
	fm_bad(S("---"), TC_ESYNTAX, 1, 1, msg_unclosed);
	fm_bad(S("---\n- a\n- b\n---\nbody\n"), TC_EINVAL, 2, 1, msg_map);
	fm_bad(S("---\njust words\n---\n"), TC_EINVAL, 2, 1, msg_map);
	/* errors inside are placed in the Markdown file's lines */
	fm_bad(S("---\na: 1\nb: 2\na: 3\n---\n"), TC_EDUP, 4, 1,
	       "duplicate key 'a' (first at line 2)");
	/* offsets count from the start of the file */
	fm_bad(S("---\nok: 1\nbad: \xFF\n---\n"), TC_EUTF8, 3, 6,
	       "invalid UTF-8 at byte offset 15; save the file as UTF-8");
	fm_bad(S("---\nk: \"a\\0b\"\n---\n"), TC_EINVAL, 2, 4,
	       "a value contains a NUL character ('\\0'); remove it");
}

/* Writes data to a new file in /tmp; returns its malloc'd path. */
static char *tmp_file(const char *data, size_t len)
{
	char *path = strdup("/tmp/test_yamljson.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

static void test_load_file(void **state)
{
	struct tc_error err;
	struct tc_yaml_doc *doc;
	char *path;
	int line, col;

	(void)state;
	path = tmp_file(S("site: Council\npages: [a, b]\n"));
	doc = tc_yaml_load_file(path, &err);
	assert_non_null(doc);
	assert_string_equal(tc_yaml_name(doc), path);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(doc), "site")
		->valuestring,
	    "Council");
	assert_int_equal(tc_yaml_where(doc,
				       cJSON_GetObjectItemCaseSensitive(
					   tc_yaml_root(doc), "pages"),
				       &line, &col),
			 0);
	assert_int_equal(line, 2);
	assert_int_equal(col, 8);
	tc_yaml_free(doc);
	unlink(path);
	free(path);

	path = tmp_file(S("a: 1\nb: [\n"));
	doc = tc_yaml_load_file(path, &err);
	assert_null(doc);
	assert_int_equal(err.code, TC_ESYNTAX);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 3);
	unlink(path);
	free(path);
}

static void test_load_missing(void **state)
{
	struct tc_error err;
	struct tc_yaml_doc *doc;

	(void)state;
	doc = tc_yaml_load_file("/tmp/no/such/dir/site.yml", &err);
	assert_null(doc);
	assert_int_equal(err.code, TC_EIO);
	assert_string_equal(err.file, "/tmp/no/such/dir/site.yml");
	assert_string_equal(err.msg, "cannot open: No such file or directory");

	doc = tc_yaml_load_file("/tmp", &err);
	assert_null(doc);
	assert_int_equal(err.code, TC_EIO);
	assert_non_null(strstr(err.msg, "directory"));
}

static void test_load_too_big(void **state)
{
	struct tc_error err;
	struct tc_yaml_doc *doc;
	char path[] = "/tmp/test_yamljson_big.XXXXXX";
	double t0;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
	assert_int_equal(close(fd), 0);
	t0 = now();
	doc = tc_yaml_load_file(path, &err);
	assert_true(now() - t0 < 0.5);
	unlink(path);
	assert_null(doc);
	assert_int_equal(err.code, TC_ETOOBIG);
	assert_string_equal(err.msg, "file is larger than 8 MiB");
	assert_string_equal(err.file, path);

	/* exactly at the cap is read (and here fails only as YAML) */
	memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)TC_MAX_SOURCE_FILE), 0);
	assert_int_equal(close(fd), 0);
	doc = tc_yaml_load_file(path, &err);
	unlink(path);
	assert_null(doc);
	assert_int_equal(err.code, TC_EUTF8);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalar_types),
	    cmocka_unit_test(test_keys_are_strings),
	    cmocka_unit_test(test_nested_block),
	    cmocka_unit_test(test_flow_style),
	    cmocka_unit_test(test_multiline),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_many_keys),
	    cmocka_unit_test(test_anchors_refused),
	    cmocka_unit_test(test_tags),
	    cmocka_unit_test(test_depth_flow),
	    cmocka_unit_test(test_depth_limit_exact),
	    cmocka_unit_test(test_depth_block),
	    cmocka_unit_test(test_node_cap),
	    cmocka_unit_test(test_bad_utf8),
	    cmocka_unit_test(test_nul_and_controls),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_plain_errors),
	    cmocka_unit_test(test_documents),
	    cmocka_unit_test(test_positions),
	    cmocka_unit_test(test_detach),
	    cmocka_unit_test(test_front_matter),
	    cmocka_unit_test(test_front_matter_absent),
	    cmocka_unit_test(test_front_matter_empty),
	    cmocka_unit_test(test_front_matter_crlf_bom),
	    cmocka_unit_test(test_front_matter_errors),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_load_missing),
	    cmocka_unit_test(test_load_too_big),
	};

	return cmocka_run_group_tests_name("yamljson", tests, NULL, NULL);
}
