/*
 * forms.h: form definitions (content/forms/NAME.yml) and the one validator
 * that sitegen, intake and casework all use.
 *
 * A form definition is the single source of truth: sitegen renders it as
 * HTML (tc_form_render) and writes its schema as JSON for the page's script
 * (tc_form_schema_json); intake normalises and validates what a resident
 * posts and re-renders the form with errors; casework validates the stored
 * submission again. docs/forms.md documents the YAML.
 *
 * Values: a cJSON object mapping a field name to a string (text-like fields,
 * radios, select, consent "yes") or an array of strings (checkboxes). A date
 * is one string "YYYY-MM-DD" once normalised. File fields are not in values:
 * attachments are a cJSON array of {"field","name","type","size"}.
 */
#ifndef TC_FORMS_H
#define TC_FORMS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "err.h"

struct tc_form;	 /* opaque: one loaded, checked form definition */
struct tc_forms; /* opaque: every form in a folder */

/*
 * Loads and checks one form definition. Schema errors (unknown field type,
 * duplicate field name, required_if naming an unknown field or value, an
 * option list that is empty, a missing label) fill err with file:line:col.
 * Returns a form the caller frees with tc_form_free, or NULL.
 */
struct tc_form *tc_form_load(const char *path, struct tc_error *err);
void tc_form_free(struct tc_form *f);

/*
 * Loads every *.yml form in dir (files starting with '_' are shared lists,
 * such as _services.yml, not forms). Each error is printed through
 * tc_report; *nerrors gets their count. Returns the set (possibly with the
 * good forms only) or NULL when dir cannot be read (errno set).
 */
struct tc_forms *tc_forms_load_dir(const char *dir, int *nerrors);
void tc_forms_free(struct tc_forms *fs);
/* The form with this id, or NULL. */
const struct tc_form *tc_forms_find(const struct tc_forms *fs, const char *id);
/* Number of forms, and the i-th in id order. */
size_t tc_forms_count(const struct tc_forms *fs);
const struct tc_form *tc_forms_at(const struct tc_forms *fs, size_t i);

const char *tc_form_id(const struct tc_form *f);    /* "complaint" */
const char *tc_form_title(const struct tc_form *f); /* "Make a complaint" */
/* sha256 (hex) of the definition's bytes: stored with each submission. */
const char *tc_form_hash(const struct tc_form *f);
/* The honeypot field's name: people never see or fill it. */
const char *tc_form_honeypot(const struct tc_form *f);
/* 1 when the form has a file field (so it posts multipart/form-data). */
int tc_form_has_files(const struct tc_form *f);
/* Most files, and most bytes per file, over all the form's file fields. */
size_t tc_form_max_files(const struct tc_form *f);
size_t tc_form_max_file_size(const struct tc_form *f);

/*
 * The values of one field name as the definition sees it: its type name
 * ("text", "date", ...) or NULL when the form has no such field.
 */
const char *tc_form_field_type(const struct tc_form *f, const char *name);

/*
 * Turns what a browser posted into values: posted is an object mapping each
 * posted name to an array of strings (in the order received). Text is
 * converted CRLF -> LF, control characters other than tab and newline are
 * removed, leading and trailing spaces trimmed; date parts NAME-day,
 * NAME-month, NAME-year become "YYYY-MM-DD" when all three are numbers
 * (zero-padded), or are kept as "Y-M-D" as typed for re-display when not;
 * checkboxes become arrays; a consent box ticked becomes "yes"; names the
 * form does not define are dropped. Sets *honeypot_filled when the honeypot
 * has any value. Returns a new object the caller frees, or NULL on ENOMEM.
 */
cJSON *tc_form_normalise(const struct tc_form *f, const cJSON *posted,
			 int *honeypot_filled);

/* One problem with one field. */
struct tc_field_error {
	char *field; /* the field's name, e.g. "when_happened" */
	char *
	    target; /* the id of the input to focus, e.g. "when_happened-day" */
	char *
	    message; /* the definition's message, e.g. "Enter your full name" */
};

struct tc_form_errors {
	struct tc_field_error *v; /* in the order the fields appear */
	size_t n;
};

/*
 * Validates values (and attachments, may be NULL) against the form: required
 * and required_if, revealed fields only when their option is chosen,
 * max_length (in characters), pattern (anchored; a small documented subset),
 * email, tel and UK postcode formats, dates that exist (and are in the past
 * when the field says so, relative to today "YYYY-MM-DD"), options that
 * exist, valid UTF-8, files within accept/max_size/max_files. Appends one
 * error per failing field to errs. Returns the number of errors, or -1 on
 * ENOMEM.
 */
int tc_form_validate(const struct tc_form *f, const cJSON *values,
		     const cJSON *attachments, const char *today,
		     struct tc_form_errors *errs);
void tc_form_errors_release(struct tc_form_errors *errs);

/*
 * Renders the form as HTML in the theme's form styles (docs/theme.md):
 * fieldsets with legends, labels, hints, inputs with autocomplete tokens and
 * widths, radios and checkboxes with revealed fields, date inputs, character
 * counts, file inputs, the honeypot, a submit button. action is the URL the
 * form posts to. values (may be NULL) fills the inputs back in; errs (may be
 * NULL or empty) adds the error summary at the top and an error message by
 * each field. values may also hold "_held": {"token": T, "files": {FIELD:
 * [names]}}, files intake keeps for the resident: the form then carries T
 * in a hidden "_held" input and lists each field's kept files instead of
 * asking for them again. Appends to out; returns 0 or -1 on ENOMEM.
 */
int tc_form_render(const struct tc_form *f, const char *action,
		   const cJSON *values, const struct tc_form_errors *errs,
		   struct tc_buf *out);

/*
 * The definition as JSON for the page's script (field names, types, rules,
 * messages, revealed fields), so it can mirror the validator for instant
 * feedback. The caller frees it with cJSON_Delete.
 */
cJSON *tc_form_schema_json(const struct tc_form *f);

/*
 * What a file's bytes say it is, whatever its name claims: "application/pdf",
 * "image/jpeg", "image/png", "text/plain" (valid UTF-8, no NUL),
 * "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
 * (a zip holding word/document.xml), "application/msword" (OLE2), or NULL
 * when it is none of the accepted kinds.
 */
const char *tc_sniff_type(const void *data, size_t len);

/*
 * The same, fed in pieces as a file is read or written, with the same
 * answer as tc_sniff_type on the whole: init, feed each piece in order,
 * then end. Holds a few dozen bytes whatever the file's size.
 */
struct tc_sniffer {
	unsigned char head[8];	/* the first bytes: the magic numbers */
	unsigned char tail[16]; /* the last bytes, for a name across pieces */
	unsigned char carry[4]; /* a UTF-8 sequence cut by a piece's end */
	size_t nhead, ntail, ncarry;
	unsigned long long total;
	int docx; /* word/document.xml seen */
	int text; /* text so far */
};
void tc_sniff_init(struct tc_sniffer *s);
void tc_sniff_feed(struct tc_sniffer *s, const void *data, size_t n);
const char *tc_sniff_end(const struct tc_sniffer *s);

/*
 * Additions (backward compatible): more of the definition, for sitegen's
 * confirmation page and casework's case pack. Strings are owned by the form.
 */
const char *tc_form_version(const struct tc_form *f); /* "1" by default */
const char *tc_form_intro(const struct tc_form *f);   /* plain text or NULL */
const char *tc_form_submit_label(const struct tc_form *f); /* the button */
/* The confirmation page's title and Markdown body ("" when none). */
const char *tc_form_confirmation_title(const struct tc_form *f);
const char *tc_form_confirmation_body(const struct tc_form *f);
/* The line of the definition the body starts on (0: not known). */
int tc_form_confirmation_line(const struct tc_form *f);
/* 1 when the resident checks their answers before the form is sent. */
int tc_form_check_answers(const struct tc_form *f);
/* Every field in page order, revealed fields after their option's field. */
size_t tc_form_field_count(const struct tc_form *f);
const char *tc_form_field_name(const struct tc_form *f, size_t i);
/* A field's label, or an option's label by its value; NULL when unknown. */
const char *tc_form_field_label(const struct tc_form *f, const char *name);
/* A field's hint, or NULL (none, or no such field). */
const char *tc_form_field_hint(const struct tc_form *f, const char *name);
const char *tc_form_option_label(const struct tc_form *f, const char *name,
				 const char *value);

/*
 * The answers of a submission as the resident gave them, for a copy of
 * what was sent: [{name, label, value}] or, for checkboxes and files,
 * [{name, label, list: true, items: [...]}], in page order, leaving out fields
 * not answered. fields is the submission's "fields", attachments its
 * "attachments" (names shown, never paths). Options read as their labels.
 * NULL when out of memory; the caller frees it with cJSON_Delete.
 */
cJSON *tc_form_answers(const struct tc_form *f, const cJSON *fields,
		       const cJSON *attachments);

#endif
