/*
 * template_internal.h: what the Mustache engine's compiler
 * (template_compile.c) and renderer (template_render.c) share; nothing
 * else includes it. common/template.h is the interface.
 */
#ifndef TC_TEMPLATE_INTERNAL_H
#define TC_TEMPLATE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include "buffer.h"
#include "err.h"
#include "template.h"

enum node_type {
	N_NOP,	    /* nothing (text trimmed away after the fact) */
	N_TEXT,	    /* literal text */
	N_VAR,	    /* {{name}}, {{{name}}}, {{&name}} */
	N_SECTION,  /* {{#name}} ... {{/name}} */
	N_INVERTED, /* {{^name}} ... {{/name}} */
	N_PARTIAL,  /* {{>name}} */
	N_PARENT,   /* {{<name}} ... {{/name}}: only its blocks count */
	N_BLOCK,    /* {{$name}} ... {{/name}} */
};

#define F_BOL	     1 /* begins a source line: write the indentation first */
#define F_ESCAPE     2 /* N_VAR: HTML-escape the value */
#define F_STANDALONE 4 /* N_PARTIAL, N_PARENT: alone on its line */
#define F_ALONE	     8 /* N_BLOCK: the tag took its line; indent all lines */

struct node {
	unsigned char type;  /* enum node_type */
	unsigned char flags; /* F_* */
	int line, col;	     /* where the tag is, for render errors */
	size_t off, len;     /* N_TEXT: the text; others: the name (pool) */
	size_t end;	     /* containers: index just past the content */
	size_t ind_off;	     /* partial, parent: indentation; block: for an */
	size_t ind_len;	     /*   override expanded here (pool) */
	size_t def_off;	     /* block: indentation for its own default */
	size_t def_len;	     /*   content (pool) */
	size_t next;	     /* parent: its first block; block: next sibling */
};

struct tpl {
	struct node *nodes; /* the program, in source order */
	size_t n;	    /* nodes in use */
	size_t alloc;	    /* nodes allocated */
	struct tc_buf pool; /* text, names and indentation */
	char *file;	    /* source file for messages (never NULL) */
};

struct entry {
	char *name;	 /* template name, NUL-terminated */
	size_t len;	 /* strlen(name) */
	struct tpl *tpl; /* the template, or NULL: known not to exist */
};

struct tc_tpl_set {
	tc_tpl_load_fn load;   /* finds sources not added; may be NULL */
	void *arg;	       /* for load */
	pthread_mutex_t lock;  /* guards everything below */
	struct entry *entries; /* named templates and known misses */
	size_t n, alloc;       /* entries in use and allocated */
	struct tpl **retired;  /* templates replaced while renders may run */
	size_t nretired, aretired;
};

/* The text at offset off of t's string pool. */
static inline const char *tc_tpl_pool_at(const struct tpl *t, size_t off)
{
	return t->pool.data + off;
}

/* Frees a template; NULL is allowed. */
void tc_tpl_free(struct tpl *t);

/*
 * Compiles src (len bytes) named file in messages. Returns a template the
 * caller frees with tc_tpl_free, or NULL with err filled.
 */
struct tpl *tc_tpl_compile(const char *src, size_t len, const char *file,
			   struct tc_error *err);

/* s (len bytes) fit to quote in a message: at most 60 bytes, control
 * and non-ASCII bytes as '?', "..." when cut. Returns out (size n). */
const char *tc_tpl_shown(const char *s, size_t len, char *out, size_t n);

/* Fills err with TC_ENOMEM about file; returns -1. */
int tc_tpl_nomem(struct tc_error *err, const char *file);

/*
 * Finds the template called name (NUL-terminated, len bytes), loading and
 * compiling it on first use. *out is NULL when there is no such template.
 * Returns 0, or -1 with err filled. The template belongs to the set.
 */
int tc_tpl_set_get(struct tc_tpl_set *set, const char *name, size_t len,
		   const struct tpl **out, struct tc_error *err);

#endif
