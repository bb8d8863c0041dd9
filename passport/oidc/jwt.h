/* SPDX-License-Identifier: EUPL-1.2 */
/* Signed JSON Web Tokens as OpenID Connect uses them (ID tokens, signed userinfo): the
 * signature checked against the provider's key set, then the claims. Hides cjose (RS256,
 * ES256) and OpenSSL (EdDSA, which cjose 0.6 does not know); used by oidc/oidc.c and
 * its tests only. */
#ifndef PASSPORT_OIDC_JWT_H
#define PASSPORT_OIDC_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Verifies the compact JWS token (alg RS256, ES256 or EdDSA) with the key of jwks (a JWK
 * Set: {"keys": [...]}) its "kid" names, or the set's only key of the right type when the
 * token names none, and returns its payload as a new JSON object. NULL with err:
 * "jwt.malformed", "jwt.alg" (another algorithm, "none" included), "jwt.unknown_kid" (no
 * such key: the caller may fetch the set again), "jwt.key" (the key does not fit the
 * algorithm), "jwt.signature", "jwt.payload" (not a JSON object). */
json_t *jwt_verify(const char *token, const json_t *jwks, perr *err);

/* What an ID token must say. */
typedef struct jwt_expect {
    const char *issuer;   /* iss, exactly */
    const char *audience; /* in aud; when aud lists others too, azp must be this */
    const char *nonce;    /* nonce, exactly; NULL: not checked (signed userinfo) */
    int64_t now;
    int skew;             /* seconds of clock difference tolerated */
    int max_age;          /* iat no older than this (seconds); 0: not checked */
} jwt_expect;

/* Checks an ID token's claims: iss, aud/azp, exp > now - skew, iat <= now + skew (and
 * >= now - max_age - skew), nonce, a non-empty sub. false with err "jwt.iss", "jwt.aud",
 * "jwt.expired", "jwt.iat", "jwt.nonce" or "jwt.sub". */
bool jwt_check_claims(const json_t *claims, const jwt_expect *e, perr *err);

/* Checks a userinfo answered as a signed JWT: its iss, when present, is issuer exactly;
 * its aud, when present, is audience or an array that lists it. false with err
 * "oidc.userinfo" otherwise. */
bool jwt_check_userinfo(const json_t *claims, const char *issuer, const char *audience, perr *err);

#endif
