/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for oidc/jwt: signatures RS256, ES256 (cjose) and EdDSA (OpenSSL) verified
 * against a key set, a changed byte refused, unknown kids reported for a refetch, "none"
 * and HS256 refused, keys of the wrong type refused; the ID token claim checks (issuer,
 * audience and azp, expiry and issued-at with skew, age, nonce, sub). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjose/cjose.h>
#include <openssl/evp.h>

#include "core/b64.h"
#include "core/buf.h"
#include "oidc/jwt.h"

static const char *const payload = "{\"iss\":\"https://idp.ex\",\"sub\":\"s1\",\"aud\":\"passport\",\"nonce\":\"n\"}";

/* A compact JWS of payload signed by jwk with alg and kid (cjose). */
static char *sign_cjose(cjose_jwk_t *jwk, const char *alg, const char *kid) {
    cjose_err ce;
    cjose_header_t *h = cjose_header_new(&ce);
    cjose_header_set(h, CJOSE_HDR_ALG, alg, &ce);
    if (kid) cjose_header_set(h, CJOSE_HDR_KID, kid, &ce);
    cjose_jws_t *jws = cjose_jws_sign(jwk, h, (const uint8_t *)payload, strlen(payload), &ce);
    assert_non_null(jws);
    const char *out = NULL;
    assert_true(cjose_jws_export(jws, &out, &ce));
    char *s = xstrdup(out);
    cjose_jws_release(jws);
    cjose_header_release(h);
    return s;
}

/* The public JWK of jwk with kid, as a JSON object. */
static json_t *public_jwk(cjose_jwk_t *jwk, const char *kid) {
    cjose_err ce;
    char *s = cjose_jwk_to_json(jwk, false, &ce);
    json_t *j = json_loads(s, 0, NULL);
    free(s);
    json_object_set_new(j, "kid", json_string(kid));
    return j;
}

static json_t *set_of(json_t *a, json_t *b, json_t *c) {
    json_t *keys = json_array();
    if (a) json_array_append_new(keys, a);
    if (b) json_array_append_new(keys, b);
    if (c) json_array_append_new(keys, c);
    return json_pack("{s:o}", "keys", keys);
}

static void expect_refused(const char *token, json_t *jwks, const char *why) {
    perr err = {{0}};
    json_t *claims = jwt_verify(token, jwks, &err);
    assert_null(claims);
    assert_string_equal(err.msg, why);
}

/* Flips one character of the signature part (keeps it valid base64url). */
static void damage_signature(char *token) {
    char *sig = strrchr(token, '.') + 1;
    sig[3] = sig[3] == 'A' ? 'B' : 'A';
}

static void test_rs256_es256(void **state) {
    (void)state;
    cjose_err ce;
    static const uint8_t e[] = {1, 0, 1};
    cjose_jwk_t *rsa = cjose_jwk_create_RSA_random(2048, e, sizeof e, &ce), *ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &ce);
    assert_non_null(rsa);
    assert_non_null(ec);
    json_t *jwks = set_of(public_jwk(rsa, "r1"), public_jwk(ec, "e1"), NULL);
    perr err = {{0}};
    char *rs = sign_cjose(rsa, "RS256", "r1"), *es = sign_cjose(ec, "ES256", "e1");
    json_t *claims = jwt_verify(rs, jwks, &err);
    assert_non_null(claims);
    assert_string_equal(json_string_value(json_object_get(claims, "sub")), "s1");
    json_decref(claims);
    claims = jwt_verify(es, jwks, &err);
    assert_non_null(claims);
    json_decref(claims);
    /* a kid the set lacks: the caller fetches the set again */
    char *other = sign_cjose(rsa, "RS256", "r2");
    expect_refused(other, jwks, "jwt.unknown_kid");
    /* the RSA key named for an ES256 token */
    char *mixed = sign_cjose(ec, "ES256", "r1");
    expect_refused(mixed, jwks, "jwt.key");
    /* HS256 with a shared secret is not accepted, whatever the key */
    cjose_jwk_t *oct = cjose_jwk_create_oct_random(32, &ce);
    char *hs = sign_cjose(oct, "HS256", "r1");
    expect_refused(hs, jwks, "jwt.alg");
    damage_signature(rs);
    expect_refused(rs, jwks, "jwt.signature");
    free(rs);
    free(es);
    free(other);
    free(mixed);
    free(hs);
    cjose_jwk_release(oct);
    cjose_jwk_release(rsa);
    cjose_jwk_release(ec);
    json_decref(jwks);
}

/* An EdDSA token of body signed by pk, with kid (NULL: none) and alg. */
static char *sign_ed25519(EVP_PKEY *pk, const char *alg, const char *kid, const char *body) {
    buf hdr = BUF_INIT, tok = BUF_INIT;
    buf_printf(&hdr, "{\"alg\":\"%s\"%s%s%s}", alg, kid ? ",\"kid\":\"" : "", kid ? kid : "", kid ? "\"" : "");
    char *h = b64url_encode(hdr.data, hdr.len), *p = b64url_encode(body, strlen(body));
    buf_printf(&tok, "%s.%s", h, p);
    unsigned char sig[64];
    size_t n = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk), 1);
    assert_int_equal(EVP_DigestSign(ctx, sig, &n, (unsigned char *)tok.data, tok.len), 1);
    EVP_MD_CTX_free(ctx);
    char *s = b64url_encode(sig, n);
    buf_printf(&tok, ".%s", s);
    free(h);
    free(p);
    free(s);
    buf_free(&hdr);
    return buf_detach(&tok);
}

static json_t *okp_jwk(EVP_PKEY *pk, const char *kid) {
    unsigned char raw[32];
    size_t n = sizeof raw;
    assert_int_equal(EVP_PKEY_get_raw_public_key(pk, raw, &n), 1);
    char *x = b64url_encode(raw, n);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed25519", "x", x, "kid", kid);
    free(x);
    return j;
}

static void test_eddsa(void **state) {
    (void)state;
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *pk = NULL, *other = NULL;
    assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
    assert_int_equal(EVP_PKEY_keygen(kc, &pk), 1);
    assert_int_equal(EVP_PKEY_keygen(kc, &other), 1);
    EVP_PKEY_CTX_free(kc);
    json_t *jwks = set_of(okp_jwk(pk, "ed1"), NULL, NULL);
    perr err = {{0}};
    char *good = sign_ed25519(pk, "EdDSA", "ed1", payload);
    json_t *claims = jwt_verify(good, jwks, &err);
    assert_non_null(claims);
    assert_string_equal(json_string_value(json_object_get(claims, "nonce")), "n");
    json_decref(claims);
    /* no kid: the set's only OKP key */
    char *nokid = sign_ed25519(pk, "EdDSA", NULL, payload);
    claims = jwt_verify(nokid, jwks, &err);
    assert_non_null(claims);
    json_decref(claims);
    /* signed by another key under the same kid */
    char *forged = sign_ed25519(other, "EdDSA", "ed1", payload);
    expect_refused(forged, jwks, "jwt.signature");
    /* alg none, or a made-up one, is never accepted */
    char *none = sign_ed25519(pk, "none", "ed1", payload);
    expect_refused(none, jwks, "jwt.alg");
    char *notjson = sign_ed25519(pk, "EdDSA", "ed1", "[1]");
    expect_refused(notjson, jwks, "jwt.payload");
    damage_signature(good);
    expect_refused(good, jwks, "jwt.signature");
    expect_refused("a.b", jwks, "jwt.malformed");
    /* found by tests/fuzz/fuzz_jwt.c: a segment of 4n+1 characters made cjose abort */
    expect_refused("eyJhbGciO.eyJzdWIiOiJhIn0.AAAA", jwks, "jwt.malformed");
    expect_refused("eyJhbGciOiJSUzI1NiJ9.e=.AAAA", jwks, "jwt.malformed");
    expect_refused("", jwks, "jwt.malformed");
    free(good);
    free(nokid);
    free(forged);
    free(none);
    free(notjson);
    EVP_PKEY_free(pk);
    EVP_PKEY_free(other);
    json_decref(jwks);
}

static void check(const char *json, const jwt_expect *e, const char *why) {
    json_t *c = json_loads(json, 0, NULL);
    assert_non_null(c);
    perr err = {{0}};
    bool ok = jwt_check_claims(c, e, &err);
    json_decref(c);
    if (!why) {
        assert_true(ok);
    } else {
        assert_false(ok);
        assert_string_equal(err.msg, why);
    }
}

static void test_claims(void **state) {
    (void)state;
    jwt_expect e = {"https://idp.ex", "passport", "n1", 1000000, 60, 600};
    char t[400];
#define TOKEN(extra) (snprintf(t, sizeof t, "{\"iss\":\"https://idp.ex\",\"sub\":\"s\",\"nonce\":\"n1\",%s}", extra), t)
    check(TOKEN("\"aud\":\"passport\",\"exp\":1000300,\"iat\":999990"), &e, NULL);
    check(TOKEN("\"aud\":[\"passport\"],\"exp\":1000300,\"iat\":999990"), &e, NULL);
    check(TOKEN("\"aud\":[\"passport\",\"api\"],\"azp\":\"passport\",\"exp\":1000300,\"iat\":999990"), &e, NULL);
    check(TOKEN("\"aud\":[\"passport\",\"api\"],\"exp\":1000300,\"iat\":999990"), &e, "jwt.aud");
    check(TOKEN("\"aud\":\"other\",\"exp\":1000300,\"iat\":999990"), &e, "jwt.aud");
    check(TOKEN("\"aud\":\"passport\",\"exp\":999941,\"iat\":999500"), &e, NULL); /* within the skew */
    check(TOKEN("\"aud\":\"passport\",\"exp\":999940,\"iat\":999500"), &e, "jwt.expired");
    check(TOKEN("\"aud\":\"passport\",\"iat\":999990"), &e, "jwt.expired");
    check(TOKEN("\"aud\":\"passport\",\"exp\":1009000,\"iat\":1000060"), &e, NULL);
    check(TOKEN("\"aud\":\"passport\",\"exp\":1009000,\"iat\":1000061"), &e, "jwt.iat"); /* from the future */
    check(TOKEN("\"aud\":\"passport\",\"exp\":1009000,\"iat\":999339"), &e, "jwt.iat");  /* too old */
    check("{\"iss\":\"https://idp.ex/\",\"sub\":\"s\",\"nonce\":\"n1\",\"aud\":\"passport\",\"exp\":1000300,\"iat\":999990}",
          &e, "jwt.iss");
    check("{\"iss\":\"https://idp.ex\",\"sub\":\"s\",\"nonce\":\"n2\",\"aud\":\"passport\",\"exp\":1000300,\"iat\":999990}",
          &e, "jwt.nonce");
    check("{\"iss\":\"https://idp.ex\",\"sub\":\"s\",\"aud\":\"passport\",\"exp\":1000300,\"iat\":999990}", &e, "jwt.nonce");
    check("{\"iss\":\"https://idp.ex\",\"sub\":\"\",\"nonce\":\"n1\",\"aud\":\"passport\",\"exp\":1000300,\"iat\":999990}",
          &e, "jwt.sub");
    e.nonce = NULL; /* signed userinfo: no nonce */
    check("{\"iss\":\"https://idp.ex\",\"sub\":\"s\",\"aud\":\"passport\",\"exp\":1000300,\"iat\":999990}", &e, NULL);
#undef TOKEN
}

static void userinfo(const char *json, bool ok) {
    json_t *c = json_loads(json, 0, NULL);
    assert_non_null(c);
    perr err = {{0}};
    assert_int_equal(jwt_check_userinfo(c, "https://idp.ex", "passport", &err), ok);
    if (!ok) assert_string_equal(err.msg, "oidc.userinfo");
    json_decref(c);
}

/* A userinfo answered as a signed JWT: iss and aud, when present, must be ours. */
static void test_userinfo(void **state) {
    (void)state;
    userinfo("{\"sub\":\"s\"}", true);
    userinfo("{\"sub\":\"s\",\"iss\":\"https://idp.ex\",\"aud\":\"passport\"}", true);
    userinfo("{\"sub\":\"s\",\"aud\":[\"api\",\"passport\"]}", true);
    userinfo("{\"sub\":\"s\",\"iss\":\"https://other.ex\"}", false);
    userinfo("{\"sub\":\"s\",\"iss\":7}", false);
    userinfo("{\"sub\":\"s\",\"aud\":\"another-client\"}", false);
    userinfo("{\"sub\":\"s\",\"aud\":[\"another-client\"]}", false); /* an array must list us too */
    userinfo("{\"sub\":\"s\",\"aud\":[]}", false);
    userinfo("{\"sub\":\"s\",\"aud\":{}}", false);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rs256_es256),
        cmocka_unit_test(test_eddsa),
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_userinfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
