/*
 * test_markdown.c: a page body through cmark-gfm and sitegen's AST walk:
 * heading ids and the contents list, tables, flowcharts, safe mode, images.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

static int render(const char *md, struct tc_buf *out, cJSON **toc)
{
	return site_render_markdown("page.md", md, strlen(md), 1, out, toc);
}

static void test_heading_ids_and_toc(void **state)
{
	struct tc_buf out = TC_BUF_INIT;
	cJSON *toc = NULL, *e;

	(void)state;
	assert_int_equal(render("## What we'll do\n\n## Stage 2: review\n\n"
				"### Details *here*\n\n## Stage 2: review\n\n"
				"#### Deep\n",
				&out, &toc),
			 0);
	assert_non_null(strstr(out.data, "<h2 id=\"what-we-ll-do\">What we’ll "
					 "do</h2>"));
	assert_non_null(strstr(out.data, "<h2 id=\"stage-2-review\">"));
	assert_non_null(strstr(out.data, "<h3 id=\"details-here\">Details "
					 "<em>here</em></h3>"));
	assert_non_null(strstr(out.data, "<h2 id=\"stage-2-review-2\">"));
	assert_non_null(strstr(out.data, "<h4 id=\"deep\">"));
	/* h2 and h3 only in the contents list */
	assert_int_equal(cJSON_GetArraySize(toc), 4);
	e = cJSON_GetArrayItem(toc, 2);
	assert_string_equal(cJSON_GetObjectItem(e, "id")->valuestring,
			    "details-here");
	assert_string_equal(cJSON_GetObjectItem(e, "text")->valuestring,
			    "Details here");
	assert_int_equal(cJSON_GetObjectItem(e, "level")->valueint, 3);
	cJSON_Delete(toc);
	tc_buf_release(&out);
}

static void test_reserved_ids_are_not_reused(void **state)
{
	struct tc_buf out = TC_BUF_INIT;

	(void)state;
	assert_int_equal(
	    render("## Main content\n\n## Flowchart 1\n", &out, NULL), 0);
	assert_non_null(strstr(out.data, "id=\"main-content-2\""));
	assert_non_null(strstr(out.data, "id=\"section-flowchart-1\""));
	tc_buf_release(&out);
}

static void test_repeated_heading_ids(void **state)
{
	struct tc_buf out = TC_BUF_INIT;
	static const char *const ids[] = {"id=\"a\"",
					  "id=\"a-2\"",
					  "id=\"a-2-2\"",
					  "id=\"a-3\"",
					  "id=\"main-content-2\"",
					  "id=\"main-content-3\"",
					  "id=\"section-flowchart-1\"",
					  "id=\"section-flowchart-1-2\""};
	const char *p;
	size_t i;

	(void)state;
	assert_int_equal(render("## a\n\n## a\n\n## a 2\n\n## a\n\n"
				"## Main content\n\n## Main content\n\n"
				"## Flowchart 1\n\n## flowchart 1\n",
				&out, NULL),
			 0);
	/* in this order, each once */
	for (i = 0, p = out.data; i < sizeof(ids) / sizeof(ids[0]); i++) {
		p = strstr(p, ids[i]);
		assert_non_null(p);
		p += strlen(ids[i]);
	}
	tc_buf_release(&out);
}

static void test_table_region(void **state)
{
	struct tc_buf out = TC_BUF_INIT;

	(void)state;
	assert_int_equal(
	    render("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n## Times\n\n"
		   "| c |\n|---|\n| 3 |\n",
		   &out, NULL),
	    0);
	assert_non_null(strstr(out.data, "<div class=\"table-wrap\" "
					 "role=\"region\" aria-label=\"Table "
					 "1\" tabindex=\"0\">\n<table>"));
	assert_non_null(strstr(out.data, "aria-labelledby=\"times\""));
	assert_null(strstr(out.data, "align="));
	tc_buf_release(&out);
}

static void test_safe_mode(void **state)
{
	struct tc_buf out = TC_BUF_INIT;

	(void)state;
	/* raw HTML is an error; comments are dropped quietly */
	assert_int_equal(render("Hi <b>there</b>\n", &out, NULL), 2);
	assert_int_equal(render("<div>x</div>\n", &out, NULL), 1);
	tc_buf_reset(&out);
	assert_int_equal(render("<!-- note -->\n\nText\n", &out, NULL), 0);
	assert_null(strstr(out.data, "note"));
	/* dangerous schemes are refused */
	assert_int_equal(render("[x](javascript:alert(1))\n", &out, NULL), 1);
	assert_int_equal(render("[x](data:text/html,hi)\n", &out, NULL), 1);
	tc_buf_reset(&out);
	assert_int_equal(render("[x](https://example.org/?a=1&b=2) "
				"[m](mailto:a@example.org)\n",
				&out, NULL),
			 0);
	assert_non_null(strstr(out.data, "href=\"https://example.org/?a=1&amp;"
					 "b=2\""));
	tc_buf_release(&out);
}

static void test_images_and_other_errors(void **state)
{
	struct tc_buf out = TC_BUF_INIT;

	(void)state;
	assert_int_equal(render("![](a.png)\n", &out, NULL), 1);
	assert_int_equal(render("![  ](a.png)\n", &out, NULL), 1);
	assert_int_equal(
	    render("![Alt](https://example.org/a.png)\n", &out, NULL), 1);
	assert_int_equal(render("# Second title\n", &out, NULL), 1);
	assert_int_equal(render("```form complaint\n```\n", &out, NULL), 1);
	assert_int_equal(render("```flowchart\na --> b\n```\n", &out, NULL), 1);
	/* invalid UTF-8 */
	assert_int_equal(render("caf\xe9\n", &out, NULL), 1);
	tc_buf_release(&out);
}

static void test_flowchart_and_code(void **state)
{
	struct tc_buf out = TC_BUF_INIT;

	(void)state;
	assert_int_equal(render("```flowchart \"Steps\"\na[One] --> b[Two]\n```"
				"\n\n```flowchart\nc[Three]\n```\n\n```yaml\n"
				"a: <b>\n```\n",
				&out, NULL),
			 0);
	assert_non_null(strstr(out.data, "id=\"flowchart-1\""));
	assert_non_null(strstr(out.data, "id=\"flowchart-2\""));
	assert_non_null(strstr(out.data, "<code class=\"language-yaml\">a: "
					 "&lt;b&gt;"));
	tc_buf_release(&out);
}

static void test_dates(void **state)
{
	struct tc_buf out = TC_BUF_INIT;

	(void)state;
	assert_int_equal(site_human_date("2026-04-01", &out), 0);
	assert_string_equal(out.data, "1 April 2026");
	assert_true(site_valid_date("2028-02-29"));
	assert_false(site_valid_date("2027-02-29"));
	assert_false(site_valid_date("2026-13-01"));
	assert_false(site_valid_date("2026-4-1"));
	assert_false(site_valid_date("1 April"));
	assert_int_equal(site_human_date("2026-02-30", &out), -1);
	tc_buf_release(&out);
}

static void test_pathological_nesting(void **state)
{
	struct tc_buf md = TC_BUF_INIT, out = TC_BUF_INIT;
	int i;

	(void)state;
	/* deep block quotes and emphasis: cmark walks them without recursion */
	for (i = 0; i < 20000; i++)
		tc_buf_addch(&md, '>');
	tc_buf_adds(&md, " deep\n\n");
	for (i = 0; i < 20000; i++)
		tc_buf_adds(&md, "*a ");
	tc_buf_addch(&md, '\n');
	assert_int_equal(render(md.data, &out, NULL), 0);
	assert_non_null(strstr(out.data, "deep"));
	tc_buf_release(&md);
	tc_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_heading_ids_and_toc),
	    cmocka_unit_test(test_reserved_ids_are_not_reused),
	    cmocka_unit_test(test_repeated_heading_ids),
	    cmocka_unit_test(test_table_region),
	    cmocka_unit_test(test_safe_mode),
	    cmocka_unit_test(test_images_and_other_errors),
	    cmocka_unit_test(test_flowchart_and_code),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_pathological_nesting),
	};

	return cmocka_run_group_tests_name("markdown", tests, NULL, NULL);
}
