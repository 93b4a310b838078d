/*
 * config.h: the data folder's settings, DATA/casework.yml: where the
 * council's content is (the folder holding rules.yml, forms/ and
 * letters/) and, optionally, the theme. Written by `casework init`, read
 * by every command, so casework finds its rules from any working folder.
 *
 *   content: "/srv/council/content"
 *   theme: "/srv/council/themes/default"
 *   group: "complaints"        (optional: the Unix group sharing it)
 *   handlers_see_team: "no"    (optional: handlers see their team's cases)
 *
 * Both paths are absolute. --rules, --forms and --theme still win.
 */
#ifndef CW_CONFIG_H
#define CW_CONFIG_H

#include "casework.h"

#define CW_CONFIG_FILE "casework.yml"

/* The settings; NULL for one not set. */
struct cw_config {
	char *content;
	char *theme;
	char *rules, *forms; /* what cw_config_apply made of content */
	char *group;	     /* the Unix group that shares the data folder */
	int team_view;	     /* handlers_see_team: 1 yes, 0 no */
};

/* What casework init may change besides the content and theme folders;
 * NULL leaves the setting as it was. */
struct cw_init_opts {
	const char *group;     /* a Unix group, or "" for none */
	const char *team_view; /* yes or no */
	const char *as;	       /* --officer: who acts (people.h) */
};

/*
 * Reads data's settings into cfg: 1 read, 0 when the folder has none, -1
 * after printing what is wrong (file:line and the fix).
 */
int cw_config_read(const char *data, struct cw_config *cfg);
void cw_config_release(struct cw_config *cfg);

/*
 * Fills what env has not been given (rules_path, forms_dir, theme) from
 * the data folder's settings, or else content/ in the working folder; the
 * strings it sets live in cfg. 0, or an exit code after a message that
 * says how to set the content folder.
 */
int cw_config_apply(struct cw_env *env, struct cw_config *cfg);

/*
 * casework init: makes or updates the data folder for the content folder
 * (and, when o says so, who shares it: the group that owns every file in
 * it from then on, folders 02770 and files 0660; and whether handlers see
 * their team's cases)
 * content (default: the data folder's setting, else ./content) and theme
 * (NULL: the data folder's setting, else themes/default beside the
 * content), checks that the rules and forms load, and writes the settings
 * with absolute paths. Returns an exit code.
 */
int cw_init(struct cw_env *env, const char *content, const char *theme,
	    const struct cw_init_opts *o);

#endif
