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
#include "testlib.h"

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

/* A diagnostic set from its parts, and the line tc_error_format makes of
 * it in size bytes (0: all of the output). */
static const struct format_case {
	int code;
	const char *file;
	int line, col;
	const char *msg;
	size_t size;
	const char *want;
} format_cases[] = {
    /* Line without a column. */
    {TC_EINVAL, "site.yml", 12, 0, "bad value", 0, "site.yml:12: bad value"},
    /* No line, no column. */
    {TC_EUTF8, "f.json", 0, 0, "not text", 0, "f.json: not text"},
    /* No file: the message alone. */
    {TC_EIO, NULL, 4, 2, "disk full", 0, "disk full"},
    {TC_EIO, "", 0, 0, "disk full", 0, "disk full"},
    /* No message: the code's description. */
    {TC_EDEPTH, "deep.yml", 1, 1, "", 0, "deep.yml:1:1: nested too deeply"},
    /* A small output is cut, still terminated. */
    {TC_EINVAL, "abc", 1, 2, "xyz", 6, "abc:1"},
};

static void test_error_format(void **state)
{
	struct tc_error e;
	char out[256];
	size_t i;

	(void)state;
	assert_int_equal(tc_error_set(&e, TC_ESYNTAX, "content/a.md", 3, 7,
				      "unclosed section '%s'", "items"),
			 TC_ESYNTAX);
	tc_error_format(&e, out, sizeof(out));
	assert_string_equal(out, "content/a.md:3:7: unclosed section 'items'");
	for (i = 0; i < TL_LEN(format_cases); i++) {
		const struct format_case *c = &format_cases[i];

		tc_error_set(&e, c->code, c->file, c->line, c->col, "%s",
			     c->msg);
		tc_error_format(&e, out, c->size ? c->size : sizeof(out));
		if (strcmp(out, c->want))
			fail_msg("format case %zu: '%s', want '%s'", i, out,
				 c->want);
	}
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
	else if (!strcmp(name, "verbose"))
		s->verbose++;
	else if (!strcmp(name, "out"))
		s->out = value;
	else if (!strcmp(name, "quiet"))
		s->quiet++;
	else if (!strcmp(name, "root"))
		s->root = value;
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

/* Parses argv as build's options into s (cleared first); they must parse.
 * Where the arguments start. */
static int parse_ok(struct seen *s, int argc, char **argv)
{
	int oi = -1;

	memset(s, 0, sizeof(*s));
	assert_int_equal(
	    tc_cli_parse(&prog, &cmds[0], argc, argv, record, s, &oi), 0);
	return oi;
}

static int main_rc(int argc, char **argv)
{
	cmd_name = NULL;
	cmd_argc = -1;
	return tc_cli_run(&prog, argc, argv);
}

/* With fd captured: parses argv as build's options into s, or with s NULL
 * runs the program on it. Checks the exit code; returns what was said. */
static const char *output_of(int fd, int want, struct seen *s, int argc,
			     char **argv)
{
	const char *got;
	int oi = -1, rc;

	capture_begin(fd);
	if (s)
		rc = tc_cli_parse(&prog, &cmds[0], argc, argv, record, s, &oi);
	else
		rc = main_rc(argc, argv);
	got = capture_end();
	if (rc != want)
		fail_msg("%s %s: exit %d, want %d; said '%s'", argv[0],
			 argc > 1 ? argv[1] : "", rc, want, got);
	return got;
}

/* Each of n needles is somewhere in what was said. */
static void assert_said(const char *got, const char *const *needles, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strstr(got, needles[i]))
			fail_msg("'%s' not said in:\n%s", needles[i], got);
}

static void test_parse_forms(void **state)
{
	char *argv[] = {"build",     "--content", "c",	   "--out=o",
			"--verbose", "page1",	  "page2", NULL};
	struct seen s;
	int oi;

	(void)state;
	oi = parse_ok(&s, ARGC(argv), argv);
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
	struct seen s;

	(void)state;
	/* Empty value, and a global option in a command's list. */
	assert_int_equal(parse_ok(&s, ARGC(empty), empty), 4);
	assert_string_equal(s.out, "");
	assert_string_equal(s.root, "r");
	/* "--" ends the options. */
	assert_int_equal(parse_ok(&s, ARGC(dashes), dashes), 3);
	assert_int_equal(s.verbose, 1);
	assert_null(s.content);
	/* The first non-option ends them too. */
	assert_int_equal(parse_ok(&s, ARGC(positional), positional), 1);
	assert_int_equal(s.verbose, 0);
	/* "-" is an argument (standard input), not an option. */
	assert_int_equal(parse_ok(&s, ARGC(dash), dash), 1);
	/* Nothing at all. */
	assert_int_equal(parse_ok(&s, ARGC(only), only), 1);
	/* An option's value is taken as it is, even if it looks like one. */
	parse_ok(&s, ARGC(value_is_opt), value_is_opt);
	assert_string_equal(s.content, "--verbose");
	assert_int_equal(s.verbose, 0);
}

static void test_parse_errors(void **state)
{
	static const char *const help_says[] = {
	    "usage: sitegen build [OPTIONS] [PAGE...]", "--content DIR",
	    "--root DIR"};
	char *unknown[] = {"build", "--nope=3", NULL};
	char *missing[] = {"build", "--content", NULL};
	char *flag_value[] = {"build", "--verbose=yes", NULL};
	char *help[] = {"build", "--help", NULL};
	char *failing[] = {"build", "--verbose", "--verbose", NULL};
	struct seen s = {0};
	const int err = STDERR_FILENO, usage = TC_EXIT_USAGE;

	(void)state;
	tc_set_progname("sitegen");
	assert_string_equal(output_of(err, usage, &s, ARGC(unknown), unknown),
			    "sitegen: build: unknown option '--nope' "
			    "(try 'sitegen build --help')\n");
	assert_string_equal(output_of(err, usage, &s, ARGC(missing), missing),
			    "sitegen: build: option '--content' needs DIR\n");
	output_of(err, usage, &s, ARGC(flag_value), flag_value);
	assert_int_equal(s.calls, 0);
	assert_said(output_of(STDOUT_FILENO, -1, &s, ARGC(help), help),
		    help_says, TL_LEN(help_says));

	/* The callback's own failure is passed back. */
	s.fail_on = 2;
	output_of(err, 7, &s, ARGC(failing), failing);
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

/* Command lines the program refuses with a usage error: something it says
 * (NULL: not checked), and the command that ran first (NULL: none). */
static const struct refused_run {
	char *argv[4]; /* NULL-terminated */
	const char *says, *cmd;
} refused_runs[] = {
    {{"sitegen", "frobnicate"}, "unknown command 'frobnicate'", NULL},
    {{"sitegen", "--nope", "build"}, "unknown option '--nope'", NULL},
    {{"sitegen", "--root"}, "option '--root' needs DIR", NULL},
    {{"sitegen", "--quiet"}, "usage: sitegen", NULL},
    {{"sitegen"}, NULL, NULL},
    /* An unknown option after the command is the command's to refuse. */
    {{"sitegen", "build", "--bogus"}, "unknown option '--bogus'", "build"},
};

static void test_main_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < TL_LEN(refused_runs); i++) {
		const struct refused_run *r = &refused_runs[i];
		char *argv[TL_LEN(r->argv)];
		const char *got;
		int argc = 0;

		/* A copy, as the program may reorder its arguments. */
		memcpy(argv, r->argv, sizeof(argv));
		while (argv[argc])
			argc++;
		got = output_of(STDERR_FILENO, TC_EXIT_USAGE, NULL, argc, argv);
		if (r->says && !strstr(got, r->says))
			fail_msg("refused run %zu: '%s' not said in:\n%s", i,
				 r->says, got);
		if (r->cmd ? !cmd_name || strcmp(cmd_name, r->cmd) : !!cmd_name)
			fail_msg("refused run %zu: ran '%s', want '%s'", i,
				 cmd_name ? cmd_name : "",
				 r->cmd ? r->cmd : "");
	}
}

static void test_main_help_version(void **state)
{
	static const char *const help_says[] = {
	    "usage: sitegen [OPTIONS] COMMAND [ARGS]", "build",
	    "serve the site", "--root DIR"};
	char *help[] = {"sitegen", "--help", NULL};
	char *h_late[] = {"sitegen", "--quiet", "-h", "build", NULL};
	char *version[] = {"sitegen", "--version", NULL};
	const int out = STDOUT_FILENO, ok = TC_EXIT_OK;

	(void)state;
	assert_said(output_of(out, ok, NULL, ARGC(help), help), help_says,
		    TL_LEN(help_says));
	assert_null(cmd_name);
	output_of(out, ok, NULL, ARGC(h_late), h_late);
	assert_null(cmd_name);
	assert_true(strncmp(output_of(out, ok, NULL, ARGC(version), version),
			    "sitegen ", 8) == 0);
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

/* tc_cli_count of text in [min, 64]: the result, and n after it (a
 * refusal leaves n as it was). */
static const struct count_case {
	const char *text;
	size_t min;
	int rc;
	size_t n;
} count_cases[] = {
    {"8", 1, 0, 8},
    {"64", 1, 0, 64},
    {"65", 1, -1, 64},
    {"0", 1, -1, 64},
    {"-1", 0, -1, 64},
    {"", 0, -1, 64},
    {NULL, 0, -1, 64},
    {"4x", 0, -1, 64},
    {"99999999999999999999999", 0, -1, 64},
};

static void test_count(void **state)
{
	size_t i, n = 99;

	(void)state;
	for (i = 0; i < TL_LEN(count_cases); i++) {
		const struct count_case *c = &count_cases[i];
		int rc = tc_cli_count(c->text, c->min, 64, &n);

		if (rc != c->rc || n != c->n)
			fail_msg("count '%s': %d, n %zu; want %d, n %zu",
				 c->text ? c->text : "(null)", rc, n, c->rc,
				 c->n);
	}
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
