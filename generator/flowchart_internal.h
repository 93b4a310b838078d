/*
 * flowchart_internal.h: a parsed chart, shared by the parser and list
 * (flowchart.c) and the drawing (flowchart_draw.c).
 */
#ifndef TC_FLOWCHART_INTERNAL_H
#define TC_FLOWCHART_INTERNAL_H

#include <stddef.h>

#include "buffer.h"

enum fc_kind {
	FC_UNDEFINED, /* mentioned by id only, so far */
	FC_PROCESS,   /* id[text] */
	FC_DECISION,  /* id{text} */
	FC_TERMINAL,  /* id([text]) */
};

struct fc_node {
	char *id;	   /* [A-Za-z0-9_]+ */
	char *text;	   /* the step's words; NULL while undefined */
	enum fc_kind kind; /* shape */
	int line, col;	   /* where it was first mentioned */
	int def_line;	   /* where its text was given */
};

struct fc_edge {
	size_t from, to; /* node indexes */
	char *label;	 /* "Yes", or NULL */
};

struct flowchart {
	struct fc_node *nodes;
	size_t nnodes, anodes;
	struct fc_edge *edges;
	size_t nedges, aedges;
};

/*
 * The chart drawn as an SVG into out: boxes in ranks from the top, each
 * way out of a step an arrow to the step it leads to, labelled with its
 * answer. The drawing is hidden from assistive technology (the list is
 * its text). Returns 0 or -1 (ENOMEM).
 */
int flowchart_draw(const struct flowchart *fc, int number, struct tc_buf *out);

#endif
