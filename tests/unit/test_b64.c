/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for core/b64: RFC 4648 §10 vectors for base64 and base64url, the
 * URL-safe alphabet, and rejection of malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/b64.h"

static const char *RAW[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *STD[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
static const char *URL[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

static void test_rfc4648_vectors(void **state) {
    (void)state;
    for (size_t i = 0; i < 7; i++) {
        size_t len = strlen(RAW[i]);
        char *s = b64_encode(RAW[i], len);
        assert_string_equal(s, STD[i]);
        free(s);
        s = b64url_encode(RAW[i], len);
        assert_string_equal(s, URL[i]);
        free(s);
        uint8_t *out = NULL;
        size_t n = 0;
        assert_true(b64_decode(STD[i], strlen(STD[i]), &out, &n, NULL));
        assert_int_equal(n, len);
        assert_memory_equal(out, RAW[i], len);
        free(out);
        assert_true(b64url_decode(URL[i], strlen(URL[i]), &out, &n, NULL));
        assert_int_equal(n, len);
        assert_memory_equal(out, RAW[i], len);
        free(out);
    }
}

static void test_url_alphabet(void **state) {
    (void)state;
    const uint8_t raw[] = {0xfb, 0xff, 0xbf};
    char *s = b64_encode(raw, 3);
    assert_string_equal(s, "+/+/");
    free(s);
    s = b64url_encode(raw, 3);
    assert_string_equal(s, "-_-_");
    free(s);
}

static void test_rejects_malformed(void **state) {
    (void)state;
    uint8_t *out = NULL;
    size_t n = 0;
    perr err = {""};
    assert_false(b64_decode("Zm9", 3, &out, &n, &err));       /* unpadded */
    assert_false(b64_decode("Zm9v\n", 5, &out, &n, &err));    /* whitespace */
    assert_false(b64_decode("-_-_", 4, &out, &n, &err));      /* url alphabet */
    assert_false(b64url_decode("Zg==", 4, &out, &n, &err));   /* padding */
    assert_false(b64url_decode("+/+/", 4, &out, &n, &err));   /* std alphabet */
    assert_false(b64url_decode("Z", 1, &out, &n, &err));      /* truncated */
    assert_false(b64url_decode("Zh", 2, &out, &n, &err));     /* trailing bits */
    assert_non_null(strstr(err.msg, "trailing bits"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_url_alphabet),
        cmocka_unit_test(test_rejects_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
