/*
 * manifest.h: a streaming reader for a bundle's manifest.json (docs/
 * bundle.md), so that casework never holds a whole manifest in memory.
 *
 * The reader checks that the bytes are UTF-8 JSON (no more than
 * TC_MF_MAXDEPTH deep, numbers and strings of bounded length) and picks out
 * only what casework uses: "format", "bundle_id" and, one at a time, each
 * object of "submissions" with its "id" and "files" ("path", "size",
 * "sha256"). One of those members given twice in an object is refused;
 * other members are checked as JSON and skipped.
 * Memory does not depend on the manifest's length: one submission is held
 * at a time, with at most TC_MF_MAXFILES files.
 */
#ifndef TC_MANIFEST_H
#define TC_MANIFEST_H

#include <stddef.h>
#include <sys/types.h>

#include "limits.h"

#define TC_MF_MAXDEPTH 1000 /* nesting, as cJSON's limit */
/* kept per submission: submission.json and its attachments */
#define TC_MF_MAXFILES (TC_MAX_SUBMISSION_FILES + 1)
#define TC_MF_PATH     512 /* a path's bytes kept, with the NUL */
#define TC_MF_SHORT    80  /* an id's, a sha256's or bundle_id's */
#define TC_MF_NUMBER   128 /* the longest number accepted */

/* One of a submission's "files" as the manifest lists it. */
struct tc_mfile {
	char path[TC_MF_PATH];	  /* decoded; valid when has_path == 1 */
	char sha256[TC_MF_SHORT]; /* decoded; valid when has_sha */
	double size;		  /* valid when has_size */
	int has_path;		  /* 1 a string, 2 a string too long to keep */
	int has_size;		  /* a number */
	int has_sha;		  /* a string (a long one is cut, never equal
				     to a digest) */
};

/* One object of "submissions", the reader's own until the next. */
struct tc_msub {
	char id[TC_MF_SHORT]; /* valid when has_id */
	int has_id;	      /* a string short enough to keep */
	int files_list;	      /* "files" is a list */
	size_t nfiles;	      /* files kept */
	size_t nlisted;	      /* files listed (more than kept: too many) */
	struct tc_mfile files[TC_MF_MAXFILES];
};

/* What the manifest says about the bundle as a whole. */
struct tc_manifest_info {
	int is_object;		     /* the top value is an object */
	int format_ok;		     /* "format": TC_BUNDLE_FORMAT */
	int subs_list;		     /* "submissions" is a list */
	long nsubs;		     /* objects and other values in it */
	int has_bundle_id;	     /* "bundle_id" is a short string */
	char bundle_id[TC_MF_SHORT]; /* valid when has_bundle_id */
};

/*
 * Reads up to n bytes into buf: the count, 0 at the end, or -1 on an error
 * the callback has recorded itself.
 */
typedef ssize_t (*tc_manifest_read_fn)(void *arg, void *buf, size_t n);

/*
 * Called with each object (or other value) of "submissions" in turn; the
 * record is overwritten after it returns. A negative return stops reading
 * and is returned by tc_manifest_read.
 */
typedef int (*tc_manifest_sub_fn)(void *arg, const struct tc_msub *s);

/*
 * Reads a manifest from rd(rarg), calling each(sarg, ...) for every
 * submission when each is not NULL. Returns 0 and fills *info; -1 when the
 * bytes are not UTF-8 JSON, with what follows the file's name in err
 * (":LINE:COL: not valid JSON: why" or " is not valid UTF-8 (byte N)");
 * -2 when rd failed (rd records why); or what each returned when
 * negative. scratch is the caller's, for one submission.
 */
int tc_manifest_read(tc_manifest_read_fn rd, void *rarg,
		     tc_manifest_sub_fn each, void *sarg,
		     struct tc_msub *scratch, struct tc_manifest_info *info,
		     char *err, size_t errlen);

/* The first of m's first upto files (upto no more than m->nfiles) whose
 * path, kept whole, is path: its index, or upto when there is none. */
size_t tc_msub_find(const struct tc_msub *m, const char *path, size_t upto);

#endif
