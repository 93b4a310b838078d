/*
 * test_sandbox.c: unit tests for common/sandbox.c. Landlock cannot be
 * undone, so each test sandboxes a forked child that reports through its
 * exit status: 0 when every expectation held, else the number of the first
 * one that failed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "testlib.h"
#include "sandbox.h"

/* The test's folders: root/in (allowed to write), root/ro (allowed to
 * read), root/out (not allowed at all). */
static char root[256];

static const char *at(const char *rel)
{
	return tl_path(root, rel);
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "%s/tc-sandbox-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root))
		return -1;
	if (mkdir(at("in"), 0700) || mkdir(at("in/a"), 0700) ||
	    mkdir(at("in/b"), 0700) || mkdir(at("ro"), 0700) ||
	    mkdir(at("out"), 0700))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return tc_fs_remove_tree(root);
}

/* 1 when the kernel offers Landlock with moves between folders. */
static int have_landlock(void)
{
	struct tc_sandbox sb;
	char why[256];
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		tc_sandbox_init(&sb);
		_exit(tc_sandbox_apply(&sb, why, sizeof(why)) == 1 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int can_create(const char *rel)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int can_read(const char *rel)
{
	char c;
	int fd = open(at(rel), O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1;
}

/* The child: sandboxes itself to in/ (write) and ro/ (read) and checks
 * what works and what is refused. */
static int child_checks(void)
{
	struct tc_sandbox sb;
	char why[256];

	tc_sandbox_init(&sb);
	if (tc_sandbox_allow(&sb, at("in"),
			     TC_SANDBOX_READ | TC_SANDBOX_WRITE) ||
	    tc_sandbox_allow(&sb, at("ro"), TC_SANDBOX_READ) ||
	    tc_sandbox_allow(&sb, at("missing"), TC_SANDBOX_READ))
		return 1;
	if (tc_sandbox_apply(&sb, why, sizeof(why)) != 1)
		return 2;
	tc_sandbox_release(&sb);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 3;
	/* Inside the allowed folder: create, write, rename across folders,
	 * remove. */
	if (!can_create("in/a/new"))
		return 4;
	if (rename(at("in/a/new"), at("in/b/new")) < 0)
		return 5;
	if (unlink(at("in/b/new")) < 0)
		return 6;
	if (mkdir(at("in/c"), 0700) < 0 || rmdir(at("in/c")) < 0)
		return 7;
	/* Read-only: readable, nothing may be made or changed. */
	if (!can_read("ro/kept"))
		return 8;
	if (can_create("ro/new") || errno != EACCES)
		return 9;
	if (open(at("ro/kept"), O_WRONLY | O_CLOEXEC) >= 0 || errno != EACCES)
		return 10;
	/* Outside: nothing, not even reading, nor through a link from in/. */
	if (can_create("out/new") || errno != EACCES)
		return 11;
	if (can_read("out/secret"))
		return 12;
	if (can_create("in/link-out/new") || errno != EACCES)
		return 13;
	if (rename(at("in/a/keep"), at("out/keep")) == 0 || errno != EACCES)
		return 14;
	return 0;
}

static void test_sandbox_limits_writes(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	if (!have_landlock()) {
		print_message("Landlock is not available here: skipped\n");
		skip();
	}
	put("ro/kept", "x");
	put("out/secret", "x");
	put("in/a/keep", "x");
	assert_int_equal(symlink(at("out"), at("in/link-out")), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_checks());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* The refused writes left nothing behind. */
	assert_int_equal(access(at("out/new"), F_OK), -1);
	assert_int_equal(access(at("ro/new"), F_OK), -1);
	assert_int_equal(access(at("out/keep"), F_OK), -1);
	/* Without the sandbox the same write works: the test can fail. */
	assert_true(can_create("out/new"));
}

/* THREECS_SANDBOX=off leaves the process as it was. */
static void test_sandbox_off(void **state)
{
	struct tc_sandbox sb;
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("THREECS_SANDBOX", "off", 1);
		tc_sandbox_init(&sb);
		if (tc_sandbox_enter(&sb) < 0)
			_exit(1);
		_exit(can_create("out/free") ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* A path given twice is one rule with both accesses; past the last rule
 * allow fails rather than dropping a path. */
static void test_sandbox_rules(void **state)
{
	struct tc_sandbox sb;
	char p[32];
	int i;

	(void)state;
	tc_sandbox_init(&sb);
	assert_int_equal(tc_sandbox_allow(&sb, "/a", TC_SANDBOX_READ), 0);
	assert_int_equal(tc_sandbox_allow(&sb, "/a", TC_SANDBOX_WRITE), 0);
	assert_int_equal(sb.n, 1);
	assert_int_equal(sb.rule[0].access, TC_SANDBOX_READ | TC_SANDBOX_WRITE);
	for (i = 1; i < TC_SANDBOX_MAX; i++) {
		snprintf(p, sizeof(p), "/p%d", i);
		assert_int_equal(tc_sandbox_allow(&sb, p, TC_SANDBOX_READ), 0);
	}
	assert_int_equal(sb.n, TC_SANDBOX_MAX);
	assert_int_equal(tc_sandbox_allow(&sb, "/one-more", TC_SANDBOX_READ),
			 -1);
	assert_int_equal(tc_sandbox_allow(&sb, "/p1", TC_SANDBOX_WRITE), 0);
	tc_sandbox_release(&sb);
	assert_int_equal(sb.n, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_sandbox_limits_writes),
	    T(test_sandbox_off),
	    T(test_sandbox_rules),
	};

	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
