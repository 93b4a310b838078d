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
#include "config.h"
#include "annual.h"
#include "export.h"
#include "newcase.h"
#include "ingest.h"
#include "purge.h"
#include "people.h"
#include "quarantine.h"
#include "report.h"
#include "restrict.h"

/* Everything any command's options can set. */
struct args {
	struct cw_env env;
	struct cw_config cfg; /* the data folder's settings */
	const char *content;  /* init --content */
	struct cw_query q;
	struct cw_record rec;
	struct cw_restriction rs;
	struct cw_period period;
	struct cw_qopts qo;
	const char *out;
	int due, dry_run, yes, year, access;
	const char *warning; /* restrict add --warning ID */
	const char *as;	     /* --as: the officer an administrator acts as */
	struct cw_user_opts user;
	struct cw_init_opts init;
	int target; /* record --event N */
	struct cw_newcase nc;
	/* files named by options that the sandbox must let the command read
	 * (new --answers, --attach), NULL-terminated */
	char *reads[CW_MAX_FILES + 2];
	size_t nreads;
	int json;
	char *pos[64]; /* positional arguments (ingest takes the rest) */
	int npos;
	char **rest; /* ingest: all positional arguments */
	int bad;
};

#define STR(name, arg, help, field)                                            \
	TC_OPT_BIND_STR(name, arg, help, struct args, field)
#define FLAG(name, help, field) TC_OPT_BIND_FLAG(name, help, struct args, field)
#define INT(name, arg, help, field, lo, hi)                                    \
	TC_OPT_BIND_INT(name, arg, help, struct args, field, lo, hi, NULL)
#define DAY(name, help, field) TC_OPT_BIND_DAY(name, help, struct args, field)

static const struct tc_opt global_opts[] = {
    STR("data", "DIR",
	"the casework folder (default $CASEWORK_DATA, else casework)",
	env.data),
    STR("rules", "FILE",
	"workflow rules (default: from the data folder's settings, else "
	"content/rules.yml)",
	env.rules_path),
    STR("forms", "DIR", "form definitions (default: as the rules, forms/)",
	env.forms_dir),
    DAY("today", "the date to act as today (default: local date)", env.today),
    STR("theme", "DIR", "the theme folder (default themes/default)", env.theme),
    STR("officer", "USERNAME",
	"act as this officer (administrators only; default: the officer the "
	"Unix account is)",
	as),
    {0},
};

static const struct tc_opt user_opts[] = {
    STR("name", "NAME", "add, set: the officer's full name", user.name),
    STR("role", "ROLE",
	"add, set: administrator, complaints-team, handler or viewer",
	user.role),
    STR("title", "TITLE", "add, set: their role title (letters sign with it)",
	user.title),
    STR("team", "TEAM", "add, set: their team, one the rules route to",
	user.team),
    STR("email", "E", "add, set: their email address", user.email),
    STR("unix", "LOGIN", "add, set: the Unix account that acts as them",
	user.unix_user),
    STR("active", "yes|no", "set: whether the account may act", user.active),
    DAY("away-from", "set: away (leave) from this day", user.away_from),
    DAY("away-to", "set: the last day away (default: until --back)",
	user.away_to),
    FLAG("back", "set: no longer away", user.not_away),
    FLAG("json", "list: as JSON", json),
    {0},
};

static const struct tc_opt list_opts[] = {
    FLAG("overdue", "only cases with an overdue deadline", q.overdue),
    INT("due-within", "N", "only cases with a deadline within N working days",
	q.due_within, 0, 366),
    STR("flag", "F", "only cases carrying flag F", q.flag),
    INT("stage", "N", "only cases at stage N", q.stage, 0, 9),
    FLAG("open", "only cases with something left to do", q.open),
    FLAG("closed", "only cases with nothing left to do", q.closed),
    STR("team", "TEAM", "only the cases of TEAM", q.team),
    FLAG("mine", "only the cases allocated to you", q.mine),
    STR("handler", "USERNAME", "only the cases allocated to this officer",
	q.handler),
    FLAG("unallocated", "only the cases allocated to no one", q.unallocated),
    STR("priority", "P", "only urgent (or only normal) cases", q.priority),
    STR("search", "TEXT",
	"only cases whose reference, or person's name, email, phone or "
	"postcode, holds TEXT",
	q.search),
    FLAG("json", "print JSON instead of a table", json),
    {0},
};

static const struct tc_opt show_opts[] = {
    FLAG("json", "print the case as case.json has it", json),
    FLAG("access", "who read the case's personal data, and when", access),
    {0},
};

static const struct tc_opt record_opts[] = {
    DAY("date", "when it happened (default: today)", rec.date),
    INT("days", "N", "extended: working days added", rec.days, 1, 200),
    FLAG("exceptional",
	 "extended: beyond the usual maximum, for exceptional circumstances "
	 "(give them in --reason)",
	 rec.exceptional),
    STR("reason", "TEXT", "extended, restricted: why", rec.reason),
    STR("outcome", "O", "closed: the outcome (upheld, partly-upheld, ...)",
	rec.outcome),
    STR("remedy", "R", "closed: the remedy given", rec.remedy),
    STR("learning", "TEXT", "closed: what the service learnt", rec.learning),
    STR("to", "TEAM", "reassigned: the new team", rec.to),
    DAY("review", "restricted: when to review it", rec.review),
    STR("contact", "NAME", "restricted: the single named contact", rec.contact),
    STR("kind", "K", "restricted: the kind (default single-point-of-contact)",
	rec.kind),
    STR("scope", "S", "restricted: council (default) or a service area",
	rec.scope),
    STR("decided-by", "WHO", "restricted: who decided it", rec.decided_by),
    STR("flag", "F", "decided: the flag decided", rec.flag),
    STR("note", "TEXT",
	"decided: what was agreed (adjustments); updated: what the resident "
	"was told",
	rec.note),
    TC_OPT_BIND_INT("event", "N", "corrected, withdrawn: the event's number",
		    struct args, target, 1, 2147483647, NULL),
    STR("why", "TEXT", "corrected, withdrawn: why (required; kept)", rec.why),
    DAY("new-date", "corrected: the date the event should have", rec.new_date),
    STR("by", "WHO", "the officer recording it (default: your account)",
	rec.by),
    STR("priority", "P", "prioritised: urgent or normal", rec.priority),
    STR("as", "TYPE",
	"reclassified: complaint, service_request, compliment, comment or "
	"signposted",
	rec.as),
    STR("service-area", "AREA", "moved: the service area it is about",
	rec.area),
    STR("action", "TEXT", "action: what the council promised to do",
	rec.action),
    STR("owner", "WHO", "action: who does it", rec.owner),
    DAY("due", "action: by when", rec.due),
    STR("step", "S",
	"ombudsman: considering, decided or complied; step: the stage's step "
	"done (rules.yml steps)",
	rec.step),
    STR("into", "REF", "merged: the case this one duplicates", rec.into),
    STR("with", "REF", "linked: the related case", rec.with),
    {0},
};

static const struct tc_opt restrict_opts[] = {
    STR("name", "N", "add, warn: the person's name", rs.name),
    STR("email", "E", "add, warn: their email address (matched, normalised)",
	rs.email),
    STR("phone", "P", "add, warn: their phone number (matched, normalised)",
	rs.phone),
    STR("kind", "K",
	"add, review: single-point-of-contact, written-contact-only, "
	"limited-calls, read-and-file or restricted-premises",
	rs.kind),
    STR("scope", "S", "add, warn, review: council, or one service area",
	rs.scope),
    STR("reason", "TEXT",
	"add: why (the behaviour and what was considered); warn: the "
	"behaviour causing concern",
	rec.reason),
    STR("change", "TEXT", "warn: what the person is asked to change",
	rs.expected),
    STR("warning", "ID", "add: the warning given first (R12)", warning),
    STR("decided-by", "WHO", "add, warn: the officer who decided it",
	rs.decided_by),
    DAY("review",
	"add, warn: review by (default: the rules' months on); "
	"review: the next review",
	rec.review),
    STR("contact", "TEAM", "add, review: the named contact new contact goes to",
	rs.contact),
    STR("outcome", "O", "review: continue, vary or lift", rec.outcome),
    DAY("date", "add, warn: start; review: when reviewed (default today)",
	rec.date),
    FLAG("due", "list: only reviews due within 5 working days or overdue", due),
    {0},
};

static const struct tc_opt annual_opts[] = {
    TC_OPT_BIND_INT("year", "YYYY", "the calendar year to report on",
		    struct args, year, 1900, 9999, "a year YYYY"),
    DAY("from", "or: the first day of the period", period.from),
    DAY("to", "and the last day of the period", period.to),
    {0},
};

static const struct tc_opt purge_opts[] = {
    FLAG("dry-run", "list what is past retention (the default)", dry_run),
    FLAG("yes", "remove it", yes),
    {0},
};

static const struct tc_opt quarantine_opts[] = {
    FLAG("all", "list: the decided ones too", qo.all),
    FLAG("json", "list, show: print JSON", qo.json),
    STR("reason", "TEXT", "release, reject: why (required; recorded)",
	qo.reason),
    STR("by", "WHO", "release, reject: the officer (default: your account)",
	qo.by),
    {0},
};

static const struct tc_opt init_opts[] = {
    STR("content", "DIR",
	"the council's content: rules.yml, forms/, letters/ (default: the "
	"folder's setting, else ./content)",
	content),
    STR("group", "GROUP",
	"share the data folder with this Unix group (its officers' accounts; "
	"\"\" for none)",
	init.group),
    STR("handlers-see-team", "yes|no",
	"whether handlers see their team's cases as well as their own",
	init.team_view),
    {0},
};

static const struct tc_opt new_opts[] = {
    STR("channel", "C",
	"how it came: phone, letter, email, in-person or social-media",
	nc.channel),
    STR("form", "F", "complaint (default), feedback or review", nc.form),
    STR("received", "\"YYYY-MM-DD HH:MM\"",
	"when the council received it, local time (or UTC ...Z)", nc.received),
    {"answers", "FILE.json",
     "the answers: one JSON object of the form's fields"},
    {"field", "NAME=VALUE", "one answer (after --answers; repeat for more)"},
    {"attach", "FILE",
     "a file to keep with it, such as a scanned letter "
     "(repeat for more)"},
    STR("by", "WHO", "the officer entering it (default: your account)", nc.by),
    {0},
};

static const struct tc_opt export_opts[] = {
    STR("email", "E", "the person's email address", rs.email),
    STR("phone", "P", "the person's phone number", rs.phone),
    STR("name", "N", "the person's name", rs.name),
    STR("out", "FILE.zip", "where to write the zip (0600)", out),
    {0},
};

static int cmd_init(int argc, char **argv);
static int cmd_new(int argc, char **argv);
static int cmd_ingest(int argc, char **argv);
static int cmd_report(int argc, char **argv);
static int cmd_list(int argc, char **argv);
static int cmd_show(int argc, char **argv);
static int cmd_record(int argc, char **argv);
static int cmd_restrict(int argc, char **argv);
static int cmd_annual(int argc, char **argv);
static int cmd_purge(int argc, char **argv);
static int cmd_export(int argc, char **argv);
static int cmd_quarantine(int argc, char **argv);
static int cmd_user(int argc, char **argv);

static const struct tc_cmd commands[] = {
    {"init", cmd_init,
     "make or update a data folder: where its content (rules, forms, "
     "letters) and theme are",
     "[--content DIR] [--theme DIR]", init_opts},
    {"new", cmd_new,
     "a case from a phone call, letter, email, visit or social-media "
     "message",
     "--channel C --received T (--answers FILE | --field N=V...)", new_opts},
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
    {"restrict", cmd_restrict,
     "contact restrictions: warn, add, list [--due], review ID, show ID, "
     "letter ID",
     "warn|add|list|review ID|show ID|letter ID [OPTIONS]", restrict_opts},
    {"annual", cmd_annual,
     "write reports/annual-YEAR.html and .csv: the year's figures",
     "--year YYYY | --from D --to D", annual_opts},
    {"purge", cmd_purge,
     "remove personal data past its retention period (dry run unless "
     "--yes)",
     "[--dry-run] [--yes]", purge_opts},
    {"quarantine", cmd_quarantine,
     "what waits in quarantine: list, show, release or reject a submission",
     "list [--all] | show ID | release ID --reason T | reject ID --reason T",
     quarantine_opts},
    {"user", cmd_user,
     "the officers: add, list, set or disable (administrators)",
     "add USERNAME --name N --role R | list | set USERNAME | disable "
     "USERNAME",
     user_opts},
    {"export", cmd_export,
     "everything held about a person in one zip (subject access)",
     "--email E | --phone P | --name N --out FILE.zip", export_opts},
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

/* The options given more than once, or naming files to read: new's
 * --answers, --field and --attach. */
static int set_option(void *arg, const char *name, const char *value)
{
	struct args *a = arg;
	struct cw_newcase *n = &a->nc;
	int file = strcmp(name, "field") != 0;

	if (!strcmp(name, "field") && n->nfield < CW_NEW_MAX_FIELDS)
		n->field[n->nfield++] = value;
	else if (!strcmp(name, "attach") && n->nattach < CW_MAX_FILES)
		n->attach[n->nattach++] = value;
	else if (!strcmp(name, "answers"))
		n->answers = value;
	else {
		tc_warnx("--%s: too many (at most %d)", name,
			 !strcmp(name, "field") ? CW_NEW_MAX_FIELDS
						: CW_MAX_FILES);
		return TC_EXIT_USAGE;
	}
	if (file && a->nreads < CW_MAX_FILES + 1)
		a->reads[a->nreads++] = (char *)value;
	return 0;
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
	a->env.data = getenv("CASEWORK_DATA") && getenv("CASEWORK_DATA")[0]
			  ? getenv("CASEWORK_DATA")
			  : "casework";
	a->env.today = CW_NODAY;
	a->q.due_within = -1;
	a->q.stage = -1;
	a->rec.date = CW_NODAY;
	a->rec.review = CW_NODAY;
	a->rec.new_date = CW_NODAY;
	a->rec.due = CW_NODAY;
	a->period.from = a->period.to = CW_NODAY;
	a->user.away_from = a->user.away_to = CW_NODAY;
	a->rest = calloc((size_t)argc + 1, sizeof(char *));
	if (!a->rest)
		tc_die_nomem();
	/* argv[at] plays the command's part for each round of parsing. */
	while (at < argc) {
		rc = tc_cli_parse(&prog, c, argc - at, argv + at, set_option, a,
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
	cw_config_release(&a->cfg);
	free(a->rest);
	return rc;
}

/* Parses, checks the number of positional arguments and opens the data
 * folder: as a writer (waiting for other writers) unless readonly. */
static int start_mode(const char *cmd, int argc, char **argv, struct args *a,
		      int min, int max, const char *usage, int readonly)
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
	a->env.readonly = readonly;
	a->env.sandbox_read = a->nreads ? a->reads : a->rest;
	a->env.sandbox_write = a->out;
	rc = cw_config_apply(&a->env, &a->cfg);
	if (!rc)
		rc = cw_env_open(&a->env);
	if (!rc)
		rc = cw_people_open(&a->env, cw_env_account(), a->as);
	return rc ? rc : cw_people_command(&a->env, cmd);
}

static int start(const char *cmd, int argc, char **argv, struct args *a,
		 int min, int max, const char *usage)
{
	return start_mode(cmd, argc, argv, a, min, max, usage, 0);
}

/* A command's verb: its name, the positional arguments with it, and
 * whether it only reads. */
struct verb {
	const char *name;
	int npos;
	int readonly;
};

/*
 * start_mode for a command of verbs (restrict, quarantine): the first
 * positional argument must be one of verbs (a NULL name ends them), with
 * its count of arguments. *which is its index.
 */
static int start_verb(const char *cmd, int argc, char **argv, struct args *a,
		      const struct verb *verbs, const char *usage, int *which)
{
	int rc = parse(cmd, argc, argv, a), i;
	const char *v;

	if (rc)
		return rc;
	v = a->npos ? a->rest[0] : "";
	for (i = 0; verbs[i].name && strcmp(verbs[i].name, v); i++)
		;
	if (!verbs[i].name || a->npos != verbs[i].npos) {
		tc_warnx("usage: casework %s %s", cmd, usage);
		return TC_EXIT_USAGE;
	}
	*which = i;
	free(a->rest);
	return start_mode(cmd, argc, argv, a, verbs[i].npos, verbs[i].npos,
			  usage, verbs[i].readonly);
}

static int cmd_init(int argc, char **argv)
{
	struct args a;
	int rc = parse("init", argc, argv, &a);

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	if (a.npos) {
		tc_warnx("usage: casework init [--content DIR] [--theme DIR]");
		return finish(&a, TC_EXIT_USAGE);
	}
	if (a.env.rules_path || a.env.forms_dir) {
		tc_warnx("init takes --content DIR (the folder of rules.yml "
			 "and forms/), not --rules or --forms");
		return finish(&a, TC_EXIT_USAGE);
	}
	a.init.as = a.as;
	return finish(&a, cw_init(&a.env, a.content, a.env.theme, &a.init));
}

static int cmd_new(int argc, char **argv)
{
	struct args a;
	int rc = start("new", argc, argv, &a, 0, 0,
		       "--channel C --received T (--answers FILE | --field "
		       "N=V...) [--attach FILE]...");

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	return finish(&a, cw_new(&a.env, &a.nc));
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
	int rc = start_mode("report", argc, argv, &a, 0, 0, "", 1);

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	/* Packs left waiting are written unless another casework (which will
	 * write them) is at work. */
	if ((cw_env_try_lock(&a.env) == 1 && cw_env_flush_packs(&a.env) < 0) ||
	    cw_report_write(&a.env) < 0)
		return finish(&a, TC_EXIT_ENV);
	return finish(&a, TC_EXIT_OK);
}

static int cmd_list(int argc, char **argv)
{
	struct args a;
	int rc = start_mode("list", argc, argv, &a, 0, 0, "[OPTIONS]", 1);

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	return finish(&a, cw_list(&a.env, &a.q, a.json));
}

static int cmd_show(int argc, char **argv)
{
	struct args a;
	int rc = start_mode("show", argc, argv, &a, 1, 1,
			    "REF [--json | --access]", 1);

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	if (a.access)
		return finish(&a, cw_show_access(&a.env, a.rest[0]));
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
	a.rec.target = a.target;
	return finish(&a, cw_record_event(&a.env, &a.rec));
}

static int cmd_restrict(int argc, char **argv)
{
	static const char usage[] =
	    "warn|add|list|review ID|show ID|letter ID [OPTIONS]";
	static const struct verb verbs[] = {
	    {"add", 1, 0},  {"list", 1, 1},   {"review", 2, 0}, {"show", 2, 1},
	    {"warn", 1, 0}, {"letter", 2, 0}, {NULL, 0, 0}};
	struct args a;
	int v = 0,
	    rc = start_verb("restrict", argc, argv, &a, verbs, usage, &v);

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	if (v == 0 || v == 4) {
		a.rs.start = a.rec.date != CW_NODAY ? a.rec.date : a.env.today;
		a.rs.review = a.rec.review;
		a.rs.reason = a.rec.reason;
		a.rs.warning = v == 4;
		if (a.warning &&
		    cw_restrict_parse_id(a.warning, &a.rs.warning_id) < 0) {
			tc_warnx("--warning: '%s' is not a restriction number "
				 "(R12 or 12)",
				 a.warning);
			return finish(&a, TC_EXIT_USAGE);
		}
		rc = cw_restrict_add(&a.env, &a.rs);
	} else if (v == 5)
		rc = cw_restrict_redraft(&a.env, a.rest[1]);
	else if (v == 1)
		rc = cw_restrict_list(&a.env, a.due);
	else if (v == 3)
		rc = cw_restrict_show(&a.env, a.rest[1]);
	else
		rc = cw_restrict_review(&a.env, a.rest[1], a.rec.outcome,
					a.rec.date, a.rec.review, a.rs.kind,
					a.rs.scope, a.rs.contact);
	return finish(&a, rc);
}

static int cmd_annual(int argc, char **argv)
{
	static const char usage[] = "--year YYYY | --from D --to D";
	struct args a;
	int rc = parse("annual", argc, argv, &a);

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	if (a.year) {
		if (a.period.from != CW_NODAY || a.period.to != CW_NODAY) {
			tc_warnx("annual: give --year or --from and --to, "
				 "not both");
			return finish(&a, TC_EXIT_USAGE);
		}
		a.period.from = tc_day_from_civil(a.year, 1, 1);
		a.period.to = tc_day_from_civil(a.year, 12, 31);
		a.period.year = a.year;
	} else if (a.period.from == CW_NODAY || a.period.to == CW_NODAY) {
		tc_warnx("usage: casework annual %s", usage);
		return finish(&a, TC_EXIT_USAGE);
	} else if (a.period.to < a.period.from) {
		tc_warnx("annual: --to comes before --from");
		return finish(&a, TC_EXIT_USAGE);
	}
	free(a.rest);
	{
		struct cw_period keep = a.period;

		rc = start_mode("annual", argc, argv, &a, 0, 0, usage, 1);
		a.period = keep;
	}
	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	return finish(&a, cw_annual(&a.env, &a.period));
}

static int cmd_purge(int argc, char **argv)
{
	struct args a;
	int rc = parse("purge", argc, argv, &a), act;

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	if (a.yes && a.dry_run) {
		tc_warnx("purge: --dry-run and --yes do not go together");
		return finish(&a, TC_EXIT_USAGE);
	}
	act = a.yes;
	free(a.rest);
	rc = start_mode("purge", argc, argv, &a, 0, 0, "[--dry-run] [--yes]",
			!act);
	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	return finish(&a, cw_purge(&a.env, act));
}

static int cmd_user(int argc, char **argv)
{
	static const char usage[] = "add USERNAME --name N --role R | list | "
				    "set USERNAME | disable USERNAME";
	static const struct verb verbs[] = {{"add", 2, 0},
					    {"list", 1, 1},
					    {"set", 2, 0},
					    {"disable", 2, 0},
					    {NULL, 0, 0}};
	struct args a;
	int v = 0, rc = start_verb("user", argc, argv, &a, verbs, usage, &v);

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	/* the first officer is added to an open register; after that, people
	 * are the administrators' (the complaints team lists them too) */
	if (a.env.who->people &&
	    (rc = cw_people_allow(&a.env,
				  v == 1 && a.env.who->o.role == TC_ROLE_TEAM
				      ? TC_ACT_WORK
				      : TC_ACT_PEOPLE,
				  NULL)))
		return finish(&a, rc);
	if (v == 0)
		rc = cw_user_add(&a.env, a.rest[1], &a.user);
	else if (v == 1)
		rc = cw_user_list(&a.env, a.json);
	else if (v == 2)
		rc = cw_user_set(&a.env, a.rest[1], &a.user);
	else
		rc = cw_user_disable(&a.env, a.rest[1]);
	return finish(&a, rc);
}

static int cmd_export(int argc, char **argv)
{
	static const char usage[] =
	    "--email E | --phone P | --name N --out FILE.zip";
	struct args a;
	int rc = parse("export", argc, argv, &a);

	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	if ((!a.rs.email && !a.rs.phone && !a.rs.name) || !a.out) {
		tc_warnx("usage: casework export %s", usage);
		return finish(&a, TC_EXIT_USAGE);
	}
	free(a.rest);
	rc = start_mode("export", argc, argv, &a, 0, 0, usage, 1);
	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	return finish(
	    &a, cw_export(&a.env, a.rs.email, a.rs.phone, a.rs.name, a.out));
}

static int cmd_quarantine(int argc, char **argv)
{
	static const char usage[] = "list [--all] [--json] | show [BUNDLE/]ID "
				    "[--json] | release|reject [BUNDLE/]ID "
				    "--reason TEXT [--by WHO]";
	static const struct verb verbs[] = {{"list", 1, 1},
					    {"show", 2, 1},
					    {"release", 2, 0},
					    {"reject", 2, 0},
					    {NULL, 0, 0}};
	struct args a;
	int v = 0, rc;

	rc = start_verb("quarantine", argc, argv, &a, verbs, usage, &v);
	if (rc)
		return finish(&a, rc < 0 ? 0 : rc);
	if (v == 0)
		rc = cw_quarantine_list(&a.env, &a.qo);
	else if (v == 1)
		rc = cw_quarantine_show(&a.env, a.rest[1], &a.qo);
	else if (v == 2)
		rc = cw_quarantine_release(&a.env, a.rest[1], &a.qo);
	else
		rc = cw_quarantine_reject(&a.env, a.rest[1], &a.qo);
	return finish(&a, rc);
}

int main(int argc, char **argv)
{
	/* The C library looks at /etc/localtime again at every mktime and
	 * localtime while TZ is unset (libzip calls them for each entry of a
	 * case pack); naming the same file once spares those calls. */
	if (!getenv("TZ"))
		(void)setenv("TZ", ":/etc/localtime", 0);
	/* who records what: looked up before the sandbox hides it */
	(void)cw_env_account();
	return tc_cli_main(&prog, argc, argv);
}
