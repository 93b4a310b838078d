/*
 * mime.c: Content-Types by extension (see mime.h), for intake's static
 * files and sitegen's preview.
 */
#include "mime.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

struct mime {
	const char *ext;  /* lowercase, without the dot */
	const char *type; /* the Content-Type sent */
};

static const struct mime mimes[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"pdf", "application/pdf"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"webmanifest", "application/manifest+json"},
    {NULL, NULL},
};

const char *tc_mime_for(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot)
		for (i = 0; mimes[i].ext; i++)
			if (!strcasecmp(dot + 1, mimes[i].ext))
				return mimes[i].type;
	return "application/octet-stream";
}
