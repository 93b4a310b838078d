/*
 * store.c: the register in SQLite, the one module of casework that speaks
 * SQL (see store.h).
 *
 * Migrations are an array of SQL scripts; schema_version holds the highest
 * one applied, and each is applied in its own transaction, so a register
 * from an older build is brought forward on open and one from a newer build
 * is refused rather than misread.
 */
#include "store_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "err.h"

#define STMT_CACHE 48

struct cw_store {
	sqlite3 *db;
	char *path; /* the register's file, named in every error */
	struct {
		const char *sql;    /* cache key: the literal's address */
		sqlite3_stmt *stmt; /* prepared once */
	} cache[STMT_CACHE];
	size_t ncache;
};

/* Migration n (1-based) takes the schema from version n-1 to n. */
static const char *const migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE bundles("
    " sha256 TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " bundle_id TEXT,"
    " ingested TEXT NOT NULL,"
    " submissions INTEGER NOT NULL);"
    "CREATE TABLE cases("
    " id INTEGER PRIMARY KEY,"
    " reference TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL,"
    " procedure TEXT,"
    " stage INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " submission_id TEXT NOT NULL,"
    " received TEXT NOT NULL,"
    " received_date TEXT NOT NULL,"
    " service_area TEXT,"
    " team TEXT,"
    " person_key TEXT,"
    " flags TEXT NOT NULL DEFAULT '[]',"
    " pack_dirty INTEGER NOT NULL DEFAULT 1);"
    "CREATE INDEX cases_person ON cases(person_key, service_area,"
    " received_date);"
    "CREATE INDEX cases_dirty ON cases(pack_dirty, id);"
    "CREATE TABLE submissions("
    " id TEXT PRIMARY KEY,"
    " bundle_sha256 TEXT NOT NULL,"
    " form TEXT NOT NULL,"
    " received TEXT NOT NULL,"
    " received_date TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " case_id INTEGER REFERENCES cases(id),"
    " ingested TEXT NOT NULL);"
    "CREATE TABLE quarantine("
    " bundle TEXT NOT NULL,"
    " submission_id TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " date TEXT NOT NULL,"
    " PRIMARY KEY(bundle, submission_id));"
    "CREATE TABLE stages("
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " stage INTEGER NOT NULL,"
    " submission_id TEXT,"
    " request TEXT NOT NULL,"
    " ack_due TEXT,"
    " acknowledged TEXT,"
    " respond_due TEXT,"
    " responded TEXT,"
    " extension_days INTEGER NOT NULL DEFAULT 0,"
    " extension_reason TEXT,"
    " window_closes TEXT,"
    " closed TEXT,"
    " outcome TEXT,"
    " remedy TEXT,"
    " learning TEXT,"
    " PRIMARY KEY(case_id, stage));"
    "CREATE TABLE events("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " stage INTEGER NOT NULL,"
    " event TEXT NOT NULL,"
    " date TEXT NOT NULL,"
    " detail TEXT NOT NULL DEFAULT '{}',"
    " recorded TEXT NOT NULL);"
    "CREATE INDEX events_case ON events(case_id, id);"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    " BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    " BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;"
    "CREATE TABLE sequences("
    " type TEXT NOT NULL,"
    " year INTEGER NOT NULL,"
    " last INTEGER NOT NULL,"
    " PRIMARY KEY(type, year));"
    "CREATE TABLE restrictions("
    " person_key TEXT PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " reason TEXT NOT NULL,"
    " start TEXT NOT NULL,"
    " review TEXT,"
    " contact TEXT,"
    " lifted TEXT);",
    /* 2: the restrictions register with its review history, an audit log
     * for what belongs to no case (restrictions, purges), and the date a
     * case's personal data was purged. */
    "CREATE TABLE restriction_register("
    " id INTEGER PRIMARY KEY,"
    " name TEXT,"
    " email TEXT,"
    " phone TEXT,"
    " name_norm TEXT,"
    " email_norm TEXT,"
    " phone_norm TEXT,"
    " person_key TEXT,"
    " kind TEXT NOT NULL,"
    " scope TEXT NOT NULL,"
    " reason TEXT,"
    " decided_by TEXT,"
    " start TEXT NOT NULL,"
    " review TEXT NOT NULL,"
    " contact TEXT,"
    " status TEXT NOT NULL DEFAULT 'active',"
    " lifted TEXT,"
    " case_id INTEGER REFERENCES cases(id),"
    " purged TEXT);"
    "CREATE INDEX restriction_email ON restriction_register(email_norm);"
    "CREATE INDEX restriction_phone ON restriction_register(phone_norm);"
    "CREATE INDEX restriction_key ON restriction_register(person_key);"
    "CREATE TABLE restriction_reviews("
    " id INTEGER PRIMARY KEY,"
    " restriction_id INTEGER NOT NULL REFERENCES"
    " restriction_register(id),"
    " date TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " next_review TEXT,"
    " detail TEXT NOT NULL DEFAULT '{}',"
    " recorded TEXT NOT NULL);"
    "CREATE TRIGGER restriction_reviews_no_update BEFORE UPDATE ON"
    " restriction_reviews BEGIN SELECT RAISE(ABORT, 'the review history"
    " is append-only'); END;"
    "CREATE TRIGGER restriction_reviews_no_delete BEFORE DELETE ON"
    " restriction_reviews BEGIN SELECT RAISE(ABORT, 'the review history"
    " is append-only'); END;"
    "INSERT INTO restriction_register(person_key, kind, scope, reason,"
    " decided_by, start, review, contact, status, lifted, case_id)"
    " SELECT person_key, 'single-point-of-contact', 'council', reason,"
    " NULL, start, coalesce(review, start), contact, CASE WHEN lifted IS"
    " NULL THEN 'active' ELSE 'lifted' END, lifted, case_id FROM"
    " restrictions;"
    "DROP TABLE restrictions;"
    "CREATE TABLE audit("
    " id INTEGER PRIMARY KEY,"
    " date TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " detail TEXT NOT NULL DEFAULT '{}');"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "ALTER TABLE cases ADD COLUMN purged TEXT;",
    /* 3: quarantine with a way out: what was decided, when, by whom and
     * why, the case a release made, and the bundle it came in. */
    "ALTER TABLE quarantine ADD COLUMN status TEXT NOT NULL DEFAULT"
    " 'waiting';"
    "ALTER TABLE quarantine ADD COLUMN decided TEXT;"
    "ALTER TABLE quarantine ADD COLUMN decision TEXT;"
    "ALTER TABLE quarantine ADD COLUMN decided_by TEXT;"
    "ALTER TABLE quarantine ADD COLUMN reference TEXT;"
    "ALTER TABLE quarantine ADD COLUMN bundle_sha256 TEXT;"
    "CREATE INDEX quarantine_submission ON quarantine(submission_id);"
    "CREATE INDEX quarantine_waiting ON quarantine(status, date);",
    /* 4: who recorded each event. */
    "ALTER TABLE events ADD COLUMN recorded_by TEXT;",
    /* 5: a case's priority, a record's reply deadline, and the person's
     * details as search finds them. */
    "ALTER TABLE cases ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';"
    "ALTER TABLE cases ADD COLUMN reply_days INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN reply_due TEXT;"
    "ALTER TABLE cases ADD COLUMN replied TEXT;"
    "ALTER TABLE cases ADD COLUMN contact_name TEXT;"
    "ALTER TABLE cases ADD COLUMN contact_email TEXT;"
    "ALTER TABLE cases ADD COLUMN contact_phone TEXT;"
    "ALTER TABLE cases ADD COLUMN contact_postcode TEXT;",
    /* 6: the references a case had before it was reclassified, which
     * still find it. */
    "CREATE TABLE aliases("
    " reference TEXT PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases(id));",
    /* 7: how each submission came: web (the forms), or an officer's
     * record of a phone call, letter, email, visit or social-media
     * message. */
    "ALTER TABLE submissions ADD COLUMN channel TEXT NOT NULL DEFAULT"
    " 'web';"
    "ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';",
    /* 8: the actions promised in responses, and what the Ombudsman did. */
    "ALTER TABLE cases ADD COLUMN actions TEXT NOT NULL DEFAULT '[]';"
    "ALTER TABLE cases ADD COLUMN ombudsman TEXT;",
    /* 9: duplicates merged into a case, and related cases linked. */
    "ALTER TABLE cases ADD COLUMN merged_into INTEGER REFERENCES cases(id);"
    "ALTER TABLE cases ADD COLUMN links TEXT NOT NULL DEFAULT '[]';"
    "CREATE INDEX cases_merged ON cases(merged_into);",
    /* 10: a stage's steps (a review panel and its report), the update a
     * stage with no fixed deadline owes the resident, and an extension
     * beyond the usual maximum. */
    "ALTER TABLE stages ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';"
    "ALTER TABLE stages ADD COLUMN update_due TEXT;"
    "ALTER TABLE stages ADD COLUMN updated TEXT;"
    "ALTER TABLE stages ADD COLUMN exceptional INTEGER NOT NULL DEFAULT 0;",
    /* 11: warnings given before a restriction (status 'warning', with
     * what the person was asked to change), and the warning a restriction
     * followed. */
    "ALTER TABLE restriction_register ADD COLUMN warning_id INTEGER"
    " REFERENCES restriction_register(id);"
    "ALTER TABLE restriction_register ADD COLUMN expected TEXT;",
    /* 12: the officers who work the register, the handler each case and
     * stage is allocated to, and who read which case's personal data. */
    "CREATE TABLE officers("
    " id INTEGER PRIMARY KEY,"
    " username TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " title TEXT,"
    " team TEXT,"
    " email TEXT,"
    " role TEXT NOT NULL,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " away_from TEXT,"
    " away_to TEXT,"
    " unix_user TEXT UNIQUE,"
    " added TEXT NOT NULL);"
    "ALTER TABLE cases ADD COLUMN handler TEXT;"
    "ALTER TABLE stages ADD COLUMN handler TEXT;"
    "CREATE INDEX cases_handler ON cases(handler);"
    "CREATE TABLE access_log("
    " id INTEGER PRIMARY KEY,"
    " at TEXT NOT NULL,"
    " officer TEXT NOT NULL,"
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " action TEXT NOT NULL);"
    "CREATE INDEX access_case ON access_log(case_id);",
};

/* "FILE: [DOING: ]MESSAGE", and what to do when the disk is full. */
static void warn_db(struct cw_store *reg, const char *doing, const char *msg)
{
	int full =
	    reg && reg->db && (sqlite3_errcode(reg->db) & 0xff) == SQLITE_FULL;

	tc_warnx("%s: %s%s%s%s", reg && reg->path ? reg->path : "register",
		 doing ? doing : "", doing ? ": " : "", msg,
		 full ? " (free some space, then run the same command again)"
		      : "");
}

void cw_store_error(struct cw_store *reg, const char *doing)
{
	warn_db(reg, doing,
		reg && reg->db ? sqlite3_errmsg(reg->db) : "not open");
}

int cw_store_exec(struct cw_store *reg, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(reg->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		warn_db(reg, NULL, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int get_version(struct cw_store *reg, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (cw_store_exec(reg, "CREATE TABLE IF NOT EXISTS schema_version("
			       "version INTEGER NOT NULL)") < 0)
		return -1;
	if (sqlite3_prepare_v2(reg->db,
			       "SELECT coalesce(max(version), 0) FROM "
			       "schema_version",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*version = sqlite3_column_int(st, 0);
	rc = 0;
out:
	if (rc < 0)
		cw_store_error(reg, "reading the schema version");
	sqlite3_finalize(st);
	return rc;
}

static int migrate(struct cw_store *reg)
{
	int version = 0, n = (int)(sizeof(migrations) / sizeof(migrations[0]));
	char sql[96];

	if (cw_store_exec(reg, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (get_version(reg, &version) < 0)
		goto fail;
	if (version > n) {
		tc_warnx("%s: schema version %d is newer than this "
			 "casework knows (%d): use a newer casework",
			 reg->path, version, n);
		goto fail;
	}
	for (; version < n; version++) {
		if (cw_store_exec(reg, migrations[version]) < 0)
			goto fail;
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_version VALUES(%d)", version + 1);
		if (cw_store_exec(reg, sql) < 0)
			goto fail;
	}
	return cw_store_exec(reg, "COMMIT");
fail:
	cw_store_exec(reg, "ROLLBACK");
	return -1;
}

struct cw_store *cw_store_open(const char *path, unsigned mode)
{
	struct cw_store *reg = calloc(1, sizeof(*reg));
	int fd;

	if (!reg)
		tc_die_nomem();
	reg->path = tc_xstrdup(path);
	/* Create it 0600 (0660 for a group) ourselves: SQLite would use the
	 * umask. SQLite gives its -wal and -shm files the same mode. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode);
	if (fd < 0) {
		tc_warn("cannot open the register '%s'", path);
		goto fail;
	}
	close(fd);
	if (sqlite3_open_v2(path, &reg->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		cw_store_error(reg, "opening");
		goto fail;
	}
	sqlite3_busy_timeout(reg->db, 10000);
	/* temp_store=MEMORY: large sorts spill to memory, not to /var/tmp,
	 * which the sandbox does not allow. */
	if (cw_store_exec(reg, "PRAGMA journal_mode=WAL") < 0 ||
	    cw_store_exec(reg, "PRAGMA temp_store=MEMORY") < 0 ||
	    cw_store_exec(reg, "PRAGMA synchronous=FULL") < 0 ||
	    cw_store_exec(reg, "PRAGMA foreign_keys=ON") < 0 ||
	    migrate(reg) < 0)
		goto fail;
	return reg;
fail:
	cw_store_close(reg);
	return NULL;
}

void cw_store_close(struct cw_store *reg)
{
	size_t i;

	if (!reg)
		return;
	for (i = 0; i < reg->ncache; i++)
		sqlite3_finalize(reg->cache[i].stmt);
	sqlite3_close(reg->db);
	free(reg->path);
	free(reg);
}

sqlite3 *cw_store_db(struct cw_store *reg)
{
	return reg->db;
}

int cw_store_begin(struct cw_store *reg)
{
	return cw_store_exec(reg, "BEGIN IMMEDIATE");
}

int cw_store_commit(struct cw_store *reg)
{
	return cw_store_exec(reg, "COMMIT");
}

void cw_store_rollback(struct cw_store *reg)
{
	if (!sqlite3_get_autocommit(reg->db))
		cw_store_exec(reg, "ROLLBACK");
}

sqlite3_stmt *cw_store_stmt(struct cw_store *reg, const char *sql)
{
	size_t i;
	sqlite3_stmt *st = NULL;

	for (i = 0; i < reg->ncache; i++)
		if (reg->cache[i].sql == sql) {
			st = reg->cache[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK) {
		cw_store_error(reg, "preparing a statement");
		return NULL;
	}
	if (reg->ncache == STMT_CACHE)
		TC_BUG("statement cache full");
	reg->cache[reg->ncache].sql = sql;
	reg->cache[reg->ncache].stmt = st;
	reg->ncache++;
	return st;
}

/*
 * Binds the arguments to st, one for each letter of types, from parameter
 * 1: 't' text (NULL binds NULL), 'o' text where "" binds NULL too, 'd' a
 * tc_day (CW_NODAY binds NULL), 'i' an int, 'I' an int64_t, 'z' an
 * int64_t where 0 binds NULL.
 */
static void bind_all(sqlite3_stmt *st, const char *types, va_list ap)
{
	int i;

	/* a parameter left unbound would read as NULL, silently */
	if ((int)strlen(types) < sqlite3_bind_parameter_count(st)) {
		tc_warnx("%s", sqlite3_sql(st));
		TC_BUG("fewer bindings than the statement has parameters");
	}
	for (i = 0; types[i]; i++) {
		char t = types[i], day[11];
		const char *s = NULL;
		int64_t v;

		if (t == 'i') {
			sqlite3_bind_int(st, i + 1, va_arg(ap, int));
			continue;
		}
		if (t == 'I' || t == 'z') {
			v = va_arg(ap, int64_t);
			if (v || t == 'I')
				sqlite3_bind_int64(st, i + 1, v);
			else
				sqlite3_bind_null(st, i + 1);
			continue;
		}
		if (t == 'd')
			s = cw_day_str((tc_day)va_arg(ap, int), day);
		else if (t == 't' || t == 'o')
			s = va_arg(ap, const char *);
		else
			TC_BUG("unknown binding type");
		if (s && (*s || t != 'o'))
			sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, i + 1);
	}
}

/* The cached statement for sql with arguments bound as bind_all says, or
 * NULL (printed). */
sqlite3_stmt *cw_store_query(struct cw_store *reg, const char *sql,
			     const char *types, ...)
{
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	va_list ap;

	if (!st)
		return NULL;
	va_start(ap, types);
	bind_all(st, types, ap);
	va_end(ap);
	return st;
}

static int step_done(struct cw_store *reg, sqlite3_stmt *st, const char *doing);

int cw_store_step(struct cw_store *reg, sqlite3_stmt *st, const char *doing)
{
	return st ? step_done(reg, st, doing) : -1;
}

/* Steps a statement expecting no row. */
static int step_done(struct cw_store *reg, sqlite3_stmt *st, const char *doing)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cw_store_error(reg, doing);
		return -1;
	}
	return 0;
}

/* Runs sql with arguments bound as bind_all says (store_internal.h). */
int cw_store_run(struct cw_store *reg, const char *doing, const char *sql,
		 const char *types, ...)
{
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	va_list ap;

	if (!st)
		return -1;
	va_start(ap, types);
	bind_all(st, types, ap);
	va_end(ap);
	return step_done(reg, st, doing);
}

/* See store_internal.h. */
int cw_store_each_row(struct cw_store *reg, sqlite3_stmt *st, const char *doing,
		      int (*fn)(sqlite3_stmt *, void *), void *arg)
{
	int r, rc = 0, n = 0;

	if (!st)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if ((rc = fn(st, arg)) != 0)
			break;
	}
	sqlite3_reset(st);
	if (rc < 0)
		return -1;
	if (!rc && r != SQLITE_DONE) {
		cw_store_error(reg, doing);
		return -1;
	}
	return n;
}

static int first_row(sqlite3_stmt *st, void *arg)
{
	(void)st;
	(void)arg;
	return 1;
}

static int row_int64(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
	return 1;
}

/* See store_internal.h. */
int cw_store_first_int64(struct cw_store *reg, sqlite3_stmt *st,
			 const char *doing, int64_t *v)
{
	return cw_store_each_row(reg, st, doing, row_int64, v);
}

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? tc_xstrdup((const char *)s) : NULL;
}

/* Column i as text, "" for NULL; valid until st moves on. */
const char *cw_store_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

void cw_store_col_texts(sqlite3_stmt *st, int first, const char **const out[],
			size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		*out[i] = cw_store_col_text(st, first + (int)i);
}

tc_day cw_store_col_day(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	tc_day d;

	if (!s || tc_day_parse((const char *)s, &d) < 0)
		return CW_NODAY;
	return d;
}

static int exists(struct cw_store *reg, const char *sql, const char *key)
{
	int n = cw_store_each_row(reg, cw_store_query(reg, sql, "t", key),
				  "looking something up", first_row, NULL);

	return n < 0 ? -1 : n > 0;
}

int cw_store_bundle_seen(struct cw_store *reg, const char *sha256)
{
	return exists(reg, "SELECT 1 FROM bundles WHERE sha256 = ?", sha256);
}

int cw_store_add_bundle(struct cw_store *reg, const char *sha256,
			const char *name, const char *bundle_id,
			const char *today, int nsubmissions)
{
	static const char sql[] =
	    "INSERT OR IGNORE INTO bundles VALUES(?, ?, ?, ?, ?)";

	return cw_store_run(reg, "recording a bundle", sql, "tttti", sha256,
			    name, bundle_id, today, nsubmissions);
}

int cw_store_submission_seen(struct cw_store *reg, const char *id)
{
	return exists(reg, "SELECT 1 FROM submissions WHERE id = ?", id);
}

int cw_store_add_submission(struct cw_store *reg, const char *id,
			    const char *bundle_sha, const char *form,
			    const char *channel, const char *received,
			    tc_day received_date, const char *outcome,
			    int64_t case_id, const char *today)
{
	static const char sql[] =
	    "INSERT INTO submissions(id, bundle_sha256, form, received,"
	    " received_date, outcome, case_id, ingested, channel)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)";

	return cw_store_run(reg, "recording a submission", sql, "ttttdtztt", id,
			    bundle_sha, form, received, received_date, outcome,
			    case_id, today, channel ? channel : "web");
}

int cw_store_add_quarantine(struct cw_store *reg, const char *bundle,
			    const char *bundle_sha, const char *submission_id,
			    const char *reason, const char *today)
{
	static const char sql[] =
	    "INSERT OR IGNORE INTO quarantine(bundle, submission_id, reason,"
	    " date, bundle_sha256) VALUES(?, ?, ?, ?, ?)";

	return cw_store_run(reg, "recording a quarantined submission", sql,
			    "ttttt", bundle, submission_id, reason, today,
			    bundle_sha);
}

int cw_store_next_seq(struct cw_store *reg, const char *type, int year,
		      int *seq)
{
	static const char up[] =
	    "INSERT INTO sequences VALUES(?, ?, 1) ON CONFLICT(type, year)"
	    " DO UPDATE SET last = last + 1 RETURNING last";
	int64_t last = 0;
	int n =
	    cw_store_first_int64(reg, cw_store_query(reg, up, "ti", type, year),
				 "numbering a reference", &last);

	if (n <= 0)
		return -1;
	*seq = (int)last;
	return 0;
}

static int save_stages(struct cw_store *reg, const struct cw_case *c)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO stages(case_id, stage, submission_id,"
	    " request, ack_due, acknowledged, respond_due, responded,"
	    " extension_days, extension_reason, window_closes, closed,"
	    " outcome, remedy, learning, steps, update_due, updated,"
	    " exceptional, handler) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?)";
	int i;

	for (i = 0; i < c->nstages; i++) {
		const struct cw_stage *s = &c->stages[i];
		cJSON *arr = cw_stage_steps_json(s);
		char *steps = cJSON_PrintUnformatted(arr);
		int rc;

		if (!steps)
			tc_die_nomem();
		rc = cw_store_run(
		    reg, "saving a stage", sql, "Iitddddditddttttddio", c->id,
		    s->stage, s->submission_id, s->request, s->ack_due,
		    s->acknowledged, s->respond_due, s->responded,
		    s->extension_days, s->extension_reason, s->window_closes,
		    s->closed, s->outcome, s->remedy, s->learning, steps,
		    s->update_due, s->updated, s->exceptional, s->handler);

		cJSON_Delete(arr);
		free(steps);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static char *flags_text(const struct cw_case *c)
{
	char *s = c->flags ? cJSON_PrintUnformatted(c->flags) : NULL;

	return s ? s : tc_xstrdup("[]");
}

int cw_store_case_insert(struct cw_store *reg, struct cw_case *c)
{
	static const char sql[] =
	    "INSERT INTO cases(reference, type, procedure, stage, status,"
	    " submission_id, received, received_date, service_area, team,"
	    " person_key, flags, priority, reply_days, reply_due, replied,"
	    " contact_name, contact_email, contact_phone, contact_postcode,"
	    " channel, pack_dirty) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
	char *flags = flags_text(c);
	int rc = -1;

	if (cw_store_run(reg, "adding a case", sql, "tttitttdtttttiddttttt",
			 c->reference, c->type, c->procedure, c->stage,
			 c->status, c->submission_id, c->received,
			 c->received_date, c->service_area, c->team,
			 c->person_key, flags,
			 c->priority ? c->priority : "normal", c->reply_days,
			 c->reply_due, c->replied, c->name, c->email, c->phone,
			 c->postcode, c->channel ? c->channel : "web") < 0)
		goto out;
	c->id = sqlite3_last_insert_rowid(reg->db);
	rc = save_stages(reg, c);
out:
	free(flags);
	return rc;
}

int cw_store_case_update(struct cw_store *reg, const struct cw_case *c)
{
	static const char sql[] =
	    "UPDATE cases SET reference = ?, type = ?, procedure = ?, stage = "
	    "?,"
	    " status = ?, service_area = ?, team = ?, flags = ?,"
	    " received_date = ?, priority = ?, reply_days = ?,"
	    " reply_due = ?, replied = ?, actions = ?, ombudsman = ?,"
	    " merged_into = ?, links = ?, handler = ?, pack_dirty = 1 WHERE"
	    " id = ?";
	/* the stages a withdrawn escalation had opened */
	static const char drop[] =
	    "DELETE FROM stages WHERE case_id = ? AND stage > ?";
	char *flags = flags_text(c);
	char *actions = c->actions ? cJSON_PrintUnformatted(c->actions) : NULL;
	char *omb = c->ombudsman ? cJSON_PrintUnformatted(c->ombudsman) : NULL;
	char *links = c->links ? cJSON_PrintUnformatted(c->links) : NULL;
	int rc = -1;

	if ((c->actions && !actions) || (c->ombudsman && !omb) ||
	    (c->links && !links))
		tc_die_nomem();
	if (cw_store_run(reg, "updating a case", sql, "tttittttdtiddttztoI",
			 c->reference, c->type, c->procedure, c->stage,
			 c->status, c->service_area, c->team, flags,
			 c->received_date, c->priority ? c->priority : "normal",
			 c->reply_days, c->reply_due, c->replied,
			 actions ? actions : "[]", omb, c->merged_into,
			 links ? links : "[]", c->handler, c->id) < 0 ||
	    cw_store_run(reg, "updating a case's stages", drop, "Ii", c->id,
			 c->nstages) < 0)
		goto out;
	rc = save_stages(reg, c);
out:
	free(flags);
	free(actions);
	free(omb);
	free(links);
	return rc;
}

static const char case_cols[] =
    "SELECT id, reference, type, procedure, stage, status, submission_id,"
    " received, received_date, service_area, team, person_key, flags,"
    " priority, reply_days, reply_due, replied, contact_name,"
    " contact_email, contact_phone, contact_postcode, channel, actions,"
    " ombudsman, merged_into, links, handler FROM cases WHERE ";

static int stage_row(sqlite3_stmt *st, void *arg)
{
	struct cw_case *c = arg;
	struct cw_stage *s = &c->stages[c->nstages++];
	cJSON *steps;

	s->stage = sqlite3_column_int(st, 0);
	s->submission_id = col_str(st, 1);
	s->request = cw_store_col_day(st, 2);
	s->ack_due = cw_store_col_day(st, 3);
	s->acknowledged = cw_store_col_day(st, 4);
	s->respond_due = cw_store_col_day(st, 5);
	s->responded = cw_store_col_day(st, 6);
	s->extension_days = sqlite3_column_int(st, 7);
	s->extension_reason = col_str(st, 8);
	s->window_closes = cw_store_col_day(st, 9);
	s->closed = cw_store_col_day(st, 10);
	s->outcome = col_str(st, 11);
	s->remedy = col_str(st, 12);
	s->learning = col_str(st, 13);
	steps = cJSON_Parse(cw_store_col_text(st, 14));
	cw_stage_steps_read(s, steps);
	cJSON_Delete(steps);
	s->update_due = cw_store_col_day(st, 15);
	s->updated = cw_store_col_day(st, 16);
	s->exceptional = sqlite3_column_int(st, 17);
	s->handler = col_str(st, 18);
	return c->nstages == CW_MAX_STAGES;
}

static int case_row(sqlite3_stmt *st, void *arg)
{
	struct cw_case *c = arg;

	c->id = sqlite3_column_int64(st, 0);
	c->reference = col_str(st, 1);
	c->type = col_str(st, 2);
	c->procedure = col_str(st, 3);
	c->stage = sqlite3_column_int(st, 4);
	c->status = col_str(st, 5);
	c->submission_id = col_str(st, 6);
	c->received = col_str(st, 7);
	c->received_date = cw_store_col_day(st, 8);
	c->service_area = col_str(st, 9);
	c->team = col_str(st, 10);
	c->person_key = col_str(st, 11);
	c->flags = cJSON_Parse(sqlite3_column_text(st, 12)
				   ? (const char *)sqlite3_column_text(st, 12)
				   : "[]");
	if (!c->flags)
		c->flags = cJSON_CreateArray();
	if (!c->flags)
		tc_die_nomem();
	c->priority = col_str(st, 13);
	c->reply_days = sqlite3_column_int(st, 14);
	c->reply_due = cw_store_col_day(st, 15);
	c->replied = cw_store_col_day(st, 16);
	c->name = col_str(st, 17);
	c->email = col_str(st, 18);
	c->phone = col_str(st, 19);
	c->postcode = col_str(st, 20);
	c->channel = col_str(st, 21);
	c->actions = cJSON_Parse(cw_store_col_text(st, 22));
	if (!c->actions && !(c->actions = cJSON_CreateArray()))
		tc_die_nomem();
	if (sqlite3_column_type(st, 23) != SQLITE_NULL)
		c->ombudsman = cJSON_Parse(cw_store_col_text(st, 23));
	c->merged_into = sqlite3_column_int64(st, 24);
	c->links = cJSON_Parse(cw_store_col_text(st, 25));
	if (!c->links && !(c->links = cJSON_CreateArray()))
		tc_die_nomem();
	c->handler = col_str(st, 26);
	return 1;
}

/* The case st finds (bound, not stepped) with its stages: 1, 0, -1. */
static int load_case(struct cw_store *reg, sqlite3_stmt *st, struct cw_case *c)
{
	static const char sql[] =
	    "SELECT stage, submission_id, request, ack_due, acknowledged,"
	    " respond_due, responded, extension_days, extension_reason,"
	    " window_closes, closed, outcome, remedy, learning, steps,"
	    " update_due, updated, exceptional, handler FROM stages"
	    " WHERE case_id = ? ORDER BY stage";
	int n;

	memset(c, 0, sizeof(*c));
	n = cw_store_each_row(reg, st, "loading a case", case_row, c);
	if (n <= 0)
		return n;
	if (cw_store_each_row(reg, cw_store_query(reg, sql, "I", c->id),
			      "loading stages", stage_row, c) < 0) {
		cw_case_release(c);
		return -1;
	}
	return 1;
}

int cw_store_alias_add(struct cw_store *reg, const char *reference,
		       int64_t case_id)
{
	static const char sql[] =
	    "INSERT OR IGNORE INTO aliases(reference, case_id) VALUES(?, ?)";

	return cw_store_run(reg, "recording a reference", sql, "tI", reference,
			    case_id);
}

int cw_store_case_load(struct cw_store *reg, const char *key, int by_submission,
		       struct cw_case *c)
{
	static const char alias[] =
	    "SELECT case_id FROM aliases WHERE reference = ?";
	int64_t id = 0;
	int n;

	static char by_ref[sizeof(case_cols) + 20];
	static char by_sub[sizeof(case_cols) + 24];

	if (!by_ref[0]) {
		snprintf(by_ref, sizeof(by_ref), "%sreference = ?", case_cols);
		snprintf(by_sub, sizeof(by_sub), "%ssubmission_id = ?",
			 case_cols);
	}
	n = load_case(
	    reg, cw_store_query(reg, by_submission ? by_sub : by_ref, "t", key),
	    c);
	if (n != 0 || by_submission)
		return n;
	n = cw_store_first_int64(reg, cw_store_query(reg, alias, "t", key),
				 "looking up a reference", &id);
	return n <= 0 ? n : cw_store_case_load_id(reg, id, c);
}

int cw_store_case_load_id(struct cw_store *reg, int64_t id, struct cw_case *c)
{
	static char by_id[sizeof(case_cols) + 12];

	if (!by_id[0])
		snprintf(by_id, sizeof(by_id), "%sid = ?", case_cols);
	return load_case(reg, cw_store_query(reg, by_id, "I", id), c);
}

int cw_store_event(struct cw_store *reg, int64_t case_id, int stage,
		   const char *event, tc_day date, const char *detail_json,
		   const char *by, const char *today)
{
	static const char sql[] =
	    "INSERT INTO events(case_id, stage, event, date, detail,"
	    " recorded, recorded_by) VALUES(?, ?, ?, ?, ?, ?, ?)";

	return cw_store_run(reg, "recording an event", sql, "Iitdtto", case_id,
			    stage, event, date,
			    detail_json ? detail_json : "{}", today, by);
}

int64_t cw_store_last_id(struct cw_store *reg)
{
	return sqlite3_last_insert_rowid(reg->db);
}

static int hist_row(sqlite3_stmt *st, void *arg)
{
	const char *detail = (const char *)sqlite3_column_text(st, 4);
	cJSON *d = detail ? cJSON_Parse(detail) : NULL;

	cw_history_add(arg, sqlite3_column_int64(st, 0),
		       cw_store_col_text(st, 1), sqlite3_column_int(st, 2),
		       cw_store_col_day(st, 3), d, cw_store_col_text(st, 5));
	return 0;
}

int cw_store_case_history(struct cw_store *reg, int64_t case_id,
			  struct cw_history *h)
{
	static const char sql[] =
	    "SELECT id, event, stage, date, detail, recorded_by FROM events"
	    " WHERE case_id = ? ORDER BY id";

	return cw_store_all_rows(reg, cw_store_query(reg, sql, "I", case_id),
				 "reading a case's history", hist_row, h);
}

int64_t cw_store_next_dirty(struct cw_store *reg, int64_t after)
{
	static const char sql[] = "SELECT id FROM cases WHERE pack_dirty = 1"
				  " AND id > ? ORDER BY id LIMIT 1";
	int64_t id = 0;
	int n = cw_store_first_int64(reg, cw_store_query(reg, sql, "I", after),
				     "finding packs to write", &id);

	return n < 0 ? -1 : id;
}

int cw_store_pack_done(struct cw_store *reg, int64_t case_id)
{
	static const char sql[] =
	    "UPDATE cases SET pack_dirty = 0 WHERE id = ?";

	return cw_store_run(reg, "marking a pack written", sql, "I", case_id);
}

struct text_out {
	char *s;
	size_t n;
};

static int row_text(sqlite3_stmt *st, void *arg)
{
	struct text_out *o = arg;

	snprintf(o->s, o->n, "%s", cw_store_col_text(st, 0));
	return 1;
}

int cw_store_find_duplicate(struct cw_store *reg, const char *person_key,
			    const char *service_area, tc_day date, int days,
			    char *ref, size_t n)
{
	static const char sql[] =
	    "SELECT reference FROM cases WHERE person_key = ? AND"
	    " service_area = ? AND received_date >= ? AND received_date"
	    " <= ? AND type IN ('complaint', 'service_request',"
	    " 'signposted') ORDER BY received_date DESC, id DESC LIMIT 1";
	struct text_out o = {ref, n};
	int found =
	    cw_store_each_row(reg,
			      cw_store_query(reg, sql, "ttdd", person_key,
					     service_area, date - days, date),
			      "looking for duplicates", row_text, &o);

	return found < 0 ? -1 : found > 0;
}

/* ---- A case's history and the list of cases ---- */

/* A caller's function and its argument, for the row functions below. */
struct walk {
	union {
		cw_event_fn event;
		int (*submission)(const char *, void *);
	} fn;
	void *arg;
};

int cw_store_all_rows(struct cw_store *reg, sqlite3_stmt *st, const char *doing,
		      int (*fn)(sqlite3_stmt *, void *), void *arg)
{
	return cw_store_each_row(reg, st, doing, fn, arg) < 0 ? -1 : 0;
}

static int event_row(sqlite3_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct cw_event ev;

	ev.date = cw_store_col_text(st, 0);
	ev.event = cw_store_col_text(st, 1);
	ev.stage = sqlite3_column_int(st, 2);
	ev.detail_json = (const char *)sqlite3_column_text(st, 3);
	ev.recorded = cw_store_col_text(st, 4);
	ev.id = sqlite3_column_int64(st, 5);
	ev.by = cw_store_col_text(st, 6);
	return w->fn.event(&ev, w->arg) < 0 ? -1 : 0;
}

int cw_store_history(struct cw_store *reg, int64_t case_id, cw_event_fn fn,
		     void *arg)
{
	static const char sql[] =
	    "SELECT date, event, stage, detail, recorded, id, recorded_by"
	    " FROM events WHERE case_id = ? ORDER BY id";
	struct walk w = {.fn.event = fn, .arg = arg};

	return cw_store_all_rows(reg, cw_store_query(reg, sql, "I", case_id),
				 "reading a case's history", event_row, &w);
}

struct id_list {
	int64_t *v;
	size_t n, alloc;
};

static int id_row(sqlite3_stmt *st, void *arg)
{
	struct id_list *l = arg;

	TC_ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = sqlite3_column_int64(st, 0);
	return 0;
}

/* The ids st gives, in *ids (the caller frees it) and *n. 0 or -1. */
static int id_query(struct cw_store *reg, sqlite3_stmt *st, const char *doing,
		    int64_t **ids, size_t *n)
{
	struct id_list l = {NULL, 0, 0};

	if (cw_store_each_row(reg, st, doing, id_row, &l) < 0) {
		free(l.v);
		return -1;
	}
	*ids = l.v;
	*n = l.n;
	return 0;
}

int cw_store_merged_cases(struct cw_store *reg, int64_t into, int64_t **ids,
			  size_t *n)
{
	static const char sql[] =
	    "SELECT id FROM cases WHERE merged_into = ? ORDER BY id";

	return id_query(reg, cw_store_query(reg, sql, "I", into),
			"finding merged cases", ids, n);
}

int cw_store_list_cases(struct cw_store *reg, int64_t **ids, size_t *n)
{
	static const char sql[] = "SELECT id FROM cases ORDER BY reference";

	return id_query(reg, cw_store_query(reg, sql, ""), "listing cases", ids,
			n);
}

int cw_store_person_open_cases(struct cw_store *reg, const char *email_norm,
			       const char *phone_norm, const char *person_key,
			       int64_t **ids, size_t *n)
{
	static const char sql[] =
	    "SELECT id FROM cases WHERE purged IS NULL AND merged_into IS NULL"
	    " AND status NOT IN ('closed', 'signposted', 'merged') AND ((?1 <>"
	    " '' AND contact_email = ?1) OR (?2 <> '' AND contact_phone = ?2)"
	    " OR (?3 <> '' AND person_key = ?3)) ORDER BY id";

	return id_query(reg,
			cw_store_query(reg, sql, "ttt", email_norm, phone_norm,
				       person_key ? person_key : ""),
			"finding the person's open cases", ids, n);
}

int cw_store_case_purged(struct cw_store *reg, int64_t case_id)
{
	static const char sql[] = "SELECT purged IS NOT NULL FROM cases WHERE"
				  " id = ?";
	int64_t v = 0;
	int n = cw_store_first_int64(
	    reg, cw_store_query(reg, sql, "I", case_id), "reading a case", &v);

	return n < 0 ? -1 : v != 0;
}

/* ---- Retention ---- */

static const char *const purge_sql[] = {
    /* CW_PURGE_CASES: closed (the last stage, or by event; records when
     * received) before the cutoff and not purged yet */
    "SELECT id, reference, closure FROM (SELECT c.id, c.reference, CASE"
    " WHEN EXISTS(SELECT 1 FROM stages s WHERE s.case_id = c.id) THEN"
    " (SELECT closed FROM stages s WHERE s.case_id = c.id ORDER BY stage"
    " DESC LIMIT 1) WHEN c.status = 'closed' THEN (SELECT max(date) FROM"
    " events e WHERE e.case_id = c.id AND e.event = 'closed') WHEN"
    " c.type IN ('compliment', 'comment', 'signposted', 'review') THEN"
    " c.received_date END AS closure FROM cases c WHERE c.purged IS NULL)"
    " WHERE closure IS NOT NULL AND closure < ?1 ORDER BY reference",
    /* CW_PURGE_RESTRICTIONS: lifted before the cutoff; warnings whose
     * review date passed before it, unless a restriction that followed
     * them still keeps its record */
    ("SELECT id, 'R' || id, CASE status WHEN 'lifted' THEN lifted ELSE"
     " review END, status = 'warning' FROM restriction_register r WHERE"
     " purged IS NULL AND ((status = 'lifted' AND lifted < ?1) OR (status"
     " = 'warning' AND review < ?1 AND NOT EXISTS(SELECT 1 FROM"
     " restriction_register f WHERE f.warning_id = r.id AND f.purged IS"
     " NULL AND NOT (f.status = 'lifted' AND f.lifted < ?1)))) ORDER BY"
     " id"),
    /* CW_PURGE_QUARANTINED: quarantined before the cutoff */
    "SELECT rowid, bundle || '/' || submission_id, date FROM quarantine"
    " WHERE date < ?1 AND reason <> '[removed]' ORDER BY rowid",
};

static int purge_row(sqlite3_stmt *st, void *arg)
{
	struct cw_purge_items *it = arg;
	struct cw_purge_item *x;

	TC_ALLOC_GROW(it->v, it->n + 1, it->alloc);
	x = &it->v[it->n++];
	x->id = sqlite3_column_int64(st, 0);
	x->ref = tc_xstrdup(cw_store_col_text(st, 1));
	x->when = tc_xstrdup(cw_store_col_text(st, 2));
	x->warning = sqlite3_column_count(st) > 3 && sqlite3_column_int(st, 3);
	return 0;
}

int cw_store_purge_candidates(struct cw_store *reg, enum cw_purge_kind kind,
			      tc_day cutoff, struct cw_purge_items *out)
{
	return cw_store_all_rows(
	    reg, cw_store_query(reg, purge_sql[kind], "d", cutoff),
	    "finding what is past retention", purge_row, out);
}

static void purge_item_release(struct cw_purge_item *p)
{
	free(p->ref);
	free(p->when);
}

void cw_purge_items_release(struct cw_purge_items *it)
{
	TC_RELEASE_EACH(it->v, it->n, purge_item_release);
	memset(it, 0, sizeof(*it));
}

static int sub_row(sqlite3_stmt *st, void *arg)
{
	struct walk *w = arg;

	return w->fn.submission((const char *)sqlite3_column_text(st, 0),
				w->arg) < 0
		   ? -1
		   : 0;
}

int cw_store_case_submissions(struct cw_store *reg, int64_t case_id,
			      int (*fn)(const char *submission_id, void *arg),
			      void *arg)
{
	static const char subs[] =
	    "SELECT submission_id FROM cases WHERE id = ?1 UNION SELECT"
	    " submission_id FROM stages WHERE case_id = ?1 AND submission_id"
	    " IS NOT NULL UNION SELECT id FROM submissions WHERE case_id = ?1";
	struct walk w = {.fn.submission = fn, .arg = arg};

	return cw_store_all_rows(reg, cw_store_query(reg, subs, "I", case_id),
				 "finding a case's submissions", sub_row, &w);
}

/* Runs sql (?1 the id, ?2 today) for each item. */
static int purge_each(struct cw_store *reg, const char *sql,
		      const struct cw_purge_items *it, const char *today)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		if (cw_store_run(reg, "purging", sql, "It", it->v[i].id,
				 today) < 0)
			return -1;
	return 0;
}

int cw_store_purge(struct cw_store *reg, const struct cw_purge_items *cases,
		   const struct cw_purge_items *restrictions,
		   const struct cw_purge_items *quarantined, const char *today,
		   const char *audit_json)
{
	static const char case_fields[] =
	    "UPDATE cases SET person_key = NULL, pack_dirty = 0, purged = ?2,"
	    " contact_name = NULL, contact_email = NULL, contact_phone = NULL,"
	    " contact_postcode = NULL,"
	    " flags = (SELECT coalesce(json_group_array(json_object('flag',"
	    " json_extract(value, '$.flag'), 'detail', '[removed]')), '[]')"
	    " FROM json_each(cases.flags)),"
	    " actions = (SELECT coalesce(json_group_array(json_object('due',"
	    " json_extract(value, '$.due'), 'done', json_extract(value,"
	    " '$.done'), 'text', '[removed]')), '[]') FROM"
	    " json_each(cases.actions)),"
	    " ombudsman = CASE WHEN ombudsman IS NULL THEN NULL ELSE"
	    " json_set(ombudsman, '$.remedy', '[removed]') END WHERE id = ?1";
	static const char stage_fields[] =
	    "UPDATE stages SET extension_reason = CASE WHEN extension_reason"
	    " IS NULL THEN NULL ELSE '[removed]' END, learning = CASE WHEN"
	    " learning IS NULL THEN NULL ELSE '[removed]' END WHERE case_id ="
	    " ?1 AND ?2 IS NOT NULL";
	static const char event_fields[] =
	    "UPDATE events SET detail = '{\"removed\":true}' WHERE case_id = ?1"
	    " AND ?2 IS NOT NULL";
	static const char access_rows[] =
	    "DELETE FROM access_log WHERE case_id = ?1 AND ?2 IS NOT NULL";
	static const char restr_fields[] =
	    "UPDATE restriction_register SET name = '[removed]', email = NULL,"
	    " phone = NULL, name_norm = NULL, email_norm = NULL, phone_norm ="
	    " NULL, person_key = NULL, reason = '[removed]', expected = NULL,"
	    " purged = ?2 WHERE id = ?1";
	static const char quar_fields[] =
	    "UPDATE quarantine SET reason = '[removed]', decision = CASE WHEN"
	    " decision IS NULL THEN NULL ELSE '[removed]' END WHERE rowid = ?1"
	    " AND ?2 IS NOT NULL";
	size_t i;
	int rc = -1;

	if (cw_store_exec(reg, "PRAGMA secure_delete = ON") < 0 ||
	    cw_store_begin(reg) < 0)
		goto out;
	/* The history is append-only except for this, within one
	 * transaction: its details go, its events and dates stay. */
	if (cases->n && cw_store_exec(reg, "DROP TRIGGER events_no_update") < 0)
		goto out;
	for (i = 0; i < cases->n; i++)
		if (cw_store_run(reg, "purging", case_fields, "It",
				 cases->v[i].id, today) < 0 ||
		    cw_store_run(reg, "purging", stage_fields, "It",
				 cases->v[i].id, today) < 0 ||
		    cw_store_run(reg, "purging", access_rows, "It",
				 cases->v[i].id, today) < 0 ||
		    cw_store_run(reg, "purging", event_fields, "It",
				 cases->v[i].id, today) < 0)
			goto out;
	if (cases->n &&
	    cw_store_exec(reg, "CREATE TRIGGER events_no_update BEFORE UPDATE"
			       " ON events BEGIN SELECT RAISE(ABORT, 'the"
			       " history is append-only'); END") < 0)
		goto out;
	if (purge_each(reg, restr_fields, restrictions, today) < 0 ||
	    purge_each(reg, quar_fields, quarantined, today) < 0 ||
	    cw_store_audit(reg, today, "purge", audit_json) < 0 ||
	    cw_store_commit(reg) < 0)
		goto out;
	/* No deleted byte may linger in free pages or the log. */
	if (cw_store_exec(reg, "VACUUM") < 0 ||
	    cw_store_exec(reg, "PRAGMA wal_checkpoint(TRUNCATE)") < 0)
		goto out;
	rc = 0;
out:
	cw_store_rollback(reg);
	return rc;
}

/* ---- The audit log ---- */

int cw_store_audit(struct cw_store *reg, const char *today, const char *action,
		   const char *detail_json)
{
	static const char sql[] =
	    "INSERT INTO audit(date, action, detail) VALUES(?, ?, ?)";

	return cw_store_run(reg, "recording in the audit log", sql, "ttt",
			    today, action, detail_json ? detail_json : "{}");
}
