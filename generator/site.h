/*
 * site.h: the site generator's model: the site, its pages, and the build.
 *
 * A build runs in three phases so that a build with errors writes nothing:
 *   A. load: read every page, its front matter and Markdown; collect heading
 *      ids, the contents list and the links (pages in parallel);
 *   B. check: resolve navigation and every link against phase A's pages and
 *      anchors; reachability and duplicate titles (warnings);
 *   C. write: only if A and B found no error, render each page through the
 *      theme and write it when its bytes changed (pages in parallel), then
 *      the assets, sitemap, robots.txt, 404 page and the manifest, and remove
 *      files a previous build wrote that this one did not.
 */
#ifndef TC_SITE_H
#define TC_SITE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "err.h"

struct site_options {
	const char *content; /* the content folder (default "content") */
	const char *theme;   /* the theme folder (default "themes/default") */
	const char *out;     /* the output folder (default "public") */
	const char *today; /* YYYY-MM-DD for date warnings; NULL: local date */
	int jobs;	   /* worker threads; 0: one per CPU */
	int check_only;	   /* 1: check and warn, write nothing */
	int quiet;	   /* 1: no summary line */
	int list_values;   /* 1: print every value pages may use, then stop */
	int drafts;	   /* 1: build drafts too (the preview's --drafts) */
};

struct site_result {
	size_t pages;	  /* pages built (or checked) */
	size_t written;	  /* files written because their bytes changed */
	size_t unchanged; /* files left alone */
	size_t removed;	  /* stale files removed */
	int errors;	  /* errors reported */
	int warnings;	  /* warnings reported */
};

/*
 * Builds (or checks) the site. Messages go to stderr as they are found, in a
 * stable order. Returns TC_EXIT_OK, TC_EXIT_INPUT (errors were reported and
 * nothing was written) or TC_EXIT_ENV (I/O failure).
 */
int site_build(const struct site_options *opt, struct site_result *res);

/*
 * Renders one Markdown text the way a page body is rendered, without links
 * to other pages (tests and previews). file and first_line name it in
 * errors. Appends HTML to out and, when toc is not NULL, stores a new array
 * of {id, text, level} the caller frees with cJSON_Delete. Returns 0, or the
 * number of errors (each printed).
 */
int site_render_markdown(const char *file, const char *text, size_t len,
			 int first_line, struct tc_buf *out, cJSON **toc);

/*
 * sitegen import: each of files (.docx, .odt, .html, .txt) as a new page in
 * dir, with warnings naming the page's lines for what it changed or could
 * not convert. Returns an exit code.
 */
int site_import(char **files, int n, const char *dir);

/* "2026-04-01" -> "1 April 2026" into out; -1 when not a valid date. */
int site_human_date(const char *ymd, struct tc_buf *out);

/* 1 when s is a valid calendar date written YYYY-MM-DD. */
int site_valid_date(const char *s);

#endif
