/*
 * values.c: {{ name }} in pages, from site.yml and the rules.
 *
 * A page states the council's name, its contact details and every
 * timescale through a value, so that what the site promises is what
 * casework applies (docs/site-format.md, "Values"). Values are expanded in
 * the Markdown source before it is parsed: outside code they are
 * backslash-escaped, so a value is always text, never Markdown or HTML; in
 * code spans and fenced blocks (a flowchart's text) they go in as they are.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "internal.h"
#include "rules.h"
#include "rules_values.h"

/* Adds site.yml's scalars as site.KEY and site.KEY.SUB (lists are menus,
 * not values). */
static void add_site(cJSON *vals, const cJSON *obj, const char *prefix)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, obj)
	{
		char key[256];

		if (!e->string)
			continue;
		snprintf(key, sizeof(key), "%s.%s", prefix, e->string);
		if (cJSON_IsObject(e)) {
			add_site(vals, e, key);
		} else if (cJSON_IsString(e)) {
			cJSON_AddItemToObject(
			    vals, key, cJSON_CreateString(e->valuestring));
		} else if (cJSON_IsNumber(e)) {
			char num[64];

			snprintf(num, sizeof(num), "%g", e->valuedouble);
			cJSON_AddItemToObject(vals, key,
					      cJSON_CreateString(num));
		}
	}
}

void site_values_build(struct site *s, const struct tc_rules *rules)
{
	s->values = cJSON_CreateObject();
	if (!s->values)
		tc_die_nomem();
	if (cJSON_IsObject(tc_yaml_root(s->cfg)))
		add_site(s->values, tc_yaml_root(s->cfg), "site");
	if (rules) {
		tc_rules_add_values(rules, s->values);
		s->timescales = tc_rules_timescales(rules);
	}
}

static int name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* Edit distance of a and b, for "did you mean" (small strings only). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[257];

	if (la > 256 || lb > 256)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j],
			       best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The known name nearest to name, or NULL when none is near. */
static const char *nearest(const cJSON *vals, const char *name)
{
	const cJSON *e;
	const char *best = NULL;
	size_t bestd = strlen(name) / 3 + 2, d, n = strlen(name);

	/* {{ council }} is {{ site.council }}: a name missing its start. */
	cJSON_ArrayForEach(e, vals)
	{
		size_t l = strlen(e->string);

		if (l > n && e->string[l - n - 1] == '.' &&
		    !strcmp(e->string + l - n, name))
			return e->string;
	}
	cJSON_ArrayForEach(e, vals)
	{
		d = distance(name, e->string);
		if (d < bestd || (d == bestd && !best)) {
			if (d == bestd && best)
				continue;
			bestd = d;
			best = e->string;
		}
	}
	return best;
}

/* Appends the names that start like name (the stage or procedure an
 * editor has in mind) to why, at most a few. */
static void siblings(const cJSON *vals, const char *name, struct tc_buf *why)
{
	const char *dot = strrchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) + 1 : 0, shown = 0;
	const cJSON *e;

	if (!n)
		return;
	cJSON_ArrayForEach(e, vals)
	{
		if (strncmp(e->string, name, n) || strchr(e->string + n, '.'))
			continue;
		tc_buf_addf(why, "%s%s",
			    shown ? ", " : " (names here: ", e->string + n);
		if (++shown == 8)
			break;
	}
	if (shown)
		tc_buf_adds(why, ")");
}

/* What a missing or unset name gets told. */
static void explain(const struct site *s, const char *name, struct tc_buf *why)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->values, name);
	const char *near;

	if (v) {
		tc_buf_addf(why,
			    "{{ %s }}: %s does not set this value, so the "
			    "sentence cannot state it: reword it, or set the "
			    "value there",
			    name,
			    !strncmp(name, "rules.", 6) ? "rules.yml"
							: "site.yml");
		return;
	}
	tc_buf_addf(why, "unknown value {{ %s }}", name);
	near = nearest(s->values, name);
	if (near)
		tc_buf_addf(why, ": did you mean {{ %s }}?", near);
	else if (strncmp(name, "site.", 5) && strncmp(name, "rules.", 6))
		tc_buf_adds(why, ": values start with site. (site.yml) or "
				 "rules. (rules.yml)");
	siblings(s->values, name, why);
	if (!strncmp(name, "rules.", 6) && !s->timescales)
		tc_buf_adds(why, "; there is no content/rules.yml to read "
				 "rules values from");
}

/* Appends value to out as Markdown text: ASCII punctuation escaped. */
static void add_escaped(struct tc_buf *out, const char *v)
{
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (ispunct(c))
			tc_buf_addch(out, '\\');
		tc_buf_addch(out, c);
	}
}

static void add_raw(struct tc_buf *out, const char *v)
{
	for (; *v; v++)
		tc_buf_addch(out, *v == '\n' || *v == '\r' ? ' ' : *v);
}

/* Whether line (at p, up to its newline) opens or closes a fence: up to
 * three spaces, then three or more ` or ~. Sets *fc and *flen. */
static int fence_line(const char *p, const char *end, char *fc, size_t *flen)
{
	int sp = 0;
	size_t n = 0;

	while (p < end && *p == ' ' && sp < 4)
		p++, sp++;
	if (sp > 3 || p >= end || (*p != '`' && *p != '~'))
		return 0;
	while (p + n < end && p[n] == *p)
		n++;
	if (n < 3)
		return 0;
	*fc = *p;
	*flen = n;
	return 1;
}

/*
 * {{ NAME from YYYY-MM-DD }}: the day NAME (a stage's acknowledge or
 * respond) falls on for a complaint received that day, counted by the case
 * model with the rules' calendar, as "Monday 4 January 2027". Returns the
 * errors reported.
 */
static int example(const struct site *s, struct tc_buf *msgs, const char *file,
		   int line, int col, const char *name, const char *d,
		   size_t dlen, struct tc_buf *out, int markdown)
{
	static const char *const wd[] = {"Monday",   "Tuesday", "Wednesday",
					 "Thursday", "Friday",	"Saturday",
					 "Sunday"};
	char ymd[11], words[TC_DAY_WORDS], text[64];
	tc_day from, day;
	int rc;

	if (dlen != 10 || (memcpy(ymd, d, 10), ymd[10] = '\0',
			   tc_day_parse(ymd, &from) < 0)) {
		gen_msg(msgs, 0, file, line, col,
			"{{ %s from ... }} needs the day it counts from, "
			"written YYYY-MM-DD, like {{ %s from 2026-12-23 }}",
			name, name);
		return 1;
	}
	if (!s || !s->rules) {
		gen_msg(msgs, 0, file, line, col,
			"{{ %s from %s }} counts with the rules, and there is "
			"no content/rules.yml: add it, or write the date",
			name, ymd);
		return 1;
	}
	rc = tc_rules_example_day(s->rules, name, from, &day);
	if (rc < 0) {
		gen_msg(msgs, 0, file, line, col,
			"{{ %s from %s }}: a worked example counts a stage's "
			"acknowledge or respond, like {{ "
			"rules.corporate.stage1.respond from %s }}",
			name, ymd, ymd);
		return 1;
	}
	if (rc) {
		gen_msg(msgs, 0, file, line, col,
			rc == 1 ? "{{ %s from %s }}: rules.yml sets no such "
				  "deadline, so there is no day to state: "
				  "reword the example"
				: "{{ %s from %s }}: the day lies beyond the "
				  "bank holiday calendar: choose an earlier "
				  "example, or extend the calendar",
			name, ymd);
		return 1;
	}
	tc_day_words(day, words);
	snprintf(text, sizeof(text), "%s %s", wd[tc_day_weekday(day)], words);
	if (markdown)
		add_escaped(out, text);
	else
		add_raw(out, text);
	return 0;
}

int site_values_expand(const struct site *s, struct tc_buf *msgs,
		       const char *file, int first_line, int first_col,
		       const char *src, size_t len, int markdown,
		       struct tc_buf *out)
{
	const char *p = src, *end = src + len, *line_start = src;
	int col_off = first_col > 1 ? first_col - 1 : 0;
	int line = first_line, errors = 0;
	char fence = 0;
	size_t fence_len = 0, code_ticks = 0;

	while (p < end) {
		if (p == line_start && markdown) {
			char fc;
			size_t fl;

			if (fence_line(p, end, &fc, &fl)) {
				if (!fence)
					fence = fc, fence_len = fl;
				else if (fc == fence && fl >= fence_len)
					fence = 0;
			}
			code_ticks = 0;
		}
		if (*p == '\n') {
			tc_buf_addch(out, *p++);
			line++;
			line_start = p;
			col_off = 0;
			continue;
		}
		if (markdown && !fence && *p == '`') {
			size_t n = 0;

			while (p + n < end && p[n] == '`')
				n++;
			if (!code_ticks)
				code_ticks = n;
			else if (code_ticks == n)
				code_ticks = 0;
			tc_buf_add(out, p, n);
			p += n;
			continue;
		}
		if (*p == '\\' && p + 2 < end && p[1] == '{' && p[2] == '{') {
			/* \{{ shows the braces: cmark drops the backslash
			 * outside code; inside code this does. */
			if (!markdown || fence || code_ticks)
				p++;
			else
				tc_buf_addch(out, *p++);
			tc_buf_add(out, p, 2);
			p += 2;
			continue;
		}
		if (*p == '{' && p + 1 < end && p[1] == '{') {
			const char *q = p + 2, *n0, *n1, *d0, *d1 = NULL;
			int col = (int)(p - line_start) + 1 + col_off;
			char name[256];
			const cJSON *v;

			while (q < end && *q == ' ')
				q++;
			n0 = q;
			while (q < end && name_char((unsigned char)*q))
				q++;
			n1 = q;
			while (q < end && *q == ' ')
				q++;
			d0 = NULL;
			if (end - q > 5 && !memcmp(q, "from ", 5)) {
				/* {{ NAME from YYYY-MM-DD }}: a worked example
				 */
				q += 5;
				while (q < end && *q == ' ')
					q++;
				d0 = q;
				while (q < end &&
				       ((*q >= '0' && *q <= '9') || *q == '-'))
					q++;
				d1 = q;
				while (q < end && *q == ' ')
					q++;
			}
			if (n1 == n0 || q + 1 >= end || q[0] != '}' ||
			    q[1] != '}' || (size_t)(n1 - n0) >= sizeof(name)) {
				gen_msg(msgs, 0, file, line, col,
					"'{{' starts a value, written "
					"{{ site.council }} or "
					"{{ rules.corporate.stage1.respond }}: "
					"finish it with '}}', or write \\{{ "
					"to show the braces");
				errors++;
				tc_buf_add(out, p, 2);
				p += 2;
				continue;
			}
			memcpy(name, n0, (size_t)(n1 - n0));
			name[n1 - n0] = '\0';
			if (d0) {
				errors +=
				    example(s, msgs, file, line, col, name, d0,
					    (size_t)(d1 - d0), out,
					    markdown && !fence && !code_ticks);
				p = q + 2;
				continue;
			}
			v = s && s->values ? cJSON_GetObjectItemCaseSensitive(
						 s->values, name)
					   : NULL;
			if (cJSON_IsString(v)) {
				if (markdown && !fence && !code_ticks)
					add_escaped(out, v->valuestring);
				else
					add_raw(out, v->valuestring);
			} else {
				struct tc_buf why = TC_BUF_INIT;

				explain(s, name, &why);
				gen_msg(msgs, 0, file, line, col, "%s",
					why.data);
				tc_buf_release(&why);
				errors++;
			}
			p = q + 2;
			continue;
		}
		tc_buf_addch(out, *p++);
	}
	return errors;
}

/* Number words a timescale may be typed with. */
static const char *const number_words[] = {
    "one",	    "two",    "three",	 "four",       "five",
    "six",	    "seven",  "eight",	 "nine",       "ten",
    "eleven",	    "twelve", "fifteen", "twenty",     "twenty-five",
    "twenty-eight", "thirty", "forty",	 "forty-five", "sixty",
    "sixty-five",   NULL};

/* Length of a number (digits or a number word) at p, or 0. */
static size_t number_at(const char *p, const char *end, const char *start)
{
	size_t n = 0, k;

	if (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
		return 0;
	while (p + n < end && isdigit((unsigned char)p[n]))
		n++;
	if (n)
		return n;
	for (k = 0; number_words[k]; k++) {
		size_t wl = strlen(number_words[k]);

		if ((size_t)(end - p) > wl &&
		    !strncasecmp(p, number_words[k], wl) &&
		    !isalnum((unsigned char)p[wl]) && p[wl] != '-')
			n = wl > n ? wl : n;
	}
	return n;
}

/* Length of "working day(s)"-like words at p (after spaces), or 0. */
static size_t unit_at(const char *p, const char *end)
{
	static const char *const units[] = {"working day", "calendar day",
					    "business day", "clear day", NULL};
	const char *q = p;
	size_t k;

	while (q < end && (*q == ' ' || *q == '\n'))
		q++;
	/* "20 more working days", "10 further working days" */
	for (k = 0; k < 3; k++) {
		static const char *const extra[] = {"more ", "further ",
						    "extra "};
		size_t el = strlen(extra[k]);

		if ((size_t)(end - q) > el && !strncasecmp(q, extra[k], el)) {
			q += el;
			break;
		}
	}
	for (k = 0; units[k]; k++) {
		size_t ul = strlen(units[k]);

		if ((size_t)(end - q) >= ul && !strncasecmp(q, units[k], ul)) {
			q += ul;
			if (q < end && *q == 's')
				q++;
			return (size_t)(q - p);
		}
	}
	return 0;
}

/* The hint: up to three values that read as typed ("10 more working
 * days" reads as "10 working days"), procedures' first; or the first
 * stage's response time as an example. */
static void hint_for(const struct site *s, const char *typed,
		     struct tc_buf *hint)
{
	static const char *const extra[] = {" more ", " further ", " extra "};
	char want[96];
	const char *sp = strchr(typed, ' ');
	const cJSON *e;
	int pass, shown = 0;
	size_t k;

	snprintf(want, sizeof(want), "%s", typed);
	for (k = 0; sp && k < 3; k++)
		if (!strncasecmp(sp, extra[k], strlen(extra[k])))
			snprintf(want + (sp - typed),
				 sizeof(want) - (size_t)(sp - typed), " %s",
				 sp + strlen(extra[k]));
	for (pass = 0; pass < 2 && shown < 3; pass++)
		cJSON_ArrayForEach(e, s->values)
		{
			/* rules.PROC.stageN... first, then the rest. */
			int staged = strstr(e->string, ".stage") != NULL;

			if (shown == 3 || staged != !pass ||
			    !cJSON_IsString(e) ||
			    strncmp(e->string, "rules.", 6) ||
			    strcasecmp(e->valuestring, want))
				continue;
			tc_buf_addf(hint, "%s{{ %s }}", shown ? " or " : "",
				    e->string);
			shown++;
		}
	if (shown)
		return;
	cJSON_ArrayForEach(e, s->values)
	{
		size_t n = strlen(e->string);

		if (n > 15 && !strcmp(e->string + n - 15, ".stage1.respond")) {
			tc_buf_addf(hint, "{{ %s }}", e->string);
			return;
		}
	}
	tc_buf_adds(hint, "{{ rules.NAME }}");
}

int site_values_lint(const struct site *s, struct tc_buf *msgs,
		     const char *file, int first_line, const char *src,
		     size_t len)
{
	const char *p = src, *end = src + len, *line_start = src;
	int line = first_line, warnings = 0;

	if (!s || !s->values)
		return 0;
	for (; p < end; p++) {
		size_t n, u;

		if (*p == '\n') {
			line++;
			line_start = p + 1;
			continue;
		}
		if (*p == '{' && p + 1 < end && p[1] == '{') {
			const char *close = memchr(p, '\n', (size_t)(end - p));
			const char *q = p + 2;

			/* Skip the value's name, not what follows it. */
			while (q + 1 < (close ? close : end) &&
			       !(q[0] == '}' && q[1] == '}'))
				q++;
			p = q;
			continue;
		}
		n = number_at(p, end, src);
		if (!n || !(u = unit_at(p + n, end)))
			continue;
		{
			char typed[96];
			size_t tl =
			    n + u < sizeof(typed) ? n + u : sizeof(typed) - 1;
			struct tc_buf hint = TC_BUF_INIT;
			size_t k;

			memcpy(typed, p, tl);
			typed[tl] = '\0';
			for (k = 0; k < tl; k++)
				if (typed[k] == '\n')
					typed[k] = ' ';
			hint_for(s, typed, &hint);
			gen_msg(msgs, 1, file, line, (int)(p - line_start) + 1,
				"'%s' is typed by hand: state timescales with "
				"their value from the rules, like %s, so the "
				"page changes when the rules do",
				typed, hint.data);
			tc_buf_release(&hint);
			warnings++;
			p += n + u - 1;
		}
	}
	return warnings;
}
