/*
 * forms_post.c: turning what a browser posted into a form's values
 * (tc_form_normalise, see forms.h): text cleaned of controls and trimmed,
 * postcodes tidied, date parts joined, checkboxes gathered into arrays,
 * consent ticks made "yes", and answers to fields not shown dropped.
 */
#include "forms_internal.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

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
	char *p = tc_form_dupn(s, len);

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
		if (!tc_form_field_active(f, out, i))
			cJSON_DeleteItemFromObjectCaseSensitive(
			    out, f->fields[i].name);
	ret = out;
	out = NULL;
out:
	free(c);
	cJSON_Delete(out);
	return ret;
}
