/*
 * forms_validate.c: the one validator (tc_form_validate, see forms.h) that
 * intake runs on each post and casework runs again on each stored
 * submission: required answers, lengths, patterns, email, telephone and
 * postcode formats, real dates, known options and acceptable files.
 */
#include "forms_internal.h"

#include "date.h"

#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "utf8.h"

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

/* 1 when s is "YYYY-MM-DD", the day exists and the year has four
 * digits from 1000. */
static int valid_iso_date(const char *s)
{
	int y, m, d;

	return strnlen(s, 11) == 10 && tc_ymd_scan(s, &y, &m, &d) == 0 &&
	       y >= 1000;
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
	d = dlen >= 1 && dlen <= 2 ? tc_form_num_n(d2 + 1, dlen) : -1;
	m = mlen >= 1 && mlen <= 2 ? tc_form_num_n(d1 + 1, mlen) : -1;
	if (d < 1 || d > 31)
		return "day";
	if (m < 1 || m > 12)
		return "month";
	if (ylen != 4 || tc_form_num_n(v, 4) < 1000)
		return "year";
	return "day";
}

/* 1 when the file kind of MIME type mime is in mask. */
static int kind_accepted(unsigned mask, const char *mime)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if ((mask & (1u << i)) && mime &&
		    !strcmp(mime, tc_form_kinds[i].mime))
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
	    tc_form_field_active(f, values, (size_t)fd->req_if) &&
	    tc_form_value_has(values, f->fields[fd->req_if].name,
			      fd->req_if_value))
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
			    tc_form_find_option(fd, it->valuestring) < 0)
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
		return tc_form_find_option(fd, s) < 0 ? R_INVALID : -1;
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
	e->field = tc_form_dups(fd->name);
	e->message = tc_form_dups(message);
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
		if (!tc_form_field_active(f, values, i))
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
	if (!errs)
		return;
	TC_RELEASE_EACH(errs->v, errs->n, field_error_release);
	errs->v = NULL;
	errs->n = 0;
}
