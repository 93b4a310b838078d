/*
 * access.c: the roles' rules (see access.h). Each refusal is one sentence
 * that names its rule, so that the person refused, and whoever reads the
 * log, know which rule it was.
 */
#include "access.h"

#include <string.h>

static const char *const names[] = {
    [TC_ROLE_NONE] = "",
    [TC_ROLE_ADMIN] = "administrator",
    [TC_ROLE_TEAM] = "complaints-team",
    [TC_ROLE_HANDLER] = "handler",
    [TC_ROLE_VIEWER] = "viewer",
};

const char *tc_role_name(enum tc_role r)
{
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "";
}

enum tc_role tc_role_parse(const char *s)
{
	unsigned i;

	for (i = 1; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (enum tc_role)i;
	return TC_ROLE_NONE;
}

static int same(const char *a, const char *b)
{
	return a && b && *a && !strcmp(a, b);
}

/* Whether a handler's case is theirs: allocated to them, or (team_view)
 * their team's. */
static int theirs(const struct tc_officer *who, const char *handler,
		  const char *team, int team_view)
{
	return same(handler, who->username) ||
	       (team_view && same(team, who->team));
}

const char *tc_access(const struct tc_officer *who, enum tc_act act,
		      const char *handler, const char *team, int team_view)
{
	if (!who)
		return NULL;
	if (!who->active)
		return "rule 'disabled': a disabled account may do nothing";
	switch (who->role) {
	case TC_ROLE_ADMIN:
		if (act == TC_ACT_PEOPLE || act == TC_ACT_REPORT)
			return NULL;
		return "rule 'administrator': an administrator manages "
		       "people and settings and reads anonymised reports, "
		       "not cases";
	case TC_ROLE_TEAM:
		if (act != TC_ACT_PEOPLE)
			return NULL;
		return "rule 'people': only an administrator manages people "
		       "and settings";
	case TC_ROLE_HANDLER:
		if ((act == TC_ACT_READ || act == TC_ACT_RECORD) &&
		    theirs(who, handler, team, team_view))
			return NULL;
		if (act == TC_ACT_READ || act == TC_ACT_RECORD)
			return team_view
				   ? "rule 'handler': a handler reads and "
				     "records only the cases allocated to "
				     "them or to their team"
				   : "rule 'handler': a handler reads and "
				     "records only the cases allocated to "
				     "them";
		return "rule 'handler': allocation, reports and the work of "
		       "every case belong to the complaints team";
	case TC_ROLE_VIEWER:
		if (act == TC_ACT_REPORT)
			return NULL;
		return "rule 'viewer': a viewer reads the anonymised reports "
		       "only";
	case TC_ROLE_NONE:
		break;
	}
	return "rule 'role': the account has no role";
}

int tc_officer_away(const struct tc_officer *who, tc_day day)
{
	if (!who || who->away_from == TC_NODAY || day < who->away_from)
		return 0;
	return who->away_to == TC_NODAY || day <= who->away_to;
}
