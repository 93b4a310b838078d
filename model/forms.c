/*
 * forms.c: the heart of the forms module (see forms.h, and
 * forms_internal.h for how the module is divided): the tables of field
 * types, rules and file kinds, the lookups and small helpers the other files
 * share, freeing, and the accessors of a loaded form and a set of forms.
 */
#include "forms_internal.h"

#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "date.h"

const char *const tc_form_type_names[FT_COUNT] = {
    "text",   "email",	    "tel",    "postcode", "textarea", "date",
    "radios", "checkboxes", "select", "file",	  "consent",
};

const char *const tc_form_rule_names[R_COUNT] = {
    "required", "max_length", "pattern", "invalid",
    "past",	"too_many",   "too_big", "wrong_type",
};

/* File kinds a file field may accept: the token, its MIME type, its name. */
const struct form_kind tc_form_kinds[NKINDS] = {
    {"pdf", "application/pdf", "PDF", ".pdf,application/pdf"},
    {"jpeg", "image/jpeg", "JPG", ".jpg,.jpeg,image/jpeg"},
    {"png", "image/png", "PNG", ".png,image/png"},
    {"txt", "text/plain", "TXT", ".txt,text/plain"},
    {"doc", "application/msword", "DOC", ".doc,application/msword"},
    [KIND_DOCX] =
	{"docx",
	 "application/"
	 "vnd.openxmlformats-officedocument.wordprocessingml.document",
	 "DOCX",
	 ".docx,application/"
	 "vnd.openxmlformats-officedocument.wordprocessingml.document"},
};

/* ------------------------------------------------------------------ */
/* Small helpers */

char *tc_form_dupn(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *tc_form_dups(const char *s)
{
	return s ? tc_form_dupn(s, strlen(s)) : NULL;
}

/* The field named name (which may be NULL), or NULL. */
static const struct field *field_named(const struct tc_form *f,
				       const char *name)
{
	return TC_FIND_STR(f->fields, f->nfields, struct field, name, name);
}

long tc_form_find_field(const struct tc_form *f, const char *name)
{
	const struct field *fd = field_named(f, name);

	return fd ? fd - f->fields : -1;
}

long tc_form_find_option(const struct field *fd, const char *value)
{
	const struct option *o =
	    TC_FIND_STR(fd->opts, fd->nopts, struct option, value, value);

	return o ? o - fd->opts : -1;
}

int tc_form_value_has(const cJSON *values, const char *name, const char *value)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, name), *it;
	const cJSON *arr = cJSON_IsArray(v) ? v : NULL;

	if (cJSON_IsString(v))
		return !strcmp(v->valuestring, value);
	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && !strcmp(it->valuestring, value))
			return 1;
	}
	return 0;
}

int tc_form_field_active(const struct tc_form *f, const cJSON *values, size_t i)
{
	const struct field *fd = &f->fields[i], *p;

	if (fd->parent < 0)
		return 1;
	p = &f->fields[fd->parent];
	return tc_form_value_has(values, p->name,
				 p->opts[fd->parent_opt].value);
}

int tc_form_human_size(struct tc_buf *out, size_t n)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		return tc_buf_addf(out, "%zu MB", n / (1024 * 1024));
	if (n >= 1024 && n % 1024 == 0)
		return tc_buf_addf(out, "%zu KB", n / 1024);
	return tc_buf_addf(out, "%zu bytes", n);
}

int tc_form_human_kinds(struct tc_buf *out, unsigned mask)
{
	size_t i, total = 0, seen = 0;
	int rc = 0;

	for (i = 0; i < NKINDS; i++)
		if (mask & (1u << i))
			total++;
	for (i = 0; i < NKINDS && rc == 0; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (seen > 0)
			rc =
			    tc_buf_adds(out, seen + 1 == total ? " or " : ", ");
		if (rc == 0)
			rc = tc_buf_adds(out, tc_form_kinds[i].human);
		seen++;
	}
	return rc;
}

long tc_form_num_n(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* ------------------------------------------------------------------ */
/* Freeing */

static void option_release(struct option *o)
{
	free(o->value);
	free(o->label);
	free(o->hint);
}

static void field_release(struct field *fd)
{
	size_t i;

	free(fd->name);
	free(fd->label);
	free(fd->hint);
	free(fd->req_if_value);
	free(fd->pattern_src);
	tc_pattern_free(fd->pat);
	for (i = 0; i < fd->nopts; i++)
		option_release(&fd->opts[i]);
	free(fd->opts);
	free(fd->autocomplete);
	for (i = 0; i < R_COUNT; i++)
		free(fd->errors[i]);
}

void tc_form_free(struct tc_form *f)
{
	size_t i;

	if (!f)
		return;
	free(f->id);
	free(f->title);
	free(f->version);
	free(f->intro);
	free(f->submit);
	free(f->honeypot);
	free(f->conf_title);
	free(f->conf_body);
	for (i = 0; i < f->nsecs; i++) {
		free(f->secs[i].legend);
		free(f->secs[i].hint);
	}
	free(f->secs);
	for (i = 0; i < f->nfields; i++)
		field_release(&f->fields[i]);
	free(f->fields);
	free(f);
}

/* ------------------------------------------------------------------ */
/* Sets of forms (tc_forms_load_dir is in forms_load.c) */

void tc_forms_free(struct tc_forms *fs)
{
	size_t i;

	if (!fs)
		return;
	for (i = 0; i < fs->n; i++)
		tc_form_free(fs->v[i]);
	free(fs->v);
	free(fs);
}

const struct tc_form *tc_forms_find(const struct tc_forms *fs, const char *id)
{
	size_t i;

	for (i = 0; fs && id && i < fs->n; i++)
		if (!strcmp(fs->v[i]->id, id))
			return fs->v[i];
	return NULL;
}

size_t tc_forms_count(const struct tc_forms *fs)
{
	return fs ? fs->n : 0;
}

const struct tc_form *tc_forms_at(const struct tc_forms *fs, size_t i)
{
	return fs && i < fs->n ? fs->v[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Accessors */

/* An accessor that hands back one member of the form (see forms.h). */
#define FORM_MEMBER(type, fn, member)                                          \
	type fn(const struct tc_form *f)                                       \
	{                                                                      \
		return f->member;                                              \
	}

FORM_MEMBER(const char *, tc_form_id, id)
FORM_MEMBER(const char *, tc_form_title, title)
FORM_MEMBER(const char *, tc_form_hash, hash)
FORM_MEMBER(const char *, tc_form_honeypot, honeypot)
FORM_MEMBER(int, tc_form_has_files, has_files)
FORM_MEMBER(size_t, tc_form_max_files, max_files)
FORM_MEMBER(size_t, tc_form_max_file_size, max_file_size)
FORM_MEMBER(const char *, tc_form_version, version)
FORM_MEMBER(const char *, tc_form_intro, intro)
FORM_MEMBER(const char *, tc_form_submit_label, submit)
FORM_MEMBER(const char *, tc_form_confirmation_title, conf_title)
FORM_MEMBER(const char *, tc_form_confirmation_body, conf_body)
FORM_MEMBER(int, tc_form_confirmation_line, conf_line)
FORM_MEMBER(size_t, tc_form_field_count, nfields)
FORM_MEMBER(int, tc_form_check_answers, check_answers)

const char *tc_form_field_type(const struct tc_form *f, const char *name)
{
	const struct field *fd = field_named(f, name);

	return fd ? tc_form_type_names[fd->type] : NULL;
}

const char *tc_form_field_name(const struct tc_form *f, size_t i)
{
	return i < f->nfields ? f->fields[i].name : NULL;
}

const char *tc_form_field_label(const struct tc_form *f, const char *name)
{
	const struct field *fd = field_named(f, name);

	return fd ? fd->label : NULL;
}

const char *tc_form_field_hint(const struct tc_form *f, const char *name)
{
	const struct field *fd = field_named(f, name);

	return fd ? fd->hint : NULL;
}

const char *tc_form_option_label(const struct tc_form *f, const char *name,
				 const char *value)
{
	const struct field *fd = field_named(f, name);
	long o;

	if (!fd || !value)
		return NULL;
	o = tc_form_find_option(fd, value);
	return o < 0 ? NULL : fd->opts[o].label;
}

/* The answer to one field as the resident would read it: an option's
 * label for its value, "Yes" for a consent box, the text as given. */
static const char *answer_text(const struct field *fd, const char *v)
{
	long o;

	if (fd->type == FT_CONSENT)
		return "Yes";
	if (fd->nopts && (o = tc_form_find_option(fd, v)) >= 0)
		return fd->opts[o].label;
	return v;
}

/* Adds {label, items} for the files of fd in attachments. */
static int add_files(cJSON *row, const struct field *fd,
		     const cJSON *attachments)
{
	cJSON *items = cJSON_AddArrayToObject(row, "items");
	const cJSON *a;
	int n = 0;

	if (!items || !cJSON_AddTrueToObject(row, "list"))
		return -1;
	cJSON_ArrayForEach(a, attachments)
	{
		const cJSON *fl = cJSON_GetObjectItemCaseSensitive(a, "field");
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(a, "name");

		if (!cJSON_IsString(fl) || strcmp(fl->valuestring, fd->name) ||
		    !cJSON_IsString(nm))
			continue;
		if (!cJSON_AddItemToArray(items,
					  cJSON_CreateString(nm->valuestring)))
			return -1;
		n++;
	}
	return n;
}

/* "3 February 2025" for "2025-02-03"; -1 when it is not a date. */
static int date_words(const char *ymd, char out[TC_DAY_WORDS])
{
	int y, m, d;

	if (strlen(ymd) != 10 || tc_ymd_scan(ymd, &y, &m, &d) < 0)
		return -1;
	tc_day_words(tc_day_from_civil(y, m, d), out);
	return 0;
}

cJSON *tc_form_answers(const struct tc_form *f, const cJSON *fields,
		       const cJSON *attachments)
{
	char words[TC_DAY_WORDS];
	cJSON *arr = cJSON_CreateArray(), *row = NULL, *items;
	const cJSON *v, *it;
	size_t i;

	if (!arr)
		return NULL;
	for (i = 0; i < f->nfields; i++) {
		const struct field *fd = &f->fields[i];
		int n = 0;

		row = cJSON_CreateObject();
		if (!row || !cJSON_AddStringToObject(row, "name", fd->name) ||
		    !cJSON_AddStringToObject(row, "label", fd->label))
			goto fail;
		v = cJSON_GetObjectItemCaseSensitive(fields, fd->name);
		if (fd->type == FT_FILE) {
			n = add_files(row, fd, attachments);
		} else if (fd->type == FT_DATE && cJSON_IsString(v) &&
			   date_words(v->valuestring, words) == 0) {
			n = cJSON_AddStringToObject(row, "value", words) ? 1
									 : -1;
		} else if (cJSON_IsString(v) && *v->valuestring) {
			n = cJSON_AddStringToObject(
				row, "value", answer_text(fd, v->valuestring))
				? 1
				: -1;
		} else if (cJSON_IsArray(v)) {
			items = cJSON_AddArrayToObject(row, "items");
			if (!items || !cJSON_AddTrueToObject(row, "list"))
				goto fail;
			cJSON_ArrayForEach(it, v)
			{
				if (!cJSON_IsString(it) || !*it->valuestring)
					continue;
				if (!cJSON_AddItemToArray(
					items, cJSON_CreateString(answer_text(
						   fd, it->valuestring))))
					goto fail;
				n++;
			}
		}
		if (n < 0)
			goto fail;
		if (n == 0) {
			cJSON_Delete(row);
		} else if (!cJSON_AddItemToArray(arr, row)) {
			goto fail;
		}
		row = NULL;
	}
	return arr;
fail:
	cJSON_Delete(row);
	cJSON_Delete(arr);
	return NULL;
}
