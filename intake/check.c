/*
 * check.c: check your answers, for a form with check_answers (the
 * default).
 *
 * A valid post is not stored yet: its answers go to tmp/REF/held.json
 * beside its files (held.json names them, so that a change keeps them, and
 * holds the answers too: a draft is held files with answers), and the
 * resident sees the check page: every answer under its
 * question with a link to change it, and a Send button that posts the
 * draft's token (signed, as receipts are). Only that post stores the
 * submission, durably, and answers 303. A change opens the form with the
 * draft's answers and its files kept; posting it makes a new draft that
 * takes the files, and the old one goes. A draft is kept for as long as
 * held files are (held.c), then swept; nothing of it outlives that.
 */
#include "serve_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "escape.h"
#include "fsutil.h"
#include "template.h"

int intake_draft_write(const struct intake_ctx *ctx, const char *form,
		       const char *ref, const cJSON *values, const cJSON *atts)
{
	char held[48];

	/* The sweep reads its expiry, as for any files held. */
	return intake_held_keep(ctx, form, ref, atts, values, held);
}

cJSON *intake_draft_read(const struct intake_ctx *ctx, const char *form,
			 const char *token, char ref[12])
{
	struct tc_buf path = TC_BUF_INIT;
	cJSON *doc = NULL, *exp;
	const cJSON *f;

	if (!intake_token_ref(ctx, "draft", form, token, ref))
		return NULL;
	doc = intake_tmp_read_json(ctx, ref, "held.json", INTAKE_HELD_MAX);
	if (!doc)
		goto out;
	exp = cJSON_GetObjectItemCaseSensitive(doc, "expires");
	if (!cJSON_IsNumber(exp) || exp->valuedouble < (double)time(NULL)) {
		/* Past its time: gone now, not at the next sweep. */
		if (tc_buf_addf(&path, "%s/%s", ctx->spool_tmp, ref) == 0)
			(void)tc_fs_remove_tree(path.data);
		goto bad;
	}
	f = cJSON_GetObjectItemCaseSensitive(doc, "form");
	if (!cJSON_IsString(f) || strcmp(f->valuestring, form) ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "fields")) ||
	    !cJSON_IsArray(
		cJSON_GetObjectItemCaseSensitive(doc, "attachments")))
		goto bad;
	goto out;
bad:
	cJSON_Delete(doc);
	doc = NULL;
out:
	tc_buf_release(&path);
	return doc;
}

int intake_draft_restore(const struct intake_ctx *ctx, const char *form,
			 const char *ref)
{
	struct tc_buf path = TC_BUF_INIT;
	cJSON *sub;
	const cJSON *f;
	int rc = -1;

	sub =
	    intake_tmp_read_json(ctx, ref, "submission.json", INTAKE_HELD_MAX);
	f = cJSON_GetObjectItemCaseSensitive(sub, "form");
	if (!cJSON_IsString(f) || strcmp(f->valuestring, form) ||
	    tc_buf_addf(&path, "%s/%s/submission.json", ctx->spool_tmp, ref) <
		0)
		goto out;
	if (intake_draft_write(
		ctx, form, ref, cJSON_GetObjectItemCaseSensitive(sub, "fields"),
		cJSON_GetObjectItemCaseSensitive(sub, "attachments")) == 0 &&
	    unlink(path.data) == 0)
		rc = 0;
out:
	cJSON_Delete(sub);
	tc_buf_release(&path);
	return rc;
}

int intake_check_render(struct intake_req *rq, const struct intake_shell *sh,
			const char *ref, const cJSON *values, const cJSON *atts,
			struct tc_buf *out)
{
	const char *form = tc_form_id(sh->form);
	struct tc_buf answers = TC_BUF_INIT, link = TC_BUF_INIT;
	struct intake_mark marks[2] = {{TC_MARK_ANSWERS, NULL, NULL},
				       {TC_MARK_DRAFT, NULL, NULL}};
	cJSON *ctx = cJSON_CreateObject(), *rows, *row;
	struct tc_error err;
	char token[48];
	int rc = -1;

	intake_token(rq->ctx, "draft", form, ref, token);
	rows = tc_form_answers(sh->form, values, atts);
	if (!ctx || !rows || !cJSON_AddItemToObject(ctx, "answers", rows)) {
		cJSON_Delete(rows);
		goto out;
	}
	cJSON_ArrayForEach(row, rows)
	{
		const cJSON *name =
		    cJSON_GetObjectItemCaseSensitive(row, "name");

		tc_buf_reset(&link);
		if (!cJSON_IsString(name) ||
		    tc_buf_addf(&link, "/submit/%s/change?d=%s#%s", form, token,
				name->valuestring) < 0 ||
		    !cJSON_AddStringToObject(row, "change", link.data))
			goto out;
	}
	tc_error_clear(&err);
	if (tc_tpl_render(rq->forms->answers, "answers", ctx, &answers, &err) <
	    0)
		goto out;
	marks[0].html = answers.data;
	marks[1].text = token;
	if (intake_fill(out, sh->check_page, marks, 2) < 0)
		goto out;
	rc = 0;
out:
	cJSON_Delete(ctx);
	tc_buf_release(&answers);
	tc_buf_release(&link);
	return rc;
}

enum MHD_Result intake_change(struct MHD_Connection *c, struct intake_req *rq,
			      const struct intake_shell *sh)
{
	const char *form = tc_form_id(sh->form), *token;
	struct tc_buf out = TC_BUF_INIT, action = TC_BUF_INIT,
		      html = TC_BUF_INIT;
	struct intake_mark mark = {TC_MARK_FORM, NULL, NULL};
	cJSON *doc, *values;
	char ref[12], htok[48];
	enum MHD_Result ret;
	int built;

	token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "d");
	if (!tc_form_check_answers(sh->form) ||
	    !(doc = intake_draft_read(rq->ctx, form, token, ref)))
		return intake_send_status(c, rq, TC_STATUS_EXPIRED, NULL, NULL,
					  NULL);
	values = cJSON_GetObjectItemCaseSensitive(doc, "fields");
	intake_token(rq->ctx, "held", form, ref, htok);
	built = intake_held_describe(values, htok,
				     cJSON_GetObjectItemCaseSensitive(
					 doc, "attachments")) == 0 &&
		tc_buf_addf(&action, "/submit/%s", form) == 0 &&
		tc_form_render(sh->form, action.data, values, NULL, &html) == 0;
	mark.html = html.data;
	built = built && intake_fill(&out, sh->form_page, &mark, 1) == 0;
	ret = intake_send_html(c, rq, 200, built, &out);
	cJSON_Delete(doc);
	tc_buf_release(&out);
	tc_buf_release(&action);
	tc_buf_release(&html);
	return ret;
}
