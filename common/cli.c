/*
 * cli.c: subcommand tables and option parsing (see cli.h).
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"

#ifndef TC_VERSION
#define TC_VERSION "0.1.0"
#endif

static void print_opts(const struct tc_opt *o, FILE *f)
{
	char left[64];

	for (; o && o->name; o++) {
		if (o->arg)
			snprintf(left, sizeof(left), "--%s %s", o->name,
				 o->arg);
		else
			snprintf(left, sizeof(left), "--%s", o->name);
		fprintf(f, "  %-24s %s\n", left, o->help);
	}
}

void tc_cli_help(const struct tc_prog *p, FILE *f)
{
	const struct tc_cmd *c;

	fprintf(f, "usage: %s %s\n\n%s\n", p->name, p->usage, p->summary);
	if (p->opts && p->opts->name) {
		fprintf(f, "\noptions (before or after the command):\n");
		print_opts(p->opts, f);
	}
	fprintf(f, "  %-24s %s\n  %-24s %s\n", "--help", "show this help",
		"--version", "show the version");
	fprintf(f, "\ncommands:\n");
	for (c = p->cmds; c && c->name; c++)
		fprintf(f, "  %-24s %s\n", c->name, c->summary);
	fprintf(f,
		"\n'%s COMMAND --help' shows a command's options; "
		"man %s has the rest.\n",
		p->name, p->name);
}

void tc_cli_cmd_help(const struct tc_prog *p, const struct tc_cmd *c, FILE *f)
{
	fprintf(f, "usage: %s %s %s\n\n%s\n", p->name, c->name,
		c->usage ? c->usage : "", c->summary);
	if ((c->opts && c->opts->name) || (p->opts && p->opts->name)) {
		fprintf(f, "\noptions:\n");
		print_opts(c->opts, f);
		print_opts(p->opts, f);
	}
	fprintf(f, "  %-24s %s\n", "--help", "show this help");
}

const struct tc_cmd *tc_cli_find(const struct tc_prog *p, const char *name)
{
	const struct tc_cmd *c;

	for (c = p->cmds; c && c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static const struct tc_opt *find_opt(const struct tc_opt *o, const char *name,
				     size_t len)
{
	for (; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

int tc_cli_run(const struct tc_prog *p, int argc, char **argv)
{
	const struct tc_cmd *c = NULL;
	char **args = NULL;
	int i, n = 0, cmd_at = -1, rc = TC_EXIT_USAGE;

	tc_set_progname(p->name);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct tc_opt *o;
		size_t len;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			tc_cli_help(p, stdout);
			return TC_EXIT_OK;
		}
		if (!strcmp(a, "--version")) {
			printf("%s %s\n", p->name, TC_VERSION);
			return TC_EXIT_OK;
		}
		if (strncmp(a, "--", 2) != 0)
			break;
		len = strcspn(a + 2, "=");
		o = find_opt(p->opts, a + 2, len);
		if (!o) {
			tc_warnx("unknown option '%s' (try '%s --help')", a,
				 p->name);
			return TC_EXIT_USAGE;
		}
		if (o->arg && !a[2 + len]) {
			if (i + 1 >= argc) {
				tc_warnx("option '--%s' needs %s", o->name,
					 o->arg);
				return TC_EXIT_USAGE;
			}
			i++;
		}
	}
	if (i >= argc) {
		tc_cli_help(p, stderr);
		return TC_EXIT_USAGE;
	}
	cmd_at = i;
	c = tc_cli_find(p, argv[cmd_at]);
	if (!c) {
		tc_warnx("unknown command '%s' (try '%s --help')", argv[cmd_at],
			 p->name);
		return TC_EXIT_USAGE;
	}
	/* The command sees: its name, the global options, then the rest. */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		tc_die_nomem();
	args[n++] = argv[cmd_at];
	for (i = 1; i < cmd_at; i++)
		args[n++] = argv[i];
	for (i = cmd_at + 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	rc = c->fn(n, args);
	free(args);
	return rc;
}

/* Stores a bound option's value into the struct at base. 0, or 2 (a usage
 * error, printed). */
static int store(const struct tc_opt *o, const char *value, void *base)
{
	char *at = (char *)base + o->off;
	const char *what = NULL;
	char range[64];
	char *end;
	long v;
	size_t n;

	switch (o->kind) {
	case TC_OPT_STR:
		*(const char **)(void *)at = value;
		return 0;
	case TC_OPT_FLAG:
		*(int *)(void *)at = 1;
		return 0;
	case TC_OPT_INT:
		what = o->what ? o->what : "a number in range";
		if (!value || !*value)
			break;
		errno = 0;
		v = strtol(value, &end, 10);
		if (*end || errno || v < o->lo || v > o->hi)
			break;
		*(int *)(void *)at = (int)v;
		return 0;
	case TC_OPT_UINT:
	case TC_OPT_SIZE:
		snprintf(range, sizeof(range),
			 "a whole number from %lld to %lld", o->lo, o->hi);
		what = o->what ? o->what : range;
		if (tc_cli_count(value, (size_t)o->lo, (size_t)o->hi, &n) < 0)
			break;
		if (o->kind == TC_OPT_UINT)
			*(unsigned *)(void *)at = (unsigned)n;
		else
			*(size_t *)(void *)at = n;
		return 0;
	case TC_OPT_DAY:
		what = "a date YYYY-MM-DD";
		if (tc_day_parse(value, (tc_day *)(void *)at) == 0)
			return 0;
		break;
	case TC_OPT_CALL:
		break;
	}
	tc_warnx("--%s: '%s' is not %s", o->name, value ? value : "",
		 what ? what : "an accepted value");
	return TC_EXIT_USAGE;
}

int tc_cli_finish(FILE *f, const char *what, int rc)
{
	int err = 0, failed = 0;

	errno = 0;
	if (fflush(f) != 0) {
		failed = 1;
		err = errno;
	} else if (ferror(f)) {
		/* An earlier write failed; its errno is gone. */
		failed = 1;
	}
	errno = 0;
	/* A stream closed before the program started (EBADF) had nothing
	 * written to it, or the flush above would have failed. */
	if (fclose(f) != 0 && errno != EBADF && !failed) {
		failed = 1;
		err = errno;
	}
	if (!failed)
		return rc;
	tc_warnx("%s: %s", what, err ? strerror(err) : "write error");
	return rc == TC_EXIT_OK ? TC_EXIT_ENV : rc;
}

int tc_cli_main(const struct tc_prog *p, int argc, char **argv)
{
	return tc_cli_finish(stdout, "standard output",
			     tc_cli_run(p, argc, argv));
}

int tc_cli_count(const char *value, size_t min, size_t max, size_t *out)
{
	char *end;
	unsigned long long n;

	if (!value || !*value || *value == '-')
		return -1;
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = (size_t)n;
	return 0;
}

int tc_cli_parse(const struct tc_prog *p, const struct tc_cmd *c, int argc,
		 char **argv,
		 int (*set)(void *arg, const char *name, const char *value),
		 void *arg, int *optind_out)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		const struct tc_opt *o;
		size_t len;
		int rc;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			tc_cli_cmd_help(p, c, stdout);
			return -1;
		}
		if (strncmp(a, "--", 2) != 0 || !a[2])
			break;
		len = strcspn(a + 2, "=");
		o = find_opt(c->opts, a + 2, len);
		if (!o)
			o = find_opt(p->opts, a + 2, len);
		if (!o) {
			tc_warnx("%s: unknown option '%.*s' (try '%s %s "
				 "--help')",
				 c->name, (int)(len + 2), a, p->name, c->name);
			return TC_EXIT_USAGE;
		}
		if (o->arg) {
			if (a[2 + len] == '=') {
				value = a + 3 + len;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				tc_warnx("%s: option '--%s' needs %s", c->name,
					 o->name, o->arg);
				return TC_EXIT_USAGE;
			}
		} else if (a[2 + len] == '=') {
			tc_warnx("%s: option '--%s' takes no value", c->name,
				 o->name);
			return TC_EXIT_USAGE;
		}
		rc = o->kind == TC_OPT_CALL ? set(arg, o->name, value)
					    : store(o, value, arg);
		if (rc)
			return rc;
	}
	*optind_out = i;
	return 0;
}
