/*
 * links.c: links between pages: finding a page, normalising a link
 * against the page it is written in, checking heading ids (phase B).
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fsutil.h"
#include "internal.h"

struct page *site_find_page(struct site *site, const char *rel)
{
	size_t lo = 0, hi = site->npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(rel, site->pages[mid]->rel);

		if (c == 0)
			return site->pages[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int site_page_has_id(const struct page *pg, const char *id)
{
	/* A page without headings has no array: bsearch may not see NULL. */
	return pg->nids &&
	       bsearch(&id, pg->ids, pg->nids, sizeof(*pg->ids), site_cmp_str);
}

/*
 * Normalises dir + "/" + path ("a/b" + "../c.md" -> "a/c.md") into out.
 * Returns -1 when it climbs out of content/.
 */
static int normalise(const char *dir, const char *path, struct tc_buf *out)
{
	struct tc_buf all = TC_BUF_INIT;
	size_t *marks = NULL, nmarks = 0;
	const char *p;
	int rc = -1;

	if (*dir)
		tc_buf_addf(&all, "%s/%s", dir, path);
	else
		tc_buf_adds(&all, path);
	marks = malloc((all.len + 1) * sizeof(*marks));
	if (!marks)
		tc_die_nomem();
	for (p = all.data; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!nmarks)
				goto out;
			tc_buf_setlen(out, marks[--nmarks]);
		} else {
			marks[nmarks++] = out->len;
			if (out->len)
				tc_buf_addch(out, '/');
			tc_buf_add(out, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	rc = 0;
out:
	free(marks);
	tc_buf_release(&all);
	return rc;
}

static void list_ids(const struct page *pg, struct tc_buf *why)
{
	size_t i;

	if (!pg->nids) {
		tc_buf_adds(why, "; that page has no headings");
		return;
	}
	tc_buf_adds(why, "; its headings' ids are ");
	for (i = 0; i < pg->nids && i < 8; i++)
		tc_buf_addf(why, "%s'%s'", i ? ", " : "", pg->ids[i]);
	if (pg->nids > 8)
		tc_buf_adds(why, ", ...");
}

int site_resolve_link(struct site *site, struct page *pg, const char *url,
		      int is_image, struct tc_buf *out, struct tc_buf *why)
{
	struct tc_buf path = TC_BUF_INIT, rel = TC_BUF_INIT;
	const char *hash = strchr(url, '#'), *frag = hash ? hash + 1 : NULL;
	size_t plen = hash ? (size_t)(hash - url) : strlen(url);
	char *dir = NULL, *slash;
	struct page *target;
	int rc = -1;

	tc_buf_add(&path, url, plen);
	if (strchr(path.data, '?')) {
		tc_buf_addf(why,
			    "link '%s' has a query string: link to a "
			    "page's .md file",
			    url);
		goto out;
	}
	if (plen == 0) {
		/* "#section": an anchor in this page. */
		if (!frag || !*frag) {
			tc_buf_adds(why, "empty anchor: write #section-id");
			goto out;
		}
		if (!site_page_has_id(pg, frag)) {
			tc_buf_addf(why, "no heading with id '%s' in this page",
				    frag);
			list_ids(pg, why);
			goto out;
		}
		if (out)
			tc_buf_adds(out, url);
		rc = 0;
		goto out;
	}
	if (path.data[0] == '/') {
		tc_buf_addf(why,
			    "link '%s' starts with '/': link to the "
			    "page's file instead, like "
			    "complaints-policy.md",
			    url);
		goto out;
	}
	dir = tc_xstrdup(pg->rel);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	if (normalise(dir, path.data, &rel) < 0 || !rel.len) {
		tc_buf_addf(why, "link '%s' points outside content/", url);
		goto out;
	}
	if (!is_image && site_ends_with(rel.data, ".md")) {
		target = site_find_page(site, rel.data);
		if (!target) {
			tc_buf_addf(why, "no page '%s' (looked for %s/%s)",
				    path.data, site->opt->content, rel.data);
			goto out;
		}
		if (target->draft) {
			tc_buf_addf(why, "'%s' is a draft and is not built",
				    path.data);
			goto out;
		}
		if (frag && *frag && !site_page_has_id(target, frag)) {
			tc_buf_addf(why, "no heading with id '%s' in %s", frag,
				    path.data);
			list_ids(target, why);
			goto out;
		}
		if (target != pg)
			target->reachable = 1;
		if (out) {
			tc_buf_adds(out, target->url);
			if (frag && *frag)
				tc_buf_addf(out, "#%s", frag);
		}
		rc = 0;
		goto out;
	}
	{
		char *full = site_join(site->opt->content, rel.data);
		int ok = tc_fs_is_file(full);

		free(full);
		if (!ok) {
			tc_buf_addf(why, "no file '%s' (looked for %s/%s)",
				    path.data, site->opt->content, rel.data);
			goto out;
		}
	}
	if (out) {
		tc_buf_addch(out, '/');
		tc_buf_adds(out, rel.data);
		if (frag)
			tc_buf_addf(out, "#%s", frag);
	}
	rc = 0;
out:
	free(dir);
	tc_buf_release(&path);
	tc_buf_release(&rel);
	return rc;
}
