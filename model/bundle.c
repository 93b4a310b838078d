/*
 * bundle.c: submission IDs, entry names, the manifest writer and the check
 * of a submission.json (see bundle.h; the format is docs/bundle.md).
 */
#include "bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fsutil.h"
#include "limits.h"
#include "utf8.h"

int tc_submission_id_random(char id[TC_SUBMISSION_ID_LEN + 1])
{
	static const char alphabet[] = TC_SUBMISSION_ID_ALPHABET;
	unsigned char r[10];
	size_t i, o = 0;

	if (tc_fs_random(r, sizeof(r)) < 0)
		return -1;
	for (i = 0; i < sizeof(r); i++) {
		if (i == 5)
			id[o++] = '-';
		id[o++] = alphabet[r[i] & 31];
	}
	id[o] = '\0';
	return 0;
}

int tc_channel_valid(const char *s)
{
	static const char *const ch[] = {"web",	  "phone",     "letter",
					 "email", "in-person", "social-media",
					 NULL};
	size_t i;

	for (i = 0; s && ch[i]; i++)
		if (!strcmp(s, ch[i]))
			return 1;
	return 0;
}

int tc_submission_id_valid(const char *s)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < TC_SUBMISSION_ID_LEN; i++) {
		if (i == 5) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
			     (s[i] >= 'A' && s[i] <= 'Z'))) {
			return 0;
		}
	}
	return s[TC_SUBMISSION_ID_LEN] == '\0';
}

unsigned tc_bundle_attachment_number(const char *name)
{
	unsigned n = 0;
	size_t i;

	if (name[0] < '1' || name[0] > '9' || strlen(name) > 4)
		return 0;
	for (i = 0; name[i]; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		n = n * 10 + (unsigned)(name[i] - '0');
	}
	return n <= TC_MAX_SUBMISSION_FILES ? n : 0;
}

int tc_bundle_entry_name(struct tc_buf *out, const char *id, unsigned n)
{
	if (n)
		return tc_buf_addf(out, TC_BUNDLE_SUBMISSIONS "%s/files/%u", id,
				   n);
	return tc_buf_addf(out, TC_BUNDLE_SUBMISSIONS "%s/submission.json", id);
}

int tc_manifest_write_begin(struct tc_manifest_writer *w, struct tc_buf *out,
			    const char *bundle_id, const char *created,
			    const char *source)
{
	w->out = out;
	w->nsubs = 0;
	w->nfiles = 0;
	return tc_buf_addf(out,
			   "{\n  \"format\": \"" TC_BUNDLE_FORMAT "\",\n"
			   "  \"bundle_id\": \"%s\",\n  \"created\": \"%s\",\n"
			   "  \"source\": \"%s\",\n  \"submissions\": [",
			   bundle_id, created, source);
}

/* Closes the submission being written, if any. */
static int close_sub(struct tc_manifest_writer *w)
{
	return w->nsubs ? tc_buf_adds(w->out, "\n      ]\n    }") : 0;
}

int tc_manifest_write_sub(struct tc_manifest_writer *w, const char *id)
{
	if (close_sub(w) < 0)
		return -1;
	w->nfiles = 0;
	return tc_buf_addf(w->out,
			   "%s\n    {\n      \"id\": \"%s\",\n"
			   "      \"files\": [",
			   w->nsubs++ ? "," : "", id);
}

int tc_manifest_write_file(struct tc_manifest_writer *w, const char *path,
			   uint64_t size, const char *sha256)
{
	return tc_buf_addf(w->out,
			   "%s\n        {\"path\": \"%s\", "
			   "\"size\": %" PRIu64 ", \"sha256\": \"%s\"}",
			   w->nfiles++ ? "," : "", path, size, sha256);
}

int tc_manifest_write_end(struct tc_manifest_writer *w)
{
	if (close_sub(w) < 0)
		return -1;
	return tc_buf_addf(w->out, "%s],\n  \"count\": %zu\n}\n",
			   w->nsubs ? "\n  " : "", w->nsubs);
}

/* The index in files of files/N, or nfiles when none. */
static size_t file_index(const struct tc_sub_file *files, size_t nfiles,
			 unsigned n)
{
	size_t i;

	for (i = 0; n && i < nfiles; i++)
		if (files[i].n == n)
			break;
	return n ? i : nfiles;
}

/* Checks "attachments" against files; the problem in *res, or TC_SUB_OK. */
static void check_attachments(const cJSON *atts,
			      const struct tc_sub_file *files, size_t nfiles,
			      struct tc_sub_check *res)
{
	unsigned char used[TC_MAX_SUBMISSION_FILES + 1];
	const cJSON *a, *path, *size, *sha;
	size_t i, k = 0;
	unsigned n;

	memset(used, 0, sizeof(used));
	cJSON_ArrayForEach(a, atts)
	{
		res->index = k++;
		path = cJSON_GetObjectItemCaseSensitive(a, "path");
		size = cJSON_GetObjectItemCaseSensitive(a, "size");
		sha = cJSON_GetObjectItemCaseSensitive(a, "sha256");
		n = 0;
		if (cJSON_IsString(path) &&
		    !strncmp(path->valuestring, "files/", 6))
			n = tc_bundle_attachment_number(path->valuestring + 6);
		i = file_index(files, nfiles, n);
		if (i >= nfiles || used[n]) {
			res->problem = TC_SUB_ATTACHMENT_PATH;
			return;
		}
		used[n] = 1;
		res->file = n;
		if (!cJSON_IsNumber(size) ||
		    size->valuedouble != (double)files[i].size) {
			res->problem = TC_SUB_ATTACHMENT_SIZE;
			return;
		}
		if (!cJSON_IsString(sha) ||
		    strcmp(sha->valuestring, files[i].sha256)) {
			res->problem = TC_SUB_ATTACHMENT_SHA256;
			return;
		}
	}
	for (i = 0; i < nfiles; i++) {
		if (files[i].n > TC_MAX_SUBMISSION_FILES || !used[files[i].n]) {
			res->file = files[i].n;
			res->problem = TC_SUB_FILE_UNLISTED;
			return;
		}
	}
}

const char *tc_sub_json_why(const struct tc_sub_check *res, char *buf, size_t n)
{
	const char *what = tc_json_fault_text(res->json.fault);

	if (res->json.fault == TC_JSON_DUPLICATE)
		snprintf(buf, n, "%s: '%s'", what, res->json.key);
	else if (res->json.fault == TC_JSON_OK)
		snprintf(buf, n, "%s", tc_json_fault_text(TC_JSON_SYNTAX));
	else
		snprintf(buf, n, "%s", what);
	return buf;
}

int tc_submission_check(const char *text, size_t len, const char *id,
			const struct tc_sub_file *files, size_t nfiles,
			struct tc_sub_check *res)
{
	const cJSON *v;
	const char *end = NULL;

	memset(res, 0, sizeof(*res));
	if (!tc_utf8_is_text(text, len, &res->off)) {
		res->problem = TC_SUB_NOT_UTF8;
		goto where;
	}
	if (tc_json_check(text, len, &res->json) < 0) {
		res->problem = TC_SUB_NOT_JSON;
		res->off = res->json.off;
		goto where;
	}
	/* The length includes the NUL so cJSON sees where the text ends. */
	res->doc = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (!res->doc) {
		res->problem = TC_SUB_NOT_JSON;
		res->off = end && end >= text ? (size_t)(end - text) : 0;
		if (res->off > len)
			res->off = len;
		goto where;
	}
	if (!cJSON_IsObject(res->doc)) {
		res->problem = TC_SUB_NOT_OBJECT;
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(res->doc, "format");
	if (!cJSON_IsString(v) ||
	    strcmp(v->valuestring, TC_SUBMISSION_FORMAT)) {
		res->problem = TC_SUB_BAD_FORMAT;
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(res->doc, "id");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, id)) {
		res->problem = TC_SUB_BAD_ID;
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(res->doc, "attachments");
	if (v && !cJSON_IsArray(v)) {
		res->problem = TC_SUB_ATTACHMENTS_TYPE;
		goto out;
	}
	check_attachments(v, files, nfiles, res);
	goto out;
where:
	tc_utf8_line_col(text, len, res->off, &res->line, &res->col);
out:
	return res->problem == TC_SUB_OK ? 0 : -1;
}
