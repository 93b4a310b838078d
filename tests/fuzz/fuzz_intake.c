/*
 * fuzz_intake.c: intake serve's request handling, through the real
 * handler. One embedded daemon (intake_server_start without a socket) is
 * started once with the council's forms; each input becomes one HTTP
 * request on a fresh connection handed to the daemon with
 * MHD_add_connection, and the answer is read back.
 *
 * The first byte picks the kind of request, the second the form:
 *   0  POST urlencoded: the rest is the body
 *   1  POST multipart/form-data, boundary "fzB": the rest is the body
 *   2  the rest is the whole request, as a client sent it
 *   3  GET: the rest is the path and query
 * Oracles: every request is answered with a status line; none with 500
 * (hostile input must be refused, not break the service); every 303 names
 * a reference whose submission is whole in the spool's ready/ folder
 * (unless the post filled the honeypot, which is answered like a success
 * and kept nowhere).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "forms.h"
#include "fsutil.h"
#include "fuzzlib.h"
#include "intake.h"
#include "serve_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct intake_serve_options opts;
static struct intake_server *srv;
static char spool_ready[4200];
static const char *form_ids[16];
static size_t nforms;
static unsigned accepted;

static void die(const char *what)
{
	perror(what);
	abort();
}

static void write_file(const char *path, const char *text)
{
	if (tc_fs_write_atomic_ex(path, text, strlen(text), 0644,
				  TC_FS_NOSYNC) < 0)
		die(path);
}

/* A minimal site: the two shells intake reads for each form, and its
 * status pages, each with the mark for its figure. */
static void make_site(const char *site, const char *forms_dir)
{
	static const char *const shell_dirs[] = {"forms", "received", "copy",
						 "check", "status"};
	struct tc_forms *fs;
	char path[4400];
	int nerr = 0;
	size_t i;

	fs = tc_forms_load_dir(forms_dir, &nerr);
	if (!fs || nerr)
		die(forms_dir);
	for (i = 0; i < sizeof(shell_dirs) / sizeof(shell_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/.threecs/%s", site,
			 shell_dirs[i]);
		if (tc_fs_mkdirs(path, 0755) < 0)
			die(path);
	}
	snprintf(path, sizeof(path), "%s/" TC_ANSWERS_TEMPLATE, site);
	write_file(path, "<p>{{reference}} {{received}}</p>{{#answers}}<p>"
			 "{{label}}: {{value}}{{#items}} {{.}}{{/items}}</p>"
			 "{{/answers}}\n");
	for (i = 0; i < tc_forms_count(fs) && nforms < 16; i++) {
		const char *id = tc_form_id(tc_forms_at(fs, i));

		form_ids[nforms++] = tc_xstrdup(id);
		snprintf(path, sizeof(path), "%s/.threecs/forms/%s.html", site,
			 id);
		write_file(path, "<!DOCTYPE html><html lang=\"en-GB\"><head>"
				 "<title>Form</title></head><body>\n"
				 "<!--threecs:form-->\n</body></html>\n");
		snprintf(path, sizeof(path), "%s/.threecs/received/%s.html",
			 site, id);
		write_file(path,
			   "<!DOCTYPE html><html lang=\"en-GB\"><head>"
			   "<title>Received</title></head><body>"
			   "<p>@@REFERENCE@@ <a href=\"@@COPY@@\">copy</a>"
			   "</p></body></html>\n");
		snprintf(path, sizeof(path), "%s/.threecs/check/%s.html", site,
			 id);
		write_file(path,
			   "<!DOCTYPE html><html lang=\"en-GB\"><head>"
			   "<title>Check</title></head><body>" TC_MARK_ANSWERS
			   "<input name=\"_draft\" "
			   "value=\"" TC_MARK_DRAFT "\"></body></html>\n");
		snprintf(path, sizeof(path), "%s/.threecs/copy/%s.html", site,
			 id);
		write_file(path,
			   "<!DOCTYPE html><html lang=\"en-GB\"><head>"
			   "<title>Copy</title></head><body>" TC_MARK_ANSWERS
			   "</body></html>\n");
	}
	for (i = 0; i < TC_STATUS_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/.threecs/status/%s.html", site,
			 tc_status_page_name((enum tc_status_page)i));
		write_file(
		    path,
		    "<!DOCTYPE html><html lang=\"en-GB\"><head>"
		    "<title>Status</title></head><body><p>" TC_STATUS_VALUE
		    "</p></body></html>\n");
	}
	snprintf(path, sizeof(path), "%s/index.html", site);
	write_file(path, "<!DOCTYPE html><title>Home</title>\n");
	tc_forms_free(fs);
}

/* At exit, before fuzzlib removes the folder: stop the daemon. */
static void cleanup(void)
{
	intake_server_stop(srv, NULL);
	srv = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *forms = getenv("THREECS_FORMS");
	const char *root = fuzz_scratch("fuzz_intake");
	static char site[4200], spool[4200];

	(void)argc;
	(void)argv;
	snprintf(site, sizeof(site), "%s/site", root);
	snprintf(spool, sizeof(spool), "%s/spool", root);
	snprintf(spool_ready, sizeof(spool_ready), "%s/ready", spool);
	if (!forms)
		forms = "content/forms";
	make_site(site, forms);
	intake_serve_defaults(&opts);
	opts.site = site;
	opts.forms = forms;
	opts.spool = spool;
	opts.rate_per_min = 1000000;
	opts.threads = 1;
	opts.quiet = 1;
	opts.timeout = 2;
	if (intake_server_start(&opts, 1, &srv) != 0)
		die("intake_server_start");
	atexit(cleanup);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Hands one request to the daemon and collects the whole answer. A raw
 * request may be cut short, which the daemon answers only by closing the
 * connection at its idle timeout: when nothing comes back within 200 ms
 * of the last byte sent, the connection is dropped instead.
 */
static void exchange(const char *req, size_t len, int raw,
		     struct tc_buf *answer)
{
	struct sockaddr_in peer;
	struct pollfd pfd;
	char buf[16384];
	size_t off = 0;
	ssize_t n;
	int sv[2];
	long long until = now_ms() + 20000, quiet_until = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair");
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	peer.sin_port = htons(40000);
	if (MHD_add_connection(intake_server_daemon(srv), sv[1],
			       (const struct sockaddr *)&peer,
			       sizeof(peer)) != MHD_YES)
		die("MHD_add_connection");
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0)
		die("fcntl");
	if (!len) {
		shutdown(sv[0], SHUT_WR);
		quiet_until = now_ms() + 200;
	}
	for (;;) {
		pfd.fd = sv[0];
		pfd.events = POLLIN | (off < len ? POLLOUT : 0);
		pfd.revents = 0;
		if (poll(&pfd, 1, 50) < 0 && errno != EINTR)
			die("poll");
		if (now_ms() > until) {
			fprintf(stderr, "no answer within 20 s\n");
			abort();
		}
		if (raw && quiet_until && !answer->len &&
		    now_ms() > quiet_until)
			break;
		if ((pfd.revents & POLLOUT) && off < len) {
			n = write(sv[0], req + off, len - off);
			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				off = len; /* the daemon closed: stop sending */
			if (off == len) {
				shutdown(sv[0], SHUT_WR);
				quiet_until = now_ms() + 200;
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sv[0], buf, sizeof(buf));
			if (n > 0) {
				if (tc_buf_add(answer, buf, (size_t)n) < 0)
					die("out of memory");
			} else if (n == 0 || errno != EAGAIN) {
				break;
			}
		}
	}
	close(sv[0]);
}

static void add_request(struct tc_buf *r, const char *method,
			const char *target, const char *type, const char *body,
			size_t len)
{
	if (tc_buf_addf(r, "%s %s HTTP/1.1\r\nHost: localhost\r\n", method,
			target) < 0 ||
	    (type && tc_buf_addf(r, "Content-Type: %s\r\n", type) < 0) ||
	    (body && tc_buf_addf(r, "Content-Length: %zu\r\n", len) < 0) ||
	    tc_buf_adds(r, "Connection: close\r\n\r\n") < 0 ||
	    (body && tc_buf_add(r, body, len) < 0))
		die("out of memory");
}

/* A 303 to /submit/ID/received?ref=REF: the submission must be whole. */
static void check_accepted(const char *answer)
{
	const char *ref = strstr(answer, "ref=");
	struct tc_buf json = TC_BUF_INIT;
	char path[4400];
	cJSON *doc;

	if (!ref || strlen(ref) < 15) {
		fprintf(stderr, "303 without a reference\n");
		abort();
	}
	snprintf(path, sizeof(path), "%s/%.11s/submission.json", spool_ready,
		 ref + 4);
	if (tc_fs_read(path, 1 << 22, &json) < 0) {
		fprintf(stderr, "303 but %s is missing\n", path);
		abort();
	}
	doc = cJSON_ParseWithLength(json.data, json.len);
	if (!doc) {
		fprintf(stderr, "%s is not JSON\n", path);
		abort();
	}
	cJSON_Delete(doc);
	tc_buf_release(&json);
	/* Keep the spool small. */
	if (++accepted % 256 == 0) {
		if (tc_fs_remove_tree(spool_ready) < 0 ||
		    mkdir(spool_ready, 0700) < 0)
			die(spool_ready);
	}
}

/*
 * A 200 check page holds a draft: send it, as the resident's Send does,
 * so that what the check step kept is stored and checked like any other.
 * answer is replaced by the Send's answer.
 */
static void send_checked(const char *target, struct tc_buf *answer)
{
	static const char mark[] = "name=\"_draft\" value=\"";
	struct tc_buf req = TC_BUF_INIT, body = TC_BUF_INIT;
	const char *at, *end;

	if (answer->len < 12 || memcmp(answer->data, "HTTP/1.1 200", 12) ||
	    !(at = strstr(answer->data, mark)))
		return;
	at += sizeof(mark) - 1;
	end = strchr(at, '"');
	if (!end || end - at > 64)
		return;
	if (tc_buf_adds(&body, "_send=yes&_draft=") < 0 ||
	    tc_buf_add(&body, at, (size_t)(end - at)) < 0)
		die("out of memory");
	add_request(&req, "POST", target, "application/x-www-form-urlencoded",
		    body.data, body.len);
	tc_buf_reset(answer);
	exchange(req.data, req.len, 0, answer);
	tc_buf_release(&req);
	tc_buf_release(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tc_buf req = TC_BUF_INIT, answer = TC_BUF_INIT,
		      target = TC_BUF_INIT;
	const char *form, *body;
	unsigned status;
	uint64_t honeypots;
	size_t len;

	if (size < 2 || !nforms)
		return 0;
	form = form_ids[data[1] % nforms];
	body = (const char *)data + 2;
	len = size - 2;
	if (tc_buf_addf(&target, "/submit/%s", form) < 0)
		die("out of memory");
	switch (data[0] % 4) {
	case 0:
		add_request(&req, "POST", target.data,
			    "application/x-www-form-urlencoded", body, len);
		break;
	case 1:
		add_request(&req, "POST", target.data,
			    "multipart/form-data; boundary=fzB", body, len);
		break;
	case 2:
		if (tc_buf_add(&req, body, len) < 0)
			die("out of memory");
		break;
	default:
		tc_buf_reset(&target);
		if (tc_buf_adds(&target, "/") < 0)
			die("out of memory");
		for (; len && *body != '\r' && *body != '\n' && *body != ' ' &&
		       *body != '\0';
		     body++, len--)
			if (tc_buf_add(&target, body, 1) < 0)
				die("out of memory");
		add_request(&req, "GET", target.data, NULL, NULL, 0);
		break;
	}
	honeypots = __atomic_load_n(&srv->ctx.honeypots, __ATOMIC_RELAXED);
	exchange(req.data ? req.data : "", req.len, data[0] % 4 == 2, &answer);
	send_checked(target.data, &answer);
	if (data[0] % 4 != 2 || answer.len) {
		if (answer.len < 12 || memcmp(answer.data, "HTTP/1.1 ", 9)) {
			fprintf(stderr, "no status line in the answer\n");
			abort();
		}
		status = (unsigned)atoi(answer.data + 9);
		if (status == 500) {
			fprintf(stderr, "answered %u:\n%.*s\n", status,
				(int)(answer.len > 2000 ? 2000 : answer.len),
				answer.data);
			abort();
		}
		/* A filled honeypot is answered like a success, with a
		 * reference that names nothing: only real ones are checked. */
		if (status == 303 && strstr(answer.data, "/received?ref=") &&
		    __atomic_load_n(&srv->ctx.honeypots, __ATOMIC_RELAXED) ==
			honeypots)
			check_accepted(answer.data);
	}
	tc_buf_release(&req);
	tc_buf_release(&answer);
	tc_buf_release(&target);
	return 0;
}
