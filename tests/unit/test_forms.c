/*
 * test_forms.c: unit tests for common/forms.c: the three real forms in
 * content/forms load; schema errors say file:line:col; posted values are
 * normalised; the validator catches each rule; the HTML has the ids,
 * references and escaping the theme and assistive technology need; file
 * sniffing believes bytes, not names. Run from the repository's root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "forms.h"
#include "fsutil.h"
#include "testlib.h"

#define FORMS_DIR "content/forms"
#define TODAY	  "2026-04-15"

/* The folder the tests write their own forms to, made by the group setup. */
static char tmpdir[64];

/* Loads the form at path; fails the test when it does not load. */
static struct tc_form *load_at(const char *path)
{
	struct tc_error err;
	struct tc_form *f = tc_form_load(path, &err);

	if (!f)
		fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
	return f;
}

/* Loads content/forms/NAME.yml; fails the test when it does not load. */
static struct tc_form *load_real(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.yml", FORMS_DIR, name);
	return load_at(path);
}

/* Writes text to tmpdir/NAME.yml; the path, in a static buffer. */
static const char *write_form(const char *name, const char *text)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s.yml", tmpdir, name);
	assert_int_equal(tc_fs_write_atomic(path, text, strlen(text), 0600), 0);
	return path;
}

/* Writes text to tmpdir/NAME.yml, loads it and removes the file; fails the
 * test when it does not load. */
static struct tc_form *load_text(const char *name, const char *text)
{
	const char *path = write_form(name, text);
	struct tc_form *f = load_at(path);

	unlink(path);
	return f;
}

/* Appends value to the array posted[name] (made when missing). */
static void post(cJSON *posted, const char *name, const char *value)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(posted, name);

	if (!arr)
		arr = cJSON_AddArrayToObject(posted, name);
	assert_non_null(arr);
	assert_true(cJSON_AddItemToArray(arr, cJSON_CreateString(value)));
}

static const char *str_of(const cJSON *values, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An answer: a field's name and its value. */
struct answer {
	const char *name, *value;
};

/* A valid set of complaint answers the tests then break one at a time. */
static const struct answer good_answers[] = {
    {"full_name", "Ada Lovelace"},
    {"email", "ada@example.org"},
    {"phone", "01632 960 001"},
    {"postcode", "NM1 1AA"},
    {"contact_method", "email"},
    {"on_behalf", "no"},
    {"service_area", "bins"},
    {"what_happened", "The bin was not emptied."},
    {"when_happened", "2026-03-27"},
    {"impact", "Rubbish piled up."},
    {"outcome_sought", "Empty it."},
    {"raised_before", "yes"},
};

static cJSON *good_complaint(void)
{
	cJSON *v = cJSON_CreateObject();
	size_t i;

	assert_non_null(v);
	for (i = 0; i < TL_LEN(good_answers); i++)
		cJSON_AddStringToObject(v, good_answers[i].name,
					good_answers[i].value);
	return v;
}

/* Validates and returns the error count; errs is filled. */
static int run_validate(const struct tc_form *f, const cJSON *values,
			const cJSON *atts, struct tc_form_errors *errs)
{
	int n;

	errs->v = NULL;
	errs->n = 0;
	n = tc_form_validate(f, values, atts, TODAY, errs);
	assert_true(n >= 0);
	assert_int_equal((size_t)n, errs->n);
	return n;
}

/* An error the validator should give: on field, pointing at target, with
 * message (target or message NULL: any). */
struct want_error {
	const char *field, *target, *message;
};

/* errs holds exactly the n errors of want, in order; label says what was
 * validated. */
static void check_errors(const char *label, const struct tc_form_errors *errs,
			 const struct want_error *want, size_t n)
{
	size_t i;

	if (errs->n != n) {
		for (i = 0; i < errs->n; i++)
			print_message("error: %s: %s\n", errs->v[i].field,
				      errs->v[i].message);
		fail_msg("%s: %zu errors, want %zu", label, errs->n, n);
	}
	for (i = 0; i < n; i++) {
		const struct tc_field_error *e = &errs->v[i];
		const struct want_error *w = &want[i];

		if (strcmp(e->field, w->field) ||
		    (w->target && strcmp(e->target, w->target)) ||
		    (w->message && strcmp(e->message, w->message)))
			fail_msg(
			    "%s: error %zu is %s at %s '%s', want %s at %s "
			    "'%s'",
			    label, i, e->field, e->target, e->message, w->field,
			    w->target ? w->target : "any",
			    w->message ? w->message : "any");
	}
}

/* Validates values and expects exactly the n errors of want. */
static void expect_errors(const char *label, const struct tc_form *f,
			  const cJSON *values, const cJSON *atts,
			  const struct want_error *want, size_t n)
{
	struct tc_form_errors errs;

	run_validate(f, values, atts, &errs);
	check_errors(label, &errs, want, n);
	tc_form_errors_release(&errs);
}

/* Validates values and expects exactly one error, on field, with message. */
static void expect_one(const struct tc_form *f, const cJSON *values,
		       const cJSON *atts, const char *field, const char *target,
		       const char *message)
{
	const struct want_error want = {field, target, message};

	expect_errors(field, f, values, atts, &want, 1);
}

/* Validates values and expects no error. */
static void expect_none(const struct tc_form *f, const cJSON *values,
			const cJSON *atts)
{
	expect_errors("valid answers", f, values, atts, NULL, 0);
}

/* ------------------------------------------------------------------ */

static void test_load_real_forms(void **state)
{
	struct tc_form *f;
	int nerr = -1;
	struct tc_forms *fs;

	(void)state;
	f = load_real("complaint");
	assert_string_equal(tc_form_id(f), "complaint");
	assert_string_equal(tc_form_title(f), "Make a complaint");
	assert_string_equal(tc_form_honeypot(f), "website");
	assert_int_equal(strlen(tc_form_hash(f)), 64);
	assert_int_equal(tc_form_has_files(f), 1);
	assert_int_equal(tc_form_max_files(f), 5);
	assert_int_equal(tc_form_max_file_size(f), 10485760);
	assert_string_equal(tc_form_field_type(f, "when_happened"), "date");
	assert_string_equal(tc_form_field_type(f, "consent"), "consent");
	assert_string_equal(tc_form_field_type(f, "files"), "file");
	assert_string_equal(tc_form_field_type(f, "service_area"), "select");
	assert_null(tc_form_field_type(f, "nope"));
	assert_null(tc_form_field_type(f, "website"));
	assert_string_equal(tc_form_option_label(f, "service_area", "bins"),
			    "Bins and recycling");
	assert_string_equal(tc_form_confirmation_title(f),
			    "Complaint received");
	/* The body states timescales as values from the rules. */
	assert_non_null(strstr(tc_form_confirmation_body(f),
			       "{{ rules.corporate.stage1.acknowledge }}"));
	/* The body's text starts on the line after "body: |". */
	assert_int_equal(tc_form_confirmation_line(f), 15);
	assert_string_equal(tc_form_field_name(f, 0), "full_name");
	{
		static const char *const want[] = {
		    "full_name",      "email",	       "phone",
		    "address",	      "postcode",      "contact_method",
		    "on_behalf",      "person_name",   "relationship",
		    "consent",	      "service_area",  "what_happened",
		    "when_happened",  "staff_named",   "impact",
		    "outcome_sought", "raised_before", "files",
		    "adjustments"};
		size_t i;

		assert_int_equal(tc_form_field_count(f),
				 sizeof(want) / sizeof(want[0]));
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			assert_string_equal(tc_form_field_name(f, i), want[i]);
	}
	tc_form_free(f);

	f = load_real("feedback");
	assert_int_equal(tc_form_has_files(f), 0);
	assert_int_equal(tc_form_max_files(f), 0);
	assert_string_equal(tc_form_field_type(f, "feedback_type"), "radios");
	assert_string_equal(tc_form_field_type(f, "reply_wanted"), "radios");
	assert_string_equal(tc_form_field_type(f, "staff_named"), "text");
	tc_form_free(f);

	f = load_real("review");
	assert_string_equal(tc_form_field_type(f, "case_reference"), "text");
	assert_string_equal(tc_form_field_type(f, "why_unhappy"), "textarea");
	tc_form_free(f);

	fs = tc_forms_load_dir(FORMS_DIR, &nerr);
	assert_non_null(fs);
	assert_int_equal(nerr, 0);
	assert_int_equal(tc_forms_count(fs), 3);
	assert_string_equal(tc_form_id(tc_forms_at(fs, 0)), "complaint");
	assert_string_equal(tc_form_id(tc_forms_at(fs, 1)), "feedback");
	assert_string_equal(tc_form_id(tc_forms_at(fs, 2)), "review");
	assert_null(tc_forms_at(fs, 3));
	assert_non_null(tc_forms_find(fs, "review"));
	assert_null(tc_forms_find(fs, "_services"));
	tc_forms_free(fs);
	assert_null(tc_forms_load_dir("no/such/dir", &nerr));
}

/* ------------------------------------------------------------------ */
/* Schema errors */

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_forms.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	return tc_fs_remove_tree(tmpdir);
}

/* Writes text to tmpdir/name.yml and loads it; the form must fail. */
static void bad_form(const char *name, const char *text, int line, int col,
		     const char *msg)
{
	const char *path = write_form(name, text);
	struct tc_error err;
	struct tc_form *f = tc_form_load(path, &err);

	if (f) {
		tc_form_free(f);
		fail_msg("%s loaded but should fail", name);
	}
	if (err.line != line || err.col != col || !strstr(err.msg, msg))
		fail_msg("%s: got %d:%d '%s', want %d:%d '%s'", name, err.line,
			 err.col, err.msg, line, col, msg);
	assert_string_equal(err.file, path);
}

#define HEAD                                                                   \
	"title: T\n"                                                           \
	"sections:\n"                                                          \
	"  - legend: One\n"                                                    \
	"    fields:\n"

static void test_schema_errors(void **state)
{
	char path[128];
	struct tc_error err;
	struct tc_form *f;
	int nerr = 0;
	struct tc_forms *fs;

	(void)state;
	bad_form("t1",
		 "id: t1\n" HEAD "      - name: a\n"
		 "        type: texty\n"
		 "        label: A\n",
		 7, 15, "unknown field type 'texty'");
	bad_form("t2",
		 "id: t2\n" HEAD "      - name: a\n"
		 "        type: text\n"
		 "        label: A\n"
		 "      - name: a\n"
		 "        type: email\n"
		 "        label: B\n",
		 9, 15, "duplicate field name 'a'");
	bad_form("t3",
		 "id: t3\n" HEAD "      - name: a\n"
		 "        type: text\n"
		 "        label: A\n"
		 "        required_if:\n"
		 "          field: nope\n"
		 "          equals: \"yes\"\n",
		 10, 18, "required_if names no earlier field 'nope'");
	bad_form("t4",
		 "id: t4\n" HEAD "      - name: q\n"
		 "        type: radios\n"
		 "        label: Q?\n"
		 "        options:\n"
		 "          - {value: \"yes\", label: \"Yes\"}\n"
		 "          - {value: \"no\", label: \"No\"}\n"
		 "      - name: a\n"
		 "        type: text\n"
		 "        label: A\n"
		 "        required_if:\n"
		 "          field: q\n"
		 "          equals: maybe\n",
		 17, 19, "not an option of 'q': 'maybe'");
	bad_form("t5",
		 "id: t5\n" HEAD "      - name: a\n"
		 "        type: text\n",
		 6, 9, "missing 'label' in field 'a'");
	bad_form("t6",
		 "id: t6\n" HEAD "      - name: Full Name\n"
		 "        type: text\n"
		 "        label: A\n",
		 6, 15, "bad field name 'Full Name'");
	bad_form("t7",
		 "id: other\n" HEAD "      - {name: a, type: text, "
		 "label: A}\n",
		 1, 5, "form id must be the file's name 't7'");
	bad_form("t8",
		 "id: t8\n" HEAD "      - name: a\n"
		 "        type: radios\n"
		 "        label: A\n"
		 "        options: []\n",
		 9, 18, "option list is empty");
	bad_form("t9",
		 "id: t9\n" HEAD "      - name: a\n"
		 "        type: text\n"
		 "        label: A\n"
		 "        rows: 4\n",
		 9, 9, "'rows' does not apply to a text field");
	bad_form("t10",
		 "id: t10\n" HEAD "      - name: a\n"
		 "        type: text\n"
		 "        label: A\n"
		 "        pattern: \"(a|b)\"\n",
		 9, 18, "not supported");
	bad_form("t11",
		 "id: t11\n" HEAD "      - name: a\n"
		 "        type: select\n"
		 "        label: A\n"
		 "        options_from: missing\n",
		 9, 23, "no list 'missing'");

	/* a folder with one good and one bad form loads the good one */
	snprintf(path, sizeof(path), "%s/t1.yml", tmpdir);
	f = tc_form_load(path, &err);
	assert_null(f);
	fs = tc_forms_load_dir(tmpdir, &nerr);
	assert_non_null(fs);
	assert_int_equal(nerr, 11);
	assert_int_equal(tc_forms_count(fs), 0);
	tc_forms_free(fs);
}

/* ------------------------------------------------------------------ */
/* Normalising */

/* Posts the n answers to f and normalises them: the values, and in *hp
 * (unless NULL) whether the honeypot was filled. */
static cJSON *normalise(const struct tc_form *f, const struct answer *a,
			size_t n, int *hp)
{
	cJSON *posted = cJSON_CreateObject(), *v;
	size_t i;

	for (i = 0; i < n; i++)
		post(posted, a[i].name, a[i].value);
	v = tc_form_normalise(f, posted, hp);
	cJSON_Delete(posted);
	assert_non_null(v);
	return v;
}

static void test_normalise(void **state)
{
	static const struct answer typed[] = {
	    {"full_name", "  Ada\tLovelace \r\n"},
	    {"what_happened", "Line one\r\nLine\x01 two\rthree  "},
	    {"when_happened-day", "5"},
	    {"when_happened-month", " 3 "},
	    {"when_happened-year", "2026"},
	    {"postcode", "nm11aa"},
	    {"on_behalf", "no"},
	    {"person_name", "Should be dropped"},
	    {"unknown_field", "dropped"},
	    {"files", "not a value"},
	    {"email", ""},
	    {"website", ""},
	};
	/* Left out of the values: a field not revealed, one not on the form,
	 * the file field, blank answers and the parts of a date. */
	static const char *const dropped[] = {
	    "person_name", "unknown_field", "files",
	    "email",	   "website",	    "when_happened-day"};
	/* a half-typed date is kept as typed, the honeypot noticed */
	static const struct answer half_typed[] = {
	    {"when_happened-day", "30"},
	    {"when_happened-month", "Feb"},
	    {"when_happened-year", ""},
	    {"website", "http://spam.example"}, /* the honeypot */
	    {"on_behalf", "yes"},
	    {"person_name", "Grace Hopper"},
	    {"consent", "on"},
	};
	/* checkboxes become arrays without duplicates or blanks */
	static const struct answer picked[] = {
	    {"pick", "b"}, {"pick", ""}, {"pick", "a"}, {"pick", "b"}};
	struct tc_form *f = load_real("complaint");
	cJSON *v;
	const cJSON *arr;
	int hp = -1;
	size_t i;

	(void)state;
	v = normalise(f, typed, TL_LEN(typed), &hp);
	assert_int_equal(hp, 0);
	assert_string_equal(str_of(v, "full_name"), "Ada Lovelace");
	assert_string_equal(str_of(v, "what_happened"),
			    "Line one\nLine two\nthree");
	assert_string_equal(str_of(v, "when_happened"), "2026-03-05");
	assert_string_equal(str_of(v, "postcode"), "NM1 1AA");
	assert_string_equal(str_of(v, "on_behalf"), "no");
	for (i = 0; i < TL_LEN(dropped); i++)
		if (cJSON_GetObjectItem(v, dropped[i]))
			fail_msg("'%s' kept", dropped[i]);
	cJSON_Delete(v);

	v = normalise(f, half_typed, TL_LEN(half_typed), &hp);
	assert_int_equal(hp, 1);
	assert_string_equal(str_of(v, "when_happened"), "-Feb-30");
	assert_string_equal(str_of(v, "person_name"), "Grace Hopper");
	assert_string_equal(str_of(v, "consent"), "yes");
	cJSON_Delete(v);
	tc_form_free(f);

	f = load_text("cb", "id: cb\n" HEAD "      - name: pick\n"
			    "        type: checkboxes\n"
			    "        label: Pick\n"
			    "        options:\n"
			    "          - {value: a, label: A}\n"
			    "          - {value: b, label: B}\n");
	v = normalise(f, picked, TL_LEN(picked), NULL);
	arr = cJSON_GetObjectItem(v, "pick");
	assert_true(cJSON_IsArray(arr));
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	assert_string_equal(cJSON_GetArrayItem(arr, 0)->valuestring, "b");
	assert_string_equal(cJSON_GetArrayItem(arr, 1)->valuestring, "a");
	cJSON_Delete(v);
	tc_form_free(f);
}

/* ------------------------------------------------------------------ */
/* Validating */

static void test_validate_good_and_required(void **state)
{
	/* Nothing at all: the required questions, in page order. */
	static const struct want_error required[] = {
	    {"on_behalf", NULL,
	     "Select yes if you are making this complaint for someone else"},
	    {"service_area", NULL, NULL},
	    {"what_happened", NULL, "Enter what happened"},
	    {"when_happened", "when_happened-day", NULL},
	    {"impact", NULL, NULL},
	    {"outcome_sought", NULL, NULL},
	    {"raised_before", NULL, NULL},
	};
	struct tc_form *f = load_real("complaint");
	cJSON *v = good_complaint(), *empty = cJSON_CreateObject();

	(void)state;
	expect_none(f, v, NULL);

	/* anonymous: name and contact details may be left out */
	cJSON_DeleteItemFromObject(v, "full_name");
	cJSON_DeleteItemFromObject(v, "email");
	cJSON_DeleteItemFromObject(v, "phone");
	cJSON_DeleteItemFromObject(v, "postcode");
	cJSON_DeleteItemFromObject(v, "contact_method");
	expect_none(f, v, NULL);

	expect_errors("no answers", f, empty, NULL, required, TL_LEN(required));
	cJSON_Delete(empty);
	cJSON_Delete(v);
	tc_form_free(f);
}

/* With on_behalf=yes, the fields it reveals are required. */
static const struct want_error revealed[] = {
    {"person_name", NULL,
     "Enter the full name of the person you are complaining for"},
    {"relationship", NULL, NULL},
};

static void test_validate_revealed(void **state)
{
	struct tc_form *f = load_real("complaint");
	cJSON *v = good_complaint();

	(void)state;
	/* on_behalf=no: revealed fields are ignored, even with bad values */
	cJSON_AddStringToObject(v, "consent", "nonsense");
	cJSON_AddStringToObject(v, "person_name", "");
	expect_none(f, v, NULL);

	cJSON_DeleteItemFromObject(v, "consent");
	cJSON_ReplaceItemInObject(v, "on_behalf", cJSON_CreateString("yes"));
	expect_errors("on_behalf=yes", f, v, NULL, revealed, TL_LEN(revealed));

	cJSON_ReplaceItemInObject(v, "person_name",
				  cJSON_CreateString("Grace Hopper"));
	cJSON_AddStringToObject(v, "relationship", "Neighbour");
	/* without the person's consent: accepted, and casework flags it */
	expect_none(f, v, NULL);
	cJSON_AddStringToObject(v, "consent", "yes");
	expect_none(f, v, NULL);
	cJSON_Delete(v);
	tc_form_free(f);
}

static void test_validate_required_if(void **state)
{
	struct tc_form *f;
	cJSON *v;

	(void)state;
	f = load_text("ri", "id: ri\n" HEAD "      - name: reply\n"
			    "        type: radios\n"
			    "        label: Reply?\n"
			    "        options:\n"
			    "          - {value: \"yes\", label: \"Yes\"}\n"
			    "          - {value: \"no\", label: \"No\"}\n"
			    "      - name: email\n"
			    "        type: email\n"
			    "        label: Email address\n"
			    "        required_if: {field: reply, equals: "
			    "\"yes\"}\n");
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "reply", "no");
	expect_none(f, v, NULL);
	cJSON_ReplaceItemInObject(v, "reply", cJSON_CreateString("yes"));
	expect_one(f, v, NULL, "email", "email", "Enter email address");
	cJSON_Delete(v);
	tc_form_free(f);
}

/* One answer of a good complaint changed, and the one error it gives on
 * that answer (target NULL: no error at all; message NULL: any). */
struct answer_case {
	const char *name, *value, *target, *message;
};

static void check_answers(const struct answer_case *cases, size_t n)
{
	struct tc_form *f = load_real("complaint");
	size_t i;

	for (i = 0; i < n; i++) {
		const struct answer_case *c = &cases[i];
		const struct want_error want = {c->name, c->target, c->message};
		cJSON *v = good_complaint();
		char label[128];

		snprintf(label, sizeof(label), "%s '%s'", c->name, c->value);
		cJSON_ReplaceItemInObject(v, c->name,
					  cJSON_CreateString(c->value));
		expect_errors(label, f, v, NULL, &want, c->target ? 1 : 0);
		cJSON_Delete(v);
	}
	tc_form_free(f);
}

static void test_validate_lengths_and_formats(void **state)
{
	static const struct answer_case formats[] = {
	    {"email", "ada@", "email",
	     "Enter an email address in the correct format, like "
	     "name@example.com"},
	    {"email", "ada lovelace@x.org", "email", NULL},
	    {"postcode", "NM1", "postcode",
	     "Enter a real postcode, like NM1 1AA"},
	    {"postcode", "sw1a2aa", NULL, NULL},
	    {"phone", "12345", "phone", NULL},
	    {"phone", "+44 (0)1632 960001", NULL, NULL},
	    {"phone", "01632 960 001 call me", "phone", NULL},
	    /* invalid UTF-8 in a text answer */
	    {"impact", "bad \xC3\x28 bytes", "impact", NULL},
	};
	static const char too_long[] =
	    "What happened must be 5000 characters or fewer";
	struct tc_form *f = load_real("complaint");
	cJSON *v;
	char *big, *multi;
	size_t i;

	(void)state;
	/* 5000 characters of a 2-byte letter pass; 5001 do not */
	multi = malloc(5001 * 2 + 1);
	assert_non_null(multi);
	for (i = 0; i < 5001; i++)
		memcpy(multi + 2 * i, "\xC3\xA9", 2); /* é */
	multi[5000 * 2] = '\0';
	v = good_complaint();
	cJSON_ReplaceItemInObject(v, "what_happened",
				  cJSON_CreateString(multi));
	expect_none(f, v, NULL);
	memcpy(multi + 5000 * 2, "\xC3\xA9", 3);
	cJSON_ReplaceItemInObject(v, "what_happened",
				  cJSON_CreateString(multi));
	expect_one(f, v, NULL, "what_happened", "what_happened", too_long);
	free(multi);

	/* a 10 MB value is refused by length, quickly */
	big = malloc(10u * 1024 * 1024 + 1);
	assert_non_null(big);
	memset(big, 'x', 10u * 1024 * 1024);
	big[10u * 1024 * 1024] = '\0';
	cJSON_ReplaceItemInObject(v, "what_happened", cJSON_CreateString(big));
	expect_one(f, v, NULL, "what_happened", "what_happened", too_long);
	free(big);
	cJSON_Delete(v);
	tc_form_free(f);

	check_answers(formats, TL_LEN(formats));
}

static void test_validate_dates_and_options(void **state)
{
	static const struct answer_case dates_and_options[] = {
	    {"when_happened", "2026-02-30", "when_happened-day",
	     "Date the problem happened must be a real date"},
	    {"when_happened", "2026-13-01", "when_happened-month", NULL},
	    {"when_happened", "26-03-01", "when_happened-year", NULL},
	    {"when_happened", "2026-Feb-3", "when_happened-month", NULL},
	    {"when_happened", "2026-04-16", "when_happened-day",
	     "Date the problem happened must be today or in the past"},
	    {"when_happened", TODAY, NULL, NULL},
	    {"when_happened", "2024-02-29", NULL, NULL},
	    {"service_area", "dragons", "service_area",
	     "Select a service from the list"},
	    {"service_area", "parking", NULL, NULL},
	    {"contact_method", "pigeon", "contact_method", NULL},
	};

	(void)state;
	check_answers(dates_and_options, TL_LEN(dates_and_options));
}

/* Adds an attachment to atts. */
static void attach(cJSON *atts, const char *field, const char *type,
		   double size)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "field", field);
	cJSON_AddStringToObject(a, "name", "evidence");
	cJSON_AddStringToObject(a, "type", type);
	cJSON_AddNumberToObject(a, "size", size);
	cJSON_AddItemToArray(atts, a);
}

/* Attachments to the files field, up to two kinds of a number of files
 * each, and the error they give there (NULL: none). */
static const struct files_case {
	struct {
		int count;
		const char *type;
		double size;
	} kinds[2];
	const char *message;
} files_cases[] = {
    {{{5, "application/pdf", 1000}}, NULL},
    {{{5, "application/pdf", 1000}, {1, "image/png", 1000}},
     "You can upload up to 5 files"},
    {{{1, "image/jpeg", 10485760}, {1, "image/jpeg", 10485761}},
     "Each file must be smaller than 10 MB"},
    {{{1, "application/x-msdownload", 100}},
     "Each file must be a PDF, JPG, PNG, TXT, DOC or DOCX"},
};

static void test_validate_files(void **state)
{
	struct tc_form *f = load_real("complaint");
	cJSON *v = good_complaint();
	size_t i, k;
	int n;

	(void)state;
	for (i = 0; i < TL_LEN(files_cases); i++) {
		const struct files_case *c = &files_cases[i];
		const struct want_error want = {"files", "files", c->message};
		cJSON *atts = cJSON_CreateArray();
		char label[32];

		for (k = 0; k < TL_LEN(c->kinds); k++)
			for (n = 0; n < c->kinds[k].count; n++)
				attach(atts, "files", c->kinds[k].type,
				       c->kinds[k].size);
		snprintf(label, sizeof(label), "files case %zu", i);
		expect_errors(label, f, v, atts, &want, c->message ? 1 : 0);
		cJSON_Delete(atts);
	}
	cJSON_Delete(v);
	tc_form_free(f);
}

static void test_pattern(void **state)
{
	struct tc_form *f = load_real("review");
	cJSON *v = cJSON_CreateObject();
	struct tc_form_errors errs;
	/* casework's references as letters print them and as people type
	 * them, and intake's submission IDs */
	static const char *const good[] = {
	    "CMP-2026-000123", "cmp2026000123", "CMP 2026 000123",
	    "cmp-2026-123",    "SR/2027/42",	" CMP-2026-000001 ",
	    "70KPA-MN4JW",     "70kpamn4jw"};
	static const char *const bad[] = {"CMP-26-1",
					  "C-2026-1",
					  "CMP--2026-1",
					  "my complaint",
					  "ada@example.org",
					  "CMP-2026-1234567890",
					  "CMP-2026-000123-000123"};
	size_t i;

	(void)state;
	cJSON_AddStringToObject(v, "full_name", "Ada");
	cJSON_AddStringToObject(v, "email", "ada@example.org");
	cJSON_AddStringToObject(v, "case_reference", "");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cJSON_ReplaceItemInObject(v, "case_reference",
					  cJSON_CreateString(good[i]));
		if (run_validate(f, v, NULL, &errs) != 0)
			fail_msg("'%s' should match", good[i]);
		tc_form_errors_release(&errs);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON_ReplaceItemInObject(v, "case_reference",
					  cJSON_CreateString(bad[i]));
		expect_one(f, v, NULL, "case_reference", "case_reference",
			   strlen(bad[i]) > 20
			       ? NULL
			       : "Enter the reference number from our letter, "
				 "like CMP-2026-000123, or from the page you "
				 "saw when you sent your complaint, like "
				 "70KPA-MN4JW");
	}
	cJSON_Delete(v);
	tc_form_free(f);
}

/* A pattern that would backtrack for ever in a naive matcher. */
static void test_pattern_pathological(void **state)
{
	struct tc_form *f;
	cJSON *v;
	char *text;
	struct timespec t0, t1;
	double secs;

	(void)state;
	f = load_text("slow", "id: slow\n" HEAD "      - name: a\n"
			      "        type: textarea\n"
			      "        label: A\n"
			      "        max_length: 20000\n"
			      "        pattern: "
			      "\"a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\"\n");
	text = malloc(20001);
	assert_non_null(text);
	memset(text, 'a', 20000);
	text[20000] = '\0';
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "a", text);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_one(f, v, NULL, "a", "a", "Enter a in the right format");
	text[19999] = 'b';
	cJSON_ReplaceItemInObject(v, "a", cJSON_CreateString(text));
	expect_none(f, v, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 2.0);
	free(text);
	cJSON_Delete(v);
	tc_form_free(f);
}

/* ------------------------------------------------------------------ */
/* Rendering */

static void assert_has(const char *html, const char *needle)
{
	if (!strstr(html, needle))
		fail_msg("HTML lacks: %s", needle);
}

static void assert_lacks(const char *html, const char *needle)
{
	if (strstr(html, needle))
		fail_msg("HTML has: %s", needle);
}

static void test_render_plain(void **state)
{
	struct tc_form *f = load_real("complaint");
	struct tc_buf out = TC_BUF_INIT;

	(void)state;
	assert_int_equal(
	    tc_form_render(f, "/submit/complaint", NULL, NULL, &out), 0);
	assert_has(out.data, "<form class=\"form\" id=\"form-complaint\" "
			     "method=\"post\" action=\"/submit/complaint\"");
	assert_has(out.data, "enctype=\"multipart/form-data\" novalidate>");
	assert_lacks(out.data, "error-summary");
	assert_lacks(out.data, "aria-invalid");
	assert_has(out.data, "<label class=\"label\" for=\"full_name\">Full "
			     "name (optional)</label>");
	assert_has(out.data, "id=\"full_name\" name=\"full_name\" "
			     "type=\"text\" autocomplete=\"name\">");
	assert_has(out.data, "<input class=\"input input--width-30\"");
	/* hints are referenced */
	assert_has(out.data, "<div class=\"hint\" id=\"email-hint\">");
	assert_has(out.data, "type=\"email\" spellcheck=\"false\" "
			     "autocomplete=\"email\" "
			     "aria-describedby=\"email-hint\">");
	/* radios: the first option's id is the name, then NAME-2 */
	assert_has(out.data, "<input class=\"radios__input\" id=\"on_behalf\" "
			     "name=\"on_behalf\" type=\"radio\" "
			     "value=\"yes\">");
	assert_has(out.data, "<input class=\"radios__input\" "
			     "id=\"on_behalf-2\" name=\"on_behalf\" "
			     "type=\"radio\" value=\"no\">");
	assert_has(out.data, "<label class=\"radios__label\" "
			     "for=\"on_behalf-2\">No</label>");
	assert_has(out.data, "<div class=\"radios radios--inline\">");
	/* revealed fields sit under their option, said to belong to it */
	assert_has(out.data, "<div class=\"inset-text reveal\" "
			     "id=\"on_behalf-1-reveal\" "
			     "data-reveal-for=\"on_behalf\">\n<p "
			     "class=\"hint\">If you chose &#8216;Yes&#8217;:");
	assert_true(strstr(out.data, "id=\"person_name\"") >
		    strstr(out.data, "id=\"on_behalf\""));
	assert_true(strstr(out.data, "id=\"person_name\"") <
		    strstr(out.data, "id=\"on_behalf-2\""));
	/* the date */
	assert_has(out.data, "<legend class=\"fieldset__legend\">When did it "
			     "happen?</legend>");
	assert_has(out.data, "id=\"when_happened-day\" "
			     "name=\"when_happened-day\" type=\"text\" "
			     "inputmode=\"numeric\">");
	assert_has(out.data, "id=\"when_happened-year\"");
	/* textarea and its count */
	assert_has(out.data, "<div class=\"character-count\" "
			     "data-module=\"character-count\" "
			     "data-maxlength=\"5000\">");
	assert_has(out.data, "aria-describedby=\"what_happened-hint "
			     "what_happened-info\"");
	assert_has(out.data, "id=\"what_happened-info\">You can enter up to "
			     "5000 characters</div>");
	/* select from the shared list */
	assert_has(out.data, "<option value=\"council-tax\">Council "
			     "Tax</option>");
	/* file input */
	assert_has(out.data, "type=\"file\" multiple accept=\".pdf,");
	assert_has(out.data, "You can upload up to 5 files. Each file must "
			     "be PDF, JPG, PNG, TXT, DOC or DOCX, smaller "
			     "than 10 MB.");
	assert_lacks(out.data, "Choose your files again");
	/* honeypot and button */
	assert_has(out.data, "<div class=\"honeypot\" aria-hidden=\"true\">\n"
			     "<label for=\"website\">Leave this field "
			     "empty</label>\n<input id=\"website\" "
			     "name=\"website\" type=\"text\" tabindex=\"-1\" "
			     "autocomplete=\"off\">");
	assert_has(out.data, "<button class=\"button\" type=\"submit\">Send "
			     "complaint</button>");
	assert_has(out.data, "<legend class=\"fieldset__legend "
			     "fieldset__legend--large\"><h2 "
			     "class=\"fieldset__heading\">About you</h2>");
	tc_buf_release(&out);
	tc_form_free(f);
}

static void test_render_errors_and_values(void **state)
{
	/* Exactly these: the name, markup and all, is no error. */
	static const struct want_error wrong[] = {
	    {"email", NULL, NULL},
	    {"relationship", NULL, NULL},
	    {"when_happened", "when_happened-month", NULL},
	};
	struct tc_form *f = load_real("complaint");
	struct tc_buf out = TC_BUF_INIT;
	struct tc_form_errors errs;
	cJSON *v = good_complaint();
	const char *summary, *field;

	(void)state;
	cJSON_ReplaceItemInObject(
	    v, "full_name", cJSON_CreateString("\"><script>alert(1)</script>"));
	cJSON_ReplaceItemInObject(v, "what_happened",
				  cJSON_CreateString("</textarea><b>&amp;"));
	cJSON_ReplaceItemInObject(v, "when_happened",
				  cJSON_CreateString("2026-13-01"));
	cJSON_ReplaceItemInObject(v, "email", cJSON_CreateString("nope"));
	cJSON_ReplaceItemInObject(v, "on_behalf", cJSON_CreateString("yes"));
	cJSON_AddStringToObject(v, "consent", "yes");
	cJSON_AddStringToObject(v, "person_name", "Grace");
	run_validate(f, v, NULL, &errs);
	check_errors("the answers", &errs, wrong, TL_LEN(wrong));
	assert_int_equal(tc_form_render(f, "/submit/complaint", v, &errs, &out),
			 0);

	/* the summary comes first, focusable, linking to each input */
	summary = strstr(out.data, "<div class=\"error-summary\"");
	field = strstr(out.data, "id=\"full_name\"");
	assert_non_null(summary);
	assert_true(summary < field);
	assert_has(out.data,
		   "<div class=\"error-summary\" id=\"error-summary\" "
		   "aria-labelledby=\"error-summary-title\" "
		   "role=\"alert\" tabindex=\"-1\" "
		   "data-module=\"error-summary\">");
	assert_has(out.data, ">There is a problem</h2>");
	assert_has(out.data, "<li><a href=\"#email\">Enter an email address in "
			     "the correct format, like "
			     "name@example.com</a></li>");
	assert_has(out.data, "<li><a href=\"#relationship\">Enter your "
			     "relationship to the person</a></li>");
	assert_has(out.data, "<li><a href=\"#when_happened-month\">");

	/* the field's own message, announced and referenced */
	assert_has(out.data, "<div class=\"form-group form-group--error\">\n"
			     "<label class=\"label\" for=\"email\">");
	assert_has(out.data, "<p class=\"error-message\" id=\"email-error\">"
			     "<span class=\"visually-hidden\">Error:</span> "
			     "Enter an email address");
	assert_has(out.data, "<input class=\"input input--width-30 "
			     "input--error\" id=\"email\"");
	assert_has(out.data, "value=\"nope\" aria-describedby=\"email-hint "
			     "email-error\" aria-invalid=\"true\">");
	/* only the wrong date part is marked */
	assert_has(out.data, "<input class=\"input date-input__input "
			     "input--error\" id=\"when_happened-month\"");
	assert_has(out.data, "<input class=\"input date-input__input\" "
			     "id=\"when_happened-day\"");
	assert_has(out.data, "name=\"when_happened-month\" type=\"text\" "
			     "inputmode=\"numeric\" value=\"13\" "
			     "aria-invalid=\"true\">");
	assert_has(out.data, "name=\"when_happened-year\" type=\"text\" "
			     "inputmode=\"numeric\" value=\"2026\">");

	/* values come back, escaped */
	assert_lacks(out.data, "<script>");
	assert_has(out.data, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/"
			     "script&gt;\"");
	assert_has(out.data, ">&lt;/textarea&gt;&lt;b&gt;&amp;amp;</textarea>");
	assert_lacks(out.data, "</textarea><b>");
	assert_has(out.data, "id=\"on_behalf\" name=\"on_behalf\" "
			     "type=\"radio\" value=\"yes\" checked>");
	assert_has(out.data, "type=\"checkbox\" value=\"yes\" checked");
	assert_has(out.data, "<option value=\"bins\" selected>");
	assert_has(out.data, "value=\"Grace\"");
	/* files are never filled back; the form says so */
	assert_has(out.data, "<strong>Choose your files again.</strong>");
	assert_has(out.data, "aria-describedby=\"files-hint files-again\"");
	assert_lacks(out.data, "name=\"website\" type=\"text\" tabindex=\"-1\" "
			       "autocomplete=\"off\" value");
	tc_form_errors_release(&errs);
	tc_buf_release(&out);
	cJSON_Delete(v);
	tc_form_free(f);
}

static void test_schema_json(void **state)
{
	struct tc_form *f = load_real("complaint");
	cJSON *s = tc_form_schema_json(f), *fields, *it, *found = NULL;
	cJSON *person = NULL;
	const cJSON *x;

	(void)state;
	assert_non_null(s);
	assert_string_equal(cJSON_GetObjectItem(s, "id")->valuestring,
			    "complaint");
	assert_string_equal(cJSON_GetObjectItem(s, "hash")->valuestring,
			    tc_form_hash(f));
	fields = cJSON_GetObjectItem(s, "fields");
	assert_int_equal(cJSON_GetArraySize(fields), 19);
	cJSON_ArrayForEach(it, fields)
	{
		if (!strcmp(cJSON_GetObjectItem(it, "name")->valuestring,
			    "consent"))
			found = it;
		if (!strcmp(cJSON_GetObjectItem(it, "name")->valuestring,
			    "person_name"))
			person = it;
	}
	assert_non_null(found);
	assert_non_null(person);
	x = cJSON_GetObjectItem(found, "revealed_by");
	assert_string_equal(cJSON_GetObjectItem(x, "field")->valuestring,
			    "on_behalf");
	assert_string_equal(cJSON_GetObjectItem(x, "value")->valuestring,
			    "yes");
	/* a complaint for someone without their consent is accepted and
	 * flagged (the rules), never refused */
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(found, "required")));
	x = cJSON_GetObjectItem(person, "revealed_by");
	assert_string_equal(cJSON_GetObjectItem(x, "field")->valuestring,
			    "on_behalf");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(person, "required")));
	x = cJSON_GetObjectItem(person, "messages");
	assert_string_equal(cJSON_GetObjectItem(x, "required")->valuestring,
			    "Enter the full name of the person you are "
			    "complaining for");
	found = cJSON_GetArrayItem(fields, 11); /* what_happened */
	assert_string_equal(cJSON_GetObjectItem(found, "name")->valuestring,
			    "what_happened");
	assert_int_equal(
	    (int)cJSON_GetObjectItem(found, "max_length")->valuedouble, 5000);
	found = cJSON_GetArrayItem(fields, 12);
	assert_string_equal(cJSON_GetObjectItem(found, "target")->valuestring,
			    "when_happened-day");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(found, "past")));
	cJSON_Delete(s);
	tc_form_free(f);
}

/* ------------------------------------------------------------------ */
/* Sniffing */

/* The answers as a copy or the check page shows them. */
static void test_answers(void **state)
{
	struct tc_form *f = load_real("complaint");
	cJSON *fields = cJSON_Parse(
	    "{\"full_name\": \"Ada\", \"email\": \"\", \"on_behalf\": \"no\","
	    "\"service_area\": \"parking\", \"when_happened\": \"2024-02-29\","
	    "\"contact_method\": \"phone\"}");
	cJSON *atts = cJSON_Parse("[{\"field\": \"files\", \"name\": "
				  "\"a.pdf\", \"path\": \"files/1\"},"
				  "{\"field\": \"files\", \"name\": \"b.png\", "
				  "\"path\": \"files/2\"}]");
	cJSON *rows, *r;
	char *got;

	(void)state;
	assert_non_null(fields);
	assert_non_null(atts);
	rows = tc_form_answers(f, fields, atts);
	assert_non_null(rows);
	/* Page order; the empty email left out; an option by its label; a
	 * date in words; files by name, as a list. */
	got = cJSON_PrintUnformatted(rows);
	assert_non_null(strstr(got, "{\"name\":\"full_name\",\"label\":\"Full "
				    "name (optional)\",\"value\":\"Ada\"}"));
	assert_null(strstr(got, "\"email\""));
	assert_non_null(strstr(got, "\"name\":\"contact_method\",\"label\":"
				    "\"How should we contact you?\",\"value\":"
				    "\"Phone\"}"));
	assert_non_null(strstr(got, "\"value\":\"29 February 2024\""));
	assert_non_null(strstr(got, "\"items\":[\"a.pdf\",\"b.png\"],"
				    "\"list\":true"));
	assert_true(strstr(got, "full_name") < strstr(got, "service_area"));
	r = cJSON_GetArrayItem(rows, 0);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring,
	    "full_name");
	cJSON_free(got);
	cJSON_Delete(rows);
	cJSON_Delete(fields);
	cJSON_Delete(atts);
	tc_form_free(f);
}

static void test_sniff(void **state)
{
	static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10};
	static const unsigned char png[] = {0x89, 'P',	'N',  'G', 0x0D,
					    0x0A, 0x1A, 0x0A, 0,   0};
	static const unsigned char ole[] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1,
					    0xB1, 0x1A, 0xE1, 0};
	static const char docx[] = "PK\x03\x04\x14\x00\x06\x00"
				   "[Content_Types].xml....PK\x03\x04"
				   "word/document.xml....";
	static const char zip[] = "PK\x03\x04\x14\x00\x06\x00evil.exe";
	static const char exe[] = "MZ\x90\x00\x03\x00\x00\x00";
	static const char txt[] = "Dear council,\r\n\tThanks. \xC3\xA9";

	(void)state;
	assert_string_equal(tc_sniff_type("%PDF-1.7\n...", 12),
			    "application/pdf");
	assert_string_equal(tc_sniff_type(jpeg, sizeof(jpeg)), "image/jpeg");
	assert_string_equal(tc_sniff_type(png, sizeof(png)), "image/png");
	assert_string_equal(tc_sniff_type(ole, sizeof(ole)),
			    "application/msword");
	assert_string_equal(tc_sniff_type(docx, sizeof(docx) - 1),
			    "application/vnd.openxmlformats-officedocument."
			    "wordprocessingml.document");
	assert_null(tc_sniff_type(zip, sizeof(zip) - 1));
	assert_string_equal(tc_sniff_type(txt, sizeof(txt) - 1), "text/plain");
	/* a lying file: an executable named letter.pdf */
	assert_null(tc_sniff_type(exe, sizeof(exe) - 1));
	assert_null(tc_sniff_type("text with a NUL\0here", 20));
	assert_null(tc_sniff_type("bell \x07 char", 11));
	assert_null(tc_sniff_type("bad \xC3\x28", 6));
	assert_string_equal(tc_sniff_type("%PD", 3), "text/plain");
	assert_null(tc_sniff_type("", 0));
	/* a PDF signature must be at the start */
	assert_string_equal(tc_sniff_type(" %PDF-1.7", 9), "text/plain");
}

/* Fed in pieces of every size, the answer is the one for the whole file:
 * a UTF-8 sequence or the Word entry's name cut between two pieces. */
static void test_sniff_pieces(void **state)
{
	static const char docx_mime[] =
	    "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document";
	static const struct {
		const char *data;
		size_t len;
		const char *type;
	} cases[] = {
#define CASE(lit, type) {(lit), sizeof(lit) - 1, (type)}
	    CASE("caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80 ok\r\n",
		 "text/plain"),
	    CASE("\xF0\x9F\x98\x80", "text/plain"),
	    CASE("ends cut \xE2\x80", NULL),
	    CASE("ends cut \xF0", NULL),
	    CASE("bad \xE2\x28\xA1 continuation", NULL),
	    CASE("overlong \xC0\xAF", NULL),
	    CASE("surrogate \xED\xA0\x80", NULL),
	    CASE("stray \x80", NULL),
	    CASE("late control \xC3\xA9\x1b[0m", NULL),
	    CASE("PK\x03\x04\x14\x00..word/document.xml..", docx_mime),
	    CASE("PK\x03\x04word/document.xm", NULL),
	    CASE("PK\x03\x04word/document.xmlPK", docx_mime),
	    CASE("PK\x03\x04 word/ document.xml", NULL),
	    CASE("%PDF-1.7 \x00\xff binary", "application/pdf"),
	    CASE("MZ\x90\x00 named evidence.pdf", NULL),
#undef CASE
	};
	struct tc_sniffer sn;
	size_t i, piece, at, n;
	const char *got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (piece = 1; piece <= cases[i].len; piece++) {
			tc_sniff_init(&sn);
			for (at = 0; at < cases[i].len; at += n) {
				n = cases[i].len - at < piece
					? cases[i].len - at
					: piece;
				tc_sniff_feed(&sn, cases[i].data + at, n);
			}
			got = tc_sniff_end(&sn);
			if (!cases[i].type)
				assert_null(got);
			else
				assert_non_null(got);
			if (cases[i].type)
				assert_string_equal(got, cases[i].type);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_real_forms),
	    cmocka_unit_test(test_answers),
	    cmocka_unit_test(test_schema_errors),
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_validate_good_and_required),
	    cmocka_unit_test(test_validate_revealed),
	    cmocka_unit_test(test_validate_required_if),
	    cmocka_unit_test(test_validate_lengths_and_formats),
	    cmocka_unit_test(test_validate_dates_and_options),
	    cmocka_unit_test(test_validate_files),
	    cmocka_unit_test(test_pattern),
	    cmocka_unit_test(test_pattern_pathological),
	    cmocka_unit_test(test_render_plain),
	    cmocka_unit_test(test_render_errors_and_values),
	    cmocka_unit_test(test_schema_json),
	    cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_sniff_pieces),
	};

	return cmocka_run_group_tests_name("forms", tests, make_tmpdir,
					   remove_tmpdir);
}
