/*
 * template_compile.c: the Mustache engine's compiler and template sets
 * (see template.h; the renderer is template_render.c).
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
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "escape.h"
#include "fsutil.h"
#include "limits.h"
#include "template_internal.h"

/* --- templates ---------------------------------------------------------- */

void tc_tpl_free(struct tpl *t)
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
const char *tc_tpl_shown(const char *s, size_t len, char *out, size_t n)
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
			     msg,
			     tc_tpl_shown(subject, slen, name, sizeof(name)));
	else
		tc_error_set(c->err, code, c->t->file, line, col, "%s", msg);
	return -1;
}

int tc_tpl_nomem(struct tc_error *err, const char *file)
{
	tc_error_set(err, TC_ENOMEM, file, 0, 0, "out of memory");
	return -1;
}

/* Appends a zeroed node; returns its index or -1 when out of memory. */
static long add_node(struct compiler *c, int type, size_t at)
{
	struct node *nd;

	if (TC_ALLOC_GROW_TRY(c->t->nodes, c->t->n + 1, c->t->alloc) < 0)
		return tc_tpl_nomem(c->err, c->t->file);
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
		return tc_tpl_nomem(c->err, c->t->file);
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
		return tc_tpl_nomem(c->err, c->t->file);
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
	name = tc_tpl_pool_at(c->t, nd->off);
	if (nd->len != tg->blen || memcmp(name, tg->body, tg->blen) != 0) {
		char a[80], b[80];

		where(c, tg->start, &line, &col);
		tc_error_set(c->err, TC_ESYNTAX, c->t->file, line, col,
			     "close tag '%s' does not match open section '%s'",
			     tc_tpl_shown(tg->body, tg->blen, a, sizeof(a)),
			     tc_tpl_shown(name, nd->len, b, sizeof(b)));
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
struct tpl *tc_tpl_compile(const char *src, size_t len, const char *file,
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
		tc_tpl_nomem(err, file);
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
		tc_tpl_shown(tc_tpl_pool_at(t, nd->off), nd->len, name,
			     sizeof(name));
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
	tc_tpl_free(t);
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

static void entry_release(struct entry *e)
{
	free(e->name);
	tc_tpl_free(e->tpl);
}

static void retired_release(struct tpl **t)
{
	tc_tpl_free(*t);
}

void tc_tpl_set_free(struct tc_tpl_set *set)
{
	if (!set)
		return;
	TC_RELEASE_EACH(set->entries, set->n, entry_release);
	TC_RELEASE_EACH(set->retired, set->nretired, retired_release);
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
			if (TC_ALLOC_GROW_TRY(set->retired, set->nretired + 1,
					      set->aretired) < 0)
				return -1;
			set->retired[set->nretired++] = e->tpl;
		}
		e->tpl = t;
		return 0;
	}
	if (TC_ALLOC_GROW_TRY(set->entries, set->n + 1, set->alloc) < 0)
		return -1;
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

	t = tc_tpl_compile(src, len, file ? file : name, err);
	if (!t)
		goto out;
	pthread_mutex_lock(&set->lock);
	if (set_put(set, name, strlen(name), t) < 0) {
		pthread_mutex_unlock(&set->lock);
		tc_tpl_nomem(err, file);
		goto out;
	}
	pthread_mutex_unlock(&set->lock);
	t = NULL;
	ret = 0;
out:
	tc_tpl_free(t);
	return ret;
}

int tc_tpl_add_file(struct tc_tpl_set *set, const char *name, const char *path,
		    struct tc_error *err)
{
	struct tc_buf src = TC_BUF_INIT;
	int ret;

	if (tc_fs_read(path, TC_MAX_SOURCE_FILE, &src) < 0) {
		int saved = errno;

		tc_error_set(err, TC_EIO, path, 0, 0, "cannot read it: %s",
			     strerror(saved));
		tc_buf_release(&src);
		errno = saved; /* for the caller's own message */
		return -1;
	}
	ret = tc_tpl_add(set, name, path, src.data, src.len, err);
	tc_buf_release(&src);
	return ret;
}

/*
 * Finds the template called name (NUL-terminated, len bytes), loading and
 * compiling it on first use. *out is NULL when there is no such template.
 * Returns 0, or -1 with err filled. The template belongs to the set.
 */
int tc_tpl_set_get(struct tc_tpl_set *set, const char *name, size_t len,
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
		t = tc_tpl_compile(src.data, src.len,
				   file.len ? file.data : name, err);
		if (!t)
			goto out;
	}
	if (set_put(set, name, len, t) < 0) {
		tc_tpl_nomem(err, name);
		goto out;
	}
	*out = t;
	t = NULL;
	ret = 0;
out:
	pthread_mutex_unlock(&set->lock);
	tc_tpl_free(t);
	tc_buf_release(&src);
	tc_buf_release(&file);
	return ret;
}
