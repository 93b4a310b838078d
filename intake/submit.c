/*
 * submit.c: POST /submit/NAME and its confirmation page.
 *
 * The body is streamed through libmicrohttpd's post processor: text values
 * into capped buffers, file parts straight to SPOOL/tmp/REF/files/N with
 * their SHA-256 computed on the way, so no file is ever held whole in
 * memory. Every limit is enforced while the bytes arrive; once one is
 * passed, the rest of the body is let go by unread and the resident gets a
 * plain page saying what to do, with nothing left in the spool. A valid
 * post is made durable (spool.c, commit.c) before the 303 that carries its
 * reference; a failure to store it answers 503 and keeps nothing of it but
 * a check page's draft, to be sent again.
 */
#define _GNU_SOURCE /* O_NOFOLLOW, O_CLOEXEC */

#include "serve_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "escape.h"
#include "fsutil.h"
#include "sha256.h"
#include "utf8.h"

/* The post processor's own buffer (multipart headers, keys). */
#define PP_BUFFER 16384
/* Values (fields and files) one post may carry. */
#define MAX_VALUES 1000
/* Longest field name taken. */
#define MAX_KEY 100
/* Bytes read past max_body before the connection is dropped. */
#define DISCARD_SLACK (1024u * 1024)
/* Longest client file name kept, in characters. */
#define MAX_FILE_NAME 200
/*
 * Bytes of text one post may hold in all (or --max-field when larger):
 * more than every answer of any form, far less than --max-body, so that a
 * body of many long values costs a connection this much memory, not 25 MB.
 */
#define MAX_TEXT (1024u * 1024)
/*
 * Bytes a second a body must average once it has taken longer than the
 * idle timeout. A client that sends a byte now and then resets
 * libmicrohttpd's idle timeout each time; without this it could hold a
 * connection, its memory and its temporary files for as long as it likes.
 */
#define BODY_MIN_RATE 1024

/* Why a post is refused before validation. */
enum post_fail {
	FAIL_NONE = 0,
	FAIL_BODY,	/* body over max_body: 413 */
	FAIL_FIELD,	/* a value over max_field, or too many values: 413 */
	FAIL_FILES,	/* more files than max_files: 413 */
	FAIL_FILE_SIZE, /* a file over max_file_size: 413 */
	FAIL_SYNTAX,	/* the body does not parse: 400 */
	FAIL_NOMEM,	/* out of memory: 500 */
	FAIL_IO,	/* cannot write the spool: 503 */
};

/* One uploaded file. */
struct upload {
	char *field;		 /* the file input's name */
	char *name;		 /* the client's file name, sanitised */
	unsigned n;		 /* stored as files/N */
	uint64_t size;		 /* bytes written */
	int fd;			 /* open while bytes arrive, else -1 */
	struct tc_sha256 sha;	 /* running digest */
	char hex[65];		 /* the digest once closed */
	struct tc_sniffer sniff; /* its type by its content so far */
	int dropped;		 /* past max_file_size: counted, not kept */
};

struct intake_post {
	struct intake_ctx *ctx;	       /* the service */
	const struct intake_shell *sh; /* the form and its pages */
	struct MHD_PostProcessor *pp;  /* the body's parser */
	int multipart;		       /* multipart/form-data */
	int claimed;		       /* tmp/REF exists */
	char ref[12];		       /* the reference once claimed */
	enum post_fail fail;	       /* the first limit passed */
	uint64_t received;	       /* body bytes so far */
	size_t nvalues;		       /* values started */
	size_t text;		       /* text bytes kept, all values */
	cJSON *posted;		       /* name -> [strings] */
	cJSON *bad;		       /* names with unreadable text */
	/* The value being received. */
	int open;	     /* a value is in progress */
	int skip;	     /* its name is not taken */
	char *key;	     /* its name */
	char *filename;	     /* its file name, NULL for text */
	uint64_t got;	     /* its bytes so far */
	struct tc_buf val;   /* a text value's bytes */
	struct upload *file; /* a file value's upload */
	/* Files received. */
	struct upload **files; /* in the order received */
	size_t nfiles;	       /* entries in files */
	/* The client, as the rate limit counts it. */
	struct sockaddr_storage who_buf; /* its address, when copied */
	const struct sockaddr *who;	 /* who_buf or the connection's */
	/* Stored, waiting for its group commit (its connection suspended). */
	int committing;		     /* suspended, not yet answered */
	int stores;		     /* this request stores tmp/REF */
	int draft;		     /* ...a check page's draft */
	int gone;		     /* a Send of a draft never stored */
	int rate_held;		     /* its client's rate limit holds it */
	struct intake_commit commit; /* in the committer's queue */
	char *mail;		     /* its outbox entry, staged with it */
};

/* ---- files ----------------------------------------------------------- */

static void upload_free(struct upload *u)
{
	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	free(u->field);
	free(u->name);
	free(u);
}

/*
 * The client's file name, made safe to store and show: the part after the
 * last '/' or '\\', invalid UTF-8 replaced, control characters removed, at
 * most MAX_FILE_NAME characters; "file" when nothing is left.
 */
static char *clean_file_name(const char *s)
{
	struct tc_buf b = TC_BUF_INIT;
	const char *base = s, *p;
	size_t len, i = 0, k, chars = 0;
	uint32_t cp;
	char *ret = NULL;

	for (p = s; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	len = strlen(base);
	while (i < len && chars < MAX_FILE_NAME) {
		k = tc_utf8_decode(base + i, len - i, &cp);
		if (k == 0) {
			cp = 0xFFFD;
			k = 1;
		}
		i += k;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    cp == 0x2028 || cp == 0x2029 ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			continue;
		if (cp == 0xFFFD) {
			if (tc_buf_adds(&b, "\xEF\xBF\xBD") < 0)
				goto out;
		} else if (tc_buf_add(&b, base + i - k, k) < 0) {
			goto out;
		}
		chars++;
	}
	if (b.len == 0 && tc_buf_adds(&b, "file") < 0)
		goto out;
	ret = tc_buf_detach(&b, NULL);
out:
	tc_buf_release(&b);
	return ret;
}

/* SPOOL/tmp/REF/files/N into out. */
static int file_path(const struct intake_post *p, unsigned n,
		     struct tc_buf *out)
{
	return tc_buf_addf(out, "%s/%s/files/%u", p->ctx->spool_tmp, p->ref, n);
}

/* Claims tmp/REF (once) and makes its files/ folder. */
static int ensure_claimed(struct intake_post *p, int with_files)
{
	struct tc_buf b = TC_BUF_INIT;
	int rc = -1;

	if (!p->claimed) {
		if (intake_spool_claim(p->ctx, p->ref) < 0)
			goto out;
		p->claimed = 1;
	}
	if (with_files) {
		if (tc_buf_addf(&b, "%s/%s/files", p->ctx->spool_tmp, p->ref) <
		    0)
			goto out;
		if (mkdir(b.data, 0700) < 0 && errno != EEXIST)
			goto out;
	}
	rc = 0;
out:
	tc_buf_release(&b);
	return rc;
}

/* Starts files/N for the current value. */
static int upload_open(struct intake_post *p, struct upload *u)
{
	struct tc_buf path = TC_BUF_INIT;
	int rc = -1;

	if (ensure_claimed(p, 1) < 0)
		goto out;
	if (file_path(p, u->n, &path) < 0)
		goto out;
	u->fd =
	    open(path.data,
		 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (u->fd < 0)
		goto out;
	rc = 0;
out:
	tc_buf_release(&path);
	return rc;
}

static int upload_write(struct upload *u, const char *data, size_t size)
{
	tc_sha256_update(&u->sha, data, size);
	tc_sniff_feed(&u->sniff, data, size);
	if (tc_fs_write_all(u->fd, data, size) < 0)
		return -1;
	u->size += size;
	return 0;
}

/* Closes the file (the group commit makes it durable). */
static int upload_close(struct upload *u)
{
	int rc = 0;

	tc_sha256_final_hex(&u->sha, u->hex);
	if (u->fd >= 0) {
		if (close(u->fd) < 0)
			rc = -1;
		u->fd = -1;
	}
	return rc;
}

/* ---- values ---------------------------------------------------------- */

/* 1 for a field name the forms could use: letters, digits, '_', '-'. */
static int key_ok(const char *k)
{
	size_t i;

	for (i = 0; k[i]; i++) {
		if (i >= MAX_KEY)
			return 0;
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
		      k[i] == '-' || k[i] == '[' || k[i] == ']'))
			return 0;
	}
	return i > 0;
}

/*
 * 1 when the form reads a text value posted as key: one of its fields, a
 * date field's -day, -month or -year part, or its honeypot. Other names
 * are let go by unkept: tc_form_normalise() would drop them anyway.
 */
static int key_wanted(const struct tc_form *f, const char *key)
{
	static const char *const parts[] = {"-day", "-month", "-year"};
	const char *hp = tc_form_honeypot(f), *type;
	char base[MAX_KEY + 1];
	size_t len = strlen(key), n, i;

	if (tc_form_field_type(f, key) || (hp && !strcmp(key, hp)) ||
	    (!strcmp(key, "_held") && tc_form_has_files(f)) ||
	    ((!strcmp(key, "_draft") || !strcmp(key, "_send")) &&
	     tc_form_check_answers(f)))
		return 1;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		n = strlen(parts[i]);
		if (len <= n || len - n > MAX_KEY ||
		    strcmp(key + len - n, parts[i]))
			continue;
		memcpy(base, key, len - n);
		base[len - n] = '\0';
		type = tc_form_field_type(f, base);
		return type && !strcmp(type, "date");
	}
	return 0;
}

/* Keeps the first failure. An I/O failure is logged here, while errno is
 * still that of the call that failed, so the operator sees why posts get
 * 503 (a full disk, say); no file name or value of the resident's. */
static void set_fail(struct intake_post *p, enum post_fail f)
{
	if (p->fail)
		return;
	if (f == FAIL_IO)
		tc_warn("cannot store an uploaded file");
	p->fail = f;
}

/* Copies bytes that are not valid text, replacing each bad sequence. */
static int repair_text(const char *s, size_t len, struct tc_buf *out)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < len) {
		k = tc_utf8_decode(s + i, len - i, &cp);
		if (k == 0 || cp == 0) {
			if (tc_buf_adds(out, "\xEF\xBF\xBD") < 0)
				return -1;
			i += k ? k : 1;
			continue;
		}
		if (tc_buf_add(out, s + i, k) < 0)
			return -1;
		i += k;
	}
	return 0;
}

/* Adds value to posted[key] (an array). */
static int add_posted(struct intake_post *p, const char *key, const char *v)
{
	cJSON *arr, *s;

	arr = cJSON_GetObjectItemCaseSensitive(p->posted, key);
	if (!arr) {
		arr = cJSON_CreateArray();
		if (!arr)
			return -1;
		if (!cJSON_AddItemToObject(p->posted, key, arr)) {
			cJSON_Delete(arr);
			return -1;
		}
	}
	s = cJSON_CreateString(v);
	if (!s)
		return -1;
	if (!cJSON_AddItemToArray(arr, s)) {
		cJSON_Delete(s);
		return -1;
	}
	return 0;
}

/* Ends the value in progress: a text value joins posted, a file closes. */
static void finish_value(struct intake_post *p)
{
	struct tc_buf fixed = TC_BUF_INIT;
	struct tc_buf path = TC_BUF_INIT;
	struct upload *u = p->file;
	cJSON *name;

	if (!p->open)
		goto out;
	p->open = 0;
	if (p->fail || p->skip)
		goto out;
	if (u) {
		p->file = NULL;
		if (u->size == 0 && (!p->filename || !*p->filename)) {
			/* An empty file input: nothing was chosen. */
			if (u->fd >= 0) {
				close(u->fd);
				u->fd = -1;
				if (file_path(p, u->n, &path) == 0)
					(void)unlink(path.data);
			}
			p->nfiles--;
			upload_free(u);
			p->files[p->nfiles] = NULL;
			goto out;
		}
		if (u->fd < 0 && !u->dropped && upload_open(p, u) < 0) {
			set_fail(p, FAIL_IO);
			goto out;
		}
		if (upload_close(u) < 0)
			set_fail(p, FAIL_IO);
		goto out;
	}
	if (!tc_utf8_is_text(p->val.data, p->val.len, NULL)) {
		if (repair_text(p->val.data, p->val.len, &fixed) < 0) {
			set_fail(p, FAIL_NOMEM);
			goto out;
		}
		name = cJSON_CreateString(p->key);
		if (!name || !cJSON_AddItemToArray(p->bad, name)) {
			cJSON_Delete(name);
			set_fail(p, FAIL_NOMEM);
			goto out;
		}
		if (add_posted(p, p->key, fixed.data) < 0)
			set_fail(p, FAIL_NOMEM);
		goto out;
	}
	if (add_posted(p, p->key, p->val.data) < 0)
		set_fail(p, FAIL_NOMEM);
out:
	free(p->key);
	free(p->filename);
	p->key = NULL;
	p->filename = NULL;
	tc_buf_reset(&p->val);
	tc_buf_release(&fixed);
	tc_buf_release(&path);
}

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* Starts a value: a text field, or a file part when filename is set. */
static void start_value(struct intake_post *p, const char *key,
			const char *filename)
{
	struct upload *u = NULL, **grown;

	p->open = 1;
	p->skip = 0;
	p->got = 0;
	if (++p->nvalues > MAX_VALUES) {
		set_fail(p, FAIL_FIELD);
		return;
	}
	if (!key || !key_ok(key) ||
	    (!filename && !key_wanted(p->sh->form, key))) {
		p->skip = 1;
		return;
	}
	p->key = strdup(key);
	if (filename)
		p->filename = strdup(filename);
	if (!p->key || (filename && !p->filename)) {
		set_fail(p, FAIL_NOMEM);
		return;
	}
	if (!filename)
		return;
	u = calloc(1, sizeof(*u));
	if (!u) {
		set_fail(p, FAIL_NOMEM);
		return;
	}
	u->fd = -1;
	tc_sha256_init(&u->sha);
	tc_sniff_init(&u->sniff);
	u->field = strdup(key);
	u->name = clean_file_name(filename);
	grown = realloc(p->files, (p->nfiles + 1) * sizeof(*p->files));
	if (!u->field || !u->name || !grown) {
		if (grown)
			p->files = grown;
		upload_free(u);
		set_fail(p, FAIL_NOMEM);
		return;
	}
	p->files = grown;
	p->files[p->nfiles++] = u;
	u->n = (unsigned)p->nfiles;
	p->file = u;
}

/* Takes more bytes of the value in progress. */
static void add_bytes(struct intake_post *p, const char *data, size_t size)
{
	const struct intake_serve_options *o = p->ctx->opt;
	struct upload *u = p->file;

	p->got += size;
	if (p->fail || p->skip || size == 0)
		return;
	if (!u) {
		p->text += size;
		if (p->text > MAX_TEXT && p->text > o->max_field) {
			set_fail(p, FAIL_FIELD);
			return;
		}
		if (tc_buf_add(&p->val, data, size) < 0)
			set_fail(p, errno == EFBIG ? FAIL_FIELD : FAIL_NOMEM);
		return;
	}
	if (u->size == 0 && u->fd < 0) {
		/* The first bytes of a file that was chosen. */
		if (p->nfiles > o->max_files) {
			set_fail(p, FAIL_FILES);
			return;
		}
		if (upload_open(p, u) < 0) {
			set_fail(p, FAIL_IO);
			return;
		}
	}
	if (u->dropped) {
		u->size += size;
		return;
	}
	if (u->size + size > o->max_file_size) {
		/* Counted but not kept, and the rest let go by: the form then
		 * says which file is too large, in its own words. */
		u->dropped = 1;
		u->size += size;
		if (u->fd >= 0) {
			close(u->fd);
			u->fd = -1;
		}
		return;
	}
	if (upload_write(u, data, size) < 0)
		set_fail(p, FAIL_IO);
}

static enum MHD_Result on_value(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *filename,
				const char *content_type,
				const char *transfer_encoding, const char *data,
				uint64_t off, size_t size)
{
	struct intake_post *p = cls;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (p->fail)
		return MHD_YES;
	/*
	 * Offset 0 starts a value, except right after an empty first call
	 * for the same name: the parser announces a value before its first
	 * bytes arrive, and then calls again at offset 0 with them.
	 */
	if (off == 0 && !(p->open && p->got == 0 && same_str(p->key, key) &&
			  same_str(p->filename, filename))) {
		finish_value(p);
		start_value(p, key, filename);
	}
	add_bytes(p, data, size);
	return MHD_YES;
}

/* ---- answers --------------------------------------------------------- */

static enum MHD_Result send_fail(struct MHD_Connection *c,
				 struct intake_req *rq, enum post_fail f)
{
	const struct intake_serve_options *o = rq->ctx->opt;
	char v[32];

	switch (f) {
	case FAIL_BODY:
		snprintf(v, sizeof(v), "%zu", o->max_body / (1024 * 1024));
		return intake_send_status(c, rq, TC_STATUS_TOO_LARGE, v, NULL,
					  NULL);
	case FAIL_FIELD:
		return intake_send_status(c, rq, TC_STATUS_ANSWER_TOO_LONG,
					  NULL, NULL, NULL);
	case FAIL_FILES:
		snprintf(v, sizeof(v), "%zu", o->max_files);
		return intake_send_status(c, rq, TC_STATUS_TOO_MANY_FILES, v,
					  NULL, NULL);
	case FAIL_FILE_SIZE:
		snprintf(v, sizeof(v), "%zu", o->max_file_size / (1024 * 1024));
		return intake_send_status(c, rq, TC_STATUS_FILE_TOO_LARGE, v,
					  NULL, NULL);
	case FAIL_SYNTAX:
		return intake_send_status(c, rq, TC_STATUS_UNREADABLE, NULL,
					  NULL, NULL);
	case FAIL_IO:
		return intake_send_status(c, rq, TC_STATUS_NOT_SAVED, NULL,
					  "Retry-After", "60");
	case FAIL_NOMEM:
	case FAIL_NONE:
		break;
	}
	return intake_send_internal_error(c, rq);
}

/* The shell with "Error: " in the title and the form in place. */
static enum MHD_Result send_invalid(struct MHD_Connection *c,
				    struct intake_req *rq,
				    const struct intake_post *p,
				    const cJSON *values,
				    const struct tc_form_errors *errs)
{
	const struct intake_shell *sh = p->sh;
	struct tc_buf action = TC_BUF_INIT, out = TC_BUF_INIT;
	const char *page = sh->form_page, *title, *mark;
	size_t at;
	enum MHD_Result ret;
	int built = 0;

	mark = strstr(page, TC_MARK_FORM);
	title = strstr(page, "<title>");
	if (!mark || (title && title > mark))
		title = NULL;
	if (tc_buf_addf(&action, "/submit/%s", tc_form_id(sh->form)) < 0)
		goto send;
	at = 0;
	if (title) {
		at = (size_t)(title - page) + 7;
		if (tc_buf_add(&out, page, at) < 0 ||
		    tc_buf_adds(&out, "Error: ") < 0)
			goto send;
	}
	built =
	    tc_buf_add(&out, page + at, (size_t)(mark - page) - at) == 0 &&
	    tc_form_render(sh->form, action.data, values, errs, &out) == 0 &&
	    tc_buf_adds(&out, mark + strlen(TC_MARK_FORM)) == 0;
send:
	ret = intake_send_html(c, rq, 422, built, &out);
	tc_buf_release(&action);
	tc_buf_release(&out);
	return ret;
}

static enum MHD_Result send_received_redirect(struct MHD_Connection *c,
					      struct intake_req *rq,
					      const struct intake_post *p,
					      const char *ref)
{
	struct tc_buf loc = TC_BUF_INIT;
	const char *form = tc_form_id(p->sh->form);
	char receipt[33];
	enum MHD_Result ret;

	intake_receipt(p->ctx, form, ref, receipt);
	if (tc_buf_addf(&loc, "/submit/%s/received?ref=%s&k=%s", form, ref,
			receipt) < 0)
		ret = intake_send_internal_error(c, rq);
	else
		ret = intake_send_redirect(c, rq, 303, loc.data);
	tc_buf_release(&loc);
	return ret;
}

/* ---- checking and storing ------------------------------------------- */

/* [{field, name, type, size, sha256, path}] for the files received. */
static cJSON *attachments_json(const struct intake_post *p)
{
	cJSON *arr = NULL, *o, *ret = NULL;
	const char *type;
	char rel[32];
	size_t i;

	arr = cJSON_CreateArray();
	if (!arr)
		goto out;
	for (i = 0; i < p->nfiles; i++) {
		const struct upload *u = p->files[i];

		type = tc_sniff_end(&u->sniff);
		snprintf(rel, sizeof(rel), "files/%u", u->n);
		o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto out;
		}
		if (!cJSON_AddStringToObject(o, "field", u->field) ||
		    !cJSON_AddStringToObject(o, "name", u->name) ||
		    !cJSON_AddStringToObject(
			o, "type", type ? type : "application/octet-stream") ||
		    !cJSON_AddNumberToObject(o, "size", (double)u->size) ||
		    !cJSON_AddStringToObject(o, "sha256", u->hex) ||
		    !cJSON_AddStringToObject(o, "path", rel))
			goto out;
	}
	ret = arr;
	arr = NULL;
out:
	cJSON_Delete(arr);
	return ret;
}

/*
 * Adds one error per field the form defines whose text could not be read
 * (invalid UTF-8 or NUL), unless the validator flagged that field already.
 * mine holds the strings made here; all is what is shown.
 */
static int add_text_errors(const struct intake_post *p,
			   const struct tc_form_errors *errs,
			   struct tc_form_errors *mine,
			   struct tc_form_errors *all)
{
	const cJSON *b;
	const char *name;
	size_t i, n = errs->n;
	int seen, rc = -1;

	cJSON_ArrayForEach(b, p->bad) n++;
	all->v = calloc(n ? n : 1, sizeof(*all->v));
	mine->v = calloc(n ? n : 1, sizeof(*mine->v));
	if (!all->v || !mine->v)
		goto out;
	for (i = 0; i < errs->n; i++)
		all->v[all->n++] = errs->v[i];
	cJSON_ArrayForEach(b, p->bad)
	{
		name = b->valuestring;
		if (!tc_form_field_type(p->sh->form, name))
			continue;
		seen = 0;
		for (i = 0; i < all->n; i++)
			if (!strcmp(all->v[i].field, name))
				seen = 1;
		if (seen)
			continue;
		mine->v[mine->n].field = strdup(name);
		mine->v[mine->n].target = strdup(name);
		mine->v[mine->n].message =
		    strdup("Your answer has characters we cannot read. "
			   "Type it again");
		mine->n++;
		if (!mine->v[mine->n - 1].field ||
		    !mine->v[mine->n - 1].target ||
		    !mine->v[mine->n - 1].message)
			goto out;
		all->v[all->n++] = mine->v[mine->n - 1];
	}
	rc = 0;
out:
	return rc;
}

static void release_mine(struct tc_form_errors *mine,
			 struct tc_form_errors *all)
{
	size_t i;

	if (mine->v)
		for (i = 0; i < mine->n; i++) {
			free(mine->v[i].field);
			free(mine->v[i].target);
			free(mine->v[i].message);
		}
	free(mine->v);
	free(all->v);
}

/* A monotonic clock in milliseconds, for the rate limit. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Counts p's outcome against its client's rate limit (once), and lets go
 * of the hold its start took. INTAKE_RATE_NONE counts nothing: a failure
 * of ours (out of memory, a full disk), or a post cut off, is not the
 * resident's.
 */
static void settle_rate(struct intake_post *p, enum intake_rate_outcome o)
{
	if (!p->rate_held)
		return;
	p->rate_held = 0;
	intake_rate_settle(p->ctx->rate, p->who, now_ms(), o);
}

/* The time now, in UTC or local time. */
static struct tm now_tm(int utc)
{
	struct tm tm;
	time_t now = time(NULL);

	if (utc)
		gmtime_r(&now, &tm);
	else
		localtime_r(&now, &tm);
	return tm;
}

static void utc_now(char out[32])
{
	struct tm tm = now_tm(1);

	if (!strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = '\0';
}

static void local_today(char out[16])
{
	struct tm tm = now_tm(0);

	if (!strftime(out, 16, "%Y-%m-%d", &tm))
		out[0] = '\0';
}

/* submission.json's bytes; values and attachments are taken over. */
static char *submission_json(const struct intake_post *p, cJSON **values,
			     cJSON **attachments)
{
	const struct tc_form *f = p->sh->form;
	char received[32];
	cJSON *doc;
	char *s = NULL;

	utc_now(received);
	doc = cJSON_CreateObject();
	if (!doc)
		goto out;
	if (!cJSON_AddStringToObject(doc, "format", "threecs-submission/1") ||
	    !cJSON_AddStringToObject(doc, "id", p->ref) ||
	    !cJSON_AddStringToObject(doc, "form", tc_form_id(f)) ||
	    !cJSON_AddStringToObject(doc, "form_hash", tc_form_hash(f)) ||
	    !cJSON_AddStringToObject(doc, "received", received) ||
	    !cJSON_AddStringToObject(doc, "channel", "web"))
		goto out;
	if (!cJSON_AddItemToObject(doc, "fields", *values))
		goto out;
	*values = NULL;
	if (!cJSON_AddItemToObject(doc, "attachments", *attachments))
		goto out;
	*attachments = NULL;
	s = cJSON_PrintUnformatted(doc);
out:
	cJSON_Delete(doc);
	return s;
}

/* The body is all in: check it, then answer. */
/* The first value posted as key, or NULL. */
static const char *posted_value(const struct intake_post *p, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p->posted, key);

	v = cJSON_IsArray(v) ? v->child : NULL;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Adds to atts the files a correction's token names (held.c). */
static int take_held(struct intake_post *p, cJSON *atts)
{
	const char *tok = posted_value(p, "_held");
	cJSON *held, *a;

	if (!tok || !*tok)
		return 0;
	if (ensure_claimed(p, 1) < 0)
		return -1;
	held = intake_held_take(p->ctx, tc_form_id(p->sh->form), tok, p->ref,
				(unsigned)p->nfiles + 1, atts);
	while (held && (a = cJSON_DetachItemFromArray(held, 0)))
		cJSON_AddItemToArray(atts, a);
	cJSON_Delete(held);
	return 0;
}

/*
 * A refused post keeps the files of fields that had no problem for the
 * resident's next try, and says so in values (values._held); the folder
 * they are in is then not discarded.
 */
static void hold_files(struct intake_post *p, const cJSON *atts,
		       const struct tc_form_errors *errs, cJSON *values)
{
	cJSON *kept = cJSON_CreateArray();
	const cJSON *a, *f;
	char token[48];
	size_t j;

	if (!kept || !p->claimed)
		goto out;
	cJSON_ArrayForEach(a, atts)
	{
		int bad = 0;

		f = cJSON_GetObjectItemCaseSensitive(a, "field");
		for (j = 0; cJSON_IsString(f) && j < errs->n; j++)
			bad |= !strcmp(errs->v[j].field, f->valuestring);
		if (cJSON_IsString(f) && !bad &&
		    !cJSON_AddItemToArray(kept, cJSON_Duplicate(a, 1)))
			goto out;
	}
	if (!kept->child ||
	    intake_held_keep(p->ctx, tc_form_id(p->sh->form), p->ref, kept,
			     NULL, token) < 0 ||
	    intake_held_describe(values, token, kept) < 0)
		goto out;
	p->claimed = 0; /* kept for the next try; swept when it expires */
out:
	cJSON_Delete(kept);
}

/* 1 when a file was too large to keep and no error says so (its field
 * allows more than intake keeps). */
static int dropped_unreported(const struct intake_post *p,
			      const struct tc_form_errors *errs)
{
	size_t i, j;

	for (i = 0; i < p->nfiles; i++) {
		int said = 0;

		if (!p->files[i]->dropped)
			continue;
		for (j = 0; j < errs->n; j++)
			said |= !strcmp(errs->v[j].field, p->files[i]->field);
		if (!said)
			return 1;
	}
	return 0;
}

/* 1 when ready/REF exists: the draft was sent already. */
static int already_sent(const struct intake_ctx *ctx, const char *ref)
{
	struct tc_buf p = TC_BUF_INIT;
	int yes = tc_buf_addf(&p, "%s/%s", ctx->spool_ready, ref) == 0 &&
		  tc_fs_is_dir(p.data);

	tc_buf_release(&p);
	return yes;
}

/*
 * The answer once the group commit has done with p: the 303, or the page
 * saying it could not be stored (discarding what there is of it), or, for
 * a Send whose draft is gone and was never stored, the page saying so.
 */
static enum MHD_Result after_commit(struct MHD_Connection *c,
				    struct intake_req *rq,
				    struct intake_post *p)
{
	enum MHD_Result ret;

	p->committing = 0;
	settle_rate(p, p->commit.rc == 0 && p->stores ? INTAKE_RATE_ACCEPTED
						      : INTAKE_RATE_NONE);
	if (p->commit.rc == 0) {
		p->stores = 0; /* it is in ready/ now: never discard it */
		return send_received_redirect(c, rq, p, p->ref);
	}
	if (p->gone) {
		ret = intake_send_status(c, rq, TC_STATUS_EXPIRED, NULL, NULL,
					 NULL);
	} else {
		errno = p->commit.err;
		tc_warn("cannot store a submission");
		ret = send_fail(c, rq, FAIL_IO);
	}
	/* A draft that could not be stored is a draft again, for the Send
	 * to be tried again; otherwise nothing half-stored stays. */
	if (p->stores && p->draft &&
	    intake_draft_restore(p->ctx, tc_form_id(p->sh->form), p->ref) == 0)
		p->stores = 0;
	if (p->stores)
		intake_spool_discard(p->ctx, p->ref);
	if (p->commit.mail) /* nor an email for it */
		intake_mail_unstage(p->ctx, p->ref);
	p->stores = 0;
	return ret;
}

/*
 * Stores tmp/p->ref with json as its submission.json (its files written):
 * suspends the connection and hands it to the group commit, which resumes
 * it for after_commit. Takes *mail. draft: p->ref is a check page's draft,
 * which a second Send may be storing already (then this one waits for it)
 * or may have stored; json NULL: that draft is gone.
 */
static enum MHD_Result start_commit(struct MHD_Connection *c,
				    struct intake_post *p, const char *json,
				    char **mail, int draft)
{
	const struct intake_ctx *ctx = p->ctx;

	if (mail) {
		p->mail = *mail;
		*mail = NULL;
	}
	p->claimed = 0; /* the commit's to discard now, when it fails */
	p->commit.mail = 0;
	p->commit.ref = p->ref;
	p->commit.conn = c;
	p->committing = 1;
	MHD_suspend_connection(c);
	if (!intake_commit_claim(ctx, &p->commit))
		return MHD_YES; /* answered when the first Send is */
	if (draft && already_sent(ctx, p->ref)) {
		p->commit.rc = 0;
	} else if (!json) {
		p->gone = 1;
	} else {
		p->stores = 1;
		p->draft = draft;
		/* A draft's held.json becomes its submission.json. */
		if (intake_spool_write(ctx, p->ref, draft ? "held.json" : NULL,
				       json, strlen(json)) == 0) {
			/* Its email too, for the same flush to cover. */
			p->commit.mail =
			    p->mail &&
			    intake_mail_stage(ctx, p->ref, p->mail) == 0;
			intake_commit_queue(ctx, &p->commit);
			return MHD_YES;
		}
		p->commit.err = errno;
	}
	intake_commit_done(ctx, &p->commit);
	return MHD_YES;
}

/*
 * The Send on the check page: stores the draft its token names, as a post
 * of the form itself would be stored, and answers 303. A second Send of a
 * draft already stored (a double click) is answered as the first was.
 */
static enum MHD_Result send_draft(struct MHD_Connection *c,
				  struct intake_req *rq, struct intake_post *p)
{
	const char *form = tc_form_id(p->sh->form);
	const char *tok = posted_value(p, "_draft");
	cJSON *doc, *values = NULL, *atts = NULL;
	char ref[12], *json = NULL, *mail = NULL;
	enum MHD_Result ret;

	doc = intake_draft_read(p->ctx, form, tok, ref);
	if (!doc && !intake_token_ref(p->ctx, "draft", form, tok, ref))
		return intake_send_status(c, rq, TC_STATUS_EXPIRED, NULL, NULL,
					  NULL);
	if (p->claimed) /* files sent with the Send are not kept */
		intake_spool_discard(p->ctx, p->ref);
	p->claimed = 0;
	memcpy(p->ref, ref, sizeof(p->ref));
	if (!doc) /* sent already, or being sent, or gone */
		return start_commit(c, p, NULL, NULL, 1);
	values = cJSON_DetachItemFromObjectCaseSensitive(doc, "fields");
	atts = cJSON_DetachItemFromObjectCaseSensitive(doc, "attachments");
	mail = intake_mail_entry(p->ctx, p->sh, ref, values);
	json = submission_json(p, &values, &atts);
	if (!json) {
		ret = intake_send_internal_error(c, rq);
		goto out;
	}
	ret = start_commit(c, p, json, &mail, 1);
out:
	cJSON_free(json);
	cJSON_free(mail);
	cJSON_Delete(values);
	cJSON_Delete(atts);
	cJSON_Delete(doc);
	return ret;
}

/* A valid post of a form with check_answers: kept as a draft, and the
 * check page shown. */
static enum MHD_Result send_check(struct MHD_Connection *c,
				  struct intake_req *rq, struct intake_post *p,
				  const cJSON *values, const cJSON *atts)
{
	struct tc_buf out = TC_BUF_INIT;
	enum MHD_Result ret;

	if (intake_draft_write(p->ctx, tc_form_id(p->sh->form), p->ref, values,
			       atts) < 0) {
		tc_warn("cannot keep answers to check");
		return send_fail(c, rq, FAIL_IO);
	}
	if (intake_check_render(rq, p->sh, p->ref, values, atts, &out) < 0) {
		tc_buf_release(&out);
		return intake_send_internal_error(c, rq);
	}
	p->claimed = 0; /* the draft: swept when it expires */
	ret = intake_send_buf(c, rq, 200, "text/html; charset=utf-8", &out);
	tc_buf_release(&out);
	return ret;
}

static enum MHD_Result finish_post(struct MHD_Connection *c,
				   struct intake_req *rq, struct intake_post *p)
{
	struct tc_form_errors errs = {NULL, 0}, mine = {NULL, 0},
			      all = {NULL, 0};
	cJSON *values = NULL, *atts = NULL;
	char today[16], fake[12];
	char *json = NULL, *mail = NULL;
	int honey = 0, n, accepted = 0;
	enum MHD_Result ret = MHD_NO;

	if (!p->fail && p->pp) {
		if (MHD_destroy_post_processor(p->pp) == MHD_NO)
			set_fail(p, FAIL_SYNTAX);
		p->pp = NULL;
	}
	finish_value(p);
	if (!p->fail && p->multipart && p->nvalues == 0)
		set_fail(p, FAIL_SYNTAX);
	if (p->fail) {
		ret = send_fail(c, rq, p->fail);
		goto out;
	}
	if (tc_form_check_answers(p->sh->form) && posted_value(p, "_send")) {
		ret = send_draft(c, rq, p);
		goto out;
	}
	atts = attachments_json(p);
	values = tc_form_normalise(p->sh->form, p->posted, &honey);
	if (!atts || !values) {
		ret = intake_send_internal_error(c, rq);
		goto out;
	}
	if (honey) {
		/* Answer as a success would, and keep nothing. */
		__atomic_add_fetch(&p->ctx->honeypots, 1, __ATOMIC_RELAXED);
		if (!p->ctx->opt->quiet)
			fprintf(stderr, "intake: honeypot\n");
		if (intake_ref_random(fake) < 0) {
			ret = intake_send_internal_error(c, rq);
			goto out;
		}
		accepted = 1;
		ret = send_received_redirect(c, rq, p, fake);
		goto out;
	}
	if (take_held(p, atts) < 0) {
		tc_warn("cannot store a submission");
		ret = send_fail(c, rq, FAIL_IO);
		goto out;
	}
	local_today(today);
	n = tc_form_validate(p->sh->form, values, atts, today, &errs);
	if (n < 0 || add_text_errors(p, &errs, &mine, &all) < 0) {
		ret = intake_send_internal_error(c, rq);
		goto out;
	}
	if (dropped_unreported(p, &all)) {
		/* intake's own limit is below the form's: the form has
		 * nothing to say about it. */
		ret = send_fail(c, rq, FAIL_FILE_SIZE);
		goto out;
	}
	if (all.n > 0) {
		hold_files(p, atts, &all, values);
		ret = send_invalid(c, rq, p, values, &all);
		goto out;
	}
	if (ensure_claimed(p, 0) < 0) {
		tc_warn("cannot store a submission");
		ret = send_fail(c, rq, FAIL_IO);
		goto out;
	}
	if (tc_form_check_answers(p->sh->form)) {
		ret = send_check(c, rq, p, values, atts);
		goto out;
	}
	mail = intake_mail_entry(p->ctx, p->sh, p->ref, values);
	json = submission_json(p, &values, &atts);
	if (!json) {
		ret = intake_send_internal_error(c, rq);
		goto out;
	}
	ret = start_commit(c, p, json, &mail, 0);
out:
	/* A failure of ours (out of memory, a full disk) is not the
	 * resident's: it does not count against them. A submission handed
	 * to the group commit is counted once it is answered. */
	if (!p->committing)
		settle_rate(p, accepted ? INTAKE_RATE_ACCEPTED
			       : p->fail == FAIL_IO || p->fail == FAIL_NOMEM
				   ? INTAKE_RATE_NONE
				   : INTAKE_RATE_REFUSED);
	if (json)
		cJSON_free(json);
	cJSON_free(mail);
	cJSON_Delete(values);
	cJSON_Delete(atts);
	tc_form_errors_release(&errs);
	release_mine(&mine, &all);
	if (p->claimed) {
		/* Refused or failed: nothing of it stays. */
		intake_spool_discard(p->ctx, p->ref);
		p->claimed = 0;
	}
	return ret;
}

/* ---- entry points ---------------------------------------------------- */

void intake_post_free(struct intake_post *p)
{
	size_t i;

	if (!p)
		return;
	if (p->pp)
		(void)MHD_destroy_post_processor(p->pp);
	for (i = 0; i < p->nfiles; i++)
		upload_free(p->files[i]);
	free(p->files);
	if (p->claimed)
		intake_spool_discard(p->ctx, p->ref);
	settle_rate(p, INTAKE_RATE_NONE); /* cut off: not counted */
	cJSON_free(p->mail);
	cJSON_Delete(p->posted);
	cJSON_Delete(p->bad);
	free(p->key);
	free(p->filename);
	tc_buf_release(&p->val);
	free(p);
}

/* Parses a Content-Length; returns 0, or -1 when absent or not a number. */
static int content_length(struct MHD_Connection *c, uint64_t *out)
{
	const char *s = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t n = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*out = n;
	return 0;
}

static int has_type(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return !strncasecmp(ct, want, n) &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The first call: checks what can be checked before the body. */
static enum MHD_Result start_post(struct MHD_Connection *c,
				  struct intake_req *rq,
				  const struct intake_shell *sh)
{
	struct intake_ctx *ctx = rq->ctx;
	struct sockaddr_storage who;
	const struct sockaddr *client;
	struct intake_post *p = NULL;
	const char *ct;
	uint64_t clen;
	unsigned wait;
	char retry[16];
	enum MHD_Result ret = MHD_NO;

	intake_held_sweep(ctx);
	client = intake_client(c, ctx, &who);
	wait = intake_rate_hold(ctx->rate, client, now_ms());
	if (wait) {
		snprintf(retry, sizeof(retry), "%u", wait);
		ret = intake_send_status(c, rq, TC_STATUS_TOO_MANY_FORMS, retry,
					 "Retry-After", retry);
		goto out;
	}
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!ct || !(has_type(ct, MHD_HTTP_POST_ENCODING_FORM_URLENCODED) ||
		     has_type(ct, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA))) {
		intake_rate_settle(ctx->rate, client, now_ms(),
				   INTAKE_RATE_REFUSED);
		ret = intake_send_status(c, rq, TC_STATUS_UNSUPPORTED, NULL,
					 NULL, NULL);
		goto out;
	}
	if (content_length(c, &clen) == 0 && clen > ctx->opt->max_body) {
		intake_rate_settle(ctx->rate, client, now_ms(),
				   INTAKE_RATE_REFUSED);
		ret = send_fail(c, rq, FAIL_BODY);
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		intake_rate_settle(ctx->rate, client, now_ms(),
				   INTAKE_RATE_NONE);
		ret = intake_send_internal_error(c, rq);
		goto out;
	}
	p->ctx = ctx;
	p->sh = sh;
	if (client == (const struct sockaddr *)&who) {
		p->who_buf = who;
		p->who = (const struct sockaddr *)&p->who_buf;
	} else {
		p->who = client; /* the connection's, which outlives the post */
	}
	p->rate_held = 1; /* until its outcome is counted */
	p->multipart = has_type(ct, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA);
	tc_buf_init(&p->val, ctx->opt->max_field);
	p->posted = cJSON_CreateObject();
	p->bad = cJSON_CreateArray();
	if (!p->posted || !p->bad) {
		ret = intake_send_internal_error(c, rq);
		goto out;
	}
	p->pp = MHD_create_post_processor(c, PP_BUFFER, on_value, p);
	if (!p->pp) {
		/* multipart without a usable boundary */
		ret = send_fail(c, rq, FAIL_SYNTAX);
		goto out;
	}
	rq->post = p;
	p = NULL;
	ret = MHD_YES;
out:
	intake_post_free(p);
	return ret;
}

/*
 * 1 when the body arrives too slowly: once the idle timeout has passed
 * since the headers, it must average BODY_MIN_RATE bytes a second over the
 * time past it.
 */
static int too_slow(const struct intake_req *rq, uint64_t received)
{
	struct timespec now;
	int64_t ms, grace = (int64_t)rq->ctx->opt->timeout * 1000;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(now.tv_sec - rq->start.tv_sec) * 1000 +
	     (now.tv_nsec - rq->start.tv_nsec) / 1000000;
	return ms > grace &&
	       received < (uint64_t)(ms - grace) * BODY_MIN_RATE / 1000;
}

enum MHD_Result intake_post(struct MHD_Connection *c, struct intake_req *rq,
			    const struct intake_shell *sh,
			    const char *upload_data, size_t *upload_size)
{
	struct intake_post *p = rq->post;
	size_t n = *upload_size;
	enum MHD_Result ret;

	if (!p)
		return start_post(c, rq, sh);
	if (n == 0) {
		if (p->committing)
			ret = after_commit(c, rq, p); /* resumed */
		else
			ret = finish_post(c, rq, p);
		if (p->committing)
			return ret; /* suspended until its group commit */
		rq->post = NULL;
		intake_post_free(p);
		return ret;
	}
	*upload_size = 0;
	p->received += n;
	/* Too slow: drop the connection (logged as closed early); nothing
	 * of the post is kept. */
	if (too_slow(rq, p->received))
		return MHD_NO;
	if (p->received > p->ctx->opt->max_body) {
		set_fail(p, FAIL_BODY);
		/* A body with no honest length: stop reading eventually. */
		if (p->received > p->ctx->opt->max_body + DISCARD_SLACK)
			return MHD_NO;
	}
	if (!p->fail && MHD_post_process(p->pp, upload_data, n) == MHD_NO)
		set_fail(p, FAIL_SYNTAX);
	return MHD_YES;
}
