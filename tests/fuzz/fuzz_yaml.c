/*
 * fuzz_yaml.c: YAML loading and front matter. The input goes to
 * tc_front_matter (a Markdown file as an editor saves it) and to
 * tc_yaml_parse (a whole YAML file such as site.yml); every node of a
 * parsed document must have a position, and a failed parse must say where.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "yamljson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct tc_yaml_doc *doc, const cJSON *node)
{
	const cJSON *c;
	int line = 0, col = 0;

	if (tc_yaml_where(doc, node, &line, &col) == 0 && line < 1)
		abort(); /* a position must be a real line */
	for (c = node->child; c; c = c->next)
		walk(doc, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tc_yaml_doc *doc;
	struct tc_error err;
	size_t body_off = 0;
	int body_line = 0;

	tc_error_clear(&err);
	doc = tc_yaml_parse("fuzz.yml", (const char *)data, size, 1, &err);
	if (doc) {
		walk(doc, tc_yaml_root(doc));
		tc_yaml_free(doc);
	} else if (err.line < 0 || !err.msg[0]) {
		abort(); /* a refusal must say what is wrong */
	}

	tc_error_clear(&err);
	doc = tc_front_matter("fuzz.md", (const char *)data, size, &body_off,
			      &body_line, &err);
	if (doc) {
		if (body_off > size || body_line < 1)
			abort(); /* the body must lie inside the input */
		walk(doc, tc_yaml_root(doc));
		tc_yaml_free(doc);
	} else if (!err.msg[0]) {
		abort();
	}
	return 0;
}
