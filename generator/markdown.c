/*
 * markdown.c: a page's Markdown through cmark-gfm, with the AST walked to
 * give headings ids, build the contents list, check and rewrite links,
 * refuse images without alt text and replace fenced blocks by their handler.
 *
 * cmark's safe mode stays on: raw HTML and dangerous URLs never pass. The
 * HTML that sitegen itself adds (headings with ids, table regions,
 * flowcharts) goes in as custom blocks, which the renderer copies as they are.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "array.h"
#include "escape.h"
#include "flowchart.h"
#include "internal.h"
#include "utf8.h"

#define MD_OPTIONS (CMARK_OPT_SMART)

static pthread_once_t ext_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

/* A heading id in the walk's hash, and the suffix to try next after it. */
struct idslot {
	const char *id; /* owned by walk.used; NULL: empty */
	int next;	/* "id-N" for N below this are all taken (0: none) */
};

/* Everything one walk over one page needs. */
struct walk {
	struct site *site;    /* NULL when rendering without a site */
	struct page *pg;      /* the page (a scratch one without a site) */
	struct tc_buf *html;  /* NULL in phase A */
	cmark_parser *parser; /* owns the extension list */
	int line_off;	      /* add to cmark's lines for file lines */
	int flowcharts;	      /* flowcharts so far, for ids */
	int tables;	      /* tables so far, for labels */
	int timescales;	      /* timescales blocks so far (one is allowed) */
	char **used;	      /* heading ids used so far in this page */
	size_t nused, aused;
	struct idslot *slots; /* the same ids hashed: a page of many headings
				 with one name stays linear (NULL: none) */
	size_t nslots;	      /* a power of two, over twice nhashed */
	size_t nhashed;	      /* ids in slots */
	const char *last_heading; /* id of the heading before, for tables */
};

void gen_msg(struct tc_buf *msgs, int warning, const char *file, int line,
	     int col, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tc_buf_addf(msgs, "sitegen: %s%s", warning ? "warning: " : "", file);
	if (line > 0)
		tc_buf_addf(msgs, ":%d", line);
	if (line > 0 && col > 0)
		tc_buf_addf(msgs, ":%d", col);
	tc_buf_addf(msgs, ": %s\n", msg);
}

static void page_error(struct walk *w, cmark_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void page_error(struct walk *w, cmark_node *n, const char *fmt, ...)
{
	int line = n ? cmark_node_get_start_line(n) + w->line_off : 0;
	int col = n ? cmark_node_get_start_column(n) : 0;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gen_msg(&w->pg->msgs, 0, w->pg->path, line, col, "%s", msg);
	w->pg->errors++;
}

/* Collects the plain text below n (text, code, line breaks as spaces). */
static void plain_text(cmark_node *n, struct tc_buf *out)
{
	cmark_iter *it = cmark_iter_new(n);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *c = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(c);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE) {
			const char *s = cmark_node_get_literal(c);

			if (s)
				tc_buf_adds(out, s);
		} else if (t == CMARK_NODE_SOFTBREAK ||
			   t == CMARK_NODE_LINEBREAK) {
			tc_buf_addch(out, ' ');
		}
	}
	cmark_iter_free(it);
}

static size_t id_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot holding id, or NULL. */
static struct idslot *id_find(struct walk *w, const char *id)
{
	size_t i;

	if (!w->nslots)
		return NULL;
	for (i = id_hash(id) & (w->nslots - 1); w->slots[i].id;
	     i = (i + 1) & (w->nslots - 1))
		if (!strcmp(w->slots[i].id, id))
			return &w->slots[i];
	return NULL;
}

static void id_insert(struct walk *w, const char *id)
{
	size_t i;

	if ((w->nhashed + 1) * 2 > w->nslots) {
		struct idslot *old = w->slots;
		size_t k, nold = w->nslots;

		w->nslots = nold ? nold * 2 : 64;
		w->slots = calloc(w->nslots, sizeof(*w->slots));
		if (!w->slots)
			tc_die_nomem();
		for (k = 0; k < nold; k++) {
			if (!old[k].id)
				continue;
			for (i = id_hash(old[k].id) & (w->nslots - 1);
			     w->slots[i].id; i = (i + 1) & (w->nslots - 1))
				;
			w->slots[i] = old[k];
		}
		free(old);
	}
	for (i = id_hash(id) & (w->nslots - 1); w->slots[i].id;
	     i = (i + 1) & (w->nslots - 1))
		;
	w->slots[i].id = id;
	w->slots[i].next = 0;
	w->nhashed++;
}

static int id_used(struct walk *w, const char *id)
{
	return id_find(w, id) != NULL;
}

/* Gives a heading a unique id; returns it (owned by the walk) or NULL. */
static const char *unique_id(struct walk *w, const char *text)
{
	struct tc_buf slug = TC_BUF_INIT, base = TC_BUF_INIT, try = TC_BUF_INIT;
	struct idslot *hint;
	char *id = NULL;
	int n;

	/* Flowchart ids are flowchart-N-...: keep headings out of that space.
	 */
	tc_slug(&slug, text, strlen(text));
	if (!strncmp(slug.data, "flowchart-", 10))
		tc_buf_adds(&base, "section-");
	tc_buf_addbuf(&base, &slug);
	tc_buf_addbuf(&try, &base);
	if (!w->nslots)
		id_insert(w, "main-content"); /* the theme's */
	/* Suffixes below the hint were all taken before: start there. */
	hint = id_find(w, base.data);
	for (n = hint && hint->next > 2 ? hint->next : 2; id_used(w, try.data);
	     n++) {
		tc_buf_reset(&try);
		tc_buf_addf(&try, "%s-%d", base.data, n);
	}
	if (hint)
		hint->next = n;
	TC_ALLOC_GROW(w->used, w->nused + 1, w->aused);
	id = tc_buf_detach(&try, NULL);
	if (!id)
		tc_die_nomem();
	id_insert(w, id);
	w->used[w->nused++] = id;
	tc_buf_release(&slug);
	tc_buf_release(&base);
	return id;
}

/* Replaces node n by a custom block holding html. */
static void replace_with_html(cmark_node *n, const char *html)
{
	cmark_node *cb = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);

	if (!cb || !cmark_node_set_on_enter(cb, html) ||
	    !cmark_node_replace(n, cb))
		tc_die_nomem();
	cmark_node_free(n);
}

static char *render_node(struct walk *w, cmark_node *n)
{
	char *s = cmark_render_html(
	    n, MD_OPTIONS, cmark_parser_get_syntax_extensions(w->parser));

	if (!s)
		tc_die_nomem();
	return s;
}

static void do_heading(struct walk *w, cmark_node *n)
{
	struct tc_buf text = TC_BUF_INIT, html = TC_BUF_INIT;
	int level = cmark_node_get_heading_level(n);
	const char *id;
	char *inner;

	plain_text(n, &text);
	id = unique_id(w, text.data);
	w->last_heading = id;
	if (level == 1) {
		page_error(w, n,
			   "the page's title is its only level-1 heading: "
			   "use '##' for this heading");
		goto out;
	}
	if (level <= 3 && w->pg->toc) {
		cJSON *e = cJSON_CreateObject();

		if (!e || !cJSON_AddStringToObject(e, "id", id) ||
		    !cJSON_AddStringToObject(e, "text", text.data) ||
		    !cJSON_AddNumberToObject(e, "level", level))
			tc_die_nomem();
		cJSON_AddItemToArray(w->pg->toc, e);
	}
	/* cmark writes "<hN>...</hN>\n"; add the id to the opening tag. */
	inner = render_node(w, n);
	if (strncmp(inner, "<h", 2) != 0 || inner[2] < '1' || inner[2] > '6' ||
	    inner[3] != '>')
		TC_BUG("unexpected heading HTML from cmark");
	tc_buf_add(&html, inner, 3);
	tc_buf_adds(&html, " id=\"");
	tc_esc_attr(&html, id, strlen(id));
	tc_buf_addch(&html, '"');
	tc_buf_adds(&html, inner + 3);
	free(inner);
	replace_with_html(n, html.data);
out:
	tc_buf_release(&text);
	tc_buf_release(&html);
}

static int has_scheme(const char *url)
{
	const char *p = url;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':';
}

static int scheme_is(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);

	return !strncasecmp(url, scheme, n) && url[n] == ':';
}

static void do_link(struct walk *w, cmark_node *n, int is_image)
{
	const char *url = cmark_node_get_url(n);
	struct tc_buf alt = TC_BUF_INIT, out = TC_BUF_INIT, why = TC_BUF_INIT;

	if (!url)
		url = "";
	if (is_image) {
		const char *p;

		plain_text(n, &alt);
		for (p = alt.data; *p == ' ' || *p == '\t'; p++)
			;
		if (!*p)
			page_error(w, n,
				   "image '%s' needs alt text saying what it "
				   "shows: ![A description](picture.png)",
				   url);
	}
	if (!*url) {
		page_error(w, n, "empty link: write [text](page.md)");
		goto out;
	}
	if (has_scheme(url) || !strncmp(url, "//", 2)) {
		if (is_image)
			page_error(w, n,
				   "image '%s' is on another site: put the "
				   "file in content/ (pages make no "
				   "third-party requests)",
				   url);
		else if (!scheme_is(url, "http") && !scheme_is(url, "https") &&
			 !scheme_is(url, "mailto") && !scheme_is(url, "tel"))
			page_error(w, n,
				   "link '%s' is not allowed: links may use "
				   "https, http, mailto or tel",
				   url);
		goto out;
	}
	if (!w->site)
		goto out;
	{
		/* Resolved once every page's anchors are known (phase B); until
		 * then the link carries a placeholder (see md_resolve_links).
		 */
		struct page *pg = w->pg;
		struct link_ref *l;

		TC_ALLOC_GROW(pg->links, pg->nlinks + 1, pg->alinks);
		l = &pg->links[pg->nlinks++];
		l->url = strdup(url);
		if (!l->url)
			tc_die_nomem();
		l->line = cmark_node_get_start_line(n) + w->line_off;
		l->col = cmark_node_get_start_column(n);
		l->is_image = is_image;
		tc_buf_addf(&out, LINK_PLACEHOLDER "%zu", pg->nlinks - 1);
		cmark_node_set_url(n, out.data);
	}
out:
	tc_buf_release(&alt);
	tc_buf_release(&out);
	tc_buf_release(&why);
}

/* A "form NAME" block: the form is rendered in place at write time. */
static int do_form(struct walk *w, cmark_node *n, const char *rest, int line,
		   struct tc_error *err)
{
	const struct tc_form *f = NULL;
	char name[64];
	size_t len, i, nf;
	struct tc_buf known = TC_BUF_INIT;
	int col = cmark_node_get_start_column(n), rc = -1;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	len = strcspn(rest, " \t");
	if (len == 0 || len >= sizeof(name) ||
	    rest[len + strspn(rest + len, " \t")]) {
		tc_error_set(err, TC_ESYNTAX, w->pg->path, line, col,
			     "write a form block as ```form NAME, where NAME "
			     "is a file in content/forms/ without .yml");
		goto out;
	}
	memcpy(name, rest, len);
	name[len] = '\0';
	if (w->site && w->site->forms)
		f = tc_forms_find(w->site->forms, name);
	if (!f) {
		nf = w->site && w->site->forms ? tc_forms_count(w->site->forms)
					       : 0;
		for (i = 0; i < nf; i++)
			tc_buf_addf(&known, "%s%s", i ? ", " : "",
				    tc_form_id(tc_forms_at(w->site->forms, i)));
		tc_error_set(err, TC_ENOENT, w->pg->path, line, col,
			     "no form '%s' in content/forms/ (forms: %s)", name,
			     nf ? known.data : "none");
		goto out;
	}
	if (w->pg->form) {
		tc_error_set(err, TC_EDUP, w->pg->path, line, col,
			     "a page may hold one form; this one already has "
			     "'%s' at line %d",
			     tc_form_id(w->pg->form), w->pg->form_line);
		goto out;
	}
	w->pg->form = f;
	w->pg->form_line = line;
	replace_with_html(n, TC_MARK_FORM "\n");
	rc = 0;
out:
	tc_buf_release(&known);
	return rc;
}

/* A timescales block: the table of every procedure's steps, from the
 * rules, by the theme's timescales partial. */
static void do_timescales(struct walk *w, cmark_node *n, int line)
{
	struct tc_buf html = TC_BUF_INIT;
	struct site *s = w->site;

	if (++w->timescales > 1) {
		gen_msg(&w->pg->msgs, 0, w->pg->path, line, 1,
			"a page holds one timescales block: it shows every "
			"procedure already; take this one out");
		w->pg->errors++;
		return;
	}
	if (!s || !s->timescales) {
		gen_msg(&w->pg->msgs, 0, w->pg->path, line, 1,
			"a timescales block shows the rules' timescales, and "
			"there is no content/rules.yml: add it, or take the "
			"block out");
		w->pg->errors++;
		return;
	}
	if (site_render_to(s, "timescales", s->timescales, w->pg->path, &html) <
	    0) {
		w->pg->errors++;
		return;
	}
	replace_with_html(n, html.data);
	tc_buf_release(&html);
}

/*
 * A ```mermaid block is read as a flowchart (its syntax is a subset of
 * Mermaid's). Returns 1, with an error, when it holds another kind of
 * Mermaid diagram.
 */
static int mermaid_other(struct walk *w, const char *lit, int line)
{
	static const char *const kinds[] = {
	    "sequenceDiagram", "classDiagram", "stateDiagram", "erDiagram",
	    "gantt",	       "pie",	       "journey",      "gitGraph",
	    "mindmap",	       "timeline",     "quadrantChart"};
	size_t i, n;

	if (!lit)
		return 0;
	lit += strspn(lit, " \t\n\r");
	n = strcspn(lit, " \t\n\r-");
	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (n == strlen(kinds[i]) && !strncmp(lit, kinds[i], n)) {
			gen_msg(&w->pg->msgs, 0, w->pg->path, line, 1,
				"this ```mermaid block is a %s, and sitegen "
				"draws flowcharts only: write the steps as a "
				"flowchart (flowchart TD, see \"Flowcharts\" "
				"in docs/site-format.md), or as a list",
				kinds[i]);
			w->pg->errors++;
			return 1;
		}
	return 0;
}

static void do_code_block(struct walk *w, cmark_node *n)
{
	const char *info = cmark_node_get_fence_info(n);
	const char *lit = cmark_node_get_literal(n);
	int line = cmark_node_get_start_line(n) + w->line_off;
	struct tc_error err;
	struct flowchart *fc = NULL;
	struct tc_buf html = TC_BUF_INIT;
	char *caption = NULL;
	size_t word = 0;
	int flen, foff;
	char fch;

	if (!cmark_node_get_fenced(n, &flen, &foff, &fch)) {
		gen_msg(&w->pg->msgs, 1, w->pg->path, line, 1,
			"this text is indented by 4 spaces or a tab, so it "
			"shows as computer code in a box of its own: take the "
			"indent out (to show code on purpose, put it between "
			"``` lines)");
		w->pg->warnings++;
		return;
	}
	if (!info || !*info)
		return;
	word = strcspn(info, " \t");
	tc_error_clear(&err);
	if ((word == 9 && !strncmp(info, "flowchart", 9)) ||
	    (word == 7 && !strncmp(info, "mermaid", 7))) {
		if (word == 7 && mermaid_other(w, lit, line))
			goto out;
		if (flowchart_caption(info + word, w->pg->path, line, &caption,
				      &err) < 0)
			goto fail;
		fc = flowchart_parse(lit ? lit : "", lit ? strlen(lit) : 0,
				     w->pg->path, line + 1, &err);
		if (!fc)
			goto fail;
		w->flowcharts++;
		if (flowchart_render(fc, w->flowcharts, caption, &html) < 0)
			tc_die_nomem();
		replace_with_html(n, html.data);
	} else if (word == 4 && !strncmp(info, "form", 4)) {
		if (do_form(w, n, info + 4, line, &err) < 0)
			goto fail;
	} else if (word == 10 && !strncmp(info, "timescales", 10)) {
		do_timescales(w, n, line);
	}
	goto out;
fail : {
	char msg[1800];

	tc_error_format(&err, msg, sizeof(msg));
	tc_buf_addf(&w->pg->msgs, "sitegen: %s%s\n", msg,
		    word == 7 ? " (a ```mermaid block is read as a flowchart, "
				"which takes the part of Mermaid's syntax "
				"listed under \"Flowcharts\" in "
				"docs/site-format.md)"
			      : "");
	w->pg->errors++;
}
out:
	free(caption);
	flowchart_free(fc);
	tc_buf_release(&html);
}

static void do_table(struct walk *w, cmark_node *n)
{
	uint16_t cols = cmark_gfm_extensions_get_table_columns(n);
	uint8_t *align = cmark_gfm_extensions_get_table_alignments(n);
	struct tc_buf html = TC_BUF_INIT;
	char *inner;

	/* HTML5 has no align attribute and the CSP forbids style attributes:
	 * tables are aligned by the theme. */
	if (align && cols)
		memset(align, 0, cols);
	w->tables++;
	inner = render_node(w, n);
	tc_buf_adds(&html, "<div class=\"table-wrap\" role=\"region\" ");
	if (w->last_heading) {
		tc_buf_adds(&html, "aria-labelledby=\"");
		tc_esc_attr(&html, w->last_heading, strlen(w->last_heading));
		tc_buf_adds(&html, "\"");
	} else {
		tc_buf_addf(&html, "aria-label=\"Table %d\"", w->tables);
	}
	tc_buf_addf(&html, " tabindex=\"0\">\n%s</div>\n", inner);
	free(inner);
	replace_with_html(n, html.data);
	tc_buf_release(&html);
}

static void do_raw_html(struct walk *w, cmark_node *n)
{
	const char *lit = cmark_node_get_literal(n);

	while (lit && (*lit == ' ' || *lit == '\t' || *lit == '\n'))
		lit++;
	if (lit && !strncmp(lit, "<!--", 4)) {
		/* An editor's note: never published. */
		cmark_node_unlink(n);
		cmark_node_free(n);
		return;
	}
	page_error(w, n,
		   "raw HTML is not allowed in pages: write it in "
		   "Markdown (tables, lists, links and headings "
		   "cover most needs)");
}

/* ---- callouts: "> [!WARNING]", "> [!NOTE]", "> [!DETAILS] Summary" ---- */

enum callout { CALLOUT_NONE, CALLOUT_WARNING, CALLOUT_INSET, CALLOUT_DETAILS };

static const struct {
	const char *name;
	enum callout kind;
} callouts[] = {
    {"WARNING", CALLOUT_WARNING}, {"CAUTION", CALLOUT_WARNING},
    {"NOTE", CALLOUT_INSET},	  {"TIP", CALLOUT_INSET},
    {"IMPORTANT", CALLOUT_INSET}, {"INSET", CALLOUT_INSET},
    {"DETAILS", CALLOUT_DETAILS},
};

/* The "[!NAME]" opening a paragraph's text, into *name; its length in
 * bytes, or 0 when the paragraph does not start with one. */
static size_t callout_marker(cmark_node *para, struct tc_buf *name)
{
	struct tc_buf lead = TC_BUF_INIT;
	cmark_node *c;
	size_t i = 2;

	for (c = cmark_node_first_child(para);
	     c && cmark_node_get_type(c) == CMARK_NODE_TEXT && lead.len < 40;
	     c = cmark_node_next(c))
		tc_buf_adds(&lead, cmark_node_get_literal(c));
	if (lead.len < 4 || strncmp(lead.data, "[!", 2) != 0)
		i = 0;
	while (i && i < lead.len &&
	       ((lead.data[i] >= 'A' && lead.data[i] <= 'Z') ||
		(lead.data[i] >= 'a' && lead.data[i] <= 'z')))
		i++;
	if (i <= 2 || i >= lead.len || lead.data[i] != ']')
		i = 0;
	else
		tc_buf_add(name, lead.data + 2, i - 2);
	tc_buf_release(&lead);
	return i ? i + 1 : 0;
}

/* Drops the first n bytes of the paragraph's leading text nodes. */
static void drop_text(cmark_node *para, size_t n)
{
	cmark_node *c;

	while (n && (c = cmark_node_first_child(para)) != NULL &&
	       cmark_node_get_type(c) == CMARK_NODE_TEXT) {
		const char *lit = cmark_node_get_literal(c);
		size_t len = strlen(lit);

		if (len > n) {
			char *rest = tc_xstrdup(lit + n);

			cmark_node_set_literal(c, rest);
			free(rest);
			return;
		}
		n -= len;
		cmark_node_free(c);
	}
}

/* Takes the rest of the paragraph's first line out, as plain text. */
static void take_first_line(cmark_node *para, struct tc_buf *out)
{
	cmark_node *c;

	while ((c = cmark_node_first_child(para)) != NULL) {
		cmark_node_type t = cmark_node_get_type(c);

		if (t != CMARK_NODE_SOFTBREAK && t != CMARK_NODE_LINEBREAK)
			plain_text(c, out);
		cmark_node_free(c);
		if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			break;
	}
}

static enum callout callout_kind(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(callouts) / sizeof(*callouts); i++)
		if (!strcasecmp(name, callouts[i].name))
			return callouts[i].kind;
	return CALLOUT_NONE;
}

static void do_callout(struct walk *w, cmark_node *bq)
{
	cmark_node *para = cmark_node_first_child(bq), *c;
	struct tc_buf name = TC_BUF_INIT, summary = TC_BUF_INIT;
	struct tc_buf body = TC_BUF_INIT, html = TC_BUF_INIT;
	enum callout kind;
	cJSON *ctx;
	size_t n;

	if (!para || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH ||
	    !(n = callout_marker(para, &name)))
		goto out; /* a plain quote: inset text */
	kind = callout_kind(name.data);
	if (kind == CALLOUT_NONE) {
		page_error(w, bq,
			   "no callout '[!%s]': write [!WARNING] (or "
			   "[!CAUTION]) for warning text, [!NOTE] (or [!TIP], "
			   "[!IMPORTANT], [!INSET]) for inset text, or "
			   "[!DETAILS] and a summary for an expandable section",
			   name.data);
		goto out;
	}
	if (!w->site)
		goto out; /* no theme to draw it: stays a quote */
	drop_text(para, n);
	if (kind == CALLOUT_DETAILS) {
		take_first_line(para, &summary);
		while (summary.len && summary.data[summary.len - 1] == ' ')
			summary.data[--summary.len] = '\0';
		n = strspn(summary.data, " ");
		memmove(summary.data, summary.data + n, summary.len - n + 1);
		summary.len -= n;
	} else {
		/* "> [!NOTE] Text" or the text on the next line */
		c = cmark_node_first_child(para);
		if (c && cmark_node_get_type(c) == CMARK_NODE_TEXT)
			drop_text(para, strspn(cmark_node_get_literal(c), " "));
		c = cmark_node_first_child(para);
		if (c && cmark_node_get_type(c) == CMARK_NODE_SOFTBREAK)
			cmark_node_free(c);
	}
	if (!cmark_node_first_child(para))
		cmark_node_free(para);
	if (kind == CALLOUT_DETAILS && !summary.len) {
		page_error(w, bq,
			   "a [!DETAILS] callout needs its summary on the same "
			   "line, like '> [!DETAILS] Help with this'");
		goto out;
	}
	if (!cmark_node_first_child(bq)) {
		page_error(w, bq,
			   "the [!%s] callout is empty: write its text on the "
			   "lines below it, each starting with '>'",
			   name.data);
		goto out;
	}
	for (c = cmark_node_first_child(bq); c; c = cmark_node_next(c)) {
		char *s = render_node(w, c);

		tc_buf_adds(&body, s);
		free(s);
	}
	ctx = cJSON_CreateObject();
	if (!ctx ||
	    !cJSON_AddBoolToObject(ctx, "warning", kind == CALLOUT_WARNING) ||
	    !cJSON_AddBoolToObject(ctx, "inset", kind == CALLOUT_INSET) ||
	    !cJSON_AddBoolToObject(ctx, "details", kind == CALLOUT_DETAILS) ||
	    !cJSON_AddStringToObject(ctx, "summary", summary.data) ||
	    !cJSON_AddStringToObject(ctx, "body", body.data))
		tc_die_nomem();
	if (site_render_to(w->site, "callout", ctx, w->pg->path, &html) < 0)
		w->pg->errors++;
	else
		replace_with_html(bq, html.data);
	cJSON_Delete(ctx);
out:
	tc_buf_release(&name);
	tc_buf_release(&summary);
	tc_buf_release(&body);
	tc_buf_release(&html);
}

static int node_is_table(cmark_node *n)
{
	const char *t = cmark_node_get_type_string(n);

	return t && !strcmp(t, "table");
}

int md_resolve_links(struct site *site, struct page *pg, const char *html,
		     struct tc_buf *out)
{
	/* Only inside an attribute: text cannot hold an unescaped '="'. */
	static const char token[] = "=\"" LINK_PLACEHOLDER;
	const size_t plen = sizeof(token) - 1;
	struct tc_buf url = TC_BUF_INIT, why = TC_BUF_INIT;
	const char *p = html, *at;
	int errors = 0;

	while ((at = strstr(p, token)) != NULL) {
		const char *d = at + plen;
		size_t n = 0;

		tc_buf_add(out, p, (size_t)(at - p) + 2);
		while (*d >= '0' && *d <= '9')
			n = n * 10 + (size_t)(*d++ - '0');
		if (d == at + plen || n >= pg->nlinks)
			TC_BUG("bad link placeholder in rendered page");
		tc_buf_reset(&url);
		tc_buf_reset(&why);
		if (site_resolve_link(site, pg, pg->links[n].url,
				      pg->links[n].is_image, &url, &why) < 0)
			errors++; /* reported in phase B */
		/* cmark escaped the placeholder for an attribute; the URL
		 * goes in the same place, escaped the same way. */
		tc_esc_attr(out, url.data, url.len);
		p = d;
	}
	tc_buf_adds(out, p);
	tc_buf_release(&url);
	tc_buf_release(&why);
	return errors;
}

int md_process(struct site *site, struct page *pg, struct tc_buf *html)
{
	struct walk w = {0};
	cmark_node *doc = NULL, **nodes = NULL;
	size_t nnodes = 0, anodes = 0, i, bad;
	cmark_iter *it;
	cmark_event_type ev;
	const char *body = pg->text + pg->body_off;
	size_t blen = pg->len - pg->body_off;
	int errors_before = pg->errors;
	struct tc_buf expanded = TC_BUF_INIT;
	static const char *const exts[] = {"table", "strikethrough", "autolink",
					   "tagfilter"};

	pthread_once(&ext_once, register_extensions);
	w.site = site;
	w.pg = pg;
	w.html = html;
	w.line_off = pg->body_line - 1;
	if (!tc_utf8_is_text(body, blen, &bad)) {
		int line = pg->body_line, col = 1;

		for (i = 0; i < bad; i++, col++)
			if (body[i] == '\n')
				line++, col = 0;
		gen_msg(&pg->msgs, 0, pg->path, line, col,
			"the file is not valid UTF-8 text here: save it as "
			"UTF-8");
		pg->errors++;
		goto out;
	}
	if (site && site->values) {
		pg->warnings += site_values_lint(site, &pg->msgs, pg->path,
						 pg->body_line, body, blen);
		pg->errors +=
		    site_values_expand(site, &pg->msgs, pg->path, pg->body_line,
				       1, body, blen, 1, &expanded);
		body = expanded.data;
		blen = expanded.len;
	}
	/*
	 * cmark-gfm 0.29 keeps the extensions' special characters in one
	 * process-wide table that inline parsing sets and clears: in
	 * cmark_parser_finish, and also in cmark_parser_feed, where the table
	 * extension parses each row's cells as it reads them. Two parses at
	 * once would lose '~' or '|' in each other's text, so feed and finish
	 * are serialised; everything after them runs in parallel.
	 */
	pthread_mutex_lock(&parse_lock);
	w.parser = cmark_parser_new(MD_OPTIONS);
	if (!w.parser)
		tc_die_nomem();
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		cmark_syntax_extension *e =
		    cmark_find_syntax_extension(exts[i]);

		if (!e)
			TC_BUG("cmark-gfm extension missing");
		cmark_parser_attach_syntax_extension(w.parser, e);
	}
	cmark_parser_feed(w.parser, body, blen);
	doc = cmark_parser_finish(w.parser);
	pthread_mutex_unlock(&parse_lock);
	if (!doc)
		tc_die_nomem();

	/* Gather first, change after: the tree is not edited mid-walk. */
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t != CMARK_NODE_HEADING && t != CMARK_NODE_LINK &&
		    t != CMARK_NODE_IMAGE && t != CMARK_NODE_CODE_BLOCK &&
		    t != CMARK_NODE_HTML_BLOCK && t != CMARK_NODE_HTML_INLINE &&
		    t != CMARK_NODE_BLOCK_QUOTE && !node_is_table(n))
			continue;
		TC_ALLOC_GROW(nodes, nnodes + 1, anodes);
		nodes[nnodes++] = n;
	}
	cmark_iter_free(it);

	/* Links and raw HTML first, so headings and tables render rewritten
	 * links without editors' notes. Replacing a heading or a table frees
	 * the nodes inside it, so these are done with (NULL) before that. */
	for (i = 0; i < nnodes; i++) {
		cmark_node_type t = cmark_node_get_type(nodes[i]);

		if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE)
			do_link(&w, nodes[i], t == CMARK_NODE_IMAGE);
		else if (t == CMARK_NODE_HTML_BLOCK ||
			 t == CMARK_NODE_HTML_INLINE)
			do_raw_html(&w, nodes[i]);
		else
			continue;
		nodes[i] = NULL;
	}
	/* Headings, code blocks and tables: none lies inside another. */
	for (i = 0; i < nnodes; i++) {
		cmark_node_type t;

		if (!nodes[i])
			continue;
		t = cmark_node_get_type(nodes[i]);
		if (t == CMARK_NODE_BLOCK_QUOTE)
			continue;
		if (t == CMARK_NODE_HEADING)
			do_heading(&w, nodes[i]);
		else if (t == CMARK_NODE_CODE_BLOCK)
			do_code_block(&w, nodes[i]);
		else
			do_table(&w, nodes[i]);
		nodes[i] = NULL; /* freed, if it was replaced */
	}

	/* Callouts last, innermost first: each holds its content rendered. */
	for (i = nnodes; i-- > 0;)
		if (nodes[i] &&
		    cmark_node_get_type(nodes[i]) == CMARK_NODE_BLOCK_QUOTE)
			do_callout(&w, nodes[i]);

	/* Keep the ids, sorted, for link checks in phase B. */
	pg->ids = w.used;
	pg->nids = w.nused;
	w.used = NULL;
	w.nused = 0;
	if (pg->nids)
		qsort(pg->ids, pg->nids, sizeof(*pg->ids), site_cmp_str);
	{
		char *s = render_node(&w, doc);

		tc_buf_adds(html, s);
		free(s);
	}
out:
	for (i = 0; i < w.nused; i++)
		free(w.used[i]);
	free(w.used);
	free(w.slots);
	free(nodes);
	tc_buf_release(&expanded);
	if (doc)
		cmark_node_free(doc);
	if (w.parser)
		cmark_parser_free(w.parser);
	return pg->errors - errors_before;
}
