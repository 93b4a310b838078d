/*
 * fuzz_markdown.c: a page through sitegen's Markdown pipeline, as a build
 * sees it. The input is a whole page file (front matter optional) in a
 * small site: a few pages to link to (one a draft, some with headings), the
 * real forms of content/forms for ```form blocks, ```flowchart blocks. Phase
 * A (md_process) runs on the input; phase B resolves every link it found
 * (site_resolve_link); phase C (md_resolve_links) runs when the page had no
 * errors, as site_build does.
 *
 * The forms are read from $THREECS_ROOT/content/forms (THREECS_ROOT
 * defaults to ".", which is where tests/fuzz/run.sh runs).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "err.h"
#include "forms.h"
#include "fuzzlib.h"
#include "internal.h"
#include "site.h"
#include "yamljson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The other pages of the site, sorted by rel with the fuzzed one. */
struct fixed_page {
	const char *rel;
	const char *url;
	int draft;
	const char *ids[4];
};

static const struct fixed_page fixed[] = {
    {"complaints-policy.md",
     "/complaints-policy/",
     0,
     {"how-to-complain", "stage-1", "stage-2", NULL}},
    {"draft.md", "/draft/", 1, {NULL}},
    {"guide/fuzz.md", "/guide/fuzz/", 0, {NULL}}, /* the input */
    {"guide/index.md", "/guide/", 0, {"steps", NULL}},
    {"guide/steps.md", "/guide/steps/", 0, {"step-1", "step-2", NULL}},
    {"index.md", "/", 0, {NULL}},
};
#define NPAGES	  (sizeof(fixed) / sizeof(fixed[0]))
#define FUZZ_PAGE 2

static struct site_options opt;
static struct site site;
static struct page pages[NPAGES];
static struct page *page_list[NPAGES];
static char content_dir[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *root = fuzz_root();
	char forms_dir[4200];
	int nerr = 0;
	size_t i, k;

	(void)argc;
	(void)argv;
	snprintf(content_dir, sizeof(content_dir), "%s/content", root);
	snprintf(forms_dir, sizeof(forms_dir), "%s/forms", content_dir);
	opt.content = content_dir;
	opt.theme = "themes/default";
	opt.out = "/nonexistent";
	opt.today = "2026-04-01";
	opt.jobs = 1;
	opt.check_only = 1;
	opt.quiet = 1;
	site.opt = &opt;
	site.forms = tc_forms_load_dir(forms_dir, &nerr);
	if (!site.forms || nerr) {
		fprintf(stderr, "fuzz_markdown: cannot load the forms in %s\n",
			forms_dir);
		abort();
	}
	tc_buf_init(&site.msgs, 0);
	for (i = 0; i < NPAGES; i++) {
		struct page *pg = &pages[i];

		pg->rel = (char *)fixed[i].rel;
		pg->path = (char *)fixed[i].rel;
		pg->url = (char *)fixed[i].url;
		pg->draft = fixed[i].draft;
		for (k = 0; fixed[i].ids[k]; k++)
			;
		pg->ids = (char **)fixed[i].ids;
		pg->nids = k;
		tc_buf_init(&pg->msgs, 0);
		tc_buf_init(&pg->body, 0);
		page_list[i] = pg;
	}
	pages[FUZZ_PAGE].path = "content/guide/fuzz.md";
	/* Its own copy: site_page_clear frees it after each input. */
	pages[FUZZ_PAGE].url = tc_xstrdup(fixed[FUZZ_PAGE].url);
	pages[FUZZ_PAGE].ids = NULL;
	pages[FUZZ_PAGE].nids = 0;
	site.pages = page_list;
	site.npages = NPAGES;
	fuzz_quiet(); /* each bad page says so on stderr */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct page *pg = &pages[FUZZ_PAGE];
	struct tc_buf html = TC_BUF_INIT, out = TC_BUF_INIT;
	struct tc_error err;
	size_t i;
	int errors;

	pg->text = malloc(size + 1);
	if (!pg->text)
		abort();
	memcpy(pg->text, data, size);
	pg->text[size] = '\0';
	pg->len = size;
	tc_error_clear(&err);
	pg->fm = tc_front_matter(pg->path, pg->text, pg->len, &pg->body_off,
				 &pg->body_line, &err);
	if (!pg->fm) {
		pg->body_off = 0;
		pg->body_line = 1;
	}
	pg->toc = cJSON_CreateArray();
	if (!pg->toc)
		abort();

	errors = md_process(&site, pg, &html);
	if (errors != pg->errors || (errors && !pg->msgs.len))
		abort(); /* every error is a message */

	/* Phase B: every link the page holds. */
	for (i = 0; i < pg->nlinks; i++) {
		struct tc_buf why = TC_BUF_INIT;

		if (site_resolve_link(&site, pg, pg->links[i].url,
				      pg->links[i].is_image, NULL, &why) < 0) {
			if (!why.len)
				abort(); /* a broken link must say why */
			pg->errors++;
		}
		tc_buf_release(&why);
	}
	/* Phase C, as a build runs it: only for a page without errors. */
	if (!pg->errors) {
		if (md_resolve_links(&site, pg, html.data, &out) != 0)
			abort(); /* phase B said every link resolves */
		if (strstr(out.data, "=\"" LINK_PLACEHOLDER))
			abort(); /* no placeholder may reach a link */
	}

	tc_buf_release(&html);
	tc_buf_release(&out);
	/* The page as it was found, for the next input. */
	site_page_clear(pg);
	pg->url = tc_xstrdup(fixed[FUZZ_PAGE].url);
	return 0;
}
