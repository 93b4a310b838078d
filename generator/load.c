/*
 * load.c: phase A over every page: in threads, or, where it pays, in
 * two processes (the child streams back what it found for its pages).
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "internal.h"

/*
 * cmark-gfm 0.29 serialises parsing within a process (see markdown.c), so
 * phase A parses half the pages in a forked child, which has its own copy
 * of that table, and streams back what phase A found for each of its pages.
 * The parent reads the child's pages' front matter again itself (cheap and
 * deterministic) rather than passing YAML documents across.
 */

/* Pages below this many are not worth a process. */
#define FORK_MIN_PAGES 64

static int put_u32(FILE *f, uint32_t v)
{
	return fwrite(&v, sizeof(v), 1, f) == 1 ? 0 : -1;
}

static int put_blob(FILE *f, const char *p, size_t n)
{
	if (n > UINT32_MAX || put_u32(f, (uint32_t)n) < 0)
		return -1;
	return n && fwrite(p, 1, n, f) != n ? -1 : 0;
}

static int put_str(FILE *f, const char *p)
{
	return put_blob(f, p ? p : "", p ? strlen(p) : 0);
}

/* Writes what phase A found for pg. */
static int put_page(FILE *f, uint32_t index, const struct page *pg)
{
	char *toc = cJSON_PrintUnformatted(pg->toc);
	size_t i;
	int rc = -1;

	if (!toc)
		tc_die_nomem();
	if (put_u32(f, index) < 0 || put_u32(f, (uint32_t)pg->errors) < 0 ||
	    put_u32(f, (uint32_t)pg->warnings) < 0 ||
	    put_u32(f, (uint32_t)pg->want_toc) < 0 ||
	    put_u32(f, (uint32_t)pg->form_line) < 0 ||
	    put_str(f, pg->form ? tc_form_id(pg->form) : "") < 0 ||
	    put_blob(f, pg->msgs.data, pg->msgs.len) < 0 ||
	    put_blob(f, pg->body.data, pg->body.len) < 0 ||
	    put_str(f, toc) < 0 || put_u32(f, (uint32_t)pg->nids) < 0)
		goto out;
	for (i = 0; i < pg->nids; i++)
		if (put_str(f, pg->ids[i]) < 0)
			goto out;
	if (put_u32(f, (uint32_t)pg->nlinks) < 0)
		goto out;
	for (i = 0; i < pg->nlinks; i++)
		if (put_str(f, pg->links[i].url) < 0 ||
		    put_u32(f, (uint32_t)pg->links[i].line) < 0 ||
		    put_u32(f, (uint32_t)pg->links[i].col) < 0 ||
		    put_u32(f, (uint32_t)pg->links[i].is_image) < 0)
			goto out;
	rc = 0;
out:
	free(toc);
	return rc;
}

struct reader {
	const char *p, *end; /* what is left of the child's stream */
	int bad;	     /* set when the stream ended early */
};

static uint32_t get_u32(struct reader *r)
{
	uint32_t v = 0;

	if (r->bad || (size_t)(r->end - r->p) < sizeof(v)) {
		r->bad = 1;
		return 0;
	}
	memcpy(&v, r->p, sizeof(v));
	r->p += sizeof(v);
	return v;
}

/* A malloc'd NUL-terminated copy of the next blob (NULL if bad). */
static char *get_str(struct reader *r, size_t *len)
{
	uint32_t n = get_u32(r);
	char *d;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	d = malloc((size_t)n + 1);
	if (!d)
		tc_die_nomem();
	memcpy(d, r->p, n);
	d[n] = '\0';
	r->p += n;
	if (len)
		*len = n;
	return d;
}

/* Fills pg, whose front matter the parent has read, from the stream. */
static int get_page(struct site *s, struct reader *r, struct page *pg)
{
	char *form = NULL, *msgs = NULL, *body = NULL, *toc = NULL;
	size_t mlen = 0, blen = 0, i;
	int rc = -1;

	pg->errors = (int)get_u32(r);
	pg->warnings = (int)get_u32(r);
	pg->want_toc = (int)get_u32(r);
	pg->form_line = (int)get_u32(r);
	form = get_str(r, NULL);
	msgs = get_str(r, &mlen);
	body = get_str(r, &blen);
	toc = get_str(r, NULL);
	if (r->bad)
		goto out;
	pg->form = *form && s->forms ? tc_forms_find(s->forms, form) : NULL;
	tc_buf_reset(&pg->msgs);
	tc_buf_add(&pg->msgs, msgs, mlen);
	tc_buf_reset(&pg->body);
	tc_buf_add(&pg->body, body, blen);
	cJSON_Delete(pg->toc);
	pg->toc = cJSON_Parse(toc);
	if (!pg->toc)
		goto out;
	pg->nids = get_u32(r);
	if (r->bad || pg->nids > (size_t)(r->end - r->p))
		goto out;
	pg->ids = calloc(pg->nids + 1, sizeof(*pg->ids));
	if (!pg->ids)
		tc_die_nomem();
	for (i = 0; i < pg->nids; i++)
		if (!(pg->ids[i] = get_str(r, NULL)))
			goto out;
	pg->nlinks = get_u32(r);
	if (r->bad || pg->nlinks > (size_t)(r->end - r->p))
		goto out;
	pg->links = calloc(pg->nlinks + 1, sizeof(*pg->links));
	if (!pg->links)
		tc_die_nomem();
	for (i = 0; i < pg->nlinks; i++) {
		pg->links[i].url = get_str(r, NULL);
		pg->links[i].line = (int)get_u32(r);
		pg->links[i].col = (int)get_u32(r);
		pg->links[i].is_image = (int)get_u32(r);
		if (r->bad)
			goto out;
	}
	rc = 0;
out:
	free(form);
	free(msgs);
	free(body);
	free(toc);
	return rc;
}

/*
 * Phase A over two processes. Returns 0 when every page is loaded, -1 when
 * no child could be started (nothing done: the caller loads in threads).
 */
static int load_pages_forked(struct site *s)
{
	struct tc_buf stream = TC_BUF_INIT;
	struct reader r;
	size_t i;
	pid_t pid;
	int fd, status = 0, ok = 0;

	fd = memfd_create("sitegen-phase-a", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd);
		return -1;
	}
	if (pid == 0) {
		FILE *f = fdopen(fd, "w");

		if (!f)
			_exit(3);
		for (i = 1; i < s->npages; i += 2) {
			site_load_page(s, i);
			if (put_page(f, (uint32_t)i, s->pages[i]) < 0)
				_exit(3);
		}
		_exit(fflush(f) == 0 ? 0 : 3);
	}
	for (i = 0; i < s->npages; i += 2)
		site_load_page(s, i);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		char chunk[65536];
		off_t off = 0;
		ssize_t n;

		while ((n = pread(fd, chunk, sizeof(chunk), off)) > 0) {
			if (tc_buf_add(&stream, chunk, (size_t)n) < 0)
				tc_die_nomem();
			off += n;
		}
		ok = n == 0;
	}
	close(fd);
	r.p = stream.data;
	r.end = stream.data + stream.len;
	r.bad = !ok;
	for (i = 1; i < s->npages; i += 2) {
		struct page *pg = s->pages[i];

		site_load_front(s, pg);
		if (!r.bad && get_u32(&r) == i && get_page(s, &r, pg) == 0)
			continue;
		/* The child's account is missing or cut short: this page, and
		 * the rest of the child's, are read here instead. */
		r.bad = 1;
		site_page_clear(pg);
		site_load_page(s, i);
	}
	tc_buf_release(&stream);
	return 0;
}

/* Phase A: every page, over two processes where it pays, else threads. */
void site_load_pages(struct site *s, int jobs)
{
	if (jobs >= 2 && s->npages >= FORK_MIN_PAGES &&
	    load_pages_forked(s) == 0)
		return;
	site_run_parallel(s->npages, jobs, site_load_page, s);
}
