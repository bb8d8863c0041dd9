/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests of badges/jsonld_number: JavaScript's parseFloat on the strings a credential may
 * type xsd:double (white space, junk after, Infinity, no digit), and the lexical forms
 * jsonld.js writes (canonical doubles, -0, NaN, integers). The differential test against
 * jsonld.js itself is tests/e2e/canon.test.mjs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "badges/jsonld_number.h"

/* The xsd:double literal jsonld.js writes for the string s. */
static char *literal_of(const char *s) {
    buf b = BUF_INIT;
    jsonld_double_lexical(jsonld_parse_float(s), &b);
    return buf_detach(&b);
}

static void check(const char *s, const char *want) {
    char *got = literal_of(s);
    assert_string_equal(got, want);
    free(got);
}

static void parse_float_as_javascript(void **state) {
    (void)state;
    check("1.5E-7", "1.5E-7");
    check("1.5e-7", "1.5E-7");
    check(" \t\n42", "4.2E1");
    check("\xc2\xa0\xe2\x80\xa8\xef\xbb\xbf" "7.25e3xyz", "7.25E3"); /* NBSP, LS, BOM, then junk */
    check("\xe3\x80\x80" "1e3", "1.0E3");                            /* ideographic space */
    check("\xe1\xa0\x8e" "1", "NaN");                                /* U+180E is no space any more */
    check("abc", "NaN");
    check("", "NaN");
    check(".", "NaN");
    check("-", "NaN");
    check("+-1", "NaN");
    check("infinity", "NaN");
    check("Infinity", "Infinity");
    check("-Infinityx", "-Infinity");
    check("1e400", "Infinity");
    check("-1e400", "-Infinity");
    check("1e-400", "0.0E0");
    check("-0", "0.0E0");
    check(".5", "5.0E-1");
    check("5.", "5.0E0");
    check("-.5e-3", "-5.0E-4");
    check("0x10", "0.0E0"); /* no hexadecimal: "0" then junk */
    check("1e", "1.0E0");
    check("1e+", "1.0E0");
    check("1_000", "1.0E0");
    check("0.30000000000000004", "3.0E-1"); /* 16 significant digits */
    check("12345678901234567890", "1.234567890123457E19");
    check("5e-324", "4.940656458412465E-324");
}

static void number_forms(void **state) {
    (void)state;
    struct { double d; bool dt_double; const char *want; bool is_double; } cases[] = {
        {1e20, false, "100000000000000000000", false}, {1e21, false, "1.0E21", true},
        {1.5e-7, false, "1.5E-7", true},              {1e-7, false, "0", false},
        {2, true, "2.0E0", true},                     {-0.0, true, "0.0E0", true},
        {-0.0, false, "0", false},                    {0.1, false, "1.0E-1", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b = BUF_INIT;
        bool is_double = !cases[i].is_double;
        jsonld_number_lexical(cases[i].d, cases[i].dt_double, &b, &is_double);
        assert_string_equal(buf_cstr(&b), cases[i].want);
        assert_int_equal(is_double, cases[i].is_double);
        buf_free(&b);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_float_as_javascript),
        cmocka_unit_test(number_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
