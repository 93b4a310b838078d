/*
 * workdays.h: calendar dates, bank holiday calendars and working days.
 *
 * Dates are whole days counted from 1970-01-01 (day 0, a Thursday) in the
 * proleptic Gregorian calendar, so arithmetic is plain integer arithmetic.
 * A working day is Monday to Friday and not a holiday of the calendar.
 * Deadlines that fall beyond the years a calendar covers are refused rather
 * than guessed: a calendar file must be extended before then.
 */
#ifndef TC_WORKDAYS_H
#define TC_WORKDAYS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef int32_t tc_day; /* days since 1970-01-01 */

/* Parses "YYYY-MM-DD" (a real date, years 1900-2199). 0, or -1. */
int tc_day_parse(const char *ymd, tc_day *day);
/* Writes "YYYY-MM-DD" and a NUL into out[11]. */
void tc_day_format(tc_day day, char out[11]);
/* 0 Monday .. 6 Sunday. */
int tc_day_weekday(tc_day day);
/* Year, month (1-12) and day of month of a day. */
void tc_day_civil(tc_day day, int *y, int *m, int *d);
/* The day from year, month, day (the date must be valid). */
tc_day tc_day_from_civil(int y, int m, int d);
/* The same day n months later, clamped to the month's end (31 Jan + 1 =
 * 28 or 29 Feb); n may be negative. */
tc_day tc_day_add_months(tc_day day, int n);

struct tc_calendar; /* opaque: one division's bank holidays */

/*
 * Loads a calendar file:
 *   {"division": "england-and-wales",
 *    "first_year": 2024, "last_year": 2028,
 *    "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}, ...]}
 * Every holiday must be a real date within first_year..last_year, not
 * repeated, with a name. Errors fill err with file:line:col. Returns a
 * calendar the caller frees with tc_calendar_free, or NULL.
 */
struct tc_calendar *tc_calendar_load(const char *path, struct tc_error *err);
void tc_calendar_free(struct tc_calendar *cal);

const char *tc_calendar_division(const struct tc_calendar *cal);
/* 1 when day falls within the calendar's first_year..last_year. */
int tc_calendar_covers(const struct tc_calendar *cal, tc_day day);
/* The holiday's name on day, or NULL. */
const char *tc_calendar_holiday(const struct tc_calendar *cal, tc_day day);
/*
 * 1 for a working day. Outside the covered years there is no holiday data:
 * Monday to Friday count as working (check tc_calendar_covers first where a
 * wrong answer matters; the deadline functions below refuse instead).
 */
int tc_calendar_is_working(const struct tc_calendar *cal, tc_day day);

/*
 * The first working day on or after day. Returns 0 and stores it, or -1
 * when the answer lies beyond the calendar.
 */
int tc_calendar_next_working(const struct tc_calendar *cal, tc_day day,
			     tc_day *out);

/*
 * n working days after from: counting starts the day after from, so with
 * from a Wednesday and no holidays, n = 1 is Thursday and n = 5 is the next
 * Wednesday. n = 0 gives from itself. Returns 0 and stores the day, or -1
 * when the answer lies beyond the calendar (or n < 0).
 */
int tc_calendar_add_working(const struct tc_calendar *cal, tc_day from, int n,
			    tc_day *out);

/*
 * Working days after a up to and including b (0 when b <= a): the number of
 * working days by which b is late when a was the deadline.
 */
int tc_calendar_working_between(const struct tc_calendar *cal, tc_day a,
				tc_day b);

/*
 * Converts a UTC time "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, also with
 * fractional seconds or a +00:00 offset) to the local date and the minutes
 * past local midnight in the time zone tz ("Europe/London"), using the
 * system's tz database. Returns 0, or -1 for an unreadable time or zone.
 */
int tc_utc_to_local(const char *rfc3339, const char *tz, tc_day *day,
		    int *minutes);

#endif
