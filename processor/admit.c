/*
 * admit.c: a submission checked and admitted (see admit.h): its format,
 * its fields against its form and its files by their content, then the
 * case or record made from it by the rules.
 */
#include "admit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "bundlezip.h"
#include "case.h"
#include "fields.h"
#include "forms.h"
#include "fsutil.h"
#include "restrict.h"
#include "sha256.h"
#include "utf8.h"

/* Bytes of problems kept for one reason.txt. */
#define MAX_PROBLEMS (64u * 1024)

/* Adds a line to b, up to MAX_PROBLEMS bytes; past that, says once that
 * there were more, so hostile input cannot make the text grow without
 * end. */
void cw_reasonf(struct tc_buf *b, const char *fmt, ...)
{
	static const char more[] = "(and more problems, not listed)\n";
	va_list ap;
	size_t start;

	if (b->len >= MAX_PROBLEMS) {
		if (b->len < sizeof(more) - 1 ||
		    memcmp(b->data + b->len - (sizeof(more) - 1), more,
			   sizeof(more) - 1))
			if (tc_buf_adds(b, more) < 0)
				tc_die_nomem();
		return;
	}
	va_start(ap, fmt);
	start = b->len;
	if (tc_buf_vaddf(b, fmt, ap) < 0)
		tc_die_nomem();
	va_end(ap);
	/* A line may quote a name the bundle chose (a field's): control
	 * characters, C1 ones included, become '?' in reason.txt, the register
	 * and the terminal alike. */
	tc_utf8_mask_controls(b->data + start, b->len - start);
	if (tc_buf_addch(b, '\n') < 0)
		tc_die_nomem();
}

/* The string value of a field, NULL when absent or empty. */
static const char *fval(const cJSON *fields, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, name);

	if (!cJSON_IsString(v) || !v->valuestring[0])
		return NULL;
	return v->valuestring;
}

/* A councillor's or MP's enquiry for a resident, by the rules'
 * member_enquiry_words in the relationship given, without the resident's
 * consent: a service request (with consent it is a complaint). */
static int member_enquiry(const struct tc_rules *r, const cJSON *f)
{
	const char *ob = fval(f, TC_F_ON_BEHALF), *ok = fval(f, TC_F_CONSENT);

	return ob && !strcmp(ob, "yes") && !(ok && !strcmp(ok, "yes")) &&
	       tc_rules_member_words(r, fval(f, TC_F_RELATIONSHIP));
}

/*
 * Checks submission.json as intake did (tc_submission_check), trusting
 * nothing: its attachments against files[0..n), the files received
 * (whose sizes and digests the caller checked against their bytes). Keeps
 * the parsed document in s->doc. Returns 0, or -1 with the problem in
 * s->reason.
 */
static int check_format(struct cw_sub *s, const struct tc_sub_file *files,
			size_t n)
{
	const char *what = NULL;
	struct tc_sub_check c;
	const char *sj = "submission.json";
	char why[128];

	tc_submission_check(s->json.data, s->json.len, s->id, files, n, &c);
	s->doc = c.doc;
	switch (c.problem) {
	case TC_SUB_OK:
		return 0;
	case TC_SUB_NOT_UTF8:
		cw_reasonf(&s->reason, "%s is not valid UTF-8 (byte %zu)", sj,
			   c.off);
		return -1;
	case TC_SUB_NOT_JSON:
		cw_reasonf(&s->reason, "%s:%d:%d: %s", sj, c.line, c.col,
			   tc_sub_json_why(&c, why, sizeof(why)));
		return -1;
	case TC_SUB_NOT_OBJECT:
	case TC_SUB_BAD_FORMAT:
		what = "format must be \"" TC_SUBMISSION_FORMAT "\"";
		break;
	case TC_SUB_BAD_ID:
		what = "id does not match its folder";
		break;
	case TC_SUB_ATTACHMENTS_TYPE:
		what = "'attachments' must be a list";
		break;
	case TC_SUB_ATTACHMENT_PATH:
	case TC_SUB_ATTACHMENT_SHA256:
		cw_reasonf(
		    &s->reason,
		    "%s: attachment %zu is not a file of the bundle with "
		    "that sha256",
		    sj, c.index + 1);
		return -1;
	case TC_SUB_ATTACHMENT_SIZE:
		cw_reasonf(&s->reason,
			   "%s: attachment %zu is not the size of its file", sj,
			   c.index + 1);
		return -1;
	case TC_SUB_FILE_UNLISTED:
		cw_reasonf(&s->reason,
			   "%s: files/%u is not in its 'attachments'", sj,
			   c.file);
		return -1;
	}
	cw_reasonf(&s->reason, "%s: %s", sj, what);
	return -1;
}

/*
 * Each attachment is what it is declared to be by its content, sniffed as
 * intake sniffs it (tc_sniff_type, fed as the file was read): a file
 * that lies about its type never reaches a case pack.
 */
static void check_types(struct cw_sub *s, const cJSON *att)
{
	static const char token[] = "abcdefghijklmnopqrstuvwxyz0123456789.+-/";
	const cJSON *a, *path, *type;
	const char *got, *said;
	unsigned n;

	cJSON_ArrayForEach(a, att)
	{
		path = cJSON_GetObjectItemCaseSensitive(a, "path");
		type = cJSON_GetObjectItemCaseSensitive(a, "type");
		if (!cJSON_IsString(path) ||
		    strncmp(path->valuestring, "files/", 6))
			continue; /* check_format refused it already */
		n = tc_bundle_attachment_number(path->valuestring + 6);
		got = n && s->sniffed[n] ? s->type_of[n] : NULL;
		said = cJSON_IsString(type) ? type->valuestring : NULL;
		if (got && said && !strcmp(got, said))
			continue;
		/* The declared type is the bundle's text: named only when it
		 * looks like a type. */
		if (said && (!said[0] || strlen(said) > 100 ||
			     strspn(said, token) != strlen(said)))
			said = NULL;
		cw_reasonf(
		    &s->reason,
		    "attachment '%s' is %s by its content, not %s%s%s as "
		    "declared",
		    path->valuestring, got ? got : "none of the kinds accepted",
		    said ? "'" : "", said ? said : "the type", said ? "'" : "");
	}
}

/* Checks submission.json's format, then validates it against its form. */
void cw_sub_check(struct cw_env *env, struct cw_sub *s,
		  const struct tc_sub_file *files, size_t nfiles)
{
	const struct tc_rules *r = env->rules;
	const cJSON *v, *att;
	const struct tc_form *form;
	struct tc_form_errors errs = {0};
	cJSON *vatt = NULL;
	char today[11];
	size_t i;
	int n;

	if (check_format(s, files, nfiles) < 0)
		return;
	v = cJSON_GetObjectItemCaseSensitive(s->doc, "form");
	form = cJSON_IsString(v) ? tc_forms_find(env->forms, v->valuestring)
				 : NULL;
	if (!form) {
		cw_reasonf(&s->reason, "submission.json: unknown form '%s'",
			   cJSON_IsString(v) ? v->valuestring : "");
		return;
	}
	s->form = tc_form_id(form);
	v = cJSON_GetObjectItemCaseSensitive(s->doc, "received");
	if (!cJSON_IsString(v) ||
	    tc_rules_received_date(r, v->valuestring, &s->rdate) < 0) {
		cw_reasonf(&s->reason,
			   "submission.json: 'received' is not an RFC 3339 UTC "
			   "time within the calendar's years");
		return;
	}
	s->received = v->valuestring;
	v = cJSON_GetObjectItemCaseSensitive(s->doc, "channel");
	s->channel = cJSON_IsString(v) ? v->valuestring : "web";
	if (!tc_channel_valid(s->channel)) {
		cw_reasonf(&s->reason,
			   "submission.json: 'channel' must be one of %s",
			   TC_CHANNELS);
		return;
	}
	s->fields = cJSON_GetObjectItemCaseSensitive(s->doc, "fields");
	if (!cJSON_IsObject(s->fields)) {
		cw_reasonf(&s->reason, "submission.json: 'fields' must be an "
				       "object");
		return;
	}
	att = cJSON_GetObjectItemCaseSensitive(s->doc, "attachments");
	/* The validator sees each attachment without its path and digest. */
	vatt = cJSON_CreateArray();
	if (!vatt)
		tc_die_nomem();
	for (i = 0; att && i < (size_t)cJSON_GetArraySize(att); i++) {
		const cJSON *a = cJSON_GetArrayItem(att, (int)i);
		cJSON *copy;

		copy = cJSON_Duplicate(a, 1);
		if (!copy)
			tc_die_nomem();
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "sha256");
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "path");
		cJSON_AddItemToArray(vatt, copy);
	}
	tc_day_format(s->rdate, today);
	n = tc_form_validate(form, s->fields, vatt, today, &errs);
	if (n < 0)
		tc_die_nomem();
	for (i = 0; i < errs.n; i++) {
		const char *ob = fval(s->fields, TC_F_ON_BEHALF);

		/* Made for someone without their consent: accepted and
		 * flagged for an officer, never refused (DOMAIN.md). */
		if (!strcmp(errs.v[i].field, TC_F_CONSENT) && ob &&
		    !strcmp(ob, "yes"))
			continue;
		cw_reasonf(&s->reason, "field '%s': %s", errs.v[i].field,
			   errs.v[i].message);
	}
	/* The validator drops what it does not know; casework refuses it. */
	cJSON_ArrayForEach(v, s->fields)
	{
		if (!tc_form_field_type(form, v->string))
			cw_reasonf(&s->reason, "field '%s' is not in form '%s'",
				   v->string, s->form);
		else if (!cJSON_IsString(v) && !cJSON_IsArray(v))
			cw_reasonf(&s->reason,
				   "field '%s' must be text or a list",
				   v->string);
	}
	check_types(s, att);
	tc_form_errors_release(&errs);
	cJSON_Delete(vatt);
}

/* sha256 of who the person is, from their contact details; NULL if none. */
static char *person_key(const cJSON *fields)
{
	struct tc_buf k = TC_BUF_INIT;
	const char *email = fval(fields, "email");
	const char *phone = fval(fields, "phone");
	const char *name = fval(fields, "full_name");
	const char *pc = fval(fields, "postcode");
	const char *c;
	char hex[65], *out = NULL;

	if (email) {
		tc_buf_adds(&k, "email:");
		for (c = email; *c; c++)
			if (*c != ' ')
				tc_buf_addch(&k, (*c >= 'A' && *c <= 'Z')
						     ? *c + 32
						     : *c);
	} else if (phone) {
		tc_buf_adds(&k, "phone:");
		for (c = phone; *c; c++)
			if (*c >= '0' && *c <= '9')
				tc_buf_addch(&k, *c);
	} else if (name && pc) {
		tc_buf_adds(&k, "name:");
		for (c = name; *c; c++)
			tc_buf_addch(&k,
				     (*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
		tc_buf_addch(&k, '|');
		for (c = pc; *c; c++)
			if (*c != ' ')
				tc_buf_addch(&k, (*c >= 'a' && *c <= 'z')
						     ? *c - 32
						     : *c);
	}
	if (k.len) {
		tc_sha256_hex(k.data, k.len, hex);
		out = strdup(hex);
		if (!out)
			tc_die_nomem();
	}
	tc_buf_release(&k);
	return out;
}

char *cw_new_reference(struct cw_env *env, const char *type, tc_day received)
{
	const struct tc_refformat *f = tc_rules_refformat(env->rules, type);
	int y, m, d, seq;
	char buf[64];

	if (!f)
		TC_BUG("no reference format for a case type");
	tc_day_civil(received, &y, &m, &d);
	if (cw_store_next_seq(env->reg, type, y, &seq) < 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%s-%04d-%0*d", f->prefix, y, f->digits,
		 seq);
	return tc_xstrdup(buf);
}

static int make_reference(struct cw_env *env, struct cw_case *c)
{
	c->reference = cw_new_reference(env, c->type, c->received_date);
	return c->reference ? 0 : -1;
}

int cw_flag_restricted(struct cw_env *env, struct cw_case *c,
		       const char *email, const char *phone, const char *name)
{
	struct cw_restriction_match m;
	struct tc_buf d = TC_BUF_INIT;
	int r;

	if (cw_case_has_flag(c, "restricted_contact"))
		return 0;
	r = cw_restrict_match(env->reg, email, phone, name, c->person_key,
			      c->service_area, &m);
	if (r <= 0)
		return r;
	if (m.strong) {
		if (tc_buf_addf(
			&d,
			"restriction R%lld is in force (%s; %s; review "
			"by %s): route to %s; still read it for new "
			"issues and safeguarding",
			(long long)m.id, cw_restrict_kind_label(m.kind),
			strcmp(m.scope, "council") ? m.scope : "whole council",
			m.review,
			m.contact[0] ? m.contact : "the named contact") < 0)
			tc_die_nomem();
		if (m.contact[0]) {
			free(c->team);
			c->team = tc_xstrdup(m.contact);
		}
	} else if (tc_buf_addf(&d,
			       "check: the name matches restriction R%lld "
			       "(%s) but the email and phone do not: confirm "
			       "whether it is the same person before applying "
			       "it",
			       (long long)m.id,
			       cw_restrict_kind_label(m.kind)) < 0)
		tc_die_nomem();
	cw_case_flag(c, "restricted_contact", d.data);
	tc_buf_release(&d);
	return 1;
}

/* The flags every submission from a person can carry. */
static int person_flags(struct cw_env *env, const cJSON *fields,
			struct cw_case *c)
{
	return cw_flag_restricted(env, c, fval(fields, "email"),
				  fval(fields, "phone"),
				  fval(fields, "full_name")) < 0
		   ? -1
		   : 0;
}

static int complaint_flags(struct cw_env *env, const struct cw_sub *s,
			   struct cw_case *c)
{
	const struct tc_rules *r = env->rules;
	const cJSON *f = s->fields;
	const char *when = fval(f, "when_happened");
	const struct tc_phrase *ph;
	const char *texts[] = {"what_happened", "impact", "outcome_sought"};
	tc_day wd;
	size_t i;
	char ref[64];
	int dup;

	if (!fval(f, "full_name") ||
	    (!fval(f, "email") && !fval(f, "phone") && !fval(f, "address")))
		cw_case_flag(c, "anonymous",
			     "no name or no way to reply: review without "
			     "contact, and send nothing");
	if (when && tc_day_parse(when, &wd) == 0 &&
	    wd < tc_day_add_months(s->rdate, -r->time_limit_months)) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "the problem happened on %s, more than %d months "
			 "before: decide whether there is good reason to "
			 "accept it",
			 when, r->time_limit_months);
		cw_case_flag(c, "late", msg);
	}
	if (member_enquiry(r, f))
		cw_case_flag(c, "member_enquiry",
			     "a councillor or MP asking for a resident who has "
			     "not given consent: answered as a member's "
			     "enquiry; with consent it is a complaint");
	else if (fval(f, "on_behalf") && !strcmp(fval(f, "on_behalf"), "yes") &&
		 !(fval(f, "consent") && !strcmp(fval(f, "consent"), "yes")))
		cw_case_flag(c, "third_party_without_consent",
			     "made for someone else without their consent: "
			     "obtain it before sharing anything");
	if (person_flags(env, s->fields, c) < 0)
		return -1;
	if (c->person_key && c->service_area && r->duplicate_window_days > 0) {
		dup = cw_store_find_duplicate(
		    env->reg, c->person_key, c->service_area, c->received_date,
		    r->duplicate_window_days, ref, sizeof(ref));
		if (dup < 0)
			return -1;
		if (dup) {
			char msg[200];

			snprintf(msg, sizeof(msg),
				 "same person and service as %s within %d "
				 "days: merge or treat separately",
				 ref, r->duplicate_window_days);
			cw_case_flag(c, "possible_duplicate", msg);
		}
	}
	if (strcmp(c->type, "signposted")) {
		for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			ph = tc_rules_match_phrase(r, fval(f, texts[i]));
			if (ph) {
				char msg[300];

				snprintf(msg, sizeof(msg),
					 "mentions \"%s\" (%s): decide whether "
					 "it is excluded",
					 ph->phrase, ph->reason_code);
				cw_case_flag(c, "possible_exclusion", msg);
				break;
			}
		}
	}
	if (fval(f, "adjustments"))
		cw_case_flag(c, "reasonable_adjustments",
			     "adjustments asked for: agree, record and keep "
			     "them under review");
	return 0;
}

/* A copy of in with letters in upper case and no spaces, or NULL. */
static char *postcode_norm(const char *in)
{
	struct tc_buf b = TC_BUF_INIT;

	for (; in && *in; in++)
		if (*in != ' ' && *in != '\t' &&
		    tc_buf_addch(&b, (*in >= 'a' && *in <= 'z') ? *in - 32
								: *in) < 0)
			tc_die_nomem();
	return b.len ? tc_buf_detach(&b, NULL) : NULL;
}

/* The fields that name the person rather than say what happened. */
static int identity_field(const char *name)
{
	static const char *const id[] = {"full_name", "email",	  "phone",
					 "address",   "postcode", NULL};
	size_t i;

	for (i = 0; id[i]; i++)
		if (!strcmp(id[i], name))
			return 1;
	return 0;
}

/* What search finds the person by, and the urgency the rules see in what
 * they wrote (flag urgent; the case comes first). */
static void person_details(struct cw_env *env, const cJSON *fields,
			   struct cw_case *c)
{
	char buf[512];
	const cJSON *f;

	if (cw_norm_name(fval(fields, "full_name"), buf, sizeof(buf)))
		c->name = tc_xstrdup(buf);
	if (cw_norm_email(fval(fields, "email"), buf, sizeof(buf)))
		c->email = tc_xstrdup(buf);
	if (cw_norm_phone(fval(fields, "phone"), buf, sizeof(buf)))
		c->phone = tc_xstrdup(buf);
	c->postcode = postcode_norm(fval(fields, "postcode"));
	c->priority = tc_xstrdup("normal");
	cJSON_ArrayForEach(f, fields)
	{
		const struct tc_phrase *ph;

		if (!cJSON_IsString(f) || identity_field(f->string))
			continue;
		ph = tc_rules_match_urgent(env->rules, f->valuestring);
		if (!ph)
			continue;
		snprintf(buf, sizeof(buf),
			 "mentions \"%s\" (%s): it comes first; confirm it, or "
			 "decide it is not urgent",
			 ph->phrase, ph->reason_code);
		cw_case_flag(c, "urgent", buf);
		cw_case_set_priority(c, "urgent");
		break;
	}
}

static int event(struct cw_env *env, const struct cw_case *c, int stage,
		 const char *what, tc_day date, const char *sub_id,
		 const char *by)
{
	cJSON *d = cJSON_CreateObject();
	char *txt;
	int rc;

	if (!d || !cJSON_AddStringToObject(d, "submission", sub_id))
		tc_die_nomem();
	txt = cJSON_PrintUnformatted(d);
	if (!txt)
		tc_die_nomem();
	rc = cw_store_event(env->reg, c->id, stage, what, date, txt, by,
			    env->today_s);
	free(txt);
	cJSON_Delete(d);
	return rc;
}

/* A new case or record from s; *outcome is what to count it as. */
static int new_case(struct cw_env *env, const struct cw_sub *s,
		    const char **outcome)
{
	const struct tc_rules *r = env->rules;
	const char *area = fval(s->fields, "service_area");
	const struct tc_route *route = tc_rules_route(r, area);
	const struct tc_exclusion *ex = tc_rules_exclusion(r, area);
	struct cw_case c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.submission_id = tc_xstrdup(s->id);
	c.received = tc_xstrdup(s->received);
	c.received_date = s->rdate;
	c.service_area = tc_xstrdup(area);
	c.team = tc_xstrdup(route ? route->team : r->default_team);
	c.person_key = person_key(s->fields);
	c.flags = cJSON_CreateArray();
	c.reply_due = c.replied = CW_NODAY;
	c.channel = tc_xstrdup(s->channel);
	if (!c.flags)
		tc_die_nomem();
	person_details(env, s->fields, &c);
	if (!strcmp(s->form, "complaint")) {
		const char *rb = fval(s->fields, "raised_before");

		if (ex) {
			c.type = tc_xstrdup("signposted");
			c.status = tc_xstrdup("signposted");
			*outcome = "signposted";
		} else if ((r->first_contact_as_service_request && rb &&
			    !strcmp(rb, "no")) ||
			   member_enquiry(r, s->fields)) {
			c.type = tc_xstrdup("service_request");
			c.status = tc_xstrdup("open");
			c.reply_days = r->service_request_days;
			*outcome = "case";
		} else {
			c.type = tc_xstrdup("complaint");
			c.status = tc_xstrdup("open");
			c.procedure = tc_xstrdup(
			    tc_rules_procedure_for(r, c.service_area));
			c.stage = 1;
			c.nstages = 1;
			cw_stage_open(&c.stages[0], 1, s->rdate, s->id);
			*outcome = "case";
		}
		if (make_reference(env, &c) < 0 ||
		    complaint_flags(env, s, &c) < 0 ||
		    cw_case_recompute(r, &c) < 0)
			goto out;
	} else {
		const char *t = fval(s->fields, "feedback_type");

		const char *reply = fval(s->fields, "reply_wanted");

		c.type = tc_xstrdup(t && !strcmp(t, "compliment") ? "compliment"
								  : "comment");
		c.status = tc_xstrdup("recorded");
		if (!strcmp(c.type, "comment") && reply &&
		    !strcmp(reply, "yes"))
			c.reply_days = r->comment_reply_days;
		*outcome = "record";
		if (make_reference(env, &c) < 0 ||
		    person_flags(env, s->fields, &c) < 0 ||
		    cw_case_recompute(r, &c) < 0)
			goto out;
	}
	if (cw_store_case_insert(env->reg, &c) < 0 ||
	    event(env, &c, c.stage, "received", s->rdate, s->id, s->by) < 0)
		goto out;
	if (cw_store_add_submission(env->reg, s->id, s->bundle_sha, s->form,
				    s->channel, s->received, s->rdate, *outcome,
				    c.id, env->today_s) < 0)
		goto out;
	rc = 0;
out:
	cw_case_release(&c);
	return rc;
}

/* A stage 2 (or later) request: escalate, or record it for matching. */
static int review(struct cw_env *env, const struct cw_sub *s,
		  const char **outcome)
{
	const struct tc_rules *r = env->rules;
	const char *typed = fval(s->fields, "case_reference");
	const struct tc_procedure *p;
	struct cw_case c, rec;
	char key[128], why[300];
	int found, rc = -1;

	memset(&rec, 0, sizeof(rec));
	tc_rules_ref_canonical(r, typed ? typed : "", key, sizeof(key));
	found = cw_store_case_load(env->reg, key, 0, &c);
	if (found == 0)
		found = cw_store_case_load(env->reg, key, 1, &c);
	if (found < 0)
		return -1;
	snprintf(why, sizeof(why),
		 "no case has the reference '%.100s': find the case and "
		 "escalate it with 'casework record REF escalated'",
		 key);
	if (found) {
		p = tc_rules_procedure(r, c.procedure);
		if (strcmp(c.type, "complaint") || !p)
			snprintf(why, sizeof(why),
				 "%s is a %s, not a complaint: decide how to "
				 "treat this request",
				 c.reference, c.type);
		else if (c.stage >= p->nstages)
			snprintf(why, sizeof(why),
				 "%s is already at its final stage: signpost "
				 "the Ombudsman",
				 c.reference);
		else {
			cw_case_escalate(&c, s->rdate, s->id);
			/* the request is a contact like any other */
			if (person_flags(env, s->fields, &c) < 0 ||
			    cw_case_recompute(r, &c) < 0 ||
			    cw_store_case_update(env->reg, &c) < 0 ||
			    event(env, &c, c.stage, "escalated", s->rdate,
				  s->id, s->by) < 0 ||
			    cw_store_add_submission(
				env->reg, s->id, s->bundle_sha, s->form,
				s->channel, s->received, s->rdate, "escalated",
				c.id, env->today_s) < 0)
				goto out;
			*outcome = "escalated";
			rc = 0;
			goto out;
		}
	}
	/* Not matched: a record for an officer, never dropped. */
	rec.type = tc_xstrdup("review");
	rec.status = tc_xstrdup("unmatched");
	rec.submission_id = tc_xstrdup(s->id);
	rec.received = tc_xstrdup(s->received);
	rec.received_date = s->rdate;
	rec.team = tc_xstrdup(found && c.team ? c.team : r->default_team);
	rec.service_area = tc_xstrdup(found ? c.service_area : NULL);
	rec.person_key = person_key(s->fields);
	rec.flags = cJSON_CreateArray();
	rec.reply_due = rec.replied = CW_NODAY;
	rec.channel = tc_xstrdup(s->channel);
	if (!rec.flags)
		tc_die_nomem();
	person_details(env, s->fields, &rec);
	cw_case_flag(&rec, "unmatched_review", why);
	if (make_reference(env, &rec) < 0 ||
	    person_flags(env, s->fields, &rec) < 0 ||
	    cw_store_case_insert(env->reg, &rec) < 0 ||
	    event(env, &rec, 0, "received", s->rdate, s->id, s->by) < 0 ||
	    cw_store_add_submission(env->reg, s->id, s->bundle_sha, s->form,
				    s->channel, s->received, s->rdate, "record",
				    rec.id, env->today_s) < 0)
		goto out;
	*outcome = "record";
	rc = 0;
out:
	if (found > 0)
		cw_case_release(&c);
	cw_case_release(&rec);
	return rc;
}

int cw_sub_admit(struct cw_env *env, const struct cw_sub *s,
		 const char **outcome)
{
	if (!strcmp(s->form, TC_FORM_REVIEW))
		return review(env, s, outcome);
	return new_case(env, s, outcome);
}

/*
 * The files in dir/files/, each hashed and sniffed, into h[0..*nh).
 * Returns 0, 1 after naming in problems a file that is not files/N, or -1
 * on an I/O error (printed).
 */
int cw_held_files(const char *dir, struct cw_held *h, size_t *nh,
		  struct tc_buf *problems)
{
	struct tc_buf p = TC_BUF_INIT;
	struct tc_sniffer sn;
	char **names = NULL;
	size_t n = 0, i;
	int rc = -1;

	*nh = 0;
	if (tc_buf_addf(&p, "%s/files", dir) < 0)
		tc_die_nomem();
	if (tc_fs_list(p.data, &names, &n) < 0) {
		if (errno == ENOENT) {
			rc = 0;
		} else {
			tc_warn("cannot read '%s'", p.data);
		}
		goto out;
	}
	rc = 0;
	for (i = 0; i < n; i++) {
		unsigned num = tc_bundle_attachment_number(names[i]);

		if (!num || *nh >= CW_MAX_FILES) {
			cw_reasonf(problems,
				   "file 'files/%s' is not one of a "
				   "submission's",
				   names[i]);
			rc = 1;
			continue;
		}
		tc_buf_setlen(&p, strlen(dir));
		if (tc_buf_addf(&p, "/files/%s", names[i]) < 0)
			tc_die_nomem();
		tc_sniff_init(&sn);
		if (cw_zip_hash_file(p.data, h[*nh].sha256, &sn, &h[*nh].size) <
		    0) {
			tc_warn("cannot read '%s'", p.data);
			rc = -1;
			goto out;
		}
		h[*nh].n = num;
		h[(*nh)++].type = tc_sniff_end(&sn);
	}
out:
	tc_fs_names_free(names, n);
	tc_buf_release(&p);
	return rc;
}

/*
 * Checks the submission in dir again, as ingest would: into s (json read,
 * files hashed and sniffed), problems in s->reason. 0, or -1 on an I/O
 * error (printed).
 */
int cw_sub_load_dir(struct cw_env *env, const char *dir, struct cw_sub *s)
{
	struct tc_buf p = TC_BUF_INIT;
	struct cw_held h[CW_MAX_FILES];
	struct tc_sub_file files[CW_MAX_FILES];
	size_t nh = 0, i;
	int rc = -1, r;

	if (tc_buf_addf(&p, "%s/submission.json", dir) < 0)
		tc_die_nomem();
	if (tc_fs_read(p.data, CW_MAX_SUBMISSION_JSON, &s->json) < 0) {
		if (errno != ENOENT && errno != EFBIG) {
			tc_warn("cannot read '%s'", p.data);
			goto out;
		}
		cw_reasonf(&s->reason,
			   "%s: no submission.json was kept for it (its "
			   "bundle's own check failed): ingest a corrected "
			   "bundle, or reject it",
			   errno == EFBIG ? "over the size limit" : "missing");
		rc = 0;
		goto out;
	}
	r = cw_held_files(dir, h, &nh, &s->reason);
	if (r < 0)
		goto out;
	for (i = 0; i < nh; i++) {
		files[i].n = h[i].n;
		files[i].size = h[i].size;
		files[i].sha256 = h[i].sha256;
		s->type_of[h[i].n] = h[i].type;
		s->sniffed[h[i].n] = 1;
	}
	if (!r)
		cw_sub_check(env, s, files, nh);
	rc = 0;
out:
	tc_buf_release(&p);
	return rc;
}

void cw_sub_release(struct cw_sub *s)
{
	tc_buf_release(&s->json);
	tc_buf_release(&s->reason);
	cJSON_Delete(s->doc);
	s->doc = NULL;
}
