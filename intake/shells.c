/*
 * shells.c: the forms intake serves and the page shells sitegen wrote for
 * them, loaded as one set and replaced whole when the site is rebuilt.
 *
 * A request takes a reference to the set it first looks a form up in and
 * keeps it to its end, so a reload never changes a form under a post in
 * flight: the old set is freed when its last request completes.
 */
#define _GNU_SOURCE /* fstatat's AT_ flags */

#include "serve_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "err.h"
#include "fsutil.h"
#include "limits.h"
#include "template.h"

/* The file sitegen writes last in a build, and the folders of shells. */
static const char manifest_name[] = ".sitegen-manifest";
static const char *const shell_dirs[] = {".threecs/forms", ".threecs/received",
					 ".threecs/copy",  ".threecs/status",
					 ".threecs/mail",  ".threecs/check"};

/* Reads site/.threecs/KIND/ID.html into *out (malloc'd); what names it in
 * a message ("for form 'complaint'"). */
static int read_shell(const char *site, const char *kind, const char *id,
		      const char *what, const char *needle, char **out,
		      size_t *len)
{
	struct tc_buf path = TC_BUF_INIT, b = TC_BUF_INIT;
	int rc = -1;

	if (tc_buf_addf(&path, "%s/.threecs/%s/%s.html", site, kind, id) < 0)
		goto nomem;
	if (tc_fs_read(path.data, TC_MAX_RENDER, &b) < 0) {
		if (errno == ENOENT)
			tc_warnx("%s: missing page shell %s '%s' (run "
				 "sitegen build%s)",
				 path.data, what, id,
				 strcmp(kind, "status")
				     ? ", with a page that holds the form"
				     : " with this version's theme");
		else
			tc_warn("%s: cannot read the page shell", path.data);
		goto out;
	}
	if (!strstr(b.data, needle)) {
		tc_warnx("%s: the page shell has no '%s' (run sitegen build "
			 "again)",
			 path.data, needle);
		goto out;
	}
	*out = tc_buf_detach(&b, len);
	if (!*out)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	tc_warnx("out of memory");
out:
	tc_buf_release(&path);
	tc_buf_release(&b);
	return rc;
}

/* Reads site/.threecs/mail/ID.txt, the confirmation email's text. */
static int read_mail(const char *site, const char *id, char **out)
{
	struct tc_buf path = TC_BUF_INIT, b = TC_BUF_INIT;
	int rc = -1;

	if (tc_buf_addf(&path, "%s/.threecs/mail/%s.txt", site, id) < 0) {
		tc_warnx("out of memory");
		goto out;
	}
	if (tc_fs_read(path.data, TC_MAX_RENDER, &b) < 0) {
		tc_warn("%s: cannot read the confirmation email for form '%s' "
			"(run sitegen build with this version's theme, or "
			"leave out --mail-from)",
			path.data, id);
		goto out;
	}
	if (strncmp(b.data, "Subject: ", 9) || !strchr(b.data, '\n')) {
		tc_warnx("%s: the email's first line must be 'Subject: ...' "
			 "(check the theme's layouts/mail.mustache)",
			 path.data);
		goto out;
	}
	*out = tc_buf_detach(&b, NULL);
	rc = *out ? 0 : -1;
out:
	tc_buf_release(&path);
	tc_buf_release(&b);
	return rc;
}

/* Compiles the theme's template for a copy of the answers. */
static int load_answers(const char *site, struct tc_tpl_set **out)
{
	struct tc_buf path = TC_BUF_INIT;
	struct tc_error err;
	int rc = -1;

	tc_error_clear(&err);
	*out = tc_tpl_set_new(NULL, NULL);
	if (!*out ||
	    tc_buf_addf(&path, "%s/%s", site, TC_ANSWERS_TEMPLATE) < 0) {
		tc_warnx("out of memory");
		goto out;
	}
	if (tc_tpl_add_file(*out, "answers", path.data, &err) < 0) {
		if (err.code == TC_EIO)
			tc_warn("%s: cannot read the template for a copy of "
				"the answers (run sitegen build with this "
				"version's theme)",
				path.data);
		else
			tc_report(&err);
		goto out;
	}
	rc = 0;
out:
	tc_buf_release(&path);
	return rc;
}

static void shell_release(struct intake_shell *sh)
{
	free(sh->form_page);
	free(sh->received_page);
	free(sh->copy_page);
	free(sh->mail_text);
	free(sh->check_page);
}

static void set_free(struct intake_forms *fs)
{
	size_t i;

	if (!fs)
		return;
	for (i = 0; i < TC_STATUS_COUNT; i++)
		free(fs->status[i]);
	tc_tpl_set_free(fs->answers);
	TC_RELEASE_EACH(fs->shells, fs->nshells, shell_release);
	tc_forms_free(fs->forms);
	free(fs);
}

static void mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		*h = (*h ^ *b++) * 1099511628211u; /* FNV-1a */
}

static void stamp_file(uint64_t *h, int dirfd, const char *name)
{
	struct stat sb;

	mix(h, name, strlen(name) + 1);
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	mix(h, &sb.st_ino, sizeof(sb.st_ino));
	mix(h, &sb.st_size, sizeof(sb.st_size));
	mix(h, &sb.st_mtim.tv_sec, sizeof(sb.st_mtim.tv_sec));
	mix(h, &sb.st_mtim.tv_nsec, sizeof(sb.st_mtim.tv_nsec));
}

/* Every file of a folder (in the order readdir gives, which for one
 * unchanged folder is the same each time). */
static void stamp_dir(uint64_t *h, int at, const char *path)
{
	int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		mix(h, "-", 1);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			stamp_file(h, dirfd(d), e->d_name);
	closedir(d);
}

/*
 * What the forms are read from, as it is now: the build's manifest, the
 * page shells and the definitions. sitegen replaces a file it changes (a
 * new inode), and leaves alone one it does not.
 */
static void manifest_stamp(const struct intake_ctx *ctx,
			   struct intake_stamp *st)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	stamp_file(&h, ctx->site_fd, manifest_name);
	for (i = 0; i < sizeof(shell_dirs) / sizeof(*shell_dirs); i++)
		stamp_dir(&h, ctx->site_fd, shell_dirs[i]);
	stamp_dir(&h, AT_FDCWD, ctx->opt->forms);
	stamp_file(&h, ctx->site_fd, TC_ANSWERS_TEMPLATE);
	st->hash = h;
}

static int stamp_equal(const struct intake_stamp *a,
		       const struct intake_stamp *b)
{
	return a->hash == b->hash;
}

/* Loads the forms and their shells into a new set. Returns an exit code;
 * *out on success. */
static int set_load(const struct intake_ctx *ctx, struct intake_forms **out)
{
	const char *site = ctx->opt->site, *forms = ctx->opt->forms;
	struct intake_forms *fs = calloc(1, sizeof(*fs));
	const struct tc_form *f;
	int nerr = 0, rc = TC_EXIT_ENV;
	size_t i, n, len;

	if (!fs) {
		tc_warnx("out of memory");
		return rc;
	}
	fs->refs = 1;
	manifest_stamp(ctx, &fs->stamp);
	fs->forms = tc_forms_load_dir(forms, &nerr);
	if (!fs->forms) {
		tc_warn("%s: cannot read the form definitions", forms);
		goto out;
	}
	if (nerr > 0) {
		tc_warnx("%s: %d form definition%s with errors; fix %s and "
			 "start again",
			 forms, nerr, nerr == 1 ? "" : "s",
			 nerr == 1 ? "it" : "them");
		rc = TC_EXIT_INPUT;
		goto out;
	}
	n = tc_forms_count(fs->forms);
	fs->shells = calloc(n ? n : 1, sizeof(*fs->shells));
	if (!fs->shells) {
		tc_warnx("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		f = tc_forms_at(fs->forms, i);
		fs->shells[i].form = f;
		fs->nshells = i + 1;
		if (read_shell(site, "forms", tc_form_id(f), "for form",
			       TC_MARK_FORM, &fs->shells[i].form_page,
			       &fs->shells[i].form_len) < 0 ||
		    read_shell(site, "received", tc_form_id(f), "for form",
			       TC_MARK_REFERENCE, &fs->shells[i].received_page,
			       &fs->shells[i].received_len) < 0 ||
		    read_shell(site, "copy", tc_form_id(f), "for form",
			       TC_MARK_ANSWERS, &fs->shells[i].copy_page,
			       &fs->shells[i].copy_len) < 0)
			goto out;
		if (tc_form_check_answers(f) &&
		    read_shell(site, "check", tc_form_id(f), "for form",
			       TC_MARK_DRAFT, &fs->shells[i].check_page,
			       &len) < 0)
			goto out;
		if (ctx->opt->mail_from &&
		    read_mail(site, tc_form_id(f), &fs->shells[i].mail_text) <
			0)
			goto out;
	}
	if (load_answers(site, &fs->answers) < 0)
		goto out;
	for (i = 0; i < TC_STATUS_COUNT; i++)
		if (read_shell(site, "status",
			       tc_status_page_name((enum tc_status_page)i),
			       "of status", "</html>", &fs->status[i],
			       &fs->status_len[i]) < 0)
			goto out;
	*out = fs;
	fs = NULL;
	rc = TC_EXIT_OK;
out:
	set_free(fs);
	return rc;
}

int intake_forms_start(struct intake_ctx *ctx)
{
	pthread_mutex_init(&ctx->forms_lock, NULL);
	return set_load(ctx, &ctx->cur);
}

void intake_forms_stop(struct intake_ctx *ctx)
{
	set_free(ctx->cur);
	ctx->cur = NULL;
	pthread_mutex_destroy(&ctx->forms_lock);
}

struct intake_forms *intake_forms_get(struct intake_ctx *ctx)
{
	struct intake_forms *fs;

	pthread_mutex_lock(&ctx->forms_lock);
	fs = ctx->cur;
	fs->refs++;
	pthread_mutex_unlock(&ctx->forms_lock);
	return fs;
}

void intake_forms_put(struct intake_ctx *ctx, struct intake_forms *fs)
{
	unsigned left;

	if (!fs)
		return;
	pthread_mutex_lock(&ctx->forms_lock);
	left = --fs->refs;
	pthread_mutex_unlock(&ctx->forms_lock);
	if (!left)
		set_free(fs);
}

int intake_forms_reload(struct intake_ctx *ctx, int force)
{
	struct intake_forms *fs = NULL, *old;
	struct intake_stamp now;

	if (!force) {
		manifest_stamp(ctx, &now);
		if (stamp_equal(&now, &ctx->cur->stamp))
			return 0;
	}
	if (set_load(ctx, &fs) != TC_EXIT_OK) {
		tc_warnx("the site changed and could not be loaded again: "
			 "still serving the forms loaded before (fix the "
			 "errors above, then run sitegen build again or send "
			 "SIGHUP)");
		/* Tried once per build: the next build retries. */
		manifest_stamp(ctx, &ctx->cur->stamp);
		return -1;
	}
	pthread_mutex_lock(&ctx->forms_lock);
	old = ctx->cur;
	ctx->cur = fs;
	pthread_mutex_unlock(&ctx->forms_lock);
	intake_forms_put(ctx, old);
	return 1;
}

const struct intake_shell *intake_find_shell(struct intake_req *rq,
					     const char *id, size_t len)
{
	const char *fid;
	size_t i;

	if (!rq->forms)
		rq->forms = intake_forms_get(rq->ctx);
	for (i = 0; i < rq->forms->nshells; i++) {
		fid = tc_form_id(rq->forms->shells[i].form);
		if (strlen(fid) == len && !memcmp(fid, id, len))
			return &rq->forms->shells[i];
	}
	return NULL;
}
