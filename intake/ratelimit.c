/*
 * ratelimit.c: accepted submissions per client per minute, in a small
 * fixed table.
 *
 * A client is known only by a salted SHA-256 of its address (an IPv6
 * client by its /64, since one host may hold the whole prefix). The salt
 * is random per process and never stored, so the table cannot be turned
 * back into addresses, and nothing of it outlives the process. The table
 * has a fixed number of slots; a full neighbourhood evicts its stalest
 * entry, so a flood of addresses costs memory no more than a few.
 */
#include "serve_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "fsutil.h"
#include "netaddr.h"
#include "sha256.h"

/* Slots in the table (a power of two) and slots probed per client. */
#define RATE_SLOTS 8192
#define RATE_PROBE 8

/*
 * Each client has two budgets that refill steadily: one of per_min
 * accepted submissions a minute, and a larger one of refused posts (a form
 * sent back for its mistakes, a body too large), so that a resident
 * correcting a form is never held up while a flood of junk still is. A
 * budget refills one post every 60/N seconds (a sliding window: no minute
 * boundary resets it). "due" is when it would be full again: each post
 * counted moves it on by one interval from now or from where it was,
 * whichever is later, and a post is refused while either budget's due is
 * more than that whole budget ahead of now.
 */
struct rate_budget {
	int64_t interval; /* ms of refill per post */
	int64_t whole;	  /* ms: N intervals */
};

struct rate_slot {
	uint64_t key;	/* salted hash of the client; 0: free */
	int64_t due[2]; /* ms: when each budget is full again */
	unsigned held;	/* its posts in flight */
};

struct intake_rate {
	pthread_mutex_t lock;	 /* guards slots */
	struct rate_budget b[2]; /* [0] refused, [1] accepted */
	unsigned char salt[32];	 /* random, this process only */
	struct rate_slot *slots; /* RATE_SLOTS of them */
};

static void budget_set(struct rate_budget *b, unsigned per_min)
{
	if (!per_min)
		per_min = 1;
	b->interval = 60000 / (int64_t)per_min;
	if (b->interval < 1)
		b->interval = 1;
	b->whole = b->interval * (int64_t)per_min;
}

struct intake_rate *intake_rate_new(unsigned per_min, unsigned refused_per_min)
{
	struct intake_rate *r = NULL, *ret = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto out;
	r->slots = calloc(RATE_SLOTS, sizeof(*r->slots));
	if (!r->slots)
		goto out;
	if (tc_fs_random(r->salt, sizeof(r->salt)) < 0)
		goto out;
	if (pthread_mutex_init(&r->lock, NULL))
		goto out;
	budget_set(&r->b[1], per_min);
	budget_set(&r->b[0], refused_per_min);
	ret = r;
	r = NULL;
out:
	if (r) {
		free(r->slots);
		free(r);
	}
	return ret;
}

void intake_rate_free(struct intake_rate *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->slots);
	free(r);
}

/* The salted hash of the client's address (never 0). */
static uint64_t client_key(const struct intake_rate *r, const void *addr)
{
	const struct sockaddr *sa = addr;
	struct tc_sha256 s;
	unsigned char d[32];
	uint64_t k = 0;
	size_t i;

	tc_sha256_init(&s);
	tc_sha256_update(&s, r->salt, sizeof(r->salt));
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = addr;
		tc_sha256_update(&s, "4", 1);
		tc_sha256_update(&s, &in->sin_addr, sizeof(in->sin_addr));
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = addr;
		tc_sha256_update(&s, "6", 1);
		tc_sha256_update(&s, &in6->sin6_addr, 8);
	} else {
		tc_sha256_update(&s, "?", 1);
	}
	tc_sha256_final(&s, d);
	for (i = 0; i < 8; i++)
		k = (k << 8) | d[i];
	return k ? k : 1;
}

/* The later of a slot's two dues. */
static int64_t last_due(const struct rate_slot *s)
{
	return s->due[0] > s->due[1] ? s->due[0] : s->due[1];
}

/*
 * The client's slot, under the lock: its own, else a free one or the one
 * whose budgets filled longest ago, taken over (both budgets full).
 */
static struct rate_slot *find_slot(struct intake_rate *r, uint64_t key)
{
	struct rate_slot *slot = NULL, *s;
	size_t i, at = (size_t)(key & (RATE_SLOTS - 1));

	/* A slot with posts in flight is taken over only when all are. */
	for (i = 0; i < RATE_PROBE; i++) {
		s = &r->slots[(at + i) & (RATE_SLOTS - 1)];
		if (s->key == key)
			return s;
		if (!slot ||
		    (slot->key && (!s->key || (!s->held && slot->held) ||
				   (!s->held == !slot->held &&
				    last_due(s) < last_due(slot)))))
			slot = s;
	}
	slot->key = key;
	slot->due[0] = slot->due[1] = 0;
	slot->held = 0;
	return slot;
}

/* intake_rate_wait under the lock; a hold taken when hold and 0. */
static unsigned wait_locked(struct intake_rate *r, const void *addr,
			    int64_t now_ms, int hold)
{
	uint64_t key = client_key(r, addr);
	struct rate_slot *slot;
	int64_t over, due, most = 0;
	int i;

	pthread_mutex_lock(&r->lock);
	slot = find_slot(r, key);
	for (i = 0; i < 2; i++) {
		/* Room for one more: due may pass a full budget by one. A
		 * post in flight may be counted in either budget: it takes
		 * room in both until it is. */
		due = (slot->due[i] > now_ms ? slot->due[i] : now_ms) +
		      (int64_t)slot->held * r->b[i].interval;
		over = due + r->b[i].interval - now_ms - r->b[i].whole;
		if (over > most)
			most = over;
	}
	if (hold && most <= 0)
		slot->held++;
	pthread_mutex_unlock(&r->lock);
	return most > 0 ? (unsigned)((most + 999) / 1000) : 0;
}

unsigned intake_rate_wait(struct intake_rate *r, const void *addr,
			  int64_t now_ms)
{
	return wait_locked(r, addr, now_ms, 0);
}

unsigned intake_rate_hold(struct intake_rate *r, const void *addr,
			  int64_t now_ms)
{
	return wait_locked(r, addr, now_ms, 1);
}

/* Moves a slot's budget for one post counted (under the lock). */
static void count_locked(struct intake_rate *r, struct rate_slot *slot,
			 int64_t now_ms, int accepted)
{
	int64_t *due = &slot->due[accepted ? 1 : 0];

	*due =
	    (*due > now_ms ? *due : now_ms) + r->b[accepted ? 1 : 0].interval;
}

void intake_rate_settle(struct intake_rate *r, const void *addr, int64_t now_ms,
			enum intake_rate_outcome o)
{
	uint64_t key = client_key(r, addr);
	struct rate_slot *slot;

	pthread_mutex_lock(&r->lock);
	slot = find_slot(r, key);
	if (slot->held)
		slot->held--;
	if (o != INTAKE_RATE_NONE)
		count_locked(r, slot, now_ms, o == INTAKE_RATE_ACCEPTED);
	pthread_mutex_unlock(&r->lock);
}

void intake_rate_count(struct intake_rate *r, const void *addr, int64_t now_ms,
		       int accepted)
{
	uint64_t key = client_key(r, addr);

	pthread_mutex_lock(&r->lock);
	count_locked(r, find_slot(r, key), now_ms, accepted);
	pthread_mutex_unlock(&r->lock);
}

int intake_same_ip(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	struct sockaddr_storage x;

	if (a->sa_family != b->ss_family)
		return 0;
	/* Copied, as a sockaddr may be less aligned than its family's. */
	if (a->sa_family == AF_INET) {
		memcpy(&x, a, sizeof(struct sockaddr_in));
		return !memcmp(&((const struct sockaddr_in *)&x)->sin_addr,
			       &((const struct sockaddr_in *)b)->sin_addr,
			       sizeof(struct in_addr));
	}
	if (a->sa_family == AF_INET6) {
		memcpy(&x, a, sizeof(struct sockaddr_in6));
		return !memcmp(&((const struct sockaddr_in6 *)&x)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	}
	return 0;
}

/* Keeps the value of the last X-Forwarded-For header line: a proxy may add
 * its own line after one the client sent. */
static enum MHD_Result last_xff(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *value)
{
	(void)kind;
	if (key && value && !strcasecmp(key, "X-Forwarded-For"))
		*(const char **)cls = value;
	return MHD_YES;
}

const struct sockaddr *intake_client(struct MHD_Connection *c,
				     const struct intake_ctx *ctx,
				     struct sockaddr_storage *tmp)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *peer = ci ? ci->client_addr : NULL;
	const char *xff, *last;

	if (!peer || ctx->proxy.ss_family == AF_UNSPEC ||
	    !intake_same_ip(peer, &ctx->proxy))
		return peer;
	xff = NULL;
	MHD_get_connection_values(c, MHD_HEADER_KIND, last_xff, &xff);
	if (!xff)
		return peer;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	if (tc_parse_ip(last, strlen(last), tmp) < 0)
		return peer;
	return (const struct sockaddr *)tmp;
}
