/*
 * fsutil.h: files that are read whole, written atomically and durably.
 *
 * "Durable before acknowledged": tc_fs_write_atomic writes a temporary file in
 * the same folder, fsyncs it, renames it over the target and fsyncs the
 * folder, so a reader sees the old file or the new one, never a torn one, and
 * a crash after it returns cannot lose the new one.
 */
#ifndef TC_FSUTIL_H
#define TC_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "buffer.h"

/*
 * Reads the whole of path into out (appending). Fails with errno EFBIG when
 * the file is larger than max bytes (checked before reading, and again while
 * reading in case the file grows), so a huge file is never read. Returns 0 or
 * -1 with errno set.
 */
int tc_fs_read(const char *path, size_t max, struct tc_buf *out);

/*
 * Writes len bytes to path atomically and durably with permission bits mode
 * (e.g. 0644, or 0600 for personal data). Returns 0, or -1 with errno set and
 * no temporary file left behind.
 */
int tc_fs_write_atomic(const char *path, const void *data, size_t len,
		       mode_t mode);

/*
 * As tc_fs_write_atomic, but when path already holds exactly these bytes
 * nothing is written (its mtime stays). Stores 1 in *changed when the file
 * was written, 0 when it was left alone (changed may be NULL).
 */
int tc_fs_write_if_changed(const char *path, const void *data, size_t len,
			   mode_t mode, int *changed);

/*
 * Flags for the _ex writers. TC_FS_NOSYNC keeps the atomic rename (readers
 * never see a torn file) but skips the fsyncs, for many files written
 * together and made durable once at the end with syncfs (a site build).
 * Never for personal data.
 */
#define TC_FS_NOSYNC 1
/* TC_FS_NEW: path is new, in a folder that only this process writes and
 * that is itself moved into place whole (a staging folder): the file is
 * written where it is, created exclusively, without a temporary name. */
#define TC_FS_NEW 2
int tc_fs_write_atomic_ex(const char *path, const void *data, size_t len,
			  mode_t mode, int flags);
int tc_fs_write_if_changed_ex(const char *path, const void *data, size_t len,
			      mode_t mode, int flags, int *changed);

/*
 * A file written as a stream and put in place whole, as
 * tc_fs_write_if_changed puts a buffer: the bytes go to a temporary file
 * beside path (buffered); commit syncs it, and renames it over path unless
 * path already holds the same bytes (then the temporary goes and path is
 * left alone). Memory does not grow with the file.
 */
struct tc_fs_stream {
	int fd;	 /* the temporary file, -1 after a failure */
	int err; /* errno of the first failure, 0 when none */
	mode_t mode;
	struct tc_buf path; /* where it goes */
	struct tc_buf tmp;  /* the temporary's name */
	struct tc_buf buf;  /* bytes not yet written */
};
/* Starts the temporary file for path. 0, or -1 with errno set. */
int tc_fs_stream_open(struct tc_fs_stream *s, const char *path, mode_t mode);
/* Adds bytes; a failure is kept for commit to report. */
void tc_fs_stream_add(struct tc_fs_stream *s, const void *data, size_t len);
/* Puts the file in place (see above); *changed (may be NULL) says whether
 * path was written. Frees what s holds. 0, or -1 with errno set (nothing
 * left behind). */
int tc_fs_stream_commit(struct tc_fs_stream *s, int *changed);
/* Drops the temporary file and frees what s holds. */
void tc_fs_stream_abort(struct tc_fs_stream *s);

/* fsyncs the folder that holds path (or path itself if it is a folder). */
int tc_fs_sync_dir(const char *dir);

/* Writes all len bytes of data to fd (again after EINTR). 0, or -1 with
 * errno. */
int tc_fs_write_all(int fd, const void *data, size_t len);
/* read(2), again after EINTR: the bytes read, 0 at the end, or -1. */
ssize_t tc_fs_read_some(int fd, void *buf, size_t len);
/* Fills buf with len bytes from the kernel's random source (getrandom,
 * again after EINTR or a short read). 0, or -1 with errno. */
int tc_fs_random(void *buf, size_t len);
/* Closes fd at the end of a function whose result is rc: rc, or -1 when rc
 * was 0 and close failed; errno stays as rc's failure left it. */
int tc_fs_close_keep(int fd, int rc);

/*
 * Makes the folder path and any missing parents with mode (e.g. 0700).
 * Existing folders are left as they are. Returns 0 or -1 with errno set.
 */
int tc_fs_mkdirs(const char *path, mode_t mode);

/* Makes the folders above path (its dirname), as tc_fs_mkdirs. */
int tc_fs_mkparents(const char *path, mode_t mode);

/*
 * Returns 1 when rel is a safe relative path to put under a root folder: not
 * empty, not absolute, no NUL (len counts the bytes, so an embedded NUL is
 * seen), no backslash, no ".." component, no empty component ("a//b"), no
 * "." component, no trailing '/', not longer than 4096 bytes. Else 0.
 */
int tc_fs_safe_relpath(const char *rel, size_t len);

/* Joins a and b with one '/' into out (appending). */
int tc_fs_join(struct tc_buf *out, const char *a, const char *b);

/* 1 if path exists as a regular file, a folder, else 0 (follows links). */
int tc_fs_is_file(const char *path);
int tc_fs_is_dir(const char *path);

/*
 * Removes path and everything below it (no following of symlinks).
 * A missing path is not an error. Returns 0 or -1 with errno set.
 */
int tc_fs_remove_tree(const char *path);

/*
 * The names in folder dir (not "." and ".."), sorted bytewise, into *names
 * (free with tc_fs_names_free) and *n. Returns 0 or -1 with errno set.
 */
int tc_fs_list(const char *dir, char ***names, size_t *n);
void tc_fs_names_free(char **names, size_t n);

/* Appends the folder part of path ("." when it has none, "/" for a file
 * in the root) to out. 0 or -1 (out of memory). */
int tc_fs_dirname(struct tc_buf *out, const char *path);

#endif
