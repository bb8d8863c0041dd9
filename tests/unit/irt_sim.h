/* SPDX-License-Identifier: EUPL-1.2 */
/* Simulated agents taking the positioning test, shared by test_irt (the goal of the
 * issue) and test_calibrate (responses to fit): a bank like the real one (16 competences,
 * 8 items each over levels 1-6) whose true parameters differ from the defaults the test
 * uses, and agents of known levels (a general level drawn uniformly over levels 1-6, each
 * competence off it by a normal deviation of `spread` levels). Deterministic under a seed. */
#ifndef PASSPORT_TESTS_IRT_SIM_H
#define PASSPORT_TESTS_IRT_SIM_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "learn/irt.h"

#define SIM_COMPS 16
#define SIM_PER_COMP 8
#define SIM_ITEMS (SIM_COMPS * SIM_PER_COMP)

typedef struct irt_sim_result {
    double mean_items;
    size_t max_items;
    double within_one, exact, mean_abs_error;
} irt_sim_result;

static inline double sim_normal(uint64_t *rng) {
    double u = irt_rng_unit(rng), v = irt_rng_unit(rng);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* A uniform integer below bound. */
static inline size_t irt_next_below(uint64_t *rng, size_t bound) {
    return (size_t)(irt_rng_unit(rng) * (double)bound);
}

/* The true and the default (level-derived) parameters of the simulated bank. */
static inline void sim_bank(uint64_t *rng, irt_item truth[SIM_ITEMS], irt_item model[SIM_ITEMS], int levels[SIM_ITEMS]) {
    static const int lv[SIM_PER_COMP] = {1, 2, 3, 3, 4, 4, 5, 6};
    for (size_t c = 0; c < SIM_COMPS; c++)
        for (size_t k = 0; k < SIM_PER_COMP; k++) {
            size_t i = c * SIM_PER_COMP + k;
            levels[i] = lv[k];
            model[i] = (irt_item){IRT_DEFAULT_A, irt_default_b(lv[k]), c};
            truth[i] = (irt_item){0.9 + 0.8 * irt_rng_unit(rng), irt_default_b(lv[k]) + 0.3 * sim_normal(rng), c};
        }
}

/* A simulated agent's true abilities. */
static inline void sim_agent(uint64_t *rng, double spread, double theta[SIM_COMPS]) {
    double g = -3.5 + 6.0 * irt_rng_unit(rng); /* levels 1..6 */
    for (size_t c = 0; c < SIM_COMPS; c++) theta[c] = g + spread * sim_normal(rng);
}

/* Runs one positioning test for true abilities theta; answers[0..*n) what was answered
 * (sized SIM_ITEMS), est the final estimate. */
static inline void sim_take_test(uint64_t *rng, const irt_item *truth, const irt_item *model, const double *theta,
                                 irt_answer *answers, size_t *n, irt_estimate *est) {
    irt_prior prior = irt_prior_positioning();
    const char *tau = getenv("IRT_SIM_TAU"); /* by hand: compare with other deviations */
    if (tau) prior.tau = atof(tau);
    irt_stop_rule rule = irt_rule_positioning();
    bool used[SIM_ITEMS] = {false};
    size_t counts[SIM_COMPS] = {0};
    *n = 0;
    irt_estimate_abilities(model, SIM_ITEMS, answers, 0, SIM_COMPS, &prior, est);
    while (!irt_should_stop(est, counts, *n, &rule)) {
        size_t i = irt_select(model, SIM_ITEMS, used, est, SIZE_MAX, 3, irt_rng_next(rng));
        if (i == SIZE_MAX) break;
        used[i] = true;
        counts[model[i].comp]++;
        bool right = irt_rng_unit(rng) < irt_p(truth[i].a, truth[i].b, theta[model[i].comp]);
        answers[(*n)++] = (irt_answer){i, right};
        irt_estimate_abilities(model, SIM_ITEMS, answers, *n, SIM_COMPS, &prior, est);
    }
}

static inline void irt_simulate(uint64_t seed, size_t agents, double spread, irt_sim_result *r) {
    uint64_t rng = seed;
    irt_item truth[SIM_ITEMS], model[SIM_ITEMS];
    int levels[SIM_ITEMS];
    sim_bank(&rng, truth, model, levels);
    size_t total = 0, within = 0, exact = 0, items = 0;
    double abserr = 0;
    *r = (irt_sim_result){0};
    for (size_t a = 0; a < agents; a++) {
        double theta[SIM_COMPS];
        sim_agent(&rng, spread, theta);
        irt_answer answers[SIM_ITEMS];
        size_t n;
        irt_estimate est;
        sim_take_test(&rng, truth, model, theta, answers, &n, &est);
        items += n;
        if (n > r->max_items) r->max_items = n;
        for (size_t c = 0; c < SIM_COMPS; c++) {
            int want = irt_theta_level(theta[c]), got = irt_theta_level(est.theta[c]);
            int d = abs(want - got);
            total++;
            within += d <= 1;
            exact += d == 0;
            abserr += d;
        }
    }
    r->mean_items = (double)items / (double)agents;
    r->within_one = (double)within / (double)total;
    r->exact = (double)exact / (double)total;
    r->mean_abs_error = abserr / (double)total;
}

#endif
