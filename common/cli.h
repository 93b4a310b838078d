/*
 * cli.h: subcommands from a table, options declared once.
 *
 * Each program lists its commands as struct tc_cmd and its options as
 * struct tc_opt, so --help, error messages and the man pages read from one
 * place and cannot drift apart.
 */
#ifndef TC_CLI_H
#define TC_CLI_H

#include <stddef.h>
#include <stdio.h>

/*
 * How tc_cli_parse stores an option: through the caller's set function
 * (TC_OPT_CALL, the default), or itself, at byte offset off of the struct
 * the caller passes as arg (an option is bound to its variable where it is
 * declared): a const char * (TC_OPT_STR), an int set to 1 (TC_OPT_FLAG),
 * an int within lo..hi (TC_OPT_INT), a whole number within lo..hi into an
 * unsigned (TC_OPT_UINT) or a size_t (TC_OPT_SIZE), a tc_day from
 * "YYYY-MM-DD" (TC_OPT_DAY). A value that does not parse is a usage error:
 * "--NAME: 'VALUE' is not WHAT" (for a whole number, "a whole number from
 * LO to HI" unless the option says what).
 */
enum tc_opt_kind {
	TC_OPT_CALL = 0,
	TC_OPT_STR,
	TC_OPT_FLAG,
	TC_OPT_INT,
	TC_OPT_UINT,
	TC_OPT_SIZE,
	TC_OPT_DAY
};

struct tc_opt {
	const char *name; /* long name without "--", e.g. "content" */
	const char *arg;  /* argument placeholder ("DIR"), NULL for a flag */
	const char *help; /* one line, with the default where there is one */
	enum tc_opt_kind kind; /* how it is stored */
	size_t off;	       /* where, for all but TC_OPT_CALL */
	long long lo, hi;      /* numbers: the range accepted */
	const char *what;      /* numbers: what the value must be, when the
				  range alone does not say it */
};

/* Declarations of bound options, for a struct S of the caller's. */
#define TC_OPT_BIND_STR(name, arg, help, S, field)                             \
	{                                                                      \
		(name), (arg), (help), TC_OPT_STR, offsetof(S, field), 0, 0,   \
		    NULL                                                       \
	}
#define TC_OPT_BIND_FLAG(name, help, S, field)                                 \
	{                                                                      \
		(name), NULL, (help), TC_OPT_FLAG, offsetof(S, field), 0, 0,   \
		    NULL                                                       \
	}
#define TC_OPT_BIND_INT(name, arg, help, S, field, lo, hi, what)               \
	{                                                                      \
		(name), (arg), (help), TC_OPT_INT, offsetof(S, field), (lo),   \
		    (hi), (what)                                               \
	}
#define TC_OPT_BIND_UINT(name, arg, help, S, field, lo, hi)                    \
	{                                                                      \
		(name), (arg), (help), TC_OPT_UINT, offsetof(S, field), (lo),  \
		    (hi), NULL                                                 \
	}
#define TC_OPT_BIND_SIZE(name, arg, help, S, field, lo, hi)                    \
	{                                                                      \
		(name), (arg), (help), TC_OPT_SIZE, offsetof(S, field), (lo),  \
		    (hi), NULL                                                 \
	}
#define TC_OPT_BIND_DAY(name, help, S, field)                                  \
	{                                                                      \
		(name), "YYYY-MM-DD", (help), TC_OPT_DAY, offsetof(S, field),  \
		    0, 0, NULL                                                 \
	}

struct tc_cmd {
	const char *name;		  /* e.g. "build" */
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;		  /* one line for the command list */
	const char *usage;		  /* arguments after the name */
	const struct tc_opt *opts;	  /* options, ended by a zeroed entry */
};

struct tc_prog {
	const char *name;	   /* program name */
	const char *summary;	   /* one line: what the program is */
	const char *usage;	   /* e.g. "[OPTIONS] COMMAND [ARGS]" */
	const struct tc_opt *opts; /* global options, ended by a zeroed entry */
	const struct tc_cmd *cmds; /* commands, ended by a zeroed entry */
};

/* Prints the program's help: usage, options, commands. */
void tc_cli_help(const struct tc_prog *p, FILE *f);
/* Prints one command's help. */
void tc_cli_cmd_help(const struct tc_prog *p, const struct tc_cmd *c, FILE *f);
/* Finds a command by name, or NULL. */
const struct tc_cmd *tc_cli_find(const struct tc_prog *p, const char *name);

/*
 * Runs a program whose global options come before the command: handles
 * --help/-h and --version, finds the command in argv and calls it with the
 * command's argv. Global options (if any) are left for the command to parse:
 * argv from the command name on is passed, after any leading "--opt value"
 * pairs named in p->opts are moved behind the command name, so each command
 * sees every option. Returns an exit code. Leaves stdout open.
 */
int tc_cli_run(const struct tc_prog *p, int argc, char **argv);

/*
 * Flushes and closes f, the output named what (e.g. "standard output"),
 * checking each step. When a write to f failed, prints "prog: what: reason"
 * and returns TC_EXIT_ENV, or rc when rc already says the command failed;
 * otherwise returns rc. f is closed either way.
 */
int tc_cli_finish(FILE *f, const char *what, int rc);

/*
 * What each program's main returns: tc_cli_run, then tc_cli_finish on
 * stdout, so a failed write to standard output (a full disk, a closed pipe
 * reader) is an error and not a silent loss.
 */
int tc_cli_main(const struct tc_prog *p, int argc, char **argv);

/*
 * Parses the options of argv (argv[0] being the command) against opts plus
 * --help. Stores each bound option into arg (see enum tc_opt_kind) and
 * calls set(arg, name, value) for the others (value NULL for a flag; set
 * may be NULL when every option is bound).
 * Stops at "--" or the first non-option and stores its index in *optind_out.
 * Prints a usage error and returns 2 on an unknown option or a missing
 * argument; returns -1 when --help was given (after printing help); 0 on
 * success. Options may be written "--name value" or "--name=value".
 */
int tc_cli_parse(const struct tc_prog *p, const struct tc_cmd *c, int argc,
		 char **argv,
		 int (*set)(void *arg, const char *name, const char *value),
		 void *arg, int *optind_out);

/*
 * Parses value as a decimal whole number within [min, max] into *out.
 * Returns 0, or -1 (nothing printed) when value is empty, signed, not a
 * number, or out of range; the caller says which option was wrong.
 */
int tc_cli_count(const char *value, size_t min, size_t max, size_t *out);

#endif
