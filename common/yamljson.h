/*
 * yamljson.h: YAML documents and Markdown front matter as cJSON trees.
 *
 * The loader is strict so editors get clear errors instead of surprises:
 * - mapping keys must be plain strings; a repeated key is an error;
 * - anchors, aliases and tags other than the standard ones are refused;
 * - nesting is capped at TC_MAX_DEPTH and the node count at TC_MAX_YAML_NODES;
 * - only one document per file; the input must be valid UTF-8.
 *
 * Scalars: quoted scalars are always strings. Plain (unquoted) scalars are
 * strings except exactly these: "true" and "false" (booleans), "null", "~"
 * and an empty value (null), and integers written -?(0|[1-9][0-9]*) within
 * +-2^53 (numbers). So "yes", "no", "on", "off", "1.0", "0123" and
 * "2026-04-01" all stay strings, as written.
 *
 * Every node's position in the source is kept, so later checks (a rule that
 * does not fit a form, a missing front matter field) can say file:line:col.
 */
#ifndef TC_YAMLJSON_H
#define TC_YAMLJSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

struct tc_yaml_doc; /* opaque: a parsed document with node positions */

/*
 * Parses text[0..len) as one YAML document. name is the file name used in
 * errors; first_line is the line of text[0] in that file (1 for a whole file,
 * 2 for front matter after a "---" line). An empty document gives a null
 * root. Returns a document the caller frees with tc_yaml_free, or NULL with
 * err filled (file:line:col and the problem).
 */
struct tc_yaml_doc *tc_yaml_parse(const char *name, const char *text,
				  size_t len, int first_line,
				  struct tc_error *err);

/* Reads the file at path (at most TC_MAX_SOURCE_FILE bytes) and parses it. */
struct tc_yaml_doc *tc_yaml_load_file(const char *path, struct tc_error *err);

/*
 * Splits a Markdown file into front matter and body. Front matter is present
 * when text begins with a line "---" and ends at the next line "---" (or
 * "..."); a missing closing line is an error. Without front matter the root
 * is an empty object. *body_off gets the offset of the body and *body_line
 * the line the body starts on (1-based). Returns a document or NULL with err.
 */
struct tc_yaml_doc *tc_front_matter(const char *name, const char *text,
				    size_t len, size_t *body_off,
				    int *body_line, struct tc_error *err);

/* The document's root (owned by the document; NULL never). */
cJSON *tc_yaml_root(const struct tc_yaml_doc *doc);

/* Takes the root out of the document; the caller frees it with cJSON_Delete. */
cJSON *tc_yaml_detach(struct tc_yaml_doc *doc);

/*
 * Where node (a node of this document's tree, key or value) starts in the
 * source. For a value inside a mapping, that is the value's position; the
 * key's position is found with tc_yaml_key_where. Returns 0 and fills line and
 * col (1-based), or -1 when the node is not known.
 */
int tc_yaml_where(const struct tc_yaml_doc *doc, const cJSON *node, int *line,
		  int *col);
int tc_yaml_key_where(const struct tc_yaml_doc *doc, const cJSON *node,
		      int *line, int *col);

/* The file name given to tc_yaml_parse. */
const char *tc_yaml_name(const struct tc_yaml_doc *doc);

/* Frees the document and its tree (unless detached). Accepts NULL. */
void tc_yaml_free(struct tc_yaml_doc *doc);

#endif
