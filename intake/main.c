/*
 * intake: takes the site's form submissions into a durable spool and packs
 * the spool into daily bundles. Thin main: parse, dispatch, exit code.
 */
#include <stddef.h>

#include "cli.h"

static const struct tc_cmd commands[] = {
	{0},
};

static const struct tc_prog prog = {
	.name = "intake",
	.summary = "Serve the site, take its form submissions into a durable "
		   "spool,\nand pack the spool into bundles for casework.",
	.usage = "[OPTIONS] COMMAND [ARGS]",
	.opts = NULL,
	.cmds = commands,
};

int main(int argc, char **argv)
{
	return tc_cli_main(&prog, argc, argv);
}
