/*
 * test_workdays.c: unit tests for common/workdays.c: date arithmetic over
 * the whole supported range, the shipped bank holiday calendars (run from
 * the repository root), bad calendar files and UTC to local time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "fsutil.h"
#include "calendar.h"

#define T(f) cmocka_unit_test(f)

#define EW_FILE "content/calendars/england-and-wales.json"
#define SC_FILE "content/calendars/scotland.json"
#define NI_FILE "content/calendars/northern-ireland.json"

/* The shipped calendars, loaded once for the calendar tests. */
static struct tc_calendar *ew, *sc, *ni;

static tc_day D(const char *ymd)
{
	tc_day d = 0;

	if (tc_day_parse(ymd, &d) < 0)
		fail_msg("test date does not parse: %s", ymd);
	return d;
}

/* Asserts that day is ymd, showing both as dates on failure. */
#define assert_day(day, ymd)                                                   \
	do {                                                                   \
		char got_[11];                                                 \
		tc_day_format((day), got_);                                    \
		assert_string_equal(got_, (ymd));                              \
	} while (0)

static int test_leap(int y)
{
	return y % 400 == 0 || (y % 4 == 0 && y % 100 != 0);
}

static int test_month_len(int y, int m)
{
	static const int len[] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};

	return m == 2 && test_leap(y) ? 29 : len[m - 1];
}

/* Every day 1900-2199 counted one by one against the arithmetic. */
static void test_round_trip(void **state)
{
	char text[11], want[32];
	tc_day day = tc_day_from_civil(1900, 1, 1), back;
	int y, m, d, yy, mm, dd, wd = 0; /* 1900-01-01 was a Monday */

	(void)state;
	assert_int_equal(day, -25567);
	for (y = 1900; y <= 2199; y++) {
		for (m = 1; m <= 12; m++) {
			for (d = 1; d <= test_month_len(y, m); d++) {
				snprintf(want, sizeof(want), "%04d-%02d-%02d",
					 y, m, d);
				tc_day_format(day, text);
				assert_string_equal(text, want);
				assert_int_equal(tc_day_parse(text, &back), 0);
				assert_int_equal(back, day);
				assert_int_equal(tc_day_from_civil(y, m, d),
						 day);
				tc_day_civil(day, &yy, &mm, &dd);
				assert_true(yy == y && mm == m && dd == d);
				assert_int_equal(tc_day_weekday(day), wd);
				day++;
				wd = (wd + 1) % 7;
			}
		}
	}
	assert_int_equal(day, tc_day_from_civil(2200, 1, 1));
}

static void test_weekday(void **state)
{
	(void)state;
	assert_int_equal(tc_day_from_civil(1970, 1, 1), 0);
	assert_int_equal(tc_day_weekday(0), 3);		      /* Thursday */
	assert_int_equal(tc_day_weekday(D("2026-11-22")), 6); /* Sunday */
	assert_int_equal(tc_day_weekday(D("2026-12-23")), 2); /* Wednesday */
	assert_int_equal(tc_day_weekday(D("2027-01-04")), 0); /* Monday */
	assert_int_equal(tc_day_weekday(-1), 2);	      /* 1969-12-31 */
	assert_int_equal(tc_day_weekday(-7), 3);
	assert_day(-1, "1969-12-31");
}

static void test_day_words(void **state)
{
	char w[TC_DAY_WORDS];

	(void)state;
	tc_day_words(D("2026-12-14"), w);
	assert_string_equal(w, "14 December 2026");
	tc_day_words(D("2027-01-01"), w);
	assert_string_equal(w, "1 January 2027");
	tc_day_words(D("2028-02-29"), w);
	assert_string_equal(w, "29 February 2028");
}

static void test_parse(void **state)
{
	static const char *const bad[] = {
	    "2027-02-29",
	    "1900-02-29",
	    "2026-02-30",
	    "2026-04-31",
	    "2026-13-01",
	    "2026-00-10",
	    "2026-01-00",
	    "2026-01-32",
	    "1899-12-31",
	    "2200-01-01",
	    "2026-1-01",
	    "2026-01-1",
	    "2026/01/01",
	    "2026-01-01x",
	    "2026-01-01 ",
	    " 2026-01-01",
	    "+026-01-01",
	    "2026-0a-01",
	    "",
	    "2026",
	};
	tc_day d = 12345;
	size_t i;

	(void)state;
	assert_int_equal(tc_day_parse("2028-02-29", &d), 0);
	assert_day(d, "2028-02-29");
	assert_int_equal(tc_day_parse("2000-02-29", &d), 0);
	assert_int_equal(tc_day_parse("1900-01-01", &d), 0);
	assert_int_equal(tc_day_parse("2199-12-31", &d), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 12345;
		if (tc_day_parse(bad[i], &d) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(d, 12345);
	}
	assert_int_equal(tc_day_parse(NULL, &d), -1);
	/* 1900 is not a leap year, 2000 is. */
	assert_int_equal(D("1900-03-01") - D("1900-02-28"), 1);
	assert_int_equal(D("2000-03-01") - D("2000-02-28"), 2);
}

static void test_add_months(void **state)
{
	(void)state;
	assert_day(tc_day_add_months(D("2026-01-31"), 1), "2026-02-28");
	assert_day(tc_day_add_months(D("2028-01-31"), 1), "2028-02-29");
	assert_day(tc_day_add_months(D("2026-03-31"), -1), "2026-02-28");
	assert_day(tc_day_add_months(D("2026-03-31"), 1), "2026-04-30");
	assert_day(tc_day_add_months(D("2026-05-31"), 1), "2026-06-30");
	assert_day(tc_day_add_months(D("2026-12-15"), 1), "2027-01-15");
	assert_day(tc_day_add_months(D("2026-01-15"), -1), "2025-12-15");
	assert_day(tc_day_add_months(D("2028-02-29"), 12), "2029-02-28");
	assert_day(tc_day_add_months(D("2028-02-29"), 48), "2032-02-29");
	assert_day(tc_day_add_months(D("2026-08-31"), -6), "2026-02-28");
	assert_day(tc_day_add_months(D("2026-07-10"), -30), "2024-01-10");
	assert_day(tc_day_add_months(D("2026-07-10"), 0), "2026-07-10");
	assert_day(tc_day_add_months(D("1970-01-31"), -1), "1969-12-31");
	assert_day(tc_day_add_months(D("2199-12-31"), 2), "2200-02-28");
}

/* ---- The shipped calendars ---- */

static int load_all(void **state)
{
	struct tc_error err;

	(void)state;
	ew = tc_calendar_load(EW_FILE, &err);
	if (!ew)
		fprintf(stderr, "%s: %s\n", EW_FILE, err.msg);
	sc = tc_calendar_load(SC_FILE, &err);
	if (!sc)
		fprintf(stderr, "%s: %s\n", SC_FILE, err.msg);
	ni = tc_calendar_load(NI_FILE, &err);
	if (!ni)
		fprintf(stderr, "%s: %s\n", NI_FILE, err.msg);
	return ew && sc && ni ? 0 : -1;
}

static int free_all(void **state)
{
	(void)state;
	tc_calendar_free(ew);
	tc_calendar_free(sc);
	tc_calendar_free(ni);
	ew = sc = ni = NULL;
	return 0;
}

static tc_day add(const struct tc_calendar *cal, const char *from, int n)
{
	tc_day out = -999999;

	if (tc_calendar_add_working(cal, D(from), n, &out) < 0)
		fail_msg("add_working(%s, %d) refused", from, n);
	return out;
}

static void test_worked_example(void **state)
{
	tc_day ack, resp;

	(void)state;
	assert_string_equal(tc_calendar_division(ew), "england-and-wales");
	/* Received Wed 23 Dec 2026: acknowledge within 5 working days (24 Dec,
	 * 29, 30, 31 Dec, 4 Jan: 25 and 28 Dec and 1 Jan are holidays). */
	ack = add(ew, "2026-12-23", 5);
	assert_day(ack, "2027-01-04");
	assert_int_equal(tc_day_weekday(ack), 0);
	/* Respond within 10 working days of the acknowledgement. */
	resp = add(ew, "2027-01-04", 10);
	assert_day(resp, "2027-01-18");
	assert_int_equal(tc_day_weekday(resp), 0);
	assert_day(add(ew, "2026-12-23", 15), "2027-01-18");
}

static void test_easter_and_weekends(void **state)
{
	(void)state;
	assert_string_equal(tc_calendar_holiday(ew, D("2027-03-26")),
			    "Good Friday");
	assert_string_equal(tc_calendar_holiday(ew, D("2027-03-29")),
			    "Easter Monday");
	assert_day(add(ew, "2027-03-25", 1), "2027-03-30");
	assert_day(add(ew, "2027-03-25", 2), "2027-03-31");
	assert_day(add(ew, "2027-03-24", 1), "2027-03-25");
	/* Fri + 1 = Mon; Sat and Sun + 1 = Mon too. */
	assert_day(add(ew, "2026-11-20", 1), "2026-11-23");
	assert_day(add(ew, "2026-11-21", 1), "2026-11-23");
	assert_day(add(ew, "2026-11-22", 1), "2026-11-23");
	/* Wed + 5 = next Wed with no holidays. */
	assert_day(add(ew, "2026-11-18", 5), "2026-11-25");
	/* n = 0 is the day itself, even when it is not a working day. */
	assert_day(add(ew, "2026-11-22", 0), "2026-11-22");
	assert_day(add(ew, "2026-12-25", 0), "2026-12-25");
	assert_int_equal(tc_calendar_is_working(ew, D("2026-11-20")), 1);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-11-21")), 0);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-11-22")), 0);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-12-25")), 0);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-12-28")), 0);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-12-29")), 1);
	assert_null(tc_calendar_holiday(ew, D("2026-12-29")));
	assert_null(tc_calendar_holiday(ew, D("2026-12-26")));
	assert_string_equal(tc_calendar_holiday(ew, D("2026-12-28")),
			    "Boxing Day");
}

static void test_next_working(void **state)
{
	tc_day out;

	(void)state;
	assert_int_equal(tc_calendar_next_working(ew, D("2026-11-21"), &out),
			 0);
	assert_day(out, "2026-11-23");
	assert_int_equal(tc_calendar_next_working(ew, D("2026-11-23"), &out),
			 0);
	assert_day(out, "2026-11-23");
	/* Christmas 2026: Fri 25 holiday, weekend, Mon 28 substitute. */
	assert_int_equal(tc_calendar_next_working(ew, D("2026-12-25"), &out),
			 0);
	assert_day(out, "2026-12-29");
	assert_int_equal(tc_calendar_next_working(ew, D("2027-03-26"), &out),
			 0);
	assert_day(out, "2027-03-30");
	/* 2028 ends on a Sunday: the next working day is in 2029. */
	assert_int_equal(tc_calendar_next_working(ew, D("2028-12-29"), &out),
			 0);
	assert_day(out, "2028-12-29");
	assert_int_equal(tc_calendar_next_working(ew, D("2028-12-30"), &out),
			 -1);
	assert_int_equal(tc_calendar_next_working(ew, D("2023-12-30"), &out),
			 -1);
	assert_int_equal(tc_calendar_next_working(ew, D("2029-01-02"), &out),
			 -1);
}

static void test_working_between(void **state)
{
	(void)state;
	/* The worked example read backwards. */
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2026-12-23"), D("2027-01-04")),
	    5);
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2027-01-04"), D("2027-01-18")),
	    10);
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2027-01-18"), D("2027-01-18")),
	    0);
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2027-01-18"), D("2027-01-04")),
	    0);
	/* Late over a weekend only: Fri deadline, answered Sun = 0, Mon = 1. */
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2026-11-20"), D("2026-11-22")),
	    0);
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2026-11-20"), D("2026-11-23")),
	    1);
	/* A whole year: 2026 has 261 weekdays, 8 bank holidays on them. */
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2025-12-31"), D("2026-12-31")),
	    253);
	/* Outside the calendar only weekdays count: the first week of
	 * 2029 (Mon 1 .. Sun 7 Jan) adds 5. */
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2028-12-29"), D("2029-01-07")),
	    5);
	assert_int_equal(
	    tc_calendar_working_between(ew, D("2023-12-29"), D("2024-01-02")),
	    1);
}

static void test_beyond(void **state)
{
	tc_day out;

	(void)state;
	/* From Wed 20 Dec 2028: 21, 22, 27, 28, 29 Dec are the next five
	 * working days; a sixth lies in 2029, which the calendar lacks. */
	assert_day(add(ew, "2028-12-20", 5), "2028-12-29");
	assert_int_equal(tc_calendar_add_working(ew, D("2028-12-20"), 6, &out),
			 -1);
	assert_int_equal(tc_calendar_add_working(ew, D("2028-12-20"), 20, &out),
			 -1);
	assert_int_equal(tc_calendar_add_working(ew, D("2028-12-31"), 1, &out),
			 -1);
	assert_int_equal(tc_calendar_add_working(ew, D("2031-01-01"), 1, &out),
			 -1);
	/* Before the calendar: counting from 31 Dec 2023 starts in 2024. */
	assert_day(add(ew, "2023-12-31", 1), "2024-01-02");
	assert_int_equal(tc_calendar_add_working(ew, D("2023-12-30"), 1, &out),
			 -1);
	assert_int_equal(tc_calendar_add_working(ew, D("2026-01-05"), -1, &out),
			 -1);
	assert_int_equal(tc_calendar_covers(ew, D("2024-01-01")), 1);
	assert_int_equal(tc_calendar_covers(ew, D("2028-12-31")), 1);
	assert_int_equal(tc_calendar_covers(ew, D("2029-01-01")), 0);
	assert_int_equal(tc_calendar_covers(ew, D("2023-12-31")), 0);
}

static void test_scotland_ni(void **state)
{
	(void)state;
	assert_string_equal(tc_calendar_division(sc), "scotland");
	assert_string_equal(tc_calendar_division(ni), "northern-ireland");
	assert_int_equal(tc_calendar_is_working(sc, D("2026-01-02")), 0);
	assert_int_equal(tc_calendar_is_working(sc, D("2026-11-30")), 0);
	assert_int_equal(tc_calendar_is_working(sc, D("2026-04-06")), 1);
	assert_int_equal(tc_calendar_is_working(sc, D("2026-08-31")), 1);
	assert_int_equal(tc_calendar_is_working(sc, D("2026-08-03")), 0);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-01-02")), 1);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-11-30")), 1);
	assert_int_equal(tc_calendar_is_working(ni, D("2026-03-17")), 0);
	assert_int_equal(tc_calendar_is_working(ni, D("2026-07-13")), 0);
	assert_int_equal(tc_calendar_is_working(ni, D("2026-07-14")), 1);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-03-17")), 1);
	assert_int_equal(tc_calendar_is_working(ew, D("2026-07-13")), 1);
	/* The worked example in Scotland: 2 Jan 2027 falls on a Saturday,
	 * so Mon 4 Jan is a holiday too. */
	assert_day(add(sc, "2026-12-23", 5), "2027-01-05");
	assert_day(add(ni, "2026-12-23", 5), "2027-01-04");
	assert_day(add(ni, "2027-03-16", 1), "2027-03-18");
}

/* The DOMAIN.md tables, as a check on the files. */
static void test_known_dates(void **state)
{
	static const char *const ew_days[] = {
	    "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06",
	    "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26",
	    "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05",
	    "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
	    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04",
	    "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
	    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
	    "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
	    "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01",
	    "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26",
	};
	static const char *const sc_days[] = {
	    "2026-01-01", "2026-01-02", "2026-04-03", "2026-05-04",
	    "2026-05-25", "2026-08-03", "2026-11-30", "2026-12-25",
	    "2026-12-28", "2027-01-01", "2027-01-04", "2027-03-26",
	    "2027-05-03", "2027-05-31", "2027-08-02", "2027-11-30",
	    "2027-12-27", "2027-12-28",
	};
	static const char *const ni_days[] = {
	    "2026-01-01", "2026-03-17", "2026-04-03", "2026-04-06",
	    "2026-05-04", "2026-05-25", "2026-07-13", "2026-08-31",
	    "2026-12-25", "2026-12-28", "2027-01-01", "2027-03-17",
	    "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
	    "2027-07-12", "2027-08-30", "2027-12-27", "2027-12-28",
	};
	tc_day d;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(ew_days) / sizeof(ew_days[0]); i++)
		if (!tc_calendar_holiday(ew, D(ew_days[i])))
			fail_msg("england-and-wales lacks %s", ew_days[i]);
	for (i = 0; i < sizeof(sc_days) / sizeof(sc_days[0]); i++)
		if (!tc_calendar_holiday(sc, D(sc_days[i])))
			fail_msg("scotland lacks %s", sc_days[i]);
	for (i = 0; i < sizeof(ni_days) / sizeof(ni_days[0]); i++)
		if (!tc_calendar_holiday(ni, D(ni_days[i])))
			fail_msg("northern-ireland lacks %s", ni_days[i]);
	/* And no more than those in England and Wales. */
	n = 0;
	for (d = D("2024-01-01"); d <= D("2028-12-31"); d++)
		n += tc_calendar_holiday(ew, d) != NULL;
	assert_int_equal(n, (int)(sizeof(ew_days) / sizeof(ew_days[0])));
	/* Scotland 2026 and 2027 exactly as listed, 9 each. */
	n = 0;
	for (d = D("2026-01-01"); d <= D("2027-12-31"); d++)
		n += tc_calendar_holiday(sc, d) != NULL;
	assert_int_equal(n, 18);
	n = 0;
	for (d = D("2026-01-01"); d <= D("2027-12-31"); d++)
		n += tc_calendar_holiday(ni, d) != NULL;
	assert_int_equal(n, 20);
}

/* Western Easter Sunday of year y (the anonymous Gregorian algorithm). */
static tc_day easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return tc_day_from_civil(y, month, day);
}

/*
 * Every calendar: holidays fall on weekdays (a weekend date means a missing
 * substitute day), each year has Good Friday, Christmas and the right count,
 * and is_working agrees with the weekday and the holiday list.
 */
static void check_calendar(const struct tc_calendar *cal, int per_year,
			   int easter_monday)
{
	const char *name;
	char text[11];
	int y, n;
	tc_day d;

	for (y = 2024; y <= 2028; y++) {
		n = 0;
		for (d = tc_day_from_civil(y, 1, 1);
		     d < tc_day_from_civil(y + 1, 1, 1); d++) {
			assert_int_equal(tc_calendar_covers(cal, d), 1);
			name = tc_calendar_holiday(cal, d);
			assert_int_equal(tc_calendar_is_working(cal, d),
					 !name && tc_day_weekday(d) < 5);
			if (!name)
				continue;
			n++;
			tc_day_format(d, text);
			if (tc_day_weekday(d) >= 5)
				fail_msg("%s: holiday on a weekend: %s %s",
					 tc_calendar_division(cal), text, name);
			assert_true(strlen(name) > 0);
		}
		if (n != per_year)
			fail_msg("%s: %d holidays in %d, expected %d",
				 tc_calendar_division(cal), n, y, per_year);
		assert_string_equal(tc_calendar_holiday(cal, easter(y) - 2),
				    "Good Friday");
		if (easter_monday)
			assert_string_equal(
			    tc_calendar_holiday(cal, easter(y) + 1),
			    "Easter Monday");
		else
			assert_null(tc_calendar_holiday(cal, easter(y) + 1));
	}
}

static void test_calendar_sanity(void **state)
{
	(void)state;
	assert_int_equal(easter(2027), D("2027-03-28"));
	check_calendar(ew, 8, 1);
	check_calendar(sc, 9, 0);
	check_calendar(ni, 10, 1);
}

/*
 * add_working, next_working and working_between against a day-by-day count
 * built on is_working, for every start day in the calendar and n to 70.
 */
static void test_against_naive(void **state)
{
	const struct tc_calendar *cals[3] = {ew, sc, ni};
	tc_day first = D("2024-01-01"), end = D("2029-01-01");
	tc_day from, d, got, want;
	int c, n, rc;

	(void)state;
	for (c = 0; c < 3; c++) {
		for (from = first - 1; from < end; from++) {
			d = from;
			for (n = 0; n <= 70; n++) {
				if (n > 0) {
					do
						d++;
					while (d < end &&
					       !tc_calendar_is_working(cals[c],
								       d));
				}
				rc = tc_calendar_add_working(cals[c], from, n,
							     &got);
				if (d >= end) {
					assert_int_equal(rc, -1);
					break;
				}
				assert_int_equal(rc, 0);
				assert_int_equal(got, d);
				assert_int_equal(tc_calendar_working_between(
						     cals[c], from, d),
						 n);
			}
			if (from < first)
				continue;
			want = from;
			while (want < end &&
			       !tc_calendar_is_working(cals[c], want))
				want++;
			rc = tc_calendar_next_working(cals[c], from, &got);
			assert_int_equal(rc, want < end ? 0 : -1);
			if (rc == 0)
				assert_int_equal(got, want);
		}
	}
}

/* ---- Bad calendar files ---- */

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s", "/tmp/tc-workdays-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return tc_fs_remove_tree(dir);
}

/* Loads text as a calendar; on failure leaves the message in err. */
static struct tc_calendar *load_text(const char *text, struct tc_error *err)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cal.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return tc_calendar_load(path, err);
}

/* Asserts text is refused with code at line:col, the message holding
 * want, and the file name in err. */
static void refused(const char *text, int code, int line, int col,
		    const char *want)
{
	struct tc_error err;
	struct tc_calendar *cal;
	char msg[2048];

	cal = load_text(text, &err);
	tc_error_format(&err, msg, sizeof(msg));
	if (cal) {
		tc_calendar_free(cal);
		fail_msg("accepted: %s", text);
	}
	if (err.code != code || err.line != line || err.col != col ||
	    !strstr(err.msg, want))
		fail_msg("got %d %s, expected %d at %d:%d with '%s'", err.code,
			 msg, code, line, col, want);
	assert_non_null(strstr(err.file, "cal.json"));
}

#define HEAD                                                                   \
	"{\n"                                                                  \
	"  \"division\": \"test\",\n"                                          \
	"  \"first_year\": 2026,\n"                                            \
	"  \"last_year\": 2026,\n"                                             \
	"  \"holidays\": [\n"
/* The first holiday entry is on line 6. */

static void test_good_file(void **state)
{
	struct tc_error err;
	struct tc_calendar *cal;
	tc_day out;

	(void)state;
	cal = load_text(HEAD "    {\"date\": \"2026-12-25\", \"name\": "
			     "\"Christmas Day\", \"notes\": \"x\"},\n"
			     "    {\"date\": \"2026-01-01\", \"name\": "
			     "\"New Year\\u2019s Day\"}\n  ]\n}\n",
			&err);
	assert_non_null(cal);
	assert_string_equal(tc_calendar_division(cal), "test");
	assert_string_equal(tc_calendar_holiday(cal, D("2026-01-01")),
			    "New Year\xe2\x80\x99s Day");
	assert_int_equal(tc_calendar_is_working(cal, D("2026-12-28")), 1);
	assert_int_equal(tc_calendar_add_working(cal, D("2026-12-24"), 1, &out),
			 0);
	assert_day(out, "2026-12-28");
	tc_calendar_free(cal);
	/* No holidays at all is allowed. */
	cal = load_text(HEAD "  ]\n}\n", &err);
	assert_non_null(cal);
	assert_null(tc_calendar_holiday(cal, D("2026-12-25")));
	assert_int_equal(tc_calendar_add_working(cal, D("2026-12-24"), 1, &out),
			 0);
	assert_day(out, "2026-12-25");
	tc_calendar_free(cal);
	tc_calendar_free(NULL);
}

static void test_bad_files(void **state)
{
	struct tc_error err;

	(void)state;
	/* Syntax: the second comma on line 3 is the error. */
	refused("{\n  \"division\": \"test\",\n  \"first_year\": 2026,,\n}\n",
		TC_ESYNTAX, 3, 23, "syntax");
	refused(HEAD "    {\"date\": \"2026-12-25\" \"name\": \"x\"}\n  ]\n}\n",
		TC_ESYNTAX, 6, 27, "syntax");
	refused("", TC_ESYNTAX, 1, 1, "syntax");
	refused(HEAD "  ]\n}\n{}\n", TC_ESYNTAX, 8, 1, "syntax");
	refused("[]\n", TC_EINVAL, 1, 1, "JSON object");
	/* A date that does not exist. */
	refused(HEAD
		"    {\"date\": \"2026-12-25\", \"name\": \"a\"},\n"
		"    {\"date\": \"2026-02-30\", \"name\": \"b\"}\n  ]\n}\n",
		TC_EINVAL, 7, 14, "not a date '2026-02-30'");
	refused(HEAD "    {\"name\": \"b\", \"date\": 20261225}\n  ]\n}\n",
		TC_EINVAL, 6, 27, "no \"date\"");
	/* The same date twice: the second is reported. */
	refused(HEAD
		"    {\"date\": \"2026-12-25\", \"name\": \"a\"},\n"
		"    {\"date\": \"2026-01-01\", \"name\": \"b\"},\n"
		"    {\"date\": \"2026-12-25\", \"name\": \"c\"}\n  ]\n}\n",
		TC_EDUP, 8, 14, "twice '2026-12-25'");
	/* Outside first_year..last_year. */
	refused(HEAD
		"    {\"date\": \"2027-01-01\", \"name\": \"a\"}\n  ]\n}\n",
		TC_EINVAL, 6, 14, "outside");
	refused(HEAD
		"    {\"date\": \"2025-12-31\", \"name\": \"a\"}\n  ]\n}\n",
		TC_EINVAL, 6, 14, "outside");
	/* No name, an empty name, a name that is not a string. */
	refused(HEAD "    {\"date\": \"2026-12-25\"}\n  ]\n}\n", TC_EINVAL, 6,
		5, "no name");
	refused(HEAD "    {\"date\": \"2026-12-25\", \"name\": \"\"}\n  ]\n}\n",
		TC_EINVAL, 6, 36, "no name");
	refused(HEAD "    {\"date\": \"2026-12-25\", \"name\": 7}\n  ]\n}\n",
		TC_EINVAL, 6, 36, "no name");
	refused(HEAD "    \"2026-12-25\"\n  ]\n}\n", TC_EINVAL, 6, 5,
		"not an object");
	refused(HEAD
		"    {\"date\": \"2026-12-25\", \"nmae\": \"a\"}\n  ]\n}\n",
		TC_EINVAL, 6, 36, "unknown key 'nmae'");
	/* The header fields. */
	refused(
	    "{\"division\": \"t\", \"first_year\": 2027, \"last_year\": 2026, "
	    "\"holidays\": []}",
	    TC_EINVAL, 1, 52, "first_year <= last_year");
	refused("{\"division\": \"t\", \"first_year\": 2026.5, \"last_year\": "
		"2026, \"holidays\": []}",
		TC_EINVAL, 1, 33, "first_year");
	refused("{\"division\": \"t\", \"first_year\": 1800, \"last_year\": "
		"2026, \"holidays\": []}",
		TC_EINVAL, 1, 33, "first_year");
	refused("{\"first_year\": 2026, \"last_year\": 2026, \"holidays\": []}",
		TC_EINVAL, 1, 1, "division");
	refused("{\"division\": \"t\", \"first_year\": 2026, \"last_year\": "
		"2026}",
		TC_EINVAL, 1, 1, "holidays");
	refused("{\"division\": \"t\", \"first_year\": 2026, \"last_year\": "
		"2026,\n \"holiday\": []}",
		TC_EINVAL, 2, 13, "unknown key 'holiday'");
	refused("{\"division\": \"t\",\t\"first_year\": 2026, \"last_year\": "
		"2026, \"holidays\": {}}",
		TC_EINVAL, 1, 70, "holidays");
	/* Column counts characters, not bytes. */
	refused("{\"division\": \"\xc3\xa9\xc3\xa9\", \"x\": 1}", TC_EINVAL, 1,
		25, "unknown key 'x'");
	refused("{\"division\": \"\xc3\"}", TC_EUTF8, 1, 15, "UTF-8");
	/* A missing file. */
	assert_null(tc_calendar_load("/nonexistent/calendar.json", &err));
	assert_int_equal(err.code, TC_EIO);
	assert_string_equal(err.file, "/nonexistent/calendar.json");
}

/* ---- UTC to local time ---- */

static void local_is(const char *utc, const char *tz, const char *ymd, int hh,
		     int mm)
{
	tc_day day = -1;
	int min = -1;

	if (tc_utc_to_local(utc, tz, &day, &min) < 0)
		fail_msg("refused %s in %s", utc, tz);
	assert_day(day, ymd);
	if (min != hh * 60 + mm)
		fail_msg("%s in %s: %02d:%02d, expected %02d:%02d", utc, tz,
			 min / 60, min % 60, hh, mm);
}

static void test_utc_to_local(void **state)
{
	(void)state;
	local_is("2026-07-01T23:30:00Z", "Europe/London", "2026-07-02", 0, 30);
	local_is("2026-12-23T23:59:59Z", "Europe/London", "2026-12-23", 23, 59);
	/* Clocks go forward 01:00 UTC on 29 March 2026... */
	local_is("2026-03-29T00:59:59Z", "Europe/London", "2026-03-29", 0, 59);
	local_is("2026-03-29T01:00:00Z", "Europe/London", "2026-03-29", 2, 0);
	/* ... and back 01:00 UTC on 25 October 2026. */
	local_is("2026-10-25T00:59:59Z", "Europe/London", "2026-10-25", 1, 59);
	local_is("2026-10-25T01:00:00Z", "Europe/London", "2026-10-25", 1, 0);
	/* The accepted spellings. */
	local_is("2026-07-01T23:30:00+00:00", "Europe/London", "2026-07-02", 0,
		 30);
	local_is("2026-07-01T23:30:00.123456Z", "Europe/London", "2026-07-02",
		 0, 30);
	local_is("2026-07-01T23:30:00.5+00:00", "Europe/London", "2026-07-02",
		 0, 30);
	local_is("2026-12-31T23:59:60Z", "Europe/London", "2026-12-31", 23, 59);
	local_is("2026-07-01T23:30:00Z", "UTC", "2026-07-01", 23, 30);
	local_is("2026-07-01T23:30:00Z", "America/New_York", "2026-07-01", 19,
		 30);
	local_is("2028-02-28T23:00:00Z", "Europe/London", "2028-02-28", 23, 0);
	local_is("2028-02-29T00:00:00Z", "Europe/London", "2028-02-29", 0, 0);
}

/*
 * Every half hour of 2026 and 2027 in Europe/London, in order and back
 * again (so the kept offsets are met both ways): UTC in winter, an hour
 * ahead from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
 * last Sunday of October (29 March and 25 October 2026, 28 March and 31
 * October 2027).
 */
static void test_utc_to_local_year(void **state)
{
	static const struct {
		int y, march, october;
	} bst[] = {{2026, 29, 25}, {2027, 28, 31}};
	time_t start = 1767225600; /* 2026-01-01T00:00:00Z */
	time_t t, end = start + 730 * 86400;
	int pass, k;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < 730 * 48; k++) {
			struct tm u, l;
			char utc[32], want[11];
			tc_day day;
			int min, i, summer = 0;
			time_t lt;

			t = pass ? end - 1800 - (time_t)k * 1800
				 : start + (time_t)k * 1800;
			gmtime_r(&t, &u);
			for (i = 0; i < 2; i++) {
				struct tm a = {0}, b = {0};

				a.tm_year = b.tm_year = bst[i].y - 1900;
				a.tm_mon = 2;
				a.tm_mday = bst[i].march;
				b.tm_mon = 9;
				b.tm_mday = bst[i].october;
				a.tm_hour = b.tm_hour = 1;
				if (t >= timegm(&a) && t < timegm(&b))
					summer = 1;
			}
			strftime(utc, sizeof(utc), "%Y-%m-%dT%H:%M:%SZ", &u);
			lt = t + (summer ? 3600 : 0);
			gmtime_r(&lt, &l);
			strftime(want, sizeof(want), "%Y-%m-%d", &l);
			if (tc_utc_to_local(utc, "Europe/London", &day, &min) <
			    0)
				fail_msg("refused %s", utc);
			assert_day(day, want);
			if (min != l.tm_hour * 60 + l.tm_min)
				fail_msg("%s: %d minutes, expected %d", utc,
					 min, l.tm_hour * 60 + l.tm_min);
		}
	}
}

static void test_utc_to_local_bad(void **state)
{
	static const char *const bad_times[] = {
	    "2026-13-01T00:00:00Z",
	    "2026-01-01 00:00:00",
	    "2026-01-01T24:00:00Z",
	    "2026-01-01T00:60:00Z",
	    "2026-01-01T00:00:61Z",
	    "2026-02-30T00:00:00Z",
	    "2026-01-01T00:00:00",
	    "2026-01-01T00:00:00+01:00",
	    "2026-01-01T00:00:00-00:00",
	    "2026-01-01T00:00:00.Z",
	    "2026-01-01T00:00:00Zx",
	    "2026-01-01T00:00:00z",
	    "2026-01-01t00:00:00Z",
	    "2026-01-01T0:00:00Z",
	    "2026-01-01T00:00:00 Z",
	    "2026-01-01T00:00:00+00:00 ",
	    "",
	    "2026-01-01",
	    "1899-12-31T23:00:00Z",
	    "2026-01-01T00:00:00+0000",
	};
	static const char *const bad_zones[] = {
	    "Mars/Base",      "../etc",		 "/etc/localtime",
	    "Europe/../UTC",  "Europe//London",	 "",
	    "zone.tab",	      "Europe",		 "Europe/London/",
	    ":Europe/London", "Europe/London\n",
	};
	tc_day day = 42;
	int min = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++)
		if (tc_utc_to_local(bad_times[i], "Europe/London", &day,
				    &min) == 0)
			fail_msg("accepted time '%s'", bad_times[i]);
	for (i = 0; i < sizeof(bad_zones) / sizeof(bad_zones[0]); i++)
		if (tc_utc_to_local("2026-07-01T23:30:00Z", bad_zones[i], &day,
				    &min) == 0)
			fail_msg("accepted zone '%s'", bad_zones[i]);
	assert_int_equal(day, 42);
	assert_int_equal(min, 42);
}

/* The caller's TZ is left as it was. */
static void test_utc_to_local_keeps_tz(void **state)
{
	tc_day day;
	int min;

	(void)state;
	assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
	assert_int_equal(tc_utc_to_local("2026-07-01T23:30:00Z",
					 "Europe/London", &day, &min),
			 0);
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	assert_int_equal(unsetenv("TZ"), 0);
	assert_int_equal(tc_utc_to_local("2026-07-01T23:30:00Z",
					 "Europe/London", &day, &min),
			 0);
	assert_null(getenv("TZ"));
}

/* Local time to UTC: winter, summer, both sides of the changes (29 March
 * and 25 October 2026), the hour the clocks skip and the one they
 * repeat, and another zone. Each answer read back gives the local time
 * asked for (but the skipped hour). */
static void test_local_to_utc(void **state)
{
	static const struct {
		const char *day;
		int min;
		const char *tz, *want;
	} cases[] = {
	    {"2026-12-15", 17 * 60 + 30, "Europe/London",
	     "2026-12-15T17:30:00Z"},
	    {"2026-06-15", 9 * 60, "Europe/London", "2026-06-15T08:00:00Z"},
	    {"2026-06-15", 0, "Europe/London", "2026-06-14T23:00:00Z"},
	    {"2026-03-29", 60 + 30, "Europe/London", "2026-03-29T01:30:00Z"},
	    {"2026-03-29", 0, "Europe/London", "2026-03-29T00:00:00Z"},
	    {"2026-03-29", 3 * 60, "Europe/London", "2026-03-29T02:00:00Z"},
	    {"2026-10-25", 60 + 30, "Europe/London", "2026-10-25T00:30:00Z"},
	    {"2026-10-25", 3 * 60, "Europe/London", "2026-10-25T03:00:00Z"},
	    {"2027-01-01", 0, "Asia/Tokyo", "2026-12-31T15:00:00Z"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[21];
		tc_day d, back;
		int min;

		assert_int_equal(tc_day_parse(cases[i].day, &d), 0);
		assert_int_equal(
		    tc_local_to_utc(d, cases[i].min, cases[i].tz, out), 0);
		assert_string_equal(out, cases[i].want);
		assert_int_equal(tc_utc_to_local(out, cases[i].tz, &back, &min),
				 0);
		if (strcmp(cases[i].day, "2026-03-29") || cases[i].min != 90) {
			assert_int_equal(back, d);
			assert_int_equal(min, cases[i].min);
		}
	}
	assert_int_equal(tc_local_to_utc(0, 0, "Not/AZone", (char[21]){0}), -1);
}

/* Loads the shipped calendars and makes a folder for bad ones. */
static int setup(void **state)
{
	int rc = load_all(state);

	if (rc == 0)
		rc = make_dir(state);
	return rc;
}

static int teardown(void **state)
{
	free_all(state);
	return remove_dir(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_round_trip),
	    T(test_weekday),
	    T(test_day_words),
	    T(test_parse),
	    T(test_add_months),
	    T(test_worked_example),
	    T(test_easter_and_weekends),
	    T(test_next_working),
	    T(test_working_between),
	    T(test_beyond),
	    T(test_scotland_ni),
	    T(test_known_dates),
	    T(test_calendar_sanity),
	    T(test_against_naive),
	    T(test_good_file),
	    T(test_bad_files),
	    T(test_utc_to_local),
	    T(test_utc_to_local_year),
	    T(test_utc_to_local_bad),
	    T(test_utc_to_local_keeps_tz),
	    T(test_local_to_utc),
	};

	return cmocka_run_group_tests_name("workdays", tests, setup, teardown);
}
