/* SPDX-License-Identifier: EUPL-1.2 */
/* Calibration of the positioning items (docs/positioning.md): fits each item's 2PL
 * parameters (discrimination a, difficulty b) from recorded responses and flags the items
 * that misfit. Pure: the caller
 * reads the responses (cli/calibrate.c) and decides what to write. The outfit is the mean,
 * over responses and each person's ability posterior, of the squared standardized residual. */
#ifndef PASSPORT_LEARN_CALIBRATE_H
#define PASSPORT_LEARN_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "learn/irt.h"

typedef struct calib_response {
    size_t person; /* < npersons: one test */
    size_t item;   /* < nitems */
    bool right;
} calib_response;

typedef struct calib_item {
    /* in: the starting point and prior centre (the bank's parameters), the competence */
    double a0, b0;
    size_t comp;
    /* out */
    double a, b;        /* fitted; a0, b0 when too few responses */
    size_t n;           /* responses */
    double p_right;     /* share of right answers */
    double outfit;      /* mean squared standardized residual: about 1 when the model fits */
    bool fitted;        /* n >= min_responses */
    bool misfit;        /* fitted and (outfit > 1.5, a < 0.4, or |b - b0| > 1.5) */
} calib_item;

/* Fits items[0..nitems) from responses r[0..n) of npersons people over ncomps competences
 * (<= IRT_MAX_COMPS) by marginal maximum likelihood: `rounds` rounds of EM, where the E
 * step gives each person's ability on each competence a posterior over a grid (from the
 * population's normal distribution, itself re-estimated, and their answers on that
 * competence) and the M step fits each item's a and b to the expected counts by Newton
 * steps, with weak priors a ~ N(a0, 0.5^2), b ~ N(b0, 1).
 * Items with fewer than min_responses keep a0, b0. False when an index is out of range. */
bool calibrate_items(calib_item *items, size_t nitems, const calib_response *r, size_t n, size_t npersons,
                     size_t ncomps, size_t min_responses, int rounds);

#endif
