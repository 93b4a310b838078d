/*
 * quarantine.c: casework quarantine list, show, release and reject (see
 * quarantine.h).
 *
 * A release runs in the order ingest does, for the same crash guarantees:
 * the folder moves to store/ID, the case is made in a transaction, the
 * store is synced, then the register commits and the pack is written. A
 * release stopped after the move finds the folder in store/ the next time.
 * A rejection removes the files first and records the decision after, so a
 * rejection stopped between the two is simply run again.
 */
#include "quarantine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "admit.h"
#include "array.h"
#include "bundle.h"
#include "bundlezip.h"
#include "err.h"
#include "forms.h"
#include "fsutil.h"
#include "store.h"
#include "utf8.h"

/* One row of the quarantine, copied out of the register: its strings in
 * one block. */
struct qrow {
	struct cw_quarantined q;
	char *mem;
};

struct qrows {
	struct qrow *v;
	size_t n, cap;
};

static void qrow_release(struct qrow *r)
{
	free(r->mem);
}

static void qrows_release(struct qrows *r)
{
	TC_RELEASE_EACH(r->v, r->n, qrow_release);
	memset(r, 0, sizeof(*r));
}

static int keep_row(void *arg, const struct cw_quarantined *q)
{
	struct qrows *r = arg;
	struct qrow *x;
	struct tc_buf b = TC_BUF_INIT;
	const char **f[10];
	size_t at[10], i;

	TC_ALLOC_GROW(r->v, r->n + 1, r->cap);
	x = &r->v[r->n++];
	x->q = *q;
	f[0] = &x->q.bundle, f[1] = &x->q.id, f[2] = &x->q.reason;
	f[3] = &x->q.date, f[4] = &x->q.status, f[5] = &x->q.decided;
	f[6] = &x->q.decision, f[7] = &x->q.decided_by;
	f[8] = &x->q.reference, f[9] = &x->q.bundle_sha;
	for (i = 0; i < 10; i++) {
		at[i] = b.len;
		if (tc_buf_add(&b, *f[i], strlen(*f[i]) + 1) < 0)
			tc_die_nomem();
	}
	x->mem = b.data; /* the block's, freed by qrow_release */
	for (i = 0; i < 10; i++)
		*f[i] = x->mem + at[i];
	return 0;
}

/*
 * Text from the register made fit for a terminal: the reasons name fields
 * a bundle chose, so a control character (an escape sequence) becomes '?'.
 */
static void put_clean(FILE *out, const char *s, size_t n)
{
	char chunk[256];
	size_t k;

	for (; n; s += k, n -= k) {
		k = n < sizeof(chunk) ? n : sizeof(chunk);
		/* never between the two bytes of a C1 control */
		if (k < n && (unsigned char)s[k - 1] == 0xC2)
			k--;
		memcpy(chunk, s, k);
		tc_utf8_mask_controls(chunk, k);
		fwrite(chunk, 1, k, out);
	}
}

/* The first line of s, cleaned, to standard output. */
static void put_line(const char *s)
{
	put_clean(stdout, s, strcspn(s, "\n"));
}

/* Each line of text, cleaned and indented by two spaces, to out. */
static void put_lines(FILE *out, const char *text)
{
	size_t n;

	for (; *text; text += n + (text[n] == '\n')) {
		n = strcspn(text, "\n");
		fputs("  ", out);
		put_clean(out, text, n);
		fputc('\n', out);
	}
}

/*
 * The quarantine rows KEY names (ID, or BUNDLE/ID), into r; with waiting,
 * only one still waiting. Returns 0 with exactly one row, or an exit code
 * after saying why.
 */
static int find(struct cw_env *env, const char *key, int waiting,
		struct qrows *r)
{
	const char *slash = strrchr(key, '/'), *id = slash ? slash + 1 : key;
	char *bundle = NULL;
	size_t i, k = 0;
	int n, rc = TC_EXIT_INPUT;

	if (slash) {
		bundle = tc_xstrdup(key);
		bundle[slash - key] = '\0';
	}
	if (!tc_submission_id_valid(id)) {
		tc_warnx("'%s' is not a submission ID (like K7QXM-3PD9R) or "
			 "BUNDLE/ID: see casework quarantine list",
			 id);
		rc = TC_EXIT_USAGE;
		goto out;
	}
	n = cw_store_quarantine_each(env->reg, 1, bundle, id, keep_row, r);
	if (n < 0) {
		rc = TC_EXIT_ENV;
		goto out;
	}
	if (waiting) {
		for (i = 0; i < r->n; i++)
			if (!strcmp(r->v[i].q.status, "waiting"))
				r->v[k++] = r->v[i];
			else
				qrow_release(&r->v[i]);
		r->n = k;
	}
	if (r->n == 0) {
		tc_warnx("%s: %s", key,
			 n && waiting ? "decided already: see casework "
					"quarantine show"
				      : "not in quarantine: see casework "
					"quarantine list --all");
		goto out;
	}
	if (r->n > 1) {
		tc_warnx("%s is in quarantine from %zu bundles: give "
			 "BUNDLE/ID, one of:",
			 id, r->n);
		for (i = 0; i < r->n; i++)
			fprintf(stderr, "  %s/%s\n", r->v[i].q.bundle, id);
		rc = TC_EXIT_USAGE;
		goto out;
	}
	rc = 0;
out:
	free(bundle);
	return rc;
}

/* quarantine/BUNDLE/ID, or store/ID when store is set. */
static void folder_of(const struct cw_env *env, const struct cw_quarantined *q,
		      int store, struct tc_buf *out)
{
	cw_env_path(env, store ? "store/" : "quarantine/", out);
	if ((!store && tc_buf_addf(out, "%s/", q->bundle) < 0) ||
	    tc_buf_adds(out, q->id) < 0)
		tc_die_nomem();
}

struct tidy {
	struct cw_env *env;
	int failed;
};

static int tidy_row(void *arg, const struct cw_quarantined *q)
{
	struct tidy *t = arg;
	struct tc_buf dir = TC_BUF_INIT;
	struct stat st;

	if (!strcmp(q->status, "waiting"))
		return 0;
	folder_of(t->env, q, 0, &dir);
	if (lstat(dir.data, &st) == 0 && tc_fs_remove_tree(dir.data) < 0) {
		tc_warn("cannot remove '%s'", dir.data);
		t->failed = 1;
	}
	tc_buf_release(&dir);
	return 0;
}

int cw_quarantine_tidy(struct cw_env *env)
{
	struct tidy t = {env, 0};

	if (cw_store_quarantine_each(env->reg, 1, NULL, NULL, tidy_row, &t) < 0)
		return -1;
	return t.failed ? -1 : 0;
}

/* ---- list and show ------------------------------------------------ */

static cJSON *row_json(const struct cw_quarantined *q)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "bundle", q->bundle) ||
	    !cJSON_AddStringToObject(o, "submission", q->id) ||
	    !cJSON_AddStringToObject(o, "quarantined", q->date) ||
	    !cJSON_AddStringToObject(o, "status", q->status) ||
	    !cJSON_AddStringToObject(o, "reason", q->reason) ||
	    (q->decided[0] &&
	     (!cJSON_AddStringToObject(o, "decided", q->decided) ||
	      !cJSON_AddStringToObject(o, "decision", q->decision) ||
	      !cJSON_AddStringToObject(o, "decided_by", q->decided_by))) ||
	    (q->reference[0] &&
	     !cJSON_AddStringToObject(o, "reference", q->reference)))
		tc_die_nomem();
	return o;
}

static int print_json(cJSON *o)
{
	char *txt = cJSON_Print(o);

	if (!txt)
		tc_die_nomem();
	printf("%s\n", txt);
	free(txt);
	cJSON_Delete(o);
	return TC_EXIT_OK;
}

int cw_quarantine_list(struct cw_env *env, const struct cw_qopts *o)
{
	struct qrows r = {0};
	size_t i;
	int rc = TC_EXIT_ENV;

	if (cw_store_quarantine_each(env->reg, o->all, NULL, NULL, keep_row,
				     &r) < 0)
		goto out;
	if (o->json) {
		cJSON *arr = cJSON_CreateArray();

		if (!arr)
			tc_die_nomem();
		for (i = 0; i < r.n; i++)
			cJSON_AddItemToArray(arr, row_json(&r.v[i].q));
		rc = print_json(arr);
		goto out;
	}
	if (!r.n) {
		printf("%s\n", o->all ? "nothing has been quarantined"
				      : "nothing waits in quarantine");
		rc = TC_EXIT_OK;
		goto out;
	}
	printf("%-10s  %-8s  %-40s  %s\n", "SINCE", "STATUS", "SUBMISSION",
	       "WHY (the first reason)");
	for (i = 0; i < r.n; i++) {
		struct tc_buf k = TC_BUF_INIT;

		if (tc_buf_addf(&k, "%s/%s", r.v[i].q.bundle, r.v[i].q.id) < 0)
			tc_die_nomem();
		printf("%-10s  %-8s  ", r.v[i].q.date, r.v[i].q.status);
		put_line(k.data);
		printf("%*s  ", k.len < 40 ? (int)(40 - k.len) : 0, "");
		put_line(r.v[i].q.reason);
		putchar('\n');
		tc_buf_release(&k);
	}
	rc = TC_EXIT_OK;
out:
	qrows_release(&r);
	return rc;
}

int cw_quarantine_show(struct cw_env *env, const char *key,
		       const struct cw_qopts *o)
{
	struct qrows r = {0};
	struct tc_buf dir = TC_BUF_INIT, problems = TC_BUF_INIT;
	struct cw_held h[CW_MAX_FILES];
	struct stat st;
	const struct cw_quarantined *q;
	size_t nh = 0, i;
	int rc = find(env, key, 0, &r), have;

	if (rc)
		goto out;
	q = &r.v[0].q;
	folder_of(env, q, 0, &dir);
	have = lstat(dir.data, &st) == 0 && S_ISDIR(st.st_mode);
	if (have && cw_held_files(dir.data, h, &nh, &problems) < 0) {
		rc = TC_EXIT_ENV;
		goto out;
	}
	if (o->json) {
		cJSON *j = row_json(q),
		      *files = cJSON_AddArrayToObject(j, "files");

		if (!files)
			tc_die_nomem();
		for (i = 0; i < nh; i++) {
			cJSON *f = cJSON_CreateObject();
			char rel[32];

			snprintf(rel, sizeof(rel), "files/%u", h[i].n);
			if (!f || !cJSON_AddItemToArray(files, f) ||
			    !cJSON_AddStringToObject(f, "path", rel) ||
			    !cJSON_AddNumberToObject(f, "size",
						     (double)h[i].size) ||
			    !cJSON_AddStringToObject(f, "sha256",
						     h[i].sha256) ||
			    !(h[i].type ? cJSON_AddStringToObject(f, "content",
								  h[i].type)
					: cJSON_AddNullToObject(f, "content")))
				tc_die_nomem();
		}
		if (!cJSON_AddStringToObject(j, "folder", have ? dir.data : ""))
			tc_die_nomem();
		rc = print_json(j);
		goto out;
	}
	printf("submission %s from bundle ", q->id);
	put_line(q->bundle);
	printf("\nquarantined on %s: %s", q->date, q->status);
	if (q->decided[0]) {
		printf(" on %s by ", q->decided);
		put_line(q->decided_by);
		printf(": ");
		put_line(q->decision);
	}
	if (q->reference[0])
		printf(" (case %s)", q->reference);
	printf("\nwhy:\n");
	put_lines(stdout, q->reason);
	if (!have) {
		printf("files: none kept%s\n",
		       strcmp(q->status, "waiting") ? "" : " (folder missing)");
	} else {
		printf("files in %s:\n", dir.data);
		for (i = 0; i < nh; i++)
			printf("  files/%u  %llu bytes, %s by its content\n",
			       h[i].n, (unsigned long long)h[i].size,
			       h[i].type ? h[i].type
					 : "none of the kinds accepted");
		if (!nh)
			printf("  (no attachments)\n");
		put_lines(stdout, problems.data);
	}
	rc = TC_EXIT_OK;
out:
	qrows_release(&r);
	tc_buf_release(&dir);
	tc_buf_release(&problems);
	return rc;
}

/* ---- release and reject ------------------------------------------- */

/* The officer deciding: --by, or the Unix account's name. */
static const char *officer(const struct cw_qopts *o)
{
	return o->by && o->by[0] ? o->by : cw_env_account();
}

/* --reason is required and kept in the register: text, one line's worth. */
static int check_reason(const char *verb, const struct cw_qopts *o)
{
	size_t n = o->reason ? strlen(o->reason) : 0;

	if (!n) {
		tc_warnx("quarantine %s: give --reason TEXT (why: it is "
			 "recorded with your name)",
			 verb);
		return TC_EXIT_USAGE;
	}
	if (n > 2000 || !tc_utf8_is_text(o->reason, n, NULL)) {
		tc_warnx("quarantine %s: --reason must be UTF-8 text of at "
			 "most 2,000 bytes",
			 verb);
		return TC_EXIT_USAGE;
	}
	return 0;
}

/* Records today's decision on q: 0, 1 when decided already, -1. */
static int decide(struct cw_env *env, const struct cw_quarantined *q,
		  const char *status, const char *why, const char *by)
{
	const struct cw_qdecision d = {status, env->today_s, why, by};

	return cw_store_quarantine_decide(env->reg, q->bundle, q->id, &d);
}

/* The audit log's line for a decision: who and what, no personal data. */
static int audit(struct cw_env *env, const char *action,
		 const struct cw_quarantined *q, const char *by,
		 const char *outcome)
{
	cJSON *d = cJSON_CreateObject();

	if (!d || !cJSON_AddStringToObject(d, "bundle", q->bundle) ||
	    !cJSON_AddStringToObject(d, "submission", q->id) ||
	    !cJSON_AddStringToObject(d, "by", by) ||
	    (outcome && !cJSON_AddStringToObject(d, "outcome", outcome)))
		tc_die_nomem();
	return cw_env_audit(env, action, d);
}

int cw_quarantine_release(struct cw_env *env, const char *key,
			  const struct cw_qopts *o)
{
	struct qrows r = {0};
	struct tc_buf dir = TC_BUF_INIT, store = TC_BUF_INIT;
	struct cw_sub s;
	struct stat st;
	const struct cw_quarantined *q;
	struct qrows done = {0};
	const char *outcome = "", *by = officer(o);
	int rc = check_reason("release", o), in_store, seen, have_dir;

	memset(&s, 0, sizeof(s));
	if (rc || (rc = find(env, key, 1, &r)) != 0)
		goto out;
	q = &r.v[0].q;
	rc = TC_EXIT_ENV;
	folder_of(env, q, 0, &dir);
	folder_of(env, q, 1, &store);
	seen = cw_store_submission_seen(env->reg, q->id);
	if (seen < 0)
		goto out;
	have_dir = lstat(dir.data, &st) == 0 && S_ISDIR(st.st_mode);
	/* A release stopped after the move left it in store/. */
	in_store = !seen && !have_dir && lstat(store.data, &st) == 0 &&
		   S_ISDIR(st.st_mode);
	s.id = q->id;
	s.bundle_sha = q->bundle_sha;
	if (!seen) {
		if (!in_store && !have_dir) {
			tc_warnx("%s/%s: its folder '%s' is missing: ingest a "
				 "corrected bundle, or reject it",
				 q->bundle, q->id, dir.data);
			rc = TC_EXIT_INPUT;
			goto out;
		}
		if (cw_sub_load_dir(env, in_store ? store.data : dir.data, &s) <
		    0)
			goto out;
		if (s.reason.len) {
			tc_warnx("%s/%s still fails its checks; nothing was "
				 "changed:",
				 q->bundle, q->id);
			put_lines(stderr, s.reason.data);
			rc = TC_EXIT_INPUT;
			goto out;
		}
	}
	if (cw_store_begin(env->reg) < 0)
		goto out;
	if (seen) {
		/* Ingested since from a corrected bundle: only the record. */
		outcome = "in the register already";
	} else {
		if (!in_store && (tc_fs_remove_tree(store.data) < 0 ||
				  rename(dir.data, store.data) < 0)) {
			tc_warn("cannot move '%s' to '%s'", dir.data,
				store.data);
			goto out;
		}
		if (cw_sub_admit(env, &s, &outcome) < 0)
			goto out;
	}
	if (decide(env, q, "released", o->reason, by) != 0 ||
	    audit(env, "quarantine release", q, by, outcome) < 0 ||
	    cw_env_sync(env) < 0 || cw_store_commit(env->reg) < 0)
		goto out;
	if (cw_env_flush_packs(env) < 0)
		goto out;
	/* This bundle's row again, now with the case the release made. */
	if (cw_store_quarantine_each(env->reg, 1, q->bundle, q->id, keep_row,
				     &done) == 1)
		printf("released %s/%s%s%s (%s)\n", q->bundle, q->id,
		       done.v[0].q.reference[0] ? " as " : "",
		       done.v[0].q.reference, outcome);
	rc = TC_EXIT_OK;
out:
	cw_store_rollback(env->reg); /* when the transaction is still open */
	cw_sub_release(&s);
	qrows_release(&r);
	qrows_release(&done);
	tc_buf_release(&dir);
	tc_buf_release(&store);
	return rc;
}

int cw_quarantine_reject(struct cw_env *env, const char *key,
			 const struct cw_qopts *o)
{
	struct qrows r = {0};
	struct tc_buf dir = TC_BUF_INIT;
	const struct cw_quarantined *q;
	const char *by = officer(o);
	int rc = check_reason("reject", o);

	if (rc || (rc = find(env, key, 1, &r)) != 0)
		goto out;
	q = &r.v[0].q;
	rc = TC_EXIT_ENV;
	folder_of(env, q, 0, &dir);
	/* The personal data goes first: nothing is kept for a submission
	 * that will not be handled. */
	if (tc_fs_remove_tree(dir.data) < 0 || cw_env_sync(env) < 0) {
		tc_warn("cannot remove '%s'", dir.data);
		goto out;
	}
	if (cw_store_begin(env->reg) < 0)
		goto out;
	if (decide(env, q, "rejected", o->reason, by) != 0 ||
	    audit(env, "quarantine reject", q, by, NULL) < 0 ||
	    cw_store_commit(env->reg) < 0)
		goto out;
	printf("rejected %s/%s: its files are removed; the register keeps "
	       "the record (casework quarantine show)\n",
	       q->bundle, q->id);
	rc = TC_EXIT_OK;
out:
	cw_store_rollback(env->reg); /* when the transaction is still open */
	qrows_release(&r);
	tc_buf_release(&dir);
	return rc;
}
