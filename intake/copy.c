/*
 * copy.c: the pages a resident sees once a form is stored: the
 * confirmation page with their reference, and a printable copy of what
 * they sent.
 *
 * Both need the receipt the 303 carried (spool.c), so only the browser
 * that sent the form can open them. The copy is read from the submission
 * itself while it waits in ready/, for COPY_SECONDS after it was received;
 * nothing else of it is kept for the purpose. After that, or once it has
 * been bundled, the address is a 404.
 */
#define _XOPEN_SOURCE 700 /* strptime */

#include "serve_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "escape.h"
#include "fsutil.h"
#include "template.h"

/* How long the copy can be opened, from when the form was received. */
#define COPY_SECONDS 3600

/* The reference and receipt of the request, checked; NULL when not. */
static const char *checked_ref(struct MHD_Connection *c, struct intake_req *rq,
			       const struct intake_shell *sh, const char **k)
{
	const char *ref =
	    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ref");

	*k = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "k");
	if (!ref || !intake_ref_valid(ref) ||
	    !intake_receipt_ok(rq->ctx, tc_form_id(sh->form), ref, *k))
		return NULL;
	return ref;
}

enum MHD_Result intake_received(struct MHD_Connection *c, struct intake_req *rq,
				const struct intake_shell *sh)
{
	struct tc_buf out = TC_BUF_INIT, copy = TC_BUF_INIT;
	const char *k, *ref = checked_ref(c, rq, sh, &k);
	struct intake_mark marks[2] = {{TC_MARK_REFERENCE, ref, NULL},
				       {TC_MARK_COPY, NULL, NULL}};
	enum MHD_Result ret;
	int built;

	if (!ref)
		return intake_send_not_found(c, rq);
	built = tc_buf_addf(&copy, "/submit/%s/copy?ref=%s&k=%s",
			    tc_form_id(sh->form), ref, k) == 0;
	marks[1].text = copy.data;
	built = built && intake_fill(&out, sh->received_page, marks, 2) == 0;
	ret = intake_send_html(c, rq, 200, built, &out);
	tc_buf_release(&out);
	tc_buf_release(&copy);
	return ret;
}

/* "4 December 2026 at 14:05" in the server's time zone, from the
 * submission's UTC time; 0, or -1 when it is not one. */
static int received_words(const char *utc, time_t *when, char *out, size_t n)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(utc, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*when = timegm(&tm);
	if (*when == (time_t)-1 || !localtime_r(when, &tm) ||
	    !strftime(out, n, "%-d %B %Y at %H:%M", &tm))
		return -1;
	return 0;
}

/* The submission REF in ready/, parsed; NULL (errno ENOENT) when it is
 * not there. */
static cJSON *read_waiting(const struct intake_ctx *ctx, const char *ref)
{
	struct tc_buf path = TC_BUF_INIT, json = TC_BUF_INIT;
	cJSON *doc = NULL;

	if (tc_buf_addf(&path, "%s/%s/submission.json", ctx->spool_ready,
			ref) == 0 &&
	    tc_fs_read(path.data, 8u << 20, &json) == 0)
		doc = cJSON_ParseWithLength(json.data, json.len);
	tc_buf_release(&path);
	tc_buf_release(&json);
	return doc;
}

enum MHD_Result intake_copy(struct MHD_Connection *c, struct intake_req *rq,
			    const struct intake_shell *sh)
{
	struct tc_buf answers = TC_BUF_INIT, out = TC_BUF_INIT;
	const char *k, *ref = checked_ref(c, rq, sh, &k);
	struct intake_mark mark = {TC_MARK_ANSWERS, NULL, NULL};
	cJSON *doc = NULL, *ctx = NULL, *rows;
	int built;
	const cJSON *form, *received;
	struct tc_error err;
	char when[64];
	time_t at;
	enum MHD_Result ret;

	if (!ref || !(doc = read_waiting(rq->ctx, ref)))
		return intake_send_not_found(c, rq);
	form = cJSON_GetObjectItemCaseSensitive(doc, "form");
	received = cJSON_GetObjectItemCaseSensitive(doc, "received");
	if (!cJSON_IsString(form) ||
	    strcmp(form->valuestring, tc_form_id(sh->form)) ||
	    !cJSON_IsString(received) ||
	    received_words(received->valuestring, &at, when, sizeof(when)) <
		0 ||
	    time(NULL) - at > COPY_SECONDS) {
		ret = intake_send_not_found(c, rq);
		goto done;
	}
	rows = tc_form_answers(
	    sh->form, cJSON_GetObjectItemCaseSensitive(doc, "fields"),
	    cJSON_GetObjectItemCaseSensitive(doc, "attachments"));
	ctx = cJSON_CreateObject();
	tc_error_clear(&err);
	if (!rows || !ctx || !cJSON_AddItemToObject(ctx, "answers", rows)) {
		cJSON_Delete(rows);
		ret = intake_send_internal_error(c, rq);
		goto done;
	}
	built = cJSON_AddStringToObject(ctx, "reference", ref) &&
		cJSON_AddStringToObject(ctx, "received", when) &&
		tc_tpl_render(rq->forms->answers, "answers", ctx, &answers,
			      &err) == 0;
	mark.html = answers.data;
	built = built && intake_fill(&out, sh->copy_page, &mark, 1) == 0;
	ret = intake_send_html(c, rq, 200, built, &out);
done:
	cJSON_Delete(doc);
	cJSON_Delete(ctx);
	tc_buf_release(&answers);
	tc_buf_release(&out);
	return ret;
}
