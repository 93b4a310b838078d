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

/*
 * Writes reports/NAME.html and reports/NAME.csv (0600, only when changed)
 * and prints "WHAT: PATH" for each. 0, or -1 (printed).
 */
int cw_report_files(struct cw_env *env, const char *name,
		    const struct tc_buf *html, const struct tc_buf *csv,
		    const char *what);

/*
 * Building the cJSON context of a page (the theme renders it; it escapes,
 * so the strings go in as they are). Each dies when out of memory.
 */
/* name: s, or "" for NULL. */
void cw_ctx_str(cJSON *o, const char *name, const char *s);
/* name: v as decimal text, or "" when v is blank. */
void cw_ctx_num(cJSON *o, const char *name, long v, int blank);
void cw_ctx_bool(cJSON *o, const char *name, int v);
/* A new array in o as name; o owns it. */
cJSON *cw_ctx_arr(cJSON *o, const char *name);
/* A new object appended to arr; arr owns it. */
cJSON *cw_ctx_item(cJSON *arr);
/* A page's context: its title, and the stylesheet's part for it (style
 * true: "pack", "figures"; NULL for the plain one). The caller frees it
 * with cJSON_Delete. */
cJSON *cw_ctx_page(const char *title, const char *style);

#endif
