/*
 * fuzzlib.c: the setup the libFuzzer harnesses share (see fuzzlib.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "fsutil.h"
#include "fuzzlib.h"

/* The scratch folder; empty until fuzz_scratch makes it. */
static char scratch[4096];
/* The file each input is written to; empty until fuzz_input_file. */
static char input[4200];

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

const char *fuzz_input_file(const char *name)
{
	int n;

	if (!scratch[0]) {
		fprintf(stderr, "fuzz_input_file: no scratch folder for %s\n",
			name);
		abort();
	}
	n = snprintf(input, sizeof(input), "%s/%s", scratch, name);
	if (n < 0 || (size_t)n >= sizeof(input)) {
		fprintf(stderr, "fuzz_input_file: %s/%s is too long\n", scratch,
			name);
		abort();
	}
	return input;
}

const char *fuzz_input(const void *data, size_t size)
{
	int fd;

	if (!input[0])
		abort(); /* fuzz_input_file names the file first */
	fd = open(input, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) < 0)
		abort();
	return input;
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
