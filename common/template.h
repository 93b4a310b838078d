/*
 * template.h: a Mustache engine over cJSON contexts.
 *
 * Implements the Mustache spec (comments, delimiters, interpolation,
 * inverted, partials, sections) and template inheritance ({{<parent}},
 * {{$block}}), which is how themes do layouts. Templates are compiled once
 * into a set and rendered many times. Variables are HTML-escaped with
 * tc_esc_html; {{{x}}} and {{&x}} are not.
 *
 * Partials and parents are found by name: first among templates added to the
 * set, then through the loader callback. A name neither knows renders as
 * nothing (as the spec requires).
 *
 * Thread safety: once compiled, a set may be rendered from several threads at
 * once; loading a partial on first use is guarded by a lock inside the set.
 */
#ifndef TC_TEMPLATE_H
#define TC_TEMPLATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "err.h"

struct tc_tpl_set; /* opaque: named compiled templates */

/*
 * Finds the source of the template called name. On success appends the
 * source to src, the file name for error messages to file, and returns 0;
 * returns 1 when there is no such template, -1 on an error (after filling
 * err).
 */
typedef int (*tc_tpl_load_fn)(void *arg, const char *name, struct tc_buf *src,
			      struct tc_buf *file, struct tc_error *err);

/* Returns a new set (load may be NULL), or NULL when out of memory. */
struct tc_tpl_set *tc_tpl_set_new(tc_tpl_load_fn load, void *arg);

/* Frees the set and every template in it. Accepts NULL. */
void tc_tpl_set_free(struct tc_tpl_set *set);

/*
 * Compiles src[0..len) and adds it to the set as name (replacing one of the
 * same name). file names the source in errors. Returns 0, or -1 with err
 * filled: "file:line:col: unclosed section 'x'", "mismatched close tag",
 * "nesting deeper than 64", and so on.
 */
int tc_tpl_add(struct tc_tpl_set *set, const char *name, const char *file,
	       const char *src, size_t len, struct tc_error *err);

/*
 * Reads the file at path (at most TC_MAX_SOURCE_FILE bytes) and adds it as
 * name. Returns 0; or -1 with err filled (TC_EIO when it cannot be read:
 * the caller says what the file is for and how to fix it; otherwise a
 * compile error, "file:line:col: ...").
 */
int tc_tpl_add_file(struct tc_tpl_set *set, const char *name, const char *path,
		    struct tc_error *err);

/*
 * Renders the template called name (added or loadable) against ctx,
 * appending to out. Returns 0, or -1 with err filled (a template that fails
 * to compile or load, partials nested deeper than TC_MAX_PARTIAL_DEPTH,
 * output over TC_MAX_RENDER, more than TC_MAX_RENDER_STEPS steps, out of
 * memory).
 */
int tc_tpl_render(struct tc_tpl_set *set, const char *name, const cJSON *ctx,
		  struct tc_buf *out, struct tc_error *err);

/*
 * One-off: compiles src and renders it against ctx, with partials taken from
 * the object partials (name -> template string; may be NULL). For tests and
 * small jobs such as letter templates.
 */
int tc_tpl_render_string(const char *src, size_t len, const cJSON *ctx,
			 const cJSON *partials, struct tc_buf *out,
			 struct tc_error *err);

#endif
