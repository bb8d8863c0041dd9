/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for people/account_link: a link works once, until it expires, not for a
 * disabled account, and a newer one replaces it; only its hash is stored; invitations and
 * resets put their e-mail in the outbox, unknown addresses nothing (a reset request is one
 * row whatever the address, resolved later by the mail worker); account_end_access
 * keeps the one session named, revokes every API token and voids the unused links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "people/account.h"
#include "people/account_link.h"
#include "people/apitoken.h"
#include "people/session.h"
#include "testutil.h"

static long long new_user(test_db *t, const char *email) {
    return test_account(t->s, email, "Léa", ROLE_AGENT, "fr");
}

static int count(test_db *t, const char *sql) {
    store_query *st = store_stmt(t->s, sql, NULL);
    int n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_done(st);
    return n;
}

static void test_once_and_replaced(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long u = new_user(t, "lea@ex.fr");
    char path[96], path2[96];
    perr err = {{0}};
    assert_true(account_link_create(t->s, u, ACCOUNT_LINK_INVITE, path, &err));
    assert_int_equal(strncmp(path, "/password/set?t=", 16), 0);
    const char *token = path + 16;
    assert_int_equal(strlen(token), ACCOUNT_LINK_TOKEN_LEN);
    store_query *st = store_stmt(t->s, "SELECT count(*) FROM account_links WHERE token_hash = ?", NULL);
    store_bind_text(st, 1, token);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 0); /* never in clear */
    store_done(st);
    assert_int_equal(account_link_peek(t->s, token, &err), u);
    assert_int_equal(account_link_peek(t->s, token, &err), u); /* peeking does not use it */
    account_link_purpose p = ACCOUNT_LINK_RESET;
    assert_int_equal(account_link_use(t->s, token, &p, &err), u);
    assert_int_equal(p, ACCOUNT_LINK_INVITE);
    assert_int_equal(account_link_use(t->s, token, &p, &err), 0); /* once */
    assert_string_equal(err.msg, "");
    assert_int_equal(account_link_peek(t->s, token, &err), 0);
    /* a newer link of the same purpose replaces the older one */
    assert_true(account_link_create(t->s, u, ACCOUNT_LINK_RESET, path, &err));
    assert_true(account_link_create(t->s, u, ACCOUNT_LINK_RESET, path2, &err));
    assert_int_equal(account_link_peek(t->s, path + 16, &err), 0);
    assert_int_equal(account_link_use(t->s, path2 + 16, &p, &err), u);
    assert_int_equal(p, ACCOUNT_LINK_RESET);
    /* malformed tokens */
    assert_int_equal(account_link_peek(t->s, NULL, &err), 0);
    assert_int_equal(account_link_peek(t->s, "zz", &err), 0);
    test_db_close(t);
}

static void test_expiry_and_disabled(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long u = new_user(t, "lea@ex.fr");
    char path[96], invite[96];
    perr err = {{0}};
    assert_true(account_link_create(t->s, u, ACCOUNT_LINK_RESET, path, &err));
    assert_true(account_link_create(t->s, u, ACCOUNT_LINK_INVITE, invite, &err));
    char off[32];
    snprintf(off, sizeof off, "%d", ACCOUNT_LINK_RESET_SECONDS + 1);
    setenv("PASSPORT_CLOCK_OFFSET", off, 1);
    assert_int_equal(account_link_use(t->s, path + 16, NULL, &err), 0); /* 15 minutes */
    assert_int_equal(account_link_peek(t->s, invite + 16, &err), u);     /* 7 days */
    snprintf(off, sizeof off, "%d", ACCOUNT_LINK_INVITE_SECONDS + 1);
    setenv("PASSPORT_CLOCK_OFFSET", off, 1);
    assert_int_equal(account_link_peek(t->s, invite + 16, &err), 0);
    unsetenv("PASSPORT_CLOCK_OFFSET");
    assert_true(account_link_create(t->s, u, ACCOUNT_LINK_INVITE, invite, &err));
    assert_true(account_set_disabled(t->s, u, true, &err));
    assert_int_equal(account_link_use(t->s, invite + 16, NULL, &err), 0);
    test_db_close(t);
}

static void test_mails(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long u = new_user(t, "lea@ex.fr");
    perr err = {{0}};
    assert_true(account_invite(t->s, u, &err));
    /* a request does the same thing whether the address has an account: one row */
    assert_true(account_reset_request(t->s, "LEA@ex.fr", &err));
    assert_int_equal(count(t, "SELECT count(*) FROM reset_requests"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM outbox WHERE kind = 'reset'"), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM account_links WHERE purpose = 'reset'"), 0);
    assert_true(account_reset_request(t->s, "nobody@ex.fr", &err));
    assert_int_equal(count(t, "SELECT count(*) FROM reset_requests"), 2);
    assert_int_equal(count(t, "SELECT count(*) FROM outbox WHERE kind = 'reset'"), 0);
    assert_true(account_reset_request(t->s, "lea@ex.fr", &err)); /* twice in one batch: one e-mail */
    /* the worker resolves them: a link and an e-mail for the account, nothing else */
    assert_int_equal(account_reset_resolve(t->s, clock_now(), &err), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM reset_requests"), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM outbox WHERE kind = 'invitation' AND to_addr = 'lea@ex.fr'"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM outbox WHERE kind = 'reset' AND to_addr = 'lea@ex.fr'"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM outbox"), 2);
    assert_int_equal(count(t, "SELECT count(*) FROM account_links"), 2);
    assert_int_equal(account_reset_resolve(t->s, clock_now(), &err), 0); /* taken once */
    /* a request older than a link's life, or for a disabled account, sends nothing */
    assert_true(account_reset_request(t->s, "lea@ex.fr", &err));
    assert_int_equal(account_reset_resolve(t->s, clock_now() + ACCOUNT_LINK_RESET_SECONDS + 1, &err), 0);
    assert_true(account_set_disabled(t->s, u, true, &err));
    assert_true(account_reset_request(t->s, "lea@ex.fr", &err));
    assert_int_equal(account_reset_resolve(t->s, clock_now(), &err), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM outbox WHERE kind = 'reset'"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM reset_requests"), 0);
    test_db_close(t);
}

static void test_end_access(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long u = new_user(t, "lea@ex.fr"), other = new_user(t, "karim@ex.fr");
    char here[65], there[65], elsewhere[65], tok[APITOKEN_LEN + 1];
    session s;
    perr err = {{0}};
    assert_true(session_create(t->s, u, "", "", here, &s, &err));
    assert_true(session_create(t->s, u, "", "", there, &s, &err));
    assert_true(session_create(t->s, other, "", "", elsewhere, &s, &err));
    assert_true(apitoken_create(t->s, u, "script", tok, NULL, &err));
    char reset[96], invite[96], theirs[96];
    assert_true(account_link_create(t->s, u, ACCOUNT_LINK_RESET, reset, &err));
    assert_true(account_link_create(t->s, u, ACCOUNT_LINK_INVITE, invite, &err));
    assert_true(account_link_create(t->s, other, ACCOUNT_LINK_RESET, theirs, &err));
    assert_true(account_end_access(t->s, u, here, &err));
    /* a link mailed before the change cannot set another password */
    assert_int_equal(account_link_peek(t->s, reset + 16, &err), 0);
    assert_int_equal(account_link_use(t->s, invite + 16, NULL, &err), 0);
    assert_int_equal(account_link_peek(t->s, theirs + 16, &err), other); /* another account's stays */
    assert_true(session_lookup(t->s, here, &s));
    assert_false(session_lookup(t->s, there, &s));
    assert_true(session_lookup(t->s, elsewhere, &s)); /* another account's stays */
    long long uid = 0;
    assert_false(apitoken_lookup(t->s, tok, &uid));
    assert_true(account_end_access(t->s, u, NULL, &err));
    assert_false(session_lookup(t->s, here, &s));
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_once_and_replaced), cmocka_unit_test(test_expiry_and_disabled),
        cmocka_unit_test(test_mails), cmocka_unit_test(test_end_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
