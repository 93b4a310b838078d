/*
 * forms_internal.h: what the files of the forms module share and no one
 * else sees (forms.h is the public interface).
 *
 * A loaded form is a flat array of fields in the order a resident meets
 * them: each field, then the fields its options reveal, option by option.
 * Revealed fields cannot reveal more, so nothing in the module recurses
 * deeper than one level, and every pass after loading is a loop over the
 * array.
 *
 * The module's files, one job each:
 *   forms.c           the tables, lookups, freeing and accessors
 *   forms_load.c      reading and checking a definition, and a folder of them
 *   forms_post.c      turning what a browser posted into values
 *   forms_validate.c  checking values against the definition
 *   forms_sniff.c     what an uploaded file's bytes say it is
 *   forms_schema.c    the definition as JSON for the page's script
 *   forms_render.c    the definition as accessible HTML
 * and pattern.c, the small regular-expression engine a field's pattern uses.
 */
#ifndef TC_FORMS_INTERNAL_H
#define TC_FORMS_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "forms.h"
#include "pattern.h"

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

/* "text", "email", ... by enum ftype, as written in a definition. */
extern const char *const tc_form_type_names[FT_COUNT];

/* Bit masks of types, for the tables of which keys and rules apply. */
#define T(x)	    (1u << (x))
#define T_ALL	    ((1u << FT_COUNT) - 1)
#define T_LINE	    (T(FT_TEXT) | T(FT_EMAIL) | T(FT_TEL) | T(FT_POSTCODE))
#define T_TEXTLIKE  (T_LINE | T(FT_TEXTAREA))
#define T_CHOICE    (T(FT_RADIOS) | T(FT_CHECKBOXES) | T(FT_SELECT))
#define T_REVEALING (T(FT_RADIOS) | T(FT_CHECKBOXES))

/* The rules a field can fail, each with its message. */
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

/* "required", "max_length", ... by enum rule, as in a definition's errors:. */
extern const char *const tc_form_rule_names[R_COUNT];

/* A file kind a file field may accept. */
struct form_kind {
	const char *token; /* as written in accept: */
	const char *mime;  /* what tc_sniff_type says */
	const char *human; /* in hints and messages */
	const char *exts;  /* for the input's accept attribute */
};

/* The kinds, bit i of a field's accept mask standing for entry i. */
#define NKINDS	  6
#define KIND_DOCX 5 /* the entry a zip with word/document.xml is */
extern const struct form_kind tc_form_kinds[NKINDS];

struct option {
	char *value;  /* what is posted */
	char *label;  /* what is shown */
	char *hint;   /* may be NULL */
	size_t first; /* index of the first field it reveals */
	size_t count; /* fields it reveals (0 for none) */
};

struct field {
	char *name;		/* [a-z][a-z0-9_]* */
	enum ftype type;	/* what kind of question */
	char *label;		/* the question */
	char *hint;		/* may be NULL */
	int required;		/* must be answered when active */
	long req_if;		/* index of the required_if field, or -1 */
	char *req_if_value;	/* ...and the value that makes this required */
	size_t max_length;	/* characters, text-like types */
	char *pattern_src;	/* as written, or NULL */
	struct tc_pattern *pat; /* compiled pattern, or NULL */
	struct option *opts;	/* choices, for radios, checkboxes, select */
	size_t nopts;		/* choices in opts */
	char *autocomplete;	/* an HTML token, or NULL */
	int width;		/* 0 none, 4, 10, 20, 30; -1 "full" */
	unsigned accept;	/* bit i: tc_form_kinds[i] accepted (file) */
	size_t max_size;	/* bytes per file */
	size_t max_files;	/* files per field */
	int past;		/* date must be today or earlier */
	int rows;		/* textarea rows */
	char *errors[R_COUNT];	/* message per rule (defaults filled in) */
	long parent;		/* the field whose option reveals this, or -1 */
	size_t parent_opt;	/* ...and that option's index */
	size_t section;		/* index of its section */
};

struct section {
	char *legend; /* the section's title */
	char *hint;   /* may be NULL */
	size_t first; /* its first field */
	size_t count; /* its fields, revealed ones included */
};

struct tc_form {
	char *id;	      /* the file's name without .yml */
	char *title;	      /* the form's title */
	char *version;	      /* as written, "1" by default */
	char *intro;	      /* plain text, or NULL */
	char *submit;	      /* the button's label */
	char *honeypot;	      /* the trap field's name */
	char *conf_title;     /* the confirmation page's title */
	char *conf_body;      /* ...and its Markdown */
	int conf_line;	      /* the line of the file it starts on, or 0 */
	char hash[65];	      /* sha256 of the definition's bytes */
	struct section *secs; /* the sections, in order */
	size_t nsecs;	      /* sections in secs */
	struct field *fields; /* every field, in the order met */
	size_t nfields;	      /* fields in use */
	size_t fcap;	      /* fields allocated */
	int has_files;	      /* some field is a file field */
	int check_answers;    /* a check-your-answers step before sending */
	size_t max_files;     /* most files over all file fields */
	size_t max_file_size; /* most bytes per file over all file fields */
};

struct tc_forms {
	struct tc_form **v; /* sorted by id */
	size_t n;	    /* forms in v */
};

/* ASCII classes, whatever the locale. */
static inline int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static inline int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static inline int is_alpha(int c)
{
	return is_upper(c) || is_lower(c);
}

static inline int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A malloc'd copy of s[0..len) the caller frees, or NULL. */
char *tc_form_dupn(const char *s, size_t len);
/* A malloc'd copy of s the caller frees, or NULL (also for s NULL). */
char *tc_form_dups(const char *s);

/* The field named name, or -1. */
long tc_form_find_field(const struct tc_form *f, const char *name);
/* The option of fd with this value, or -1. */
long tc_form_find_option(const struct field *fd, const char *value);

/* 1 when values[name] is value, or an array holding it. */
int tc_form_value_has(const cJSON *values, const char *name, const char *value);
/* 1 when field i is shown: not revealed, or its option is chosen. */
int tc_form_field_active(const struct tc_form *f, const cJSON *values,
			 size_t i);

/* "10 MB", "500 KB" or "100 bytes" into out; 0 or -1 on ENOMEM. */
int tc_form_human_size(struct tc_buf *out, size_t n);
/* "PDF, JPG or PNG" for the kinds in mask into out; 0 or -1 on ENOMEM. */
int tc_form_human_kinds(struct tc_buf *out, unsigned mask);

/* The number s[0..n) spells (n at most 4); -1 when not all digits. */
long tc_form_num_n(const char *s, size_t n);

#endif
