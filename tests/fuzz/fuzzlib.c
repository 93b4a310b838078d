/*
 * fuzzlib.c: the setup the libFuzzer harnesses share (see fuzzlib.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "fsutil.h"
#include "fuzzlib.h"

/* The scratch folder; empty until fuzz_scratch makes it. */
static char scratch[4096];

const char *fuzz_root(void)
{
	const char *root = getenv("THREECS_ROOT");

	return root && *root ? root : ".";
}

/* At exit: the scratch folder and everything in it. */
static void remove_scratch(void)
{
	if (scratch[0])
		tc_fs_remove_tree(scratch);
	scratch[0] = '\0';
}

const char *fuzz_scratch(const char *name)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (scratch[0])
		return scratch;
	if (access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	else if (!base || !*base)
		base = "/tmp";
	n = snprintf(scratch, sizeof(scratch), "%s/%s.XXXXXX", base, name);
	if (n < 0 || (size_t)n >= sizeof(scratch)) {
		fprintf(stderr, "%s: scratch folder name too long in %s\n",
			name, base);
		abort();
	}
	if (!mkdtemp(scratch)) {
		fprintf(stderr, "%s: cannot make %s: %s\n", name, scratch,
			strerror(errno));
		abort();
	}
	atexit(remove_scratch);
	return scratch;
}

void fuzz_copy(const char *from, const char *to)
{
	struct tc_buf b = TC_BUF_INIT;

	if (tc_fs_read(from, 1 << 20, &b) < 0 ||
	    tc_fs_write_atomic_ex(to, b.data, b.len, 0600, TC_FS_NOSYNC) < 0) {
		fprintf(stderr, "fuzz_copy: cannot copy %s to %s\n", from, to);
		abort();
	}
	tc_buf_release(&b);
}

void fuzz_quiet(void)
{
	FILE *null;

	if (getenv("FUZZ_VERBOSE"))
		return;
	null = fopen("/dev/null", "w");
	if (null)
		stderr = null;
}
