/*
 * letterhead.c: what a letter carries around its text: the council's
 * letterhead from site.yml and the resident's name and postal address
 * (see letterhead.h).
 */
#include "letterhead.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casework.h"
#include "err.h"
#include "fields.h"
#include "fsutil.h"
#include "yamljson.h"

/* Sets o's name to s, when there is one (an absent name is false to
 * Mustache's sections). */
static void add_str(cJSON *o, const char *name, const char *s)
{
	if (s)
		cw_ctx_str(o, name, s);
}

/* Appends s[0..len) to lines as an item with "text". */
static void add_line(cJSON *lines, const char *s, size_t len)
{
	char *t = strndup(s, len);

	if (!t)
		tc_die_nomem();
	add_str(cw_ctx_item(lines), "text", t);
	free(t);
}

/* The letterhead from DIR/../site.yml (council: and contact: address,
 * phone and email) into *out; no site.yml, no letterhead.
 * 0 or -1 (a broken site.yml, reported). */
int cw_letterhead_load(const char *dir, cJSON **out)
{
	static const char *const keys[] = {"address", "phone", "email"};
	struct tc_buf p = TC_BUF_INIT;
	struct tc_yaml_doc *doc = NULL;
	struct tc_error e;
	const cJSON *root, *contact;
	const char *council;
	size_t i;
	int rc = -1;

	if (tc_fs_dirname(&p, dir) < 0 || tc_buf_adds(&p, "/site.yml") < 0)
		tc_die_nomem();
	if (access(p.data, F_OK) < 0) {
		rc = 0;
		goto out;
	}
	tc_error_clear(&e);
	doc = tc_yaml_load_file(p.data, &e);
	if (!doc) {
		tc_report(&e);
		goto out;
	}
	root = tc_yaml_root(doc);
	contact = cJSON_GetObjectItemCaseSensitive(root, "contact");
	council = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(root, "council"));
	*out = cJSON_CreateObject();
	if (!*out)
		tc_die_nomem();
	add_str(*out, "council", council);
	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		add_str(*out, keys[i],
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			    contact, keys[i])));
	rc = 0;
out:
	tc_yaml_free(doc);
	tc_buf_release(&p);
	return rc;
}

/* The resident's name and postal address, one line each (the address's
 * lines as they typed them, blank ones left out, then the postcode), as
 * o's "recipient"; nothing when they gave no address. */
void cw_letter_recipient(cJSON *o, const cJSON *fields, const char *name)
{
	const char *a = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fields, TC_F_ADDRESS));
	const char *pc = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fields, "postcode"));
	cJSON *r, *lines;
	const char *p;

	if (!a || !a[strspn(a, " \t\r\n")])
		return;
	r = cJSON_AddObjectToObject(o, "recipient");
	if (!r)
		tc_die_nomem();
	add_str(r, "name", name);
	lines = cw_ctx_arr(r, "lines");
	for (p = a; *p;) {
		size_t n = strcspn(p, "\r\n"), b = 0, e = n;

		while (b < e && (p[b] == ' ' || p[b] == '\t'))
			b++;
		while (e > b && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		if (e > b)
			add_line(lines, p + b, e - b);
		p += n;
		p += strspn(p, "\r\n");
	}
	if (pc && pc[strspn(pc, " ")] && !strstr(a, pc))
		add_line(lines, pc, strlen(pc));
}

void cw_letter_stage(cJSON *o, const struct tc_rules *r,
		     const struct cw_case *c, const struct cw_stage *s)
{
	const struct tc_procedure *p = tc_rules_procedure(r, c->procedure);
	const struct tc_stage_rule *sr = cw_case_stage_rule(r, c, s->stage);

	if (!p || !sr)
		return;
	if (sr->responder)
		cw_ctx_str(o, "responder", sr->responder);
	cw_ctx_bool(o, "no_fixed_deadline", sr->respond_days == 0);
	cw_ctx_bool(o, "no_acknowledgement_step", sr->ack_days < 0);
	cw_ctx_bool(o, "extension_exceptional", s->exceptional);
	if (sr->update_months)
		cw_ctx_num(o, "update_months", sr->update_months, 0);
	cw_ctx_day_words(o, "update_by", s->update_due);
	if (p->ombudsman_months && s->stage == p->nstages) {
		cw_ctx_num(o, "ombudsman_months", p->ombudsman_months, 0);
		if (s->responded != CW_NODAY)
			cw_ctx_day_words(
			    o, "ombudsman_by",
			    tc_day_add_months(s->responded,
					      p->ombudsman_months));
	}
}
