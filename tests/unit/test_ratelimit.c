/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests of core/ratelimit: burst then refusal with a Retry-After, refill over time,
 * addresses apart, the running-calls cap, a token taken without the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ratelimit.h"

#define SEC 1000000ull

static void burst_then_refused_then_refilled(void **state) {
    (void)state;
    ratelimit *r = ratelimit_new(0.5, 3, 100); /* one call every 2 s, bursts of 3 */
    uint64_t t = 1000 * SEC;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ratelimit_enter(r, "10.0.0.1", t), 0);
        ratelimit_leave(r);
    }
    assert_int_equal(ratelimit_enter(r, "10.0.0.1", t), 2); /* retry after 2 s */
    assert_int_equal(ratelimit_enter(r, "10.0.0.2", t), 0); /* another address has its own budget */
    ratelimit_leave(r);
    assert_int_equal(ratelimit_enter(r, "10.0.0.1", t + 1 * SEC), 1);
    assert_int_equal(ratelimit_enter(r, "10.0.0.1", t + 2 * SEC), 0);
    ratelimit_leave(r);
    assert_true(ratelimit_enter(r, "10.0.0.1", t + 2 * SEC) > 0);
    ratelimit_free(r);
}

static void running_calls_are_capped(void **state) {
    (void)state;
    ratelimit *r = ratelimit_new(100, 100, 2);
    assert_int_equal(ratelimit_enter(r, "a", SEC), 0);
    assert_int_equal(ratelimit_enter(r, "b", SEC), 0);
    assert_int_equal(ratelimit_enter(r, "c", SEC), 1); /* two run already */
    ratelimit_leave(r);
    assert_int_equal(ratelimit_enter(r, "c", SEC), 0);
    ratelimit_leave(r);
    ratelimit_leave(r);
    ratelimit_free(r);
}

static void take_spends_the_bucket_only(void **state) {
    (void)state;
    ratelimit *r = ratelimit_new(0.5, 2, 1);
    assert_int_equal(ratelimit_enter(r, "a", SEC), 0); /* the one running place is taken */
    assert_int_equal(ratelimit_take(r, "b", SEC), 0);  /* take ignores the cap */
    assert_int_equal(ratelimit_take(r, "b", SEC), 0);
    assert_int_equal(ratelimit_take(r, "b", SEC), 2);  /* bucket of 2 spent: retry after 2 s */
    assert_int_equal(ratelimit_take(r, "b", 3 * SEC), 0);
    ratelimit_leave(r);
    ratelimit_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_then_refused_then_refilled),
        cmocka_unit_test(running_calls_are_capped),
        cmocka_unit_test(take_spends_the_bucket_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
