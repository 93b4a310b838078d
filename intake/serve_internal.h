/*
 * serve_internal.h: what the parts of intake serve share (serve.c runs the
 * daemon and answers, static.c serves files from the site, submit.c takes
 * form posts, spool.c writes them durably, ratelimit.c counts posts).
 * Nothing here is exported beyond intake/.
 */
#ifndef TC_INTAKE_SERVE_INTERNAL_H
#define TC_INTAKE_SERVE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include <microhttpd.h>

#include "buffer.h"
#include "forms.h"
#include "intake.h"
#include "shells.h"

struct intake_rate;
struct intake_commits;
struct tc_tpl_set;
struct intake_post;
struct intake_conn;

/* The page shells sitegen wrote for one form (read once at start). */
struct intake_shell {
	const struct tc_form *form; /* the form they belong to */
	char *form_page;	    /* forms/NAME.html, with the marker */
	size_t form_len;	    /* bytes in form_page */
	char *received_page;	    /* received/NAME.html, @@REFERENCE@@ */
	size_t received_len;	    /* bytes in received_page */
	char *copy_page;	    /* copy/NAME.html, TC_MARK_ANSWERS */
	size_t copy_len;	    /* bytes in copy_page */
	char *mail_text;	    /* mail/NAME.txt, with --mail-from */
	char *check_page;	    /* check/NAME.html, with check_answers */
};

/* Which build of the site a set of forms was loaded from: a hash of the
 * inode, size and time of each file the set was read from. */
struct intake_stamp {
	uint64_t hash;
};

/* The forms and their shells from one build (shells.c). */
struct intake_forms {
	struct tc_forms *forms;		    /* every loaded form */
	struct intake_shell *shells;	    /* one per form, same order */
	size_t nshells;			    /* forms and shells */
	struct tc_tpl_set *answers;	    /* answers.mustache, "answers" */
	char *status[TC_STATUS_COUNT];	    /* status/NAME.html, each */
	size_t status_len[TC_STATUS_COUNT]; /* bytes in each */
	unsigned refs;		   /* the service's and each request's */
	struct intake_stamp stamp; /* the build it came from */
};

/* Everything the request handlers share; read-only once serving starts,
 * but for cur, which a reload replaces under forms_lock. */
struct intake_ctx {
	const struct intake_serve_options *opt; /* the command line */
	struct intake_forms *cur;		/* the forms served now */
	pthread_mutex_t forms_lock;		/* guards cur and refs */
	int site_fd;				/* the site root, a folder */
	char *spool_tmp;			/* SPOOL/tmp */
	char *spool_ready;			/* SPOOL/ready */
	char *spool_bundled;			/* SPOOL/bundled */
	char *spool_key;			/* SPOOL/receipt.key */
	char *spool_outbox;			/* SPOOL/outbox, or NULL */
	unsigned char receipt_key[32];		/* what it holds */
	struct intake_rate *rate;		/* posts per client */
	struct intake_filecache *files;		/* small files, in memory */
	struct sockaddr_storage proxy;		/* --proxy, or AF_UNSPEC */
	uint64_t honeypots;			/* honeypot posts (atomic) */
	pthread_mutex_t conns_lock;		/* guards conns */
	struct intake_conn *conns;		/* open connections (serve.c) */
	struct intake_commits *commits; /* the group commit (commit.c) */
};

/* A running service: the shared context and the daemon. */
struct intake_server {
	struct intake_ctx ctx;	    /* what the handlers share */
	struct MHD_Daemon *d;	    /* the daemon, running */
	int listen_fd;		    /* the listening socket, or -1 */
	unsigned port;		    /* the port it is bound to */
	int v6;			    /* 1 when listening on IPv6 */
	struct sockaddr_storage ss; /* the address from --listen */
};

/*
 * Starts serving o: loads the forms and shells, prepares the spool and
 * starts the daemon on its own listening socket, having dropped root to
 * --user and entered the sandbox. embedded (the fuzz harness, fed with
 * MHD_add_connection) ignores --listen and --user, listens on a loopback
 * port nobody is told of, and stays out of the sandbox. Returns an exit
 * code; *out on success.
 */
int intake_server_start(const struct intake_serve_options *o, int embedded,
			struct intake_server **out);
struct MHD_Daemon *intake_server_daemon(const struct intake_server *s);
/* Stops the daemon and frees everything; NULL is fine. stats, unless
 * NULL: what the group commit did. */
struct intake_commit_stats;
void intake_server_stop(struct intake_server *s,
			struct intake_commit_stats *stats);

/* One request from its first call to its completion. */
struct intake_req {
	struct intake_ctx *ctx;	    /* the service */
	struct timespec start;	    /* when the headers arrived */
	char method[8];		    /* "GET", truncated, for the log */
	char path[200];		    /* the path, sanitised, for the log */
	unsigned status;	    /* the status queued, 0 until then */
	uint64_t bytes;		    /* the body bytes queued */
	struct intake_post *post;   /* a form post in progress, or NULL */
	struct intake_forms *forms; /* the forms it looked in, or NULL */
	struct intake_conn *conn;   /* its connection's tracking, or NULL */
};

/* Responses (serve.c). Each returns what the access handler returns. */

/* Adds the security headers every response carries. */
void intake_add_security_headers(struct MHD_Response *r);
/* Queues r with status (adding the security headers) and destroys it. */
enum MHD_Result intake_queue(struct MHD_Connection *c, struct intake_req *rq,
			     unsigned status, struct MHD_Response *r,
			     uint64_t bytes);
/* Queues the bytes of body (taken over and released) as content_type. */
enum MHD_Result intake_send_buf(struct MHD_Connection *c, struct intake_req *rq,
				unsigned status, const char *content_type,
				struct tc_buf *body);
/*
 * Queues the status page sitegen built from the theme (.threecs/status/),
 * with its code, value (plain text, escaped here; NULL for none) in place
 * of its TC_STATUS_VALUE marks. extra_header/extra_value may add one header
 * (NULL for none). Falls back to a line of plain text when out of memory.
 */
enum MHD_Result intake_send_status(struct MHD_Connection *c,
				   struct intake_req *rq,
				   enum tc_status_page page, const char *value,
				   const char *extra_header,
				   const char *extra_value);
/* A mark in a page shell and what replaces it: text (escaped here) or,
 * when html is set, markup as it is. */
struct intake_mark {
	const char *mark;
	const char *text;
	const char *html;
};
/* Appends page to out with every occurrence of each of the n marks
 * replaced. Returns 0 or -1 (out of memory). */
int intake_fill(struct tc_buf *out, const char *page,
		const struct intake_mark *m, size_t n);
/* An HTML page built in out with status, or a 500 when it could not be
 * built (built 0). */
enum MHD_Result intake_send_html(struct MHD_Connection *c,
				 struct intake_req *rq, unsigned status,
				 int built, struct tc_buf *out);
/* 303 See Other to location. */
enum MHD_Result intake_send_redirect(struct MHD_Connection *c,
				     struct intake_req *rq, unsigned status,
				     const char *location);
/* 500 with a built-in page: something failed on our side. */
enum MHD_Result intake_send_internal_error(struct MHD_Connection *c,
					   struct intake_req *rq);
/* The site's 404.html with status 404, or a built-in page. */
enum MHD_Result intake_send_not_found(struct MHD_Connection *c,
				      struct intake_req *rq);

/* Static files (static.c). decoded is the URL path after %XX decoding. */
enum MHD_Result intake_static(struct MHD_Connection *c, struct intake_req *rq,
			      const char *decoded, size_t len);
/*
 * Decodes %XX once in s[0..len) into out. Returns 0, or -1 when an escape
 * is malformed or decodes to NUL (or out of memory).
 */
int intake_url_decode(const char *s, size_t len, struct tc_buf *out);

/* Form posts (submit.c). */

/* The forms and shells (shells.c). */

/* Loads them at start (and sets up the lock). Returns an exit code. */
int intake_forms_start(struct intake_ctx *ctx);
void intake_forms_stop(struct intake_ctx *ctx);
/* The set served now, held until intake_forms_put. */
struct intake_forms *intake_forms_get(struct intake_ctx *ctx);
void intake_forms_put(struct intake_ctx *ctx, struct intake_forms *fs);
/*
 * Loads the site's forms again when the build's manifest changed (or
 * always, with force) and serves them from the next request on. Returns 1
 * when reloaded, 0 when unchanged, -1 when the new build could not be
 * loaded (said on stderr; the old forms stay).
 */
int intake_forms_reload(struct intake_ctx *ctx, int force);
/* The shell for form id in the request's set, or NULL when no such form. */
const struct intake_shell *intake_find_shell(struct intake_req *rq,
					     const char *id, size_t len);
/*
 * Handles one call of the access handler for POST /submit/NAME: the first
 * call (upload_data NULL and *upload_size 0 with rq->post NULL) checks and
 * sets up, the next calls stream the body, the last one answers.
 */
enum MHD_Result intake_post(struct MHD_Connection *c, struct intake_req *rq,
			    const struct intake_shell *sh,
			    const char *upload_data, size_t *upload_size);
/* Frees a post in progress and removes its temporary folder. */
void intake_post_free(struct intake_post *p);
/* GET /submit/NAME/received?ref=ID. */
/* GET /submit/NAME/copy?ref=REF&k=RECEIPT: a copy of what was sent, for
 * an hour, while it waits in ready/ (copy.c). */
enum MHD_Result intake_copy(struct MHD_Connection *c, struct intake_req *rq,
			    const struct intake_shell *sh);
enum MHD_Result intake_received(struct MHD_Connection *c, struct intake_req *rq,
				const struct intake_shell *sh);

/* The spool (spool.c). */

/* Crockford's base32: the reference alphabet. */
extern const char intake_ref_alphabet[33];
/* 1 when s is a reference "XXXXX-XXXXX" in the alphabet. */
int intake_ref_valid(const char *s);
/* Fills ref[12] with a fresh random reference. Returns 0 or -1. */
int intake_ref_random(char ref[12]);
/*
 * Claims a fresh submission folder: picks references until SPOOL/tmp/REF
 * can be made and no ready/REF or bundled/ * /REF exists. Stores the
 * reference in ref[12]. Returns 0 or -1 with errno set.
 */
int intake_spool_claim(const struct intake_ctx *ctx, char ref[12]);
/* Removes SPOOL/tmp/REF and all in it; a missing folder is fine. */
void intake_spool_discard(const struct intake_ctx *ctx, const char *ref);
/* 1 when REF is in ready/ or bundled/ (or cannot be told), else 0. */
int intake_spool_stored(const struct intake_ctx *ctx, const char *ref);
/* Makes the spool folders (0700), empties tmp/ and reads the receipt key
 * (SPOOL/receipt.key, made at the first start). Returns 0 or -1. */
int intake_spool_prepare(struct intake_ctx *ctx, const char *spool);

/* Opens path as a folder, never through a symlink: the fd, or -1. */
int intake_open_folder(const char *path);
/* Writes all of data to a new file path (0600, never an existing one), not
 * fsynced. Returns 0 or -1 (errno). */
int intake_write_new(const char *path, const char *data, size_t len);
/*
 * Writes SPOOL/tmp/REF/submission.json (0600), not fsynced: the group
 * commit below makes it and the attachments durable. over, unless NULL,
 * names a file in tmp/REF (a draft's held.json) that becomes
 * submission.json, written over. Returns 0 or -1 with errno set (the
 * caller then discards the folder).
 */
int intake_spool_write(const struct intake_ctx *ctx, const char *ref,
		       const char *over, const char *json, size_t len);

/*
 * Group commit (commit.c). A request storing tmp/REF suspends its
 * connection and claims REF: 1 when it is the one to store it, 0 when
 * another request is storing REF already (a second Send of one draft),
 * which it then follows, answered as that one is. The one storing it
 * writes it in full and queues it (or, having found it stored already or
 * failed, says it is done). Once the group holding it has been flushed
 * and renamed into ready/ (rc 0) or could not be (rc -1, err the errno; it
 * may still be in tmp/), its connection and its followers' are resumed
 * and the requests answer. Started after the sandbox, before the daemon
 * (delay_us: how long a group waits for more); finished (what is queued
 * committed) once no connection is open, before the daemon stops, since a
 * suspended connection must be resumed first; freed after it (its figures
 * into stats, unless NULL; left as they are when it never started). Queued once
 * finished, a submission is committed in the caller's thread.
 */
struct intake_commit {
	const char *ref;	     /* the submission, in tmp/ */
	struct MHD_Connection *conn; /* resumed once it is done */
	int rc;			     /* 0: durable in ready/; -1: not stored */
	int err;		     /* errno when rc is -1 */
	int mail;		     /* its outbox entry is staged */
	struct intake_commit *next;  /* the committer's queue */
	struct intake_commit *inflight_next; /* claimed, not yet done */
	struct intake_commit *followers;     /* waiting on this one */
	struct intake_commit *follow_next;   /* the next follower */
};
struct intake_commit_stats {
	uint64_t stored; /* submissions made durable in ready/ */
	uint64_t groups; /* groups committed */
	uint64_t syncs;	 /* flushes of the spool's file system */
};
int intake_commits_start(struct intake_ctx *ctx, unsigned delay_us);
int intake_commit_claim(const struct intake_ctx *ctx, struct intake_commit *c);
void intake_commit_queue(const struct intake_ctx *ctx, struct intake_commit *c);
void intake_commit_done(const struct intake_ctx *ctx, struct intake_commit *c);
void intake_commits_finish(struct intake_ctx *ctx);
void intake_commits_free(struct intake_ctx *ctx,
			 struct intake_commit_stats *stats);
/*
 * The receipt for a submission's confirmation page: 32 hex digits of an
 * HMAC of the form's id and the reference under the spool's key, put in
 * out[33]. Only a browser intake sent there has it, so the page for a
 * reference typed or guessed is a 404.
 */
void intake_receipt(const struct intake_ctx *ctx, const char *form,
		    const char *ref, char out[33]);
/* 1 when got is the receipt for form and ref. */
int intake_receipt_ok(const struct intake_ctx *ctx, const char *form,
		      const char *ref, const char *got);

/* Check your answers (check.c). */

/* Keeps a valid post's answers as a draft in tmp/REF. Returns 0 or -1. */
int intake_draft_write(const struct intake_ctx *ctx, const char *form,
		       const char *ref, const cJSON *values, const cJSON *atts);
/* The draft a token names ({fields, attachments}), its reference in ref;
 * NULL when the token is not good or the draft is gone or expired. */
cJSON *intake_draft_read(const struct intake_ctx *ctx, const char *form,
			 const char *token, char ref[12]);
/* Makes tmp/REF a draft again from the submission.json a failed Send left
 * there, so that the Send can be tried again. Returns 0 or -1. */
int intake_draft_restore(const struct intake_ctx *ctx, const char *form,
			 const char *ref);
/* The check page for draft REF into out. Returns 0 or -1. */
int intake_check_render(struct intake_req *rq, const struct intake_shell *sh,
			const char *ref, const cJSON *values, const cJSON *atts,
			struct tc_buf *out);
/* GET /submit/NAME/change?d=TOKEN: the form with the draft's answers. */
enum MHD_Result intake_change(struct MHD_Connection *c, struct intake_req *rq,
			      const struct intake_shell *sh);

/* Files kept across a correction (held.c). */

/* Writes doc as tmp/REF/NAME, a new file (0600; tmp/REF is the caller's
 * own). Returns 0 or -1. */
int intake_tmp_write_json(const struct intake_ctx *ctx, const char *ref,
			  const char *name, const cJSON *doc);
/* tmp/REF/NAME (at most max bytes) parsed, or NULL. */
cJSON *intake_tmp_read_json(const struct intake_ctx *ctx, const char *ref,
			    const char *name, size_t max);

/* A token naming tmp/REF for what ("held", "draft") of form: REF and an
 * HMAC under the spool's receipt key. */
void intake_token(const struct intake_ctx *ctx, const char *what,
		  const char *form, const char *ref, char token[48]);
/* The reference a token names when it is signed for what and form (into
 * ref), else NULL. */
const char *intake_token_ref(const struct intake_ctx *ctx, const char *what,
			     const char *form, const char *token, char ref[12]);

/* Keeps the files in kept (attachments of the post in tmp/REF) for the
 * resident, with the answers in fields unless NULL (a draft), in
 * tmp/REF/held.json (at most INTAKE_HELD_MAX bytes); the token naming them
 * in token. Returns 0 or -1. */
#define INTAKE_HELD_MAX (8u << 20)
int intake_held_keep(const struct intake_ctx *ctx, const char *form,
		     const char *ref, const cJSON *kept, const cJSON *fields,
		     char token[48]);
/*
 * Takes the files a token names into tmp/REF/files/, numbered from first,
 * leaving out those of fields that posted in has files for; returns their
 * attachments (paths renumbered), or NULL when the token is not good or
 * they are gone. Whatever is not taken is removed.
 */
cJSON *intake_held_take(const struct intake_ctx *ctx, const char *form,
			const char *token, const char *ref, unsigned first,
			const cJSON *posted);
/* Adds values._held for the form renderer (forms.h): the token and the
 * names of the files atts holds, by field. Returns 0 or -1. */
int intake_held_describe(cJSON *values, const char *token, const cJSON *atts);
/* Removes held files past their time, at most once a minute. */
void intake_held_sweep(struct intake_ctx *ctx);

/* The confirmation email (mail.c). */

/* 1 when s is an address to send to or from as it is. */
int intake_mail_address_ok(const char *s);
/* The outbox entry for a stored submission (malloc'd JSON), or NULL when
 * there is none to send: no --mail-from, or no usable email address. */
char *intake_mail_entry(const struct intake_ctx *ctx,
			const struct intake_shell *sh, const char *ref,
			const cJSON *fields);
/*
 * An entry waits as SPOOL/outbox/REF.json.new (written before its
 * submission's group commit, so that commit's first flush covers it), which
 * intake mail never reads; once the submission is durable the committer
 * renames it to REF.json. intake_mail_stage writes it (0 or -1, logged),
 * intake_mail_unstage removes both names (the submission was not stored),
 * intake_mail_recover (at start) renames each left by a crash whose
 * submission is in ready/ or bundled/ and removes the rest.
 */
#define INTAKE_OUTBOX_STAGED ".json.new"
int intake_mail_stage(const struct intake_ctx *ctx, const char *ref,
		      const char *entry);
void intake_mail_unstage(const struct intake_ctx *ctx, const char *ref);
int intake_mail_recover(const struct intake_ctx *ctx);

/* The site's small files in memory (filecache.c). */

struct intake_filecache;
struct intake_filecache *intake_filecache_new(void);
void intake_filecache_free(struct intake_filecache *fc);
/* Drops every file: the site was rebuilt. */
void intake_filecache_clear(struct intake_filecache *fc);
/*
 * Answers a GET or HEAD of path (decoded, as static.c was given it) from
 * the cache: 1 with *ret set when the path is cached (a 200, or a 304
 * when the request's validators match), else 0.
 */
int intake_filecache_serve(struct intake_filecache *fc,
			   struct MHD_Connection *c, struct intake_req *rq,
			   const char *path, size_t len, enum MHD_Result *ret);
/* Keeps r (its whole 200, headers and all; the cache takes the caller's
 * reference) for path, unless the file is too large or the cache full. */
void intake_filecache_put(struct intake_filecache *fc, const char *path,
			  size_t len, struct MHD_Response *r, uint64_t size,
			  const char *etag, const char *lm,
			  const char *control);
/* 1 when an If-None-Match value matches etag. */
int intake_etag_matches(const char *inm, const char *etag);
/* 304 with etag and Cache-Control control. */
enum MHD_Result intake_send_not_modified(struct MHD_Connection *c,
					 struct intake_req *rq,
					 const char *etag, const char *control);

/* The rate limit (ratelimit.c). */

/* per_min accepted submissions and refused_per_min refused posts a minute
 * for each client. */
struct intake_rate *intake_rate_new(unsigned per_min, unsigned refused_per_min);
void intake_rate_free(struct intake_rate *r);
/*
 * The client's address for the rate limit: the connection's peer, or,
 * when the peer is the --proxy, the last address in the X-Forwarded-For
 * header it sent (the one the proxy itself added), put in tmp. A missing
 * or malformed header leaves the proxy's own address.
 */
const struct sockaddr *intake_client(struct MHD_Connection *c,
				     const struct intake_ctx *ctx,
				     struct sockaddr_storage *tmp);
/* 1 when a and b are the same IP address (ports aside). */
int intake_same_ip(const struct sockaddr *a, const struct sockaddr_storage *b);
/*
 * Seconds until the client at addr (a struct sockaddr) may post again, or
 * 0 now: while either of its budgets is used up, counting its posts in
 * flight (held) as posts. now_ms is a monotonic clock in milliseconds.
 */
unsigned intake_rate_wait(struct intake_rate *r, const void *addr,
			  int64_t now_ms);
/* intake_rate_wait, and when it is 0 the post is held (in flight) until
 * intake_rate_settle: so that posts at once cannot all pass. */
unsigned intake_rate_hold(struct intake_rate *r, const void *addr,
			  int64_t now_ms);
/* What a held post came to: nothing to count (a failure of ours, a post
 * cut off), a refused post, an accepted submission. */
enum intake_rate_outcome {
	INTAKE_RATE_NONE,
	INTAKE_RATE_REFUSED,
	INTAKE_RATE_ACCEPTED
};
/* Lets go of one post held for the client at addr and counts it as o. */
void intake_rate_settle(struct intake_rate *r, const void *addr, int64_t now_ms,
			enum intake_rate_outcome o);
/* Counts one post from the client at addr: an accepted submission (stored,
 * or a honeypot answered as if), or a refused one. */
void intake_rate_count(struct intake_rate *r, const void *addr, int64_t now_ms,
		       int accepted);

#endif
