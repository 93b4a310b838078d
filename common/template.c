/*
 * template.c: a Mustache engine over cJSON contexts (see template.h).
 *
 * A template is compiled once into a flat array of nodes. A container
 * (section, inverted section, parent, block) owns the nodes after it up to
 * its end index, so the tree needs no pointers and rendering walks it with an
 * explicit stack of frames: nothing here recurses, whatever the input.
 *
 * Text, names and indentation live in one string pool per template; nodes
 * hold offsets into it. Every name in the pool is followed by a NUL so it can
 * be handed to the loader as it is.
 *
 * Indentation. A standalone partial or parent is indented by the whitespace
 * before its tag: every line of what it includes gets that whitespace first.
 * Rather than compile a copy of the partial per indentation, the compiler
 * marks each node that begins a source line (F_BOL) and the renderer keeps
 * the current indentation, writing it before such nodes and after each
 * newline inside a text node. Blocks follow the inheritance spec: the
 * indentation of a block's content is removed where the content is written
 * (the compiler strips it) and the indentation of the place it is expanded
 * is added (the renderer pushes it).
 *
 * Truthiness follows the spec's "!!data": false, null, a missing name, an
 * empty list, an empty string and the number 0 are falsey; everything else
 * (including an empty object) is truthy.
 */
#include "template.h"

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "limits.h"

enum node_type {
	N_NOP,	    /* nothing (text trimmed away after the fact) */
	N_TEXT,	    /* literal text */
	N_VAR,	    /* {{name}}, {{{name}}}, {{&name}} */
	N_SECTION,  /* {{#name}} ... {{/name}} */
	N_INVERTED, /* {{^name}} ... {{/name}} */
	N_PARTIAL,  /* {{>name}} */
	N_PARENT,   /* {{<name}} ... {{/name}}: only its blocks count */
	N_BLOCK,    /* {{$name}} ... {{/name}} */
};

#define F_BOL	     1 /* begins a source line: write the indentation first */
#define F_ESCAPE     2 /* N_VAR: HTML-escape the value */
#define F_STANDALONE 4 /* N_PARTIAL, N_PARENT: alone on its line */
#define F_ALONE	     8 /* N_BLOCK: the tag took its line; indent all lines */

struct node {
	unsigned char type;  /* enum node_type */
	unsigned char flags; /* F_* */
	int line, col;	     /* where the tag is, for render errors */
	size_t off, len;     /* N_TEXT: the text; others: the name (pool) */
	size_t end;	     /* containers: index just past the content */
	size_t ind_off;	     /* partial, parent: indentation; block: for an */
	size_t ind_len;	     /*   override expanded here (pool) */
	size_t def_off;	     /* block: indentation for its own default */
	size_t def_len;	     /*   content (pool) */
	size_t next;	     /* parent: its first block; block: next sibling */
};

struct tpl {
	struct node *nodes; /* the program, in source order */
	size_t n;	    /* nodes in use */
	size_t alloc;	    /* nodes allocated */
	struct tc_buf pool; /* text, names and indentation */
	char *file;	    /* source file for messages (never NULL) */
};

struct entry {
	char *name;	 /* template name, NUL-terminated */
	size_t len;	 /* strlen(name) */
	struct tpl *tpl; /* the template, or NULL: known not to exist */
};

struct tc_tpl_set {
	tc_tpl_load_fn load;   /* finds sources not added; may be NULL */
	void *arg;	       /* for load */
	pthread_mutex_t lock;  /* guards everything below */
	struct entry *entries; /* named templates and known misses */
	size_t n, alloc;       /* entries in use and allocated */
	struct tpl **retired;  /* templates replaced while renders may run */
	size_t nretired, aretired;
};

/* --- templates ---------------------------------------------------------- */

static void tpl_free(struct tpl *t)
{
	if (!t)
		return;
	free(t->nodes);
	tc_buf_release(&t->pool);
	free(t->file);
	free(t);
}

/* Returns a new empty template for file, or NULL; tpl_free frees it. */
static struct tpl *tpl_new(const char *file)
{
	struct tpl *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	tc_buf_init(&t->pool, 0);
	t->file = strdup(file ? file : "");
	if (!t->file) {
		free(t);
		return NULL;
	}
	return t;
}

static const char *pool_at(const struct tpl *t, size_t off)
{
	return t->pool.data + off;
}

/* --- compiling ---------------------------------------------------------- */

struct open_tag {
	size_t node;	/* the container node */
	size_t pos;	/* source offset of the tag */
	size_t strip;	/* the compiler's strip to restore at the close */
	int line;	/* source line of the tag */
	int left_clear; /* only whitespace before the tag on its line */
	long ws_node;	/* parent: text node ending in that whitespace, or -1 */
	size_t ws_off;	/* parent: where the whitespace starts (pool) */
	size_t ws_src;	/* parent: where it starts (source) */
	size_t ws_len;	/* parent: its length */
	size_t last;	/* parent: last block linked into its list, or 0 */
};

struct compiler {
	const char *src; /* the source */
	size_t len;	 /* its length */
	size_t pos;	 /* where scanning is */
	struct tpl *t;	 /* what is being built */
	struct tc_error *err;
	const char *otag; /* current opening delimiter (points into src or */
	size_t olen;	  /*   a literal) */
	const char *ctag; /* current closing delimiter */
	size_t clen;
	size_t next_otag; /* cached position of the next otag at or after pos */
	int otag_valid;	  /* next_otag is usable */
	struct open_tag open[TC_MAX_DEPTH]; /* open containers */
	int depth;			    /* how many */
	size_t strip;	  /* leading blanks to drop from each line (blocks) */
	int line_start;	  /* pos is at the start of a source line */
	int line_dirty;	  /* a tag or non-blank text is already on this line */
	int bol;	  /* the next node begins a source line */
	size_t line_src;  /* source offset of this line, after the strip */
	long text;	  /* index of the text node being extended, or -1 */
	int line_in_text; /* this line's text begins inside that node */
	size_t line_off;  /* pool offset where it begins */
	size_t cl_off;	  /* line/column cache: source offset, */
	int cl_line;	  /*   its line */
	int cl_col;	  /*   and its column */
};

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Returns the first occurrence of needle in hay[from..n), or n. */
static size_t find(const char *hay, size_t n, size_t from, const char *needle,
		   size_t m)
{
	const char *p;

	while (from + m <= n) {
		p = memchr(hay + from, needle[0], n - from - m + 1);
		if (!p)
			break;
		from = (size_t)(p - hay);
		if (memcmp(p, needle, m) == 0)
			return from;
		from++;
	}
	return n;
}

/* Line and column (from 1, in UTF-8 characters) of source offset off. */
static void where(struct compiler *c, size_t off, int *line, int *col)
{
	size_t i;

	if (off < c->cl_off) {
		c->cl_off = 0;
		c->cl_line = 1;
		c->cl_col = 1;
	}
	for (i = c->cl_off; i < off && i < c->len; i++) {
		if (c->src[i] == '\n') {
			c->cl_line++;
			c->cl_col = 1;
		} else if (((unsigned char)c->src[i] & 0xC0) != 0x80) {
			c->cl_col++;
		}
	}
	c->cl_off = i;
	*line = c->cl_line;
	*col = c->cl_col;
}

/*
 * Copies up to 60 bytes of a name into out (size n) for a message: control
 * bytes and bytes outside ASCII become '?', so messages stay printable.
 */
static const char *shown(const char *s, size_t len, char *out, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < len && k + 4 < n && i < 60; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[k++] = (ch < 0x20 || ch >= 0x7F) ? '?' : (char)ch;
	}
	if (i < len && k + 4 < n) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return out;
}

static int cerr(struct compiler *c, int code, size_t off, const char *msg,
		const char *subject, size_t slen)
{
	char name[80];
	int line, col;

	where(c, off, &line, &col);
	if (subject)
		tc_error_set(c->err, code, c->t->file, line, col, "%s '%s'",
			     msg, shown(subject, slen, name, sizeof(name)));
	else
		tc_error_set(c->err, code, c->t->file, line, col, "%s", msg);
	return -1;
}

static int nomem(struct tc_error *err, const char *file)
{
	tc_error_set(err, TC_ENOMEM, file, 0, 0, "out of memory");
	return -1;
}

/* Appends a zeroed node; returns its index or -1 when out of memory. */
static long add_node(struct compiler *c, int type, size_t at)
{
	struct node *nd;

	if (c->t->n == c->t->alloc) {
		size_t na = c->t->alloc ? c->t->alloc * 2 : 64;
		struct node *p = realloc(c->t->nodes, na * sizeof(*p));

		if (!p)
			return nomem(c->err, c->t->file);
		c->t->nodes = p;
		c->t->alloc = na;
	}
	nd = &c->t->nodes[c->t->n];
	memset(nd, 0, sizeof(*nd));
	nd->type = (unsigned char)type;
	where(c, at, &nd->line, &nd->col);
	return (long)c->t->n++;
}

/* Appends s[0..n) and a NUL to the pool; *off gets where it starts. */
static int pool_add(struct compiler *c, const char *s, size_t n, size_t *off)
{
	*off = c->t->pool.len;
	if (tc_buf_add(&c->t->pool, s, n) < 0 ||
	    tc_buf_addch(&c->t->pool, '\0') < 0)
		return nomem(c->err, c->t->file);
	return 0;
}

static void begin_line(struct compiler *c)
{
	size_t k = 0;

	c->line_start = 0;
	c->line_dirty = 0;
	c->bol = 1;
	c->line_in_text = 0;
	while (k < c->strip && c->pos < c->len && is_blank(c->src[c->pos])) {
		c->pos++;
		k++;
	}
	c->line_src = c->pos;
}

static int add_text(struct compiler *c, const char *s, size_t n)
{
	struct node *nd;
	size_t i;

	if (c->text < 0) {
		long id = add_node(c, N_TEXT, (size_t)(s - c->src));

		if (id < 0)
			return -1;
		nd = &c->t->nodes[id];
		nd->off = c->t->pool.len;
		if (c->bol)
			nd->flags |= F_BOL;
		c->bol = 0;
		c->text = id;
	}
	if (!c->line_dirty && !c->line_in_text) {
		c->line_in_text = 1;
		c->line_off = c->t->pool.len;
	}
	if (tc_buf_add(&c->t->pool, s, n) < 0)
		return nomem(c->err, c->t->file);
	c->t->nodes[c->text].len += n;
	for (i = 0; i < n && !c->line_dirty; i++)
		if (!is_space(s[i]))
			c->line_dirty = 1;
	return 0;
}

/*
 * Drops the whitespace that began this line from the text node just closed
 * (a standalone tag takes its whole line).
 */
static void trim_line(struct compiler *c, long last_text)
{
	struct node *nd;

	if (last_text < 0 || !c->line_in_text)
		return;
	nd = &c->t->nodes[last_text];
	nd->len = c->line_off - nd->off;
	if (nd->len == 0) {
		nd->type = N_NOP;
		nd->flags = 0;
	}
	c->line_in_text = 0;
}

/*
 * If only blanks follow source offset from up to a line end (or the end of
 * the source), returns the offset just past that line end; else returns
 * (size_t)-1.
 */
static size_t right_clear(const struct compiler *c, size_t from)
{
	size_t i = from;

	while (i < c->len && is_blank(c->src[i]))
		i++;
	if (i == c->len)
		return i;
	if (c->src[i] == '\n')
		return i + 1;
	if (c->src[i] == '\r' && i + 1 < c->len && c->src[i + 1] == '\n')
		return i + 2;
	return (size_t)-1;
}

/* Leading blanks at source offset from. */
static size_t blanks_at(const struct compiler *c, size_t from)
{
	size_t i = from;

	while (i < c->len && is_blank(c->src[i]))
		i++;
	return i - from;
}

struct tag {
	int type; /* 0 for a variable, else the sigil: & { # ^ / ! = > < $ */
	size_t start;	  /* source offset of the opening delimiter */
	size_t end;	  /* source offset just past the closing delimiter */
	const char *body; /* the content, trimmed */
	size_t blen;
};

static int parse_tag(struct compiler *c, struct tag *tg)
{
	const char *s = c->src;
	size_t p = c->pos + c->olen, q, b, e;
	char want = 0;

	tg->start = c->pos;
	tg->type = 0;
	while (p < c->len && is_blank(s[p]))
		p++;
	if (p < c->len && s[p] != '\0' && strchr("&{#^/!=><$", s[p])) {
		tg->type = s[p];
		p++;
	}
	if (tg->type == '{')
		want = '}';
	else if (tg->type == '=')
		want = '=';
	q = p;
	for (;;) {
		q = find(s, c->len, q, c->ctag, c->clen);
		if (q == c->len) {
			char hint[80];

			snprintf(hint, sizeof(hint),
				 "unclosed tag (add %s%.*s)",
				 want == '}' ? "}" : "", (int)c->clen, c->ctag);
			return cerr(c, TC_ESYNTAX, tg->start, hint, NULL, 0);
		}
		if (!want || (q > p && s[q - 1] == want))
			break;
		q++;
	}
	tg->end = q + c->clen;
	b = p;
	e = want ? q - 1 : q;
	while (b < e && is_space(s[b]))
		b++;
	while (e > b && is_space(s[e - 1]))
		e--;
	tg->body = s + b;
	tg->blen = e - b;
	return 0;
}

/* Checks a tag's name: not empty, no blanks or NUL, sane dotted parts. */
static int check_name(struct compiler *c, const struct tag *tg, int dotted)
{
	size_t i;

	if (tg->blen == 0)
		return cerr(c, TC_ESYNTAX, tg->start, "empty tag", NULL, 0);
	for (i = 0; i < tg->blen; i++) {
		if (is_space(tg->body[i]) || tg->body[i] == '\0')
			return cerr(c, TC_ESYNTAX, tg->start,
				    "invalid tag name", tg->body, tg->blen);
	}
	if (!dotted || (tg->blen == 1 && tg->body[0] == '.'))
		return 0;
	for (i = 0; i < tg->blen; i++) {
		if (tg->body[i] == '.' &&
		    (i == 0 || i + 1 == tg->blen || tg->body[i + 1] == '.'))
			return cerr(c, TC_ESYNTAX, tg->start,
				    "empty part in dotted name", tg->body,
				    tg->blen);
	}
	return 0;
}

static int set_delims(struct compiler *c, const struct tag *tg)
{
	const char *s = tg->body;
	size_t n = tg->blen, i = 0, a;

	while (i < n && !is_space(s[i]) && s[i] != '=')
		i++;
	a = i;
	while (i < n && is_space(s[i]))
		i++;
	if (a == 0 || i == a || i == n)
		goto bad;
	c->otag = s;
	c->olen = a;
	c->ctag = s + i;
	c->clen = n - i;
	for (i = 0; i < c->clen; i++)
		if (is_space(c->ctag[i]) || c->ctag[i] == '=')
			goto bad;
	c->otag_valid = 0;
	return 0;
bad:
	return cerr(c, TC_ESYNTAX, tg->start,
		    "invalid set delimiters tag (write it as {{=<% %>=}})",
		    NULL, 0);
}

static int in_parent(const struct compiler *c)
{
	return c->depth > 0 &&
	       c->t->nodes[c->open[c->depth - 1].node].type == N_PARENT;
}

/* Makes a node for a tag; takes the pending start-of-line mark if asked. */
static long tag_node(struct compiler *c, int type, const struct tag *tg,
		     int take_bol)
{
	long id = add_node(c, type, tg->start);

	if (id < 0)
		return -1;
	if (pool_add(c, tg->body, tg->blen, &c->t->nodes[id].off) < 0)
		return -1;
	c->t->nodes[id].len = tg->blen;
	if (take_bol && c->bol) {
		c->t->nodes[id].flags |= F_BOL;
		c->bol = 0;
	}
	return id;
}

static int open_container(struct compiler *c, long id, const struct tag *tg,
			  int left_clear)
{
	struct open_tag *o;

	if (c->depth >= TC_MAX_DEPTH) {
		char msg[64];

		snprintf(msg, sizeof(msg), "nesting deeper than %d",
			 TC_MAX_DEPTH);
		return cerr(c, TC_EDEPTH, tg->start, msg, NULL, 0);
	}
	o = &c->open[c->depth++];
	memset(o, 0, sizeof(*o));
	o->node = (size_t)id;
	o->pos = tg->start;
	o->strip = c->strip;
	o->left_clear = left_clear;
	o->ws_node = -1;
	{
		int col;

		where(c, tg->start, &o->line, &col);
	}
	return 0;
}

static int close_tag(struct compiler *c, const struct tag *tg, long last_text,
		     int left_clear, size_t rc)
{
	struct open_tag *o;
	struct node *nd;
	const char *name;
	int line, col;

	if (check_name(c, tg, 0) < 0)
		return -1;
	if (c->depth == 0)
		return cerr(c, TC_ESYNTAX, tg->start,
			    "close tag without an open section", tg->body,
			    tg->blen);
	o = &c->open[c->depth - 1];
	nd = &c->t->nodes[o->node];
	name = pool_at(c->t, nd->off);
	if (nd->len != tg->blen || memcmp(name, tg->body, tg->blen) != 0) {
		char a[80], b[80];

		where(c, tg->start, &line, &col);
		tc_error_set(c->err, TC_ESYNTAX, c->t->file, line, col,
			     "close tag '%s' does not match open section '%s'",
			     shown(tg->body, tg->blen, a, sizeof(a)),
			     shown(name, nd->len, b, sizeof(b)));
		return -1;
	}
	c->pos = tg->end;
	c->line_dirty = 1;
	if (nd->type == N_PARENT) {
		c->bol = 0;
		/* Text inside a parent is ignored, so the close tag clears
		 * on the left unless it shares a line with the opening tag,
		 * which must then clear. */
		where(c, tg->start, &line, &col);
		if (rc != (size_t)-1 && (line != o->line || o->left_clear)) {
			c->pos = rc;
			c->line_start = rc > tg->end && c->src[rc - 1] == '\n';
			if (o->left_clear && !(nd->flags & F_STANDALONE)) {
				if (o->ws_node >= 0) {
					struct node *w =
					    &c->t->nodes[o->ws_node];

					w->len = o->ws_off - w->off;
					if (w->len == 0) {
						w->type = N_NOP;
						w->flags = 0;
					}
				}
				if (pool_add(c, c->src + o->ws_src, o->ws_len,
					     &nd->ind_off) < 0)
					return -1;
				nd->ind_len = o->ws_len;
				nd->flags |= F_STANDALONE;
				nd->flags &= (unsigned char)~F_BOL;
			}
		}
	} else if (nd->type == N_BLOCK && c->depth >= 2 &&
		   c->t->nodes[c->open[c->depth - 2].node].type == N_PARENT) {
		/* A block handed to a parent: drop the indentation before
		 * the close tag, never the line end (it is ignored text). */
		if (left_clear)
			trim_line(c, last_text);
	} else if (left_clear && rc != (size_t)-1) {
		trim_line(c, last_text);
		c->pos = rc;
		c->line_start = rc > tg->end && c->src[rc - 1] == '\n';
	}
	c->strip = o->strip;
	nd->end = c->t->n;
	c->depth--;
	return 0;
}

static int block_tag(struct compiler *c, const struct tag *tg, long last_text,
		     int left_clear, size_t rc)
{
	int handed = in_parent(c);
	struct node *nd;
	long id;
	size_t k, extra;

	if (check_name(c, tg, 0) < 0)
		return -1;
	id = tag_node(c, N_BLOCK, tg, !(left_clear && rc != (size_t)-1));
	if (id < 0 || open_container(c, id, tg, left_clear) < 0)
		return -1;
	nd = &c->t->nodes[id];
	if (handed) {
		struct open_tag *p = &c->open[c->depth - 2];

		if (p->last)
			c->t->nodes[p->last].next = (size_t)id;
		else
			c->t->nodes[p->node].next = (size_t)id;
		p->last = (size_t)id;
	}
	c->pos = tg->end;
	if (rc != (size_t)-1 && (handed || left_clear)) {
		/* The content starts on the next line; its indentation
		 * (beyond what is already stripped) is the block's own. */
		if (left_clear)
			trim_line(c, last_text);
		c->pos = rc;
		c->line_start = rc > tg->end && c->src[rc - 1] == '\n';
		k = blanks_at(c, rc);
		extra = k > c->strip ? k - c->strip : 0;
		if (!handed) {
			if (pool_add(c, c->src + rc + (k - extra), extra,
				     &nd->ind_off) < 0)
				return -1;
			nd->ind_len = extra;
			nd->def_off = nd->ind_off;
			nd->def_len = extra;
			nd->flags |= F_ALONE;
		}
		c->strip += extra;
		return 0;
	}
	c->line_dirty = 1;
	if (handed)
		c->bol = 1; /* an override always begins a line of its own */
	if (!handed && left_clear) {
		if (pool_add(c, c->src + c->line_src, tg->start - c->line_src,
			     &nd->ind_off) < 0)
			return -1;
		nd->ind_len = tg->start - c->line_src;
	}
	return 0;
}

static int parent_tag(struct compiler *c, const struct tag *tg, long last_text,
		      int left_clear, size_t rc)
{
	struct open_tag *o;
	struct node *nd;
	long id;

	if (check_name(c, tg, 0) < 0)
		return -1;
	id = tag_node(c, N_PARENT, tg, !(left_clear && rc != (size_t)-1));
	if (id < 0 || open_container(c, id, tg, left_clear) < 0)
		return -1;
	o = &c->open[c->depth - 1];
	nd = &c->t->nodes[id];
	c->pos = tg->end;
	if (left_clear) {
		o->ws_src = c->line_src;
		o->ws_len = tg->start - c->line_src;
		if (c->line_in_text && last_text >= 0) {
			o->ws_node = last_text;
			o->ws_off = c->line_off;
		}
	}
	if (left_clear && rc != (size_t)-1) {
		if (pool_add(c, c->src + o->ws_src, o->ws_len, &nd->ind_off) <
		    0)
			return -1;
		nd->ind_len = o->ws_len;
		nd->flags |= F_STANDALONE;
		trim_line(c, last_text);
		c->pos = rc;
		c->line_start = rc > tg->end && c->src[rc - 1] == '\n';
		return 0;
	}
	c->line_dirty = 1;
	return 0;
}

static int handle_tag(struct compiler *c)
{
	struct tag tg;
	long last_text = c->text, id;
	int left_clear, alone;
	size_t rc;

	if (parse_tag(c, &tg) < 0)
		return -1;
	c->text = -1;
	left_clear = !c->line_dirty;
	rc = right_clear(c, tg.end);
	alone = left_clear && rc != (size_t)-1;

	switch (tg.type) {
	case 0:
	case '&':
	case '{':
		if (check_name(c, &tg, 1) < 0)
			return -1;
		id = tag_node(c, N_VAR, &tg, 1);
		if (id < 0)
			return -1;
		if (tg.type == 0)
			c->t->nodes[id].flags |= F_ESCAPE;
		c->pos = tg.end;
		c->line_dirty = 1;
		return 0;
	case '#':
	case '^':
		if (check_name(c, &tg, 1) < 0)
			return -1;
		id = tag_node(c, tg.type == '#' ? N_SECTION : N_INVERTED, &tg,
			      !alone);
		if (id < 0 || open_container(c, id, &tg, left_clear) < 0)
			return -1;
		break;
	case '/':
		return close_tag(c, &tg, last_text, left_clear, rc);
	case '!':
		break;
	case '=':
		if (set_delims(c, &tg) < 0)
			return -1;
		break;
	case '>':
		if (check_name(c, &tg, 0) < 0)
			return -1;
		id = tag_node(c, N_PARTIAL, &tg, !alone);
		if (id < 0)
			return -1;
		if (alone) {
			struct node *nd = &c->t->nodes[id];

			nd->flags |= F_STANDALONE;
			nd->ind_len = tg.start - c->line_src;
			if (pool_add(c, c->src + c->line_src, nd->ind_len,
				     &nd->ind_off) < 0)
				return -1;
		}
		break;
	case '<':
		return parent_tag(c, &tg, last_text, left_clear, rc);
	case '$':
		return block_tag(c, &tg, last_text, left_clear, rc);
	default:
		TC_BUG("unknown tag type");
	}
	if (alone) {
		trim_line(c, last_text);
		c->pos = rc;
		c->line_start = rc > tg.end && c->src[rc - 1] == '\n';
	} else {
		c->pos = tg.end;
		c->line_dirty = 1;
	}
	return 0;
}

/*
 * Compiles src[0..len); returns the template (tpl_free frees it) or NULL
 * with err filled.
 */
static struct tpl *compile(const char *src, size_t len, const char *file,
			   struct tc_error *err)
{
	struct compiler c;
	struct tpl *t = NULL, *ret = NULL;

	if (len > TC_MAX_SOURCE_FILE) {
		tc_error_set(err, TC_ETOOBIG, file, 0, 0,
			     "template is over %u bytes", TC_MAX_SOURCE_FILE);
		goto out;
	}
	t = tpl_new(file);
	if (!t) {
		nomem(err, file);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.src = src ? src : "";
	c.len = src ? len : 0;
	c.t = t;
	c.err = err;
	c.otag = "{{";
	c.olen = 2;
	c.ctag = "}}";
	c.clen = 2;
	c.line_start = 1;
	c.text = -1;
	c.cl_line = 1;
	c.cl_col = 1;
	while (c.pos < c.len) {
		size_t stop;
		const char *nl;

		if (c.line_start) {
			begin_line(&c);
			if (c.pos >= c.len)
				break;
		}
		if (!c.otag_valid || c.next_otag < c.pos) {
			c.next_otag = find(c.src, c.len, c.pos, c.otag, c.olen);
			c.otag_valid = 1;
		}
		if (c.next_otag == c.pos) {
			if (handle_tag(&c) < 0)
				goto out;
			continue;
		}
		stop = c.next_otag;
		nl = memchr(c.src + c.pos, '\n', stop - c.pos);
		if (nl)
			stop = (size_t)(nl - c.src) + 1;
		if (add_text(&c, c.src + c.pos, stop - c.pos) < 0)
			goto out;
		c.pos = stop;
		if (nl)
			c.line_start = 1;
	}
	if (c.depth > 0) {
		struct open_tag *o = &c.open[c.depth - 1];
		struct node *nd = &t->nodes[o->node];
		char name[80];
		int line, col;

		where(&c, o->pos, &line, &col);
		shown(pool_at(t, nd->off), nd->len, name, sizeof(name));
		tc_error_set(err, TC_ESYNTAX, t->file, line, col,
			     "unclosed section '%s' (opened here; add "
			     "%.*s/%s%.*s)",
			     name, (int)c.olen, c.otag, name, (int)c.clen,
			     c.ctag);
		goto out;
	}
	ret = t;
	t = NULL;
out:
	tpl_free(t);
	return ret;
}

/* --- sets --------------------------------------------------------------- */

struct tc_tpl_set *tc_tpl_set_new(tc_tpl_load_fn load, void *arg)
{
	struct tc_tpl_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	if (pthread_mutex_init(&set->lock, NULL) != 0) {
		free(set);
		return NULL;
	}
	set->load = load;
	set->arg = arg;
	return set;
}

void tc_tpl_set_free(struct tc_tpl_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->entries[i].name);
		tpl_free(set->entries[i].tpl);
	}
	for (i = 0; i < set->nretired; i++)
		tpl_free(set->retired[i]);
	free(set->entries);
	free(set->retired);
	pthread_mutex_destroy(&set->lock);
	free(set);
}

/* Returns the entry called name[0..len), or NULL. Lock held. */
static struct entry *set_find(struct tc_tpl_set *set, const char *name,
			      size_t len)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->entries[i].len == len &&
		    memcmp(set->entries[i].name, name, len) == 0)
			return &set->entries[i];
	return NULL;
}

/*
 * Stores t (may be NULL for a known miss) as name, retiring any template
 * of that name (renders may still be using it). Lock held. On failure t is
 * left to the caller.
 */
static int set_put(struct tc_tpl_set *set, const char *name, size_t len,
		   struct tpl *t)
{
	struct entry *e = set_find(set, name, len);

	if (e) {
		if (e->tpl) {
			if (set->nretired == set->aretired) {
				size_t na =
				    set->aretired ? set->aretired * 2 : 8;
				struct tpl **p =
				    realloc(set->retired, na * sizeof(*p));

				if (!p)
					return -1;
				set->retired = p;
				set->aretired = na;
			}
			set->retired[set->nretired++] = e->tpl;
		}
		e->tpl = t;
		return 0;
	}
	if (set->n == set->alloc) {
		size_t na = set->alloc ? set->alloc * 2 : 16;
		struct entry *p = realloc(set->entries, na * sizeof(*p));

		if (!p)
			return -1;
		set->entries = p;
		set->alloc = na;
	}
	e = &set->entries[set->n];
	e->name = malloc(len + 1);
	if (!e->name)
		return -1;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = len;
	e->tpl = t;
	set->n++;
	return 0;
}

int tc_tpl_add(struct tc_tpl_set *set, const char *name, const char *file,
	       const char *src, size_t len, struct tc_error *err)
{
	struct tpl *t = NULL;
	int ret = -1;

	t = compile(src, len, file ? file : name, err);
	if (!t)
		goto out;
	pthread_mutex_lock(&set->lock);
	if (set_put(set, name, strlen(name), t) < 0) {
		pthread_mutex_unlock(&set->lock);
		nomem(err, file);
		goto out;
	}
	pthread_mutex_unlock(&set->lock);
	t = NULL;
	ret = 0;
out:
	tpl_free(t);
	return ret;
}

/*
 * Finds the template called name (NUL-terminated, len bytes), loading and
 * compiling it on first use. *out is NULL when there is no such template.
 * Returns 0, or -1 with err filled. The template belongs to the set.
 */
static int set_get(struct tc_tpl_set *set, const char *name, size_t len,
		   const struct tpl **out, struct tc_error *err)
{
	struct tc_buf src = TC_BUF_INIT, file = TC_BUF_INIT;
	struct entry *e;
	struct tpl *t = NULL;
	int ret = -1, rc;

	*out = NULL;
	pthread_mutex_lock(&set->lock);
	e = set_find(set, name, len);
	if (e) {
		*out = e->tpl;
		ret = 0;
		goto out;
	}
	if (!set->load) {
		ret = 0;
		goto out;
	}
	tc_buf_setcap(&src, TC_MAX_SOURCE_FILE);
	tc_buf_setcap(&file, sizeof(err->file));
	rc = set->load(set->arg, name, &src, &file, err);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		t = compile(src.data, src.len, file.len ? file.data : name,
			    err);
		if (!t)
			goto out;
	}
	if (set_put(set, name, len, t) < 0) {
		nomem(err, name);
		goto out;
	}
	*out = t;
	t = NULL;
	ret = 0;
out:
	pthread_mutex_unlock(&set->lock);
	tpl_free(t);
	tc_buf_release(&src);
	tc_buf_release(&file);
	return ret;
}

/* --- rendering ---------------------------------------------------------- */

struct frame {
	const struct tpl *t; /* whose nodes */
	size_t pc;	     /* next node */
	size_t start, end;   /* the nodes this frame runs */
	const cJSON *item;   /* section over a list: the current element */
	size_t nctx;	     /* context stack height to restore */
	size_t ind_start;    /* indentation to restore */
	size_t ind_len;
	size_t novr;  /* override frames to restore */
	int depth;    /* inclusion depth to restore */
	int override; /* runs a block's override */
};

struct override {
	const struct tpl *t; /* the template holding the parent tag */
	size_t node;	     /* the N_PARENT node */
};

/* Frames can never outnumber this: containers per template times depth. */
#define MAX_FRAMES ((TC_MAX_PARTIAL_DEPTH + 2) * (TC_MAX_DEPTH + 2))

struct render {
	struct tc_tpl_set *set; /* where partials come from; may be NULL */
	struct tc_buf *out;
	struct tc_error *err;
	struct frame *f; /* frames, innermost last */
	size_t nf, af;
	const cJSON **ctx; /* context stack, top last */
	size_t nctx, actx;
	struct override *ovr; /* parents being rendered, outermost first */
	size_t novr, aovr;
	struct tc_buf ind; /* indentation; the current one is from ind_start */
	size_t ind_start;
	int depth;    /* partials, parents and overrides being expanded */
	int skip_bol; /* the next line start is already indented: an override
		       * expanded where its tag did not take the whole line */
	size_t steps; /* nodes run and list items entered, for the cap */
};

static int rerr(struct render *r, const struct tpl *t, const struct node *nd,
		int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int rerr(struct render *r, const struct tpl *t, const struct node *nd,
		int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tc_error_set(r->err, code, t->file, nd ? nd->line : 0, nd ? nd->col : 0,
		     "%s", msg);
	return -1;
}

static int rnomem(struct render *r, const struct tpl *t, const struct node *nd)
{
	return rerr(r, t, nd, TC_ENOMEM, "out of memory");
}

static int put(struct render *r, const struct tpl *t, const struct node *nd,
	       const char *s, size_t n, int escape)
{
	int rc = escape ? tc_esc_html(r->out, s, n) : tc_buf_add(r->out, s, n);

	if (rc == 0)
		return 0;
	if (errno == EFBIG)
		return rerr(r, t, nd, TC_ETOOBIG, "output over %u bytes",
			    TC_MAX_RENDER);
	return rnomem(r, t, nd);
}

static int put_indent(struct render *r, const struct tpl *t,
		      const struct node *nd)
{
	if (r->skip_bol) {
		r->skip_bol = 0;
		return 0;
	}
	if (r->ind.len == r->ind_start)
		return 0;
	return put(r, t, nd, r->ind.data + r->ind_start,
		   r->ind.len - r->ind_start, 0);
}

static int put_text(struct render *r, const struct tpl *t,
		    const struct node *nd)
{
	const char *s = pool_at(t, nd->off), *nl;
	size_t n = nd->len, k;

	if (r->ind.len == r->ind_start)
		return put(r, t, nd, s, n, 0);
	while ((nl = memchr(s, '\n', n)) != NULL) {
		k = (size_t)(nl - s) + 1;
		if (put(r, t, nd, s, k, 0) < 0)
			return -1;
		s += k;
		n -= k;
		if (n == 0)
			return 0;
		if (put(r, t, nd, r->ind.data + r->ind_start,
			r->ind.len - r->ind_start, 0) < 0)
			return -1;
	}
	return put(r, t, nd, s, n, 0);
}

/* Writes a number as the spec expects: 85 -> "85", 1.21 -> "1.21". */
static int put_number(struct render *r, const struct tpl *t,
		      const struct node *nd, double d)
{
	char tmp[64];
	int n = 0, prec;

	if (d > -9007199254740992.0 && d < 9007199254740992.0 &&
	    d == (double)(long long)d) {
		n = snprintf(tmp, sizeof(tmp), "%lld", (long long)d);
	} else {
		for (prec = 15; prec <= 17; prec++) {
			n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
			if (n > 0 && (size_t)n < sizeof(tmp) &&
			    strtod(tmp, NULL) == d)
				break;
		}
	}
	if (n <= 0 || (size_t)n >= sizeof(tmp))
		return 0;
	return put(r, t, nd, tmp, (size_t)n, 0);
}

static int put_value(struct render *r, const struct tpl *t,
		     const struct node *nd, const cJSON *v)
{
	int esc = (nd->flags & F_ESCAPE) != 0;

	if (!v)
		return 0;
	if (cJSON_IsString(v) && v->valuestring)
		return put(r, t, nd, v->valuestring, strlen(v->valuestring),
			   esc);
	if (cJSON_IsNumber(v))
		return put_number(r, t, nd, v->valuedouble);
	if (cJSON_IsTrue(v))
		return put(r, t, nd, "true", 4, 0);
	if (cJSON_IsFalse(v))
		return put(r, t, nd, "false", 5, 0);
	return 0;
}

/* The member called k[0..len) of obj (names hold no NUL), or NULL. */
static const cJSON *member(const cJSON *obj, const char *k, size_t len)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (it = obj->child; it; it = it->next)
		if (it->string && it->string[0] == k[0] &&
		    strncmp(it->string, k, len) == 0 && it->string[len] == '\0')
			return it;
	return NULL;
}

/* Resolves a (dotted) name against the context stack, as the spec says. */
static const cJSON *resolve(const struct render *r, const char *name,
			    size_t len)
{
	const cJSON *v = NULL;
	const char *dot;
	size_t i, part;

	if (len == 1 && name[0] == '.')
		return r->nctx ? r->ctx[r->nctx - 1] : NULL;
	dot = memchr(name, '.', len);
	part = dot ? (size_t)(dot - name) : len;
	for (i = r->nctx; i-- > 0;) {
		v = member(r->ctx[i], name, part);
		if (v)
			break;
	}
	while (v && dot) {
		name = dot + 1;
		len -= part + 1;
		dot = memchr(name, '.', len);
		part = dot ? (size_t)(dot - name) : len;
		v = member(v, name, part);
	}
	return v;
}

static int truthy(const cJSON *v)
{
	if (!v || cJSON_IsFalse(v) || cJSON_IsNull(v) || cJSON_IsInvalid(v))
		return 0;
	if (cJSON_IsArray(v))
		return v->child != NULL;
	if (cJSON_IsString(v))
		return v->valuestring && v->valuestring[0];
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	return 1;
}

static int push_ctx(struct render *r, const cJSON *v)
{
	if (r->nctx == r->actx) {
		size_t na = r->actx ? r->actx * 2 : 32;
		const cJSON **p = realloc(r->ctx, na * sizeof(*p));

		if (!p)
			return -1;
		r->ctx = p;
		r->actx = na;
	}
	r->ctx[r->nctx++] = v;
	return 0;
}

/* Pushes a frame running t's nodes [start, end), saving the state. */
static int push_frame(struct render *r, const struct tpl *t,
		      const struct node *at, size_t start, size_t end)
{
	struct frame *f;

	if (r->nf >= MAX_FRAMES)
		return rerr(r, t, at, TC_EDEPTH,
			    "nesting deeper than the render stack allows");
	if (r->nf == r->af) {
		size_t na = r->af ? r->af * 2 : 32;
		struct frame *p = realloc(r->f, na * sizeof(*p));

		if (!p)
			return rnomem(r, t, at);
		r->f = p;
		r->af = na;
	}
	f = &r->f[r->nf++];
	f->t = t;
	f->pc = start;
	f->start = start;
	f->end = end;
	f->item = NULL;
	f->nctx = r->nctx;
	f->ind_start = r->ind_start;
	f->ind_len = r->ind.len;
	f->novr = r->novr;
	f->depth = r->depth;
	f->override = 0;
	return 0;
}

static void pop_frame(struct render *r)
{
	struct frame *f = &r->f[--r->nf];

	r->nctx = f->nctx;
	tc_buf_setlen(&r->ind, f->ind_len);
	r->ind_start = f->ind_start;
	r->novr = f->novr;
	r->depth = f->depth;
	if (f->override)
		r->skip_bol = 0;
}

static int add_indent(struct render *r, const struct tpl *t,
		      const struct node *nd, size_t off, size_t len)
{
	if (len && tc_buf_add(&r->ind, pool_at(t, off), len) < 0)
		return rnomem(r, t, nd);
	return 0;
}

/* Finds the override for block name among the parents being rendered. */
static int find_override(const struct render *r, const char *name, size_t len,
			 const struct tpl **ot, size_t *oi)
{
	size_t i, b;

	for (i = 0; i < r->novr; i++) {
		const struct tpl *t = r->ovr[i].t;

		for (b = t->nodes[r->ovr[i].node].next; b;
		     b = t->nodes[b].next) {
			const struct node *nd = &t->nodes[b];

			if (nd->len == len &&
			    memcmp(pool_at(t, nd->off), name, len) == 0) {
				*ot = t;
				*oi = b;
				return 1;
			}
		}
	}
	return 0;
}

static int enter_depth(struct render *r, const struct tpl *t,
		       const struct node *nd, const char *what)
{
	char name[80];

	if (r->depth >= TC_MAX_PARTIAL_DEPTH)
		return rerr(
		    r, t, nd, TC_EDEPTH,
		    "%s nested deeper than %d (does '%s' include "
		    "itself?)",
		    what, TC_MAX_PARTIAL_DEPTH,
		    shown(pool_at(t, nd->off), nd->len, name, sizeof(name)));
	r->depth++;
	return 0;
}

static int run_include(struct render *r, const struct tpl *t, size_t idx)
{
	const struct node *nd = &t->nodes[idx];
	const struct tpl *pt = NULL;

	if (r->set &&
	    set_get(r->set, pool_at(t, nd->off), nd->len, &pt, r->err) < 0)
		return -1;
	if (!pt)
		return 0;
	if (push_frame(r, pt, nd, 0, pt->n) < 0)
		return -1;
	if (enter_depth(r, t, nd,
			nd->type == N_PARENT ? "parents" : "partials") < 0)
		return -1;
	if (nd->flags & F_STANDALONE) {
		if (add_indent(r, t, nd, nd->ind_off, nd->ind_len) < 0)
			return -1;
	} else {
		r->ind_start = r->ind.len;
	}
	if (nd->type == N_PARENT) {
		if (r->novr == r->aovr) {
			size_t na = r->aovr ? r->aovr * 2 : 8;
			struct override *p = realloc(r->ovr, na * sizeof(*p));

			if (!p)
				return rnomem(r, t, nd);
			r->ovr = p;
			r->aovr = na;
		}
		r->ovr[r->novr].t = t;
		r->ovr[r->novr].node = idx;
		r->novr++;
	}
	return 0;
}

static int run_block(struct render *r, const struct tpl *t, size_t idx)
{
	const struct node *nd = &t->nodes[idx];
	const struct tpl *ot;
	size_t oi;

	if (find_override(r, pool_at(t, nd->off), nd->len, &ot, &oi)) {
		if (push_frame(r, ot, nd, oi + 1, ot->nodes[oi].end) < 0 ||
		    enter_depth(r, t, nd, "blocks") < 0 ||
		    add_indent(r, t, nd, nd->ind_off, nd->ind_len) < 0)
			return -1;
		r->f[r->nf - 1].override = 1;
		if (!(nd->flags & F_ALONE))
			r->skip_bol = 1;
		return 0;
	}
	if (push_frame(r, t, nd, idx + 1, nd->end) < 0 ||
	    add_indent(r, t, nd, nd->def_off, nd->def_len) < 0)
		return -1;
	return 0;
}

static int run_section(struct render *r, const struct tpl *t, size_t idx)
{
	const struct node *nd = &t->nodes[idx];
	const cJSON *v = resolve(r, pool_at(t, nd->off), nd->len);
	int yes = truthy(v);

	if (nd->type == N_INVERTED) {
		if (yes)
			return 0;
		return push_frame(r, t, nd, idx + 1, nd->end);
	}
	if (!yes)
		return 0;
	if (push_frame(r, t, nd, idx + 1, nd->end) < 0)
		return -1;
	if (cJSON_IsArray(v)) {
		r->f[r->nf - 1].item = v->child;
		v = v->child;
	}
	if (push_ctx(r, v) < 0)
		return rnomem(r, t, nd);
	return 0;
}

/* Runs the machine until the frame stack is empty. */
static int run(struct render *r)
{
	while (r->nf > 0) {
		struct frame *f = &r->f[r->nf - 1];
		const struct tpl *t = f->t;
		const struct node *nd;
		size_t idx;
		int rc = 0;

		if (++r->steps > TC_MAX_RENDER_STEPS)
			return rerr(r, t,
				    f->pc < f->end ? &t->nodes[f->pc]
				    : f->start	   ? &t->nodes[f->start - 1]
						   : NULL,
				    TC_ETOOBIG,
				    "rendering takes more than %u steps: "
				    "sections over lists nested too deep",
				    TC_MAX_RENDER_STEPS);
		if (f->pc >= f->end) {
			if (f->item && f->item->next) {
				f->item = f->item->next;
				r->ctx[r->nctx - 1] = f->item;
				f->pc = f->start;
			} else {
				pop_frame(r);
			}
			continue;
		}
		idx = f->pc;
		nd = &t->nodes[idx];
		if ((nd->flags & F_BOL) && put_indent(r, t, nd) < 0)
			return -1;
		if (nd->type == N_TEXT || nd->type == N_VAR)
			r->skip_bol = 0;
		switch (nd->type) {
		case N_NOP:
			f->pc++;
			break;
		case N_TEXT:
			f->pc++;
			rc = put_text(r, t, nd);
			break;
		case N_VAR:
			f->pc++;
			rc = put_value(
			    r, t, nd, resolve(r, pool_at(t, nd->off), nd->len));
			break;
		case N_SECTION:
		case N_INVERTED:
			f->pc = nd->end;
			rc = run_section(r, t, idx);
			break;
		case N_PARTIAL:
			f->pc++;
			rc = run_include(r, t, idx);
			break;
		case N_PARENT:
			f->pc = nd->end;
			rc = run_include(r, t, idx);
			break;
		case N_BLOCK:
			f->pc = nd->end;
			rc = run_block(r, t, idx);
			break;
		default:
			TC_BUG("unknown node type");
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Renders t against ctx onto out; on error out is left as it was. */
static int render(struct tc_tpl_set *set, const struct tpl *t, const cJSON *ctx,
		  struct tc_buf *out, struct tc_error *err)
{
	struct render r;
	size_t start = out->len, oldcap = out->cap;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	r.set = set;
	r.out = out;
	r.err = err;
	tc_buf_init(&r.ind, TC_MAX_RENDER);
	if (oldcap == 0 || oldcap - start > TC_MAX_RENDER)
		out->cap = start + TC_MAX_RENDER;
	if (push_ctx(&r, ctx) < 0) {
		nomem(err, t->file);
		goto out;
	}
	if (push_frame(&r, t, NULL, 0, t->n) < 0)
		goto out;
	if (run(&r) < 0)
		goto out;
	ret = 0;
out:
	out->cap = oldcap;
	if (ret < 0)
		tc_buf_setlen(out, start);
	free(r.f);
	free(r.ctx);
	free(r.ovr);
	tc_buf_release(&r.ind);
	return ret;
}

int tc_tpl_render(struct tc_tpl_set *set, const char *name, const cJSON *ctx,
		  struct tc_buf *out, struct tc_error *err)
{
	const struct tpl *t;

	if (set_get(set, name, strlen(name), &t, err) < 0)
		return -1;
	if (!t) {
		tc_error_set(err, TC_ENOENT, "", 0, 0, "no template '%s'",
			     name);
		return -1;
	}
	return render(set, t, ctx, out, err);
}

/* Loader over a cJSON object of name -> template string. */
static int load_json(void *arg, const char *name, struct tc_buf *src,
		     struct tc_buf *file, struct tc_error *err)
{
	const cJSON *v =
	    cJSON_GetObjectItemCaseSensitive((const cJSON *)arg, name);

	if (!cJSON_IsString(v) || !v->valuestring)
		return 1;
	if (tc_buf_adds(src, v->valuestring) < 0) {
		tc_error_set(err, TC_ETOOBIG, name, 0, 0,
			     "partial is over %u bytes", TC_MAX_SOURCE_FILE);
		return -1;
	}
	if (tc_buf_adds(file, name) < 0)
		tc_buf_reset(file);
	return 0;
}

int tc_tpl_render_string(const char *src, size_t len, const cJSON *ctx,
			 const cJSON *partials, struct tc_buf *out,
			 struct tc_error *err)
{
	struct tc_tpl_set *set = NULL;
	struct tpl *t = NULL;
	int ret = -1;

	set = tc_tpl_set_new(partials ? load_json : NULL, (void *)partials);
	if (!set) {
		nomem(err, "");
		goto out;
	}
	t = compile(src, len, "", err);
	if (!t)
		goto out;
	ret = render(set, t, ctx, out, err);
out:
	tpl_free(t);
	tc_tpl_set_free(set);
	return ret;
}
