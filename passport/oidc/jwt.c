/* SPDX-License-Identifier: EUPL-1.2 */
/* JWS verification with cjose for RS256 and ES256. cjose 0.6.2 refuses to import a JWS
 * whose alg is EdDSA, so for that one algorithm the compact form is split here (the only
 * hand parsing: header, payload and signature at the two dots) and the Ed25519 signature
 * over "header.payload" is checked with OpenSSL's EVP_DigestVerify. */
#include "oidc/jwt.h"

#include <cjose/cjose.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64.h"

static bool str_is(const json_t *v, const char *want) {
    return json_is_string(v) && !strcmp(json_string_value(v), want);
}

/* The key for kid (NULL: the only key of kty), or NULL with err. */
static const json_t *find_key(const json_t *jwks, const char *kid, const char *kty, const char *alg, perr *err) {
    const json_t *keys = json_object_get(jwks, "keys"), *found = NULL, *k;
    size_t i, matches = 0;
    json_array_foreach(keys, i, k) {
        const char *use = json_string_value(json_object_get(k, "use"));
        if (use && strcmp(use, "sig")) continue;
        const char *kkid = json_string_value(json_object_get(k, "kid"));
        if (kid ? (kkid && !strcmp(kkid, kid)) : str_is(json_object_get(k, "kty"), kty)) {
            found = k;
            matches++;
        }
    }
    if (!found || (!kid && matches > 1)) {
        perr_set(err, "jwt.unknown_kid");
        return NULL;
    }
    const char *kkty = json_string_value(json_object_get(found, "kty")), *kalg = json_string_value(json_object_get(found, "alg"));
    if (!kkty || strcmp(kkty, kty) || (kalg && strcmp(kalg, alg))) {
        perr_set(err, "jwt.key");
        return NULL;
    }
    return found;
}

static json_t *payload_object(const uint8_t *data, size_t len, perr *err) {
    json_t *claims = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(claims)) {
        json_decref(claims);
        perr_set(err, "jwt.payload");
        return NULL;
    }
    return claims;
}

/* RS256 and ES256 through cjose. */
static json_t *verify_cjose(cjose_jws_t *jws, const json_t *jwks, perr *err) {
    cjose_err ce;
    cjose_header_t *hdr = cjose_jws_get_protected(jws);
    const char *alg = cjose_header_get(hdr, CJOSE_HDR_ALG, &ce), *kid = cjose_header_get(hdr, CJOSE_HDR_KID, &ce);
    const char *kty = alg && !strcmp(alg, "RS256") ? "RSA" : alg && !strcmp(alg, "ES256") ? "EC" : NULL;
    if (!kty) {
        perr_set(err, "jwt.alg");
        return NULL;
    }
    const json_t *key = find_key(jwks, kid, kty, alg, err);
    if (!key) return NULL;
    if (!strcmp(kty, "EC") && !str_is(json_object_get(key, "crv"), "P-256")) {
        perr_set(err, "jwt.key");
        return NULL;
    }
    cjose_jwk_t *jwk = cjose_jwk_import_json((cjose_header_t *)key, &ce);
    if (!jwk) {
        perr_set(err, "jwt.key");
        return NULL;
    }
    bool ok = cjose_jws_verify(jws, jwk, &ce);
    cjose_jwk_release(jwk);
    if (!ok) {
        perr_set(err, "jwt.signature");
        return NULL;
    }
    uint8_t *plain = NULL;
    size_t len = 0;
    if (!cjose_jws_get_plaintext(jws, &plain, &len, &ce)) {
        perr_set(err, "jwt.payload");
        return NULL;
    }
    return payload_object(plain, len, err); /* plain belongs to jws */
}

static bool ed25519_ok(const json_t *key, const char *input, size_t input_len, const uint8_t *sig, size_t sig_len) {
    const char *crv = json_string_value(json_object_get(key, "crv")), *x = json_string_value(json_object_get(key, "x"));
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    if (!crv || strcmp(crv, "Ed25519") || !x || !b64url_decode(x, strlen(x), &raw, &raw_len, NULL)) return false;
    EVP_PKEY *pk = raw_len == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, raw_len) : NULL;
    free(raw);
    if (!pk) return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1 &&
              EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)input, input_len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return ok;
}

/* EdDSA: the one algorithm cjose cannot import. */
static json_t *verify_eddsa(const char *token, const json_t *jwks, perr *err) {
    const char *d1 = strchr(token, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2 || strchr(d2 + 1, '.')) {
        perr_set(err, "jwt.malformed");
        return NULL;
    }
    uint8_t *hdr_raw = NULL, *body = NULL, *sig = NULL;
    size_t hdr_len = 0, body_len = 0, sig_len = 0;
    json_t *hdr = NULL, *claims = NULL;
    if (!b64url_decode(token, (size_t)(d1 - token), &hdr_raw, &hdr_len, NULL) ||
        !(hdr = json_loadb((const char *)hdr_raw, hdr_len, JSON_REJECT_DUPLICATES, NULL))) {
        perr_set(err, "jwt.malformed");
        goto done;
    }
    const char *alg = json_string_value(json_object_get(hdr, "alg"));
    if (!alg || strcmp(alg, "EdDSA") || json_object_get(hdr, "crit")) {
        perr_set(err, "jwt.alg");
        goto done;
    }
    const json_t *key = find_key(jwks, json_string_value(json_object_get(hdr, "kid")), "OKP", "EdDSA", err);
    if (!key) goto done;
    if (!b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &body, &body_len, NULL) ||
        !b64url_decode(d2 + 1, strlen(d2 + 1), &sig, &sig_len, NULL)) {
        perr_set(err, "jwt.malformed");
        goto done;
    }
    if (!ed25519_ok(key, token, (size_t)(d2 - token), sig, sig_len)) {
        perr_set(err, "jwt.signature");
        goto done;
    }
    claims = payload_object(body, body_len, err);
done:
    free(hdr_raw);
    free(body);
    free(sig);
    json_decref(hdr);
    return claims;
}

/* True when token is three base64url segments of possible lengths. Checked before cjose
 * sees it: cjose 0.6.2's decoder aborts the process (an assert) on a segment whose length
 * leaves 1 character over a multiple of 4, which a hostile answer could send. */
static bool well_formed(const char *token) {
    int dots = 0;
    size_t seg = 0;
    for (const char *p = token;; p++) {
        if (*p == '.' || !*p) {
            if (seg % 4 == 1) return false;
            if (!*p) break;
            dots++;
            seg = 0;
        } else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                   *p == '_') {
            seg++;
        } else {
            return false;
        }
    }
    return dots == 2;
}

json_t *jwt_verify(const char *token, const json_t *jwks, perr *err) {
    if (!token || !well_formed(token)) {
        perr_set(err, "jwt.malformed");
        return NULL;
    }
    cjose_err ce;
    cjose_jws_t *jws = cjose_jws_import(token, strlen(token), &ce);
    if (!jws) return verify_eddsa(token, jwks, err);
    json_t *claims = verify_cjose(jws, jwks, err);
    cjose_jws_release(jws);
    return claims;
}

static bool aud_ok(const json_t *claims, const char *audience) {
    const json_t *aud = json_object_get(claims, "aud");
    if (json_is_string(aud)) return !strcmp(json_string_value(aud), audience);
    if (!json_is_array(aud) || !json_array_size(aud)) return false;
    bool listed = false;
    size_t i;
    const json_t *a;
    json_array_foreach(aud, i, a) listed = listed || (json_is_string(a) && !strcmp(json_string_value(a), audience));
    if (!listed) return false;
    if (json_array_size(aud) == 1) return true;
    const char *azp = json_string_value(json_object_get(claims, "azp"));
    return azp && !strcmp(azp, audience);
}

bool jwt_check_userinfo(const json_t *claims, const char *issuer, const char *audience, perr *err) {
    const json_t *iss = json_object_get(claims, "iss"), *aud = json_object_get(claims, "aud");
    if (iss && (!json_is_string(iss) || strcmp(json_string_value(iss), issuer))) return perr_set(err, "oidc.userinfo");
    bool listed = json_is_string(aud) && !strcmp(json_string_value(aud), audience);
    size_t i;
    const json_t *a;
    json_array_foreach(aud, i, a) listed = listed || (json_is_string(a) && !strcmp(json_string_value(a), audience));
    return !aud || listed ? true : perr_set(err, "oidc.userinfo");
}

bool jwt_check_claims(const json_t *claims, const jwt_expect *e, perr *err) {
    const char *iss = json_string_value(json_object_get(claims, "iss"));
    if (!iss || strcmp(iss, e->issuer)) return perr_set(err, "jwt.iss");
    if (!aud_ok(claims, e->audience)) return perr_set(err, "jwt.aud");
    const json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat");
    if (!json_is_number(exp) || json_number_value(exp) <= (double)(e->now - e->skew)) return perr_set(err, "jwt.expired");
    if (!json_is_number(iat) || json_number_value(iat) > (double)(e->now + e->skew) ||
        (e->max_age && json_number_value(iat) < (double)(e->now - e->max_age - e->skew)))
        return perr_set(err, "jwt.iat");
    if (e->nonce) {
        const char *nonce = json_string_value(json_object_get(claims, "nonce"));
        if (!nonce || strcmp(nonce, e->nonce)) return perr_set(err, "jwt.nonce");
    }
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    if (!sub || !*sub) return perr_set(err, "jwt.sub");
    return true;
}
