/*
 * output.c: the output folder: files written when their bytes change,
 * the record of what this build wrote, and the manifest through which the
 * next build removes what is no longer written.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "err.h"
#include "fsutil.h"
#include "internal.h"

static const char manifest_name[] = ".sitegen-manifest";

static void record_output(struct site *s, const char *rel, int changed)
{
	pthread_mutex_lock(&s->lock);
	TC_ALLOC_GROW(s->outputs, s->noutputs + 1, s->aoutputs);
	s->outputs[s->noutputs++] = tc_xstrdup(rel);
	if (changed)
		s->res->written++;
	else
		s->res->unchanged++;
	pthread_mutex_unlock(&s->lock);
}

/* Writes out/rel when its bytes changed. Returns 0 or -1 (reported). */
int site_write_output(struct site *s, const char *rel, const void *data,
		      size_t len)
{
	char *path = site_join(s->opt->out, rel);
	int changed = 0, rc = -1;

	if (tc_fs_mkparents(path, 0755) < 0 ||
	    tc_fs_write_if_changed_ex(path, data, len, 0644, TC_FS_NOSYNC,
				      &changed) < 0) {
		pthread_mutex_lock(&s->lock);
		tc_warn("cannot write %s", path);
		s->errors++;
		pthread_mutex_unlock(&s->lock);
		goto out;
	}
	record_output(s, rel, changed);
	rc = 0;
out:
	free(path);
	return rc;
}

int site_copy_file(struct site *s, const char *from, const char *rel)
{
	struct tc_buf data = TC_BUF_INIT;
	int rc = -1;

	if (tc_fs_read(from, MAX_STATIC_FILE, &data) < 0) {
		tc_warn("cannot read %s", from);
		s->errors++;
		goto out;
	}
	rc = site_write_output(s, rel, data.data, data.len);
out:
	tc_buf_release(&data);
	return rc;
}

/* Removes what the last build wrote and this one did not; writes the new
 * manifest. */
void site_sync_manifest(struct site *s)
{
	char *mpath = site_join(s->opt->out, manifest_name);
	struct tc_buf old = TC_BUF_INIT, now = TC_BUF_INIT;
	size_t i;
	char *p, *nl;

	qsort(s->outputs, s->noutputs, sizeof(*s->outputs), site_cmp_str);
	for (i = 0; i < s->noutputs; i++)
		tc_buf_addf(&now, "%s\n", s->outputs[i]);
	if (tc_fs_read(mpath, 64u * 1024 * 1024, &old) == 0) {
		for (p = old.data; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (!nl)
				break;
			*nl = '\0';
			if (!*p || !tc_fs_safe_relpath(p, strlen(p)))
				continue;
			if (bsearch(&p, s->outputs, s->noutputs,
				    sizeof(*s->outputs), site_cmp_str))
				continue;
			{
				char *full = site_join(s->opt->out, p), *slash;

				if (unlink(full) == 0)
					s->res->removed++;
				/* Remove folders left empty, best effort. */
				while ((slash = strrchr(full, '/')) &&
				       (size_t)(slash - full) >
					   strlen(s->opt->out)) {
					*slash = '\0';
					if (rmdir(full) < 0)
						break;
				}
				free(full);
			}
		}
	}
	if (tc_fs_write_if_changed(mpath, now.data, now.len, 0644, NULL) < 0) {
		tc_warn("cannot write %s", mpath);
		s->errors++;
	}
	tc_buf_release(&old);
	tc_buf_release(&now);
	free(mpath);
}
