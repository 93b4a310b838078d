/*
 * commit.c: group commit for the spool.
 *
 * A worker that has written a submission under tmp/REF/ (its files and
 * submission.json, none of them fsynced) suspends its connection and
 * queues REF here; its thread goes on serving other connections. One
 * committer thread takes everything queued as one group and makes it
 * durable with two flushes of the spool's file system, however many
 * submissions the group holds:
 *
 *   1. syncfs: every file and folder of the group (and anything else
 *      written on that file system) reaches the disk;
 *   2. each tmp/REF is renamed into ready/, in the order they were queued;
 *   3. syncfs again: the new entries in ready/ and their removal from
 *      tmp/ reach the disk.
 *
 * Only then are the group's connections resumed, so no 303 goes out before
 * the flush that covers that submission. Submissions that arrive during a
 * group's flushes wait for the next group. A crash before step 3 leaves a
 * submission either whole in ready/ or in tmp/ (removed at the next start,
 * never acknowledged); the resident was not told it was received.
 *
 * Two flushes of the whole file system cost about what two fsyncs do when
 * little else is written there: give the spool a file system without other
 * heavy writers (intake.8).
 */
#define _GNU_SOURCE /* syncfs, O_DIRECTORY */

#include "serve_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

struct intake_commits {
	pthread_mutex_t lock;
	pthread_cond_t more;		/* something queued, or stop */
	struct intake_commit *head;	/* queued, oldest first */
	struct intake_commit **tail;	/* where the next one goes */
	struct intake_commit *inflight; /* claimed and not yet done */
	int stop;	       /* set at stop: finish the queue, then end */
	int stopped;	       /* the committer has ended */
	pthread_t thread;      /* the committer */
	int tmp_fd, ready_fd;  /* SPOOL/tmp and SPOOL/ready */
	int outbox_fd;	       /* SPOOL/outbox, or -1 */
	unsigned delay_us;     /* --commit-delay */
	unsigned long flushes; /* flushes so far (the test hook's) */
	unsigned long fail_at; /* INTAKE_TEST_FLUSH_FAIL, or 0 */
	struct intake_commit_stats stats; /* under the lock */
};

/*
 * Makes everything on the spool's file system durable. Built with
 * TC_TEST_HOOKS, INTAKE_TEST_FLUSH_FAIL=N makes the Nth flush (from 1)
 * fail with EIO, as a failing disk would.
 */
static int flush(struct intake_commits *q, uint64_t *syncs)
{
	(*syncs)++;
#ifdef TC_TEST_HOOKS
	if (__atomic_add_fetch(&q->flushes, 1, __ATOMIC_RELAXED) ==
	    q->fail_at) {
		errno = EIO;
		return -1;
	}
#endif
	return syncfs(q->tmp_fd);
}

/*
 * A stored submission's confirmation email may go: REF.json.new becomes
 * REF.json. Not flushed: should a crash lose the rename, the next start
 * makes it (intake_mail_recover).
 */
static void release_mail(const struct intake_commits *q, const char *ref)
{
	char from[32], to[32];

	snprintf(from, sizeof(from), "%s" INTAKE_OUTBOX_STAGED, ref);
	snprintf(to, sizeof(to), "%s.json", ref);
	if (renameat(q->outbox_fd, from, q->outbox_fd, to) < 0)
		tc_warn("outbox/%s: cannot release the confirmation email (it "
			"goes after the next start)",
			from);
}

/* Steps 1-3 above for one group (the lock not held). */
static void commit_group(struct intake_commits *q, struct intake_commit *group,
			 uint64_t *syncs)
{
	struct intake_commit *c;
	int err = 0, moved = 0;

	if (flush(q, syncs) < 0)
		err = errno;
	for (c = group; c; c = c->next) {
		c->rc = -1;
		c->err = err;
		if (err)
			continue;
		if (renameat(q->tmp_fd, c->ref, q->ready_fd, c->ref) < 0) {
			c->err = errno;
			continue;
		}
		c->rc = 0;
		moved = 1;
	}
	if (moved && flush(q, syncs) < 0) {
		/* In ready/ but not known to be durable: the resident is
		 * told it failed, and the bundle may carry it anyway. */
		err = errno;
		for (c = group; c; c = c->next) {
			if (c->rc == 0) {
				c->rc = -1;
				c->err = err;
			}
		}
	}
	for (c = group; c; c = c->next)
		if (c->rc == 0 && c->mail)
			release_mail(q, c->ref);
}

static void done(struct intake_commits *q, struct intake_commit *c)
{
	struct intake_commit **pp, *f, *next;

	pthread_mutex_lock(&q->lock);
	for (pp = &q->inflight; *pp && *pp != c; pp = &(*pp)->inflight_next)
		;
	if (*pp)
		*pp = c->inflight_next;
	f = c->followers;
	pthread_mutex_unlock(&q->lock);
	/* Once resumed, a request may end and free its commit. */
	for (; f; f = next) {
		next = f->follow_next;
		f->rc = c->rc;
		f->err = c->err;
		MHD_resume_connection(f->conn);
	}
	MHD_resume_connection(c->conn);
}

void intake_commit_done(const struct intake_ctx *ctx, struct intake_commit *c)
{
	done(ctx->commits, c);
}

/* Counts the group and resumes its connections (the lock not held). */
static void finish_group(struct intake_commits *q, struct intake_commit *group,
			 uint64_t syncs)
{
	struct intake_commit *c, *next;
	uint64_t n = 0;

	for (c = group; c; c = c->next)
		n += c->rc == 0;
	pthread_mutex_lock(&q->lock);
	q->stats.groups++;
	q->stats.stored += n;
	q->stats.syncs += syncs;
	pthread_mutex_unlock(&q->lock);
	for (c = group; c; c = next) {
		next = c->next;
		done(q, c);
	}
}

int intake_commit_claim(const struct intake_ctx *ctx, struct intake_commit *c)
{
	struct intake_commits *q = ctx->commits;
	struct intake_commit *o;

	c->followers = NULL;
	c->follow_next = NULL;
	c->rc = -1;
	c->err = 0;
	pthread_mutex_lock(&q->lock);
	for (o = q->inflight; o; o = o->inflight_next) {
		if (!strcmp(o->ref, c->ref)) {
			c->follow_next = o->followers;
			o->followers = c;
			pthread_mutex_unlock(&q->lock);
			return 0;
		}
	}
	c->inflight_next = q->inflight;
	q->inflight = c;
	pthread_mutex_unlock(&q->lock);
	return 1;
}

static void *committer(void *arg)
{
	struct intake_commits *q = arg;
	struct intake_commit *group;
	uint64_t syncs;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->more, &q->lock);
		if (!q->head)
			break;
		if (q->delay_us && !q->stop) {
			/* Let more arrive to share this group's flushes. */
			struct timespec d = {q->delay_us / 1000000,
					     (long)(q->delay_us % 1000000) *
						 1000};

			pthread_mutex_unlock(&q->lock);
			nanosleep(&d, NULL);
			pthread_mutex_lock(&q->lock);
		}
		group = q->head;
		q->head = NULL;
		q->tail = &q->head;
		pthread_mutex_unlock(&q->lock);
		syncs = 0;
		commit_group(q, group, &syncs);
		finish_group(q, group, syncs);
		pthread_mutex_lock(&q->lock);
	}
	/* Anything queued from now on is committed where it is queued. */
	q->stopped = 1;
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int intake_commits_start(struct intake_ctx *ctx, unsigned delay_us)
{
	struct intake_commits *q;
	int e;

	q = calloc(1, sizeof(*q));
	if (!q) {
		tc_warnx("out of memory");
		return -1;
	}
	q->tail = &q->head;
	q->delay_us = delay_us;
#ifdef TC_TEST_HOOKS
	if (getenv("INTAKE_TEST_FLUSH_FAIL"))
		q->fail_at =
		    strtoul(getenv("INTAKE_TEST_FLUSH_FAIL"), NULL, 10);
#endif
	q->tmp_fd = intake_open_folder(ctx->spool_tmp);
	q->ready_fd = intake_open_folder(ctx->spool_ready);
	q->outbox_fd =
	    ctx->spool_outbox ? intake_open_folder(ctx->spool_outbox) : -1;
	if (q->tmp_fd < 0 || q->ready_fd < 0 ||
	    (ctx->spool_outbox && q->outbox_fd < 0)) {
		tc_warn("%s: cannot open the spool's folders", ctx->spool_tmp);
		goto fail;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	e = pthread_create(&q->thread, NULL, committer, q);
	if (e) {
		errno = e;
		tc_warn("cannot start the spool's committer");
		pthread_cond_destroy(&q->more);
		pthread_mutex_destroy(&q->lock);
		goto fail;
	}
	ctx->commits = q;
	return 0;
fail:
	if (q->tmp_fd >= 0)
		close(q->tmp_fd);
	if (q->ready_fd >= 0)
		close(q->ready_fd);
	if (q->outbox_fd >= 0)
		close(q->outbox_fd);
	free(q);
	return -1;
}

void intake_commits_finish(struct intake_ctx *ctx)
{
	struct intake_commits *q = ctx->commits;

	if (!q || q->stopped)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = 1;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
}

void intake_commits_free(struct intake_ctx *ctx,
			 struct intake_commit_stats *stats)
{
	struct intake_commits *q = ctx->commits;

	if (!q)
		return;
	intake_commits_finish(ctx);
	if (stats)
		*stats = q->stats;
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	close(q->tmp_fd);
	close(q->ready_fd);
	if (q->outbox_fd >= 0)
		close(q->outbox_fd);
	free(q);
	ctx->commits = NULL;
}

void intake_commit_queue(const struct intake_ctx *ctx, struct intake_commit *c)
{
	struct intake_commits *q = ctx->commits;
	uint64_t syncs = 0;

	c->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (!q->stopped) {
		*q->tail = c;
		q->tail = &c->next;
		pthread_cond_signal(&q->more);
		pthread_mutex_unlock(&q->lock);
		return;
	}
	pthread_mutex_unlock(&q->lock);
	/* Stopping: a group of one, committed here. */
	commit_group(q, c, &syncs);
	finish_group(q, c, syncs);
}
