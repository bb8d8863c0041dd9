/* SPDX-License-Identifier: EUPL-1.2 */
/* A benchmark fixture for the dashboards (dev/bench tool, `passport seed-paths`): one
 * path of the first live modules and one assignment to the first n seeded agents, with
 * passed attempts spread over the days since it started. Deterministic for a given seed. */
#ifndef PASSPORT_PATHS_SEED_H
#define PASSPORT_PATHS_SEED_H

#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

#define PATHS_SEED_MODULES 4

typedef struct paths_seed_stats {
    long long path_id;
    long long assignment_id;
    long members;
    long passes; /* passed attempts written */
} paths_seed_stats;

/* Creates the path and the assignment (due in 30 days, started 10 days ago) to the first
 * n agents whose email ends with @seed.passport.test (fewer if fewer exist), and for each
 * member passes 0..PATHS_SEED_MODULES of the path's modules. The course catalogue must be
 * synced (at least one live module). Runs in transactions of its own. */
bool paths_seed(store *s, long n, unsigned seed, paths_seed_stats *stats, perr *err);

#endif
