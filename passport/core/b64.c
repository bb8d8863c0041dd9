/* SPDX-License-Identifier: EUPL-1.2 */
/* Base64 and base64url codecs over a shared 6-bit core. */
#include "core/b64.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static const char STD[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *encode(const uint8_t *p, size_t len, const char *alpha, bool pad) {
    char *out = xmalloc((len + 2) / 3 * 4 + 1);
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        out[o++] = alpha[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        if (pad) out[o++] = '=', out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        if (pad) out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

char *b64_encode(const void *data, size_t len) {
    return encode(data, len, STD, true);
}

char *b64url_encode(const void *data, size_t len) {
    return encode(data, len, URL, false);
}

static int value_of(char c, const char *alpha) {
    const char *p = c ? strchr(alpha, c) : NULL;
    return p ? (int)(p - alpha) : -1;
}

/* Decodes n significant characters (no padding) of alphabet alpha. */
static bool decode(const char *s, size_t n, const char *alpha, uint8_t **out,
                   size_t *out_len, perr *err) {
    if (n % 4 == 1) return perr_set(err, "base64: truncated input");
    uint8_t *res = xmalloc(n / 4 * 3 + 3);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = value_of(s[i], alpha);
        if (v < 0) {
            free(res);
            return perr_set(err, "base64: invalid character at offset %zu", i);
        }
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            res[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (bits && (acc & ((1u << bits) - 1))) {
        free(res);
        return perr_set(err, "base64: non-zero trailing bits");
    }
    *out = res;
    *out_len = o;
    return true;
}

bool b64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len, perr *err) {
    if (len % 4) return perr_set(err, "base64: length is not a multiple of 4");
    size_t n = len;
    if (n && s[n - 1] == '=') n--;
    if (n && s[n - 1] == '=') n--;
    return decode(s, n, STD, out, out_len, err);
}

bool b64url_decode(const char *s, size_t len, uint8_t **out, size_t *out_len, perr *err) {
    return decode(s, len, URL, out, out_len, err);
}
