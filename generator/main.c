/*
 * sitegen: builds the council's policy site from Markdown. Thin main: parse
 * arguments, call site_build, map the result to an exit code.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "site.h"
#include "watch.h"

struct args {
	struct site_options opt; /* what the build needs */
	int watch;		 /* --watch given */
	const char *listen;	 /* serve --listen */
};

#define STR(name, arg, help, field)                                            \
	TC_OPT_BIND_STR(name, arg, help, struct args, field)

static const struct tc_opt global_opts[] = {
    STR("content", "DIR", "the content folder (default content)", opt.content),
    STR("theme", "DIR", "the theme folder (default themes/default)", opt.theme),
    STR("out", "DIR", "the output folder (default public; preview for serve)",
	opt.out),
    STR("today", "YYYY-MM-DD", "the date for review warnings (default: today)",
	opt.today),
    TC_OPT_BIND_INT("jobs", "N", "worker threads (default: one per CPU)",
		    struct args, opt.jobs, 1, 64, "a number from 1 to 64"),
    TC_OPT_BIND_FLAG("quiet", "print errors only", struct args, opt.quiet),
    {0},
};

static const struct tc_opt build_opts[] = {
    TC_OPT_BIND_FLAG("watch",
		     "rebuild whenever a file changes, until interrupted",
		     struct args, watch),
    {0},
};

static const struct tc_opt serve_opts[] = {
    TC_OPT_BIND_STR("listen", "ADDRESS:PORT",
		    "where to serve the preview (default 127.0.0.1:8000)",
		    struct args, listen),
    TC_OPT_BIND_FLAG("drafts", "build and show drafts, each with a banner",
		     struct args, opt.drafts),
    {0},
};

static int cmd_build(int argc, char **argv);
static int cmd_serve(int argc, char **argv);
static int cmd_import(int argc, char **argv);
static int cmd_check(int argc, char **argv);
static int cmd_values(int argc, char **argv);

static const struct tc_cmd commands[] = {
    {"build", cmd_build, "build the site into the output folder",
     "[--watch] [OPTIONS]", build_opts},
    {"serve", cmd_serve,
     "preview the site for editors: build into preview/ (or --out), serve "
     "it on a loopback address, rebuild and reload the open page on every "
     "change",
     "[--listen ADDRESS:PORT] [--drafts] [OPTIONS]", serve_opts},
    {"import", cmd_import,
     "turn documents (.docx, .odt, .html, .txt) into new pages in the "
     "content folder, saying what was changed or could not be converted",
     "FILE... [OPTIONS]", NULL},
    {"check", cmd_check,
     "check the site and warn about stale or unreachable pages; write "
     "nothing",
     "[OPTIONS]", NULL},
    {"values", cmd_values,
     "list every {{ value }} pages may use (from site.yml and rules.yml) "
     "with what it reads now",
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

static int parse_rest(int argc, char **argv, struct args *a, int *rest);

static int parse(int argc, char **argv, struct args *a)
{
	return parse_rest(argc, argv, a, NULL);
}

/* With rest, the arguments after the options start at argv[*rest]. */
static int parse_rest(int argc, char **argv, struct args *a, int *rest)
{
	int rc, first;

	memset(a, 0, sizeof(*a));
	a->opt.content = "content";
	a->opt.theme = "themes/default";
	a->opt.out = NULL;
	a->listen = "127.0.0.1:8000";
	rc = tc_cli_parse(&prog, tc_cli_find(&prog, argv[0]), argc, argv, NULL,
			  a, &first);
	if (!a->opt.out) /* the preview never writes over the published site */
		a->opt.out = strcmp(argv[0], "serve") ? "public" : "preview";
	if (rc)
		return rc;
	if (rest) {
		*rest = first;
		return 0;
	}
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

static int cmd_serve(int argc, char **argv)
{
	struct args a;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	return site_preview(&a.opt, a.listen);
}

static int cmd_import(int argc, char **argv)
{
	struct args a;
	int first = 0, rc = parse_rest(argc, argv, &a, &first);

	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	return site_import(argv + first, argc - first, a.opt.content);
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

static int cmd_values(int argc, char **argv)
{
	struct args a;
	struct site_result res;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	a.opt.list_values = 1;
	a.opt.check_only = 1;
	rc = site_build(&a.opt, &res);
	if (rc == TC_EXIT_INPUT)
		fprintf(stderr,
			"sitegen: %d error%s in site.yml or rules.yml\n",
			res.errors, res.errors == 1 ? "" : "s");
	return rc;
}

int main(int argc, char **argv)
{
	return tc_cli_main(&prog, argc, argv);
}
