/*
 * checks.c: phase B: site.yml and its menus, and the checks across
 * pages (layouts, links, forms on one page, shared addresses and titles,
 * overdue reviews, unreachable pages).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "internal.h"

/* An error about node in site.yml. */
static void cfg_error(struct site *s, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cfg_error(struct site *s, const cJSON *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	site_doc_error(&s->msgs, s->cfg, s->cfg_path, node, fmt, ap);
	va_end(ap);
	s->errors++;
}

/* Resolves site.yml's nav or footer list into [{title, url, page}]. */
cJSON *site_resolve_menu(struct site *s, const char *key)
{
	cJSON *list =
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(s->cfg), key);
	cJSON *outl = cJSON_CreateArray(), *e;

	if (!outl)
		tc_die_nomem();
	if (!list)
		return outl;
	if (!cJSON_IsArray(list)) {
		cfg_error(s, list,
			  "'%s' must be a list of entries with a title and a "
			  "page or url",
			  key);
		return outl;
	}
	cJSON_ArrayForEach(e, list)
	{
		cJSON *title = cJSON_GetObjectItemCaseSensitive(e, "title");
		cJSON *page = cJSON_GetObjectItemCaseSensitive(e, "page");
		cJSON *url = cJSON_GetObjectItemCaseSensitive(e, "url");
		cJSON *item;
		struct tc_buf rel = TC_BUF_INIT;
		char *hash;

		if (!cJSON_IsString(title) || !*title->valuestring) {
			cfg_error(s, e, "each %s entry needs a 'title'", key);
			continue;
		}
		if (cJSON_IsString(page) == cJSON_IsString(url)) {
			cfg_error(s, e,
				  "each %s entry needs either 'page' (a file "
				  "in content/) or 'url' (another site)",
				  key);
			continue;
		}
		item = cJSON_CreateObject();
		if (!item)
			tc_die_nomem();
		cJSON_AddStringToObject(item, "title", title->valuestring);
		if (cJSON_IsString(url)) {
			cJSON_AddStringToObject(item, "url", url->valuestring);
			cJSON_AddTrueToObject(item, "external");
		} else {
			struct page *pg;

			tc_buf_adds(&rel, page->valuestring);
			hash = strchr(rel.data, '#');
			if (hash)
				tc_buf_setlen(&rel, (size_t)(hash - rel.data));
			pg = site_find_page(s, rel.data);
			if (!pg || pg->draft) {
				cfg_error(s, page,
					  "no page '%s' in content/: check the "
					  "file name",
					  page->valuestring);
				cJSON_Delete(item);
				tc_buf_release(&rel);
				continue;
			}
			if (hash) {
				const char *frag =
				    page->valuestring + (hash - rel.data) + 1;

				if (!site_page_has_id(pg, frag)) {
					cfg_error(s, page,
						  "no heading with that id in "
						  "'%s'",
						  page->valuestring);
					cJSON_Delete(item);
					tc_buf_release(&rel);
					continue;
				}
				tc_buf_reset(&rel);
				tc_buf_addf(&rel, "%s#%s", pg->url, frag);
				cJSON_AddStringToObject(item, "url", rel.data);
			} else {
				cJSON_AddStringToObject(item, "url", pg->url);
			}
			cJSON_AddStringToObject(item, "page", pg->rel);
			cJSON_AddFalseToObject(item, "external");
			pg->reachable = 1;
		}
		cJSON_AddItemToArray(outl, item);
		tc_buf_release(&rel);
	}
	return outl;
}

void site_check_config(struct site *s)
{
	cJSON *root = tc_yaml_root(s->cfg), *v;
	static const char *const required[] = {"council", "title", "base_url"};
	size_t i;

	if (!cJSON_IsObject(root)) {
		cfg_error(s, NULL,
			  "site.yml must be a mapping of keys to values");
		return;
	}
	for (i = 0; i < sizeof(required) / sizeof(*required); i++) {
		v = cJSON_GetObjectItemCaseSensitive(root, required[i]);
		if (!cJSON_IsString(v) || !*v->valuestring)
			cfg_error(s, v, "site.yml needs '%s' (text)",
				  required[i]);
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "base_url");
	if (cJSON_IsString(v) && ((strncmp(v->valuestring, "https://", 8) &&
				   strncmp(v->valuestring, "http://", 7)) ||
				  site_ends_with(v->valuestring, "/")))
		cfg_error(s, v,
			  "base_url must start with https:// and have no "
			  "'/' at the end, like https://complaints.example");
	v = cJSON_GetObjectItemCaseSensitive(root, "language");
	if (!v) {
		if (!cJSON_AddStringToObject(root, "language", "en-GB"))
			tc_die_nomem();
	} else if (!cJSON_IsString(v)) {
		cfg_error(s, v, "language must be a language tag like en-GB");
	}
	site_check_brand(s);
}

static int cmp_url(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a,
			  *y = *(struct page *const *)b;
	int c = strcmp(x->url, y->url);

	return c ? c : strcmp(x->rel, y->rel);
}

static int cmp_title(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a,
			  *y = *(struct page *const *)b;
	int c = strcmp(x->title, y->title);

	return c ? c : strcmp(x->rel, y->rel);
}

/*
 * Reports pages that share an address (an error) or a title (a warning):
 * sorted, so each page is compared with its neighbour, not with every page.
 * The page that sorts first by file name keeps it; the others are named.
 */
static void report_twins(struct site *s, int (*cmp)(const void *, const void *),
			 int titles)
{
	struct page **v = malloc((s->npages + 1) * sizeof(*v));
	size_t i, n = 0;

	if (!v)
		tc_die_nomem();
	for (i = 0; i < s->npages; i++) {
		struct page *pg = s->pages[i];

		if (!pg->draft && pg->url &&
		    (!titles || (pg->title && !pg->errors)))
			v[n++] = pg;
	}
	qsort(v, n, sizeof(*v), cmp);
	for (i = 1; i < n; i++) {
		struct page *first = v[i - 1], *pg = v[i];
		size_t k = i - 1;

		/* Name the first of the run, whatever order qsort left. */
		while (k > 0 &&
		       !strcmp(titles ? v[k - 1]->title : v[k - 1]->url,
			       titles ? pg->title : pg->url))
			first = v[--k];
		if (titles && !strcmp(first->title, pg->title)) {
			gen_msg(&pg->msgs, 1, pg->path, 1, 1,
				"the title '%s' is also used by %s: give each "
				"page its own title",
				pg->title, first->path);
			pg->warnings++;
		} else if (!titles && !strcmp(first->url, pg->url)) {
			gen_msg(&pg->msgs, 0, pg->path, 1, 1,
				"this page's address %s is taken by %s: change "
				"its slug",
				pg->url, first->path);
			pg->errors++;
		}
	}
	free(v);
}

void site_check_pages(struct site *s)
{
	size_t i, j;

	for (i = 0; i < s->npages; i++) {
		struct page *pg = s->pages[i];

		if (pg->draft || !pg->url)
			continue;
		if (!site_layout_exists(s, pg->layout))
			site_fm_error(pg, "layout",
				      "no layout '%s' in the theme's layouts/ "
				      "folder",
				      pg->layout);
		if (pg->form)
			site_confirmation(s, pg->form, 0);
		for (j = 0; j < pg->nlinks; j++) {
			struct link_ref *l = &pg->links[j];
			struct tc_buf why = TC_BUF_INIT;

			if (site_resolve_link(s, pg, l->url, l->is_image, NULL,
					      &why) < 0) {
				gen_msg(&pg->msgs, 0, pg->path, l->line, l->col,
					"broken link: %s", why.data);
				pg->errors++;
			}
			tc_buf_release(&why);
		}
		for (j = 0; pg->form && j < i; j++) {
			struct page *o = s->pages[j];

			if (!o->draft && o->form == pg->form) {
				gen_msg(
				    &pg->msgs, 0, pg->path, pg->form_line, 1,
				    "the form '%s' is already on %s: a form "
				    "may appear on one page",
				    tc_form_id(pg->form), o->path);
				pg->errors++;
			}
		}
	}
	report_twins(s, cmp_url, 0);
}

void site_warn_pages(struct site *s, const char *today)
{
	size_t i;

	for (i = 0; i < s->npages; i++) {
		struct page *pg = s->pages[i];
		const char *nr;

		if (pg->draft || pg->errors)
			continue;
		nr = site_fm_string(pg, "next_review");
		if (nr && site_valid_date(nr) && strcmp(nr, today) < 0) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(
			    tc_yaml_root(pg->fm), "next_review");
			int line = 1, col = 1;

			tc_yaml_where(pg->fm, v, &line, &col);
			gen_msg(&pg->msgs, 1, pg->path, line, col,
				"next_review %s has passed: review the page "
				"and update its dates",
				nr);
			pg->warnings++;
		}
		if (!pg->reachable && !pg->menu_false &&
		    strcmp(pg->rel, "index.md") != 0) {
			gen_msg(&pg->msgs, 1, pg->path, 1, 1,
				"no navigation entry or page links here: add "
				"it to nav or footer in site.yml, link to it, "
				"or set 'menu: false'");
			pg->warnings++;
		}
	}
	report_twins(s, cmp_title, 1);
}
