/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for oidc/oidc: the claim mapping (userinfo before the ID token, usual_name
 * before family_name, email_verified as boolean or "true", roles as an array or a
 * string, a userinfo for another subject refused) and the provider's configuration
 * checks (https issuer, http only on loopback, client id and secret required). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oidc/oidc.h"

static void map(const char *id_json, const char *info_json, const char *roles_claim, oidc_identity *out, bool ok,
                const char *why) {
    json_t *id = json_loads(id_json, 0, NULL), *info = info_json ? json_loads(info_json, 0, NULL) : NULL;
    perr err = {{0}};
    assert_int_equal(oidc_map_claims(id, info, roles_claim, out, &err), ok);
    if (!ok) assert_string_equal(err.msg, why);
    json_decref(id);
    json_decref(info);
}

static void test_mapping(void **state) {
    (void)state;
    oidc_identity o;
    /* ProConnect's shape: usual_name, everything in userinfo */
    map("{\"sub\":\"abc\"}",
        "{\"sub\":\"abc\",\"email\":\"lea@ex.fr\",\"email_verified\":true,\"given_name\":\"Léa\","
        "\"usual_name\":\"Martin\",\"family_name\":\"Dupont\"}",
        NULL, &o, true, NULL);
    assert_string_equal(o.subject, "abc");
    assert_string_equal(o.email, "lea@ex.fr");
    assert_true(o.email_verified);
    assert_string_equal(o.given_name, "Léa");
    assert_string_equal(o.family_name, "Martin");
    assert_null(o.roles);
    oidc_identity_clear(&o);
    /* Keycloak's shape: claims in the ID token, family_name, "true" as a string, roles */
    map("{\"sub\":\"k1\",\"email\":\"a@ex.fr\",\"email_verified\":\"true\",\"family_name\":\"Nom\","
        "\"groups\":[\"manager\",\"agent\",7]}",
        NULL, "groups", &o, true, NULL);
    assert_true(o.email_verified);
    assert_string_equal(o.family_name, "Nom");
    assert_string_equal(o.given_name, "");
    assert_string_equal(o.roles, "manager,agent");
    oidc_identity_clear(&o);
    map("{\"sub\":\"k1\",\"email\":\"a@ex.fr\",\"email_verified\":false,\"roles\":\"rh admin\"}", "{\"sub\":\"k1\"}",
        "roles", &o, true, NULL);
    assert_false(o.email_verified);
    assert_string_equal(o.email, "a@ex.fr"); /* from the ID token when userinfo lacks it */
    assert_string_equal(o.roles, "rh,admin");
    oidc_identity_clear(&o);
    map("{\"sub\":\"k1\",\"email_verified\":1}", NULL, NULL, &o, true, NULL);
    assert_false(o.email_verified); /* only true or "true" */
    oidc_identity_clear(&o);
    /* a userinfo about someone else, or none at all */
    map("{\"sub\":\"abc\"}", "{\"sub\":\"xyz\",\"email\":\"x@ex.fr\"}", NULL, &o, false, "oidc.userinfo");
    map("{\"sub\":\"abc\"}", "{\"email\":\"x@ex.fr\"}", NULL, &o, false, "oidc.userinfo");
    map("{\"email\":\"x@ex.fr\"}", NULL, NULL, &o, false, "oidc.claims");
}

static void test_config(void **state) {
    (void)state;
    perr err = {{0}};
    oidc_provider *p = NULL;
    oidc_config c = {"http://idp.example.org", "passport", "s", NULL, "http://127.0.0.1/oidc/callback", NULL, NULL, 0};
    assert_null(oidc_provider_new(&c, &err));
    /* names that only begin like the loopback are other hosts */
    static const char *const lookalikes[] = {"http://127.0.0.1.evil.example", "http://localhost.evil.example",
                                             "http://localhost@evil.example", "http://127.0.0.10:80"};
    for (size_t i = 0; i < sizeof lookalikes / sizeof lookalikes[0]; i++) {
        c.issuer = lookalikes[i];
        assert_null(oidc_provider_new(&c, &err));
    }
    c.issuer = "http://localhost/realms/x";
    p = oidc_provider_new(&c, &err);
    assert_non_null(p);
    oidc_provider_free(p);
    c.issuer = "http://127.0.0.1:9999";
    p = oidc_provider_new(&c, &err);
    assert_non_null(p);
    assert_string_equal(oidc_provider_issuer(p), "http://127.0.0.1:9999");
    /* no end_session_endpoint known (nobody listens): no provider logout */
    buf url = BUF_INIT;
    assert_false(oidc_logout_url(p, "t", "http://127.0.0.1/login", &url));
    buf_free(&url);
    oidc_provider_free(p);
    c.issuer = "https://idp.example.org";
    c.client_secret = NULL;
    assert_null(oidc_provider_new(&c, &err));
    c.client_secret = "s";
    c.client_id = "";
    assert_null(oidc_provider_new(&c, &err));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
