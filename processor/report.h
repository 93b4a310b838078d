/*
 * report.h: the daily report, reports/DATE.html (accessible, printable) and
 * reports/DATE.csv, for env->today: the day's intake by type, what was
 * quarantined and why, acknowledgements and responses due today and in the
 * next 5 working days, overdue items with working days overdue, flags
 * waiting for a decision, and escalation windows closing.
 */
#ifndef CW_REPORT_H
#define CW_REPORT_H

#include "buffer.h"
#include "casework.h"

/* Writes both files durably. 0, or -1 (printed). */
int cw_report_write(struct cw_env *env);

/*
 * Appends s to out as one CSV cell: quoted, quotes doubled, and a leading
 * '=', '+', '-', '@', tab or CR neutralised with a "'" so a spreadsheet
 * never reads it as a formula.
 */
void cw_csv_cell(struct tc_buf *out, const char *s);

/* Appends the n cells as one CSV line, ending in CRLF. */
void cw_csv_row(struct tc_buf *out, const char *const *cells, size_t n);

/*
 * Writes reports/NAME.html and reports/NAME.csv (0600, only when changed)
 * and prints "WHAT: PATH" for each. 0, or -1 (printed).
 */
int cw_report_files(struct cw_env *env, const char *name,
		    const struct tc_buf *html, const struct tc_buf *csv,
		    const char *what);

#endif
