/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for core/csv: RFC 4180 records, separators, line numbers, errors, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/csv.h"

/* Reads every record of s and renders them as "line:[f1|f2]\n...", or "ERR <msg>" after
 * the records read before an error. */
static char *dump(const char *s, size_t len, char sep) {
    csv_reader *r = csv_reader_new(s, len, sep);
    buf out = BUF_INIT;
    size_t n, line;
    const char *const *f;
    perr err;
    while (csv_next(r, &n, &f, &line, &err)) {
        buf_printf(&out, "%zu:[", line);
        for (size_t i = 0; i < n; i++) buf_printf(&out, "%s%s", i ? "|" : "", f[i]);
        buf_puts(&out, "]\n");
    }
    if (err.msg[0]) buf_printf(&out, "ERR %s", err.msg);
    csv_reader_free(r);
    return buf_detach(&out);
}

#define CHECK(input, sep, want)                          \
    do {                                                 \
        char *got_ = dump(input, sizeof(input) - 1, sep); \
        assert_string_equal(got_, want);                 \
        free(got_);                                      \
    } while (0)

static void test_simple_records(void **state) {
    (void)state;
    CHECK("a,b,c\n1,2,3\n", ',', "1:[a|b|c]\n2:[1|2|3]\n");
    CHECK("a,b,c\r\n1,2,3", ',', "1:[a|b|c]\n2:[1|2|3]\n");
    CHECK("", ',', "");
    CHECK("x", ',', "1:[x]\n");
    CHECK("a,,c,\n", ',', "1:[a||c|]\n");
    CHECK(",\n", ',', "1:[|]\n");
}

static void test_quoted_fields(void **state) {
    (void)state;
    CHECK("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", ',', "1:[a,b|say \"hi\"|]\n");
    CHECK("\"multi\nline\",x\nnext,y\n", ',', "1:[multi\nline|x]\n3:[next|y]\n");
    CHECK("\"crlf\r\ninside\",z\r\nnext\r\n", ',', "1:[crlf\r\ninside|z]\n3:[next]\n");
    CHECK("\"a\"\"\"", ',', "1:[a\"]\n");
    /* a quote inside an unquoted field is kept as is */
    CHECK("5\" disk,ok\n", ',', "1:[5\" disk|ok]\n");
}

static void test_blank_lines_and_line_numbers(void **state) {
    (void)state;
    CHECK("\n\na\n\n\nb\r\n\r\nc", ',', "3:[a]\n6:[b]\n8:[c]\n");
    CHECK("a\rb\r", ',', "1:[a]\n2:[b]\n");
}

static void test_bom_skipped(void **state) {
    (void)state;
    CHECK("\xEF\xBB\xBF" "email,nom\n", ',', "1:[email|nom]\n");
}

static void test_semicolon_and_auto(void **state) {
    (void)state;
    CHECK("nom;prénom;note\nDupont;Zoé;12,5\n", ';', "1:[nom|prénom|note]\n2:[Dupont|Zoé|12,5]\n");
    CHECK("nom;prénom;note\nDupont;Zoé;12,5\n", CSV_SEP_AUTO,
          "1:[nom|prénom|note]\n2:[Dupont|Zoé|12,5]\n");
    CHECK("\"a;b\",c\n", CSV_SEP_AUTO, "1:[a;b|c]\n");
    CHECK("a\tb\n", '\t', "1:[a|b]\n");
    const char *s = "x;y";
    csv_reader *r = csv_reader_new(s, strlen(s), CSV_SEP_AUTO);
    size_t n;
    const char *const *f;
    assert_true(csv_next(r, &n, &f, NULL, NULL));
    assert_int_equal(csv_reader_sep(r), ';');
    csv_reader_free(r);
}

static void test_errors(void **state) {
    (void)state;
    CHECK("a\nb\n\"open,\nnever\nclosed", ',', "1:[a]\n2:[b]\nERR line 3: unterminated quoted field");
    CHECK("ok\n\"a\"b,c\n", ',', "1:[ok]\nERR line 2: unexpected character after closing quote");
    CHECK("a\nb\n\xC3\x28\n", ',', "1:[a]\n2:[b]\nERR line 3: invalid UTF-8");
    CHECK("\"x\ny\xFF\",z\n", ',', "ERR line 2: invalid UTF-8");
    CHECK("a\nb\0c\n", ',', "1:[a]\nERR line 2: NUL byte");
    /* errors stick */
    const char *s = "\"x";
    csv_reader *r = csv_reader_new(s, strlen(s), ',');
    perr err;
    size_t n;
    const char *const *f;
    assert_false(csv_next(r, &n, &f, NULL, &err));
    assert_string_equal(err.msg, "line 1: unterminated quoted field");
    assert_false(csv_next(r, &n, &f, NULL, &err));
    assert_string_equal(err.msg, "line 1: unterminated quoted field");
    csv_reader_free(r);
}

static void test_limits(void **state) {
    (void)state;
    const char *s = "a,b\nc,d,e\n0123456789012345678901234567890123456789\n";
    csv_reader *r = csv_reader_new(s, strlen(s), ',');
    csv_reader_set_limits(r, 32, 2);
    size_t n, line;
    const char *const *f;
    perr err;
    assert_true(csv_next(r, &n, &f, &line, &err));
    assert_false(csv_next(r, &n, &f, &line, &err));
    assert_string_equal(err.msg, "line 2: more than 2 fields");
    csv_reader_free(r);

    r = csv_reader_new(s + 10, strlen(s + 10), ',');
    csv_reader_set_limits(r, 32, 0);
    assert_false(csv_next(r, &n, &f, &line, &err));
    assert_string_equal(err.msg, "line 1: record longer than 32 bytes");
    csv_reader_free(r);
}

static void test_not_nul_terminated_input(void **state) {
    (void)state;
    char data[5] = {'a', ',', 'b', 'c', 'X'};
    char *got = dump(data, 4, ',');
    assert_string_equal(got, "1:[a|bc]\n");
    free(got);
    csv_reader_free(NULL);
}

static void test_many_fields_grow(void **state) {
    (void)state;
    buf in = BUF_INIT;
    for (int i = 0; i < 100; i++) buf_printf(&in, "%s%d", i ? "," : "", i);
    csv_reader *r = csv_reader_new(in.data, in.len, ',');
    size_t n;
    const char *const *f;
    assert_true(csv_next(r, &n, &f, NULL, NULL));
    assert_int_equal(n, 100);
    assert_string_equal(f[0], "0");
    assert_string_equal(f[99], "99");
    perr err;
    assert_false(csv_next(r, &n, &f, NULL, &err));
    assert_string_equal(err.msg, "");
    csv_reader_free(r);
    buf_free(&in);
}

/* Every cell an export writes is neutralised against spreadsheet formulas. */
static void test_write_field_neutralises_formulas(void **state) {
    (void)state;
    static const char *const in[] = {"=1+1", "+33", "-2", "@SUM(A1)", "\tcmd", "\rx", "\nx", "a\"b", "ok", "", NULL};
    static const char *const want[] = {"\"'=1+1\";", "\"'+33\";", "\"'-2\";", "\"'@SUM(A1)\";", "\"'\tcmd\";",
                                       "\"'\rx\";", "\"'\nx\";", "\"a\"\"b\";", "ok;", ";", ";"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        buf b = BUF_INIT;
        csv_write_field(&b, in[i], ';', false);
        assert_string_equal(buf_cstr(&b), want[i]);
        buf_free(&b);
    }
    buf b = BUF_INIT;
    csv_write_field(&b, "=x", ',', true);
    assert_string_equal(buf_cstr(&b), "\"'=x\"\r\n");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_records),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_blank_lines_and_line_numbers),
        cmocka_unit_test(test_bom_skipped),
        cmocka_unit_test(test_semicolon_and_auto),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_not_nul_terminated_input),
        cmocka_unit_test(test_many_fields_grow),
        cmocka_unit_test(test_write_field_neutralises_formulas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
