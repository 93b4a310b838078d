/*
 * brand.c: the council's branding from site.yml: a logo in the header, the
 * colours of the header and links (checked against WCAG 2.2 AA contrast),
 * and the footer's legal text. docs/site-format.md documents the keys.
 *
 * The colours reach the pages as a stylesheet of their own
 * (assets/brand.HASH.css, after the theme's), never as style attributes,
 * which the pages' Content-Security-Policy forbids.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "internal.h"
#include "sha256.h"

static void brand_error(struct site *s, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void brand_error(struct site *s, const cJSON *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	site_doc_error(&s->msgs, s->cfg, s->cfg_path, node, fmt, ap);
	va_end(ap);
	s->errors++;
}

/* The colours site.yml may set, what they colour, and the theme's own. */
static const struct colour_key {
	const char *key, *what, *dflt;
} colour_keys[] = {
    {"header", "the header's background", "#0e3a5c"},
    {"header_text", "the header's text", "#ffffff"},
    {"link", "links", "#1755a8"},
    {"link_visited", "visited links", "#5a2a82"},
    {NULL, NULL, NULL},
};

/* The page and footer backgrounds links are read on. */
#define PAGE_BG	  "#ffffff"
#define FOOTER_BG "#f3f5f6"

/* Parses "#rrggbb" or "#rgb" into rgb[3]; -1 when it is neither. */
static int parse_hex(const char *s, int rgb[3])
{
	unsigned v[6];
	size_t n = strlen(s), i;

	if (s[0] != '#' || (n != 7 && n != 4))
		return -1;
	for (i = 1; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v[i - 1] = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v[i - 1] = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v[i - 1] = (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	for (i = 0; i < 3; i++)
		rgb[i] = n == 7 ? (int)(v[2 * i] * 16 + v[2 * i + 1])
				: (int)(v[i] * 17);
	return 0;
}

/* WCAG 2.2 relative luminance of an sRGB colour. */
static double luminance(const int rgb[3])
{
	double l[3];
	int i;

	for (i = 0; i < 3; i++) {
		double c = rgb[i] / 255.0;

		l[i] = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
	}
	return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

/* The contrast ratio of two colours, 1 to 21. */
static double contrast(const int a[3], const int b[3])
{
	double la = luminance(a), lb = luminance(b);

	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* The colour set for key, or the theme's. */
static const char *colour_of(const cJSON *colours, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(colours, key);
	size_t i;

	if (cJSON_IsString(v))
		return v->valuestring;
	for (i = 0; colour_keys[i].key; i++)
		if (!strcmp(colour_keys[i].key, key))
			return colour_keys[i].dflt;
	return "#000000";
}

/* Text in fg on bg must reach 4.5:1 (WCAG 2.2 SC 1.4.3, AA). */
static void need_contrast(struct site *s, const cJSON *colours, const char *fg,
			  const char *bg, const char *bg_what)
{
	int a[3], b[3];
	double r;
	const cJSON *node = cJSON_GetObjectItemCaseSensitive(colours, fg);

	if (parse_hex(colour_of(colours, fg), a) < 0 ||
	    parse_hex(bg[0] == '#' ? bg : colour_of(colours, bg), b) < 0)
		return;
	r = contrast(a, b);
	if (r + 1e-9 >= 4.5)
		return;
	if (!node)
		node = cJSON_GetObjectItemCaseSensitive(colours, bg);
	brand_error(s, node ? node : colours,
		    "colours: %s (%s) on %s (%s) has a contrast of %.2f:1; "
		    "WCAG 2.2 AA needs at least 4.5:1 for text: choose a "
		    "darker or lighter colour",
		    fg, colour_of(colours, fg), bg_what,
		    bg[0] == '#' ? bg : colour_of(colours, bg),
		    floor(r * 100) / 100);
}

static void check_colours(struct site *s, const cJSON *colours)
{
	const cJSON *e;
	size_t i;

	if (!cJSON_IsObject(colours)) {
		brand_error(s, colours,
			    "colours must map names to colours written "
			    "#rrggbb, like header: \"#0e3a5c\"");
		return;
	}
	cJSON_ArrayForEach(e, colours)
	{
		int rgb[3];

		for (i = 0; colour_keys[i].key; i++)
			if (!strcmp(colour_keys[i].key, e->string))
				break;
		if (!colour_keys[i].key) {
			brand_error(s, e,
				    "colours: unknown colour '%s': the theme "
				    "takes header, header_text, link and "
				    "link_visited",
				    e->string);
			continue;
		}
		if (!cJSON_IsString(e) || parse_hex(e->valuestring, rgb) < 0)
			brand_error(s, e,
				    "colours: %s must be a colour written "
				    "#rrggbb, like \"%s\" (in quotes: YAML "
				    "reads an unquoted # as a comment)",
				    e->string, colour_keys[i].dflt);
	}
	if (s->errors)
		return;
	need_contrast(s, colours, "header_text", "header",
		      "the header's background");
	need_contrast(s, colours, "link", PAGE_BG, "the page's background");
	need_contrast(s, colours, "link", FOOTER_BG, "the footer's background");
	need_contrast(s, colours, "link_visited", PAGE_BG,
		      "the page's background");
}

static int image_name(const char *f)
{
	static const char *const ext[] = {".svg",  ".png", ".jpg", ".jpeg",
					  ".webp", ".gif", NULL};
	size_t i;

	for (i = 0; ext[i]; i++)
		if (site_ends_with(f, ext[i]))
			return 1;
	return 0;
}

static void check_logo(struct site *s, cJSON *logo)
{
	cJSON *img = cJSON_GetObjectItemCaseSensitive(logo, "image");
	cJSON *alt = cJSON_GetObjectItemCaseSensitive(logo, "alt");
	char *path;
	struct tc_buf url = TC_BUF_INIT;

	if (!cJSON_IsObject(logo)) {
		brand_error(s, logo,
			    "logo must be a mapping: image: (a file in "
			    "content/, like logo.svg) and alt: (the text the "
			    "logo shows, usually the council's name)");
		return;
	}
	if (!cJSON_IsString(img) || !*img->valuestring) {
		brand_error(s, img ? img : logo,
			    "logo needs image: a file in content/, like "
			    "logo.svg");
		return;
	}
	if (!cJSON_IsString(alt) || !*alt->valuestring) {
		brand_error(s, alt ? alt : logo,
			    "logo needs alt: the text the logo shows, for "
			    "people who cannot see it (usually the council's "
			    "name, like alt: \"%s\")",
			    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
				tc_yaml_root(s->cfg), "council"))
				? cJSON_GetObjectItemCaseSensitive(
				      tc_yaml_root(s->cfg), "council")
				      ->valuestring
				: "Northmere Borough Council");
		return;
	}
	if (strstr(img->valuestring, "..") || img->valuestring[0] == '/' ||
	    !image_name(img->valuestring)) {
		brand_error(s, img,
			    "logo image '%s' must be an .svg, .png, .jpg, "
			    ".webp or .gif file inside content/, named from "
			    "there (like images/logo.svg)",
			    img->valuestring);
		return;
	}
	path = site_join(s->opt->content, img->valuestring);
	if (!tc_fs_is_file(path))
		brand_error(s, img,
			    "logo image '%s' is not in %s: put the file "
			    "there, or correct the name",
			    img->valuestring, s->opt->content);
	free(path);
	tc_buf_addf(&url, "/%s", img->valuestring);
	cJSON_DeleteItemFromObjectCaseSensitive(logo, "url");
	if (!cJSON_AddStringToObject(logo, "url", url.data))
		tc_die_nomem();
	tc_buf_release(&url);
}

void site_check_brand(struct site *s)
{
	cJSON *root = tc_yaml_root(s->cfg), *v;

	v = cJSON_GetObjectItemCaseSensitive(root, "logo");
	if (v)
		check_logo(s, v);
	v = cJSON_GetObjectItemCaseSensitive(root, "colours");
	if (v)
		check_colours(s, v);
	v = cJSON_GetObjectItemCaseSensitive(root, "legal");
	if (v && (!cJSON_IsString(v) || !*v->valuestring))
		brand_error(s, v,
			    "legal must be the footer's legal text, like "
			    "legal: \"Northmere Borough Council, Town Hall, "
			    "Northmere NM1 1AA\"");
}

int site_write_brand(struct site *s)
{
	const cJSON *colours =
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(s->cfg), "colours");
	struct tc_buf css = TC_BUF_INIT, name = TC_BUF_INIT, url = TC_BUF_INIT;
	char hex[65];
	int rc;

	if (!colours)
		return 0;
	/* The same rules as the theme's, with the council's colours. */
	tc_buf_addf(
	    &css,
	    ".header { color: %s; background: %s; }\n"
	    ".header__council, .header__council:visited, "
	    ".header__council:hover, .service-nav a, "
	    ".service-nav a:visited, .service-nav a:hover { color: %s; "
	    "}\n"
	    ".header__council:focus-visible, "
	    ".service-nav a:focus-visible { color: #1b1b1b; }\n"
	    ".policy-meta { border-left-color: %s; }\n"
	    ".footer { border-top-color: %s; }\n"
	    "a { color: %s; }\n"
	    "a:visited { color: %s; }\n",
	    colour_of(colours, "header_text"), colour_of(colours, "header"),
	    colour_of(colours, "header_text"), colour_of(colours, "header"),
	    colour_of(colours, "header"), colour_of(colours, "link"),
	    colour_of(colours, "link_visited"));
	tc_sha256_hex(css.data, css.len, hex);
	tc_buf_addf(&name, "assets/brand.%.8s.css", hex);
	tc_buf_addf(&url, "/%s", name.data);
	if (!cJSON_AddStringToObject(s->assets, "brand_css", url.data))
		tc_die_nomem();
	rc = site_write_output(s, name.data, css.data, css.len);
	tc_buf_release(&css);
	tc_buf_release(&name);
	tc_buf_release(&url);
	return rc;
}
