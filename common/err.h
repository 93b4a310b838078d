/*
 * err.h: error codes, input diagnostics and the programs' messages.
 *
 * Input errors read "prog: file:line:col: problem 'subject'" (lowercase, no
 * full stop, the fix where one is known); system errors read
 * "prog: message: strerror". Exit codes are the same in every program.
 */
#ifndef TC_ERR_H
#define TC_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Exit codes shared by sitegen, intake and casework. */
enum tc_exit {
	TC_EXIT_OK = 0,	     /* everything done */
	TC_EXIT_INPUT = 1,   /* the input had errors; they were reported */
	TC_EXIT_USAGE = 2,   /* bad command line */
	TC_EXIT_ENV = 3,     /* I/O error, missing file or dependency */
	TC_EXIT_REFUSED = 4, /* casework: the acting officer's role does not
				allow it; the refusal was reported and
				logged */
};

/* Error codes. Never renumber: they appear in logs and documentation. */
enum tc_code {
	TC_OK = 0,	/* no error */
	TC_ENOMEM = 1,	/* out of memory */
	TC_ETOOBIG = 2, /* input over a size limit */
	TC_EIO = 3,	/* reading or writing a file failed (see errno) */
	TC_ESYNTAX = 4, /* input does not parse */
	TC_EINVAL = 5,	/* input parses but a value is not allowed */
	TC_EUTF8 = 6,	/* input is not valid UTF-8 */
	TC_EDEPTH = 7,	/* nesting deeper than TC_MAX_DEPTH */
	TC_EPATH = 8,	/* a path is unsafe (absolute, .., NUL, backslash) */
	TC_ENOENT = 9,	/* a named thing does not exist */
	TC_EDUP = 10,	/* a name that must be unique is repeated */
};

/* Returns a static description of a tc_code. */
const char *tc_strerror(int code);

/*
 * A diagnostic about input: where it is and what is wrong. line and col count
 * from 1; 0 means unknown (and is then left out of the message).
 */
struct tc_error {
	int code;	/* enum tc_code */
	int line;	/* 1-based line, 0 if unknown */
	int col;	/* 1-based column, 0 if unknown */
	char file[512]; /* the file, as the user named it; may be empty */
	char msg[1024]; /* the problem and, where known, the fix */
};

/* Clears e to TC_OK with no location or message. */
void tc_error_clear(struct tc_error *e);
/* Fills e; the message is formatted like printf. Returns code for chaining. */
int tc_error_set(struct tc_error *e, int code, const char *file, int line,
		 int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* tc_error_set with the message's arguments as a va_list. */
int tc_error_vset(struct tc_error *e, int code, const char *file, int line,
		  int col, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));
/* Writes "file:line:col: msg" (missing parts left out) into out (size n). */
void tc_error_format(const struct tc_error *e, char *out, size_t n);

/* The program's name for messages; set once in main. */
void tc_set_progname(const char *name);
const char *tc_progname(void);

/* "prog: file:line:col: msg" on stderr. */
void tc_report(const struct tc_error *e);
/* "prog: file:line:col: msg" on stderr from parts. */
void tc_input_error(const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "prog: warning: file:line:col: msg" on stderr. */
void tc_input_warning(const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "prog: msg: strerror(errno)" on stderr. */
void tc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: msg" on stderr. */
void tc_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Sends the calling thread's messages (every one of the functions above;
 * not tc_bug's or tc_die_nomem's) to fn instead of stderr, without the
 * program's name: a server shows a case operation's refusal to the
 * officer who asked. NULL sends them to stderr again.
 */
typedef void (*tc_msg_fn)(void *arg, const char *msg);
void tc_msg_capture(tc_msg_fn fn, void *arg);

/* Programmer errors: the impossible happened. Prints file:line and aborts. */
#define TC_BUG(msg) tc_bug(__FILE__, __LINE__, (msg))
void tc_bug(const char *file, int line, const char *msg)
    __attribute__((noreturn));

/* Out of memory in a command-line tool: print and exit TC_EXIT_ENV. */
void tc_die_nomem(void) __attribute__((noreturn));

/*
 * A copy of s the caller frees, or NULL when s is NULL; out of memory exits
 * through tc_die_nomem, so only for the command-line tools (intake serve's
 * per-request code returns an error instead).
 */
char *tc_xstrdup(const char *s);

#endif
