/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for skills/level: every combination the level rule of docs/skills.md names
 * (measured, attested, credential in full; declared apart, never raising), dates, staleness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/clock.h"
#include "skills/level.h"

#define DAY 86400
#define M EVIDENCE_MEASURED
#define D EVIDENCE_DECLARED
#define A EVIDENCE_ATTESTED
#define C EVIDENCE_CREDENTIAL

static level_result run(const level_evidence *ev, size_t n, int64_t stale_before) {
    level_result r;
    level_compute(ev, n, stale_before, &r);
    return r;
}

static void test_no_evidence(void **state) {
    (void)state;
    level_result r = run(NULL, 0, 0);
    assert_int_equal(r.verified, 0);
    assert_int_equal(r.declared, 0);
    assert_int_equal(r.verified_at, 0);
    assert_false(r.stale);
    assert_int_equal(r.count, 0);
}

static void test_each_verified_kind_counts_in_full(void **state) {
    (void)state;
    evidence_kind kinds[] = {M, A, C};
    for (int k = 0; k < 3; k++) {
        level_evidence ev[] = {{kinds[k], 5, 100, false}};
        level_result r = run(ev, 1, 0);
        assert_int_equal(r.verified, 5);
        assert_int_equal(r.verified_at, 100);
        assert_int_equal(r.declared, 0);
    }
}

static void test_highest_verified_wins(void **state) {
    (void)state;
    level_evidence ev[] = {{M, 2, 100, false}, {A, 4, 200, false}, {C, 3, 300, false}, {M, 1, 400, false}};
    level_result r = run(ev, 4, 0);
    assert_int_equal(r.verified, 4);
    assert_int_equal(r.verified_at, 200); /* the date of the evidence at that level */
    assert_int_equal(r.count, 4);
    /* a later attestation at a lower level does not lower it */
    level_evidence ev2[] = {{A, 6, 100, false}, {A, 2, 900, false}};
    assert_int_equal(run(ev2, 2, 0).verified, 6);
}

static void test_newest_at_the_level_dates_it(void **state) {
    (void)state;
    level_evidence ev[] = {{M, 3, 500, false}, {A, 3, 100, false}, {M, 3, 300, false}, {M, 2, 900, false}};
    level_result r = run(ev, 4, 0);
    assert_int_equal(r.verified, 3);
    assert_int_equal(r.verified_at, 500);
}

static void test_declared_shown_apart_never_raises(void **state) {
    (void)state;
    level_evidence only[] = {{D, 7, 100, false}};
    level_result r = run(only, 1, 0);
    assert_int_equal(r.verified, 0);
    assert_int_equal(r.declared, 7);
    assert_int_equal(r.declared_at, 100);
    level_evidence mixed[] = {{M, 2, 100, false}, {D, 7, 200, false}};
    r = run(mixed, 2, 0);
    assert_int_equal(r.verified, 2);
    assert_int_equal(r.verified_at, 100);
    assert_int_equal(r.declared, 7);
    /* a declared level below the verified one is shown as declared, and lowers nothing */
    level_evidence lower[] = {{A, 5, 100, false}, {D, 1, 200, false}};
    r = run(lower, 2, 0);
    assert_int_equal(r.verified, 5);
    assert_int_equal(r.declared, 1);
}

static void test_newest_declaration_replaces(void **state) {
    (void)state;
    level_evidence ev[] = {{D, 6, 300, false}, {D, 2, 100, false}, {D, 4, 200, false}};
    level_result r = run(ev, 3, 0);
    assert_int_equal(r.declared, 6);
    assert_int_equal(r.declared_at, 300);
    /* same second: the later row (the later form submission) wins */
    level_evidence same[] = {{D, 6, 300, false}, {D, 3, 300, false}};
    r = run(same, 2, 0);
    assert_int_equal(r.declared, 3);
}

static void test_staleness(void **state) {
    (void)state;
    level_evidence ev[] = {{M, 4, 10 * DAY + 5, false}, {D, 5, 30 * DAY, false}};
    level_result r = run(ev, 2, 20 * DAY);
    assert_true(r.stale);
    assert_false(r.declared_stale);
    r = run(ev, 2, 10 * DAY); /* exactly at the limit: still fresh */
    assert_false(r.stale);
    /* freshness is a date: any time on the limit's day is still fresh, the day before is not */
    r = run(ev, 2, 10 * DAY + 80000);
    assert_false(r.stale);
    r = run(ev, 2, 11 * DAY);
    assert_true(r.stale);
    /* newer evidence at the same level refreshes */
    level_evidence fresh[] = {{M, 4, 10 * DAY, false}, {A, 4, 25 * DAY, false}};
    assert_false(run(fresh, 2, 20 * DAY).stale);
    /* newer evidence at a lower level does not refresh a higher level */
    level_evidence lower[] = {{M, 4, 10 * DAY, false}, {A, 2, 25 * DAY, false}};
    assert_true(run(lower, 2, 20 * DAY).stale);
    /* no verified level: nothing is stale */
    level_evidence decl[] = {{D, 4, 10, false}};
    r = run(decl, 1, 20 * DAY);
    assert_false(r.stale);
    assert_true(r.declared_stale);
}

static void test_invalid_pieces_ignored(void **state) {
    (void)state;
    level_evidence ev[] = {{M, 0, 100, false}, {M, 9, 100, false}, {(evidence_kind)99, 5, 100, false}, {A, 3, 100, false}};
    level_result r = run(ev, 4, 0);
    assert_int_equal(r.verified, 3);
    assert_int_equal(r.count, 1);
}

static void test_stale_before(void **state) {
    (void)state;
    int64_t now, want;
    assert_true(clock_parse_date("2026-11-23", &now));
    assert_true(clock_parse_date("2024-11-23", &want));
    assert_int_equal(level_stale_before(now, 24), want);
    assert_true(clock_parse_date("2026-03-31", &now));
    assert_true(clock_parse_date("2026-02-28", &want));
    assert_int_equal(level_stale_before(now, 1), want);
    assert_true(clock_parse_date("2024-02-29", &want));
    assert_true(clock_parse_date("2025-02-28", &now));
    assert_true(clock_parse_date("2024-02-28", &want));
    assert_int_equal(level_stale_before(now, 12), want);
    assert_true(clock_parse_date("2026-01-15", &now));
    assert_true(clock_parse_date("2025-12-15", &want));
    assert_int_equal(level_stale_before(now + 3600, 1), want + 3600);
}

/* A re-check caps the older pieces at its level: failed, it lowers the verified level;
 * passed (at the level it confirms), it refreshes the date. Newer pieces and declared
 * ones are not capped. */
static void test_recheck_caps_older_pieces(void **state) {
    (void)state;
    level_evidence failed[] = {{M, 5, 100, false}, {A, 4, 200, false}, {M, 3, 300, true}};
    level_result r = run(failed, 3, 0);
    assert_int_equal(r.verified, 3);
    assert_int_equal(r.verified_at, 300);
    level_evidence passed[] = {{M, 5, 100, false}, {M, 5, 300, true}};
    r = run(passed, 2, 200);
    assert_int_equal(r.verified, 5);
    assert_int_equal(r.verified_at, 300);
    assert_false(r.stale);
    level_evidence newer[] = {{M, 3, 300, true}, {C, 6, 400, false}, {D, 7, 100, false}};
    r = run(newer, 3, 0);
    assert_int_equal(r.verified, 6);
    assert_int_equal(r.declared, 7);
    level_evidence plain[] = {{M, 3, 300, false}, {M, 5, 100, false}}; /* not a re-check: no cap */
    assert_int_equal(run(plain, 2, 0).verified, 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recheck_caps_older_pieces),
        cmocka_unit_test(test_no_evidence),
        cmocka_unit_test(test_each_verified_kind_counts_in_full),
        cmocka_unit_test(test_highest_verified_wins),
        cmocka_unit_test(test_newest_at_the_level_dates_it),
        cmocka_unit_test(test_declared_shown_apart_never_raises),
        cmocka_unit_test(test_newest_declaration_replaces),
        cmocka_unit_test(test_staleness),
        cmocka_unit_test(test_invalid_pieces_ignored),
        cmocka_unit_test(test_stale_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
