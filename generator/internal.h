/*
 * internal.h: what the generator's modules share and nothing else sees.
 */
#ifndef TC_GEN_INTERNAL_H
#define TC_GEN_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "forms.h"
#include "shells.h"
#include "site.h"
#include "template.h"
#include "yamljson.h"

/* A link found in a page's Markdown, kept from phase A for phase B. */
struct link_ref {
	char *url;    /* as written */
	int line;     /* where, in the page's file */
	int col;      /* column */
	int is_image; /* 1 for ![alt](url) */
};

struct page {
	char *rel;	 /* path below content/, e.g. "a/b.md" */
	char *path;	 /* path as shown in messages, e.g. "content/a/b.md" */
	char *url;	 /* "/a/b/" */
	char *out;	 /* output path below the output folder */
	char *text;	 /* the whole file */
	size_t len;	 /* its length */
	size_t body_off; /* where the Markdown starts */
	int body_line;	 /* the line it starts on */
	struct tc_yaml_doc *fm;	       /* front matter */
	const char *title;	       /* front matter title, values expanded */
	const char *summary;	       /* front matter summary, likewise */
	char *title_own, *summary_own; /* what title and summary point to
					  when a value was expanded */
	const char *layout;	       /* layout name (owned by fm or static) */
	int draft;		       /* front matter draft: true */
	int menu_false;		       /* front matter menu: false */
	int reachable;		       /* linked from nav, footer or a page */
	char **ids;		       /* heading ids, sorted after phase A */
	size_t nids;		       /* how many */
	cJSON *toc;		       /* [{id, text, level}] */
	int want_toc;		       /* show the contents list */
	struct link_ref *links;	       /* links found in phase A */
	struct tc_buf body;	    /* phase A's HTML, links as placeholders */
	size_t nlinks, alinks;	    /* how many, room for how many */
	const struct tc_form *form; /* the form this page embeds, or NULL */
	int form_line;		    /* where its block is */
	struct tc_buf msgs;   /* messages for this page, printed in order */
	int errors, warnings; /* counts of msgs */
};

struct tc_rules;

struct site {
	const struct site_options *opt;
	struct tc_yaml_doc *cfg; /* site.yml */
	char *cfg_path;		 /* "content/site.yml" */
	struct page **pages;	 /* every page, sorted by rel */
	size_t npages;
	struct tc_tpl_set *tpl; /* the theme's templates */
	struct tc_forms *forms; /* content/forms, or NULL without forms */
	char **layouts;		/* names of the theme's layouts, sorted */
	size_t nlayouts, alayouts;
	cJSON *assets;	     /* asset key -> hashed URL */
	cJSON *nav, *footer; /* resolved [{title, url, page}] */
	cJSON *values; /* "site.council" -> text, "rules...." (values.c) */
	struct tc_rules *rules; /* content/rules.yml, or NULL */
	cJSON *timescales;	/* the timescales block's context, or NULL
				   without rules */
	struct tc_buf msgs;	/* messages not tied to one page */
	int errors, warnings;
	char **outputs; /* files written, below the output folder */
	size_t noutputs, aoutputs;
	pthread_mutex_t lock; /* guards outputs and result counters */
	struct site_result *res;
};

/* Stands for an internal link's URL until phase C. No page can write it:
 * links with a scheme other than http, https, mailto and tel are refused. */
#define LINK_PLACEHOLDER "threecs-link:"
/* Where a page's form and a confirmation's reference go in the shells
 * intake fills in: TC_MARK_FORM and TC_MARK_REFERENCE (model/shells.h). */

/* Static files copied from content/ may be larger than a Markdown page. */
#define MAX_STATIC_FILE (64u * 1024 * 1024)

/* A list of malloc'd strings; {0} is empty. */
struct site_strlist {
	char **v;	 /* the strings, owned */
	size_t n, alloc; /* how many, and room for how many */
};

/* ---- util.c ---- */

/* A malloc'd string joined from a and b with one '/'. */
char *site_join(const char *a, const char *b);
int site_ends_with(const char *s, const char *suffix);
/* qsort and bsearch order of char * elements. */
int site_cmp_str(const void *a, const void *b);
/* Adds s, which the list then owns. */
void site_strlist_add(struct site_strlist *l, char *s);
/* Frees the strings and the list's array; leaves it empty. */
void site_strlist_release(struct site_strlist *l);
/*
 * Walks root/prefix, adding every regular file's path below root to files,
 * in sorted order. Skips names starting with '.' and, at the top level of
 * content/ (skip_data), the data folders. Returns 0 or -1 (errno set).
 */
/* 1 when content/NAME (name[0..len)) is a folder of data, not pages, with
 * *holds what it holds (NULL: letters/, Markdown that is no page). */
int site_data_dir(const char *name, size_t len, const char **holds);
void site_walk_skipped(const char *root, const char *prefix, int inside,
		       struct site_strlist *files);
int site_walk_files(const char *root, const char *prefix, int skip_data,
		    struct site_strlist *files);

/* ---- values.c ---- */

/* Fills s->values from site.yml and rules (NULL: none), and
 * s->timescales. */
void site_values_build(struct site *s, const struct tc_rules *rules);
/*
 * Copies src[0..len) to out with every {{ name }} replaced by its value:
 * escaped as Markdown text when markdown is set (as they are inside code),
 * as they are otherwise. An unknown or unset name is an error appended to
 * msgs as file:line:col (lines counted from first_line, columns on it
 * from first_col; 0 for either when not known). Returns the
 * number of errors.
 */
int site_values_expand(const struct site *s, struct tc_buf *msgs,
		       const char *file, int first_line, int first_col,
		       const char *src, size_t len, int markdown,
		       struct tc_buf *out);
/* Warns about every timescale typed by hand in src ("20 working days"
 * not written as a value). Returns the number of warnings. */
int site_values_lint(const struct site *s, struct tc_buf *msgs,
		     const char *file, int first_line, const char *src,
		     size_t len);

/* ---- pool.c ---- */

/* Calls fn(arg, i) for i in [0, n) on up to jobs threads, this one too. */
void site_run_parallel(size_t n, int jobs, void (*fn)(void *, size_t),
		       void *arg);

/* ---- pages.c: phase A for one page ---- */

/* Front matter key as a string, or NULL. */
const char *site_fm_string(struct page *pg, const char *key);
/*
 * Appends an error about node (a node of doc, or NULL for the document's
 * start) to msgs, placed at the node's line and column in file.
 */
void site_doc_error(struct tc_buf *msgs, const struct tc_yaml_doc *doc,
		    const char *file, const cJSON *node, const char *fmt,
		    va_list ap) __attribute__((format(printf, 5, 0)));
/* An error about front matter key (at the key's value, or line 1). */
void site_fm_error(struct page *pg, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Reads a page and its front matter and works out everything that depends
 * on them alone (title, layout, URL, ...). Returns 1 when the body is to be
 * read next, 0 when not (a draft, or the file could not be read).
 */
int site_load_front(struct site *s, struct page *pg);
/* Phase A for page i of the site (arg): front matter, then body. */
void site_load_page(void *arg, size_t i);
/* Frees all a page holds but its names, as it was when first found. */
void site_page_clear(struct page *pg);
/* Frees the page and all it holds; NULL is allowed. */
void site_page_free(struct page *pg);

/* ---- load.c: phase A ---- */

/* Every page, over two processes where it pays, else threads. */
void site_load_pages(struct site *s, int jobs);

/* ---- links.c ---- */

/* Whether pg has a heading with this id. */
int site_page_has_id(const struct page *pg, const char *id);

/* ---- checks.c: phase B ---- */

/* Resolves site.yml's nav or footer list into [{title, url, page}]. */
cJSON *site_resolve_menu(struct site *s, const char *key);
/* Reports what site.yml lacks or has wrong; fills in defaults. */
void site_check_config(struct site *s);
/* Layouts, links, forms and addresses of every page. */
void site_check_pages(struct site *s);
/* What check adds: overdue reviews, unreachable pages, shared titles. */
void site_warn_pages(struct site *s, const char *today);

/* ---- brand.c ---- */

/* Checks site.yml's logo, colours (their contrast too) and legal text. */
void site_check_brand(struct site *s);
/* Phase C: writes the colours' stylesheet and names it assets.brand_css.
 * Returns 0 or -1 (reported). */
int site_write_brand(struct site *s);

/* ---- theme.c ---- */

/* Adds every *.mustache in theme/sub/ to the set; names layouts. Returns 0,
 * or -1 when the folder cannot be read (reported). */
int site_load_templates(struct site *s, const char *sub, int is_layout);
/* Whether the theme has the layout name. */
int site_layout_exists(struct site *s, const char *name);

/* ---- output.c ---- */

/* Writes out/rel when its bytes changed. Returns 0 or -1 (reported). */
int site_write_output(struct site *s, const char *rel, const void *data,
		      size_t len);
/* Copies from to out/rel. Returns 0 or -1 (reported, counted). */
int site_copy_file(struct site *s, const char *from, const char *rel);
/* Removes what the last build wrote and this one did not; writes the new
 * manifest. */
void site_sync_manifest(struct site *s);

/* ---- render.c: phase C ---- */

/*
 * The context a layout sees (docs/site-format.md). fm may be NULL (the 404
 * page). Returns a tree the caller frees with cJSON_Delete; shared parts are
 * references, not copies.
 */
cJSON *site_page_context(struct site *s, struct page *pg, cJSON *fm,
			 const char *title, const char *summary,
			 const char *url, const char *html, cJSON *toc,
			 int want_toc);
/* Renders layout with ctx into out. Returns 0 or -1 (reported about what). */
int site_render_to(struct site *s, const char *layout, cJSON *ctx,
		   const char *what, struct tc_buf *out);
/*
 * The confirmation page of form f. In phase B (write 0) it checks the body
 * and its links and reports errors; in phase C it writes the page.
 */
void site_confirmation(struct site *s, const struct tc_form *f, int write);
/* Phase C for page i of the site (arg). */
void site_write_page(void *arg, size_t i);

/* ---- assets.c, sitemap.c ---- */

/* Hashes the theme's assets' names; fills s->assets, and names (sources)
 * and outs (paths below the output) for copying. Returns 0 or -1. */
int site_prepare_assets(struct site *s, struct site_strlist *names,
			struct site_strlist *outs);
/* Writes sitemap.xml, robots.txt and 404.html. */
void site_write_extras(struct site *s);

/* Appends "sitegen: [warning: ]file:line:col: msg\n" to msgs. */
void gen_msg(struct tc_buf *msgs, int warning, const char *file, int line,
	     int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Phase A for one page: parses the Markdown once, collects heading ids, the
 * contents list and the links, reports Markdown errors, and renders the body
 * into html. Links to other pages stay as LINK_PLACEHOLDER followed by the
 * link's index in pg->links until md_resolve_links (phase C). Returns the
 * number of errors added to the page.
 */
int md_process(struct site *site, struct page *pg, struct tc_buf *html);

/*
 * Phase C: copies html to out with every link placeholder replaced by the
 * built URL. Returns the number of links that did not resolve (phase B has
 * reported them already).
 */
int md_resolve_links(struct site *site, struct page *pg, const char *html,
		     struct tc_buf *out);

/*
 * Resolves a link written in page pg. Appends the URL to use to out (when
 * out is not NULL) and returns 0, or returns -1 and appends the reason
 * (without location) to why. Marks a linked page reachable.
 */
int site_resolve_link(struct site *site, struct page *pg, const char *url,
		      int is_image, struct tc_buf *out, struct tc_buf *why);

/* The page whose rel is rel, or NULL. */
struct page *site_find_page(struct site *site, const char *rel);

#endif
