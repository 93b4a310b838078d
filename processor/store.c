/*
 * store.c: the register in SQLite, the one module of casework that speaks
 * SQL (see store.h).
 *
 * Migrations are an array of SQL scripts; schema_version holds the highest
 * one applied, and each is applied in its own transaction, so a register
 * from an older build is brought forward on open and one from a newer build
 * is refused rather than misread.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

struct cw_store *cw_store_open(const char *path)
{
	struct cw_store *reg = calloc(1, sizeof(*reg));
	int fd;

	if (!reg)
		tc_die_nomem();
	reg->path = tc_xstrdup(path);
	/* Create it 0600 ourselves: SQLite would use the umask. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
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

const char *cw_day_str(tc_day d, char buf[11])
{
	if (d == CW_NODAY)
		return NULL;
	tc_day_format(d, buf);
	return buf;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_day(sqlite3_stmt *st, int i, tc_day d)
{
	char buf[11];

	bind_text(st, i, cw_day_str(d, buf));
}

/* Steps a statement expecting no row. */
static int step_done(struct cw_store *reg, sqlite3_stmt *st,
		     const char *doing)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cw_store_error(reg, doing);
		return -1;
	}
	return 0;
}

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	char *d;

	if (!s)
		return NULL;
	d = strdup((const char *)s);
	if (!d)
		tc_die_nomem();
	return d;
}

static tc_day col_day(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	tc_day d;

	if (!s || tc_day_parse((const char *)s, &d) < 0)
		return CW_NODAY;
	return d;
}

static int exists(struct cw_store *reg, const char *sql, const char *key)
{
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	int rc;

	if (!st)
		return -1;
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	cw_store_error(reg, "looking something up");
	return -1;
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
	sqlite3_stmt *st = cw_store_stmt(reg, sql);

	if (!st)
		return -1;
	bind_text(st, 1, sha256);
	bind_text(st, 2, name);
	bind_text(st, 3, bundle_id);
	bind_text(st, 4, today);
	sqlite3_bind_int(st, 5, nsubmissions);
	return step_done(reg, st, "recording a bundle");
}

int cw_store_submission_seen(struct cw_store *reg, const char *id)
{
	return exists(reg, "SELECT 1 FROM submissions WHERE id = ?", id);
}

int cw_store_add_submission(struct cw_store *reg, const char *id,
			       const char *bundle_sha, const char *form,
			       const char *received, tc_day received_date,
			       const char *outcome, int64_t case_id,
			       const char *today)
{
	static const char sql[] =
	    "INSERT INTO submissions VALUES(?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);

	if (!st)
		return -1;
	bind_text(st, 1, id);
	bind_text(st, 2, bundle_sha);
	bind_text(st, 3, form);
	bind_text(st, 4, received);
	bind_day(st, 5, received_date);
	bind_text(st, 6, outcome);
	if (case_id)
		sqlite3_bind_int64(st, 7, case_id);
	bind_text(st, 8, today);
	return step_done(reg, st, "recording a submission");
}

int cw_store_add_quarantine(struct cw_store *reg, const char *bundle,
			       const char *submission_id, const char *reason,
			       const char *today)
{
	static const char sql[] =
	    "INSERT OR IGNORE INTO quarantine VALUES(?, ?, ?, ?)";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);

	if (!st)
		return -1;
	bind_text(st, 1, bundle);
	bind_text(st, 2, submission_id);
	bind_text(st, 3, reason);
	bind_text(st, 4, today);
	return step_done(reg, st, "recording a quarantined submission");
}

int cw_store_next_seq(struct cw_store *reg, const char *type, int year,
			 int *seq)
{
	static const char up[] =
	    "INSERT INTO sequences VALUES(?, ?, 1) ON CONFLICT(type, year)"
	    " DO UPDATE SET last = last + 1 RETURNING last";
	sqlite3_stmt *st = cw_store_stmt(reg, up);
	int rc;

	if (!st)
		return -1;
	bind_text(st, 1, type);
	sqlite3_bind_int(st, 2, year);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		cw_store_error(reg, "numbering a reference");
		return -1;
	}
	return 0;
}

static int save_stages(struct cw_store *reg, const struct cw_case *c)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO stages VALUES(?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?)";
	int i;

	for (i = 0; i < c->nstages; i++) {
		const struct cw_stage *s = &c->stages[i];
		sqlite3_stmt *st = cw_store_stmt(reg, sql);

		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, c->id);
		sqlite3_bind_int(st, 2, s->stage);
		bind_text(st, 3, s->submission_id);
		bind_day(st, 4, s->request);
		bind_day(st, 5, s->ack_due);
		bind_day(st, 6, s->acknowledged);
		bind_day(st, 7, s->respond_due);
		bind_day(st, 8, s->responded);
		sqlite3_bind_int(st, 9, s->extension_days);
		bind_text(st, 10, s->extension_reason);
		bind_day(st, 11, s->window_closes);
		bind_day(st, 12, s->closed);
		bind_text(st, 13, s->outcome);
		bind_text(st, 14, s->remedy);
		bind_text(st, 15, s->learning);
		if (step_done(reg, st, "saving a stage") < 0)
			return -1;
	}
	return 0;
}

static char *flags_text(const struct cw_case *c)
{
	char *s = c->flags ? cJSON_PrintUnformatted(c->flags) : NULL;

	if (!s) {
		s = strdup("[]");
		if (!s)
			tc_die_nomem();
	}
	return s;
}

int cw_store_case_insert(struct cw_store *reg, struct cw_case *c)
{
	static const char sql[] =
	    "INSERT INTO cases(reference, type, procedure, stage, status,"
	    " submission_id, received, received_date, service_area, team,"
	    " person_key, flags, pack_dirty) VALUES(?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, 1)";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	char *flags = NULL;
	int rc = -1;

	if (!st)
		return -1;
	flags = flags_text(c);
	bind_text(st, 1, c->reference);
	bind_text(st, 2, c->type);
	bind_text(st, 3, c->procedure);
	sqlite3_bind_int(st, 4, c->stage);
	bind_text(st, 5, c->status);
	bind_text(st, 6, c->submission_id);
	bind_text(st, 7, c->received);
	bind_day(st, 8, c->received_date);
	bind_text(st, 9, c->service_area);
	bind_text(st, 10, c->team);
	bind_text(st, 11, c->person_key);
	bind_text(st, 12, flags);
	if (step_done(reg, st, "adding a case") < 0)
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
	    "UPDATE cases SET type = ?, procedure = ?, stage = ?,"
	    " status = ?, service_area = ?, team = ?, flags = ?,"
	    " pack_dirty = 1 WHERE id = ?";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	char *flags = NULL;
	int rc = -1;

	if (!st)
		return -1;
	flags = flags_text(c);
	bind_text(st, 1, c->type);
	bind_text(st, 2, c->procedure);
	sqlite3_bind_int(st, 3, c->stage);
	bind_text(st, 4, c->status);
	bind_text(st, 5, c->service_area);
	bind_text(st, 6, c->team);
	bind_text(st, 7, flags);
	sqlite3_bind_int64(st, 8, c->id);
	if (step_done(reg, st, "updating a case") < 0)
		goto out;
	rc = save_stages(reg, c);
out:
	free(flags);
	return rc;
}

static const char case_cols[] =
    "SELECT id, reference, type, procedure, stage, status, submission_id,"
    " received, received_date, service_area, team, person_key, flags"
    " FROM cases WHERE ";

static int load_stages(struct cw_store *reg, struct cw_case *c)
{
	static const char sql[] =
	    "SELECT stage, submission_id, request, ack_due, acknowledged,"
	    " respond_due, responded, extension_days, extension_reason,"
	    " window_closes, closed, outcome, remedy, learning FROM stages"
	    " WHERE case_id = ? ORDER BY stage";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       c->nstages < CW_MAX_STAGES) {
		struct cw_stage *s = &c->stages[c->nstages++];

		s->stage = sqlite3_column_int(st, 0);
		s->submission_id = col_str(st, 1);
		s->request = col_day(st, 2);
		s->ack_due = col_day(st, 3);
		s->acknowledged = col_day(st, 4);
		s->respond_due = col_day(st, 5);
		s->responded = col_day(st, 6);
		s->extension_days = sqlite3_column_int(st, 7);
		s->extension_reason = col_str(st, 8);
		s->window_closes = col_day(st, 9);
		s->closed = col_day(st, 10);
		s->outcome = col_str(st, 11);
		s->remedy = col_str(st, 12);
		s->learning = col_str(st, 13);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		cw_store_error(reg, "loading stages");
		return -1;
	}
	return 0;
}

static int load_row(struct cw_store *reg, sqlite3_stmt *st,
		    struct cw_case *c)
{
	int rc = sqlite3_step(st);
	const unsigned char *flags;

	memset(c, 0, sizeof(*c));
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		cw_store_error(reg, "loading a case");
		return -1;
	}
	c->id = sqlite3_column_int64(st, 0);
	c->reference = col_str(st, 1);
	c->type = col_str(st, 2);
	c->procedure = col_str(st, 3);
	c->stage = sqlite3_column_int(st, 4);
	c->status = col_str(st, 5);
	c->submission_id = col_str(st, 6);
	c->received = col_str(st, 7);
	c->received_date = col_day(st, 8);
	c->service_area = col_str(st, 9);
	c->team = col_str(st, 10);
	c->person_key = col_str(st, 11);
	flags = sqlite3_column_text(st, 12);
	c->flags = cJSON_Parse(flags ? (const char *)flags : "[]");
	if (!c->flags)
		c->flags = cJSON_CreateArray();
	if (!c->flags)
		tc_die_nomem();
	sqlite3_reset(st);
	if (load_stages(reg, c) < 0) {
		cw_case_release(c);
		return -1;
	}
	return 1;
}

int cw_store_case_load(struct cw_store *reg, const char *key,
			  int by_submission, struct cw_case *c)
{
	static char by_ref[sizeof(case_cols) + 20];
	static char by_sub[sizeof(case_cols) + 24];
	sqlite3_stmt *st;

	if (!by_ref[0]) {
		snprintf(by_ref, sizeof(by_ref), "%sreference = ?", case_cols);
		snprintf(by_sub, sizeof(by_sub), "%ssubmission_id = ?",
			 case_cols);
	}
	st = cw_store_stmt(reg, by_submission ? by_sub : by_ref);
	memset(c, 0, sizeof(*c));
	if (!st)
		return -1;
	bind_text(st, 1, key);
	return load_row(reg, st, c);
}

int cw_store_case_load_id(struct cw_store *reg, int64_t id,
			     struct cw_case *c)
{
	static char by_id[sizeof(case_cols) + 12];
	sqlite3_stmt *st;

	if (!by_id[0])
		snprintf(by_id, sizeof(by_id), "%sid = ?", case_cols);
	st = cw_store_stmt(reg, by_id);
	memset(c, 0, sizeof(*c));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return load_row(reg, st, c);
}

void cw_case_release(struct cw_case *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->nstages; i++) {
		free(c->stages[i].submission_id);
		free(c->stages[i].extension_reason);
		free(c->stages[i].outcome);
		free(c->stages[i].remedy);
		free(c->stages[i].learning);
	}
	free(c->reference);
	free(c->type);
	free(c->procedure);
	free(c->status);
	free(c->submission_id);
	free(c->received);
	free(c->service_area);
	free(c->team);
	free(c->person_key);
	cJSON_Delete(c->flags);
	memset(c, 0, sizeof(*c));
}

int cw_store_event(struct cw_store *reg, int64_t case_id, int stage,
		      const char *event, tc_day date, const char *detail_json,
		      const char *today)
{
	static const char sql[] =
	    "INSERT INTO events(case_id, stage, event, date, detail,"
	    " recorded) VALUES(?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int(st, 2, stage);
	bind_text(st, 3, event);
	bind_day(st, 4, date);
	bind_text(st, 5, detail_json ? detail_json : "{}");
	bind_text(st, 6, today);
	return step_done(reg, st, "recording an event");
}

int64_t cw_store_next_dirty(struct cw_store *reg, int64_t after)
{
	static const char sql[] = "SELECT id FROM cases WHERE pack_dirty = 1"
				  " AND id > ? ORDER BY id LIMIT 1";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	int64_t id = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		cw_store_error(reg, "finding packs to write");
		return -1;
	}
	return id;
}

int cw_store_pack_done(struct cw_store *reg, int64_t case_id)
{
	static const char sql[] =
	    "UPDATE cases SET pack_dirty = 0 WHERE id = ?";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	return step_done(reg, st, "marking a pack written");
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
	sqlite3_stmt *st = cw_store_stmt(reg, sql);
	int rc, found = 0;

	if (!st)
		return -1;
	bind_text(st, 1, person_key);
	bind_text(st, 2, service_area);
	bind_day(st, 3, date - days);
	bind_day(st, 4, date);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(ref, n, "%s",
			 (const char *)sqlite3_column_text(st, 0));
		found = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		cw_store_error(reg, "looking for duplicates");
		return -1;
	}
	return found;
}

int cw_store_audit(struct cw_store *reg, const char *today,
		      const char *action, const char *detail_json)
{
	static const char sql[] =
	    "INSERT INTO audit(date, action, detail) VALUES(?, ?, ?)";
	sqlite3_stmt *st = cw_store_stmt(reg, sql);

	if (!st)
		return -1;
	bind_text(st, 1, today);
	bind_text(st, 2, action);
	bind_text(st, 3, detail_json ? detail_json : "{}");
	return step_done(reg, st, "recording in the audit log");
}

/* ---- Ingest ---- */

int cw_store_bundle_submissions(struct cw_store *reg, const char *sha256)
{
	sqlite3_stmt *st = cw_store_stmt(
	    reg, "SELECT submissions FROM bundles WHERE sha256 = ?");
	int n = 0;

	if (!st)
		return -1;
	bind_text(st, 1, sha256);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}
