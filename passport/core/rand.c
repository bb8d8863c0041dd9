/* SPDX-License-Identifier: EUPL-1.2 */
/* Randomness and hashing through OpenSSL's libcrypto. */
#include "core/rand.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
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

/* SHA-256 fetched once for the process: with EVP_sha256() every digest looks the
 * algorithm up again, which costs more than hashing a session token. Written once under
 * pthread_once, read-only afterwards; freed at exit. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_release(void) {
    EVP_MD_free(sha256_md);
    sha256_md = NULL;
}

static void sha256_fetch(void) {
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (sha256_md) atexit(sha256_release);
}

static const EVP_MD *sha256(void) {
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_md ? sha256_md : EVP_sha256();
}

/* Hashes the parts in order into out[32]; aborts when libcrypto fails (no safe fallback). */
static void sha256_parts(EVP_MD_CTX *ctx, const void *a, size_t alen, const void *b, size_t blen,
                         unsigned char out[32]) {
    unsigned int n = 0;
    if (EVP_DigestInit_ex2(ctx, sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, a, alen) != 1 ||
        (blen && EVP_DigestUpdate(ctx, b, blen) != 1) || EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != 32) {
        fputs("passport: SHA-256 failed\n", stderr);
        abort();
    }
}

void rand_sha256(const void *data, size_t len, unsigned char out[32]) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) abort();
    sha256_parts(ctx, data, len, NULL, 0, out);
    EVP_MD_CTX_free(ctx);
}

void rand_sha256_hex(const void *data, size_t len, char out[65]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    rand_sha256(data, len, md);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

void rand_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len, unsigned char out[32]) {
    enum { BLOCK = 64 };
    unsigned char k[BLOCK] = {0}, pad[BLOCK], inner[32];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) abort();
    if (keylen > BLOCK) sha256_parts(ctx, key, keylen, NULL, 0, k);
    else if (keylen) memcpy(k, key, keylen);
    for (int i = 0; i < BLOCK; i++) pad[i] = k[i] ^ 0x36;
    sha256_parts(ctx, pad, BLOCK, msg, len, inner);
    for (int i = 0; i < BLOCK; i++) pad[i] = k[i] ^ 0x5c;
    sha256_parts(ctx, pad, BLOCK, inner, sizeof inner, out);
    EVP_MD_CTX_free(ctx);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
}

bool rand_consttime_eq(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return false;
    return CRYPTO_memcmp(a, b, la) == 0;
}
