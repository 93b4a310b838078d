/*
 * config.c: the data folder's settings and casework init (see config.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buffer.h"
#include "err.h"
#include "fsutil.h"
#include "people.h"
#include "utf8.h"
#include "yamljson.h"

static char *config_path(const char *data)
{
	struct tc_buf b = TC_BUF_INIT;

	if (tc_fs_join(&b, data, CW_CONFIG_FILE) < 0)
		tc_die_nomem();
	return tc_buf_detach(&b, NULL);
}

/* 1 when p is a path the settings can hold: absolute, text, no control
 * characters, nothing YAML would need more than quoting for. */
static int path_ok(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;

	if (p[0] != '/' || !tc_utf8_is_text(p, strlen(p), NULL))
		return 0;
	for (; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* 1 when s can name a Unix group: a letter or '_', then up to 31 of
 * letters, digits, '_', '-' and '.'. */
static int cw_group_name_ok(const char *s)
{
	size_t i;

	if (!s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (i > 31 || !((s[i] >= 'a' && s[i] <= 'z') ||
				(s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
				s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

static int bad(const struct tc_yaml_doc *doc, const cJSON *node,
	       const char *path, const char *what)
{
	int line = 0, col = 0;

	tc_yaml_where(doc, node, &line, &col);
	tc_warnx("%s:%d:%d: %s", path, line, col, what);
	return -1;
}

int cw_config_read(const char *data, struct cw_config *cfg)
{
	char *path = config_path(data);
	struct tc_error err;
	struct tc_yaml_doc *doc;
	const cJSON *root, *it;
	int rc = -1;
	struct stat st;

	memset(cfg, 0, sizeof(*cfg));
	if (stat(path, &st) < 0) {
		rc = errno == ENOENT || errno == ENOTDIR ? 0 : -1;
		if (rc < 0)
			tc_warn("cannot read the settings '%s'", path);
		free(path);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		tc_warnx("the settings '%s' are not a file", path);
		free(path);
		return -1;
	}
	tc_error_clear(&err);
	doc = tc_yaml_load_file(path, &err);
	if (!doc) {
		char msg[1600];

		tc_error_format(&err, msg, sizeof(msg));
		tc_warnx("%s (it is written by 'casework init')", msg);
		free(path);
		return -1;
	}
	root = tc_yaml_root(doc);
	if (!cJSON_IsObject(root)) {
		bad(doc, root, path,
		    "the settings must be a mapping (content: /path)");
		goto out;
	}
	cJSON_ArrayForEach(it, root)
	{
		char **slot = !strcmp(it->string, "content") ? &cfg->content
			      : !strcmp(it->string, "theme") ? &cfg->theme
							     : NULL;

		if (!strcmp(it->string, "group")) {
			if (!cJSON_IsString(it) ||
			    !cw_group_name_ok(it->valuestring)) {
				bad(doc, it, path,
				    "give the name of a Unix group in quotes "
				    "(run 'casework init --group NAME')");
				goto out;
			}
			cfg->group = tc_xstrdup(it->valuestring);
			continue;
		}
		if (!strcmp(it->string, "handlers_see_team")) {
			const char *v = cJSON_GetStringValue(it);

			if (!cJSON_IsBool(it) &&
			    (!v || (strcmp(v, "yes") && strcmp(v, "no")))) {
				bad(doc, it, path,
				    "handlers_see_team is \"yes\" or \"no\"");
				goto out;
			}
			cfg->team_view = cJSON_IsBool(it) ? cJSON_IsTrue(it)
							  : !strcmp(v, "yes");
			continue;
		}
		if (!slot) {
			int line = 0, col = 0;

			tc_yaml_key_where(doc, it, &line, &col);
			tc_warnx("%s:%d:%d: unknown setting '%s' (content, "
				 "theme, group, handlers_see_team)",
				 path, line, col, it->string);
			goto out;
		}
		if (!cJSON_IsString(it) || !path_ok(it->valuestring)) {
			bad(doc, it, path,
			    "give an absolute path in quotes (run 'casework "
			    "init' to write it)");
			goto out;
		}
		*slot = tc_xstrdup(it->valuestring);
	}
	rc = 1;
out:
	if (rc < 0)
		cw_config_release(cfg);
	tc_yaml_free(doc);
	free(path);
	return rc;
}

void cw_config_release(struct cw_config *cfg)
{
	free(cfg->content);
	free(cfg->theme);
	free(cfg->group);
	free(cfg->rules);
	free(cfg->forms);
	memset(cfg, 0, sizeof(*cfg));
}

static char *join(const char *a, const char *b)
{
	struct tc_buf p = TC_BUF_INIT;

	if (tc_fs_join(&p, a, b) < 0)
		tc_die_nomem();
	return tc_buf_detach(&p, NULL);
}

int cw_config_apply(struct cw_env *env, struct cw_config *cfg)
{
	int r = cw_config_read(env->data, cfg);
	const char *content;

	if (r < 0)
		return TC_EXIT_INPUT;
	env->group = cfg->group;
	env->team_view = cfg->team_view;
	if (env->rules_path && env->forms_dir && env->theme)
		return 0;
	content = cfg->content;
	if (!content && (!env->rules_path || !env->forms_dir)) {
		if (!tc_fs_is_dir("content")) {
			tc_warnx("no content folder: the data folder '%s' "
				 "names none and there is no content/ here "
				 "(run 'casework init --data %s --content "
				 "DIR', or give --rules and --forms)",
				 env->data, env->data);
			return TC_EXIT_USAGE;
		}
		content = "content";
	}
	if (!env->rules_path)
		env->rules_path = cfg->rules = join(content, "rules.yml");
	if (!env->forms_dir)
		env->forms_dir = cfg->forms = join(content, "forms");
	if (!env->theme)
		env->theme = cfg->theme;
	return 0;
}

/* An absolute form of the folder dir into *out (malloc'd), or an exit
 * code after a message. */
static int absolute_dir(const char *what, const char *dir, char **out)
{
	char *p = realpath(dir, NULL);

	if (!p) {
		tc_warn("%s folder '%s'", what, dir);
		return TC_EXIT_USAGE;
	}
	if (!tc_fs_is_dir(p) || !path_ok(p)) {
		tc_warnx("%s folder '%s': not a folder casework can name "
			 "(a folder, its path text without control "
			 "characters)",
			 what, dir);
		free(p);
		return TC_EXIT_USAGE;
	}
	*out = p;
	return 0;
}

static void yaml_line(struct tc_buf *b, const char *key, const char *v)
{
	const char *s;

	if (tc_buf_addf(b, "%s: \"", key) < 0)
		tc_die_nomem();
	for (s = v; *s; s++)
		if ((*s == '"' || *s == '\\') && tc_buf_addch(b, '\\') < 0)
			tc_die_nomem();
		else if (tc_buf_addch(b, *s) < 0)
			tc_die_nomem();
	if (tc_buf_adds(b, "\"\n") < 0)
		tc_die_nomem();
}

/* Who may use the data folder now: with gid (not -1), that group owns
 * every file and folder in it, folders 02770 and files 0660; without,
 * the owner alone, 0700 and 0600. */
static gid_t share_gid;

static int share_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	mode_t mode = flag == FTW_D || flag == FTW_DP
			  ? (share_gid != (gid_t)-1 ? 02770 : 0700)
			  : (share_gid != (gid_t)-1 ? 0660 : 0600);

	(void)ftw;
	if (S_ISLNK(st->st_mode))
		return 0;
	if ((share_gid != (gid_t)-1 && st->st_gid != share_gid &&
	     lchown(path, (uid_t)-1, share_gid) < 0) ||
	    chmod(path, mode) < 0) {
		tc_warn("cannot share '%s'", path);
		return -1;
	}
	return 0;
}

static int share_tree(const char *data, gid_t gid)
{
	share_gid = gid;
	return nftw(data, share_one, 16, FTW_PHYS) == 0 ? 0 : -1;
}

/* The group of the settings to be written: the one given (""
 * for none), else the one there was; its id into *gid ((gid_t)-1 for
 * none). NULL for none; (char *)-1 after a message. */
static const char *init_group(const struct cw_init_opts *o,
			      const struct cw_config *old, gid_t *gid)
{
	const char *g = o && o->group ? o->group : old->group;
	const struct group *gr;

	*gid = (gid_t)-1;
	if (!g || !*g)
		return NULL;
	if (!cw_group_name_ok(g) || !(gr = getgrnam(g))) {
		tc_warnx("--group: no Unix group '%s' (make it with groupadd, "
			 "and add each officer's account to it)",
			 g);
		return (const char *)-1;
	}
	*gid = gr->gr_gid;
	return g;
}

int cw_init(struct cw_env *env, const char *content, const char *theme,
	    const struct cw_init_opts *o)
{
	const char *group;
	gid_t gid;
	int team_view;
	struct cw_config old;
	struct tc_buf text = TC_BUF_INIT;
	char *abs_content = NULL, *abs_theme = NULL, *rules = NULL,
	     *forms = NULL, *path = NULL;
	int had = cw_config_read(env->data, &old), rc;

	if (had < 0 && !content)
		return TC_EXIT_INPUT;
	if (had < 0)
		tc_warnx("%s: the settings above are replaced", env->data);
	rc = absolute_dir("content",
			  content	? content
			  : old.content ? old.content
					: "content",
			  &abs_content);
	if (!rc && (theme || old.theme))
		rc = absolute_dir("theme", theme ? theme : old.theme,
				  &abs_theme);
	if (rc)
		goto out;
	group = init_group(o, &old, &gid);
	if (group == (const char *)-1) {
		rc = TC_EXIT_USAGE;
		goto out;
	}
	if (o && o->team_view && strcmp(o->team_view, "yes") &&
	    strcmp(o->team_view, "no")) {
		tc_warnx("--handlers-see-team: yes or no");
		rc = TC_EXIT_USAGE;
		goto out;
	}
	team_view =
	    o && o->team_view ? !strcmp(o->team_view, "yes") : old.team_view;
	env->group = group;
	rules = join(abs_content, "rules.yml");
	forms = join(abs_content, "forms");
	env->rules_path = rules;
	env->forms_dir = forms;
	env->theme = abs_theme;
	/* everything is checked, and the register made, before the settings
	 * are written */
	rc = cw_env_open(env);
	/* the settings are the administrators' once there are officers */
	if (!rc)
		rc = cw_people_open(env, cw_env_account(), o ? o->as : NULL);
	if (!rc)
		rc = cw_people_command(env, "init");
	if (rc)
		goto out;
	if (tc_buf_adds(&text, "# casework's settings for this data folder "
			       "(casework init writes them)\n") < 0)
		tc_die_nomem();
	yaml_line(&text, "content", abs_content);
	if (abs_theme)
		yaml_line(&text, "theme", abs_theme);
	if (group)
		yaml_line(&text, "group", group);
	if (team_view)
		yaml_line(&text, "handlers_see_team", "yes");
	if (share_tree(env->data, gid) < 0) {
		rc = TC_EXIT_ENV;
		goto out;
	}
	path = config_path(env->data);
	if (tc_fs_write_atomic(path, text.data, text.len, cw_file_mode()) < 0) {
		tc_warn("cannot write '%s'", path);
		rc = TC_EXIT_ENV;
		goto out;
	}
	printf("%s: %s for the content in %s (theme %s)%s%s\n", env->data,
	       had ? "settings updated" : "ready", abs_content,
	       abs_theme ? abs_theme : "themes/default beside it",
	       group ? "; shared with the group " : "", group ? group : "");
	rc = fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
out:
	/* env points at these until it is closed */
	cw_env_close(env);
	env->rules_path = env->forms_dir = env->theme = NULL;
	cw_config_release(&old);
	tc_buf_release(&text);
	free(abs_content);
	free(abs_theme);
	free(rules);
	free(forms);
	free(path);
	return rc;
}
