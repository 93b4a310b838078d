/*
 * sitemap.c: the files every site has besides its pages: sitemap.xml,
 * robots.txt and the 404 page.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "escape.h"
#include "internal.h"

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
	free(sorted);
	tc_buf_release(&xml);
	tc_buf_release(&txt);
	tc_buf_release(&out);
}
