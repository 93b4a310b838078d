/*
 * util.c: small helpers the generator's modules share: joined paths,
 * string lists, the walk of a folder in sorted order, and page dates.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array.h"
#include "date.h"
#include "err.h"
#include "fsutil.h"
#include "internal.h"

/* Folders in content/ that hold data for other programs, not pages, and
 * what they hold (NULL: casework's letters, Markdown that is no page). */
static const struct {
	const char *name, *holds;
} data_dirs[] = {
    {"forms", "the forms' definitions"},
    {"letters", NULL},
    {"calendars", "the bank holiday calendars"},
};

int site_data_dir(const char *name, size_t len, const char **holds)
{
	size_t i;

	for (i = 0; i < sizeof(data_dirs) / sizeof(*data_dirs); i++)
		if (strlen(data_dirs[i].name) == len &&
		    !memcmp(name, data_dirs[i].name, len)) {
			if (holds)
				*holds = data_dirs[i].holds;
			return 1;
		}
	return 0;
}

/* Returns a malloc'd string joined from a and b with one '/'. */
char *site_join(const char *a, const char *b)
{
	struct tc_buf b2 = TC_BUF_INIT;

	if (tc_fs_join(&b2, a, b) < 0)
		tc_die_nomem();
	return tc_buf_detach(&b2, NULL);
}

int site_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int site_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void site_strlist_add(struct site_strlist *l, char *s)
{
	TC_ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = s;
}

void site_strlist_release(struct site_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/*
 * Walks root/prefix, adding every regular file's path below root to files,
 * in sorted order. Skips names starting with '.' and, at the top level of
 * content/, the data folders. Returns 0 or -1 (errno set).
 */
int site_walk_files(const char *root, const char *prefix, int skip_data,
		    struct site_strlist *files)
{
	char *dir = prefix[0] ? site_join(root, prefix) : tc_xstrdup(root);
	struct site_strlist names = {0};
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t i;
	int rc = -1;

	if (!d)
		goto out;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		site_strlist_add(&names, tc_xstrdup(e->d_name));
	}
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), site_cmp_str);
	for (i = 0; i < names.n; i++) {
		char *rel = prefix[0] ? site_join(prefix, names.v[i])
				      : tc_xstrdup(names.v[i]);
		char *full = site_join(root, rel);
		struct stat st;
		int skip = 0;

		if (skip_data && !prefix[0])
			skip =
			    site_data_dir(names.v[i], strlen(names.v[i]), NULL);
		if (!skip && lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (site_walk_files(root, rel, skip_data,
						    files) < 0) {
					free(rel);
					free(full);
					goto out;
				}
			} else if (S_ISREG(st.st_mode)) {
				site_strlist_add(files, rel);
				rel = NULL;
			}
		}
		free(rel);
		free(full);
	}
	rc = 0;
out:
	site_strlist_release(&names);
	free(dir);
	return rc;
}

/*
 * Pages sitegen will not publish because of where they are: under a folder
 * whose name starts with '.', in a data folder that holds something (forms/,
 * calendars/), or named with a leading '.'. Adds each one's path under root
 * to files. letters/ holds casework's letters, which are Markdown too, and
 * is not looked in.
 */
void site_walk_skipped(const char *root, const char *prefix, int inside,
		       struct site_strlist *files)
{
	char *dir = prefix[0] ? site_join(root, prefix) : tc_xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		const char *nm = e->d_name;
		char *rel, *full;
		struct stat st;
		const char *holds;
		int in = inside || nm[0] == '.';

		if (!strcmp(nm, ".") || !strcmp(nm, "..") ||
		    !strcmp(nm, ".git"))
			continue;
		if (!prefix[0] && site_data_dir(nm, strlen(nm), &holds)) {
			if (!holds)
				continue; /* letters/: not pages, by design */
			in = 1;
		}
		rel = prefix[0] ? site_join(prefix, nm) : tc_xstrdup(nm);
		full = site_join(root, rel);
		if (lstat(full, &st) < 0)
			;
		else if (S_ISDIR(st.st_mode))
			site_walk_skipped(root, rel, in, files);
		else if (in && S_ISREG(st.st_mode) && site_ends_with(nm, ".md"))
			site_strlist_add(files, tc_xstrdup(rel));
		free(rel);
		free(full);
	}
	if (d)
		closedir(d);
	free(dir);
}

/* ---- dates ---- */

/* "YYYY-MM-DD", a real day from 1900 on. */
static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (!s || strnlen(s, 11) != 10 || tc_ymd_scan(s, y, m, d) < 0 ||
	    *y < 1900)
		return -1;
	return 0;
}

int site_valid_date(const char *s)
{
	int y, m, d;

	return parse_ymd(s, &y, &m, &d) == 0;
}

int site_human_date(const char *ymd, struct tc_buf *out)
{
	char words[TC_DAY_WORDS];
	int y, m, d;

	if (parse_ymd(ymd, &y, &m, &d) < 0)
		return -1;
	tc_day_words(tc_day_from_civil(y, m, d), words);
	return tc_buf_adds(out, words);
}
