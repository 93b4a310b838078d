/*
 * export.c: subject access (see export.h).
 *
 * The person is found by reading every stored submission and comparing
 * its normalised email, phone or name with what was asked for (as the
 * restrictions register matches), then the restrictions register the same
 * way. The zip holds index.html (what is held, and what an officer must
 * check for other people's data before release), each case's case.json,
 * its pack, each submission as received with its attachments, and the
 * restrictions with their reviews.
 */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "casepack.h"
#include "err.h"
#include "escape.h"
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

static void zadd(struct zipout *z, const char *name, struct tc_buf *b)
{
	struct entry *e;

	if (z->n == z->cap) {
		struct entry *nv;

		z->cap = z->cap ? z->cap * 2 : 32;
		nv = realloc(z->v, z->cap * sizeof(*nv));
		if (!nv)
			tc_die_nomem();
		z->v = nv;
	}
	e = &z->v[z->n++];
	e->name = strdup(name);
	if (!e->name)
		tc_die_nomem();
	e->data = tc_buf_detach(b, &e->len);
}

static void hs(struct tc_buf *b, const char *s)
{
	if (tc_buf_adds(b, s) < 0)
		tc_die_nomem();
}

static void he(struct tc_buf *b, const char *s)
{
	if (tc_esc_html(b, s ? s : "", s ? strlen(s) : 0) < 0)
		tc_die_nomem();
}

static const char *fstr(const cJSON *fields, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, k);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* 1 when the submission's fields are the person's. */
static int matches(const cJSON *fields, const char *en, const char *pn,
		   const char *nn)
{
	char b[256];

	if (en[0] && cw_norm_email(fstr(fields, "email"), b, sizeof(b)) &&
	    !strcmp(b, en))
		return 1;
	if (pn[0] && cw_norm_phone(fstr(fields, "phone"), b, sizeof(b)) &&
	    !strcmp(b, pn))
		return 1;
	if (nn[0] && cw_norm_name(fstr(fields, "full_name"), b, sizeof(b)) &&
	    !strcmp(b, nn))
		return 1;
	return 0;
}

/* Fields that may hold other people's data, for the officer to check. */
static void third_parties(struct tc_buf *idx, const char *sub_id,
			  const cJSON *sub)
{
	static const char *const risky[] = {
	    "person_name", "relationship",   "what_happened",
	    "impact",	   "outcome_sought", "why_unhappy",
	    "message",	   "adjustments",    NULL};
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sub, "fields");
	const cJSON *att = cJSON_GetObjectItemCaseSensitive(sub, "attachments");
	int i;

	for (i = 0; risky[i]; i++)
		if (fstr(fields, risky[i])) {
			hs(idx, "<li>submission ");
			he(idx, sub_id);
			hs(idx, ", field <code>");
			he(idx, risky[i]);
			hs(idx, "</code>: free text may name other people "
				"(staff, neighbours, relatives)</li>\n");
		}
	if (cJSON_GetArraySize(att) > 0) {
		hs(idx, "<li>submission ");
		he(idx, sub_id);
		hs(idx, ": attachments may show other people</li>\n");
	}
}

static int read_into(const char *path, struct tc_buf *b)
{
	tc_buf_reset(b);
	return tc_fs_read(path, TC_MAX_RENDER, b);
}

int cw_export(struct cw_env *env, const char *email, const char *phone,
	      const char *name, const char *out)
{
	static const char subs_sql[] =
	    "SELECT s.id, coalesce(c.reference, ''), coalesce(c.id, 0) FROM"
	    " submissions s LEFT JOIN cases c ON c.id = s.case_id ORDER BY"
	    " s.id";
	static const char restr_sql[] =
	    "SELECT id, kind, scope, start, review, coalesce(lifted, ''),"
	    " status FROM restriction_register WHERE (?1 IS NOT NULL AND"
	    " email_norm = ?1) OR (?2 IS NOT NULL AND phone_norm = ?2) OR"
	    " (?3 IS NOT NULL AND name_norm = ?3) ORDER BY id";
	struct zipout z = {0};
	struct tc_buf idx = TC_BUF_INIT, checks = TC_BUF_INIT;
	struct tc_buf p = TC_BUF_INIT, data = TC_BUF_INIT, nm = TC_BUF_INIT;
	char en[256], pn[64], nn[256];
	int64_t *done = NULL;
	size_t ndone = 0, i, ncases = 0, nsubs = 0, nrestr = 0;
	sqlite3_stmt *st;
	zip_t *za = NULL;
	int r, rc = TC_EXIT_ENV;

	cw_norm_email(email, en, sizeof(en));
	cw_norm_phone(phone, pn, sizeof(pn));
	cw_norm_name(name, nn, sizeof(nn));
	if (!en[0] && !pn[0] && !nn[0]) {
		tc_warnx("export: give a non-empty --email, --phone or --name");
		return TC_EXIT_USAGE;
	}
	hs(&idx, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta "
		 "charset=\"utf-8\">\n<title>Subject access export</title>\n"
		 "<style>body{font-family:Arial,Helvetica,sans-serif;"
		 "line-height:1.5;max-width:60rem;margin:1rem auto;padding:0 "
		 "1rem}table{border-collapse:collapse;width:100%}th,td{"
		 "text-align:left;padding:.4rem;border-bottom:1px solid "
		 "#b1b4b6}</style>\n</head>\n<body>\n<main>\n<h1>Subject "
		 "access export</h1>\n<p>Made on ");
	he(&idx, env->today_s);
	hs(&idx, " for: ");
	if (en[0]) {
		hs(&idx, "email ");
		he(&idx, en);
		hs(&idx, " ");
	}
	if (pn[0]) {
		hs(&idx, "phone ");
		he(&idx, pn);
		hs(&idx, " ");
	}
	if (nn[0]) {
		hs(&idx, "name ");
		he(&idx, nn);
	}
	hs(&idx, ".</p>\n<h2 id=\"cases\">Cases and records</h2>\n<table "
		 "aria-labelledby=\"cases\">\n<thead><tr><th scope=\"col\">"
		 "Submission</th><th scope=\"col\">Case</th><th scope=\"col\">"
		 "Files</th></tr></thead>\n<tbody>\n");
	if (cw_store_exec(env->reg, "BEGIN") < 0)
		goto out;
	st = cw_store_stmt(env->reg, subs_sql);
	if (!st)
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sid = (const char *)sqlite3_column_text(st, 0);
		const char *ref = (const char *)sqlite3_column_text(st, 1);
		int64_t cid = sqlite3_column_int64(st, 2);
		cJSON *sub = NULL;
		const cJSON *att, *a;
		int seen = 0;

		tc_buf_reset(&p);
		if (tc_buf_addf(&p, "%s/store/%s/submission.json", env->data,
				sid) < 0)
			tc_die_nomem();
		if (read_into(p.data, &data) < 0)
			continue; /* purged, or never stored */
		sub = cJSON_ParseWithLength(data.data, data.len);
		if (!sub ||
		    !matches(cJSON_GetObjectItemCaseSensitive(sub, "fields"),
			     en, pn, nn)) {
			cJSON_Delete(sub);
			continue;
		}
		nsubs++;
		tc_buf_reset(&nm);
		if (tc_buf_addf(&nm, "submissions/%s/submission.json", sid) < 0)
			tc_die_nomem();
		zadd(&z, nm.data, &data);
		hs(&idx, "<tr><th scope=\"row\"><a href=\"submissions/");
		he(&idx, sid);
		hs(&idx, "/submission.json\">");
		he(&idx, sid);
		hs(&idx, "</a></th><td>");
		att = cJSON_GetObjectItemCaseSensitive(sub, "attachments");
		for (i = 0; i < ndone; i++)
			seen |= done[i] == cid;
		if (cid && ref[0]) {
			hs(&idx, "<a href=\"cases/");
			he(&idx, ref);
			hs(&idx, "/case.json\">");
			he(&idx, ref);
			hs(&idx, "</a> (<a href=\"cases/");
			he(&idx, ref);
			hs(&idx, "/pack.zip\">case pack</a>)");
		}
		if (cid && !seen) {
			struct cw_case c;
			cJSON *cj;
			char *txt;

			done = realloc(done, (ndone + 1) * sizeof(*done));
			if (!done)
				tc_die_nomem();
			done[ndone++] = cid;
			if (cw_store_case_load_id(env->reg, cid, &c) == 1) {
				ncases++;
				cj = cw_case_json(env, &c);
				txt = cJSON_Print(cj);
				if (!txt)
					tc_die_nomem();
				tc_buf_reset(&data);
				hs(&data, txt);
				free(txt);
				cJSON_Delete(cj);
				tc_buf_reset(&nm);
				if (tc_buf_addf(&nm, "cases/%s/case.json",
						ref) < 0)
					tc_die_nomem();
				zadd(&z, nm.data, &data);
				cw_case_release(&c);
				tc_buf_reset(&p);
				if (tc_buf_addf(&p, "%s/casepacks/%s.zip",
						env->data, ref) < 0)
					tc_die_nomem();
				if (read_into(p.data, &data) == 0) {
					tc_buf_reset(&nm);
					if (tc_buf_addf(&nm,
							"cases/%s/pack.zip",
							ref) < 0)
						tc_die_nomem();
					zadd(&z, nm.data, &data);
				}
			}
		}
		hs(&idx, "</td><td>");
		cJSON_ArrayForEach(a, att)
		{
			const char *path = fstr(a, "path");

			if (!path || strstr(path, "..") || path[0] == '/')
				continue;
			tc_buf_reset(&p);
			if (tc_buf_addf(&p, "%s/store/%s/%s", env->data, sid,
					path) < 0)
				tc_die_nomem();
			if (read_into(p.data, &data) < 0)
				continue;
			tc_buf_reset(&nm);
			if (tc_buf_addf(&nm, "submissions/%s/%s", sid, path) <
			    0)
				tc_die_nomem();
			zadd(&z, nm.data, &data);
			hs(&idx, "<a href=\"");
			he(&idx, nm.data);
			hs(&idx, "\">");
			he(&idx, fstr(a, "name") ? fstr(a, "name") : path);
			hs(&idx, "</a> ");
		}
		hs(&idx, "</td></tr>\n");
		third_parties(&checks, sid, sub);
		cJSON_Delete(sub);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cw_store_error(env->reg, "reading submissions");
		goto out;
	}
	hs(&idx, "</tbody>\n</table>\n<p>Each case's <code>case.json</code> "
		 "holds its stages, deadlines, flags and its history (every "
		 "event recorded).</p>\n<h2 id=\"restrictions\">Contact "
		 "restrictions</h2>\n<ul>\n");
	st = cw_store_stmt(env->reg, restr_sql);
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, en, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, nn, -1, SQLITE_STATIC);
	if (!en[0])
		sqlite3_bind_null(st, 1);
	if (!pn[0])
		sqlite3_bind_null(st, 2);
	if (!nn[0])
		sqlite3_bind_null(st, 3);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct tc_buf line = TC_BUF_INIT;

		nrestr++;
		if (tc_buf_addf(
			&line,
			"R%lld: %s, scope %s, from %s, review by %s, "
			"%s %s",
			(long long)sqlite3_column_int64(st, 0),
			cw_restrict_kind_label(
			    (const char *)sqlite3_column_text(st, 1)),
			sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
			sqlite3_column_text(st, 4), sqlite3_column_text(st, 6),
			sqlite3_column_text(st, 5)) < 0)
			tc_die_nomem();
		hs(&idx, "<li>");
		he(&idx, line.data);
		hs(&idx, " (see <code>casework restrict show</code> for the "
			 "reason and reviews)</li>\n");
		tc_buf_release(&line);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cw_store_error(env->reg, "reading restrictions");
		goto out;
	}
	if (!nrestr)
		hs(&idx, "<li>None.</li>\n");
	hs(&idx, "</ul>\n<h2 id=\"check\">Check before release: other "
		 "people's data</h2>\n<p>Redact the names and details of "
		 "anyone else (other residents, relatives, staff below "
		 "senior level) unless they have agreed or it is reasonable "
		 "to release them.</p>\n<ul>\n");
	if (checks.len)
		hs(&idx, checks.data);
	else
		hs(&idx, "<li>Nothing flagged.</li>\n");
	hs(&idx, "<li>Every case pack's cover sheet and letters: the team "
		 "and officers named</li>\n</ul>\n</main>\n</body>\n</html>\n");
	cw_store_rollback(env->reg);
	zadd(&z, "index.html", &idx);
	/* Write the zip privately: created 0600, never group or world. */
	{
		zip_error_t ze;
		int fd =
		    open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || fchmod(fd, 0600) < 0) {
			tc_warn("cannot write '%s'", out);
			if (fd >= 0)
				close(fd);
			goto out;
		}
		close(fd);
		za = zip_open(out, ZIP_TRUNCATE, &r);
		if (!za) {
			zip_error_init_with_code(&ze, r);
			tc_warnx("cannot write '%s': %s", out,
				 zip_error_strerror(&ze));
			zip_error_fini(&ze);
			goto out;
		}
	}
	for (i = 0; i < z.n; i++) {
		zip_source_t *s =
		    zip_source_buffer(za, z.v[i].data, z.v[i].len, 0);

		if (!s ||
		    zip_file_add(za, z.v[i].name, s,
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
	printf("export: %s: %zu cases, %zu submissions, %zu restrictions\n",
	       out, ncases, nsubs, nrestr);
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	cw_store_rollback(env->reg);
	if (za)
		zip_discard(za);
	for (i = 0; i < z.n; i++) {
		free(z.v[i].name);
		free(z.v[i].data);
	}
	free(z.v);
	free(done);
	tc_buf_release(&idx);
	tc_buf_release(&checks);
	tc_buf_release(&p);
	tc_buf_release(&data);
	tc_buf_release(&nm);
	return rc;
}
