/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for core/loggate: the first failure of a run logged, then one line per period
 * with the count left out, one line at the end of the run, none when nothing failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/loggate.h"
#include "testutil.h"

static void test_first_then_one_per_period(void **state) {
    (void)state;
    log_gate g;
    log_gate_init(&g, 1000);
    test_stderr cap;
    test_stderr_begin(&cap);
    assert_false(log_gate_ok(&g, "back")); /* nothing failed: nothing to say */
    assert_true(log_gate_fail(&g, 5000, "down %d", 1));
    for (uint64_t t = 5001; t < 6000; t += 10) assert_false(log_gate_fail(&g, t, "down"));
    assert_true(log_gate_fail(&g, 6000, "down %d", 2)); /* a period later */
    assert_false(log_gate_fail(&g, 6001, "down"));
    assert_int_equal(log_gate_failures(&g), 103);
    assert_true(log_gate_ok(&g, "back"));
    assert_false(log_gate_ok(&g, "back"));
    assert_true(log_gate_fail(&g, 6002, "down %d", 3)); /* a new run: at once */
    char *log = test_stderr_end(&cap);
    assert_int_equal(test_occurrences(log, "\n"), 4);
    assert_non_null(strstr(log, "error down 1\n"));
    assert_non_null(strstr(log, "error down 2 (100 more since, not logged)\n"));
    assert_non_null(strstr(log, "info back (after 103 failures)\n"));
    assert_non_null(strstr(log, "error down 3\n"));
    free(log);
    log_gate_destroy(&g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_then_one_per_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
