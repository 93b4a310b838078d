/*
 * date.h: calendar dates as whole days, and UTC times as local dates.
 *
 * Dates are whole days counted from 1970-01-01 (day 0, a Thursday) in the
 * proleptic Gregorian calendar, so arithmetic is plain integer arithmetic.
 */
#ifndef TC_DATE_H
#define TC_DATE_H

#include <stdint.h>

typedef int32_t tc_day; /* days since 1970-01-01 */

/* "No date": a day no calendar reaches. */
#define TC_NODAY INT32_MIN

/* Reads n decimal digits at s (which holds n bytes) into *v. 0, or -1 on
 * anything else. */
int tc_digits(const char *s, int n, int *v);
/* Days in month m (1-12) of year y. */
int tc_days_in_month(int y, int m);
/*
 * Reads a real date "YYYY-MM-DD" (any year 0000-9999) from the first 10
 * bytes at s, which must hold that many; what follows is the caller's to
 * check. 0, or -1.
 */
int tc_ymd_scan(const char *s, int *y, int *m, int *d);

/* Parses "YYYY-MM-DD" (a real date, years 1900-2199). 0, or -1. */
int tc_day_parse(const char *ymd, tc_day *day);
/* Writes "YYYY-MM-DD" and a NUL into out[11]. */
void tc_day_format(tc_day day, char out[11]);
/* Writes the day as people write it in a letter, "14 December 2026", and
 * a NUL into out[TC_DAY_WORDS]. */
#define TC_DAY_WORDS 24
void tc_day_words(tc_day day, char out[TC_DAY_WORDS]);
/* 0 Monday .. 6 Sunday. */
int tc_day_weekday(tc_day day);
/* Year, month (1-12) and day of month of a day. */
void tc_day_civil(tc_day day, int *y, int *m, int *d);
/* The day from year, month, day (the date must be valid). */
tc_day tc_day_from_civil(int y, int m, int d);
/* The same day n months later, clamped to the month's end (31 Jan + 1 =
 * 28 or 29 Feb); n may be negative. */
tc_day tc_day_add_months(tc_day day, int n);

/*
 * Converts a UTC time "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, also with
 * fractional seconds or a +00:00 offset) to the local date and the minutes
 * past local midnight in the time zone tz ("Europe/London"), using the
 * system's tz database. Returns 0, or -1 for an unreadable time or zone.
 */
int tc_utc_to_local(const char *rfc3339, const char *tz, tc_day *day,
		    int *minutes);

/*
 * The other way: the UTC time "YYYY-MM-DDTHH:MM:00Z" into out of the local
 * time minutes past midnight on day in tz. A local time the clocks skip
 * (the hour lost in spring) is read as after the change; one they repeat
 * (autumn), as the first. Returns 0, or -1 for an unreadable zone.
 */
int tc_local_to_utc(tc_day day, int minutes, const char *tz, char out[21]);

#endif
