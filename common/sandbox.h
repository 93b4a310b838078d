/*
 * sandbox.h: narrowing a process once its files are open.
 *
 * A program lists the paths it still needs (read, or read and write),
 * then applies the sandbox: no_new_privs (nothing it runs can gain
 * privileges) and, where the kernel has it, Landlock, which limits every
 * later file access of the process and its threads started afterwards to
 * those paths. Opening, creating, removing or renaming anything elsewhere
 * fails with EACCES, even through a symbolic link that points out.
 *
 * Where the kernel lacks Landlock (before Linux 5.19, or with it switched
 * off) the process keeps no_new_privs only and tc_sandbox_apply says why,
 * for the caller to print as a warning. THREECS_SANDBOX=off in the
 * environment skips the sandbox altogether (also said as a warning).
 */
#ifndef TC_SANDBOX_H
#define TC_SANDBOX_H

#include <stddef.h>

/* At most this many paths in one sandbox. */
#define TC_SANDBOX_MAX 24

enum tc_sandbox_access {
	TC_SANDBOX_READ = 1, /* read files, list folders */
	TC_SANDBOX_WRITE = 2 /* also create, write, truncate, remove, rename */
};

struct tc_sandbox_rule {
	char *path; /* owned */
	int access; /* TC_SANDBOX_READ or TC_SANDBOX_READ | TC_SANDBOX_WRITE */
};

struct tc_sandbox {
	struct tc_sandbox_rule rule[TC_SANDBOX_MAX];
	size_t n;
};

void tc_sandbox_init(struct tc_sandbox *sb);
void tc_sandbox_release(struct tc_sandbox *sb);

/*
 * Allows path (a folder and all beneath it, or one file) with access.
 * A path given again gets both accesses. A path that does not exist is
 * skipped when the sandbox is applied.
 * Returns 0, or -1 when the sandbox is full (a programming error).
 */
int tc_sandbox_allow(struct tc_sandbox *sb, const char *path, int access);

/*
 * Allows what every program needs to read: the time zone database and
 * the local time setting (and /proc in an AddressSanitizer build, for its
 * leak check at exit).
 */
int tc_sandbox_allow_system(struct tc_sandbox *sb);

/*
 * Applies the sandbox to the calling thread and every thread or process it
 * starts afterwards (so call it before starting threads). Returns 1 when
 * Landlock is on, 0 when only no_new_privs could be set (why gets the
 * reason, to print as a warning), or -1 when setting up failed (why gets
 * what failed; the process may be partly restricted and should stop).
 */
int tc_sandbox_apply(const struct tc_sandbox *sb, char *why, size_t n);

/*
 * Applies the sandbox and prints the outcome on stderr as prog's warning
 * when it is not fully on. Returns 0, or -1 when the program must stop.
 */
int tc_sandbox_enter(const struct tc_sandbox *sb);

/*
 * tc_sandbox_enter in two steps, for a program that changes user in
 * between: tc_sandbox_ready resolves the paths now (as root, say, through
 * folders the new user cannot search), tc_sandbox_go applies them later.
 * Both return 0, or -1 (printed) when the program must stop.
 */
struct tc_sandbox_ready {
	int fd;	      /* the Landlock rule set, or -1 */
	int landlock; /* 1 with Landlock, 0 without (why says) */
	int off;      /* THREECS_SANDBOX=off */
	char why[512];
};
int tc_sandbox_ready(const struct tc_sandbox *sb, struct tc_sandbox_ready *r);
int tc_sandbox_go(struct tc_sandbox_ready *r);

#endif
