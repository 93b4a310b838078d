/*
 * letters.c: the council's letter templates (content/letters/NAME.md),
 * loaded and compiled once, and each letter drafted from them: as HTML in
 * the theme's casework/letter.mustache (ordinary or large print), and as
 * plain text for an email in casework/letter-text.mustache. A letter is
 * Markdown with Mustache placeholders: the placeholders are filled first
 * (HTML-escaped, so a resident's words cannot become markup), then cmark
 * renders the Markdown in its safe mode.
 */
#include "letters.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>

#include "array.h"
#include "err.h"
#include "fields.h"
#include "fsutil.h"
#include "letterhead.h"
#include "limits.h"
#include "template.h"

/* Columns a plain-text letter is wrapped at. */
#define TEXT_WIDTH 72

struct letter {
	char *name; /* "acknowledgement" */
	char *src;  /* the Markdown with Mustache placeholders */
	size_t len;
};

struct cw_letters {
	struct letter *v;
	size_t n;
	struct tc_tpl_set *set; /* each compiled once, by its name */
	cJSON *letterhead;	/* from site.yml beside the letters folder:
				   council, address, phone, email; NULL when
				   there is no site.yml */
};

static int cmp_letter(const void *a, const void *b)
{
	return strcmp(((const struct letter *)a)->name,
		      ((const struct letter *)b)->name);
}

struct cw_letters *cw_letters_load(const char *dir)
{
	static const char *const need[] = {"acknowledgement", "signposting",
					   "compliment-thanks", NULL};
	struct cw_letters *l = calloc(1, sizeof(*l));
	DIR *d = NULL;
	struct dirent *de;
	struct tc_buf p = TC_BUF_INIT, src = TC_BUF_INIT;
	size_t cap = 0, i;
	int ok = 0;

	if (!l)
		tc_die_nomem();
	d = opendir(dir);
	if (!d) {
		tc_warn("cannot read the letter templates in '%s'", dir);
		goto out;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct letter *lt;

		if (len < 4 || strcmp(de->d_name + len - 3, ".md") ||
		    de->d_name[0] == '.')
			continue;
		tc_buf_reset(&p);
		tc_buf_reset(&src);
		if (tc_buf_addf(&p, "%s/%s", dir, de->d_name) < 0)
			tc_die_nomem();
		if (tc_fs_read(p.data, TC_MAX_SOURCE_FILE, &src) < 0) {
			tc_warn("cannot read '%s'", p.data);
			goto out;
		}
		TC_ALLOC_GROW(l->v, l->n + 1, cap);
		lt = &l->v[l->n++];
		lt->name = strndup(de->d_name, len - 3);
		if (!lt->name)
			tc_die_nomem();
		lt->len = src.len;
		lt->src = tc_buf_detach(&src, NULL);
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_letter);
	/* Compiled once here, so a broken template is named at once and
	 * each pack only renders. */
	l->set = tc_tpl_set_new(NULL, NULL);
	if (!l->set)
		tc_die_nomem();
	for (i = 0; i < l->n; i++) {
		struct tc_error e;

		tc_error_clear(&e);
		tc_buf_reset(&p);
		if (tc_buf_addf(&p, "%s/%s.md", dir, l->v[i].name) < 0)
			tc_die_nomem();
		if (tc_tpl_add(l->set, l->v[i].name, p.data, l->v[i].src,
			       l->v[i].len, &e) < 0) {
			tc_report(&e);
			goto out;
		}
	}
	for (i = 0; need[i]; i++) {
		size_t k;

		for (k = 0; k < l->n && strcmp(l->v[k].name, need[i]); k++)
			;
		if (k == l->n) {
			tc_input_error(dir, 0, 0,
				       "missing letter template '%s.md'",
				       need[i]);
			goto out;
		}
	}
	if (cw_letterhead_load(dir, &l->letterhead) < 0)
		goto out;
	ok = 1;
out:
	if (d)
		closedir(d);
	tc_buf_release(&p);
	tc_buf_release(&src);
	if (!ok) {
		cw_letters_free(l);
		l = NULL;
	}
	return l;
}

static void letter_release(struct letter *l)
{
	free(l->name);
	free(l->src);
}

void cw_letters_free(struct cw_letters *l)
{
	if (!l)
		return;
	TC_RELEASE_EACH(l->v, l->n, letter_release);
	tc_tpl_set_free(l->set);
	cJSON_Delete(l->letterhead);
	free(l);
}

static const struct letter *find_letter(const struct cw_letters *l,
					const char *name)
{
	return TC_FIND_STR(l->v, l->n, struct letter, name, name);
}

/* Letter lt's Markdown with ctx's values in place, into md. 0 or -1
 * (printed, with the template's file). */
static int fill(struct cw_env *env, const struct letter *lt, const cJSON *ctx,
		struct tc_buf *md)
{
	struct tc_error e;

	tc_error_clear(&e);
	if (tc_tpl_render(env->letters->set, lt->name, ctx, md, &e) < 0) {
		if (!e.file[0])
			snprintf(e.file, sizeof(e.file), "%s/%s.md",
				 env->letters_dir, lt->name);
		tc_report(&e);
		return -1;
	}
	return 0;
}

static int render_letter(struct cw_env *env, const struct letter *lt,
			 const cJSON *ctx, const char *label, int pt,
			 struct tc_buf *out)
{
	struct tc_buf md = TC_BUF_INIT, title = TC_BUF_INIT;
	cJSON *wrap = NULL;
	const char *ref;
	char *html = NULL;
	int rc = -1;

	if (fill(env, lt, ctx, &md) < 0)
		goto out;
	html = cmark_markdown_to_html(md.data, md.len,
				      CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
	if (!html)
		tc_die_nomem();
	wrap = cJSON_CreateObject();
	ref = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(ctx, "reference"));
	if (!wrap || tc_buf_addf(&title, "%s%s%s%s (draft)", ref ? ref : "",
				 ref ? ": " : "", label ? label : lt->name,
				 pt > 0 ? ", large print" : "") < 0)
		tc_die_nomem();
	cw_ctx_str(wrap, "title", title.data);
	cw_ctx_bool(wrap, "pack", 1);
	cw_ctx_bool(wrap, "letter", 1);
	if (pt > 0)
		cw_ctx_num(wrap, "large_print_pt", pt, 0);
	cw_ctx_str(wrap, "body", html);
	/* the council's letterhead, then the resident's address */
	if ((env->letters->letterhead &&
	     !cJSON_AddItemReferenceToObject(wrap, "letterhead",
					     env->letters->letterhead)) ||
	    (cJSON_GetObjectItemCaseSensitive(ctx, "recipient") &&
	     !cJSON_AddItemReferenceToObject(
		 wrap, "recipient",
		 cJSON_GetObjectItemCaseSensitive(ctx, "recipient"))))
		tc_die_nomem();
	if (cw_render(env, "letter", wrap, out) < 0)
		goto out;
	rc = 0;
out:
	cJSON_Delete(wrap);
	free(html);
	tc_buf_release(&md);
	tc_buf_release(&title);
	return rc;
}

/* The template which, the templates loaded on first use; NULL when
 * loading failed or (said when need) there is no such template. */
static const struct letter *letter_named(struct cw_env *env, const char *which,
					 int need)
{
	const struct letter *lt;

	if (!env->letters) {
		env->letters = cw_letters_load(env->letters_dir);
		if (!env->letters)
			return NULL;
	}
	lt = find_letter(env->letters, which);
	if (!lt && need)
		tc_warnx("%s: missing letter template '%s.md'",
			 env->letters_dir, which);
	return lt;
}

int cw_letter_exists(struct cw_env *env, const char *which)
{
	if (!letter_named(env, which, 0))
		return env->letters ? 0 : -1;
	return 1;
}

int cw_letter_html(struct cw_env *env, const char *which, const cJSON *ctx,
		   const char *label, int pt, struct tc_buf *out)
{
	const struct letter *lt = letter_named(env, which, 1);

	return lt ? render_letter(env, lt, ctx, label, pt, out) : -1;
}

/* See letters.h. */
int cw_letter_large_print(const struct cw_case *c, const cJSON *fields)
{
	const char *text = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fields, "adjustments"));
	const cJSON *f;
	const char *q;
	int pt = 0, asked = 0;

	cJSON_ArrayForEach(f, c->flags)
	{
		const cJSON *dec =
		    cJSON_GetObjectItemCaseSensitive(f, "decision");
		const char *n = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(f, "flag"));
		const char *o = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(dec, "outcome"));

		if (!n || strcmp(n, "reasonable_adjustments") || !o)
			continue;
		if (!cw_flag_outcome_kept(n, o))
			return 0;
		text = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(dec, "note"));
	}
	for (q = text; q && *q; q++) {
		char *end;
		long n;

		if (!strncasecmp(q, "large print", 11))
			asked = 1;
		if (pt || *q < '0' || *q > '9')
			continue;
		/* a size: a number before "point" or "pt" */
		n = strtol(q, &end, 10);
		while (*end == ' ' || *end == '-')
			end++;
		if ((!strncasecmp(end, "point", 5) ||
		     !strncasecmp(end, "pt", 2)) &&
		    n >= 14 && n <= 48)
			pt = (int)n;
		q = end - 1;
	}
	return !asked ? 0 : pt ? pt : 18;
}

/* A link's text as plain text would lose where it goes: " (URL)" follows
 * each link whose text is not its address already. */
static void show_link_targets(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;

	if (!it)
		tc_die_nomem();
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it), *t, *c;
		const char *url, *text;
		struct tc_buf b = {tc_buf_empty, 0, 0, 0};

		if (ev != CMARK_EVENT_EXIT ||
		    cmark_node_get_type(n) != CMARK_NODE_LINK)
			continue;
		url = cmark_node_get_url(n);
		c = cmark_node_first_child(n);
		text = c && !cmark_node_next(c) &&
			       cmark_node_get_type(c) == CMARK_NODE_TEXT
			   ? cmark_node_get_literal(c)
			   : NULL;
		if (!url || !*url || (text && !strcmp(text, url)) ||
		    (text && !strncmp(url, "mailto:", 7) &&
		     !strcmp(text, url + 7)))
			continue;
		t = cmark_node_new(CMARK_NODE_TEXT);
		if (!t || tc_buf_addf(&b, " (%s)", url) < 0 ||
		    !cmark_node_set_literal(t, b.data) ||
		    !cmark_node_insert_after(n, t))
			tc_die_nomem();
		tc_buf_release(&b);
	}
	cmark_iter_free(it);
}

int cw_letter_text(struct cw_env *env, const char *which, const cJSON *ctx,
		   struct tc_buf *out)
{
	const struct letter *lt = letter_named(env, which, 1);
	struct tc_buf md = TC_BUF_INIT;
	cmark_node *doc = NULL;
	cJSON *wrap = NULL;
	char *text = NULL;
	int rc = -1;

	if (!lt)
		return -1;
	if (fill(env, lt, ctx, &md) < 0)
		goto out;
	doc = cmark_parse_document(md.data, md.len, CMARK_OPT_DEFAULT);
	if (!doc)
		tc_die_nomem();
	show_link_targets(doc);
	text = cmark_render_plaintext(doc, CMARK_OPT_DEFAULT, TEXT_WIDTH);
	wrap = cJSON_CreateObject();
	if (!text || !wrap)
		tc_die_nomem();
	cw_ctx_str(wrap, "body", text);
	if (env->letters->letterhead &&
	    !cJSON_AddItemReferenceToObject(wrap, "letterhead",
					    env->letters->letterhead))
		tc_die_nomem();
	if (cw_render(env, "letter-text", wrap, out) < 0)
		goto out;
	rc = 0;
out:
	cJSON_Delete(wrap);
	free(text);
	if (doc)
		cmark_node_free(doc);
	tc_buf_release(&md);
	return rc;
}

int cw_letter_by_email(const cJSON *fields)
{
	const char *m = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fields, TC_F_CONTACT_METHOD));
	const char *e = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fields, "email"));
	const char *a = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fields, TC_F_ADDRESS));

	if (!e || !e[strspn(e, " ")])
		return 0;
	if (m && *m)
		return !strcmp(m, "email");
	/* no preference given: email when there is no address to post to */
	return !a || !a[strspn(a, " \t\r\n")];
}
