/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for people/session: token shape, hashed storage, lookup, idle and absolute
 * expiry (with the injectable clock), logout, disabled accounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "people/account.h"
#include "people/session.h"
#include "testutil.h"

static long long make_user(store *s) {
    long long id = 0;
    assert_true(account_create(s, "lea@exemple.gouv.fr", "Léa", 0, ROLE_AGENT, "fr", NULL, &id, NULL));
    return id;
}

static void set_offset(long secs) {
    char v[32];
    snprintf(v, sizeof v, "%ld", secs);
    setenv("PASSPORT_CLOCK_OFFSET", v, 1);
}

static void test_create_lookup_delete(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long uid = make_user(t->s);
    char token[65];
    session s, got;
    assert_true(session_create(t->s, uid, "127.0.0.1", "ua", token, &s, NULL));
    assert_int_equal(strlen(token), 64);
    assert_int_equal(strlen(s.csrf), 64);
    assert_string_not_equal(token, s.csrf);
    /* the token itself is never stored, only its hash */
    store_query *st = store_stmt(t->s, "SELECT count(*) FROM sessions WHERE token_hash = ?", NULL);
    store_bind_text(st, 1, token);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 0);
    store_done(st);
    assert_true(session_lookup(t->s, token, &got));
    assert_int_equal(got.user_id, uid);
    assert_string_equal(got.csrf, s.csrf);
    assert_false(session_lookup(t->s, "0000000000000000000000000000000000000000000000000000000000000000", &got));
    assert_false(session_lookup(t->s, "short", &got));
    assert_false(session_lookup(t->s, NULL, &got));
    session_delete(t->s, token);
    assert_false(session_lookup(t->s, token, &got));
    test_db_close(t);
}

static void test_expiry(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long uid = make_user(t->s);
    char token[65];
    session s, got;
    set_offset(0);
    assert_true(session_create(t->s, uid, "", "", token, &s, NULL));
    set_offset(SESSION_IDLE_SECONDS - 60); /* still active: refreshes seen_at */
    assert_true(session_lookup(t->s, token, &got));
    set_offset(2 * SESSION_IDLE_SECONDS - 120); /* idle window restarted at the last lookup */
    assert_true(session_lookup(t->s, token, &got));
    set_offset(SESSION_MAX_SECONDS + 1); /* absolute expiry wins */
    assert_false(session_lookup(t->s, token, &got));
    set_offset(0);
    assert_false(session_lookup(t->s, token, &got)); /* deleted when found expired */
    char token2[65];
    assert_true(session_create(t->s, uid, "", "", token2, &s, NULL));
    set_offset(SESSION_IDLE_SECONDS + 1);
    assert_false(session_lookup(t->s, token2, &got));
    assert_int_equal(session_purge(t->s), 0);
    unsetenv("PASSPORT_CLOCK_OFFSET");
    test_db_close(t);
}

static void test_disabled_account_has_no_session(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long uid = make_user(t->s);
    char token[65];
    session s, got;
    assert_true(session_create(t->s, uid, "", "", token, &s, NULL));
    assert_true(account_set_disabled(t->s, uid, true, NULL));
    assert_false(session_lookup(t->s, token, &got));
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_lookup_delete),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_disabled_account_has_no_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
