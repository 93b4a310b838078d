/*
 * yamlexplain.c: the common YAML mistakes behind libyaml's messages (see
 * yamlexplain.h).
 *
 * libyaml reports where its grammar broke, which for a missing colon is the
 * line after the mistake and for a stray quote is the middle of a word. Each
 * rule here matches one of its messages, looks at the lines around it and
 * says what an editor typed and how to fix it.
 */
#include "yamlexplain.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NONE SIZE_MAX
#define SHOW 100 /* bytes of an editor's text quoted in a message */

static int is_eol(char c)
{
	return c == '\n' || c == '\r';
}

static size_t line_begin(const char *t, size_t off)
{
	while (off > 0 && !is_eol(t[off - 1]))
		off--;
	return off;
}

static size_t line_end(const char *t, size_t len, size_t off)
{
	while (off < len && !is_eol(t[off]))
		off++;
	return off;
}

static size_t skip_spaces(const char *t, size_t off, size_t end)
{
	while (off < end && t[off] == ' ')
		off++;
	return off;
}

/* The first byte of a line's content: after its indent and any "- ". */
static size_t content_begin(const char *t, size_t b, size_t e)
{
	b = skip_spaces(t, b, e);
	while (b + 1 < e && t[b] == '-' && t[b + 1] == ' ')
		b = skip_spaces(t, b + 1, e);
	return b;
}

/* 1 for a line with nothing for the parser: blank, a comment, "---". */
static int is_empty_line(const char *t, size_t b, size_t e)
{
	b = skip_spaces(t, b, e);
	return b == e || t[b] == '#' ||
	       (e - b >= 3 && !memcmp(t + b, "---", 3));
}

/* The line before the one starting at b that holds something, or NONE. */
static size_t prev_line(const char *t, size_t b)
{
	while (b > 0) {
		size_t e = b - 1, pb;

		if (e > 0 && t[e] == '\n' && t[e - 1] == '\r')
			e--;
		pb = line_begin(t, e);
		if (!is_empty_line(t, pb, e))
			return pb;
		b = pb;
	}
	return NONE;
}

/* The colon ending a line's name (followed by a space or the line's end),
 * outside quotes, or NONE. */
static size_t name_colon(const char *t, size_t b, size_t e)
{
	size_t i = content_begin(t, b, e);

	if (i < e && (t[i] == '"' || t[i] == '\''))
		return NONE;
	for (; i < e; i++) {
		if (t[i] == '#' && i > b && t[i - 1] == ' ')
			return NONE;
		if (t[i] == ':' && (i + 1 == e || t[i + 1] == ' '))
			return i;
	}
	return NONE;
}

void tc_yaml_offset_where(const char *text, size_t off, int first_line,
			  int *line, int *col)
{
	size_t i;
	int l = first_line, c = 1;

	for (i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n' ||
		    (ch == '\r' && (i + 1 == off || text[i + 1] != '\n'))) {
			l++;
			c = 1;
		} else if (ch != '\r' && (ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Line number of t[off]. */
static int line_of(const char *t, size_t off, int first_line)
{
	int line, col;

	tc_yaml_offset_where(t, off, first_line, &line, &col);
	return line;
}

/* text[b..e) without spaces at either end, shortened for a message. */
static int trimmed(const char *t, size_t b, size_t e, const char **p)
{
	b = skip_spaces(t, b, e);
	while (e > b && t[e - 1] == ' ')
		e--;
	*p = t + b;
	return (int)(e - b > SHOW ? SHOW : e - b);
}

static int say(struct tc_yaml_hint *h, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int say(struct tc_yaml_hint *h, size_t off, const char *fmt, ...)
{
	va_list ap;

	h->off = off;
	va_start(ap, fmt);
	vsnprintf(h->msg, sizeof(h->msg), fmt, ap);
	va_end(ap);
	return 1;
}

/* "name value" on one line: the fix is "name: value". */
static int no_colon(const char *t, size_t len, size_t b, struct tc_yaml_hint *h)
{
	size_t e = line_end(t, len, b), c = content_begin(t, b, e), w = c;
	const char *name, *rest;
	int nn, nr;

	while (w < e && t[w] != ' ')
		w++;
	nn = trimmed(t, c, w, &name);
	nr = trimmed(t, w, e, &rest);
	if (nr)
		return say(h, c,
			   "this line has no colon after its name: write it "
			   "as '%.*s: %.*s'",
			   nn, name, nr, rest);
	return say(h, c,
		   "this line has no colon after its name: write it as "
		   "'%.*s:' followed by its value",
		   nn, name);
}

/* libyaml met "name:" where a value was still going on. */
static int stray_colon(const char *t, size_t len, size_t poff, int first_line,
		       struct tc_yaml_hint *h)
{
	size_t b = line_begin(t, poff), e = line_end(t, len, poff);
	size_t first = name_colon(t, b, e), p, pe;
	const char *name, *value;
	int nn, nv;

	if (first != NONE && first < poff) {
		size_t c = content_begin(t, b, e);

		nn = trimmed(t, c, first, &name);
		nv = trimmed(t, first + 1, e, &value);
		return say(h, skip_spaces(t, first + 1, e),
			   "a colon and a space inside a value make it look "
			   "like a new name: put the value in quotes, like "
			   "%.*s: \"%.*s\"",
			   nn, name, nv, value);
	}
	p = prev_line(t, b);
	if (p == NONE)
		return 0;
	pe = line_end(t, len, p);
	if (skip_spaces(t, p, pe) - p == skip_spaces(t, b, e) - b &&
	    name_colon(t, p, pe) == NONE)
		return no_colon(t, len, p, h);
	if (skip_spaces(t, b, e) - b > skip_spaces(t, p, pe) - p) {
		size_t c = content_begin(t, p, pe);

		nn =
		    trimmed(t, c,
			    name_colon(t, p, pe) == NONE ? line_end(t, len, c)
							 : name_colon(t, p, pe),
			    &name);
		return say(h, skip_spaces(t, b, e),
			   "this line is indented more than line %d, so it "
			   "reads as more of that line's value: line it up "
			   "with '%.*s', or, if it continues the value, put "
			   "the whole value in quotes",
			   line_of(t, p, first_line), nn, name);
	}
	return 0;
}

/* libyaml wanted the next name of a mapping. */
static int lost_key(const char *t, size_t len, size_t poff, size_t coff,
		    int first_line, struct tc_yaml_hint *h)
{
	size_t b = line_begin(t, poff), i = poff;

	while (i > b && t[i - 1] == ' ')
		i--;
	if (i > b && (t[i - 1] == '"' || t[i - 1] == '\'') && poff < len &&
	    !is_eol(t[poff]))
		return say(h, poff,
			   "text follows the closing quote of a value: put the "
			   "whole value in double quotes (a quote inside "
			   "single quotes is written twice, as in 'it''s')");
	if (i > b && (t[i - 1] == ']' || t[i - 1] == '}') && poff < len &&
	    !is_eol(t[poff])) {
		size_t o = i - 1, depth = 0;

		/* back to the bracket that opened the list */
		for (; o > b; o--) {
			depth += t[o] == ']' || t[o] == '}';
			depth -= t[o] == '[' || t[o] == '{';
			if (!depth)
				break;
		}
		return say(h, o,
			   "a value that starts with '%c' is read as a list, "
			   "and text follows its closing '%c': put the whole "
			   "value in quotes",
			   t[o], t[i - 1]);
	}
	if (coff == NONE)
		return 0;
	if (coff == line_begin(t, coff))
		return say(h, skip_spaces(t, b, line_end(t, len, b)),
			   "this line does not line up with the names above "
			   "it: start it at the beginning of the line like "
			   "line %d, or indent it exactly like the names it "
			   "belongs with",
			   line_of(t, coff, first_line));
	return say(h, skip_spaces(t, b, line_end(t, len, b)),
		   "this line does not line up with the names above it: "
		   "indent it by %zu spaces like line %d, or exactly like "
		   "the names it belongs with",
		   coff - line_begin(t, coff), line_of(t, coff, first_line));
}

int tc_yaml_explain(const char *t, size_t len, const char *problem, size_t poff,
		    const char *context, size_t coff, int first_line,
		    struct tc_yaml_hint *h)
{
	int cline;

	if (!problem || poff > len || (coff != NONE && coff >= len))
		return 0;
	if (!context)
		context = "";
	cline = coff == NONE ? 0 : line_of(t, coff, first_line);
	if (!strcmp(problem, "mapping values are not allowed in this context"))
		return stray_colon(t, len, poff, first_line, h);
	if (!strcmp(problem, "could not find expected ':'") && coff != NONE)
		return no_colon(t, len, line_begin(t, coff), h);
	if (!strcmp(problem, "found unexpected end of stream") &&
	    strstr(context, "quoted scalar"))
		return say(h, coff,
			   "this quote is never closed: end the value with "
			   "another %c",
			   t[coff]);
	if (!strcmp(problem, "did not find expected key") &&
	    strstr(context, "block mapping"))
		return lost_key(t, len, poff, coff, first_line, h);
	if (!strcmp(problem, "did not find expected '-' indicator"))
		return say(h, poff,
			   "this line is inside the list that starts at line "
			   "%d but is not an item of it: start it with '- ', "
			   "or indent it like the name above the list",
			   cline);
	if (!strncmp(problem, "did not find expected ','", 25) &&
	    strstr(context, "flow") && coff != NONE)
		return say(h, coff,
			   "a value that starts with '%c' is read as a list, "
			   "and this one does not end with '%c': put the "
			   "value in quotes",
			   t[coff], t[coff] == '{' ? '}' : ']');
	if (!strcmp(problem, "found character that cannot start any token") &&
	    poff < len && t[poff] != '\t')
		return say(h, poff,
			   "a value cannot start with '%c': put the value in "
			   "quotes",
			   t[poff]);
	if (!strcmp(problem,
		    "block sequence entries are not allowed in this context"))
		return say(
		    h, poff,
		    "a list cannot start on the same line as its name: "
		    "put the value in quotes, or put each item on a "
		    "line of its own below the name, starting with '- '");
	return 0;
}
