/*
 * held.c: files kept for a resident across a correction.
 *
 * When a form with files comes back for its mistakes (422), the files of
 * fields that had no problem stay where they were written, in the post's
 * folder under tmp/, with held.json naming them. The form is shown again
 * with a token for them (REF.HMAC, signed with the spool's receipt key, so
 * only that browser can name them) and a list of the files kept. The next
 * post with the token takes them: the folder is renamed into the new
 * post's own (so two posts cannot both take them), and each file of a
 * field the new post sent no file for is moved into its files/. The rest
 * goes with the old folder.
 *
 * Nothing is held for long: held.json says when it expires (HOLD_SECONDS
 * after it was written); a sweep, at most once a minute, removes expired
 * folders, and intake serve empties tmp/ when it starts.
 */
#include "serve_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "fsutil.h"
#include "sha256.h"

#define HOLD_SECONDS 1800
#define SWEEP_EVERY  60

/* The signature of what (held or draft) for form and ref, in hex. */
static void sign(const struct intake_ctx *ctx, const char *what,
		 const char *form, const char *ref, char hex[33])
{
	static const char digits[] = "0123456789abcdef";
	const void *parts[5] = {what, "", form, "", ref};
	size_t lens[5] = {strlen(what), 1, strlen(form), 1, strlen(ref)};
	unsigned char mac[32];
	size_t i;

	tc_hmac_sha256(ctx->receipt_key, sizeof(ctx->receipt_key), parts, lens,
		       5, mac);
	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 15];
	}
	hex[32] = '\0';
}

void intake_token(const struct intake_ctx *ctx, const char *what,
		  const char *form, const char *ref, char token[48])
{
	char mac[33];

	sign(ctx, what, form, ref, mac);
	snprintf(token, 48, "%s.%s", ref, mac);
}

const char *intake_token_ref(const struct intake_ctx *ctx, const char *what,
			     const char *form, const char *token, char ref[12])
{
	char mac[33];
	unsigned diff = 0;
	size_t i;

	if (!token || strlen(token) != 11 + 1 + 32 || token[11] != '.')
		return NULL;
	memcpy(ref, token, 11);
	ref[11] = '\0';
	if (!intake_ref_valid(ref))
		return NULL;
	sign(ctx, what, form, ref, mac);
	for (i = 0; i < 32; i++)
		diff |= (unsigned char)(mac[i] ^ token[12 + i]);
	return diff ? NULL : ref;
}

int intake_tmp_write_json(const struct intake_ctx *ctx, const char *ref,
			  const char *name, const cJSON *doc)
{
	struct tc_buf path = TC_BUF_INIT;
	char *json = cJSON_PrintUnformatted(doc);
	int rc = -1;

	/* tmp/REF is this request's own, and nothing names it until the
	 * answer goes: a new file, written in place, is all it needs. */
	if (json &&
	    tc_buf_addf(&path, "%s/%s/%s", ctx->spool_tmp, ref, name) == 0 &&
	    intake_write_new(path.data, json, strlen(json)) == 0)
		rc = 0;
	cJSON_free(json);
	tc_buf_release(&path);
	return rc;
}

cJSON *intake_tmp_read_json(const struct intake_ctx *ctx, const char *ref,
			    const char *name, size_t max)
{
	struct tc_buf path = TC_BUF_INIT, json = TC_BUF_INIT;
	cJSON *doc = NULL;

	if (tc_buf_addf(&path, "%s/%s/%s", ctx->spool_tmp, ref, name) == 0 &&
	    tc_fs_read(path.data, max, &json) == 0)
		doc = cJSON_ParseWithLength(json.data, json.len);
	tc_buf_release(&path);
	tc_buf_release(&json);
	return doc;
}

int intake_held_keep(const struct intake_ctx *ctx, const char *form,
		     const char *ref, const cJSON *kept, const cJSON *fields,
		     char token[48])
{
	cJSON *o = cJSON_CreateObject();
	int rc = -1;

	if (o && cJSON_AddStringToObject(o, "form", form) &&
	    cJSON_AddNumberToObject(o, "expires",
				    (double)(time(NULL) + HOLD_SECONDS)) &&
	    cJSON_AddItemToObject(o, "attachments", cJSON_Duplicate(kept, 1)) &&
	    (!fields ||
	     cJSON_AddItemToObject(o, "fields", cJSON_Duplicate(fields, 1))) &&
	    intake_tmp_write_json(ctx, ref, "held.json", o) == 0) {
		intake_token(ctx, "held", form, ref, token);
		rc = 0;
	}
	cJSON_Delete(o);
	return rc;
}

/* 1 when atts has a file for field. */
static int has_field(const cJSON *atts, const char *field)
{
	const cJSON *a, *f;

	cJSON_ArrayForEach(a, atts)
	{
		f = cJSON_GetObjectItemCaseSensitive(a, "field");
		if (cJSON_IsString(f) && !strcmp(f->valuestring, field))
			return 1;
	}
	return 0;
}

cJSON *intake_held_take(const struct intake_ctx *ctx, const char *form,
			const char *token, const char *ref, unsigned first,
			const cJSON *posted)
{
	struct tc_buf from = TC_BUF_INIT, to = TC_BUF_INIT, p = TC_BUF_INIT,
		      q = TC_BUF_INIT;
	char old[12];
	cJSON *doc = NULL, *out = NULL, *a, *exp, *atts;
	unsigned n = first;

	if (!intake_token_ref(ctx, "held", form, token, old) ||
	    !strcmp(old, ref))
		return NULL;
	if (tc_buf_addf(&from, "%s/%s", ctx->spool_tmp, old) < 0 ||
	    tc_buf_addf(&to, "%s/%s/held", ctx->spool_tmp, ref) < 0 ||
	    rename(from.data, to.data) < 0)
		goto out; /* gone: taken, expired or swept */
	doc = intake_tmp_read_json(ctx, ref, "held/held.json", INTAKE_HELD_MAX);
	if (!doc)
		goto out;
	exp = cJSON_GetObjectItemCaseSensitive(doc, "expires");
	atts = cJSON_GetObjectItemCaseSensitive(doc, "attachments");
	if (!cJSON_IsNumber(exp) || exp->valuedouble < (double)time(NULL) ||
	    !cJSON_IsArray(atts))
		goto out;
	out = cJSON_CreateArray();
	if (!out)
		goto out;
	cJSON_ArrayForEach(a, atts)
	{
		cJSON *path = cJSON_GetObjectItemCaseSensitive(a, "path"), *c;
		cJSON *field = cJSON_GetObjectItemCaseSensitive(a, "field");
		char rel[32];

		if (!cJSON_IsString(field) ||
		    has_field(posted, field->valuestring) ||
		    !cJSON_IsString(path) ||
		    !tc_fs_safe_relpath(path->valuestring,
					strlen(path->valuestring)) ||
		    strncmp(path->valuestring, "files/", 6))
			continue;
		snprintf(rel, sizeof(rel), "files/%u", n);
		tc_buf_reset(&p);
		tc_buf_reset(&q);
		if (tc_buf_addf(&p, "%s/%s", to.data, path->valuestring) < 0 ||
		    tc_buf_addf(&q, "%s/%s/%s", ctx->spool_tmp, ref, rel) < 0 ||
		    rename(p.data, q.data) < 0)
			continue;
		c = cJSON_Duplicate(a, 1);
		if (!c ||
		    !cJSON_ReplaceItemInObjectCaseSensitive(
			c, "path", cJSON_CreateString(rel)) ||
		    !cJSON_AddItemToArray(out, c)) {
			cJSON_Delete(c);
			continue;
		}
		n++;
	}
out:
	if (to.data && to.len)
		(void)tc_fs_remove_tree(to.data);
	cJSON_Delete(doc);
	tc_buf_release(&from);
	tc_buf_release(&to);
	tc_buf_release(&p);
	tc_buf_release(&q);
	return out;
}

int intake_held_describe(cJSON *values, const char *token, const cJSON *atts)
{
	cJSON *h = cJSON_AddObjectToObject(values, "_held"), *files, *names;
	const cJSON *a, *f, *n;

	files = h ? cJSON_AddObjectToObject(h, "files") : NULL;
	if (!files || !cJSON_AddStringToObject(h, "token", token))
		return -1;
	cJSON_ArrayForEach(a, atts)
	{
		f = cJSON_GetObjectItemCaseSensitive(a, "field");
		n = cJSON_GetObjectItemCaseSensitive(a, "name");
		if (!cJSON_IsString(f) || !cJSON_IsString(n))
			continue;
		names = cJSON_GetObjectItemCaseSensitive(files, f->valuestring);
		if (!names)
			names = cJSON_AddArrayToObject(files, f->valuestring);
		if (!names || !cJSON_AddItemToArray(
				  names, cJSON_CreateString(n->valuestring)))
			return -1;
	}
	return 0;
}

void intake_held_sweep(struct intake_ctx *ctx)
{
	static long long last; /* when the last sweep began (atomic) */
	long long now = (long long)time(NULL), was;
	struct tc_buf p = TC_BUF_INIT;
	char **names = NULL;
	size_t n = 0, i;

	was = __atomic_load_n(&last, __ATOMIC_RELAXED);
	if (now - was < SWEEP_EVERY ||
	    !__atomic_compare_exchange_n(&last, &was, now, 0, __ATOMIC_RELAXED,
					 __ATOMIC_RELAXED))
		return;
	if (tc_fs_list(ctx->spool_tmp, &names, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		cJSON *doc, *exp;
		int expired;

		doc = intake_tmp_read_json(ctx, names[i], "held.json",
					   INTAKE_HELD_MAX);
		if (!doc)
			continue; /* a post still being written, or not held */
		exp = cJSON_GetObjectItemCaseSensitive(doc, "expires");
		expired =
		    !cJSON_IsNumber(exp) || exp->valuedouble < (double)now;
		cJSON_Delete(doc);
		if (!expired)
			continue;
		tc_buf_reset(&p);
		if (tc_buf_addf(&p, "%s/%s", ctx->spool_tmp, names[i]) == 0)
			(void)tc_fs_remove_tree(p.data);
	}
	tc_fs_names_free(names, n);
	tc_buf_release(&p);
}
