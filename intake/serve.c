/*
 * serve.c: intake serve. Starts libmicrohttpd with a thread pool on one
 * address, routes each request (static files, form posts, confirmation
 * pages), sends every answer with the security headers, logs one line per
 * request without personal data, and stops cleanly on SIGINT or SIGTERM.
 */
#define _GNU_SOURCE /* O_DIRECTORY, O_NOFOLLOW */

#include "serve_internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "err.h"
#include "escape.h"
#include "fsutil.h"
#include "limits.h"
#include "netaddr.h"
#include "sandbox.h"
#include "service.h"

/* Connections one client address may hold at once (unless it is the
 * --proxy, which carries everyone's). */
#define PER_IP_CONNECTIONS 32
/* Memory for one connection's headers and read buffer: libmicrohttpd's
 * default. It zeroes all of it between two requests on one connection, so
 * more costs every request (at 128 KiB, a seventh of a static GET's time)
 * and buys only larger reads of a body. */
#define CONNECTION_MEMORY (32u * 1024)
/* Connections waiting to be accepted. */
/* Seconds to let requests in flight finish after a stop signal. */
#define DRAIN_SECONDS 10

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'";

void intake_serve_defaults(struct intake_serve_options *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8080";
	o->site = "public";
	o->forms = "content/forms";
	o->spool = "spool";
	/* Room for the most files at their largest, and the answers. */
	o->max_body = 52u * 1024 * 1024;
	o->max_field = 64u * 1024;
	o->max_files = 5;
	o->max_file_size = 10u * 1024 * 1024;
	o->timeout = 15;
	o->max_conns = 256;
	o->rate_per_min = 30;
	o->threads = 0;
	o->quiet = 0;
	o->user = NULL;
	o->proxy = NULL;
}

/* ---- responses ---------------------------------------------------- */

void intake_add_security_headers(struct MHD_Response *r)
{
	/* A header that cannot be added (out of memory) is not fatal for
	 * the request; MHD sends what it has. */
	(void)MHD_add_response_header(r, "Content-Security-Policy", csp);
	(void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	(void)MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	(void)MHD_add_response_header(r, "X-Frame-Options", "DENY");
	(void)MHD_add_response_header(
	    r, "Permissions-Policy",
	    "camera=(), microphone=(), geolocation=(), interest-cohort=()");
	(void)MHD_add_response_header(r, "Cross-Origin-Opener-Policy",
				      "same-origin");
}

enum MHD_Result intake_queue(struct MHD_Connection *c, struct intake_req *rq,
			     unsigned status, struct MHD_Response *r,
			     uint64_t bytes)
{
	enum MHD_Result ret;

	intake_add_security_headers(r);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	if (ret == MHD_YES) {
		rq->status = status;
		rq->bytes = bytes;
	}
	return ret;
}

enum MHD_Result intake_send_buf(struct MHD_Connection *c, struct intake_req *rq,
				unsigned status, const char *content_type,
				struct tc_buf *body)
{
	struct MHD_Response *r = NULL;
	size_t len = 0;
	char *data;
	enum MHD_Result ret = MHD_NO;

	data = tc_buf_detach(body, &len);
	if (!data)
		goto out;
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		goto out;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    content_type) == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    "no-store") == MHD_NO) {
		MHD_destroy_response(r);
		goto out;
	}
	ret = intake_queue(c, rq, status, r, len);
out:
	return ret;
}

/* A last answer when no page can be built: plain text, no memory needed. */
static enum MHD_Result send_plain(struct MHD_Connection *c,
				  struct intake_req *rq, unsigned status)
{
	static const char body[] = "Sorry, there is a problem with the "
				   "service. Nothing was sent.\n";
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "text/plain; charset=utf-8") == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    "no-store") == MHD_NO) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	return intake_queue(c, rq, status, r, sizeof(body) - 1);
}

int intake_fill(struct tc_buf *out, const char *page,
		const struct intake_mark *m, size_t n)
{
	const char *at, *next;
	size_t i, which;

	for (;;) {
		next = NULL;
		which = 0;
		for (i = 0; i < n; i++) {
			at = strstr(page, m[i].mark);
			if (at && (!next || at < next)) {
				next = at;
				which = i;
			}
		}
		if (!next)
			break;
		if (tc_buf_add(out, page, (size_t)(next - page)) < 0 ||
		    (m[which].html ? tc_buf_adds(out, m[which].html)
				   : tc_esc_html(out, m[which].text,
						 strlen(m[which].text))) < 0)
			return -1;
		page = next + strlen(m[which].mark);
	}
	return tc_buf_adds(out, page);
}

enum MHD_Result intake_send_html(struct MHD_Connection *c,
				 struct intake_req *rq, unsigned status,
				 int built, struct tc_buf *out)
{
	if (!built)
		return intake_send_internal_error(c, rq);
	return intake_send_buf(c, rq, status, "text/html; charset=utf-8", out);
}

enum MHD_Result intake_send_status(struct MHD_Connection *c,
				   struct intake_req *rq,
				   enum tc_status_page page, const char *value,
				   const char *extra_header,
				   const char *extra_value)
{
	const struct intake_mark mark = {TC_STATUS_VALUE, value ? value : "",
					 NULL};
	unsigned status = tc_status_page_code(page);
	struct tc_buf b = TC_BUF_INIT;
	struct MHD_Response *r = NULL;
	size_t len = 0;
	char *data = NULL;
	enum MHD_Result ret = MHD_NO;

	if (!rq->forms)
		rq->forms = intake_forms_get(rq->ctx);
	if (intake_fill(&b, rq->forms->status[page], &mark, 1) < 0)
		goto out;
	data = tc_buf_detach(&b, &len);
	if (!data)
		goto out;
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r)
		goto out;
	data = NULL;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "text/html; charset=utf-8") == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    "no-store") == MHD_NO ||
	    (extra_header &&
	     MHD_add_response_header(r, extra_header, extra_value) == MHD_NO))
		goto out;
	ret = intake_queue(c, rq, status, r, len);
	r = NULL;
out:
	if (r)
		MHD_destroy_response(r);
	free(data);
	tc_buf_release(&b);
	if (ret == MHD_NO && !rq->status)
		ret = send_plain(c, rq, status);
	return ret;
}

enum MHD_Result intake_send_redirect(struct MHD_Connection *c,
				     struct intake_req *rq, unsigned status,
				     const char *location)
{
	static const char body[] = "See Other\n";
	struct MHD_Response *r;
	enum MHD_Result ret = MHD_NO;

	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		goto out;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location) ==
		MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "text/plain; charset=utf-8") == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    "no-store") == MHD_NO) {
		MHD_destroy_response(r);
		goto out;
	}
	ret = intake_queue(c, rq, status, r, sizeof(body) - 1);
out:
	return ret;
}

enum MHD_Result intake_send_not_found(struct MHD_Connection *c,
				      struct intake_req *rq)
{
	struct MHD_Response *r = NULL;
	struct stat st;
	int fd;
	enum MHD_Result ret = MHD_NO;

	fd = openat(rq->ctx->site_fd, "404.html",
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		ret = send_plain(c, rq, 404);
		goto out;
	}
	r = MHD_create_response_from_fd((size_t)st.st_size, fd);
	if (!r) {
		close(fd);
		goto out;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "text/html; charset=utf-8") == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    "no-cache") == MHD_NO) {
		MHD_destroy_response(r);
		goto out;
	}
	ret = intake_queue(c, rq, 404, r, (uint64_t)st.st_size);
out:
	return ret;
}

enum MHD_Result intake_send_internal_error(struct MHD_Connection *c,
					   struct intake_req *rq)
{
	return intake_send_status(c, rq, TC_STATUS_PROBLEM, NULL, NULL, NULL);
}

/* ---- routing ------------------------------------------------------ */

/* Copies s into out (size n) for the log: printable ASCII only. */
static void log_copy(char *out, size_t n, const char *s)
{
	size_t i = 0;

	for (; s && *s && i + 1 < n; s++)
		out[i++] = (*s > 0x20 && *s < 0x7f) ? *s : '?';
	out[i] = '\0';
}

static int is_method(const char *m, const char *want)
{
	return !strcmp(m, want);
}

/*
 * Splits the decoded path after "/submit/" into the form name and what
 * follows: "complaint" or "complaint/received". Returns the shell or NULL.
 */
static const struct intake_shell *
submit_target(struct intake_req *rq, const char *rest, const char **tail)
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);

	*tail = slash ? slash : "";
	return intake_find_shell(rq, rest, n);
}

static enum MHD_Result route_get(struct MHD_Connection *c,
				 struct intake_req *rq, const char *url)
{
	struct tc_buf dec = TC_BUF_INIT;
	const struct intake_shell *sh;
	const char *tail;
	enum MHD_Result ret = MHD_NO;

	if (url[0] != '/' || intake_url_decode(url, strlen(url), &dec) < 0) {
		ret = intake_send_not_found(c, rq);
		goto out;
	}
	if (!strncmp(dec.data, "/submit/", 8)) {
		sh = submit_target(rq, dec.data + 8, &tail);
		if (sh && !strcmp(tail, ""))
			ret = intake_send_redirect(c, rq, 303, "/");
		else if (sh && !strcmp(tail, "/received"))
			ret = intake_received(c, rq, sh);
		else if (sh && !strcmp(tail, "/copy"))
			ret = intake_copy(c, rq, sh);
		else if (sh && !strcmp(tail, "/change"))
			ret = intake_change(c, rq, sh);
		else
			ret = intake_send_not_found(c, rq);
		goto out;
	}
	ret = intake_static(c, rq, dec.data + 1, dec.len - 1);
out:
	tc_buf_release(&dec);
	return ret;
}

/* With --proxy, only the proxy may connect: every resident comes through
 * it, and its connections are not limited per address. */
static enum MHD_Result accept_client(void *cls, const struct sockaddr *addr,
				     socklen_t addrlen)
{
	const struct intake_ctx *ctx = cls;

	(void)addrlen;
	if (ctx->proxy.ss_family == AF_UNSPEC)
		return MHD_YES;
	return intake_same_ip(addr, &ctx->proxy) ? MHD_YES : MHD_NO;
}

/* ---- the header deadline ------------------------------------------- */

/*
 * libmicrohttpd's idle timeout restarts with every byte, so a client that
 * sends its request headers a byte at a time could hold a connection for
 * ever. Each connection is tracked from its start (and from each answer on
 * a kept-alive connection) until its headers are in; once a second the
 * main thread shuts down those that took longer than --timeout.
 */
struct intake_conn {
	int fd;				 /* the connection's socket */
	int headers_in;			 /* 1 once a request's headers are in */
	struct timespec since;		 /* when it started waiting for them */
	struct intake_conn *prev, *next; /* in ctx->conns */
};

static struct intake_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct intake_ctx *ctx = cls;
	struct intake_conn *k = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		k = calloc(1, sizeof(*k));
		if (!k || !ci) {
			free(k);
			return; /* untracked: the idle timeout still applies */
		}
		k->fd = ci->connect_fd;
		clock_gettime(CLOCK_MONOTONIC, &k->since);
		pthread_mutex_lock(&ctx->conns_lock);
		k->next = ctx->conns;
		if (k->next)
			k->next->prev = k;
		ctx->conns = k;
		pthread_mutex_unlock(&ctx->conns_lock);
		*socket_context = k;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && k) {
		/* Called before libmicrohttpd closes the socket, so the fd
		 * is never shut down after it has been reused. */
		pthread_mutex_lock(&ctx->conns_lock);
		if (k->prev)
			k->prev->next = k->next;
		else
			ctx->conns = k->next;
		if (k->next)
			k->next->prev = k->prev;
		pthread_mutex_unlock(&ctx->conns_lock);
		free(k);
		*socket_context = NULL;
	}
}

/* Shuts down the connections whose headers are overdue. */
static unsigned reap_slow_headers(struct intake_ctx *ctx)
{
	struct intake_conn *k;
	struct timespec now;
	unsigned n = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&ctx->conns_lock);
	for (k = ctx->conns; k; k = k->next) {
		if (__atomic_load_n(&k->headers_in, __ATOMIC_ACQUIRE) ||
		    now.tv_sec - k->since.tv_sec <= (time_t)ctx->opt->timeout)
			continue;
		/* libmicrohttpd sees the end of the stream and closes the
		 * connection its usual way. */
		if (shutdown(k->fd, SHUT_RDWR) == 0)
			n++;
		__atomic_store_n(&k->headers_in, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ctx->conns_lock);
	return n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct intake_ctx *ctx = cls;
	struct intake_req *rq = *con_cls;
	const struct intake_shell *sh;
	const char *tail;

	(void)version;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO; /* cannot even answer: drop it */
		rq->ctx = ctx;
		rq->conn = conn_of(c);
		if (rq->conn)
			__atomic_store_n(&rq->conn->headers_in, 1,
					 __ATOMIC_RELEASE);
		clock_gettime(CLOCK_MONOTONIC, &rq->start);
		log_copy(rq->method, sizeof(rq->method), method);
		log_copy(rq->path, sizeof(rq->path), url);
		*con_cls = rq;
		/* Answer a GET on the next call, once the (empty) body has been
		 * read: a response queued now would make libmicrohttpd close
		 * the connection after it instead of keeping it alive. */
		if (is_method(method, "GET") || is_method(method, "HEAD"))
			return MHD_YES;
	}
	if (rq->post)
		return intake_post(c, rq, NULL, upload_data, upload_size);
	if (rq->status) {
		/* Answered already; let any body go by unread. */
		*upload_size = 0;
		return MHD_YES;
	}
	if (is_method(method, "GET") || is_method(method, "HEAD"))
		return route_get(c, rq, url);
	if (is_method(method, "POST")) {
		if (strncmp(url, "/submit/", 8))
			return intake_send_status(c, rq, TC_STATUS_METHOD, NULL,
						  "Allow", "GET, HEAD");
		sh = submit_target(rq, url + 8, &tail);
		if (!sh || *tail)
			return intake_send_not_found(c, rq);
		return intake_post(c, rq, sh, upload_data, upload_size);
	}
	return intake_send_status(c, rq, TC_STATUS_METHOD, NULL, "Allow",
				  "GET, HEAD, POST");
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct intake_ctx *ctx = cls;
	struct intake_req *rq = *con_cls;
	struct timespec now;
	char line[400];
	long ms;
	int n;

	(void)c;
	if (!rq)
		return;
	if (rq->post) {
		intake_post_free(rq->post);
		rq->post = NULL;
	}
	intake_forms_put(ctx, rq->forms);
	if (rq->conn) {
		/* A kept-alive connection waits for its next headers. The
		 * time is written before the flag is cleared, so the reaper
		 * never sees the old time with the flag down. */
		pthread_mutex_lock(&ctx->conns_lock);
		clock_gettime(CLOCK_MONOTONIC, &rq->conn->since);
		__atomic_store_n(&rq->conn->headers_in, 0, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&ctx->conns_lock);
	}
	if (!ctx->opt->quiet) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (long)(now.tv_sec - rq->start.tv_sec) * 1000 +
		     (now.tv_nsec - rq->start.tv_nsec) / 1000000;
		if (rq->status && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
			n = snprintf(line, sizeof(line),
				     "%s %s %u %" PRIu64 " %ldms\n", rq->method,
				     rq->path, rq->status, rq->bytes, ms);
		else
			n = snprintf(line, sizeof(line),
				     "%s %s %u - %ldms (closed early)\n",
				     rq->method, rq->path, rq->status, ms);
		/* One write per line keeps lines whole between threads; a
		 * failed log write must not fail the request. */
		if (n > 0)
			(void)!write(STDERR_FILENO, line,
				     (size_t)n < sizeof(line) ? (size_t)n
							      : sizeof(line));
	}
	free(rq);
	*con_cls = NULL;
}

/* MHD decodes the URL before the handler sees it; intake decodes once
 * itself, so it can refuse %00 instead of seeing a shortened path. */
static size_t keep_escapes(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* ---- start and stop ------------------------------------------------ */

static void ctx_release(struct intake_ctx *ctx)
{
	if (ctx->cur)
		intake_forms_stop(ctx);
	if (ctx->site_fd >= 0)
		close(ctx->site_fd);
	free(ctx->spool_tmp);
	free(ctx->spool_ready);
	free(ctx->spool_bundled);
	free(ctx->spool_key);
	free(ctx->spool_outbox);
	intake_rate_free(ctx->rate);
	intake_filecache_free(ctx->files);
}

static unsigned cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > 64 ? 64 : (unsigned)n;
}

/* Prints the one line that says the service is up. */
static int print_banner(const struct intake_ctx *ctx,
			const struct intake_serve_options *o, int v6,
			const struct sockaddr_storage *ss, unsigned port)
{
	char host[INET6_ADDRSTRLEN];
	const void *a;
	size_t i;

	a = v6 ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
	       : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a, host, sizeof(host)))
		snprintf(host, sizeof(host), "%s", "?");
	printf("intake: serving %s on http://%s%s%s:%u/ (forms: ", o->site,
	       v6 ? "[" : "", host, v6 ? "]" : "", port);
	for (i = 0; i < ctx->cur->nshells; i++)
		printf("%s%s", i ? ", " : "",
		       tc_form_id(ctx->cur->shells[i].form));
	if (!ctx->cur->nshells)
		printf("none");
	printf("; spool: %s)\n", o->spool);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		tc_warn("cannot write to standard output");
		return -1;
	}
	return 0;
}

/* Waits (bounded) for the connections still open to finish. */
static void drain(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *info;
	struct timespec pause = {0, 100 * 1000 * 1000};
	int i;

	for (i = 0; i < DRAIN_SECONDS * 10; i++) {
		info =
		    MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!info || info->num_connections == 0)
			break;
		nanosleep(&pause, NULL);
	}
}

/* Gives the spool folders to the user the service drops to. */
static int give_spool(const struct intake_ctx *ctx, const char *spool,
		      uid_t uid, gid_t gid)
{
	const char *dirs[6] = {spool,
			       ctx->spool_tmp,
			       ctx->spool_ready,
			       ctx->spool_bundled,
			       ctx->spool_key,
			       ctx->spool_outbox};
	struct dirent *e;
	DIR *d;
	size_t i;
	int rc = 0;

	for (i = 0; i < 6 && dirs[i]; i++)
		if (fchownat(AT_FDCWD, dirs[i], uid, gid, AT_SYMLINK_NOFOLLOW) <
		    0) {
			tc_warn("%s: cannot give the folder to --user",
				dirs[i]);
			return -1;
		}
	/* The service looks inside each bundled/BUNDLE_ID for references
	 * already given: those an earlier run as root made are given too. */
	d = opendir(ctx->spool_bundled);
	if (!d) {
		tc_warn("%s: cannot read the folder", ctx->spool_bundled);
		return -1;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    fchownat(dirfd(d), e->d_name, uid, gid,
			     AT_SYMLINK_NOFOLLOW) < 0) {
			tc_warn("%s/%s: cannot give the folder to --user",
				ctx->spool_bundled, e->d_name);
			rc = -1;
			break;
		}
	closedir(d);
	return rc;
}

/* After the drop: the spool must be the service's to write (a folder above
 * it the user cannot search would fail every post later). */
static int check_spool_access(const struct intake_ctx *ctx, const char *user)
{
	const char *dirs[3] = {ctx->spool_tmp, ctx->spool_ready,
			       ctx->spool_bundled};
	size_t i;

	for (i = 0; i < 3; i++)
		if (faccessat(AT_FDCWD, dirs[i], W_OK | X_OK, AT_EACCESS) < 0) {
			tc_warn("%s: user '%s' cannot use the spool (let it "
				"search every folder above the spool)",
				dirs[i], user);
			return -1;
		}
	return 0;
}

/* Resolves the sandbox's paths: the site (read) and the spool (read and
 * write) only. Entered with tc_sandbox_go once root is dropped. */
static int ready_sandbox(const struct intake_serve_options *o,
			 struct tc_sandbox_ready *ready)
{
	struct tc_sandbox sb;
	int rc = -1;

	tc_sandbox_init(&sb);
	if (tc_sandbox_allow(&sb, o->site, TC_SANDBOX_READ) == 0 &&
	    tc_sandbox_allow(&sb, o->forms, TC_SANDBOX_READ) == 0 &&
	    tc_sandbox_allow(&sb, o->spool,
			     TC_SANDBOX_READ | TC_SANDBOX_WRITE) == 0 &&
	    tc_sandbox_allow_system(&sb) == 0)
		rc = tc_sandbox_ready(&sb, ready);
	tc_sandbox_release(&sb);
	return rc;
}

int intake_server_start(const struct intake_serve_options *o, int embedded,
			struct intake_server **out)
{
	struct intake_server *s;
	struct sockaddr_storage ss = {0};
	socklen_t sslen = 0;
	uid_t uid = 0;
	gid_t gid = 0;
	struct tc_sandbox_ready ready = {.fd = -1};
	unsigned threads, flags, per_ip = PER_IP_CONNECTIONS;
	int v6 = 0, drop = 0, rc = TC_EXIT_ENV;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		tc_die_nomem();
	s->ctx.opt = o;
	s->ctx.site_fd = -1;
	pthread_mutex_init(&s->ctx.conns_lock, NULL);
	s->listen_fd = -1;
	/* Embedded, the daemon listens on a loopback port of its own
	 * choosing, unused: requests come through MHD_add_connection. */
	if (tc_parse_listen(embedded ? "127.0.0.1:0" : o->listen, &ss, &sslen,
			    &v6) < 0) {
		tc_warnx("--listen '%s' is not ADDRESS:PORT (such as "
			 "127.0.0.1:8080 or [::1]:8080)",
			 o->listen);
		rc = TC_EXIT_USAGE;
		goto out;
	}
	if (o->mail_from && !intake_mail_address_ok(o->mail_from)) {
		tc_warnx("--mail-from '%s' is not an email address to send "
			 "from (such as complaints@council.example)",
			 o->mail_from);
		rc = TC_EXIT_USAGE;
		goto out;
	}
	s->ctx.proxy.ss_family = AF_UNSPEC;
	if (o->proxy) {
		if (tc_parse_ip(o->proxy, strlen(o->proxy), &s->ctx.proxy) <
		    0) {
			tc_warnx("--proxy '%s' is not an IP address (such as "
				 "127.0.0.1 or ::1)",
				 o->proxy);
			rc = TC_EXIT_USAGE;
			goto out;
		}
		/* Every resident arrives through it. */
		per_ip = o->max_conns;
	}
	if (!embedded) {
		rc = tc_service_user(o->user, &uid, &gid, &drop);
		if (rc)
			goto out;
		rc = TC_EXIT_ENV;
	}
	tzset();
	s->ctx.site_fd = open(o->site, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->ctx.site_fd < 0) {
		tc_warn("%s: cannot open the site folder (run sitegen build)",
			o->site);
		goto out;
	}
	rc = intake_forms_start(&s->ctx);
	if (rc)
		goto out;
	rc = TC_EXIT_ENV;
	if (intake_spool_prepare(&s->ctx, o->spool) < 0)
		goto out;
	s->ctx.rate = intake_rate_new(o->rate_per_min,
				      o->rate_refused ? o->rate_refused
						      : o->rate_per_min * 10);
	if (!s->ctx.rate) {
		tc_warn("cannot set up the rate limit");
		goto out;
	}
	s->ctx.files = intake_filecache_new();
	if (!s->ctx.files) {
		tc_warnx("out of memory");
		goto out;
	}
	/* The port first (root may bind below 1024), then the user, then the
	 * sandbox, all before any thread starts. */
	s->listen_fd = tc_listen_open(&ss, v6);
	if (s->listen_fd < 0) {
		tc_warn("cannot listen on %s (is the address in use, or not on "
			"this machine?)",
			o->listen);
		goto out;
	}
	s->port = tc_listen_port(s->listen_fd);
	/* The sandbox's paths are resolved before the user changes (the
	 * new user may not be able to search the folders above the site)
	 * and applied after. */
	if (!embedded && ready_sandbox(o, &ready) < 0)
		goto out;
	if (drop && (give_spool(&s->ctx, o->spool, uid, gid) < 0 ||
		     tc_service_drop(o->user, uid, gid) < 0 ||
		     check_spool_access(&s->ctx, o->user) < 0))
		goto out;
	if (!embedded && tc_sandbox_go(&ready) < 0)
		goto out;

	/* The committer is a thread too: after the sandbox, like the
	 * daemon's. */
	if (intake_commits_start(&s->ctx, o->commit_delay) < 0)
		goto out;

	/* A submission waits for its group commit; the default pool lets
	 * many wait at once, so that each group holds many. */
	threads = o->threads ? o->threads : 8 * cpu_count();
	if (!o->threads && threads < 16)
		threads = 16;
	if (threads > o->max_conns)
		threads = o->max_conns;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	if (v6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
	    flags, 0, accept_client, &s->ctx, on_request, &s->ctx,
	    MHD_OPTION_LISTEN_SOCKET, s->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
	    threads, MHD_OPTION_CONNECTION_TIMEOUT, o->timeout,
	    MHD_OPTION_CONNECTION_LIMIT, o->max_conns,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s->ctx,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, &s->ctx,
	    MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL, MHD_OPTION_END);
	if (!s->d) {
		tc_warnx("cannot start serving on %s", o->listen);
		goto out;
	}
	/* The daemon owns the listening socket now (and closes it). */
	s->listen_fd = -1;
	s->v6 = v6;
	s->ss = ss;
	*out = s;
	s = NULL;
	rc = TC_EXIT_OK;
out:
	if (ready.fd >= 0)
		close(ready.fd);
	intake_server_stop(s, NULL);
	return rc;
}

struct MHD_Daemon *intake_server_daemon(const struct intake_server *s)
{
	return s->d;
}

void intake_server_stop(struct intake_server *s,
			struct intake_commit_stats *stats)
{
	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!s)
		return;
	/* A suspended connection must be resumed before the daemon stops:
	 * commit what is queued (later ones commit where they are). */
	intake_commits_finish(&s->ctx);
	if (s->d)
		MHD_stop_daemon(s->d);
	intake_commits_free(&s->ctx, stats);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	ctx_release(&s->ctx);
	pthread_mutex_destroy(&s->ctx.conns_lock);
	free(s);
}

/* Picks up a rebuilt site (every second, and on SIGHUP), saying so. */
static void reload(struct intake_ctx *ctx, int hup)
{
	size_t i;
	int rc = intake_forms_reload(ctx, hup);

	/* Changed (even when its forms could not be loaded): the files kept
	 * in memory are the old build's. */
	if (rc != 0 || hup)
		intake_filecache_clear(ctx->files);
	if (rc <= 0)
		return;
	/* Only this thread replaces cur: reading it here needs no lock. */
	fprintf(stderr,
		"intake: %s: loaded the forms and page shells again "
		"(",
		hup ? "SIGHUP" : "the site was rebuilt");
	for (i = 0; i < ctx->cur->nshells; i++)
		fprintf(stderr, "%s%s", i ? ", " : "",
			tc_form_id(ctx->cur->shells[i].form));
	fprintf(stderr, "%s)\n", ctx->cur->nshells ? "" : "none");
}

int intake_serve(const struct intake_serve_options *o)
{
	struct intake_server *s = NULL;
	sigset_t set;
	uint64_t honeypots;
	struct intake_commit_stats st;
	const struct timespec tick = {1, 0};
	MHD_socket lfd;
	int sig = 0, rc;

	/* Signals go to this thread's sigwait only: block them before the
	 * daemon's threads start, so they inherit the mask. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL)) {
		tc_warnx("cannot block signals");
		return TC_EXIT_ENV;
	}
	rc = intake_server_start(o, 0, &s);
	if (rc)
		return rc;
	if (print_banner(&s->ctx, o, s->v6, &s->ss, s->port) < 0) {
		intake_server_stop(s, NULL);
		return TC_EXIT_ENV;
	}

	/* Wait for a stop signal, shutting down once a second the
	 * connections whose request headers are overdue. */
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGHUP || (sig < 0 && errno == EAGAIN))
			reload(&s->ctx, sig == SIGHUP);
		else if (sig > 0)
			break;
		if (sig < 0 && errno == EAGAIN)
			(void)reap_slow_headers(&s->ctx);
	}
	fprintf(stderr, "intake: stopping (signal %d)\n", sig);
	/* Take no new connections; let those in flight finish. The daemon
	 * hands the listening socket back: close it. */
	lfd = MHD_quiesce_daemon(s->d);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	drain(s->d);
	honeypots = __atomic_load_n(&s->ctx.honeypots, __ATOMIC_RELAXED);
	intake_server_stop(s, &st);
	fprintf(stderr,
		"intake: stopped (%" PRIu64 " submission%s stored in %" PRIu64
		" group commit%s, %" PRIu64 " flush%s of the spool; %" PRIu64
		" honeypot post%s)\n",
		st.stored, st.stored == 1 ? "" : "s", st.groups,
		st.groups == 1 ? "" : "s", st.syncs, st.syncs == 1 ? "" : "es",
		honeypots, honeypots == 1 ? "" : "s");
	return TC_EXIT_OK;
}
