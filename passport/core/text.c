/* SPDX-License-Identifier: EUPL-1.2 */
/* Character classes for input hygiene (see text.h). */
#include "core/text.h"

#include <stdlib.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "core/utf8.h"

static bool is_bidi_control(uint32_t cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool text_clean(const char *s, size_t len, bool multiline) {
    if (!s || !utf8_valid(s, len)) return false;
    for (size_t i = 0; i < len;) {
        uint32_t cp = utf8_decode(s, len, &i);
        if (cp < 0x20 && !(multiline && (cp == '\t' || cp == '\n' || cp == '\r'))) return false;
        if (cp >= 0x7F && cp <= 0x9F) return false;
        if (is_bidi_control(cp)) return false;
    }
    return true;
}

static bool is_invisible(uint32_t cp) {
    if (cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0)) return true;
    switch (cp) {
    case 0xAD: case 0x34F: case 0x61C: case 0x115F: case 0x1160: case 0x17B4: case 0x17B5:
    case 0x3000: case 0x3164: case 0xFEFF: case 0xFFA0:
        return true;
    default:
        break;
    }
    return (cp >= 0x180B && cp <= 0x180E) || (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
           (cp >= 0x205F && cp <= 0x206F) || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0000 && cp <= 0xE0FFF);
}

bool text_has_invisible(const char *s, size_t len) {
    if (!s || !utf8_valid(s, len)) return true;
    for (size_t i = 0; i < len;) {
        if (is_invisible(utf8_decode(s, len, &i))) return true;
    }
    return false;
}

bool text_nfkc_casefold(const char *s, size_t len, buf *out) {
    if (!s || len > 4096 || !utf8_valid(s, len)) return false;
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *n = unorm2_getNFKCCasefoldInstance(&e);
    if (U_FAILURE(e)) return false;
    int32_t cap = (int32_t)len + 1, n16 = 0;
    UChar *src = xmalloc((size_t)cap * sizeof *src), *dst = NULL;
    char *u8 = NULL;
    bool ok = false;
    u_strFromUTF8(src, cap, &n16, s, (int32_t)len, &e);
    if (U_FAILURE(e)) goto done;
    int32_t dcap = n16 * 18 + 1; /* NFKC expands a code unit to at most 18 */
    dst = xmalloc((size_t)dcap * sizeof *dst);
    int32_t dn = unorm2_normalize(n, src, n16, dst, dcap, &e);
    if (U_FAILURE(e)) goto done;
    int32_t need = 0;
    u_strToUTF8(NULL, 0, &need, dst, dn, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e)) goto done;
    e = U_ZERO_ERROR;
    u8 = xmalloc((size_t)need + 1);
    u_strToUTF8(u8, need + 1, NULL, dst, dn, &e);
    if (U_FAILURE(e)) goto done;
    buf_append(out, u8, (size_t)need);
    ok = true;
done:
    free(src);
    free(dst);
    free(u8);
    return ok;
}
