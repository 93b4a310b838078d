/*
 * test_err.c: unit tests for common/err.c (codes, diagnostics, messages) and
 * common/cli.c (option parsing, command dispatch and the checked close of
 * standard output).
 *
 * Messages go to stdout and stderr, so the tests capture those into a
 * temporary file and check what a user would read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

/* ---- capturing stdout or stderr ---------------------------------------- */

static char captured[8192];
static FILE *cap_file;
static int cap_fd = -1, cap_saved = -1;

static void capture_begin(int fd)
{
	fflush(stdout);
	fflush(stderr);
	cap_file = tmpfile();
	assert_non_null(cap_file);
	cap_fd = fd;
	cap_saved = dup(fd);
	assert_true(cap_saved >= 0);
	assert_true(dup2(fileno(cap_file), fd) >= 0);
}

static const char *capture_end(void)
{
	size_t n;

	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(cap_saved, cap_fd) >= 0);
	close(cap_saved);
	rewind(cap_file);
	n = fread(captured, 1, sizeof(captured) - 1, cap_file);
	captured[n] = '\0';
	fclose(cap_file);
	cap_file = NULL;
	return captured;
}

/* After a failed assertion inside a capture: put the stream back and show
 * what was caught, so the failure is not hidden. */
static int capture_reset(void **state)
{
	(void)state;
	if (cap_file)
		fputs(capture_end(), stderr);
	return 0;
}

/* ---- err ----------------------------------------------------------------- */

static void test_strerror(void **state)
{
	static const int codes[] = {
	    TC_OK,    TC_ENOMEM, TC_ETOOBIG, TC_EIO,	TC_ESYNTAX, TC_EINVAL,
	    TC_EUTF8, TC_EDEPTH, TC_EPATH,   TC_ENOENT, TC_EDUP,
	};
	size_t i, j;

	(void)state;
	/* The numbers are part of the interface. */
	assert_int_equal(TC_OK, 0);
	assert_int_equal(TC_ETOOBIG, 2);
	assert_int_equal(TC_EUTF8, 6);
	assert_int_equal(TC_EDUP, 10);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *m = tc_strerror(codes[i]);

		assert_non_null(m);
		assert_true(m[0] != '\0');
		assert_string_not_equal(m, "unknown error");
		for (j = 0; j < i; j++)
			assert_string_not_equal(m, tc_strerror(codes[j]));
	}
	assert_string_equal(tc_strerror(TC_OK), "no error");
	assert_string_equal(tc_strerror(TC_EUTF8), "invalid UTF-8");
	assert_string_equal(tc_strerror(11), "unknown error");
	assert_string_equal(tc_strerror(-1), "unknown error");
	assert_string_equal(tc_strerror(1000000), "unknown error");
}

static void test_error_format(void **state)
{
	struct tc_error e;
	char out[256];

	(void)state;
	assert_int_equal(tc_error_set(&e, TC_ESYNTAX, "content/a.md", 3, 7,
				      "unclosed section '%s'", "items"),
			 TC_ESYNTAX);
	tc_error_format(&e, out, sizeof(out));
	assert_string_equal(out, "content/a.md:3:7: unclosed section 'items'");
	/* Line without a column. */
	tc_error_set(&e, TC_EINVAL, "site.yml", 12, 0, "bad value");
	tc_error_format(&e, out, sizeof(out));
	assert_string_equal(out, "site.yml:12: bad value");
	/* No line, no column. */
	tc_error_set(&e, TC_EUTF8, "f.json", 0, 0, "not text");
	tc_error_format(&e, out, sizeof(out));
	assert_string_equal(out, "f.json: not text");
	/* No file: the message alone. */
	tc_error_set(&e, TC_EIO, NULL, 4, 2, "disk full");
	tc_error_format(&e, out, sizeof(out));
	assert_string_equal(out, "disk full");
	tc_error_set(&e, TC_EIO, "", 0, 0, "disk full");
	tc_error_format(&e, out, sizeof(out));
	assert_string_equal(out, "disk full");
	/* No message: the code's description. */
	tc_error_set(&e, TC_EDEPTH, "deep.yml", 1, 1, "%s", "");
	tc_error_format(&e, out, sizeof(out));
	assert_string_equal(out, "deep.yml:1:1: nested too deeply");
	/* A small output is cut, still terminated. */
	tc_error_set(&e, TC_EINVAL, "abc", 1, 2, "xyz");
	tc_error_format(&e, out, 6);
	assert_string_equal(out, "abc:1");
	/* Clear. */
	tc_error_clear(&e);
	assert_int_equal(e.code, TC_OK);
	assert_int_equal(e.line, 0);
	assert_string_equal(e.file, "");
	assert_string_equal(e.msg, "");
	tc_error_format(&e, out, sizeof(out));
	assert_string_equal(out, "no error");
}

static void test_error_long(void **state)
{
	struct tc_error e;
	char file[2000], msg[3000], out[4000];

	(void)state;
	memset(file, 'f', sizeof(file) - 1);
	file[sizeof(file) - 1] = '\0';
	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	tc_error_set(&e, TC_EINVAL, file, 2147483647, 2147483647, "%s", msg);
	assert_int_equal(strlen(e.file), sizeof(e.file) - 1);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	tc_error_format(&e, out, sizeof(out));
	assert_non_null(strstr(out, ":2147483647:2147483647: mmm"));
}

static void test_messages(void **state)
{
	struct tc_error e;
	const char *got;

	(void)state;
	tc_set_progname("/usr/local/bin/sitegen");
	assert_string_equal(tc_progname(), "sitegen");

	capture_begin(STDERR_FILENO);
	tc_error_set(&e, TC_ESYNTAX, "a.md", 1, 2, "bad '%s'", "x");
	tc_report(&e);
	tc_input_error("b.yml", 3, 0, "missing key '%s'", "title");
	tc_input_warning("c.md", 0, 0, "empty page");
	errno = ENOENT;
	tc_warn("cannot open '%s'", "d");
	tc_warnx("plain %d", 5);
	got = capture_end();
	assert_string_equal(got, "sitegen: a.md:1:2: bad 'x'\n"
				 "sitegen: b.yml:3: missing key 'title'\n"
				 "sitegen: warning: c.md: empty page\n"
				 "sitegen: cannot open 'd': No such file or "
				 "directory\n"
				 "sitegen: plain 5\n");
	tc_set_progname("casework");
	assert_string_equal(tc_progname(), "casework");
}

/* tc_warn keeps errno for the caller. */
static void test_warn_keeps_errno(void **state)
{
	(void)state;
	capture_begin(STDERR_FILENO);
	errno = EACCES;
	tc_warn("x");
	assert_int_equal(errno, EACCES);
	capture_end();
}

/* ---- cli ----------------------------------------------------------------- */

static const struct tc_opt build_opts[] = {
    {"content", "DIR", "read pages from DIR"},
    {"out", "DIR", "write the site to DIR"},
    {"verbose", NULL, "say more"},
    {NULL, NULL, NULL},
};

static const struct tc_opt global_opts[] = {
    {"root", "DIR", "work in DIR"},
    {"quiet", NULL, "say less"},
    {NULL, NULL, NULL},
};

/* What the set callback and the commands saw. */
struct seen {
	const char *content, *out, *root;
	int verbose, quiet, calls, fail_on;
};

static int record(void *arg, const char *name, const char *value)
{
	struct seen *s = arg;

	s->calls++;
	if (s->fail_on && s->calls == s->fail_on)
		return 7;
	if (!strcmp(name, "content"))
		s->content = value;
	else if (!strcmp(name, "out"))
		s->out = value;
	else if (!strcmp(name, "root"))
		s->root = value;
	else if (!strcmp(name, "verbose"))
		s->verbose++;
	else if (!strcmp(name, "quiet"))
		s->quiet++;
	return 0;
}

static struct seen cmd_seen;
static int cmd_argc, cmd_optind, cmd_parse_rc;
static char cmd_args[16][64];
static const char *cmd_name;

static int cmd_build(int argc, char **argv);
static int cmd_serve(int argc, char **argv);

static const struct tc_cmd cmds[] = {
    {"build", cmd_build, "build the site", "[OPTIONS] [PAGE...]", build_opts},
    {"serve", cmd_serve, "serve the site", "[OPTIONS]", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static const struct tc_prog prog = {
    "sitegen", "publishes the site", "[OPTIONS] COMMAND [ARGS]", global_opts,
    cmds,
};

static int run_cmd(const struct tc_cmd *c, int argc, char **argv)
{
	int i;

	memset(&cmd_seen, 0, sizeof(cmd_seen));
	cmd_name = argv[0];
	cmd_argc = argc;
	for (i = 0; i < argc && i < 16; i++)
		snprintf(cmd_args[i], sizeof(cmd_args[i]), "%s", argv[i]);
	cmd_optind = -1;
	cmd_parse_rc =
	    tc_cli_parse(&prog, c, argc, argv, record, &cmd_seen, &cmd_optind);
	return cmd_parse_rc ? cmd_parse_rc : 0;
}

static int cmd_build(int argc, char **argv)
{
	return run_cmd(&cmds[0], argc, argv);
}

static int cmd_serve(int argc, char **argv)
{
	int rc = run_cmd(&cmds[1], argc, argv);

	return rc ? rc : 1; /* a distinct result, to see it passed back */
}

static void test_parse_forms(void **state)
{
	char *argv[] = {"build",     "--content", "c",	   "--out=o",
			"--verbose", "page1",	  "page2", NULL};
	struct seen s = {0};
	int oi = -1;

	(void)state;
	assert_int_equal(
	    tc_cli_parse(&prog, &cmds[0], ARGC(argv), argv, record, &s, &oi),
	    0);
	assert_string_equal(s.content, "c");
	assert_string_equal(s.out, "o");
	assert_int_equal(s.verbose, 1);
	assert_int_equal(oi, 5);
	assert_string_equal(argv[oi], "page1");
}

static void test_parse_edges(void **state)
{
	char *empty[] = {"build", "--out=", "--root", "r", NULL};
	char *dashes[] = {"build", "--verbose", "--", "--content", "x", NULL};
	char *positional[] = {"build", "page", "--verbose", NULL};
	char *dash[] = {"build", "-", NULL};
	char *only[] = {"build", NULL};
	char *value_is_opt[] = {"build", "--content", "--verbose", NULL};
	struct seen s = {0};
	int oi = -1;

	(void)state;
	/* Empty value, and a global option in a command's list. */
	assert_int_equal(
	    tc_cli_parse(&prog, &cmds[0], ARGC(empty), empty, record, &s, &oi),
	    0);
	assert_string_equal(s.out, "");
	assert_string_equal(s.root, "r");
	assert_int_equal(oi, 4);
	/* "--" ends the options. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tc_cli_parse(&prog, &cmds[0], ARGC(dashes), dashes,
				      record, &s, &oi),
			 0);
	assert_int_equal(s.verbose, 1);
	assert_null(s.content);
	assert_int_equal(oi, 3);
	/* The first non-option ends them too. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tc_cli_parse(&prog, &cmds[0], ARGC(positional),
				      positional, record, &s, &oi),
			 0);
	assert_int_equal(s.verbose, 0);
	assert_int_equal(oi, 1);
	/* "-" is an argument (standard input), not an option. */
	assert_int_equal(
	    tc_cli_parse(&prog, &cmds[0], ARGC(dash), dash, record, &s, &oi),
	    0);
	assert_int_equal(oi, 1);
	/* Nothing at all. */
	assert_int_equal(
	    tc_cli_parse(&prog, &cmds[0], ARGC(only), only, record, &s, &oi),
	    0);
	assert_int_equal(oi, 1);
	/* An option's value is taken as it is, even if it looks like one. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tc_cli_parse(&prog, &cmds[0], ARGC(value_is_opt),
				      value_is_opt, record, &s, &oi),
			 0);
	assert_string_equal(s.content, "--verbose");
	assert_int_equal(s.verbose, 0);
}

static void test_parse_errors(void **state)
{
	char *unknown[] = {"build", "--nope=3", NULL};
	char *missing[] = {"build", "--content", NULL};
	char *flag_value[] = {"build", "--verbose=yes", NULL};
	char *help[] = {"build", "--help", NULL};
	char *failing[] = {"build", "--verbose", "--verbose", NULL};
	struct seen s = {0};
	const char *got;
	int oi = -1;

	(void)state;
	tc_set_progname("sitegen");
	capture_begin(STDERR_FILENO);
	assert_int_equal(tc_cli_parse(&prog, &cmds[0], ARGC(unknown), unknown,
				      record, &s, &oi),
			 TC_EXIT_USAGE);
	got = capture_end();
	assert_string_equal(got, "sitegen: build: unknown option '--nope' "
				 "(try 'sitegen build --help')\n");

	capture_begin(STDERR_FILENO);
	assert_int_equal(tc_cli_parse(&prog, &cmds[0], ARGC(missing), missing,
				      record, &s, &oi),
			 TC_EXIT_USAGE);
	got = capture_end();
	assert_string_equal(got,
			    "sitegen: build: option '--content' needs DIR\n");

	capture_begin(STDERR_FILENO);
	assert_int_equal(tc_cli_parse(&prog, &cmds[0], ARGC(flag_value),
				      flag_value, record, &s, &oi),
			 TC_EXIT_USAGE);
	capture_end();
	assert_int_equal(s.calls, 0);

	capture_begin(STDOUT_FILENO);
	assert_int_equal(
	    tc_cli_parse(&prog, &cmds[0], ARGC(help), help, record, &s, &oi),
	    -1);
	got = capture_end();
	assert_non_null(
	    strstr(got, "usage: sitegen build [OPTIONS] [PAGE...]"));
	assert_non_null(strstr(got, "--content DIR"));
	assert_non_null(strstr(got, "--root DIR"));

	/* The callback's own failure is passed back. */
	s.fail_on = 2;
	assert_int_equal(tc_cli_parse(&prog, &cmds[0], ARGC(failing), failing,
				      record, &s, &oi),
			 7);
}

static int main_rc(int argc, char **argv)
{
	cmd_name = NULL;
	cmd_argc = -1;
	return tc_cli_run(&prog, argc, argv);
}

static void test_main_dispatch(void **state)
{
	char *before[] = {"sitegen", "--root", "r",    "--quiet", "build",
			  "--out",   "o",      "page", NULL};
	char *after[] = {"sitegen", "build", "--root=r", "page", NULL};
	char *serve[] = {"sitegen", "--root=/srv", "serve", NULL};

	(void)state;
	/* Global options before the command are moved behind its name. */
	assert_int_equal(main_rc(ARGC(before), before), 0);
	assert_string_equal(cmd_name, "build");
	assert_int_equal(cmd_argc, 7);
	assert_string_equal(cmd_args[1], "--root");
	assert_string_equal(cmd_args[2], "r");
	assert_string_equal(cmd_args[3], "--quiet");
	assert_string_equal(cmd_args[4], "--out");
	assert_string_equal(cmd_seen.root, "r");
	assert_int_equal(cmd_seen.quiet, 1);
	assert_string_equal(cmd_seen.out, "o");
	assert_int_equal(cmd_optind, 6);
	assert_string_equal(cmd_args[cmd_optind], "page");
	/* And after it, the command parses them itself. */
	assert_int_equal(main_rc(ARGC(after), after), 0);
	assert_string_equal(cmd_name, "build");
	assert_int_equal(cmd_argc, 3);
	assert_string_equal(cmd_seen.root, "r");
	assert_int_equal(cmd_optind, 2);
	/* The command's result is the exit code. */
	assert_int_equal(main_rc(ARGC(serve), serve), 1);
	assert_string_equal(cmd_name, "serve");
	assert_string_equal(cmd_seen.root, "/srv");
}

static void test_main_errors(void **state)
{
	char *unknown_cmd[] = {"sitegen", "frobnicate", NULL};
	char *unknown_opt[] = {"sitegen", "--nope", "build", NULL};
	char *missing_arg[] = {"sitegen", "--root", NULL};
	char *no_cmd[] = {"sitegen", "--quiet", NULL};
	char *nothing[] = {"sitegen", NULL};
	char *cmd_error[] = {"sitegen", "build", "--bogus", NULL};
	const char *got;

	(void)state;
	capture_begin(STDERR_FILENO);
	assert_int_equal(main_rc(ARGC(unknown_cmd), unknown_cmd),
			 TC_EXIT_USAGE);
	got = capture_end();
	assert_non_null(strstr(got, "unknown command 'frobnicate'"));
	assert_null(cmd_name);

	capture_begin(STDERR_FILENO);
	assert_int_equal(main_rc(ARGC(unknown_opt), unknown_opt),
			 TC_EXIT_USAGE);
	got = capture_end();
	assert_non_null(strstr(got, "unknown option '--nope'"));
	assert_null(cmd_name);

	capture_begin(STDERR_FILENO);
	assert_int_equal(main_rc(ARGC(missing_arg), missing_arg),
			 TC_EXIT_USAGE);
	got = capture_end();
	assert_non_null(strstr(got, "option '--root' needs DIR"));

	capture_begin(STDERR_FILENO);
	assert_int_equal(main_rc(ARGC(no_cmd), no_cmd), TC_EXIT_USAGE);
	got = capture_end();
	assert_non_null(strstr(got, "usage: sitegen"));
	assert_null(cmd_name);

	capture_begin(STDERR_FILENO);
	assert_int_equal(main_rc(ARGC(nothing), nothing), TC_EXIT_USAGE);
	capture_end();

	capture_begin(STDERR_FILENO);
	assert_int_equal(main_rc(ARGC(cmd_error), cmd_error), TC_EXIT_USAGE);
	got = capture_end();
	assert_non_null(strstr(got, "unknown option '--bogus'"));
	assert_string_equal(cmd_name, "build");
}

static void test_main_help_version(void **state)
{
	char *help[] = {"sitegen", "--help", NULL};
	char *h_late[] = {"sitegen", "--quiet", "-h", "build", NULL};
	char *version[] = {"sitegen", "--version", NULL};
	const char *got;

	(void)state;
	capture_begin(STDOUT_FILENO);
	assert_int_equal(main_rc(ARGC(help), help), TC_EXIT_OK);
	got = capture_end();
	assert_non_null(strstr(got, "usage: sitegen [OPTIONS] COMMAND [ARGS]"));
	assert_non_null(strstr(got, "build"));
	assert_non_null(strstr(got, "serve the site"));
	assert_non_null(strstr(got, "--root DIR"));
	assert_null(cmd_name);

	capture_begin(STDOUT_FILENO);
	assert_int_equal(main_rc(ARGC(h_late), h_late), TC_EXIT_OK);
	capture_end();
	assert_null(cmd_name);

	capture_begin(STDOUT_FILENO);
	assert_int_equal(main_rc(ARGC(version), version), TC_EXIT_OK);
	got = capture_end();
	assert_true(strncmp(got, "sitegen ", 8) == 0);
	assert_null(cmd_name);
}

static void test_find(void **state)
{
	(void)state;
	assert_ptr_equal(tc_cli_find(&prog, "build"), &cmds[0]);
	assert_ptr_equal(tc_cli_find(&prog, "serve"), &cmds[1]);
	assert_null(tc_cli_find(&prog, "buil"));
	assert_null(tc_cli_find(&prog, ""));
}

static void test_count(void **state)
{
	size_t n = 99;

	(void)state;
	assert_int_equal(tc_cli_count("8", 1, 64, &n), 0);
	assert_int_equal(n, 8);
	assert_int_equal(tc_cli_count("64", 1, 64, &n), 0);
	assert_int_equal(n, 64);
	assert_int_equal(tc_cli_count("65", 1, 64, &n), -1);
	assert_int_equal(tc_cli_count("0", 1, 64, &n), -1);
	assert_int_equal(tc_cli_count("-1", 0, 64, &n), -1);
	assert_int_equal(tc_cli_count("", 0, 64, &n), -1);
	assert_int_equal(tc_cli_count(NULL, 0, 64, &n), -1);
	assert_int_equal(tc_cli_count("4x", 0, 64, &n), -1);
	assert_int_equal(tc_cli_count("99999999999999999999999", 0, 64, &n),
			 -1);
	assert_int_equal(n, 64);
}

/* ---- the checked close of an output -------------------------------------- */

static void test_finish(void **state)
{
	FILE *f;
	const char *got;

	(void)state;
	/* Written and closed: the command's code passes through. */
	f = tmpfile();
	assert_non_null(f);
	fputs("ok\n", f);
	assert_int_equal(tc_cli_finish(f, "standard output", TC_EXIT_OK),
			 TC_EXIT_OK);
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(tc_cli_finish(f, "standard output", TC_EXIT_INPUT),
			 TC_EXIT_INPUT);

	/* A write that cannot land is an environment error, with a reason. */
	f = fopen("/dev/full", "w");
	if (!f)
		skip();
	fputs("lost\n", f);
	capture_begin(STDERR_FILENO);
	assert_int_equal(tc_cli_finish(f, "standard output", TC_EXIT_OK),
			 TC_EXIT_ENV);
	got = capture_end();
	assert_string_equal(got, "sitegen: standard output: No space left on "
				 "device\n");

	/* A command that already failed keeps its code; the loss is still
	 * said. */
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	fputs("lost\n", f);
	capture_begin(STDERR_FILENO);
	assert_int_equal(tc_cli_finish(f, "report", TC_EXIT_USAGE),
			 TC_EXIT_USAGE);
	got = capture_end();
	assert_non_null(strstr(got, "report: No space left on device"));
}

/* tc_cli_main closes stdout, so it runs in a child with stdout on
 * /dev/full; its exit code is the parent's to check. */
static void test_main_stdout_full(void **state)
{
	char *version[] = {"sitegen", "--version", NULL};
	int status = 0;
	pid_t pid;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/full", "w", stdout) ||
		    !freopen("/dev/null", "w", stderr))
			_exit(99);
		_exit(tc_cli_main(&prog, ARGC(version), version));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), TC_EXIT_ENV);
}

#define T(fn) cmocka_unit_test_teardown(fn, capture_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_strerror),	       T(test_error_format),
	    T(test_error_long),	       T(test_messages),
	    T(test_warn_keeps_errno),  T(test_parse_forms),
	    T(test_parse_edges),       T(test_parse_errors),
	    T(test_main_dispatch),     T(test_main_errors),
	    T(test_main_help_version), T(test_find),
	    T(test_count),	       T(test_finish),
	    T(test_main_stdout_full),
	};

	return cmocka_run_group_tests_name("err_cli", tests, NULL, NULL);
}
