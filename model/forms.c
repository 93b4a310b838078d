/*
 * forms.c: form definitions, their normaliser and validator, their schema
 * for the page's script, and the sniffing of uploaded files (see forms.h;
 * docs/forms.md documents the YAML).
 *
 * A loaded form is a flat array of fields in the order a resident meets
 * them: each field, then the fields its options reveal, option by option.
 * Revealed fields cannot reveal more, so nothing here recurses deeper than
 * one level, and every later pass is a loop over the array. Rendering needs
 * these private structures too, so it is at the end of this file rather than
 * in a file of its own.
 */
#include "forms.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "escape.h"
#include "fsutil.h"
#include "limits.h"
#include "pattern.h"
#include "sha256.h"
#include "utf8.h"
#include "yamljson.h"

/* Caps on a definition: an editor's file, but still bounded. */
#define MAX_FIELDS	 300
#define MAX_OPTIONS	 300
#define MAX_SECTIONS	 50
#define MAX_NAME	 64
#define MAX_TEXT_LENGTH	 20000
#define MAX_PATTERN	 200
#define DEFAULT_MAX_SIZE (10u * 1024 * 1024)
#define MAX_MAX_SIZE	 (100u * 1024 * 1024)
#define MAX_MAX_FILES	 20

enum ftype {
	FT_TEXT,
	FT_EMAIL,
	FT_TEL,
	FT_POSTCODE,
	FT_TEXTAREA,
	FT_DATE,
	FT_RADIOS,
	FT_CHECKBOXES,
	FT_SELECT,
	FT_FILE,
	FT_CONSENT,
	FT_COUNT
};

static const char *const type_names[FT_COUNT] = {
    "text",   "email",	    "tel",    "postcode", "textarea", "date",
    "radios", "checkboxes", "select", "file",	  "consent",
};

/* Bit masks of types, for the table of which keys apply to which type. */
#define T(x)	    (1u << (x))
#define T_ALL	    ((1u << FT_COUNT) - 1)
#define T_LINE	    (T(FT_TEXT) | T(FT_EMAIL) | T(FT_TEL) | T(FT_POSTCODE))
#define T_TEXTLIKE  (T_LINE | T(FT_TEXTAREA))
#define T_CHOICE    (T(FT_RADIOS) | T(FT_CHECKBOXES) | T(FT_SELECT))
#define T_REVEALING (T(FT_RADIOS) | T(FT_CHECKBOXES))

enum rule {
	R_REQUIRED,
	R_MAX_LENGTH,
	R_PATTERN,
	R_INVALID,
	R_PAST,
	R_TOO_MANY,
	R_TOO_BIG,
	R_WRONG_TYPE,
	R_COUNT
};

static const char *const rule_names[R_COUNT] = {
    "required", "max_length", "pattern", "invalid",
    "past",	"too_many",   "too_big", "wrong_type",
};

/* The types each rule can fail for (so an errors: key must apply). */
static const unsigned rule_types[R_COUNT] = {
    T_ALL,	T_TEXTLIKE, T_TEXTLIKE, T_ALL & ~T(FT_FILE),
    T(FT_DATE), T(FT_FILE), T(FT_FILE), T(FT_FILE),
};

/* File kinds a file field may accept: the token, its MIME type, its name. */
static const struct {
	const char *token; /* as written in accept: */
	const char *mime;  /* what tc_sniff_type says */
	const char *human; /* in hints and messages */
	const char *exts;  /* for the input's accept attribute */
} kinds[] = {
    {"pdf", "application/pdf", "PDF", ".pdf,application/pdf"},
    {"jpeg", "image/jpeg", "JPG", ".jpg,.jpeg,image/jpeg"},
    {"png", "image/png", "PNG", ".png,image/png"},
    {"txt", "text/plain", "TXT", ".txt,text/plain"},
    {"doc", "application/msword", "DOC", ".doc,application/msword"},
    {"docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "DOCX",
     ".docx,application/"
     "vnd.openxmlformats-officedocument.wordprocessingml.document"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

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

/* One atom of a pattern: a set of characters repeated min to max times. */
struct option {
	char *value;  /* what is posted */
	char *label;  /* what is shown */
	char *hint;   /* may be NULL */
	size_t first; /* index of the first field it reveals */
	size_t count; /* fields it reveals (0 for none) */
};

struct field {
	char *name;	       /* [a-z][a-z0-9_]* */
	enum ftype type;       /* what kind of question */
	char *label;	       /* the question */
	char *hint;	       /* may be NULL */
	int required;	       /* must be answered when active */
	long req_if;	       /* index of the required_if field, or -1 */
	char *req_if_value;    /* ...and the value that makes this required */
	size_t max_length;     /* characters, text-like types */
	char *pattern_src;     /* as written, or NULL */
	struct tc_pattern *pat; /* compiled pattern, or NULL */
	struct option *opts;   /* choices, for radios, checkboxes, select */
	size_t nopts;	       /* choices in opts */
	char *autocomplete;    /* an HTML token, or NULL */
	int width;	       /* 0 none, 4, 10, 20, 30; -1 "full" */
	unsigned accept;       /* bit i: kinds[i] accepted (file) */
	size_t max_size;       /* bytes per file */
	size_t max_files;      /* files per field */
	int past;	       /* date must be today or earlier */
	int rows;	       /* textarea rows */
	char *errors[R_COUNT]; /* message per rule (defaults filled in) */
	long parent;	       /* the field whose option reveals this, or -1 */
	size_t parent_opt;     /* ...and that option's index */
	size_t section;	       /* index of its section */
};

struct section {
	char *legend; /* the section's title */
	char *hint;   /* may be NULL */
	size_t first; /* its first field */
	size_t count; /* its fields, revealed ones included */
};

struct tc_form {
	char *id;	  /* the file's name without .yml */
	char *title;	  /* the form's title */
	char *version;	  /* as written, "1" by default */
	char *intro;	  /* plain text, or NULL */
	char *submit;	  /* the button's label */
	char *honeypot;	  /* the trap field's name */
	char *conf_title; /* the confirmation page's title */
	char *conf_body;  /* ...and its Markdown */
	char hash[65];	  /* sha256 of the definition's bytes */
	struct section *secs;
	size_t nsecs;
	struct field *fields; /* every field, in the order met */
	size_t nfields;
	size_t fcap; /* fields allocated */
	int has_files;
	size_t max_files;     /* most files over all file fields */
	size_t max_file_size; /* most bytes per file over all file fields */
};

struct tc_forms {
	struct tc_form **v; /* sorted by id */
	size_t n;
};

/* ------------------------------------------------------------------ */
/* Small helpers */

/* A malloc'd copy of s[0..len) the caller frees, or NULL. */
static char *dupn(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* A malloc'd copy of s the caller frees, or NULL (also for s NULL). */
static char *dups(const char *s)
{
	return s ? dupn(s, strlen(s)) : NULL;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_alpha(int c)
{
	return is_upper(c) || is_lower(c);
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

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
		if (!strcmp(s, type_names[i]))
			return i;
	return -1;
}

static int text_like(enum ftype t)
{
	return (T(t) & T_TEXTLIKE) != 0;
}

/* The field named name, or -1. */
static long find_field(const struct tc_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return (long)i;
	return -1;
}

/* The option of fd with this value, or -1. */
static long find_option(const struct field *fd, const char *value)
{
	size_t i;

	for (i = 0; i < fd->nopts; i++)
		if (!strcmp(fd->opts[i].value, value))
			return (long)i;
	return -1;
}

/* The field named name (which may be NULL), or NULL. */
static const struct field *field_named(const struct tc_form *f,
				       const char *name)
{
	long i = name ? find_field(f, name) : -1;

	return i < 0 ? NULL : &f->fields[i];
}

/* "10 MB", "500 KB" or "100 bytes" into out. */
static int human_size(struct tc_buf *out, size_t n)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		return tc_buf_addf(out, "%zu MB", n / (1024 * 1024));
	if (n >= 1024 && n % 1024 == 0)
		return tc_buf_addf(out, "%zu KB", n / 1024);
	return tc_buf_addf(out, "%zu bytes", n);
}

/* "PDF, JPG or PNG" for the kinds in mask. */
static int human_kinds(struct tc_buf *out, unsigned mask)
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
			rc = tc_buf_adds(out, kinds[i].human);
		seen++;
	}
	return rc;
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
/* Loading */

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
	*out = dups(v->valuestring);
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
				   it->string, type_names[t]);
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
			rc = human_size(&b, fd->max_size);
		break;
	case R_WRONG_TYPE:
		if ((rc = tc_buf_adds(&b, "Each file must be a ")) == 0)
			rc = human_kinds(&b, fd->accept);
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
			if (!strcmp(it->string, rule_names[r]))
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
				   it->string, type_names[fd->type]);
		if (!cJSON_IsString(it) || !it->valuestring[0])
			return bad(ld, it, 0, TC_EINVAL,
				   "error message for '%s' must be text",
				   it->string);
		fd->errors[found] = dups(it->valuestring);
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
		if (!cJSON_IsObject(it))
			return bad(ld, it, 0, TC_EINVAL,
				   "an option must be a mapping with value "
				   "and label");
		if (check_keys(ld, it, shared ? skeys : okeys, "option") < 0)
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

	if (!cJSON_IsObject(v))
		return bad(ld, v, 0, TC_EINVAL,
			   "'required_if' must be {field: NAME, equals: "
			   "VALUE}");
	if (check_keys(ld, v, keys, "required_if") < 0)
		return -1;
	fname = cJSON_GetObjectItemCaseSensitive(v, "field");
	eq = cJSON_GetObjectItemCaseSensitive(v, "equals");
	if (!cJSON_IsString(fname) || !cJSON_IsString(eq))
		return bad(ld, v, 0, TC_EINVAL,
			   "'required_if' needs 'field' and 'equals', both "
			   "text");
	ref = find_field(ld->f, fname->valuestring);
	if (ref < 0 || ref >= fi)
		return bad(ld, fname, 0, TC_ENOENT,
			   "required_if names no earlier field '%s'",
			   fname->valuestring);
	if (find_option(&ld->f->fields[ref], eq->valuestring) < 0)
		return bad(ld, eq, 0, TC_ENOENT,
			   "required_if value is not an option of '%s': '%s'",
			   fname->valuestring, eq->valuestring);
	ld->f->fields[fi].req_if = ref;
	ld->f->fields[fi].req_if_value = dups(eq->valuestring);
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
			    !strcmp(it->valuestring, kinds[i].token)) {
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
	long fi, other;
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
	if (find_field(ld->f, nv->valuestring) >= 0)
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
	fd->name = dups(nv->valuestring);
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
	if (T(fd->type) & T_CHOICE) {
		v = cJSON_GetObjectItemCaseSensitive(node, "options");
		other = cJSON_GetObjectItemCaseSensitive(node, "options_from")
			    ? 1
			    : 0;
		if (v && other)
			return bad(ld, v, 1, TC_EINVAL,
				   "give 'options' or 'options_from', not "
				   "both");
		if (v)
			return load_option_list(ld, v, fi, 0);
		if (other)
			return load_options_from(
			    ld,
			    cJSON_GetObjectItemCaseSensitive(node,
							     "options_from"),
			    fi);
		return bad(ld, node, 0, TC_EINVAL,
			   "a %s field needs 'options' or 'options_from'",
			   type_names[fd->type]);
	}
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
		if (!cJSON_IsObject(it))
			return bad(ld, it, 0, TC_EINVAL,
				   "a section must be a mapping with legend "
				   "and fields");
		if (check_keys(ld, it, keys, "section") < 0)
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
	return dupn(b, n);
}

/* The folder part of path ("." when none), malloc'd. */
static char *dir_of(const char *path)
{
	const char *b = strrchr(path, '/');

	if (!b)
		return dups(".");
	if (b == path)
		return dups("/");
	return dupn(path, (size_t)(b - path));
}

static int load_top(struct loader *ld)
{
	static const char *const keys[] = {
	    "id",	"title",	"version",  "intro", "submit",
	    "honeypot", "confirmation", "sections", NULL};
	static const char *const ckeys[] = {"title", "body", NULL};
	const cJSON *root = tc_yaml_root(ld->doc), *v;
	struct tc_form *f = ld->f;
	char *want = NULL;
	char num[32];
	int rc = -1;
	size_t i;

	if (!cJSON_IsObject(root)) {
		bad(ld, root, 0, TC_EINVAL,
		    "a form must be a mapping with id, title and sections");
		goto out;
	}
	if (check_keys(ld, root, keys, "form") < 0 ||
	    get_str(ld, root, "id", 1, &f->id) < 0 ||
	    get_str(ld, root, "title", 1, &f->title) < 0 ||
	    get_str(ld, root, "intro", 0, &f->intro) < 0 ||
	    get_str(ld, root, "submit", 0, &f->submit) < 0 ||
	    get_str(ld, root, "honeypot", 0, &f->honeypot) < 0)
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
		f->version = dups(num);
	} else if (get_str(ld, root, "version", 0, &f->version) < 0) {
		goto out;
	} else if (!f->version) {
		f->version = dups("1");
	}
	if (!f->submit)
		f->submit = dups("Send");
	if (!f->honeypot)
		f->honeypot = dups("website");
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
		if (!cJSON_IsObject(v)) {
			bad(ld, v, 0, TC_EINVAL,
			    "'confirmation' must be {title, body}");
			goto out;
		}
		if (check_keys(ld, v, ckeys, "confirmation") < 0 ||
		    get_str(ld, v, "title", 1, &f->conf_title) < 0 ||
		    get_str(ld, v, "body", 1, &f->conf_body) < 0)
			goto out;
	} else {
		f->conf_title = dups("Form sent");
		f->conf_body = dups("");
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
/* Sets of forms */

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
		names[nnames] = dups(de->d_name);
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
#define FORM_MEMBER(type, fn, member)                                        \
	type fn(const struct tc_form *f)                                     \
	{                                                                    \
		return f->member;                                            \
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
FORM_MEMBER(size_t, tc_form_field_count, nfields)

const char *tc_form_field_type(const struct tc_form *f, const char *name)
{
	const struct field *fd = field_named(f, name);

	return fd ? type_names[fd->type] : NULL;
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

const char *tc_form_option_label(const struct tc_form *f, const char *name,
				 const char *value)
{
	const struct field *fd = field_named(f, name);
	long o;

	if (!fd || !value)
		return NULL;
	o = find_option(fd, value);
	return o < 0 ? NULL : fd->opts[o].label;
}

/* ------------------------------------------------------------------ */
/* Normalising what a browser posted */

/*
 * Cleans one posted string: controls removed (CR LF and lone CR become LF),
 * tabs and newlines turned to spaces when multiline is 0, leading and
 * trailing white space trimmed. Invalid UTF-8 is kept (without its ASCII
 * controls) so the validator can report it. Returns a malloc'd string the
 * caller frees, or NULL on ENOMEM.
 */
static char *clean_text(const char *s, int multiline)
{
	size_t len = strlen(s), i, j = 0, start, end;
	char *p = dupn(s, len);

	if (!p)
		return NULL;
	if (tc_utf8_valid(p, len, NULL)) {
		len = tc_utf8_strip_controls(p, len);
	} else {
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)p[i];

			if (c == '\r') {
				if (i + 1 < len && p[i + 1] == '\n')
					continue;
				c = '\n';
			}
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
				continue;
			p[j++] = (char)c;
		}
		len = j;
		p[len] = '\0';
	}
	if (!multiline)
		for (i = 0; i < len; i++)
			if (p[i] == '\t' || p[i] == '\n')
				p[i] = ' ';
	start = 0;
	while (start < len && is_space((unsigned char)p[start]))
		start++;
	end = len;
	while (end > start && is_space((unsigned char)p[end - 1]))
		end--;
	memmove(p, p + start, end - start);
	p[end - start] = '\0';
	return p;
}

/*
 * "nm1 1aa" and "NM11AA" both become "NM1 1AA"; other text is uppercased
 * with its spaces removed. Returns a malloc'd string the caller frees.
 */
static char *tidy_postcode(const char *s)
{
	size_t i, j = 0, n = strlen(s);
	char *p = malloc(n + 2);

	if (!p)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		p[j++] =
		    is_lower((unsigned char)s[i]) ? (char)(s[i] - 32) : s[i];
	}
	p[j] = '\0';
	if (j >= 5 && j <= 7) {
		memmove(p + j - 2, p + j - 3, 4); /* room: n + 2 >= j + 2 */
		p[j - 3] = ' ';
	}
	return p;
}

/* The posted strings for name: an array, or a lone string; else NULL. */
static const cJSON *posted_item(const cJSON *posted, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(posted, name);
}

/* The i-th posted string for name, or NULL. */
static const char *posted_str(const cJSON *posted, const char *name, int i)
{
	const cJSON *v = posted_item(posted, name);

	if (cJSON_IsString(v))
		return i == 0 ? v->valuestring : NULL;
	v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, i) : NULL;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* 1 when s is one or more ASCII digits. */
static int all_digits(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return i > 0;
}

/* Cleans a date part: controls, spaces and '-' removed. */
static char *clean_part(const char *s)
{
	char *p = clean_text(s ? s : "", 0);
	size_t i, j = 0;

	if (!p)
		return NULL;
	for (i = 0; p[i]; i++)
		if (p[i] != ' ' && p[i] != '-')
			p[j++] = p[i];
	p[j] = '\0';
	return p;
}

/* Adds the date NAME from NAME-day, NAME-month, NAME-year. */
static int norm_date(const struct field *fd, const cJSON *posted, cJSON *out)
{
	static const char *const parts[3] = {"year", "month", "day"};
	struct tc_buf key = TC_BUF_INIT, val = TC_BUF_INIT;
	char *p[3] = {NULL, NULL, NULL};
	int rc = -1, i, digits = 1, empty = 1;

	for (i = 0; i < 3; i++) {
		tc_buf_reset(&key);
		if (tc_buf_addf(&key, "%s-%s", fd->name, parts[i]) < 0)
			goto out;
		p[i] = clean_part(posted_str(posted, key.data, 0));
		if (!p[i])
			goto out;
		if (p[i][0])
			empty = 0;
		if (!all_digits(p[i]))
			digits = 0;
	}
	if (empty) {
		rc = 0;
		goto out;
	}
	if (digits) {
		/* month and day padded to two digits; the year as typed */
		if (tc_buf_addf(&val, "%s-%s%s-%s%s", p[0],
				strlen(p[1]) < 2 ? "0" : "", p[1],
				strlen(p[2]) < 2 ? "0" : "", p[2]) < 0)
			goto out;
	} else if (tc_buf_addf(&val, "%s-%s-%s", p[0], p[1], p[2]) < 0) {
		goto out;
	}
	if (!cJSON_AddStringToObject(out, fd->name, val.data))
		goto out;
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		free(p[i]);
	tc_buf_release(&key);
	tc_buf_release(&val);
	return rc;
}

/* Adds the checkboxes' values as an array (duplicates and empties gone). */
static int norm_checkboxes(const struct field *fd, const cJSON *posted,
			   cJSON *out)
{
	cJSON *arr = NULL, *it;
	const char *s;
	char *c = NULL;
	int rc = -1, i, dup;

	arr = cJSON_CreateArray();
	if (!arr)
		goto out;
	for (i = 0; (s = posted_str(posted, fd->name, i)) != NULL; i++) {
		c = clean_text(s, 0);
		if (!c)
			goto out;
		dup = 0;
		cJSON_ArrayForEach(it, arr)
		{
			if (!strcmp(it->valuestring, c))
				dup = 1;
		}
		if (c[0] && !dup) {
			it = cJSON_CreateString(c);
			if (!it || !cJSON_AddItemToArray(arr, it)) {
				cJSON_Delete(it);
				goto out;
			}
		}
		free(c);
		c = NULL;
	}
	if (cJSON_GetArraySize(arr) > 0) {
		if (!cJSON_AddItemToObject(out, fd->name, arr))
			goto out;
		arr = NULL;
	}
	rc = 0;
out:
	free(c);
	cJSON_Delete(arr);
	return rc;
}

/* 1 when values[name] is value, or an array holding it. */
static int value_has(const cJSON *values, const char *name, const char *value)
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

/* 1 when field i is shown: not revealed, or its option is chosen. */
static int field_active(const struct tc_form *f, const cJSON *values, size_t i)
{
	const struct field *fd = &f->fields[i], *p;

	if (fd->parent < 0)
		return 1;
	p = &f->fields[fd->parent];
	return value_has(values, p->name, p->opts[fd->parent_opt].value);
}

/* Returns a new object the caller frees with cJSON_Delete, or NULL. */
cJSON *tc_form_normalise(const struct tc_form *f, const cJSON *posted,
			 int *honeypot_filled)
{
	cJSON *out = NULL, *ret = NULL;
	const struct field *fd;
	const char *s;
	char *c = NULL;
	size_t i;
	int k;

	if (honeypot_filled)
		*honeypot_filled = 0;
	out = cJSON_CreateObject();
	if (!out)
		goto out;
	for (k = 0; (s = posted_str(posted, f->honeypot, k)) != NULL; k++)
		if (s[0] && honeypot_filled)
			*honeypot_filled = 1;
	for (i = 0; i < f->nfields; i++) {
		fd = &f->fields[i];
		switch (fd->type) {
		case FT_FILE:
			continue;
		case FT_DATE:
			if (norm_date(fd, posted, out) < 0)
				goto out;
			continue;
		case FT_CHECKBOXES:
			if (norm_checkboxes(fd, posted, out) < 0)
				goto out;
			continue;
		case FT_CONSENT:
			for (k = 0; (s = posted_str(posted, fd->name, k)); k++)
				if (s[0])
					break;
			if (s && !cJSON_AddStringToObject(out, fd->name, "yes"))
				goto out;
			continue;
		default:
			break;
		}
		s = posted_str(posted, fd->name, 0);
		if (!s)
			continue;
		c = clean_text(s, fd->type == FT_TEXTAREA);
		if (!c)
			goto out;
		if (fd->type == FT_POSTCODE) {
			char *t = tidy_postcode(c);

			free(c);
			c = t;
			if (!c)
				goto out;
		}
		if (c[0] && !cJSON_AddStringToObject(out, fd->name, c))
			goto out;
		free(c);
		c = NULL;
	}
	/* answers under options not chosen are not kept */
	for (i = 0; i < f->nfields; i++)
		if (!field_active(f, out, i))
			cJSON_DeleteItemFromObjectCaseSensitive(
			    out, f->fields[i].name);
	ret = out;
	out = NULL;
out:
	free(c);
	cJSON_Delete(out);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Validating */

/* 1 when s looks like an email address: local@domain.tld, no spaces. */
static int valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *d, *p;
	size_t len = strlen(s), label = 0;
	int dots = 0;

	if (!at || at == s || strchr(at + 1, '@') || len > 254 ||
	    (size_t)(at - s) > 64)
		return 0;
	for (p = s; p < at; p++)
		if ((unsigned char)*p <= ' ' || strchr("()<>,;:\\\"[]", *p))
			return 0;
	d = at + 1;
	if (!*d || *d == '.' || *d == '-')
		return 0;
	for (p = d; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			dots++;
			label = 0;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-' && c < 0x80)
			return 0;
		label++;
	}
	return dots > 0 && label >= 2 && p[-1] != '-';
}

/* 1 for a phone number: digits, spaces, ()-. and a leading +; 10-15 digits. */
static int valid_tel(const char *s)
{
	size_t i, digits = 0;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_digit(c))
			digits++;
		else if (c == '+' && i == 0)
			continue;
		else if (!strchr(" ()-.", c))
			return 0;
	}
	return digits >= 10 && digits <= 15;
}

/*
 * 1 for a UK postcode (any case, one optional space): outward A9, A99,
 * AA9, AA99, A9A or AA9A, inward 9AA; or GIR 0AA.
 */
static int valid_postcode(const char *s)
{
	char p[8];
	size_t i, n = 0, out;
	int spaces = 0;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ') {
			if (++spaces > 1)
				return 0;
			continue;
		}
		if (n >= 7)
			return 0;
		p[n++] = is_lower(c) ? (char)(c - 32) : (char)c;
	}
	p[n] = '\0';
	if (n < 5)
		return 0;
	if (!strcmp(p, "GIR0AA"))
		return 1;
	if (!is_digit((unsigned char)p[n - 3]) ||
	    !is_upper((unsigned char)p[n - 2]) ||
	    !is_upper((unsigned char)p[n - 1]))
		return 0;
	out = n - 3;
	if (!is_upper((unsigned char)p[0]))
		return 0;
	i = is_upper((unsigned char)p[1]) ? 2 : 1;
	if (i >= out || !is_digit((unsigned char)p[i]))
		return 0;
	i++;
	if (i < out &&
	    (is_digit((unsigned char)p[i]) || is_upper((unsigned char)p[i])))
		i++;
	return i == out;
}

static int leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Parses up to 4 digits exactly; -1 when s[0..n) is not all digits. */
static long num_n(const char *s, size_t n)
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

/* 1 when s is "YYYY-MM-DD" and the day exists. */
static int valid_iso_date(const char *s)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	long y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	y = num_n(s, 4);
	m = num_n(s + 5, 2);
	d = num_n(s + 8, 2);
	if (y < 1000 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/*
 * Which part of a date value to point at: "day", "month" or "year" (the
 * first that is missing or cannot be right), "day" when all look right.
 */
static const char *date_bad_part(const char *v)
{
	const char *d1 = strchr(v, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	size_t ylen, mlen, dlen;
	long m, d;

	if (!d1 || !d2)
		return "day";
	ylen = (size_t)(d1 - v);
	mlen = (size_t)(d2 - d1 - 1);
	dlen = strlen(d2 + 1);
	d = dlen >= 1 && dlen <= 2 ? num_n(d2 + 1, dlen) : -1;
	m = mlen >= 1 && mlen <= 2 ? num_n(d1 + 1, mlen) : -1;
	if (d < 1 || d > 31)
		return "day";
	if (m < 1 || m > 12)
		return "month";
	if (ylen != 4 || num_n(v, 4) < 1000)
		return "year";
	return "day";
}

/* 1 when the file kind of MIME type mime is in mask. */
static int kind_accepted(unsigned mask, const char *mime)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if ((mask & (1u << i)) && mime && !strcmp(mime, kinds[i].mime))
			return 1;
	return 0;
}

/* Checks a file field against attachments; the failing rule or -1. */
static int check_files(const struct field *fd, const cJSON *atts)
{
	const cJSON *it, *fv, *sv, *tv;
	size_t n = 0;
	int rule = -1;

	cJSON_ArrayForEach(it, atts)
	{
		fv = cJSON_GetObjectItemCaseSensitive(it, "field");
		if (!cJSON_IsString(fv) || strcmp(fv->valuestring, fd->name))
			continue;
		n++;
		tv = cJSON_GetObjectItemCaseSensitive(it, "type");
		sv = cJSON_GetObjectItemCaseSensitive(it, "size");
		if (rule < 0 &&
		    !kind_accepted(fd->accept,
				   cJSON_IsString(tv) ? tv->valuestring : NULL))
			rule = R_WRONG_TYPE;
		if (rule < 0 && (!cJSON_IsNumber(sv) || sv->valuedouble < 0 ||
				 sv->valuedouble > (double)fd->max_size))
			rule = R_TOO_BIG;
	}
	if (n == 0)
		return fd->required ? R_REQUIRED : -1;
	if (n > fd->max_files)
		return R_TOO_MANY;
	return rule;
}

/* 1 when v holds an answer: a non-empty string or non-empty array. */
static int answered(const cJSON *v)
{
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v))
		return cJSON_GetArraySize(v) > 0;
	return v != NULL && !cJSON_IsNull(v);
}

/*
 * Checks one active field; returns the failing rule or -1 for none, or -2
 * on ENOMEM. *part gets the date part to point at ("day", ...) or NULL.
 */
static int check_field(const struct tc_form *f, const struct field *fd,
		       const cJSON *values, const cJSON *atts,
		       const char *today, const char **part)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, fd->name);
	const cJSON *it;
	const char *s;
	int req = fd->required, m;

	*part = NULL;
	if (fd->type == FT_FILE)
		return check_files(fd, atts);
	if (!req && fd->req_if >= 0 &&
	    field_active(f, values, (size_t)fd->req_if) &&
	    value_has(values, f->fields[fd->req_if].name, fd->req_if_value))
		req = 1;
	if (!answered(v)) {
		if (fd->type == FT_DATE)
			*part = "day";
		return req ? R_REQUIRED : -1;
	}
	if (fd->type == FT_CHECKBOXES && cJSON_IsArray(v)) {
		cJSON_ArrayForEach(it, v)
		{
			if (!cJSON_IsString(it) ||
			    !tc_utf8_is_text(it->valuestring,
					     strlen(it->valuestring), NULL) ||
			    find_option(fd, it->valuestring) < 0)
				return R_INVALID;
		}
		return -1;
	}
	if (!cJSON_IsString(v))
		return R_INVALID;
	s = v->valuestring;
	if (!tc_utf8_is_text(s, strlen(s), NULL)) {
		if (fd->type == FT_DATE)
			*part = "day";
		return R_INVALID;
	}
	switch (fd->type) {
	case FT_TEXT:
	case FT_EMAIL:
	case FT_TEL:
	case FT_POSTCODE:
	case FT_TEXTAREA:
		if (tc_utf8_length(s, strlen(s)) > fd->max_length)
			return R_MAX_LENGTH;
		if ((fd->type == FT_EMAIL && !valid_email(s)) ||
		    (fd->type == FT_TEL && !valid_tel(s)) ||
		    (fd->type == FT_POSTCODE && !valid_postcode(s)))
			return R_INVALID;
		if (fd->pat) {
			m = tc_pattern_match(fd->pat, s);
			if (m < 0)
				return -2;
			if (m == 0)
				return R_PATTERN;
		}
		return -1;
	case FT_DATE:
		*part = date_bad_part(s);
		if (!valid_iso_date(s))
			return R_INVALID;
		*part = "day";
		if (fd->past && today && valid_iso_date(today) &&
		    strcmp(s, today) > 0)
			return R_PAST;
		*part = NULL;
		return -1;
	case FT_RADIOS:
	case FT_SELECT:
	case FT_CHECKBOXES:
		return find_option(fd, s) < 0 ? R_INVALID : -1;
	case FT_CONSENT:
		return strcmp(s, "yes") ? R_INVALID : -1;
	default:
		return -1;
	}
}

static void field_error_release(struct tc_field_error *e)
{
	free(e->field);
	free(e->target);
	free(e->message);
}

/*
 * Appends one error; returns 0 or -1 on ENOMEM. The errors' capacity is not
 * kept (callers set up errs as {NULL, 0}), so it is taken to be errs->n.
 */
static int add_error(struct tc_form_errors *errs, const struct field *fd,
		     const char *part, const char *message)
{
	struct tc_buf t = TC_BUF_INIT;
	struct tc_field_error *e;
	size_t alloc = errs->n;
	int rc = -1;

	if (TC_ALLOC_GROW_TRY(errs->v, errs->n + 1, alloc) < 0)
		goto out;
	e = &errs->v[errs->n];
	if ((part ? tc_buf_addf(&t, "%s-%s", fd->name, part)
		  : tc_buf_adds(&t, fd->name)) < 0)
		goto out;
	e->field = dups(fd->name);
	e->message = dups(message);
	e->target = tc_buf_detach(&t, NULL);
	if (!e->field || !e->message || !e->target) {
		field_error_release(e);
		goto out;
	}
	errs->n++;
	rc = 0;
out:
	tc_buf_release(&t);
	return rc;
}

int tc_form_validate(const struct tc_form *f, const cJSON *values,
		     const cJSON *attachments, const char *today,
		     struct tc_form_errors *errs)
{
	const struct field *fd;
	const char *part;
	int n = 0, rc = -1, rule;
	size_t i;

	for (i = 0; i < f->nfields; i++) {
		fd = &f->fields[i];
		if (!field_active(f, values, i))
			continue;
		rule = check_field(f, fd, values, attachments, today, &part);
		if (rule == -2)
			goto out;
		if (rule < 0)
			continue;
		if (add_error(errs, fd, part, fd->errors[rule]) < 0)
			goto out;
		n++;
	}
	rc = n;
out:
	return rc;
}

void tc_form_errors_release(struct tc_form_errors *errs)
{
	size_t i;

	if (!errs)
		return;
	for (i = 0; i < errs->n; i++)
		field_error_release(&errs->v[i]);
	free(errs->v);
	errs->v = NULL;
	errs->n = 0;
}

/* ------------------------------------------------------------------ */
/* Sniffing uploads */

/* 1 when needle occurs in hay[0..len). */
static int has_bytes(const unsigned char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (hay[i] == (unsigned char)needle[0] &&
		    !memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

/* 1 for text: valid UTF-8, no NUL, no C0 control but tab, CR and LF. */
static int plain_text(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return tc_utf8_is_text((const char *)p, len, NULL);
}

const char *tc_sniff_type(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!p || len == 0)
		return NULL;
	if (len >= 5 && !memcmp(p, "%PDF-", 5))
		return "application/pdf";
	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (len >= 4 && !memcmp(p, "PK\x03\x04", 4))
		return has_bytes(p, len, "word/document.xml") ? kinds[5].mime
							      : NULL;
	if (len >= 8 && !memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return "application/msword";
	if (plain_text(p, len))
		return "text/plain";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The schema for the page's script */

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
	    put_str(o, "type", type_names[fd->type]) < 0 ||
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
			sub = cJSON_CreateString(kinds[k].mime);
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
		    put_str(sub, rule_names[r], fd->errors[r]) < 0)
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

/* ------------------------------------------------------------------ */
/* Rendering (markup as in docs/theme.md, "Form components") */

struct render {
	struct tc_buf *out;		   /* where the HTML goes */
	int failed;			   /* an append failed: stop */
	const struct tc_form *f;	   /* the form */
	const cJSON *values;		   /* answers to fill back, or NULL */
	const struct tc_form_errors *errs; /* problems to show, or NULL */
};

/* Appends trusted markup. */
static void emit(struct render *r, const char *s)
{
	if (!r->failed && tc_buf_adds(r->out, s) < 0)
		r->failed = 1;
}

/* Appends markup from a format; only for names, ids and numbers. */
static void emitf(struct render *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void emitf(struct render *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	va_start(ap, fmt);
	if (tc_buf_vaddf(r->out, fmt, ap) < 0)
		r->failed = 1;
	va_end(ap);
}

/* Appends text escaped for element content. */
static void emit_html(struct render *r, const char *s)
{
	if (!r->failed && tc_esc_html(r->out, s, strlen(s)) < 0)
		r->failed = 1;
}

/* Appends text escaped for a quoted attribute value. */
static void emit_attr(struct render *r, const char *s)
{
	if (!r->failed && tc_esc_attr(r->out, s, strlen(s)) < 0)
		r->failed = 1;
}

/* The error shown for a field, or NULL. */
static const struct tc_field_error *error_for(const struct render *r,
					      const char *name)
{
	size_t i;

	for (i = 0; r->errs && i < r->errs->n; i++)
		if (r->errs->v[i].field && !strcmp(r->errs->v[i].field, name))
			return &r->errs->v[i];
	return NULL;
}

/* The answer for name when it is a string, else NULL. */
static const char *value_str(const struct render *r, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->values, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The id of option k of fd: NAME for the first, NAME-2, NAME-3 after. */
static void emit_option_id(struct render *r, const struct field *fd, size_t k)
{
	if (k == 0)
		emit(r, fd->name);
	else
		emitf(r, "%s-%zu", fd->name, k + 1);
}

/*
 * Writes aria-describedby for the field's hint, error and extra ids (extra
 * may be NULL), or nothing when there are none.
 */
static void emit_describedby(struct render *r, const struct field *fd, int hint,
			     const struct tc_field_error *e, const char *extra)
{
	const char *sep = "";

	if (!hint && !e && !extra)
		return;
	emit(r, " aria-describedby=\"");
	if (hint) {
		emitf(r, "%s-hint", fd->name);
		sep = " ";
	}
	if (e) {
		emitf(r, "%s%s-error", sep, fd->name);
		sep = " ";
	}
	if (extra) {
		emit(r, sep);
		emit(r, extra);
	}
	emit(r, "\"");
}

static void emit_hint(struct render *r, const struct field *fd)
{
	if (!fd->hint)
		return;
	emitf(r, "<div class=\"hint\" id=\"%s-hint\">", fd->name);
	emit_html(r, fd->hint);
	emit(r, "</div>\n");
}

static void emit_error(struct render *r, const struct field *fd,
		       const struct tc_field_error *e)
{
	if (!e)
		return;
	emitf(r,
	      "<p class=\"error-message\" id=\"%s-error\"><span "
	      "class=\"visually-hidden\">Error:</span> ",
	      fd->name);
	emit_html(r, e->message ? e->message : "");
	emit(r, "</p>\n");
}

static void open_group(struct render *r, const struct tc_field_error *e)
{
	emit(r, e ? "<div class=\"form-group form-group--error\">\n"
		  : "<div class=\"form-group\">\n");
}

static void emit_label(struct render *r, const struct field *fd)
{
	emitf(r, "<label class=\"label\" for=\"%s\">", fd->name);
	emit_html(r, fd->label);
	emit(r, "</label>\n");
}

static void render_text(struct render *r, const struct field *fd,
			const struct tc_field_error *e)
{
	const char *type = "text", *ac = fd->autocomplete;
	const char *v = value_str(r, fd->name);
	int width = fd->width;

	if (fd->type == FT_EMAIL) {
		type = "email";
		ac = ac ? ac : "email";
	} else if (fd->type == FT_TEL) {
		type = "tel";
		ac = ac ? ac : "tel";
	} else if (fd->type == FT_POSTCODE) {
		ac = ac ? ac : "postal-code";
		width = width ? width : 10;
	}
	open_group(r, e);
	emit_label(r, fd);
	emit_hint(r, fd);
	emit_error(r, fd, e);
	emit(r, "<input class=\"input");
	if (width > 0)
		emitf(r, " input--width-%d", width);
	else if (width < 0)
		emit(r, " input--width-full");
	if (e)
		emit(r, " input--error");
	emitf(r, "\" id=\"%s\" name=\"%s\" type=\"%s\"", fd->name, fd->name,
	      type);
	if (fd->type == FT_EMAIL || fd->type == FT_POSTCODE)
		emit(r, " spellcheck=\"false\"");
	if (ac)
		emitf(r, " autocomplete=\"%s\"", ac);
	if (v) {
		emit(r, " value=\"");
		emit_attr(r, v);
		emit(r, "\"");
	}
	emit_describedby(r, fd, fd->hint != NULL, e, NULL);
	if (e)
		emit(r, " aria-invalid=\"true\"");
	emit(r, ">\n</div>\n");
}

static void render_textarea(struct render *r, const struct field *fd,
			    const struct tc_field_error *e)
{
	const char *v = value_str(r, fd->name);
	char info[MAX_NAME + 8];

	snprintf(info, sizeof(info), "%s-info", fd->name);
	emitf(r,
	      "<div class=\"character-count\" data-module=\"character-count\" "
	      "data-maxlength=\"%zu\">\n",
	      fd->max_length);
	open_group(r, e);
	emit_label(r, fd);
	emit_hint(r, fd);
	emit_error(r, fd, e);
	emitf(r,
	      "<textarea class=\"textarea%s\" id=\"%s\" name=\"%s\" "
	      "rows=\"%d\"",
	      e ? " textarea--error" : "", fd->name, fd->name, fd->rows);
	if (fd->autocomplete)
		emitf(r, " autocomplete=\"%s\"", fd->autocomplete);
	emit_describedby(r, fd, fd->hint != NULL, e, info);
	if (e)
		emit(r, " aria-invalid=\"true\"");
	emit(r, ">");
	if (v)
		emit_html(r, v);
	emitf(r,
	      "</textarea>\n</div>\n<div class=\"hint "
	      "character-count__message\" id=\"%s\">You can enter up to %zu "
	      "characters</div>\n</div>\n",
	      info, fd->max_length);
}

/* Splits a date value "Y-M-D" into its parts (each empty when absent). */
static void date_parts(const char *v, char parts[3][16])
{
	const char *p = v ? v : "", *dash;
	size_t n;
	int i;

	for (i = 0; i < 3; i++)
		parts[i][0] = '\0';
	for (i = 0; i < 3; i++) {
		dash = i < 2 ? strchr(p, '-') : NULL;
		if (i < 2 && !dash)
			break;
		n = dash ? (size_t)(dash - p) : strlen(p);
		if (n < 16) {
			memcpy(parts[i], p, n);
			parts[i][n] = '\0';
		}
		p = dash ? dash + 1 : p + n;
	}
	/* A stored date is zero-padded ("2026-01-05"); show the month and
	 * day as people type them ("1", "5"). */
	for (i = 1; i < 3; i++) {
		char *d = parts[i];

		while (d[0] == '0' && d[1] >= '0' && d[1] <= '9')
			memmove(d, d + 1, strlen(d));
	}
}

/* 1 when a date part has 1 to maxlen digits and lies in [lo, hi]. */
static int part_ok(const char *s, size_t maxlen, long lo, long hi)
{
	size_t n = strlen(s);
	long v;

	if (n == 0 || n > maxlen)
		return 0;
	v = num_n(s, n);
	return v >= lo && v <= hi;
}

static void render_date(struct render *r, const struct field *fd,
			const struct tc_field_error *e)
{
	static const char *const names[3] = {"day", "month", "year"};
	static const char *const labels[3] = {"Day", "Month", "Year"};
	char parts[3][16]; /* year, month, day */
	int bad[3] = {0, 0, 0}, i, idx, any = 0;
	const char *v = value_str(r, fd->name);

	date_parts(v, parts);
	if (e) {
		/* mark the parts that cannot be right, or all three */
		if (v) {
			bad[0] = !part_ok(parts[2], 2, 1, 31);
			bad[1] = !part_ok(parts[1], 2, 1, 12);
			bad[2] = !part_ok(parts[0], 4, 1000, 9999);
			any = bad[0] | bad[1] | bad[2];
		}
		if (!any)
			bad[0] = bad[1] = bad[2] = 1;
	}
	open_group(r, e);
	emit(r, "<fieldset class=\"fieldset\"");
	emit_describedby(r, fd, 1, e, NULL);
	emit(r, ">\n<legend class=\"fieldset__legend\">");
	emit_html(r, fd->label);
	emit(r, "</legend>\n");
	emitf(r, "<div class=\"hint\" id=\"%s-hint\">", fd->name);
	emit_html(r, fd->hint ? fd->hint : "For example, 27 3 2026");
	emit(r, "</div>\n");
	emit_error(r, fd, e);
	emit(r, "<div class=\"date-input\">\n");
	for (i = 0; i < 3; i++) {
		idx = 2 - i; /* parts are year, month, day */
		emitf(r,
		      "<div class=\"date-input__item%s\">\n<label "
		      "class=\"date-input__label\" for=\"%s-%s\">%s</label>\n"
		      "<input class=\"input date-input__input%s\" "
		      "id=\"%s-%s\" name=\"%s-%s\" type=\"text\" "
		      "inputmode=\"numeric\"",
		      i == 2 ? " date-input__item--year" : "", fd->name,
		      names[i], labels[i], bad[i] ? " input--error" : "",
		      fd->name, names[i], fd->name, names[i]);
		if (fd->autocomplete && !strcmp(fd->autocomplete, "bday"))
			emitf(r, " autocomplete=\"bday-%s\"", names[i]);
		if (parts[idx][0]) {
			emit(r, " value=\"");
			emit_attr(r, parts[idx]);
			emit(r, "\"");
		}
		if (bad[i])
			emit(r, " aria-invalid=\"true\"");
		emit(r, ">\n</div>\n");
	}
	emit(r, "</div>\n</fieldset>\n</div>\n");
}

static void render_field(struct render *r, size_t i);

/* 1 when the choice field's answer includes value. */
static int chosen(const struct render *r, const struct field *fd,
		  const char *value)
{
	return r->values && value_has(r->values, fd->name, value);
}

static void render_choices(struct render *r, const struct field *fd,
			   const struct tc_field_error *e)
{
	const char *kind = fd->type == FT_RADIOS ? "radios" : "checkboxes";
	const char *type = fd->type == FT_RADIOS ? "radio" : "checkbox";
	int inline_ok = fd->type == FT_RADIOS && fd->nopts == 2;
	size_t k, j;

	for (k = 0; k < fd->nopts; k++)
		if (fd->opts[k].hint || fd->opts[k].count ||
		    strlen(fd->opts[k].label) > 3)
			inline_ok = 0;
	open_group(r, e);
	emit(r, "<fieldset class=\"fieldset\"");
	emit_describedby(r, fd, fd->hint != NULL, e, NULL);
	emit(r, ">\n<legend class=\"fieldset__legend\">");
	emit_html(r, fd->label);
	emit(r, "</legend>\n");
	emit_hint(r, fd);
	emit_error(r, fd, e);
	emitf(r, "<div class=\"%s%s\">\n", kind,
	      inline_ok ? " radios--inline" : "");
	for (k = 0; k < fd->nopts; k++) {
		const struct option *o = &fd->opts[k];

		emitf(r,
		      "<div class=\"%s__item\">\n<input class=\"%s__input\" "
		      "id=\"",
		      kind, kind);
		emit_option_id(r, fd, k);
		emitf(r, "\" name=\"%s\" type=\"%s\" value=\"", fd->name, type);
		emit_attr(r, o->value);
		emit(r, "\"");
		if (chosen(r, fd, o->value))
			emit(r, " checked");
		if (o->hint)
			emitf(r, " aria-describedby=\"%s-%zu-hint\"", fd->name,
			      k + 1);
		emitf(r, ">\n<label class=\"%s__label\" for=\"", kind);
		emit_option_id(r, fd, k);
		emit(r, "\">");
		emit_html(r, o->label);
		emit(r, "</label>\n");
		if (o->hint) {
			emitf(r,
			      "<div class=\"hint %s__hint\" "
			      "id=\"%s-%zu-hint\">",
			      kind, fd->name, k + 1);
			emit_html(r, o->hint);
			emit(r, "</div>\n");
		}
		emit(r, "</div>\n");
		if (o->count == 0)
			continue;
		/*
		 * Revealed fields are always in the page, under their option
		 * and said to belong to it, so they work without script and
		 * without CSS; the script may hide them until it is chosen.
		 */
		emitf(r,
		      "<div class=\"inset-text reveal\" id=\"%s-%zu-reveal\" "
		      "data-reveal-for=\"",
		      fd->name, k + 1);
		emit_option_id(r, fd, k);
		emit(r, "\">\n<p class=\"hint\">If you chose &#8216;");
		emit_html(r, o->label);
		emit(r, "&#8217;:</p>\n");
		for (j = 0; j < o->count; j++)
			render_field(r, o->first + j);
		emit(r, "</div>\n");
	}
	emit(r, "</div>\n</fieldset>\n</div>\n");
}

static void render_select(struct render *r, const struct field *fd,
			  const struct tc_field_error *e)
{
	size_t k;

	open_group(r, e);
	emit_label(r, fd);
	emit_hint(r, fd);
	emit_error(r, fd, e);
	emitf(r, "<select class=\"input select%s\" id=\"%s\" name=\"%s\"",
	      e ? " input--error" : "", fd->name, fd->name);
	if (fd->autocomplete)
		emitf(r, " autocomplete=\"%s\"", fd->autocomplete);
	emit_describedby(r, fd, fd->hint != NULL, e, NULL);
	if (e)
		emit(r, " aria-invalid=\"true\"");
	emit(r, ">\n<option value=\"\">Choose one</option>\n");
	for (k = 0; k < fd->nopts; k++) {
		emit(r, "<option value=\"");
		emit_attr(r, fd->opts[k].value);
		emit(r,
		     chosen(r, fd, fd->opts[k].value) ? "\" selected>" : "\">");
		emit_html(r, fd->opts[k].label);
		emit(r, "</option>\n");
	}
	emit(r, "</select>\n</div>\n");
}

static void render_consent(struct render *r, const struct field *fd,
			   const struct tc_field_error *e)
{
	open_group(r, e);
	emit_error(r, fd, e);
	emitf(r,
	      "<div class=\"checkboxes\">\n<div class=\"checkboxes__item\">\n"
	      "<input class=\"checkboxes__input\" id=\"%s\" name=\"%s\" "
	      "type=\"checkbox\" value=\"yes\"",
	      fd->name, fd->name);
	if (chosen(r, fd, "yes"))
		emit(r, " checked");
	emit_describedby(r, fd, fd->hint != NULL, e, NULL);
	emitf(r, ">\n<label class=\"checkboxes__label\" for=\"%s\">", fd->name);
	emit_html(r, fd->label);
	emit(r, "</label>\n");
	if (fd->hint) {
		emitf(r, "<div class=\"hint checkboxes__hint\" id=\"%s-hint\">",
		      fd->name);
		emit_html(r, fd->hint);
		emit(r, "</div>\n");
	}
	emit(r, "</div>\n</div>\n</div>\n");
}

static void render_file(struct render *r, const struct field *fd,
			const struct tc_field_error *e)
{
	struct tc_buf t = TC_BUF_INIT;
	char again[MAX_NAME + 8];
	int again_note = r->errs && r->errs->n > 0;
	size_t k;
	int sep = 0;

	snprintf(again, sizeof(again), "%s-again", fd->name);
	open_group(r, e);
	emit_label(r, fd);
	emitf(r, "<div class=\"hint\" id=\"%s-hint\">", fd->name);
	if (fd->hint) {
		emit_html(r, fd->hint);
		emit(r, " ");
	}
	if (fd->max_files > 1)
		emitf(r, "You can upload up to %zu files. Each file must be ",
		      fd->max_files);
	else
		emit(r, "The file must be ");
	if (human_kinds(&t, fd->accept) < 0 ||
	    tc_buf_adds(&t, ", smaller than ") < 0 ||
	    human_size(&t, fd->max_size) < 0)
		r->failed = 1;
	emit_html(r, t.data);
	emit(r, ".</div>\n");
	if (again_note)
		emitf(r,
		      "<div class=\"hint\" id=\"%s\"><strong>Choose your "
		      "files again.</strong> We do not keep files from a form "
		      "that had a problem.</div>\n",
		      again);
	emit_error(r, fd, e);
	emitf(r,
	      "<input class=\"file-upload\" id=\"%s\" name=\"%s\" "
	      "type=\"file\"",
	      fd->name, fd->name);
	if (fd->max_files > 1)
		emit(r, " multiple");
	emit(r, " accept=\"");
	for (k = 0; k < NKINDS; k++) {
		if (!(fd->accept & (1u << k)))
			continue;
		if (sep)
			emit(r, ",");
		emit_attr(r, kinds[k].exts);
		sep = 1;
	}
	emit(r, "\"");
	emit_describedby(r, fd, 1, e, again_note ? again : NULL);
	if (e)
		emit(r, " aria-invalid=\"true\"");
	emit(r, ">\n</div>\n");
	tc_buf_release(&t);
}

/* Writes field i (and, for choices, the fields its options reveal). */
static void render_field(struct render *r, size_t i)
{
	const struct field *fd = &r->f->fields[i];
	const struct tc_field_error *e = error_for(r, fd->name);

	switch (fd->type) {
	case FT_TEXT:
	case FT_EMAIL:
	case FT_TEL:
	case FT_POSTCODE:
		render_text(r, fd, e);
		break;
	case FT_TEXTAREA:
		render_textarea(r, fd, e);
		break;
	case FT_DATE:
		render_date(r, fd, e);
		break;
	case FT_RADIOS:
	case FT_CHECKBOXES:
		render_choices(r, fd, e);
		break;
	case FT_SELECT:
		render_select(r, fd, e);
		break;
	case FT_CONSENT:
		render_consent(r, fd, e);
		break;
	case FT_FILE:
		render_file(r, fd, e);
		break;
	case FT_COUNT:
		TC_BUG("field type out of range");
	}
}

static void render_summary(struct render *r)
{
	size_t i;

	if (!r->errs || r->errs->n == 0)
		return;
	emit(r, "<div class=\"error-summary\" id=\"error-summary\" "
		"aria-labelledby=\"error-summary-title\" role=\"alert\" "
		"tabindex=\"-1\" data-module=\"error-summary\">\n"
		"<h2 class=\"error-summary__title\" "
		"id=\"error-summary-title\">There is a problem</h2>\n"
		"<ul class=\"error-summary__list\">\n");
	for (i = 0; i < r->errs->n; i++) {
		const struct tc_field_error *e = &r->errs->v[i];

		emit(r, "<li><a href=\"#");
		emit_attr(r,
			  e->target ? e->target : (e->field ? e->field : ""));
		emit(r, "\">");
		emit_html(r, e->message ? e->message : "");
		emit(r, "</a></li>\n");
	}
	emit(r, "</ul>\n</div>\n");
}

int tc_form_render(const struct tc_form *f, const char *action,
		   const cJSON *values, const struct tc_form_errors *errs,
		   struct tc_buf *out)
{
	struct render r = {out, 0, f, values, errs};
	const struct section *s;
	size_t i, j;

	emitf(&r,
	      "<form class=\"form\" id=\"form-%s\" method=\"post\" "
	      "action=\"",
	      f->id);
	emit_attr(&r, action ? action : "");
	emit(&r, "\" accept-charset=\"utf-8\"");
	if (f->has_files)
		emit(&r, " enctype=\"multipart/form-data\"");
	emit(&r, " novalidate>\n");
	render_summary(&r);
	if (f->intro) {
		emit(&r, "<p>");
		emit_html(&r, f->intro);
		emit(&r, "</p>\n");
	}
	for (i = 0; i < f->nsecs; i++) {
		s = &f->secs[i];
		emit(&r, "<fieldset class=\"fieldset form-section\"");
		if (s->hint)
			emitf(&r, " aria-describedby=\"section-%zu-hint\"",
			      i + 1);
		emit(&r, ">\n<legend class=\"fieldset__legend "
			 "fieldset__legend--large\"><h2 "
			 "class=\"fieldset__heading\">");
		emit_html(&r, s->legend);
		emit(&r, "</h2></legend>\n");
		if (s->hint) {
			emitf(&r,
			      "<div class=\"hint\" id=\"section-%zu-hint\">",
			      i + 1);
			emit_html(&r, s->hint);
			emit(&r, "</div>\n");
		}
		for (j = s->first; j < s->first + s->count; j++)
			if (f->fields[j].parent < 0)
				render_field(&r, j);
		emit(&r, "</fieldset>\n");
	}
	emitf(&r,
	      "<div class=\"honeypot\" aria-hidden=\"true\">\n<label "
	      "for=\"%s\">Leave this field empty</label>\n<input id=\"%s\" "
	      "name=\"%s\" type=\"text\" tabindex=\"-1\" "
	      "autocomplete=\"off\">\n</div>\n",
	      f->honeypot, f->honeypot, f->honeypot);
	emit(&r, "<div class=\"button-group\">\n<button class=\"button\" "
		 "type=\"submit\">");
	emit_html(&r, f->submit);
	emit(&r, "</button>\n</div>\n</form>\n");
	return r.failed ? -1 : 0;
}
