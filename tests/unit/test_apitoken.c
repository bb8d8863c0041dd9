/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for people/apitoken: made once and kept only hashed, found by lookup until
 * revoked or the account is disabled, names checked, at most APITOKEN_MAX_PER_USER. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "people/account.h"
#include "people/apitoken.h"
#include "testutil.h"

static long long new_user(test_db *t, const char *email) {
    long long id = 0;
    perr err = {{0}};
    assert_true(account_create(t->s, email, "Agent", 0, ROLE_AGENT, "fr", NULL, &id, &err));
    return id;
}

/* The number of rows of api_tokens whose hash column holds token in clear (must be 0). */
static int clear_copies(test_db *t, const char *token) {
    store_query *st = store_stmt(t->s, "SELECT count(*) FROM api_tokens WHERE token_hash = ?1 OR name = ?1"
                                        " OR hint = ?1", NULL);
    store_bind_text(st, 1, token);
    int n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_done(st);
    return n;
}

static void test_create_lookup_revoke(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long lea = new_user(t, "lea@ex.fr"), karim = new_user(t, "karim@ex.fr");
    char tok[APITOKEN_LEN + 1], other[APITOKEN_LEN + 1];
    long long id = 0, uid = 0;
    perr err = {{0}};
    assert_true(apitoken_create(t->s, lea, "  Tableau de suivi  ", tok, &id, &err));
    assert_int_equal(strlen(tok), APITOKEN_LEN);
    assert_int_equal(strncmp(tok, "ppt_", 4), 0);
    assert_int_equal(clear_copies(t, tok), 0);
    assert_true(apitoken_create(t->s, karim, "script", other, NULL, &err));
    assert_string_not_equal(tok, other);
    assert_true(apitoken_lookup(t->s, tok, &uid));
    assert_int_equal(uid, lea);
    assert_true(apitoken_lookup(t->s, other, &uid));
    assert_int_equal(uid, karim);
    json_t *list = apitoken_list(t->s, lea);
    assert_int_equal(json_array_size(list), 1);
    json_t *row = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(row, "name")), "Tableau de suivi");
    assert_int_equal(strncmp(json_string_value(json_object_get(row, "hint")), tok, 8), 0);
    assert_true(json_integer_value(json_object_get(row, "last_used_at")) > 0); /* the lookup above */
    char *dump = json_dumps(list, 0);
    assert_null(strstr(dump, tok + 8));
    free(dump);
    json_decref(list);
    /* wrong shapes and unknown tokens are refused without touching the database */
    char bad[APITOKEN_LEN + 1];
    memcpy(bad, tok, sizeof bad);
    bad[APITOKEN_LEN - 1] = bad[APITOKEN_LEN - 1] == '0' ? '1' : '0';
    assert_false(apitoken_lookup(t->s, bad, &uid));
    assert_false(apitoken_lookup(t->s, "ppt_", &uid));
    assert_false(apitoken_lookup(t->s, tok + 4, &uid));
    assert_false(apitoken_lookup(t->s, NULL, &uid));
    /* only its owner revokes it, once */
    assert_false(apitoken_revoke(t->s, karim, id, &err));
    assert_string_equal(err.msg, "apitoken.not_found");
    assert_true(apitoken_lookup(t->s, tok, &uid));
    assert_true(apitoken_revoke(t->s, lea, id, &err));
    assert_false(apitoken_lookup(t->s, tok, &uid));
    assert_false(apitoken_revoke(t->s, lea, id, &err));
    list = apitoken_list(t->s, lea);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    /* disabling revokes the tokens for good: re-enabling does not bring them back */
    assert_true(account_set_disabled(t->s, karim, true, &err));
    assert_false(apitoken_lookup(t->s, other, &uid));
    assert_true(account_set_disabled(t->s, karim, false, &err));
    assert_false(apitoken_lookup(t->s, other, &uid));
    json_t *gone = apitoken_list(t->s, karim);
    assert_true(json_integer_value(json_object_get(json_array_get(gone, 0), "revoked_at")) > 0 ||
                json_array_size(gone) == 0);
    json_decref(gone);
    assert_true(apitoken_revoke_all(t->s, karim, &err));
    assert_false(apitoken_lookup(t->s, other, &uid));
    test_db_close(t);
}

static void test_names_and_limit(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long lea = new_user(t, "lea@ex.fr");
    char tok[APITOKEN_LEN + 1], name[128];
    perr err = {{0}};
    const char *bad[] = {NULL, "", "   ", "two\nlines", "\xff\xfe", "tab\tinside", "bidi \xe2\x80\xae evil"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(apitoken_create(t->s, lea, bad[i], tok, NULL, &err));
        assert_string_equal(err.msg, "apitoken.bad_name");
    }
    memset(name, 'a', 81);
    name[81] = '\0';
    assert_false(apitoken_create(t->s, lea, name, tok, NULL, &err));
    name[80] = '\0';
    assert_true(apitoken_create(t->s, lea, name, tok, NULL, &err));
    for (int i = 1; i < APITOKEN_MAX_PER_USER; i++) assert_true(apitoken_create(t->s, lea, "n", tok, NULL, &err));
    assert_false(apitoken_create(t->s, lea, "one more", tok, NULL, &err));
    assert_string_equal(err.msg, "apitoken.too_many");
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_lookup_revoke),
        cmocka_unit_test(test_names_and_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
