/*
 * fuzz_forms.c: the form validator and the form loader.
 *
 * The first byte picks the mode:
 *   'y' or 'Y': the rest is a form definition (content/forms/NAME.yml):
 *     it is written to a file beside a copy of _services.yml and loaded
 *     with tc_form_load; a form that loads is rendered, its schema made,
 *     and a fixed post (every field "x") normalised, validated and
 *     re-rendered with its errors;
 *   '{' or '[': the whole input is JSON: given as it is to the validator
 *     as stored values (as casework does with submission.json's fields),
 *     and turned into a post (strings and lists of strings) for the path
 *     intake takes;
 *   anything else: the input is a urlencoded body (a=1&b=2), each name
 *     posted with its values in order.
 * Posts go through tc_form_normalise, tc_form_validate and tc_form_render
 * (the form again with the error summary), against the real
 * content/forms/complaint.yml ($THREECS_ROOT, default ".").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "err.h"
#include "escape.h"
#include "forms.h"
#include "fuzzlib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define TODAY "2026-04-01"

static struct tc_form *complaint;

static void cleanup(void)
{
	tc_form_free(complaint);
	complaint = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *root = fuzz_root(), *dir;
	char path[4200], to[4200];
	struct tc_error err;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/content/forms/complaint.yml", root);
	tc_error_clear(&err);
	complaint = tc_form_load(path, &err);
	if (!complaint) {
		fprintf(stderr, "fuzz_forms: cannot load %s: %s\n", path,
			err.msg);
		abort();
	}
	dir = fuzz_scratch("fuzz_forms");
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/content/forms/_services.yml", root);
	snprintf(to, sizeof(to), "%s/_services.yml", dir);
	fuzz_copy(path, to);
	fuzz_input_file("fuzz.yml");
	fuzz_quiet();
	return 0;
}

/* Posted values through the intake path: normalise, validate, re-render. */
static void post(const struct tc_form *f, const cJSON *posted)
{
	struct tc_form_errors errs = {0};
	struct tc_buf html = TC_BUF_INIT;
	cJSON *values;
	int honeypot = 0, n;
	size_t i;

	values = tc_form_normalise(f, posted, &honeypot);
	if (!values)
		abort();
	n = tc_form_validate(f, values, NULL, TODAY, &errs);
	if (n < 0 || (size_t)n != errs.n)
		abort();
	for (i = 0; i < errs.n; i++)
		if (!errs.v[i].field || !errs.v[i].message ||
		    !errs.v[i].target ||
		    !tc_form_field_type(f, errs.v[i].field))
			abort(); /* every error names a field of the form */
	if (tc_form_render(f, "/submit/fuzz", values, &errs, &html) < 0)
		abort();
	tc_form_errors_release(&errs);
	cJSON_Delete(values);
	tc_buf_release(&html);
}

/* An empty post: each name with the list of its values. */
static cJSON *post_new(void)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		abort();
	return o;
}

/* The list of the values posted for name, added empty when there is none. */
static cJSON *post_list(cJSON *post, const char *name)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(post, name);

	if (!list)
		list = cJSON_AddArrayToObject(post, name);
	if (!list)
		abort();
	return list;
}

/* a=1&b=2&a=3 -> {"a":["1","3"],"b":["2"]} */
static cJSON *urlencoded(const char *s, size_t n)
{
	cJSON *o = post_new();
	struct tc_buf name = TC_BUF_INIT, value = TC_BUF_INIT;
	struct tc_buf *cur;
	size_t i = 0;

	while (i <= n) {
		tc_buf_reset(&name);
		tc_buf_reset(&value);
		cur = &name;
		for (; i < n && s[i] != '&'; i++) {
			int hi, lo;

			if (s[i] == '=' && cur == &name) {
				cur = &value;
			} else if (s[i] == '+') {
				tc_buf_addch(cur, ' ');
			} else if (s[i] == '%' && i + 2 < n &&
				   (hi = tc_hexval((unsigned char)s[i + 1])) >=
				       0 &&
				   (lo = tc_hexval((unsigned char)s[i + 2])) >=
				       0) {
				tc_buf_addch(cur, (char)(hi * 16 + lo));
				i += 2;
			} else {
				tc_buf_addch(cur, s[i]);
			}
		}
		i++;
		if (name.len)
			cJSON_AddItemToArray(post_list(o, name.data),
					     cJSON_CreateString(value.data));
	}
	tc_buf_release(&name);
	tc_buf_release(&value);
	return o;
}

/* Any JSON as a post: strings as one value, lists by their strings. */
static cJSON *as_post(const cJSON *j)
{
	cJSON *o = post_new();
	const cJSON *m, *e;

	cJSON_ArrayForEach(m, j)
	{
		cJSON *list;

		if (!m->string)
			continue;
		list = post_list(o, m->string);
		if (cJSON_IsString(m))
			cJSON_AddItemToArray(
			    list, cJSON_CreateString(m->valuestring));
		for (e = cJSON_IsArray(m) ? m->child : NULL; e; e = e->next)
			if (cJSON_IsString(e))
				cJSON_AddItemToArray(
				    list, cJSON_CreateString(e->valuestring));
	}
	return o;
}

static void json_mode(const char *s, size_t n)
{
	cJSON *j = cJSON_ParseWithLength(s, n), *p;
	struct tc_form_errors errs = {0};
	struct tc_buf html = TC_BUF_INIT;

	if (!j)
		return;
	/* Stored values, as casework reads them, whatever their shape. */
	if (tc_form_validate(complaint, j,
			     cJSON_GetObjectItem(j, "attachments"), TODAY,
			     &errs) < 0)
		abort();
	if (tc_form_render(complaint, "/submit/fuzz", j, &errs, &html) < 0)
		abort();
	tc_form_errors_release(&errs);
	tc_buf_release(&html);
	p = as_post(j);
	post(complaint, p);
	cJSON_Delete(p);
	cJSON_Delete(j);
}

static void yaml_mode(const char *s, size_t n)
{
	struct tc_error err;
	struct tc_form *f;
	struct tc_buf html = TC_BUF_INIT;
	cJSON *schema, *posted;
	size_t i, nf;
	const char *yml_path = fuzz_input(s, n);

	tc_error_clear(&err);
	f = tc_form_load(yml_path, &err);
	if (!f) {
		if (!err.msg[0])
			abort(); /* a refusal must say why */
		return;
	}
	if (tc_form_render(f, "/submit/fuzz", NULL, NULL, &html) < 0)
		abort();
	schema = tc_form_schema_json(f);
	if (!schema)
		abort();
	cJSON_Delete(schema);
	posted = cJSON_CreateObject();
	nf = tc_form_field_count(f);
	for (i = 0; i < nf; i++) {
		const char *name = tc_form_field_name(f, i);
		cJSON *list = cJSON_CreateArray();

		if (!name || !tc_form_field_type(f, name))
			abort(); /* every field listed is known by name */
		tc_form_field_label(f, name);
		cJSON_AddItemToArray(list, cJSON_CreateString("x"));
		cJSON_AddItemToObject(posted, name, list);
	}
	post(f, posted);
	cJSON_Delete(posted);
	tc_buf_release(&html);
	tc_form_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	cJSON *p;

	if (size && (s[0] == 'y' || s[0] == 'Y')) {
		yaml_mode(s + 1, size - 1);
	} else if (size && (s[0] == '{' || s[0] == '[')) {
		json_mode(s, size);
	} else {
		p = urlencoded(s, size);
		post(complaint, p);
		cJSON_Delete(p);
	}
	return 0;
}
