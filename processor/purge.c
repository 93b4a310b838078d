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

struct item {
	int64_t id;
	char *ref;   /* case reference, or "R12" */
	char *extra; /* case: the closure date */
};

struct items {
	struct item *v;
	size_t n, cap;
};

static void push(struct items *it, int64_t id, const char *ref,
		 const char *extra)
{
	struct item *x;

	if (it->n == it->cap) {
		struct item *nv;

		it->cap = it->cap ? it->cap * 2 : 32;
		nv = realloc(it->v, it->cap * sizeof(*nv));
		if (!nv)
			tc_die_nomem();
		it->v = nv;
	}
	x = &it->v[it->n++];
	x->id = id;
	x->ref = strdup(ref ? ref : "");
	x->extra = strdup(extra ? extra : "");
	if (!x->ref || !x->extra)
		tc_die_nomem();
}

static void items_release(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++) {
		free(it->v[i].ref);
		free(it->v[i].extra);
	}
	free(it->v);
	memset(it, 0, sizeof(*it));
}

static int collect(struct cw_env *env, const char *sql, const char *cutoff,
		   struct items *it)
{
	sqlite3_stmt *st = cw_store_stmt(env->reg, sql);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		push(it, sqlite3_column_int64(st, 0),
		     (const char *)sqlite3_column_text(st, 1),
		     (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cw_store_error(env->reg, "finding what is past retention");
		return -1;
	}
	return 0;
}

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

/* Removes a case's pack and every stored submission it came from. */
static int remove_case_files(struct cw_env *env, const struct item *c)
{
	static const char subs[] =
	    "SELECT submission_id FROM cases WHERE id = ?1 UNION SELECT"
	    " submission_id FROM stages WHERE case_id = ?1 AND submission_id"
	    " IS NOT NULL UNION SELECT id FROM submissions WHERE case_id = ?1";
	sqlite3_stmt *st = cw_store_stmt(env->reg, subs);
	struct tc_buf rel = TC_BUF_INIT;
	int r, rc = -1;

	if (!st)
		return -1;
	tc_buf_reset(&rel);
	if (tc_buf_addf(&rel, "casepacks/%s.zip", c->ref) < 0)
		tc_die_nomem();
	if (remove_path(env, rel.data) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, c->id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);

		if (!id || !*id || strchr(id, '/') || id[0] == '.')
			continue;
		tc_buf_reset(&rel);
		if (tc_buf_addf(&rel, "store/%s", id) < 0)
			tc_die_nomem();
		if (remove_path(env, rel.data) < 0) {
			sqlite3_reset(st);
			goto out;
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cw_store_error(env->reg, "finding a case's submissions");
		goto out;
	}
	rc = 0;
out:
	tc_buf_release(&rel);
	return rc;
}

static int bind_exec(struct cw_env *env, const char *sql, int64_t id,
		     const char *today)
{
	sqlite3_stmt *st = cw_store_stmt(env->reg, sql);
	int r;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cw_store_error(env->reg, "purging");
		return -1;
	}
	return 0;
}

static const char cases_sql[] =
    "SELECT id, reference, closure FROM (SELECT c.id, c.reference, CASE"
    " WHEN EXISTS(SELECT 1 FROM stages s WHERE s.case_id = c.id) THEN"
    " (SELECT closed FROM stages s WHERE s.case_id = c.id ORDER BY stage"
    " DESC LIMIT 1) WHEN c.status = 'closed' THEN (SELECT max(date) FROM"
    " events e WHERE e.case_id = c.id AND e.event = 'closed') WHEN"
    " c.type IN ('compliment', 'comment', 'signposted', 'review') THEN"
    " c.received_date END AS closure FROM cases c WHERE c.purged IS NULL)"
    " WHERE closure IS NOT NULL AND closure < ?1 ORDER BY reference";
static const char restr_sql[] =
    "SELECT id, 'R' || id, lifted FROM restriction_register WHERE purged"
    " IS NULL AND status = 'lifted' AND lifted < ?1 ORDER BY id";
static const char quar_sql[] =
    "SELECT rowid, bundle || '/' || submission_id, date FROM quarantine"
    " WHERE date < ?1 AND reason <> '[removed]' ORDER BY rowid";

static const char case_fields[] =
    "UPDATE cases SET person_key = NULL, pack_dirty = 0, purged = ?2,"
    " flags = (SELECT coalesce(json_group_array(json_object('flag',"
    " json_extract(value, '$.flag'), 'detail', '[removed]')), '[]') FROM"
    " json_each(cases.flags)) WHERE id = ?1";
static const char stage_fields[] =
    "UPDATE stages SET extension_reason = CASE WHEN extension_reason IS"
    " NULL THEN NULL ELSE '[removed]' END, learning = CASE WHEN learning"
    " IS NULL THEN NULL ELSE '[removed]' END WHERE case_id = ?1 AND"
    " ?2 IS NOT NULL";
static const char event_fields[] =
    "UPDATE events SET detail = '{\"removed\":true}' WHERE case_id = ?1"
    " AND ?2 IS NOT NULL";
static const char restr_fields[] =
    "UPDATE restriction_register SET name = '[removed]', email = NULL,"
    " phone = NULL, name_norm = NULL, email_norm = NULL, phone_norm ="
    " NULL, person_key = NULL, reason = '[removed]', purged = ?2 WHERE"
    " id = ?1";
static const char quar_fields[] =
    "UPDATE quarantine SET reason = '[removed]' WHERE rowid = ?1 AND ?2"
    " IS NOT NULL";

static int act_on(struct cw_env *env, const struct items *cs,
		  const struct items *rs, const struct items *qs)
{
	struct tc_buf rel = TC_BUF_INIT;
	cJSON *d = NULL, *refs;
	char *txt = NULL;
	size_t i;
	int rc = -1;

	/* Files first: a purge stopped half way is finished by a rerun. */
	for (i = 0; i < cs->n; i++)
		if (remove_case_files(env, &cs->v[i]) < 0)
			goto out;
	for (i = 0; i < rs->n; i++) {
		tc_buf_reset(&rel);
		if (tc_buf_addf(&rel, "letters/restriction-%s-lifted.html",
				rs->v[i].ref) < 0)
			tc_die_nomem();
		if (remove_path(env, rel.data) < 0)
			goto out;
	}
	for (i = 0; i < qs->n; i++) {
		tc_buf_reset(&rel);
		if (tc_buf_addf(&rel, "quarantine/%s", qs->v[i].ref) < 0)
			tc_die_nomem();
		if (strstr(rel.data, "..") || remove_path(env, rel.data) < 0)
			goto out;
	}
	if (cw_env_sync(env) < 0 ||
	    cw_store_exec(env->reg, "PRAGMA secure_delete = ON") < 0 ||
	    cw_store_begin(env->reg) < 0)
		goto out;
	/* The history is append-only except for this, within one
	 * transaction: its details go, its events and dates stay. */
	if (cs->n && cw_store_exec(env->reg, "DROP TRIGGER "
						"events_no_update") < 0)
		goto out;
	for (i = 0; i < cs->n; i++)
		if (bind_exec(env, case_fields, cs->v[i].id, env->today_s) <
			0 ||
		    bind_exec(env, stage_fields, cs->v[i].id, env->today_s) <
			0 ||
		    bind_exec(env, event_fields, cs->v[i].id, env->today_s) < 0)
			goto out;
	if (cs->n &&
	    cw_store_exec(env->reg,
			     "CREATE TRIGGER events_no_update BEFORE UPDATE ON"
			     " events BEGIN SELECT RAISE(ABORT, 'the history"
			     " is append-only'); END") < 0)
		goto out;
	for (i = 0; i < rs->n; i++)
		if (bind_exec(env, restr_fields, rs->v[i].id, env->today_s) < 0)
			goto out;
	for (i = 0; i < qs->n; i++)
		if (bind_exec(env, quar_fields, qs->v[i].id, env->today_s) < 0)
			goto out;
	/* The audit log: what was purged, by reference only. */
	d = cJSON_CreateObject();
	if (!d || !cJSON_AddNumberToObject(d, "retention_years",
					   env->rules->retention_years))
		tc_die_nomem();
	refs = cJSON_AddArrayToObject(d, "cases");
	for (i = 0; refs && i < cs->n; i++)
		cJSON_AddItemToArray(refs, cJSON_CreateString(cs->v[i].ref));
	refs = cJSON_AddArrayToObject(d, "restrictions");
	for (i = 0; refs && i < rs->n; i++)
		cJSON_AddItemToArray(refs, cJSON_CreateString(rs->v[i].ref));
	if (!cJSON_AddNumberToObject(d, "quarantined", (double)qs->n))
		tc_die_nomem();
	txt = cJSON_PrintUnformatted(d);
	if (!txt)
		tc_die_nomem();
	if (cw_store_audit(env->reg, env->today_s, "purge", txt) < 0 ||
	    cw_store_commit(env->reg) < 0)
		goto out;
	/* No deleted byte may linger in free pages or the log. */
	if (cw_store_exec(env->reg, "VACUUM") < 0 ||
	    cw_store_exec(env->reg, "PRAGMA wal_checkpoint(TRUNCATE)") < 0)
		goto out;
	rc = 0;
out:
	cw_store_rollback(env->reg);
	cJSON_Delete(d);
	free(txt);
	tc_buf_release(&rel);
	return rc;
}

int cw_purge(struct cw_env *env, int act)
{
	struct items cs = {0}, rs = {0}, qs = {0};
	tc_day cut =
	    tc_day_add_months(env->today, -12 * env->rules->retention_years);
	char cutoff[11];
	size_t i;
	int rc = TC_EXIT_ENV;

	tc_day_format(cut, cutoff);
	if (collect(env, cases_sql, cutoff, &cs) < 0 ||
	    collect(env, restr_sql, cutoff, &rs) < 0 ||
	    collect(env, quar_sql, cutoff, &qs) < 0)
		goto out;
	printf("purge: retention %d years: closed before %s\n",
	       env->rules->retention_years, cutoff);
	for (i = 0; i < cs.n; i++)
		printf("%s %s (closed %s)\n", act ? "purging" : "would purge",
		       cs.v[i].ref, cs.v[i].extra);
	for (i = 0; i < rs.n; i++)
		printf("%s restriction %s (lifted %s)\n",
		       act ? "purging" : "would purge", rs.v[i].ref,
		       rs.v[i].extra);
	for (i = 0; i < qs.n; i++)
		printf("%s quarantined %s (%s)\n",
		       act ? "purging" : "would purge", qs.v[i].ref,
		       qs.v[i].extra);
	if (act && (cs.n || rs.n || qs.n) && act_on(env, &cs, &rs, &qs) < 0)
		goto out;
	printf("purge: %zu cases, %zu restrictions, %zu quarantined%s\n", cs.n,
	       rs.n, qs.n,
	       act ? " removed"
		   : " past retention (dry run: give --yes to "
		     "remove them)");
	rc = fflush(stdout) ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	items_release(&cs);
	items_release(&rs);
	items_release(&qs);
	return rc;
}
