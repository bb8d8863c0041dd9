/* Character classes for input hygiene (see text.h). */
#include "core/text.h"

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
