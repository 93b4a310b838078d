/*
 * store_internal.h: what the files of the store (store.c, the register's
 * cases, events and retention; store_restrict.c, the restrictions;
 * store_report.c, the reports' and ingest's queries) share, and what the
 * store's unit tests reach in for. The only header of casework that is
 * SQLite's: nothing outside the store includes it.
 */
#ifndef CW_STORE_INTERNAL_H
#define CW_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

/* The database of an open register. */
sqlite3 *cw_store_db(struct cw_store *reg);
/*
 * A prepared statement for sql, cached by the address of sql (pass string
 * literals only), reset and with bindings cleared. NULL on error (printed).
 */
sqlite3_stmt *cw_store_stmt(struct cw_store *reg, const char *sql);
/*
 * The same with arguments bound from parameter 1, one for each letter of
 * types: 't' text (NULL binds NULL), 'o' text where "" binds NULL too, 'd'
 * a tc_day (CW_NODAY binds NULL), 'i' an int, 'I' an int64_t, 'z' an
 * int64_t where 0 binds NULL.
 */
sqlite3_stmt *cw_store_query(struct cw_store *reg, const char *sql,
			     const char *types, ...);
/* Steps st (NULL: -1, its preparation having said why) expecting no row,
 * and resets it. 0, or -1 after saying what was being done. */
int cw_store_step(struct cw_store *reg, sqlite3_stmt *st, const char *doing);
/* Runs sql with arguments bound as cw_store_query's, expecting no row. 0,
 * or -1 after saying what was being done. */
int cw_store_run(struct cw_store *reg, const char *doing, const char *sql,
		 const char *types, ...);
/*
 * Steps st (NULL: preparing it failed, already printed) through its rows,
 * calling fn(st, arg) on each: fn returns 0 for more, 1 to stop after this
 * row, -1 to fail (fn said why). Resets st. Returns the number of rows fn
 * saw, or -1 (a database error printed with what was being done).
 */
int cw_store_each_row(struct cw_store *reg, sqlite3_stmt *st, const char *doing,
		      int (*fn)(sqlite3_stmt *, void *), void *arg);
/* Steps st for its first row's first column, into *v (left alone when
 * there is no row); returns the rows read (0 or 1) or -1. */
int cw_store_first_int64(struct cw_store *reg, sqlite3_stmt *st,
			 const char *doing, int64_t *v);
/* Runs sql with no results. 0 or -1 (printed). */
int cw_store_exec(struct cw_store *reg, const char *sql);
/*
 * Steps st (NULL: -1, its preparation having said why) through all its
 * rows, calling fn(st, arg) for each until fn returns non-zero; resets it.
 * 0, or -1 when fn did or after saying what was being done.
 */
int cw_store_all_rows(struct cw_store *reg, sqlite3_stmt *st, const char *doing,
		      int (*fn)(sqlite3_stmt *, void *), void *arg);
/* Column i of the row as text, "" for NULL. */
const char *cw_store_col_text(sqlite3_stmt *st, int i);
/* Columns first, first + 1, ... as text into *out[0], *out[1], ... (n). */
void cw_store_col_texts(sqlite3_stmt *st, int first, const char **const out[],
			size_t n);
/* Column i of the row as a day (CW_NODAY for NULL or not a date). */
tc_day cw_store_col_day(sqlite3_stmt *st, int i);

#endif
