/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for talent/score: the documented points per need (docs/talent.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "talent/score.h"

static void exact_level_gives_100_per_weight(void **state) {
    (void)state;
    for (int r = 1; r <= 8; r++)
        for (int w = 1; w <= 5; w++) assert_int_equal(talent_need_points(r, r, w), 100 * w);
}

static void levels_above_count_up_to_two(void **state) {
    (void)state;
    assert_int_equal(talent_need_points(4, 3, 1), 133); /* 100*4/3 */
    assert_int_equal(talent_need_points(5, 3, 1), 166); /* 100*5/3 */
    assert_int_equal(talent_need_points(6, 3, 1), 166); /* capped at required + 2 */
    assert_int_equal(talent_need_points(8, 1, 1), 300);
    assert_int_equal(talent_need_points(5, 4, 2), 250);
}

static void below_and_none(void **state) {
    (void)state;
    assert_int_equal(talent_need_points(0, 3, 1), 0);
    assert_int_equal(talent_need_points(-1, 3, 5), 0);
    assert_int_equal(talent_need_points(2, 4, 1), 50);
    assert_int_equal(talent_need_points(1, 3, 3), 100);
}

static void out_of_range_is_clamped(void **state) {
    (void)state;
    assert_int_equal(talent_need_points(2, 0, 1), talent_need_points(2, 1, 1));
    assert_int_equal(talent_need_points(8, 9, 1), talent_need_points(8, 8, 1));
    assert_int_equal(talent_need_points(3, 3, 9), 500);
    assert_int_equal(talent_need_points(3, 3, 0), 100);
}

static void monotonic_in_level(void **state) {
    (void)state;
    for (int r = 1; r <= 8; r++)
        for (int l = 0; l < 8; l++) assert_true(talent_need_points(l + 1, r, 2) >= talent_need_points(l, r, 2));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_level_gives_100_per_weight),
        cmocka_unit_test(levels_above_count_up_to_two),
        cmocka_unit_test(below_and_none),
        cmocka_unit_test(out_of_range_is_clamped),
        cmocka_unit_test(monotonic_in_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
