/*
 * fsutil.c: reading whole files under a size limit, atomic and durable
 * writes, folder creation and removal, and relative path checks (see
 * fsutil.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "fsutil.h"
#include "array.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes asked of read() at a time once the expected size is reached. */
#define READ_CHUNK 65536
/* Longest path tc_fs_safe_relpath accepts (PATH_MAX on Linux). */
#define MAX_RELPATH 4096
/* Longest part of the target's name copied into a temporary file's name,
 * so ".NAME.XXXXXX" stays inside NAME_MAX (255). */
#define TMP_NAME_KEEP 200
/* Folders nftw may hold open at once while removing a tree. */
#define WALK_FDS 32

int tc_fs_read(const char *path, size_t max, struct tc_buf *out)
{
	size_t start = out->len, got = 0, want;
	struct stat st;
	ssize_t n;
	int fd = -1, rc = -1, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (fstat(fd, &st) < 0)
		goto out;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto out;
	}
	if (st.st_size > 0 && (uintmax_t)st.st_size > max) {
		errno = EFBIG;
		goto out;
	}
	for (;;) {
		/* Ask for the rest of the file plus one byte, so the end is
		 * seen in one read; never more than one byte past max. */
		if (got < (size_t)st.st_size)
			want = (size_t)st.st_size - got + 1;
		else if (out->alloc - out->len > 1)
			want =
			    out->alloc - out->len - 1; /* room already there */
		else
			want = READ_CHUNK;
		if (want > max - got)
			want = max - got + 1;
		if (tc_buf_grow(out, want) < 0)
			goto out;
		n = tc_fs_read_some(fd, out->data + out->len, want);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		got += (size_t)n;
		if (got > max) {
			errno = EFBIG;
			goto out;
		}
	}
	rc = 0;
out:
	saved = errno;
	if (rc < 0)
		tc_buf_setlen(out, start);
	if (fd >= 0)
		close(fd);
	errno = saved;
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void tc_fs_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

int tc_fs_list(const char *dir, char ***names, size_t *n)
{
	DIR *d = NULL;
	struct dirent *de;
	char **v = NULL;
	size_t len = 0, alloc = 0;
	int rc = -1, saved;

	d = opendir(dir);
	if (!d)
		goto out;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				goto out;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		TC_ALLOC_GROW(v, len + 1, alloc);
		v[len++] = tc_xstrdup(de->d_name);
	}
	if (len > 1)
		qsort(v, len, sizeof(*v), cmp_name);
	*names = v;
	*n = len;
	v = NULL;
	rc = 0;
out:
	saved = errno;
	if (rc < 0)
		tc_fs_names_free(v, len);
	if (d)
		closedir(d);
	errno = saved;
	return rc;
}

int tc_fs_dirname(struct tc_buf *out, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return tc_buf_addch(out, '.');
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return tc_buf_addch(out, '/');
	return tc_buf_add(out, path, (size_t)(slash - path));
}

int tc_fs_close_keep(int fd, int rc)
{
	int saved = errno;

	if (close(fd) < 0 && rc == 0)
		return -1;
	errno = saved;
	return rc;
}

int tc_fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* TC_FS_NEW: the file created exclusively where it is, removed again when
 * it cannot be written whole. */
static int write_new(const char *path, const void *data, size_t len,
		     mode_t mode, int flags)
{
	int fd =
		open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		     mode),
	    saved;

	if (fd < 0)
		return -1;
	if (tc_fs_write_all(fd, data, len) == 0 && fchmod(fd, mode) == 0 &&
	    ((flags & TC_FS_NOSYNC) || fsync(fd) == 0)) {
		if (close(fd) == 0)
			return 0;
		fd = -1;
	}
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(path);
	errno = saved;
	return -1;
}

int tc_fs_write_atomic(const char *path, const void *data, size_t len,
		       mode_t mode)
{
	return tc_fs_write_atomic_ex(path, data, len, mode, 0);
}

int tc_fs_write_atomic_ex(const char *path, const void *data, size_t len,
			  mode_t mode, int flags)
{
	struct tc_buf dir = TC_BUF_INIT, tmp = TC_BUF_INIT;
	const char *base = strrchr(path, '/');
	size_t baselen;
	int fd = -1, rc = -1, saved, made = 0, renamed = 0;

	base = base ? base + 1 : path;
	baselen = strlen(base);
	if (baselen == 0) {
		errno = EISDIR;
		goto out;
	}
	if (flags & TC_FS_NEW)
		return write_new(path, data, len, mode, flags);
	if (tc_fs_dirname(&dir, path) < 0)
		goto out;
	if (baselen > TMP_NAME_KEEP)
		baselen = TMP_NAME_KEEP;
	if (tc_buf_addbuf(&tmp, &dir) < 0 || tc_buf_addch(&tmp, '/') < 0 ||
	    tc_buf_addch(&tmp, '.') < 0 ||
	    tc_buf_add(&tmp, base, baselen) < 0 ||
	    tc_buf_adds(&tmp, ".XXXXXX") < 0)
		goto out;
	fd = mkstemp(tmp.data);
	if (fd < 0)
		goto out;
	made = 1;
	if (tc_fs_write_all(fd, data, len) < 0)
		goto out;
	/* fchmod before fsync, so the mode is as durable as the bytes. */
	if (fchmod(fd, mode) < 0)
		goto out;
	if (!(flags & TC_FS_NOSYNC) && fsync(fd) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp.data, path) < 0)
		goto out;
	renamed = 1;
	if (!(flags & TC_FS_NOSYNC) && tc_fs_sync_dir(dir.data) < 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (made && !renamed)
		unlink(tmp.data);
	tc_buf_release(&dir);
	tc_buf_release(&tmp);
	errno = saved;
	return rc;
}

ssize_t tc_fs_read_some(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

int tc_fs_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 1 when the open file fd holds exactly data (len bytes), else 0. */
static int same_bytes(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned char chunk[16384];
	size_t done = 0;
	ssize_t n;

	for (;;) {
		n = tc_fs_read_some(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return n == 0 && done == len;
		if ((size_t)n > len - done ||
		    memcmp(chunk, p + done, (size_t)n) != 0)
			return 0;
		done += (size_t)n;
	}
}

int tc_fs_write_if_changed(const char *path, const void *data, size_t len,
			   mode_t mode, int *changed)
{
	return tc_fs_write_if_changed_ex(path, data, len, mode, 0, changed);
}

int tc_fs_write_if_changed_ex(const char *path, const void *data, size_t len,
			      mode_t mode, int flags, int *changed)
{
	struct stat st;
	int fd = -1, rc = -1, same = 0, saved;

	if (changed)
		*changed = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size == len)
		same = same_bytes(fd, data, len);
	if (same) {
		/* The bytes stay; the permissions asked for still apply
		 * (chmod leaves the mtime alone). */
		if ((st.st_mode & 07777) != (mode & 07777) &&
		    fchmod(fd, mode) < 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (fd >= 0) {
		close(fd);
		fd = -1;
	}
	if (tc_fs_write_atomic_ex(path, data, len, mode, flags) < 0)
		goto out;
	if (changed)
		*changed = 1;
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
	return rc;
}

static int fsync_dir_fd(int fd)
{
	/* Some file systems cannot fsync a folder and say EINVAL; there is
	 * nothing more to do on those. */
	if (fsync(fd) < 0 && errno != EINVAL)
		return -1;
	return 0;
}

int tc_fs_sync_dir(const char *dir)
{
	struct tc_buf parent = TC_BUF_INIT;
	int fd = -1, rc = -1, saved;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOTDIR) {
		if (tc_fs_dirname(&parent, dir) < 0)
			goto out;
		fd = open(parent.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		goto out;
	if (fsync_dir_fd(fd) < 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	tc_buf_release(&parent);
	errno = saved;
	return rc;
}

/* Makes one folder; an existing folder (or link to one) is fine. */
static int mkdir_one(const char *path, mode_t mode)
{
	struct stat st;
	int saved;

	if (mkdir(path, mode) == 0)
		return 0;
	saved = errno;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = saved == EEXIST ? ENOTDIR : saved;
		return -1;
	}
	errno = saved;
	return -1;
}

/* Releases b, leaving errno as it was; returns rc (for "return" at out). */
static int release_keep_errno(struct tc_buf *b, int rc)
{
	int saved = errno;

	tc_buf_release(b);
	errno = saved;
	return rc;
}

int tc_fs_mkdirs(const char *path, mode_t mode)
{
	struct tc_buf p = TC_BUF_INIT;
	size_t i;
	int rc = -1;

	if (!*path) {
		errno = ENOENT;
		goto out;
	}
	/* Usually the folder is there already: one stat instead of a mkdir
	 * for every ancestor. */
	{
		struct stat st;

		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = 0;
			goto out;
		}
		/* Or only the last part is missing: one mkdir. */
		if (mkdir(path, mode) == 0) {
			rc = 0;
			goto out;
		}
		if (errno != ENOENT && errno != EEXIST)
			goto out;
	}
	if (tc_buf_adds(&p, path) < 0)
		goto out;
	/* Each prefix ending before a '/', then the whole path. */
	for (i = 1; i < p.len; i++) {
		if (p.data[i] != '/' || p.data[i - 1] == '/')
			continue;
		p.data[i] = '\0';
		if (mkdir_one(p.data, mode) < 0)
			goto out;
		p.data[i] = '/';
	}
	if (mkdir_one(p.data, mode) < 0)
		goto out;
	rc = 0;
out:
	return release_keep_errno(&p, rc);
}

int tc_fs_mkparents(const char *path, mode_t mode)
{
	struct tc_buf dir = TC_BUF_INIT;
	int rc = -1;

	if (!strchr(path, '/')) {
		rc = 0;
		goto out;
	}
	if (tc_fs_dirname(&dir, path) < 0)
		goto out;
	rc = tc_fs_mkdirs(dir.data, mode);
out:
	return release_keep_errno(&dir, rc);
}

int tc_fs_safe_relpath(const char *rel, size_t len)
{
	size_t i, start = 0, n;

	if (!rel || len == 0 || len > MAX_RELPATH)
		return 0;
	if (memchr(rel, '\0', len) || memchr(rel, '\\', len))
		return 0;
	/* Every component between slashes must be a real name; this also
	 * rejects a leading '/', a trailing '/' and "a//b". */
	for (i = 0; i <= len; i++) {
		if (i < len && rel[i] != '/')
			continue;
		n = i - start;
		if (n == 0)
			return 0;
		if (rel[start] == '.' &&
		    (n == 1 || (n == 2 && rel[start + 1] == '.')))
			return 0;
		start = i + 1;
	}
	return 1;
}

int tc_fs_join(struct tc_buf *out, const char *a, const char *b)
{
	size_t start = out->len, alen = strlen(a);
	int rc = -1;

	if (alen == 0) {
		rc = tc_buf_adds(out, b);
		goto out;
	}
	while (alen > 1 && a[alen - 1] == '/')
		alen--;
	while (*b == '/')
		b++;
	if (tc_buf_add(out, a, alen) < 0)
		goto out;
	if (a[alen - 1] != '/' && tc_buf_addch(out, '/') < 0)
		goto out;
	if (tc_buf_adds(out, b) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		tc_buf_setlen(out, start);
	return rc;
}

int tc_fs_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int tc_fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* nftw passes no context, so the callback keeps the first error here. */
static _Thread_local int walk_errno;

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	int r;

	(void)st;
	(void)ftw;
	if (type == FTW_DP || type == FTW_DNR || type == FTW_D)
		r = rmdir(path);
	else
		r = unlink(path);
	if (r < 0 && errno != ENOENT) {
		walk_errno = errno;
		return 1;
	}
	return 0;
}

int tc_fs_remove_tree(const char *path)
{
	struct stat st;
	int r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	walk_errno = 0;
	r = nftw(path, remove_entry, WALK_FDS, FTW_PHYS | FTW_DEPTH);
	if (r == 1) {
		errno = walk_errno;
		return -1;
	}
	if (r < 0)
		return errno == ENOENT ? 0 : -1;
	return 0;
}

/* ---- a file written as a stream ---- */

#define STREAM_BUF (64u * 1024)

static void stream_fail(struct tc_fs_stream *s)
{
	if (!s->err)
		s->err = errno ? errno : EIO;
}

static void stream_flush(struct tc_fs_stream *s)
{
	if (!s->err && s->buf.len &&
	    tc_fs_write_all(s->fd, s->buf.data, s->buf.len) < 0)
		stream_fail(s);
	tc_buf_setlen(&s->buf, 0);
}

static void stream_free(struct tc_fs_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	tc_buf_release(&s->path);
	tc_buf_release(&s->tmp);
	tc_buf_release(&s->buf);
}

int tc_fs_stream_open(struct tc_fs_stream *s, const char *path, mode_t mode)
{
	const char *base = strrchr(path, '/');
	size_t baselen;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->mode = mode;
	base = base ? base + 1 : path;
	baselen = strlen(base);
	if (baselen > TMP_NAME_KEEP)
		baselen = TMP_NAME_KEEP;
	if (tc_buf_adds(&s->path, path) < 0 ||
	    tc_fs_dirname(&s->tmp, path) < 0 ||
	    tc_buf_adds(&s->tmp, "/.") < 0 ||
	    tc_buf_add(&s->tmp, base, baselen) < 0 ||
	    tc_buf_adds(&s->tmp, ".XXXXXX") < 0)
		goto fail;
	s->fd = mkstemp(s->tmp.data);
	if (s->fd < 0)
		goto fail;
	return 0;
fail:
	stream_free(s);
	return -1;
}

void tc_fs_stream_add(struct tc_fs_stream *s, const void *data, size_t len)
{
	if (s->err)
		return;
	if (tc_buf_add(&s->buf, data, len) < 0) {
		stream_fail(s);
		return;
	}
	if (s->buf.len >= STREAM_BUF)
		stream_flush(s);
}

/* 1 when the files open as a and b hold the same bytes, 0, -1. */
static int files_equal(int a, int b)
{
	unsigned char x[16384], y[16384];
	ssize_t n, m;

	for (;;) {
		n = tc_fs_read_some(a, x, sizeof(x));
		if (n < 0)
			return -1;
		for (m = 0; m < n;) {
			ssize_t k = tc_fs_read_some(b, y + m, (size_t)(n - m));

			if (k < 0)
				return -1;
			if (k == 0)
				return 0;
			m += k;
		}
		if (memcmp(x, y, (size_t)n))
			return 0;
		if (n == 0)
			return tc_fs_read_some(b, y, 1) == 0;
	}
}

int tc_fs_stream_commit(struct tc_fs_stream *s, int *changed)
{
	struct tc_buf dir = TC_BUF_INIT;
	int old, same = 0, rc = -1, saved;

	if (changed)
		*changed = 0;
	stream_flush(s);
	if (!s->err && (fchmod(s->fd, s->mode) < 0 || fsync(s->fd) < 0))
		stream_fail(s);
	if (s->err)
		goto out;
	old = open(s->path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (old >= 0) {
		if (lseek(s->fd, 0, SEEK_SET) == 0)
			same = files_equal(s->fd, old) == 1;
		close(old);
	}
	if (same) {
		unlink(s->tmp.data);
		rc = 0;
		goto out;
	}
	if (rename(s->tmp.data, s->path.data) < 0) {
		stream_fail(s);
		goto out;
	}
	if (tc_fs_dirname(&dir, s->path.data) < 0 ||
	    tc_fs_sync_dir(dir.data) < 0) {
		stream_fail(s);
		goto out;
	}
	if (changed)
		*changed = 1;
	rc = 0;
out:
	saved = s->err;
	if (rc < 0 && s->tmp.len)
		unlink(s->tmp.data);
	stream_free(s);
	tc_buf_release(&dir);
	if (rc < 0)
		errno = saved;
	return rc;
}

void tc_fs_stream_abort(struct tc_fs_stream *s)
{
	if (s->tmp.len)
		unlink(s->tmp.data);
	stream_free(s);
}
