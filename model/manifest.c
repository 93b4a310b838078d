/*
 * manifest.c: a streaming reader for a bundle's manifest.json (see
 * manifest.h). A pull parser over a 64 KiB window: it knows the shape it
 * wants (an object, its "submissions" list, each submission's "files") and
 * walks everything else with an explicit stack of bits, never recursion.
 */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

#define WINDOW 65536
#define KEYLEN 16 /* longest member name we look for, and then some */

/* The reader's state. */
struct mr {
	tc_manifest_read_fn rd;
	void *rarg;
	unsigned char buf[WINDOW]; /* the window onto the input */
	size_t pos, len;	   /* next byte, bytes in the window */
	int eof;		   /* rd said there is no more */
	int failed;		   /* 0, -1 bad JSON, -2 rd failed, or the
				      callback's negative return */
	long line, col;		   /* of the next byte, from 1 */
	unsigned long long off;	   /* of the next byte, from 0 */
	int depth;		   /* containers open */
	unsigned char kind[TC_MF_MAXDEPTH / 8 + 1]; /* bit set: an object */
	char *err;
	size_t errlen;
};

/* The next byte without taking it; -1 at the end or on an error. */
static int peek(struct mr *m)
{
	ssize_t got;

	if (m->pos < m->len)
		return m->buf[m->pos];
	if (m->eof || m->failed)
		return -1;
	got = m->rd(m->rarg, m->buf, sizeof(m->buf));
	if (got < 0) {
		m->failed = -2;
		return -1;
	}
	if (got == 0) {
		m->eof = 1;
		return -1;
	}
	m->pos = 0;
	m->len = (size_t)got;
	return m->buf[0];
}

/* Takes the byte peek returned. */
static void adv(struct mr *m)
{
	unsigned char c = m->buf[m->pos++];

	m->off++;
	if (c == '\n') {
		m->line++;
		m->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		m->col++;
	}
}

/* Records the first problem, at the next byte; returns -1. */
static int fail(struct mr *m, const char *what)
{
	if (!m->failed) {
		m->failed = -1;
		snprintf(m->err, m->errlen, ":%ld:%ld: not valid JSON: %s",
			 m->line, m->col, what);
	}
	return -1;
}

static int fail_utf8(struct mr *m)
{
	if (!m->failed) {
		m->failed = -1;
		snprintf(m->err, m->errlen, " is not valid UTF-8 (byte %llu)",
			 m->off);
	}
	return -1;
}

/* At the end of the input (or after rd failed): what was expected. */
static int fail_at(struct mr *m, const char *what)
{
	if (m->failed)
		return -1;
	return fail(m, peek(m) < 0 ? "unexpected end" : what);
}

static void ws(struct mr *m)
{
	int c;

	while ((c = peek(m)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		adv(m);
}

static int push(struct mr *m, int object)
{
	if (m->depth >= TC_MF_MAXDEPTH)
		return fail(m, "nested too deeply");
	if (object)
		m->kind[m->depth / 8] |= (unsigned char)(1u << (m->depth % 8));
	else
		m->kind[m->depth / 8] &= (unsigned char)~(1u << (m->depth % 8));
	m->depth++;
	adv(m);
	return 0;
}

static int top_is_object(const struct mr *m)
{
	int d = m->depth - 1;

	return (m->kind[d / 8] >> (d % 8)) & 1;
}

/* Appends one byte of a decoded string, noting when it does not fit. */
static void emit(char *out, size_t cap, size_t *n, int *toolong,
		 unsigned char c)
{
	if (!out)
		return;
	if (*n + 1 < cap)
		out[(*n)++] = (char)c;
	else
		*toolong = 1;
}

static int hex4(struct mr *m, unsigned *v)
{
	int i, c;

	*v = 0;
	for (i = 0; i < 4; i++) {
		c = peek(m);
		if (c >= '0' && c <= '9')
			*v = *v * 16 + (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v * 16 + (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v = *v * 16 + (unsigned)(c - 'A' + 10);
		else
			return fail_at(m, "bad \\u escape");
		adv(m);
	}
	return 0;
}

/* An escape after the backslash, decoded into out as UTF-8. */
static int escape(struct mr *m, char *out, size_t cap, size_t *n, int *tl)
{
	int c = peek(m);
	unsigned cp, lo;

	switch (c) {
	case '"':
	case '\\':
	case '/':
		adv(m);
		emit(out, cap, n, tl, (unsigned char)c);
		return 0;
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		adv(m);
		emit(out, cap, n, tl,
		     c == 'b'	? '\b'
		     : c == 'f' ? '\f'
		     : c == 'n' ? '\n'
		     : c == 'r' ? '\r'
				: '\t');
		return 0;
	case 'u':
		adv(m);
		break;
	default:
		return fail_at(m, "unknown escape");
	}
	if (hex4(m, &cp) < 0)
		return -1;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(m, "a lone low surrogate");
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (peek(m) != '\\')
			return fail_at(m, "a high surrogate alone");
		adv(m);
		if (peek(m) != 'u')
			return fail_at(m, "a high surrogate alone");
		adv(m);
		if (hex4(m, &lo) < 0)
			return -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return fail(m, "a high surrogate alone");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0)
		return fail(m, "\\u0000 in a string");
	if (cp < 0x80) {
		emit(out, cap, n, tl, (unsigned char)cp);
	} else if (cp < 0x800) {
		emit(out, cap, n, tl, (unsigned char)(0xC0 | (cp >> 6)));
		emit(out, cap, n, tl, (unsigned char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		emit(out, cap, n, tl, (unsigned char)(0xE0 | (cp >> 12)));
		emit(out, cap, n, tl,
		     (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
		emit(out, cap, n, tl, (unsigned char)(0x80 | (cp & 0x3F)));
	} else {
		emit(out, cap, n, tl, (unsigned char)(0xF0 | (cp >> 18)));
		emit(out, cap, n, tl,
		     (unsigned char)(0x80 | ((cp >> 12) & 0x3F)));
		emit(out, cap, n, tl,
		     (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
		emit(out, cap, n, tl, (unsigned char)(0x80 | (cp & 0x3F)));
	}
	return 0;
}

/* One UTF-8 sequence starting at lead byte c (not yet taken). */
static int utf8_seq(struct mr *m, int c, char *out, size_t cap, size_t *n,
		    int *tl)
{
	unsigned char lo = 0x80, hi = 0xBF;
	int more, i, d;

	if (c >= 0xC2 && c <= 0xDF)
		more = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		more = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		more = 3;
	else
		return fail_utf8(m);
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	adv(m);
	emit(out, cap, n, tl, (unsigned char)c);
	for (i = 0; i < more; i++) {
		d = peek(m);
		if (d < lo || d > hi)
			return m->failed ? -1 : fail_utf8(m);
		adv(m);
		emit(out, cap, n, tl, (unsigned char)d);
		lo = 0x80;
		hi = 0xBF;
	}
	return 0;
}

/*
 * A string at its opening quote, decoded into out (cap bytes with the NUL;
 * NULL to discard); *toolong is set when it did not fit.
 */
static int string(struct mr *m, char *out, size_t cap, int *toolong)
{
	size_t n = 0;
	int c, tl = 0;

	adv(m);
	for (;;) {
		c = peek(m);
		if (c < 0)
			return fail_at(m, "unterminated string");
		if (c == '"') {
			adv(m);
			break;
		}
		if (c < 0x20)
			return fail(m, "a control character in a string");
		if (c == '\\') {
			adv(m);
			if (escape(m, out, cap, &n, &tl) < 0)
				return -1;
		} else if (c < 0x80) {
			adv(m);
			emit(out, cap, &n, &tl, (unsigned char)c);
		} else if (utf8_seq(m, c, out, cap, &n, &tl) < 0) {
			return -1;
		}
	}
	if (out)
		out[n] = 0;
	if (toolong)
		*toolong = tl;
	return 0;
}

/* s[0..n) is a JSON number. */
static int number_ok(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int number(struct mr *m, double *out)
{
	char s[TC_MF_NUMBER];
	size_t n = 0;
	int c;

	while ((c = peek(m)) >= 0 &&
	       ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
		c == 'e' || c == 'E')) {
		if (n + 1 >= sizeof(s))
			return fail(m, "a number too long");
		s[n++] = (char)c;
		adv(m);
	}
	if (m->failed)
		return -1;
	s[n] = 0;
	if (!number_ok(s, n))
		return fail(m, "not a number");
	if (out)
		*out = strtod(s, NULL);
	return 0;
}

static int literal(struct mr *m, const char *word)
{
	for (; *word; word++) {
		if (peek(m) != (unsigned char)*word)
			return fail_at(m, "expected a value");
		adv(m);
	}
	return 0;
}

/* After '{' (taken) or ',' in an object: a member name and ':'. */
static int member_name(struct mr *m, char *key, size_t cap)
{
	int tl = 0;

	ws(m);
	if (peek(m) != '"')
		return fail_at(m, "expected a member name");
	if (string(m, key, cap, &tl) < 0)
		return -1;
	if (tl)
		key[0] = 0; /* longer than any name we look for */
	ws(m);
	if (peek(m) != ':')
		return fail_at(m, "expected ':'");
	adv(m);
	ws(m);
	return 0;
}

/* Skips one value of any kind, checking it, without recursion. */
static int skip_value(struct mr *m)
{
	int base = m->depth, c;
	char key[KEYLEN];

	for (;;) {
		/* A value is expected here. */
		ws(m);
		c = peek(m);
		if (c == '{' || c == '[') {
			if (push(m, c == '{') < 0)
				return -1;
			ws(m);
			if (peek(m) == (c == '{' ? '}' : ']')) {
				adv(m);
				m->depth--;
			} else if (c == '[') {
				continue;
			} else {
				if (member_name(m, key, sizeof(key)) < 0)
					return -1;
				continue;
			}
		} else if (c == '"') {
			if (string(m, NULL, 0, NULL) < 0)
				return -1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (number(m, NULL) < 0)
				return -1;
		} else if (c == 't' || c == 'f' || c == 'n') {
			if (literal(m, c == 't'	  ? "true"
				       : c == 'f' ? "false"
						  : "null") < 0)
				return -1;
		} else {
			return fail_at(m, "expected a value");
		}
		/* After a value: close containers or go on to the next. */
		for (;;) {
			int obj;

			if (m->depth == base)
				return 0;
			ws(m);
			c = peek(m);
			obj = top_is_object(m);
			if (c == (obj ? '}' : ']')) {
				adv(m);
				m->depth--;
				continue;
			}
			if (c != ',')
				return fail_at(m, obj ? "expected ',' or '}'"
						      : "expected ',' or ']'");
			adv(m);
			if (obj && member_name(m, key, sizeof(key)) < 0)
				return -1;
			break;
		}
	}
}

/*
 * Steps through a container opened with push: 1 with the next member
 * (its name in key, for an object) or element ready, 0 after the closing
 * bracket, -1 on an error. *count is the members seen so far.
 */
static int next_item(struct mr *m, long *count, char *key, size_t cap)
{
	int obj = top_is_object(m), c;

	ws(m);
	c = peek(m);
	if (c == (obj ? '}' : ']')) {
		adv(m);
		m->depth--;
		return 0;
	}
	if (*count) {
		if (c != ',')
			return fail_at(m, obj ? "expected ',' or '}'"
					      : "expected ',' or ']'");
		adv(m);
	}
	(*count)++;
	if (obj)
		return member_name(m, key, cap) < 0 ? -1 : 1;
	ws(m);
	return 1;
}

/*
 * 1 when key is the member name, met for the first time in its object. A
 * member casework reads, given twice, is refused: which of the two counts
 * would otherwise be for each reader to guess.
 */
static int member_is(struct mr *m, const char *key, const char *name, int *seen)
{
	char what[64];

	if (strcmp(key, name))
		return 0;
	if (!(*seen)++)
		return 1;
	snprintf(what, sizeof(what), "'%s' given twice in one object", name);
	fail(m, what);
	return 0;
}

/* A short string member into out, or skips a value of another kind. */
static int short_string(struct mr *m, char *out, size_t cap, int *ok)
{
	int tl = 0;

	*ok = 0;
	if (peek(m) != '"')
		return skip_value(m);
	if (string(m, out, cap, &tl) < 0)
		return -1;
	*ok = !tl;
	return 0;
}

static int read_file(struct mr *m, struct tc_mfile *f)
{
	char key[KEYLEN];
	long n = 0;
	int r, seen_p = 0, seen_s = 0, seen_h = 0, tl;

	if (push(m, 1) < 0)
		return -1;
	while ((r = next_item(m, &n, key, sizeof(key))) == 1) {
		if (member_is(m, key, "path", &seen_p)) {
			if (peek(m) != '"') {
				r = skip_value(m);
			} else {
				r = string(m, f->path, sizeof(f->path), &tl);
				f->has_path = tl ? 2 : 1;
			}
		} else if (member_is(m, key, "size", &seen_s)) {
			r = peek(m);
			if (r == '-' || (r >= '0' && r <= '9')) {
				r = number(m, &f->size);
				f->has_size = 1;
			} else {
				r = skip_value(m);
			}
		} else if (member_is(m, key, "sha256", &seen_h)) {
			if (peek(m) != '"') {
				r = skip_value(m);
			} else {
				r = string(m, f->sha256, sizeof(f->sha256),
					   &tl);
				f->has_sha = 1;
			}
		} else {
			r = skip_value(m);
		}
		if (r < 0 || m->failed)
			return -1;
	}
	return r;
}

static int read_files(struct mr *m, struct tc_msub *s)
{
	long n = 0;
	int r;

	if (push(m, 0) < 0)
		return -1;
	s->files_list = 1;
	while ((r = next_item(m, &n, NULL, 0)) == 1) {
		s->nlisted++;
		if (s->nfiles < TC_MF_MAXFILES) {
			struct tc_mfile *f = &s->files[s->nfiles++];

			f->path[0] = f->sha256[0] = 0;
			f->size = 0;
			f->has_path = f->has_size = f->has_sha = 0;
			r = peek(m) == '{' ? read_file(m, f) : skip_value(m);
		} else {
			r = skip_value(m);
		}
		if (r < 0 || m->failed)
			return -1;
	}
	return r;
}

static int read_sub(struct mr *m, struct tc_msub *s)
{
	char key[KEYLEN];
	long n = 0;
	int r, seen_id = 0, seen_files = 0;

	if (push(m, 1) < 0)
		return -1;
	while ((r = next_item(m, &n, key, sizeof(key))) == 1) {
		if (member_is(m, key, "id", &seen_id))
			r = short_string(m, s->id, sizeof(s->id), &s->has_id);
		else if (member_is(m, key, "files", &seen_files) &&
			 peek(m) == '[')
			r = read_files(m, s);
		else
			r = skip_value(m);
		if (r < 0 || m->failed)
			return -1;
	}
	return r;
}

static int read_subs(struct mr *m, tc_manifest_sub_fn each, void *sarg,
		     struct tc_msub *s, struct tc_manifest_info *info)
{
	long n = 0;
	int r;

	if (push(m, 0) < 0)
		return -1;
	info->subs_list = 1;
	while ((r = next_item(m, &n, NULL, 0)) == 1) {
		info->nsubs++;
		s->id[0] = 0;
		s->has_id = s->files_list = 0;
		s->nfiles = s->nlisted = 0;
		if (peek(m) == '{' ? read_sub(m, s) < 0 : skip_value(m) < 0)
			return -1;
		if (each) {
			r = each(sarg, s);
			if (r < 0) {
				m->failed = r;
				return -1;
			}
		}
	}
	return r;
}

static int read_top(struct mr *m, tc_manifest_sub_fn each, void *sarg,
		    struct tc_msub *s, struct tc_manifest_info *info)
{
	char key[KEYLEN], format[TC_MF_SHORT];
	long n = 0;
	int r, seen_f = 0, seen_b = 0, seen_s = 0, ok;

	if (push(m, 1) < 0)
		return -1;
	info->is_object = 1;
	while ((r = next_item(m, &n, key, sizeof(key))) == 1) {
		if (member_is(m, key, "format", &seen_f)) {
			r = short_string(m, format, sizeof(format), &ok);
			info->format_ok =
			    ok && !strcmp(format, TC_BUNDLE_FORMAT);
		} else if (member_is(m, key, "bundle_id", &seen_b)) {
			r = short_string(m, info->bundle_id,
					 sizeof(info->bundle_id),
					 &info->has_bundle_id);
		} else if (member_is(m, key, "submissions", &seen_s) &&
			   peek(m) == '[') {
			r = read_subs(m, each, sarg, s, info);
		} else {
			r = skip_value(m);
		}
		if (r < 0 || m->failed)
			return -1;
	}
	return r;
}

int tc_manifest_read(tc_manifest_read_fn rd, void *rarg,
		     tc_manifest_sub_fn each, void *sarg,
		     struct tc_msub *scratch, struct tc_manifest_info *info,
		     char *err, size_t errlen)
{
	struct mr *m = calloc(1, sizeof(*m));
	int rc = -1, r;

	memset(info, 0, sizeof(*info));
	if (errlen)
		err[0] = 0;
	if (!m) {
		snprintf(err, errlen, " cannot be read: out of memory");
		return -2;
	}
	m->rd = rd;
	m->rarg = rarg;
	m->line = m->col = 1;
	m->err = err;
	m->errlen = errlen;
	/* A byte order mark is allowed, as cJSON allows it. */
	if (peek(m) == 0xEF) {
		adv(m);
		if (peek(m) != 0xBB)
			goto bad;
		adv(m);
		if (peek(m) != 0xBF)
			goto bad;
		adv(m);
	}
	ws(m);
	r = peek(m) == '{' ? read_top(m, each, sarg, scratch, info)
			   : skip_value(m);
	if (r < 0)
		goto out;
	ws(m);
	if (peek(m) >= 0) {
		fail(m, "more after the end of the value");
		goto out;
	}
	if (!m->failed)
		rc = 0;
	goto out;
bad:
	if (!m->failed)
		fail_utf8(m);
out:
	if (rc < 0 && m->failed)
		rc = m->failed;
	free(m);
	return rc;
}

size_t tc_msub_find(const struct tc_msub *m, const char *path, size_t upto)
{
	size_t k;

	for (k = 0; k < upto; k++)
		if (m->files[k].has_path == 1 &&
		    !strcmp(m->files[k].path, path))
			break;
	return k;
}
