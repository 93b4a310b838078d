/*
 * bundle.c: intake bundle. Packs the whole submissions in spool/ready/ into
 * one zip for casework (docs/bundle.md is the format), reads the zip back to
 * check every entry against its manifest, makes it durable, and only then
 * moves the submissions to spool/bundled/BUNDLE_ID/.
 *
 * A crash at any point leaves each submission in ready/ or in bundled/,
 * never in neither. A journal written just before the bundle gets its name
 * lets the next run finish an interrupted move, so a submission is not
 * bundled twice either.
 */
#define _GNU_SOURCE /* renameat2, flock */

#include "intake.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "array.h"
#include "buffer.h"
#include "bundle.h"
#include "err.h"
#include "fsutil.h"
#include "limits.h"
#include "sha256.h"

#define JOURNAL_FORMAT "threecs-bundle-journal/1"
#define LOCK_NAME      ".bundle.lock"
#define JOURNAL_NAME   ".bundle.journal"
/* The journal is written to "..bundle.journal.XXXXXX" beside it (see
 * tc_fs_write_atomic) and renamed into place; a run killed in between
 * leaves that temporary for the next run to remove. */
#define JOURNAL_TMP "." JOURNAL_NAME "."
/* A temporary bundle is ".bundle-STAMP-SOURCE.zip.tmp"; libzip's own
 * temporary beside it adds ".XXXXXX". Both start with this. */
#define TMP_PREFIX ".bundle-"
#define TMP_INFIX  ".zip.tmp"

/* Largest single file in a bundle (the format's limit). */
#define MAX_FILE_SIZE ((uint64_t)TC_MAX_BUNDLE_ENTRY)
/* Largest sum of the files in one bundle. */
#define MAX_TOTAL_SIZE ((uint64_t)4 << 30)
/* Longest --source. */
#define MAX_SOURCE 32
/* Bytes read at a time while hashing and verifying. */
#define CHUNK 65536

/* One file in the bundle. */
struct bfile {
	char *entry;	 /* name in the zip: submissions/ID/... */
	char *path;	 /* where it is now: SPOOL/ready/ID/... */
	unsigned n;	 /* N of files/N; 0 for submission.json */
	uint64_t size;	 /* bytes */
	char sha256[65]; /* lowercase hex digest */
};

/* One submission folder that passed its checks. */
struct bsub {
	/* the folder's name and the submission's id */
	char id[TC_SUBMISSION_ID_LEN + 1];
	struct bfile *files; /* submission.json first, then files/N by N */
	size_t nfiles;	     /* entries in files */
	size_t alloc;	     /* room in files */
	uint64_t size;	     /* sum of the files' sizes */
};

/* One run of intake bundle. */
struct bundle {
	const struct intake_bundle_options *o;
	char id[80];		/* bundle-STAMP-SOURCE */
	char created[32];	/* RFC 3339 UTC */
	time_t when;		/* the same instant */
	char *ready;		/* SPOOL/ready */
	char *bundled;		/* SPOOL/bundled */
	char *journal;		/* SPOOL/.bundle.journal */
	char *final;		/* OUT/bundle-....zip, as the user named OUT */
	char *tmp;		/* OUT/.bundle-....zip.tmp */
	char *abs_final;	/* the same two with OUT made absolute, */
	char *abs_tmp;		/* for the journal */
	struct bsub *subs;	/* in id order */
	size_t nsubs;		/* submissions bundled */
	size_t alloc;		/* room in subs */
	uint64_t total;		/* sum of all files' sizes */
	size_t attachments;	/* files/N across all submissions */
	size_t broken;		/* folders reported and left in ready/ */
	size_t deferred;	/* whole folders left for the next run */
	struct tc_buf manifest; /* manifest.json's bytes */
};

/* What reading a spool file found. */
enum readres {
	READ_OK,
	READ_NOTPLAIN, /* a link, folder, device or pipe */
	READ_TOOBIG,   /* above the cap */
	READ_IO,       /* see errno */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		tc_die_nomem();
	return p;
}

/* Dies when a buffer could not grow: the command line tools stop there. */
static void must(int rc)
{
	if (rc < 0)
		tc_die_nomem();
}

/* "a/b" as a new string the caller frees. */
static char *join(const char *a, const char *b)
{
	struct tc_buf p = TC_BUF_INIT;

	must(tc_fs_join(&p, a, b));
	return tc_buf_detach(&p, NULL);
}

static int cmp_file(const void *a, const void *b)
{
	const struct bfile *x = a, *y = b;

	return (x->n > y->n) - (x->n < y->n);
}

/*
 * Opens path for reading when it is a plain file, never following a link
 * (and never blocking on a pipe). Returns the descriptor and fills *st, or -1
 * with errno set (ELOOP for a link, EINVAL for anything but a plain file).
 */
static int open_plain(const char *path, struct stat *st)
{
	int fd, saved;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		saved = errno;
		if (!S_ISREG(st->st_mode))
			saved = EINVAL;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * Reads the plain file path, no larger than max bytes, hashing it into
 * hex and its size into *size; appends the bytes to keep when keep is not
 * NULL.
 */
static enum readres read_plain(const char *path, uint64_t max,
			       struct tc_buf *keep, uint64_t *size,
			       char hex[65])
{
	struct tc_sha256 h;
	char *chunk = NULL;
	struct stat st = {0};
	uint64_t got = 0;
	ssize_t n;
	enum readres res = READ_IO;
	int fd = -1, saved;

	fd = open_plain(path, &st);
	if (fd < 0) {
		if (errno == ELOOP || errno == EINVAL)
			res = READ_NOTPLAIN;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		res = READ_TOOBIG;
		goto out;
	}
	chunk = xrealloc(NULL, CHUNK);
	tc_sha256_init(&h);
	for (;;) {
		n = tc_fs_read_some(fd, chunk, CHUNK);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		got += (uint64_t)n;
		if (got > max) {
			res = READ_TOOBIG;
			goto out;
		}
		tc_sha256_update(&h, chunk, (size_t)n);
		if (keep)
			must(tc_buf_add(keep, chunk, (size_t)n));
	}
	tc_sha256_final_hex(&h, hex);
	*size = got;
	res = READ_OK;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	free(chunk);
	errno = saved;
	return res;
}

/* Copies s into out (n bytes) with anything but printable ASCII as '?', so
 * an odd name in the spool cannot garble the terminal or the log. */
static void clean_name(const char *s, char *out, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
}

/*
 * Reports a submission folder that is left in ready/:
 * "intake: SPOOL/ready/NAME[/file][:line:col]: problem: left in place".
 */
static void left_in_place(struct bundle *b, const char *name, const char *file,
			  int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void left_in_place(struct bundle *b, const char *name, const char *file,
			  int line, int col, const char *fmt, ...)
{
	struct tc_buf where = TC_BUF_INIT;
	char clean[64], msg[512];
	va_list ap;

	clean_name(name, clean, sizeof(clean));
	must(tc_fs_join(&where, b->ready, clean));
	if (file)
		must(tc_buf_addf(&where, "/%s", file));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tc_input_error(where.data, line, col, "%s: left in place", msg);
	tc_buf_release(&where);
	b->broken++;
}

static void bfile_release(struct bfile *f)
{
	free(f->entry);
	free(f->path);
}

static void sub_release(struct bsub *s)
{
	TC_RELEASE_EACH(s->files, s->nfiles, bfile_release);
	s->files = NULL;
	s->nfiles = 0;
	s->alloc = 0;
}

/* Adds a file to s; its sizes and digest are filled in later. */
static struct bfile *sub_add(struct bsub *s, unsigned n, const char *path)
{
	struct tc_buf entry = TC_BUF_INIT;
	struct bfile *f;

	TC_ALLOC_GROW(s->files, s->nfiles + 1, s->alloc);
	f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	f->n = n;
	f->path = tc_xstrdup(path);
	must(tc_bundle_entry_name(&entry, s->id, n));
	f->entry = tc_buf_detach(&entry, NULL);
	return f;
}

/*
 * Checks submission.json (its bytes in text) against the folder with the
 * format's check (tc_submission_check): UTF-8 JSON, an object in this
 * format with the folder's id, and its attachments naming exactly the
 * files in files/ with their sizes and digests. Returns 0, or -1 after
 * reporting.
 */
static int check_json(struct bundle *b, struct bsub *s,
		      const struct tc_buf *text)
{
	struct tc_sub_file files[TC_MAX_SUBMISSION_FILES];
	struct tc_sub_check c;
	const char *f = "submission.json";
	char why[128];
	size_t i, n = 0;

	for (i = 1; i < s->nfiles && n < TC_MAX_SUBMISSION_FILES; i++) {
		files[n].n = s->files[i].n;
		files[n].size = s->files[i].size;
		files[n++].sha256 = s->files[i].sha256;
	}
	if (tc_submission_check(text->data, text->len, s->id, files, n, &c) ==
	    0)
		goto out;
	switch (c.problem) {
	case TC_SUB_NOT_UTF8:
		left_in_place(b, s->id, f, c.line, c.col, "not valid UTF-8");
		break;
	case TC_SUB_NOT_JSON:
		left_in_place(b, s->id, f, c.line, c.col, "%s",
			      tc_sub_json_why(&c, why, sizeof(why)));
		break;
	case TC_SUB_NOT_OBJECT:
		left_in_place(b, s->id, f, 0, 0, "not a JSON object");
		break;
	case TC_SUB_BAD_FORMAT:
		left_in_place(b, s->id, f, 0, 0,
			      "\"format\" is not \"" TC_SUBMISSION_FORMAT "\"");
		break;
	case TC_SUB_BAD_ID:
		left_in_place(b, s->id, f, 0, 0,
			      "\"id\" does not match the folder's name");
		break;
	case TC_SUB_ATTACHMENTS_TYPE:
		left_in_place(b, s->id, f, 0, 0,
			      "\"attachments\" is not a list");
		break;
	case TC_SUB_ATTACHMENT_PATH:
		left_in_place(b, s->id, f, 0, 0,
			      "an attachment's \"path\" names no file "
			      "in files/ (or one named twice)");
		break;
	case TC_SUB_ATTACHMENT_SIZE:
	case TC_SUB_ATTACHMENT_SHA256:
		left_in_place(
		    b, s->id, f, 0, 0,
		    "files/%u: %s differs from \"attachments\"", c.file,
		    c.problem == TC_SUB_ATTACHMENT_SIZE ? "size" : "sha256");
		break;
	case TC_SUB_FILE_UNLISTED:
		left_in_place(b, s->id, NULL, 0, 0,
			      "files/%u is not in submission.json's "
			      "\"attachments\"",
			      c.file);
		break;
	case TC_SUB_OK:
		break;
	}
out:
	cJSON_Delete(c.doc);
	return c.problem == TC_SUB_OK ? 0 : -1;
}

/* Reports a file that could not be read (res from read_plain). */
static void report_read(struct bundle *b, const char *id, const char *file,
			enum readres res, uint64_t max)
{
	if (res == READ_NOTPLAIN)
		left_in_place(b, id, file, 0, 0,
			      "not a plain file (a link, folder or device): "
			      "refused");
	else if (res == READ_TOOBIG)
		left_in_place(b, id, file, 0, 0, "larger than %" PRIu64 " MiB",
			      max >> 20);
	else
		left_in_place(b, id, file, 0, 0, "cannot be read: %s",
			      strerror(errno));
}

/*
 * Looks at one folder in ready/. When it is a whole, valid submission it is
 * filled into s and 0 returned; otherwise it is reported (once) and -1
 * returned, and s is left empty.
 */
static int scan_submission(struct bundle *b, const char *name, struct bsub *s)
{
	struct tc_buf json = TC_BUF_INIT, rel = TC_BUF_INIT;
	char **names = NULL, **fnames = NULL;
	size_t nnames = 0, nfnames = 0, i;
	char *dir = NULL, *fdir = NULL, *p = NULL;
	struct bfile *f;
	struct stat st;
	enum readres res;
	unsigned n;
	int have_json = 0, rc = -1;

	memset(s, 0, sizeof(*s));
	if (!tc_submission_id_valid(name)) {
		left_in_place(b, name, NULL, 0, 0,
			      "not a submission's folder (its name is not an "
			      "ID like K7QXM-3PD9R)");
		goto out;
	}
	memcpy(s->id, name, TC_SUBMISSION_ID_LEN + 1);
	dir = join(b->ready, name);
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		left_in_place(b, name, NULL, 0, 0,
			      "not a folder (links are refused)");
		goto out;
	}
	if (tc_fs_list(dir, &names, &nnames) < 0) {
		left_in_place(b, name, NULL, 0, 0, "cannot be listed: %s",
			      strerror(errno));
		goto out;
	}
	/* submission.json first: its n of 0 sorts it before files/N. */
	for (i = 0; i < nnames; i++) {
		free(p);
		p = join(dir, names[i]);
		if (lstat(p, &st) < 0) {
			left_in_place(b, name, NULL, 0, 0, "cannot be read: %s",
				      strerror(errno));
			goto out;
		}
		if (!strcmp(names[i], "submission.json") &&
		    S_ISREG(st.st_mode)) {
			sub_add(s, 0, p);
			have_json = 1;
		} else if (!strcmp(names[i], "files") && S_ISDIR(st.st_mode)) {
			fdir = tc_xstrdup(p);
		} else {
			char clean[64];

			clean_name(names[i], clean, sizeof(clean));
			left_in_place(
			    b, name, NULL, 0, 0,
			    "'%s' is not part of a submission%s", clean,
			    S_ISLNK(st.st_mode) ? " (a link: refused)" : "");
			goto out;
		}
	}
	if (!have_json) {
		left_in_place(b, name, NULL, 0, 0, "no submission.json");
		goto out;
	}
	if (fdir && tc_fs_list(fdir, &fnames, &nfnames) < 0) {
		left_in_place(b, name, "files", 0, 0, "cannot be listed: %s",
			      strerror(errno));
		goto out;
	}
	for (i = 0; i < nfnames; i++) {
		char clean[64];

		free(p);
		p = join(fdir, fnames[i]);
		clean_name(fnames[i], clean, sizeof(clean));
		n = tc_bundle_attachment_number(fnames[i]);
		if (lstat(p, &st) < 0)
			memset(&st, 0, sizeof(st));
		if (!S_ISREG(st.st_mode) || !n) {
			left_in_place(b, name, NULL, 0, 0,
				      "files/%s is not an attachment%s", clean,
				      S_ISLNK(st.st_mode)
					  ? " (a link: refused)"
					  : " (only plain files named 1, 2, "
					    "... belong there)");
			goto out;
		}
		sub_add(s, n, p);
	}
	qsort(s->files, s->nfiles, sizeof(*s->files), cmp_file);
	for (i = 0; i < s->nfiles; i++) {
		f = &s->files[i];
		tc_buf_reset(&rel);
		if (f->n)
			must(tc_buf_addf(&rel, "files/%u", f->n));
		else
			must(tc_buf_adds(&rel, "submission.json"));
		res = read_plain(f->path,
				 f->n ? MAX_FILE_SIZE : TC_MAX_SUBMISSION_JSON,
				 f->n ? NULL : &json, &f->size, f->sha256);
		if (res != READ_OK) {
			report_read(b, name, rel.data, res,
				    f->n ? MAX_FILE_SIZE
					 : TC_MAX_SUBMISSION_JSON);
			goto out;
		}
		s->size += f->size;
	}
	if (s->size > MAX_TOTAL_SIZE) {
		left_in_place(b, name, NULL, 0, 0,
			      "larger than a bundle may be (%" PRIu64
			      " GiB in all)",
			      MAX_TOTAL_SIZE >> 30);
		goto out;
	}
	if (check_json(b, s, &json) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		sub_release(s);
	tc_fs_names_free(names, nnames);
	tc_fs_names_free(fnames, nfnames);
	free(dir);
	free(fdir);
	free(p);
	tc_buf_release(&json);
	tc_buf_release(&rel);
	return rc;
}

/* Reads n decimal digits at s into *out; 0 or -1. */
static int digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Parses "YYYY-MM-DDTHH:MM:SSZ" (or "+00:00" for "Z") into *t. The year
 * must fit a zip timestamp (1980 to 2107). Returns 0 or -1.
 */
static int parse_now(const char *s, time_t *t)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	struct tm tm;
	size_t len = strlen(s);
	int y, mo, d, h, mi, sec, leap, max;

	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	if (strcmp(s + 19, "Z") && strcmp(s + 19, "z") &&
	    strcmp(s + 19, "+00:00"))
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &sec))
		return -1;
	if (y < 1980 || y > 2107 || mo < 1 || mo > 12 || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	max = mdays[mo - 1] + (mo == 2 && leap);
	if (d < 1 || d > max)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*t = timegm(&tm);
	return 0;
}

/* 1 when source is 1 to MAX_SOURCE of a-z, 0-9 and '-'. */
static int valid_source(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > MAX_SOURCE)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Writes the manifest for the submissions in b into b->manifest. */
static void build_manifest(struct bundle *b)
{
	struct tc_manifest_writer w;
	const struct bfile *f;
	size_t i, j;

	must(tc_manifest_write_begin(&w, &b->manifest, b->id, b->created,
				     b->o->source));
	for (i = 0; i < b->nsubs; i++) {
		must(tc_manifest_write_sub(&w, b->subs[i].id));
		for (j = 0; j < b->subs[i].nfiles; j++) {
			f = &b->subs[i].files[j];
			must(tc_manifest_write_file(&w, f->entry, f->size,
						    f->sha256));
		}
	}
	must(tc_manifest_write_end(&w));
}

/* A zip source reading one spool file, opened without following links and
 * checked to be the size the manifest says. */
struct spool_src {
	const struct bfile *f; /* the file; lives until zip_close returns */
	int fd;		       /* open between ZIP_SOURCE_OPEN and CLOSE */
	zip_error_t error;     /* the last failure, for ZIP_SOURCE_ERROR */
};

static zip_int64_t spool_src_cb(void *ud, void *data, zip_uint64_t len,
				zip_source_cmd_t cmd)
{
	struct spool_src *s = ud;
	struct stat st;
	zip_stat_t *zs;
	ssize_t n;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		s->fd = open_plain(s->f->path, &st);
		if (s->fd < 0) {
			zip_error_set(&s->error, ZIP_ER_OPEN, errno);
			return -1;
		}
		if ((uint64_t)st.st_size != s->f->size) {
			close(s->fd);
			s->fd = -1;
			zip_error_set(&s->error, ZIP_ER_CHANGED, 0);
			return -1;
		}
		return 0;
	case ZIP_SOURCE_READ:
		n = tc_fs_read_some(s->fd, data, len);
		if (n < 0) {
			zip_error_set(&s->error, ZIP_ER_READ, errno);
			return -1;
		}
		return n;
	case ZIP_SOURCE_CLOSE:
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		return 0;
	case ZIP_SOURCE_STAT:
		if (len < sizeof(*zs)) {
			zip_error_set(&s->error, ZIP_ER_INVAL, 0);
			return -1;
		}
		zs = data;
		zip_stat_init(zs);
		zs->size = s->f->size;
		zs->comp_method = ZIP_CM_STORE;
		zs->valid |= ZIP_STAT_SIZE | ZIP_STAT_COMP_METHOD;
		return (zip_int64_t)sizeof(*zs);
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->error, data, len);
	case ZIP_SOURCE_FREE:
		if (s->fd >= 0)
			close(s->fd);
		zip_error_fini(&s->error);
		free(s);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(
		    ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
		    ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&s->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/*
 * Adds src to za as name, stored (never compressed: the bytes then do not
 * depend on a zlib version), with the bundle's time and plain-file
 * attributes, so nothing in the entry varies by machine. src is consumed.
 */
static int add_entry(struct bundle *b, zip_t *za, const char *name,
		     zip_source_t *src)
{
	zip_int64_t idx;
	int rc = -1;

	idx = zip_file_add(za, name, src, 0);
	if (idx < 0) {
		zip_source_free(src);
		goto out;
	}
	if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) <
		0 ||
	    zip_file_set_mtime(za, (zip_uint64_t)idx, b->when, 0) < 0 ||
	    zip_file_set_external_attributes(
		za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
		(zip_uint32_t)(S_IFREG | 0600) << 16) < 0)
		goto out;
	rc = 0;
out:
	return rc;
}

/* Writes the bundle to b->tmp (which must not exist). Returns 0 or -1
 * after reporting. */
static int write_zip(struct bundle *b)
{
	struct spool_src *ss;
	zip_source_t *src;
	zip_t *za = NULL;
	size_t i, j;
	int err = 0, rc = -1;

	za = zip_open(b->tmp, ZIP_CREATE | ZIP_EXCL, &err);
	if (!za) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, err);
		tc_warnx("%s: cannot create: %s", b->tmp,
			 zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto out;
	}
	src = zip_source_buffer(za, b->manifest.data, b->manifest.len, 0);
	if (!src || add_entry(b, za, TC_BUNDLE_MANIFEST, src) < 0)
		goto zip_failed;
	for (i = 0; i < b->nsubs; i++) {
		for (j = 0; j < b->subs[i].nfiles; j++) {
			ss = xrealloc(NULL, sizeof(*ss));
			ss->f = &b->subs[i].files[j];
			ss->fd = -1;
			zip_error_init(&ss->error);
			src = zip_source_function(za, spool_src_cb, ss);
			if (!src) {
				zip_error_fini(&ss->error);
				free(ss);
				goto zip_failed;
			}
			if (add_entry(b, za, ss->f->entry, src) < 0)
				goto zip_failed;
		}
	}
	/* zip_close writes everything; on failure the archive stays open. */
	if (zip_close(za) < 0)
		goto zip_failed;
	za = NULL;
	rc = 0;
	goto out;
zip_failed:
	tc_warnx("%s: cannot write: %s", b->tmp, zip_strerror(za));
out:
	if (za)
		zip_discard(za);
	return rc;
}

/* Reads entry idx of za whole, hashing it; 0 when it holds exactly size
 * bytes with digest hex (and, when want is not NULL, exactly want's bytes). */
static int check_entry(zip_t *za, zip_uint64_t idx, uint64_t size,
		       const char *hex, const struct tc_buf *want)
{
	struct tc_sha256 h;
	char got_hex[65], *chunk = NULL;
	zip_file_t *zf = NULL;
	zip_int64_t n;
	uint64_t got = 0;
	int rc = -1;

	zf = zip_fopen_index(za, idx, 0);
	if (!zf)
		goto out;
	chunk = xrealloc(NULL, CHUNK);
	tc_sha256_init(&h);
	for (;;) {
		n = zip_fread(zf, chunk, CHUNK);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (want && (got + (uint64_t)n > want->len ||
			     memcmp(want->data + got, chunk, (size_t)n)))
			goto out;
		got += (uint64_t)n;
		if (got > size)
			goto out;
		tc_sha256_update(&h, chunk, (size_t)n);
	}
	tc_sha256_final_hex(&h, got_hex);
	if (got != size || (hex && strcmp(hex, got_hex)))
		goto out;
	rc = 0;
out:
	if (zf)
		zip_fclose(zf);
	free(chunk);
	return rc;
}

/*
 * Opens the written bundle again and checks it entry by entry against what
 * was meant: the manifest first and byte for byte, then every file's name,
 * size and sha256, and nothing else. Returns 0 or -1 after reporting.
 */
static int verify_zip(struct bundle *b)
{
	const struct bfile *f;
	zip_stat_t st;
	zip_t *za = NULL;
	zip_uint64_t k = 0, want = 1;
	size_t i, j;
	int err = 0, rc = -1;
	const char *what = "cannot be opened again";

	for (i = 0; i < b->nsubs; i++)
		want += b->subs[i].nfiles;
	za = zip_open(b->tmp, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	if (!za)
		goto out;
	what = "does not hold the entries its manifest lists";
	if (zip_get_num_entries(za, 0) != (zip_int64_t)want)
		goto out;
	if (zip_stat_index(za, 0, 0, &st) < 0 ||
	    strcmp(st.name, TC_BUNDLE_MANIFEST) ||
	    check_entry(za, 0, b->manifest.len, NULL, &b->manifest) < 0)
		goto out;
	for (i = 0; i < b->nsubs; i++) {
		for (j = 0; j < b->subs[i].nfiles; j++) {
			f = &b->subs[i].files[j];
			k++;
			if (zip_stat_index(za, k, 0, &st) < 0 ||
			    strcmp(st.name, f->entry) || st.size != f->size ||
			    check_entry(za, k, f->size, f->sha256, NULL) < 0) {
				what = "an entry differs from the manifest";
				goto out;
			}
		}
	}
	rc = 0;
out:
	if (rc < 0)
		tc_warnx("%s: the bundle just written %s; nothing was moved",
			 b->tmp, what);
	if (za)
		zip_discard(za);
	return rc;
}

/* Makes b->tmp private and durable (libzip wrote it; fsync it here). */
static int sync_tmp(struct bundle *b)
{
	int fd = -1, rc = -1;

	fd = open(b->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) < 0 || fsync(fd) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		tc_warn("%s", b->tmp);
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		tc_warn("%s", b->tmp);
		rc = -1;
	}
	return rc;
}

/*
 * Run as root, gives path to the owner of its folder: intake serve, run as
 * its own user, must still read bundled/ (it checks that no reference is
 * given twice), so a folder made there by root must be that user's.
 */
static int give_like_parent(const char *path)
{
	struct tc_buf parent = TC_BUF_INIT;
	struct stat st;
	int rc;

	if (geteuid() != 0)
		return 0;
	if (tc_fs_dirname(&parent, path) < 0)
		tc_die_nomem();
	rc = stat(parent.data, &st);
	tc_buf_release(&parent);
	if (rc < 0)
		return -1;
	if (st.st_uid == 0 && st.st_gid == 0)
		return 0;
	return fchownat(AT_FDCWD, path, st.st_uid, st.st_gid,
			AT_SYMLINK_NOFOLLOW);
}

/*
 * Makes bundled/BUNDLE_ID (0700) unless it is there from an interrupted
 * run. It is made under a dot name, given to the spool's owner, then
 * renamed into place: intake serve skips dot names, so it never meets a
 * folder of root's it cannot search.
 */
static int make_bundled_dir(const struct bundle *b, const char *bundle_id,
			    const char *dest)
{
	struct tc_buf tmp = TC_BUF_INIT;
	struct stat st;
	int rc = -1;

	if (lstat(dest, &st) == 0)
		return S_ISDIR(st.st_mode) ? give_like_parent(dest) : -1;
	if (tc_buf_addf(&tmp, "%s/.%s.new", b->bundled, bundle_id) < 0)
		tc_die_nomem();
	(void)rmdir(tmp.data); /* left by a run killed here */
	if (tc_fs_mkdirs(b->bundled, 0700) < 0 || mkdir(tmp.data, 0700) < 0 ||
	    give_like_parent(tmp.data) < 0 || rename(tmp.data, dest) < 0)
		goto out;
	rc = 0;
out:
	tc_buf_release(&tmp);
	return rc;
}

/*
 * Moves ready/ID to bundled/BUNDLE_ID/ID for each id, never replacing
 * anything; makes the moves durable. Returns the number moved, or -1 (after
 * reporting) when one could not be moved.
 */
static long move_ids(struct bundle *b, const char *bundle_id, char **ids,
		     size_t n)
{
	char *dest = NULL, *from = NULL, *to = NULL;
	struct stat st;
	size_t i;
	long moved = 0;
	int failed = 0;

	dest = join(b->bundled, bundle_id);
	if (make_bundled_dir(b, bundle_id, dest) < 0 ||
	    tc_fs_sync_dir(b->bundled) < 0) {
		tc_warn("%s", dest);
		failed = 1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		free(from);
		free(to);
		from = join(b->ready, ids[i]);
		to = join(dest, ids[i]);
		if (lstat(from, &st) < 0 && errno == ENOENT)
			continue; /* moved by an earlier run */
		if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) <
		    0) {
			tc_warn("%s: cannot move to %s", from, to);
			failed = 1;
			continue;
		}
		moved++;
	}
	if (tc_fs_sync_dir(dest) < 0 || tc_fs_sync_dir(b->ready) < 0) {
		tc_warn("cannot make the moves to %s durable", dest);
		failed = 1;
	}
out:
	free(dest);
	free(from);
	free(to);
	return failed ? -1 : moved;
}

/*
 * Finishes a run that stopped between naming its bundle and moving its
 * submissions. The journal names the temporary and final bundle and the ids;
 * when the final bundle is not there it never got its name, so its
 * submissions stay in ready/, its temporary (if any) and the journal go.
 * Returns 0 or -1.
 */
static int recover(struct bundle *b)
{
	struct tc_buf text = TC_BUF_INIT;
	char **lines = NULL, *p, *nl, hex[65];
	size_t nlines = 0, nalloc = 0, i;
	uint64_t size;
	struct stat st;
	enum readres res;
	long moved = 0;
	int rc = -1;

	res = read_plain(b->journal, TC_MAX_JSON_FILE, &text, &size, hex);
	if (res != READ_OK && errno == ENOENT) {
		rc = 0;
		goto out;
	}
	if (res != READ_OK) {
		tc_warnx("%s: cannot be read; look at it, then remove it",
			 b->journal);
		goto out;
	}
	for (p = text.data; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		TC_ALLOC_GROW(lines, nlines + 1, nalloc);
		lines[nlines++] = p;
	}
	if (nlines < 4 || strcmp(lines[0], JOURNAL_FORMAT) ||
	    lines[1][0] != '/' || lines[2][0] != '/' ||
	    strncmp(lines[3], "bundle-", 7) ||
	    !tc_fs_safe_relpath(lines[3], strlen(lines[3])) ||
	    strchr(lines[3], '/')) {
		tc_warnx("%s: not a journal this intake understands; look at "
			 "it, then remove it",
			 b->journal);
		goto out;
	}
	for (i = 4; i < nlines; i++) {
		if (!tc_submission_id_valid(lines[i])) {
			tc_warnx("%s:%zu: not a submission ID; look at the "
				 "journal, then remove it",
				 b->journal, i + 1);
			goto out;
		}
	}
	/* Named when the final bundle is there (a run checks that the name
	 * is free before it writes its journal). Not when only the
	 * temporary is gone: a recovery stopped between removing it and
	 * removing the journal leaves neither. */
	if (lstat(lines[2], &st) == 0 && S_ISREG(st.st_mode)) {
		moved = move_ids(b, lines[3], lines + 4, nlines - 4);
		if (moved < 0)
			goto out;
		if (moved > 0)
			fprintf(stderr,
				"%s: finished moving %ld submissions of %s, "
				"which an earlier run had bundled\n",
				tc_progname(), moved, lines[2]);
	} else if (lstat(lines[1], &st) == 0 && S_ISREG(st.st_mode) &&
		   strstr(lines[1], "/" TMP_PREFIX)) {
		/* Never named: its submissions are still in ready/. */
		if (unlink(lines[1]) < 0)
			tc_warn("%s: cannot remove a leftover temporary",
				lines[1]);
	}
	if (unlink(b->journal) < 0 || tc_fs_sync_dir(b->o->spool) < 0) {
		tc_warn("%s", b->journal);
		goto out;
	}
	rc = 0;
out:
	free(lines);
	tc_buf_release(&text);
	return rc;
}

/*
 * Removes the temporaries a run that stopped left in dir: the names that
 * start with prefix and hold infix.
 */
static void remove_leftovers(const char *dir, const char *prefix,
			     const char *infix)
{
	char **names = NULL, *p = NULL;
	size_t n = 0, i;

	if (tc_fs_list(dir, &names, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (strncmp(names[i], prefix, strlen(prefix)) ||
		    !strstr(names[i], infix))
			continue;
		free(p);
		p = join(dir, names[i]);
		if (unlink(p) < 0)
			tc_warn("%s: cannot remove a leftover temporary", p);
		else
			fprintf(stderr,
				"%s: %s: removed a temporary left by an "
				"interrupted run\n",
				tc_progname(), p);
	}
	free(p);
	tc_fs_names_free(names, n);
}

/* Writes the journal for this bundle durably. */
static int write_journal(struct bundle *b)
{
	struct tc_buf j = TC_BUF_INIT;
	size_t i;
	int rc = -1;

	must(tc_buf_addf(&j, "%s\n%s\n%s\n%s\n", JOURNAL_FORMAT, b->abs_tmp,
			 b->abs_final, b->id));
	for (i = 0; i < b->nsubs; i++)
		must(tc_buf_addf(&j, "%s\n", b->subs[i].id));
	if (tc_fs_write_atomic(b->journal, j.data, j.len, 0600) < 0) {
		tc_warn("%s", b->journal);
		goto out;
	}
	rc = 0;
out:
	tc_buf_release(&j);
	return rc;
}

/* "1.2 MB" style size into out. */
static void human_size(uint64_t n, char *out, size_t len)
{
	if (n < 1000)
		snprintf(out, len, "%" PRIu64 " bytes", n);
	else if (n < 1000 * 1000)
		snprintf(out, len, "%.1f kB", (double)n / 1e3);
	else if (n < (uint64_t)1000 * 1000 * 1000)
		snprintf(out, len, "%.1f MB", (double)n / 1e6);
	else
		snprintf(out, len, "%.1f GB", (double)n / 1e9);
}

/* "DIR/PREFIX ID SUFFIX" as a new string the caller frees. */
static char *bundle_path(const char *dir, const char *prefix, const char *id,
			 const char *suffix)
{
	struct tc_buf name = TC_BUF_INIT, p = TC_BUF_INIT;

	must(tc_buf_addf(&name, "%s%s%s", prefix, id, suffix));
	must(tc_fs_join(&p, dir, name.data));
	tc_buf_release(&name);
	return tc_buf_detach(&p, NULL);
}

/* Sets up names and paths for the run. Returns 0 or an exit code. */
static int setup(struct bundle *b, const struct intake_bundle_options *o)
{
	char stamp[32];
	struct tm tm;
	int rc = TC_EXIT_USAGE;

	b->o = o;
	if (!valid_source(o->source)) {
		tc_warnx("--source must be 1 to %d of a-z, 0-9 and '-'",
			 MAX_SOURCE);
		goto out;
	}
	if (o->now) {
		if (parse_now(o->now, &b->when) < 0) {
			tc_warnx("--now must be a UTC time like "
				 "2026-11-22T07:30:00Z (years 1980 to 2107)");
			goto out;
		}
	} else {
		b->when = time(NULL);
	}
	if (!gmtime_r(&b->when, &tm) || tm.tm_year < 80 || tm.tm_year > 207) {
		tc_warnx("the clock is outside the years a zip can hold; "
			 "give --now");
		rc = TC_EXIT_ENV;
		goto out;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	strftime(b->created, sizeof(b->created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(b->id, sizeof(b->id), "bundle-%s-%s", stamp, o->source);
	b->ready = join(o->spool, "ready");
	b->bundled = join(o->spool, "bundled");
	b->journal = join(o->spool, JOURNAL_NAME);
	b->final = bundle_path(o->out, "", b->id, ".zip");
	b->tmp = bundle_path(o->out, ".", b->id, TMP_INFIX);
	rc = 0;
out:
	return rc;
}

/* Makes the absolute names of the bundle for the journal. */
static int absolute_names(struct bundle *b)
{
	char *dir;
	int rc = -1;

	dir = realpath(b->o->out, NULL);
	if (!dir) {
		tc_warn("%s", b->o->out);
		goto out;
	}
	if (strchr(dir, '\n')) {
		tc_warnx("%s: a folder whose name holds a line break cannot "
			 "hold bundles",
			 b->o->out);
		goto out;
	}
	b->abs_final = bundle_path(dir, "", b->id, ".zip");
	b->abs_tmp = bundle_path(dir, ".", b->id, TMP_INFIX);
	rc = 0;
out:
	free(dir);
	return rc;
}

/* Looks at every folder in ready/ (listed once, now) and keeps the good
 * ones, up to the bundle's size cap. Returns 0 or an exit code. */
static int scan_ready(struct bundle *b)
{
	char **names = NULL;
	size_t n = 0, i;
	struct bsub s;
	struct stat st;
	int rc = TC_EXIT_ENV;

	if (lstat(b->ready, &st) < 0) {
		if (errno == ENOENT)
			rc = 0;
		else
			tc_warn("%s", b->ready);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		tc_warnx("%s: not a folder (links are refused)", b->ready);
		goto out;
	}
	if (tc_fs_list(b->ready, &names, &n) < 0) {
		tc_warn("%s", b->ready);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (scan_submission(b, names[i], &s) < 0)
			continue;
		if (b->total + s.size > MAX_TOTAL_SIZE) {
			/* Full: this one and the rest wait for the next run. */
			sub_release(&s);
			b->deferred = n - i;
			break;
		}
		TC_ALLOC_GROW(b->subs, b->nsubs + 1, b->alloc);
		b->subs[b->nsubs++] = s;
		b->total += s.size;
		b->attachments += s.nfiles - 1;
	}
	rc = 0;
out:
	tc_fs_names_free(names, n);
	return rc;
}

/* Writes, checks and names the bundle, then moves its submissions. Returns
 * 0 or an exit code. */
static int make_bundle(struct bundle *b)
{
	char **ids = NULL, size[32];
	struct stat st;
	size_t i;
	long moved;
	int rc = TC_EXIT_ENV, named = 0;

	if (lstat(b->final, &st) == 0 || errno != ENOENT) {
		tc_warnx("%s: already exists; bundles are never overwritten "
			 "(give another --now or --source)",
			 b->final);
		goto out;
	}
	build_manifest(b);
	if (write_zip(b) < 0 || verify_zip(b) < 0 || sync_tmp(b) < 0)
		goto out;
	if (write_journal(b) < 0)
		goto out;
	if (renameat2(AT_FDCWD, b->tmp, AT_FDCWD, b->final, RENAME_NOREPLACE) <
	    0) {
		tc_warn("%s: cannot name the bundle", b->final);
		goto out;
	}
	named = 1;
	if (tc_fs_sync_dir(b->o->out) < 0) {
		tc_warn("%s", b->o->out);
		goto out;
	}
	ids = xrealloc(NULL, b->nsubs * sizeof(*ids));
	for (i = 0; i < b->nsubs; i++)
		ids[i] = b->subs[i].id;
	moved = move_ids(b, b->id, ids, b->nsubs);
	if (moved < 0) {
		tc_warnx("%s is whole; the next run finishes moving its "
			 "submissions out of %s",
			 b->final, b->ready);
		goto out;
	}
	if (unlink(b->journal) < 0 || tc_fs_sync_dir(b->o->spool) < 0) {
		tc_warn("%s", b->journal);
		goto out;
	}
	if (stat(b->final, &st) < 0) {
		tc_warn("%s", b->final);
		goto out;
	}
	human_size((uint64_t)st.st_size, size, sizeof(size));
	printf("%s: %s: %zu submission%s, %zu file%s, %s\n", tc_progname(),
	       b->final, b->nsubs, b->nsubs == 1 ? "" : "s", b->attachments,
	       b->attachments == 1 ? "" : "s", size);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		tc_warn("standard output");
		goto out;
	}
	rc = 0;
out:
	if (rc && !named) {
		/* The bundle never got its name: nothing was moved. */
		unlink(b->journal);
		unlink(b->tmp);
	}
	free(ids);
	return rc;
}

int intake_bundle(const struct intake_bundle_options *o)
{
	struct bundle b;
	struct stat st;
	char *lock = NULL;
	size_t i;
	int rc, lockfd = -1;

	memset(&b, 0, sizeof(b));
	tc_buf_init(&b.manifest, 0);
	rc = setup(&b, o);
	if (rc)
		goto out;
	rc = TC_EXIT_ENV;
	/* Everything made from here on is personal data: 0600 and 0700. And
	 * libzip writes entry times in local time: make that UTC, so the
	 * bytes of a bundle do not depend on the machine's time zone. */
	umask(077);
	if (setenv("TZ", "UTC0", 1) < 0) {
		tc_warn("TZ");
		goto out;
	}
	tzset();
	if (lstat(o->spool, &st) < 0 || !S_ISDIR(st.st_mode)) {
		tc_warnx("%s: no spool folder there (links are refused)",
			 o->spool);
		goto out;
	}
	lock = join(o->spool, LOCK_NAME);
	lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lockfd < 0) {
		tc_warn("%s", lock);
		goto out;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			tc_warnx("%s: another intake bundle is running on "
				 "this spool; try again when it has finished",
				 lock);
		else
			tc_warn("%s", lock);
		goto out;
	}
	if (recover(&b) < 0)
		goto out;
	if (tc_fs_mkdirs(o->out, 0700) < 0 ||
	    tc_fs_mkdirs(b.bundled, 0700) < 0) {
		tc_warn("cannot make %s or %s", o->out, b.bundled);
		goto out;
	}
	remove_leftovers(o->out, TMP_PREFIX, TMP_INFIX);
	remove_leftovers(o->spool, JOURNAL_TMP, "");
	rc = scan_ready(&b);
	if (rc)
		goto out;
	if (b.nsubs == 0) {
		printf("%s: nothing to bundle\n", tc_progname());
		if (fflush(stdout) != 0 || ferror(stdout)) {
			tc_warn("standard output");
			rc = TC_EXIT_ENV;
			goto out;
		}
	} else {
		rc = absolute_names(&b) < 0 ? TC_EXIT_ENV : make_bundle(&b);
		if (rc)
			goto out;
	}
	if (b.deferred)
		fprintf(stderr,
			"%s: %s: a bundle holds at most %" PRIu64
			" GiB; %zu folders wait for the next run\n",
			tc_progname(), b.ready, MAX_TOTAL_SIZE >> 30,
			b.deferred);
	if (b.broken)
		fprintf(stderr,
			"%s: %zu folder%s in %s could not be bundled (see "
			"above)\n",
			tc_progname(), b.broken, b.broken == 1 ? "" : "s",
			b.ready);
	rc = b.broken ? TC_EXIT_INPUT : TC_EXIT_OK;
out:
	if (lockfd >= 0)
		close(lockfd); /* releases the lock */
	free(lock);
	for (i = 0; i < b.nsubs; i++)
		sub_release(&b.subs[i]);
	free(b.subs);
	free(b.ready);
	free(b.bundled);
	free(b.journal);
	free(b.final);
	free(b.tmp);
	free(b.abs_final);
	free(b.abs_tmp);
	tc_buf_release(&b.manifest);
	return rc;
}
