/*
 * yamljson.c: YAML documents and Markdown front matter as cJSON trees (see
 * yamljson.h).
 *
 * libyaml's event parser drives a fixed stack of open collections, so the
 * nesting of the input never becomes nesting of C calls: a document nested
 * 100,000 deep is refused at TC_MAX_DEPTH like one nested 65 deep. Each node's
 * source position goes into a side table keyed by the node's address, sorted
 * once the tree is complete and searched with bsearch. Repeated keys are found
 * with one hash table for the whole document, keyed by (mapping, key).
 */
#include "yamljson.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "array.h"
#include "limits.h"
#include "utf8.h"
#include "yamlexplain.h"

/* Where one node starts in the source, and its key when it is a member. */
struct yaml_pos {
	const cJSON *node; /* the node; the table is sorted on this address */
	int line;	   /* 1-based line of the value */
	int col;	   /* 1-based column of the value */
	int kline;	   /* 1-based line of the key; 0 when not a member */
	int kcol;	   /* 1-based column of the key */
};

struct tc_yaml_doc {
	char *name;	      /* file name for messages; owned */
	cJSON *root;	      /* the tree; NULL once detached */
	struct yaml_pos *pos; /* one entry per node, sorted after parsing */
	size_t npos;	      /* entries in use */
	size_t apos;	      /* entries allocated */
};

/* A mapping key seen so far, in the document-wide duplicate table. */
struct key_seen {
	const char *key; /* the member's key string (owned by the tree) */
	size_t map;	 /* serial number of the mapping; 0 marks a free slot */
	uint64_t hash;	 /* hash of map and key */
	int line;	 /* where the key first appeared */
};

struct key_table {
	struct key_seen *slot; /* open addressing, linear probing */
	size_t size;	       /* slots; a power of two, or 0 */
	size_t used;	       /* slots in use */
};

/* An open sequence or mapping. */
struct frame {
	cJSON *node; /* the collection (already attached to its parent) */
	int is_map;  /* 1 for a mapping, 0 for a sequence */
	size_t map;  /* serial number when a mapping */
	char *key;   /* a mapping's pending key, waiting for its value; owned */
	int kline;   /* position of the pending key */
	int kcol;
};

/* Everything one parse needs. */
struct loader {
	const char *name;		  /* file name for messages */
	const char *text;		  /* the input */
	size_t len;			  /* its length */
	int first_line;			  /* line of text[0] in the file */
	struct tc_error *err;		  /* where errors go */
	struct tc_yaml_doc *doc;	  /* the document being built */
	struct frame stack[TC_MAX_DEPTH]; /* open collections */
	int depth;			  /* frames in use */
	size_t maps;			  /* mappings opened so far */
	size_t nodes;			  /* values created so far */
	int have_root;			  /* the document's value exists */
	struct key_table keys;		  /* keys seen, for duplicates */
};

#define YAML_TAG_STR "tag:yaml.org,2002:str"
#define MAX_SAFE_INT 9007199254740992LL /* 2^53 */

static const char msg_anchor[] =
    "anchors and aliases are not allowed; repeat the value instead";

/*
 * The byte offset of a libyaml mark (line and column in characters), or len
 * when it lies past the end. A leading byte order mark takes no column.
 */
static size_t mark_offset(const char *text, size_t len, const yaml_mark_t *m)
{
	size_t i = 0, line = 0, col = 0;

	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		i = 3;
	for (; i < len && line < m->line; i++) {
		if (text[i] == '\n' ||
		    (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')))
			line++;
	}
	for (; i < len && col < m->column; col++) {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

static void doc_free(struct tc_yaml_doc *doc)
{
	if (doc) {
		cJSON_Delete(doc->root);
		free(doc->pos);
		free(doc->name);
		free(doc);
	}
}

/* Returns a new empty document the caller frees with doc_free, or NULL. */
static struct tc_yaml_doc *doc_new(const char *name)
{
	struct tc_yaml_doc *doc = calloc(1, sizeof(*doc));

	if (doc) {
		doc->name = strdup(name ? name : "");
		if (!doc->name) {
			free(doc);
			doc = NULL;
		}
	}
	return doc;
}

static int pos_add(struct tc_yaml_doc *doc, const cJSON *node, int line,
		   int col, int kline, int kcol)
{
	struct yaml_pos *p;
	int rc = -1;

	if (TC_ALLOC_GROW_TRY(doc->pos, doc->npos + 1, doc->apos) < 0)
		goto out;
	p = &doc->pos[doc->npos++];
	p->node = node;
	p->line = line;
	p->col = col;
	p->kline = kline;
	p->kcol = kcol;
	rc = 0;
out:
	return rc;
}

static int pos_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct yaml_pos *)a)->node;
	uintptr_t y = (uintptr_t)((const struct yaml_pos *)b)->node;

	return x < y ? -1 : x > y;
}

static void doc_finish(struct tc_yaml_doc *doc)
{
	if (doc->npos > 1)
		qsort(doc->pos, doc->npos, sizeof(doc->pos[0]), pos_cmp);
}

static const struct yaml_pos *pos_find(const struct tc_yaml_doc *doc,
				       const cJSON *node)
{
	const struct yaml_pos *found = NULL;
	struct yaml_pos k;

	if (doc && node && doc->npos) {
		k.node = node;
		found = bsearch(&k, doc->pos, doc->npos, sizeof(doc->pos[0]),
				pos_cmp);
	}
	return found;
}

static uint64_t key_hash(size_t map, const char *key)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)map;

	h *= 1099511628211ULL;
	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding (map, key), or the free slot where it would go. */
static struct key_seen *key_slot(struct key_table *t, size_t map,
				 const char *key, uint64_t h)
{
	size_t i = (size_t)h & (t->size - 1);
	struct key_seen *s = &t->slot[i];

	while (s->map &&
	       (s->hash != h || s->map != map || strcmp(s->key, key))) {
		i = (i + 1) & (t->size - 1);
		s = &t->slot[i];
	}
	return s;
}

static int key_grow(struct key_table *t)
{
	size_t n = t->size ? t->size * 2 : 256, oldn = t->size, i;
	struct key_seen *old = t->slot, *s;
	int rc = -1;

	s = calloc(n, sizeof(*s));
	if (!s)
		goto out;
	t->slot = s;
	t->size = n;
	for (i = 0; i < oldn; i++) {
		if (old[i].map)
			*key_slot(t, old[i].map, old[i].key, old[i].hash) =
			    old[i];
	}
	free(old);
	rc = 0;
out:
	return rc;
}

/* The line where key first appeared in mapping map, or 0. */
static int key_find(struct key_table *t, size_t map, const char *key)
{
	struct key_seen *s;
	int line = 0;

	if (t->size) {
		s = key_slot(t, map, key, key_hash(map, key));
		if (s->map)
			line = s->line;
	}
	return line;
}

/* Records key (a string owned by the tree) in mapping map. */
static int key_add(struct key_table *t, size_t map, const char *key, int line)
{
	uint64_t h = key_hash(map, key);
	struct key_seen *s;
	int rc = -1;

	if ((t->used + 1) * 2 > t->size && key_grow(t) < 0)
		goto out;
	s = key_slot(t, map, key, h);
	s->key = key;
	s->map = map;
	s->hash = h;
	s->line = line;
	t->used++;
	rc = 0;
out:
	return rc;
}

static void mark_where(const struct loader *ld, const yaml_mark_t *m, int *line,
		       int *col)
{
	*line = (int)m->line + ld->first_line;
	*col = (int)m->column + 1;
}

static int fail_at(struct loader *ld, int code, const yaml_mark_t *m,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail_at(struct loader *ld, int code, const yaml_mark_t *m,
		   const char *fmt, ...)
{
	int line, col, rc;
	va_list ap;

	mark_where(ld, m, &line, &col);
	va_start(ap, fmt);
	rc = tc_error_vset(ld->err, code, ld->name, line, col, fmt, ap);
	va_end(ap);
	return rc;
}

static int fail_nomem(struct loader *ld)
{
	return tc_error_set(ld->err, TC_ENOMEM, ld->name, 0, 0,
			    "out of memory");
}

/* Translates a libyaml failure into ld->err. */
static int fail_libyaml(struct loader *ld, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "does not parse";
	const char *hint = "";
	int line, col, cline, ccol, rc;
	size_t off;

	if (p->error == YAML_MEMORY_ERROR) {
		rc = fail_nomem(ld);
	} else if (p->error == YAML_READER_ERROR) {
		/* reader errors carry a byte offset, not a mark */
		off = p->problem_offset < ld->len ? p->problem_offset : ld->len;
		tc_yaml_offset_where(ld->text, off, ld->first_line, &line,
				     &col);
		if (p->problem_value >= 0)
			rc = tc_error_set(ld->err, TC_ESYNTAX, ld->name, line,
					  col, "%s (U+%04X); remove it",
					  problem, (unsigned)p->problem_value);
		else
			rc = tc_error_set(ld->err, TC_ESYNTAX, ld->name, line,
					  col, "%s", problem);
	} else {
		struct tc_yaml_hint h;
		size_t coff = SIZE_MAX;

		mark_where(ld, &p->problem_mark, &line, &col);
		off = mark_offset(ld->text, ld->len, &p->problem_mark);
		if (p->context)
			coff = mark_offset(ld->text, ld->len, &p->context_mark);
		if (off < ld->len && ld->text[off] == '\t') {
			hint = "; indent with spaces, not tabs";
		} else if (tc_yaml_explain(ld->text, ld->len, problem, off,
					   p->context, coff, ld->first_line,
					   &h)) {
			tc_yaml_offset_where(ld->text, h.off, ld->first_line,
					     &line, &col);
			if (line == ld->first_line && col > 1 && ld->len >= 3 &&
			    !memcmp(ld->text, "\xEF\xBB\xBF", 3))
				col--; /* a byte order mark takes no column */
			return tc_error_set(ld->err, TC_ESYNTAX, ld->name, line,
					    col, "%s", h.msg);
		}
		if (p->context) {
			mark_where(ld, &p->context_mark, &cline, &ccol);
			rc = tc_error_set(ld->err, TC_ESYNTAX, ld->name, line,
					  col, "%s (%s at line %d)%s", problem,
					  p->context, cline, hint);
		} else {
			rc = tc_error_set(ld->err, TC_ESYNTAX, ld->name, line,
					  col, "%s%s", problem, hint);
		}
	}
	return rc;
}

/* Refuses any tag but !!str; *is_str says whether !!str was given. */
static int check_tag(struct loader *ld, const yaml_char_t *tag, int scalar,
		     const yaml_mark_t *m, int *is_str)
{
	int line, col, rc = TC_OK;

	*is_str = 0;
	if (tag && scalar && !strcmp((const char *)tag, YAML_TAG_STR)) {
		*is_str = 1;
	} else if (tag) {
		mark_where(ld, m, &line, &col);
		rc = tc_error_set(ld->err, TC_EINVAL, ld->name, line, col,
				  "tags are not allowed ('%.60s'); remove the "
				  "tag",
				  (const char *)tag);
	}
	return rc;
}

/*
 * Parses a plain scalar as an integer -?(0|[1-9][0-9]*) within +-2^53.
 * Returns 1 and the value, or 0 when it is not one.
 */
static int plain_integer(const char *s, size_t len, double *out)
{
	size_t i = 0;
	long long v = 0;
	int neg = 0, ok = 0;

	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i == len || s[i] < '0' || s[i] > '9')
		goto out;
	if (s[i] == '0' && i + 1 != len)
		goto out;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto out;
		v = v * 10 + (s[i] - '0');
		if (v > MAX_SAFE_INT)
			goto out;
	}
	*out = neg ? (double)-v : (double)v;
	if (v == 0)
		*out = 0; /* no negative zero */
	ok = 1;
out:
	return ok;
}

/* Returns a new node for a scalar value (caller owns it), or NULL. */
static cJSON *scalar_node(const yaml_event_t *ev, int force_str)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	double num;
	cJSON *node;

	if (force_str || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		node = cJSON_CreateString(s);
	else if (len == 0 || !strcmp(s, "null") || !strcmp(s, "~"))
		node = cJSON_CreateNull();
	else if (!strcmp(s, "true"))
		node = cJSON_CreateTrue();
	else if (!strcmp(s, "false"))
		node = cJSON_CreateFalse();
	else if (plain_integer(s, len, &num))
		node = cJSON_CreateNumber(num);
	else
		node = cJSON_CreateString(s);
	return node;
}

/*
 * Places a new value: as the root, in the open sequence, or under the open
 * mapping's pending key. Takes ownership of node in every case.
 */
static int attach(struct loader *ld, cJSON *node, const yaml_mark_t *m)
{
	struct frame *f;
	int line, col, kline = 0, kcol = 0, rc = TC_ENOMEM;

	mark_where(ld, m, &line, &col);
	if (ld->depth == 0) {
		assert(!ld->have_root);
		ld->doc->root = node;
		ld->have_root = 1;
	} else {
		f = &ld->stack[ld->depth - 1];
		if (f->is_map) {
			assert(f->key);
			if (!cJSON_AddItemToObject(f->node, f->key, node)) {
				cJSON_Delete(node);
				goto out;
			}
			kline = f->kline;
			kcol = f->kcol;
			free(f->key);
			f->key = NULL;
			if (key_add(&ld->keys, f->map, node->string, kline) < 0)
				goto out;
		} else if (!cJSON_AddItemToArray(f->node, node)) {
			cJSON_Delete(node);
			goto out;
		}
	}
	if (pos_add(ld->doc, node, line, col, kline, kcol) < 0)
		goto out;
	rc = TC_OK;
out:
	if (rc == TC_ENOMEM)
		fail_nomem(ld);
	return rc;
}

/* Counts one more value against TC_MAX_YAML_NODES. */
static int count_node(struct loader *ld, const yaml_mark_t *m)
{
	if (++ld->nodes > TC_MAX_YAML_NODES)
		return fail_at(ld, TC_ETOOBIG, m,
			       "more than %u values in one document; split "
			       "the file",
			       TC_MAX_YAML_NODES);
	return TC_OK;
}

/* True when the next value will be a key of the innermost mapping. */
static int wants_key(const struct loader *ld)
{
	const struct frame *f = ld->depth ? &ld->stack[ld->depth - 1] : NULL;

	return f && f->is_map && !f->key;
}

static int on_scalar(struct loader *ld, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct frame *f;
	cJSON *node;
	int force_str, rc, first, line, col;

	if (ev->data.scalar.anchor) {
		rc = fail_at(ld, TC_EINVAL, m, msg_anchor);
		goto out;
	}
	rc = check_tag(ld, ev->data.scalar.tag, 1, m, &force_str);
	if (rc)
		goto out;
	if (memchr(s, '\0', len)) {
		/* only an escape can put one there; cJSON strings end at it */
		rc = fail_at(ld, TC_EINVAL, m,
			     "a value contains a NUL character ('\\0'); "
			     "remove it");
		goto out;
	}
	if (!wants_key(ld)) {
		rc = count_node(ld, m);
		if (rc)
			goto out;
		node = scalar_node(ev, force_str);
		rc = node ? attach(ld, node, m) : fail_nomem(ld);
		goto out;
	}
	/* a key: kept until its value arrives */
	f = &ld->stack[ld->depth - 1];
	if (len == 0 && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		rc = fail_at(ld, TC_EINVAL, m,
			     "a mapping key is empty; give it a name");
		goto out;
	}
	first = key_find(&ld->keys, f->map, s);
	if (first) {
		mark_where(ld, m, &line, &col);
		rc = tc_error_set(ld->err, TC_EDUP, ld->name, line, col,
				  "duplicate key '%.200s' (first at line %d)",
				  s, first);
		goto out;
	}
	f->key = strdup(s);
	if (!f->key) {
		rc = fail_nomem(ld);
		goto out;
	}
	mark_where(ld, m, &f->kline, &f->kcol);
out:
	return rc;
}

static int on_start(struct loader *ld, const yaml_event_t *ev, int is_map)
{
	const yaml_mark_t *m = &ev->start_mark;
	const yaml_char_t *anchor, *tag;
	struct frame *f;
	cJSON *node;
	int rc, is_str;

	anchor = is_map ? ev->data.mapping_start.anchor
			: ev->data.sequence_start.anchor;
	tag = is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
	if (anchor) {
		rc = fail_at(ld, TC_EINVAL, m, msg_anchor);
		goto out;
	}
	rc = check_tag(ld, tag, 0, m, &is_str);
	if (rc)
		goto out;
	if (wants_key(ld)) {
		rc = fail_at(ld, TC_EINVAL, m,
			     "mapping keys must be plain strings");
		goto out;
	}
	if (ld->depth == TC_MAX_DEPTH) {
		rc = fail_at(ld, TC_EDEPTH, m,
			     "nested more than %d levels deep; flatten "
			     "the structure",
			     TC_MAX_DEPTH);
		goto out;
	}
	rc = count_node(ld, m);
	if (rc)
		goto out;
	node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
	rc = node ? attach(ld, node, m) : fail_nomem(ld);
	if (rc)
		goto out;
	f = &ld->stack[ld->depth++];
	f->node = node;
	f->is_map = is_map;
	f->map = is_map ? ++ld->maps : 0;
	f->key = NULL;
out:
	return rc;
}

static void loader_release(struct loader *ld)
{
	while (ld->depth > 0)
		free(ld->stack[--ld->depth].key);
	free(ld->keys.slot);
	ld->keys.slot = NULL;
}

/* Runs the event loop over ld->text into ld->doc. Returns a tc_code. */
static int run_parser(struct loader *ld)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = TC_OK, docs = 0, done = 0, inited = 0;

	if (!yaml_parser_initialize(&parser)) {
		rc = fail_nomem(ld);
		goto out;
	}
	inited = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)ld->text,
				     ld->len);
	while (!done && rc == TC_OK) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = fail_libyaml(ld, &parser);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = fail_at(ld, TC_EINVAL, &ev.start_mark,
					     "only one document is allowed "
					     "per file");
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(ld, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(ld, &ev, 0);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(ld, &ev, 1);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			assert(ld->depth > 0 && !ld->stack[ld->depth - 1].key);
			ld->depth--;
			break;
		case YAML_ALIAS_EVENT:
			rc = fail_at(ld, TC_EINVAL, &ev.start_mark, msg_anchor);
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	if (rc == TC_OK && !ld->have_root) {
		/* no document at all: a null root at the start */
		ld->doc->root = cJSON_CreateNull();
		if (!ld->doc->root || pos_add(ld->doc, ld->doc->root,
					      ld->first_line, 1, 0, 0) < 0)
			rc = fail_nomem(ld);
		else
			ld->have_root = 1;
	}
out:
	if (inited)
		yaml_parser_delete(&parser);
	return rc;
}

/*
 * Parses text into a document whose position table is not yet sorted. base
 * is the offset of text[0] in the file, for messages that give offsets.
 * Returns the document (caller frees with doc_free) or NULL with err set.
 */
static struct tc_yaml_doc *parse_unsorted(const char *name, const char *text,
					  size_t len, int first_line,
					  size_t base, struct tc_error *err)
{
	struct loader ld;
	struct tc_yaml_doc *doc = NULL;
	size_t bad;
	int line, col;

	assert(first_line >= 1);
	assert(text || len == 0);
	memset(&ld, 0, sizeof(ld));
	ld.name = name ? name : "";
	ld.text = text ? text : "";
	ld.len = len;
	ld.first_line = first_line;
	ld.err = err;
	tc_error_clear(err);

	if (!tc_utf8_is_text(ld.text, len, &bad)) {
		/* libyaml would stop at a NUL as if at the end, so refuse it */
		tc_yaml_offset_where(ld.text, bad, first_line, &line, &col);
		if (ld.text[bad] == '\0')
			tc_error_set(err, TC_EUTF8, ld.name, line, col,
				     "NUL byte in input at byte offset %zu; "
				     "the file must be text",
				     base + bad);
		else
			tc_error_set(err, TC_EUTF8, ld.name, line, col,
				     "invalid UTF-8 at byte offset %zu; save "
				     "the file as UTF-8",
				     base + bad);
		goto out;
	}
	ld.doc = doc_new(ld.name);
	if (!ld.doc) {
		fail_nomem(&ld);
		goto out;
	}
	if (run_parser(&ld) != TC_OK)
		goto out;
	doc = ld.doc;
	ld.doc = NULL;
out:
	loader_release(&ld);
	doc_free(ld.doc);
	return doc;
}

/* Returns a document the caller frees with tc_yaml_free, or NULL with err. */
struct tc_yaml_doc *tc_yaml_parse(const char *name, const char *text,
				  size_t len, int first_line,
				  struct tc_error *err)
{
	struct tc_yaml_doc *doc;

	doc = parse_unsorted(name, text, len, first_line, 0, err);
	if (doc)
		doc_finish(doc);
	return doc;
}

/*
 * Reads path into a malloc'd buffer the caller frees, NUL-terminated, at most
 * TC_MAX_SOURCE_FILE bytes. Returns NULL with err set.
 */
static char *read_source(const char *path, size_t *lenp, struct tc_error *err)
{
	struct stat st;
	char *buf = NULL, *ret = NULL, *p;
	size_t len = 0, alloc;
	ssize_t n;
	int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		tc_error_set(err, TC_EIO, path, 0, 0, "cannot open: %s",
			     strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		tc_error_set(err, TC_EIO, path, 0, 0, "cannot read: %s",
			     strerror(EISDIR));
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)TC_MAX_SOURCE_FILE) {
		tc_error_set(err, TC_ETOOBIG, path, 0, 0,
			     "file is larger than %u MiB",
			     TC_MAX_SOURCE_FILE / (1024 * 1024));
		goto out;
	}
	alloc = (S_ISREG(st.st_mode) ? (size_t)st.st_size : 0) + 4096;
	if (alloc > TC_MAX_SOURCE_FILE + 2)
		alloc = TC_MAX_SOURCE_FILE + 2;
	buf = malloc(alloc);
	if (!buf) {
		tc_error_set(err, TC_ENOMEM, path, 0, 0, "out of memory");
		goto out;
	}
	for (;;) {
		if (len > TC_MAX_SOURCE_FILE) {
			/* the file grew, or is not a regular file */
			tc_error_set(err, TC_ETOOBIG, path, 0, 0,
				     "file is larger than %u MiB",
				     TC_MAX_SOURCE_FILE / (1024 * 1024));
			goto out;
		}
		if (alloc - len < 2) {
			size_t na = alloc * 2;

			if (na > TC_MAX_SOURCE_FILE + 2)
				na = TC_MAX_SOURCE_FILE + 2;
			p = realloc(buf, na);
			if (!p) {
				tc_error_set(err, TC_ENOMEM, path, 0, 0,
					     "out of memory");
				goto out;
			}
			buf = p;
			alloc = na;
		}
		n = read(fd, buf + len, alloc - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tc_error_set(err, TC_EIO, path, 0, 0, "cannot read: %s",
				     strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*lenp = len;
	ret = buf;
	buf = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Returns a document the caller frees with tc_yaml_free, or NULL with err. */
struct tc_yaml_doc *tc_yaml_load_file(const char *path, struct tc_error *err)
{
	struct tc_yaml_doc *doc = NULL;
	char *text;
	size_t len = 0;

	tc_error_clear(err);
	text = read_source(path, &len, err);
	if (!text)
		goto out;
	doc = tc_yaml_parse(path, text, len, 1, err);
out:
	free(text);
	return doc;
}

/*
 * If text[off..len) begins with a line that is "---" or "..." (trailing
 * blanks allowed), returns 1 and stores the offset of the next line in *next;
 * dots says whether "..." counts.
 */
static int is_fence(const char *text, size_t len, size_t off, int dots,
		    size_t *next)
{
	size_t i = off + 3;
	int found = 0;

	if (len - off < 3 || (memcmp(text + off, "---", 3) &&
			      (!dots || memcmp(text + off, "...", 3))))
		goto out;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i + 1 < len && text[i] == '\r' && text[i + 1] == '\n')
		i++;
	if (i < len && text[i] != '\n')
		goto out;
	*next = i < len ? i + 1 : len;
	found = 1;
out:
	return found;
}

/* Returns a document the caller frees with tc_yaml_free, or NULL with err. */
struct tc_yaml_doc *tc_front_matter(const char *name, const char *text,
				    size_t len, size_t *body_off,
				    int *body_line, struct tc_error *err)
{
	struct tc_yaml_doc *doc = NULL, *ret = NULL;
	size_t start = 0, yaml_start, off, next = 0, i;
	int line = 1, closed = 0;
	cJSON *obj;

	tc_error_clear(err);
	if (!text)
		text = "";
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		start = 3;
	*body_off = 0;
	*body_line = 1;
	if (!is_fence(text, len, start, 0, &yaml_start)) {
		/* no front matter: an empty mapping, the whole text is body */
		doc = doc_new(name);
		if (!doc || !(doc->root = cJSON_CreateObject()) ||
		    pos_add(doc, doc->root, 1, 1, 0, 0) < 0) {
			tc_error_set(err, TC_ENOMEM, name ? name : "", 0, 0,
				     "out of memory");
			goto out;
		}
		goto done;
	}
	/* find the closing line */
	off = yaml_start;
	line = 2;
	while (off < len) {
		if (is_fence(text, len, off, 1, &next)) {
			closed = 1;
			break;
		}
		for (i = off; i < len && text[i] != '\n'; i++)
			;
		off = i < len ? i + 1 : len;
		line++;
	}
	if (!closed) {
		tc_error_set(err, TC_ESYNTAX, name ? name : "", 1, 1,
			     "front matter is not closed: add a line '---' "
			     "after it");
		goto out;
	}
	doc = parse_unsorted(name, text + yaml_start, off - yaml_start, 2,
			     yaml_start, err);
	if (!doc)
		goto out;
	if (cJSON_IsNull(doc->root)) {
		obj = cJSON_CreateObject();
		if (!obj) {
			tc_error_set(err, TC_ENOMEM, name ? name : "", 0, 0,
				     "out of memory");
			goto out;
		}
		assert(doc->npos == 1 && doc->pos[0].node == doc->root);
		cJSON_Delete(doc->root);
		doc->root = obj;
		doc->pos[0].node = obj;
	} else if (!cJSON_IsObject(doc->root)) {
		/* the root is always the first node recorded */
		const struct yaml_pos *p = &doc->pos[0];

		assert(p->node == doc->root);
		tc_error_set(err, TC_EINVAL, name ? name : "", p->line, p->col,
			     "front matter must be a mapping of keys to "
			     "values");
		goto out;
	}
	*body_off = next;
	*body_line = line + 1;
done:
	doc_finish(doc);
	ret = doc;
	doc = NULL;
out:
	doc_free(doc);
	return ret;
}

cJSON *tc_yaml_root(const struct tc_yaml_doc *doc)
{
	return doc->root;
}

/* The caller owns the returned tree and frees it with cJSON_Delete. */
cJSON *tc_yaml_detach(struct tc_yaml_doc *doc)
{
	cJSON *root = doc->root;

	doc->root = NULL;
	return root;
}

int tc_yaml_where(const struct tc_yaml_doc *doc, const cJSON *node, int *line,
		  int *col)
{
	const struct yaml_pos *p = pos_find(doc, node);

	if (p) {
		*line = p->line;
		*col = p->col;
	}
	return p ? 0 : -1;
}

int tc_yaml_key_where(const struct tc_yaml_doc *doc, const cJSON *node,
		      int *line, int *col)
{
	const struct yaml_pos *p = pos_find(doc, node);

	if (p && p->kline) {
		*line = p->kline;
		*col = p->kcol;
	}
	return p && p->kline ? 0 : -1;
}

const char *tc_yaml_name(const struct tc_yaml_doc *doc)
{
	return doc->name;
}

void tc_yaml_free(struct tc_yaml_doc *doc)
{
	doc_free(doc);
}
