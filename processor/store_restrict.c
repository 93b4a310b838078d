/*
 * store_restrict.c: the register's contact restrictions and their review
 * history (see store.h). SQL, as every part of the store.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

/* What a walk over rows calls back. */
struct rwalk {
	union {
		cw_restriction_fn restriction;
		int (*review)(const struct cw_restriction_review *, void *);
	} fn;
	void *arg;
};

int cw_store_restriction_insert(struct cw_store *reg,
				const struct cw_restriction *r,
				const char *name_norm, const char *email_norm,
				const char *phone_norm, int64_t *id)
{
	static const char sql[] =
	    "INSERT INTO restriction_register(name, email, phone, name_norm,"
	    " email_norm, phone_norm, person_key, kind, scope, reason,"
	    " decided_by, start, review, contact, status, case_id, warning_id,"
	    " expected) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?)";

	if (cw_store_run(reg, "adding a restriction", sql,
			 "ooooooooooo"
			 "dd"
			 "otzzo",
			 r->name, r->email, r->phone, name_norm, email_norm,
			 phone_norm, r->person_key, r->kind, r->scope,
			 r->reason, r->decided_by, r->start, r->review,
			 r->contact, r->warning ? "warning" : "active",
			 r->case_id, r->warning_id, r->expected) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(cw_store_db(reg));
	return 0;
}

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	snprintf(out, n, "%s", cw_store_col_text(st, i));
}

static int match_row(sqlite3_stmt *st, void *arg)
{
	struct cw_restriction_match *m = arg;

	m->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, m->kind, sizeof(m->kind));
	copy_col(st, 2, m->scope, sizeof(m->scope));
	copy_col(st, 3, m->contact, sizeof(m->contact));
	copy_col(st, 4, m->review, sizeof(m->review));
	m->strong = sqlite3_column_int(st, 5);
	return 1;
}

int cw_store_restriction_match(struct cw_store *reg, const char *email_norm,
			       const char *phone_norm, const char *name_norm,
			       const char *person_key, const char *service_area,
			       struct cw_restriction_match *m)
{
	static const char sql[] =
	    "SELECT id, kind, scope, coalesce(contact, ''), review,"
	    " ((?1 IS NOT NULL AND email_norm = ?1) OR (?2 IS NOT NULL AND"
	    " phone_norm = ?2) OR (?4 IS NOT NULL AND person_key = ?4)) AS"
	    " strong FROM restriction_register WHERE status = 'active' AND"
	    " (scope = 'council' OR scope = ?5) AND ((?1 IS NOT NULL AND"
	    " email_norm = ?1) OR (?2 IS NOT NULL AND phone_norm = ?2) OR"
	    " (?4 IS NOT NULL AND person_key = ?4) OR (?3 IS NOT NULL AND"
	    " name_norm = ?3)) ORDER BY strong DESC, id LIMIT 1";
	int n;

	memset(m, 0, sizeof(*m));
	n = cw_store_each_row(reg,
			      cw_store_query(reg, sql, "ooooo", email_norm,
					     phone_norm, name_norm, person_key,
					     service_area),
			      "looking up restrictions", match_row, m);
	return n < 0 ? -1 : n > 0;
}

struct id_cap {
	int64_t *v;
	size_t n, max;
};

static int id_cap_row(sqlite3_stmt *st, void *arg)
{
	struct id_cap *l = arg;

	l->v[l->n++] = sqlite3_column_int64(st, 0);
	return l->n == l->max;
}

int cw_store_restrictions_active(struct cw_store *reg, const char *person_key,
				 int64_t *ids, size_t max)
{
	static const char sel[] = "SELECT id FROM restriction_register WHERE"
				  " person_key = ? AND status = 'active'";
	struct id_cap l = {ids, 0, max};

	if (!max ||
	    cw_store_each_row(reg, cw_store_query(reg, sel, "o", person_key),
			      "finding restrictions", id_cap_row, &l) < 0)
		return -1;
	return (int)l.n;
}

int cw_store_restriction_lift(struct cw_store *reg, int64_t id, tc_day date)
{
	static const char lift[] = "UPDATE restriction_register SET status ="
				   " 'lifted', lifted = ? WHERE id = ?";

	return cw_store_run(reg, "lifting a restriction", lift, "dI", date, id);
}

int cw_store_restriction_vary(struct cw_store *reg, int64_t id, tc_day review,
			      const char *kind, const char *scope,
			      const char *contact)
{
	static const char cont[] =
	    "UPDATE restriction_register SET review = ?, kind ="
	    " coalesce(?, kind), scope = coalesce(?, scope), contact ="
	    " coalesce(?, contact) WHERE id = ?";

	return cw_store_run(reg, "updating a restriction", cont, "doooI",
			    review, kind, scope, contact, id);
}

int cw_store_restriction_review_add(struct cw_store *reg, int64_t id,
				    tc_day date, const char *outcome,
				    tc_day next, const char *detail_json,
				    const char *today)
{
	static const char sql[] =
	    "INSERT INTO restriction_reviews(restriction_id, date, outcome,"
	    " next_review, detail, recorded) VALUES(?, ?, ?, ?, ?, ?)";

	return cw_store_run(reg, "recording a review", sql, "Idodoo", id, date,
			    outcome, next, detail_json ? detail_json : "{}",
			    today);
}

static int restr_row(sqlite3_stmt *st, void *arg)
{
	struct rwalk *w = arg;
	struct cw_restriction_row r;

	/* restr_cols (below) 1 to 12, then 14 and 15, 16 and 17 */
	const char **const texts[] = {&r.name,	     &r.email,	&r.phone,
				      &r.kind,	     &r.scope,	&r.reason,
				      &r.decided_by, &r.start,	&r.review,
				      &r.contact,    &r.status, &r.lifted};
	const char **const after[] = {&r.person_key, &r.purged};
	const char **const last[] = {&r.expected};

	r.id = sqlite3_column_int64(st, 0);
	cw_store_col_texts(st, 1, texts, sizeof(texts) / sizeof(texts[0]));
	r.case_id = sqlite3_column_int64(st, 13);
	cw_store_col_texts(st, 14, after, 2);
	r.warning_id = sqlite3_column_int64(st, 16);
	cw_store_col_texts(st, 17, last, 1);
	return w->fn.restriction(&r, w->arg) < 0 ? -1 : 0;
}

static const char restr_cols[] =
    "SELECT id, name, email, phone, kind, scope, reason, decided_by,"
    " start, review, contact, status, lifted, case_id, person_key, purged,"
    " warning_id, expected FROM restriction_register";

int cw_store_restriction_list(struct cw_store *reg, cw_restriction_fn fn,
			      void *arg)
{
	static char sql[sizeof(restr_cols) + 24];
	struct rwalk w = {.fn.restriction = fn, .arg = arg};

	if (!sql[0])
		snprintf(sql, sizeof(sql), "%s ORDER BY id", restr_cols);
	return cw_store_all_rows(reg, cw_store_query(reg, sql, ""),
				 "listing restrictions", restr_row, &w);
}

int cw_store_restriction_find(struct cw_store *reg, int64_t id,
			      cw_restriction_fn fn, void *arg)
{
	static char sql[sizeof(restr_cols) + 24];
	struct rwalk w = {.fn.restriction = fn, .arg = arg};
	int n;

	if (!sql[0])
		snprintf(sql, sizeof(sql), "%s WHERE id = ?", restr_cols);
	n = cw_store_each_row(reg, cw_store_query(reg, sql, "I", id),
			      "finding a restriction", restr_row, &w);
	return n < 0 ? -1 : n > 0;
}

static int review_row(sqlite3_stmt *st, void *arg)
{
	struct rwalk *w = arg;
	struct cw_restriction_review rv;

	const char **const texts[] = {&rv.date, &rv.outcome, &rv.next_review,
				      &rv.recorded};

	cw_store_col_texts(st, 0, texts, 4);
	return w->fn.review(&rv, w->arg) < 0 ? -1 : 0;
}

int cw_store_restriction_reviews(
    struct cw_store *reg, int64_t id,
    int (*fn)(const struct cw_restriction_review *rv, void *arg), void *arg)
{
	static const char revs[] =
	    "SELECT date, outcome, coalesce(next_review, ''), recorded FROM"
	    " restriction_reviews WHERE restriction_id = ? ORDER BY id";
	struct rwalk w = {.fn.review = fn, .arg = arg};

	return cw_store_all_rows(reg, cw_store_query(reg, revs, "I", id),
				 "reading reviews", review_row, &w);
}
