/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for http/router: literal and parameter patterns, methods, 404 vs 405, HEAD, enumeration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"

static void h1(http_req *q, http_resp *r, void *c) { (void)q; (void)r; (void)c; }
static void h2(http_req *q, http_resp *r, void *c) { (void)q; (void)r; (void)c; }
static void h3(http_req *q, http_resp *r, void *c) { (void)q; (void)r; (void)c; }

static http_router *make(void) {
    http_router *r = http_router_new(1000);
    http_router_add(r, (http_route){HTTP_GET, "/", h1, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET | HTTP_POST, "/people/{id}/passport", h2, 50, 0, 0});
    http_router_add(r, (http_route){HTTP_DELETE, "/people/{id}/passport", h3, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/a/{x}/b/{y}", h3, 0, 0, 0});
    return r;
}

static void free_params(char **p, size_t n) {
    for (size_t i = 0; i < n; i++) free(p[i]);
}

static void test_literal_and_params(void **state) {
    (void)state;
    http_router *r = make();
    const http_route *route = NULL;
    char *p[HTTP_MAX_PARAMS];
    size_t n = 99;
    unsigned allowed = 0;
    assert_int_equal(http_router_match(r, HTTP_GET, "/", &route, p, &n, &allowed), HTTP_MATCH_OK);
    assert_ptr_equal(route->fn, h1);
    assert_int_equal(n, 0);
    assert_int_equal(http_router_match(r, HTTP_POST, "/people/42/passport", &route, p, &n, &allowed), HTTP_MATCH_OK);
    assert_ptr_equal(route->fn, h2);
    assert_int_equal(n, 1);
    assert_string_equal(p[0], "42");
    free_params(p, n);
    assert_int_equal(http_router_match(r, HTTP_DELETE, "/people/7/passport", &route, p, &n, &allowed), HTTP_MATCH_OK);
    assert_ptr_equal(route->fn, h3);
    free_params(p, n);
    assert_int_equal(http_router_match(r, HTTP_GET, "/a/one/b/two", &route, p, &n, &allowed), HTTP_MATCH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(p[0], "one");
    assert_string_equal(p[1], "two");
    free_params(p, n);
    http_router_free(r);
}

static void test_not_found_and_bad_method(void **state) {
    (void)state;
    http_router *r = make();
    const http_route *route = NULL;
    char *p[HTTP_MAX_PARAMS];
    size_t n = 0;
    unsigned allowed = 0;
    assert_int_equal(http_router_match(r, HTTP_GET, "/nope", &route, p, &n, &allowed), HTTP_MATCH_NOT_FOUND);
    /* an empty parameter segment does not match */
    assert_int_equal(http_router_match(r, HTTP_GET, "/people//passport", &route, p, &n, &allowed), HTTP_MATCH_NOT_FOUND);
    /* trailing slash is a different path */
    assert_int_equal(http_router_match(r, HTTP_GET, "/people/1/passport/", &route, p, &n, &allowed), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(http_router_match(r, HTTP_PUT, "/people/1/passport", &route, p, &n, &allowed), HTTP_MATCH_BAD_METHOD);
    assert_int_equal(allowed, HTTP_GET | HTTP_POST | HTTP_DELETE);
    assert_int_equal(http_router_match(r, HTTP_POST, "/", &route, p, &n, &allowed), HTTP_MATCH_BAD_METHOD);
    assert_int_equal(allowed, HTTP_GET);
    http_router_free(r);
}

static void test_head_matches_get_and_limits(void **state) {
    (void)state;
    http_router *r = make();
    const http_route *route = NULL;
    char *p[HTTP_MAX_PARAMS];
    size_t n = 0;
    assert_int_equal(http_router_match(r, HTTP_HEAD, "/", &route, p, &n, NULL), HTTP_MATCH_OK);
    assert_ptr_equal(route->fn, h1);
    assert_int_equal(http_router_max_body(r, route), 1000);
    assert_int_equal(http_router_match(r, HTTP_GET, "/people/3/passport", &route, p, &n, NULL), HTTP_MATCH_OK);
    assert_int_equal(http_router_max_body(r, route), 50);
    free_params(p, n);
    assert_int_equal(http_router_max_body(r, NULL), 1000);
    http_router_free(r);
}

static void test_count_and_at(void **state) {
    (void)state;
    http_router *r = http_router_new(1000);
    assert_int_equal(http_router_count(r), 0);
    assert_null(http_router_at(r, 0));
    http_router_add(r, (http_route){HTTP_GET, "/a", h1, 0, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_GET | HTTP_POST, "/b/{id}", h2, 10, 0, 4});
    assert_int_equal(http_router_count(r), 2);
    const http_route *a = http_router_at(r, 0), *b = http_router_at(r, 1);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a->pattern, "/a");
    assert_ptr_equal(a->fn, h1);
    assert_int_equal(a->flags, ROUTE_PUBLIC);
    assert_string_equal(b->pattern, "/b/{id}");
    assert_int_equal(b->methods, HTTP_GET | HTTP_POST);
    assert_int_equal(b->roles, 4);
    assert_null(http_router_at(r, 2));
    assert_int_equal(http_router_count(NULL), 0);
    assert_null(http_router_at(NULL, 0));
    http_router_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_and_params),
        cmocka_unit_test(test_not_found_and_bad_method),
        cmocka_unit_test(test_head_matches_get_and_limits),
        cmocka_unit_test(test_count_and_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
