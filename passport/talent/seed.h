/* SPDX-License-Identifier: EUPL-1.2 */
/* A synthetic organisation for benchmarks and demos: units, N agents with realistic
 * evidence (measured, attested, declared, spread over three years), profiles and
 * visibility choices. Deterministic for a given seed. */
#ifndef PASSPORT_TALENT_SEED_H
#define PASSPORT_TALENT_SEED_H

#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

typedef struct talent_seed_stats {
    long units;
    long agents;
    long evidence;
    long profiles;
    long visible;
} talent_seed_stats;

/* Adds n agents (emails agent<k>@seed.passport.test, continuing after those already
 * seeded) under a tree of 10 directions and about n/400 services, in transactions of
 * 20 000 agents. The competencies must be loaded (CRCN at least). Seeded accounts get a
 * fixed placeholder password hash that matches no password: they cannot log in. */
bool talent_seed(store *s, long n, unsigned seed, talent_seed_stats *stats, perr *err);

#endif
