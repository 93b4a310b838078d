/*
 * store_people.c: the register's officers and the log of who read which
 * case (see store.h). SQL, as every part of the store.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static const char officer_cols[] =
    "SELECT o.username, o.name, coalesce(o.title, ''), coalesce(o.team, ''),"
    " coalesce(o.email, ''), o.role, o.active, o.away_from, o.away_to,"
    " coalesce(o.unix_user, ''), o.added, (SELECT count(*) FROM cases c"
    " WHERE c.handler = o.username AND c.status NOT IN ('closed',"
    " 'signposted', 'merged') AND c.merged_into IS NULL), (SELECT"
    " min(CASE WHEN s.acknowledged IS NULL AND s.ack_due IS NOT NULL THEN"
    " s.ack_due WHEN s.responded IS NULL THEN s.respond_due END) FROM"
    " cases c JOIN stages s ON s.case_id = c.id AND s.stage = c.stage"
    " WHERE c.handler = o.username AND s.closed IS NULL AND"
    " c.merged_into IS NULL) FROM officers o";

struct owalk {
	cw_officer_fn fn;
	void *arg;
};

static int officer_row(sqlite3_stmt *st, void *arg)
{
	struct owalk *w = arg;
	struct cw_officer_row r;
	const char *role = NULL;
	const char **const texts[] = {&r.o.username, &r.o.name,	 &r.o.title,
				      &r.o.team,     &r.o.email, &role};
	const char **const tail[] = {&r.unix_user, &r.added};

	memset(&r, 0, sizeof(r));
	cw_store_col_texts(st, 0, texts, 6);
	r.o.role = tc_role_parse(role);
	r.o.active = sqlite3_column_int(st, 6);
	r.o.away_from = cw_store_col_day(st, 7);
	r.o.away_to = cw_store_col_day(st, 8);
	cw_store_col_texts(st, 9, tail, 2);
	r.open_cases = sqlite3_column_int(st, 11);
	r.next_due = cw_store_col_day(st, 12);
	return w->fn(&r, w->arg) < 0 ? -1 : 0;
}

int cw_store_officer_count(struct cw_store *reg)
{
	static const char sql[] = "SELECT count(*) FROM officers";
	int64_t n = 0;

	return cw_store_first_int64(reg, cw_store_query(reg, sql, ""),
				    "counting officers", &n) < 0
		   ? -1
		   : (int)n;
}

int cw_store_officer_add(struct cw_store *reg, const struct tc_officer *o,
			 const char *unix_user, const char *today)
{
	static const char sql[] =
	    "INSERT INTO officers(username, name, title, team, email, role,"
	    " active, away_from, away_to, unix_user, added) VALUES(?, ?, ?, ?,"
	    " ?, ?, 1, ?, ?, ?, ?)";

	return cw_store_run(reg, "adding an officer", sql, "ttoootddot",
			    o->username, o->name, o->title, o->team, o->email,
			    tc_role_name(o->role), o->away_from, o->away_to,
			    unix_user, today);
}

int cw_store_officer_set(struct cw_store *reg, const char *username,
			 const struct cw_officer_change *ch)
{
	static const char sql[] =
	    "UPDATE officers SET name = coalesce(?2, name), title ="
	    " coalesce(?3, title), team = coalesce(?4, team), email ="
	    " coalesce(?5, email), role = coalesce(?6, role), active ="
	    " coalesce(?7, active), away_from = CASE WHEN ?8 THEN ?9 ELSE"
	    " away_from END, away_to = CASE WHEN ?8 THEN ?10 ELSE away_to END,"
	    " unix_user = coalesce(?11, unix_user) WHERE username = ?1";
	const char *texts[] = {
	    username, ch->name,	 ch->title,
	    ch->team, ch->email, ch->role ? tc_role_name(ch->role) : NULL};
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	int i;

	if (!st)
		return -1;
	for (i = 0; i < 6; i++)
		if (texts[i])
			sqlite3_bind_text(st, i + 1, texts[i], -1,
					  SQLITE_TRANSIENT);
	if (ch->active >= 0)
		sqlite3_bind_int(st, 7, ch->active);
	sqlite3_bind_int(st, 8, ch->set_away);
	if (ch->away_from != CW_NODAY)
		sqlite3_bind_text(st, 9, ch->away_from_s, -1, SQLITE_TRANSIENT);
	if (ch->away_to != CW_NODAY)
		sqlite3_bind_text(st, 10, ch->away_to_s, -1, SQLITE_TRANSIENT);
	if (ch->unix_user)
		sqlite3_bind_text(st, 11, ch->unix_user, -1, SQLITE_TRANSIENT);
	if (cw_store_step(reg, st, "changing an officer") < 0)
		return -1;
	return sqlite3_changes(cw_store_db(reg)) > 0;
}

int cw_store_officer_list(struct cw_store *reg, cw_officer_fn fn, void *arg)
{
	static char sql[sizeof(officer_cols) + 32];
	struct owalk w = {fn, arg};

	if (!sql[0])
		snprintf(sql, sizeof(sql), "%s ORDER BY o.username",
			 officer_cols);
	return cw_store_all_rows(reg, cw_store_query(reg, sql, ""),
				 "listing officers", officer_row, &w);
}

int cw_store_officer_find(struct cw_store *reg, const char *username,
			  const char *unix_user, cw_officer_fn fn, void *arg)
{
	static char sql[sizeof(officer_cols) + 64];
	struct owalk w = {fn, arg};
	int n;

	if (!sql[0])
		snprintf(sql, sizeof(sql),
			 "%s WHERE o.username = ?1 OR o.unix_user = ?2",
			 officer_cols);
	n = cw_store_each_row(
	    reg, cw_store_query(reg, sql, "oo", username, unix_user),
	    "finding an officer", officer_row, &w);
	return n < 0 ? -1 : n > 0;
}

int cw_store_access_add(struct cw_store *reg, const char *at,
			const char *officer, int64_t case_id,
			const char *action)
{
	static const char sql[] = "INSERT INTO access_log(at, officer,"
				  " case_id, action) VALUES(?, ?, ?, ?)";

	return cw_store_run(reg, "logging who read the case", sql, "ttIt", at,
			    officer, case_id, action);
}

struct awalk {
	int (*fn)(const char *at, const char *officer, const char *action,
		  void *arg);
	void *arg;
};

static int access_row(sqlite3_stmt *st, void *arg)
{
	struct awalk *w = arg;

	return w->fn(cw_store_col_text(st, 0), cw_store_col_text(st, 1),
		     cw_store_col_text(st, 2), w->arg) < 0
		   ? -1
		   : 0;
}

int cw_store_access_list(struct cw_store *reg, int64_t case_id,
			 int (*fn)(const char *at, const char *officer,
				   const char *action, void *arg),
			 void *arg)
{
	static const char sql[] = "SELECT at, officer, action FROM access_log"
				  " WHERE case_id = ? ORDER BY id";
	struct awalk w = {fn, arg};

	return cw_store_all_rows(reg, cw_store_query(reg, sql, "I", case_id),
				 "reading who read the case", access_row, &w);
}
