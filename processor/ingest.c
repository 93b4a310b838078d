/*
 * ingest.c: casework ingest (see ingest.h).
 *
 * Order of work, and why it survives a crash at any point:
 *  1. A submission's files are streamed from the zip (hashed as read) into
 *     tmp/ID/, then the folder is renamed to store/ID/ (or quarantine/).
 *  2. Its rows (submission, case, stages, events, sequence) are written in
 *     the open transaction. Transactions hold a batch of submissions and
 *     commit after syncfs, so the store is durable before the register
 *     says the submission was processed.
 *  3. After each commit the dirty packs are written (atomic renames), the
 *     file system synced, and only then marked clean.
 *  4. The bundle is marked seen when all its submissions are done.
 * A rerun skips what the register holds, redoes the rest (tmp/ and store/
 * folders are rebuilt) and rewrites every pack still marked dirty, so every
 * submission ends up processed exactly once and every pack whole.
 */
#define _GNU_SOURCE /* syncfs */
#include "ingest.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "buffer.h"
#include "bundle.h"
#include "bundlezip.h"
#include "case.h"
#include "fields.h"
#include "forms.h"
#include "fsutil.h"
#include "manifest.h"
#include "report.h"
#include "restrict.h"
#include "sha256.h"

/* Submissions per transaction: one fsync for many, each still atomic
 * (CASEWORK_TEST_BATCH makes it smaller in a test build: testhooks.h). */
#define BATCH 256

/* Submissions whose listed files the zip lacks that are quarantined one
 * by one; more make the bundle incomplete, refused whole. */
#define MAX_MISSING 10
/* What a bundle ID is made of (intake's are bundle-STAMP-SOURCE). */
#define ID_CHARS                                                               \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
/* Bytes of bundle-level or per-submission problems kept for reason.txt. */
#define MAX_PROBLEMS (64u * 1024)

/*
 * One bundle being ingested. Nothing here grows with the number of
 * entries or submissions: libzip holds the central directory, the
 * manifest is read as a stream (twice: once to check it whole, once to
 * process it), and the entries are checked against it in one sweep in
 * step with the manifest, both being in order of ID. A bundle out of
 * that order is refused whole, before anything is written.
 */
struct bundle {
	struct cw_env *env;
	const char *path;
	char name[128]; /* file name without .zip, made safe: quarantine */
	char sha[65];	/* of the whole file */
	zip_t *za;
	zip_uint64_t nent;	      /* entries in the zip */
	zip_uint64_t cur;	      /* next entry for the sweep */
	struct tc_msub *msub;	      /* the manifest's submission in hand */
	struct tc_manifest_info info; /* the manifest as a whole */
	char last_id[TC_MF_SHORT];    /* the last submission taken, for order */
	int have_last;
	long nmissing; /* check pass: submissions lacking files */
	char first_missing[TC_MF_SHORT];
	int misordered; /* check pass: an ID out of order */
	struct cw_counts n;
	struct cw_counts done;	/* n as of the last commit: what is recorded */
	int check_only;		/* cw_ingest_check: keeps nothing */
	int io_error;		/* an I/O error stopped it */
	int in_txn;		/* a transaction is open */
	int batch;		/* submissions in the open transaction */
	struct tc_buf problems; /* bundle-level problems for reason.txt */
};

/* A submission in hand. */
struct sub {
	const char *id;
	const char *bundle_sha;	 /* the bundle it came in */
	const struct tc_msub *m; /* the manifest's record of it */
	struct tc_buf json;	 /* submission.json bytes */
	cJSON *doc;
	const cJSON *fields;
	const char *form;
	const char *received;
	tc_day rdate;
	/* files/N's type by its content (tc_sniff_type), NULL for none of
	 * the kinds accepted; sniffed[N] once it has been read */
	const char *type_of[CW_MAX_FILES + 1];
	int sniffed[CW_MAX_FILES + 1];
	struct tc_buf reason; /* why quarantined; empty when fine */
};

static void reasonf(struct tc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds a line to b, up to MAX_PROBLEMS bytes; past that, says once that
 * there were more, so hostile input cannot make the text grow without
 * end. */
static void reasonf(struct tc_buf *b, const char *fmt, ...)
{
	static const char more[] = "(and more problems, not listed)\n";
	va_list ap;

	if (b->len >= MAX_PROBLEMS) {
		if (b->len < sizeof(more) - 1 ||
		    memcmp(b->data + b->len - (sizeof(more) - 1), more,
			   sizeof(more) - 1))
			if (tc_buf_adds(b, more) < 0)
				tc_die_nomem();
		return;
	}
	va_start(ap, fmt);
	if (tc_buf_vaddf(b, fmt, ap) < 0 || tc_buf_addch(b, '\n') < 0)
		tc_die_nomem();
	va_end(ap);
}

/* Compares folder f[0..n) with the NUL-terminated id. */
static int folder_cmp(const char *f, size_t n, const char *id)
{
	return cw_zip_bytes_cmp(f, n, id, strlen(id));
}

/*
 * Checks every entry of the archive once, in order, keeping nothing per
 * entry: the first must be manifest.json, the sizes must add up to no more
 * than the limit, no two may share a name (libzip refuses that when it
 * opens the zip; checked again through its hash of names), and each
 * submission's entries must come together, folders in order of ID, as
 * intake writes them: the first entry out of that place refuses the
 * bundle (one message, rather than a quarantine for each submission
 * after it).
 */
static int scan_entries(struct bundle *b)
{
	zip_int64_t n = zip_get_num_entries(b->za, 0);
	zip_uint64_t total = 0, i, size;
	char last[CW_ZIP_MAX_FOLDER];
	size_t lastn = 0, prevn = 0, fl;
	const char *name, *bad, *f, *prevf = NULL, *g;
	int have_last = 0, prev_in = 0;

	if (n <= 0) {
		reasonf(&b->problems, "the bundle is empty: no manifest.json");
		return -1;
	}
	b->nent = (zip_uint64_t)n;
	for (i = 0; i < b->nent; i++) {
		bad = cw_zip_entry_check(b->za, i, &name, &size);
		total += size;
		if (i == 0 && (strcmp(name, TC_BUNDLE_MANIFEST) || bad)) {
			reasonf(&b->problems, "the first entry must be "
					      "manifest.json, a plain file");
			return -1;
		}
		g = zip_get_name(b->za, i, 0);
		if (g && zip_name_locate(b->za, g, 0) != (zip_int64_t)i) {
			reasonf(&b->problems, "two entries have the same name");
			return -1;
		}
		fl = cw_zip_folder_of(name, &f);
		if (!fl) {
			prev_in = 0;
			continue;
		}
		if (prev_in && prevn == fl && !memcmp(prevf, f, fl)) {
			/* the same submission's entries, together */
		} else if (!have_last ||
			   cw_zip_bytes_cmp(f, fl, last, lastn) > 0) {
			memcpy(last, f, fl);
			lastn = fl;
			have_last = 1;
			prev_in = 1;
		} else {
			reasonf(&b->problems,
				"entry '%s' is out of place in the zip: a "
				"submission's entries come together, in order "
				"of ID, as intake bundle writes them",
				name);
			return -1;
		}
		prevf = f;
		prevn = fl;
	}
	if (total > CW_MAX_TOTAL) {
		reasonf(&b->problems,
			"the entries add up to more than the limit of %llu "
			"bytes (a zip bomb?)",
			(unsigned long long)CW_MAX_TOTAL);
		return -1;
	}
	return 0;
}

static int process(struct bundle *b, const struct tc_msub *m);

static int each_sub(void *arg, const struct tc_msub *m)
{
	return process(arg, m) < 0 ? -3 : 0;
}

/*
 * The check pass's look at one submission, keeping nothing of it: that
 * the IDs come once each, in order, and whether the zip holds the files
 * listed (found through libzip's hash of names). What it finds is a
 * fault of the bundle, not of the submission.
 */
static int check_sub(void *arg, const struct tc_msub *m)
{
	struct bundle *b = arg;
	int lacks = !m->files_list || !m->nlisted;
	size_t k;

	if (!tc_submission_id_valid(m->has_id ? m->id : NULL))
		return 0; /* reported as it is processed */
	if (b->have_last && strcmp(m->id, b->last_id) <= 0 && !b->misordered++)
		reasonf(&b->problems,
			"manifest.json lists submission %s twice or out of "
			"order: submissions come once each, in order of ID, "
			"as intake bundle writes them",
			m->id);
	snprintf(b->last_id, sizeof(b->last_id), "%s", m->id);
	b->have_last = 1;
	for (k = 0; k < m->nfiles && !lacks; k++)
		if (m->files[k].has_path == 1 &&
		    cw_zip_locate(b->za, m->files[k].path) < 0)
			lacks = 1;
	if (lacks && !b->nmissing++)
		snprintf(b->first_missing, sizeof(b->first_missing), "%s",
			 m->id);
	return 0;
}

/*
 * Reads manifest.json as a stream: to check it (processing 0: problems
 * in b->problems, -1) or to process each submission as it comes
 * (processing 1: -3 after an I/O error, printed).
 */
static int read_manifest(struct bundle *b, int processing)
{
	struct cw_zip_stream r;
	const char *name;
	char err[160];
	int rc;

	memset(&r, 0, sizeof(r));
	cw_zip_entry_check(b->za, 0, &name, &r.size);
	if (r.size > CW_MAX_MANIFEST) {
		reasonf(&b->problems, "manifest.json is over the size limit");
		return -1;
	}
	r.zf = zip_fopen_index(b->za, 0, 0);
	if (!r.zf) {
		reasonf(
		    &b->problems,
		    "manifest.json cannot be read (corrupt or unsupported)");
		return -1;
	}
	rc = tc_manifest_read(cw_zip_stream_read, &r,
			      processing ? each_sub : check_sub, b, b->msub,
			      &b->info, err, sizeof(err));
	zip_fclose(r.zf);
	if (rc == -1)
		reasonf(&b->problems, "manifest.json%s", err);
	else if (rc == -2)
		reasonf(&b->problems, "manifest.json %s",
			r.why ? r.why : "cannot be read");
	if (rc < 0)
		return rc;
	if (!b->info.format_ok) {
		reasonf(&b->problems,
			"manifest.json: format must be \"" TC_BUNDLE_FORMAT
			"\"");
		return -1;
	}
	if (!b->info.subs_list) {
		reasonf(&b->problems,
			"manifest.json: 'submissions' must be a list");
		return -1;
	}
	return 0;
}

/* Entry i, which no submission took: a bundle-level problem. */
static void unlisted(struct bundle *b, zip_uint64_t i)
{
	const char *name, *bad;
	zip_uint64_t size;

	if (i == 0)
		return; /* the manifest */
	bad = cw_zip_entry_check(b->za, i, &name, &size);
	reasonf(&b->problems, "entry '%s' is not in the manifest%s%s: ignored",
		name, bad ? " and " : "", bad ? bad : "");
}

/*
 * The sweep, in step with the manifest: names as unlisted every entry
 * before m's folder (entries of no submission, or of one out of order),
 * then checks m's own entries into reason: bad ones and those m does not
 * list. With m NULL, finishes the sweep.
 */
static void sweep(struct bundle *b, const struct tc_msub *m,
		  struct tc_buf *reason)
{
	const char *name, *bad, *f;
	zip_uint64_t size;
	size_t fl;
	int c;

	for (; b->cur < b->nent; b->cur++) {
		bad = cw_zip_entry_check(b->za, b->cur, &name, &size);
		fl = cw_zip_folder_of(name, &f);
		if (m && fl) {
			c = folder_cmp(f, fl, m->id);
			if (c > 0)
				break;
			if (c == 0) {
				if (bad)
					reasonf(reason, "entry '%s' %s", name,
						bad);
				else if (tc_msub_find(m, name, m->nfiles) ==
					 m->nfiles)
					reasonf(reason,
						"entry '%s' is not in the "
						"manifest",
						name);
				continue;
			}
		}
		unlisted(b, b->cur);
	}
}

/* The string value of a field, NULL when absent or empty. */
static const char *fval(const cJSON *fields, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, name);

	if (!cJSON_IsString(v) || !v->valuestring[0])
		return NULL;
	return v->valuestring;
}

/*
 * Checks the manifest's record k of s's files: whole, listed once, in the
 * submission's folder and named as the format allows (submission.json or
 * files/N). Returns the path after "submissions/ID/", or NULL with the
 * problem in s->reason.
 */
static const char *listed_file(struct sub *s, size_t k)
{
	const struct tc_mfile *f = &s->m->files[k];
	char want[TC_MF_SHORT + 16];
	const char *rel;
	int n;

	if (!f->has_path || !f->has_size || !f->has_sha) {
		reasonf(&s->reason, "manifest.json: a file entry "
				    "needs path, size and sha256");
		return NULL;
	}
	if (f->has_path != 1) {
		reasonf(&s->reason, "manifest.json lists a path too "
				    "long for a file of the bundle");
		return NULL;
	}
	if (tc_msub_find(s->m, f->path, k) < k) {
		/* Taken once already: a second copy would collide with the
		 * first in tmp/, not an I/O error. */
		reasonf(&s->reason, "manifest.json lists '%s' twice", f->path);
		return NULL;
	}
	n = snprintf(want, sizeof(want), TC_BUNDLE_SUBMISSIONS "%s/", s->id);
	if (n < 0 || (size_t)n >= sizeof(want) ||
	    strncmp(f->path, want, (size_t)n) != 0) {
		reasonf(&s->reason,
			"manifest.json lists '%s' outside the submission's "
			"folder",
			f->path);
		return NULL;
	}
	rel = f->path + n;
	if (strcmp(rel, "submission.json") &&
	    (strncmp(rel, "files/", 6) ||
	     !tc_bundle_attachment_number(rel + 6))) {
		reasonf(&s->reason, "file '%s' is not allowed here", f->path);
		return NULL;
	}
	return rel;
}

/*
 * Streams the submission's files into tmp/ID/ and checks them against the
 * manifest; reads submission.json into s->json. Returns 0 (problems, if
 * any, in s->reason), or -1 on an I/O error (printed).
 */
static int extract(struct bundle *b, struct sub *s, const char *dir)
{
	struct tc_buf path = TC_BUF_INIT;
	size_t k;
	int rc = -1, nfiles = 0, have_json = 0;

	if (tc_fs_remove_tree(dir) < 0 || tc_fs_mkdirs(dir, 0700) < 0) {
		tc_warn("cannot make '%s'", dir);
		goto out;
	}
	if (!s->m->files_list || !s->m->nlisted) {
		reasonf(&s->reason, "manifest.json lists no files for it");
		rc = 0;
		goto out;
	}
	if (s->m->nlisted > TC_MF_MAXFILES) {
		reasonf(&s->reason, "more than %d files", CW_MAX_FILES);
		rc = 0;
		goto out;
	}
	for (k = 0; k < s->m->nfiles; k++) {
		const struct tc_mfile *f = &s->m->files[k];
		const char *rel, *why = NULL, *bad, *ename;
		zip_int64_t idx;
		zip_uint64_t esize;
		struct tc_sniffer sn;
		char hex[65];
		int fd = -1, is_json, r;
		unsigned num = 0;

		rel = listed_file(s, k);
		if (!rel)
			continue;
		is_json = !strcmp(rel, "submission.json");
		idx = cw_zip_locate(b->za, f->path);
		if (idx < 0) {
			reasonf(&s->reason, "file '%s' is missing from the zip",
				f->path);
			continue;
		}
		bad = cw_zip_entry_check(b->za, (zip_uint64_t)idx, &ename,
					 &esize);
		if (bad)
			continue; /* reported by the sweep */
		if ((double)esize != f->size) {
			reasonf(&s->reason,
				"file '%s' is %llu bytes, not %.0f as the "
				"manifest says",
				f->path, (unsigned long long)esize, f->size);
			continue;
		}
		if (is_json) {
			have_json = 1;
			tc_buf_reset(&s->json);
			r = cw_zip_read_entry(b->za, (zip_uint64_t)idx, esize,
					      CW_MAX_SUBMISSION_JSON, &s->json,
					      -1, hex, NULL, &why);
		} else {
			if (++nfiles > CW_MAX_FILES) {
				reasonf(&s->reason, "more than %d files",
					CW_MAX_FILES);
				break;
			}
			tc_buf_reset(&path);
			if (tc_buf_addf(&path, "%s/files", dir) < 0)
				tc_die_nomem();
			if (nfiles == 1 && tc_fs_mkdirs(path.data, 0700) < 0) {
				tc_warn("cannot make '%s'", path.data);
				goto out;
			}
			if (tc_buf_addf(&path, "/%s", rel + 6) < 0)
				tc_die_nomem();
			fd =
			    open(path.data,
				 O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd < 0) {
				tc_warn("cannot write '%s'", path.data);
				goto out;
			}
			tc_sniff_init(&sn);
			r = cw_zip_read_entry(b->za, (zip_uint64_t)idx, esize,
					      CW_MAX_ENTRY, NULL, fd, hex, &sn,
					      &why);
			num = tc_bundle_attachment_number(rel + 6);
			if (close(fd) < 0 && r == 0)
				r = -2;
		}
		if (r == -2) {
			tc_warn("cannot write '%s'", is_json ? dir : path.data);
			goto out;
		}
		if (r < 0) {
			reasonf(&s->reason, "file '%s' %s%s", f->path, why,
				is_json && esize > CW_MAX_SUBMISSION_JSON
				    ? " (1 MiB for submission.json: a "
				      "field is far too long)"
				    : "");
			continue;
		}
		if (strcmp(hex, f->sha256)) {
			reasonf(&s->reason,
				"file '%s' does not match its sha256 in the "
				"manifest",
				f->path);
			continue;
		}
		if (num && num <= CW_MAX_FILES) {
			s->type_of[num] = tc_sniff_end(&sn);
			s->sniffed[num] = 1;
		}
	}
	if (!have_json && !s->reason.len)
		reasonf(&s->reason, "submission.json is missing");
	if (have_json && !s->reason.len) {
		tc_buf_reset(&path);
		if (tc_buf_addf(&path, "%s/submission.json", dir) < 0)
			tc_die_nomem();
		if (tc_fs_write_atomic_ex(path.data, s->json.data, s->json.len,
					  0600, TC_FS_NOSYNC) < 0) {
			tc_warn("cannot write '%s'", path.data);
			goto out;
		}
	}
	rc = 0;
out:
	/* Nothing half-extracted stays behind (a rerun starts it afresh). */
	if (rc < 0)
		(void)tc_fs_remove_tree(dir);
	tc_buf_release(&path);
	return rc;
}

/*
 * Checks submission.json as intake did (tc_submission_check), trusting
 * nothing: its attachments against the files the manifest lists (whose
 * sizes and digests extract() checked against the zip). Keeps the parsed
 * document in s->doc. Returns 0, or -1 with the problem in s->reason.
 */
static int check_format(struct sub *s)
{
	struct tc_sub_file files[TC_MF_MAXFILES];
	const char *rel, *what = NULL;
	struct tc_sub_check c;
	size_t k, n = 0,
		  pre = strlen(TC_BUNDLE_SUBMISSIONS) + strlen(s->id) + 1;
	const char *sj = "submission.json";
	char why[128];

	for (k = 0; k < s->m->nfiles; k++) {
		const struct tc_mfile *mf = &s->m->files[k];

		rel = mf->path + pre;
		if (strncmp(rel, "files/", 6))
			continue;
		files[n].n = tc_bundle_attachment_number(rel + 6);
		files[n].size = (uint64_t)mf->size;
		files[n++].sha256 = mf->sha256;
	}
	tc_submission_check(s->json.data, s->json.len, s->id, files, n, &c);
	s->doc = c.doc;
	switch (c.problem) {
	case TC_SUB_OK:
		return 0;
	case TC_SUB_NOT_UTF8:
		reasonf(&s->reason, "%s is not valid UTF-8 (byte %zu)", sj,
			c.off);
		return -1;
	case TC_SUB_NOT_JSON:
		reasonf(&s->reason, "%s:%d:%d: %s", sj, c.line, c.col,
			tc_sub_json_why(&c, why, sizeof(why)));
		return -1;
	case TC_SUB_NOT_OBJECT:
	case TC_SUB_BAD_FORMAT:
		what = "format must be \"" TC_SUBMISSION_FORMAT "\"";
		break;
	case TC_SUB_BAD_ID:
		what = "id does not match its folder";
		break;
	case TC_SUB_ATTACHMENTS_TYPE:
		what = "'attachments' must be a list";
		break;
	case TC_SUB_ATTACHMENT_PATH:
	case TC_SUB_ATTACHMENT_SHA256:
		reasonf(&s->reason,
			"%s: attachment %zu is not a file of the bundle with "
			"that sha256",
			sj, c.index + 1);
		return -1;
	case TC_SUB_ATTACHMENT_SIZE:
		reasonf(&s->reason,
			"%s: attachment %zu is not the size of its file", sj,
			c.index + 1);
		return -1;
	case TC_SUB_FILE_UNLISTED:
		reasonf(&s->reason, "%s: files/%u is not in its 'attachments'",
			sj, c.file);
		return -1;
	}
	reasonf(&s->reason, "%s: %s", sj, what);
	return -1;
}

/*
 * Each attachment is what it is declared to be by its content, sniffed as
 * intake sniffs it (tc_sniff_type, fed as extract() read the file): a file
 * that lies about its type never reaches a case pack.
 */
static void check_types(struct sub *s, const cJSON *att)
{
	static const char token[] = "abcdefghijklmnopqrstuvwxyz0123456789.+-/";
	const cJSON *a, *path, *type;
	const char *got, *said;
	unsigned n;

	cJSON_ArrayForEach(a, att)
	{
		path = cJSON_GetObjectItemCaseSensitive(a, "path");
		type = cJSON_GetObjectItemCaseSensitive(a, "type");
		if (!cJSON_IsString(path) ||
		    strncmp(path->valuestring, "files/", 6))
			continue; /* check_format refused it already */
		n = tc_bundle_attachment_number(path->valuestring + 6);
		got = n && s->sniffed[n] ? s->type_of[n] : NULL;
		said = cJSON_IsString(type) ? type->valuestring : NULL;
		if (got && said && !strcmp(got, said))
			continue;
		/* The declared type is the bundle's text: named only when it
		 * looks like a type. */
		if (said && (!said[0] || strlen(said) > 100 ||
			     strspn(said, token) != strlen(said)))
			said = NULL;
		reasonf(
		    &s->reason,
		    "attachment '%s' is %s by its content, not %s%s%s as "
		    "declared",
		    path->valuestring, got ? got : "none of the kinds accepted",
		    said ? "'" : "", said ? said : "the type", said ? "'" : "");
	}
}

/* Checks submission.json's format, then validates it against its form. */
static void check_submission(struct bundle *b, struct sub *s)
{
	const struct tc_rules *r = b->env->rules;
	const cJSON *v, *att;
	const struct tc_form *form;
	struct tc_form_errors errs = {0};
	cJSON *vatt = NULL;
	char today[11];
	size_t i;
	int n;

	if (check_format(s) < 0)
		return;
	v = cJSON_GetObjectItemCaseSensitive(s->doc, "form");
	form = cJSON_IsString(v) ? tc_forms_find(b->env->forms, v->valuestring)
				 : NULL;
	if (!form) {
		reasonf(&s->reason, "submission.json: unknown form '%s'",
			cJSON_IsString(v) ? v->valuestring : "");
		return;
	}
	s->form = tc_form_id(form);
	v = cJSON_GetObjectItemCaseSensitive(s->doc, "received");
	if (!cJSON_IsString(v) ||
	    tc_rules_received_date(r, v->valuestring, &s->rdate) < 0) {
		reasonf(&s->reason,
			"submission.json: 'received' is not an RFC 3339 UTC "
			"time within the calendar's years");
		return;
	}
	s->received = v->valuestring;
	s->fields = cJSON_GetObjectItemCaseSensitive(s->doc, "fields");
	if (!cJSON_IsObject(s->fields)) {
		reasonf(&s->reason, "submission.json: 'fields' must be an "
				    "object");
		return;
	}
	att = cJSON_GetObjectItemCaseSensitive(s->doc, "attachments");
	/* The validator sees each attachment without its path and digest. */
	vatt = cJSON_CreateArray();
	if (!vatt)
		tc_die_nomem();
	for (i = 0; att && i < (size_t)cJSON_GetArraySize(att); i++) {
		const cJSON *a = cJSON_GetArrayItem(att, (int)i);
		cJSON *copy;

		copy = cJSON_Duplicate(a, 1);
		if (!copy)
			tc_die_nomem();
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "sha256");
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "path");
		cJSON_AddItemToArray(vatt, copy);
	}
	tc_day_format(s->rdate, today);
	n = tc_form_validate(form, s->fields, vatt, today, &errs);
	if (n < 0)
		tc_die_nomem();
	for (i = 0; i < errs.n; i++) {
		const char *ob = fval(s->fields, TC_F_ON_BEHALF);

		/* Made for someone without their consent: accepted and
		 * flagged for an officer, never refused (DOMAIN.md). */
		if (!strcmp(errs.v[i].field, TC_F_CONSENT) && ob &&
		    !strcmp(ob, "yes"))
			continue;
		reasonf(&s->reason, "field '%s': %s", errs.v[i].field,
			errs.v[i].message);
	}
	/* The validator drops what it does not know; casework refuses it. */
	cJSON_ArrayForEach(v, s->fields)
	{
		if (!tc_form_field_type(form, v->string))
			reasonf(&s->reason, "field '%s' is not in form '%s'",
				v->string, s->form);
		else if (!cJSON_IsString(v) && !cJSON_IsArray(v))
			reasonf(&s->reason, "field '%s' must be text or a list",
				v->string);
	}
	check_types(s, att);
	tc_form_errors_release(&errs);
	cJSON_Delete(vatt);
}

/* sha256 of who the person is, from their contact details; NULL if none. */
static char *person_key(const cJSON *fields)
{
	struct tc_buf k = TC_BUF_INIT;
	const char *email = fval(fields, "email");
	const char *phone = fval(fields, "phone");
	const char *name = fval(fields, "full_name");
	const char *pc = fval(fields, "postcode");
	const char *c;
	char hex[65], *out = NULL;

	if (email) {
		tc_buf_adds(&k, "email:");
		for (c = email; *c; c++)
			if (*c != ' ')
				tc_buf_addch(&k, (*c >= 'A' && *c <= 'Z')
						     ? *c + 32
						     : *c);
	} else if (phone) {
		tc_buf_adds(&k, "phone:");
		for (c = phone; *c; c++)
			if (*c >= '0' && *c <= '9')
				tc_buf_addch(&k, *c);
	} else if (name && pc) {
		tc_buf_adds(&k, "name:");
		for (c = name; *c; c++)
			tc_buf_addch(&k,
				     (*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
		tc_buf_addch(&k, '|');
		for (c = pc; *c; c++)
			if (*c != ' ')
				tc_buf_addch(&k, (*c >= 'a' && *c <= 'z')
						     ? *c - 32
						     : *c);
	}
	if (k.len) {
		tc_sha256_hex(k.data, k.len, hex);
		out = strdup(hex);
		if (!out)
			tc_die_nomem();
	}
	tc_buf_release(&k);
	return out;
}

static int make_reference(struct cw_env *env, struct cw_case *c)
{
	const struct tc_refformat *f = tc_rules_refformat(env->rules, c->type);
	int y, m, d, seq;
	char buf[64];

	if (!f)
		TC_BUG("no reference format for a case type");
	tc_day_civil(c->received_date, &y, &m, &d);
	if (cw_store_next_seq(env->reg, c->type, y, &seq) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%s-%04d-%0*d", f->prefix, y, f->digits,
		 seq);
	c->reference = tc_xstrdup(buf);
	return 0;
}

/*
 * The flags every submission from a person can carry: a contact restriction
 * matched on email, phone or the case's person key routes the contact to
 * the named contact; a match on the name alone only asks for a check.
 */
static int person_flags(struct cw_env *env, const cJSON *fields,
			struct cw_case *c)
{
	struct cw_restriction_match m;
	struct tc_buf d = TC_BUF_INIT;
	int r;

	r = cw_restrict_match(env->reg, fval(fields, "email"),
			      fval(fields, "phone"), fval(fields, "full_name"),
			      c->person_key, c->service_area, &m);
	if (r <= 0)
		return r;
	if (m.strong) {
		if (tc_buf_addf(
			&d,
			"restriction R%lld is in force (%s; %s; review "
			"by %s): route to %s; still read it for new "
			"issues and safeguarding",
			(long long)m.id, cw_restrict_kind_label(m.kind),
			strcmp(m.scope, "council") ? m.scope : "whole council",
			m.review,
			m.contact[0] ? m.contact : "the named contact") < 0)
			tc_die_nomem();
		if (m.contact[0]) {
			free(c->team);
			c->team = tc_xstrdup(m.contact);
		}
	} else if (tc_buf_addf(&d,
			       "check: the name matches restriction R%lld "
			       "(%s) but the email and phone do not: confirm "
			       "whether it is the same person before applying "
			       "it",
			       (long long)m.id,
			       cw_restrict_kind_label(m.kind)) < 0)
		tc_die_nomem();
	cw_case_flag(c, "restricted_contact", d.data);
	tc_buf_release(&d);
	return 0;
}

static int complaint_flags(struct cw_env *env, const struct sub *s,
			   struct cw_case *c)
{
	const struct tc_rules *r = env->rules;
	const cJSON *f = s->fields;
	const char *when = fval(f, "when_happened");
	const struct tc_phrase *ph;
	const char *texts[] = {"what_happened", "impact", "outcome_sought"};
	tc_day wd;
	size_t i;
	char ref[64];
	int dup;

	if (!fval(f, "full_name") ||
	    (!fval(f, "email") && !fval(f, "phone") && !fval(f, "address")))
		cw_case_flag(c, "anonymous",
			     "no name or no way to reply: review without "
			     "contact, and send nothing");
	if (when && tc_day_parse(when, &wd) == 0 &&
	    wd < tc_day_add_months(s->rdate, -r->time_limit_months)) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "the problem happened on %s, more than %d months "
			 "before: decide whether there is good reason to "
			 "accept it",
			 when, r->time_limit_months);
		cw_case_flag(c, "late", msg);
	}
	if (fval(f, "on_behalf") && !strcmp(fval(f, "on_behalf"), "yes") &&
	    !(fval(f, "consent") && !strcmp(fval(f, "consent"), "yes")))
		cw_case_flag(c, "third_party_without_consent",
			     "made for someone else without their consent: "
			     "obtain it before sharing anything");
	if (person_flags(env, s->fields, c) < 0)
		return -1;
	if (c->person_key && c->service_area && r->duplicate_window_days > 0) {
		dup = cw_store_find_duplicate(
		    env->reg, c->person_key, c->service_area, c->received_date,
		    r->duplicate_window_days, ref, sizeof(ref));
		if (dup < 0)
			return -1;
		if (dup) {
			char msg[200];

			snprintf(msg, sizeof(msg),
				 "same person and service as %s within %d "
				 "days: merge or treat separately",
				 ref, r->duplicate_window_days);
			cw_case_flag(c, "possible_duplicate", msg);
		}
	}
	if (strcmp(c->type, "signposted")) {
		for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			ph = tc_rules_match_phrase(r, fval(f, texts[i]));
			if (ph) {
				char msg[300];

				snprintf(msg, sizeof(msg),
					 "mentions \"%s\" (%s): decide whether "
					 "it is excluded",
					 ph->phrase, ph->reason_code);
				cw_case_flag(c, "possible_exclusion", msg);
				break;
			}
		}
	}
	if (fval(f, "adjustments"))
		cw_case_flag(c, "reasonable_adjustments",
			     "adjustments asked for: agree, record and keep "
			     "them under review");
	return 0;
}

static int event(struct cw_env *env, const struct cw_case *c, int stage,
		 const char *what, tc_day date, const char *sub_id)
{
	cJSON *d = cJSON_CreateObject();
	char *txt;
	int rc;

	if (!d || !cJSON_AddStringToObject(d, "submission", sub_id))
		tc_die_nomem();
	txt = cJSON_PrintUnformatted(d);
	if (!txt)
		tc_die_nomem();
	rc = cw_store_event(env->reg, c->id, stage, what, date, txt,
			    env->today_s);
	free(txt);
	cJSON_Delete(d);
	return rc;
}

/* A new case or record from s; *outcome is what to count it as. */
static int new_case(struct cw_env *env, const struct sub *s,
		    const char **outcome)
{
	const struct tc_rules *r = env->rules;
	const char *area = fval(s->fields, "service_area");
	const struct tc_route *route = tc_rules_route(r, area);
	const struct tc_exclusion *ex = tc_rules_exclusion(r, area);
	struct cw_case c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.submission_id = tc_xstrdup(s->id);
	c.received = tc_xstrdup(s->received);
	c.received_date = s->rdate;
	c.service_area = tc_xstrdup(area);
	c.team = tc_xstrdup(route ? route->team : r->default_team);
	c.person_key = person_key(s->fields);
	c.flags = cJSON_CreateArray();
	if (!c.flags)
		tc_die_nomem();
	if (!strcmp(s->form, "complaint")) {
		const char *rb = fval(s->fields, "raised_before");

		if (ex) {
			c.type = tc_xstrdup("signposted");
			c.status = tc_xstrdup("signposted");
			*outcome = "signposted";
		} else if (r->first_contact_as_service_request && rb &&
			   !strcmp(rb, "no")) {
			c.type = tc_xstrdup("service_request");
			c.status = tc_xstrdup("open");
			*outcome = "case";
		} else {
			c.type = tc_xstrdup("complaint");
			c.status = tc_xstrdup("open");
			c.procedure = tc_xstrdup(route ? route->procedure
						       : r->proc[0].id);
			c.stage = 1;
			c.nstages = 1;
			c.stages[0].stage = 1;
			c.stages[0].submission_id = tc_xstrdup(s->id);
			c.stages[0].request = s->rdate;
			c.stages[0].acknowledged = CW_NODAY;
			c.stages[0].responded = CW_NODAY;
			c.stages[0].closed = CW_NODAY;
			*outcome = "case";
		}
		if (make_reference(env, &c) < 0 ||
		    complaint_flags(env, s, &c) < 0 ||
		    cw_case_recompute(r, &c) < 0)
			goto out;
	} else {
		const char *t = fval(s->fields, "feedback_type");

		c.type = tc_xstrdup(t && !strcmp(t, "compliment") ? "compliment"
								  : "comment");
		c.status = tc_xstrdup("recorded");
		*outcome = "record";
		if (make_reference(env, &c) < 0 ||
		    person_flags(env, s->fields, &c) < 0)
			goto out;
	}
	if (cw_store_case_insert(env->reg, &c) < 0 ||
	    event(env, &c, c.stage, "received", s->rdate, s->id) < 0)
		goto out;
	if (cw_store_add_submission(env->reg, s->id, s->bundle_sha, s->form,
				    s->received, s->rdate, *outcome, c.id,
				    env->today_s) < 0)
		goto out;
	rc = 0;
out:
	cw_case_release(&c);
	return rc;
}

/* Normalises a typed reference: trimmed, upper case. */
static void norm_ref(const char *in, char *out, size_t n)
{
	size_t i = 0;

	while (*in == ' ' || *in == '\t')
		in++;
	for (; *in && i + 1 < n; in++)
		out[i++] = (*in >= 'a' && *in <= 'z') ? *in - 32 : *in;
	while (i && (out[i - 1] == ' ' || out[i - 1] == '\t'))
		i--;
	out[i] = 0;
}

/* A stage 2 (or later) request: escalate, or record it for matching. */
static int review(struct cw_env *env, const struct sub *s, const char **outcome)
{
	const struct tc_rules *r = env->rules;
	const char *typed = fval(s->fields, "case_reference");
	const struct tc_procedure *p;
	struct cw_case c, rec;
	char key[128], why[300];
	int found, rc = -1;

	memset(&rec, 0, sizeof(rec));
	norm_ref(typed ? typed : "", key, sizeof(key));
	found = cw_store_case_load(env->reg, key, 0, &c);
	if (found == 0)
		found = cw_store_case_load(env->reg, key, 1, &c);
	if (found < 0)
		return -1;
	snprintf(why, sizeof(why),
		 "no case has the reference '%.100s': find the case and "
		 "escalate it with 'casework record REF escalated'",
		 key);
	if (found) {
		p = tc_rules_procedure(r, c.procedure);
		if (strcmp(c.type, "complaint") || !p)
			snprintf(why, sizeof(why),
				 "%s is a %s, not a complaint: decide how to "
				 "treat this request",
				 c.reference, c.type);
		else if (c.stage >= p->nstages)
			snprintf(why, sizeof(why),
				 "%s is already at its final stage: signpost "
				 "the Ombudsman",
				 c.reference);
		else {
			cw_case_escalate(&c, s->rdate, s->id);
			if (cw_case_recompute(r, &c) < 0 ||
			    cw_store_case_update(env->reg, &c) < 0 ||
			    event(env, &c, c.stage, "escalated", s->rdate,
				  s->id) < 0 ||
			    cw_store_add_submission(
				env->reg, s->id, s->bundle_sha, s->form,
				s->received, s->rdate, "escalated", c.id,
				env->today_s) < 0)
				goto out;
			*outcome = "escalated";
			rc = 0;
			goto out;
		}
	}
	/* Not matched: a record for an officer, never dropped. */
	rec.type = tc_xstrdup("review");
	rec.status = tc_xstrdup("unmatched");
	rec.submission_id = tc_xstrdup(s->id);
	rec.received = tc_xstrdup(s->received);
	rec.received_date = s->rdate;
	rec.team = tc_xstrdup(found && c.team ? c.team : r->default_team);
	rec.service_area = tc_xstrdup(found ? c.service_area : NULL);
	rec.person_key = person_key(s->fields);
	rec.flags = cJSON_CreateArray();
	if (!rec.flags)
		tc_die_nomem();
	cw_case_flag(&rec, "unmatched_review", why);
	if (make_reference(env, &rec) < 0 ||
	    person_flags(env, s->fields, &rec) < 0 ||
	    cw_store_case_insert(env->reg, &rec) < 0 ||
	    event(env, &rec, 0, "received", s->rdate, s->id) < 0 ||
	    cw_store_add_submission(env->reg, s->id, s->bundle_sha, s->form,
				    s->received, s->rdate, "record", rec.id,
				    env->today_s) < 0)
		goto out;
	*outcome = "record";
	rc = 0;
out:
	if (found > 0)
		cw_case_release(&c);
	cw_case_release(&rec);
	return rc;
}

static int quarantine(struct bundle *b, struct sub *s, const char *tmpdir)
{
	struct cw_env *env = b->env;
	struct tc_buf dir = TC_BUF_INIT, text = TC_BUF_INIT, p = TC_BUF_INIT;
	int rc = -1;

	cw_env_path(env, "quarantine/", &dir);
	if (tc_buf_addf(&dir, "%s/%s", b->name, s->id) < 0 ||
	    tc_buf_addf(&text,
			"submission %s in bundle %s was not processed:\n",
			s->id, b->name) < 0 ||
	    tc_buf_addbuf(&text, &s->reason) < 0 ||
	    tc_buf_adds(&text, "Fix the cause and ingest a corrected bundle; "
			       "the files received are beside this one.\n") < 0)
		tc_die_nomem();
	if (tc_fs_remove_tree(dir.data) < 0 ||
	    tc_fs_mkparents(dir.data, 0700) < 0 ||
	    rename(tmpdir, dir.data) < 0) {
		tc_warn("cannot move a submission to '%s'", dir.data);
		goto out;
	}
	if (tc_buf_addf(&p, "%s/reason.txt", dir.data) < 0)
		tc_die_nomem();
	if (tc_fs_write_atomic_ex(p.data, text.data, text.len, 0600,
				  TC_FS_NOSYNC) < 0) {
		tc_warn("cannot write '%s'", p.data);
		goto out;
	}
	if (cw_store_add_quarantine(env->reg, b->name, s->id, s->reason.data,
				    env->today_s) < 0)
		goto out;
	/* Only the reason's first line, which names fields, never values. */
	tc_warnx("%s: %s: quarantined: %.*s", b->name, s->id,
		 (int)strcspn(s->reason.data, "\n"), s->reason.data);
	rc = 0;
out:
	tc_buf_release(&dir);
	tc_buf_release(&text);
	tc_buf_release(&p);
	return rc;
}

/* Commits the open batch: store durable first, then the register, then
 * the packs it made dirty. */
static int commit_batch(struct bundle *b)
{
	if (!b->in_txn)
		return 0;
	if (cw_env_sync(b->env) < 0)
		return -1;
	cw_crash_point();
	if (cw_store_commit(b->env->reg) < 0)
		return -1;
	b->in_txn = 0;
	b->batch = 0;
	b->done = b->n;
	cw_crash_point();
	return cw_env_flush_packs(b->env);
}

/* One submission of the manifest, as the reader meets it. */
static int process(struct bundle *b, const struct tc_msub *m)
{
	struct cw_env *env = b->env;
	struct sub s;
	struct tc_buf tmp = TC_BUF_INIT, store = TC_BUF_INIT;
	const char *outcome = NULL;
	int seen, rc = -1;

	memset(&s, 0, sizeof(s));
	s.id = m->has_id ? m->id : NULL;
	s.m = m;
	s.bundle_sha = b->sha;
	if (!tc_submission_id_valid(s.id)) {
		/* Nothing safe to name a folder after: report it only. */
		reasonf(&b->problems,
			"a submission in the manifest has no usable id");
		b->n.quarantined++;
		rc = 0;
		goto out;
	}
	/* In order of ID, so one listed twice is caught without keeping
	 * every ID seen. */
	if (b->have_last && strcmp(s.id, b->last_id) <= 0) {
		reasonf(&b->problems,
			"submission %s is listed twice or out of order in the "
			"manifest (they come in order of ID): ignored",
			s.id);
		b->n.quarantined++;
		rc = 0;
		goto out;
	}
	snprintf(b->last_id, sizeof(b->last_id), "%s", s.id);
	b->have_last = 1;
	sweep(b, m, &s.reason);
	if (!b->check_only) {
		seen = cw_store_submission_seen(env->reg, s.id);
		if (seen < 0)
			goto out;
		if (seen) {
			b->n.already++;
			rc = 0;
			goto out;
		}
		if (!b->in_txn) {
			if (cw_store_begin(env->reg) < 0)
				goto out;
			b->in_txn = 1;
		}
	}
	cw_env_path(env, "tmp/", &tmp);
	cw_env_path(env, "store/", &store);
	if (tc_buf_adds(&tmp, s.id) < 0 || tc_buf_adds(&store, s.id) < 0)
		tc_die_nomem();
	if (extract(b, &s, tmp.data) < 0)
		goto out;
	if (!s.reason.len)
		check_submission(b, &s);
	if (b->check_only) {
		/* Say what would be quarantined; keep nothing. */
		if (s.reason.len) {
			reasonf(&b->problems, "submission %s: %.*s", s.id,
				(int)strcspn(s.reason.data, "\n"),
				s.reason.data);
			b->n.quarantined++;
		}
		if (tc_fs_remove_tree(tmp.data) < 0) {
			tc_warn("cannot remove '%s'", tmp.data);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (s.reason.len) {
		if (quarantine(b, &s, tmp.data) < 0)
			goto out;
		b->n.quarantined++;
	} else {
		if (tc_fs_remove_tree(store.data) < 0 ||
		    rename(tmp.data, store.data) < 0) {
			tc_warn("cannot move a submission into '%s'",
				store.data);
			goto out;
		}
		if (!strcmp(s.form, TC_FORM_REVIEW)) {
			if (review(env, &s, &outcome) < 0)
				goto out;
		} else if (new_case(env, &s, &outcome) < 0) {
			goto out;
		}
		if (!strcmp(outcome, "case"))
			b->n.cases++;
		else if (!strcmp(outcome, "record"))
			b->n.records++;
		else if (!strcmp(outcome, "escalated"))
			b->n.escalations++;
		else
			b->n.signposted++;
	}
	cw_crash_point();
	if (++b->batch >= cw_test_batch(BATCH) && commit_batch(b) < 0)
		goto out;
	rc = 0;
out:
	tc_buf_release(&tmp);
	tc_buf_release(&store);
	tc_buf_release(&s.json);
	tc_buf_release(&s.reason);
	cJSON_Delete(s.doc);
	return rc;
}

/* Writes quarantine/BUNDLE/reason.txt for bundle-level problems. */
static int bundle_reason(struct bundle *b)
{
	struct tc_buf p = TC_BUF_INIT, text = TC_BUF_INIT;
	int rc = -1;

	cw_env_path(b->env, "quarantine/", &p);
	if (tc_buf_addf(&p, "%s/reason.txt", b->name) < 0 ||
	    tc_buf_addf(&text, "bundle %s (%s):\n", b->name, b->path) < 0 ||
	    tc_buf_addbuf(&text, &b->problems) < 0)
		tc_die_nomem();
	if (tc_fs_mkparents(p.data, 0700) < 0 ||
	    tc_fs_write_atomic(p.data, text.data, text.len, 0600) < 0) {
		tc_warn("cannot write '%s'", p.data);
		goto out;
	}
	rc = 0;
out:
	tc_buf_release(&p);
	tc_buf_release(&text);
	return rc;
}

static void print_counts(const char *what, const struct cw_counts *n)
{
	printf("%s: %ld read: %ld cases, %ld records, %ld stage 2 "
	       "escalations, %ld signposted, %ld quarantined, %ld already "
	       "ingested\n",
	       what, n->read, n->cases, n->records, n->escalations,
	       n->signposted, n->quarantined, n->already);
}

static void add_counts(struct cw_counts *t, const struct cw_counts *n)
{
	t->read += n->read;
	t->cases += n->cases;
	t->records += n->records;
	t->escalations += n->escalations;
	t->signposted += n->signposted;
	t->quarantined += n->quarantined;
	t->already += n->already;
}

/*
 * Opens the bundle's zip and checks it whole: entries, then the manifest.
 * Returns 0, or -1 when the bundle is refused (why in b->problems).
 */
static int open_checked(struct bundle *b)
{
	const char *base;
	size_t n;
	int zerr = 0;

	b->za = zip_open(b->path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (!b->za) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, zerr);
		if (zerr == ZIP_ER_EXISTS)
			reasonf(&b->problems, "two entries have the same name");
		else
			reasonf(&b->problems,
				"not a readable zip (truncated or corrupt): %s",
				zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	if (scan_entries(b) < 0 || read_manifest(b, 0) < 0)
		return -1;
	if (b->misordered)
		return -1;
	if (b->nmissing > MAX_MISSING) {
		reasonf(&b->problems,
			"the zip lacks files the manifest lists for %ld "
			"submissions (the first: %s): the bundle is "
			"incomplete; make it again",
			b->nmissing, b->first_missing);
		return -1;
	}
	base = strrchr(b->path, '/');
	base = base ? base + 1 : b->path;
	n = strlen(b->info.bundle_id);
	if (!b->info.has_bundle_id || !n ||
	    strspn(b->info.bundle_id, ID_CHARS) != n) {
		reasonf(&b->problems,
			"manifest.json: 'bundle_id' must be the bundle's ID "
			"(letters, digits, '-', '_' and '.')");
		return -1;
	}
	if (strncmp(base, b->info.bundle_id, n) || strcmp(base + n, ".zip")) {
		reasonf(&b->problems,
			"the file's name is not its bundle_id and .zip: a "
			"bundle is known by its ID, so name the file %s.zip",
			b->info.bundle_id);
		return -1;
	}
	b->have_last = 0; /* for the processing pass */
	return 0;
}

/* Returns 0 done, 1 refused or partly quarantined, 3 I/O error. */
static int ingest_one(struct cw_env *env, const char *path,
		      struct cw_counts *total)
{
	struct bundle b;
	int seen, rc = TC_EXIT_ENV, refused = 0, r;

	memset(&b, 0, sizeof(b));
	b.env = env;
	b.path = path;
	cw_zip_bundle_name(path, b.name, sizeof(b.name));
	if (cw_zip_hash_file(path, b.sha) < 0) {
		tc_warn("cannot read bundle '%s'", path);
		goto out;
	}
	seen = cw_store_bundle_seen(env->reg, b.sha);
	if (seen < 0)
		goto out;
	if (seen) {
		r = cw_store_bundle_submissions(env->reg, b.sha);
		if (r < 0)
			goto out;
		b.n.read = b.n.already = r;
		print_counts(b.name, &b.n);
		rc = TC_EXIT_OK;
		goto out; /* out: adds b.n to the total */
	}
	b.msub = calloc(1, sizeof(*b.msub));
	if (!b.msub)
		tc_die_nomem();
	refused = open_checked(&b) < 0;
	if (refused) {
		tc_warnx("%s: refused: %.*s", b.name,
			 (int)strcspn(b.problems.data, "\n"), b.problems.data);
		if (bundle_reason(&b) < 0)
			goto out;
		print_counts(b.name, &b.n);
		rc = TC_EXIT_INPUT;
		goto out;
	}
	/* Checked whole; now read again, processing as it goes. */
	b.n.read = b.info.nsubs;
	r = read_manifest(&b, 1);
	if (r == 0) {
		sweep(&b, NULL, NULL);
	} else {
		if (r != -3)
			tc_warnx("%s: manifest.json changed while it was read",
				 b.name);
		b.io_error = 1;
	}
	if (!b.io_error && !b.in_txn && cw_store_begin(env->reg) == 0)
		b.in_txn = 1;
	if (b.io_error || !b.in_txn ||
	    cw_store_add_bundle(env->reg, b.sha, b.name,
				b.info.has_bundle_id ? b.info.bundle_id : NULL,
				env->today_s, (int)b.n.read) < 0 ||
	    commit_batch(&b) < 0) {
		if (b.in_txn)
			cw_store_rollback(env->reg);
		b.in_txn = 0;
		goto out;
	}
	if (b.problems.len) {
		tc_warnx("%s: %.*s", b.name,
			 (int)strcspn(b.problems.data, "\n"), b.problems.data);
		if (bundle_reason(&b) < 0)
			goto out;
	}
	print_counts(b.name, &b.n);
	rc = (b.n.quarantined || b.problems.len) ? TC_EXIT_INPUT : TC_EXIT_OK;
out:
	if (b.in_txn)
		cw_store_rollback(env->reg);
	if (rc == TC_EXIT_ENV) {
		/* Stopped: count only what the register kept, not the work
		 * the rollback undid (a rerun does that again). */
		b.n = b.done;
		b.n.read = b.n.cases + b.n.records + b.n.escalations +
			   b.n.signposted + b.n.quarantined + b.n.already;
	}
	add_counts(total, &b.n);
	if (b.za)
		zip_discard(b.za);
	free(b.msub);
	tc_buf_release(&b.problems);
	fflush(stdout);
	return rc;
}

int cw_ingest(struct cw_env *env, char **paths, int n)
{
	struct cw_counts total;
	int i, rc = TC_EXIT_OK, r;

	memset(&total, 0, sizeof(total));
#ifdef __GLIBC__
	/* Each submission frees what it used, leaving the top of the heap
	 * free; glibc would hand it back and fault it in again for the next
	 * one (as many brk calls and page faults as submissions). Keep up to
	 * a few MiB instead: the peak is unchanged, the churn gone. */
	mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
	/* Packs left dirty by an earlier run that stopped. */
	if (cw_env_flush_packs(env) < 0)
		return TC_EXIT_ENV;
	for (i = 0; i < n; i++) {
		r = ingest_one(env, paths[i], &total);
		if (r > rc)
			rc = r;
		if (r == TC_EXIT_ENV)
			break;
	}
	print_counts("total", &total);
	if (rc != TC_EXIT_ENV && cw_report_write(env) < 0)
		rc = TC_EXIT_ENV;
	return rc;
}

int cw_ingest_check(struct cw_env *env, const char *path,
		    struct tc_buf *problems)
{
	struct bundle b;
	int rc = -1, r;

	memset(&b, 0, sizeof(b));
	b.env = env;
	b.path = path;
	b.check_only = 1;
	cw_zip_bundle_name(path, b.name, sizeof(b.name));
	b.msub = calloc(1, sizeof(*b.msub));
	if (!b.msub)
		tc_die_nomem();
	if (open_checked(&b) < 0) {
		rc = 1;
		goto out;
	}
	r = read_manifest(&b, 1);
	if (r == 0)
		sweep(&b, NULL, NULL);
	else if (r == -3)
		goto out; /* an I/O error, printed */
	else
		TC_BUG("manifest.json read differently the second time");
	rc = (b.n.quarantined || b.problems.len) ? 1 : 0;
out:
	if (tc_buf_addbuf(problems, &b.problems) < 0)
		tc_die_nomem();
	if (b.za)
		zip_discard(b.za);
	free(b.msub);
	tc_buf_release(&b.problems);
	return rc;
}
