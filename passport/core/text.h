/* SPDX-License-Identifier: EUPL-1.2 */
/* Hygiene of text people type: free text and names refuse control characters and
 * bidirectional overrides (which make a name read differently from what it is), and
 * e-mail addresses refuse invisible characters (docs/privacy.md, "input hygiene"). */
#ifndef PASSPORT_CORE_TEXT_H
#define PASSPORT_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* True when s[0..len) is well-formed UTF-8 without C0 controls (TAB, LF and CR allowed
 * when multiline), DEL, C1 controls (U+0080..U+009F), bidirectional embeddings,
 * overrides and isolates (U+202A..U+202E, U+2066..U+2069) or NUL. */
bool text_clean(const char *s, size_t len, bool multiline);

/* True when s[0..len) holds a character that is invisible or changes the reading
 * direction: ASCII controls and spaces, U+00A0, U+00AD, U+034F, U+061C, U+115F, U+1160,
 * U+17B4, U+17B5, U+180B..U+180E, U+2000..U+200F, U+2028..U+202F, U+205F..U+206F,
 * U+3000, U+3164, U+FE00..U+FE0F, U+FEFF, U+FFA0, U+E0000..U+E0FFF, or ill-formed UTF-8. */
bool text_has_invisible(const char *s, size_t len);

/* Appends to out the NFKC case fold of s[0..len) (Unicode NFKC_Casefold: compatibility
 * forms such as fullwidth letters become their plain form, case is folded). False, out
 * unchanged, when s is not well-formed UTF-8 or the normaliser fails. (ICU under it.) */
bool text_nfkc_casefold(const char *s, size_t len, buf *out);

#endif
