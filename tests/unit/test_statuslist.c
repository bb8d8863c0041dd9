/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/statuslist: bit order (what verifiers read), the encodedList
 * round trip and the W3C specification's example list, refusal of malformed lists and of
 * gzip bombs, and random allocation of indexes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "badges/statuslist.h"
#include "core/b64.h"
#include "core/buf.h"

static void test_bits(void **state) {
    (void)state;
    statuslist *l = statuslist_new(10);
    assert_int_equal(statuslist_size(l), STATUSLIST_MIN_BITS);
    assert_false(statuslist_get(l, 7));
    perr err = {""};
    assert_true(statuslist_set(l, 7, true, &err));
    assert_true(statuslist_set(l, 131071, true, &err));
    assert_true(statuslist_get(l, 7));
    assert_false(statuslist_get(l, 6));
    assert_false(statuslist_get(l, 8));
    assert_true(statuslist_get(l, 131071));
    assert_true(statuslist_set(l, 131071, false, &err));
    assert_false(statuslist_get(l, 131071));
    assert_false(statuslist_set(l, 131072, true, &err));
    assert_non_null(strstr(err.msg, "out of range"));
    assert_false(statuslist_get(l, 1u << 30));
    statuslist_free(l);
    statuslist_free(NULL);
}

/* Inflates an encodedList here, independently of the module, to check the bit layout. */
static uint8_t *inflate_list(const char *enc, size_t *n) {
    uint8_t *gz = NULL;
    size_t gzn = 0;
    assert_int_equal(enc[0], 'u');
    assert_true(b64url_decode(enc + 1, strlen(enc + 1), &gz, &gzn, NULL));
    uint8_t *raw = malloc(1 << 20);
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = gz;
    z.avail_in = (uInt)gzn;
    z.next_out = raw;
    z.avail_out = 1 << 20;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    *n = z.total_out;
    inflateEnd(&z);
    free(gz);
    return raw;
}

static void test_encode_round_trip(void **state) {
    (void)state;
    statuslist *l = statuslist_new(0);
    const size_t on[] = {0, 9, 4242, 131071};
    for (size_t i = 0; i < 4; i++) assert_true(statuslist_set(l, on[i], true, NULL));
    char *enc = statuslist_encode(l);
    assert_int_equal(enc[0], 'u');
    assert_null(strchr(enc, '='));
    assert_null(strchr(enc, '+'));
    assert_null(strchr(enc, '/'));
    size_t n = 0;
    uint8_t *raw = inflate_list(enc, &n);
    assert_int_equal(n, 16384);
    assert_int_equal(raw[0], 0x80); /* bit 0 is the most significant bit of byte 0 */
    assert_int_equal(raw[1], 0x40); /* bit 9 */
    assert_int_equal(raw[16383], 0x01);
    free(raw);
    perr err = {""};
    statuslist *d = statuslist_decode(enc, &err);
    assert_non_null(d);
    assert_int_equal(statuslist_size(d), 131072);
    for (size_t i = 0; i < 4; i++) assert_true(statuslist_get(d, on[i]));
    assert_false(statuslist_get(d, 1));
    assert_false(statuslist_is_allocated(d, 0));
    statuslist_free(d);
    free(enc);
    statuslist_free(l);
}

static void test_spec_example(void **state) {
    (void)state;
    /* the encodedList of the examples of Bitstring Status List v1.0: 131072 clear bits */
    perr err = {""};
    statuslist *l = statuslist_decode("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", &err);
    if (!l) fail_msg("%s", err.msg);
    assert_int_equal(statuslist_size(l), 131072);
    for (size_t i = 0; i < 131072; i += 997) assert_false(statuslist_get(l, i));
    statuslist_free(l);
}

static char *gzip_encoded(size_t nbytes, uint8_t fill) {
    uint8_t *raw = malloc(nbytes);
    memset(raw, fill, nbytes);
    z_stream z = {0};
    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, (uLong)nbytes);
    uint8_t *gz = malloc(cap);
    z.next_in = raw;
    z.avail_in = (uInt)nbytes;
    z.next_out = gz;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    char *b = b64url_encode(gz, z.total_out);
    deflateEnd(&z);
    buf out = BUF_INIT;
    buf_printf(&out, "u%s", b);
    free(b);
    free(gz);
    free(raw);
    return buf_detach(&out);
}

static void test_decode_refusals(void **state) {
    (void)state;
    perr err = {""};
    char *bomb = gzip_encoded(64u << 20, 0); /* 64 MiB of zeros, a few tens of KB */
    assert_null(statuslist_decode(bomb, &err));
    assert_non_null(strstr(err.msg, "inflates beyond"));
    free(bomb);
    char *small = gzip_encoded(1024, 0);
    assert_null(statuslist_decode(small, &err));
    assert_non_null(strstr(err.msg, "fewer than"));
    small[0] = 'z';
    assert_null(statuslist_decode(small, &err));
    assert_non_null(strstr(err.msg, "prefix 'u'"));
    free(small);
    assert_null(statuslist_decode("uAAAA", &err));
    assert_non_null(strstr(err.msg, "GZIP"));
    assert_null(statuslist_decode("u!!", &err));
    assert_null(statuslist_decode("", &err));
    /* the largest allowed list decodes */
    char *big = gzip_encoded(STATUSLIST_MAX_BITS / 8, 0xff);
    statuslist *l = statuslist_decode(big, &err);
    assert_non_null(l);
    assert_true(statuslist_get(l, STATUSLIST_MAX_BITS - 1));
    statuslist_free(l);
    free(big);
}

static void test_random_allocation(void **state) {
    (void)state;
    statuslist *l = statuslist_new(0);
    enum { N = 2000 };
    size_t idx[N];
    size_t ascending = 0, low = 0;
    perr err = {""};
    for (size_t i = 0; i < N; i++) {
        assert_true(statuslist_allocate(l, &idx[i], &err));
        assert_true(statuslist_is_allocated(l, idx[i]));
        for (size_t j = 0; j < i; j++) assert_int_not_equal(idx[i], idx[j]);
        if (i && idx[i] == idx[i - 1] + 1) ascending++;
        if (idx[i] < 65536) low++;
    }
    assert_true(ascending < 5);              /* not sequential */
    assert_true(low > N / 2 - 200 && low < N / 2 + 200); /* spread over the whole list */
    statuslist_free(l);
    /* a nearly full list hands out exactly its last free indexes, then refuses */
    l = statuslist_new(0);
    for (size_t i = 0; i < 131072; i++)
        if (i != 5 && i != 77777 && i != 131071) assert_true(statuslist_mark_allocated(l, i, NULL));
    size_t a, b, c, d;
    assert_true(statuslist_allocate(l, &a, &err));
    assert_true(statuslist_allocate(l, &b, &err));
    assert_true(statuslist_allocate(l, &c, &err));
    assert_int_equal(a + b + c, 5 + 77777 + 131071);
    assert_false(statuslist_allocate(l, &d, &err));
    assert_non_null(strstr(err.msg, "full"));
    assert_false(statuslist_mark_allocated(l, 131072, &err));
    statuslist_free(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits),
        cmocka_unit_test(test_encode_round_trip),
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_decode_refusals),
        cmocka_unit_test(test_random_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
