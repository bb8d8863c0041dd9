/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for people/password: policy, argon2id hashing, verification, rehash detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <cmocka.h>

#include "people/password.h"

static const password_cost cheap = {1024, 1, 1};

static void test_policy(void **state) {
    (void)state;
    perr err = {{0}};
    assert_false(password_acceptable("short", NULL, &err));
    assert_string_equal(err.msg, "password.too_short");
    assert_false(password_acceptable("éééééééééée", NULL, &err)); /* 11 characters, 22 bytes */
    assert_string_equal(err.msg, "password.too_short");
    assert_true(password_acceptable("éééééééééééa", NULL, &err)); /* 12 characters */
    assert_false(password_acceptable("Azertyuiop123", NULL, &err));
    assert_string_equal(err.msg, "password.too_common");
    assert_false(password_acceptable("zzzzzzzzzzzzzz", NULL, &err));
    assert_string_equal(err.msg, "password.too_common");
    assert_false(password_acceptable("lea.dubois.rh", "lea.dubois.rh@exemple.gouv.fr", &err));
    assert_string_equal(err.msg, "password.like_email");
    assert_true(password_acceptable("cheval-batterie-agrafe", "lea@exemple.gouv.fr", &err));
}

static void test_hash_and_verify(void **state) {
    (void)state;
    perr err = {{0}};
    char *h = password_hash("correct horse battery", cheap, &err);
    assert_non_null(h);
    assert_int_equal(strncmp(h, "$argon2id$v=19$m=1024,t=1,p=1$", 30), 0);
    assert_true(password_verify(h, "correct horse battery"));
    assert_false(password_verify(h, "correct horse batterY"));
    assert_false(password_verify(h, ""));
    assert_false(password_verify(NULL, "x"));
    assert_false(password_verify("", "x"));
    char *h2 = password_hash("correct horse battery", cheap, &err);
    assert_string_not_equal(h, h2); /* random salt */
    assert_false(password_needs_rehash(h, cheap));
    password_cost stronger = {2048, 2, 1};
    assert_true(password_needs_rehash(h, stronger));
    free(h);
    free(h2);
}

/* The decoy parses as an argon2id hash of the given cost (libargon2 runs the whole
 * computation and reports a mismatch, not a decoding error) and matches no password. */
static void test_decoy(void **state) {
    (void)state;
    char *d = password_decoy(cheap);
    assert_int_equal(strncmp(d, "$argon2id$v=19$m=1024,t=1,p=1$", 30), 0);
    assert_false(password_needs_rehash(d, cheap));
    assert_int_equal(argon2id_verify(d, "correct horse battery", 21), ARGON2_VERIFY_MISMATCH);
    assert_false(password_verify(d, "correct horse battery"));
    assert_false(password_verify(d, ""));
    char *d2 = password_decoy(cheap);
    assert_string_not_equal(d, d2);
    free(d);
    free(d2);
}

static void test_generate(void **state) {
    (void)state;
    char a[17], b[17];
    password_generate(a);
    password_generate(b);
    assert_int_equal(strlen(a), 16);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 16; i++) assert_null(strchr("0O1lI", a[i]));
    assert_true(password_acceptable(a, NULL, NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_hash_and_verify),
        cmocka_unit_test(test_decoy),
        cmocka_unit_test(test_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
