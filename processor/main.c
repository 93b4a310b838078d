/*
 * casework: ingests bundles, applies the complaint-handling rules, keeps the
 * register and writes case packs and reports. Thin main: parse, dispatch,
 * exit code.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework.h"
#include "cli.h"
#include "commands.h"
#include "ingest.h"
#include "report.h"

static const struct tc_opt global_opts[] = {
    {"data", "DIR", "the casework folder (default casework)"},
    {"rules", "FILE", "workflow rules (default content/rules.yml)"},
    {"forms", "DIR", "form definitions (default content/forms)"},
    {"today", "YYYY-MM-DD", "the date to act as today (default: local date)"},
    {0},
};

static const struct tc_opt list_opts[] = {
    {"overdue", NULL, "only cases with an overdue deadline"},
    {"due-within", "N", "only cases with a deadline within N working days"},
    {"flag", "F", "only cases carrying flag F"},
    {"stage", "N", "only cases at stage N"},
    {"json", NULL, "print JSON instead of a table"},
    {0},
};

static const struct tc_opt show_opts[] = {
    {"json", NULL, "print the case as case.json has it"},
    {0},
};

static const struct tc_opt record_opts[] = {
    {"date", "YYYY-MM-DD", "when it happened (default: today)"},
    {"days", "N", "extended: working days added"},
    {"reason", "TEXT", "extended, restricted: why"},
    {"outcome", "O", "closed: the outcome (upheld, partly-upheld, ...)"},
    {"remedy", "R", "closed: the remedy given"},
    {"learning", "TEXT", "closed: what the service learnt"},
    {"to", "TEAM", "reassigned: the new team"},
    {"review", "YYYY-MM-DD", "restricted: when to review it"},
    {"contact", "NAME", "restricted: the single named contact"},
    {0},
};

static int cmd_ingest(int argc, char **argv);
static int cmd_report(int argc, char **argv);
static int cmd_list(int argc, char **argv);
static int cmd_show(int argc, char **argv);
static int cmd_record(int argc, char **argv);

static const struct tc_cmd commands[] = {
    {"ingest", cmd_ingest,
     "verify bundles and turn their submissions into cases and records",
     "BUNDLE...", NULL},
    {"report", cmd_report,
     "write reports/TODAY.html and .csv: intake, due, overdue, flags", "",
     NULL},
    {"list", cmd_list, "list cases, by deadline", "[OPTIONS]", list_opts},
    {"show", cmd_show, "show one case with its stages and history",
     "REF [--json]", show_opts},
    {"record", cmd_record,
     "record an event: acknowledged, responded, extended, escalated, ...",
     "REF EVENT [OPTIONS]", record_opts},
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

/* Everything any command's options can set. */
struct args {
	struct cw_env env;
	struct cw_query q;
	struct cw_record rec;
	int json;
	char *pos[64]; /* positional arguments (ingest takes the rest) */
	int npos;
	char **rest; /* ingest: all positional arguments */
	int bad;
};

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int set_opt(void *arg, const char *name, const char *value)
{
	struct args *a = arg;
	tc_day d;

	if (!strcmp(name, "data"))
		a->env.data = value;
	else if (!strcmp(name, "rules"))
		a->env.rules_path = value;
	else if (!strcmp(name, "forms"))
		a->env.forms_dir = value;
	else if (!strcmp(name, "today")) {
		if (tc_day_parse(value, &a->env.today) < 0) {
			tc_warnx("--today: '%s' is not a date YYYY-MM-DD",
				 value);
			return TC_EXIT_USAGE;
		}
	} else if (!strcmp(name, "json"))
		a->json = 1;
	else if (!strcmp(name, "overdue"))
		a->q.overdue = 1;
	else if (!strcmp(name, "due-within")) {
		if (parse_int(value, 0, 366, &a->q.due_within) < 0)
			goto bad_num;
	} else if (!strcmp(name, "flag"))
		a->q.flag = value;
	else if (!strcmp(name, "stage")) {
		if (parse_int(value, 0, 9, &a->q.stage) < 0)
			goto bad_num;
	} else if (!strcmp(name, "date") || !strcmp(name, "review")) {
		if (tc_day_parse(value, &d) < 0) {
			tc_warnx("--%s: '%s' is not a date YYYY-MM-DD", name,
				 value);
			return TC_EXIT_USAGE;
		}
		if (!strcmp(name, "date"))
			a->rec.date = d;
		else
			a->rec.review = d;
	} else if (!strcmp(name, "days")) {
		if (parse_int(value, 1, 200, &a->rec.days) < 0)
			goto bad_num;
	} else if (!strcmp(name, "reason"))
		a->rec.reason = value;
	else if (!strcmp(name, "outcome"))
		a->rec.outcome = value;
	else if (!strcmp(name, "remedy"))
		a->rec.remedy = value;
	else if (!strcmp(name, "learning"))
		a->rec.learning = value;
	else if (!strcmp(name, "to"))
		a->rec.to = value;
	else if (!strcmp(name, "contact"))
		a->rec.contact = value;
	return 0;
bad_num:
	tc_warnx("--%s: '%s' is not a number in range", name,
		 value ? value : "");
	return TC_EXIT_USAGE;
}

/*
 * Parses argv with options anywhere among the positional arguments.
 * Returns 0, -1 after --help, or an exit code.
 */
static int parse(const char *cmd, int argc, char **argv, struct args *a)
{
	const struct tc_cmd *c = tc_cli_find(&prog, cmd);
	int at = 0, used, rc;

	memset(a, 0, sizeof(*a));
	a->env.data = "casework";
	a->env.rules_path = "content/rules.yml";
	a->env.forms_dir = "content/forms";
	a->env.today = CW_NODAY;
	a->q.due_within = -1;
	a->q.stage = -1;
	a->rec.date = CW_NODAY;
	a->rec.review = CW_NODAY;
	a->rest = calloc((size_t)argc + 1, sizeof(char *));
	if (!a->rest)
		tc_die_nomem();
	/* argv[at] plays the command's part for each round of parsing. */
	while (at < argc) {
		rc = tc_cli_parse(&prog, c, argc - at, argv + at, set_opt, a,
				  &used);
		if (rc)
			return rc;
		at += used;
		if (at >= argc)
			break;
		if (!strcmp(argv[at - 1], "--")) {
			while (at < argc)
				a->rest[a->npos++] = argv[at++];
			break;
		}
		a->rest[a->npos++] = argv[at];
	}
	return 0;
}

static int finish(struct args *a, int rc)
{
	cw_env_close(&a->env);
	free(a->rest);
	return rc;
}

static int start(const char *cmd, int argc, char **argv, struct args *a,
		 int min, int max, const char *usage)
{
	int rc = parse(cmd, argc, argv, a);

	if (rc == -1)
		return -1;
	if (rc)
		return rc;
	if (a->npos < min || (max >= 0 && a->npos > max)) {
		tc_warnx("usage: casework %s %s", cmd, usage);
		return TC_EXIT_USAGE;
	}
	return cw_env_open(&a->env);
}

static int cmd_ingest(int argc, char **argv)
{
	struct args a;
	int rc = start("ingest", argc, argv, &a, 1, -1, "BUNDLE...");

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	return finish(&a, cw_ingest(&a.env, a.rest, a.npos));
}

static int cmd_report(int argc, char **argv)
{
	struct args a;
	int rc = start("report", argc, argv, &a, 0, 0, "");

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	if (cw_env_flush_packs(&a.env) < 0 || cw_report_write(&a.env) < 0)
		return finish(&a, TC_EXIT_ENV);
	return finish(&a, TC_EXIT_OK);
}

static int cmd_list(int argc, char **argv)
{
	struct args a;
	int rc = start("list", argc, argv, &a, 0, 0, "[OPTIONS]");

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	return finish(&a, cw_list(&a.env, &a.q, a.json));
}

static int cmd_show(int argc, char **argv)
{
	struct args a;
	int rc = start("show", argc, argv, &a, 1, 1, "REF [--json]");

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	return finish(&a, cw_show(&a.env, a.rest[0], a.json));
}

static int cmd_record(int argc, char **argv)
{
	struct args a;
	int rc = start("record", argc, argv, &a, 2, 2, "REF EVENT [OPTIONS]");

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	a.rec.ref = a.rest[0];
	a.rec.event = a.rest[1];
	return finish(&a, cw_record_event(&a.env, &a.rec));
}

int main(int argc, char **argv)
{
	return tc_cli_main(&prog, argc, argv);
}
