/*
 * pool.c: running one job over every item on every core (a pool of
 * threads taking the next item from a shared counter).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "internal.h"

struct pool {
	size_t n;		    /* items */
	atomic_size_t next;	    /* next item to take */
	void (*fn)(void *, size_t); /* the work for one item */
	void *arg;		    /* passed to fn */
};

static void *pool_worker(void *p)
{
	struct pool *pl = p;
	size_t i;

	while ((i = atomic_fetch_add(&pl->next, 1)) < pl->n)
		pl->fn(pl->arg, i);
	return NULL;
}

void site_run_parallel(size_t n, int jobs, void (*fn)(void *, size_t),
		       void *arg)
{
	struct pool pl;
	pthread_t th[64];
	int i, started = 0;

	pl.n = n;
	atomic_init(&pl.next, 0);
	pl.fn = fn;
	pl.arg = arg;
	if (jobs > 64)
		jobs = 64;
	if ((size_t)jobs > n)
		jobs = (int)n;
	for (i = 1; i < jobs; i++)
		if (pthread_create(&th[started], NULL, pool_worker, &pl) == 0)
			started++;
	pool_worker(&pl);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}
