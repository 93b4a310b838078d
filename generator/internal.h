/*
 * internal.h: what the generator's modules share and nothing else sees.
 */
#ifndef TC_GEN_INTERNAL_H
#define TC_GEN_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "forms.h"
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
	struct tc_yaml_doc *fm;	    /* front matter */
	const char *title;	    /* front matter title (owned by fm) */
	const char *summary;	    /* front matter summary (owned by fm) */
	const char *layout;	    /* layout name (owned by fm or static) */
	int draft;		    /* front matter draft: true */
	int menu_false;		    /* front matter menu: false */
	int reachable;		    /* linked from nav, footer or a page */
	char **ids;		    /* heading ids, sorted after phase A */
	size_t nids;		    /* how many */
	cJSON *toc;		    /* [{id, text, level}] */
	int want_toc;		    /* show the contents list */
	struct link_ref *links;	    /* links found in phase A */
	struct tc_buf body;	    /* phase A's HTML, links as placeholders */
	size_t nlinks;		    /* how many */
	const struct tc_form *form; /* the form this page embeds, or NULL */
	int form_line;		    /* where its block is */
	struct tc_buf msgs;   /* messages for this page, printed in order */
	int errors, warnings; /* counts of msgs */
};

struct site {
	const struct site_options *opt;
	struct tc_yaml_doc *cfg; /* site.yml */
	char *cfg_path;		 /* "content/site.yml" */
	struct page **pages;	 /* every page, sorted by rel */
	size_t npages;
	struct tc_tpl_set *tpl; /* the theme's templates */
	struct tc_forms *forms; /* content/forms, or NULL without forms */
	char **layouts;		/* names of the theme's layouts, sorted */
	size_t nlayouts;
	cJSON *assets;	     /* asset key -> hashed URL */
	cJSON *nav, *footer; /* resolved [{title, url, page}] */
	struct tc_buf msgs;  /* messages not tied to one page */
	int errors, warnings;
	char **outputs; /* files written, below the output folder */
	size_t noutputs, aoutputs;
	pthread_mutex_t lock; /* guards outputs and result counters */
	struct site_result *res;
};

/* Stands for an internal link's URL until phase C. No page can write it:
 * links with a scheme other than http, https, mailto and tel are refused. */
#define LINK_PLACEHOLDER "threecs-link:"
/* Stands where a page's form goes, in the shell intake fills in. */
#define FORM_MARKER "<!--threecs:form-->"
/* Stands where the reference goes on a confirmation page. */
#define REFERENCE_MARKER "@@REFERENCE@@"

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
