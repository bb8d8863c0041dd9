/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for people/session: token shape, hashed storage, lookup, idle and absolute
 * expiry (with the injectable clock), logout, disabled accounts, the lookup in two steps
 * (a read, then the writes after the read transaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/rand.h"
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

/* The sessions row of token: its seen_at, or -1 when there is none. */
static long long seen_at_of(store *s, const char *token) {
    char hash[65];
    rand_sha256_hex(token, 64, hash);
    store_query *st = store_stmt(s, "SELECT seen_at FROM sessions WHERE token_hash = ?", NULL);
    store_bind_text(st, 1, hash);
    long long at = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return at;
}

/* session_find writes nothing (PostgreSQL refuses writes in the read transaction the
 * server looks sessions up in); session_settle then does what session_lookup does. */
static void test_find_reads_settle_writes(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long uid = make_user(t->s);
    char token[65];
    session s, got;
    set_offset(0);
    assert_true(session_create(t->s, uid, "", "", token, &s, NULL));
    long long created = seen_at_of(t->s, token);
    set_offset(120); /* the idle time is due for a refresh */
    assert_true(session_find(t->s, token, &got));
    assert_false(got.expired);
    assert_int_equal(got.user_id, uid);
    assert_int_equal(seen_at_of(t->s, token), created);
    session_settle(t->s, token, &got);
    long long seen = seen_at_of(t->s, token); /* created + 120, or a second more if the clock ticked */
    assert_true(seen >= created + 120 && seen <= created + 122);
    set_offset(SESSION_MAX_SECONDS + 1); /* expired: found, reported, kept until settled */
    assert_false(session_find(t->s, token, &got));
    assert_true(got.expired);
    assert_int_equal(seen_at_of(t->s, token), seen);
    session_settle(t->s, token, &got);
    assert_int_equal(seen_at_of(t->s, token), -1);
    assert_false(session_find(t->s, token, &got)); /* absent: not expired, settles to nothing */
    assert_false(got.expired);
    session_settle(t->s, token, &got);
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
        cmocka_unit_test(test_find_reads_settle_writes),
        cmocka_unit_test(test_disabled_account_has_no_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
