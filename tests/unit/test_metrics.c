/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for http/metrics and core/metrics: buckets, counts by route and status, the
 * Prometheus text they render, registered gauges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"
#include "http/metrics.h"

static void noop(http_req *req, http_resp *resp, void *ctx) {
    (void)req;
    (void)resp;
    (void)ctx;
}

static long long outbox_size(void *ctx) {
    return *(int *)ctx;
}

static void test_buckets(void **state) {
    (void)state;
    assert_int_equal(http_metrics_bucket(0), 0);
    assert_int_equal(http_metrics_bucket(500), 0);   /* le 0.0005 */
    assert_int_equal(http_metrics_bucket(501), 1);
    assert_int_equal(http_metrics_bucket(50000), 6); /* le 0.05 */
    assert_int_equal(http_metrics_bucket(10 * 1000 * 1000), HTTP_METRICS_BUCKETS); /* +Inf */
}

static void test_render(void **state) {
    (void)state;
    http_router *r = http_router_new(1024);
    http_router_add(r, (http_route){HTTP_GET, "/healthz", noop, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/people/{id}/passport", noop, 0, 0, 0});
    http_metrics *m = http_metrics_new(r);
    const http_route *second = http_router_at(r, 1);
    size_t slot = http_metrics_slot(m, second);
    assert_int_equal(slot, 1);
    assert_int_equal(http_metrics_slot(m, NULL), http_metrics_other_slot(m));
    http_metrics_request(m, slot, 201, 300);
    http_metrics_request(m, slot, 201, 3000);
    http_metrics_request(m, slot, 599, 3000);
    http_metrics_request(m, http_metrics_other_slot(m), 404, 100);
    int size = 7;
    metrics_gauge_register("passport_outbox_size", "Messages waiting.", outbox_size, &size);
    metrics_db_error();
    buf out = BUF_INIT;
    http_metrics_render(m, NULL, &out);
    const char *t = buf_cstr(&out);
    assert_non_null(strstr(t, "passport_http_requests_total{route=\"/people/{id}/passport\",method=\"POST\",status=\"201\"} 2\n"));
    assert_non_null(strstr(t, "status=\"other\"} 1\n"));
    assert_non_null(strstr(t, "passport_http_requests_total{route=\"(none)\",method=\"\",status=\"404\"} 1\n"));
    assert_null(strstr(t, "route=\"/healthz\"")); /* nothing counted, nothing shown */
    assert_non_null(strstr(t, "passport_http_request_duration_seconds_bucket{route=\"/people/{id}/passport\",method=\"POST\",le=\"0.0005\"} 1\n"));
    assert_non_null(strstr(t, "le=\"0.005\"} 3\n"));
    assert_non_null(strstr(t, "le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(t, "passport_http_request_duration_seconds_count{route=\"/people/{id}/passport\",method=\"POST\"} 3\n"));
    assert_non_null(strstr(t, "passport_outbox_size 7\n"));
    assert_non_null(strstr(t, "passport_db_errors_total 1\n"));
    metrics_gauge_unregister("passport_outbox_size");
    buf_free(&out);
    http_metrics_render(m, NULL, &out);
    assert_null(strstr(buf_cstr(&out), "passport_outbox_size"));
    buf_free(&out);
    http_metrics_free(m);
    http_router_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
