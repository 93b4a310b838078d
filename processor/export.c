/*
 * export.c: subject access (see export.h).
 *
 * The person is found by reading every stored submission and comparing
 * its normalised email, phone or name with what was asked for (as the
 * restrictions register matches), then the restrictions register the same
 * way. The zip holds index.html (what is held, and what an officer must
 * check for other people's data before release), each case's case.json,
 * its pack, each submission as received with its attachments, and the
 * restrictions with their reviews. The index is the theme's
 * casework/export-index.mustache, rendered against what was found.
 */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "array.h"
#include "casepack.h"
#include "err.h"
#include "people.h"
#include "fields.h"
#include "fsutil.h"
#include "limits.h"
#include "restrict.h"

struct entry {
	char *name; /* path in the zip */
	char *data; /* owned */
	size_t len;
};

struct zipout {
	struct entry *v;
	size_t n, cap;
};

/* One export being made. */
struct export
{
	struct cw_env *env;
	char en[256], pn[64], nn[256]; /* who: normalised, "" if not asked */
	struct zipout z;
	int64_t *done; /* cases already exported */
	size_t ndone, done_cap;
	size_t ncases, nsubs, nrestr;
	cJSON *subs, *checks, *restr; /* the index's lists */
	struct tc_buf p, data, nm;    /* scratch: path, bytes, zip name */
};

static void zadd(struct zipout *z, const char *name, struct tc_buf *b)
{
	struct entry *e;

	TC_ALLOC_GROW(z->v, z->n + 1, z->cap);
	e = &z->v[z->n++];
	e->name = tc_xstrdup(name);
	e->data = tc_buf_detach(b, &e->len);
}

/* Adds the bytes in x->data to the zip as the name a b c d. */
static void zaddf(struct export *x, const char *a, const char *b, const char *c,
		  const char *d)
{
	tc_buf_reset(&x->nm);
	if (tc_buf_addf(&x->nm, "%s%s%s%s", a, b, c, d) < 0)
		tc_die_nomem();
	zadd(&x->z, x->nm.data, &x->data);
}

/* Reads the file a b c d under the data folder into x->data. */
static int readf(struct export *x, const char *a, const char *b, const char *c,
		 const char *d)
{
	tc_buf_reset(&x->p);
	tc_buf_reset(&x->data);
	if (tc_buf_addf(&x->p, "%s/%s%s%s%s", x->env->data, a, b, c, d) < 0)
		tc_die_nomem();
	return tc_fs_read(x->p.data, TC_MAX_RENDER, &x->data);
}

static const char *fstr(const cJSON *fields, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, k);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* 1 when the submission's fields are the person's. */
static int matches(const cJSON *fields, const struct export *x)
{
	char b[256];

	if (x->en[0] && cw_norm_email(fstr(fields, TC_F_EMAIL), b, sizeof(b)) &&
	    !strcmp(b, x->en))
		return 1;
	if (x->pn[0] && cw_norm_phone(fstr(fields, TC_F_PHONE), b, sizeof(b)) &&
	    !strcmp(b, x->pn))
		return 1;
	if (x->nn[0] &&
	    cw_norm_name(fstr(fields, TC_F_FULL_NAME), b, sizeof(b)) &&
	    !strcmp(b, x->nn))
		return 1;
	return 0;
}

/* Fields that may hold other people's data, for the officer to check. */
static void third_parties(struct export *x, const char *sub_id,
			  const cJSON *sub)
{
	static const char *const risky[] = {
	    "person_name", "relationship",   "what_happened",
	    "impact",	   "outcome_sought", "why_unhappy",
	    "message",	   "adjustments",    NULL};
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sub, "fields");
	const cJSON *att = cJSON_GetObjectItemCaseSensitive(sub, "attachments");
	cJSON *c;
	int i;

	for (i = 0; risky[i]; i++)
		if (fstr(fields, risky[i])) {
			c = cw_ctx_item(x->checks);
			cw_ctx_str(c, "submission", sub_id);
			cw_ctx_str(c, "field", risky[i]);
		}
	if (cJSON_GetArraySize(att) > 0) {
		c = cw_ctx_item(x->checks);
		cw_ctx_str(c, "submission", sub_id);
	}
}

/* The case's case.json and pack, once per case. */
static void add_case(struct export *x, int64_t cid, const char *ref)
{
	struct cw_case c;
	cJSON *cj;
	char *txt;
	size_t i;

	for (i = 0; i < x->ndone; i++)
		if (x->done[i] == cid)
			return;
	TC_ALLOC_GROW(x->done, x->ndone + 1, x->done_cap);
	x->done[x->ndone++] = cid;
	if (cw_store_case_load_id(x->env->reg, cid, &c) != 1)
		return;
	x->ncases++;
	(void)cw_people_read(x->env, &c, "export");
	cj = cw_case_json(x->env, &c);
	txt = cJSON_Print(cj);
	if (!txt)
		tc_die_nomem();
	tc_buf_reset(&x->data);
	if (tc_buf_adds(&x->data, txt) < 0)
		tc_die_nomem();
	free(txt);
	cJSON_Delete(cj);
	zaddf(x, "cases/", ref, "/case.json", "");
	cw_case_release(&c);
	if (readf(x, "casepacks/", ref, ".zip", "") == 0)
		zaddf(x, "cases/", ref, "/pack.zip", "");
}

/* The submission's attachments, into the zip and the index's row. */
static void add_attachments(struct export *x, const char *sid, const cJSON *sub,
			    cJSON *row)
{
	const cJSON *att = cJSON_GetObjectItemCaseSensitive(sub, "attachments");
	const cJSON *a;
	cJSON *files = cw_ctx_arr(row, "files");

	cJSON_ArrayForEach(a, att)
	{
		const char *path = fstr(a, "path");
		cJSON *f;

		if (!path || strstr(path, "..") || path[0] == '/')
			continue;
		if (readf(x, "store/", sid, "/", path) < 0)
			continue;
		zaddf(x, "submissions/", sid, "/", path);
		f = cw_ctx_item(files);
		cw_ctx_str(f, "path", x->nm.data);
		cw_ctx_str(f, "file", fstr(a, "name") ? fstr(a, "name") : path);
	}
}

static void on_submission(void *arg, const char *sid, const char *ref,
			  int64_t cid)
{
	struct export *x = arg;
	cJSON *sub, *row;

	if (readf(x, "store/", sid, "/submission.json", "") < 0)
		return; /* purged, or never stored */
	sub = cJSON_ParseWithLength(x->data.data, x->data.len);
	if (!sub ||
	    !matches(cJSON_GetObjectItemCaseSensitive(sub, "fields"), x)) {
		cJSON_Delete(sub);
		return;
	}
	x->nsubs++;
	zaddf(x, "submissions/", sid, "/submission.json", "");
	row = cw_ctx_item(x->subs);
	cw_ctx_str(row, "id", sid);
	if (cid && ref[0])
		cw_ctx_str(row, "case", ref);
	if (cid)
		add_case(x, cid, ref);
	add_attachments(x, sid, sub, row);
	third_parties(x, sid, sub);
	cJSON_Delete(sub);
}

static void on_restriction(void *arg, const struct cw_report_restriction *r)
{
	struct export *x = arg;
	struct tc_buf line = TC_BUF_INIT;

	x->nrestr++;
	if (tc_buf_addf(
		&line, "R%lld: %s, scope %s, from %s, review by %s, %s %s",
		(long long)r->id, cw_restrict_kind_label(r->kind), r->scope,
		r->start, r->review, r->status, r->lifted) < 0)
		tc_die_nomem();
	cw_ctx_push(x->restr, line.data);
	tc_buf_release(&line);
}

/* Writes the zip privately: created 0600, never group or world. 0, or -1
 * (printed). */
static int write_zip(const struct zipout *z, const char *out)
{
	zip_error_t ze;
	zip_t *za = NULL;
	size_t i;
	int r, fd, rc = -1;

	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		tc_warn("cannot write '%s'", out);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	za = zip_open(out, ZIP_TRUNCATE, &r);
	if (!za) {
		zip_error_init_with_code(&ze, r);
		tc_warnx("cannot write '%s': %s", out, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	for (i = 0; i < z->n; i++) {
		zip_source_t *s =
		    zip_source_buffer(za, z->v[i].data, z->v[i].len, 0);

		if (!s ||
		    zip_file_add(za, z->v[i].name, s,
				 ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
			zip_source_free(s);
			tc_warnx("cannot add to '%s': %s", out,
				 zip_strerror(za));
			goto out;
		}
	}
	if (zip_close(za) < 0) {
		tc_warnx("cannot write '%s': %s", out, zip_strerror(za));
		goto out;
	}
	za = NULL;
	if (chmod(out, 0600) < 0) {
		tc_warn("cannot make '%s' private", out);
		goto out;
	}
	rc = 0;
out:
	if (za)
		zip_discard(za);
	return rc;
}

int cw_export(struct cw_env *env, const char *email, const char *phone,
	      const char *name, const char *out)
{
	struct export x = {.env = env};
	struct tc_buf idx = TC_BUF_INIT;
	cJSON *o = cw_ctx_page("Subject access export", NULL);
	size_t i;
	int rc = TC_EXIT_ENV;

	x.p = x.data = x.nm = (struct tc_buf)TC_BUF_INIT;
	cw_norm_email(email, x.en, sizeof(x.en));
	cw_norm_phone(phone, x.pn, sizeof(x.pn));
	cw_norm_name(name, x.nn, sizeof(x.nn));
	if (!x.en[0] && !x.pn[0] && !x.nn[0]) {
		tc_warnx("export: give a non-empty --email, --phone or --name");
		rc = TC_EXIT_USAGE;
		goto out;
	}
	cw_ctx_str(o, "today", env->today_s);
	cw_ctx_str(o, "email", x.en);
	cw_ctx_str(o, "phone", x.pn);
	cw_ctx_str(o, "name", x.nn);
	x.subs = cw_ctx_arr(o, "submissions");
	x.restr = cw_ctx_arr(o, "restrictions");
	x.checks = cw_ctx_arr(o, "checks");
	if (cw_store_read_begin(env->reg) < 0 ||
	    cw_store_each_submission(env->reg, on_submission, &x) < 0 ||
	    cw_store_person_restrictions(env->reg, x.en, x.pn, x.nn,
					 on_restriction, &x) < 0)
		goto out;
	cw_store_rollback(env->reg);
	if (cw_render(env, "export-index", o, &idx) < 0)
		goto out;
	zadd(&x.z, "index.html", &idx);
	if (write_zip(&x.z, out) < 0)
		goto out;
	printf("export: %s: %zu cases, %zu submissions, %zu restrictions\n",
	       out, x.ncases, x.nsubs, x.nrestr);
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	cw_store_rollback(env->reg);
	cJSON_Delete(o);
	for (i = 0; i < x.z.n; i++) {
		free(x.z.v[i].name);
		free(x.z.v[i].data);
	}
	free(x.z.v);
	free(x.done);
	tc_buf_release(&idx);
	tc_buf_release(&x.p);
	tc_buf_release(&x.data);
	tc_buf_release(&x.nm);
	return rc;
}
