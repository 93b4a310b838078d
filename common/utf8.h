/*
 * utf8.h: UTF-8 validation, decoding and clean-up.
 *
 * Valid means RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF),
 * nothing above U+10FFFF, no truncated sequences. NUL bytes are valid UTF-8
 * but callers that want text reject them separately (tc_utf8_is_text).
 */
#ifndef TC_UTF8_H
#define TC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns 1 when s[0..len) is valid UTF-8, else 0 and, when bad is not NULL,
 * stores the offset of the first byte of the first invalid sequence.
 */
int tc_utf8_valid(const char *s, size_t len, size_t *bad);

/* As tc_utf8_valid, and also rejects NUL bytes (text from a file or form). */
int tc_utf8_is_text(const char *s, size_t len, size_t *bad);

/*
 * Decodes one code point at s (len bytes available). Returns the number of
 * bytes used (1 to 4) and stores the code point in *cp, or returns 0 when the
 * sequence is invalid or truncated.
 */
size_t tc_utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Encodes cp into out (at least 4 bytes). Returns the bytes written, or 0 for
 * a surrogate or a value above U+10FFFF.
 */
size_t tc_utf8_encode(uint32_t cp, char *out);

/*
 * Removes control characters other than tab and newline, in place: C0
 * controls (U+0000..U+001F except U+0009 and U+000A), DEL (U+007F) and C1
 * controls (U+0080..U+009F). A CR LF pair becomes LF and a lone CR becomes LF.
 * The input must be valid UTF-8. Returns the new length; s is NUL-terminated
 * at that length (s needs room for len + 1 bytes).
 */
size_t tc_utf8_strip_controls(char *s, size_t len);

/*
 * Masks control characters in place, keeping the length: each byte of a C0
 * control (newline and tab included), DEL or a C1 control (U+0080..U+009F,
 * C2 80..C2 9F) becomes '?', so text someone else chose cannot drive a
 * terminal. Other bytes, valid UTF-8 or not, are left as they are.
 */
void tc_utf8_mask_controls(char *s, size_t len);

/* Counts code points in valid UTF-8 (for character counts and limits). */
size_t tc_utf8_length(const char *s, size_t len);

/*
 * 1-based line and column (columns in characters, lines ended by LF) of byte
 * off in text (clamped to len): where a JSON parser's offset points.
 */
void tc_utf8_line_col(const char *text, size_t len, size_t off, int *line,
		      int *col);

#endif
