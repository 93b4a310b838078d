/*
 * calendar.h: bank holiday calendars and working days.
 *
 * A working day is Monday to Friday and not a holiday of the calendar.
 * Deadlines that fall beyond the years a calendar covers are refused rather
 * than guessed: a calendar file must be extended before then.
 */
#ifndef TC_CALENDAR_H
#define TC_CALENDAR_H

#include <stddef.h>

#include "date.h"
#include "err.h"

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

#endif
