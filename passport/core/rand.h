/* SPDX-License-Identifier: EUPL-1.2 */
/* Cryptographically secure randomness (OpenSSL RAND_bytes) and token helpers. */
#ifndef PASSPORT_CORE_RAND_H
#define PASSPORT_CORE_RAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fills out with n random bytes; aborts if the system has no entropy (we cannot run safely). */
void rand_bytes(void *out, size_t n);
/* Writes 2*n lowercase hex characters of n random bytes plus NUL into out (size 2*n+1). */
void rand_hex(char *out, size_t n);
/* A random integer in [0, bound), bound > 0, without modulo bias. */
uint64_t rand_below(uint64_t bound);
/* sha256(data) into out[32]. */
void rand_sha256(const void *data, size_t len, unsigned char out[32]);
/* Lowercase hex of sha256(data): out has 65 bytes. */
void rand_sha256_hex(const void *data, size_t len, char out[65]);
/* HMAC-SHA256 (RFC 2104) of msg[0..len) under key[0..keylen) into out[32]. */
void rand_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len, unsigned char out[32]);
/* Compares two strings in time independent of where they differ (same length assumed
 * public); false if lengths differ. */
bool rand_consttime_eq(const char *a, const char *b);

#endif
