/*
 * sitemap.c: the files every site has besides its pages: sitemap.xml,
 * robots.txt, the 404 page and the status pages intake answers with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "escape.h"
#include "fsutil.h"
#include "internal.h"
#include "shells.h"

/* The theme's partial that intake shows a copy of the answers with. */
static void write_answers_template(struct site *s)
{
	struct tc_buf src = TC_BUF_INIT;
	char *path = site_join(s->opt->theme, "partials/answers.mustache");

	if (tc_fs_read(path, 1 << 20, &src) < 0) {
		gen_msg(&s->msgs, 0, path, 0, 0,
			"cannot read the theme's partial for the copy of a "
			"resident's answers: %s",
			strerror(errno));
		s->errors++;
	} else {
		site_write_output(s, TC_ANSWERS_TEMPLATE, src.data, src.len);
	}
	free(path);
	tc_buf_release(&src);
}

/* .threecs/status/NAME.html for each of intake's status pages, from the
 * theme's layouts/status.mustache (model/statuspages.h). */
static void write_status_pages(struct site *s)
{
	struct tc_buf out = TC_BUF_INIT, name = TC_BUF_INIT, key = TC_BUF_INIT;
	unsigned i;

	for (i = 0; i < TC_STATUS_COUNT; i++) {
		const char *n = tc_status_page_name((enum tc_status_page)i);
		cJSON *ctx, *err;
		char *p;

		tc_buf_reset(&name);
		tc_buf_reset(&key);
		tc_buf_reset(&out);
		tc_buf_addf(&name, ".threecs/status/%s.html", n);
		tc_buf_adds(&key, n);
		for (p = key.data; *p; p++)
			if (*p == '-')
				*p = '_';
		/* Served at the address that was refused, so the page is
		 * written as from the top of the site. */
		ctx = site_page_context(s, NULL, NULL, n, "", "/status.html",
					"", NULL, 0);
		err = cJSON_AddObjectToObject(ctx, "error");
		if (!err || !cJSON_AddTrueToObject(err, key.data) ||
		    !cJSON_AddNumberToObject(
			err, "code",
			tc_status_page_code((enum tc_status_page)i)))
			tc_die_nomem();
		if (site_render_to(s, "status", ctx, name.data, &out) == 0)
			site_write_output(s, name.data, out.data, out.len);
		cJSON_Delete(ctx);
	}
	tc_buf_release(&out);
	tc_buf_release(&name);
	tc_buf_release(&key);
}

void site_write_extras(struct site *s)
{
	struct tc_buf xml = TC_BUF_INIT, txt = TC_BUF_INIT, out = TC_BUF_INIT;
	const char *base =
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(s->cfg), "base_url")
		->valuestring;
	struct page **sorted = malloc(s->npages * sizeof(*sorted) + 1);
	size_t i, n = 0;
	cJSON *ctx;

	if (!sorted)
		tc_die_nomem();
	for (i = 0; i < s->npages; i++)
		if (!s->pages[i]->draft)
			sorted[n++] = s->pages[i];
	tc_buf_adds(&xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<urlset xmlns=\"http://www.sitemaps.org/schemas/"
			  "sitemap/0.9\">\n");
	for (i = 0; i < n; i++) {
		tc_buf_adds(&xml, "<url><loc>");
		tc_esc_html(&xml, base, strlen(base));
		tc_esc_html(&xml, sorted[i]->url, strlen(sorted[i]->url));
		tc_buf_adds(&xml, "</loc></url>\n");
	}
	tc_buf_adds(&xml, "</urlset>\n");
	site_write_output(s, "sitemap.xml", xml.data, xml.len);
	tc_buf_addf(&txt, "User-agent: *\nAllow: /\nSitemap: %s/sitemap.xml\n",
		    base);
	site_write_output(s, "robots.txt", txt.data, txt.len);
	ctx = site_page_context(
	    s, NULL, NULL, "Page not found",
	    "The page you were looking for could not be found.", "/404.html",
	    "", NULL, 0);
	if (site_render_to(s, "404", ctx, "404.html", &out) == 0)
		site_write_output(s, "404.html", out.data, out.len);
	cJSON_Delete(ctx);
	write_status_pages(s);
	write_answers_template(s);
	free(sorted);
	tc_buf_release(&xml);
	tc_buf_release(&txt);
	tc_buf_release(&out);
}
