/* SPDX-License-Identifier: EUPL-1.2 */
/* UTF-8 helpers: strict validation, decoding one code point, and folding text for
 * comparison (lowercase, accents stripped, spaces collapsed) as quiz grading and search
 * need it. */
#ifndef PASSPORT_CORE_UTF8_H
#define PASSPORT_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* True when s[0..len) is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence. NUL bytes are valid. */
bool utf8_valid(const char *s, size_t len);

/* Like utf8_valid, and on failure stores in *bad the offset of the first byte of the first
 * ill-formed sequence (bad may be NULL). On success *bad is left untouched. */
bool utf8_check(const char *s, size_t len, size_t *bad);

/* Decodes the code point at s[*pos] (pos < len) and advances *pos past it. On an
 * ill-formed sequence returns U+FFFD and advances by one byte, so callers always progress. */
uint32_t utf8_decode(const char *s, size_t len, size_t *pos);

/* Appends the UTF-8 encoding of cp (U+FFFD for surrogates and values above U+10FFFF). */
void utf8_encode(buf *out, uint32_t cp);

/* Appends to out a folded form of s[0..len) for comparing human text:
 * - ASCII, Latin-1 Supplement, Latin Extended-A letters (and the Romanian Ș/Ț) are
 *   lowercased and stripped of accents: "É" -> "e", "Ç" -> "c", "œ"/"Œ" -> "oe",
 *   "æ" -> "ae", "ß"/"ẞ" -> "ss", "Ĳ" -> "ij", "Þ" -> "th", "Ł" -> "l";
 * - combining diacritical marks (U+0300..U+036F, text in NFD) are dropped;
 * - basic Greek and Cyrillic capitals are lowercased;
 * - typographic apostrophes (U+2018, U+2019, U+02BC) become "'";
 * - runs of white space (ASCII, no-break U+00A0, narrow no-break U+202F, U+2000..U+200A,
 *   U+3000) become one " ", with leading and trailing space removed;
 * - ill-formed UTF-8 bytes become U+FFFD; other characters are copied unchanged. */
void utf8_fold(buf *out, const char *s, size_t len);

#endif
