/*
 * static.c: GET and HEAD of the built site's files.
 *
 * The path is decoded once, then walked one component at a time from the
 * site's root folder with openat(O_NOFOLLOW), so no symlink, "..", or
 * hidden name (".threecs", ".git") is ever followed: what is served is a
 * regular file inside the root, whatever the request says.
 */
#define _GNU_SOURCE /* O_NOFOLLOW, O_DIRECTORY, O_CLOEXEC */

#include "serve_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "mime.h"

/* Files up to this size are answered from memory (and cached). */
#define SMALL_FILE (256u * 1024)

/* Longest path served, and longest single component. */
#define MAX_PATH      1024
#define MAX_COMPONENT 255

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* 1 for a content-hashed asset name such as site.3f2a9c1e.css. */
static int is_hashed(const char *name)
{
	const char *ext = strrchr(name, '.'), *h;
	size_t n = 0;

	if (!ext || ext == name || (strcmp(ext, ".css") && strcmp(ext, ".js")))
		return 0;
	h = ext;
	while (h > name && is_hex(h[-1])) {
		h--;
		n++;
	}
	return n >= 8 && h > name + 1 && h[-1] == '.';
}

int intake_url_decode(const char *s, size_t len, struct tc_buf *out)
{
	size_t i;
	int hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3)
				return -1;
			hi = tc_hexval((unsigned char)s[i + 1]);
			lo = tc_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0)
			return -1;
		if (tc_buf_addch(out, c) < 0)
			return -1;
	}
	return 0;
}

/* 1 when one path component may be served. */
static int component_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MAX_COMPONENT || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '\\' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * The next component of path[0..len) from *i on: its start, with its length
 * in *n and *i moved past it; NULL when none is left. Empty components
 * ("a//b", a leading or trailing '/') are skipped.
 */
static const char *next_component(const char *path, size_t len, size_t *i,
				  size_t *n)
{
	size_t j;

	while (*i < len && path[*i] == '/')
		(*i)++;
	if (*i >= len)
		return NULL;
	j = *i;
	while (j < len && path[j] != '/')
		j++;
	*n = j - *i;
	*i = j;
	return path + j - *n;
}

/*
 * Opens the path below the root one component at a time. Stores the file
 * or folder's descriptor in *fd and its last component in last. Returns 0,
 * or -1 when a component is refused or missing.
 */
static int open_below(int root, const char *path, size_t len, int *fd,
		      char *last, size_t lastsz)
{
	char comp[MAX_COMPONENT + 1];
	const char *c;
	size_t i = 0, n;
	int dir = -1, next, rc = -1;

	dir = dup(root);
	if (dir < 0)
		goto out;
	snprintf(last, lastsz, "%s", "");
	while ((c = next_component(path, len, &i, &n)) != NULL) {
		if (!component_ok(c, n))
			goto out;
		memcpy(comp, c, n);
		comp[n] = '\0';
		next = openat(dir, comp,
			      O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (next < 0)
			goto out;
		close(dir);
		dir = next;
		snprintf(last, lastsz, "%s", comp);
	}
	*fd = dir;
	dir = -1;
	rc = 0;
out:
	if (dir >= 0)
		close(dir);
	return rc;
}

/* "/a/b/" from "a//b": each component URL-escaped, one '/' between. */
static int folder_location(const char *path, size_t len, struct tc_buf *out)
{
	const char *c;
	size_t i = 0, n;

	while ((c = next_component(path, len, &i, &n)) != NULL)
		if (tc_buf_addch(out, '/') < 0 || tc_esc_url(out, c, n) < 0)
			return -1;
	return tc_buf_addch(out, '/');
}

/* The file's validator: size and modification time in nanoseconds. */
static void make_etag(const struct stat *st, char *out, size_t n)
{
	snprintf(out, n, "\"%jx-%jx%09lx\"", (uintmax_t)st->st_size,
		 (uintmax_t)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
}

/* 1 when If-None-Match lists etag (or is "*"). */
int intake_etag_matches(const char *inm, const char *etag)
{
	size_t el = strlen(etag);
	const char *p = inm;

	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (*p == '*')
			return 1;
		if (!strncmp(p, etag, el) &&
		    (p[el] == '\0' || p[el] == ',' || p[el] == ' '))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

enum MHD_Result intake_send_not_modified(struct MHD_Connection *c,
					 struct intake_req *rq,
					 const char *etag, const char *control)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(0, (void *)"",
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag) == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    control) == MHD_NO) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	return intake_queue(c, rq, 304, r, 0);
}

/*
 * A small file: read whole, answered from memory in one response made
 * with every header, and kept in the cache for the next request of the
 * same path. Returns what the access handler returns.
 */
static enum MHD_Result send_small(struct MHD_Connection *c,
				  struct intake_req *rq, int fd,
				  const struct stat *st, const char *path,
				  size_t len, const char *type,
				  const char *etag, const char *lm,
				  const char *control)
{
	size_t size = (size_t)st->st_size, got = 0;
	struct MHD_Response *r = NULL;
	char *data = malloc(size ? size : 1);
	enum MHD_Result ret = MHD_NO;
	ssize_t n;

	while (data && got < size) {
		n = pread(fd, data + got, size - got, (off_t)got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (!data || got != size) {
		/* Changed under us, or unreadable: not served half. */
		free(data);
		return intake_send_internal_error(c, rq);
	}
	r = MHD_create_response_from_buffer(size, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	intake_add_security_headers(r);
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type) ==
		MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag) == MHD_NO ||
	    (lm[0] && MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED,
					      lm) == MHD_NO) ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    control) == MHD_NO) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, 200, r);
	if (ret == MHD_YES) {
		rq->status = 200;
		rq->bytes = size;
	}
	intake_filecache_put(rq->ctx->files, path, len, r, size, etag, lm,
			     control);
	return ret;
}

enum MHD_Result intake_static(struct MHD_Connection *c, struct intake_req *rq,
			      const char *decoded, size_t len)
{
	struct tc_buf loc = TC_BUF_INIT;
	struct MHD_Response *r = NULL;
	char last[MAX_COMPONENT + 1], etag[64], lm[64];
	const char *inm, *ims, *cache;
	struct stat st;
	struct tm tm;
	int fd = -1, idx;
	enum MHD_Result ret = MHD_NO;

	if (len <= MAX_PATH && !memchr(decoded, '\\', len) &&
	    intake_filecache_serve(rq->ctx->files, c, rq, decoded, len, &ret))
		return ret;
	if (len > MAX_PATH || memchr(decoded, '\\', len) ||
	    open_below(rq->ctx->site_fd, decoded, len, &fd, last,
		       sizeof(last)) < 0) {
		ret = intake_send_not_found(c, rq);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = intake_send_not_found(c, rq);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		if (len > 0 && decoded[len - 1] != '/') {
			/* A folder: the canonical URL ends with '/'. The
			 * location is rebuilt from the checked components,
			 * so "//host" can never become another site. */
			if (folder_location(decoded, len, &loc) < 0) {
				ret = intake_send_internal_error(c, rq);
				goto out;
			}
			ret = intake_send_redirect(c, rq, 301, loc.data);
			goto out;
		}
		idx = openat(fd, "index.html",
			     O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		close(fd);
		fd = idx;
		snprintf(last, sizeof(last), "%s", "index.html");
		if (fd < 0 || fstat(fd, &st) < 0) {
			ret = intake_send_not_found(c, rq);
			goto out;
		}
	}
	if (!S_ISREG(st.st_mode)) {
		ret = intake_send_not_found(c, rq);
		goto out;
	}
	make_etag(&st, etag, sizeof(etag));
	gmtime_r(&st.st_mtim.tv_sec, &tm);
	if (!strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT", &tm))
		lm[0] = '\0';
	if (is_hashed(last))
		cache = "public, max-age=31536000, immutable";
	else if (!strncmp(tc_mime_for(last), "text/html", 9))
		cache = "no-cache";
	else
		cache = "public, max-age=3600";
	inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					  MHD_HTTP_HEADER_IF_NONE_MATCH);
	ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					  MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if ((inm && intake_etag_matches(inm, etag)) ||
	    (!inm && ims && lm[0] && !strcmp(ims, lm))) {
		ret = intake_send_not_modified(c, rq, etag, cache);
		goto out;
	}
	if ((uint64_t)st.st_size <= SMALL_FILE) {
		ret = send_small(c, rq, fd, &st, decoded, len,
				 tc_mime_for(last), etag, lm, cache);
		goto out;
	}
	r = MHD_create_response_from_fd((size_t)st.st_size, fd);
	if (!r)
		goto out;
	fd = -1; /* the response owns it now */
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    tc_mime_for(last)) == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag) == MHD_NO ||
	    (lm[0] && MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED,
					      lm) == MHD_NO) ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache) ==
		MHD_NO)
		goto out;
	ret = intake_queue(c, rq, 200, r, (uint64_t)st.st_size);
	r = NULL;
out:
	if (r)
		MHD_destroy_response(r);
	if (fd >= 0)
		close(fd);
	tc_buf_release(&loc);
	return ret;
}
