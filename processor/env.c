/*
 * env.c: what every casework command sets up (see casework.h).
 */
#define _GNU_SOURCE /* syncfs */
#include "casework.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "casepack.h"
#include "err.h"
#include "fields.h"
#include "forms.h"
#include "fsutil.h"
#include "limits.h"
#include "people.h"
#include "sandbox.h"
#include "template.h"

void cw_env_path(const struct cw_env *env, const char *rel, struct tc_buf *out)
{
	tc_buf_reset(out);
	if (tc_buf_addf(out, "%s/%s", env->data, rel) < 0)
		tc_die_nomem();
}

static int local_today(tc_day *out)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[11];

	if (!localtime_r(&now, &tm) ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d", &tm) != 10)
		return -1;
	return tc_day_parse(buf, out);
}

/* The letters folder beside the rules file: content/letters. */
static char *letters_dir(const char *rules_path)
{
	struct tc_buf b = TC_BUF_INIT;
	const char *slash = strrchr(rules_path, '/');

	if (slash) {
		if (tc_buf_add(&b, rules_path,
			       (size_t)(slash - rules_path) + 1) < 0)
			tc_die_nomem();
	}
	if (tc_buf_adds(&b, "letters") < 0)
		tc_die_nomem();
	return tc_buf_detach(&b, NULL);
}

/* The default theme: themes/default in the folder that holds the content
 * folder (themes/default when the rules are content/rules.yml). */
static char *default_theme(const char *rules_path)
{
	struct tc_buf content = TC_BUF_INIT, b = TC_BUF_INIT;

	if (tc_fs_dirname(&content, rules_path) < 0 ||
	    tc_fs_dirname(&b, content.data) < 0)
		tc_die_nomem();
	if (!strcmp(b.data, "."))
		tc_buf_reset(&b);
	else if (tc_buf_addch(&b, '/') < 0)
		tc_die_nomem();
	if (tc_buf_adds(&b, "themes/default") < 0)
		tc_die_nomem();
	tc_buf_release(&content);
	return tc_buf_detach(&b, NULL);
}

/*
 * Compiles the theme's casework/ templates into env->tpl, before the
 * sandbox narrows the process. A missing or broken file is an error of
 * the environment, named. 0 or -1 (printed).
 */
static int load_theme(struct cw_env *env, const char *theme)
{
	static const char *const files[][2] = {
	    {"head", "head.mustache"},
	    {"foot", "foot.mustache"},
	    {"stylesheet", "casework.css"},
	    {"row", "row.mustache"},
	    {"words", "words.mustache"},
	    {"cover", "cover.mustache"},
	    {"letter", "letter.mustache"},
	    {"letter-text", "letter-text.mustache"},
	    {"report", "report.mustache"},
	    {"annual", "annual.mustache"},
	    {"annual-table", "annual-table.mustache"},
	    {"export-index", "export-index.mustache"},
	};
	struct tc_buf path = TC_BUF_INIT;
	struct tc_error e;
	size_t i;
	int rc = -1;

	env->tpl = tc_tpl_set_new(NULL, NULL);
	if (!env->tpl)
		tc_die_nomem();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		tc_buf_reset(&path);
		if (tc_buf_addf(&path, "%s/casework/%s", theme, files[i][1]) <
		    0)
			tc_die_nomem();
		tc_error_clear(&e);
		if (tc_tpl_add_file(env->tpl, files[i][0], path.data, &e) < 0) {
			if (e.code == TC_EIO)
				tc_warn("cannot read the template '%s' (use "
					"--theme DIR)",
					path.data);
			else
				tc_report(&e);
			goto out;
		}
	}
	rc = 0;
out:
	tc_buf_release(&path);
	return rc;
}

int cw_render(struct cw_env *env, const char *name, const cJSON *ctx,
	      struct tc_buf *out)
{
	struct tc_error e;

	tc_error_clear(&e);
	if (tc_tpl_render(env->tpl, name, ctx, out, &e) < 0) {
		tc_report(&e);
		return -1;
	}
	return 0;
}

void cw_ctx_str(cJSON *o, const char *name, const char *s)
{
	if (!cJSON_AddStringToObject(o, name, s ? s : ""))
		tc_die_nomem();
}

void cw_ctx_num(cJSON *o, const char *name, long v, int blank)
{
	char num[24];

	if (v == blank)
		num[0] = 0;
	else
		snprintf(num, sizeof(num), "%ld", v);
	cw_ctx_str(o, name, num);
}

const char *cw_jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

double cw_jnum(const cJSON *o, const char *k)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

void cw_ctx_day_words(cJSON *o, const char *name, tc_day day)
{
	char w[TC_DAY_WORDS] = "";

	if (day != CW_NODAY)
		tc_day_words(day, w);
	cw_ctx_str(o, name, w);
}

void cw_ctx_bool(cJSON *o, const char *name, int v)
{
	if (!cJSON_AddBoolToObject(o, name, v))
		tc_die_nomem();
}

cJSON *cw_ctx_arr(cJSON *o, const char *name)
{
	cJSON *a = cJSON_AddArrayToObject(o, name);

	if (!a)
		tc_die_nomem();
	return a;
}

cJSON *cw_ctx_item(cJSON *arr)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		tc_die_nomem();
	return o;
}

void cw_ctx_push(cJSON *arr, const char *s)
{
	cJSON *v = cJSON_CreateString(s ? s : "");

	if (!v || !cJSON_AddItemToArray(arr, v))
		tc_die_nomem();
}

cJSON *cw_ctx_page(const char *title, const char *style)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		tc_die_nomem();
	cw_ctx_str(o, "title", title);
	if (style)
		cw_ctx_bool(o, style, 1);
	return o;
}

/* Removes the temporary files an interrupted atomic write leaves ('.'
 * names) from one folder. */
static int remove_dotfiles(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct tc_buf p = TC_BUF_INIT;
	int rc = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		tc_buf_reset(&p);
		if (tc_buf_addf(&p, "%s/%s", dir, de->d_name) < 0)
			tc_die_nomem();
		if (unlink(p.data) < 0 && errno != ENOENT)
			rc = -1;
	}
	closedir(d);
	tc_buf_release(&p);
	return rc;
}

/* How long a writer waits for another to finish, in seconds. */
static int lock_wait(void)
{
	const char *e = getenv("CASEWORK_LOCK_WAIT");
	char *end;
	long v;

	if (!e || !*e)
		return 300;
	v = strtol(e, &end, 10);
	return (*end || v < 0 || v > 86400) ? 300 : (int)v;
}

/*
 * One writer at a time per data folder: the lock lasts the process. With
 * wait, waits up to lock_wait() seconds (saying so once); else gives up at
 * once. Returns 1 taken, 0 busy, -1 error.
 */
static int lock_data(struct cw_env *env, int wait)
{
	struct tc_buf p = TC_BUF_INIT;
	struct timespec nap = {0, 100 * 1000 * 1000};
	int fd, rc = -1, tries = lock_wait() * 10, said = 0;

	if (env->lock_fd > 0)
		return 1;
	cw_env_path(env, ".lock", &p);
	fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, cw_file_mode());
	if (fd < 0) {
		tc_warn("cannot open '%s'", p.data);
		goto out;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			rc = 1;
			break;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			tc_warn("cannot lock '%s'", p.data);
			break;
		}
		if (!wait) {
			rc = 0;
			break;
		}
		if (tries-- <= 0) {
			tc_warnx("another casework is still changing '%s': "
				 "gave up waiting; try again when it has "
				 "finished",
				 env->data);
			break;
		}
		if (!said++)
			tc_warnx("waiting for another casework to finish "
				 "with '%s'",
				 env->data);
		nanosleep(&nap, NULL);
	}
out:
	if (rc == 1)
		env->lock_fd =
		    fd; /* stays open, holding the lock, until exit */
	else if (fd >= 0)
		close(fd);
	tc_buf_release(&p);
	return rc;
}

/* Removes what a writer that stopped half way left: tmp/ and the '.'
 * temporaries of atomic writes. Only with the lock held. */
static int tidy(struct cw_env *env)
{
	static const char *const dirs[] = {"store",	 "casepacks", "reports",
					   "quarantine", "tmp",	      NULL};
	struct tc_buf p = TC_BUF_INIT;
	int i, rc = -1;

	cw_env_path(env, "tmp", &p);
	if (tc_fs_remove_tree(p.data) < 0) {
		tc_warn("cannot empty '%s'", p.data);
		goto out;
	}
	for (i = 0; dirs[i]; i++) {
		cw_env_path(env, dirs[i], &p);
		if (tc_fs_mkdirs(p.data, cw_dir_mode()) < 0 ||
		    remove_dotfiles(p.data) < 0) {
			tc_warn("cannot make or tidy '%s'", p.data);
			goto out;
		}
	}
	rc = 0;
out:
	tc_buf_release(&p);
	return rc;
}

int cw_env_try_lock(struct cw_env *env)
{
	int r = lock_data(env, 0);

	if (r == 1 && tidy(env) < 0)
		return -1;
	return r;
}

/* The folder part of path ("." when it has none), newly allocated. */
static char *folder_of(const char *path)
{
	struct tc_buf b = TC_BUF_INIT;

	if (tc_fs_dirname(&b, path) < 0)
		tc_die_nomem();
	return tc_buf_detach(&b, NULL);
}

/* Narrows the process to what the command needs. 0 or -1 (printed). */
static int enter_sandbox(const struct cw_env *env)
{
	struct tc_sandbox sb;
	char *content = folder_of(env->rules_path), *out = NULL, *in;
	size_t i;
	int rc = -1;

	tc_sandbox_init(&sb);
	if (tc_sandbox_allow(&sb, env->data,
			     TC_SANDBOX_READ | TC_SANDBOX_WRITE) < 0 ||
	    tc_sandbox_allow(&sb, content, TC_SANDBOX_READ) < 0 ||
	    tc_sandbox_allow(&sb, env->forms_dir, TC_SANDBOX_READ) < 0 ||
	    tc_sandbox_allow_system(&sb) < 0)
		goto full;
	if (env->sandbox_write) {
		/* The file is written beside itself and renamed into place. */
		out = folder_of(env->sandbox_write);
		if (tc_sandbox_allow(&sb, out,
				     TC_SANDBOX_READ | TC_SANDBOX_WRITE) < 0)
			goto full;
	}
	/* Bundles are read from their folders (one rule for a day's many). */
	for (i = 0; env->sandbox_read && env->sandbox_read[i]; i++) {
		in = folder_of(env->sandbox_read[i]);
		if (tc_sandbox_allow(&sb, in, TC_SANDBOX_READ) < 0) {
			free(in);
			goto full;
		}
		free(in);
	}
	rc = tc_sandbox_enter(&sb);
	goto out;
full:
	tc_warnx("bundles from too many folders at once: give those of at most "
		 "%d folders",
		 TC_SANDBOX_MAX - 8);
out:
	tc_sandbox_release(&sb);
	free(content);
	free(out);
	return rc;
}

/* 1: the data folder is shared by its settings' group. */
static int group_mode;

unsigned cw_file_mode(void)
{
	return group_mode ? 0660 : 0600;
}

unsigned cw_dir_mode(void)
{
	return group_mode ? 02770 : 0700;
}

int cw_env_open(struct cw_env *env)
{
	static const char *const dirs[] = {"store",	 "casepacks", "reports",
					   "quarantine", "tmp",	      NULL};
	struct tc_buf p = TC_BUF_INIT;
	int nerr = 0, i, rc = TC_EXIT_ENV;

	if (env->today == CW_NODAY && local_today(&env->today) < 0) {
		tc_warnx("cannot tell today's date: give --today");
		goto out;
	}
	tc_day_format(env->today, env->today_s);
	env->rules = tc_rules_load(env->rules_path, &nerr);
	if (!env->rules) {
		rc = nerr ? TC_EXIT_INPUT : TC_EXIT_ENV;
		goto out;
	}
	env->forms = tc_forms_load_dir(env->forms_dir, &nerr);
	if (!env->forms) {
		tc_warn("cannot read the forms in '%s'", env->forms_dir);
		goto out;
	}
	if (nerr || tc_rules_check_forms(env->rules, env->forms)) {
		tc_warnx("the rules and forms must be fixed first");
		rc = TC_EXIT_INPUT;
		goto out;
	}
	env->letters_dir = letters_dir(env->rules_path);
	if (env->theme) {
		if (load_theme(env, env->theme) < 0)
			goto out;
	} else {
		char *theme = default_theme(env->rules_path);
		int k = load_theme(env, theme);

		free(theme);
		if (k < 0)
			goto out;
	}
	group_mode = env->group != NULL;
	umask(group_mode ? 007 : 077);
	if (tc_fs_mkdirs(env->data, cw_dir_mode()) < 0) {
		tc_warn("cannot make the data folder '%s'", env->data);
		goto out;
	}
	if (!env->readonly && (lock_data(env, 1) != 1 || tidy(env) < 0))
		goto out;
	for (i = 0; dirs[i]; i++) {
		cw_env_path(env, dirs[i], &p);
		if (tc_fs_mkdirs(p.data, cw_dir_mode()) < 0) {
			tc_warn("cannot make '%s'", p.data);
			goto out;
		}
	}
	cw_env_path(env, "register.db", &p);
	env->reg = cw_store_open(p.data, cw_file_mode());
	if (!env->reg || enter_sandbox(env) < 0)
		goto out;
	rc = TC_EXIT_OK;
out:
	tc_buf_release(&p);
	return rc;
}

void cw_env_close(struct cw_env *env)
{
	if (env->lock_fd > 0)
		close(env->lock_fd);
	env->lock_fd = -1;
	cw_store_close(env->reg);
	env->reg = NULL;
	cw_people_close(env);
	cw_letters_free(env->letters);
	env->letters = NULL;
	tc_tpl_set_free(env->tpl);
	env->tpl = NULL;
	tc_forms_free(env->forms);
	env->forms = NULL;
	tc_rules_free(env->rules);
	env->rules = NULL;
	free((char *)env->letters_dir);
	env->letters_dir = NULL;
}

int cw_env_sync(struct cw_env *env)
{
	int fd = open(env->data, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = -1;

	if (fd < 0 || syncfs(fd) < 0)
		tc_warn("cannot sync '%s'", env->data);
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

int cw_env_flush_packs(struct cw_env *env)
{
	int64_t *ids = NULL, id = 0;
	size_t n = 0, cap = 0, i;
	int rc = -1;

	/* One transaction: the packs are read from one snapshot of the
	 * register (not a lock taken and dropped for every statement), and
	 * marked written only after the sync that makes them durable. */
	if (cw_store_begin(env->reg) < 0)
		goto out;
	while ((id = cw_store_next_dirty(env->reg, id)) > 0) {
		TC_ALLOC_GROW(ids, n + 1, cap);
		if (cw_casepack_write(env, id) < 0)
			goto out;
		ids[n++] = id;
		cw_crash_point();
	}
	if (id < 0)
		goto out;
	if (n && cw_env_sync(env) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (cw_store_pack_done(env->reg, ids[i]) < 0)
			goto out;
	if (cw_store_commit(env->reg) < 0)
		goto out;
	rc = 0;
out:
	cw_store_rollback(env->reg); /* when still open */
	free(ids);
	return rc;
}

int cw_env_audit(struct cw_env *env, const char *action, cJSON *detail)
{
	char *txt = detail ? cJSON_PrintUnformatted(detail) : NULL;
	int rc;

	if (!txt)
		tc_die_nomem();
	rc = cw_store_audit(env->reg, env->today_s, action, txt);
	free(txt);
	cJSON_Delete(detail);
	return rc;
}

const char *cw_env_account(void)
{
	static char name[128];
	const struct passwd *pw;
	const char *u;

	if (name[0])
		return name;
	pw = getpwuid(geteuid());
	u = pw && pw->pw_name && pw->pw_name[0] ? pw->pw_name : getenv("USER");
	snprintf(name, sizeof(name), "%s", u && u[0] ? u : "unknown");
	return name;
}

const char *cw_service_name(const struct cw_env *env, const char *slug)
{
	static const char *const forms[] = {TC_FORM_COMPLAINT,
					    TC_FORM_FEEDBACK};
	const char *label = NULL;
	size_t i;

	if (!slug || !env->forms)
		return slug;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]) && !label; i++) {
		const struct tc_form *f = tc_forms_find(env->forms, forms[i]);

		if (f)
			label = tc_form_option_label(f, "service_area", slug);
	}
	return label ? label : slug;
}
