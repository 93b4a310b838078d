/*
 * preview.c: sitegen serve, the editors' preview. It builds the site into
 * its own folder, serves that folder on a loopback address with
 * libmicrohttpd, rebuilds on every change (watch.c's loop) and adds to each
 * HTML page it serves the theme's preview/inject.mustache, whose script asks
 * /__preview/state for the build number and reloads the page when it
 * changes. A build that fails is shown in the browser instead of the page
 * (preview/error.mustache); form posts are kept in a preview spool and
 * answered with preview/posted.mustache, so nothing reaches the council.
 * None of this is in the published site, which sitegen build writes.
 */
#define _GNU_SOURCE /* O_DIRECTORY */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "buffer.h"
#include "err.h"
#include "escape.h"
#include "fsutil.h"
#include "mime.h"
#include "netaddr.h"
#include "template.h"
#include "watch.h"

#define MAX_FILE (64u * 1024 * 1024) /* a file the preview serves */
#define MAX_POST (16u * 1024 * 1024) /* a form post it keeps */

struct preview {
	const struct site_options *opt;
	pthread_mutex_t lock; /* guards what follows */
	unsigned build;	      /* builds done */
	int failed;	      /* the last one failed */
	int errors;	      /* its errors */
	char *log;	      /* its messages */
	unsigned posts;	      /* form posts kept */
	char host[80];	      /* the address it listens on, "127.0.0.1:8000" */
	unsigned port;	      /* its port */
};

/*
 * Whether the request names the preview itself: its address, or localhost,
 * with its port. A page elsewhere that points its own name at this machine
 * (DNS rebinding) sends its own name, and is refused.
 */
static int own_host(const struct preview *p, const char *host)
{
	char lh[40];

	if (!host)
		return 0;
	snprintf(lh, sizeof(lh), "localhost:%u", p->port);
	return !strcmp(host, p->host) || !strcmp(host, lh);
}

/* One request's body, for posts. */
struct upload {
	struct tc_buf body;
	int too_big;
};

/* ---- the builds ---- */

/* Builds once, catching what the build says for the browser as well. */
static void preview_build(void *arg)
{
	struct preview *p = arg;
	struct site_result res;
	struct tc_buf log = TC_BUF_INIT;
	FILE *tmp = tmpfile();
	int saved = -1, rc;

	memset(&res, 0, sizeof(res));
	fflush(stderr);
	if (tmp && (saved = dup(STDERR_FILENO)) >= 0)
		dup2(fileno(tmp), STDERR_FILENO);
	rc = site_build(p->opt, &res);
	fflush(stderr);
	if (saved >= 0) {
		char chunk[4096];
		size_t n;

		dup2(saved, STDERR_FILENO);
		close(saved);
		rewind(tmp);
		while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
			tc_buf_add(&log, chunk, n);
		fputs(log.data, stderr);
	}
	if (tmp)
		fclose(tmp);
	if (rc == TC_EXIT_OK)
		printf("sitegen: built %zu pages: %zu files written; %d "
		       "warning%s\n",
		       res.pages, res.written, res.warnings,
		       res.warnings == 1 ? "" : "s");
	else
		printf("sitegen: the build failed with %d error%s: the "
		       "browser shows them until the next change\n",
		       res.errors, res.errors == 1 ? "" : "s");
	fflush(stdout);
	pthread_mutex_lock(&p->lock);
	p->build++;
	p->failed = rc != TC_EXIT_OK;
	p->errors = res.errors ? res.errors : (rc != TC_EXIT_OK);
	free(p->log);
	p->log = tc_buf_detach(&log, NULL);
	pthread_mutex_unlock(&p->lock);
	tc_buf_release(&log);
}

/* ---- responses ---- */

static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status,
				 const char *type, struct tc_buf *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len = body->len;
	char *data = tc_buf_detach(body, &len);

	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status,
				 const char *text)
{
	struct tc_buf b = TC_BUF_INIT;

	tc_buf_adds(&b, text);
	return send_body(c, status, "text/plain; charset=utf-8", &b);
}

/* The theme's preview/NAME.mustache into src; -1 after saying why. */
static int read_template(struct preview *p, const char *name,
			 struct tc_buf *path, struct tc_buf *src)
{
	tc_buf_reset(path);
	tc_buf_addf(path, "%s/preview/%s.mustache", p->opt->theme, name);
	if (tc_fs_read(path->data, 1u << 20, src) == 0)
		return 0;
	tc_warn("%s: cannot read the preview's template", path->data);
	return -1;
}

/* Renders preview/NAME.mustache against ctx into out. A whole page
 * (styled) has one partial, {{> style}}: preview/style.mustache, read only
 * then, not for the snippet every served page gets. */
static int render(struct preview *p, const char *name, int styled,
		  const cJSON *ctx, struct tc_buf *out)
{
	struct tc_buf path = TC_BUF_INIT, src = TC_BUF_INIT;
	struct tc_buf style = TC_BUF_INIT;
	struct tc_error err;
	cJSON *partials = cJSON_CreateObject();
	int rc = -1;

	tc_error_clear(&err);
	if (!partials)
		tc_die_nomem();
	if ((styled &&
	     (read_template(p, "style", &path, &style) < 0 ||
	      !cJSON_AddStringToObject(partials, "style", style.data))) ||
	    read_template(p, name, &path, &src) < 0)
		goto out;
	if (tc_tpl_render_string(src.data, src.len, ctx, partials, out, &err) <
	    0)
		tc_warnx("%s: %s", path.data, err.msg);
	else
		rc = 0;
out:
	cJSON_Delete(partials);
	tc_buf_release(&path);
	tc_buf_release(&src);
	tc_buf_release(&style);
	return rc;
}

/* Puts the reload script before </head>. */
static void inject(struct preview *p, unsigned build, struct tc_buf *html)
{
	struct tc_buf snippet = TC_BUF_INIT, out = TC_BUF_INIT;
	cJSON *ctx = cJSON_CreateObject();
	const char *head = strstr(html->data, "</head>");

	if (!ctx || !cJSON_AddNumberToObject(ctx, "build", build))
		tc_die_nomem();
	if (head && render(p, "inject", 0, ctx, &snippet) == 0) {
		tc_buf_add(&out, html->data, (size_t)(head - html->data));
		tc_buf_add(&out, snippet.data, snippet.len);
		tc_buf_adds(&out, head);
		tc_buf_release(html);
		*html = out;
	} else {
		tc_buf_release(&out);
	}
	tc_buf_release(&snippet);
	cJSON_Delete(ctx);
}

/* The failed build's messages, as a page. */
static enum MHD_Result send_errors(struct MHD_Connection *c, struct preview *p)
{
	struct tc_buf html = TC_BUF_INIT;
	cJSON *ctx = cJSON_CreateObject(), *msgs;
	char *line, *next, *log;
	int errors;

	pthread_mutex_lock(&p->lock);
	log = tc_xstrdup(p->log ? p->log : "");
	errors = p->errors;
	if (!ctx || !cJSON_AddNumberToObject(ctx, "build", p->build))
		tc_die_nomem();
	pthread_mutex_unlock(&p->lock);
	msgs = cJSON_AddArrayToObject(ctx, "messages");
	if (!msgs || !cJSON_AddNumberToObject(ctx, "errors", errors) ||
	    !cJSON_AddBoolToObject(ctx, "one", errors == 1) ||
	    !cJSON_AddStringToObject(ctx, "content", p->opt->content))
		tc_die_nomem();
	for (line = log; *line; line = next) {
		cJSON *m = cJSON_CreateObject();

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!m || !cJSON_AddStringToObject(m, "text", line) ||
		    !cJSON_AddBoolToObject(m, "warning",
					   strstr(line, "warning: ") != NULL))
			tc_die_nomem();
		cJSON_AddItemToArray(msgs, m);
	}
	free(log);
	if (render(p, "error", 1, ctx, &html) < 0)
		tc_buf_adds(&html, "The site did not build: see the terminal.");
	cJSON_Delete(ctx);
	return send_body(c, 500, "text/html; charset=utf-8", &html);
}

static enum MHD_Result send_file(struct MHD_Connection *c, struct preview *p,
				 const char *url)
{
	struct tc_buf path = TC_BUF_INIT, body = TC_BUF_INIT;
	const char *rel = url + 1;
	struct stat st;
	unsigned status = 200, build;
	int failed;
	enum MHD_Result ret;

	pthread_mutex_lock(&p->lock);
	build = p->build;
	failed = p->failed;
	pthread_mutex_unlock(&p->lock);
	/* No name starting with '.': the manifest, the page shells and the
	 * preview's spool are not pages. */
	if (*rel && (!tc_fs_safe_relpath(
			 rel, strlen(rel) - (rel[strlen(rel) - 1] == '/')) ||
		     rel[0] == '.' || strstr(rel, "/.")))
		return send_text(c, 404, "Not found");
	tc_buf_addf(&path, "%s/%s", p->opt->out, rel);
	if (stat(path.data, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (*rel && rel[strlen(rel) - 1] != '/') {
			struct MHD_Response *r =
			    MHD_create_response_from_buffer(
				0, NULL, MHD_RESPMEM_PERSISTENT);
			struct tc_buf to = TC_BUF_INIT;

			tc_buf_addf(&to, "%s/", url);
			MHD_add_response_header(r, "Location", to.data);
			ret = MHD_queue_response(c, 301, r);
			MHD_destroy_response(r);
			tc_buf_release(&to);
			tc_buf_release(&path);
			return ret;
		}
		tc_buf_adds(&path, "index.html");
	}
	if (failed && strstr(path.data, ".html")) {
		tc_buf_release(&path);
		return send_errors(c, p);
	}
	if (tc_fs_read(path.data, MAX_FILE, &body) < 0) {
		tc_buf_reset(&path);
		tc_buf_addf(&path, "%s/404.html", p->opt->out);
		status = 404;
		if (tc_fs_read(path.data, MAX_FILE, &body) < 0) {
			tc_buf_release(&path);
			return send_text(c, 404, "Not found");
		}
	}
	if (strstr(tc_mime_for(path.data), "text/html"))
		inject(p, build, &body);
	ret = send_body(c, status, tc_mime_for(path.data), &body);
	tc_buf_release(&path);
	return ret;
}

/* ---- form posts: kept, never sent ---- */

/* s[0..n) form-decoded ('+' and %XX) into a new string. */
static char *form_decode(const char *s, size_t n)
{
	struct tc_buf b = TC_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			tc_buf_add(&b, " ", 1);
		} else if (s[i] == '%' && i + 2 < n &&
			   tc_hexval((unsigned char)s[i + 1]) >= 0 &&
			   tc_hexval((unsigned char)s[i + 2]) >= 0) {
			char ch =
			    (char)(tc_hexval((unsigned char)s[i + 1]) * 16 +
				   tc_hexval((unsigned char)s[i + 2]));

			tc_buf_add(&b, &ch, 1);
			i += 2;
		} else {
			tc_buf_add(&b, s + i, 1);
		}
	}
	return tc_buf_detach(&b, NULL);
}

/* The fields of a urlencoded body, for the page that says what came. */
static void add_fields(cJSON *arr, const char *body, size_t len)
{
	const char *p = body, *end = body + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		char *name, *value;
		cJSON *f;

		if (!eq)
			eq = stop;
		name = form_decode(p, (size_t)(eq - p));
		value = form_decode(eq + (eq < stop),
				    (size_t)(stop - eq - (eq < stop)));
		f = cJSON_CreateObject();
		if (!f || !cJSON_AddStringToObject(f, "name", name) ||
		    !cJSON_AddStringToObject(f, "value", value))
			tc_die_nomem();
		cJSON_AddItemToArray(arr, f);
		free(name);
		free(value);
		p = stop + 1;
	}
}

static enum MHD_Result take_post(struct MHD_Connection *c, struct preview *p,
				 const char *url, struct upload *up)
{
	struct tc_buf dir = TC_BUF_INIT, file = TC_BUF_INIT;
	struct tc_buf kept = TC_BUF_INIT, html = TC_BUF_INIT;
	const char *form = strrchr(url, '/') + 1;
	const char *type =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	const char *back =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Referer");
	cJSON *ctx = cJSON_CreateObject(), *fields;
	unsigned n;

	if (up->too_big)
		return send_text(c, 413, "Too large for the preview");
	pthread_mutex_lock(&p->lock);
	n = ++p->posts;
	pthread_mutex_unlock(&p->lock);
	tc_buf_addf(&dir, "%s/.preview-spool", p->opt->out);
	tc_fs_mkdirs(dir.data, 0700);
	tc_buf_addf(&file, "%s/%04u-%.40s.txt", dir.data, n, form);
	tc_buf_adds(&kept, "PREVIEW ONLY: not a real submission. Nothing was "
			   "sent to the council.\n\n");
	tc_buf_add(&kept, up->body.data, up->body.len);
	if (tc_fs_write_atomic(file.data, kept.data, kept.len, 0600) < 0)
		tc_warn("%s: cannot keep the preview's post", file.data);
	fields = ctx ? cJSON_AddArrayToObject(ctx, "fields") : NULL;
	if (!fields || !cJSON_AddStringToObject(ctx, "file", file.data) ||
	    !cJSON_AddNumberToObject(ctx, "bytes", (double)up->body.len) ||
	    !cJSON_AddStringToObject(ctx, "back", back ? back : "/"))
		tc_die_nomem();
	if (type && !strncmp(type, "application/x-www-form-urlencoded", 33))
		add_fields(fields, up->body.data, up->body.len);
	printf("sitegen: preview: a post to %s kept in %s (not sent)\n", url,
	       file.data);
	fflush(stdout);
	if (render(p, "posted", 1, ctx, &html) < 0)
		tc_buf_adds(&html, "Preview only: nothing was sent.");
	cJSON_Delete(ctx);
	tc_buf_release(&dir);
	tc_buf_release(&file);
	tc_buf_release(&kept);
	return send_body(c, 200, "text/html; charset=utf-8", &html);
}

/* ---- the server ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	struct preview *p = cls;
	struct upload *up = *con_cls;

	(void)version;
	if (!own_host(p,
		      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
		return send_text(c, 421,
				 "This preview answers only to its own "
				 "address");
	if (!strcmp(method, "POST")) {
		if (!up) {
			up = calloc(1, sizeof(*up));
			if (!up)
				return MHD_NO;
			tc_buf_init(&up->body, 0);
			*con_cls = up;
			return MHD_YES;
		}
		if (*size) {
			if (up->body.len + *size > MAX_POST)
				up->too_big = 1;
			else
				tc_buf_add(&up->body, data, *size);
			*size = 0;
			return MHD_YES;
		}
		if (strncmp(url, "/submit/", 8) || !url[8] ||
		    strchr(url + 8, '/'))
			return send_text(c, 404, "No form here");
		return take_post(c, p, url, up);
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_text(c, 405, "GET, HEAD and form posts only");
	if (!strcmp(url, "/__preview/state")) {
		struct tc_buf b = TC_BUF_INIT;

		pthread_mutex_lock(&p->lock);
		tc_buf_addf(&b, "{\"build\": %u, \"failed\": %s}\n", p->build,
			    p->failed ? "true" : "false");
		pthread_mutex_unlock(&p->lock);
		return send_body(c, 200, "application/json", &b);
	}
	if (!strcmp(url, "/__preview/reload.js")) {
		struct tc_buf path = TC_BUF_INIT, b = TC_BUF_INIT;
		enum MHD_Result ret;

		tc_buf_addf(&path, "%s/preview/reload.js", p->opt->theme);
		if (tc_fs_read(path.data, 1u << 20, &b) < 0)
			ret =
			    send_text(c, 404, "No reload script in the theme");
		else
			ret = send_body(c, 200,
					"text/javascript; charset=utf-8", &b);
		tc_buf_release(&path);
		return ret;
	}
	return send_file(c, p, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (up) {
		tc_buf_release(&up->body);
		free(up);
		*con_cls = NULL;
	}
}

int site_preview(const struct site_options *opt, const char *listen)
{
	struct preview p = {.opt = opt};
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char addr[INET6_ADDRSTRLEN];
	int v6, rc;

	if (tc_parse_listen(listen, &ss, &sslen, &v6) < 0) {
		tc_warnx("--listen '%s' is not ADDRESS:PORT (such as "
			 "127.0.0.1:8000 or [::1]:8000)",
			 listen);
		return TC_EXIT_USAGE;
	}
	pthread_mutex_init(&p.lock, NULL);
	d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		(v6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, on_request, &p, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    &p, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (!d) {
		tc_warn("cannot listen on %s (is the address in use?)", listen);
		return TC_EXIT_ENV;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	p.port = info ? info->port : 0;
	if (!inet_ntop(
		v6 ? AF_INET6 : AF_INET,
		v6 ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
		   : (const void *)&((struct sockaddr_in *)&ss)->sin_addr,
		addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "%s", "?");
	snprintf(p.host, sizeof(p.host), "%s%s%s:%u", v6 ? "[" : "", addr,
		 v6 ? "]" : "", p.port);
	printf("sitegen: previewing %s on http://%s/ (%s; not the published "
	       "site: forms are kept in %s/.preview-spool and sent "
	       "nowhere)\n",
	       opt->out, p.host, opt->drafts ? "drafts shown" : "drafts hidden",
	       opt->out);
	fflush(stdout);
	rc = site_watch_run(opt, preview_build, &p);
	MHD_stop_daemon(d);
	pthread_mutex_destroy(&p.lock);
	free(p.log);
	return rc;
}
