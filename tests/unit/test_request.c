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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urlencoded_fields),
        cmocka_unit_test(test_urlencoded_rejects_bad_input),
        cmocka_unit_test(test_multipart_fields_and_files),
        cmocka_unit_test(test_multipart_malformed),
        cmocka_unit_test(test_method_and_status),
        cmocka_unit_test(test_cookie_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
