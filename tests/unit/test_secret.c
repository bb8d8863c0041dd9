/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for core/secret: made once with mode 0600, read back the same, never
 * replaced when its size is wrong, refused where it cannot be created. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/secret.h"

static void test_made_once_then_read(void **state) {
    (void)state;
    char dir[] = "/tmp/passport-secret-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/k.key", dir);
    unsigned char a[32], b[32], zero[32] = {0};
    perr err = {{0}};
    assert_true(secret_file(path, a, sizeof a, &err));
    assert_memory_not_equal(a, zero, sizeof a); /* 2^-256 chance of a false failure */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
    assert_true(secret_file(path, b, sizeof b, &err));
    assert_memory_equal(a, b, sizeof a);
    /* another size is refused, and the file is left as it was */
    unsigned char c[16];
    assert_false(secret_file(path, c, sizeof c, &err));
    assert_non_null(strstr(err.msg, "32 bytes instead of 16"));
    assert_true(secret_file(path, b, sizeof b, &err));
    assert_memory_equal(a, b, sizeof a);
    unlink(path);
    rmdir(dir);
}

/* An empty file (a crash of an older, in-place writer) is not a secret: replaced, with a
 * warning; two files of the right size are read, never replaced. */
static void test_empty_file_replaced(void **state) {
    (void)state;
    char dir[] = "/tmp/passport-secret-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/k.key", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    unsigned char a[32], b[32];
    perr err = {{0}};
    assert_true(secret_file(path, a, sizeof a, &err));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 32);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(secret_file(path, b, sizeof b, &err));
    assert_memory_equal(a, b, sizeof a);
    unlink(path);
    rmdir(dir);
}

static void test_refused(void **state) {
    (void)state;
    unsigned char k[32];
    perr err = {{0}};
    assert_false(secret_file("/nonexistent-dir/passport/k.key", k, sizeof k, &err));
    assert_non_null(strstr(err.msg, "/nonexistent-dir/passport/k.key"));
    assert_false(secret_file("/tmp/whatever.key", k, 0, &err));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_made_once_then_read),
        cmocka_unit_test(test_empty_file_replaced),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
