/*
 * restrict_letter.c: the letters of the unreasonable behaviour policy,
 * drafted from the restrictions register (see restrict.h): the warning
 * given before any restriction, the restriction imposed, each review that
 * keeps or changes it, and its lifting. Each goes to
 * letters/restriction-RN-WHAT.html under the data folder (a review's under
 * its date, so none is overwritten by a later one). A restriction
 * recorded on a case writes to the case's resident as their case's
 * letters do: to the address they gave, in large print when they asked
 * for it, and as plain text too when their letters go by email.
 */
#include "restrict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casepack.h"
#include "err.h"
#include "fields.h"
#include "fsutil.h"
#include "letterhead.h"
#include "letters.h"

/* What the register says of a restriction, for its letter (owned). */
struct facts {
	cJSON *ctx;	    /* the letter's context */
	char status[16];    /* active, lifted or warning */
	int64_t case_id;    /* the case it was recorded on, or 0 */
	int64_t warning_id; /* the warning it followed, or 0 */
	char last_review[11], last_outcome[16];
};

static void ctx_date(cJSON *ctx, const char *name, const char *ymd)
{
	tc_day d;

	cw_ctx_day_words(ctx, name, tc_day_parse(ymd, &d) < 0 ? CW_NODAY : d);
}

static int fact_row(const struct cw_restriction_row *r, void *arg)
{
	struct facts *f = arg;
	cJSON *ctx = f->ctx;

	snprintf(f->status, sizeof(f->status), "%s", r->status);
	f->case_id = r->case_id;
	f->warning_id = r->warning_id;
	if (*r->name && strcmp(r->name, "[removed]"))
		cw_ctx_str(ctx, "name", r->name);
	cw_ctx_str(ctx, "kind", cw_restrict_kind_label(r->kind));
	cw_ctx_str(ctx, "kind_id", r->kind);
	cw_ctx_str(ctx, "reason", r->reason);
	cw_ctx_str(ctx, "expected", r->expected);
	cw_ctx_str(ctx, "contact", r->contact);
	ctx_date(ctx, "start", r->start);
	ctx_date(ctx, "review", r->review);
	ctx_date(ctx, "lifted", r->lifted);
	cw_ctx_str(ctx, "scope", r->scope);
	return 0;
}

static int warning_row(const struct cw_restriction_row *r, void *arg)
{
	struct facts *f = arg;

	ctx_date(f->ctx, "warned", r->start);
	cw_ctx_str(f->ctx, "warned_reason", r->reason);
	return 0;
}

static int review_row(const struct cw_restriction_review *rv, void *arg)
{
	struct facts *f = arg;

	snprintf(f->last_review, sizeof(f->last_review), "%s", rv->date);
	snprintf(f->last_outcome, sizeof(f->last_outcome), "%s", rv->outcome);
	return 0;
}

/* The rules' facts every letter of the policy gives: the service, the
 * time to appeal, the review period and the Ombudsman. */
static void policy_ctx(struct cw_env *env, cJSON *ctx)
{
	const char *scope = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(ctx, "scope"));
	const struct tc_rules *r = env->rules;
	const struct tc_procedure *p = NULL;
	tc_day by;

	if (scope && strcmp(scope, "council")) {
		cw_ctx_str(ctx, "service_area", scope);
		cw_ctx_str(ctx, "service", cw_service_name(env, scope));
		p = tc_rules_procedure(r, tc_rules_procedure_for(r, scope));
	}
	if (!p && r->nproc)
		p = &r->proc[0];
	if (p) {
		cw_ctx_str(ctx, "ombudsman", p->ombudsman);
		cw_ctx_str(ctx, "ombudsman_url", p->ombudsman_url);
	}
	cw_ctx_day_words(ctx, "today", env->today);
	cw_ctx_num(ctx, "appeal_days", r->restriction_appeal_days, 0);
	if (tc_calendar_add_working(r->cal, env->today,
				    r->restriction_appeal_days, &by) < 0)
		by = CW_NODAY;
	cw_ctx_day_words(ctx, "appeal_by", by);
	cw_ctx_num(ctx, "review_months", r->restriction_review_months, 0);
}

/* What the restriction's case says of how to write to its resident:
 * their address into ctx, *pt the large print asked for, *email whether
 * letters go by email. 0 or -1 (printed). */
static int case_format(struct cw_env *env, int64_t case_id, cJSON *ctx, int *pt,
		       int *email)
{
	struct tc_buf raw = {tc_buf_empty, 0, 0, 0};
	struct cw_case c;
	cJSON *sub = NULL;
	const cJSON *fields;
	int found, rc = -1;

	*pt = *email = 0;
	if (!case_id)
		return 0;
	found = cw_store_case_load_id(env->reg, case_id, &c);
	if (found <= 0)
		return found;
	/* a purged case keeps no address */
	rc = cw_store_case_purged(env->reg, case_id);
	if (rc != 0 || !c.submission_id) {
		rc = rc < 0 ? -1 : 0;
		goto out;
	}
	rc = -1;
	if (cw_submission_read(env, c.submission_id, &raw, &sub) < 0)
		goto out;
	fields = cJSON_GetObjectItemCaseSensitive(sub, "fields");
	/* recorded on a case, the restriction names the case's resident */
	if (!cJSON_GetObjectItemCaseSensitive(ctx, "name") &&
	    cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(fields, TC_F_FULL_NAME)))
		cw_ctx_str(
		    ctx, "name",
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			fields, TC_F_FULL_NAME)));
	cw_letter_recipient(ctx, fields,
			    cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(ctx, "name")));
	*pt = cw_letter_large_print(&c, fields);
	*email = cw_letter_by_email(fields);
	cw_ctx_str(ctx, "case_reference", c.reference);
	rc = 0;
out:
	cJSON_Delete(sub);
	tc_buf_release(&raw);
	cw_case_release(&c);
	return rc;
}

/* Writes the drafts of letter which as base.html (base-large-print.html
 * when pt, base.txt when email) under letters/. 0 or -1 (printed). */
static int write_drafts(struct cw_env *env, const char *which, const cJSON *ctx,
			const char *label, const char *base, int pt, int email)
{
	struct tc_buf out = {tc_buf_empty, 0, 0, 0},
		      p = {tc_buf_empty, 0, 0, 0};
	int v, rc = -1;

	cw_env_path(env, "letters", &p);
	if (tc_fs_mkdirs(p.data, cw_dir_mode()) < 0) {
		tc_warn("cannot make '%s'", p.data);
		goto out;
	}
	/* 0: the letter; 1: in large print; 2: as plain text */
	for (v = 0; v < 3; v++) {
		if ((v == 1 && !pt) || (v == 2 && !email))
			continue;
		tc_buf_reset(&out);
		if ((v == 2 ? cw_letter_text(env, which, ctx, &out)
			    : cw_letter_html(env, which, ctx, label, v ? pt : 0,
					     &out)) < 0)
			goto out;
		tc_buf_reset(&p);
		cw_env_path(env, "letters/", &p);
		if (tc_buf_addf(&p, "%s%s", base,
				v == 2	 ? ".txt"
				: v == 1 ? "-large-print.html"
					 : ".html") < 0)
			tc_die_nomem();
		if (tc_fs_write_atomic(p.data, out.data, out.len, cw_file_mode()) < 0) {
			tc_warn("cannot write '%s'", p.data);
			goto out;
		}
		printf("draft letter: %s\n", p.data);
	}
	rc = 0;
out:
	tc_buf_release(&out);
	tc_buf_release(&p);
	return rc;
}

int cw_restrict_letter(struct cw_env *env, int64_t id)
{
	struct facts f;
	char which[32], label[64], base[80], tpl[48];
	int r, pt, email, rc = -1;

	memset(&f, 0, sizeof(f));
	f.ctx = cJSON_CreateObject();
	if (!f.ctx)
		tc_die_nomem();
	r = cw_store_restriction_find(env->reg, id, fact_row, &f);
	if (r <= 0) {
		if (r == 0)
			tc_warnx("no restriction R%lld", (long long)id);
		goto out;
	}
	if (f.warning_id && cw_store_restriction_find(env->reg, f.warning_id,
						      warning_row, &f) < 0)
		goto out;
	if (cw_store_restriction_reviews(env->reg, id, review_row, &f) < 0)
		goto out;
	policy_ctx(env, f.ctx);
	if (!strcmp(f.status, "warning"))
		snprintf(which, sizeof(which), "warning");
	else if (!strcmp(f.status, "lifted"))
		snprintf(which, sizeof(which), "lifted");
	else if (f.last_review[0]) {
		snprintf(which, sizeof(which), "review");
		ctx_date(f.ctx, "reviewed", f.last_review);
		cw_ctx_bool(f.ctx, "varied", !strcmp(f.last_outcome, "vary"));
	} else
		snprintf(which, sizeof(which), "imposed");
	cw_ctx_bool(f.ctx, "followed_warning", f.warning_id != 0);
	if (case_format(env, f.case_id, f.ctx, &pt, &email) < 0)
		goto out;
	snprintf(label, sizeof(label), "Restriction R%lld, %s", (long long)id, which);
	snprintf(base, sizeof(base), "restriction-R%lld-%s%s%s", (long long)id,
		 which, strcmp(which, "review") ? "" : "-",
		 strcmp(which, "review") ? "" : f.last_review);
	snprintf(tpl, sizeof(tpl), "restriction-%s", which);
	rc = write_drafts(env, tpl, f.ctx, label, base, pt, email);
out:
	cJSON_Delete(f.ctx);
	return rc;
}
