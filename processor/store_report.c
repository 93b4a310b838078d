/*
 * store_report.c: the register's queries for what casework reports: the
 * daily report, the annual figures, a subject access export, and what
 * ingest asks of a bundle seen before. Part of the store (store_internal.h),
 * the one module of casework that speaks SQL.
 */
#include "store_internal.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

/* ---- Reports: the daily report, the annual figures, subject access ---- */

int cw_store_read_begin(struct cw_store *reg)
{
	return cw_store_exec(reg, "BEGIN");
}

/* Column i as text that lasts until the next step; "" for NULL. */
/* A report query's row handler: each(st, fn, arg) passes the row to the
 * caller's fn. */
struct rep_walk {
	void (*each)(sqlite3_stmt *, void (*)(void), void *);
	void (*fn)(void);
	void *arg;
};

static int rep_row(sqlite3_stmt *st, void *arg)
{
	const struct rep_walk *w = arg;

	w->each(st, w->fn, w->arg);
	return 0;
}

/* Steps st to the end, calling each(st, fn, arg) per row. 0, or -1 after a
 * message saying what was being read. */
static int rep_each(struct cw_store *reg, sqlite3_stmt *st,
		    void (*each)(sqlite3_stmt *, void (*)(void), void *),
		    void (*fn)(void), void *arg, const char *doing)
{
	struct rep_walk w = {each, fn, arg};

	return cw_store_all_rows(reg, st, doing, rep_row, &w);
}

/* Runs sql (with ?1 bound to day unless NULL) through rep_each. */
static int rep_run(struct cw_store *reg, const char *sql, const char *day,
		   void (*each)(sqlite3_stmt *, void (*)(void), void *),
		   void (*fn)(void), void *arg, const char *doing)
{
	sqlite3_stmt *st =
	    day ? cw_store_query(reg, sql, "t", day) : cw_store_stmt(reg, sql);

	if (!st)
		return -1;
	return rep_each(reg, st, each, fn, arg, doing);
}

static void rep_intake_row(sqlite3_stmt *st, void (*fn)(void), void *arg)
{
	((cw_store_intake_fn)fn)(
	    arg, cw_store_col_text(st, 0), cw_store_col_text(st, 1),
	    sqlite3_column_int(st, 2), cw_store_col_text(st, 3),
	    cw_store_col_day(st, 4), cw_store_col_text(st, 5));
}

int cw_store_report_intake(struct cw_store *reg, const char *day,
			   cw_store_intake_fn fn, void *arg)
{
	static const char sql[] =
	    "SELECT c.reference, CASE s.outcome WHEN 'escalated' THEN"
	    " 'stage ' || c.stage || ' escalation' ELSE c.type END,"
	    " c.stage, c.team, s.received_date, c.service_area FROM"
	    " submissions s JOIN cases c ON"
	    " c.id = s.case_id WHERE s.ingested = ? ORDER BY c.reference";
	return rep_run(reg, sql, day, rep_intake_row, (void (*)(void))fn, arg,
		       "reading the register for the report");
}

static void rep_case_row(sqlite3_stmt *st, void (*fn)(void), void *arg)
{
	struct cw_report_case c;

	c.reference = cw_store_col_text(st, 0);
	c.type = cw_store_col_text(st, 1);
	c.stage = sqlite3_column_int(st, 2);
	c.team = cw_store_col_text(st, 3);
	c.flags_json = cw_store_col_text(st, 4);
	c.status = cw_store_col_text(st, 5);
	c.ack_due = cw_store_col_day(st, 6);
	c.acknowledged = cw_store_col_day(st, 7);
	c.respond_due = cw_store_col_day(st, 8);
	c.responded = cw_store_col_day(st, 9);
	c.window_closes = cw_store_col_day(st, 10);
	c.closed = cw_store_col_day(st, 11);
	c.priority = cw_store_col_text(st, 12);
	c.actions_json = cw_store_col_text(st, 13);
	c.received = cw_store_col_day(st, 14);
	c.update_due = cw_store_col_day(st, 15);
	c.steps_json = cw_store_col_text(st, 16);
	c.procedure =
	    sqlite3_column_text(st, 17) ? cw_store_col_text(st, 17) : NULL;
	c.handler =
	    sqlite3_column_text(st, 18) ? cw_store_col_text(st, 18) : NULL;
	c.away_from = cw_store_col_day(st, 19);
	c.away_to = cw_store_col_day(st, 20);
	((cw_store_case_fn)fn)(arg, &c);
}

int cw_store_report_cases(struct cw_store *reg, cw_store_case_fn fn, void *arg)
{
	static const char sql[] =
	    "SELECT c.reference, c.type, c.stage, c.team, c.flags,"
	    " c.status, s.ack_due, s.acknowledged, CASE WHEN s.case_id IS"
	    " NULL THEN c.reply_due ELSE s.respond_due END, CASE WHEN"
	    " s.case_id IS NULL THEN c.replied ELSE s.responded END,"
	    " s.window_closes, s.closed, c.priority, c.actions,"
	    " c.received_date, s.update_due, coalesce(s.steps, '[]'),"
	    " c.procedure, c.handler, o.away_from, o.away_to"
	    " FROM cases c"
	    " LEFT"
	    " JOIN stages s ON s.case_id = c.id AND s.stage = c.stage"
	    " LEFT JOIN officers o ON o.username = c.handler"
	    " ORDER BY c.reference";
	return rep_run(reg, sql, NULL, rep_case_row, (void (*)(void))fn, arg,
		       "reading the register for the report");
}

/* The columns both restriction queries select, in rep_restriction_row's
 * order. */
#define REP_RESTRICTION_COLS                                                   \
	"SELECT id, kind, scope, start, review, coalesce(lifted, ''),"         \
	" status, coalesce(contact, '') FROM restriction_register"

static void rep_restriction_row(sqlite3_stmt *st, void (*fn)(void), void *arg)
{
	struct cw_report_restriction r;

	r.id = sqlite3_column_int64(st, 0);
	r.kind = cw_store_col_text(st, 1);
	r.scope = cw_store_col_text(st, 2);
	r.start = cw_store_col_text(st, 3);
	r.review = cw_store_col_text(st, 4);
	r.lifted = cw_store_col_text(st, 5);
	r.status = cw_store_col_text(st, 6);
	r.contact = cw_store_col_text(st, 7);
	r.review_day = cw_store_col_day(st, 4);
	((cw_store_restriction_fn)fn)(arg, &r);
}

int cw_store_report_restrictions(struct cw_store *reg,
				 cw_store_restriction_fn fn, void *arg)
{
	static const char sql[] =
	    REP_RESTRICTION_COLS " WHERE status = 'active' ORDER BY id";
	return rep_run(reg, sql, NULL, rep_restriction_row, (void (*)(void))fn,
		       arg, "reading the register for the report");
}

int cw_store_person_restrictions(struct cw_store *reg, const char *email_norm,
				 const char *phone_norm, const char *name_norm,
				 cw_store_restriction_fn fn, void *arg)
{
	static const char sql[] = REP_RESTRICTION_COLS
	    " WHERE (?1 IS NOT NULL AND email_norm = ?1)"
	    " OR (?2 IS NOT NULL AND phone_norm = ?2) OR (?3 IS NOT NULL AND"
	    " name_norm = ?3) ORDER BY id";
	sqlite3_stmt *st =
	    cw_store_query(reg, sql, "ooo", email_norm, phone_norm, name_norm);

	if (!st)
		return -1;
	return rep_each(reg, st, rep_restriction_row, (void (*)(void))fn, arg,
			"reading restrictions");
}

static void rep_submission_row(sqlite3_stmt *st, void (*fn)(void), void *arg)
{
	((cw_store_submission_fn)fn)(arg, cw_store_col_text(st, 0),
				     cw_store_col_text(st, 1),
				     sqlite3_column_int64(st, 2));
}

int cw_store_each_submission(struct cw_store *reg, cw_store_submission_fn fn,
			     void *arg)
{
	static const char sql[] =
	    "SELECT s.id, coalesce(c.reference, ''), coalesce(c.id, 0) FROM"
	    " submissions s LEFT JOIN cases c ON c.id = s.case_id ORDER BY"
	    " s.id";
	return rep_run(reg, sql, NULL, rep_submission_row, (void (*)(void))fn,
		       arg, "reading submissions");
}

/* The annual report's sections: ?1 from, ?2 to, ?3 today; rows of (label,
 * count[, total]). Only anonymised columns: never a name, contact or
 * free text. A duplicate merged into another case is counted once, as that
 * case: LIVE on cases, LIVE_STAGE on stages and submissions. */
#define LIVE " merged_into IS NULL AND"
#define LIVE_STAGE                                                             \
	" case_id NOT IN (SELECT id FROM cases WHERE merged_into IS NOT"       \
	" NULL) AND"

static const struct {
	const char *id;
	const char *sql;
} rep_figures[] = {
    {"volume_by_type",
     "SELECT type, count(*) FROM cases WHERE" LIVE " received_date BETWEEN"
     " ?1 AND ?2 GROUP BY type ORDER BY type"},
    {"volume_by_stage",
     "SELECT 'stage ' || stage, count(*) FROM stages WHERE" LIVE_STAGE
     " request BETWEEN ?1 AND ?2 GROUP BY stage ORDER BY stage"},
    {"volume_by_service_area",
     "SELECT coalesce(service_area, 'not given'), count(*) FROM cases"
     " WHERE" LIVE " received_date BETWEEN ?1 AND ?2 GROUP BY 1 ORDER BY 1"},
    {"volume_by_channel",
     "SELECT * FROM (SELECT CASE channel WHEN 'web' THEN 'online form'"
     " ELSE channel END, count(*) FROM submissions WHERE" LIVE_STAGE
     " received_date BETWEEN ?1 AND ?2 GROUP BY channel ORDER BY channel = "
     "'web' DESC,"
     " channel) UNION ALL SELECT 'stage 2 asked for by phone or letter',"
     " count(*) FROM stages WHERE" LIVE_STAGE " stage > 1 AND submission_id"
     " IS NULL AND request BETWEEN ?1 AND ?2 HAVING count(*) > 0"},
    /* Out of: stages acknowledged, or whose deadline passed before today
     * (?3); one not yet due is neither late nor on time, nor one whose
     * stage has no such deadline (no acknowledgement step, no fixed
     * response deadline). */
    {"acknowledged_in_time",
     "SELECT 'stage ' || stage, sum(acknowledged IS NOT NULL AND"
     " acknowledged <= ack_due), sum(acknowledged IS NOT NULL OR ack_due <"
     " ?3) FROM stages WHERE" LIVE_STAGE " ack_due IS NOT NULL AND request"
     " BETWEEN ?1 AND ?2 GROUP BY stage ORDER BY stage"},
    {"answered_in_time",
     "SELECT 'stage ' || stage, sum(responded IS NOT NULL AND responded <="
     " respond_due), sum(responded IS NOT NULL OR respond_due < ?3) FROM"
     " stages WHERE" LIVE_STAGE " respond_due IS NOT NULL AND request"
     " BETWEEN ?1 AND ?2 GROUP BY stage ORDER BY stage"},
    {"ombudsman_considering",
     "SELECT 'complaints the Ombudsman began to consider', count(*) FROM"
     " cases WHERE" LIVE " json_extract(ombudsman, '$.considering') BETWEEN"
     " ?1 AND"
     " ?2 HAVING count(*) > 0"},
    {"ombudsman_decisions",
     "SELECT json_extract(ombudsman, '$.decision'), count(*) FROM cases"
     " WHERE" LIVE " json_extract(ombudsman, '$.decided') BETWEEN ?1 AND ?2"
     " GROUP"
     " BY 1 ORDER BY 1"},
    {"ombudsman_complied",
     "SELECT 'remedies complied with', sum(json_extract(ombudsman,"
     " '$.complied') IS NOT NULL), count(*) FROM cases WHERE" LIVE
     " json_extract(ombudsman, '$.decided') BETWEEN ?1 AND ?2 AND"
     " json_extract(ombudsman, '$.remedy') IS NOT NULL HAVING count(*) >"
     " 0"},
    {"ombudsman_remedies",
     "SELECT 'decisions that asked for a remedy', coalesce(sum("
     "json_extract(ombudsman, '$.remedy') IS NOT NULL), 0), count(*) FROM"
     " cases WHERE" LIVE " json_extract(ombudsman, '$.decided') BETWEEN ?1"
     " AND ?2 HAVING count(*) > 0"},
    {"extensions",
     "SELECT 'stage ' || stage, sum(extension_days > 0), count(*) FROM"
     " stages WHERE" LIVE_STAGE
     " request BETWEEN ?1 AND ?2 GROUP BY stage ORDER BY"
     " stage"},
    {"outcomes",
     "SELECT 'stage ' || stage || ': ' || outcome, count(*) FROM stages"
     " WHERE" LIVE_STAGE
     " closed BETWEEN ?1 AND ?2 AND outcome IS NOT NULL GROUP BY"
     " stage, outcome ORDER BY stage, outcome"},
    /* a remedy is free text: only whether one was recorded */
    {"remedies",
     "SELECT 'stage ' || stage, coalesce(sum(remedy IS NOT NULL), 0),"
     " count(*) FROM stages WHERE" LIVE_STAGE " closed BETWEEN ?1 AND ?2"
     " GROUP BY stage ORDER BY stage"},
    {"stage2_escalations",
     "SELECT 'complaints received in the period', coalesce(sum(EXISTS("
     "SELECT 1 FROM stages s WHERE s.case_id = c.id AND s.stage >= 2)),"
     " 0), count(*) FROM cases c WHERE" LIVE " c.type = 'complaint' AND"
     " c.received_date BETWEEN ?1 AND ?2 HAVING count(*) > 0"},
    {"refused_or_signposted",
     "SELECT coalesce(service_area, ''), count(*) FROM cases WHERE" LIVE
     " type = 'signposted' AND received_date BETWEEN ?1 AND ?2 GROUP"
     " BY 1 ORDER BY 1"},
    {"learning",
     "SELECT 'stages closed in the period', coalesce(sum(learning IS NOT"
     " NULL), 0), count(*) FROM stages WHERE" LIVE_STAGE
     " closed BETWEEN ?1 AND ?2"
     " HAVING count(*) > 0"},
    /* learning is free text: only whether it was recorded */
    {"learning_by_service_area",
     "SELECT coalesce(c.service_area, 'not given'), coalesce(sum("
     "s.learning IS NOT NULL), 0), count(*) FROM stages s JOIN cases c ON"
     " c.id = s.case_id WHERE c.merged_into IS NULL AND s.closed BETWEEN"
     " ?1 AND ?2 GROUP BY 1 ORDER BY 1"},
    {"restrictions_in_place",
     "SELECT kind, count(*) FROM restriction_register WHERE status <>"
     " 'warning' AND start <= ?2 AND (lifted IS NULL OR lifted >= ?1)"
     " GROUP BY kind ORDER BY kind"},
    {"warnings_given",
     "SELECT 'warnings given before any restriction', count(*) FROM"
     " restriction_register WHERE status = 'warning' AND start BETWEEN ?1"
     " AND ?2 HAVING count(*) > 0"},
    {"complaints_by_month",
     "SELECT substr(received_date, 1, 7), count(*) FROM cases WHERE" LIVE
     " type = 'complaint' AND received_date BETWEEN ?1 AND ?2 GROUP BY"
     " 1"},
    {"all_contacts_by_month",
     "SELECT substr(received_date, 1, 7), count(*) FROM cases WHERE" LIVE
     " received_date BETWEEN ?1 AND ?2 GROUP BY 1"},
};

static void rep_figure_row(sqlite3_stmt *st, void (*fn)(void), void *arg)
{
	((cw_store_figure_fn)fn)(
	    arg, cw_store_col_text(st, 0), (long)sqlite3_column_int64(st, 1),
	    sqlite3_column_count(st) > 2 ? (long)sqlite3_column_int64(st, 2)
					 : -1);
}

int cw_store_annual_figures(struct cw_store *reg, const char *id,
			    const char *from, const char *to, const char *today,
			    cw_store_figure_fn fn, void *arg)
{
	const size_t n = sizeof(rep_figures) / sizeof(rep_figures[0]);
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < n && strcmp(rep_figures[i].id, id); i++)
		;
	if (i == n)
		TC_BUG("no figures for the section");
	/* the sections that count what is due take today as ?3 */
	st = cw_store_stmt(reg, rep_figures[i].sql);
	if (!st)
		return -1;
	st =
	    cw_store_query(reg, rep_figures[i].sql,
			   sqlite3_bind_parameter_count(st) >= 3 ? "ttt" : "tt",
			   from, to, today);
	return rep_each(reg, st, rep_figure_row, (void (*)(void))fn, arg,
			"reading figures");
}

/* ---- Ingest ---- */

int cw_store_bundle_submissions(struct cw_store *reg, const char *sha256)
{
	sqlite3_stmt *st = cw_store_query(
	    reg, "SELECT submissions FROM bundles WHERE sha256 = ?", "t",
	    sha256);
	int n = 0;

	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

/* ---- the daily report's rows, sorted on disk ---- */

int cw_store_rows_open(struct cw_store *reg, const char *path)
{
	static const char attach[] = "ATTACH DATABASE ? AS report_rows";

	(void)unlink(path); /* left by a run that stopped */
	if (cw_store_step(reg, cw_store_query(reg, attach, "t", path),
			  "making room to sort the report") < 0)
		return -1;
	/* Scratch: nothing here needs to survive a crash. */
	if (cw_store_exec(reg, "PRAGMA report_rows.journal_mode=OFF") < 0 ||
	    cw_store_exec(reg, "PRAGMA report_rows.synchronous=OFF") < 0 ||
	    cw_store_exec(
		reg, "CREATE TABLE report_rows.rows(sec INTEGER,"
		     " date TEXT, reference TEXT, detail TEXT, type"
		     " TEXT, stage INTEGER, team TEXT, days INTEGER)") < 0 ||
	    /* Kept in order as rows come, so reading them back needs no
	     * sort in memory (temp_store is MEMORY: see store.c). */
	    cw_store_exec(reg, "CREATE INDEX report_rows.rows_order ON"
			       " rows(sec, date, reference, detail)") < 0 ||
	    cw_store_exec(reg, "BEGIN") < 0) {
		cw_store_rows_close(reg, path);
		return -1;
	}
	return 0;
}

int cw_store_rows_add(struct cw_store *reg, const struct cw_report_row *r)
{
	static const char sql[] =
	    "INSERT INTO report_rows.rows VALUES(?, ?, ?, ?, ?, ?, ?, ?)";
	return cw_store_step(
	    reg,
	    cw_store_query(reg, sql, "ittttiti", r->sec, r->date, r->reference,
			   r->detail, r->type, r->stage, r->team, r->days),
	    "sorting the report");
}

struct rowwalk {
	cw_report_row_fn fn;
	void *arg;
};

static int report_row(sqlite3_stmt *st, void *arg)
{
	struct rowwalk *w = arg;
	struct cw_report_row r;
	const char **const texts[] = {&r.date, &r.reference, &r.detail,
				      &r.type};

	r.sec = sqlite3_column_int(st, 0);
	cw_store_col_texts(st, 1, texts, 4);
	r.stage = sqlite3_column_int(st, 5);
	r.team = cw_store_col_text(st, 6);
	r.days = sqlite3_column_int(st, 7);
	return w->fn(w->arg, &r) < 0 ? -1 : 0;
}

int cw_store_rows_each(struct cw_store *reg, cw_report_row_fn fn, void *arg)
{
	/* BINARY collation: bytewise, as strcmp. */
	static const char sql[] =
	    "SELECT sec, date, reference, detail, type, stage, team, days FROM"
	    " report_rows.rows ORDER BY sec, date, reference, detail";
	struct rowwalk w = {fn, arg};

	return cw_store_all_rows(reg, cw_store_stmt(reg, sql),
				 "reading the report's rows", report_row, &w);
}

int cw_store_rows_types(struct cw_store *reg, int sec, cw_report_row_fn fn,
			void *arg)
{
	static const char sql[] =
	    "SELECT ?1, '', type, '', '', 0, '', count(*) FROM report_rows.rows"
	    " WHERE sec = ?1 GROUP BY type ORDER BY min(date || char(1) ||"
	    " reference || char(1) || detail)";
	struct rowwalk w = {fn, arg};

	return cw_store_all_rows(reg, cw_store_query(reg, sql, "i", sec),
				 "counting the report's rows", report_row, &w);
}

void cw_store_rows_close(struct cw_store *reg, const char *path)
{
	cw_store_rollback(reg);
	(void)cw_store_exec(reg, "DETACH DATABASE report_rows");
	(void)unlink(path);
}
