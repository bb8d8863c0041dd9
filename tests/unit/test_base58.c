/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for core/base58: known vectors (draft-msporny-base58), leading zeros,
 * round trips and rejection of characters outside the alphabet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base58.h"

static void check_vector(const char *raw, size_t len, const char *enc) {
    char *s = base58_encode((const uint8_t *)raw, len);
    assert_string_equal(s, enc);
    free(s);
    uint8_t *out = NULL;
    size_t n = 0;
    perr err = {""};
    assert_true(base58_decode(enc, &out, &n, &err));
    assert_int_equal(n, len);
    assert_memory_equal(out, raw, len);
    free(out);
}

static void test_vectors(void **state) {
    (void)state;
    check_vector("Hello World!", 12, "2NEpo7TZRRrLZSi2U");
    check_vector("The quick brown fox jumps over the lazy dog.", 44,
                 "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z");
    check_vector("\x00\x00\x28\x7f\xb4\xcd", 6, "11233QC4");
    check_vector("", 0, "");
    check_vector("\x00", 1, "1");
    check_vector("\xff", 1, "5Q");
}

static void test_round_trip(void **state) {
    (void)state;
    uint8_t data[64];
    for (int len = 0; len <= 64; len++) {
        for (int i = 0; i < len; i++) data[i] = (uint8_t)(i < 2 ? 0 : i * 37 + len); /* leading zeros too */
        char *s = base58_encode(data, (size_t)len);
        uint8_t *out = NULL;
        size_t n = 0;
        assert_true(base58_decode(s, &out, &n, NULL));
        assert_int_equal(n, len);
        if (len) assert_memory_equal(out, data, (size_t)len);
        free(out);
        free(s);
    }
}

static void test_rejects_bad_characters(void **state) {
    (void)state;
    uint8_t *out = NULL;
    size_t n = 0;
    perr err = {""};
    assert_false(base58_decode("abc0", &out, &n, &err)); /* 0 is not in the alphabet */
    assert_non_null(strstr(err.msg, "invalid character"));
    assert_false(base58_decode("Il", &out, &n, &err));
    assert_false(base58_decode("ab+c", &out, &n, &err));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_rejects_bad_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
