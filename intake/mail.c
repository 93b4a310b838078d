/*
 * mail.c: the confirmation email, off unless intake serve has --mail-from.
 *
 * intake serve stages SPOOL/outbox/REF.json.new with a submission, in its
 * group commit, and renames it REF.json once the submission is durable
 * (before the 303; see intake_mail_stage): the message, made from the
 * site's .threecs/mail/FORM.txt with the reference and the time received
 * put in, and the address to send it to. Nothing else of the submission
 * is in it. `intake mail`, run by a timer, sends each with the host's
 * sendmail and removes it; a failure is tried again on a later run, with
 * a growing wait, up to MAX_ATTEMPTS times.
 *
 * Never twice: an entry is renamed to REF.sending (durably) before
 * sendmail runs, and removed after. A run stopped in between leaves
 * REF.sending, whose outcome is unknown; the next run removes it without
 * sending, and says so.
 */
#define _GNU_SOURCE /* fchmod, pipe2 */

#include "serve_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bundle.h"
#include "err.h"
#include "fields.h"
#include "fsutil.h"

#define MAX_ATTEMPTS 10
#define SEND_TIMEOUT 60 /* seconds sendmail may take */

/* Where the text of .threecs/mail/FORM.txt takes the time received. */
#define MARK_RECEIVED "@@RECEIVED@@"

/* 1 when s is an address sendmail and a header can take as it is: ASCII
 * without spaces, controls, quotes or angle brackets, one '@' inside. */
int intake_mail_address_ok(const char *s)
{
	const char *at = NULL, *p;

	if (!s || !*s || strlen(s) > 254 || *s == '-')
		return 0;
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || strchr("\"<>()[]\\,;:", c))
			return 0;
		if (c == '@') {
			if (at)
				return 0;
			at = p;
		}
	}
	return at && at > s && at[1];
}

/* The subject as a header: as it is in ASCII, else RFC 2047 encoded. */
static int put_subject(struct tc_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int plain = 1, rc = 0;

	for (i = 0; i < n; i++)
		plain &=
		    (unsigned char)s[i] >= ' ' && (unsigned char)s[i] < 0x7f;
	if (plain)
		return tc_buf_adds(b, "Subject: ") < 0 ? -1
						       : tc_buf_add(b, s, n);
	rc |= tc_buf_adds(b, "Subject: =?UTF-8?Q?");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ')
			rc |= tc_buf_addch(b, '_');
		else if (c > ' ' && c < 0x7f && c != '=' && c != '?' &&
			 c != '_')
			rc |= tc_buf_addch(b, (char)c);
		else if (c >= ' ')
			rc |= tc_buf_addf(b, "=%c%c", hex[c >> 4], hex[c & 15]);
	}
	rc |= tc_buf_adds(b, "?=");
	return rc ? -1 : 0;
}

char *intake_mail_entry(const struct intake_ctx *ctx,
			const struct intake_shell *sh, const char *ref,
			const cJSON *fields)
{
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(fields, TC_F_EMAIL);
	struct intake_mark marks[2] = {{TC_MARK_REFERENCE, NULL, ref},
				       {MARK_RECEIVED, NULL, NULL}};
	const char *text, *nl, *body;
	struct tc_buf msg = TC_BUF_INIT, filled = TC_BUF_INIT;
	char when[64], date[64];
	struct tm tm;
	time_t now = time(NULL);
	cJSON *o = NULL;
	char *out = NULL;

	if (!ctx->opt->mail_from || !sh->mail_text || !cJSON_IsString(to) ||
	    !intake_mail_address_ok(to->valuestring))
		return NULL;
	if (!localtime_r(&now, &tm) ||
	    !strftime(when, sizeof(when), "%-d %B %Y at %H:%M", &tm) ||
	    !strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm))
		return NULL;
	/* Plain text: the values go in as they are. The first line is
	 * "Subject: ...", then a blank line. */
	marks[1].html = when;
	if (intake_fill(&filled, sh->mail_text, marks, 2) < 0)
		goto out;
	text = filled.data;
	nl = strchr(text, '\n');
	if (strncmp(text, "Subject: ", 9) || !nl)
		goto out;
	body = nl + 1;
	while (*body == '\n')
		body++;
	if (tc_buf_addf(&msg, "From: %s\nTo: %s\nDate: %s\n",
			ctx->opt->mail_from, to->valuestring, date) < 0)
		goto out;
	if (put_subject(&msg, text + 9, (size_t)(nl - text - 9)) < 0 ||
	    tc_buf_adds(&msg, "\nMIME-Version: 1.0\n"
			      "Content-Type: text/plain; charset=utf-8\n"
			      "Content-Transfer-Encoding: 8bit\n"
			      "Auto-Submitted: auto-generated\n\n") < 0 ||
	    tc_buf_adds(&msg, body) < 0)
		goto out;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "format", "threecs-mail/1") ||
	    !cJSON_AddStringToObject(o, "id", ref) ||
	    !cJSON_AddStringToObject(o, "from", ctx->opt->mail_from) ||
	    !cJSON_AddStringToObject(o, "to", to->valuestring) ||
	    !cJSON_AddNumberToObject(o, "attempts", 0) ||
	    !cJSON_AddNumberToObject(o, "next", 0) ||
	    !cJSON_AddStringToObject(o, "message", msg.data))
		goto out;
	out = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	tc_buf_release(&msg);
	tc_buf_release(&filled);
	return out;
}

int intake_mail_stage(const struct intake_ctx *ctx, const char *ref,
		      const char *entry)
{
	struct tc_buf p = TC_BUF_INIT;
	int rc = -1;

	if (tc_buf_addf(&p, "%s/%s" INTAKE_OUTBOX_STAGED, ctx->spool_outbox,
			ref) == 0 &&
	    intake_write_new(p.data, entry, strlen(entry)) == 0)
		rc = 0;
	else
		tc_warn("%s: cannot write the confirmation email (it will "
			"not be sent)",
			p.data ? p.data : ref);
	tc_buf_release(&p);
	return rc;
}

void intake_mail_unstage(const struct intake_ctx *ctx, const char *ref)
{
	struct tc_buf p = TC_BUF_INIT;

	if (tc_buf_addf(&p, "%s/%s" INTAKE_OUTBOX_STAGED, ctx->spool_outbox,
			ref) == 0)
		(void)unlink(p.data);
	tc_buf_reset(&p);
	if (tc_buf_addf(&p, "%s/%s.json", ctx->spool_outbox, ref) == 0)
		(void)unlink(p.data);
	tc_buf_release(&p);
}

int intake_mail_recover(const struct intake_ctx *ctx)
{
	struct tc_buf from = TC_BUF_INIT, to = TC_BUF_INIT;
	char **names = NULL, ref[TC_SUBMISSION_ID_LEN + 1];
	size_t n = 0, i;
	int rc = -1;

	if (tc_fs_list(ctx->spool_outbox, &names, &n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (strlen(names[i]) !=
			TC_SUBMISSION_ID_LEN + strlen(INTAKE_OUTBOX_STAGED) ||
		    strcmp(names[i] + TC_SUBMISSION_ID_LEN,
			   INTAKE_OUTBOX_STAGED))
			continue;
		memcpy(ref, names[i], TC_SUBMISSION_ID_LEN);
		ref[TC_SUBMISSION_ID_LEN] = '\0';
		tc_buf_reset(&from);
		tc_buf_reset(&to);
		if (tc_buf_addf(&from, "%s/%s", ctx->spool_outbox, names[i]) <
			0 ||
		    tc_buf_addf(&to, "%s/%s.json", ctx->spool_outbox, ref) < 0)
			goto out;
		if (intake_ref_valid(ref) && intake_spool_stored(ctx, ref)) {
			if (rename(from.data, to.data) < 0)
				goto out;
		} else if (unlink(from.data) < 0) {
			goto out;
		}
	}
	rc = tc_fs_sync_dir(ctx->spool_outbox);
out:
	tc_fs_names_free(names, n);
	tc_buf_release(&from);
	tc_buf_release(&to);
	return rc;
}

/* ---- intake mail ------------------------------------------------------ */

/* Runs sendmail with msg on its input; 0 when it exited 0. */
static int run_sendmail(const char *sendmail, const char *from, const char *to,
			const char *msg)
{
	int fds[2], status = 0, waited = 0;
	size_t len = strlen(msg), off = 0;
	pid_t pid, got;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(fds[0], 0) < 0)
			_exit(127);
		execl(sendmail, sendmail, "-i", "-f", from, "--", to,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	while (off < len) {
		ssize_t n = write(fds[1], msg + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fds[1]);
	for (;;) {
		got = waitpid(pid, &status, WNOHANG);
		if (got == pid || (got < 0 && errno != EINTR))
			break;
		if (waited++ >= SEND_TIMEOUT * 10) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			return -1;
		}
		usleep(100000);
	}
	return off == len && got == pid && WIFEXITED(status) &&
		       WEXITSTATUS(status) == 0
		   ? 0
		   : -1;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* What happened to one entry, for the summary. */
enum sent { SENT, WAITING, RETRY, GAVE_UP, BROKEN };

static enum sent send_one(const struct intake_mail_options *o, const char *dir,
			  const char *name, time_t now)
{
	struct tc_buf path = TC_BUF_INIT, sending = TC_BUF_INIT,
		      json = TC_BUF_INIT;
	const cJSON *from, *to, *msg, *att, *next;
	cJSON *doc = NULL;
	enum sent r = BROKEN;
	char *again = NULL;
	int attempts;

	if (tc_buf_addf(&path, "%s/%s", dir, name) < 0 ||
	    tc_buf_addf(&sending, "%s/%.*s.sending", dir,
			(int)(strlen(name) - 5), name) < 0 ||
	    tc_fs_read(path.data, 4u << 20, &json) < 0 ||
	    !(doc = cJSON_ParseWithLength(json.data, json.len))) {
		tc_warnx("%s: not a mail entry: left alone", path.data);
		goto out;
	}
	from = cJSON_GetObjectItemCaseSensitive(doc, "from");
	to = cJSON_GetObjectItemCaseSensitive(doc, "to");
	msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
	att = cJSON_GetObjectItemCaseSensitive(doc, "attempts");
	next = cJSON_GetObjectItemCaseSensitive(doc, "next");
	if (!cJSON_IsString(from) || !cJSON_IsString(to) ||
	    !cJSON_IsString(msg) || !cJSON_IsNumber(att) ||
	    !intake_mail_address_ok(from->valuestring) ||
	    !intake_mail_address_ok(to->valuestring)) {
		tc_warnx("%s: not a mail entry: left alone", path.data);
		goto out;
	}
	if (!o->retry_now && cJSON_IsNumber(next) &&
	    next->valuedouble > (double)now) {
		r = WAITING;
		goto out;
	}
	if (rename(path.data, sending.data) < 0 || sync_dir(dir) < 0) {
		tc_warn("%s: cannot mark it as sending", path.data);
		goto out;
	}
	if (run_sendmail(o->sendmail, from->valuestring, to->valuestring,
			 msg->valuestring) == 0) {
		if (unlink(sending.data) < 0 || sync_dir(dir) < 0)
			tc_warn("%s: sent, but cannot remove it", sending.data);
		printf("mail: %.*s sent\n", (int)(strlen(name) - 5), name);
		r = SENT;
		goto out;
	}
	attempts = (int)att->valuedouble + 1;
	if (attempts >= MAX_ATTEMPTS) {
		tc_warnx("%s: sendmail failed %d times: given up, not sent",
			 path.data, attempts);
		r = unlink(sending.data) == 0 ? GAVE_UP : BROKEN;
		(void)sync_dir(dir);
		goto out;
	}
	cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "attempts"),
			     attempts);
	if (cJSON_IsNumber(next))
		cJSON_SetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(doc, "next"),
		    (double)now + (attempts < 6 ? 60 << attempts : 3600));
	again = cJSON_PrintUnformatted(doc);
	if (!again ||
	    tc_fs_write_atomic_ex(path.data, again, strlen(again), 0600, 0) <
		0 ||
	    unlink(sending.data) < 0 || sync_dir(dir) < 0) {
		tc_warn("%s: cannot keep it to try again", path.data);
		goto out;
	}
	tc_warnx("%s: sendmail failed (attempt %d of %d): kept to try again",
		 path.data, attempts, MAX_ATTEMPTS);
	r = RETRY;
out:
	cJSON_free(again);
	cJSON_Delete(doc);
	tc_buf_release(&path);
	tc_buf_release(&sending);
	tc_buf_release(&json);
	return r;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n > m && !strcmp(s + n - m, tail);
}

int intake_mail(const struct intake_mail_options *o)
{
	struct tc_buf dir = TC_BUF_INIT, p = TC_BUF_INIT;
	char **names = NULL;
	size_t n = 0, i, counts[5] = {0};
	int lock = -1, rc = TC_EXIT_ENV;
	time_t now = time(NULL);

	if (tc_buf_addf(&dir, "%s/outbox", o->spool) < 0 ||
	    tc_buf_addf(&p, "%s/.mail.lock", o->spool) < 0)
		goto out;
	lock = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		tc_warn("%s: cannot take the lock (is another intake mail "
			"running?)",
			p.data);
		goto out;
	}
	if (tc_fs_list(dir.data, &names, &n) < 0) {
		if (errno == ENOENT) {
			printf("mail: nothing to send\n");
			rc = TC_EXIT_OK;
		} else {
			tc_warn("%s: cannot read the outbox", dir.data);
		}
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!ends_with(names[i], ".sending"))
			continue;
		tc_buf_reset(&p);
		if (tc_buf_addf(&p, "%s/%s", dir.data, names[i]) < 0)
			goto out;
		tc_warnx("%s: a run stopped while sending it, so it may have "
			 "gone: not sent again",
			 p.data);
		if (unlink(p.data) < 0)
			tc_warn("%s: cannot remove it", p.data);
	}
	for (i = 0; i < n; i++)
		if (ends_with(names[i], ".json"))
			counts[send_one(o, dir.data, names[i], now)]++;
	(void)sync_dir(dir.data);
	printf("mail: %zu sent, %zu to try again, %zu waiting, %zu given up, "
	       "%zu unreadable\n",
	       counts[SENT], counts[RETRY], counts[WAITING], counts[GAVE_UP],
	       counts[BROKEN]);
	rc = counts[RETRY] || counts[GAVE_UP] || counts[BROKEN] ? TC_EXIT_ENV
								: TC_EXIT_OK;
out:
	if (lock >= 0)
		close(lock);
	tc_fs_names_free(names, n);
	tc_buf_release(&dir);
	tc_buf_release(&p);
	return rc;
}
