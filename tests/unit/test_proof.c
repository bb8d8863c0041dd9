/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/proof: a known eddsa-rdfc-2022 proof (RFC 8032 TEST 1 key) equal
 * to an independent computation; verification and the reasons for refusals. */

/* Ed25519 is deterministic: EXPECTED_PROOF_VALUE was computed with jsonld.js canonize,
 * SHA-256 and node:crypto over the same document and proof options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/proof.h"

/* an OpenBadgeCredential issued by the did:key of RFC 8032 TEST 1's key, without proof */
static const char CREDENTIAL[] =
    "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\", \"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"], \"id\": \"urn:uuid:1\", \"type\": [\"VerifiableCredential\", \"OpenBadgeCredential\"], \"issuer\": {\"id\": \"did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw\", \"type\": [\"Profile\"], \"name\": \"DINUM\", \"url\": \"https://ex.fr\"}, \"validFrom\": \"2026-01-01T00:00:00Z\", \"name\": \"Badge \\\"é\\\"\\n😀\", \"credentialSubject\": {\"type\": [\"AchievementSubject\"], \"identifier\": [{\"type\": \"IdentityObject\", \"identityHash\": \"sha256$ab\", \"identityType\": \"emailAddress\", \"hashed\": true, \"salt\": \"s\"}], \"achievement\": {\"id\": \"https://ex.fr/a/1\", \"type\": [\"Achievement\"], \"name\": \"A\", \"description\": \"D\", \"criteria\": {\"narrative\": \"N\"}, \"image\": {\"id\": \"https://ex.fr/i.svg\", \"type\": \"Image\"}, \"alignment\": [{\"type\": [\"Alignment\"], \"targetName\": \"T\", \"targetUrl\": \"https://ex.fr/f/1\", \"targetCode\": \"1.1\", \"targetFramework\": \"CRCN\", \"targetType\": \"CFItem\"}]}}, \"credentialStatus\": {\"id\": \"https://ex.fr/s/1#5\", \"type\": \"BitstringStatusListEntry\", \"statusPurpose\": \"revocation\", \"statusListIndex\": \"5\", \"statusListCredential\": \"https://ex.fr/s/1\"}}";

/* jsonld.js canonize + sha256 + node:crypto Ed25519 over the same data, created
 * 2026-01-01T00:00:00Z */
static const char EXPECTED_PROOF_VALUE[] =
    "z5BYyG19UkLgvp1De832ZmoLvNBLABVp8NJXRS4DXwqQXMYtTfVhJTUsRUc9PmpD2yYhDDqPTGVYNevXy98ZzdRSC";
#define MK "z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"

static keys *rfc_key(void) {
    static const char hex[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) sscanf(hex + 2 * i, "%2hhx", &seed[i]);
    return keys_from_seed(seed, NULL);
}

static json_t *signed_credential(void) {
    json_t *doc = json_loads(CREDENTIAL, 0, NULL);
    keys *k = rfc_key();
    perr err = {""};
    if (!proof_add(doc, k, NULL, "2026-01-01T00:00:00Z", &err)) fail_msg("%s", err.msg);
    keys_free(k);
    return doc;
}

static void test_known_proof(void **state) {
    (void)state;
    json_t *doc = signed_credential();
    json_t *proofs = json_object_get(doc, "proof");
    assert_true(json_is_array(proofs));
    assert_int_equal(json_array_size(proofs), 1);
    json_t *p = json_array_get(proofs, 0);
    assert_string_equal(json_string_value(json_object_get(p, "type")), "DataIntegrityProof");
    assert_string_equal(json_string_value(json_object_get(p, "cryptosuite")), "eddsa-rdfc-2022");
    assert_string_equal(json_string_value(json_object_get(p, "proofPurpose")), "assertionMethod");
    assert_string_equal(json_string_value(json_object_get(p, "verificationMethod")), "did:key:" MK "#" MK);
    assert_string_equal(json_string_value(json_object_get(p, "created")), "2026-01-01T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(p, "proofValue")), EXPECTED_PROOF_VALUE);
    perr err = {""};
    if (!proof_verify(doc, NULL, &err)) fail_msg("%s", err.msg);
    /* the same with the key given explicitly, and after re-signing (proof replaced) */
    keys *k = rfc_key();
    assert_true(proof_verify(doc, k, &err));
    assert_true(proof_add(doc, k, NULL, NULL, &err));
    assert_int_equal(json_array_size(json_object_get(doc, "proof")), 1);
    assert_true(proof_verify(doc, k, &err));
    keys_free(k);
    json_decref(doc);
}

/* Applies an alteration to a signed copy and expects verification to fail with why. */
static void expect_refused(void (*alter)(json_t *), const char *why) {
    json_t *doc = signed_credential();
    alter(doc);
    perr err = {""};
    assert_false(proof_verify(doc, NULL, &err));
    if (!strstr(err.msg, why)) fail_msg("'%s' lacks '%s'", err.msg, why);
    json_decref(doc);
}

static json_t *the_proof(json_t *doc) {
    return json_array_get(json_object_get(doc, "proof"), 0);
}

static void alter_name(json_t *d) {
    json_object_set_new(d, "name", json_string("Badge modifié"));
}
static void alter_subject(json_t *d) {
    json_t *a = json_object_get(json_object_get(d, "credentialSubject"), "achievement");
    json_object_set_new(a, "description", json_string("autre"));
}
static void alter_created(json_t *d) {
    json_object_set_new(the_proof(d), "created", json_string("2026-01-02T00:00:00Z"));
}
static void alter_created_format(json_t *d) {
    json_object_set_new(the_proof(d), "created", json_string("2026-01-01"));
}
static void alter_value(json_t *d) {
    char v[128];
    snprintf(v, sizeof v, "%s", json_string_value(json_object_get(the_proof(d), "proofValue")));
    v[5] = v[5] == 'A' ? 'B' : 'A';
    json_object_set_new(the_proof(d), "proofValue", json_string(v));
}
static void alter_suite(json_t *d) {
    json_object_set_new(the_proof(d), "cryptosuite", json_string("eddsa-jcs-2022"));
}
static void alter_purpose(json_t *d) {
    json_object_set_new(the_proof(d), "proofPurpose", json_string("authentication"));
}
static void alter_issuer(json_t *d) {
    json_object_set_new(json_object_get(d, "issuer"), "id", json_string("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"));
}
static void alter_remove(json_t *d) {
    json_object_del(d, "proof");
}
static void alter_two(json_t *d) {
    json_array_append(json_object_get(d, "proof"), the_proof(d));
}
static void alter_short_sig(json_t *d) {
    json_object_set_new(the_proof(d), "proofValue", json_string("z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM35jj"));
}

static void test_alterations_refused(void **state) {
    (void)state;
    expect_refused(alter_name, "does not verify");
    expect_refused(alter_subject, "does not verify");
    expect_refused(alter_created, "does not verify");
    expect_refused(alter_created_format, "dateTime");
    expect_refused(alter_value, "does not verify");
    expect_refused(alter_suite, "eddsa-rdfc-2022");
    expect_refused(alter_purpose, "assertionMethod");
    expect_refused(alter_issuer, "not controlled by the issuer");
    expect_refused(alter_remove, "no proof");
    expect_refused(alter_two, "exactly one proof");
    expect_refused(alter_short_sig, "not 64");
}

static void test_other_key(void **state) {
    (void)state;
    json_t *doc = signed_credential();
    keys *other = keys_generate(NULL);
    perr err = {""};
    assert_false(proof_verify(doc, other, &err));
    assert_non_null(strstr(err.msg, "does not verify"));
    keys_free(other);
    json_decref(doc);
}

static void test_unsignable_document(void **state) {
    (void)state;
    json_t *doc = json_pack("{s:s, s:s}", "@context", "https://www.w3.org/ns/credentials/v2", "mystery", "x");
    keys *k = rfc_key();
    perr err = {""};
    assert_false(proof_add(doc, k, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "unknown term"));
    assert_null(json_object_get(doc, "proof"));
    keys_free(k);
    json_decref(doc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_proof),
        cmocka_unit_test(test_alterations_refused),
        cmocka_unit_test(test_other_key),
        cmocka_unit_test(test_unsignable_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
