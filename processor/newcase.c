/*
 * newcase.c: casework new (see newcase.h).
 *
 * The submission is built in tmp/new-ID/ (submission.json and files/N),
 * checked there exactly as a submission from a bundle is checked, then
 * moved to store/ID/ and admitted in one transaction: a refusal leaves
 * nothing behind, and an accepted case is in the register with its files
 * kept for its pack.
 */
#include "newcase.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admit.h"
#include "bundle.h"
#include "err.h"
#include "forms.h"
#include "fsutil.h"
#include "jsoncheck.h"
#include "limits.h"
#include "sha256.h"
#include "utf8.h"

/* The form's first file field, or NULL. */
static const char *file_field(const struct tc_form *f)
{
	const char *name;
	size_t i;

	for (i = 0; (name = tc_form_field_name(f, i)) != NULL; i++) {
		const char *t = tc_form_field_type(f, name);

		if (t && !strcmp(t, "file"))
			return name;
	}
	return NULL;
}

/*
 * The time received as UTC RFC 3339 into out: "YYYY-MM-DD HH:MM" is local
 * time in the rules' zone; "...Z" is UTC already. Not after today. 0, or an
 * exit code after a message.
 */
static int received_utc(struct cw_env *env, const char *in, char out[21])
{
	int y, m, d, hh, mm;
	tc_day day;
	char tail;

	if (!in) {
		tc_warnx("new needs --received \"YYYY-MM-DD HH:MM\" (local "
			 "time): when the council received it");
		return TC_EXIT_USAGE;
	}
	if (sscanf(in, "%4d-%2d-%2d %2d:%2d%c", &y, &m, &d, &hh, &mm, &tail) ==
		5 &&
	    strlen(in) == 16 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= tc_days_in_month(y, m) && hh >= 0 && hh < 24 && mm >= 0 &&
	    mm < 60) {
		day = tc_day_from_civil(y, m, d);
		if (tc_local_to_utc(day, hh * 60 + mm, env->rules->time_zone,
				    out) < 0) {
			tc_warnx("cannot read the time zone '%s'",
				 env->rules->time_zone);
			return TC_EXIT_ENV;
		}
	} else if (strlen(in) == 20 && in[10] == 'T' && in[19] == 'Z' &&
		   tc_utc_to_local(in, env->rules->time_zone, &day, &mm) == 0) {
		memcpy(out, in, 21);
	} else {
		tc_warnx("--received: '%s' is not \"YYYY-MM-DD HH:MM\" (local "
			 "time) or \"YYYY-MM-DDTHH:MM:SSZ\"",
			 in);
		return TC_EXIT_USAGE;
	}
	if (tc_utc_to_local(out, env->rules->time_zone, &day, &mm) < 0 ||
	    day > env->today) {
		tc_warnx("--received: %s is after today (%s)", in,
			 env->today_s);
		return TC_EXIT_INPUT;
	}
	return 0;
}

/* The answers: the --answers file's object, then each --field. */
static int answers(const struct cw_newcase *n, cJSON **out)
{
	struct tc_buf b = TC_BUF_INIT;
	struct tc_json_check jc;
	cJSON *o = NULL;
	size_t i;
	int rc = TC_EXIT_INPUT;

	if (n->answers) {
		if (tc_fs_read(n->answers, TC_MAX_SUBMISSION_JSON, &b) < 0) {
			tc_warn("cannot read '%s'", n->answers);
			return errno == EFBIG ? TC_EXIT_INPUT : TC_EXIT_ENV;
		}
		if (tc_json_check(b.data, b.len, &jc) < 0) {
			tc_warnx("%s: byte %zu: %s", n->answers, jc.off,
				 tc_json_fault_text(jc.fault));
			goto out;
		}
		o = cJSON_ParseWithLength(b.data, b.len);
		if (!cJSON_IsObject(o)) {
			tc_warnx("%s: the answers must be one JSON object of "
				 "field names and values",
				 n->answers);
			goto out;
		}
	} else if (!(o = cJSON_CreateObject()))
		tc_die_nomem();
	for (i = 0; i < n->nfield; i++) {
		const char *eq = strchr(n->field[i], '=');
		char *name;

		if (!eq || eq == n->field[i]) {
			tc_warnx("--field '%s' is not NAME=VALUE", n->field[i]);
			rc = TC_EXIT_USAGE;
			goto out;
		}
		if (!tc_utf8_is_text(eq + 1, strlen(eq + 1), NULL)) {
			tc_warnx("--field %.*s: the value is not UTF-8 text",
				 (int)(eq - n->field[i]), n->field[i]);
			goto out;
		}
		name = tc_xstrdup(n->field[i]);
		name[eq - n->field[i]] = 0;
		cJSON_DeleteItemFromObjectCaseSensitive(o, name);
		if (!cJSON_AddStringToObject(o, name, eq + 1))
			tc_die_nomem();
		free(name);
	}
	*out = o;
	o = NULL;
	rc = 0;
out:
	cJSON_Delete(o);
	tc_buf_release(&b);
	return rc;
}

/* The file's name without its folders. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Copies each --attach file to dir/files/N and lists it in atts, declared
 * as the type its content shows. 0, or an exit code after a message. */
static int attach(const struct cw_newcase *n, const struct tc_form *form,
		  const char *dir, cJSON *atts)
{
	const char *field = n->nattach ? file_field(form) : NULL;
	struct tc_buf b = TC_BUF_INIT, p = TC_BUF_INIT;
	size_t i;
	int rc = TC_EXIT_INPUT;

	if (n->nattach && !field) {
		tc_warnx("form '%s' takes no files", tc_form_id(form));
		return TC_EXIT_USAGE;
	}
	for (i = 0; i < n->nattach; i++) {
		struct tc_sniffer sn;
		const char *type;
		char hex[65], rel[32];
		cJSON *a;

		if (tc_fs_read(n->attach[i], TC_MAX_BUNDLE_ENTRY, &b) < 0) {
			tc_warn("cannot read '%s'", n->attach[i]);
			rc = errno == EFBIG ? TC_EXIT_INPUT : TC_EXIT_ENV;
			goto out;
		}
		tc_sniff_init(&sn);
		tc_sniff_feed(&sn, b.data, b.len);
		type = tc_sniff_end(&sn);
		if (!type) {
			tc_warnx("%s is none of the kinds of file the forms "
				 "accept (PDF, JPEG, PNG, text, Word)",
				 n->attach[i]);
			goto out;
		}
		snprintf(rel, sizeof(rel), "files/%zu", i + 1);
		tc_buf_reset(&p);
		if (tc_buf_addf(&p, "%s/%s", dir, rel) < 0)
			tc_die_nomem();
		if (tc_fs_write_atomic_ex(p.data, b.data, b.len, cw_file_mode(),
					  TC_FS_NOSYNC) < 0) {
			tc_warn("cannot write '%s'", p.data);
			rc = TC_EXIT_ENV;
			goto out;
		}
		tc_sha256_hex(b.data, b.len, hex);
		a = cJSON_CreateObject();
		if (!a || !cJSON_AddItemToArray(atts, a) ||
		    !cJSON_AddStringToObject(a, "field", field) ||
		    !cJSON_AddStringToObject(a, "name",
					     base_name(n->attach[i])) ||
		    !cJSON_AddStringToObject(a, "type", type) ||
		    !cJSON_AddNumberToObject(a, "size", (double)b.len) ||
		    !cJSON_AddStringToObject(a, "sha256", hex) ||
		    !cJSON_AddStringToObject(a, "path", rel))
			tc_die_nomem();
	}
	rc = 0;
out:
	tc_buf_release(&b);
	tc_buf_release(&p);
	return rc;
}

/* Writes dir/submission.json and dir/files/N for n. 0, or an exit code
 * after a message. */
static int build(const struct cw_newcase *n, const struct tc_form *form,
		 const char *id, const char *received, const char *by,
		 const char *dir)
{
	struct tc_buf p = TC_BUF_INIT;
	cJSON *doc = cJSON_CreateObject(), *fields = NULL, *atts;
	char *txt = NULL;
	int rc;

	if (!doc ||
	    !cJSON_AddStringToObject(doc, "format", TC_SUBMISSION_FORMAT) ||
	    !cJSON_AddStringToObject(doc, "id", id) ||
	    !cJSON_AddStringToObject(doc, "form", tc_form_id(form)) ||
	    !cJSON_AddStringToObject(doc, "form_hash", tc_form_hash(form)) ||
	    !cJSON_AddStringToObject(doc, "received", received) ||
	    !cJSON_AddStringToObject(doc, "channel", n->channel) ||
	    !cJSON_AddStringToObject(doc, "entered_by", by))
		tc_die_nomem();
	rc = answers(n, &fields);
	if (rc)
		goto out;
	cJSON_AddItemToObject(doc, "fields", fields);
	atts = cJSON_AddArrayToObject(doc, "attachments");
	if (!atts)
		tc_die_nomem();
	if (tc_buf_addf(&p, "%s/files", dir) < 0)
		tc_die_nomem();
	if (tc_fs_mkdirs(p.data, cw_dir_mode()) < 0) {
		tc_warn("cannot make '%s'", p.data);
		rc = TC_EXIT_ENV;
		goto out;
	}
	rc = attach(n, form, dir, atts);
	if (rc)
		goto out;
	txt = cJSON_PrintUnformatted(doc);
	if (!txt)
		tc_die_nomem();
	tc_buf_reset(&p);
	if (tc_buf_addf(&p, "%s/submission.json", dir) < 0)
		tc_die_nomem();
	if (tc_fs_write_atomic_ex(p.data, txt, strlen(txt), cw_file_mode(),
				  TC_FS_NOSYNC) < 0) {
		tc_warn("cannot write '%s'", p.data);
		rc = TC_EXIT_ENV;
	}
out:
	cJSON_Delete(doc);
	free(txt);
	tc_buf_release(&p);
	return rc;
}

/* Says what the submission became. */
static int print_made(struct cw_env *env, const char *id, const char *channel,
		      const char *outcome)
{
	struct cw_case c;
	int found = cw_store_case_load(env->reg, id, 1, &c);

	if (found < 0)
		return TC_EXIT_ENV;
	if (found) {
		printf("%s: a %s, from contact by %s (submission %s)\n",
		       c.reference, c.type, channel, id);
		cw_case_release(&c);
	} else
		printf("submission %s: %s\n", id, outcome);
	return fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
}

/* Checks what the command was given before anything is written. */
static int check_args(struct cw_env *env, const struct cw_newcase *n,
		      const struct tc_form **form)
{
	if (!n->channel || !tc_channel_valid(n->channel) ||
	    !strcmp(n->channel, "web")) {
		tc_warnx("new needs --channel phone, letter, email, in-person "
			 "or social-media (the website's forms come in "
			 "bundles)");
		return TC_EXIT_USAGE;
	}
	*form = tc_forms_find(env->forms, n->form ? n->form : "complaint");
	if (!*form) {
		tc_warnx("--form: no form '%s' in %s", n->form, env->forms_dir);
		return TC_EXIT_USAGE;
	}
	if (!n->answers && !n->nfield) {
		tc_warnx("new needs the answers: --answers FILE.json, or "
			 "--field NAME=VALUE for each one");
		return TC_EXIT_USAGE;
	}
	return 0;
}

int cw_new(struct cw_env *env, const struct cw_newcase *n)
{
	const struct tc_form *form = NULL;
	struct tc_buf tmp = TC_BUF_INIT, store = TC_BUF_INIT;
	struct cw_sub s;
	char id[TC_SUBMISSION_ID_LEN + 1], received[21];
	const char *by = n->by && n->by[0] ? n->by : cw_env_account();
	const char *outcome = "";
	int rc, moved = 0, seen;

	memset(&s, 0, sizeof(s));
	rc = check_args(env, n, &form);
	if (!rc)
		rc = received_utc(env, n->received, received);
	if (rc)
		return rc;
	rc = TC_EXIT_ENV;
	do {
		if (tc_submission_id_random(id) < 0) {
			tc_warn("cannot make a submission ID");
			return TC_EXIT_ENV;
		}
		seen = cw_store_submission_seen(env->reg, id);
	} while (seen == 1);
	if (seen < 0)
		return TC_EXIT_ENV;
	cw_env_path(env, "tmp/new-", &tmp);
	cw_env_path(env, "store/", &store);
	if (tc_buf_adds(&tmp, id) < 0 || tc_buf_adds(&store, id) < 0)
		tc_die_nomem();
	rc = build(n, form, id, received, by, tmp.data);
	if (rc)
		goto out;
	s.id = id;
	s.bundle_sha = "";
	s.by = by;
	rc = TC_EXIT_ENV;
	if (cw_sub_load_dir(env, tmp.data, &s) < 0)
		goto out;
	if (s.reason.len) {
		tc_warnx("the answers do not fit form '%s'; nothing was kept:",
			 tc_form_id(form));
		fputs(s.reason.data, stderr);
		rc = TC_EXIT_INPUT;
		goto out;
	}
	if (cw_store_begin(env->reg) < 0)
		goto out;
	if (tc_fs_remove_tree(store.data) < 0 ||
	    rename(tmp.data, store.data) < 0) {
		tc_warn("cannot move '%s' to '%s'", tmp.data, store.data);
		goto out;
	}
	moved = 1;
	if (cw_sub_admit(env, &s, &outcome) < 0 || cw_env_sync(env) < 0 ||
	    cw_store_commit(env->reg) < 0)
		goto out;
	moved = 2;
	if (cw_env_flush_packs(env) < 0)
		goto out;
	rc = print_made(env, id, n->channel, outcome);
out:
	cw_store_rollback(env->reg);
	if (moved == 1)
		(void)tc_fs_remove_tree(store.data);
	(void)tc_fs_remove_tree(tmp.data);
	cw_sub_release(&s);
	tc_buf_release(&tmp);
	tc_buf_release(&store);
	return rc;
}
