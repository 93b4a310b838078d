/*
 * render.c: phase C for pages: the context a layout sees, rendering,
 * form pages with the shell and schema intake needs, confirmation pages.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>

#include "err.h"
#include "internal.h"
#include "shells.h"

static cJSON *menu_for(const cJSON *menu, const struct page *pg)
{
	cJSON *copy = cJSON_Duplicate(menu, 1), *e;

	if (!copy)
		tc_die_nomem();
	cJSON_ArrayForEach(e, copy)
	{
		cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "page");
		int cur =
		    pg && cJSON_IsString(p) &&
		    !strcmp(p->valuestring, pg->rel) &&
		    !strchr(
			cJSON_GetObjectItemCaseSensitive(e, "url")->valuestring,
			'#');

		cJSON_AddBoolToObject(e, "current", cur);
	}
	return copy;
}

static void add_ref(cJSON *obj, const char *key, cJSON *item)
{
	if (!cJSON_AddItemReferenceToObject(obj, key, item))
		tc_die_nomem();
}

/*
 * The context a layout sees (docs/site-format.md). fm may be NULL (the 404
 * page). Returns a tree the caller frees with cJSON_Delete; shared parts are
 * references, not copies.
 */
cJSON *site_page_context(struct site *s, struct page *pg, cJSON *fm,
			 const char *title, const char *summary,
			 const char *url, const char *html, cJSON *toc,
			 int want_toc)
{
	cJSON *ctx = cJSON_CreateObject(), *site = cJSON_CreateObject();
	cJSON *page = cJSON_CreateObject(), *crumbs = cJSON_CreateArray(), *e;
	static const char *const ours[] = {"title",	  "summary", "url",
					   "content",	  "toc",     "has_toc",
					   "breadcrumbs", "is_home"};
	static const char *const dates[] = {"approved", "reviewed",
					    "next_review"};
	struct tc_buf tmp = TC_BUF_INIT;
	size_t i;

	if (!ctx || !site || !page || !crumbs)
		tc_die_nomem();
	cJSON_ArrayForEach(e, tc_yaml_root(s->cfg))
	{
		if (strcmp(e->string, "nav") && strcmp(e->string, "footer"))
			add_ref(site, e->string, e);
	}
	cJSON_AddItemToObject(site, "nav", menu_for(s->nav, pg));
	cJSON_AddItemToObject(site, "footer", menu_for(s->footer, pg));
	if (cJSON_IsObject(fm)) {
		cJSON_ArrayForEach(e, fm)
		{
			int skip = 0;

			for (i = 0; i < sizeof(ours) / sizeof(*ours); i++)
				skip |= !strcmp(e->string, ours[i]);
			if (!skip)
				add_ref(page, e->string, e);
		}
	}
	cJSON_AddStringToObject(page, "title", title);
	cJSON_AddStringToObject(page, "summary", summary);
	cJSON_AddStringToObject(page, "url", url);
	cJSON_AddItemToObject(page, "content",
			      cJSON_CreateStringReference(html));
	if (toc)
		add_ref(page, "toc", toc);
	else
		cJSON_AddItemToObject(page, "toc", cJSON_CreateArray());
	cJSON_AddBoolToObject(page, "has_toc", want_toc);
	cJSON_AddBoolToObject(page, "is_home", !strcmp(url, "/"));
	for (i = 0; fm && i < sizeof(dates) / sizeof(*dates); i++) {
		cJSON *d = cJSON_GetObjectItemCaseSensitive(fm, dates[i]);

		tc_buf_reset(&tmp);
		if (cJSON_IsString(d) &&
		    site_human_date(d->valuestring, &tmp) == 0) {
			char key[32];

			snprintf(key, sizeof(key), "%s_human", dates[i]);
			cJSON_AddStringToObject(page, key, tmp.data);
		}
	}
	/* Breadcrumbs: Home, then each folder's index page above this one. */
	if (pg && strcmp(pg->rel, "index.md") != 0) {
		struct page *home = site_find_page(s, "index.md");
		const char *p;

		if (home && !home->draft) {
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "title", "Home");
			cJSON_AddStringToObject(e, "url", "/");
			cJSON_AddItemToArray(crumbs, e);
		}
		for (p = strchr(pg->rel, '/'); p; p = strchr(p + 1, '/')) {
			struct page *parent;

			tc_buf_reset(&tmp);
			tc_buf_add(&tmp, pg->rel, (size_t)(p - pg->rel));
			tc_buf_adds(&tmp, "/index.md");
			parent = site_find_page(s, tmp.data);
			if (!parent || parent == pg || parent->draft ||
			    !parent->title)
				continue;
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "title", parent->title);
			cJSON_AddStringToObject(e, "url", parent->url);
			cJSON_AddItemToArray(crumbs, e);
		}
	}
	cJSON_AddItemToObject(page, "breadcrumbs", crumbs);
	cJSON_AddItemToObject(ctx, "site", site);
	cJSON_AddItemToObject(ctx, "page", page);
	add_ref(ctx, "assets", s->assets);
	tc_buf_release(&tmp);
	return ctx;
}

int site_render_to(struct site *s, const char *layout, cJSON *ctx,
		   const char *what, struct tc_buf *out)
{
	struct tc_error err;

	tc_error_clear(&err);
	if (tc_tpl_render(s->tpl, layout, ctx, out, &err) < 0) {
		char msg[1800];

		tc_error_format(&err, msg, sizeof(msg));
		pthread_mutex_lock(&s->lock);
		tc_warnx("%s: %s", what, msg);
		s->errors++;
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	return 0;
}

/* Where forms post: site.yml's intake_url, "/submit" by default. */
static const char *intake_url(struct site *s)
{
	cJSON *iu = cJSON_GetObjectItemCaseSensitive(tc_yaml_root(s->cfg),
						     "intake_url");

	return cJSON_IsString(iu) ? iu->valuestring : "/submit";
}

/*
 * The confirmation page intake shows after a form is sent: the definition's
 * confirmation title and Markdown body through the confirmation layout,
 * with TC_MARK_REFERENCE where the reference goes.
 */
/*
 * Renders the confirmation body of form f. In phase B (out NULL) it checks
 * the body and its links and reports errors; in phase C it writes the page.
 */
/*
 * Renders layout with ctx (errors reported against file, the form's
 * definition) and writes it as .threecs/KIND/ID.EXT, a page shell intake
 * fills in.
 */
static void write_shell(struct site *s, const char *layout, cJSON *ctx,
			const char *file, const char *kind, const char *id,
			const char *ext)
{
	struct tc_buf out = TC_BUF_INIT, dst = TC_BUF_INIT;

	if (site_render_to(s, layout, ctx, file, &out) == 0) {
		tc_buf_addf(&dst, ".threecs/%s/%s.%s", kind, id, ext);
		site_write_output(s, dst.data, out.data, out.len);
	}
	tc_buf_release(&out);
	tc_buf_release(&dst);
}

/*
 * .threecs/mail/FORM.txt: the confirmation email intake may send (with
 * --mail-from), from the theme's layouts/mail.mustache: a "Subject:" line,
 * a blank line, then the text, with the confirmation body as plain text
 * for what happens next. Nothing of the resident's is in it but the
 * reference and the time received, which intake puts in.
 */
static void write_mail_shell(struct site *s, const struct tc_form *f,
			     const char *file)
{
	const char *body = tc_form_confirmation_body(f);
	struct tc_buf md = TC_BUF_INIT, scratch = TC_BUF_INIT;
	cmark_node *doc;
	char *text = NULL;
	cJSON *ctx, *form;

	tc_buf_init(&scratch, 0);
	/* Errors in the body are reported with its page; not twice. */
	site_values_expand(s, &scratch, file, 0, 0, body, strlen(body), 1, &md);
	doc = cmark_parse_document(md.data ? md.data : "", md.len,
				   CMARK_OPT_DEFAULT);
	text = doc ? cmark_render_plaintext(doc, CMARK_OPT_DEFAULT, 72) : NULL;
	if (!text)
		tc_die_nomem();
	ctx = site_page_context(s, NULL, NULL, tc_form_title(f), "", "/", "",
				NULL, 0);
	form = cJSON_AddObjectToObject(ctx, "form");
	if (!form ||
	    !cJSON_AddStringToObject(form, "title", tc_form_title(f)) ||
	    !cJSON_AddStringToObject(ctx, "next", text))
		tc_die_nomem();
	write_shell(s, "mail", ctx, file, "mail", tc_form_id(f), "txt");
	cJSON_Delete(ctx);
	cmark_node_free(doc);
	free(text);
	tc_buf_release(&md);
	tc_buf_release(&scratch);
}

void site_confirmation(struct site *s, const struct tc_form *f, int write)
{
	const char *id = tc_form_id(f);
	const char *title = tc_form_confirmation_title(f);
	const char *body = tc_form_confirmation_body(f);
	struct tc_buf name = TC_BUF_INIT, html = TC_BUF_INIT, url = TC_BUF_INIT,
		      body_html = TC_BUF_INIT, title_buf = TC_BUF_INIT;
	struct page scratch;
	size_t k;
	cJSON *ctx = NULL;

	memset(&scratch, 0, sizeof(scratch));
	tc_buf_init(&scratch.msgs, 0);
	tc_buf_addf(&name, "%s/forms/%s.yml", s->opt->content, id);
	if (!title || !*title || !body || !*body) {
		if (!write) {
			gen_msg(&s->msgs, 0, name.data, 0, 0,
				"the form needs confirmation: with a title and "
				"a body, for the page shown after sending it");
			s->errors++;
		}
		goto out;
	}
	if (site_values_expand(s, &scratch.msgs, name.data,
			       scratch.body_line > 1 ? scratch.body_line - 2
						     : 0,
			       0, title, strlen(title), 0, &title_buf))
		scratch.errors++;
	title = title_buf.data;
	/* The body renders as a page at the top of content/, so its links are
	 * written as from any top-level page. */
	scratch.rel = "confirmation.md";
	scratch.path = name.data;
	scratch.text = (char *)body;
	scratch.len = strlen(body);
	scratch.body_line =
	    tc_form_confirmation_line(f) > 0 ? tc_form_confirmation_line(f) : 1;
	md_process(s, &scratch, &body_html);
	if (!write) {
		for (k = 0; k < scratch.nlinks; k++) {
			struct tc_buf why = TC_BUF_INIT;

			if (site_resolve_link(s, &scratch, scratch.links[k].url,
					      scratch.links[k].is_image, NULL,
					      &why) < 0) {
				gen_msg(&s->msgs, 0, name.data, 0, 0,
					"broken link in confirmation's body: "
					"%s",
					why.data);
				s->errors++;
			}
			tc_buf_release(&why);
		}
		tc_buf_addbuf(&s->msgs, &scratch.msgs);
		s->errors += scratch.errors;
		s->warnings += scratch.warnings;
		goto out;
	}
	md_resolve_links(s, &scratch, body_html.data, &html);
	tc_buf_addf(&url, "%s/%s/received", intake_url(s), id);
	ctx = site_page_context(s, NULL, NULL, title, "", url.data, html.data,
				NULL, 0);
	cJSON_AddStringToObject(ctx, "reference", TC_MARK_REFERENCE);
	cJSON_AddStringToObject(ctx, "copy_url", TC_MARK_COPY);
	write_shell(s, "confirmation", ctx, name.data, "received", id, "html");
	cJSON_Delete(ctx);
	ctx = site_page_context(s, NULL, NULL, tc_form_title(f), "", url.data,
				"", NULL, 0);
	write_shell(s, "copy", ctx, name.data, "copy", id, "html");
	write_mail_shell(s, f, name.data);
	if (tc_form_check_answers(f)) {
		cJSON *check = cJSON_AddObjectToObject(ctx, "check");

		tc_buf_reset(&url);
		tc_buf_addf(&url, "%s/%s", intake_url(s), id);
		if (!check ||
		    !cJSON_AddStringToObject(check, "action", url.data))
			tc_die_nomem();
		write_shell(s, "check", ctx, name.data, "check", id, "html");
	}
out:
	cJSON_Delete(ctx);
	for (k = 0; k < scratch.nlinks; k++)
		free(scratch.links[k].url);
	free(scratch.links);
	for (k = 0; k < scratch.nids; k++)
		free(scratch.ids[k]);
	free(scratch.ids);
	tc_buf_release(&body_html);
	tc_buf_release(&title_buf);
	tc_buf_release(&scratch.msgs);
	tc_buf_release(&name);
	tc_buf_release(&html);
	tc_buf_release(&url);
}

/*
 * The shell intake answers a refused post with: the page's heading, then
 * the form (its error summary first), then what the page says after the
 * form. The lead and whatever comes before the form are left out, so the
 * summary is at the top of the page, where the resident sees it with or
 * without JavaScript. Returns 0, or -1 (reported) when it cannot render.
 */
static int render_retry_shell(struct site *s, struct page *pg, const char *body,
			      struct tc_buf *out)
{
	const char *from = strstr(body, TC_MARK_FORM);
	cJSON *ctx;
	int rc;

	if (!from)
		TC_BUG("form marker missing from the page's body");
	ctx = site_page_context(s, pg, tc_yaml_root(pg->fm), pg->title, "",
				pg->url, from, NULL, 0);
	rc = site_render_to(s, pg->layout, ctx, pg->path, out);
	cJSON_Delete(ctx);
	return rc;
}

/* Writes the page with its form, the shell for intake, the schema. */
static void write_form_page(struct site *s, struct page *pg,
			    const struct tc_buf *full, const char *body)
{
	const struct tc_form *f = pg->form;
	const char *id = tc_form_id(f);
	struct tc_buf action = TC_BUF_INIT, form = TC_BUF_INIT,
		      page = TC_BUF_INIT, name = TC_BUF_INIT,
		      retry = TC_BUF_INIT;
	const struct tc_buf *shell = full;
	const char *at = strstr(full->data, TC_MARK_FORM);
	cJSON *schema = NULL;
	char *json = NULL;

	if (!at)
		TC_BUG("form marker missing from the rendered page");
	if (render_retry_shell(s, pg, body, &retry) == 0 &&
	    strstr(retry.data, TC_MARK_FORM))
		shell = &retry;
	tc_buf_addf(&action, "%s/%s", intake_url(s), id);
	if (tc_form_render(f, action.data, NULL, NULL, &form) < 0)
		tc_die_nomem();
	tc_buf_add(&page, full->data, (size_t)(at - full->data));
	tc_buf_addbuf(&page, &form);
	tc_buf_adds(&page, at + strlen(TC_MARK_FORM));
	site_write_output(s, pg->out, page.data, page.len);
	tc_buf_addf(&name, ".threecs/forms/%s.html", id);
	site_write_output(s, name.data, shell->data, shell->len);
	schema = tc_form_schema_json(f);
	json = schema ? cJSON_PrintUnformatted(schema) : NULL;
	if (!json)
		tc_die_nomem();
	tc_buf_reset(&name);
	tc_buf_addf(&name, "assets/forms/%s.json", id);
	site_write_output(s, name.data, json, strlen(json));
	site_confirmation(s, f, 1);
	free(json);
	cJSON_Delete(schema);
	tc_buf_release(&action);
	tc_buf_release(&form);
	tc_buf_release(&page);
	tc_buf_release(&name);
	tc_buf_release(&retry);
}

void site_write_page(void *arg, size_t i)
{
	struct site *s = arg;
	struct page *pg = s->pages[i];
	struct tc_buf body = TC_BUF_INIT, out = TC_BUF_INIT;
	cJSON *ctx = NULL;

	if (pg->draft)
		return;
	md_resolve_links(s, pg, pg->body.data, &body);
	tc_buf_release(&pg->body);
	ctx = site_page_context(s, pg, tc_yaml_root(pg->fm), pg->title,
				pg->summary, pg->url, body.data, pg->toc,
				pg->want_toc);
	if (site_render_to(s, pg->layout, ctx, pg->path, &out) == 0) {
		if (pg->form)
			write_form_page(s, pg, &out, body.data);
		else
			site_write_output(s, pg->out, out.data, out.len);
	}
	cJSON_Delete(ctx);
	tc_buf_release(&body);
	tc_buf_release(&out);
}
