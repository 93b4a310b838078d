/*
 * forms_sniff.c: what an uploaded file's bytes say it is (tc_sniff_type,
 * see forms.h), whatever its name or the browser claims, so a file field
 * accepts only the kinds its definition names.
 */
#include "forms_internal.h"

#include <string.h>

#include "utf8.h"

/* What a zip must hold to be a Word document. */
static const char docx_entry[] = "word/document.xml";
#define DOCX_LEN (sizeof(docx_entry) - 1)

/* 1 when needle[0..n) occurs in hay[0..len). */
static int has_bytes(const unsigned char *hay, size_t len,
		     const unsigned char *needle, size_t n)
{
	size_t i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

/* The length of the UTF-8 sequence lead byte c starts (1 for ASCII and
 * for bytes that start none: the validator refuses those). */
static size_t seq_len(unsigned char c)
{
	if (c >= 0xF0)
		return 4;
	if (c >= 0xE0)
		return 3;
	if (c >= 0xC0)
		return 2;
	return 1;
}

void tc_sniff_init(struct tc_sniffer *s)
{
	memset(s, 0, sizeof(*s));
	s->text = 1;
}

/* Text so far: no C0 control but tab, CR and LF, and valid UTF-8 with a
 * sequence cut by the chunk's end carried to the next. */
static void feed_text(struct tc_sniffer *s, const unsigned char *p, size_t n)
{
	size_t i, need, cut, j;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n') {
			s->text = 0;
			return;
		}
	if (s->ncarry) {
		need = seq_len(s->carry[0]) - s->ncarry;
		if (n < need) {
			memcpy(s->carry + s->ncarry, p, n);
			s->ncarry += n;
			return;
		}
		memcpy(s->carry + s->ncarry, p, need);
		if (!tc_utf8_valid((const char *)s->carry, s->ncarry + need,
				   NULL)) {
			s->text = 0;
			return;
		}
		s->ncarry = 0;
		p += need;
		n -= need;
	}
	/* The last lead byte, if its sequence runs past the end, waits. */
	cut = n;
	for (j = n; j > 0 && n - j < 4; j--)
		if ((p[j - 1] & 0xC0) != 0x80) {
			if (j - 1 + seq_len(p[j - 1]) > n)
				cut = j - 1;
			break;
		}
	if (!tc_utf8_valid((const char *)p, cut, NULL)) {
		s->text = 0;
		return;
	}
	memcpy(s->carry, p + cut, n - cut);
	s->ncarry = n - cut;
}

void tc_sniff_feed(struct tc_sniffer *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	unsigned char edge[2 * DOCX_LEN];
	size_t k;

	if (!n)
		return;
	k = n < sizeof(s->head) - s->nhead ? n : sizeof(s->head) - s->nhead;
	memcpy(s->head + s->nhead, p, k);
	s->nhead += k;
	if (!s->docx) {
		/* The name may straddle the chunks: look across the edge. */
		k = n < DOCX_LEN - 1 ? n : DOCX_LEN - 1;
		memcpy(edge, s->tail, s->ntail);
		memcpy(edge + s->ntail, p, k);
		s->docx =
		    has_bytes(edge, s->ntail + k,
			      (const unsigned char *)docx_entry, DOCX_LEN) ||
		    has_bytes(p, n, (const unsigned char *)docx_entry,
			      DOCX_LEN);
		if (n >= DOCX_LEN - 1) {
			memcpy(s->tail, p + n - (DOCX_LEN - 1), DOCX_LEN - 1);
			s->ntail = DOCX_LEN - 1;
		} else {
			/* keep the last DOCX_LEN - 1 bytes of tail and p */
			size_t keep = s->ntail + n > DOCX_LEN - 1
					  ? DOCX_LEN - 1
					  : s->ntail + n;

			memcpy(edge, s->tail, s->ntail);
			memcpy(edge + s->ntail, p, n);
			memcpy(s->tail, edge + s->ntail + n - keep, keep);
			s->ntail = keep;
		}
	}
	if (s->text)
		feed_text(s, p, n);
	s->total += n;
}

const char *tc_sniff_end(const struct tc_sniffer *s)
{
	const unsigned char *p = s->head;
	size_t len = s->nhead;

	if (s->total == 0)
		return NULL;
	if (len >= 5 && !memcmp(p, "%PDF-", 5))
		return "application/pdf";
	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (len >= 4 && !memcmp(p, "PK\x03\x04", 4))
		return s->docx ? tc_form_kinds[KIND_DOCX].mime : NULL;
	if (len >= 8 && !memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return "application/msword";
	if (s->text && !s->ncarry)
		return "text/plain";
	return NULL;
}

const char *tc_sniff_type(const void *data, size_t len)
{
	struct tc_sniffer s;

	if (!data)
		return NULL;
	tc_sniff_init(&s);
	tc_sniff_feed(&s, data, len);
	return tc_sniff_end(&s);
}
