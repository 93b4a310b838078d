/*
 * test_flowchart.c: the Mermaid subset parser and its accessible rendering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "flowchart.h"

static struct flowchart *parse(const char *src, struct tc_error *err)
{
	tc_error_clear(err);
	return flowchart_parse(src, strlen(src), "t.md", 10, err);
}

static char *render(const char *src, const char *caption)
{
	struct tc_error err;
	struct flowchart *fc = parse(src, &err);
	struct tc_buf out = TC_BUF_INIT;

	if (!fc)
		fail_msg("parse failed: %s", err.msg);
	assert_int_equal(flowchart_render(fc, 1, caption, &out), 0);
	flowchart_free(fc);
	return tc_buf_detach(&out, NULL);
}

static void test_shapes_chains_and_labels(void **state)
{
	char *html;

	(void)state;
	html = render("flowchart TD\n"
		      "  a([Start]) --> b[Do it] --> c{Done?}\n"
		      "  %% comment\n"
		      "  c -->|Yes| d([End])\n"
		      "  c -- Not yet --> b\n",
		      "Our process");
	assert_non_null(strstr(html, "<figcaption class=\"flowchart__caption\" "
				     "id=\"flowchart-1-caption\">Our process"));
	assert_non_null(strstr(html, "flowchart__step--terminal\" "
				     "id=\"flowchart-1-a\""));
	assert_non_null(strstr(html, "flowchart__step--process\" "
				     "id=\"flowchart-1-b\""));
	assert_non_null(strstr(html, "flowchart__step--decision\" "
				     "id=\"flowchart-1-c\""));
	/* a single unlabelled way out reads "Next" */
	assert_non_null(strstr(html, "Next: <a href=\"#flowchart-1-b\">step 2, "
				     "Do it</a>"));
	/* a decision lists every answer with the step it leads to */
	assert_non_null(strstr(html,
			       "<span class=\"flowchart__answer\">Yes"
			       "</span>: go to <a href=\"#flowchart-1-d\">"
			       "step 4, End</a>"));
	assert_non_null(strstr(html,
			       "<span class=\"flowchart__answer\">Not yet"
			       "</span>: go to <a href=\"#flowchart-1-b\">"
			       "step 2, Do it</a>"));
	free(html);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (s = strstr(s, needle); s; s = strstr(s + 1, needle))
		n++;
	return n;
}

/*
 * The drawing: one column (a to d straight down, c back up to b), its
 * places worked out by hand from the layout's rules: boxes 216 wide at
 * x 8, one line of text is 38 high, the gap above b holds two lanes (50),
 * the one above c one lane (40, the least), and the way back up leaves
 * c's bottom at 2/3 of its width, runs in the gap below c to the one
 * channel at x 238, up to the gap above b and across into b's top.
 */
static void test_drawing(void **state)
{
	char *html;

	(void)state;
	html = render("flowchart TD\n"
		      "  a([Start]) --> b[Do it] --> c{Done?}\n"
		      "  c -->|Yes| d([End])\n"
		      "  c -- Not yet --> b\n",
		      NULL);
	assert_non_null(strstr(html, "<div class=\"flowchart__drawing\" "
				     "role=\"img\""));
	assert_non_null(strstr(html,
			       "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			       "aria-hidden=\"true\" focusable=\"false\" "
			       "width=\"260\""));
	/* the drawing comes before the list, its text alternative */
	assert_true(strstr(html, "<svg") < strstr(html, "<ol"));
	assert_int_equal(count(html, "class=\"flowchart__arrow\""), 4);
	assert_int_equal(count(html, "flowchart__shape--decision"), 1);
	assert_int_equal(count(html, "flowchart__shape--terminal"), 2);
	assert_non_null(strstr(html, "x=\"8\" y=\"96\" width=\"216\" "
				     "height=\"38\""));
	assert_non_null(strstr(html, "d=\"M152 212 V242 H238 V76 H116 V94\""));
	assert_non_null(strstr(html, ">Yes</text>"));
	assert_non_null(strstr(html, ">Not yet</text>"));
	free(html);
}

/* A word longer than a line (26 characters) is broken; every line is
 * escaped; nothing is lost. */
static void test_drawing_text(void **state)
{
	char *html;

	(void)state;
	html = render("flowchart TD\n"
		      "  a[Antidisestablishmentarianism<b>&co and more] --> "
		      "b([Done])\n",
		      NULL);
	assert_null(strstr(html, "<b>"));
	assert_non_null(strstr(html, ">Antidisestablishmentariani</tspan>"));
	assert_non_null(strstr(html, ">sm&lt;b&gt;&amp;co and more</tspan>"));
	free(html);
}

static void test_text_is_escaped(void **state)
{
	char *html;

	(void)state;
	html = render("a[\"<script>&\"] --> b{x > y?}\n", NULL);
	assert_non_null(strstr(html, "&lt;script&gt;&amp;"));
	assert_non_null(strstr(html, "x &gt; y?"));
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "aria-label=\"Flowchart\""));
	free(html);
}

static void expect_error(const char *src, int line, int col, const char *words)
{
	struct tc_error err;
	struct flowchart *fc = parse(src, &err);

	assert_null(fc);
	assert_string_equal(err.file, "t.md");
	assert_int_equal(err.line, line);
	if (col)
		assert_int_equal(err.col, col);
	if (!strstr(err.msg, words))
		fail_msg("message '%s' lacks '%s'", err.msg, words);
}

static void test_errors_name_line_and_column(void **state)
{
	(void)state;
	expect_error("a[One] --> b\n", 10, 12, "unknown node 'b'");
	expect_error("a[One]\nb[Two]\na[Again]\n", 12, 1, "duplicate id 'a'");
	expect_error("a[One\n", 10, 2, "not closed");
	expect_error("a[One] -> b[Two]\n", 10, 8, "expected an arrow");
	expect_error("a[One] --- b[Two]\n", 10, 8, "use '-->'");
	expect_error("a[One] -- yes b[Two]\n", 10, 8, "not finished");
	expect_error("a[One] -->|yes b[Two]\n", 10, 8, "label is not closed");
	expect_error("a[] --> b[x]\n", 10, 2, "needs some text");
	expect_error("a(One)\n", 10, 2, "([text])");
	expect_error("%% only a comment\n", 10, 0, "no steps");
	expect_error("--> b[x]\n", 10, 1, "step id");
}

static void test_hostile_input(void **state)
{
	struct tc_error err;
	struct tc_buf big = TC_BUF_INIT;
	struct flowchart *fc;
	int i;

	(void)state;
	/* invalid UTF-8 and NUL bytes are refused */
	tc_error_clear(&err);
	assert_null(
	    flowchart_parse("a[\xc0\xaf] --> b\n", 13, "t.md", 1, &err));
	assert_int_equal(err.code, TC_EUTF8);
	assert_null(flowchart_parse("a[x\0y]\n", 7, "t.md", 1, &err));
	/* too many nodes */
	for (i = 0; i < FC_MAX_NODES + 1; i++)
		tc_buf_addf(&big, "n%d[Step]\n", i);
	fc = flowchart_parse(big.data, big.len, "t.md", 1, &err);
	assert_null(fc);
	assert_int_equal(err.code, TC_ETOOBIG);
	/* an over-long step */
	tc_buf_reset(&big);
	tc_buf_adds(&big, "a[");
	for (i = 0; i < FC_MAX_TEXT + 1; i++)
		tc_buf_addch(&big, 'x');
	tc_buf_adds(&big, "]\n");
	assert_null(flowchart_parse(big.data, big.len, "t.md", 1, &err));
	tc_buf_release(&big);
}

static void test_caption(void **state)
{
	struct tc_error err;
	char *cap = NULL;

	(void)state;
	tc_error_clear(&err);
	assert_int_equal(
	    flowchart_caption(" \"How it works\"", "t.md", 3, &cap, &err), 0);
	assert_string_equal(cap, "How it works");
	free(cap);
	assert_int_equal(flowchart_caption("", "t.md", 3, &cap, &err), 0);
	assert_null(cap);
	assert_int_equal(
	    flowchart_caption(" How it works", "t.md", 3, &cap, &err), -1);
	assert_int_equal(err.line, 3);
	assert_int_equal(flowchart_caption(" \"Open", "t.md", 3, &cap, &err),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shapes_chains_and_labels),
	    cmocka_unit_test(test_drawing),
	    cmocka_unit_test(test_drawing_text),
	    cmocka_unit_test(test_text_is_escaped),
	    cmocka_unit_test(test_errors_name_line_and_column),
	    cmocka_unit_test(test_hostile_input),
	    cmocka_unit_test(test_caption),
	};

	return cmocka_run_group_tests_name("flowchart", tests, NULL, NULL);
}
