/*
 * pattern.c: compiling and matching the pattern subset (see pattern.h).
 *
 * A compiled pattern is a list of atoms, each a set of characters repeated
 * min to max times. Matching walks the atoms once each, carrying the set of
 * positions in the answer reachable so far, so it needs no backtracking.
 */
#include "pattern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define PAT_MAX_ATOMS  64
#define PAT_MAX_RANGES 16
#define PAT_MAX_REPEAT 1000
#define PAT_INF	       UINT32_MAX

/* One atom of a pattern: a set of characters repeated min to max times. */
struct pat_atom {
	uint32_t lo[PAT_MAX_RANGES]; /* code point ranges, inclusive */
	uint32_t hi[PAT_MAX_RANGES];
	unsigned nr;  /* ranges in use */
	int any;      /* '.': any character except a newline */
	int negate;   /* matches what is outside the ranges */
	uint32_t min; /* fewest repeats */
	uint32_t max; /* most repeats, PAT_INF for no limit */
};

struct tc_pattern {
	struct pat_atom v[PAT_MAX_ATOMS]; /* the atoms, in order */
	size_t n;			  /* atoms in use */
};

/* Where compiling has got to in the source. */
struct cursor {
	const char *s;	 /* the pattern as written */
	size_t len;	 /* its bytes */
	size_t i;	 /* the next byte to read */
	const char *why; /* why compiling failed (static) */
};

/* Records why compiling failed; returns -1. */
static int fail(struct cursor *c, const char *why)
{
	c->why = why;
	return -1;
}

static int pat_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int pat_add_range(struct pat_atom *a, uint32_t lo, uint32_t hi)
{
	if (a->nr >= PAT_MAX_RANGES)
		return -1;
	a->lo[a->nr] = lo;
	a->hi[a->nr] = hi;
	a->nr++;
	return 0;
}

/* Adds the ranges of \d, \w or \s; returns -1 for another letter. */
static int pat_add_class(struct pat_atom *a, int letter)
{
	int rc = -1;

	switch (letter) {
	case 'd':
		rc = pat_add_range(a, '0', '9');
		break;
	case 'w':
		rc = pat_add_range(a, 'a', 'z') | pat_add_range(a, 'A', 'Z') |
		     pat_add_range(a, '0', '9') | pat_add_range(a, '_', '_');
		break;
	case 's':
		rc = pat_add_range(a, ' ', ' ') | pat_add_range(a, '\t', '\n') |
		     pat_add_range(a, '\r', '\r');
		break;
	default:
		break;
	}
	return rc;
}

/* Punctuation that may follow a backslash to stand for itself. */
static int pat_escapable(int c)
{
	return c != '\0' && strchr("\\.[]{}()*+?^$|-/ ", c) != NULL;
}

/* Reads a decimal number of at most 4 digits at s[*i]; -1 if none. */
static long pat_number(const char *s, size_t len, size_t *i)
{
	long v = -1;
	size_t start = *i;

	while (*i < len && pat_is_digit((unsigned char)s[*i]) &&
	       *i - start < 4) {
		v = (v < 0 ? 0 : v * 10) + (s[*i] - '0');
		(*i)++;
	}
	return v;
}

/* Reads one UTF-8 character at c->i (the source is valid UTF-8). */
static uint32_t pat_char(struct cursor *c)
{
	uint32_t cp = 0;

	c->i += tc_utf8_decode(c->s + c->i, c->len - c->i, &cp);
	return cp;
}

/* Reads a backslash escape outside a [class] into a. */
static int pat_escape(struct cursor *c, struct pat_atom *a)
{
	int ch;

	if (c->i + 1 >= c->len)
		return fail(c, "pattern ends with a lone '\\'");
	ch = (unsigned char)c->s[c->i + 1];
	c->i += 2;
	if (ch == 'D' || ch == 'W' || ch == 'S') {
		a->negate = 1;
		ch = ch - 'A' + 'a';
	}
	if (ch == 'd' || ch == 'w' || ch == 's') {
		pat_add_class(a, ch);
		return 0;
	}
	if (!pat_escapable(ch))
		return fail(c, "unknown escape in pattern: use \\d, \\w, "
			       "\\s or a backslash before punctuation");
	pat_add_range(a, (uint32_t)ch, (uint32_t)ch);
	return 0;
}

/* Reads one member of a [class]: a character, an escape or a range. */
static int pat_class_member(struct cursor *c, struct pat_atom *a)
{
	uint32_t cp, cp2;
	int ch;

	if (c->s[c->i] == '\\') {
		if (c->i + 1 >= c->len)
			return fail(c, "pattern has a '[' without its ']'");
		ch = (unsigned char)c->s[c->i + 1];
		c->i += 2;
		if (ch == 'd' || ch == 'w' || ch == 's')
			return pat_add_class(a, ch) < 0
				   ? fail(c, "too many ranges in a [class]")
				   : 0;
		if (!pat_escapable(ch))
			return fail(c, "unknown escape in pattern");
		cp = (uint32_t)ch;
	} else {
		cp = pat_char(c);
	}
	cp2 = cp;
	if (c->i + 1 < c->len && c->s[c->i] == '-' && c->s[c->i + 1] != ']') {
		c->i++;
		cp2 = pat_char(c);
		if (cp2 < cp)
			return fail(c, "a range in a [class] runs backwards");
	}
	if (pat_add_range(a, cp, cp2) < 0)
		return fail(c, "too many ranges in a [class]");
	return 0;
}

/* Reads a [class] starting at its '[' into a. */
static int pat_class(struct cursor *c, struct pat_atom *a)
{
	c->i++;
	if (c->i < c->len && c->s[c->i] == '^') {
		a->negate = 1;
		c->i++;
	}
	for (;;) {
		if (c->i >= c->len)
			return fail(c, "pattern has a '[' without its ']'");
		if (c->s[c->i] == ']')
			break;
		if (pat_class_member(c, a) < 0)
			return -1;
	}
	c->i++; /* the ']' */
	if (a->nr == 0)
		return fail(c, "empty [] in pattern");
	return 0;
}

/* Reads {n}, {n,} or {n,m} starting at its '{' into a's repeats. */
static int pat_braces(struct cursor *c, struct pat_atom *a)
{
	static const char why[] = "bad {n,m} in pattern: numbers up to 1000";
	long lo, hi;

	c->i++;
	lo = pat_number(c->s, c->len, &c->i);
	if (lo < 0 || lo > PAT_MAX_REPEAT)
		return fail(c, why);
	hi = lo;
	if (c->i < c->len && c->s[c->i] == ',') {
		c->i++;
		hi = pat_number(c->s, c->len, &c->i);
		if (hi > PAT_MAX_REPEAT)
			return fail(c, why);
	}
	if (c->i >= c->len || c->s[c->i] != '}')
		return fail(c, why);
	c->i++;
	if (hi >= 0 && hi < lo)
		return fail(c, why);
	a->min = (uint32_t)lo;
	a->max = hi < 0 ? PAT_INF : (uint32_t)hi;
	return 0;
}

/* Reads the repeat after an atom, if any: * + ? or braces. */
static int pat_repeat(struct cursor *c, struct pat_atom *a)
{
	int ch;

	if (c->i >= c->len)
		return 0;
	ch = (unsigned char)c->s[c->i];
	if (ch == '*' || ch == '+' || ch == '?') {
		a->min = ch == '+' ? 1 : 0;
		a->max = ch == '?' ? 1 : PAT_INF;
		c->i++;
	} else if (ch == '{') {
		if (pat_braces(c, a) < 0)
			return -1;
	} else {
		return 0;
	}
	if (c->i < c->len && strchr("*+?{", c->s[c->i]))
		return fail(c, "pattern has two repeats in a row");
	return 0;
}

/* Reads one atom and its repeat into a. */
static int pat_atom(struct cursor *c, struct pat_atom *a)
{
	int ch = (unsigned char)c->s[c->i];
	uint32_t cp;

	a->min = a->max = 1;
	if (ch == '.') {
		a->any = 1;
		c->i++;
	} else if (ch == '\\') {
		if (pat_escape(c, a) < 0)
			return -1;
	} else if (ch == '[') {
		if (pat_class(c, a) < 0)
			return -1;
	} else if (strchr("()|^$", ch)) {
		return fail(c, "pattern uses something not supported: no "
			       "groups, alternatives or anchors (patterns "
			       "always match the whole answer)");
	} else if (strchr("*+?{}]", ch)) {
		return fail(c, "pattern has a repeat with nothing before it");
	} else {
		cp = pat_char(c);
		pat_add_range(a, cp, cp);
	}
	return pat_repeat(c, a);
}

struct tc_pattern *tc_pattern_compile(const char *src, const char **why)
{
	struct cursor c = {src, strlen(src), 0, "out of memory"};
	struct tc_pattern *p = NULL, *ret = NULL;

	p = calloc(1, sizeof(*p));
	if (!p)
		goto out;
	if (!tc_utf8_valid(src, c.len, NULL)) {
		fail(&c, "pattern is not valid UTF-8");
		goto out;
	}
	while (c.i < c.len) {
		if (p->n >= PAT_MAX_ATOMS) {
			fail(&c, "pattern is too long: at most 64 parts");
			goto out;
		}
		if (pat_atom(&c, &p->v[p->n++]) < 0)
			goto out;
	}
	ret = p;
	p = NULL;
out:
	*why = ret ? NULL : c.why;
	free(p);
	return ret;
}

void tc_pattern_free(struct tc_pattern *p)
{
	free(p);
}

static int pat_atom_matches(const struct pat_atom *a, uint32_t cp)
{
	unsigned i;
	int in = 0;

	if (a->any)
		return cp != '\n';
	for (i = 0; i < a->nr && !in; i++)
		in = cp >= a->lo[i] && cp <= a->hi[i];
	return a->negate ? !in : in;
}

/*
 * Each atom maps the set of positions reachable so far to the next set in
 * linear time (runs of matching characters and a difference array), so a
 * match costs atoms x characters whatever the pattern.
 */
int tc_pattern_match(const struct tc_pattern *pt, const char *s)
{
	size_t len = strlen(s), ncp = 0, i, p, k, lim;
	uint32_t *cps = NULL;
	size_t *run = NULL;
	long *diff = NULL;
	char *reach = NULL;
	int rc = -1;
	long sum;

	cps = malloc((len + 1) * sizeof(*cps));
	run = malloc((len + 2) * sizeof(*run));
	diff = malloc((len + 2) * sizeof(*diff));
	reach = calloc(len + 2, 1);
	if (!cps || !run || !diff || !reach)
		goto out;
	for (i = 0; i < len; i += k) {
		k = tc_utf8_decode(s + i, len - i, &cps[ncp]);
		if (k == 0)
			k = 1; /* not reached: values are checked first */
		ncp++;
	}
	reach[0] = 1;
	for (k = 0; k < pt->n; k++) {
		const struct pat_atom *a = &pt->v[k];

		run[ncp] = 0;
		for (p = ncp; p-- > 0;)
			run[p] =
			    pat_atom_matches(a, cps[p]) ? run[p + 1] + 1 : 0;
		memset(diff, 0, (ncp + 2) * sizeof(*diff));
		for (p = 0; p <= ncp; p++) {
			if (!reach[p] || run[p] < a->min)
				continue;
			lim = run[p];
			if (a->max != PAT_INF && a->max < lim)
				lim = a->max;
			diff[p + a->min]++;
			diff[p + lim + 1]--;
		}
		sum = 0;
		for (p = 0; p <= ncp; p++) {
			sum += diff[p];
			reach[p] = sum > 0;
		}
	}
	rc = reach[ncp] ? 1 : 0;
out:
	free(cps);
	free(run);
	free(diff);
	free(reach);
	return rc;
}
