/*
 * theme.c: the theme's templates: layouts and partials loaded into
 * the template set, and the layouts' names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "fsutil.h"
#include "internal.h"
#include "limits.h"

int site_layout_exists(struct site *s, const char *name)
{
	return bsearch(&name, s->layouts, s->nlayouts, sizeof(*s->layouts),
		       site_cmp_str) != NULL;
}

/* Adds every *.mustache in theme/sub/ to the set; names layouts. */
int site_load_templates(struct site *s, const char *sub, int is_layout)
{
	char *dir = site_join(s->opt->theme, sub);
	struct site_strlist files = {0};
	struct tc_buf src = TC_BUF_INIT;
	struct tc_error err;
	size_t i;
	int rc = 0;

	if (site_walk_files(dir, "", 0, &files) < 0) {
		if (errno == ENOENT && !is_layout)
			goto out;
		gen_msg(&s->msgs, 0, dir, 0, 0, "cannot read the theme: %s",
			strerror(errno));
		s->errors++;
		rc = -1;
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		char *path, *name;

		if (!site_ends_with(files.v[i], ".mustache"))
			continue;
		path = site_join(dir, files.v[i]);
		name = tc_xstrdup(files.v[i]);
		name[strlen(name) - 9] = '\0';
		tc_buf_reset(&src);
		tc_error_clear(&err);
		if (tc_fs_read(path, TC_MAX_SOURCE_FILE, &src) < 0) {
			gen_msg(&s->msgs, 0, path, 0, 0, "cannot read: %s",
				strerror(errno));
			s->errors++;
		} else if (!is_layout && site_layout_exists(s, name)) {
			/* A layout of the same name wins. */
		} else if (tc_tpl_add(s->tpl, name, path, src.data, src.len,
				      &err) < 0) {
			char msg[1800];

			tc_error_format(&err, msg, sizeof(msg));
			tc_buf_addf(&s->msgs, "sitegen: %s\n", msg);
			s->errors++;
		} else if (is_layout) {
			TC_ALLOC_GROW(s->layouts, s->nlayouts + 1, s->alayouts);
			s->layouts[s->nlayouts++] = name;
			name = NULL;
			qsort(s->layouts, s->nlayouts, sizeof(*s->layouts),
			      site_cmp_str);
		}
		free(name);
		free(path);
	}
out:
	tc_buf_release(&src);
	site_strlist_release(&files);
	free(dir);
	return rc;
}
