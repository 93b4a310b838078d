/*
 * test_template.c: unit tests for the Mustache engine
 * (common/template_compile.c, template_render.c).
 *
 * The spec itself is run by mustache_spec.c; these tests cover what the spec
 * does not: error messages and positions, caps on nesting and output, sets
 * with loaders, repeated and concurrent rendering, and hostile bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "err.h"
#include "limits.h"
#include "template.h"

/* Renders src against the JSON text data (may be NULL); returns 0 or -1. */
static int render(const char *src, size_t len, const char *data,
		  const char *partials, struct tc_buf *out,
		  struct tc_error *err)
{
	cJSON *ctx = data ? cJSON_Parse(data) : NULL;
	cJSON *parts = partials ? cJSON_Parse(partials) : NULL;
	int rc;

	if (data)
		assert_non_null(ctx);
	if (partials)
		assert_non_null(parts);
	tc_error_clear(err);
	rc = tc_tpl_render_string(src, len, ctx, parts, out, err);
	cJSON_Delete(ctx);
	cJSON_Delete(parts);
	return rc;
}

/* Renders and checks the output is want. */
static void expect(const char *src, const char *data, const char *partials,
		   const char *want)
{
	struct tc_buf out = TC_BUF_INIT;
	struct tc_error err;

	assert_int_equal(render(src, strlen(src), data, partials, &out, &err),
			 0);
	assert_string_equal(out.data, want);
	tc_buf_release(&out);
}

/* Adds src to a fresh set and checks it fails with code at line:col. */
static void expect_compile_error(const char *src, size_t len, int code,
				 int line, int col, const char *msg)
{
	struct tc_tpl_set *set = tc_tpl_set_new(NULL, NULL);
	struct tc_error err;

	assert_non_null(set);
	tc_error_clear(&err);
	assert_int_equal(
	    tc_tpl_add(set, "page", "themes/page.mustache", src, len, &err),
	    -1);
	assert_int_equal(err.code, code);
	assert_string_equal(err.file, "themes/page.mustache");
	assert_int_equal(err.line, line);
	assert_int_equal(err.col, col);
	if (msg)
		assert_string_equal(err.msg, msg);
	tc_tpl_set_free(set);
}

static void test_unclosed_section(void **state)
{
	const char *src = "<ul>\n  {{#items}}\n<li>{{name}}</li>\n";

	(void)state;
	expect_compile_error(src, strlen(src), TC_ESYNTAX, 2, 3,
			     "unclosed section 'items' (opened here; add "
			     "{{/items}})");
}

static void test_mismatched_close(void **state)
{
	const char *src = "x\n{{#a}}{{#b}}y{{/a}}{{/b}}";
	const char *src2 = "x {{/a}}";

	(void)state;
	expect_compile_error(src, strlen(src), TC_ESYNTAX, 2, 14,
			     "close tag 'a' does not match open section 'b'");
	expect_compile_error(src2, strlen(src2), TC_ESYNTAX, 1, 3,
			     "close tag without an open section 'a'");
}

static void test_unclosed_tag(void **state)
{
	const char *src = "caf\xc3\xa9 {{name";
	const char *src2 = "{{=<% %>=}}\n  <%name";

	(void)state;
	/* The column counts characters, not bytes. */
	expect_compile_error(src, strlen(src), TC_ESYNTAX, 1, 6,
			     "unclosed tag (add }})");
	expect_compile_error(src2, strlen(src2), TC_ESYNTAX, 2, 3,
			     "unclosed tag (add %>)");
}

static void test_bad_names(void **state)
{
	const char *a = "{{a b}}";
	const char *b = "{{}}";
	const char *c = "{{a..b}}";
	const char *d = "{{=<%>=}}";

	(void)state;
	expect_compile_error(a, strlen(a), TC_ESYNTAX, 1, 1,
			     "invalid tag name 'a b'");
	expect_compile_error(b, strlen(b), TC_ESYNTAX, 1, 1, "empty tag");
	expect_compile_error(c, strlen(c), TC_ESYNTAX, 1, 1, NULL);
	expect_compile_error(d, strlen(d), TC_ESYNTAX, 1, 1, NULL);
}

static void test_deep_nesting(void **state)
{
	const size_t n = 100000;
	struct tc_buf src = TC_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < n; i++)
		assert_int_equal(tc_buf_adds(&src, "{{#a}}"), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(tc_buf_adds(&src, "{{/a}}"), 0);
	/* The 65th open tag is the one too deep. */
	expect_compile_error(src.data, src.len, TC_EDEPTH, 1,
			     TC_MAX_DEPTH * 6 + 1, "nesting deeper than 64");
	tc_buf_release(&src);
}

static void test_depth_64_is_fine(void **state)
{
	struct tc_buf src = TC_BUF_INIT, out = TC_BUF_INIT;
	struct tc_error err;
	int i;

	(void)state;
	for (i = 0; i < TC_MAX_DEPTH; i++)
		assert_int_equal(tc_buf_adds(&src, "{{#a}}"), 0);
	assert_int_equal(tc_buf_adds(&src, "x"), 0);
	for (i = 0; i < TC_MAX_DEPTH; i++)
		assert_int_equal(tc_buf_adds(&src, "{{/a}}"), 0);
	assert_int_equal(
	    render(src.data, src.len, "{\"a\":true}", NULL, &out, &err), 0);
	assert_string_equal(out.data, "x");
	tc_buf_release(&src);
	tc_buf_release(&out);
}

static void test_recursive_partial(void **state)
{
	struct tc_buf out = TC_BUF_INIT;
	struct tc_error err;
	const char *src = "start {{>p}}";

	(void)state;
	assert_int_equal(tc_buf_adds(&out, "kept"), 0);
	/* "a" is found again at every level, so the recursion never ends
	 * by itself. */
	assert_int_equal(render(src, strlen(src), "{\"a\":{\"b\":1}}",
				"{\"p\":\"{{#a}}[{{>p}}]{{/a}}\"}", &out, &err),
			 -1);
	assert_int_equal(err.code, TC_EDEPTH);
	assert_string_equal(err.file, "p");
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 8);
	assert_non_null(strstr(err.msg, "partials nested deeper than 32"));
	/* On error the output is left as it was. */
	assert_string_equal(out.data, "kept");
	tc_buf_release(&out);
}

static void test_recursive_parent_and_block(void **state)
{
	struct tc_buf out = TC_BUF_INIT;
	struct tc_error err;
	const char *a = "{{<p}}{{/p}}";
	const char *b = "{{<p}}{{$a}}x{{$a}}y{{/a}}{{/a}}{{/p}}";

	(void)state;
	assert_int_equal(
	    render(a, strlen(a), "{}", "{\"p\":\"{{<p}}{{/p}}\"}", &out, &err),
	    -1);
	assert_int_equal(err.code, TC_EDEPTH);
	/* An override holding a block of its own name expands forever. */
	assert_int_equal(render(b, strlen(b), "{}",
				"{\"p\":\"{{$a}}default{{/a}}\"}", &out, &err),
			 -1);
	assert_int_equal(err.code, TC_EDEPTH);
	assert_non_null(strstr(err.msg, "blocks nested deeper"));
	assert_int_equal(out.len, 0);
	tc_buf_release(&out);
}

static void test_escaping_and_values(void **state)
{
	(void)state;
	expect(
	    "{{x}}|{{{x}}}|{{&x}}", "{\"x\":\"<a href=\\\"&\\\">\"}", NULL,
	    "&lt;a href=&quot;&amp;&quot;&gt;|<a href=\"&\">|<a href=\"&\">");
	expect("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	       "{\"a\":85,\"b\":1.21,\"c\":-3,\"d\":0.1,\"e\":true,\"f\":null}",
	       NULL, "85 1.21 -3 0.1 true ");
	expect("{{n}}", "{\"n\":1e300}", NULL, "1e+300");
}

static void test_truthiness(void **state)
{
	(void)state;
	expect("{{#s}}s{{/s}}{{#z}}z{{/z}}{{#o}}o{{/o}}{{#l}}l{{/l}}"
	       "{{^s}}!s{{/s}}{{^z}}!z{{/z}}{{^n}}!n{{/n}}{{^m}}!m{{/m}}",
	       "{\"s\":\"\",\"z\":0,\"o\":{},\"l\":[],\"n\":null}", NULL,
	       "o!s!z!n!m");
}

static void test_layout_inheritance(void **state)
{
	(void)state;
	expect(
	    "{{<layout}}{{$title}}Complaints{{/title}}"
	    "{{$body}}<p>{{intro}}</p>\n{{/body}}{{/layout}}",
	    "{\"intro\":\"Tell us\"}",
	    "{\"layout\":\"<title>{{$title}}Council{{/title}}</title>\\n"
	    "<main>\\n  {{$body}}\\n  {{/body}}\\n</main>\\n\"}",
	    "<title>Complaints</title>\n<main>\n  <p>Tell us</p>\n</main>\n");
}

static void test_render_many_times(void **state)
{
	struct tc_tpl_set *set = tc_tpl_set_new(NULL, NULL);
	struct tc_buf out = TC_BUF_INIT, first = TC_BUF_INIT;
	struct tc_error err;
	const char *layout = "<h1>{{title}}</h1>\n{{#items}}  {{>item}}\n"
			     "{{/items}}";
	const char *item = "<li>{{.}}</li>";
	cJSON *ctx = cJSON_Parse("{\"title\":\"A & B\",\"items\":[1,2,3]}");
	int i;

	(void)state;
	assert_non_null(set);
	assert_non_null(ctx);
	tc_error_clear(&err);
	assert_int_equal(tc_tpl_add(set, "layout", "layout.mustache", layout,
				    strlen(layout), &err),
			 0);
	assert_int_equal(
	    tc_tpl_add(set, "item", "item.mustache", item, strlen(item), &err),
	    0);
	assert_int_equal(tc_tpl_render(set, "layout", ctx, &first, &err), 0);
	assert_string_equal(first.data, "<h1>A &amp; B</h1>\n  <li>1</li>\n"
					"  <li>2</li>\n  <li>3</li>\n");
	for (i = 0; i < 2000; i++) {
		tc_buf_reset(&out);
		assert_int_equal(tc_tpl_render(set, "layout", ctx, &out, &err),
				 0);
		assert_string_equal(out.data, first.data);
	}
	/* Replacing a template takes effect at once. */
	assert_int_equal(
	    tc_tpl_add(set, "item", "item.mustache", "[{{.}}]", 7, &err), 0);
	tc_buf_reset(&out);
	assert_int_equal(tc_tpl_render(set, "layout", ctx, &out, &err), 0);
	assert_string_equal(out.data,
			    "<h1>A &amp; B</h1>\n  [1]\n  [2]\n  [3]\n");
	/* Unknown names are errors at the top and nothing as partials. */
	assert_int_equal(tc_tpl_render(set, "nope", ctx, &out, &err), -1);
	assert_int_equal(err.code, TC_ENOENT);
	cJSON_Delete(ctx);
	tc_buf_release(&out);
	tc_buf_release(&first);
	tc_tpl_set_free(set);
}

struct loader {
	int calls;	   /* times the loader ran */
	pthread_mutex_t m; /* guards calls (threads) */
};

/* Serves a few named templates; counts the calls. */
static int load(void *arg, const char *name, struct tc_buf *src,
		struct tc_buf *file, struct tc_error *err)
{
	struct loader *l = arg;
	const char *text = NULL;

	pthread_mutex_lock(&l->m);
	l->calls++;
	pthread_mutex_unlock(&l->m);
	if (strcmp(name, "page") == 0)
		text = "{{<base}}{{$main}}\n{{#list}}\n{{>row}}\n{{/list}}\n"
		       "{{/main}}{{/base}}";
	else if (strcmp(name, "base") == 0)
		text = "<body>\n  {{$main}}\n  {{/main}}\n</body>\n{{>gone}}";
	else if (strcmp(name, "row") == 0)
		text = "<p>{{name}}: {{n}}</p>\n";
	else if (strcmp(name, "broken") == 0)
		text = "ok\n  {{#x}}";
	else if (strcmp(name, "failing") == 0) {
		tc_error_set(err, TC_EIO, "themes/failing.mustache", 0, 0,
			     "cannot read");
		return -1;
	}
	if (!text)
		return 1;
	if (tc_buf_adds(src, text) < 0 ||
	    tc_buf_addf(file, "themes/%s.mustache", name) < 0)
		return -1;
	return 0;
}

static cJSON *page_data(void)
{
	cJSON *ctx = cJSON_CreateObject(), *list = cJSON_CreateArray();
	int i;

	assert_non_null(ctx);
	assert_non_null(list);
	for (i = 0; i < 50; i++) {
		cJSON *o = cJSON_CreateObject();

		assert_non_null(o);
		assert_non_null(cJSON_AddStringToObject(o, "name", "r<w>"));
		assert_non_null(cJSON_AddNumberToObject(o, "n", i));
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddItemToObject(ctx, "list", list);
	return ctx;
}

static void test_loader(void **state)
{
	struct loader l = {0, PTHREAD_MUTEX_INITIALIZER};
	struct tc_tpl_set *set = tc_tpl_set_new(load, &l);
	struct tc_buf out = TC_BUF_INIT;
	struct tc_error err;
	cJSON *ctx = page_data();
	int i;

	(void)state;
	assert_non_null(set);
	tc_error_clear(&err);
	for (i = 0; i < 20; i++) {
		tc_buf_reset(&out);
		assert_int_equal(tc_tpl_render(set, "page", ctx, &out, &err),
				 0);
	}
	assert_non_null(strstr(out.data, "<body>\n  <p>r&lt;w&gt;: 0</p>\n"
					 "  <p>r&lt;w&gt;: 1</p>\n"));
	assert_non_null(strstr(out.data, "  <p>r&lt;w&gt;: 49</p>\n</body>\n"));
	/* page, base, row and the missing "gone": each loaded once. */
	assert_int_equal(l.calls, 4);
	/* A loaded template that does not compile names its own file. */
	assert_int_equal(tc_tpl_render(set, "broken", ctx, &out, &err), -1);
	assert_int_equal(err.code, TC_ESYNTAX);
	assert_string_equal(err.file, "themes/broken.mustache");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 3);
	/* The loader's own errors come through as they are. */
	assert_int_equal(tc_tpl_render(set, "failing", ctx, &out, &err), -1);
	assert_int_equal(err.code, TC_EIO);
	assert_string_equal(err.msg, "cannot read");
	cJSON_Delete(ctx);
	tc_buf_release(&out);
	tc_tpl_set_free(set);
}

struct job {
	struct tc_tpl_set *set; /* shared by both threads */
	const cJSON *ctx;	/* shared, read only */
	struct tc_buf out;	/* this thread's last output */
	int failures;		/* renders that failed or differed */
};

static void *render_job(void *arg)
{
	struct job *j = arg;
	struct tc_buf first = TC_BUF_INIT;
	struct tc_error err;
	int i;

	for (i = 0; i < 300; i++) {
		tc_buf_reset(&j->out);
		if (tc_tpl_render(j->set, "page", j->ctx, &j->out, &err) < 0) {
			j->failures++;
			continue;
		}
		if (i == 0)
			tc_buf_addbuf(&first, &j->out);
		else if (first.len != j->out.len ||
			 memcmp(first.data, j->out.data, first.len) != 0)
			j->failures++;
	}
	tc_buf_release(&first);
	return NULL;
}

static void test_threads(void **state)
{
	struct loader l = {0, PTHREAD_MUTEX_INITIALIZER};
	struct tc_tpl_set *set = tc_tpl_set_new(load, &l);
	cJSON *ctx = page_data();
	struct job jobs[2];
	pthread_t th[2];
	int i;

	(void)state;
	assert_non_null(set);
	for (i = 0; i < 2; i++) {
		jobs[i].set = set;
		jobs[i].ctx = ctx;
		tc_buf_init(&jobs[i].out, 0);
		jobs[i].failures = 0;
	}
	/* Both start cold, so both race to load the templates. */
	for (i = 0; i < 2; i++)
		assert_int_equal(
		    pthread_create(&th[i], NULL, render_job, &jobs[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(jobs[0].failures, 0);
	assert_int_equal(jobs[1].failures, 0);
	assert_true(jobs[0].out.len > 0);
	assert_int_equal(jobs[0].out.len, jobs[1].out.len);
	assert_memory_equal(jobs[0].out.data, jobs[1].out.data,
			    jobs[0].out.len);
	assert_int_equal(l.calls, 4);
	for (i = 0; i < 2; i++)
		tc_buf_release(&jobs[i].out);
	cJSON_Delete(ctx);
	tc_tpl_set_free(set);
}

static void test_output_cap(void **state)
{
	struct tc_buf out = TC_BUF_INIT;
	struct tc_error err;
	const char *src = "{{#l}}{{s}}{{/l}}";
	cJSON *ctx = cJSON_CreateObject(), *l;
	char *big;
	size_t n = 1024 * 1024;
	int i;

	(void)state;
	/* A caller's smaller cap is kept. */
	tc_buf_init(&out, 100);
	assert_int_equal(render(src, strlen(src),
				"{\"l\":[1,2,3,4,5,6,7,8,9,10,11],"
				"\"s\":\"0123456789\"}",
				NULL, &out, &err),
			 -1);
	assert_int_equal(err.code, TC_ETOOBIG);
	assert_int_equal(out.len, 0);
	assert_int_equal(out.cap, 100);
	tc_buf_release(&out);

	/* Without one, a page stops at TC_MAX_RENDER. */
	tc_buf_init(&out, 0);
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	assert_non_null(ctx);
	assert_non_null(cJSON_AddStringToObject(ctx, "s", big));
	l = cJSON_AddArrayToObject(ctx, "l");
	assert_non_null(l);
	for (i = 0; i < (int)(TC_MAX_RENDER / n) + 1; i++)
		cJSON_AddItemToArray(l, cJSON_CreateTrue());
	tc_error_clear(&err);
	assert_int_equal(
	    tc_tpl_render_string(src, strlen(src), ctx, NULL, &out, &err), -1);
	assert_int_equal(err.code, TC_ETOOBIG);
	assert_int_equal(out.len, 0);
	assert_int_equal(out.cap, 0);
	free(big);
	cJSON_Delete(ctx);
	tc_buf_release(&out);
}

static void test_step_cap(void **state)
{
	struct tc_buf out = TC_BUF_INIT;
	struct tc_error err;
	const char *src = "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
			  "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}";

	(void)state;
	/* 10^8 steps that print nothing: stopped, not run for minutes. */
	assert_int_equal(render(src, strlen(src),
				"{\"l\":[1,2,3,4,5,6,7,8,9,10]}", NULL, &out,
				&err),
			 -1);
	assert_int_equal(err.code, TC_ETOOBIG);
	assert_non_null(strstr(err.msg, "steps"));
	assert_int_equal(out.len, 0);
	/* Three deep is 10^3: fine. */
	assert_int_equal(render("{{#l}}{{#l}}{{#l}}.{{/l}}{{/l}}{{/l}}", 37,
				"{\"l\":[1,2,3,4,5,6,7,8,9,10]}", NULL, &out,
				&err),
			 0);
	assert_int_equal(out.len, 1000);
	tc_buf_release(&out);
}

static void test_hostile_bytes(void **state)
{
	struct tc_buf out = TC_BUF_INIT;
	struct tc_error err;
	const char text[] = "a\0b\xff\xfe{{x}}\xc3";
	const char nul_name[] = "{{x\0y}}";
	const char *bad_name = "{{#\xc3\x28}}[{{.}}]{{/\xc3\x28}}";
	cJSON *ctx = cJSON_CreateObject();
	char data[] = "p\xff\xfeq<";

	(void)state;
	assert_non_null(ctx);
	assert_non_null(cJSON_AddStringToObject(ctx, "x", data));
	/* NUL and invalid UTF-8 in text pass through untouched. */
	tc_error_clear(&err);
	assert_int_equal(
	    tc_tpl_render_string(text, sizeof(text) - 1, ctx, NULL, &out, &err),
	    0);
	assert_int_equal(out.len, 14);
	assert_memory_equal(out.data, "a\0b\xff\xfep\xff\xfeq&lt;\xc3", 14);
	/* A NUL inside a name is refused, not read past. */
	tc_buf_reset(&out);
	assert_int_equal(tc_tpl_render_string(nul_name, sizeof(nul_name) - 1,
					      ctx, NULL, &out, &err),
			 -1);
	assert_int_equal(err.code, TC_ESYNTAX);
	/* Invalid UTF-8 in a name is just a name that is not there. */
	assert_int_equal(tc_tpl_render_string(bad_name, strlen(bad_name), ctx,
					      NULL, &out, &err),
			 0);
	assert_int_equal(out.len, 0);
	/* A NUL at every position of a template does not crash. */
	{
		char buf[] = "x{{#a}}{{>p}}{{/a}}{{=| |=}}|y|\n";
		size_t i, len = sizeof(buf) - 1;

		for (i = 0; i < len; i++) {
			char save = buf[i];

			buf[i] = '\0';
			tc_buf_reset(&out);
			(void)tc_tpl_render_string(buf, len, ctx, NULL, &out,
						   &err);
			buf[i] = save;
		}
	}
	cJSON_Delete(ctx);
	tc_buf_release(&out);
}

static void test_partial_indentation(void **state)
{
	(void)state;
	expect("<ul>\n  {{>list}}\n</ul>\n", "{\"l\":[\"a\",\"b\"]}",
	       "{\"list\":\"{{#l}}\\n<li>\\n  {{>item}}\\n</li>\\n{{/l}}\\n\","
	       "\"item\":\"{{.}}\\n\"}",
	       "<ul>\n  <li>\n    a\n  </li>\n  <li>\n    b\n  </li>\n</ul>\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unclosed_section),
	    cmocka_unit_test(test_mismatched_close),
	    cmocka_unit_test(test_unclosed_tag),
	    cmocka_unit_test(test_bad_names),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_depth_64_is_fine),
	    cmocka_unit_test(test_recursive_partial),
	    cmocka_unit_test(test_recursive_parent_and_block),
	    cmocka_unit_test(test_escaping_and_values),
	    cmocka_unit_test(test_truthiness),
	    cmocka_unit_test(test_layout_inheritance),
	    cmocka_unit_test(test_render_many_times),
	    cmocka_unit_test(test_loader),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_output_cap),
	    cmocka_unit_test(test_step_cap),
	    cmocka_unit_test(test_hostile_bytes),
	    cmocka_unit_test(test_partial_indentation),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
