/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for http/conns: address lists, X-Forwarded-For, connection limits per address
 * and in total, the trusted proxy's exemption, and the whole-request deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/conns.h"

static void test_addrs_parse(void **state) {
    (void)state;
    http_addrs a;
    perr err = {{0}};
    assert_true(http_addrs_parse("127.0.0.1, ::1,10.0.0.7", &a, &err));
    assert_int_equal(a.n, 3);
    assert_true(http_addrs_has(&a, "::1"));
    assert_true(http_addrs_has(&a, "10.0.0.7"));
    assert_false(http_addrs_has(&a, "10.0.0.70"));
    assert_true(http_addrs_parse("0:0:0:0:0:0:0:1", &a, &err)); /* normalised */
    assert_true(http_addrs_has(&a, "::1"));
    assert_true(http_addrs_parse(NULL, &a, &err));
    assert_int_equal(a.n, 0);
    assert_false(http_addrs_parse("127.0.0.1,proxy.local", &a, &err));
    assert_non_null(strstr(err.msg, "proxy.local"));
    assert_false(http_addrs_parse("10.0.0.0/8", &a, &err));
}

static void test_forwarded_client(void **state) {
    (void)state;
    char out[64];
    assert_true(http_forwarded_client("203.0.113.9", out, sizeof out));
    assert_string_equal(out, "203.0.113.9");
    /* the proxy appends the address it saw: the last element, not a client-supplied first */
    assert_true(http_forwarded_client("1.2.3.4, 203.0.113.9 ", out, sizeof out));
    assert_string_equal(out, "203.0.113.9");
    assert_true(http_forwarded_client("1.2.3.4,2001:db8::1", out, sizeof out));
    assert_string_equal(out, "2001:db8::1");
    assert_false(http_forwarded_client("", out, sizeof out));
    assert_false(http_forwarded_client(NULL, out, sizeof out));
    assert_false(http_forwarded_client("1.2.3.4, evil\"json", out, sizeof out));
    assert_false(http_forwarded_client("1.2.3.4,", out, sizeof out));
}

static void test_limits(void **state) {
    (void)state;
    http_addrs proxies;
    perr err = {{0}};
    assert_true(http_addrs_parse("10.0.0.1", &proxies, &err));
    http_conns *cs = http_conns_new(&(http_conns_opts){.total_limit = 5, .per_ip_limit = 2,
                                                       .deadline_ms = 60000, .trusted_proxies = &proxies,
                                                       .quiet = true});
    http_conn *a1 = http_conns_open(cs, -1, "192.0.2.1");
    http_conn *a2 = http_conns_open(cs, -1, "192.0.2.1");
    http_conn *a3 = http_conns_open(cs, -1, "192.0.2.1");
    assert_int_equal(http_conn_refusal(a1), HTTP_REFUSE_NONE);
    assert_int_equal(http_conn_refusal(a2), HTTP_REFUSE_NONE);
    assert_int_equal(http_conn_refusal(a3), HTTP_REFUSE_PER_ADDRESS);
    /* the proxy carries many clients: no per-address limit */
    http_conn *p1 = http_conns_open(cs, -1, "10.0.0.1");
    http_conn *p2 = http_conns_open(cs, -1, "10.0.0.1");
    http_conn *p3 = http_conns_open(cs, -1, "10.0.0.1");
    assert_true(http_conn_from_proxy(p3));
    assert_int_equal(http_conn_refusal(p3), HTTP_REFUSE_NONE);
    http_conn *b1 = http_conns_open(cs, -1, "192.0.2.2");
    assert_int_equal(http_conn_refusal(b1), HTTP_REFUSE_TOTAL);
    assert_int_equal(http_conns_current(cs), 5);
    assert_int_equal(http_conns_refused(cs, HTTP_REFUSE_PER_ADDRESS), 1);
    assert_int_equal(http_conns_refused(cs, HTTP_REFUSE_TOTAL), 1);
    /* closing frees a place: refused ones were never counted */
    http_conns_close(cs, a3);
    http_conns_close(cs, b1);
    assert_int_equal(http_conns_current(cs), 5);
    http_conns_close(cs, a1);
    http_conn *a4 = http_conns_open(cs, -1, "192.0.2.1");
    assert_int_equal(http_conn_refusal(a4), HTTP_REFUSE_NONE);
    http_conns_close(cs, a2);
    http_conns_close(cs, a4);
    http_conns_close(cs, p1);
    http_conns_close(cs, p2);
    http_conns_close(cs, p3);
    assert_int_equal(http_conns_current(cs), 0);
    assert_int_equal(http_conns_accepted(cs), 8);
    http_conns_free(cs);
}

/* A connection whose request does not arrive whole within the deadline is shut down
 * (the peer reads end of stream); one whose request arrived is left alone. */
static void test_deadline_cuts_slow_requests(void **state) {
    (void)state;
    int slow[2], done[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, slow), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, done), 0);
    http_conns *cs = http_conns_new(&(http_conns_opts){.deadline_ms = 200, .quiet = true});
    http_conn *s = http_conns_open(cs, slow[0], "192.0.2.1");
    http_conn *d = http_conns_open(cs, done[0], "192.0.2.1");
    assert_true(http_conn_received(d));
    usleep(600 * 1000);
    char c;
    assert_int_equal(read(slow[1], &c, 1), 0); /* shut down */
    assert_false(http_conn_received(s));
    assert_int_equal(http_conns_refused(cs, HTTP_REFUSE_DEADLINE), 1);
    assert_int_equal(write(done[1], "x", 1), 1);
    assert_int_equal(read(done[0], &c, 1), 1); /* still open */
    /* after its answer, the next request's deadline starts */
    http_conn_next(d);
    usleep(600 * 1000);
    assert_int_equal(read(done[1], &c, 1), 0);
    assert_int_equal(http_conns_refused(cs, HTTP_REFUSE_DEADLINE), 2);
    http_conns_close(cs, s);
    http_conns_close(cs, d);
    http_conns_free(cs);
    close(slow[0]);
    close(slow[1]);
    close(done[0]);
    close(done[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addrs_parse),
        cmocka_unit_test(test_forwarded_client),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_deadline_cuts_slow_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
