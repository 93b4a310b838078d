/*
 * purge.c: retention (see purge.h).
 *
 * A case is past retention when it was closed (its last stage closed; a
 * record: when received) more than retention_years before today. Purging
 * it removes its pack, every submission it was made from (store/), and
 * its personal fields in the register (the person key, flag details, the
 * history's details, free-text reasons and learning, which become
 * "[removed]"), keeping what the annual report counts. Restrictions lifted
 * that long ago lose their name, contact details and reason the same way,
 * with their draft letters; quarantined submissions go after the same time.
 * Afterwards the register is vacuumed and its write-ahead log truncated,
 * so no deleted byte lingers in free pages.
 */
#include "purge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fsutil.h"

static int remove_path(struct cw_env *env, const char *rel)
{
	struct tc_buf p = TC_BUF_INIT;
	int rc = 0;

	cw_env_path(env, rel, &p);
	if (tc_fs_remove_tree(p.data) < 0) {
		tc_warn("cannot remove '%s'", p.data);
		rc = -1;
	}
	tc_buf_release(&p);
	return rc;
}

struct sub_ctx {
	struct cw_env *env;
	struct tc_buf rel;
};

static int remove_submission(const char *id, void *arg)
{
	struct sub_ctx *x = arg;

	if (!id || !*id || strchr(id, '/') || id[0] == '.')
		return 0;
	tc_buf_reset(&x->rel);
	if (tc_buf_addf(&x->rel, "store/%s", id) < 0)
		tc_die_nomem();
	return remove_path(x->env, x->rel.data);
}

/* Removes a case's pack and every stored submission it came from. */
static int remove_case_files(struct cw_env *env, const struct cw_purge_item *c)
{
	struct sub_ctx x = {env, TC_BUF_INIT};
	int rc = -1;

	if (tc_buf_addf(&x.rel, "casepacks/%s.zip", c->ref) < 0)
		tc_die_nomem();
	if (remove_path(env, x.rel.data) < 0 ||
	    cw_store_case_submissions(env->reg, c->id, remove_submission, &x) <
		0)
		goto out;
	rc = 0;
out:
	tc_buf_release(&x.rel);
	return rc;
}

/* Removes the file PRE REFERENCE POST (joined) of each item. */
static int remove_each(struct cw_env *env, const char *pre, const char *post,
		       const struct cw_purge_items *it)
{
	struct tc_buf rel = TC_BUF_INIT;
	size_t i;
	int rc = -1;

	for (i = 0; i < it->n; i++) {
		tc_buf_reset(&rel);
		if (tc_buf_addf(&rel, "%s%s%s", pre, it->v[i].ref, post) < 0)
			tc_die_nomem();
		if (strstr(rel.data, "..") || remove_path(env, rel.data) < 0)
			goto out;
	}
	rc = 0;
out:
	tc_buf_release(&rel);
	return rc;
}

/* Removes every letter drafted for the restrictions it lists: each file
 * of letters/ named restriction-RN-... (warning, imposed, reviews,
 * lifted, in every format). */
static int remove_restriction_letters(struct cw_env *env,
				      const struct cw_purge_items *it)
{
	struct tc_buf dir = TC_BUF_INIT, pre = TC_BUF_INIT, rel = TC_BUF_INIT;
	char **names = NULL;
	size_t n = 0, i, k;
	int rc = -1;

	cw_env_path(env, "letters", &dir);
	if (!it->n || access(dir.data, F_OK) < 0) {
		rc = 0;
		goto out;
	}
	if (tc_fs_list(dir.data, &names, &n) < 0) {
		tc_warn("cannot read '%s'", dir.data);
		goto out;
	}
	for (i = 0; i < it->n; i++) {
		tc_buf_reset(&pre);
		if (tc_buf_addf(&pre, "restriction-%s-", it->v[i].ref) < 0)
			tc_die_nomem();
		for (k = 0; k < n; k++) {
			if (strncmp(names[k], pre.data, pre.len))
				continue;
			tc_buf_reset(&rel);
			if (tc_buf_addf(&rel, "letters/%s", names[k]) < 0)
				tc_die_nomem();
			if (remove_path(env, rel.data) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	tc_fs_names_free(names, n);
	tc_buf_release(&dir);
	tc_buf_release(&pre);
	tc_buf_release(&rel);
	return rc;
}

/* The audit log's record of a purge: what, by reference only (owned). */
static char *purge_detail(struct cw_env *env, const struct cw_purge_items *cs,
			  const struct cw_purge_items *rs,
			  const struct cw_purge_items *qs)
{
	const struct cw_purge_items *lists[] = {cs, rs};
	const char *names[] = {"cases", "restrictions"};
	cJSON *d = cJSON_CreateObject(), *refs;
	char *txt;
	size_t i, k;

	if (!d || !cJSON_AddNumberToObject(d, "retention_years",
					   env->rules->retention_years))
		tc_die_nomem();
	for (k = 0; k < 2; k++) {
		refs = cJSON_AddArrayToObject(d, names[k]);
		for (i = 0; refs && i < lists[k]->n; i++)
			cJSON_AddItemToArray(
			    refs, cJSON_CreateString(lists[k]->v[i].ref));
	}
	if (!cJSON_AddNumberToObject(d, "quarantined", (double)qs->n))
		tc_die_nomem();
	txt = cJSON_PrintUnformatted(d);
	if (!txt)
		tc_die_nomem();
	cJSON_Delete(d);
	return txt;
}

static int act_on(struct cw_env *env, const struct cw_purge_items *cs,
		  const struct cw_purge_items *rs,
		  const struct cw_purge_items *qs)
{
	char *txt = NULL;
	size_t i;
	int rc = -1;

	/* Files first: a purge stopped half way is finished by a rerun. */
	for (i = 0; i < cs->n; i++)
		if (remove_case_files(env, &cs->v[i]) < 0)
			goto out;
	if (remove_restriction_letters(env, rs) < 0 ||
	    remove_each(env, "quarantine/", "", qs) < 0 || cw_env_sync(env) < 0)
		goto out;
	txt = purge_detail(env, cs, rs, qs);
	if (cw_store_purge(env->reg, cs, rs, qs, env->today_s, txt) < 0)
		goto out;
	rc = 0;
out:
	free(txt);
	return rc;
}

int cw_purge(struct cw_env *env, int act)
{
	struct cw_purge_items cs = {0}, rs = {0}, qs = {0};
	tc_day cut =
	    tc_day_add_months(env->today, -12 * env->rules->retention_years);
	const char *verb = act ? "purging" : "would purge";
	char cutoff[11];
	size_t i;
	int rc = TC_EXIT_ENV;

	tc_day_format(cut, cutoff);
	if (cw_store_purge_candidates(env->reg, CW_PURGE_CASES, cut, &cs) < 0 ||
	    cw_store_purge_candidates(env->reg, CW_PURGE_RESTRICTIONS, cut,
				      &rs) < 0 ||
	    cw_store_purge_candidates(env->reg, CW_PURGE_QUARANTINED, cut,
				      &qs) < 0)
		goto out;
	printf("purge: retention %d years: closed before %s\n",
	       env->rules->retention_years, cutoff);
	for (i = 0; i < cs.n; i++)
		printf("%s %s (closed %s)\n", verb, cs.v[i].ref, cs.v[i].when);
	for (i = 0; i < rs.n; i++)
		printf("%s restriction %s (%s %s)\n", verb, rs.v[i].ref,
		       rs.v[i].warning ? "a warning, looked at again"
				       : "lifted",
		       rs.v[i].when);
	for (i = 0; i < qs.n; i++)
		printf("%s quarantined %s (%s)\n", verb, qs.v[i].ref,
		       qs.v[i].when);
	if (act && (cs.n || rs.n || qs.n) && act_on(env, &cs, &rs, &qs) < 0)
		goto out;
	printf("purge: %zu cases, %zu restrictions, %zu quarantined%s\n", cs.n,
	       rs.n, qs.n,
	       act ? " removed"
		   : " past retention (dry run: give --yes to "
		     "remove them)");
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	cw_purge_items_release(&cs);
	cw_purge_items_release(&rs);
	cw_purge_items_release(&qs);
	return rc;
}
