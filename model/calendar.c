/*
 * calendar.c: bank holiday calendars and working days (see calendar.h).
 *
 * A calendar keeps, besides its sorted holidays, a running count of working
 * days over the years it covers, so "is this a working day", "n working days
 * after" and "working days between" are an array read or a binary search
 * whatever n is: casework asks them for every one of many submissions.
 */
#include "calendar.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buffer.h"
#include "fsutil.h"
#include "limits.h"
#include "utf8.h"

/* Years calendar files may cover. */
#define MIN_YEAR 1900
#define MAX_YEAR 2199
/* Longest holiday name and division name in a calendar file. */
#define MAX_NAME 200

struct holiday {
	tc_day day; /* the date */
	char *name; /* its name, owned */
};

struct tc_calendar {
	char *division;		  /* "england-and-wales", owned */
	tc_day first;		  /* 1 January of first_year */
	tc_day end;		  /* 1 January after last_year (exclusive) */
	struct holiday *holidays; /* sorted by day, no repeats, owned */
	size_t nholidays;	  /* entries in holidays */
	/* worked[i]: working days in first .. first + i - 1, so day d is a
	 * working day when worked[d - first + 1] > worked[d - first]. Holds
	 * end - first + 1 counts, owned. */
	int32_t *worked;
};

/* ---- Calendars ---- */

/*
 * A walk over the text of a document cJSON has already accepted, to find
 * where a value starts: cJSON keeps no positions. Only valid JSON reaches
 * here, so the walk need not check anything, only stay inside len.
 */
static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && is_ws(s[i]))
		i++;
	return i;
}

/* i at an opening quote; returns the offset after the closing one. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

/* i at the start of a value; returns the offset just after it. */
static size_t skip_value(const char *s, size_t len, size_t i)
{
	size_t depth = 0;

	if (i >= len)
		goto out;
	if (s[i] == '"') {
		i = skip_string(s, len, i);
		goto out;
	}
	if (s[i] != '{' && s[i] != '[') {
		/* A number, true, false or null. */
		while (i < len && !is_ws(s[i]) && s[i] != ',' && s[i] != '}' &&
		       s[i] != ']')
			i++;
		goto out;
	}
	do {
		if (s[i] == '"') {
			i = skip_string(s, len, i);
			continue;
		}
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if (s[i] == '}' || s[i] == ']')
			depth--;
		i++;
	} while (i < len && depth > 0);
out:
	return i;
}

/*
 * i at '{': the offset of the value of member key (the first one, as cJSON
 * picks), or len when there is none. Keys are compared byte for byte, which
 * is enough for the plain ASCII keys of a calendar file.
 */
static size_t member_at(const char *s, size_t len, size_t i, const char *key)
{
	size_t klen = strlen(key), k, start, found = len;

	i = skip_ws(s, len, i + 1);
	while (i < len && s[i] == '"') {
		start = i + 1;
		k = skip_string(s, len, i);
		i = skip_ws(s, len, k);
		if (i < len && s[i] == ':')
			i = skip_ws(s, len, i + 1);
		if (k - 1 - start == klen &&
		    memcmp(s + start, key, klen) == 0) {
			found = i;
			break;
		}
		i = skip_ws(s, len, skip_value(s, len, i));
		if (i < len && s[i] == ',')
			i = skip_ws(s, len, i + 1);
	}
	return found;
}

/* i at '[': the offset of element n, or len when there is none. */
static size_t element_at(const char *s, size_t len, size_t i, int n)
{
	int k;

	i = skip_ws(s, len, i + 1);
	for (k = 0; k < n && i < len && s[i] != ']'; k++) {
		i = skip_ws(s, len, skip_value(s, len, i));
		if (i < len && s[i] == ',')
			i = skip_ws(s, len, i + 1);
	}
	if (i >= len || s[i] == ']')
		i = len;
	return i;
}

/* A calendar file's text, to find where a problem is. */
struct spot {
	const char *text; /* the file's text */
	size_t len;	  /* its length */
};

/*
 * The line and column of the value of top-level member key (NULL for the
 * whole document), then of its element n (n < 0 for none), then of that
 * element's member field (NULL for the element itself). What cannot be found
 * leaves the position at the nearest enclosing value.
 */
static void locate(const struct spot *sp, const char *key, int n,
		   const char *field, int *line, int *col)
{
	size_t at = skip_ws(sp->text, sp->len, 0), v;

	if (key && at < sp->len && sp->text[at] == '{') {
		v = member_at(sp->text, sp->len, at, key);
		if (v < sp->len)
			at = v;
	}
	if (n >= 0 && at < sp->len && sp->text[at] == '[') {
		v = element_at(sp->text, sp->len, at, n);
		if (v < sp->len)
			at = v;
	}
	if (field && at < sp->len && sp->text[at] == '{') {
		v = member_at(sp->text, sp->len, at, field);
		if (v < sp->len)
			at = v;
	}
	tc_utf8_line_col(sp->text, sp->len, at, line, col);
}

/* Sets err to the problem fmt says, at the value locate finds. */
static void fail_at(const struct spot *sp, const char *key, int n,
		    const char *field, const char *path, struct tc_error *err,
		    int code, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static void fail_at(const struct spot *sp, const char *key, int n,
		    const char *field, const char *path, struct tc_error *err,
		    int code, const char *fmt, ...)
{
	va_list ap;
	int line, col;

	locate(sp, key, n, field, &line, &col);
	va_start(ap, fmt);
	tc_error_vset(err, code, path, line, col, fmt, ap);
	va_end(ap);
}

static int holiday_cmp(const void *a, const void *b)
{
	const struct holiday *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

void tc_calendar_free(struct tc_calendar *cal)
{
	size_t i;

	if (cal) {
		for (i = 0; i < cal->nholidays; i++)
			free(cal->holidays[i].name);
		free(cal->holidays);
		free(cal->worked);
		free(cal->division);
		free(cal);
	}
}

/* A non-empty string of at most MAX_NAME bytes of valid UTF-8 text. */
static int good_name(const cJSON *v)
{
	size_t n = 0;

	if (cJSON_IsString(v) && v->valuestring)
		n = strnlen(v->valuestring, MAX_NAME + 1);
	return n > 0 && n <= MAX_NAME;
}

/* A whole number in MIN_YEAR..MAX_YEAR. */
static int get_year(const cJSON *v, int *y)
{
	int rc = -1;
	double d;

	if (!cJSON_IsNumber(v))
		goto out;
	d = v->valuedouble;
	if (d < MIN_YEAR || d > MAX_YEAR || d != (double)(int)d)
		goto out;
	*y = (int)d;
	rc = 0;
out:
	return rc;
}

static int known_key(const char *k, const char *const *keys)
{
	while (*keys && strcmp(k, *keys) != 0)
		keys++;
	return *keys != NULL;
}

/* Fills cal's holidays and worked counts from the "holidays" array. */
static int load_holidays(struct tc_calendar *cal, const cJSON *arr,
			 const struct spot *sp, const char *path,
			 struct tc_error *err)
{
	static const char *const entry_keys[] = {"date", "name", "notes", NULL};
	size_t ndays = (size_t)(cal->end - cal->first), i;
	unsigned char *is_holiday = NULL;
	const cJSON *e, *v, *f;
	int n = 0, rc = -1, wd;
	tc_day day;

	cal->holidays =
	    calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*cal->holidays));
	cal->worked = calloc(ndays + 1, sizeof(*cal->worked));
	is_holiday = calloc(ndays, 1);
	if (!cal->holidays || !cal->worked || !is_holiday) {
		tc_error_set(err, TC_ENOMEM, path, 0, 0, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(e, arr)
	{
		if (!cJSON_IsObject(e)) {
			fail_at(sp, "holidays", n, NULL, path, err, TC_EINVAL,
				"holiday %d is not an object: write "
				"{\"date\": \"YYYY-MM-DD\", \"name\": "
				"\"...\"}",
				n + 1);
			goto out;
		}
		cJSON_ArrayForEach(f, e)
		{
			if (!known_key(f->string, entry_keys)) {
				fail_at(sp, "holidays", n, f->string, path, err,
					TC_EINVAL,
					"unknown key '%.100s' in holiday "
					"%d (expected date, name, notes)",
					f->string, n + 1);
				goto out;
			}
		}
		v = cJSON_GetObjectItemCaseSensitive(e, "date");
		if (!cJSON_IsString(v) || !v->valuestring) {
			fail_at(sp, "holidays", n, v ? "date" : NULL, path, err,
				TC_EINVAL,
				"holiday %d has no \"date\" string "
				"(YYYY-MM-DD)",
				n + 1);
			goto out;
		}
		if (tc_day_parse(v->valuestring, &day) < 0) {
			fail_at(sp, "holidays", n, "date", path, err, TC_EINVAL,
				"not a date '%.20s' (YYYY-MM-DD, a real "
				"day)",
				v->valuestring);
			goto out;
		}
		if (day < cal->first || day >= cal->end) {
			fail_at(sp, "holidays", n, "date", path, err, TC_EINVAL,
				"date outside first_year..last_year "
				"'%s' (extend the years or remove it)",
				v->valuestring);
			goto out;
		}
		if (is_holiday[day - cal->first]) {
			fail_at(sp, "holidays", n, "date", path, err, TC_EDUP,
				"date listed twice '%s'", v->valuestring);
			goto out;
		}
		f = cJSON_GetObjectItemCaseSensitive(e, "name");
		if (!good_name(f)) {
			fail_at(sp, "holidays", n, f ? "name" : NULL, path, err,
				TC_EINVAL,
				"holiday '%s' has no name (a \"name\" "
				"string of 1 to %d bytes)",
				v->valuestring, MAX_NAME);
			goto out;
		}
		f = cJSON_GetObjectItemCaseSensitive(e, "notes");
		if (f && !cJSON_IsString(f)) {
			fail_at(sp, "holidays", n, "notes", path, err,
				TC_EINVAL,
				"\"notes\" of holiday '%s' is not a "
				"string",
				v->valuestring);
			goto out;
		}
		cal->holidays[cal->nholidays].day = day;
		cal->holidays[cal->nholidays].name = strdup(
		    cJSON_GetObjectItemCaseSensitive(e, "name")->valuestring);
		if (!cal->holidays[cal->nholidays].name) {
			tc_error_set(err, TC_ENOMEM, path, 0, 0,
				     "out of memory");
			goto out;
		}
		cal->nholidays++;
		is_holiday[day - cal->first] = 1;
		n++;
	}
	qsort(cal->holidays, cal->nholidays, sizeof(*cal->holidays),
	      holiday_cmp);
	cal->worked[0] = 0;
	for (i = 0; i < ndays; i++) {
		wd = tc_day_weekday(cal->first + (tc_day)i);
		cal->worked[i + 1] =
		    cal->worked[i] + (wd < 5 && !is_holiday[i] ? 1 : 0);
	}
	rc = 0;
out:
	free(is_holiday);
	return rc;
}

struct tc_calendar *tc_calendar_load(const char *path, struct tc_error *err)
{
	static const char *const top_keys[] = {
	    "division", "first_year", "last_year", "holidays", "source", NULL};
	struct tc_buf text = TC_BUF_INIT;
	struct tc_calendar *cal = NULL, *ret = NULL;
	cJSON *root = NULL;
	const cJSON *v, *f;
	const char *end = NULL;
	struct spot sp;
	int line, col, y0, y1;
	size_t bad;

	tc_error_clear(err);
	if (tc_fs_read(path, TC_MAX_SOURCE_FILE, &text) < 0) {
		tc_error_set(err, errno == EFBIG ? TC_ETOOBIG : TC_EIO, path, 0,
			     0, "cannot read calendar: %s",
			     errno == EFBIG ? "file too large"
					    : strerror(errno));
		goto out;
	}
	sp.text = text.data;
	sp.len = text.len;
	if (!tc_utf8_is_text(text.data, text.len, &bad)) {
		tc_utf8_line_col(text.data, text.len, bad, &line, &col);
		tc_error_set(err, TC_EUTF8, path, line, col,
			     "not UTF-8 text (a NUL or a bad byte)");
		goto out;
	}
	/* len + 1 takes in the buffer's NUL, so trailing text is an error. */
	root = cJSON_ParseWithLengthOpts(text.data, text.len + 1, &end, 1);
	if (!root) {
		tc_utf8_line_col(text.data, text.len,
				 end ? (size_t)(end - text.data) : text.len,
				 &line, &col);
		tc_error_set(err, TC_ESYNTAX, path, line, col,
			     "JSON syntax error");
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		tc_utf8_line_col(text.data, text.len,
				 skip_ws(text.data, text.len, 0), &line, &col);
		tc_error_set(err, TC_EINVAL, path, line, col,
			     "a calendar is a JSON object with division, "
			     "first_year, last_year and holidays");
		goto out;
	}
	cJSON_ArrayForEach(f, root)
	{
		if (!known_key(f->string, top_keys)) {
			fail_at(&sp, f->string, -1, NULL, path, err, TC_EINVAL,
				"unknown key '%.100s' (expected "
				"division, first_year, last_year, "
				"holidays, source)",
				f->string);
			goto out;
		}
	}
	cal = calloc(1, sizeof(*cal));
	if (!cal) {
		tc_error_set(err, TC_ENOMEM, path, 0, 0, "out of memory");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "division");
	if (!good_name(v)) {
		fail_at(&sp, v ? "division" : NULL, -1, NULL, path, err,
			TC_EINVAL,
			"missing \"division\" (a name such as "
			"\"england-and-wales\")");
		goto out;
	}
	cal->division = strdup(v->valuestring);
	if (!cal->division) {
		tc_error_set(err, TC_ENOMEM, path, 0, 0, "out of memory");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "first_year");
	f = cJSON_GetObjectItemCaseSensitive(root, "last_year");
	if (get_year(v, &y0) < 0 || get_year(f, &y1) < 0 || y1 < y0) {
		fail_at(&sp,
			get_year(v, &y0) < 0 ? (v ? "first_year" : NULL)
					     : (f ? "last_year" : NULL),
			-1, NULL, path, err, TC_EINVAL,
			"\"first_year\" and \"last_year\" must be years "
			"%d..%d, first_year <= last_year",
			MIN_YEAR, MAX_YEAR);
		goto out;
	}
	cal->first = tc_day_from_civil(y0, 1, 1);
	cal->end = tc_day_from_civil(y1 + 1, 1, 1);
	v = cJSON_GetObjectItemCaseSensitive(root, "source");
	if (v && !cJSON_IsString(v)) {
		fail_at(&sp, "source", -1, NULL, path, err, TC_EINVAL,
			"\"source\" is not a string");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "holidays");
	if (!cJSON_IsArray(v)) {
		fail_at(&sp, v ? "holidays" : NULL, -1, NULL, path, err,
			TC_EINVAL,
			"missing \"holidays\" (an array of "
			"{\"date\", \"name\"})");
		goto out;
	}
	if (load_holidays(cal, v, &sp, path, err) < 0)
		goto out;
	ret = cal;
	cal = NULL;
out:
	tc_calendar_free(cal);
	cJSON_Delete(root);
	tc_buf_release(&text);
	return ret;
}

const char *tc_calendar_division(const struct tc_calendar *cal)
{
	return cal->division;
}

int tc_calendar_covers(const struct tc_calendar *cal, tc_day day)
{
	return day >= cal->first && day < cal->end;
}

const char *tc_calendar_holiday(const struct tc_calendar *cal, tc_day day)
{
	struct holiday key = {day, NULL};
	const struct holiday *h = NULL;

	if (cal->nholidays > 0)
		h = bsearch(&key, cal->holidays, cal->nholidays,
			    sizeof(*cal->holidays), holiday_cmp);
	return h ? h->name : NULL;
}

int tc_calendar_is_working(const struct tc_calendar *cal, tc_day day)
{
	size_t i;

	/* Outside the calendar only the weekday is known. */
	if (!tc_calendar_covers(cal, day))
		return tc_day_weekday(day) < 5;
	i = (size_t)(day - cal->first);
	return cal->worked[i + 1] > cal->worked[i];
}

/* Mondays to Fridays in a .. b - 1 (0 when b <= a), with no holidays. */
static int64_t weekdays_in(tc_day a, tc_day b)
{
	int64_t n, weeks, rest, k, r = 0;
	int wd;

	if (b <= a)
		return 0;
	n = (int64_t)b - a;
	weeks = n / 7;
	rest = n % 7;
	wd = tc_day_weekday(a + (tc_day)(weeks * 7));
	for (k = 0; k < rest; k++)
		if ((wd + k) % 7 < 5)
			r++;
	return weeks * 5 + r;
}

/*
 * The smallest day d in the calendar with worked[d - first + 1] >= target,
 * i.e. the day the target-th working day of the calendar falls on; -1 when
 * the calendar ends first.
 */
static int nth_working(const struct tc_calendar *cal, int64_t target,
		       tc_day *out)
{
	size_t lo = 1, hi = (size_t)(cal->end - cal->first) + 1, mid;
	int rc = -1;

	if (target > cal->worked[hi - 1])
		goto out;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cal->worked[mid] >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	*out = cal->first + (tc_day)(lo - 1);
	rc = 0;
out:
	return rc;
}

int tc_calendar_next_working(const struct tc_calendar *cal, tc_day day,
			     tc_day *out)
{
	int rc = -1;

	if (!tc_calendar_covers(cal, day))
		goto out;
	rc = nth_working(cal, (int64_t)cal->worked[day - cal->first] + 1, out);
out:
	return rc;
}

int tc_calendar_add_working(const struct tc_calendar *cal, tc_day from, int n,
			    tc_day *out)
{
	int rc = -1;

	if (n < 0)
		goto out;
	if (n == 0) {
		*out = from;
		rc = 0;
		goto out;
	}
	/* Counting starts the day after from, which must be known. */
	if (from < cal->first - 1 || from >= cal->end - 1)
		goto out;
	rc = nth_working(cal, (int64_t)cal->worked[from + 1 - cal->first] + n,
			 out);
out:
	return rc;
}

int tc_calendar_working_between(const struct tc_calendar *cal, tc_day a,
				tc_day b)
{
	int64_t n = 0;
	tc_day lo, hi;

	if (b <= a)
		goto out;
	/* Days a + 1 .. b, i.e. the half-open range [a + 1, b + 1); the parts
	 * outside the calendar count weekdays only. */
	lo = a + 1 > cal->first ? a + 1 : cal->first;
	hi = b + 1 < cal->end ? b + 1 : cal->end;
	if (lo < hi)
		n +=
		    cal->worked[hi - cal->first] - cal->worked[lo - cal->first];
	n += weekdays_in(a + 1, b + 1 < cal->first ? b + 1 : cal->first);
	n += weekdays_in(a + 1 > cal->end ? a + 1 : cal->end, b + 1);
	if (n > INT32_MAX)
		n = INT32_MAX;
out:
	return (int)n;
}
