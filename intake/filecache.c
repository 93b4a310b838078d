/*
 * filecache.c: the site's small files kept in memory, each as a response
 * made once (body, type, validators, caching and security headers) and
 * queued again for every request of the same path.
 *
 * A file is kept after it has been served once through the checked walk
 * of static.c, so nothing reaches the cache that the walk would refuse. A
 * response is shared: libmicrohttpd counts its users, and the cache's lock
 * is held while one is queued, so clearing the cache never frees a
 * response a request is about to use. The cache is cleared whenever the
 * site is rebuilt (its manifest changes: serve.c's reload) or on SIGHUP,
 * so a page is never older than the build being served by more than the
 * second it takes to notice.
 */
#include "serve_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Files larger than this are sent from disk; the cache holds at most so
 * many files and bytes. */
#define CACHE_FILE_MAX (256u * 1024)
#define CACHE_FILES    1024
#define CACHE_BYTES    (64u * 1024 * 1024)
/* Slots of the index by path (a power of two, twice CACHE_FILES), so a
 * request finds its file in a probe or two however many are kept. */
#define CACHE_SLOTS 2048

struct cached {
	char *path;		/* the decoded request path */
	size_t len;		/* its bytes */
	struct MHD_Response *r; /* the 200, headers and all */
	uint64_t size;		/* body bytes */
	char etag[64];		/* for If-None-Match */
	char lm[64];		/* for If-Modified-Since */
	char control[64];	/* Cache-Control, for a 304 */
};

struct intake_filecache {
	pthread_mutex_t lock; /* guards everything below */
	struct cached *v;     /* CACHE_FILES entries, n used */
	size_t n;
	size_t bytes;
	int slot[CACHE_SLOTS]; /* index of v by path's hash; -1: free */
};

static size_t path_hash(const char *path, size_t len)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)path[i]) * 1099511628211u; /* FNV-1a */
	return (size_t)(h & (CACHE_SLOTS - 1));
}

struct intake_filecache *intake_filecache_new(void)
{
	struct intake_filecache *fc = calloc(1, sizeof(*fc));

	if (!fc)
		return NULL;
	fc->v = calloc(CACHE_FILES, sizeof(*fc->v));
	if (!fc->v || pthread_mutex_init(&fc->lock, NULL)) {
		free(fc->v);
		free(fc);
		return NULL;
	}
	memset(fc->slot, 0xff, sizeof(fc->slot));
	return fc;
}

static void clear_locked(struct intake_filecache *fc)
{
	size_t i;

	for (i = 0; i < fc->n; i++) {
		MHD_destroy_response(fc->v[i].r);
		free(fc->v[i].path);
	}
	memset(fc->v, 0, fc->n * sizeof(*fc->v));
	memset(fc->slot, 0xff, sizeof(fc->slot));
	fc->n = 0;
	fc->bytes = 0;
}

void intake_filecache_clear(struct intake_filecache *fc)
{
	if (!fc)
		return;
	pthread_mutex_lock(&fc->lock);
	clear_locked(fc);
	pthread_mutex_unlock(&fc->lock);
}

void intake_filecache_free(struct intake_filecache *fc)
{
	if (!fc)
		return;
	clear_locked(fc);
	pthread_mutex_destroy(&fc->lock);
	free(fc->v);
	free(fc);
}

/*
 * The entry for path, or NULL; *free_slot (when not NULL) is set to the
 * index slot where it would go. Linear probing; entries are never
 * removed one by one (the cache is cleared whole), so a probe stops at
 * the first free slot.
 */
static struct cached *find_locked(struct intake_filecache *fc, const char *path,
				  size_t len, size_t *free_slot)
{
	size_t i, at = path_hash(path, len);
	struct cached *e;

	for (i = 0; i < CACHE_SLOTS; i++, at = (at + 1) & (CACHE_SLOTS - 1)) {
		if (fc->slot[at] < 0) {
			if (free_slot)
				*free_slot = at;
			return NULL;
		}
		e = &fc->v[fc->slot[at]];
		if (e->len == len && !memcmp(e->path, path, len))
			return e;
	}
	return NULL; /* never: there are twice as many slots as entries */
}

/* 1 when the request's validators match the entry (a 304). */
static int not_modified(struct MHD_Connection *c, const struct cached *e)
{
	const char *inm = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ims = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);

	if (inm)
		return intake_etag_matches(inm, e->etag);
	return ims && e->lm[0] && !strcmp(ims, e->lm);
}

int intake_filecache_serve(struct intake_filecache *fc,
			   struct MHD_Connection *c, struct intake_req *rq,
			   const char *path, size_t len, enum MHD_Result *ret)
{
	struct cached *e;
	char etag[64], control[64];
	int hit = 0, unchanged = 0;

	if (!fc)
		return 0;
	pthread_mutex_lock(&fc->lock);
	e = find_locked(fc, path, len, NULL);
	if (e) {
		hit = 1;
		unchanged = not_modified(c, e);
		if (unchanged) {
			memcpy(etag, e->etag, sizeof(etag));
			memcpy(control, e->control, sizeof(control));
		} else {
			*ret = MHD_queue_response(c, 200, e->r);
			if (*ret == MHD_YES) {
				rq->status = 200;
				rq->bytes = e->size;
			}
		}
	}
	pthread_mutex_unlock(&fc->lock);
	if (hit && unchanged)
		*ret = intake_send_not_modified(c, rq, etag, control);
	return hit;
}

void intake_filecache_put(struct intake_filecache *fc, const char *path,
			  size_t len, struct MHD_Response *r, uint64_t size,
			  const char *etag, const char *lm, const char *control)
{
	struct cached *e;
	size_t at = CACHE_SLOTS;

	if (!fc || size > CACHE_FILE_MAX)
		return;
	pthread_mutex_lock(&fc->lock);
	if (find_locked(fc, path, len, &at) || at == CACHE_SLOTS ||
	    fc->n >= CACHE_FILES || fc->bytes + size > CACHE_BYTES)
		goto out;
	e = &fc->v[fc->n];
	e->path = malloc(len + 1);
	if (!e->path)
		goto out;
	memcpy(e->path, path, len);
	e->path[len] = '\0';
	e->len = len;
	/* The cache keeps the creator's reference; each request that
	 * queues the response holds its own until it is sent. */
	e->r = r;
	e->size = size;
	snprintf(e->etag, sizeof(e->etag), "%s", etag);
	snprintf(e->lm, sizeof(e->lm), "%s", lm);
	snprintf(e->control, sizeof(e->control), "%s", control);
	fc->slot[at] = (int)fc->n;
	fc->n++;
	fc->bytes += size;
	r = NULL;
out:
	pthread_mutex_unlock(&fc->lock);
	if (r)
		MHD_destroy_response(r);
}
