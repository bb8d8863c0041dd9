/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/policy: front matter values and their problems (file:line), durations,
 * and the sliding window of failed attempts at its boundaries (a failure at t counts
 * while now < t + cooldown, not at now == t + cooldown). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learn/policy.h"

static frontmatter *fm_of(const char *src) {
    size_t line = 0;
    perr err = {{0}};
    frontmatter *fm = frontmatter_parse(src, strlen(src), &line, &err);
    if (!fm) fail_msg("front matter: %s", err.msg);
    return fm;
}

static void test_defaults_and_values(void **state) {
    (void)state;
    diag_list d = DIAG_LIST_INIT;
    learn_policy p;
    frontmatter *fm = fm_of("---\nid: x\n---\n");
    policy_read(fm, "m.md", &p, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(p.draw, 0);
    assert_int_equal(p.reveal, REVEAL_AFTER_PASS);
    assert_int_equal(p.attempts, POLICY_DEFAULT_ATTEMPTS);
    assert_int_equal(p.cooldown, 24 * 3600);
    frontmatter_free(fm);
    fm = fm_of("---\nid: x\ndraw: 6\nreveal: never\nattempts: 5\ncooldown: 2d\n---\n");
    policy_read(fm, "m.md", &p, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(p.draw, 6);
    assert_int_equal(p.draw_line, 3);
    assert_int_equal(p.reveal, REVEAL_NEVER);
    assert_int_equal(p.attempts, 5);
    assert_int_equal(p.cooldown, 2 * 86400);
    frontmatter_free(fm);
    diag_list_free(&d);
}

static void test_bad_values(void **state) {
    (void)state;
    diag_list d = DIAG_LIST_INIT;
    learn_policy p;
    frontmatter *fm = fm_of("---\nid: x\ndraw: 0\nreveal: sometimes\nattempts: many\ncooldown: 24\n---\n");
    policy_read(fm, "m.md", &p, &d);
    assert_int_equal(d.n, 4);
    assert_int_equal(d.items[0].line, 3);
    assert_non_null(strstr(d.items[0].msg, "draw must be a whole number"));
    assert_non_null(strstr(d.items[1].msg, "attempts must be"));
    assert_int_equal(d.items[1].line, 5);
    assert_non_null(strstr(d.items[2].msg, "reveal must be after-pass or never"));
    assert_int_equal(d.items[2].line, 4);
    assert_non_null(strstr(d.items[3].msg, "cooldown must be a duration"));
    assert_int_equal(d.items[3].line, 6);
    frontmatter_free(fm);
    diag_list_free(&d);
    int64_t s;
    assert_true(policy_parse_duration("30m", &s));
    assert_int_equal(s, 1800);
    assert_true(policy_parse_duration("24h", &s));
    assert_int_equal(s, 86400);
    assert_false(policy_parse_duration("0h", &s));
    assert_false(policy_parse_duration("-1h", &s));
    assert_false(policy_parse_duration("1w", &s));
    assert_false(policy_parse_duration("91d", &s));
    assert_false(policy_parse_duration("h", &s));
    assert_false(policy_parse_duration(NULL, &s));
}

static void test_window_boundaries(void **state) {
    (void)state;
    learn_policy p = {0, 0, REVEAL_AFTER_PASS, 3, 1000};
    const int64_t fails[] = {5000, 4000, 3000, 2000}; /* newest first */
    assert_int_equal(policy_locked_until(&p, fails, 0, 5001), 0);
    assert_int_equal(policy_locked_until(&p, fails, 2, 5001), 0);       /* two failures: allowed */
    const int64_t spread[] = {2900, 2500, 2000};
    assert_int_equal(policy_locked_until(&p, spread, 3, 2999), 3000);  /* 2000 counts while now < 3000 */
    assert_int_equal(policy_locked_until(&p, spread, 3, 3000), 0);     /* 2000 + 1000: exactly out */
    learn_policy two = p;
    two.attempts = 2; /* the 2nd newest failure decides */
    assert_int_equal(policy_locked_until(&two, spread, 3, 3000), 3500);
    assert_int_equal(policy_locked_until(&two, spread, 3, 3500), 0);
    assert_int_equal(policy_locked_until(&p, fails, 4, 5000), 0);       /* 3000 is out at 4000 */
    int64_t close_fails[] = {5000, 4900, 4800};
    assert_int_equal(policy_locked_until(&p, close_fails, 3, 5000), 5800);
    assert_int_equal(policy_locked_until(&p, close_fails, 3, 5799), 5800);
    assert_int_equal(policy_locked_until(&p, close_fails, 3, 5800), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_values),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_window_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
