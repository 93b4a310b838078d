/*
 * date.c: calendar dates as whole days, and UTC times as local dates (see
 * date.h).
 */
#define _GNU_SOURCE /* timegm */

#include "date.h"

#include <stdio.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "fsutil.h"

/* Years tc_day_parse accepts. */
#define MIN_YEAR 1900
#define MAX_YEAR 2199
/* Where the system's tz database lives. */
#define ZONEINFO_DIR "/usr/share/zoneinfo"
/* Longest time zone name accepted ("America/Argentina/ComodRivadavia" is
 * the longest in use, 32 bytes). */
#define MAX_TZ_NAME 64
/* Longest RFC 3339 time accepted (fraction digits included). */
#define MAX_RFC3339 64

/* ---- Dates ---- */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tc_days_in_month(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Floor division for a possibly negative numerator and a positive d. */
static int64_t floor_div(int64_t n, int64_t d)
{
	return n >= 0 ? n / d : -((-n + d - 1) / d);
}

/*
 * Days from civil: shift the year to start in March, so the leap day is the
 * last day of the shifted year; then count whole 400-year eras (146097
 * days each), years in the era, and days in the shifted year (the month
 * lengths from March follow the pattern 153 days per 5 months).
 */
tc_day tc_day_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;			     /* 0 .. 399 */
	int64_t mp = m > 2 ? m - 3 : m + 9;		     /* 0 = March */
	int64_t doy = (153 * mp + 2) / 5 + (d - 1);	     /* 0 .. 365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0 .. 146096 */

	/* 719468 days from 0000-03-01 to 1970-01-01. */
	return (tc_day)(era * 146097 + doe - 719468);
}

static void utc_format(int64_t t, char out[21])
{
	tc_day day = (tc_day)floor_div(t, 86400);
	int64_t s = t - (int64_t)day * 86400;
	int y, m, d;

	char buf[64];

	tc_day_civil(day, &y, &m, &d);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:00Z", y, m, d,
		 (int)(s / 3600), (int)(s / 60 % 60));
	memcpy(out, buf, 20);
	out[20] = 0;
}

/* Local time minus UTC at the instant t (seconds), into *off. 0 or -1. */
static int utc_offset(int64_t t, const char *tz, int64_t *off)
{
	char buf[21];
	tc_day ld;
	int lm;

	utc_format(t, buf);
	if (tc_utc_to_local(buf, tz, &ld, &lm) < 0)
		return -1;
	*off = (int64_t)ld * 86400 + (int64_t)lm * 60 - t;
	return 0;
}

int tc_local_to_utc(tc_day day, int minutes, const char *tz, char out[21])
{
	int64_t want = (int64_t)day * 86400 + (int64_t)minutes * 60;
	int64_t t = want, off = 0, prev = 0, early;
	int i;

	/* Local time is UTC plus an offset that changes at most twice a
	 * year: take the offset at the guess until the guess stays put. */
	for (i = 0; i < 4; i++) {
		prev = off;
		if (utc_offset(t, tz, &off) < 0)
			return -1;
		if (i && want - off == t)
			break;
		t = want - off;
	}
	if (i == 4) {
		/* no instant has this local time (the hour the clocks skip):
		 * the offset before the change reads it as after it */
		t = want - (off < prev ? off : prev);
	} else if (utc_offset(t - 12 * 3600, tz, &early) == 0 && early != off) {
		/* a local time the clocks repeat: the first of the two */
		int64_t first = want - early, check;

		if (first < t && utc_offset(first, tz, &check) == 0 &&
		    check == early)
			t = first;
	}
	utc_format(t, out);
	return 0;
}

void tc_day_civil(tc_day day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

int tc_day_weekday(tc_day day)
{
	/* Day 0 was a Thursday (3). */
	return (int)(((int64_t)day + 3) % 7 + 7) % 7;
}

tc_day tc_day_add_months(tc_day day, int n)
{
	int y, m, d, dim;
	int64_t months;

	tc_day_civil(day, &y, &m, &d);
	months = (int64_t)y * 12 + (m - 1) + n;
	y = (int)floor_div(months, 12);
	m = (int)(months - (int64_t)y * 12) + 1;
	dim = tc_days_in_month(y, m);
	if (d > dim)
		d = dim;
	return tc_day_from_civil(y, m, d);
}

int tc_digits(const char *s, int n, int *v)
{
	int i, r = 0, rc = -1;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto out;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	rc = 0;
out:
	return rc;
}

int tc_ymd_scan(const char *s, int *y, int *m, int *d)
{
	int rc = -1;

	if (tc_digits(s, 4, y) < 0 || s[4] != '-' ||
	    tc_digits(s + 5, 2, m) < 0 || s[7] != '-' ||
	    tc_digits(s + 8, 2, d) < 0)
		goto out;
	if (*m < 1 || *m > 12 || *d < 1 || *d > tc_days_in_month(*y, *m))
		goto out;
	rc = 0;
out:
	return rc;
}

/* "YYYY-MM-DD" at s within the years tc_day_parse accepts. */
static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (tc_ymd_scan(s, y, m, d) < 0 || *y < MIN_YEAR || *y > MAX_YEAR)
		return -1;
	return 0;
}

int tc_day_parse(const char *ymd, tc_day *day)
{
	int y, m, d, rc = -1;

	/* strnlen first: parse_ymd reads 10 bytes. */
	if (!ymd || strnlen(ymd, 11) != 10)
		goto out;
	if (parse_ymd(ymd, &y, &m, &d) < 0)
		goto out;
	*day = tc_day_from_civil(y, m, d);
	rc = 0;
out:
	return rc;
}

static void put_digits(char *out, int v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void tc_day_words(tc_day day, char out[TC_DAY_WORDS])
{
	static const char *const month[] = {"January", "February", "March",
					    "April",   "May",	   "June",
					    "July",    "August",   "September",
					    "October", "November", "December"};
	int y, m, d;

	tc_day_civil(day, &y, &m, &d);
	if (y < 0 || y > 9999 || m < 1 || m > 12)
		y = 0, m = 1, d = 0;
	snprintf(out, TC_DAY_WORDS, "%d %s %d", d, month[m - 1], y);
}

void tc_day_format(tc_day day, char out[11])
{
	int y, m, d;

	tc_day_civil(day, &y, &m, &d);
	if (y < 0 || y > 9999) /* not a date anyone will ask for */
		y = m = d = 0;
	put_digits(out, y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = '\0';
}

/* ---- UTC to local time ---- */

/* Serialises TZ changes: the environment and tzset's state are global. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
/* The zone last found in the database (under tz_lock), so a run over many
 * times in one zone looks the file up once. */
static char known_zone[MAX_TZ_NAME + 1];
/*
 * The zone's offset from UTC on a UTC day, when it holds all day (under
 * tz_lock, for known_zone): the C library reads the zone file again at
 * each change of TZ, and a bundle's times fall on a few days. A day on
 * which the offset changes (the clocks go forward or back) is never kept.
 */
#define OFFSET_DAYS 64
static struct {
	long long day; /* days since 1970-01-01, UTC */
	long offset;   /* seconds east of UTC */
	int valid;
} offsets[OFFSET_DAYS];

/*
 * 1 when tz names a zone file of the system's tz database: a safe relative
 * path of letters, digits, '_', '-', '+' and '/', naming a TZif file (the
 * database also holds tables such as zone.tab, which glibc would otherwise
 * take silently as UTC).
 */
static int zone_exists(const char *tz)
{
	struct tc_buf path = TC_BUF_INIT;
	char magic[4];
	size_t i, n;
	int fd = -1, ok = 0;

	n = strnlen(tz, MAX_TZ_NAME + 1);
	if (n == 0 || n > MAX_TZ_NAME || !tc_fs_safe_relpath(tz, n))
		goto out;
	for (i = 0; i < n; i++) {
		char c = tz[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '+' || c == '/'))
			goto out;
	}
	if (tc_fs_join(&path, ZONEINFO_DIR, tz) < 0)
		goto out;
	fd = open(path.data, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (read(fd, magic, sizeof(magic)) != (ssize_t)sizeof(magic))
		goto out;
	ok = memcmp(magic, "TZif", 4) == 0;
out:
	if (fd >= 0)
		close(fd);
	tc_buf_release(&path);
	return ok;
}

/*
 * Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" or "...+00:00" into a broken-down UTC
 * time. A leap second (:60) is read as :59 so the date stays right.
 */
static int parse_rfc3339(const char *s, struct tm *tm)
{
	int y, mo, d, h, mi, sec, rc = -1;
	size_t n, i;

	n = strnlen(s, MAX_RFC3339 + 1);
	if (n < 20 || n > MAX_RFC3339)
		goto out;
	if (parse_ymd(s, &y, &mo, &d) < 0 || s[10] != 'T')
		goto out;
	if (tc_digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
	    tc_digits(s + 14, 2, &mi) < 0 || s[16] != ':' ||
	    tc_digits(s + 17, 2, &sec) < 0)
		goto out;
	if (h > 23 || mi > 59 || sec > 60)
		goto out;
	i = 19;
	if (s[i] == '.') {
		i++;
		if (s[i] < '0' || s[i] > '9')
			goto out;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (!(strcmp(s + i, "Z") == 0 || strcmp(s + i, "+00:00") == 0))
		goto out;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = sec == 60 ? 59 : sec;
	rc = 0;
out:
	return rc;
}

/* The offset of local time from UTC at t, in TZ as it is set now. */
static int offset_at(time_t t, long *offset)
{
	struct tm local;
	time_t back;

	if (!localtime_r(&t, &local))
		return -1;
	back = timegm(&local);
	if (back == (time_t)-1)
		return -1;
	*offset = (long)(back - t);
	return 0;
}

int tc_utc_to_local(const char *rfc3339, const char *tz, tc_day *day,
		    int *minutes)
{
	char *old = NULL, want[MAX_TZ_NAME + 2];
	const char *cur;
	struct tm utc, local;
	time_t t, shifted;
	long long uday;
	long off = 0, first = 0, last = 0;
	size_t n, slot;
	int rc = -1, locked = 0, had_tz = 0, converted = 0;

	if (!rfc3339 || !tz || parse_rfc3339(rfc3339, &utc) < 0)
		goto out;
	t = timegm(&utc);
	if (t == (time_t)-1)
		goto out;
	if (pthread_mutex_lock(&tz_lock) != 0)
		goto out;
	locked = 1;
	if (strcmp(tz, known_zone) != 0) {
		if (!zone_exists(tz))
			goto out;
		n = strlen(tz); /* zone_exists bounded it */
		memcpy(known_zone, tz, n + 1);
		memset(offsets, 0, sizeof(offsets));
	}
	uday = (long long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
	slot = (size_t)(((uday % OFFSET_DAYS) + OFFSET_DAYS) % OFFSET_DAYS);
	if (offsets[slot].valid && offsets[slot].day == uday) {
		off = offsets[slot].offset;
		goto have_offset;
	}
	/* A leading ':' makes the C library read the zone file, never take
	 * the name as a POSIX rule ("EST5EDT"). */
	want[0] = ':';
	memcpy(want + 1, known_zone, strlen(known_zone) + 1);
	cur = getenv("TZ");
	if (cur) {
		had_tz = 1;
		old = strdup(cur);
		if (!old)
			goto out;
	}
	if (setenv("TZ", want, 1) < 0)
		goto out;
	tzset();
	converted = offset_at(t, &off) == 0 &&
		    offset_at((time_t)(uday * 86400), &first) == 0 &&
		    offset_at((time_t)(uday * 86400 + 86399), &last) == 0;
	if (had_tz)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	if (!converted)
		goto out;
	if (first == last && off == first) {
		offsets[slot].day = uday;
		offsets[slot].offset = off;
		offsets[slot].valid = 1;
	}
have_offset:
	shifted = t + (time_t)off;
	if (!gmtime_r(&shifted, &local))
		goto out;
	*day = tc_day_from_civil(local.tm_year + 1900, local.tm_mon + 1,
				 local.tm_mday);
	*minutes = local.tm_hour * 60 + local.tm_min;
	rc = 0;
out:
	if (locked)
		pthread_mutex_unlock(&tz_lock);
	free(old);
	return rc;
}
