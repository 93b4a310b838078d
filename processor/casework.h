/*
 * casework.h: what every casework command works with: the data folder, the
 * rules, the forms, the register and "today".
 *
 * The data folder (created 0700):
 *   register.db            the register (0600)
 *   store/ID/              each processed submission as received
 *                          (submission.json, files/N), kept for packs
 *   casepacks/REF.zip      one pack per case or record
 *   reports/DATE.html,.csv the daily report
 *   quarantine/BUNDLE/ID/  submissions that failed a check, reason.txt
 *   letters/               drafts that belong to no case pack (a lifted
 *                          contact restriction)
 *   .lock                  held by the command that writes (flock)
 *   tmp/                   work in progress; emptied on start
 */
#ifndef CW_CASEWORK_H
#define CW_CASEWORK_H

#include "buffer.h"
#include "store.h"
#include "rules.h"
#include "testhooks.h" /* cw_crash_point, for env.c and ingest.c */

struct tc_forms;
struct cw_letters;
struct cw_who;
struct tc_tpl_set;

struct cw_env {
	const char *data;	 /* the data folder */
	const char *rules_path;	 /* content/rules.yml */
	const char *forms_dir;	 /* content/forms */
	const char *letters_dir; /* content/letters (beside the rules) */
	const char *theme;	 /* --theme: the theme folder, or NULL for
				    themes/default beside the content folder */
	tc_day today;		 /* --today, else the local date */
	int readonly;		 /* 1: reads the register (and writes reports)
				    alongside other commands; 0: a writer,
				    one at a time per data folder */
	int lock_fd;		 /* the data folder's lock, held; 0 or -1 if
				    not held */
	char today_s[11];	 /* the same as "YYYY-MM-DD" */
	struct tc_rules *rules;
	struct tc_forms *forms;
	struct cw_store *reg;
	struct cw_letters *letters; /* loaded on first pack */
	struct tc_tpl_set *tpl;	    /* the theme's casework/ templates */
	struct cw_who *who; /* who acts, once the register is open (people.h) */
	const char *group;  /* the Unix group sharing the data folder (its
			       settings), or NULL: the owner's alone */
	int team_view;	    /* the settings' handlers_see_team */
	/* Files beyond the data folder and content the command needs, for
	 * the sandbox: inputs it reads (bundles), NULL-terminated, and one
	 * file it writes (export --out). Both may be NULL. */
	char *const *sandbox_read;
	const char *sandbox_write;
};

/*
 * Sets up env for a command: makes the data folder (0700), loads and
 * checks rules and forms (and that they fit), opens the register, then
 * loads the theme's casework/ templates, then
 * narrows the process (sandbox.h): it may write only under the data folder
 * (and sandbox_write's folder) and read only the content folders, the
 * sandbox_read files and the time zone database. Fields data, rules_path,
 * forms_dir and today (CW_NODAY for the local date) must be set. Returns
 * an exit code: 0, 1 (bad rules or forms, reported) or 3.
 */
int cw_env_open(struct cw_env *env);
void cw_env_close(struct cw_env *env);

/*
 * For a readonly command that may also do a writer's tidying: takes the
 * data folder's lock if no other casework holds it. 1 taken, 0 busy,
 * -1 error.
 */
int cw_env_try_lock(struct cw_env *env);

/*
 * Renders the theme's casework template name (cover, letter, report,
 * annual, export-index) against ctx, appending to out. 0, or -1 (printed).
 */
int cw_render(struct cw_env *env, const char *name, const cJSON *ctx,
	      struct tc_buf *out);

/*
 * Building the cJSON context of a page (the theme renders it; it escapes,
 * so the strings go in as they are). Each dies when out of memory.
 */
/* name: s, or "" for NULL. */
void cw_ctx_str(cJSON *o, const char *name, const char *s);
/* name: v as decimal text, or "" when v is blank. */
void cw_ctx_num(cJSON *o, const char *name, long v, int blank);
void cw_ctx_bool(cJSON *o, const char *name, int v);
/* name: the day in words for a letter ("14 December 2026"), or "" for
 * CW_NODAY. */
void cw_ctx_day_words(cJSON *o, const char *name, tc_day day);
/* Member k of o: its string ("" when not a string), its number (NaN
 * when not a number). */
const char *cw_jstr(const cJSON *o, const char *k);
double cw_jnum(const cJSON *o, const char *k);
/* A new array in o as name; o owns it. */
cJSON *cw_ctx_arr(cJSON *o, const char *name);
/* A new object appended to arr; arr owns it. */
cJSON *cw_ctx_item(cJSON *arr);
/* Appends the string s ("" for NULL) to arr. */
void cw_ctx_push(cJSON *arr, const char *s);
/* A page's context: its title, and the stylesheet's part for it (style
 * true: "pack", "figures"; NULL for the plain one). The caller frees it
 * with cJSON_Delete. */
cJSON *cw_ctx_page(const char *title, const char *style);

/* path = data "/" rel into out (reset first). 0 or -1 (ENOMEM: dies). */
void cw_env_path(const struct cw_env *env, const char *rel, struct tc_buf *out);

/*
 * Makes what the register marks as waiting durable on disk: writes every
 * dirty case's pack, syncs, marks them written. Returns 0 or -1 (printed).
 */
int cw_env_flush_packs(struct cw_env *env);

/* The modes casework gives what it makes in the data folder: 0600 and
 * 0700, or 0660 and 02770 when the settings share it with a group. */
unsigned cw_file_mode(void);
unsigned cw_dir_mode(void);

/* Makes everything written under data durable (syncfs). 0 or -1. */
int cw_env_sync(struct cw_env *env);

/* Appends action with detail (which it frees; no personal data in it) to
 * the register's audit log, dated today. 0 or -1 (printed). */
int cw_env_audit(struct cw_env *env, const char *action, cJSON *detail);

/* The Unix account's name, looked up once (call it before the data
 * folder is opened: the sandbox hides the password file): who an
 * officer's step is recorded as done by when no --by is given. */
const char *cw_env_account(void);

/* How people name a service area: its label in the forms' list of
 * services, or the slug itself when the forms do not name it (NULL for
 * NULL). */
const char *cw_service_name(const struct cw_env *env, const char *slug);

#endif
