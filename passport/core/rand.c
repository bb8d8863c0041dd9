/* Randomness and hashing through OpenSSL's libcrypto. */
#include "core/rand.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rand_bytes(void *out, size_t n) {
    if (RAND_bytes(out, (int)n) != 1) {
        fputs("passport: RAND_bytes failed\n", stderr);
        abort();
    }
}

void rand_hex(char *out, size_t n) {
    static const char hex[] = "0123456789abcdef";
    unsigned char tmp[64];
    size_t done = 0;
    while (done < n) {
        size_t k = n - done < sizeof tmp ? n - done : sizeof tmp;
        rand_bytes(tmp, k);
        for (size_t i = 0; i < k; i++) {
            out[2 * (done + i)] = hex[tmp[i] >> 4];
            out[2 * (done + i) + 1] = hex[tmp[i] & 15];
        }
        done += k;
    }
    out[2 * n] = '\0';
}

uint64_t rand_below(uint64_t bound) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound, v;
    do rand_bytes(&v, sizeof v);
    while (v >= limit);
    return v % bound;
}

void rand_sha256_hex(const void *data, size_t len, char out[65]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

bool rand_consttime_eq(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return false;
    return CRYPTO_memcmp(a, b, la) == 0;
}
