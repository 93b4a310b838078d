/*
 * fuzz_template.c: the Mustache engine, template and data both hostile.
 *
 * The input is parts separated by NUL bytes:
 *   TEMPLATE \0 DATA \0 NAME\nSOURCE \0 NAME\nSOURCE ...
 * DATA is JSON when it starts with '{' or '[' (after blanks), else YAML
 * (as content/ front matter is); each later part is a partial or parent
 * called NAME. The template is rendered twice: through
 * tc_tpl_render_string with the partials as a JSON object, and through a
 * tc_tpl_set whose loader serves them, so inheritance ({{<parent}}
 * {{$block}}) and partials loaded on first use are both exercised. Both
 * renders must agree; a failure must say why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "err.h"
#include "template.h"
#include "yamljson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS 16

struct part {
	const char *p; /* not NUL-terminated */
	size_t n;
};

struct parts {
	struct part v[MAX_PARTS];
	size_t n;
};

/* Serves NAME\nSOURCE parts by name; the first of a name counts. */
static int load(void *arg, const char *name, struct tc_buf *src,
		struct tc_buf *file, struct tc_error *err)
{
	const struct parts *ps = arg;
	size_t i, nl, len = strlen(name);

	for (i = 2; i < ps->n; i++) {
		const char *p = ps->v[i].p;

		nl = 0;
		while (nl < ps->v[i].n && p[nl] != '\n')
			nl++;
		if (nl != len || memcmp(p, name, len))
			continue;
		if (nl < ps->v[i].n)
			nl++;
		if (tc_buf_add(src, p + nl, ps->v[i].n - nl) < 0) {
			tc_error_set(err, TC_ETOOBIG, name, 0, 0, "too big");
			return -1;
		}
		tc_buf_adds(file, name);
		return 0;
	}
	return 1;
}

/* The same partials as a JSON object, for tc_tpl_render_string. */
static cJSON *partials_object(const struct parts *ps)
{
	cJSON *o = cJSON_CreateObject();
	size_t i, nl;

	if (!o)
		abort();
	for (i = 2; i < ps->n; i++) {
		const char *p = ps->v[i].p;
		char *name, *src;

		nl = 0;
		while (nl < ps->v[i].n && p[nl] != '\n')
			nl++;
		name = strndup(p, nl);
		src = nl < ps->v[i].n ? strndup(p + nl + 1, ps->v[i].n - nl - 1)
				      : strdup("");
		if (!name || !src)
			abort();
		if (!cJSON_GetObjectItemCaseSensitive(o, name))
			cJSON_AddItemToObject(o, name, cJSON_CreateString(src));
		free(name);
		free(src);
	}
	return o;
}

static cJSON *parse_data(const char *p, size_t n)
{
	struct tc_yaml_doc *doc;
	struct tc_error err;
	cJSON *root;
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\t'))
		i++;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return cJSON_ParseWithLength(p, n);
	tc_error_clear(&err);
	doc = tc_yaml_parse("data.yml", p, n, 1, &err);
	if (!doc)
		return NULL;
	root = tc_yaml_detach(doc);
	tc_yaml_free(doc);
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct parts ps;
	struct tc_buf out1 = TC_BUF_INIT, out2 = TC_BUF_INIT;
	struct tc_error err1, err2;
	struct tc_tpl_set *set;
	cJSON *ctx, *partials;
	size_t i, start = 0;
	int rc1, rc2;

	memset(&ps, 0, sizeof(ps));
	for (i = 0; i <= size && ps.n < MAX_PARTS; i++) {
		if (i == size || s[i] == '\0') {
			ps.v[ps.n].p = s + start;
			ps.v[ps.n].n = i - start;
			ps.n++;
			start = i + 1;
		}
	}
	ctx = ps.n > 1 ? parse_data(ps.v[1].p, ps.v[1].n) : NULL;
	if (!ctx)
		ctx = cJSON_CreateObject();
	partials = partials_object(&ps);

	tc_error_clear(&err1);
	rc1 = tc_tpl_render_string(ps.v[0].p, ps.v[0].n, ctx, partials, &out1,
				   &err1);
	if (rc1 < 0 && !err1.msg[0])
		abort(); /* a failure must say why */

	set = tc_tpl_set_new(load, &ps);
	if (!set)
		abort();
	tc_error_clear(&err2);
	rc2 = tc_tpl_add(set, "fuzz\nmain", "main.mustache", ps.v[0].p,
			 ps.v[0].n, &err2);
	if (rc2 == 0)
		rc2 = tc_tpl_render(set, "fuzz\nmain", ctx, &out2, &err2);
	if (rc2 < 0 && !err2.msg[0])
		abort();
	/* A second render reuses what the set compiled the first time. */
	if (rc2 == 0) {
		struct tc_buf again = TC_BUF_INIT;

		if (tc_tpl_render(set, "fuzz\nmain", ctx, &again, &err2) < 0 ||
		    again.len != out2.len ||
		    memcmp(again.data, out2.data, out2.len))
			abort(); /* rendering must be repeatable */
		tc_buf_release(&again);
	}
	/* Same template, same partials: same outcome either way. */
	if (rc1 != rc2 ||
	    (rc1 == 0 &&
	     (out1.len != out2.len || memcmp(out1.data, out2.data, out1.len))))
		abort();

	tc_tpl_set_free(set);
	tc_buf_release(&out1);
	tc_buf_release(&out2);
	cJSON_Delete(partials);
	cJSON_Delete(ctx);
	return 0;
}
