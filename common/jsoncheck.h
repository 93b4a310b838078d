/*
 * jsoncheck.h: a strict check of JSON text (RFC 8259) before it is
 * parsed, for text that crosses a trust boundary.
 *
 * cJSON is lenient where a hostile or broken writer can hide things: it
 * takes raw control characters inside strings, keeps only the first of two
 * keys with the same name, and ends a string at an escaped NUL (\u0000)
 * without a word, so the rest of the text is never seen. tc_json_check
 * refuses all of these, and anything else outside the grammar, saying
 * where.
 */
#ifndef TC_JSONCHECK_H
#define TC_JSONCHECK_H

#include <stddef.h>

/* Containers nest no deeper than this (cJSON's own limit is 1000). */
#define TC_JSON_MAX_DEPTH 256

enum tc_json_fault {
	TC_JSON_OK = 0,
	TC_JSON_SYNTAX,	   /* not JSON at off */
	TC_JSON_CONTROL,   /* a raw control character in a string at off */
	TC_JSON_NUL,	   /* the escape \u0000 at off */
	TC_JSON_SURROGATE, /* a \u escape half of a surrogate pair at off */
	TC_JSON_DUPLICATE, /* the object key at off was given before */
	TC_JSON_DEEP,	   /* nested past TC_JSON_MAX_DEPTH at off */
};

struct tc_json_check {
	enum tc_json_fault fault;
	size_t off;   /* byte offset of the fault in the text */
	char key[64]; /* TC_JSON_DUPLICATE: the key, cut to fit, any byte
			 but printable ASCII as '?' */
};

/*
 * Checks text[0..len) is exactly one JSON value (with white space around
 * it) and none of the faults above. Keys are compared as decoded, so
 * "a" and "\u0061" are the same key. Returns 0, or -1 with *res saying
 * what and where (the first fault found). Dies when out of memory.
 */
int tc_json_check(const char *text, size_t len, struct tc_json_check *res);

/* A short English phrase for a fault ("a key given twice", ...). */
const char *tc_json_fault_text(enum tc_json_fault f);

#endif
