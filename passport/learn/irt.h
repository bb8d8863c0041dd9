/* SPDX-License-Identifier: EUPL-1.2 */
/* Item response theory for the adaptive positioning test (docs/positioning.md): the
 * two-parameter logistic model, a hierarchical ability estimate (one general ability
 * shared by all competences plus a deviation per competence, posterior mean and standard
 * deviation computed on a grid), item selection by maximum information with a little
 * exposure control, and the stop rule. Pure functions over plain arrays: no store, no I/O.
 *
 * Scale: abilities and difficulties are in logits, and one level of the frameworks is one
 * logit. Level L (1..8) is the band [L - 4.5, L - 3.5) of the ability theta, centred on
 * L - 4; below -3.5 is level 0 ("not yet level 1"), 4.5 and above is level 8. */
#ifndef PASSPORT_LEARN_IRT_H
#define PASSPORT_LEARN_IRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IRT_MAX_COMPS 64    /* competences one estimate spans */
#define IRT_DEFAULT_A 1.3   /* discrimination of an item without calibrated parameters */

/* The centre of level's band (level - 4). */
double irt_level_theta(int level);
/* The level (0..8) whose band holds theta. */
int irt_theta_level(double theta);
/* An uncalibrated item of level: difficulty level - 4.5, the lower edge of the level's band
 * (a person just reaching the level answers it right half the time, one in the middle of
 * the band two times in three), discrimination IRT_DEFAULT_A. */
double irt_default_b(int level);

/* P(right | theta) = 1 / (1 + exp(-a (theta - b))). */
double irt_p(double a, double b, double theta);
/* Fisher information a^2 p (1 - p) of the item at theta. */
double irt_info(double a, double b, double theta);

typedef struct irt_item {
    double a, b;
    size_t comp; /* index of its competence, < ncomps */
} irt_item;

typedef struct irt_answer {
    size_t item; /* index into the items array */
    bool right;
} irt_answer;

/* The prior: general ability ~ N(mean, sd^2), each competence = general + a deviation
 * ~ N(0, tau^2). tau 0 would tie every competence to the general ability. */
typedef struct irt_prior {
    double mean, sd, tau;
} irt_prior;

/* The positioning test's prior (a typical agent around level 3, wide) and a re-check's
 * prior (centred on the level being re-checked); documented in docs/positioning.md. */
irt_prior irt_prior_positioning(void);
irt_prior irt_prior_recheck(int level);

typedef struct irt_estimate {
    size_t ncomps;
    double theta[IRT_MAX_COMPS]; /* posterior mean per competence */
    double se[IRT_MAX_COMPS];    /* posterior standard deviation per competence */
    double general, general_se;  /* the shared ability */
} irt_estimate;

/* Posterior means and deviations given answers[0..n) on items; ncomps in 1..IRT_MAX_COMPS.
 * With no answer each competence gets the prior. False when ncomps is out of range or an
 * answer names an item out of range (out is then left unset). */
bool irt_estimate_abilities(const irt_item *items, size_t nitems, const irt_answer *answers, size_t n,
                            size_t ncomps, const irt_prior *prior, irt_estimate *out);

/* The next item among items[0..nitems) whose used flag is false: the one that most
 * reduces its competence's posterior variance (var^2 I / (1 + var I), I the item's Fisher
 * information at the competence's estimate), chosen at random (rnd) among the best
 * `spread` (>= 1) of those within 20 % of the best, so that two agents of the same profile
 * do not see the same items. allowed_comp limits the choice to one competence (SIZE_MAX:
 * any). Returns SIZE_MAX when no item is left. */
size_t irt_select(const irt_item *items, size_t nitems, const bool *used, const irt_estimate *est,
                  size_t allowed_comp, size_t spread, uint64_t rnd);

typedef struct irt_stop_rule {
    size_t max_items;     /* never more answers than this */
    size_t min_per_comp;  /* and never stop on precision before each competence has these */
    double se_target;     /* stop once every competence's se is at most this */
} irt_stop_rule;

/* The positioning test: at most 32 items, each of the 16 competences seen at least once,
 * every se at most 0.45 level. A re-check: at most 6 items, at least 3, se at most 0.5. */
irt_stop_rule irt_rule_positioning(void);
irt_stop_rule irt_rule_recheck(void);

/* True when the test is over: n answers reached rule->max_items, or every competence
 * has at least rule->min_per_comp answers (counts[c]) and se at most rule->se_target. */
bool irt_should_stop(const irt_estimate *est, const size_t *counts, size_t n, const irt_stop_rule *rule);

/* A small deterministic generator (splitmix64) for selection and simulations. */
uint64_t irt_rng_next(uint64_t *state);
/* A uniform double in [0, 1) from *state. */
double irt_rng_unit(uint64_t *state);

#endif
