/* SPDX-License-Identifier: EUPL-1.2 */
/* UTF-8 validation (RFC 3629 well-formedness table), decoding, encoding and folding of
 * Latin text for accent- and case-insensitive comparison. */
#include "core/utf8.h"

#include <string.h>

/* Decodes one well-formed sequence at s[i] into *cp and returns its length (1..4), or 0
 * when the bytes at s[i] do not start a well-formed sequence. */
static size_t decode_at(const unsigned char *s, size_t len, size_t i, uint32_t *cp) {
    unsigned char c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        *cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        *cp = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;      /* overlong */
        else if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        *cp = c & 0x07;
        if (c == 0xF0) lo = 0x90;      /* overlong */
        else if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (len - i < n) return 0;
    if (s[i + 1] < lo || s[i + 1] > hi) return 0;
    *cp = (*cp << 6) | (s[i + 1] & 0x3F);
    for (size_t k = 2; k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80) return 0;
        *cp = (*cp << 6) | (s[i + k] & 0x3F);
    }
    return n;
}

bool utf8_check(const char *s, size_t len, size_t *bad) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* fast path over ASCII */
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = decode_at(u, len, i, &cp);
        if (n == 0) {
            if (bad) *bad = i;
            return false;
        }
        i += n;
    }
    return true;
}

bool utf8_valid(const char *s, size_t len) {
    return utf8_check(s, len, NULL);
}

uint32_t utf8_decode(const char *s, size_t len, size_t *pos) {
    uint32_t cp;
    size_t n = decode_at((const unsigned char *)s, len, *pos, &cp);
    if (n == 0) {
        *pos += 1;
        return 0xFFFD;
    }
    *pos += n;
    return cp;
}

void utf8_encode(buf *out, uint32_t cp) {
    char b[4];
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
    if (cp < 0x80) {
        b[0] = (char)cp;
        buf_append(out, b, 1);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        buf_append(out, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        buf_append(out, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        buf_append(out, b, 4);
    }
}

/* Folded ASCII forms of U+00C0..U+017F; NULL keeps the character (× and ÷). */
static const char *const latin_fold[0x180 - 0xC0] = {
    /* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* D0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
    /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* F0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
    /* 100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    /* 110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    /* 120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    /* 140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    /* 160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    /* 170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

static bool is_space_cp(uint32_t cp) {
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x202F ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x3000 || cp == 0x205F || cp == 0x1680;
}

/* Appends the folded form of one non-space code point. */
static void fold_cp(buf *out, uint32_t cp) {
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        buf_putc(out, (char)cp);
        return;
    }
    if (cp >= 0xC0 && cp < 0x180) {
        const char *f = latin_fold[cp - 0xC0];
        if (f) {
            buf_puts(out, f);
            return;
        }
    } else if (cp == 0x218 || cp == 0x219) {
        buf_putc(out, 's');
        return;
    } else if (cp == 0x21A || cp == 0x21B) {
        buf_putc(out, 't');
        return;
    } else if (cp == 0x1E9E) {
        buf_puts(out, "ss");
        return;
    } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x2BC) {
        buf_putc(out, '\'');
        return;
    } else if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) {
        cp += 0x20; /* Greek capitals */
    } else if (cp >= 0x410 && cp <= 0x42F) {
        cp += 0x20; /* Cyrillic capitals */
    } else if (cp >= 0x400 && cp <= 0x40F) {
        cp += 0x50;
    }
    utf8_encode(out, cp);
}

void utf8_fold(buf *out, const char *s, size_t len) {
    size_t pos = 0;
    bool pending_space = false, any = false;
    while (pos < len) {
        uint32_t cp = utf8_decode(s, len, &pos);
        if (cp >= 0x300 && cp <= 0x36F) continue; /* combining mark: dropped */
        if (is_space_cp(cp)) {
            pending_space = any;
            continue;
        }
        if (pending_space) buf_putc(out, ' ');
        pending_space = false;
        fold_cp(out, cp);
        any = true;
    }
}
