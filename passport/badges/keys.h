/* SPDX-License-Identifier: EUPL-1.2 */
/* Ed25519 issuer keys (OpenSSL EVP): generation, PEM files, signing and verification,
 * and their did:key / Multikey names. */
#ifndef PASSPORT_BADGES_KEYS_H
#define PASSPORT_BADGES_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KEYS_PUBLIC_LEN 32
#define KEYS_SIGNATURE_LEN 64

/* An Ed25519 key: a key pair, or a public key alone (which can only verify). */
typedef struct keys keys;

/* A new random key pair the caller frees with keys_free; NULL with err on failure. */
keys *keys_generate(perr *err);
/* The key pair of a 32-byte RFC 8032 private key (seed). Caller frees. */
keys *keys_from_seed(const uint8_t seed[32], perr *err);
/* A public key alone. Caller frees. */
keys *keys_from_public(const uint8_t pub[KEYS_PUBLIC_LEN], perr *err);
/* A public key from its Multikey "z6Mk..." or a did:key DID or verification method id
 * ("did:key:z6Mk...", "did:key:z6Mk...#z6Mk..."). Caller frees. */
keys *keys_from_did_key(const char *s, perr *err);
/* Frees k; NULL is a no-op. */
void keys_free(keys *k);
/* True when k holds the private half. */
bool keys_has_private(const keys *k);

/* Writes the private key as PKCS#8 PEM into a new file path, mode 0600, atomically
 * (core/atomic_file.h: a crash leaves the whole file or none; an existing file is never
 * overwritten). */
bool keys_save_private(const keys *k, const char *path, perr *err);
/* Loads an Ed25519 private key from a PEM file. Caller frees. */
keys *keys_load_private(const char *path, perr *err);

/* Copies the raw 32-byte public key into out. */
void keys_public_raw(const keys *k, uint8_t out[KEYS_PUBLIC_LEN]);
/* Signs len bytes of msg (pure Ed25519) into sig. Needs the private half. */
bool keys_sign(const keys *k, const void *msg, size_t len, uint8_t sig[KEYS_SIGNATURE_LEN], perr *err);
/* True when sig is a valid signature of msg by k. */
bool keys_verify(const keys *k, const void *msg, size_t len, const uint8_t sig[KEYS_SIGNATURE_LEN]);

/* The public key as Multikey: "z" + base58btc(0xed 0x01 || key). New string, caller frees. */
char *keys_multikey(const keys *k);
/* "did:key:" + Multikey. New string, caller frees. */
char *keys_did(const keys *k);
/* The verification method id "did:key:<mk>#<mk>". New string, caller frees. */
char *keys_verification_method(const keys *k);

#endif
