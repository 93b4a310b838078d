/*
 * intake: takes the site's form submissions into a durable spool and packs
 * the spool into bundles for casework. Thin main: parse, dispatch, exit code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "intake.h"
#include "limits.h"

static const struct tc_opt serve_opts[] = {
    {"listen", "ADDR:PORT", "where to listen (default 127.0.0.1:8080)"},
    {"site", "DIR", "the built site to serve (default public)"},
    {"forms", "DIR", "form definitions (default content/forms)"},
    {"spool", "DIR", "where submissions are kept (default spool)"},
    {"max-body", "BYTES", "largest request body (default 26214400)"},
    {"max-field", "BYTES", "largest single field (default 65536)"},
    {"max-files", "N", "most files in one submission (default 5)"},
    {"max-file-size", "BYTES", "largest file (default 10485760)"},
    {"timeout", "SECONDS", "idle connection timeout (default 15)"},
    {"max-connections", "N", "connections at once (default 256)"},
    {"rate", "N", "submissions per client per minute (default 10)"},
    {"threads", "N", "worker threads (default: 8 per CPU, at least 16)"},
    {"quiet", NULL, "no access log"},
    {"user", "NAME",
     "as root: the unprivileged user to run as once the port is open"},
    {"proxy", "ADDR",
     "a trusted reverse proxy's IP address: clients are told apart by the "
     "X-Forwarded-For it adds"},
    {0},
};

static const struct tc_opt bundle_opts[] = {
    {"spool", "DIR", "the spool to pack (default spool)"},
    {"out", "DIR", "where bundles go (default bundles)"},
    {"source", "NAME",
     "this intake's name, in the bundle's name (default web)"},
    {"now", "RFC3339", "the UTC time to stamp (default: now)"},
    {0},
};

static int cmd_serve(int argc, char **argv);
static int cmd_bundle(int argc, char **argv);

static const struct tc_cmd commands[] = {
    {"serve", cmd_serve, "serve the site and take form submissions",
     "[OPTIONS]", serve_opts},
    {"bundle", cmd_bundle,
     "pack the spool's ready submissions into a bundle for casework",
     "[OPTIONS]", bundle_opts},
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

/* Parses a decimal count within [min, max] for option name. */
static int parse_count(const char *name, const char *value, size_t min,
		       size_t max, size_t *out)
{
	if (tc_cli_count(value, min, max, out) == 0)
		return 0;
	tc_warnx("--%s must be a whole number from %zu to %zu", name, min, max);
	return TC_EXIT_USAGE;
}

static int set_serve(void *arg, const char *name, const char *value)
{
	struct intake_serve_options *o = arg;
	size_t n = 0;
	int rc = 0;

	if (!strcmp(name, "listen"))
		o->listen = value;
	else if (!strcmp(name, "site"))
		o->site = value;
	else if (!strcmp(name, "forms"))
		o->forms = value;
	else if (!strcmp(name, "spool"))
		o->spool = value;
	else if (!strcmp(name, "quiet"))
		o->quiet = 1;
	else if (!strcmp(name, "user"))
		o->user = value;
	else if (!strcmp(name, "proxy"))
		o->proxy = value;
	else if (!strcmp(name, "max-body"))
		rc = parse_count(name, value, 1024, (size_t)1 << 32,
				 &o->max_body);
	else if (!strcmp(name, "max-field"))
		rc = parse_count(name, value, 64, (size_t)1 << 26,
				 &o->max_field);
	else if (!strcmp(name, "max-files"))
		rc = parse_count(name, value, 0, TC_MAX_SUBMISSION_FILES,
				 &o->max_files);
	else if (!strcmp(name, "max-file-size"))
		rc = parse_count(name, value, 1, TC_MAX_BUNDLE_ENTRY,
				 &o->max_file_size);
	else if (!strcmp(name, "timeout")) {
		rc = parse_count(name, value, 1, 3600, &n);
		o->timeout = (unsigned)n;
	} else if (!strcmp(name, "max-connections")) {
		rc = parse_count(name, value, 1, 100000, &n);
		o->max_conns = (unsigned)n;
	} else if (!strcmp(name, "rate")) {
		rc = parse_count(name, value, 1, 1000000, &n);
		o->rate_per_min = (unsigned)n;
	} else if (!strcmp(name, "threads")) {
		rc = parse_count(name, value, 1, 256, &n);
		o->threads = (unsigned)n;
	}
	return rc;
}

static int set_bundle(void *arg, const char *name, const char *value)
{
	struct intake_bundle_options *o = arg;

	if (!strcmp(name, "spool"))
		o->spool = value;
	else if (!strcmp(name, "out"))
		o->out = value;
	else if (!strcmp(name, "source"))
		o->source = value;
	else if (!strcmp(name, "now"))
		o->now = value;
	return 0;
}

static int no_more_args(int first, int argc, char **argv)
{
	if (first < argc) {
		tc_warnx(
		    "%s: unexpected argument '%s' (try 'intake %s --help')",
		    argv[0], argv[first], argv[0]);
		return TC_EXIT_USAGE;
	}
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	struct intake_serve_options o;
	int first, rc;

	intake_serve_defaults(&o);
	rc = tc_cli_parse(&prog, &commands[0], argc, argv, set_serve, &o,
			  &first);
	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	rc = no_more_args(first, argc, argv);
	return rc ? rc : intake_serve(&o);
}

static int cmd_bundle(int argc, char **argv)
{
	struct intake_bundle_options o = {"spool", "bundles", "web", NULL};
	int first, rc;

	rc = tc_cli_parse(&prog, &commands[1], argc, argv, set_bundle, &o,
			  &first);
	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	rc = no_more_args(first, argc, argv);
	return rc ? rc : intake_bundle(&o);
}

int main(int argc, char **argv)
{
	return tc_cli_main(&prog, argc, argv);
}
