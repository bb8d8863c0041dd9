/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for handlers/openapi: loading the document (missing, empty, arbitrary bytes) and
 * the route registration the server and `passport routes` share (the document's route is
 * public GET, and no method+pattern is registered twice). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "handlers/app.h"

static void write_bytes(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void test_load(void **state) {
    (void)state;
    char dir[] = "/tmp/test_openapi_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/openapi.json", dir);

    size_t len = 99;
    assert_null(openapi_load(path, &len)); /* missing */
    assert_int_equal(len, 0);

    write_bytes(path, "", 0);
    char *doc = openapi_load(path, &len);
    assert_non_null(doc);
    assert_int_equal(len, 0);
    assert_string_equal(doc, "");
    free(doc);

    /* more than one read chunk, with a NUL inside: served byte for byte */
    size_t big = 40000;
    char *want = malloc(big);
    assert_non_null(want);
    for (size_t i = 0; i < big; i++) want[i] = (char)('a' + i % 26);
    want[100] = '\0';
    write_bytes(path, want, big);
    doc = openapi_load(path, &len);
    assert_non_null(doc);
    assert_int_equal(len, big);
    assert_memory_equal(doc, want, big);
    assert_int_equal(doc[big], '\0');
    free(doc);
    free(want);

    assert_null(openapi_load(dir, &len)); /* a folder is not a document */
    unlink(path);
    rmdir(dir);
}

static void test_routes(void **state) {
    (void)state;
    http_router *r = http_router_new(1024);
    app_register_routes(r);
    size_t n = http_router_count(r);
    assert_true(n > 40);
    const http_route *route = NULL;
    char *params[HTTP_MAX_PARAMS];
    size_t np = 0;
    assert_int_equal(http_router_match(r, HTTP_GET, "/api/v1/openapi.json", &route, params, &np, NULL), HTTP_MATCH_OK);
    assert_int_equal(np, 0);
    assert_true(route->flags & ROUTE_PUBLIC);
    assert_int_equal(route->roles, 0);
    unsigned allowed = 0;
    assert_int_equal(http_router_match(r, HTTP_POST, "/api/v1/openapi.json", &route, params, &np, &allowed),
                     HTTP_MATCH_BAD_METHOD);
    assert_int_equal(allowed, HTTP_GET);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const http_route *a = http_router_at(r, i), *b = http_router_at(r, j);
            if (!strcmp(a->pattern, b->pattern) && (a->methods & b->methods)) fail_msg("%s registered twice", a->pattern);
        }
    http_router_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
