/*
 * casework: ingests bundles, applies the complaint-handling rules, keeps the
 * register and writes case packs and reports. Thin main: parse, dispatch,
 * exit code.
 */
#include <stddef.h>

#include "cli.h"

static const struct tc_opt global_opts[] = {
	{"data", "DIR", "the casework folder (default casework)"},
	{"rules", "FILE", "workflow rules (default content/rules.yml)"},
	{"forms", "DIR", "form definitions (default content/forms)"},
	{"today", "YYYY-MM-DD", "the date to act as today (default: local date)"},
	{0},
};

static const struct tc_cmd commands[] = {
	{0},
};

static const struct tc_prog prog = {
	.name = "casework",
	.summary = "Turn the day's submission bundles into cases, case packs "
		   "and reports,\nby the council's complaint-handling rules.",
	.usage = "[OPTIONS] COMMAND [ARGS]",
	.opts = global_opts,
	.cmds = commands,
};

int main(int argc, char **argv)
{
	return tc_cli_main(&prog, argc, argv);
}
