/*
 * flowchart_draw.c: the chart drawn as an SVG at build time.
 *
 * Steps are laid out in ranks from the top: a step's rank is one below
 * the lowest step that leads to it, leaving out the ways back up (found by
 * a depth-first walk from the first step), so each branch of a decision
 * runs down the page from it. Within a rank, steps go left to right in the
 * order they were written, so the chart's main path stays on the left.
 *
 * Arrows never cross a box: an arrow to the next rank runs down into the
 * gap between the two ranks, across it and down into its step; any other
 * runs across the gap below its step to a channel of its own to the right
 * of every box, along it, and across the gap above the step it leads to.
 * Each arrow has a lane of its own in each gap it crosses.
 */
#include "flowchart.h"
#include "flowchart_internal.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

#define BOX_W	   216 /* a box's width */
#define PAD	   10  /* inside a box, around its text */
#define LINE_H	   18  /* a line of text */
#define TEXT_CHARS 26  /* characters a line holds in a box */
#define DEC_INSET  14  /* a decision's pointed ends */
#define GAP_X	   40  /* between columns */
#define MARGIN	   8   /* around the drawing */
#define CHANNEL	   14  /* between channels */
#define LANE	   10  /* between lanes in a gap */
#define GAP_MIN	   40  /* the least gap between ranks */
#define LABEL_ROOM 20  /* above a gap's first lane, for answers */

struct box {
	int rank, col; /* where it is laid out */
	int x, y, h;   /* its place and height */
	int lines;     /* lines of text */
	int nout;      /* ways out */
};

struct route {
	int below, above; /* lanes in the gaps it crosses, or -1 */
	int channel;	  /* its channel, or -1 */
	int slot;	  /* its place among its step's ways out, from 1 */
};

struct layout {
	const struct flowchart *fc;
	struct box *b;	   /* one per step */
	struct route *r;   /* one per arrow */
	char *back;	   /* arrows back up, one flag each */
	int nranks, ncols; /* ranks and the most steps in one */
	int *lanes;	   /* lanes used in each gap: nranks + 1 */
	int *top;	   /* the top of each rank */
	int *gap;	   /* the top of each gap: nranks + 1 */
	int nchannels;	   /* channels used */
	int width, height; /* the drawing's size */
};

/* The characters of a line (UTF-8 lead bytes) in s[0..n). */
static size_t chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/*
 * The next line of text at *p, of at most max characters, broken at a
 * space where one fits (a longer word is broken where it must be, between
 * characters). Sets *len; moves *p past the line and the space after it.
 * Returns the line's start, or NULL when no text is left.
 */
static const char *next_line(const char **p, size_t max, size_t *len)
{
	const char *s = *p, *e, *cut = NULL;

	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	for (e = s; *e; e++) {
		if (*e == ' ')
			cut = e;
		if (chars(s, (size_t)(e - s) + 1) > max &&
		    ((unsigned char)*e & 0xC0) != 0x80)
			break;
	}
	if (!*e)
		cut = e;
	else if (!cut)
		cut = e; /* one long word: break it */
	*len = (size_t)(cut - s);
	*p = cut;
	return s;
}

static size_t line_chars(enum fc_kind k)
{
	return k == FC_DECISION ? TEXT_CHARS - 4 : TEXT_CHARS;
}

static int count_lines(const struct fc_node *n)
{
	const char *p = n->text ? n->text : "";
	size_t len;
	int lines = 0;

	while (next_line(&p, line_chars(n->kind), &len))
		lines++;
	return lines ? lines : 1;
}

/* Ranks from a depth-first walk; marks the arrows back up. */
static int rank_steps(struct layout *l)
{
	const struct flowchart *fc = l->fc;
	size_t n = fc->nnodes, m = fc->nedges, i, j, k = 0, sp;
	size_t *stack = calloc(n + 1, sizeof(*stack));
	size_t *next = calloc(n + 1, sizeof(*next));
	size_t *order = calloc(n + 1, sizeof(*order));
	char *state = calloc(n + 1, 1);
	int rc = -1;

	if (!stack || !next || !order || !state)
		goto out;
	for (i = 0; i < n; i++) {
		if (state[i])
			continue;
		sp = 0;
		stack[sp++] = i;
		state[i] = 1;
		while (sp) {
			size_t v = stack[sp - 1];

			for (j = next[v]; j < m && fc->edges[j].from != v; j++)
				;
			if (j == m) {
				state[v] = 2;
				order[k++] = v;
				sp--;
				continue;
			}
			next[v] = j + 1;
			if (state[fc->edges[j].to] == 1) {
				l->back[j] = 1;
			} else if (!state[fc->edges[j].to]) {
				state[fc->edges[j].to] = 1;
				stack[sp++] = fc->edges[j].to;
			}
		}
	}
	/* Longest path, in reverse finishing order (a topological one). */
	for (i = k; i-- > 0;)
		for (j = 0; j < m; j++)
			if (fc->edges[j].from == order[i] && !l->back[j] &&
			    l->b[fc->edges[j].to].rank <
				l->b[order[i]].rank + 1)
				l->b[fc->edges[j].to].rank =
				    l->b[order[i]].rank + 1;
	rc = 0;
out:
	free(stack);
	free(next);
	free(order);
	free(state);
	return rc;
}

/* Columns, box sizes, lanes and channels, then every position. */
static int place(struct layout *l)
{
	const struct flowchart *fc = l->fc;
	size_t i, j;
	int *in_rank, *height, y, r;

	for (i = 0; i < fc->nnodes; i++)
		if (l->b[i].rank + 1 > l->nranks)
			l->nranks = l->b[i].rank + 1;
	in_rank = calloc((size_t)l->nranks + 1, sizeof(int));
	height = calloc((size_t)l->nranks + 1, sizeof(int));
	l->lanes = calloc((size_t)l->nranks + 1, sizeof(int));
	l->top = calloc((size_t)l->nranks + 1, sizeof(int));
	l->gap = calloc((size_t)l->nranks + 1, sizeof(int));
	if (!in_rank || !height || !l->lanes || !l->top || !l->gap) {
		free(in_rank);
		free(height);
		return -1;
	}
	for (i = 0; i < fc->nnodes; i++) {
		struct box *b = &l->b[i];

		b->col = in_rank[b->rank]++;
		if (b->col + 1 > l->ncols)
			l->ncols = b->col + 1;
		b->lines = count_lines(&fc->nodes[i]);
		b->h = b->lines * LINE_H + 2 * PAD;
		if (b->h > height[b->rank])
			height[b->rank] = b->h;
	}
	for (j = 0; j < fc->nedges; j++) {
		const struct fc_edge *e = &fc->edges[j];
		int rf = l->b[e->from].rank, rt = l->b[e->to].rank;

		l->b[e->from].nout++;
		l->r[j].channel = -1;
		l->r[j].below = -1;
		if (!l->back[j] && rt == rf + 1) {
			l->r[j].above = l->lanes[rt]++;
		} else {
			l->r[j].below = l->lanes[rf + 1]++;
			l->r[j].above = l->lanes[rt]++;
			l->r[j].channel = l->nchannels++;
		}
	}
	y = MARGIN;
	for (r = 0; r <= l->nranks; r++) {
		int g = l->lanes[r] ? LABEL_ROOM + l->lanes[r] * LANE + 10 : 0;

		if (r > 0 && r < l->nranks && g < GAP_MIN)
			g = GAP_MIN;
		l->gap[r] = y;
		y += g;
		if (r < l->nranks) {
			l->top[r] = y;
			y += height[r];
		}
	}
	l->height = y + MARGIN;
	l->width = MARGIN + l->ncols * (BOX_W + GAP_X) - GAP_X +
		   (l->nchannels ? (l->nchannels + 1) * CHANNEL : 0) + MARGIN;
	for (i = 0; i < fc->nnodes; i++) {
		l->b[i].x = MARGIN + l->b[i].col * (BOX_W + GAP_X);
		l->b[i].y = l->top[l->b[i].rank];
	}
	free(in_rank);
	free(height);
	return 0;
}

/* Where arrow j heads first: its step's centre, or its channel's x. */
static int heading(const struct layout *l, size_t j)
{
	const struct fc_edge *e = &l->fc->edges[j];

	if (l->r[j].channel >= 0)
		return l->width - MARGIN - (l->r[j].channel + 1) * CHANNEL;
	return l->b[e->to].x + BOX_W / 2;
}

/*
 * Each step's ways out leave its bottom edge in the order of where they
 * head, left to right, so that arrows from one step never cross.
 */
static void order_exits(struct layout *l)
{
	const struct flowchart *fc = l->fc;
	size_t j, k;

	for (j = 0; j < fc->nedges; j++) {
		int hj = heading(l, j), slot = 1;

		for (k = 0; k < fc->nedges; k++) {
			int hk;

			if (k == j || fc->edges[k].from != fc->edges[j].from)
				continue;
			hk = heading(l, k);
			slot += hk < hj || (hk == hj && k < j);
		}
		l->r[j].slot = slot;
	}
}

/* The y of lane k in gap g. */
static int lane_y(const struct layout *l, int g, int k)
{
	return l->gap[g] + LABEL_ROOM + k * LANE;
}

static int draw_box(struct tc_buf *out, const struct fc_node *n,
		    const struct box *b)
{
	const char *p = n->text ? n->text : "";
	const char *line;
	size_t len;
	int rc = 0, k = 0, x = b->x, y = b->y, w = BOX_W, h = b->h;

	if (n->kind == FC_DECISION)
		rc |= tc_buf_addf(out,
				  "<polygon class=\"flowchart__shape "
				  "flowchart__shape--decision\" points=\"%d,%d "
				  "%d,%d %d,%d %d,%d %d,%d %d,%d\"/>\n",
				  x + DEC_INSET, y, x + w - DEC_INSET, y, x + w,
				  y + h / 2, x + w - DEC_INSET, y + h,
				  x + DEC_INSET, y + h, x, y + h / 2);
	else
		rc |= tc_buf_addf(
		    out,
		    "<rect class=\"flowchart__shape flowchart__shape--%s\" "
		    "x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		    "rx=\"%d\"/>\n",
		    n->kind == FC_TERMINAL ? "terminal" : "process", x, y, w, h,
		    n->kind == FC_TERMINAL
			? (h < 2 * LINE_H + 2 * PAD ? h / 2 : LINE_H)
			: 0);
	rc |= tc_buf_addf(out, "<text class=\"flowchart__label\" x=\"%d\">",
			  x + w / 2);
	while ((line = next_line(&p, line_chars(n->kind), &len))) {
		rc |= tc_buf_addf(out, "<tspan x=\"%d\" y=\"%d\">", x + w / 2,
				  y + PAD + k * LINE_H + LINE_H - 5);
		rc |= tc_esc_html(out, line, len);
		rc |= tc_buf_adds(out, "</tspan>");
		k++;
	}
	rc |= tc_buf_adds(out, "</text>\n");
	return rc ? -1 : 0;
}

static int draw_arrow(struct tc_buf *out, struct layout *l, size_t j,
		      int number)
{
	const struct fc_edge *e = &l->fc->edges[j];
	const struct route *r = &l->r[j];
	const struct box *from = &l->b[e->from];
	const struct box *to = &l->b[e->to];
	int ex, ey, tx = to->x + BOX_W / 2, ty = to->y - 2, rc = 0;

	ex = from->x + r->slot * BOX_W / (from->nout + 1);
	ey = from->y + from->h;
	rc |= tc_buf_addf(out, "<path class=\"flowchart__arrow\" d=\"M%d %d",
			  ex, ey);
	if (r->channel < 0) {
		rc |= tc_buf_addf(out, " V%d H%d",
				  lane_y(l, to->rank, r->above), tx);
	} else {
		int cx = l->width - MARGIN - (r->channel + 1) * CHANNEL;

		rc |= tc_buf_addf(out, " V%d H%d V%d H%d",
				  lane_y(l, from->rank + 1, r->below), cx,
				  lane_y(l, to->rank, r->above), tx);
	}
	rc |= tc_buf_addf(out,
			  " V%d\" marker-end=\"url(#flowchart-%d-arrow)\"/>\n",
			  ty, number);
	if (e->label) {
		rc |= tc_buf_addf(out,
				  "<text class=\"flowchart__answer-label\" "
				  "x=\"%d\" y=\"%d\">",
				  ex + 5, ey + 15);
		rc |= tc_esc_html(out, e->label, strlen(e->label));
		rc |= tc_buf_adds(out, "</text>\n");
	}
	return rc ? -1 : 0;
}

static void layout_release(struct layout *l)
{
	free(l->b);
	free(l->r);
	free(l->back);
	free(l->lanes);
	free(l->top);
	free(l->gap);
}

int flowchart_draw(const struct flowchart *fc, int number, struct tc_buf *out)
{
	struct layout l;
	size_t i;
	int rc = -1;

	memset(&l, 0, sizeof(l));
	l.fc = fc;
	l.b = calloc(fc->nnodes + 1, sizeof(*l.b));
	l.r = calloc(fc->nedges + 1, sizeof(*l.r));
	l.back = calloc(fc->nedges + 1, 1);
	if (!l.b || !l.r || !l.back || rank_steps(&l) < 0 || place(&l) < 0)
		goto out;
	order_exits(&l);
	if (tc_buf_addf(out,
			"<div class=\"flowchart__drawing\" role=\"img\" "
			"aria-label=\"The flowchart drawn: its steps are "
			"listed after it\" tabindex=\"0\">\n"
			"<svg xmlns=\"http://www.w3.org/2000/svg\" "
			"aria-hidden=\"true\" focusable=\"false\" "
			"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
			"<defs><marker id=\"flowchart-%d-arrow\" "
			"viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
			"markerWidth=\"7\" markerHeight=\"7\" "
			"orient=\"auto-start-reverse\"><path "
			"class=\"flowchart__head\" d=\"M0 0 L10 5 L0 10 "
			"z\"/></marker></defs>\n",
			l.width, l.height, l.width, l.height, number) < 0)
		goto out;
	for (i = 0; i < fc->nnodes; i++)
		if (draw_box(out, &fc->nodes[i], &l.b[i]) < 0)
			goto out;
	for (i = 0; i < fc->nedges; i++)
		if (draw_arrow(out, &l, i, number) < 0)
			goto out;
	if (tc_buf_adds(out, "</svg>\n</div>\n") < 0)
		goto out;
	rc = 0;
out:
	layout_release(&l);
	return rc;
}
