/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for http/static: only regular files of the folder, MIME allow-list, ETag,
 * fingerprinted names, symlinks and traversal never served. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/static.h"
#include "testutil.h"

static char dir[64];

static int setup(void **state) {
    (void)state;
    strcpy(dir, "/tmp/passport-static-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char p[256];
    snprintf(p, sizeof p, "%s/css", dir);
    mkdir(p, 0755);
    test_put(dir, "css/app.css", "body{}");
    test_put(dir, "notes.exe", "MZ");
    test_put(dir, "secret.txt", "outside the link");
    snprintf(p, sizeof p, "%s/css/link.css", dir);
    char target[256];
    snprintf(target, sizeof target, "%s/secret.txt", dir);
    if (symlink(target, p) != 0) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_lookup(void **state) {
    (void)state;
    perr err = {{0}};
    static_set *s = static_set_load(dir, 1 << 20, &err);
    assert_non_null(s);
    bool immutable = true;
    const static_file *f = static_lookup(s, "css/app.css", &immutable);
    assert_non_null(f);
    assert_false(immutable);
    assert_string_equal(f->mime, "text/css; charset=utf-8");
    assert_int_equal(f->len, 6);
    assert_int_equal(strlen(f->etag), 18);
    assert_int_equal(f->etag[0], '"');
    /* fingerprinted URL: /static/css/app.<8 hex>.css, served immutable */
    const char *url = static_url(s, "css/app.css");
    assert_non_null(url);
    assert_int_equal(strncmp(url, "/static/css/app.", 16), 0);
    assert_int_equal(strlen(url), strlen("/static/css/app.12345678.css"));
    const static_file *g = static_lookup(s, url + 8, &immutable);
    assert_ptr_equal(f, g);
    assert_true(immutable);
    static_set_free(s);
}

static void test_never_served(void **state) {
    (void)state;
    static_set *s = static_set_load(dir, 1 << 20, NULL);
    bool immutable;
    assert_null(static_lookup(s, "css/link.css", &immutable)); /* symlink */
    assert_null(static_lookup(s, "notes.exe", &immutable));    /* not on the allow-list */
    assert_null(static_lookup(s, "../secret.txt", &immutable));
    assert_null(static_lookup(s, "css/../secret.txt", &immutable));
    assert_null(static_lookup(s, "css/app.00000000.css", &immutable)); /* wrong fingerprint */
    assert_non_null(static_lookup(s, "secret.txt", &immutable));   /* a real file inside is fine */
    assert_null(static_mime("x.html"));
    assert_null(static_mime("noext"));
    static_set_free(s);
}

static void test_size_cap_and_missing_dir(void **state) {
    (void)state;
    perr err = {{0}};
    assert_null(static_set_load(dir, 3, &err));
    assert_non_null(strstr(err.msg, "exceed"));
    assert_null(static_set_load("/nonexistent/passport", 1 << 20, &err));
    assert_non_null(strstr(err.msg, "cannot open"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_never_served),
        cmocka_unit_test(test_size_cap_and_missing_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
