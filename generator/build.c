/*
 * build.c: the site build in three phases (see site.h): load, check,
 * write, each a step of site_build.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "err.h"
#include "fsutil.h"
#include "internal.h"
#include "rules.h"

static int cmp_page(const void *a, const void *b)
{
	return strcmp((*(struct page *const *)a)->rel,
		      (*(struct page *const *)b)->rel);
}

static void flush_messages(struct site *s)
{
	size_t i;

	fputs(s->msgs.data, stderr);
	tc_buf_reset(&s->msgs);
	for (i = 0; i < s->npages; i++) {
		struct page *pg = s->pages[i];

		fputs(pg->msgs.data, stderr);
		tc_buf_reset(&pg->msgs);
		s->errors += pg->errors;
		s->warnings += pg->warnings;
		pg->errors = pg->warnings = 0;
	}
}

static void today_string(const char *given, char out[11])
{
	time_t now;
	struct tm tm;

	if (given) {
		snprintf(out, 11, "%s", given);
		return;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* What site_build holds across its steps. */
struct build {
	struct site s;		       /* the site being built */
	struct site_strlist files;     /* every file below content/ */
	struct site_strlist statics;   /* content/ files copied as they are */
	struct site_strlist asset_src; /* the theme's assets ... */
	struct site_strlist asset_out; /* ... and where each is written */
	char today[11];		       /* YYYY-MM-DD */
	int jobs;		       /* threads to use */
};

/* Checks the options and folders. Returns 0 or an exit code. */
static int build_start(struct build *b, const struct site_options *opt,
		       struct site_result *res)
{
	memset(b, 0, sizeof(*b));
	tc_buf_init(&b->s.msgs, 0);
	memset(res, 0, sizeof(*res));
	b->s.opt = opt;
	b->s.res = res;
	pthread_mutex_init(&b->s.lock, NULL);
	b->jobs = opt->jobs;
	if (b->jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		b->jobs = n > 0 ? (int)n : 1;
	}
	today_string(opt->today, b->today);
	if (!site_valid_date(b->today)) {
		tc_warnx("--today must be a date written YYYY-MM-DD");
		return TC_EXIT_USAGE;
	}
	if (!tc_fs_is_dir(opt->content)) {
		tc_warnx("%s: no content folder here (use --content DIR)",
			 opt->content);
		return TC_EXIT_ENV;
	}
	if (!tc_fs_is_dir(opt->theme)) {
		tc_warnx("%s: no theme folder here (use --theme DIR)",
			 opt->theme);
		return TC_EXIT_ENV;
	}
	return 0;
}

/* The theme, then site.yml. Returns 0 or an exit code. */
static int load_theme_config(struct site *s)
{
	/* Layouts every site is built with, beside the pages' own. */
	static const char *const needed[][2] = {
	    {"404", ""},
	    {"mail", " (the confirmation email)"},
	    {"copy", " (the copy of what a resident sent)"},
	    {"check", " (the page where a resident checks their answers)"},
	    {"status", " (the pages intake answers with when it cannot take "
		       "a form)"},
	};
	size_t i;
	const struct site_options *opt = s->opt;
	struct tc_error err;

	/* The theme first: its errors are not the content's fault. */
	s->tpl = tc_tpl_set_new(NULL, NULL);
	if (!s->tpl)
		tc_die_nomem();
	if (site_load_templates(s, "layouts", 1) < 0)
		return TC_EXIT_ENV;
	site_load_templates(s, "partials", 0);
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!site_layout_exists(s, needed[i][0])) {
			gen_msg(&s->msgs, 0, opt->theme, 0, 0,
				"the theme has no layouts/%s.mustache%s",
				needed[i][0], needed[i][1]);
			s->errors++;
		}

	s->cfg_path = site_join(opt->content, "site.yml");
	tc_error_clear(&err);
	s->cfg = tc_yaml_load_file(s->cfg_path, &err);
	if (!s->cfg) {
		char msg[1800];

		tc_error_format(&err, msg, sizeof(msg));
		tc_buf_addf(&s->msgs, "sitegen: %s\n", msg);
		s->errors++;
		flush_messages(s);
		return err.code == TC_EIO ? TC_EXIT_ENV : TC_EXIT_INPUT;
	}
	site_check_config(s);
	return 0;
}

/* Forms, which pages embed, and the rules that must fit them: their errors
 * are content errors. Returns 0 or an exit code. */
static int load_forms_rules(struct site *s)
{
	char *fdir = site_join(s->opt->content, "forms"), *rpath = NULL;
	struct tc_rules *rules = NULL;
	int rc = 0;

	if (tc_fs_is_dir(fdir)) {
		int nerr = 0;

		fflush(stderr);
		s->forms = tc_forms_load_dir(fdir, &nerr);
		s->errors += nerr;
		if (!s->forms) {
			tc_warn("cannot read %s", fdir);
			rc = TC_EXIT_ENV;
			goto out;
		}
	}
	/* The workflow rules must fit the forms (a service area with no
	 * routing would strand a complaint): the same check casework makes.
	 * Pages state the rules' timescales from them. */
	rpath = site_join(s->opt->content, "rules.yml");
	if (tc_fs_is_file(rpath)) {
		int nerr = 0;

		fflush(stderr);
		rules = tc_rules_load(rpath, &nerr);
		s->errors += nerr;
		if (rules && s->forms)
			s->errors += tc_rules_check_forms(rules, s->forms);
	}
	site_values_build(s, rules);
	s->rules = rules; /* for worked examples ({{ NAME from DATE }}) */
out:
	free(rpath);
	free(fdir);
	return rc;
}

/* sitegen values: every name a page may use, and what it reads now. */
static int print_values(struct site *s)
{
	const cJSON *e;

	flush_messages(s);
	if (s->errors)
		return TC_EXIT_INPUT;
	cJSON_ArrayForEach(e, s->values)
	{
		printf("{{ %s }}\t%s\n", e->string,
		       cJSON_IsString(e) ? e->valuestring
					 : "(not set: a page cannot use it)");
	}
	return fflush(stdout) == 0 ? TC_EXIT_OK : TC_EXIT_ENV;
}

/* Sorts content/'s files into pages and static files. Returns 0 or an exit
 * code. */
/* Pages that would be published if they were anywhere else. */
static void report_skipped(struct site *s)
{
	struct site_strlist skipped = {0};
	size_t i;

	site_walk_skipped(s->opt->content, "", 0, &skipped);
	if (skipped.n)
		qsort(skipped.v, skipped.n, sizeof(*skipped.v), site_cmp_str);
	for (i = 0; i < skipped.n; i++) {
		const char *rel = skipped.v[i];
		char *path = site_join(s->opt->content, rel);
		size_t top = strcspn(rel, "/");
		const char *holds = NULL;

		if (rel[0] != '.' && !strstr(rel, "/.") && rel[top] &&
		    site_data_dir(rel, top, &holds) && holds)
			gen_msg(&s->msgs, 1, path, 1, 1,
				"pages in %.*s/ are not published (the folder "
				"holds %s): move this page out of %.*s/",
				(int)top, rel, holds, (int)top, rel);
		else
			gen_msg(&s->msgs, 1, path, 1, 1,
				"sitegen skips names that start with '.', so "
				"this page is not published: rename or move it "
				"(a page that should wait can say 'draft: "
				"true' instead)");
		s->warnings++;
		free(path);
	}
	site_strlist_release(&skipped);
}

static int find_pages(struct build *b)
{
	struct site *s = &b->s;
	const char *content = s->opt->content;
	size_t i, alloc = 0;

	if (site_walk_files(content, "", 1, &b->files) < 0) {
		tc_warn("cannot read %s", content);
		return TC_EXIT_ENV;
	}
	for (i = 0; i < b->files.n; i++) {
		const char *f = b->files.v[i];

		if (site_ends_with(f, ".md")) {
			struct page *pg = calloc(1, sizeof(*pg));

			if (!pg)
				tc_die_nomem();
			pg->rel = tc_xstrdup(f);
			pg->path = site_join(content, f);
			tc_buf_init(&pg->msgs, 0);
			tc_buf_init(&pg->body, 0);
			TC_ALLOC_GROW(s->pages, s->npages + 1, alloc);
			s->pages[s->npages++] = pg;
		} else if (strchr(f, '/') || (!site_ends_with(f, ".yml") &&
					      !site_ends_with(f, ".yaml") &&
					      !site_ends_with(f, ".json"))) {
			site_strlist_add(&b->statics, tc_xstrdup(f));
		}
	}
	qsort(s->pages, s->npages, sizeof(*s->pages), cmp_page);
	report_skipped(s);
	return 0;
}

/* Phase B: navigation and links, in order. Returns 1 when the build is to
 * go on to phase C, else 0 with *rc the exit code. */
static int check_site(struct build *b, int *rc)
{
	struct site *s = &b->s;
	size_t i;

	if (cJSON_IsObject(tc_yaml_root(s->cfg))) {
		s->nav = site_resolve_menu(s, "nav");
		s->footer = site_resolve_menu(s, "footer");
	}
	site_check_pages(s);
	site_warn_pages(s, b->today);
	flush_messages(s);
	for (i = 0; i < s->npages; i++)
		s->res->pages += !s->pages[i]->draft;
	if (s->errors || s->opt->check_only) {
		*rc = s->errors ? TC_EXIT_INPUT : TC_EXIT_OK;
		return 0;
	}
	return 1;
}

/* Phase C: write. Returns an exit code. */
static int write_site(struct build *b)
{
	struct site *s = &b->s;
	const struct site_options *opt = s->opt;
	size_t i;

	if (tc_fs_mkdirs(opt->out, 0755) < 0) {
		tc_warn("cannot make %s", opt->out);
		return TC_EXIT_ENV;
	}
	if (site_prepare_assets(s, &b->asset_src, &b->asset_out) < 0 ||
	    site_write_brand(s) < 0)
		return TC_EXIT_ENV;
	site_run_parallel(s->npages, b->jobs, site_write_page, s);
	for (i = 0; i < b->asset_src.n; i++)
		site_copy_file(s, b->asset_src.v[i], b->asset_out.v[i]);
	for (i = 0; i < b->statics.n; i++) {
		char *from = site_join(opt->content, b->statics.v[i]);

		site_copy_file(s, from, b->statics.v[i]);
		free(from);
	}
	site_write_extras(s);
	if (s->errors)
		return TC_EXIT_ENV;
	site_sync_manifest(s);
	/*
	 * No fsync or syncfs: every file is replaced atomically (written,
	 * then renamed), so a reader never sees a torn page, and a build cut
	 * short by a crash is repaired by the next build, which compares bytes.
	 * Forcing the output to disk would make the build wait for every
	 * other writer on the file system too.
	 */
	return s->errors ? TC_EXIT_ENV : TC_EXIT_OK;
}

/* Frees all the build holds; passes its counts to the result. */
static void build_release(struct build *b)
{
	struct site *s = &b->s;
	size_t i;

	s->res->errors = s->errors;
	s->res->warnings = s->warnings;
	for (i = 0; i < s->npages; i++)
		site_page_free(s->pages[i]);
	free(s->pages);
	for (i = 0; i < s->nlayouts; i++)
		free(s->layouts[i]);
	free(s->layouts);
	for (i = 0; i < s->noutputs; i++)
		free(s->outputs[i]);
	free(s->outputs);
	site_strlist_release(&b->files);
	site_strlist_release(&b->statics);
	site_strlist_release(&b->asset_src);
	site_strlist_release(&b->asset_out);
	cJSON_Delete(s->nav);
	cJSON_Delete(s->footer);
	cJSON_Delete(s->assets);
	cJSON_Delete(s->values);
	cJSON_Delete(s->timescales);
	tc_rules_free(s->rules);
	tc_yaml_free(s->cfg);
	free(s->cfg_path);
	tc_tpl_set_free(s->tpl);
	tc_forms_free(s->forms);
	tc_buf_release(&s->msgs);
	pthread_mutex_destroy(&s->lock);
}

int site_build(const struct site_options *opt, struct site_result *res)
{
	struct build b;
	int rc;

	rc = build_start(&b, opt, res);
	if (!rc)
		rc = load_theme_config(&b.s);
	if (!rc)
		rc = load_forms_rules(&b.s);
	if (!rc && opt->list_values) {
		rc = print_values(&b.s);
		goto out;
	}
	if (!rc)
		rc = find_pages(&b);
	if (rc)
		goto out;
	/* Phase A: every page, in parallel. */
	site_load_pages(&b.s, b.jobs);
	if (check_site(&b, &rc))
		rc = write_site(&b);
out:
	build_release(&b);
	return rc;
}

int site_render_markdown(const char *file, const char *text, size_t len,
			 int first_line, struct tc_buf *out, cJSON **toc)
{
	struct page pg;
	int errors;

	memset(&pg, 0, sizeof(pg));
	pg.path = (char *)file;
	pg.rel = (char *)file;
	pg.text = (char *)text;
	pg.len = len;
	pg.body_line = first_line;
	tc_buf_init(&pg.msgs, 0);
	pg.toc = cJSON_CreateArray();
	if (!pg.toc)
		tc_die_nomem();
	errors = md_process(NULL, &pg, out);
	fputs(pg.msgs.data, stderr);
	for (size_t i = 0; i < pg.nids; i++)
		free(pg.ids[i]);
	free(pg.ids);
	tc_buf_release(&pg.msgs);
	if (toc)
		*toc = pg.toc;
	else
		cJSON_Delete(pg.toc);
	return errors;
}
