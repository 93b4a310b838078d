/*
 * selfassess.c: the Code's sections and the council's self-assessment file
 * (see selfassess.h).
 */
#include "selfassess.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buffer.h"
#include "err.h"
#include "yamljson.h"

/* The Housing Ombudsman's and the LGSCO's Complaint Handling Code (2024):
 * its section numbers and titles; the requirements summarised. */
static const struct cw_sa_section sections[CW_SA_SECTIONS] = {
    {"1", "Definitions",
     "Treat any expression of dissatisfaction as a complaint, whatever "
     "words the resident uses, and tell complaints apart from service "
     "requests."},
    {"2", "Exclusions",
     "Refuse a complaint only for a reason the policy sets out, tell the "
     "resident why and give the Ombudsman's details."},
    {"3", "Accessibility and awareness",
     "Make complaining easy through every channel, publish the policy, and "
     "make reasonable adjustments."},
    {"4", "Complaint handling staff",
     "A person or team responsible for complaints, with the authority, "
     "training and independence to resolve them."},
    {"5", "The complaint handling process",
     "One process of two stages: acknowledge, define and log each "
     "complaint promptly, and keep the resident informed."},
    {"6", "Complaint stages (stage 1 and stage 2)",
     "Answer each stage within its timescale, extending only with reasons "
     "and within the maximum; stage 2 by someone other than stage 1's "
     "handler."},
    {"7", "Putting things right",
     "Where something went wrong, put it right with a remedy that fits, and "
     "see it done."},
    {"8", "Self-assessment, reporting and compliance",
     "Assess against the Code each year, publish an annual complaints "
     "performance and service improvement report, and comply with the "
     "Ombudsman's decisions."},
    {"9", "Scrutiny and oversight: continuous learning and improvement",
     "Learn from complaints and improve services, with a member "
     "responsible for complaints and reports to the governing body."},
};

const struct cw_sa_section *cw_sa_sections(void)
{
	return sections;
}

/* One mistake at node (its key when key is set), counted in *nerr. */
static void mistake(const struct tc_yaml_doc *doc, const cJSON *node, int key,
		    int *nerr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void mistake(const struct tc_yaml_doc *doc, const cJSON *node, int key,
		    int *nerr, const char *fmt, ...)
{
	int line = 0, col = 0;
	char msg[1024];
	va_list ap;

	if (key)
		tc_yaml_key_where(doc, node, &line, &col);
	else
		tc_yaml_where(doc, node, &line, &col);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tc_input_error(tc_yaml_name(doc), line, col, "%s", msg);
	(*nerr)++;
}

/* The section a key names, or -1. */
static int section_of(const char *key)
{
	int i;

	for (i = 0; i < CW_SA_SECTIONS; i++)
		if (!strcmp(sections[i].num, key))
			return i;
	return -1;
}

/* One section's mapping into sa's slots of section i. */
static void read_section(const struct tc_yaml_doc *doc, const cJSON *m, int i,
			 struct cw_selfassess *sa, int *nerr)
{
	const cJSON *it;

	if (!cJSON_IsObject(m)) {
		mistake(doc, m, 0, nerr,
			"section %s must be a mapping (complies, evidence, "
			"commentary)",
			sections[i].num);
		return;
	}
	cJSON_ArrayForEach(it, m)
	{
		char **slot =
		    !strcmp(it->string, "complies")	? &sa->complies[i]
		    : !strcmp(it->string, "evidence")	? &sa->evidence[i]
		    : !strcmp(it->string, "commentary") ? &sa->commentary[i]
							: NULL;

		if (!slot) {
			mistake(doc, it, 1, nerr,
				"unknown key '%s' (complies, evidence, "
				"commentary)",
				it->string);
			continue;
		}
		if (!cJSON_IsString(it)) {
			mistake(doc, it, 0, nerr, "'%s' must be text",
				it->string);
			continue;
		}
		if (slot == &sa->complies[i] &&
		    strcmp(it->valuestring, "yes") &&
		    strcmp(it->valuestring, "no") &&
		    strcmp(it->valuestring, "partly")) {
			mistake(doc, it, 0, nerr,
				"complies is yes, no or partly, not '%s'",
				it->valuestring);
			continue;
		}
		*slot = tc_xstrdup(it->valuestring);
	}
}

int cw_selfassess_load(const char *path, struct cw_selfassess *sa)
{
	struct tc_yaml_doc *doc;
	struct tc_error e;
	const cJSON *root, *it;
	struct stat st;
	int nerr = 0, i;

	memset(sa, 0, sizeof(*sa));
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		tc_warn("cannot read the self-assessment '%s'", path);
		return -1;
	}
	tc_error_clear(&e);
	doc = tc_yaml_load_file(path, &e);
	if (!doc) {
		tc_report(&e);
		return e.code == TC_EIO ? -1 : 1;
	}
	root = tc_yaml_root(doc);
	if (cJSON_IsNull(root))
		goto out; /* an empty file says nothing */
	if (!cJSON_IsObject(root)) {
		mistake(doc, root, 0, &nerr,
			"the self-assessment is a mapping of the Code's "
			"sections ('1' to '9')");
		goto out;
	}
	cJSON_ArrayForEach(it, root)
	{
		i = section_of(it->string);
		if (i < 0)
			mistake(doc, it, 1, &nerr,
				"unknown section '%s' (the Code's sections are "
				"1 to 9)",
				it->string);
		else
			read_section(doc, it, i, sa, &nerr);
	}
out:
	tc_yaml_free(doc);
	return nerr ? 1 : 0;
}

void cw_selfassess_release(struct cw_selfassess *sa)
{
	int i;

	if (!sa)
		return;
	for (i = 0; i < CW_SA_SECTIONS; i++) {
		free(sa->complies[i]);
		free(sa->evidence[i]);
		free(sa->commentary[i]);
	}
	memset(sa, 0, sizeof(*sa));
}
