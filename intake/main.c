/*
 * intake: takes the site's form submissions into a durable spool and packs
 * the spool into bundles for casework. Thin main: parse, dispatch, exit code.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "intake.h"
#include "limits.h"

#define SERVE struct intake_serve_options
#define S_STR(name, arg, help, field)                                          \
	TC_OPT_BIND_STR(name, arg, help, SERVE, field)
#define S_SIZE(name, arg, help, field, lo, hi)                                 \
	TC_OPT_BIND_SIZE(name, arg, help, SERVE, field, lo, hi)
#define S_UINT(name, arg, help, field, lo, hi)                                 \
	TC_OPT_BIND_UINT(name, arg, help, SERVE, field, lo, hi)

static const struct tc_opt serve_opts[] = {
    S_STR("listen", "ADDR:PORT", "where to listen (default 127.0.0.1:8080)",
	  listen),
    S_STR("site", "DIR", "the built site to serve (default public)", site),
    S_STR("forms", "DIR", "form definitions (default content/forms)", forms),
    S_STR("spool", "DIR", "where submissions are kept (default spool)", spool),
    S_STR("mail-from", "ADDRESS",
	  "send a confirmation email from ADDRESS to a resident who gave one "
	  "(default: none; intake mail sends them)",
	  mail_from),
    S_SIZE("max-body", "BYTES", "largest request body (default 54525952)",
	   max_body, 1024, 1LL << 32),
    S_SIZE("max-field", "BYTES", "largest single field (default 65536)",
	   max_field, 64, 1LL << 26),
    S_SIZE("max-files", "N", "most files in one submission (default 5)",
	   max_files, 0, TC_MAX_SUBMISSION_FILES),
    S_SIZE("max-file-size", "BYTES", "largest file (default 10485760)",
	   max_file_size, 1, TC_MAX_BUNDLE_ENTRY),
    S_UINT("timeout", "SECONDS", "idle connection timeout (default 15)",
	   timeout, 1, 3600),
    S_UINT("max-connections", "N", "connections at once (default 256)",
	   max_conns, 1, 100000),
    S_UINT("rate", "N",
	   "accepted submissions per client per minute (default 30)",
	   rate_per_min, 1, 1000000),
    S_UINT("rate-refused", "N",
	   "refused posts per client per minute (default: 10 times --rate)",
	   rate_refused, 1, 10000000),
    S_UINT("threads", "N", "worker threads (default: 8 per CPU, at least 16)",
	   threads, 1, 256),
    S_UINT("commit-delay", "MICROSECONDS",
	   "how long a group commit waits for more submissions to share its "
	   "flushes (default 0: none)",
	   commit_delay, 0, 10000000),
    TC_OPT_BIND_FLAG("quiet", "no access log", SERVE, quiet),
    S_STR("user", "NAME",
	  "as root: the unprivileged user to run as once the port is open",
	  user),
    S_STR("proxy", "ADDR",
	  "a trusted reverse proxy's IP address: clients are told apart by "
	  "the X-Forwarded-For it adds",
	  proxy),
    {0},
};

#define B_STR(name, arg, help, field)                                          \
	TC_OPT_BIND_STR(name, arg, help, struct intake_bundle_options, field)

static const struct tc_opt bundle_opts[] = {
    B_STR("spool", "DIR", "the spool to pack (default spool)", spool),
    B_STR("out", "DIR", "where bundles go (default bundles)", out),
    B_STR("source", "NAME",
	  "this intake's name, in the bundle's name (default web)", source),
    B_STR("now", "RFC3339", "the UTC time to stamp (default: now)", now),
    {0},
};

#define M_STR(name, arg, help, field)                                          \
	TC_OPT_BIND_STR(name, arg, help, struct intake_mail_options, field)

static const struct tc_opt mail_opts[] = {
    M_STR("spool", "DIR", "the spool whose outbox to send (default spool)",
	  spool),
    M_STR("sendmail", "PATH",
	  "the sendmail program (default /usr/sbin/sendmail)", sendmail),
    TC_OPT_BIND_FLAG("retry-now", "try failed messages again without waiting",
		     struct intake_mail_options, retry_now),
    {0},
};

static int cmd_serve(int argc, char **argv);
static int cmd_bundle(int argc, char **argv);
static int cmd_mail(int argc, char **argv);

static const struct tc_cmd commands[] = {
    {"serve", cmd_serve, "serve the site and take form submissions",
     "[OPTIONS]", serve_opts},
    {"bundle", cmd_bundle,
     "pack the spool's ready submissions into a bundle for casework",
     "[OPTIONS]", bundle_opts},
    {"mail", cmd_mail,
     "send the confirmation emails waiting in the spool's outbox", "[OPTIONS]",
     mail_opts},
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
	rc = tc_cli_parse(&prog, &commands[0], argc, argv, NULL, &o, &first);
	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	rc = no_more_args(first, argc, argv);
	return rc ? rc : intake_serve(&o);
}

static int cmd_bundle(int argc, char **argv)
{
	struct intake_bundle_options o = {"spool", "bundles", "web", NULL};
	int first, rc;

	rc = tc_cli_parse(&prog, &commands[1], argc, argv, NULL, &o, &first);
	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	rc = no_more_args(first, argc, argv);
	return rc ? rc : intake_bundle(&o);
}

static int cmd_mail(int argc, char **argv)
{
	struct intake_mail_options o = {"spool", "/usr/sbin/sendmail", 0};
	int first, rc;

	rc = tc_cli_parse(&prog, &commands[2], argc, argv, NULL, &o, &first);
	if (rc)
		return rc < 0 ? TC_EXIT_OK : rc;
	rc = no_more_args(first, argc, argv);
	return rc ? rc : intake_mail(&o);
}

int main(int argc, char **argv)
{
	return tc_cli_main(&prog, argc, argv);
}
