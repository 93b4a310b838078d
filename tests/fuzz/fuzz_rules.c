/*
 * fuzz_rules.c: casework's rules loader (content/rules.yml) and the check
 * that the rules fit the forms.
 *
 * The input is written to rules.yml in a folder made once per run, beside
 * a copy of content/calendars/ (the rules name their calendar relative to
 * their own folder); tc_rules_load reads it. Rules that load are checked
 * against the real forms of content/forms ($THREECS_ROOT, default ".") and
 * asked the questions ingest asks: routes, exclusions, procedures,
 * reference formats, phrases and the date a submission counts from.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "err.h"
#include "forms.h"
#include "fsutil.h"
#include "fuzzlib.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct tc_forms *forms;

static void cleanup(void)
{
	tc_forms_free(forms);
	forms = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const cals[] = {"england-and-wales", "scotland",
					   "northern-ireland"};
	const char *root = fuzz_root(), *dir;
	char from[4200], to[4200];
	int nerr = 0;
	size_t i;

	(void)argc;
	(void)argv;
	snprintf(from, sizeof(from), "%s/content/forms", root);
	forms = tc_forms_load_dir(from, &nerr);
	if (!forms || nerr) {
		fprintf(stderr, "fuzz_rules: cannot load the forms in %s\n",
			from);
		abort();
	}
	dir = fuzz_scratch("fuzz_rules");
	atexit(cleanup);
	snprintf(to, sizeof(to), "%s/calendars", dir);
	if (tc_fs_mkdirs(to, 0700) < 0)
		abort();
	for (i = 0; i < sizeof(cals) / sizeof(cals[0]); i++) {
		snprintf(from, sizeof(from), "%s/content/calendars/%s.json",
			 root, cals[i]);
		snprintf(to, sizeof(to), "%s/calendars/%s.json", dir, cals[i]);
		fuzz_copy(from, to);
	}
	fuzz_input_file("rules.yml");
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const times[] = {
	    "2026-04-01T09:00:00Z", "2026-04-03T16:59:59Z",
	    "2026-12-31T23:59:59Z", "2026-03-29T00:30:00Z",
	    "1970-01-01T00:00:00Z"};
	struct tc_rules *r;
	int nerr = 0;
	size_t i;
	tc_day day;

	r = tc_rules_load(fuzz_input(data, size), &nerr);
	if (!r) {
		if (nerr <= 0)
			abort(); /* the file is there: a refusal is an error */
		return 0;
	}
	if (nerr)
		abort(); /* loaded rules have no errors */
	tc_rules_check_forms(r, forms);
	for (i = 0; i < r->nroute; i++)
		if (tc_rules_route(r, r->route[i].service_area) == NULL ||
		    !tc_rules_procedure(r, r->route[i].procedure))
			abort(); /* a route names a known procedure */
	for (i = 0; i < r->nexcl; i++)
		if (tc_rules_exclusion(r, r->excl[i].service_area) == NULL)
			abort();
	for (i = 0; i < r->nref; i++)
		if (tc_rules_refformat(r, r->ref[i].type) == NULL)
			abort();
	for (i = 0; i < r->nproc; i++)
		if (r->proc[i].nstages < 1)
			abort();
	tc_rules_match_phrase(r, "I got a parking ticket and the PCN was "
				 "wrong; also a planning application");
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		tc_rules_received_date(r, times[i], &day);
	tc_rules_free(r);
	return 0;
}
