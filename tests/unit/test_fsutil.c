/*
 * test_fsutil.c: unit tests for common/fsutil.c, each test in its own folder
 * made with mkdtemp and removed afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "fsutil.h"
#include "testlib.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* The test's own folder, made by setup and removed by teardown. */
static char root[256];

/* root/rel in one of a few rotating static buffers. */
static const char *at(const char *rel)
{
	return tl_path(root, rel);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "%s", "/tmp/tc-fsutil-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	umask(022);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return tc_fs_remove_tree(root);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Entries of dir whose names start with '.' (temporary files), "." and ".."
 * aside. */
static int hidden_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_name[0] == '.')
			n++;
	}
	closedir(d);
	return n;
}

static void test_read(void **state)
{
	struct tc_buf b = TC_BUF_INIT;

	(void)state;
	put(at("f"), "hello\nworld\n");
	assert_int_equal(tc_buf_adds(&b, "pre:"), 0);
	assert_int_equal(tc_fs_read(at("f"), 100, &b), 0);
	assert_string_equal(b.data, "pre:hello\nworld\n");
	/* Exactly max bytes is fine. */
	tc_buf_reset(&b);
	assert_int_equal(tc_fs_read(at("f"), 12, &b), 0);
	assert_int_equal(b.len, 12);
	/* A small file costs a small buffer (10,000 pages are read). */
	assert_true(b.alloc <= 128);
	/* One byte over: refused, buffer as it was. */
	tc_buf_reset(&b);
	assert_int_equal(tc_buf_adds(&b, "keep"), 0);
	errno = 0;
	assert_int_equal(tc_fs_read(at("f"), 11, &b), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(b.data, "keep");
	/* Empty file. */
	put(at("empty"), "");
	tc_buf_reset(&b);
	assert_int_equal(tc_fs_read(at("empty"), 0, &b), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	/* Missing file, folder. */
	errno = 0;
	assert_int_equal(tc_fs_read(at("missing"), 100, &b), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(tc_fs_read(root, 100, &b), -1);
	assert_int_equal(errno, EISDIR);
	tc_buf_release(&b);
}

static void test_read_buffer_cap(void **state)
{
	struct tc_buf b;

	(void)state;
	put(at("f"), "0123456789");
	tc_buf_init(&b, 5);
	errno = 0;
	assert_int_equal(tc_fs_read(at("f"), 100, &b), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 0);
	tc_buf_release(&b);
}

/* A file claiming 1 GiB is refused before any of it is read. */
static void test_read_huge_claim(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	struct timespec t0, t1;
	double secs;
	int fd;

	(void)state;
	fd = open(at("huge"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
	assert_int_equal(close(fd), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	assert_int_equal(tc_fs_read(at("huge"), 8u * 1024 * 1024, &b), -1);
	assert_int_equal(errno, EFBIG);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 0.5);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0); /* nothing was even allocated */
	assert_int_equal(unlink(at("huge")), 0);
	tc_buf_release(&b);
}

/* A file whose size says 0 but that keeps giving bytes (a device, or a file
 * that grows while read) is stopped once it passes max. */
static void test_read_stops_past_max(void **state)
{
	struct tc_buf b = TC_BUF_INIT;

	(void)state;
	if (access("/dev/zero", R_OK) != 0)
		skip();
	errno = 0;
	assert_int_equal(tc_fs_read("/dev/zero", 100000, &b), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 0);
	tc_buf_release(&b);
}

static void test_write_atomic(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	struct stat st;

	(void)state;
	assert_int_equal(tc_fs_write_atomic(at("out.txt"), S("first"), 0644),
			 0);
	assert_int_equal(tc_fs_read(at("out.txt"), 100, &b), 0);
	assert_string_equal(b.data, "first");
	assert_int_equal(stat(at("out.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* Overwrite, shorter, with personal-data permissions. */
	assert_int_equal(tc_fs_write_atomic(at("out.txt"), S("2nd"), 0600), 0);
	tc_buf_reset(&b);
	assert_int_equal(tc_fs_read(at("out.txt"), 100, &b), 0);
	assert_string_equal(b.data, "2nd");
	assert_int_equal(stat(at("out.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* Empty content, and bytes with a NUL. */
	assert_int_equal(tc_fs_write_atomic(at("empty"), "", 0, 0600), 0);
	assert_int_equal(stat(at("empty"), &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(tc_fs_write_atomic(at("nul"), S("a\0b"), 0600), 0);
	tc_buf_reset(&b);
	assert_int_equal(tc_fs_read(at("nul"), 100, &b), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	assert_int_equal(hidden_entries(root), 0);
	tc_buf_release(&b);
}

static void test_write_atomic_failures(void **state)
{
	char name[300];

	(void)state;
	/* Target folder missing: an error, and no temporary file anywhere. */
	errno = 0;
	assert_int_equal(tc_fs_write_atomic(at("nodir/out"), S("x"), 0600), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(hidden_entries(root), 0);
	/* A folder where the file should go: rename fails, temp removed. */
	assert_int_equal(mkdir(at("isdir"), 0700), 0);
	assert_int_equal(tc_fs_write_atomic(at("isdir"), S("x"), 0600), -1);
	assert_int_equal(hidden_entries(root), 0);
	/* No file name at all. */
	assert_int_equal(tc_fs_write_atomic(at("isdir/"), S("x"), 0600), -1);
	assert_int_equal(hidden_entries(at("isdir")), 0);
	/* A 250-byte name still gets a temporary name that fits. */
	memset(name, 'n', 250);
	name[250] = '\0';
	assert_int_equal(tc_fs_write_atomic(at(name), S("long"), 0600), 0);
	assert_true(tc_fs_is_file(at(name)));
	assert_int_equal(hidden_entries(root), 0);
}

/* TC_FS_NEW: in place, exclusively, never through a link. */
static void test_write_new(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	struct stat st;

	(void)state;
	assert_int_equal(tc_fs_write_atomic_ex(at("new"), S("fresh"), 0600,
					       TC_FS_NEW | TC_FS_NOSYNC),
			 0);
	assert_int_equal(tc_fs_read(at("new"), 100, &b), 0);
	assert_string_equal(b.data, "fresh");
	assert_int_equal(stat(at("new"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* Already there: refused, and left as it was. */
	errno = 0;
	assert_int_equal(
	    tc_fs_write_atomic_ex(at("new"), S("other"), 0600, TC_FS_NEW), -1);
	assert_int_equal(errno, EEXIST);
	tc_buf_reset(&b);
	assert_int_equal(tc_fs_read(at("new"), 100, &b), 0);
	assert_string_equal(b.data, "fresh");
	/* A link in its place is not followed. */
	assert_int_equal(symlink(at("elsewhere"), at("trap")), 0);
	assert_int_equal(
	    tc_fs_write_atomic_ex(at("trap"), S("x"), 0600, TC_FS_NEW), -1);
	assert_false(tc_fs_is_file(at("elsewhere")));
	assert_int_equal(hidden_entries(root), 0);
	tc_buf_release(&b);
}

/* A file written as a stream: whole or not at all, left alone when the
 * same. */
static void test_stream(void **state)
{
	struct tc_fs_stream s;
	struct tc_buf b = TC_BUF_INIT;
	struct stat st, again;
	char chunk[1000];
	int changed = -1, i;

	(void)state;
	memset(chunk, 'z', sizeof(chunk));
	assert_int_equal(tc_fs_stream_open(&s, at("big"), 0600), 0);
	for (i = 0; i < 200; i++) {
		chunk[0] = (char)('a' + i % 26);
		tc_fs_stream_add(&s, chunk, sizeof(chunk));
	}
	assert_int_equal(tc_fs_stream_commit(&s, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(tc_fs_read(at("big"), 1 << 20, &b), 0);
	assert_int_equal(b.len, 200 * sizeof(chunk));
	assert_int_equal(b.data[0], 'a');
	assert_int_equal(b.data[26 * sizeof(chunk)], 'a');
	assert_int_equal(b.data[27 * sizeof(chunk) + 1], 'z');
	assert_int_equal(stat(at("big"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* The same bytes again: the file is left as it was. */
	assert_int_equal(tc_fs_stream_open(&s, at("big"), 0600), 0);
	tc_fs_stream_add(&s, b.data, b.len);
	assert_int_equal(tc_fs_stream_commit(&s, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(stat(at("big"), &again), 0);
	assert_int_equal(again.st_ino, st.st_ino);
	/* One byte more: written. */
	assert_int_equal(tc_fs_stream_open(&s, at("big"), 0600), 0);
	tc_fs_stream_add(&s, b.data, b.len);
	tc_fs_stream_add(&s, "!", 1);
	assert_int_equal(tc_fs_stream_commit(&s, &changed), 0);
	assert_int_equal(changed, 1);
	/* Abandoned: nothing changes, nothing is left behind. */
	assert_int_equal(tc_fs_stream_open(&s, at("big"), 0600), 0);
	tc_fs_stream_add(&s, "short", 5);
	tc_fs_stream_abort(&s);
	tc_buf_reset(&b);
	assert_int_equal(tc_fs_read(at("big"), 1 << 20, &b), 0);
	assert_int_equal(b.len, 200 * sizeof(chunk) + 1);
	assert_int_equal(hidden_entries(root), 0);
	/* A folder that is not there. */
	assert_int_equal(tc_fs_stream_open(&s, at("nodir/x"), 0600), -1);
	tc_buf_release(&b);
}

static void test_write_relative(void **state)
{
	char cwd[4096];
	struct tc_buf b = TC_BUF_INIT;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(root), 0);
	assert_int_equal(tc_fs_write_atomic("plain", S("here"), 0600), 0);
	assert_int_equal(tc_fs_read("plain", 100, &b), 0);
	assert_string_equal(b.data, "here");
	assert_int_equal(hidden_entries("."), 0);
	assert_int_equal(chdir(cwd), 0);
	tc_buf_release(&b);
}

static void test_write_if_changed(void **state)
{
	const struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
	struct stat before, after;
	int changed = -1;

	(void)state;
	assert_int_equal(
	    tc_fs_write_if_changed(at("w"), S("same"), 0644, &changed), 0);
	assert_int_equal(changed, 1);
	/* Give it an old mtime so a rewrite could not hide in the clock. */
	assert_int_equal(utimensat(AT_FDCWD, at("w"), old, 0), 0);
	assert_int_equal(stat(at("w"), &before), 0);
	changed = -1;
	assert_int_equal(
	    tc_fs_write_if_changed(at("w"), S("same"), 0644, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(stat(at("w"), &after), 0);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	assert_int_equal(after.st_ino, before.st_ino);
	/* Same length, other bytes: written. */
	assert_int_equal(
	    tc_fs_write_if_changed(at("w"), S("SAME"), 0644, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(stat(at("w"), &after), 0);
	assert_true(after.st_mtim.tv_sec != before.st_mtim.tv_sec);
	/* Longer and shorter, changed NULL. */
	assert_int_equal(
	    tc_fs_write_if_changed(at("w"), S("SAME and more"), 0644, NULL), 0);
	assert_int_equal(tc_fs_write_if_changed(at("w"), S("S"), 0644, NULL),
			 0);
	assert_int_equal(
	    tc_fs_write_if_changed(at("w"), S("S"), 0644, &changed), 0);
	assert_int_equal(changed, 0);
	/* Same bytes, tighter mode: the mode is fixed, the bytes left. */
	assert_int_equal(stat(at("w"), &before), 0);
	assert_int_equal(
	    tc_fs_write_if_changed(at("w"), S("S"), 0600, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(stat(at("w"), &after), 0);
	assert_int_equal(after.st_mode & 07777, 0600);
	assert_int_equal(after.st_ino, before.st_ino);
	/* Missing folder: an error. */
	assert_int_equal(
	    tc_fs_write_if_changed(at("no/w"), S("x"), 0600, &changed), -1);
	assert_int_equal(changed, 0);
	assert_int_equal(hidden_entries(root), 0);
}

static void test_sync_dir(void **state)
{
	(void)state;
	put(at("f"), "x");
	assert_int_equal(tc_fs_sync_dir(root), 0);
	assert_int_equal(tc_fs_sync_dir(at("f")), 0);
	assert_int_equal(tc_fs_sync_dir(at("missing")), -1);
	assert_int_equal(errno, ENOENT);
}

static mode_t cur_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

static void test_mkdirs(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(tc_fs_mkdirs(at("a/b/c"), 0700), 0);
	assert_true(tc_fs_is_dir(at("a/b/c")));
	assert_int_equal(stat(at("a/b"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Only the last part missing. */
	assert_int_equal(tc_fs_mkdirs(at("a/b/d"), 0750), 0);
	assert_int_equal(stat(at("a/b/d"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750 & ~cur_umask());
	/* Existing: fine, and left alone. */
	assert_int_equal(tc_fs_mkdirs(at("a/b/c"), 0755), 0);
	assert_int_equal(stat(at("a/b/c"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(tc_fs_mkdirs(root, 0700), 0);
	/* Trailing and doubled slashes. */
	assert_int_equal(tc_fs_mkdirs(at("x//y/"), 0755), 0);
	assert_true(tc_fs_is_dir(at("x/y")));
	/* A file in the way. */
	put(at("file"), "x");
	errno = 0;
	assert_int_equal(tc_fs_mkdirs(at("file"), 0700), -1);
	assert_int_equal(errno, ENOTDIR);
	errno = 0;
	assert_int_equal(tc_fs_mkdirs(at("file/sub"), 0700), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(tc_fs_mkdirs("", 0700), -1);
	/* A link to a folder counts as a folder. */
	assert_int_equal(symlink(at("a"), at("link")), 0);
	assert_int_equal(tc_fs_mkdirs(at("link/b/new"), 0700), 0);
	assert_true(tc_fs_is_dir(at("a/b/new")));
}

static void test_mkparents(void **state)
{
	(void)state;
	assert_int_equal(tc_fs_mkparents(at("p/q/file.html"), 0755), 0);
	assert_true(tc_fs_is_dir(at("p/q")));
	assert_false(tc_fs_is_dir(at("p/q/file.html")));
	assert_false(tc_fs_is_file(at("p/q/file.html")));
	assert_int_equal(tc_fs_mkparents("no-slash-here", 0755), 0);
	assert_int_equal(tc_fs_mkparents("/top-level", 0755), 0);
}

static void test_safe_relpath(void **state)
{
	char longp[5000];

	(void)state;
	assert_true(tc_fs_safe_relpath(S("a")));
	assert_true(tc_fs_safe_relpath(S("a/b/c.html")));
	assert_true(tc_fs_safe_relpath(S(".hidden/..x/x..")));
	assert_true(tc_fs_safe_relpath(S("...")));
	assert_true(tc_fs_safe_relpath(S("caf\xc3\xa9/x")));

	assert_false(tc_fs_safe_relpath(S("")));
	assert_false(tc_fs_safe_relpath(NULL, 0));
	assert_false(tc_fs_safe_relpath(S("../../etc/passwd")));
	assert_false(tc_fs_safe_relpath(S("/etc/passwd")));
	assert_false(tc_fs_safe_relpath(S("a/../b")));
	assert_false(tc_fs_safe_relpath(S("a/..")));
	assert_false(tc_fs_safe_relpath(S("..")));
	assert_false(tc_fs_safe_relpath(S("a\\b")));
	assert_false(tc_fs_safe_relpath(S("..\\etc")));
	assert_false(tc_fs_safe_relpath(S("a\0b")));
	assert_false(tc_fs_safe_relpath(S("a\0")));
	assert_false(tc_fs_safe_relpath(S("a//b")));
	assert_false(tc_fs_safe_relpath(S("./a")));
	assert_false(tc_fs_safe_relpath(S("a/.")));
	assert_false(tc_fs_safe_relpath(S("a/./b")));
	assert_false(tc_fs_safe_relpath(S(".")));
	assert_false(tc_fs_safe_relpath(S("a/")));
	assert_false(tc_fs_safe_relpath(S("/")));
	/* The length is what counts, not a NUL: "a" alone is fine. */
	assert_true(tc_fs_safe_relpath("a\0b", 1));

	memset(longp, 'x', sizeof(longp));
	assert_true(tc_fs_safe_relpath(longp, 4096));
	assert_false(tc_fs_safe_relpath(longp, 4097));
}

/* Two parts and their join, which is added after what the buffer holds. */
static const struct join_case {
	const char *a, *b, *want;
} joins[] = {
    {"a", "b", "a/b"},
    {"a/", "b", "a/b"},	  /* a slash at the end is not doubled */
    {"a//", "/b", "a/b"}, /* nor are slashes on both sides */
    {"/", "b", "/b"},	  /* the root stays the root */
    {"", "b", "b"},	  /* an empty first part adds nothing */
    {"public", "x/index.html", "public/x/index.html"},
};

static void test_join(void **state)
{
	struct tc_buf out;
	size_t i;

	(void)state;
	for (i = 0; i < TL_LEN(joins); i++) {
		const struct join_case *j = &joins[i];
		struct tc_buf got = TC_BUF_INIT;

		assert_int_equal(tc_buf_adds(&got, "["), 0);
		if (tc_fs_join(&got, j->a, j->b) != 0 ||
		    strcmp(got.data + 1, j->want))
			fail_msg("join '%s' '%s': '%s', want '[%s'", j->a, j->b,
				 got.data, j->want);
		tc_buf_release(&got);
	}
	/* A cap that the join would pass: buffer unchanged. */
	tc_buf_init(&out, 8);
	assert_int_equal(tc_buf_adds(&out, "ab"), 0);
	assert_int_equal(tc_fs_join(&out, "abc", "def"), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(out.data, "ab");
	tc_buf_release(&out);
}

static void test_is_file_dir(void **state)
{
	(void)state;
	put(at("f"), "x");
	assert_int_equal(mkdir(at("d"), 0700), 0);
	assert_int_equal(symlink(at("f"), at("lf")), 0);
	assert_int_equal(symlink(at("d"), at("ld")), 0);
	assert_int_equal(symlink(at("nowhere"), at("dangling")), 0);
	assert_true(tc_fs_is_file(at("f")));
	assert_false(tc_fs_is_dir(at("f")));
	assert_true(tc_fs_is_dir(at("d")));
	assert_false(tc_fs_is_file(at("d")));
	assert_true(tc_fs_is_file(at("lf")));
	assert_true(tc_fs_is_dir(at("ld")));
	assert_false(tc_fs_is_file(at("dangling")));
	assert_false(tc_fs_is_dir(at("dangling")));
	assert_false(tc_fs_is_file(at("missing")));
}

static void test_list(void **state)
{
	static const char *const want[] = {".hidden", "B", "a", "b", "sub"};
	char **names = NULL;
	size_t n = 99, i;

	(void)state;
	assert_int_equal(tc_fs_list(root, &names, &n), 0);
	assert_int_equal(n, 0);
	tc_fs_names_free(names, n);
	put(at("b"), "1");
	put(at("a"), "2");
	put(at("B"), "3");
	put(at(".hidden"), "4");
	assert_int_equal(mkdir(at("sub"), 0700), 0);
	put(at("sub/inner"), "5");
	assert_int_equal(tc_fs_list(root, &names, &n), 0);
	assert_int_equal(n, TL_LEN(want));
	for (i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	tc_fs_names_free(names, n);
	errno = 0;
	assert_int_equal(tc_fs_list(at("missing"), &names, &n), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(tc_fs_list(at("a"), &names, &n), -1);
	assert_int_equal(errno, ENOTDIR);
}

static void test_remove_tree(void **state)
{
	(void)state;
	/* Something outside the tree that links point at. */
	assert_int_equal(tc_fs_mkdirs(at("outside/keep"), 0700), 0);
	put(at("outside/keep/precious"), "x");
	assert_int_equal(tc_fs_mkdirs(at("tree/a/b/c"), 0700), 0);
	put(at("tree/a/file"), "x");
	put(at("tree/a/b/c/deep"), "x");
	put(at("tree/.hidden"), "x");
	assert_int_equal(symlink(at("outside"), at("tree/a/linkdir")), 0);
	assert_int_equal(symlink(at("outside/keep/precious"), at("tree/lf")),
			 0);
	assert_int_equal(tc_fs_remove_tree(at("tree")), 0);
	assert_false(tc_fs_is_dir(at("tree")));
	assert_true(tc_fs_is_file(at("outside/keep/precious")));
	/* Missing path: not an error. */
	assert_int_equal(tc_fs_remove_tree(at("tree")), 0);
	/* A single file. */
	put(at("single"), "x");
	assert_int_equal(tc_fs_remove_tree(at("single")), 0);
	assert_false(tc_fs_is_file(at("single")));
	/* A link as the root: the link goes, its target stays. */
	assert_int_equal(symlink(at("outside"), at("rootlink")), 0);
	assert_int_equal(tc_fs_remove_tree(at("rootlink")), 0);
	assert_true(tc_fs_is_file(at("outside/keep/precious")));
	{
		struct stat st;

		assert_int_equal(lstat(at("rootlink"), &st), -1);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_read),
	    T(test_read_buffer_cap),
	    T(test_read_huge_claim),
	    T(test_read_stops_past_max),
	    T(test_write_atomic),
	    T(test_write_atomic_failures),
	    T(test_write_new),
	    T(test_stream),
	    T(test_write_relative),
	    T(test_write_if_changed),
	    T(test_sync_dir),
	    T(test_mkdirs),
	    T(test_mkparents),
	    T(test_safe_relpath),
	    T(test_join),
	    T(test_is_file_dir),
	    T(test_list),
	    T(test_remove_tree),
	};

	return cmocka_run_group_tests_name("fsutil", tests, NULL, NULL);
}
