/*
 * forms_sniff.c: what an uploaded file's bytes say it is (tc_sniff_type,
 * see forms.h), whatever its name or the browser claims, so a file field
 * accepts only the kinds its definition names.
 */
#include "forms_internal.h"

#include <string.h>

#include "utf8.h"

/* 1 when needle occurs in hay[0..len). */
static int has_bytes(const unsigned char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (hay[i] == (unsigned char)needle[0] &&
		    !memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

/* 1 for text: valid UTF-8, no NUL, no C0 control but tab, CR and LF. */
static int plain_text(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return tc_utf8_is_text((const char *)p, len, NULL);
}

const char *tc_sniff_type(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!p || len == 0)
		return NULL;
	if (len >= 5 && !memcmp(p, "%PDF-", 5))
		return "application/pdf";
	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (len >= 4 && !memcmp(p, "PK\x03\x04", 4))
		return has_bytes(p, len, "word/document.xml")
			   ? tc_form_kinds[KIND_DOCX].mime
			   : NULL;
	if (len >= 8 && !memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return "application/msword";
	if (plain_text(p, len))
		return "text/plain";
	return NULL;
}
