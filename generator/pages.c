/*
 * pages.c: phase A for one page: its file and front matter, its
 * address and output path, its Markdown body; and freeing a page.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fsutil.h"
#include "internal.h"
#include "limits.h"

const char *site_fm_string(struct page *pg, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(tc_yaml_root(pg->fm), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void site_doc_error(struct tc_buf *msgs, const struct tc_yaml_doc *doc,
		    const char *file, const cJSON *node, const char *fmt,
		    va_list ap)
{
	int line = 1, col = 1;
	char msg[1024];

	if (node)
		tc_yaml_where(doc, node, &line, &col);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	gen_msg(msgs, 0, file, line, col, "%s", msg);
}

void site_fm_error(struct page *pg, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	site_doc_error(
	    &pg->msgs, pg->fm, pg->path,
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(pg->fm), key), fmt,
	    ap);
	va_end(ap);
	pg->errors++;
}

static int valid_slug(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return 0;
	return 1;
}

/* Works out the page's URL and output path from its file name and slug. */
static void page_url(struct page *pg, const char *slug)
{
	struct tc_buf url = TC_BUF_INIT;
	const char *rel = pg->rel, *base = strrchr(rel, '/');
	size_t dirlen = base ? (size_t)(base - rel) : 0;
	const char *name = base ? base + 1 : rel;
	size_t namelen = strlen(name) - 3;

	tc_buf_addch(&url, '/');
	if (dirlen) {
		tc_buf_add(&url, rel, dirlen);
		tc_buf_addch(&url, '/');
	}
	if (slug) {
		tc_buf_adds(&url, slug);
		tc_buf_addch(&url, '/');
	} else if (!(namelen == 5 && !strncmp(name, "index", 5))) {
		tc_buf_add(&url, name, namelen);
		tc_buf_addch(&url, '/');
	}
	pg->url = tc_buf_detach(&url, NULL);
	pg->out = site_join(pg->url + 1, "index.html");
	if (pg->out[0] == '/')
		memmove(pg->out, pg->out + 1, strlen(pg->out));
}

/* Expands the values in front matter key (title or summary), which *text
 * holds; the expanded copy is kept in *own. Errors name the key's line. */
static void front_values(struct site *s, struct page *pg, const char *key,
			 const char **text, char **own)
{
	struct tc_buf out = TC_BUF_INIT;
	int line = 0, col = 0;
	const cJSON *v;

	if (!s || !*text || !strstr(*text, "{{"))
		return;
	v = cJSON_GetObjectItemCaseSensitive(tc_yaml_root(pg->fm), key);
	if (v)
		tc_yaml_where(pg->fm, v, &line, &col);
	/* A plain scalar's text starts where its position is; a quoted
	 * one's a column later. */
	if (v && pg->text && line > 0) {
		const char *l = pg->text;
		int k;

		for (k = 1; k < line && (l = strchr(l, '\n')); k++)
			l++;
		if (l && col > 0 && (size_t)(col - 1) < strlen(l) &&
		    (l[col - 1] == '"' || l[col - 1] == '\''))
			col++;
	}
	pg->errors += site_values_expand(s, &pg->msgs, pg->path, line, col,
					 *text, strlen(*text), 0, &out);
	*own = tc_buf_detach(&out, NULL);
	*text = *own;
}

/*
 * Reads a page and its front matter and works out everything that depends
 * on them alone (title, layout, URL, ...). Returns 1 when the body is to be
 * read next, 0 when not (a draft, or the file could not be read).
 */
int site_load_front(struct site *s, struct page *pg)
{
	struct tc_buf text = TC_BUF_INIT;
	int rc = 0;
	struct tc_error err;
	cJSON *root, *v;
	const char *slug;
	static const char *const dates[] = {"approved", "reviewed",
					    "next_review"};
	size_t k;

	tc_error_clear(&err);
	if (tc_fs_read(pg->path, TC_MAX_SOURCE_FILE, &text) < 0) {
		gen_msg(&pg->msgs, 0, pg->path, 0, 0, "cannot read: %s",
			errno == EFBIG ? "the file is larger than 8 MiB"
				       : strerror(errno));
		pg->errors++;
		goto out;
	}
	pg->text = tc_buf_detach(&text, &pg->len);
	pg->fm = tc_front_matter(pg->path, pg->text, pg->len, &pg->body_off,
				 &pg->body_line, &err);
	if (!pg->fm) {
		char msg[1800];

		tc_error_format(&err, msg, sizeof(msg));
		tc_buf_addf(&pg->msgs, "sitegen: %s\n", msg);
		pg->errors++;
		goto out;
	}
	root = tc_yaml_root(pg->fm);
	pg->title = site_fm_string(pg, "title");
	pg->summary = site_fm_string(pg, "summary");
	if (!pg->title || !*pg->title)
		site_fm_error(
		    pg, "title",
		    "the page needs a title: add 'title: ...' to the front "
		    "matter");
	if (!pg->summary || !*pg->summary)
		site_fm_error(
		    pg, "summary",
		    "the page needs a summary (one sentence for search "
		    "results): add 'summary: ...' to the front matter");
	v = cJSON_GetObjectItemCaseSensitive(root, "layout");
	if (v && !cJSON_IsString(v))
		site_fm_error(pg, "layout",
			      "layout must be a name, like 'page'");
	pg->layout = cJSON_IsString(v)		    ? v->valuestring
		     : !strcmp(pg->rel, "index.md") ? "home"
						    : "page";
	v = cJSON_GetObjectItemCaseSensitive(root, "draft");
	/* The preview's --drafts builds drafts as pages; their front matter
	 * still says draft, which the theme shows as a banner. */
	pg->draft = cJSON_IsTrue(v) && !(s && s->opt->drafts);
	v = cJSON_GetObjectItemCaseSensitive(root, "menu");
	pg->menu_false = cJSON_IsFalse(v);
	slug = site_fm_string(pg, "slug");
	if (cJSON_GetObjectItemCaseSensitive(root, "slug") &&
	    (!slug || !valid_slug(slug))) {
		site_fm_error(pg, "slug",
			      "slug must use only a-z, 0-9 and '-', like "
			      "'stage-2-review'");
		slug = NULL;
	}
	for (k = 0; k < sizeof(dates) / sizeof(*dates); k++) {
		v = cJSON_GetObjectItemCaseSensitive(root, dates[k]);
		if (v &&
		    !(cJSON_IsString(v) && site_valid_date(v->valuestring)))
			site_fm_error(pg, dates[k],
				      "'%s' must be a date written YYYY-MM-DD, "
				      "like 2026-04-01",
				      dates[k]);
	}
	pg->toc = cJSON_CreateArray();
	if (!pg->toc)
		tc_die_nomem();
	page_url(pg, slug);
	front_values(s, pg, "title", &pg->title, &pg->title_own);
	front_values(s, pg, "summary", &pg->summary, &pg->summary_own);
	rc = !pg->draft;
out:
	tc_buf_release(&text);
	return rc;
}

/* Words a form page may have before its form, outside folded details. */
#define MAX_WORDS_BEFORE_FORM 150

/*
 * The words a resident scrolls past to reach the form in html: text before
 * the form's marker, leaving out what is folded inside <details> (its
 * <summary> counts). Tags are skipped; entities count as letters.
 */
static size_t words_before_form(const char *html)
{
	const char *end = strstr(html, TC_MARK_FORM), *p = html;
	size_t words = 0;
	int folded = 0, summary = 0, in_word = 0;

	if (!end)
		return 0;
	while (p < end) {
		if (*p == '<') {
			const char *close = memchr(p, '>', (size_t)(end - p));

			if (!close)
				break;
			if (!strncmp(p, "<details", 8))
				folded++;
			else if (!strncmp(p, "</details", 9) && folded)
				folded--;
			else if (!strncmp(p, "<summary", 8))
				summary = 1;
			else if (!strncmp(p, "</summary", 9))
				summary = 0;
			p = close + 1;
			in_word = 0;
			continue;
		}
		if (*p == ' ' || *p == '\n' || *p == '\t') {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			words += !folded || summary;
		}
		p++;
	}
	return words;
}

/*
 * Phase A's Markdown for one page: ids, contents list, links, HTML. The
 * contents list holds the '##' headings, and the '###' ones too under
 * toc_depth: 3; a page holding a form never shows one, so nothing stands
 * between its heading and the form but what the editor wrote there.
 */
static void load_body(struct site *s, struct page *pg)
{
	cJSON *root = tc_yaml_root(pg->fm),
	      *v = cJSON_GetObjectItemCaseSensitive(root, "toc"),
	      *d = cJSON_GetObjectItemCaseSensitive(root, "toc_depth"), *e,
	      *next;
	int h2 = 0, depth = 2;

	if (d && !(cJSON_IsNumber(d) &&
		   (d->valuedouble == 2 || d->valuedouble == 3)))
		site_fm_error(pg, "toc_depth",
			      "toc_depth must be 2 (the '##' headings) or 3 "
			      "(the '###' headings too)");
	else if (d)
		depth = (int)d->valuedouble;
	md_process(s, pg, &pg->body);
	for (e = pg->toc ? pg->toc->child : NULL; e; e = next) {
		cJSON *lv = cJSON_GetObjectItemCaseSensitive(e, "level");

		next = e->next;
		h2 += lv && lv->valuedouble == 2;
		if (lv && lv->valuedouble > depth)
			cJSON_Delete(cJSON_DetachItemViaPointer(pg->toc, e));
	}
	pg->want_toc = pg->form ? 0 : v ? cJSON_IsTrue(v) : h2 >= 3;
	if (pg->form && pg->body.data) {
		size_t n = words_before_form(pg->body.data);

		if (n > MAX_WORDS_BEFORE_FORM) {
			gen_msg(&pg->msgs, 1, pg->path, pg->form_line, 1,
				"%zu words come before the form (more than "
				"%d): residents scroll past them to reach it. "
				"Move the guidance after the form, or fold it "
				"into '> [!DETAILS] Summary' blocks",
				n, MAX_WORDS_BEFORE_FORM);
			pg->warnings++;
		}
	}
}

void site_load_page(void *arg, size_t i)
{
	struct site *s = arg;

	if (site_load_front(s, s->pages[i]))
		load_body(s, s->pages[i]);
}

/* Frees all a page holds but its names, as it was when first found. */
void site_page_clear(struct page *pg)
{
	size_t i;

	free(pg->url);
	free(pg->out);
	free(pg->text);
	tc_yaml_free(pg->fm);
	for (i = 0; i < pg->nids; i++)
		free(pg->ids[i]);
	free(pg->ids);
	cJSON_Delete(pg->toc);
	for (i = 0; i < pg->nlinks; i++)
		free(pg->links[i].url);
	free(pg->links);
	tc_buf_release(&pg->body);
	tc_buf_release(&pg->msgs);
	pg->url = pg->out = pg->text = NULL;
	pg->len = pg->body_off = 0;
	pg->body_line = 0;
	pg->fm = NULL;
	pg->title = pg->summary = pg->layout = NULL;
	free(pg->title_own);
	free(pg->summary_own);
	pg->title_own = pg->summary_own = NULL;
	pg->draft = pg->menu_false = pg->reachable = 0;
	pg->ids = NULL;
	pg->nids = 0;
	pg->toc = NULL;
	pg->want_toc = 0;
	pg->links = NULL;
	pg->nlinks = pg->alinks = 0;
	pg->form = NULL;
	pg->form_line = 0;
	pg->errors = pg->warnings = 0;
}

void site_page_free(struct page *pg)
{
	if (!pg)
		return;
	site_page_clear(pg);
	free(pg->rel);
	free(pg->path);
	free(pg);
}
