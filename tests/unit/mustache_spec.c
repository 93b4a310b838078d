/*
 * mustache_spec.c: runs the official Mustache spec against the engine in
 * common/template_*.c.
 *
 *     mustache_spec [spec-dir]
 *
 * Loads each spec file with cJSON and renders every test with
 * tc_tpl_render_string, partials taken from the test's "partials" object.
 * Prints each failure with what was expected and what came out, then
 * "mustache spec: N passed, N failed"; exits 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "err.h"
#include "template.h"

/* The spec files this engine must pass (lambdas and dynamic names are
 * optional parts of the spec and not implemented). */
static const char *const spec_files[] = {
    "comments.json", "delimiters.json", "interpolation.json", "inverted.json",
    "partials.json", "sections.json",	"~inheritance.json",
};

/*
 * Reads the whole file at path into b. Returns 0, or -1 after printing why.
 */
static int read_file(const char *path, struct tc_buf *b)
{
	char chunk[8192];
	FILE *fp = fopen(path, "rb");
	size_t n;
	int ret = -1;

	if (!fp) {
		perror(path);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (tc_buf_add(b, chunk, n) < 0) {
			fprintf(stderr, "%s: out of memory\n", path);
			goto out;
		}
	}
	if (ferror(fp)) {
		perror(path);
		goto out;
	}
	ret = 0;
out:
	if (fp)
		fclose(fp);
	return ret;
}

/* Prints s quoted, with control bytes escaped, so whitespace shows. */
static void show(const char *label, const char *s, size_t len)
{
	size_t i;

	printf("  %s: \"", label);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch == '\r')
			fputs("\\r", stdout);
		else if (ch == '\t')
			fputs("\\t", stdout);
		else if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
	fputs("\"\n", stdout);
}

/* Runs one test; returns 1 when it passes, 0 when it fails. */
static int run_test(const char *file, const cJSON *test)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(test, "name");
	const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(test, "template");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(test, "expected");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(test, "data");
	const cJSON *partials =
	    cJSON_GetObjectItemCaseSensitive(test, "partials");
	const char *tname = cJSON_IsString(name) ? name->valuestring : "?";
	struct tc_buf out = TC_BUF_INIT;
	struct tc_error err;
	char msg[2048];
	int ok = 0;

	tc_error_clear(&err);
	if (!cJSON_IsString(tpl) || !cJSON_IsString(want)) {
		printf("FAIL %s: %s\n  malformed test\n", file, tname);
		goto out;
	}
	if (tc_tpl_render_string(tpl->valuestring, strlen(tpl->valuestring),
				 data, partials, &out, &err) < 0) {
		tc_error_format(&err, msg, sizeof(msg));
		printf("FAIL %s: %s\n", file, tname);
		show("expected", want->valuestring, strlen(want->valuestring));
		printf("  error: %s\n", msg);
		goto out;
	}
	if (out.len != strlen(want->valuestring) ||
	    memcmp(out.data, want->valuestring, out.len) != 0) {
		printf("FAIL %s: %s\n", file, tname);
		show("expected", want->valuestring, strlen(want->valuestring));
		show("got", out.data, out.len);
		goto out;
	}
	ok = 1;
out:
	tc_buf_release(&out);
	return ok;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../shared/spec/mustache";
	unsigned passed = 0, failed = 0;
	size_t i;

	for (i = 0; i < sizeof(spec_files) / sizeof(spec_files[0]); i++) {
		struct tc_buf path = TC_BUF_INIT, text = TC_BUF_INIT;
		const cJSON *tests, *test;
		cJSON *doc = NULL;

		if (tc_buf_addf(&path, "%s/%s", dir, spec_files[i]) < 0 ||
		    read_file(path.data, &text) < 0) {
			printf("FAIL %s: cannot read the file\n",
			       spec_files[i]);
			failed++;
			goto next;
		}
		doc = cJSON_ParseWithLength(text.data, text.len);
		tests = cJSON_GetObjectItemCaseSensitive(doc, "tests");
		if (!cJSON_IsArray(tests)) {
			printf("FAIL %s: not a spec file\n", spec_files[i]);
			failed++;
			goto next;
		}
		cJSON_ArrayForEach(test, tests)
		{
			if (run_test(spec_files[i], test))
				passed++;
			else
				failed++;
		}
	next:
		cJSON_Delete(doc);
		tc_buf_release(&path);
		tc_buf_release(&text);
	}
	printf("mustache spec: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
