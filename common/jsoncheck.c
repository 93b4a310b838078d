/*
 * jsoncheck.c: the strict JSON check (see jsoncheck.h).
 *
 * One pass over the text with an explicit stack, so nesting costs no C
 * stack. Each object's keys are decoded into one arena as they come; when
 * the object closes its keys are sorted and neighbours compared, then
 * dropped, so memory is bounded by the keys of the open objects.
 */
#include "jsoncheck.h"
#include "array.h"
#include "buffer.h"
#include "err.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct key {
	size_t koff, klen; /* in the arena */
	size_t src;	   /* where the key's string starts in the text */
	const char *k;	   /* set when its object closes */
};

struct frame {
	char kind;	   /* '{' or '[' */
	size_t first_key;  /* the object's first key record */
	size_t arena_mark; /* the arena's length when it opened */
};

struct scan {
	const char *s, *end, *p;
	struct tc_json_check *res;
	struct tc_buf arena;
	struct key *keys;
	size_t nkeys, akeys;
};

static int fail(struct scan *sc, enum tc_json_fault f, const char *at)
{
	sc->res->fault = f;
	sc->res->off = (size_t)(at - sc->s);
	return -1;
}

static void skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
				   *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
	int i;

	*v = 0;
	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/*
 * The string at sc->p (its opening quote); decoded into out when out is
 * not NULL. Leaves sc->p after the closing quote. 0 or -1 (fault set).
 */
static int string(struct scan *sc, struct tc_buf *out)
{
	const char *p = sc->p + 1, *run;
	char utf[4];
	uint32_t cp, lo;

	for (;;) {
		run = p;
		while (p < sc->end && *p != '"' && *p != '\\' &&
		       (unsigned char)*p >= 0x20)
			p++;
		if (out && p > run &&
		    tc_buf_add(out, run, (size_t)(p - run)) < 0)
			tc_die_nomem();
		if (p == sc->end)
			return fail(sc, TC_JSON_SYNTAX, p);
		if (*p == '"')
			break;
		if ((unsigned char)*p < 0x20)
			return fail(sc, TC_JSON_CONTROL, p);
		/* an escape */
		if (p + 1 == sc->end)
			return fail(sc, TC_JSON_SYNTAX, p);
		if (p[1] != 'u') {
			/* a one-letter escape and the byte it stands for */
			static const char names[] = "\"\\/bfnrt";
			static const char bytes[] = "\"\\/\b\f\n\r\t";
			const char *e = p[1] ? strchr(names, p[1]) : NULL;

			if (!e)
				return fail(sc, TC_JSON_SYNTAX, p);
			if (out && tc_buf_addch(out, bytes[e - names]) < 0)
				tc_die_nomem();
			p += 2;
			continue;
		}
		if (hex4(p + 2, sc->end, &cp) < 0)
			return fail(sc, TC_JSON_SYNTAX, p);
		if (cp == 0)
			return fail(sc, TC_JSON_NUL, p);
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return fail(sc, TC_JSON_SURROGATE, p);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (sc->end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
			    hex4(p + 8, sc->end, &lo) < 0 || lo < 0xDC00 ||
			    lo > 0xDFFF)
				return fail(sc, TC_JSON_SURROGATE, p);
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			p += 6;
		}
		if (out && tc_buf_add(out, utf, tc_utf8_encode(cp, utf)) < 0)
			tc_die_nomem();
		p += 6;
	}
	sc->p = p + 1;
	return 0;
}

static int digits(struct scan *sc)
{
	const char *start = sc->p;

	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
		sc->p++;
	return sc->p > start ? 0 : fail(sc, TC_JSON_SYNTAX, sc->p);
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int number(struct scan *sc)
{
	if (sc->p < sc->end && *sc->p == '-')
		sc->p++;
	if (sc->p < sc->end && *sc->p == '0')
		sc->p++;
	else if (digits(sc) < 0)
		return -1;
	if (sc->p < sc->end && *sc->p == '.') {
		sc->p++;
		if (digits(sc) < 0)
			return -1;
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		sc->p++;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (digits(sc) < 0)
			return -1;
	}
	return 0;
}

static int word(struct scan *sc, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, w, n))
		return fail(sc, TC_JSON_SYNTAX, sc->p);
	sc->p += n;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->k, y->k, n);

	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return (x->src > y->src) - (x->src < y->src);
}

/* Closes the object of frame f: a key given twice is a fault at its
 * second (earliest such) place. */
static int close_object(struct scan *sc, const struct frame *f)
{
	struct key *k = sc->keys + f->first_key;
	size_t n = sc->nkeys - f->first_key, i, best = SIZE_MAX, bi = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		k[i].k = sc->arena.data + k[i].koff;
	if (n > 1)
		qsort(k, n, sizeof(*k), cmp_key);
	for (i = 1; i < n; i++)
		if (k[i].klen == k[i - 1].klen &&
		    !memcmp(k[i].k, k[i - 1].k, k[i].klen) && k[i].src < best) {
			best = k[i].src;
			bi = i;
		}
	if (best != SIZE_MAX) {
		char *o = sc->res->key;

		/* Printable ASCII only: the key goes into messages. */
		for (i = 0; i < k[bi].klen && i + 1 < sizeof(sc->res->key); i++)
			o[i] = k[bi].k[i] >= 0x20 && k[bi].k[i] < 0x7f
				   ? k[bi].k[i]
				   : '?';
		o[i] = '\0';
		rc = fail(sc, TC_JSON_DUPLICATE, sc->s + best);
	}
	sc->nkeys = f->first_key;
	tc_buf_setlen(&sc->arena, f->arena_mark);
	return rc;
}

/* A key and its colon, at sc->p. */
static int object_key(struct scan *sc)
{
	struct key *k;
	size_t src = (size_t)(sc->p - sc->s), koff = sc->arena.len;

	if (sc->p == sc->end || *sc->p != '"')
		return fail(sc, TC_JSON_SYNTAX, sc->p);
	if (string(sc, &sc->arena) < 0)
		return -1;
	TC_ALLOC_GROW(sc->keys, sc->nkeys + 1, sc->akeys);
	k = &sc->keys[sc->nkeys++];
	k->koff = koff;
	k->klen = sc->arena.len - koff;
	k->src = src;
	skip_ws(sc);
	if (sc->p == sc->end || *sc->p != ':')
		return fail(sc, TC_JSON_SYNTAX, sc->p);
	sc->p++;
	return 0;
}

static int run(struct scan *sc)
{
	struct frame stack[TC_JSON_MAX_DEPTH];
	size_t depth = 0;
	char c;

	for (;;) {
		/* A value. */
		skip_ws(sc);
		if (sc->p == sc->end)
			return fail(sc, TC_JSON_SYNTAX, sc->p);
		c = *sc->p;
		if (c == '{' || c == '[') {
			if (depth == TC_JSON_MAX_DEPTH)
				return fail(sc, TC_JSON_DEEP, sc->p);
			stack[depth].kind = c;
			stack[depth].first_key = sc->nkeys;
			stack[depth].arena_mark = sc->arena.len;
			depth++;
			sc->p++;
			skip_ws(sc);
			if (sc->p < sc->end &&
			    *sc->p == (c == '{' ? '}' : ']')) {
				sc->p++;
				depth--;
				goto after_value;
			}
			if (c == '{' && object_key(sc) < 0)
				return -1;
			continue;
		}
		if (c == '"') {
			if (string(sc, NULL) < 0)
				return -1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (number(sc) < 0)
				return -1;
		} else if (word(sc, c == 't'   ? "true"
				    : c == 'f' ? "false"
					       : "null") < 0) {
			return -1;
		}
	after_value:
		/* After a value: a comma, or the end of containers. */
		for (;;) {
			skip_ws(sc);
			if (!depth)
				return sc->p == sc->end
					   ? 0
					   : fail(sc, TC_JSON_SYNTAX, sc->p);
			if (sc->p == sc->end)
				return fail(sc, TC_JSON_SYNTAX, sc->p);
			c = *sc->p;
			if (c == ',') {
				sc->p++;
				if (stack[depth - 1].kind == '{') {
					skip_ws(sc);
					if (object_key(sc) < 0)
						return -1;
				}
				break;
			}
			if (c != (stack[depth - 1].kind == '{' ? '}' : ']'))
				return fail(sc, TC_JSON_SYNTAX, sc->p);
			sc->p++;
			depth--;
			if (stack[depth].kind == '{' &&
			    close_object(sc, &stack[depth]) < 0)
				return -1;
		}
	}
}

int tc_json_check(const char *text, size_t len, struct tc_json_check *res)
{
	struct scan sc;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&sc, 0, sizeof(sc));
	if (!text)
		text = ""; /* NULL + 0 is not a pointer */
	sc.s = sc.p = text;
	sc.end = text + len;
	sc.res = res;
	tc_buf_init(&sc.arena, 0);
	rc = run(&sc);
	tc_buf_release(&sc.arena);
	free(sc.keys);
	return rc;
}

const char *tc_json_fault_text(enum tc_json_fault f)
{
	switch (f) {
	case TC_JSON_OK:
		break;
	case TC_JSON_SYNTAX:
		return "not valid JSON";
	case TC_JSON_CONTROL:
		return "a control character inside a string (it must be "
		       "escaped)";
	case TC_JSON_NUL:
		return "a NUL character (\\u0000) inside a string";
	case TC_JSON_SURROGATE:
		return "half of a UTF-16 surrogate pair";
	case TC_JSON_DUPLICATE:
		return "a key given twice in one object";
	case TC_JSON_DEEP:
		return "nested too deeply";
	}
	return "valid JSON";
}
