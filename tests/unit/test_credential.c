/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/credential: members of the OpenBadgeCredential, status list and
 * ClrCredential documents, identity hash, required inputs, signing. */

/* Names and shapes follow the OB 3.0 JSON schema and the VC 2.0 / CLR 2.0.1 contexts;
 * verify.mjs checks the same documents independently in tests/e2e/vc.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/credential.h"
#include "badges/jsonld.h"
#include "badges/keys.h"
#include "badges/proof.h"

static const char *str(const json_t *o, const char *path) {
    /* "a.b.0.c": object members and array indexes */
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", path);
    const json_t *cur = o;
    for (char *tok = strtok(tmp, "."); tok && cur; tok = strtok(NULL, "."))
        cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(tok)) : json_object_get(cur, tok);
    return json_string_value(cur);
}

static const credential_alignment ALIGN[] = {
    {"Protéger les données", "https://pix.fr/competences/4.2", "4.2", "CRCN", "CFItem"},
    {"Sécuriser", "https://pix.fr/competences/4.1", NULL, NULL, NULL},
};

static credential_badge sample(void) {
    return (credential_badge){
        .id = "urn:uuid:11111111-2222-4333-8444-555555555555",
        .issuer = {"did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw", "DINUM", "https://ex.fr", NULL, NULL},
        .valid_from = "2026-01-01T00:00:00Z",
        .recipient_email = "agent@example.fr",
        .salt = "c0ffee",
        .achievement_id = "https://ex.fr/achievements/1",
        .achievement_name = "Sécurité",
        .achievement_description = "Description",
        .criteria_narrative = "Réussir les modules",
        .image_url = "https://ex.fr/badge.svg",
        .achievement_type = "Competency",
        .alignments = ALIGN,
        .nalignments = 2,
        .status_list_url = "https://ex.fr/status/1",
        .status_index = 4242,
    };
}

static void test_identity_hash(void **state) {
    (void)state;
    /* sha256("agent@example.frc0ffee"), computed with sha256sum */
    char *h = credential_identity_hash("agent@example.fr", "c0ffee");
    assert_string_equal(h, "sha256$8181c92e117f9330b5f3db816b71f44d643ac545554a281dc81ad6c3fb8d8630");
    free(h);
}

static void test_badge(void **state) {
    (void)state;
    credential_badge in = sample();
    perr err = {""};
    json_t *d = credential_badge_new(&in, &err);
    if (!d) fail_msg("%s", err.msg);
    assert_string_equal(str(d, "@context.0"), "https://www.w3.org/ns/credentials/v2");
    assert_string_equal(str(d, "@context.1"), "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");
    assert_string_equal(str(d, "id"), in.id);
    assert_string_equal(str(d, "type.0"), "VerifiableCredential");
    assert_string_equal(str(d, "type.1"), "OpenBadgeCredential");
    assert_string_equal(str(d, "issuer.id"), in.issuer.did);
    assert_string_equal(str(d, "issuer.type.0"), "Profile");
    assert_string_equal(str(d, "issuer.name"), "DINUM");
    assert_string_equal(str(d, "issuer.url"), "https://ex.fr");
    assert_string_equal(str(d, "validFrom"), "2026-01-01T00:00:00Z");
    assert_null(json_object_get(d, "validUntil"));
    assert_string_equal(str(d, "name"), "Sécurité");
    assert_string_equal(str(d, "credentialSubject.type.0"), "AchievementSubject");
    assert_string_equal(str(d, "credentialSubject.identifier.0.type"), "IdentityObject");
    assert_string_equal(str(d, "credentialSubject.identifier.0.identityType"), "emailAddress");
    assert_string_equal(str(d, "credentialSubject.identifier.0.salt"), "c0ffee");
    char *h = credential_identity_hash("agent@example.fr", "c0ffee");
    assert_string_equal(str(d, "credentialSubject.identifier.0.identityHash"), h);
    free(h);
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(json_object_get(d, "credentialSubject"), "identifier"), 0), "hashed")));
    char *text = json_dumps(d, 0);
    assert_null(strstr(text, "agent@example.fr")); /* the email never appears in clear */
    free(text);
    assert_string_equal(str(d, "credentialSubject.achievement.id"), in.achievement_id);
    assert_string_equal(str(d, "credentialSubject.achievement.type.0"), "Achievement");
    assert_string_equal(str(d, "credentialSubject.achievement.criteria.narrative"), "Réussir les modules");
    assert_string_equal(str(d, "credentialSubject.achievement.image.type"), "Image");
    assert_string_equal(str(d, "credentialSubject.achievement.achievementType"), "Competency");
    assert_string_equal(str(d, "credentialSubject.achievement.alignment.0.type.0"), "Alignment");
    assert_string_equal(str(d, "credentialSubject.achievement.alignment.0.targetType"), "CFItem");
    assert_string_equal(str(d, "credentialSubject.achievement.alignment.0.targetCode"), "4.2");
    assert_null(str(d, "credentialSubject.achievement.alignment.1.targetCode"));
    assert_string_equal(str(d, "credentialStatus.id"), "https://ex.fr/status/1#4242");
    assert_string_equal(str(d, "credentialStatus.type"), "BitstringStatusListEntry");
    assert_string_equal(str(d, "credentialStatus.statusPurpose"), "revocation");
    assert_string_equal(str(d, "credentialStatus.statusListIndex"), "4242");
    assert_string_equal(str(d, "credentialStatus.statusListCredential"), "https://ex.fr/status/1");
    /* it is valid JSON-LD for Passport's canonicaliser */
    char *c14n = NULL;
    if (!jsonld_canonize(d, &c14n, &err)) fail_msg("%s", err.msg);
    assert_non_null(strstr(c14n, "<https://ex.fr/status/1#4242> <https://www.w3.org/ns/credentials/status#statusListIndex> \"4242\" ."));
    free(c14n);
    json_decref(d);
}

static void test_badge_defaults_and_errors(void **state) {
    (void)state;
    credential_badge in = sample();
    in.id = NULL;
    in.valid_from = NULL;
    in.salt = NULL;
    in.status_list_url = NULL;
    in.image_url = NULL;
    in.nalignments = 0;
    in.valid_until = "2030-01-01T00:00:00Z";
    perr err = {""};
    json_t *a = credential_badge_new(&in, &err), *b = credential_badge_new(&in, &err);
    assert_non_null(a);
    assert_true(!strncmp(str(a, "id"), "urn:uuid:", 9));
    assert_int_equal(strlen(str(a, "id")), 45);
    assert_int_equal(str(a, "id")[23], '4');
    assert_string_not_equal(str(a, "id"), str(b, "id"));
    assert_string_not_equal(str(a, "credentialSubject.identifier.0.salt"), str(b, "credentialSubject.identifier.0.salt"));
    assert_int_equal(strlen(str(a, "validFrom")), 20);
    assert_string_equal(str(a, "validUntil"), "2030-01-01T00:00:00Z");
    assert_null(json_object_get(a, "credentialStatus"));
    assert_null(json_object_get(json_object_get(json_object_get(a, "credentialSubject"), "achievement"), "alignment"));
    json_decref(a);
    json_decref(b);
    in = sample();
    in.criteria_narrative = NULL;
    assert_null(credential_badge_new(&in, &err));
    assert_non_null(strstr(err.msg, "criteria_narrative"));
    in = sample();
    in.issuer.did = "";
    assert_null(credential_badge_new(&in, &err));
    assert_non_null(strstr(err.msg, "issuer.did"));
    in = sample();
    credential_alignment bad = {"x", NULL, NULL, NULL, NULL};
    in.alignments = &bad;
    in.nalignments = 1;
    assert_null(credential_badge_new(&in, &err));
    assert_non_null(strstr(err.msg, "target_url"));
}

static void test_status_list_and_clr(void **state) {
    (void)state;
    static const char hex[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) sscanf(hex + 2 * i, "%2hhx", &seed[i]);
    keys *k = keys_from_seed(seed, NULL);
    credential_badge in = sample();
    perr err = {""};
    statuslist *l = statuslist_new(0);
    statuslist_set(l, 4242, true, NULL);
    json_t *list = credential_status_list_new("https://ex.fr/status/1", &in.issuer, NULL, l, &err);
    assert_non_null(list);
    assert_string_equal(str(list, "id"), "https://ex.fr/status/1");
    assert_string_equal(str(list, "type.1"), "BitstringStatusListCredential");
    assert_string_equal(str(list, "issuer"), in.issuer.did);
    assert_string_equal(str(list, "credentialSubject.id"), "https://ex.fr/status/1#list");
    assert_string_equal(str(list, "credentialSubject.type"), "BitstringStatusList");
    assert_string_equal(str(list, "credentialSubject.statusPurpose"), "revocation");
    statuslist *back = statuslist_decode(str(list, "credentialSubject.encodedList"), &err);
    assert_true(statuslist_get(back, 4242));
    statuslist_free(back);
    assert_true(proof_add(list, k, NULL, NULL, &err));
    assert_true(proof_verify(list, NULL, &err));

    json_t *badge = credential_badge_new(&in, &err);
    credential_clr c = {.issuer = in.issuer, .name = "Passeport", .recipient_email = "agent@example.fr",
                        .badges = &badge, .nbadges = 1};
    assert_null(credential_clr_new(&c, &err)); /* unsigned badges are refused */
    assert_non_null(strstr(err.msg, "not a signed credential"));
    assert_true(proof_add(badge, k, NULL, NULL, &err));
    json_t *clr = credential_clr_new(&c, &err);
    if (!clr) fail_msg("%s", err.msg);
    assert_string_equal(str(clr, "@context.1"), "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json");
    assert_string_equal(str(clr, "type.1"), "ClrCredential");
    assert_string_equal(str(clr, "credentialSubject.type.0"), "ClrSubject");
    assert_string_equal(str(clr, "credentialSubject.verifiableCredential.0.id"), in.id);
    assert_string_equal(str(clr, "credentialSubject.identifier.0.type"), "IdentityObject");
    assert_true(proof_add(clr, k, NULL, NULL, &err));
    if (!proof_verify(clr, NULL, &err)) fail_msg("%s", err.msg);
    /* the inner badge keeps its own valid proof */
    assert_true(proof_verify(json_array_get(json_object_get(json_object_get(clr, "credentialSubject"), "verifiableCredential"), 0), NULL, &err));
    c.nbadges = 0;
    assert_null(credential_clr_new(&c, &err));
    json_decref(clr);
    json_decref(badge);
    json_decref(list);
    statuslist_free(l);
    keys_free(k);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_hash),
        cmocka_unit_test(test_badge),
        cmocka_unit_test(test_badge_defaults_and_errors),
        cmocka_unit_test(test_status_list_and_clr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
