/*
 * forms_schema.c: a form definition as JSON for the page's script
 * (tc_form_schema_json, see forms.h), so the script can mirror the
 * validator's rules and messages for instant feedback.
 */
#include "forms_internal.h"

#include <string.h>

static int text_like(enum ftype t)
{
	return (T(t) & T_TEXTLIKE) != 0;
}

/* Adds key: string to obj; 0 or -1. */
static int put_str(cJSON *obj, const char *key, const char *s)
{
	return cJSON_AddStringToObject(obj, key, s) ? 0 : -1;
}

static int put_num(cJSON *obj, const char *key, double n)
{
	return cJSON_AddNumberToObject(obj, key, n) ? 0 : -1;
}

static int put_bool(cJSON *obj, const char *key, int b)
{
	return cJSON_AddBoolToObject(obj, key, b) ? 0 : -1;
}

/* Describes field i as a JSON object added to arr. */
static int schema_field(const struct tc_form *f, size_t i, cJSON *arr)
{
	const struct field *fd = &f->fields[i];
	cJSON *o = NULL, *sub, *list;
	struct tc_buf t = TC_BUF_INIT;
	int rc = -1, r;
	size_t k;

	o = cJSON_CreateObject();
	if (!o)
		goto out;
	if (tc_buf_addf(&t, fd->type == FT_DATE ? "%s-day" : "%s", fd->name) <
	    0)
		goto out;
	if (put_str(o, "name", fd->name) < 0 ||
	    put_str(o, "type", tc_form_type_names[fd->type]) < 0 ||
	    put_str(o, "label", fd->label) < 0 ||
	    put_str(o, "target", t.data) < 0 ||
	    put_bool(o, "required", fd->required) < 0)
		goto out;
	if (fd->req_if >= 0) {
		sub = cJSON_AddObjectToObject(o, "required_if");
		if (!sub ||
		    put_str(sub, "field", f->fields[fd->req_if].name) < 0 ||
		    put_str(sub, "equals", fd->req_if_value) < 0)
			goto out;
	}
	if (fd->parent >= 0) {
		const struct field *p = &f->fields[fd->parent];

		sub = cJSON_AddObjectToObject(o, "revealed_by");
		if (!sub || put_str(sub, "field", p->name) < 0 ||
		    put_str(sub, "value", p->opts[fd->parent_opt].value) < 0)
			goto out;
	}
	if (text_like(fd->type) &&
	    put_num(o, "max_length", (double)fd->max_length) < 0)
		goto out;
	if (fd->pattern_src && put_str(o, "pattern", fd->pattern_src) < 0)
		goto out;
	if (fd->type == FT_DATE && put_bool(o, "past", fd->past) < 0)
		goto out;
	if (fd->nopts) {
		list = cJSON_AddArrayToObject(o, "options");
		for (k = 0; list && k < fd->nopts; k++) {
			sub = cJSON_CreateString(fd->opts[k].value);
			if (!sub || !cJSON_AddItemToArray(list, sub)) {
				cJSON_Delete(sub);
				goto out;
			}
		}
		if (!list)
			goto out;
	}
	if (fd->type == FT_FILE) {
		list = cJSON_AddArrayToObject(o, "accept");
		for (k = 0; list && k < NKINDS; k++) {
			if (!(fd->accept & (1u << k)))
				continue;
			sub = cJSON_CreateString(tc_form_kinds[k].mime);
			if (!sub || !cJSON_AddItemToArray(list, sub)) {
				cJSON_Delete(sub);
				goto out;
			}
		}
		if (!list || put_num(o, "max_size", (double)fd->max_size) < 0 ||
		    put_num(o, "max_files", (double)fd->max_files) < 0)
			goto out;
	}
	sub = cJSON_AddObjectToObject(o, "messages");
	if (!sub)
		goto out;
	for (r = 0; r < R_COUNT; r++)
		if (fd->errors[r] &&
		    put_str(sub, tc_form_rule_names[r], fd->errors[r]) < 0)
			goto out;
	if (!cJSON_AddItemToArray(arr, o))
		goto out;
	o = NULL;
	rc = 0;
out:
	cJSON_Delete(o);
	tc_buf_release(&t);
	return rc;
}

/* Returns a tree the caller frees with cJSON_Delete, or NULL on ENOMEM. */
cJSON *tc_form_schema_json(const struct tc_form *f)
{
	cJSON *o = NULL, *ret = NULL, *arr;
	size_t i;

	o = cJSON_CreateObject();
	if (!o || put_str(o, "format", "threecs-form-schema/1") < 0 ||
	    put_str(o, "id", f->id) < 0 ||
	    put_str(o, "version", f->version) < 0 ||
	    put_str(o, "hash", f->hash) < 0 ||
	    put_str(o, "honeypot", f->honeypot) < 0 ||
	    put_bool(o, "has_files", f->has_files) < 0)
		goto out;
	arr = cJSON_AddArrayToObject(o, "fields");
	if (!arr)
		goto out;
	for (i = 0; i < f->nfields; i++)
		if (schema_field(f, i, arr) < 0)
			goto out;
	ret = o;
	o = NULL;
out:
	cJSON_Delete(o);
	return ret;
}
