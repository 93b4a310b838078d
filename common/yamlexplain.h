/*
 * yamlexplain.h: libyaml's syntax errors said again in plain words, with the
 * fix and the line where the mistake is (which is often not the line where
 * libyaml noticed it).
 */
#ifndef TC_YAMLEXPLAIN_H
#define TC_YAMLEXPLAIN_H

#include <stddef.h>

struct tc_yaml_hint {
	size_t off;    /* the byte the message points at */
	char msg[640]; /* the mistake and its fix */
};

/*
 * Looks at text[0..len) around libyaml's problem (at byte poff) and its
 * context (at coff, or SIZE_MAX for none). Returns 1 with *h filled when the
 * mistake is one editors commonly make, else 0.
 */
/*
 * Line and column (1-based, columns in characters) of text[off], text[0]
 * being on first_line. A CR LF pair, a lone CR and a lone LF each end a
 * line.
 */
void tc_yaml_offset_where(const char *text, size_t off, int first_line,
			  int *line, int *col);

int tc_yaml_explain(const char *text, size_t len, const char *problem,
		    size_t poff, const char *context, size_t coff,
		    int first_line, struct tc_yaml_hint *h);

#endif
