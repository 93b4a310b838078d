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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "admit.h"
#include "buffer.h"
#include "bundle.h"
#include "bundlezip.h"
#include "forms.h"
#include "fsutil.h"
#include "manifest.h"
#include "quarantine.h"
#include "report.h"

/* Submissions per transaction: one fsync for many, each still atomic
 * (CASEWORK_TEST_BATCH makes it smaller in a test build: testhooks.h). */
#define BATCH 256

/* Submissions whose listed files the zip lacks that are quarantined one
 * by one; more make the bundle incomplete, refused whole. */
#define MAX_MISSING 10
/* What a bundle ID is made of (intake's are bundle-STAMP-SOURCE). */
#define ID_CHARS                                                               \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

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

/* A submission in hand: what admit.c checks and admits, and the
 * manifest's record of it. */
struct sub {
	struct cw_sub c;
	const struct tc_msub *m;
};

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
		cw_reasonf(&b->problems,
			   "the bundle is empty: no manifest.json");
		return -1;
	}
	b->nent = (zip_uint64_t)n;
	for (i = 0; i < b->nent; i++) {
		bad = cw_zip_entry_check(b->za, i, &name, &size);
		total += size;
		if (i == 0 && (strcmp(name, TC_BUNDLE_MANIFEST) || bad)) {
			cw_reasonf(&b->problems, "the first entry must be "
						 "manifest.json, a plain file");
			return -1;
		}
		g = zip_get_name(b->za, i, 0);
		if (g && zip_name_locate(b->za, g, 0) != (zip_int64_t)i) {
			cw_reasonf(&b->problems,
				   "two entries have the same name");
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
			cw_reasonf(
			    &b->problems,
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
		cw_reasonf(&b->problems,
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
		cw_reasonf(&b->problems,
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
		cw_reasonf(&b->problems,
			   "manifest.json is over the size limit");
		return -1;
	}
	r.zf = zip_fopen_index(b->za, 0, 0);
	if (!r.zf) {
		cw_reasonf(
		    &b->problems,
		    "manifest.json cannot be read (corrupt or unsupported)");
		return -1;
	}
	rc = tc_manifest_read(cw_zip_stream_read, &r,
			      processing ? each_sub : check_sub, b, b->msub,
			      &b->info, err, sizeof(err));
	zip_fclose(r.zf);
	if (rc == -1)
		cw_reasonf(&b->problems, "manifest.json%s", err);
	else if (rc == -2)
		cw_reasonf(&b->problems, "manifest.json %s",
			   r.why ? r.why : "cannot be read");
	if (rc < 0)
		return rc;
	if (!b->info.format_ok) {
		cw_reasonf(&b->problems,
			   "manifest.json: format must be \"" TC_BUNDLE_FORMAT
			   "\"");
		return -1;
	}
	if (!b->info.subs_list) {
		cw_reasonf(&b->problems,
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
	cw_reasonf(&b->problems,
		   "entry '%s' is not in the manifest%s%s: ignored", name,
		   bad ? " and " : "", bad ? bad : "");
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
					cw_reasonf(reason, "entry '%s' %s",
						   name, bad);
				else if (tc_msub_find(m, name, m->nfiles) ==
					 m->nfiles)
					cw_reasonf(reason,
						   "entry '%s' is not in the "
						   "manifest",
						   name);
				continue;
			}
		}
		unlisted(b, b->cur);
	}
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
		cw_reasonf(&s->c.reason, "manifest.json: a file entry "
					 "needs path, size and sha256");
		return NULL;
	}
	if (f->has_path != 1) {
		cw_reasonf(&s->c.reason, "manifest.json lists a path too "
					 "long for a file of the bundle");
		return NULL;
	}
	if (tc_msub_find(s->m, f->path, k) < k) {
		/* Taken once already: a second copy would collide with the
		 * first in tmp/, not an I/O error. */
		cw_reasonf(&s->c.reason, "manifest.json lists '%s' twice",
			   f->path);
		return NULL;
	}
	n = snprintf(want, sizeof(want), TC_BUNDLE_SUBMISSIONS "%s/", s->c.id);
	if (n < 0 || (size_t)n >= sizeof(want) ||
	    strncmp(f->path, want, (size_t)n) != 0) {
		cw_reasonf(&s->c.reason,
			   "manifest.json lists '%s' outside the submission's "
			   "folder",
			   f->path);
		return NULL;
	}
	rel = f->path + n;
	if (strcmp(rel, "submission.json") &&
	    (strncmp(rel, "files/", 6) ||
	     !tc_bundle_attachment_number(rel + 6))) {
		cw_reasonf(&s->c.reason, "file '%s' is not allowed here",
			   f->path);
		return NULL;
	}
	return rel;
}

/*
 * Streams the submission's files into tmp/ID/ and checks them against the
 * manifest; reads submission.json into s->c.json. Returns 0 (problems, if
 * any, in s->c.reason), or -1 on an I/O error (printed).
 */
static int extract(struct bundle *b, struct sub *s, const char *dir)
{
	struct tc_buf path = TC_BUF_INIT;
	size_t k;
	int rc = -1, nfiles = 0, have_json = 0;

	if (tc_fs_remove_tree(dir) < 0 || tc_fs_mkdirs(dir, cw_dir_mode()) < 0) {
		tc_warn("cannot make '%s'", dir);
		goto out;
	}
	if (!s->m->files_list || !s->m->nlisted) {
		cw_reasonf(&s->c.reason, "manifest.json lists no files for it");
		rc = 0;
		goto out;
	}
	if (s->m->nlisted > TC_MF_MAXFILES) {
		cw_reasonf(&s->c.reason, "more than %d files", CW_MAX_FILES);
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
			cw_reasonf(&s->c.reason,
				   "file '%s' is missing from the zip",
				   f->path);
			continue;
		}
		bad = cw_zip_entry_check(b->za, (zip_uint64_t)idx, &ename,
					 &esize);
		if (bad)
			continue; /* reported by the sweep */
		if ((double)esize != f->size) {
			cw_reasonf(&s->c.reason,
				   "file '%s' is %llu bytes, not %.0f as the "
				   "manifest says",
				   f->path, (unsigned long long)esize, f->size);
			continue;
		}
		if (is_json) {
			have_json = 1;
			tc_buf_reset(&s->c.json);
			r = cw_zip_read_entry(b->za, (zip_uint64_t)idx, esize,
					      CW_MAX_SUBMISSION_JSON,
					      &s->c.json, -1, hex, NULL, &why);
		} else {
			if (++nfiles > CW_MAX_FILES) {
				cw_reasonf(&s->c.reason, "more than %d files",
					   CW_MAX_FILES);
				break;
			}
			tc_buf_reset(&path);
			if (tc_buf_addf(&path, "%s/files", dir) < 0)
				tc_die_nomem();
			if (nfiles == 1 && tc_fs_mkdirs(path.data, cw_dir_mode()) < 0) {
				tc_warn("cannot make '%s'", path.data);
				goto out;
			}
			if (tc_buf_addf(&path, "/%s", rel + 6) < 0)
				tc_die_nomem();
			fd =
			    open(path.data,
				 O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, cw_file_mode());
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
			cw_reasonf(&s->c.reason, "file '%s' %s%s", f->path, why,
				   is_json && esize > CW_MAX_SUBMISSION_JSON
				       ? " (1 MiB for submission.json: a "
					 "field is far too long)"
				       : "");
			continue;
		}
		if (strcmp(hex, f->sha256)) {
			cw_reasonf(&s->c.reason,
				   "file '%s' does not match its sha256 in the "
				   "manifest",
				   f->path);
			continue;
		}
		if (num && num <= CW_MAX_FILES) {
			s->c.type_of[num] = tc_sniff_end(&sn);
			s->c.sniffed[num] = 1;
		}
	}
	if (!have_json && !s->c.reason.len)
		cw_reasonf(&s->c.reason, "submission.json is missing");
	if (have_json && !s->c.reason.len) {
		tc_buf_reset(&path);
		if (tc_buf_addf(&path, "%s/submission.json", dir) < 0)
			tc_die_nomem();
		/* tmp/ID is new and moves into store/ whole. */
		if (tc_fs_write_atomic_ex(path.data, s->c.json.data,
					  s->c.json.len, cw_file_mode(),
					  TC_FS_NOSYNC | TC_FS_NEW) < 0) {
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
 * Checks the submission as intake did, trusting nothing: its attachments
 * against the files the manifest lists (whose sizes and digests extract()
 * checked against the zip), its fields against its form and its files'
 * types by their content.
 */
static void check_listed(struct bundle *b, struct sub *s)
{
	struct tc_sub_file files[TC_MF_MAXFILES];
	size_t k, n = 0,
		  pre = strlen(TC_BUNDLE_SUBMISSIONS) + strlen(s->c.id) + 1;
	const char *rel;

	for (k = 0; k < s->m->nfiles; k++) {
		const struct tc_mfile *mf = &s->m->files[k];

		rel = mf->path + pre;
		if (strncmp(rel, "files/", 6))
			continue;
		files[n].n = tc_bundle_attachment_number(rel + 6);
		files[n].size = (uint64_t)mf->size;
		files[n++].sha256 = mf->sha256;
	}
	cw_sub_check(b->env, &s->c, files, n);
}

static int quarantine(struct bundle *b, struct sub *s, const char *tmpdir)
{
	struct cw_env *env = b->env;
	struct tc_buf dir = TC_BUF_INIT, text = TC_BUF_INIT, p = TC_BUF_INIT;
	int rc = -1;

	cw_env_path(env, "quarantine/", &dir);
	if (tc_buf_addf(&dir, "%s/%s", b->name, s->c.id) < 0 ||
	    tc_buf_addf(&text,
			"submission %s in bundle %s was not processed:\n",
			s->c.id, b->name) < 0 ||
	    tc_buf_addbuf(&text, &s->c.reason) < 0 ||
	    tc_buf_adds(
		&text, "The files received are beside this one. When the cause "
		       "is fixed, release it (casework quarantine release "
		       "BUNDLE/ID --reason TEXT) or ingest a corrected bundle; "
		       "or reject it (casework quarantine reject).\n") < 0)
		tc_die_nomem();
	if (tc_fs_remove_tree(dir.data) < 0 ||
	    tc_fs_mkparents(dir.data, cw_dir_mode()) < 0 ||
	    rename(tmpdir, dir.data) < 0) {
		tc_warn("cannot move a submission to '%s'", dir.data);
		goto out;
	}
	if (tc_buf_addf(&p, "%s/reason.txt", dir.data) < 0)
		tc_die_nomem();
	if (tc_fs_write_atomic_ex(p.data, text.data, text.len, cw_file_mode(),
				  TC_FS_NOSYNC) < 0) {
		tc_warn("cannot write '%s'", p.data);
		goto out;
	}
	if (cw_store_add_quarantine(env->reg, b->name, b->sha, s->c.id,
				    s->c.reason.data, env->today_s) < 0)
		goto out;
	/* Only the reason's first line, which names fields, never values. */
	tc_warnx("%s: %s: quarantined: %.*s", b->name, s->c.id,
		 (int)strcspn(s->c.reason.data, "\n"), s->c.reason.data);
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
	s.c.id = m->has_id ? m->id : NULL;
	s.m = m;
	s.c.bundle_sha = b->sha;
	if (!tc_submission_id_valid(s.c.id)) {
		/* Nothing safe to name a folder after: report it only. */
		cw_reasonf(&b->problems,
			   "a submission in the manifest has no usable id");
		b->n.quarantined++;
		rc = 0;
		goto out;
	}
	/* In order of ID, so one listed twice is caught without keeping
	 * every ID seen. */
	if (b->have_last && strcmp(s.c.id, b->last_id) <= 0) {
		cw_reasonf(
		    &b->problems,
		    "submission %s is listed twice or out of order in the "
		    "manifest (they come in order of ID): ignored",
		    s.c.id);
		b->n.quarantined++;
		rc = 0;
		goto out;
	}
	snprintf(b->last_id, sizeof(b->last_id), "%s", s.c.id);
	b->have_last = 1;
	sweep(b, m, &s.c.reason);
	if (!b->check_only) {
		seen = cw_store_submission_seen(env->reg, s.c.id);
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
	if (tc_buf_adds(&tmp, s.c.id) < 0 || tc_buf_adds(&store, s.c.id) < 0)
		tc_die_nomem();
	if (extract(b, &s, tmp.data) < 0)
		goto out;
	if (!s.c.reason.len)
		check_listed(b, &s);
	if (b->check_only) {
		/* Say what would be quarantined; keep nothing. */
		if (s.c.reason.len) {
			cw_reasonf(&b->problems, "submission %s: %.*s", s.c.id,
				   (int)strcspn(s.c.reason.data, "\n"),
				   s.c.reason.data);
			b->n.quarantined++;
		}
		if (tc_fs_remove_tree(tmp.data) < 0) {
			tc_warn("cannot remove '%s'", tmp.data);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (s.c.reason.len) {
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
		if (cw_sub_admit(env, &s.c, &outcome) < 0 ||
		    cw_store_quarantine_ingested(env->reg, s.c.id, env->today_s,
						 b->name) < 0)
			goto out;
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
	cw_sub_release(&s.c);
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
	if (tc_fs_mkparents(p.data, cw_dir_mode()) < 0 ||
	    tc_fs_write_atomic(p.data, text.data, text.len, cw_file_mode()) < 0) {
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
			cw_reasonf(&b->problems,
				   "two entries have the same name");
		else
			cw_reasonf(
			    &b->problems,
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
		cw_reasonf(&b->problems,
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
		cw_reasonf(&b->problems,
			   "manifest.json: 'bundle_id' must be the bundle's ID "
			   "(letters, digits, '-', '_' and '.')");
		return -1;
	}
	if (strncmp(base, b->info.bundle_id, n) || strcmp(base + n, ".zip")) {
		cw_reasonf(&b->problems,
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
	if (cw_zip_hash_file(path, b.sha, NULL, NULL) < 0) {
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
	/* Submissions ingested now that waited in quarantine from an earlier
	 * bundle leave nothing there. */
	if (rc != TC_EXIT_ENV && cw_quarantine_tidy(env) < 0)
		rc = TC_EXIT_ENV;
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
