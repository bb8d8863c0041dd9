/* SPDX-License-Identifier: EUPL-1.2 */
/* The issuer's Ed25519 keys in <data>/keys (folder 0700, PEM files 0600 named so that name
 * order is creation order): the newest signs, all stay valid for verification; the issuer
 * DID is the did:key of the signing key, or did:web:<host> when the public URL is https. */
#ifndef PASSPORT_BADGES_KEYRING_H
#define PASSPORT_BADGES_KEYRING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "badges/keys.h"
#include "core/err.h"

typedef struct keyring keyring;

/* Loads every key of dir. A key file that does not load (empty, damaged) and a temporary
 * file left by a crash are skipped with a warning logged, never fatal. When no usable key
 * remains and create is true, creates dir (0700) and a new key. A new keyring the caller
 * frees, or NULL with err (no usable key with create false, or the new key not made). */
keyring *keyring_load(const char *dir, bool create, perr *err);
void keyring_free(keyring *kr);
/* Creates dir if needed and writes a new key file in it; its path into *path (new string,
 * caller frees; path may be NULL). The new key becomes the signing key at the next load. */
bool keyring_add(const char *dir, char **path, perr *err);

size_t keyring_count(const keyring *kr);
/* Key i in creation order (owned by kr); the signing key is the last. */
const keys *keyring_key(const keyring *kr, size_t i);
const char *keyring_file(const keyring *kr, size_t i);
const keys *keyring_signing(const keyring *kr);
/* The key of kr whose Multikey is mk, or NULL (owned by kr). */
const keys *keyring_find(const keyring *kr, const char *mk);

/* The issuer DID for public_url: "did:web:<host>" (':' of a port as %3A) when it is
 * https, else the did:key of the signing key. New string, caller frees. */
char *keyring_issuer_did(const keyring *kr, const char *public_url);
/* The verification method of the signing key under did ("did:web:h#<mk>" or the did:key
 * method). New string, caller frees. */
char *keyring_verification_method(const keyring *kr, const char *did);
/* Resolves the public key a verification method id names, when it is one of ours:
 * "did:key:<mk>#<mk>" of a key in kr, or "<web_did>#<mk>" (web_did may be NULL). NULL
 * otherwise (owned by kr). */
const keys *keyring_resolve(const keyring *kr, const char *web_did, const char *method);
/* The DID document of web_did listing every key as Multikey (controller = the DID),
 * all in assertionMethod. New reference. */
json_t *keyring_did_document(const keyring *kr, const char *web_did);

#endif
