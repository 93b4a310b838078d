/*
 * pattern.h: the small regular-expression subset a form field's pattern may
 * use (docs/forms.md), always matched against the whole answer.
 *
 * Supported: literal characters (UTF-8), '.', \d \w \s and their negations
 * \D \W \S, a backslash before punctuation, [classes] with ranges and '^',
 * and the repeats * + ? {n} {n,} {n,m} (numbers up to 1000). Not supported,
 * and refused when compiling: groups, alternatives and anchors. Matching
 * costs parts x characters whatever the pattern: there is no backtracking.
 */
#ifndef TC_PATTERN_H
#define TC_PATTERN_H

struct tc_pattern; /* opaque: one compiled pattern */

/*
 * Compiles src (a NUL-terminated string). Returns a pattern the caller frees
 * with tc_pattern_free, or NULL with a static reason in *why (such as
 * "pattern has a '[' without its ']'", or "out of memory").
 */
struct tc_pattern *tc_pattern_compile(const char *src, const char **why);

/* 1 when the whole of s (valid UTF-8) matches, 0 when not, -1 on ENOMEM. */
int tc_pattern_match(const struct tc_pattern *p, const char *s);

/* Frees p; NULL is allowed. */
void tc_pattern_free(struct tc_pattern *p);

#endif
