/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for core/buf: growth, formatting, escaping, detach, and the string invariant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"

static void test_always_a_string(void **state) {
    (void)state;
    buf b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    buf_reserve(&b, 100); /* reserved but empty: still "" */
    assert_string_equal(buf_cstr(&b), "");
    buf_puts(&b, "abc");
    buf_reset(&b);
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
    assert_null(b.data);
}

static void test_append_and_printf(void **state) {
    (void)state;
    buf b = BUF_INIT;
    for (int i = 0; i < 1000; i++) buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 2000);
    assert_int_equal(strlen(buf_cstr(&b)), 2000);
    buf_putc(&b, 'x');
    assert_int_equal(b.data[b.len - 1], 'x');
    char *s = buf_detach(&b);
    assert_int_equal(strlen(s), 2001);
    assert_null(b.data);
    free(s);
    char *empty = buf_detach(&b);
    assert_string_equal(empty, "");
    free(empty);
}

static void test_escaping(void **state) {
    (void)state;
    buf b = BUF_INIT;
    const char *in = "<a href=\"x\">O'Brien & co</a>";
    buf_put_html(&b, in, strlen(in));
    assert_string_equal(buf_cstr(&b), "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;");
    buf_reset(&b);
    buf_put_urlenc(&b, "/a b?c=é", strlen("/a b?c=é"));
    assert_string_equal(buf_cstr(&b), "%2Fa%20b%3Fc%3D%C3%A9");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_always_a_string),
        cmocka_unit_test(test_append_and_printf),
        cmocka_unit_test(test_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
