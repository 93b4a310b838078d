/*
 * sandbox.c: no_new_privs and Landlock (see sandbox.h).
 */
#define _GNU_SOURCE /* O_PATH */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "err.h"

/* Rights newer than the kernel headers this may be built with. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

#define FS_ABI1 ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */

/*
 * A build with AddressSanitizer checks for leaks at exit from a helper
 * that reads /proc/PID/task and /proc/PID/maps; in the sandbox it cannot,
 * and the check fails ("LeakSanitizer has encountered a fatal error") or
 * hangs. Such a build may read /proc; a release build never may.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TC_SANDBOX_LEAKCHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TC_SANDBOX_LEAKCHECK 1
#endif
#endif

/* What a read rule grants, and what a write rule adds. */
#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE                                                               \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |       \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |        \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER |              \
	 LANDLOCK_ACCESS_FS_TRUNCATE)
/* The rights that apply to a file, not a folder. */
#define FS_FILE                                                                \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |          \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |          \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

void tc_sandbox_init(struct tc_sandbox *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void tc_sandbox_release(struct tc_sandbox *sb)
{
	size_t i;

	for (i = 0; i < sb->n; i++)
		free(sb->rule[i].path);
	sb->n = 0;
}

int tc_sandbox_allow(struct tc_sandbox *sb, const char *path, int access)
{
	size_t i;

	for (i = 0; i < sb->n; i++)
		if (!strcmp(sb->rule[i].path, path)) {
			sb->rule[i].access |= access;
			return 0;
		}
	if (sb->n >= TC_SANDBOX_MAX) {
		errno = ENOSPC;
		return -1;
	}
	sb->rule[sb->n].path = tc_xstrdup(path);
	sb->rule[sb->n].access = access;
	sb->n++;
	return 0;
}

int tc_sandbox_allow_system(struct tc_sandbox *sb)
{
	const char *tzdir = getenv("TZDIR");

	if (tc_sandbox_allow(sb, "/usr/share/zoneinfo", TC_SANDBOX_READ) < 0 ||
	    tc_sandbox_allow(sb, "/etc/localtime", TC_SANDBOX_READ) < 0 ||
	    tc_sandbox_allow(sb, "/dev/urandom", TC_SANDBOX_READ) < 0)
		return -1;
#ifdef TC_SANDBOX_LEAKCHECK
	if (tc_sandbox_allow(sb, "/proc", TC_SANDBOX_READ) < 0)
		return -1;
#endif
	if (tzdir && *tzdir)
		return tc_sandbox_allow(sb, tzdir, TC_SANDBOX_READ);
	return 0;
}

/* The Landlock ABI the kernel offers: 1 or more, or 0 when none. */
static int landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

/* Every file-system right the ABI knows, so all of them are restricted. */
static uint64_t handled_for(int abi)
{
	uint64_t h = FS_ABI1;

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

static int add_rule(int ruleset, const struct tc_sandbox_rule *r,
		    uint64_t handled, char *why, size_t n)
{
	struct landlock_path_beneath_attr attr;
	struct stat st;
	uint64_t want = FS_READ;
	int fd, rc = -1;

	fd = open(r->path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0; /* nothing there to allow */
		snprintf(why, n, "cannot open '%s' for the sandbox: %s",
			 r->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(why, n, "cannot stat '%s' for the sandbox: %s",
			 r->path, strerror(errno));
		goto out;
	}
	if (r->access & TC_SANDBOX_WRITE)
		want |= FS_WRITE;
	if (!S_ISDIR(st.st_mode))
		want &= FS_FILE;
	memset(&attr, 0, sizeof(attr));
	attr.allowed_access = want & handled;
	attr.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		    &attr, 0) < 0) {
		snprintf(why, n, "cannot allow '%s' in the sandbox: %s",
			 r->path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * Makes the Landlock rule set for sb: 1 with *fd set, 0 when the kernel
 * cannot (why says so), -1 on an error (why says what).
 */
static int build_ruleset(const struct tc_sandbox *sb, int *fd, char *why,
			 size_t n)
{
	struct landlock_ruleset_attr ra;
	int abi, ruleset;
	size_t i;

	*fd = -1;
	abi = landlock_abi();
	if (abi < 1) {
		snprintf(why, n,
			 "this kernel has no Landlock (Linux 5.19 or later "
			 "with Landlock enabled): running without the file "
			 "system sandbox");
		return 0;
	}
	if (abi < 2) {
		/* Without the REFER right no rename between folders is ever
		 * allowed, and the spool and data folders need them. */
		snprintf(why, n,
			 "this kernel's Landlock (version 1) cannot allow "
			 "moves between folders: running without the file "
			 "system sandbox");
		return 0;
	}
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = handled_for(abi);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (ruleset < 0) {
		snprintf(why, n, "cannot make a Landlock rule set: %s",
			 strerror(errno));
		return -1;
	}
	for (i = 0; i < sb->n; i++)
		if (add_rule(ruleset, &sb->rule[i], ra.handled_access_fs, why,
			     n) < 0) {
			close(ruleset);
			return -1;
		}
	*fd = ruleset;
	return 1;
}

/* no_new_privs, then the rule set if there is one (closed here). */
static int restrict_self(int ruleset, char *why, size_t n)
{
	int rc = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(why, n, "cannot set no_new_privs: %s",
			 strerror(errno));
		rc = -1;
	} else if (ruleset >= 0 &&
		   syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
		snprintf(why, n, "cannot turn on the Landlock sandbox: %s",
			 strerror(errno));
		rc = -1;
	}
	if (ruleset >= 0)
		close(ruleset);
	return rc;
}

int tc_sandbox_apply(const struct tc_sandbox *sb, char *why, size_t n)
{
	int fd, r = build_ruleset(sb, &fd, why, n);

	if (r < 0)
		return -1;
	if (restrict_self(fd, why, n) < 0)
		return -1;
	return r;
}

int tc_sandbox_ready(const struct tc_sandbox *sb, struct tc_sandbox_ready *r)
{
	const char *e = getenv("THREECS_SANDBOX");

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (e && !strcmp(e, "off")) {
		r->off = 1;
		return 0;
	}
	r->landlock = build_ruleset(sb, &r->fd, r->why, sizeof(r->why));
	if (r->landlock < 0) {
		tc_warnx("%s", r->why);
		return -1;
	}
	return 0;
}

int tc_sandbox_go(struct tc_sandbox_ready *r)
{
	if (r->off) {
		tc_warnx("warning: THREECS_SANDBOX=off: running without the "
			 "sandbox");
		return 0;
	}
	if (restrict_self(r->fd, r->why, sizeof(r->why)) < 0) {
		r->fd = -1;
		tc_warnx("%s", r->why);
		return -1;
	}
	r->fd = -1;
	if (r->landlock == 0)
		tc_warnx("warning: %s", r->why);
	return 0;
}

int tc_sandbox_enter(const struct tc_sandbox *sb)
{
	struct tc_sandbox_ready r;

	if (tc_sandbox_ready(sb, &r) < 0)
		return -1;
	return tc_sandbox_go(&r);
}
