/*
 * flowchart.h: a subset of Mermaid's flowchart syntax, rendered as an
 * accessible figure with an ordered list of steps (no script, no image).
 *
 *   flowchart TD
 *     start([We receive it]) --> q{Is it a complaint?}
 *     q -->|Yes| ack[Acknowledge] --> done([Closed])
 *     q -- No --> done
 *     %% a comment
 */
#ifndef TC_FLOWCHART_H
#define TC_FLOWCHART_H

#include <stddef.h>

#include "buffer.h"
#include "err.h"

struct flowchart; /* opaque: a parsed chart */

/* Most nodes and edges in one chart, and characters in one node's text. */
#define FC_MAX_NODES 500
#define FC_MAX_EDGES 2000
#define FC_MAX_TEXT  500

/*
 * Parses src[0..len) (the fenced block's contents). file and first_line say
 * where src starts, for errors. Returns a chart the caller frees with
 * flowchart_free, or NULL with err filled ("file:line:col: unknown node
 * 'x' ...").
 */
struct flowchart *flowchart_parse(const char *src, size_t len, const char *file,
				  int first_line, struct tc_error *err);

/*
 * Parses the info string after "flowchart": nothing, or a caption in double
 * quotes. Stores a malloc'd caption (or NULL) in *caption, which the caller
 * frees. Returns 0, or -1 with err filled.
 */
int flowchart_caption(const char *info, const char *file, int line,
		      char **caption, struct tc_error *err);

/*
 * Renders the chart as HTML into out. number makes ids unique in the page
 * (flowchart-NUMBER-NODEID). caption may be NULL. Returns 0 or -1 (ENOMEM).
 */
int flowchart_render(const struct flowchart *fc, int number,
		     const char *caption, struct tc_buf *out);

/* Number of steps in the chart. */
size_t flowchart_steps(const struct flowchart *fc);

void flowchart_free(struct flowchart *fc);

#endif
