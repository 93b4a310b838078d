/*
 * watch.c: rebuild on change, with inotify. Every folder below content/ and
 * the theme is watched; folders made later are picked up at the next rebuild
 * because the watches are set again each time.
 */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

/* Quiet time after the last change before rebuilding (editors save in
 * several steps). */
#define SETTLE_MS 150

static void add_watches(int fd, const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;
	char path[PATH_MAX];

	if (depth > 32)
		return;
	inotify_add_watch(fd, dir,
			  IN_CLOSE_WRITE | IN_CREATE | IN_DELETE |
			      IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     e->d_name) >= sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			add_watches(fd, path, depth + 1);
	}
	closedir(d);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void build_once(void *arg)
{
	const struct site_options *opt = arg;
	struct site_result res;
	double t0 = now_ms();
	int rc = site_build(opt, &res);

	if (rc == TC_EXIT_OK)
		printf("sitegen: built %zu pages (%zu files written, %zu "
		       "removed) in %.0f ms\n",
		       res.pages, res.written, res.removed, now_ms() - t0);
	else
		printf("sitegen: build failed with %d error%s; public/ "
		       "unchanged; waiting for the next change\n",
		       res.errors, res.errors == 1 ? "" : "s");
	fflush(stdout);
}

int site_watch(const struct site_options *opt)
{
	return site_watch_run(opt, build_once, (void *)opt);
}

int site_watch_run(const struct site_options *opt, void (*build)(void *arg),
		   void *arg)
{
	char buf[8192];

	build(arg);
	for (;;) {
		int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		struct pollfd p;
		int changed = 0;

		if (fd < 0) {
			tc_warn("cannot watch for changes");
			return TC_EXIT_ENV;
		}
		add_watches(fd, opt->content, 0);
		add_watches(fd, opt->theme, 0);
		p.fd = fd;
		p.events = POLLIN;
		/* Wait for the first change, then for quiet. */
		while (poll(&p, 1, changed ? SETTLE_MS : -1) > 0) {
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			changed = 1;
		}
		close(fd);
		if (changed)
			build(arg);
	}
}
