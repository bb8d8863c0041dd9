/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for http/locale_fmt: numbers and dates in French and in English. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "http/locale_fmt.h"

static void number_is(const char *locale, double v, int decimals, const char *want) {
    buf b = BUF_INIT;
    locale_fmt_number(&b, locale, v, decimals);
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void date_is(const char *locale, int64_t t, const char *want) {
    buf b = BUF_INIT;
    locale_fmt_date(&b, locale, t);
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void test_numbers_fr(void **state) {
    (void)state;
    number_is("fr", 0.7, 1, "0,7");
    number_is("fr", 0.70, 2, "0,7");
    number_is("fr", 12.345, 2, "12,35");
    number_is("fr", 3.0, 2, "3");
    number_is("fr", -0.04, 1, "0");
    number_is("fr", -1.5, 1, "-1,5");
    number_is("fr", 1234, 0, "1234");
    number_is("fr", 12345.5, 1, "12\xe2\x80\xaf" "345,5");
    number_is("fr", 1234567, 0, "1\xe2\x80\xaf" "234\xe2\x80\xaf" "567");
    number_is("de", 0.7, 1, "0,7"); /* unknown locales as French */
    number_is(NULL, 0.7, 1, "0,7");
    number_is("fr", NAN, 1, "\xe2\x80\x93");
}

static void test_numbers_en(void **state) {
    (void)state;
    number_is("en", 0.7, 1, "0.7");
    number_is("en-GB", 0.70, 2, "0.7");
    number_is("en", 12.345, 2, "12.35");
    number_is("en", 1234, 0, "1234");
    number_is("EN_us", 1234567.25, 2, "1,234,567.25");
    number_is("en", 5, 9, "5"); /* decimals clamped */
    number_is("english", 0.7, 1, "0,7"); /* not "en" */
}

static void test_dates(void **state) {
    (void)state;
    const int64_t dec5 = 1796428800; /* 2026-12-05 00:00:00 UTC */
    date_is("fr", dec5, "5 décembre 2026");
    date_is("fr", dec5 + 86399, "5 décembre 2026");
    date_is("en", dec5, "5 December 2026");
    date_is("fr", 1767225600, "1er janvier 2026");
    date_is("en", 1767225600, "1 January 2026");
    date_is("fr", 1786060800, "7 août 2026");
    date_is("en-GB", 1786060800, "7 August 2026");
}

/* "YYYY-MM-DD" (and date-times) read as midnight UTC; anything else refused. */
static void test_parse_date(void **state) {
    (void)state;
    int64_t t = -1;
    assert_true(locale_parse_date("2026-12-05", &t));
    assert_int_equal(t, 1796428800);
    assert_true(locale_parse_date("2026-12-05T23:59:59Z", &t));
    assert_int_equal(t, 1796428800);
    assert_true(locale_parse_date("1970-01-01", &t));
    assert_int_equal(t, 0);
    assert_true(locale_parse_date("2024-02-29", &t));
    assert_int_equal(t, 1709164800);
    t = 7;
    assert_false(locale_parse_date("2026-13-01", &t));
    assert_false(locale_parse_date("2026-12-5", &t));
    assert_false(locale_parse_date("2026-12-05x", &t));
    assert_false(locale_parse_date("a026-12-05", &t));
    assert_false(locale_parse_date(NULL, &t));
    assert_int_equal(t, 7);
}

/* Message arguments: exactly a date becomes words; a date-time, a longer or shorter text,
 * NULL stay as they are (NULL: nothing). */
static void test_args(void **state) {
    (void)state;
    const struct { const char *locale, *in, *want; } cases[] = {
        {"fr", "2026-12-20", "20 décembre 2026"},
        {"en", "2026-12-20", "20 December 2026"},
        {"fr", "2026-12-01", "1er décembre 2026"},
        {"fr", "2026-12-20T10:00:00Z", "2026-12-20T10:00:00Z"},
        {"fr", "Sécurité numérique", "Sécurité numérique"},
        {"fr", "2026-13-01", "2026-13-01"},
        {"fr", "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        buf b = BUF_INIT;
        locale_fmt_arg(&b, cases[i].locale, cases[i].in);
        assert_string_equal(buf_cstr(&b), cases[i].want);
        buf_free(&b);
    }
    buf b = BUF_INIT;
    locale_fmt_arg(&b, "fr", NULL);
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_fr),
        cmocka_unit_test(test_numbers_en),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
