/*
 * assets.c: the theme's assets: CSS and JS names hashed by content,
 * the asset URLs the templates see.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fsutil.h"
#include "internal.h"
#include "sha256.h"

/* Copies the theme's assets, hashing CSS and JS names; fills s->assets. */
int site_prepare_assets(struct site *s, struct site_strlist *names,
			struct site_strlist *outs)
{
	char *dir = site_join(s->opt->theme, "assets");
	struct site_strlist files = {0};
	size_t i;
	int rc = 0;

	s->assets = cJSON_CreateObject();
	if (!s->assets)
		tc_die_nomem();
	if (site_walk_files(dir, "", 0, &files) < 0) {
		if (errno != ENOENT) {
			tc_warn("cannot read %s", dir);
			rc = -1;
		}
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		const char *f = files.v[i], *dot = strrchr(f, '.');
		struct tc_buf data = TC_BUF_INIT, name = TC_BUF_INIT,
			      key = TC_BUF_INIT;
		char *path = site_join(dir, f), hex[65], *k;

		if (tc_fs_read(path, MAX_STATIC_FILE, &data) < 0) {
			tc_warn("cannot read %s", path);
			rc = -1;
			free(path);
			tc_buf_release(&data);
			goto out;
		}
		tc_buf_adds(&name, "assets/");
		if (dot && (!strcmp(dot, ".css") || !strcmp(dot, ".js"))) {
			tc_sha256_hex(data.data, data.len, hex);
			tc_buf_add(&name, f, (size_t)(dot - f));
			tc_buf_addf(&name, ".%.8s%s", hex, dot);
		} else {
			tc_buf_adds(&name, f);
		}
		tc_buf_adds(&key, f);
		for (k = key.data; *k; k++)
			if (*k == '.' || *k == '-' || *k == '/')
				*k = '_';
		tc_buf_reset(&data);
		tc_buf_addf(&data, "/%s", name.data);
		cJSON_AddStringToObject(s->assets, key.data, data.data);
		site_strlist_add(names, path);
		site_strlist_add(outs, tc_buf_detach(&name, NULL));
		tc_buf_release(&data);
		tc_buf_release(&key);
	}
out:
	site_strlist_release(&files);
	free(dir);
	return rc;
}
