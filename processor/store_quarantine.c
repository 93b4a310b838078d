/*
 * store_quarantine.c: the register's quarantine, what waits there and
 * what was decided about it (see store.h). SQL, as every part of the store.
 */
#include "store_internal.h"

#include <string.h>

struct qwalk {
	cw_quarantined_fn fn;
	void *arg;
	int n; /* rows met */
};

static int q_row(sqlite3_stmt *st, void *arg)
{
	struct qwalk *w = arg;
	struct cw_quarantined q;
	/* the columns of the query below, in order */
	const char **const col[] = {&q.bundle,	  &q.id,	 &q.reason,
				    &q.date,	  &q.status,	 &q.decided,
				    &q.decision,  &q.decided_by, &q.reference,
				    &q.bundle_sha};

	cw_store_col_texts(st, 0, col, sizeof(col) / sizeof(col[0]));
	w->n++;
	return w->fn(w->arg, &q) < 0 ? -1 : 0;
}

int cw_store_quarantine_each(struct cw_store *reg, int all, const char *bundle,
			     const char *id, cw_quarantined_fn fn, void *arg)
{
	/* A register from before bundle_sha256 was kept finds the bundle by
	 * the name it was ingested under. */
	static const char sql[] =
	    "SELECT bundle, submission_id, reason, date, status, decided,"
	    " decision, decided_by, reference, coalesce(bundle_sha256,"
	    " (SELECT b.sha256 FROM bundles b WHERE b.name = q.bundle ORDER BY"
	    " b.rowid DESC LIMIT 1)) FROM quarantine q WHERE (?1 OR status ="
	    " 'waiting') AND (?2 IS NULL OR bundle = ?2) AND (?3 IS NULL OR"
	    " submission_id = ?3) ORDER BY date, bundle, submission_id";
	struct qwalk w = {fn, arg, 0};

	if (cw_store_all_rows(reg,
			      cw_store_query(reg, sql, "itt", all, bundle, id),
			      "reading the quarantine", q_row, &w) < 0)
		return -1;
	return w.n;
}

/* Runs an UPDATE prepared as st: the rows it changed, or -1 (printed). */
static int update(struct cw_store *reg, sqlite3_stmt *st)
{
	if (cw_store_step(reg, st, "recording a quarantine decision") < 0)
		return -1;
	return sqlite3_changes(cw_store_db(reg));
}

int cw_store_quarantine_decide(struct cw_store *reg, const char *bundle,
			       const char *id, const struct cw_qdecision *d)
{
	static const char sql[] =
	    "UPDATE quarantine SET status = ?3, decided = ?4, decision = ?5,"
	    " decided_by = ?6, reference = (SELECT c.reference FROM"
	    " submissions s JOIN cases c ON c.id = s.case_id WHERE s.id = ?2)"
	    " WHERE bundle = ?1 AND submission_id = ?2 AND status = 'waiting'";
	int n = update(reg, cw_store_query(reg, sql, "tttttt", bundle, id,
					   d->status, d->date, d->why, d->by));

	return n < 0 ? -1 : n == 0;
}

int cw_store_quarantine_ingested(struct cw_store *reg, const char *id,
				 const char *date, const char *bundle)
{
	static const char sql[] =
	    "UPDATE quarantine SET status = 'released', decided = ?2,"
	    " decision = 'ingested from bundle ' || ?3, decided_by ="
	    " 'casework ingest', reference = (SELECT c.reference FROM"
	    " submissions s JOIN cases c ON c.id = s.case_id WHERE s.id = ?1)"
	    " WHERE submission_id = ?1 AND status = 'waiting'";
	int n = update(reg, cw_store_query(reg, sql, "ttt", id, date, bundle));

	return n < 0 ? -1 : 0;
}
