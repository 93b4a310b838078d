/* sitegen: placeholder until the generator lands. */
#include <stddef.h>

#include "cli.h"

static const struct tc_cmd commands[] = {
	{0},
};

static const struct tc_prog prog = {
	.name = "sitegen",
	.summary = "Build the council's policy site from Markdown.",
	.usage = "[OPTIONS] COMMAND [ARGS]",
	.opts = NULL,
	.cmds = commands,
};

int main(int argc, char **argv)
{
	return tc_cli_main(&prog, argc, argv);
}
