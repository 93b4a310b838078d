/*
 * flowchart.c: parse the Mermaid subset and render it as an ordered list.
 *
 * The list order is the order in which steps first appear, so the chart
 * reads top to bottom as the editor wrote it; every way out of a step is a
 * link to the step it leads to, naming its number and text, so the chart
 * works as plain steps on a phone or with a screen reader.
 */
#include "flowchart.h"
#include "flowchart_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "escape.h"
#include "utf8.h"

/* Parsing state for one line. */
struct cursor {
	const char *p, *end;  /* the rest of the line */
	const char *start;    /* the line's first byte, for columns */
	const char *file;     /* for errors */
	int line;	      /* the line number in the file */
	struct tc_error *err; /* where errors go */
};

static int fail(struct cursor *c, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct cursor *c, const char *at, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tc_error_set(c->err, TC_ESYNTAX, c->file, c->line,
		     (int)(at - c->start) + 1, "%s", msg);
	return -1;
}

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static int is_id_char(int ch)
{
	return isalnum(ch) || ch == '_';
}

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Returns the index of the node called id, adding it when new; -1 on ENOMEM */
static long find_or_add(struct flowchart *fc, const char *id, size_t n,
			struct cursor *c, const char *at)
{
	size_t i;
	struct fc_node *node;

	for (i = 0; i < fc->nnodes; i++)
		if (strlen(fc->nodes[i].id) == n &&
		    !memcmp(fc->nodes[i].id, id, n))
			return (long)i;
	if (fc->nnodes >= FC_MAX_NODES) {
		tc_error_set(c->err, TC_ETOOBIG, c->file, c->line,
			     (int)(at - c->start) + 1,
			     "a flowchart may have at most %d steps",
			     FC_MAX_NODES);
		return -2;
	}
	if (TC_ALLOC_GROW_TRY(fc->nodes, fc->nnodes + 1, fc->anodes) < 0)
		return -1;
	node = &fc->nodes[fc->nnodes];
	memset(node, 0, sizeof(*node));
	node->id = dup_range(id, n);
	if (!node->id)
		return -1;
	node->line = c->line;
	node->col = (int)(at - c->start) + 1;
	return (long)fc->nnodes++;
}

/*
 * Reads a node's shape and text if one follows: [text], {text}, ([text]);
 * text may be in double quotes. Stores the kind (FC_UNDEFINED when there is
 * no shape) and a malloc'd text.
 */
static int read_shape(struct cursor *c, enum fc_kind *kind, char **text)
{
	const char *open = c->p, *t, *close;
	char endch;
	int terminal = 0;

	*kind = FC_UNDEFINED;
	*text = NULL;
	if (c->p >= c->end)
		return 0;
	if (*c->p == '(' && c->p + 1 < c->end && c->p[1] == '[') {
		terminal = 1;
		c->p += 2;
		endch = ']';
		*kind = FC_TERMINAL;
	} else if (*c->p == '[') {
		c->p++;
		endch = ']';
		*kind = FC_PROCESS;
	} else if (*c->p == '{') {
		c->p++;
		endch = '}';
		*kind = FC_DECISION;
	} else if (*c->p == '(') {
		return fail(c, c->p,
			    "round boxes are written ([text]) for a start or "
			    "end");
	} else {
		return 0;
	}
	t = c->p;
	if (t < c->end && *t == '"') {
		t++;
		close = memchr(t, '"', (size_t)(c->end - t));
		if (!close)
			return fail(c, open, "unclosed quote in step text");
		c->p = close + 1;
	} else {
		close = t;
		while (close < c->end && *close != endch)
			close++;
		c->p = close;
	}
	if (c->p >= c->end || *c->p != endch)
		return fail(c, open, "step text is not closed: add '%s'",
			    endch == ']' ? (terminal ? "])" : "]") : "}");
	c->p++;
	if (terminal) {
		if (c->p >= c->end || *c->p != ')')
			return fail(c, open,
				    "step text is not closed: add '%s'", ")");
		c->p++;
	}
	while (t < close && (*t == ' ' || *t == '\t'))
		t++;
	while (close > t && (close[-1] == ' ' || close[-1] == '\t'))
		close--;
	if (close == t)
		return fail(c, open, "a step needs some text");
	if ((size_t)(close - t) > FC_MAX_TEXT)
		return fail(c, open,
			    "step text is too long (at most 500 "
			    "characters)");
	*text = dup_range(t, (size_t)(close - t));
	return *text ? 0 : -1;
}

/* Reads "id" and an optional shape; returns the node index or -1. */
static long read_node(struct flowchart *fc, struct cursor *c)
{
	const char *at = c->p;
	enum fc_kind kind;
	char *text = NULL;
	long idx;
	struct fc_node *node;

	while (c->p < c->end && is_id_char((unsigned char)*c->p))
		c->p++;
	if (c->p == at) {
		if (at < c->end && (*at == '-' || *at == '=' || *at == '.'))
			return fail(c, at,
				    "expected a step id before the "
				    "arrow");
		return fail(c, at,
			    "expected a step id (letters, digits and _), "
			    "like ack[Acknowledge]");
	}
	idx = find_or_add(fc, at, (size_t)(c->p - at), c, at);
	if (idx == -1) {
		errno = ENOMEM;
		tc_error_set(c->err, TC_ENOMEM, c->file, c->line, 0,
			     "out of memory");
	}
	if (idx < 0)
		return -1;
	if (read_shape(c, &kind, &text) < 0)
		return -1;
	node = &fc->nodes[idx];
	if (kind != FC_UNDEFINED) {
		if (node->text) {
			tc_error_set(c->err, TC_EDUP, c->file, c->line,
				     (int)(at - c->start) + 1,
				     "duplicate id '%s' (its text was given "
				     "at line %d; mention it by id alone)",
				     node->id, node->def_line);
			free(text);
			return -1;
		}
		node->text = text;
		node->kind = kind;
		node->def_line = c->line;
	}
	return idx;
}

/*
 * The label between l and e, trimmed, into a malloc'd *label; an empty one
 * is an error at the arrow's start, at.
 */
static int take_label(struct cursor *c, const char *at, const char *l,
		      const char *e, char **label)
{
	while (l < e && isspace((unsigned char)*l))
		l++;
	while (e > l && isspace((unsigned char)e[-1]))
		e--;
	if (e == l)
		return fail(c, at, "empty label");
	*label = dup_range(l, (size_t)(e - l));
	return *label ? 0 : -1;
}

/*
 * The end of a label that runs from l to e, where the closing mark of
 * close_len bytes starts (NULL when it was not found: unclosed says how to
 * write it). Moves past the mark and takes the label.
 */
static int end_label(struct cursor *c, const char *at, const char *l,
		     const char *e, size_t close_len, const char *unclosed,
		     char **label)
{
	if (!e)
		return fail(c, at, "%s", unclosed);
	c->p = e + close_len;
	return take_label(c, at, l, e, label);
}

/* Reads an arrow and its label, if one is next: -->, -->|label|, -- l -->. */
static int read_arrow(struct cursor *c, char **label, int *found)
{
	const char *at = c->p, *l, *e;

	*label = NULL;
	*found = 0;
	if (c->end - c->p >= 3 && !memcmp(c->p, "-->", 3)) {
		c->p += 3;
		*found = 1;
		skip_space(c);
		if (c->p < c->end && *c->p == '|') {
			l = ++c->p;
			e = memchr(l, '|', (size_t)(c->end - l));
			return end_label(c, at, l, e, 1,
					 "the label is not closed: "
					 "write -->|label| step",
					 label);
		}
		return 0;
	}
	if (c->end - c->p >= 3 && !memcmp(c->p, "---", 3))
		return fail(c, at,
			    "lines without arrows are not supported: "
			    "use '-->'");
	if (c->end - c->p >= 2 && !memcmp(c->p, "--", 2)) {
		l = c->p + 2;
		e = NULL;
		for (const char *s = l; s + 3 <= c->end; s++)
			if (!memcmp(s, "-->", 3)) {
				e = s;
				break;
			}
		*found = e != NULL;
		return end_label(c, at, l, e, 3,
				 "the arrow is not finished: write "
				 "a -- label --> b",
				 label);
	}
	return 0;
}

static int add_edge(struct flowchart *fc, size_t from, size_t to, char *label,
		    struct cursor *c)
{
	if (fc->nedges >= FC_MAX_EDGES) {
		free(label);
		return fail(c, c->p, "too many arrows in one flowchart");
	}
	if (TC_ALLOC_GROW_TRY(fc->edges, fc->nedges + 1, fc->aedges) < 0) {
		free(label);
		return -1;
	}
	fc->edges[fc->nedges].from = from;
	fc->edges[fc->nedges].to = to;
	fc->edges[fc->nedges].label = label;
	fc->nedges++;
	return 0;
}

static int parse_line(struct flowchart *fc, struct cursor *c)
{
	long from, to;
	char *label;
	int found;

	from = read_node(fc, c);
	if (from < 0)
		return -1;
	for (;;) {
		skip_space(c);
		if (c->p >= c->end)
			return 0;
		if (*c->p == ';') {
			c->p++;
			skip_space(c);
			if (c->p >= c->end)
				return 0;
			return parse_line(fc, c);
		}
		if (read_arrow(c, &label, &found) < 0)
			return -1;
		if (!found)
			return fail(c, c->p,
				    "expected an arrow '-->' or the end of "
				    "the line");
		skip_space(c);
		to = read_node(fc, c);
		if (to < 0) {
			free(label);
			return -1;
		}
		if (add_edge(fc, (size_t)from, (size_t)to, label, c) < 0)
			return -1;
		from = to;
	}
}

static int is_header(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	const char *dir;

	if (n >= 9 && !memcmp(p, "flowchart", 9))
		dir = p + 9;
	else if (n >= 5 && !memcmp(p, "graph", 5))
		dir = p + 5;
	else
		return 0;
	while (dir < end && (*dir == ' ' || *dir == '\t'))
		dir++;
	n = (size_t)(end - dir);
	return n == 0 ||
	       (n == 2 && (!memcmp(dir, "TD", 2) || !memcmp(dir, "TB", 2) ||
			   !memcmp(dir, "LR", 2) || !memcmp(dir, "RL", 2) ||
			   !memcmp(dir, "BT", 2)));
}

struct flowchart *flowchart_parse(const char *src, size_t len, const char *file,
				  int first_line, struct tc_error *err)
{
	struct flowchart *fc = calloc(1, sizeof(*fc));
	const char *p = src, *end = src + len;
	int line = first_line, first = 1, ok = 0;
	size_t bad, i;

	if (!fc)
		goto out;
	if (!tc_utf8_is_text(src, len, &bad)) {
		tc_error_set(err, TC_EUTF8, file, first_line, 0,
			     "flowchart is not valid UTF-8 text (byte %zu)",
			     bad);
		goto out;
	}
	for (; p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		struct cursor c;

		if (!eol)
			eol = end;
		c.start = p;
		c.p = p;
		c.end = eol;
		if (c.end > c.p && c.end[-1] == '\r')
			c.end--;
		c.file = file;
		c.line = line;
		c.err = err;
		skip_space(&c);
		while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t'))
			c.end--;
		p = eol < end ? eol + 1 : end;
		if (c.p == c.end || (c.end - c.p >= 2 && !memcmp(c.p, "%%", 2)))
			continue;
		if (first && is_header(c.p, c.end)) {
			first = 0;
			continue;
		}
		first = 0;
		if (parse_line(fc, &c) < 0)
			goto out;
	}
	if (fc->nnodes == 0) {
		tc_error_set(err, TC_EINVAL, file, first_line, 0,
			     "the flowchart has no steps");
		goto out;
	}
	for (i = 0; i < fc->nnodes; i++) {
		if (!fc->nodes[i].text) {
			tc_error_set(err, TC_ENOENT, file, fc->nodes[i].line,
				     fc->nodes[i].col,
				     "unknown node '%s': give it a text where "
				     "it first appears, like %s[What happens]",
				     fc->nodes[i].id, fc->nodes[i].id);
			goto out;
		}
	}
	ok = 1;
out:
	if (!ok && fc) {
		if (err->code == TC_OK)
			tc_error_set(err, TC_ENOMEM, file, first_line, 0,
				     "out of memory");
		flowchart_free(fc);
		fc = NULL;
	}
	return fc;
}

int flowchart_caption(const char *info, const char *file, int line,
		      char **caption, struct tc_error *err)
{
	const char *p = info, *q;

	*caption = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	if (*p != '"') {
		tc_error_set(err, TC_ESYNTAX, file, line, 0,
			     "put the flowchart's caption in double quotes: "
			     "```flowchart \"How we handle your complaint\"");
		return -1;
	}
	q = strchr(p + 1, '"');
	if (!q || q[1 + strspn(q + 1, " \t")] != '\0') {
		tc_error_set(err, TC_ESYNTAX, file, line, 0,
			     "the flowchart's caption needs a closing '\"' "
			     "at the end of the line");
		return -1;
	}
	*caption = dup_range(p + 1, (size_t)(q - p - 1));
	return *caption ? 0 : -1;
}

size_t flowchart_steps(const struct flowchart *fc)
{
	return fc->nnodes;
}

static const char *kind_class(enum fc_kind k)
{
	switch (k) {
	case FC_DECISION:
		return "decision";
	case FC_TERMINAL:
		return "terminal";
	default:
		return "process";
	}
}

static int render_target(struct tc_buf *out, const struct flowchart *fc,
			 int number, size_t to)
{
	int rc = 0;

	rc |= tc_buf_addf(out, "<a href=\"#flowchart-%d-", number);
	rc |= tc_esc_attr(out, fc->nodes[to].id, strlen(fc->nodes[to].id));
	rc |= tc_buf_addf(out, "\">step %zu, ", to + 1);
	rc |= tc_esc_html(out, fc->nodes[to].text, strlen(fc->nodes[to].text));
	rc |= tc_buf_adds(out, "</a>");
	return rc ? -1 : 0;
}

int flowchart_render(const struct flowchart *fc, int number,
		     const char *caption, struct tc_buf *out)
{
	size_t i, j, nout, nlabelled;
	int rc = 0;

	rc |= tc_buf_addf(
	    out, "<figure class=\"flowchart\" id=\"flowchart-%d\"", number);
	if (caption && *caption) {
		rc |= tc_buf_addf(out,
				  " aria-labelledby=\"flowchart-%d-caption\">\n"
				  "<figcaption class=\"flowchart__caption\" "
				  "id=\"flowchart-%d-caption\">",
				  number, number);
		rc |= tc_esc_html(out, caption, strlen(caption));
		rc |= tc_buf_adds(out, "</figcaption>\n");
	} else {
		rc |= tc_buf_adds(out, " aria-label=\"Flowchart\">\n");
	}
	if (fc->nnodes > 1)
		rc |= flowchart_draw(fc, number, out);
	rc |= tc_buf_adds(out, "<ol class=\"flowchart__steps\">\n");
	for (i = 0; i < fc->nnodes; i++) {
		const struct fc_node *n = &fc->nodes[i];

		rc |= tc_buf_addf(out,
				  "<li class=\"flowchart__step "
				  "flowchart__step--%s\" id=\"flowchart-%d-",
				  kind_class(n->kind), number);
		rc |= tc_esc_attr(out, n->id, strlen(n->id));
		rc |= tc_buf_adds(out, "\">\n<p class=\"flowchart__text\">");
		rc |= tc_esc_html(out, n->text, strlen(n->text));
		rc |= tc_buf_adds(out, "</p>\n");
		nout = nlabelled = 0;
		for (j = 0; j < fc->nedges; j++)
			if (fc->edges[j].from == i) {
				nout++;
				nlabelled += fc->edges[j].label != NULL;
			}
		if (nout == 1 && nlabelled == 0) {
			for (j = 0; fc->edges[j].from != i; j++)
				;
			rc |= tc_buf_adds(
			    out, "<p class=\"flowchart__next\">Next: ");
			rc |= render_target(out, fc, number, fc->edges[j].to);
			rc |= tc_buf_adds(out, "</p>\n");
		} else if (nout > 0) {
			rc |= tc_buf_adds(
			    out, "<ul class=\"flowchart__answers\">\n");
			for (j = 0; j < fc->nedges; j++) {
				const struct fc_edge *e = &fc->edges[j];

				if (e->from != i)
					continue;
				rc |= tc_buf_adds(out, "<li><span "
						       "class=\"flowchart__"
						       "answer\">");
				if (e->label)
					rc |= tc_esc_html(out, e->label,
							  strlen(e->label));
				else
					rc |= tc_buf_adds(out, "Or");
				rc |= tc_buf_adds(out, "</span>: go to ");
				rc |= render_target(out, fc, number, e->to);
				rc |= tc_buf_adds(out, "</li>\n");
			}
			rc |= tc_buf_adds(out, "</ul>\n");
		}
		rc |= tc_buf_adds(out, "</li>\n");
	}
	rc |= tc_buf_adds(out, "</ol>\n</figure>\n");
	return rc ? -1 : 0;
}

static void node_release(struct fc_node *n)
{
	free(n->id);
	free(n->text);
}

static void edge_release(struct fc_edge *e)
{
	free(e->label);
}

void flowchart_free(struct flowchart *fc)
{
	if (!fc)
		return;
	TC_RELEASE_EACH(fc->nodes, fc->nnodes, node_release);
	TC_RELEASE_EACH(fc->edges, fc->nedges, edge_release);
	free(fc);
}
