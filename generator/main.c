/*
 * sitegen: builds the council's policy site from Markdown. Thin main: parse
 * arguments, call site_build, map the result to an exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "site.h"
#include "watch.h"

static const struct tc_opt global_opts[] = {
    {"content", "DIR", "the content folder (default content)"},
    {"theme", "DIR", "the theme folder (default themes/default)"},
    {"out", "DIR", "the output folder (default public)"},
    {"today", "YYYY-MM-DD", "the date for review warnings (default: today)"},
    {"jobs", "N", "worker threads (default: one per CPU)"},
    {"quiet", NULL, "print errors only"},
    {0},
};

static const struct tc_opt build_opts[] = {
    {"watch", NULL, "rebuild whenever a file changes, until interrupted"},
    {0},
};

static int cmd_build(int argc, char **argv);
static int cmd_check(int argc, char **argv);

static const struct tc_cmd commands[] = {
    {"build", cmd_build, "build the site into the output folder",
     "[--watch] [OPTIONS]", build_opts},
    {"check", cmd_check,
     "check the site and warn about stale or unreachable pages; write "
     "nothing",
     "[OPTIONS]", NULL},
    {0},
};

static const struct tc_prog prog = {
    .name = "sitegen",
    .summary = "Build the council's comments, compliments and complaints "
	       "site from\nMarkdown in content/ and the theme, into "
	       "public/.",
    .usage = "[OPTIONS] COMMAND [ARGS]",
    .opts = global_opts,
    .cmds = commands,
};

struct args {
	struct site_options opt; /* what the build needs */
	int watch;		 /* --watch given */
};

static int set_opt(void *arg, const char *name, const char *value)
{
	struct args *a = arg;
	size_t n;

	if (!strcmp(name, "content"))
		a->opt.content = value;
	else if (!strcmp(name, "theme"))
		a->opt.theme = value;
	else if (!strcmp(name, "out"))
		a->opt.out = value;
	else if (!strcmp(name, "today"))
		a->opt.today = value;
	else if (!strcmp(name, "quiet"))
		a->opt.quiet = 1;
	else if (!strcmp(name, "watch"))
		a->watch = 1;
	else if (!strcmp(name, "jobs")) {
		if (tc_cli_count(value, 1, 64, &n) < 0) {
			tc_warnx("--jobs must be a number from 1 to 64");
			return TC_EXIT_USAGE;
		}
		a->opt.jobs = (int)n;
	}
	return 0;
}

static int parse(int argc, char **argv, struct args *a)
{
	int rc, first;

	memset(a, 0, sizeof(*a));
	a->opt.content = "content";
	a->opt.theme = "themes/default";
	a->opt.out = "public";
	rc = tc_cli_parse(&prog, tc_cli_find(&prog, argv[0]), argc, argv,
			  set_opt, a, &first);
	if (rc)
		return rc;
	if (first < argc) {
		tc_warnx("%s: unexpected argument '%s' (try 'sitegen %s "
			 "--help')",
			 argv[0], argv[first], argv[0]);
		return TC_EXIT_USAGE;
	}
	return 0;
}

static int run(struct args *a, const char *verb)
{
	struct site_result res;
	int rc = site_build(&a->opt, &res);

	if (rc == TC_EXIT_INPUT)
		fprintf(stderr, "sitegen: %d error%s, %d warning%s%s\n",
			res.errors, res.errors == 1 ? "" : "s", res.warnings,
			res.warnings == 1 ? "" : "s",
			a->opt.check_only ? "" : "; nothing was written");
	else if (rc == TC_EXIT_OK && !a->opt.quiet && a->opt.check_only)
		printf("sitegen: checked %zu pages: no errors, %d warning%s\n",
		       res.pages, res.warnings, res.warnings == 1 ? "" : "s");
	else if (rc == TC_EXIT_OK && !a->opt.quiet)
		printf("sitegen: %s %zu pages: %zu files written, %zu "
		       "unchanged, %zu removed; %d warning%s\n",
		       verb, res.pages, res.written, res.unchanged, res.removed,
		       res.warnings, res.warnings == 1 ? "" : "s");
	return rc;
}

static int cmd_build(int argc, char **argv)
{
	struct args a;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	if (a.watch)
		return site_watch(&a.opt);
	return run(&a, "built");
}

static int cmd_check(int argc, char **argv)
{
	struct args a;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	a.opt.check_only = 1;
	return run(&a, "checked");
}

int main(int argc, char **argv)
{
	return tc_cli_main(&prog, argc, argv);
}
