/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for core/rand: SHA-256 (FIPS 180-2 examples), HMAC-SHA256 (RFC 4231 test
 * cases, including a key longer than the block), hex output and the constant-time compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rand.h"

static void hex_of(const unsigned char *b, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_sha256_vectors(void **state) {
    (void)state;
    char hex[65];
    rand_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    rand_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    unsigned char md[32];
    rand_sha256(two, strlen(two), md);
    hex_of(md, 32, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_hmac_rfc4231(void **state) {
    (void)state;
    unsigned char key[131], mac[32];
    char hex[65];
    /* Test case 1: 20 bytes of 0x0b, "Hi There" */
    memset(key, 0x0b, 20);
    rand_hmac_sha256(key, 20, "Hi There", 8, mac);
    hex_of(mac, 32, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    /* Test case 2: key "Jefe" */
    const char *msg2 = "what do ya want for nothing?";
    rand_hmac_sha256("Jefe", 4, msg2, strlen(msg2), mac);
    hex_of(mac, 32, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* Test case 6: a 131-byte key (hashed first), a message longer than the block */
    memset(key, 0xaa, sizeof key);
    const char *msg6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    rand_hmac_sha256(key, sizeof key, msg6, strlen(msg6), mac);
    hex_of(mac, 32, hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_hex_and_compare(void **state) {
    (void)state;
    char a[33], b[33];
    rand_hex(a, 16);
    rand_hex(b, 16);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b); /* 2^-128 chance of a false failure */
    assert_true(rand_consttime_eq(a, a));
    assert_false(rand_consttime_eq(a, b));
    assert_false(rand_consttime_eq("abc", "abcd"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_hex_and_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
