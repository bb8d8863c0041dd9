/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for http/request: urlencoded and multipart parsing, UTF-8 and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

static void test_urlencoded_fields(void **state) {
    (void)state;
    http_kv *kv = NULL;
    size_t n = 0;
    perr err = {{0}};
    const char body[] = "email=a%40b.fr&name=L%C3%A9a+Dubois&empty=&flag&x=1%2B1";
    assert_true(http_parse_urlencoded(body, strlen(body), &kv, &n, &err));
    assert_int_equal(n, 5);
    assert_string_equal(kv[0].name, "email");
    assert_string_equal(kv[0].value, "a@b.fr");
    assert_string_equal(kv[1].value, "Léa Dubois");
    assert_string_equal(kv[2].value, "");
    assert_string_equal(kv[3].name, "flag");
    assert_string_equal(kv[3].value, "");
    assert_string_equal(kv[4].value, "1+1");
    http_kv_free(kv, n);
}

static void test_urlencoded_rejects_bad_input(void **state) {
    (void)state;
    const char *bad[] = {"name=%FF", "name=%C3", "a=%zz", "a=%4", "a=%", "%ED%A0%80=x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_kv *kv = NULL;
        size_t n = 0;
        perr err = {{0}};
        assert_false(http_parse_urlencoded(bad[i], strlen(bad[i]), &kv, &n, &err));
        assert_true(err.msg[0] != '\0');
        assert_null(kv);
    }
}

static void test_multipart_fields_and_files(void **state) {
    (void)state;
    const char ct[] = "multipart/form-data; boundary=----XyZ";
    const char body[] =
        "------XyZ\r\n"
        "Content-Disposition: form-data; name=\"_csrf\"\r\n\r\n"
        "abc123\r\n"
        "------XyZ\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\n"
        "email,name\r\na@b.fr,A\r\n"
        "------XyZ--\r\n";
    http_kv *kv = NULL;
    http_file *files = NULL;
    size_t nkv = 0, nf = 0;
    perr err = {{0}};
    assert_true(http_parse_multipart(ct, body, sizeof body - 1, &kv, &nkv, &files, &nf, &err));
    assert_int_equal(nkv, 1);
    assert_string_equal(kv[0].name, "_csrf");
    assert_string_equal(kv[0].value, "abc123");
    assert_int_equal(nf, 1);
    assert_string_equal(files[0].field, "file");
    assert_string_equal(files[0].filename, "users.csv");
    assert_string_equal(files[0].content_type, "text/csv");
    assert_int_equal(files[0].len, strlen("email,name\r\na@b.fr,A"));
    assert_memory_equal(files[0].data, "email,name\r\na@b.fr,A", files[0].len);
    http_kv_free(kv, nkv);
    http_files_free(files, nf);
}

static void test_multipart_malformed(void **state) {
    (void)state;
    struct {
        const char *ct, *body;
    } cases[] = {
        {"multipart/form-data", "--x\r\n\r\n"},                                    /* no boundary */
        {"multipart/form-data; boundary=x", "no delimiter at all"},
        {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"},
        {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--"}, /* no name */
        {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n--x--"},
        /* found by fuzz_form: a field name that is not UTF-8 */
        {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"\xeb\"\r\n\r\nv\r\n--x--"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_kv *kv = NULL;
        http_file *files = NULL;
        size_t nkv = 0, nf = 0;
        perr err = {{0}};
        assert_false(http_parse_multipart(cases[i].ct, cases[i].body, strlen(cases[i].body), &kv, &nkv, &files, &nf, &err));
        assert_true(err.msg[0] != '\0');
    }
}

static void test_method_and_status(void **state) {
    (void)state;
    assert_int_equal(http_method_from("GET"), HTTP_GET);
    assert_int_equal(http_method_from("DELETE"), HTTP_DELETE);
    assert_int_equal(http_method_from("BREW"), HTTP_OTHER);
    assert_string_equal(http_status_text(413), "Payload Too Large");
    assert_string_equal(http_status_text(405), "Method Not Allowed");
}

static void test_cookie_header(void **state) {
    (void)state;
    http_resp r = {0};
    http_resp_cookie(&r, "pp_session", "tok", 60, true);
    http_resp_cookie(&r, "pp_session", "tok", -1, false);
    assert_int_equal(r.nheaders, 2);
    assert_string_equal(r.headers[0].value, "pp_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
    assert_string_equal(r.headers[1].value, "pp_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    http_resp_clear(&r);
}

static void test_nul_refused_in_forms(void **state) {
    (void)state;
    http_kv *kv = NULL, *mkv = NULL;
    http_file *files = NULL;
    size_t n = 0, nm = 0, nf = 0;
    perr err = {{0}};
    assert_false(http_parse_urlencoded("bio=a%00b", 9, &kv, &n, &err));
    assert_non_null(strstr(err.msg, "NUL"));
    assert_false(http_parse_urlencoded("a%00=b", 6, &kv, &n, &err));
    const char body[] = "--x\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\na\0b\r\n--x--";
    assert_false(http_parse_multipart("multipart/form-data; boundary=x", body, sizeof body - 1, &mkv, &nm, &files,
                                      &nf, &err));
    /* a file may hold any byte */
    const char file[] = "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\na\0b\r\n--x--";
    assert_true(http_parse_multipart("multipart/form-data; boundary=x", file, sizeof file - 1, &mkv, &nm, &files,
                                     &nf, &err));
    assert_int_equal(nf, 1);
    assert_int_equal(files[0].len, 3);
    http_kv_free(mkv, nm);
    http_files_free(files, nf);
}

static void test_json_fields_typed(void **state) {
    (void)state;
    perr err = {{0}};
    json_t *ok = json_pack("{s:s, s:n, s:i, s:o}", "bio", "x", "name", "level", 3, "answers", json_object());
    assert_true(http_json_check_fields(ok, "level:integer|string answers:object", &err));
    json_t *bad = json_pack("{s:i}", "bio", 1);
    err.msg[0] = '\0';
    assert_false(http_json_check_fields(bad, NULL, &err));
    assert_non_null(strstr(err.msg, "'bio'"));
    assert_non_null(strstr(err.msg, "string"));
    json_t *wrong = json_pack("{s:s}", "answers", "a");
    assert_false(http_json_check_fields(wrong, "level:integer answers:object", &err));
    assert_non_null(strstr(err.msg, "'answers'"));
    assert_non_null(strstr(err.msg, "an object"));
    json_t *real = json_pack("{s:f}", "level", 2.5);
    assert_false(http_json_check_fields(real, "level:integer|string", &err));
    json_t *num = json_pack("{s:i}", "w", 2);
    assert_true(http_json_check_fields(num, "w:number", &err)); /* an integer is a number */
    json_t *arr = json_array();
    assert_false(http_json_check_fields(arr, NULL, &err));
    assert_true(http_json_check_fields(arr, "*", &err));
    /* a declared name must match whole, not as a prefix */
    json_t *pre = json_pack("{s:i}", "lev", 1);
    assert_false(http_json_check_fields(pre, "level:integer", &err));
    json_decref(ok);
    json_decref(bad);
    json_decref(wrong);
    json_decref(real);
    json_decref(num);
    json_decref(arr);
    json_decref(pre);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urlencoded_fields),
        cmocka_unit_test(test_urlencoded_rejects_bad_input),
        cmocka_unit_test(test_multipart_fields_and_files),
        cmocka_unit_test(test_multipart_malformed),
        cmocka_unit_test(test_method_and_status),
        cmocka_unit_test(test_cookie_header),
        cmocka_unit_test(test_nul_refused_in_forms),
        cmocka_unit_test(test_json_fields_typed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
