/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/calibrate: responses simulated from known item parameters (irt_sim.h's
 * bank, whose true parameters differ from the level defaults the fit starts from) are
 * fitted back within a tolerance; a planted bad item (answered at random) is flagged as
 * misfitting; items with too few responses keep their parameters. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "irt_sim.h"
#include "learn/calibrate.h"

#define PERSONS 1200
#define PER_COMP 3 /* items each simulated person answers per competence */

static void test_recovers_known_parameters(void **state) {
    (void)state;
    uint64_t rng = 7;
    irt_item truth[SIM_ITEMS], model[SIM_ITEMS];
    int levels[SIM_ITEMS];
    sim_bank(&rng, truth, model, levels);
    const size_t bad = 5; /* answered at random, whatever the ability */
    calib_response *r = calloc(PERSONS * SIM_COMPS * PER_COMP, sizeof *r);
    size_t n = 0;
    for (size_t p = 0; p < PERSONS; p++) {
        double theta[SIM_COMPS];
        sim_agent(&rng, 0.7, theta);
        for (size_t c = 0; c < SIM_COMPS; c++) {
            bool taken[SIM_PER_COMP] = {false};
            for (int k = 0; k < PER_COMP; k++) {
                size_t j;
                do j = irt_next_below(&rng, SIM_PER_COMP); while (taken[j]);
                taken[j] = true;
                size_t i = c * SIM_PER_COMP + j;
                double pr = i == bad ? 0.5 : irt_p(truth[i].a, truth[i].b, theta[c]);
                r[n++] = (calib_response){p, i, irt_rng_unit(&rng) < pr};
            }
        }
    }
    calib_item items[SIM_ITEMS + 1];
    for (size_t i = 0; i < SIM_ITEMS; i++) items[i] = (calib_item){.a0 = model[i].a, .b0 = model[i].b, .comp = model[i].comp};
    items[SIM_ITEMS] = (calib_item){.a0 = 1.3, .b0 = 0.0, .comp = 0}; /* never answered */
    assert_true(calibrate_items(items, SIM_ITEMS + 1, r, n, PERSONS, SIM_COMPS, 30, 15));
    double eb = 0, ea = 0, eb0 = 0, worst = 0;
    size_t counted = 0, close = 0;
    for (size_t i = 0; i < SIM_ITEMS; i++) {
        if (i == bad) continue;
        assert_true(items[i].fitted);
        double db = fabs(items[i].b - truth[i].b);
        eb += db;
        ea += fabs(items[i].a - truth[i].a);
        eb0 += fabs(items[i].b0 - truth[i].b);
        worst = db > worst ? db : worst;
        close += db <= 0.5;
        counted++;
    }
    eb /= (double)counted;
    ea /= (double)counted;
    eb0 /= (double)counted;
    printf("calibration (%d people, %zu responses): mean |b - true b| %.3f (defaults: %.3f), worst %.3f,"
           " %zu of %zu within 0.5; mean |a - true a| %.3f\n", PERSONS, n, eb, eb0, worst, close, counted, ea);
    assert_true(eb < 0.15);
    assert_true(eb < eb0);
    assert_true(close * 100 >= counted * 95); /* the extremes of the bank are the least precise */
    assert_true(ea < 0.25);
    /* the random item misfits; hardly any other does */
    assert_true(items[bad].misfit);
    size_t misfits = 0;
    for (size_t i = 0; i < SIM_ITEMS; i++) misfits += items[i].misfit;
    assert_true(misfits <= 4);
    /* too few responses: unchanged */
    assert_false(items[SIM_ITEMS].fitted);
    assert_true(items[SIM_ITEMS].a == 1.3 && items[SIM_ITEMS].b == 0.0);
    free(r);
}

static void test_bad_input(void **state) {
    (void)state;
    calib_item it = {.a0 = 1, .b0 = 0, .comp = 0};
    calib_response r = {3, 0, true};
    assert_false(calibrate_items(&it, 1, &r, 1, 2, 1, 1, 1)); /* person out of range */
    it.comp = 2;
    assert_false(calibrate_items(&it, 1, NULL, 0, 1, 1, 1, 1)); /* competence out of range */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_known_parameters),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
