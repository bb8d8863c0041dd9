/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for people/account, people/unit and people/throttle: emails, roles, duplicates,
 * updates, listing, the unit tree and manager scope, login throttling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "people/account.h"
#include "people/throttle.h"
#include "people/unit.h"
#include "testutil.h"

static void test_roles_and_emails(void **state) {
    (void)state;
    unsigned r = 0;
    perr err = {{0}};
    assert_true(account_roles_parse("agent, manager", &r, &err));
    assert_int_equal(r, ROLE_AGENT | ROLE_MANAGER);
    assert_true(account_roles_parse("RH;admin", &r, &err));
    assert_int_equal(r, ROLE_HR | ROLE_ADMIN);
    assert_false(account_roles_parse("agent,boss", &r, &err));
    assert_non_null(strstr(err.msg, "boss"));
    assert_false(account_roles_parse("", &r, &err));
    char out[32];
    account_roles_format(ROLE_ALL, out);
    assert_string_equal(out, "agent,manager,hr,admin");
    assert_true(account_email_valid("lea.dubois@exemple.gouv.fr"));
    const char *bad[] = {"", "a@b", "@b.fr", "a@.fr", "a b@c.fr", "a@b.fr.", "a@@b.fr", "<a@b.fr>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_false(account_email_valid(bad[i]));
    /* normalised: case and compatibility forms folded (NFKC); invisible characters refused */
    char norm[255];
    assert_true(account_email_normalize("Lea.Dubois@Exemple.GOUV.fr", norm));
    assert_string_equal(norm, "lea.dubois@exemple.gouv.fr");
    assert_true(account_email_normalize("\xEF\xBC\xA1" "lice\xEF\xBC\xA0" "x.fr", norm)); /* fullwidth A and @ */
    assert_string_equal(norm, "alice@x.fr");
    const char *invisible[] = {"a\xE2\x80\x8B" "@x.fr" /* zero width space */, "a\xC2\xAD" "@x.fr" /* soft hyphen */,
                               "a\xE2\x80\xAE" "b@x.fr" /* RLO */, "a\xEF\xBB\xBF" "@x.fr", "a@x.fr\t", "\xFF" "a@x.fr"};
    for (size_t i = 0; i < sizeof invisible / sizeof invisible[0]; i++)
        assert_false(account_email_normalize(invisible[i], norm));
    /* names: no control characters, no bidirectional overrides */
    assert_true(account_name_valid("Léa Dubois"));
    const char *badnames[] = {"", "L\xC3\xA9" "a\nDubois", "L\xE2\x80\xAE" "ea", "a\x1b[31m", "a\xE2\x81\xA6" "b", "x\xC2\x85"};
    for (size_t i = 0; i < sizeof badnames / sizeof badnames[0]; i++) assert_false(account_name_valid(badnames[i]));
}

static void test_create_duplicate_update_list(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long unit = 0, id = 0;
    perr err = {{0}};
    assert_true(unit_create(t->s, "DRH", 0, &unit, &err));
    assert_true(account_create(t->s, "Lea@Exemple.gouv.fr", "Léa", unit, ROLE_AGENT, "fr", NULL, &id, &err));
    assert_false(account_create(t->s, "lea@exemple.GOUV.fr", "Other", 0, ROLE_AGENT, "fr", NULL, NULL, &err));
    assert_string_equal(err.msg, "account.duplicate_email");
    account *a = account_by_email(t->s, "LEA@exemple.gouv.fr", &err);
    assert_non_null(a);
    assert_int_equal(a->id, id);
    assert_string_equal(a->unit_name, "DRH");
    assert_null(a->password_hash);
    account_free(a);
    assert_true(account_update(t->s, id, "Léa Dubois", 0, ROLE_AGENT | ROLE_HR, "en", &err));
    a = account_get(t->s, id, &err);
    assert_string_equal(a->display_name, "Léa Dubois");
    assert_int_equal(a->unit_id, 0);
    assert_int_equal(a->roles, ROLE_AGENT | ROLE_HR);
    assert_string_equal(a->locale, "en");
    account_free(a);
    assert_true(account_create(t->s, "karim@exemple.gouv.fr", "Karim", 0, ROLE_MANAGER, "fr", NULL, NULL, &err));
    json_t *all = account_list(t->s, NULL, 10, 0, &err);
    assert_int_equal(json_array_size(all), 2);
    json_decref(all);
    json_t *some = account_list(t->s, "dubois", 10, 0, &err);
    assert_int_equal(json_array_size(some), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(some, 0), "name")), "Léa Dubois");
    json_decref(some);
    a = account_get(t->s, id, &err);
    buf packed = BUF_INIT;
    account_pack(a, &packed);
    size_t used = 0;
    account *b = account_unpack(packed.data, packed.len, &used);
    assert_non_null(b);
    assert_int_equal(used, packed.len);
    assert_int_equal(b->id, a->id);
    assert_int_equal(b->roles, a->roles);
    assert_int_equal(b->unit_id, a->unit_id);
    assert_int_equal(b->created_at, a->created_at);
    assert_string_equal(b->email, a->email);
    assert_string_equal(b->display_name, "Léa Dubois");
    assert_string_equal(b->unit_name, a->unit_name);
    assert_string_equal(b->locale, "en");
    assert_null(b->password_hash); /* no password stays no password, not "" */
    account_free(b);
    assert_null(account_unpack(packed.data, packed.len - 1, NULL)); /* cut short */
    assert_null(account_unpack(packed.data, 8, NULL));
    buf_free(&packed);
    account_free(a);
    assert_null(account_get(t->s, 999, &err));
    assert_string_equal(err.msg, "");
    account_free(NULL);
    test_db_close(t);
}

static void test_unit_tree_and_scope(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long dg, drh, form, num, id;
    perr err = {{0}};
    assert_true(unit_resolve_path(t->s, "DG / DRH / Formation", true, &form, &err));
    assert_true(unit_resolve_path(t->s, "dg/drh", false, &drh, &err)); /* case-insensitive, trimmed */
    assert_true(unit_resolve_path(t->s, "DG", false, &dg, &err));
    assert_true(unit_create(t->s, "Numérique", dg, &num, &err));
    assert_false(unit_create(t->s, "numérique", dg, &id, &err)); /* sibling names are unique */
    assert_string_equal(err.msg, "unit.duplicate");
    assert_false(unit_create(t->s, "Num\xe2\x80\xae" "erique", dg, &id, &err)); /* bidi override */
    assert_string_equal(err.msg, "unit.bad_name");
    assert_false(unit_create(t->s, "Num\nerique", dg, &id, &err));
    assert_string_equal(err.msg, "unit.bad_name");
    assert_true(unit_create(t->s, "Numérique", num, &id, &err)); /* same name elsewhere is fine */
    assert_true(unit_in_subtree(t->s, dg, form));
    assert_true(unit_in_subtree(t->s, drh, form));
    assert_true(unit_in_subtree(t->s, drh, drh));
    assert_false(unit_in_subtree(t->s, form, drh));
    assert_false(unit_in_subtree(t->s, num, form));
    assert_false(unit_update(t->s, dg, "DG", form, &err)); /* under its own subtree */
    assert_string_equal(err.msg, "unit.cycle");
    assert_true(unit_update(t->s, form, "Formation", num, &err)); /* move */
    assert_true(unit_in_subtree(t->s, num, form));
    assert_false(unit_in_subtree(t->s, drh, form));
    long long uid = 0;
    assert_true(account_create(t->s, "a@x.fr", "A", form, ROLE_AGENT, "fr", NULL, &uid, &err));
    assert_true(account_create(t->s, "b@x.fr", "B", dg, ROLE_AGENT, "fr", NULL, NULL, &err));
    assert_int_equal(unit_member_count(t->s, dg), 2);   /* the whole subtree */
    assert_int_equal(unit_member_count(t->s, num), 1);  /* Formation moved under Numérique */
    assert_int_equal(unit_member_count(t->s, drh), 0);
    assert_true(account_set_disabled(t->s, uid, true, &err));
    assert_int_equal(unit_member_count(t->s, dg), 1);   /* disabled accounts do not count */
    assert_int_equal(unit_member_count(t->s, 0), 0);
    json_t *list = unit_list(t->s, &err);
    assert_int_equal(json_array_size(list), 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "path")), "DG");
    json_decref(list);
    long long missing = 1;
    assert_true(unit_resolve_path(t->s, "Nope / Nothing", false, &missing, &err));
    assert_int_equal(missing, 0);
    assert_false(unit_resolve_path(t->s, "DG //", true, &missing, &err));
    /* deletion: only an empty unit, sub-units first, accounts (disabled too) block it */
    assert_false(unit_delete(t->s, num, &err));
    assert_string_equal(err.msg, "unit.has_units");
    assert_false(unit_delete(t->s, form, &err)); /* a (disabled) account belongs to it */
    assert_string_equal(err.msg, "unit.has_people");
    assert_false(unit_delete(t->s, 987654, &err));
    assert_string_equal(err.msg, "unit.unknown");
    assert_true(unit_delete(t->s, drh, &err)); /* empty since Formation moved away */
    assert_false(unit_exists(t->s, drh));
    assert_true(unit_exists(t->s, form));
    test_db_close(t);
}

static void test_throttle(void **state) {
    (void)state;
    test_db *t = test_db_open();
    /* per account from one address: 5 free, then 2 s, 4 s... */
    for (int i = 0; i < THROTTLE_FREE_PAIR - 1; i++) throttle_fail(t->s, "Lea@x.fr", "10.0.0.1");
    assert_int_equal(throttle_wait(t->s, "lea@x.fr", "10.0.0.1"), 0);
    assert_int_equal(throttle_fail(t->s, "lea@x.fr", "10.0.0.1"), THROTTLE_FREE_PAIR); /* counted atomically */
    int w = throttle_wait(t->s, "LEA@x.fr", "10.0.0.1");
    assert_true(w >= 1 && w <= 2);
    assert_int_equal(throttle_wait(t->s, "lea@x.fr", "10.0.0.2"), 0); /* the owner elsewhere is not held */
    throttle_fail(t->s, "lea@x.fr", "10.0.0.1");
    assert_true(throttle_wait(t->s, "lea@x.fr", "10.0.0.1") > w); /* progressive */
    assert_int_equal(throttle_wait(t->s, "other@x.fr", "10.0.0.1"), 0);
    /* per address, any account */
    for (int i = 0; i < THROTTLE_FREE_ADDRESS; i++) {
        char email[32];
        snprintf(email, sizeof email, "n%d@x.fr", i);
        throttle_fail(t->s, email, "10.0.0.9");
    }
    assert_true(throttle_wait(t->s, "fresh@x.fr", "10.0.0.9") > 0);
    /* per account from anywhere: held a minute at most */
    for (int i = 0; i < THROTTLE_FREE_ACCOUNT + 30; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "10.1.%d.%d", i / 200, i % 200);
        throttle_fail(t->s, "target@x.fr", ip);
    }
    w = throttle_wait(t->s, "target@x.fr", "10.9.9.9");
    assert_true(w > 0 && w <= THROTTLE_MAX_ACCOUNT);
    throttle_clear(t->s, "lea@x.fr", "10.0.0.1");
    assert_int_equal(throttle_wait(t->s, "lea@x.fr", "10.0.0.1"), 0);
    setenv("PASSPORT_CLOCK_OFFSET", "2000", 1); /* past the window */
    assert_int_equal(throttle_wait(t->s, "fresh@x.fr", "10.0.0.9"), 0);
    unsetenv("PASSPORT_CLOCK_OFFSET");
    test_db_close(t);
}

/* Counters of other requests than logins: a fixed window, a limit, none shared with the
 * login's nor with each other's. */
static void test_throttle_allow(void **state) {
    (void)state;
    test_db *t = test_db_open();
    for (int i = 0; i < THROTTLE_RESET_ACCOUNT_LIMIT; i++)
        assert_true(throttle_allow(t->s, THROTTLE_RESET_ACCOUNT, "Lea@x.fr", THROTTLE_RESET_ACCOUNT_LIMIT,
                                   THROTTLE_RESET_ACCOUNT_WINDOW));
    assert_false(throttle_allow(t->s, THROTTLE_RESET_ACCOUNT, "lea@x.fr", THROTTLE_RESET_ACCOUNT_LIMIT,
                                THROTTLE_RESET_ACCOUNT_WINDOW));
    assert_true(throttle_allow(t->s, THROTTLE_RESET_ACCOUNT, "other@x.fr", THROTTLE_RESET_ACCOUNT_LIMIT,
                               THROTTLE_RESET_ACCOUNT_WINDOW));
    /* the same subject under another kind, and the login of that address, are not held */
    assert_true(throttle_allow(t->s, THROTTLE_RESET_CLIENT, "lea@x.fr", 1, 60));
    assert_false(throttle_allow(t->s, THROTTLE_RESET_CLIENT, "lea@x.fr", 1, 60));
    assert_int_equal(throttle_wait(t->s, "lea@x.fr", "lea@x.fr"), 0);
    /* login failures do not use up the others */
    for (int i = 0; i < THROTTLE_FREE_ADDRESS + 2; i++) throttle_fail(t->s, "n@x.fr", "10.0.0.5");
    assert_true(throttle_wait(t->s, "n@x.fr", "10.0.0.5") > 0);
    assert_true(throttle_allow(t->s, THROTTLE_OIDC_CLIENT, "10.0.0.5", 1, 60));
    /* the window is fixed: refused until it ends even when asked again, then counted anew */
    setenv("PASSPORT_CLOCK_OFFSET", "3500", 1);
    assert_false(throttle_allow(t->s, THROTTLE_RESET_ACCOUNT, "lea@x.fr", THROTTLE_RESET_ACCOUNT_LIMIT,
                                THROTTLE_RESET_ACCOUNT_WINDOW));
    setenv("PASSPORT_CLOCK_OFFSET", "3601", 1);
    assert_true(throttle_allow(t->s, THROTTLE_RESET_ACCOUNT, "lea@x.fr", THROTTLE_RESET_ACCOUNT_LIMIT,
                               THROTTLE_RESET_ACCOUNT_WINDOW));
    /* a login failure's sweep two hours later keeps no ended window */
    setenv("PASSPORT_CLOCK_OFFSET", "12000", 1);
    throttle_fail(t->s, "n@x.fr", "10.0.0.5");
    store_query *st = store_prepare(t->s, "SELECT count(*) FROM login_throttle", NULL);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 3); /* the three keys of that failure */
    store_finalize(st);
    unsetenv("PASSPORT_CLOCK_OFFSET");
    test_db_close(t);
}

/* A counter that fails lets every request through (a limit, not a lock) but says so:
 * once, not once per request (rate-limited, store_log_failure). */
static void test_throttle_allow_failure_is_logged_once(void **state) {
    (void)state;
    test_db *t = test_db_open();
    assert_true(store_exec(t->s,
                           "CREATE TRIGGER no_throttle BEFORE INSERT ON login_throttle"
                           " BEGIN SELECT RAISE(ABORT, 'counter broken'); END",
                           NULL));
    test_stderr cap;
    test_stderr_begin(&cap);
    for (int i = 0; i < 20; i++) assert_true(throttle_allow(t->s, THROTTLE_RESET_CLIENT, "10.0.0.9", 1, 60));
    char *log = test_stderr_end(&cap);
    assert_int_equal(test_occurrences(log, "throttle: the request counter failed"), 1);
    assert_non_null(strstr(log, "counter broken"));
    free(log);
    /* mended: one line says so */
    assert_true(store_exec(t->s, "DROP TRIGGER no_throttle", NULL));
    test_stderr_begin(&cap);
    assert_true(throttle_allow(t->s, THROTTLE_RESET_CLIENT, "10.0.0.9", 1, 60));
    assert_true(throttle_allow(t->s, THROTTLE_RESET_CLIENT, "10.0.0.8", 1, 60));
    log = test_stderr_end(&cap);
    assert_int_equal(test_occurrences(log, "throttle: the request counter works again (after 20 failures)"), 1);
    free(log);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_emails),
        cmocka_unit_test(test_create_duplicate_update_list),
        cmocka_unit_test(test_unit_tree_and_scope),
        cmocka_unit_test(test_throttle),
        cmocka_unit_test(test_throttle_allow),
        cmocka_unit_test(test_throttle_allow_failure_is_logged_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
