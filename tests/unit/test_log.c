/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for core/log: the format option and JSON escaping of log lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"

static void test_format_parse(void **state) {
    (void)state;
    log_format f = LOG_TEXT;
    assert_true(log_format_parse("json", &f));
    assert_int_equal(f, LOG_JSON);
    assert_true(log_format_parse("text", &f));
    assert_int_equal(f, LOG_TEXT);
    assert_false(log_format_parse("JSON", &f));
    assert_false(log_format_parse(NULL, &f));
}

static void test_json_escape(void **state) {
    (void)state;
    char out[64];
    size_t n = log_json_escape(out, 0, sizeof out, "a\"b\\c\nd\x01" "e");
    assert_string_equal(out, "a\\\"b\\\\c\\nd\\u0001e");
    assert_int_equal(n, strlen(out));
    /* truncated, never overflowing nor cutting an escape in half */
    char small[8];
    n = log_json_escape(small, 0, sizeof small, "\x01\x02\x03");
    assert_true(n < sizeof small);
    assert_string_equal(small, "\\u0001"); /* the second escape would not fit whole */
}

static void test_request_id_is_per_thread(void **state) {
    (void)state;
    assert_null(log_request_id());
    log_set_request_id("abc");
    assert_string_equal(log_request_id(), "abc");
    log_set_request_id(NULL);
    assert_null(log_request_id());
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_request_id_is_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
