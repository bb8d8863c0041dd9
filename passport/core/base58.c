/* SPDX-License-Identifier: EUPL-1.2 */
/* base58btc encoding and decoding by repeated division (quadratic, fine for keys and
 * signatures: inputs are capped at a few kilobytes). */
#include "core/base58.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define BASE58_MAX_INPUT 4096

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

char *base58_encode(const uint8_t *data, size_t len) {
    size_t zeros = 0;
    while (zeros < len && data[zeros] == 0) zeros++;
    /* log(256)/log(58) < 1.37: size the big-endian base-58 digit array accordingly */
    size_t cap = (len - zeros) * 138 / 100 + 1;
    uint8_t *digits = xcalloc(cap, 1);
    size_t used = 0; /* digits[cap-used .. cap-1] hold the number so far */
    for (size_t i = zeros; i < len; i++) {
        unsigned carry = data[i];
        size_t j = 0;
        for (size_t k = cap; k-- > 0 && (carry || j < used); j++) {
            carry += 256u * digits[k];
            digits[k] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        used = j;
    }
    char *out = xmalloc(zeros + used + 1);
    memset(out, '1', zeros);
    for (size_t i = 0; i < used; i++) out[zeros + i] = ALPHABET[digits[cap - used + i]];
    out[zeros + used] = '\0';
    free(digits);
    return out;
}

static int digit_value(char c) {
    const char *p = c ? strchr(ALPHABET, c) : NULL;
    return p ? (int)(p - ALPHABET) : -1;
}

bool base58_decode(const char *s, uint8_t **out, size_t *out_len, perr *err) {
    size_t n = strlen(s);
    if (n > BASE58_MAX_INPUT) return perr_set(err, "base58: input too long (%zu characters)", n);
    size_t zeros = 0;
    while (zeros < n && s[zeros] == '1') zeros++;
    size_t cap = (n - zeros) * 733 / 1000 + 1; /* log(58)/log(256) < 0.733 */
    uint8_t *bytes = xcalloc(cap, 1);
    size_t used = 0;
    for (size_t i = zeros; i < n; i++) {
        int v = digit_value(s[i]);
        if (v < 0) {
            free(bytes);
            return perr_set(err, "base58: invalid character at offset %zu", i);
        }
        unsigned carry = (unsigned)v;
        size_t j = 0;
        for (size_t k = cap; k-- > 0 && (carry || j < used); j++) {
            carry += 58u * bytes[k];
            bytes[k] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
        used = j;
    }
    uint8_t *res = xmalloc(zeros + used + 1);
    memset(res, 0, zeros);
    memcpy(res + zeros, bytes + cap - used, used);
    free(bytes);
    *out = res;
    *out_len = zeros + used;
    return true;
}
