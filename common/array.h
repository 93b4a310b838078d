/*
 * array.h: growing arrays of any type, the one policy for every growth site.
 *
 *   struct item *items = NULL;
 *   size_t nitems = 0, alloc = 0;
 *   TC_ALLOC_GROW(items, nitems + 1, alloc);     (dies when out of memory)
 *   items[nitems++] = ...;
 *
 * Capacity grows by half again (at least 16 elements) so n appends cost
 * O(n) copies; a size that would overflow is refused like a failed
 * allocation. Code that must not exit (intake's request handling) uses
 * tc_grow_try and fails the one request instead.
 */
#ifndef TC_ARRAY_H
#define TC_ARRAY_H

#include <stddef.h>
#include <stdlib.h>

/*
 * Makes *p hold at least need elements of size elem, *alloc being its
 * capacity in elements (0 with *p NULL to start). Returns 0, or -1 with
 * errno ENOMEM and *p, *alloc unchanged.
 */
int tc_grow_try(void **p, size_t elem, size_t need, size_t *alloc);

/* The same, but exits through tc_die_nomem when memory runs out. */
void tc_grow(void **p, size_t elem, size_t need, size_t *alloc);

/* x: an lvalue pointer to the elements; nr: the count needed; alloc: an
 * lvalue size_t capacity. */
#define TC_ALLOC_GROW(x, nr, alloc)                                            \
	tc_grow((void **)&(x), sizeof(*(x)), (nr), &(alloc))

/* As TC_ALLOC_GROW, evaluating to 0 or -1 instead of exiting. */
#define TC_ALLOC_GROW_TRY(x, nr, alloc)                                        \
	tc_grow_try((void **)&(x), sizeof(*(x)), (nr), &(alloc))

/*
 * Calls release(&v[i]) on each of the n elements of v, then frees v;
 * release frees what one element owns, not the element itself.
 */
#define TC_RELEASE_EACH(v, n, release)                                         \
	do {                                                                   \
		size_t tc_i_;                                                  \
		for (tc_i_ = 0; tc_i_ < (size_t)(n); tc_i_++)                  \
			release(&(v)[tc_i_]);                                  \
		free(v);                                                       \
	} while (0)

/*
 * The first of the n elements of v (each elem bytes) whose string at byte
 * offset off is key, or NULL; an element whose string is NULL, or a NULL
 * key, matches nothing.
 */
const void *tc_find_str(const void *v, size_t n, size_t elem, size_t off,
			const char *key);

/* v: pointer to elements of type; member: the char * member to match. */
#define TC_FIND_STR(v, n, type, member, key)                                   \
	tc_find_str((v), (n), sizeof(type), offsetof(type, member), (key))

#endif
