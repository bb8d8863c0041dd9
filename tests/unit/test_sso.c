/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for people/sso: an identity matched by verified e-mail once then by its
 * subject (even when the e-mail changes), unverified e-mails refused, accounts made only
 * when allowed, roles from the provider, disabled accounts refused, pending sign-ins used
 * once and kept only hashed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "people/account.h"
#include "people/sso.h"
#include "testutil.h"

static void test_sign_in(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long lea = 0, uid = 0;
    perr err = {{0}};
    assert_true(account_create(t->s, "lea@ex.fr", "Léa", 0, ROLE_AGENT | ROLE_MANAGER, "fr", NULL, &lea, &err));
    sso_policy strict = {false, 0}, open = {true, 0};
    sso_identity id = {"https://idp", "sub-lea", "LEA@ex.fr", false, "Léa M", NULL};
    assert_false(sso_sign_in(t->s, &id, &strict, &uid, &err));
    assert_string_equal(err.msg, "sso.unverified_email");
    id.email_verified = true;
    assert_true(sso_sign_in(t->s, &id, &strict, &uid, &err));
    assert_int_equal(uid, lea);
    /* later, by subject, even with another (unverified) e-mail */
    sso_identity later = {"https://idp", "sub-lea", "lea.new@ex.fr", false, "Léa", NULL};
    uid = 0;
    assert_true(sso_sign_in(t->s, &later, &strict, &uid, &err));
    assert_int_equal(uid, lea);
    /* another subject of the same provider cannot take Léa's account */
    sso_identity thief = {"https://idp", "sub-other", "lea@ex.fr", true, "X", NULL};
    assert_false(sso_sign_in(t->s, &thief, &open, &uid, &err));
    assert_string_equal(err.msg, "sso.linked_elsewhere");
    /* unknown people: refused, or made when the policy says so, with the provider's roles */
    sso_identity nina = {"https://idp", "sub-nina", "nina@ex.fr", true, "Nina N", "manager,unknown"};
    assert_false(sso_sign_in(t->s, &nina, &strict, &uid, &err));
    assert_string_equal(err.msg, "sso.no_account");
    assert_true(sso_sign_in(t->s, &nina, &open, &uid, &err));
    account *a = account_get(t->s, uid, &err);
    assert_string_equal(a->display_name, "Nina N");
    assert_null(a->password_hash);
    assert_int_equal(a->roles, ROLE_MANAGER);
    account_free(a);
    nina.roles = "nothing-known";
    assert_true(sso_sign_in(t->s, &nina, &open, &uid, &err));
    a = account_get(t->s, uid, &err);
    assert_int_equal(a->roles, ROLE_AGENT);
    account_free(a);
    /* roles kept when the provider sends none */
    a = account_get(t->s, lea, &err);
    assert_int_equal(a->roles, ROLE_AGENT | ROLE_MANAGER);
    account_free(a);
    assert_true(account_set_disabled(t->s, lea, true, &err));
    assert_false(sso_sign_in(t->s, &later, &strict, &uid, &err));
    assert_string_equal(err.msg, "sso.disabled");
    test_db_close(t);
}

static void test_pending(void **state) {
    (void)state;
    test_db *t = test_db_open();
    perr err = {{0}};
    char nonce[44], verifier[44], next[512];
    assert_true(sso_login_save(t->s, "state-1", "nonce-1", "verifier-1", "/passport", &err));
    store_query *st = store_stmt(t->s, "SELECT count(*) FROM oidc_logins WHERE state_hash = 'state-1'", NULL);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 0);
    store_done(st);
    assert_false(sso_login_take(t->s, "state-2", nonce, verifier, next, &err));
    assert_true(sso_login_take(t->s, "state-1", nonce, verifier, next, &err));
    assert_string_equal(nonce, "nonce-1");
    assert_string_equal(verifier, "verifier-1");
    assert_string_equal(next, "/passport");
    assert_false(sso_login_take(t->s, "state-1", nonce, verifier, next, &err)); /* once */
    assert_true(sso_login_save(t->s, "state-3", "n", "v", "/", &err));
    setenv("PASSPORT_CLOCK_OFFSET", "601", 1);
    assert_false(sso_login_take(t->s, "state-3", nonce, verifier, next, &err)); /* 10 minutes */
    unsetenv("PASSPORT_CLOCK_OFFSET");
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_in),
        cmocka_unit_test(test_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
