/*
 * err.c: error codes, diagnostics and messages (see err.h).
 */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "threecs";

static const char *const messages[] = {
    [TC_OK] = "no error",
    [TC_ENOMEM] = "out of memory",
    [TC_ETOOBIG] = "input is over a size limit",
    [TC_EIO] = "input/output error",
    [TC_ESYNTAX] = "syntax error",
    [TC_EINVAL] = "value not allowed",
    [TC_EUTF8] = "invalid UTF-8",
    [TC_EDEPTH] = "nested too deeply",
    [TC_EPATH] = "unsafe path",
    [TC_ENOENT] = "not found",
    [TC_EDUP] = "duplicate",
};

const char *tc_strerror(int code)
{
	if (code < 0 ||
	    (size_t)code >= sizeof(messages) / sizeof(messages[0]) ||
	    !messages[code])
		return "unknown error";
	return messages[code];
}

void tc_error_clear(struct tc_error *e)
{
	e->code = TC_OK;
	e->line = 0;
	e->col = 0;
	e->file[0] = '\0';
	e->msg[0] = '\0';
}

int tc_error_vset(struct tc_error *e, int code, const char *file, int line,
		  int col, const char *fmt, va_list ap)
{
	e->code = code;
	e->line = line;
	e->col = col;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return code;
}

int tc_error_set(struct tc_error *e, int code, const char *file, int line,
		 int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tc_error_vset(e, code, file, line, col, fmt, ap);
	va_end(ap);
	return code;
}

static void format_where(char *out, size_t n, const char *file, int line,
			 int col)
{
	if (!file || !*file)
		snprintf(out, n, "%s", "");
	else if (line > 0 && col > 0)
		snprintf(out, n, "%s:%d:%d: ", file, line, col);
	else if (line > 0)
		snprintf(out, n, "%s:%d: ", file, line);
	else
		snprintf(out, n, "%s: ", file);
}

void tc_error_format(const struct tc_error *e, char *out, size_t n)
{
	char where[600];

	format_where(where, sizeof(where), e->file, e->line, e->col);
	snprintf(out, n, "%s%s", where,
		 e->msg[0] ? e->msg : tc_strerror(e->code));
}

void tc_set_progname(const char *name)
{
	const char *slash = strrchr(name, '/');

	progname = slash ? slash + 1 : name;
}

/* Where this thread's messages go: stderr, or the capture. */
static __thread tc_msg_fn capture_fn;
static __thread void *capture_arg;

void tc_msg_capture(tc_msg_fn fn, void *arg)
{
	capture_fn = fn;
	capture_arg = arg;
}

static void emit(const char *msg)
{
	if (capture_fn)
		capture_fn(capture_arg, msg);
	else
		fprintf(stderr, "%s: %s\n", progname, msg);
}

const char *tc_progname(void)
{
	return progname;
}

void tc_report(const struct tc_error *e)
{
	char line[1800];

	tc_error_format(e, line, sizeof(line));
	emit(line);
}

static void vinput(const char *kind, const char *file, int line, int col,
		   const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void vinput(const char *kind, const char *file, int line, int col,
		   const char *fmt, va_list ap)
{
	char where[600], msg[1024], all[1800];

	format_where(where, sizeof(where), file, line, col);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(all, sizeof(all), "%s%s%s", kind, where, msg);
	emit(all);
}

void tc_input_error(const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vinput("", file, line, col, fmt, ap);
	va_end(ap);
}

void tc_input_warning(const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vinput("warning: ", file, line, col, fmt, ap);
	va_end(ap);
}

void tc_warn(const char *fmt, ...)
{
	int saved = errno;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	{
		char all[1400];

		snprintf(all, sizeof(all), "%s: %s", msg, strerror(saved));
		emit(all);
	}
	errno = saved;
}

void tc_warnx(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(msg);
}

void tc_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "%s: BUG: %s:%d: %s\n", progname, file, line, msg);
	abort();
}

void tc_die_nomem(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(TC_EXIT_ENV);
}

char *tc_xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		tc_die_nomem();
	return d;
}
