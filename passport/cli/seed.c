/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport seed N`: adds a synthetic organisation of N agents with realistic evidence
 * (benchmarks, demos). Loads the competency frameworks first. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/clock.h"
#include "skills/skills.h"
#include "talent/seed.h"

static const char usage[] =
    "usage: passport seed N [--data DIR] [--courses DIR]\n"
    "Adds N synthetic agents (agent<k>@seed.passport.test, who cannot log in) with units,\n"
    "evidence, profiles and visibility choices to DATA/passport.db. Run it again to add more.\n";

int cli_seed(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    long n = 0;
    if (!cli_opts_count(&o, 10000000, &n)) {
        fputs(usage, stderr);
        return 2;
    }
    if (!cli_data_dir_ready(&o)) return 1;
    store *db = cli_open_store(&o);
    if (!db) return 1;
    perr err = {{0}};
    int rc = 0;
    talent_seed_stats st;
    uint64_t t0 = clock_mono_us();
    if (!skills_sync_frameworks(db, o.courses_dir, &err) || !talent_seed(db, n, 42, &st, &err)) {
        fprintf(stderr, "passport: %s\n", err.msg);
        rc = 1;
    } else if (!o.quiet) {
        printf("Seeded %ld agents (%ld visible, %ld profiles), %ld pieces of evidence, %ld units in %.1f s\n",
               st.agents, st.visible, st.profiles, st.evidence, st.units, (double)(clock_mono_us() - t0) / 1e6);
    }
    store_free(db);
    return rc;
}
