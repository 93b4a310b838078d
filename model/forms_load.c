/*
 * forms_load.c: reading a form definition (content/forms/NAME.yml, as
 * docs/forms.md documents it) into the structures of forms_internal.h,
 * checking it as it goes so that every problem is reported at its
 * file:line:col, and reading a folder of definitions into a set.
 */
#include "forms_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "fsutil.h"
#include "limits.h"
#include "sha256.h"
#include "yamljson.h"

/* HTML autocomplete tokens a field may name (single tokens only). */
static const char *const autocomplete_tokens[] = {
    "on",
    "off",
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "username",
    "organization-title",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level4",
    "address-level3",
    "address-level2",
    "address-level1",
    "country",
    "country-name",
    "postal-code",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "sex",
    "url",
    "email",
    "tel",
    "tel-national",
    "language",
};

/* The types each rule can fail for (so an errors: key must apply). */
static const unsigned rule_types[R_COUNT] = {
    T_ALL,	T_TEXTLIKE, T_TEXTLIKE, T_ALL & ~T(FT_FILE),
    T(FT_DATE), T(FT_FILE), T(FT_FILE), T(FT_FILE),
};
/* 1 when s is a field name: [a-z][a-z0-9_]*, at most MAX_NAME bytes. */
static int valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > MAX_NAME || !is_lower((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_lower(c) && !is_digit(c) && c != '_')
			return 0;
	}
	return 1;
}

static int type_from_name(const char *s)
{
	int i;

	for (i = 0; i < FT_COUNT; i++)
		if (!strcmp(s, tc_form_type_names[i]))
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Loading one definition */

struct loader {
	const char *path;	 /* the file named in errors */
	struct tc_yaml_doc *doc; /* node positions for that file */
	const char *dir;	 /* the form's folder, for options_from */
	struct tc_error *err;	 /* filled on the first problem */
	struct tc_form *f;	 /* the form being built */
};

/*
 * Fills ld->err with a problem at node (its key when at_key and the key's
 * position is known). Returns -1 so callers can write return bad(...).
 */
static int bad(struct loader *ld, const cJSON *node, int at_key, int code,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int bad(struct loader *ld, const cJSON *node, int at_key, int code,
	       const char *fmt, ...)
{
	char msg[sizeof(ld->err->msg)];
	int line = 0, col = 0;
	va_list ap;

	if (node &&
	    !(at_key && tc_yaml_key_where(ld->doc, node, &line, &col) == 0))
		tc_yaml_where(ld->doc, node, &line, &col);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tc_error_set(ld->err, code, ld->path, line, col, "%s", msg);
	return -1;
}

static int nomem(struct loader *ld)
{
	tc_error_set(ld->err, TC_ENOMEM, ld->path, 0, 0, "out of memory");
	return -1;
}

/*
 * Reads the string at obj.key into *out (a malloc'd copy the caller frees;
 * left NULL when the key is absent and not required). Returns 0 or -1.
 */
static int get_str(struct loader *ld, const cJSON *obj, const char *key,
		   int required, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v || cJSON_IsNull(v)) {
		if (required)
			return bad(ld, obj, 0, TC_EINVAL,
				   "missing '%s': add it", key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return bad(ld, v, 0, TC_EINVAL,
			   "'%s' must be text: put it in quotes", key);
	if (required && v->valuestring[0] == '\0')
		return bad(ld, v, 0, TC_EINVAL, "'%s' must not be empty", key);
	*out = tc_form_dups(v->valuestring);
	if (!*out)
		return nomem(ld);
	return 0;
}

/* Reads a boolean at obj.key into *out (left alone when absent). */
static int get_bool(struct loader *ld, const cJSON *obj, const char *key,
		    int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		return bad(ld, v, 0, TC_EINVAL, "'%s' must be true or false",
			   key);
	*out = cJSON_IsTrue(v);
	return 0;
}

/* Reads a whole number in [min, max] at obj.key (left alone when absent). */
static int get_size(struct loader *ld, const cJSON *obj, const char *key,
		    size_t min, size_t max, size_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	double d;

	if (!v)
		return 0;
	d = cJSON_IsNumber(v) ? v->valuedouble : -1;
	if (!cJSON_IsNumber(v) || d < (double)min || d > (double)max ||
	    d != (double)(size_t)d)
		return bad(ld, v, 0, TC_EINVAL,
			   "'%s' must be a whole number from %zu to %zu", key,
			   min, max);
	*out = (size_t)d;
	return 0;
}

/* Checks that every key of obj is in the NULL-terminated list. */
static int check_keys(struct loader *ld, const cJSON *obj,
		      const char *const *keys, const char *what)
{
	const cJSON *it;
	size_t i;
	int found;

	cJSON_ArrayForEach(it, obj)
	{
		found = 0;
		for (i = 0; keys[i] && !found; i++)
			found = !strcmp(it->string, keys[i]);
		if (!found)
			return bad(ld, it, 1, TC_EINVAL,
				   "unknown key in %s '%s'", what, it->string);
	}
	return 0;
}

/*
 * Checks that node is a mapping (else the problem is shape, which says what
 * it should be) whose keys are all in the NULL-terminated list.
 */
static int check_mapping(struct loader *ld, const cJSON *node,
			 const char *const *keys, const char *what,
			 const char *shape)
{
	if (!cJSON_IsObject(node))
		return bad(ld, node, 0, TC_EINVAL, "%s", shape);
	return check_keys(ld, node, keys, what);
}

/* Which keys a field may have, by type. */
static const struct {
	const char *key;
	unsigned types;
} field_keys[] = {
    {"name", T_ALL},
    {"type", T_ALL},
    {"label", T_ALL},
    {"hint", T_ALL},
    {"required", T_ALL},
    {"required_if", T_ALL},
    {"errors", T_ALL},
    {"max_length", T_TEXTLIKE},
    {"pattern", T_TEXTLIKE},
    {"autocomplete", T_LINE | T(FT_DATE) | T(FT_SELECT) | T(FT_TEXTAREA)},
    {"width", T_LINE},
    {"options", T_CHOICE},
    {"options_from", T_CHOICE},
    {"accept", T(FT_FILE)},
    {"max_size", T(FT_FILE)},
    {"max_files", T(FT_FILE)},
    {"past", T(FT_DATE)},
    {"rows", T(FT_TEXTAREA)},
};
#define NFIELD_KEYS (sizeof(field_keys) / sizeof(field_keys[0]))

static int check_field_keys(struct loader *ld, const cJSON *obj, enum ftype t)
{
	const cJSON *it;
	size_t i;
	int found, known;

	cJSON_ArrayForEach(it, obj)
	{
		found = known = 0;
		for (i = 0; i < NFIELD_KEYS && !found; i++) {
			if (strcmp(it->string, field_keys[i].key))
				continue;
			known = 1;
			found = (field_keys[i].types & T(t)) != 0;
		}
		if (!known)
			return bad(ld, it, 1, TC_EINVAL,
				   "unknown key in field '%s'", it->string);
		if (!found)
			return bad(ld, it, 1, TC_EINVAL,
				   "'%s' does not apply to a %s field",
				   it->string, tc_form_type_names[t]);
	}
	return 0;
}

/* Lowercases the first letter of a label unless it starts an acronym. */
static int add_lower_first(struct tc_buf *b, const char *s)
{
	if (is_upper((unsigned char)s[0]) && !is_upper((unsigned char)s[1])) {
		if (tc_buf_addch(b, s[0] - 'A' + 'a') < 0)
			return -1;
		s++;
	}
	return tc_buf_adds(b, s);
}

/*
 * The plain-English message for a rule the definition gives none for: a
 * malloc'd string the caller frees, or NULL on ENOMEM.
 */
static char *default_message(const struct field *fd, enum rule r)
{
	struct tc_buf b = TC_BUF_INIT;
	const char *label = fd->label;
	size_t llen = strlen(label);
	int question = llen > 0 && label[llen - 1] == '?';
	int choice = (T(fd->type) & T_CHOICE) != 0;
	int rc = 0;
	char *ret = NULL;

	switch (r) {
	case R_REQUIRED:
		if (fd->type == FT_CONSENT)
			rc = tc_buf_adds(&b, "Tick the box to confirm");
		else if (fd->type == FT_FILE)
			rc = tc_buf_adds(&b, "Select a file");
		else if (question)
			rc = tc_buf_addf(&b, "%s an answer to: %s",
					 choice ? "Select" : "Enter", label);
		else if ((rc = tc_buf_adds(&b,
					   choice ? "Select " : "Enter ")) == 0)
			rc = add_lower_first(&b, label);
		break;
	case R_MAX_LENGTH:
		rc = tc_buf_addf(&b, "%s must be %zu characters or fewer",
				 question ? "Your answer" : label,
				 fd->max_length);
		break;
	case R_PATTERN:
		if (question)
			rc = tc_buf_adds(
			    &b, "Enter your answer in the right format");
		else if ((rc = tc_buf_adds(&b, "Enter ")) == 0 &&
			 (rc = add_lower_first(&b, label)) == 0)
			rc = tc_buf_adds(&b, " in the right format");
		break;
	case R_INVALID:
		switch (fd->type) {
		case FT_EMAIL:
			rc = tc_buf_adds(&b, "Enter an email address in the "
					     "right format, like "
					     "name@example.com");
			break;
		case FT_TEL:
			rc = tc_buf_adds(&b, "Enter a telephone number, like "
					     "01632 960 001 or 07700 900 982");
			break;
		case FT_POSTCODE:
			rc = tc_buf_adds(&b, "Enter a real postcode, like "
					     "NM1 1AA");
			break;
		case FT_DATE:
			rc = tc_buf_addf(&b, "%s must be a real date",
					 question ? "The date" : label);
			break;
		case FT_RADIOS:
		case FT_CHECKBOXES:
		case FT_SELECT:
			rc = tc_buf_adds(&b, "Select one of the options given");
			break;
		case FT_CONSENT:
			rc = tc_buf_adds(&b, "Tick the box to confirm");
			break;
		default:
			rc = tc_buf_addf(&b,
					 "%s must only use letters, numbers "
					 "and symbols you can type",
					 question ? "Your answer" : label);
			break;
		}
		break;
	case R_PAST:
		rc = tc_buf_addf(&b, "%s must be today or in the past",
				 question ? "The date" : label);
		break;
	case R_TOO_MANY:
		rc = tc_buf_addf(&b, "You can upload up to %zu file%s",
				 fd->max_files, fd->max_files == 1 ? "" : "s");
		break;
	case R_TOO_BIG:
		if ((rc = tc_buf_adds(&b, "Each file must be smaller than ")) ==
		    0)
			rc = tc_form_human_size(&b, fd->max_size);
		break;
	case R_WRONG_TYPE:
		if ((rc = tc_buf_adds(&b, "Each file must be a ")) == 0)
			rc = tc_form_human_kinds(&b, fd->accept);
		break;
	case R_COUNT:
		break;
	}
	if (rc == 0)
		ret = tc_buf_detach(&b, NULL);
	tc_buf_release(&b);
	return ret;
}

/* Reads errors: {rule: message} and fills in defaults for the rest. */
static int load_errors(struct loader *ld, const cJSON *fobj, struct field *fd)
{
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(fobj, "errors");
	const cJSON *it;
	int r, found;

	if (errs && !cJSON_IsObject(errs))
		return bad(ld, errs, 0, TC_EINVAL,
			   "'errors' must map rules to messages");
	cJSON_ArrayForEach(it, errs)
	{
		found = -1;
		for (r = 0; r < R_COUNT && found < 0; r++)
			if (!strcmp(it->string, tc_form_rule_names[r]))
				found = r;
		if (found < 0)
			return bad(ld, it, 1, TC_EINVAL,
				   "unknown rule in errors '%s': use "
				   "required, max_length, pattern, invalid, "
				   "past, too_many, too_big or wrong_type",
				   it->string);
		if (!(rule_types[found] & T(fd->type)))
			return bad(ld, it, 1, TC_EINVAL,
				   "rule '%s' does not apply to a %s field",
				   it->string, tc_form_type_names[fd->type]);
		if (!cJSON_IsString(it) || !it->valuestring[0])
			return bad(ld, it, 0, TC_EINVAL,
				   "error message for '%s' must be text",
				   it->string);
		fd->errors[found] = tc_form_dups(it->valuestring);
		if (!fd->errors[found])
			return nomem(ld);
	}
	for (r = 0; r < R_COUNT; r++) {
		if (fd->errors[r] || !(rule_types[r] & T(fd->type)))
			continue;
		fd->errors[r] = default_message(fd, (enum rule)r);
		if (!fd->errors[r])
			return nomem(ld);
	}
	return 0;
}

/* Appends a zeroed field; returns its index or -1. */
static long new_field(struct loader *ld, const cJSON *node)
{
	struct tc_form *f = ld->f;

	if (f->nfields >= MAX_FIELDS)
		return bad(ld, node, 0, TC_ETOOBIG,
			   "too many fields: at most %d", MAX_FIELDS);
	if (TC_ALLOC_GROW_TRY(f->fields, f->nfields + 1, f->fcap) < 0)
		return nomem(ld);
	memset(&f->fields[f->nfields], 0, sizeof(f->fields[0]));
	f->fields[f->nfields].req_if = -1;
	f->fields[f->nfields].parent = -1;
	return (long)f->nfields++;
}

static int load_field(struct loader *ld, const cJSON *node, size_t section,
		      long parent, size_t parent_opt);

/*
 * Reads a list of options (from the form or a shared list file) into fd.
 * Revealed fields are loaded right after, when allowed.
 */
static int load_option_list(struct loader *ld, const cJSON *list, long fi,
			    int shared)
{
	static const char *const okeys[] = {"value", "label", "hint", "fields",
					    NULL};
	static const char *const skeys[] = {"value", "label", NULL};
	struct field *fd = &ld->f->fields[fi];
	const cJSON *it, *fl, *sub;
	size_t n = 0, i;
	struct option *o;

	if (!cJSON_IsArray(list))
		return bad(ld, list, 0, TC_EINVAL,
			   "options must be a list of {value, label}");
	n = (size_t)cJSON_GetArraySize(list);
	if (n == 0)
		return bad(ld, list, 0, TC_EINVAL,
			   "option list is empty: add at least one option");
	if (n > MAX_OPTIONS)
		return bad(ld, list, 0, TC_ETOOBIG,
			   "too many options: at most %d", MAX_OPTIONS);
	fd->opts = calloc(n, sizeof(*fd->opts));
	if (!fd->opts)
		return nomem(ld);
	cJSON_ArrayForEach(it, list)
	{
		fd = &ld->f->fields[fi];
		o = &fd->opts[fd->nopts];
		if (check_mapping(ld, it, shared ? skeys : okeys, "option",
				  "an option must be a mapping with value "
				  "and label") < 0)
			return -1;
		fd->nopts++;
		if (get_str(ld, it, "value", 1, &o->value) < 0 ||
		    get_str(ld, it, "label", 1, &o->label) < 0 ||
		    get_str(ld, it, "hint", 0, &o->hint) < 0)
			return -1;
		for (i = 0; i + 1 < fd->nopts; i++)
			if (!strcmp(fd->opts[i].value, o->value))
				return bad(ld,
					   cJSON_GetObjectItemCaseSensitive(
					       it, "value"),
					   0, TC_EDUP,
					   "duplicate option value '%s'",
					   o->value);
		fl = cJSON_GetObjectItemCaseSensitive(it, "fields");
		if (!fl)
			continue;
		if (!(T(fd->type) & T_REVEALING))
			return bad(ld, fl, 1, TC_EINVAL,
				   "only radios and checkboxes can reveal "
				   "fields");
		if (fd->parent >= 0)
			return bad(ld, fl, 1, TC_EINVAL,
				   "a revealed field cannot reveal more "
				   "fields: move them up a level");
		if (!cJSON_IsArray(fl) || cJSON_GetArraySize(fl) == 0)
			return bad(ld, fl, 0, TC_EINVAL,
				   "'fields' must be a list of fields");
		o->first = ld->f->nfields;
		cJSON_ArrayForEach(sub, fl)
		{
			if (load_field(ld, sub, ld->f->fields[fi].section, fi,
				       ld->f->fields[fi].nopts - 1) < 0)
				return -1;
		}
		fd = &ld->f->fields[fi];
		fd->opts[fd->nopts - 1].count =
		    ld->f->nfields - fd->opts[fd->nopts - 1].first;
	}
	return 0;
}

/* Loads options_from: NAME from _NAME.yml beside the form. */
static int load_options_from(struct loader *ld, const cJSON *v, long fi)
{
	struct tc_yaml_doc *doc = NULL, *saved_doc = ld->doc;
	const char *saved_path = ld->path;
	struct tc_buf path = TC_BUF_INIT;
	int rc = -1;

	if (!cJSON_IsString(v) || !valid_name(v->valuestring)) {
		bad(ld, v, 0, TC_EINVAL,
		    "'options_from' must name a list such as services "
		    "(read from _services.yml)");
		goto out;
	}
	if (tc_buf_addf(&path, "%s/_%s.yml", ld->dir, v->valuestring) < 0) {
		nomem(ld);
		goto out;
	}
	if (!tc_fs_is_file(path.data)) {
		bad(ld, v, 0, TC_ENOENT, "no list '%s': add the file %s",
		    v->valuestring, path.data);
		goto out;
	}
	doc = tc_yaml_load_file(path.data, ld->err);
	if (!doc)
		goto out;
	ld->doc = doc;
	ld->path = path.data;
	rc = load_option_list(ld, tc_yaml_root(doc), fi, 1);
out:
	ld->doc = saved_doc;
	ld->path = saved_path;
	tc_yaml_free(doc);
	tc_buf_release(&path);
	return rc;
}

static int valid_autocomplete(const char *s)
{
	size_t i;

	for (i = 0;
	     i < sizeof(autocomplete_tokens) / sizeof(autocomplete_tokens[0]);
	     i++)
		if (!strcmp(s, autocomplete_tokens[i]))
			return 1;
	return 0;
}

/* Reads required_if: {field, equals}; the field must come earlier. */
static int load_required_if(struct loader *ld, const cJSON *v, long fi)
{
	static const char *const keys[] = {"field", "equals", NULL};
	const cJSON *fname, *eq;
	long ref;

	if (check_mapping(ld, v, keys, "required_if",
			  "'required_if' must be {field: NAME, equals: "
			  "VALUE}") < 0)
		return -1;
	fname = cJSON_GetObjectItemCaseSensitive(v, "field");
	eq = cJSON_GetObjectItemCaseSensitive(v, "equals");
	if (!cJSON_IsString(fname) || !cJSON_IsString(eq))
		return bad(ld, v, 0, TC_EINVAL,
			   "'required_if' needs 'field' and 'equals', both "
			   "text");
	ref = tc_form_find_field(ld->f, fname->valuestring);
	if (ref < 0 || ref >= fi)
		return bad(ld, fname, 0, TC_ENOENT,
			   "required_if names no earlier field '%s'",
			   fname->valuestring);
	if (tc_form_find_option(&ld->f->fields[ref], eq->valuestring) < 0)
		return bad(ld, eq, 0, TC_ENOENT,
			   "required_if value is not an option of '%s': '%s'",
			   fname->valuestring, eq->valuestring);
	ld->f->fields[fi].req_if = ref;
	ld->f->fields[fi].req_if_value = tc_form_dups(eq->valuestring);
	return ld->f->fields[fi].req_if_value ? 0 : nomem(ld);
}

/* Reads accept: [pdf, ...] into a mask. */
static int load_accept(struct loader *ld, const cJSON *v, unsigned *mask)
{
	const cJSON *it;
	size_t i;
	int found;

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return bad(ld, v, 0, TC_EINVAL,
			   "'accept' must be a list such as [pdf, jpeg, png]");
	*mask = 0;
	cJSON_ArrayForEach(it, v)
	{
		found = 0;
		for (i = 0; i < NKINDS && !found; i++) {
			if (cJSON_IsString(it) &&
			    !strcmp(it->valuestring, tc_form_kinds[i].token)) {
				*mask |= 1u << i;
				found = 1;
			}
		}
		if (!found)
			return bad(ld, it, 0, TC_EINVAL,
				   "unknown file kind '%s': use pdf, jpeg, "
				   "png, txt, doc or docx",
				   cJSON_IsString(it) ? it->valuestring : "?");
	}
	return 0;
}

/* Reads width: 4, 10, 20, 30 or full. */
static int load_width(struct loader *ld, const cJSON *v, int *width)
{
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "full")) {
		*width = -1;
		return 0;
	}
	if (cJSON_IsNumber(v) &&
	    (v->valuedouble == 4 || v->valuedouble == 10 ||
	     v->valuedouble == 20 || v->valuedouble == 30)) {
		*width = (int)v->valuedouble;
		return 0;
	}
	return bad(ld, v, 0, TC_EINVAL,
		   "'width' must be 4, 10, 20, 30 or full");
}

/* Loads the options of choice field fi: options or options_from. */
static int load_choices(struct loader *ld, const cJSON *node, long fi)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(node, "options");
	const cJSON *from =
	    cJSON_GetObjectItemCaseSensitive(node, "options_from");

	if (v && from)
		return bad(ld, v, 1, TC_EINVAL,
			   "give 'options' or 'options_from', not both");
	if (v)
		return load_option_list(ld, v, fi, 0);
	if (from)
		return load_options_from(ld, from, fi);
	return bad(ld, node, 0, TC_EINVAL,
		   "a %s field needs 'options' or 'options_from'",
		   tc_form_type_names[ld->f->fields[fi].type]);
}

/*
 * Loads one field (and the fields its options reveal) from node. parent is
 * the revealing field or -1. Returns 0 or -1 with ld->err filled.
 */
static int load_field(struct loader *ld, const cJSON *node, size_t section,
		      long parent, size_t parent_opt)
{
	const cJSON *tv, *nv, *v;
	struct field *fd;
	const char *why;
	long fi;
	int t, past = 0, req = 0;
	size_t rows = 5;

	if (!cJSON_IsObject(node))
		return bad(ld, node, 0, TC_EINVAL,
			   "a field must be a mapping with name, type and "
			   "label");
	nv = cJSON_GetObjectItemCaseSensitive(node, "name");
	if (!nv)
		return bad(ld, node, 0, TC_EINVAL, "missing 'name': add it");
	if (!cJSON_IsString(nv) || !valid_name(nv->valuestring))
		return bad(ld, nv, 0, TC_EINVAL,
			   "bad field name '%s': use lowercase letters, "
			   "digits and _, starting with a letter",
			   cJSON_IsString(nv) ? nv->valuestring : "?");
	if (tc_form_find_field(ld->f, nv->valuestring) >= 0)
		return bad(ld, nv, 0, TC_EDUP, "duplicate field name '%s'",
			   nv->valuestring);
	if (!strcmp(nv->valuestring, ld->f->honeypot))
		return bad(ld, nv, 0, TC_EDUP,
			   "field name is the honeypot's '%s'",
			   nv->valuestring);
	tv = cJSON_GetObjectItemCaseSensitive(node, "type");
	if (!tv)
		return bad(ld, node, 0, TC_EINVAL,
			   "missing 'type' in field '%s'", nv->valuestring);
	t = cJSON_IsString(tv) ? type_from_name(tv->valuestring) : -1;
	if (t < 0)
		return bad(ld, tv, 0, TC_EINVAL,
			   "unknown field type '%s': use text, email, tel, "
			   "postcode, textarea, date, radios, checkboxes, "
			   "select, file or consent",
			   cJSON_IsString(tv) ? tv->valuestring : "?");
	if (check_field_keys(ld, node, (enum ftype)t) < 0)
		return -1;
	fi = new_field(ld, node);
	if (fi < 0)
		return -1;
	fd = &ld->f->fields[fi];
	fd->type = (enum ftype)t;
	fd->section = section;
	fd->parent = parent;
	fd->parent_opt = parent_opt;
	fd->name = tc_form_dups(nv->valuestring);
	if (!fd->name)
		return nomem(ld);
	if (get_str(ld, node, "label", 0, &fd->label) < 0 ||
	    get_str(ld, node, "hint", 0, &fd->hint) < 0 ||
	    get_bool(ld, node, "required", &req) < 0 ||
	    get_bool(ld, node, "past", &past) < 0)
		return -1;
	if (!fd->label || !fd->label[0])
		return bad(ld, node, 0, TC_EINVAL,
			   "missing 'label' in field '%s': add the question",
			   fd->name);
	fd->required = req;
	fd->past = past;
	fd->max_length = fd->type == FT_TEXTAREA ? 5000 : 200;
	if (get_size(ld, node, "max_length", 1, MAX_TEXT_LENGTH,
		     &fd->max_length) < 0 ||
	    get_size(ld, node, "rows", 2, 40, &rows) < 0)
		return -1;
	fd->rows = (int)rows;
	fd->accept = (1u << NKINDS) - 1;
	fd->max_size = DEFAULT_MAX_SIZE;
	fd->max_files = 1;
	if (get_size(ld, node, "max_size", 1, MAX_MAX_SIZE, &fd->max_size) <
		0 ||
	    get_size(ld, node, "max_files", 1, MAX_MAX_FILES, &fd->max_files) <
		0)
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(node, "accept")) &&
	    load_accept(ld, v, &fd->accept) < 0)
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(node, "width")) &&
	    load_width(ld, v, &fd->width) < 0)
		return -1;
	if (get_str(ld, node, "autocomplete", 0, &fd->autocomplete) < 0)
		return -1;
	if (fd->autocomplete && !valid_autocomplete(fd->autocomplete))
		return bad(
		    ld, cJSON_GetObjectItemCaseSensitive(node, "autocomplete"),
		    0, TC_EINVAL,
		    "unknown autocomplete token '%s': use an HTML "
		    "token such as name, email, tel or postal-code",
		    fd->autocomplete);
	if (get_str(ld, node, "pattern", 0, &fd->pattern_src) < 0)
		return -1;
	if (fd->pattern_src &&
	    (strlen(fd->pattern_src) > MAX_PATTERN || !fd->pattern_src[0] ||
	     !(fd->pat = tc_pattern_compile(fd->pattern_src, &why)))) {
		if (strlen(fd->pattern_src) > MAX_PATTERN ||
		    !fd->pattern_src[0])
			why = "pattern must be 1 to 200 characters";
		return bad(ld,
			   cJSON_GetObjectItemCaseSensitive(node, "pattern"), 0,
			   TC_EINVAL, "%s '%s'", why, fd->pattern_src);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(node, "required_if")) &&
	    load_required_if(ld, v, fi) < 0)
		return -1;
	fd = &ld->f->fields[fi];
	if (load_errors(ld, node, fd) < 0)
		return -1;
	if (fd->type == FT_FILE) {
		ld->f->has_files = 1;
		if (fd->max_files > ld->f->max_files)
			ld->f->max_files = fd->max_files;
		if (fd->max_size > ld->f->max_file_size)
			ld->f->max_file_size = fd->max_size;
	}
	if (T(fd->type) & T_CHOICE)
		return load_choices(ld, node, fi);
	return 0;
}

static int load_sections(struct loader *ld, const cJSON *list)
{
	static const char *const keys[] = {"legend", "hint", "fields", NULL};
	const cJSON *it, *fl, *fnode;
	struct section *s;
	size_t n;

	if (!list)
		return bad(ld, tc_yaml_root(ld->doc), 0, TC_EINVAL,
			   "missing 'sections': add a list of sections");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return bad(ld, list, 0, TC_EINVAL,
			   "'sections' must be a list of sections");
	n = (size_t)cJSON_GetArraySize(list);
	if (n > MAX_SECTIONS)
		return bad(ld, list, 0, TC_ETOOBIG,
			   "too many sections: at most %d", MAX_SECTIONS);
	ld->f->secs = calloc(n, sizeof(*ld->f->secs));
	if (!ld->f->secs)
		return nomem(ld);
	cJSON_ArrayForEach(it, list)
	{
		s = &ld->f->secs[ld->f->nsecs];
		if (check_mapping(ld, it, keys, "section",
				  "a section must be a mapping with legend "
				  "and fields") < 0)
			return -1;
		ld->f->nsecs++;
		if (get_str(ld, it, "legend", 1, &s->legend) < 0 ||
		    get_str(ld, it, "hint", 0, &s->hint) < 0)
			return -1;
		fl = cJSON_GetObjectItemCaseSensitive(it, "fields");
		if (!cJSON_IsArray(fl) || cJSON_GetArraySize(fl) == 0)
			return bad(ld, fl ? fl : it, 0, TC_EINVAL,
				   "a section needs a list of 'fields'");
		s->first = ld->f->nfields;
		cJSON_ArrayForEach(fnode, fl)
		{
			if (load_field(ld, fnode, ld->f->nsecs - 1, -1, 0) < 0)
				return -1;
		}
		s = &ld->f->secs[ld->f->nsecs - 1];
		s->count = ld->f->nfields - s->first;
	}
	return 0;
}

/* The file's name without its folder and .yml or .yaml; malloc'd. */
static char *base_id(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 4 && !strcmp(b + n - 4, ".yml"))
		n -= 4;
	else if (n > 5 && !strcmp(b + n - 5, ".yaml"))
		n -= 5;
	return tc_form_dupn(b, n);
}

/* The folder part of path ("." when none), malloc'd. */
static char *dir_of(const char *path)
{
	const char *b = strrchr(path, '/');

	if (!b)
		return tc_form_dups(".");
	if (b == path)
		return tc_form_dups("/");
	return tc_form_dupn(path, (size_t)(b - path));
}

static int load_top(struct loader *ld)
{
	static const char *const keys[] = {
	    "id",	"title",	"version",  "intro",	     "submit",
	    "honeypot", "confirmation", "sections", "check_answers", NULL};
	static const char *const ckeys[] = {"title", "body", NULL};
	const cJSON *root = tc_yaml_root(ld->doc), *v;
	struct tc_form *f = ld->f;
	char *want = NULL;
	char num[32];
	int rc = -1;
	size_t i;

	f->check_answers = 1; /* unless the definition says false */
	if (check_mapping(ld, root, keys, "form",
			  "a form must be a mapping with id, title and "
			  "sections") < 0 ||
	    get_str(ld, root, "id", 1, &f->id) < 0 ||
	    get_str(ld, root, "title", 1, &f->title) < 0 ||
	    get_str(ld, root, "intro", 0, &f->intro) < 0 ||
	    get_str(ld, root, "submit", 0, &f->submit) < 0 ||
	    get_str(ld, root, "honeypot", 0, &f->honeypot) < 0 ||
	    get_bool(ld, root, "check_answers", &f->check_answers) < 0)
		goto out;
	want = base_id(ld->path);
	if (!want) {
		nomem(ld);
		goto out;
	}
	if (strcmp(f->id, want)) {
		bad(ld, cJSON_GetObjectItemCaseSensitive(root, "id"), 0,
		    TC_EINVAL, "form id must be the file's name '%s'", want);
		goto out;
	}
	for (i = 0; f->id[i]; i++) {
		if (!is_lower((unsigned char)f->id[i]) &&
		    !is_digit((unsigned char)f->id[i]) && f->id[i] != '-' &&
		    f->id[i] != '_') {
			bad(ld, cJSON_GetObjectItemCaseSensitive(root, "id"), 0,
			    TC_EINVAL,
			    "form id must use lowercase letters, digits, - "
			    "and _ '%s'",
			    f->id);
			goto out;
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (v && cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%g", v->valuedouble);
		f->version = tc_form_dups(num);
	} else if (get_str(ld, root, "version", 0, &f->version) < 0) {
		goto out;
	} else if (!f->version) {
		f->version = tc_form_dups("1");
	}
	if (!f->submit)
		f->submit = tc_form_dups("Send");
	if (!f->honeypot)
		f->honeypot = tc_form_dups("website");
	if (!f->version || !f->submit || !f->honeypot) {
		nomem(ld);
		goto out;
	}
	if (!valid_name(f->honeypot)) {
		bad(ld, cJSON_GetObjectItemCaseSensitive(root, "honeypot"), 0,
		    TC_EINVAL, "bad honeypot name '%s'", f->honeypot);
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "confirmation");
	if (v) {
		if (check_mapping(ld, v, ckeys, "confirmation",
				  "'confirmation' must be {title, body}") < 0 ||
		    get_str(ld, v, "title", 1, &f->conf_title) < 0 ||
		    get_str(ld, v, "body", 1, &f->conf_body) < 0)
			goto out;
		/* A block scalar (body: |) starts on the line after its
		 * indicator, where its position is. */
		{
			int line = 0, col = 0;
			const cJSON *b =
			    cJSON_GetObjectItemCaseSensitive(v, "body");

			if (tc_yaml_where(ld->doc, b, &line, &col) == 0)
				f->conf_line =
				    line + (strchr(f->conf_body, '\n') != NULL);
		}
	} else {
		f->conf_title = tc_form_dups("Form sent");
		f->conf_body = tc_form_dups("");
		if (!f->conf_title || !f->conf_body) {
			nomem(ld);
			goto out;
		}
	}
	if (load_sections(
		ld, cJSON_GetObjectItemCaseSensitive(root, "sections")) < 0)
		goto out;
	rc = 0;
out:
	free(want);
	return rc;
}

/* Returns a form the caller frees with tc_form_free, or NULL with err. */
struct tc_form *tc_form_load(const char *path, struct tc_error *err)
{
	struct tc_buf bytes = TC_BUF_INIT;
	struct tc_form *f = NULL, *ret = NULL;
	struct loader ld = {0};
	char *dir = NULL;

	tc_error_clear(err);
	ld.path = path;
	ld.err = err;
	if (tc_fs_read(path, TC_MAX_SOURCE_FILE, &bytes) < 0) {
		tc_error_set(err, errno == EFBIG ? TC_ETOOBIG : TC_EIO, path, 0,
			     0, "cannot read: %s", strerror(errno));
		goto out;
	}
	ld.doc = tc_yaml_parse(path, bytes.data, bytes.len, 1, err);
	if (!ld.doc)
		goto out;
	f = calloc(1, sizeof(*f));
	dir = dir_of(path);
	if (!f || !dir) {
		nomem(&ld);
		goto out;
	}
	ld.f = f;
	ld.dir = dir;
	tc_sha256_hex(bytes.data, bytes.len, f->hash);
	if (load_top(&ld) < 0)
		goto out;
	ret = f;
	f = NULL;
out:
	tc_form_free(f);
	tc_yaml_free(ld.doc);
	tc_buf_release(&bytes);
	free(dir);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Loading a folder of definitions */

static int cmp_form(const void *a, const void *b)
{
	const struct tc_form *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static int cmp_str(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/* Returns a set the caller frees with tc_forms_free, or NULL (errno). */
struct tc_forms *tc_forms_load_dir(const char *dir, int *nerrors)
{
	struct tc_forms *fs = NULL, *ret = NULL;
	struct tc_buf path = TC_BUF_INIT;
	char **names = NULL;
	size_t nnames = 0, cap = 0, i, len;
	struct dirent *de;
	struct tc_error err;
	struct tc_form *f;
	DIR *d = NULL;

	*nerrors = 0;
	d = opendir(dir);
	if (!d)
		goto out;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		goto out;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '_' || de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".yml"))
			continue;
		if (TC_ALLOC_GROW_TRY(names, nnames + 1, cap) < 0)
			goto out;
		names[nnames] = tc_form_dups(de->d_name);
		if (!names[nnames])
			goto out;
		nnames++;
	}
	if (nnames)
		qsort(names, nnames, sizeof(*names), cmp_str);
	fs->v = calloc(nnames ? nnames : 1, sizeof(*fs->v));
	if (!fs->v)
		goto out;
	for (i = 0; i < nnames; i++) {
		tc_buf_reset(&path);
		if (tc_fs_join(&path, dir, names[i]) < 0)
			goto out;
		f = tc_form_load(path.data, &err);
		if (!f) {
			if (err.code == TC_ENOMEM) {
				errno = ENOMEM;
				goto out;
			}
			tc_report(&err);
			(*nerrors)++;
			continue;
		}
		fs->v[fs->n++] = f;
	}
	if (fs->n)
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp_form);
	ret = fs;
	fs = NULL;
out:
	if (d)
		closedir(d);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	tc_buf_release(&path);
	tc_forms_free(fs);
	return ret;
}
