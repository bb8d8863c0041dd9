/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport seed-paths N` (dev/bench tool): an assignment to N seeded agents with passes,
 * for the dashboard benchmark of scripts/bench. Seeds the missing agents with the general
 * `passport seed` code and syncs the course catalogue first. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/clock.h"
#include "learn/catalog.h"
#include "learn/library.h"
#include "paths/seed.h"
#include "skills/skills.h"
#include "talent/seed.h"

static const char usage[] =
    "usage: passport seed-paths N [--data DIR] [--courses DIR]\n"
    "Dev/bench tool: makes sure N synthetic agents exist (as `passport seed` adds them), then\n"
    "creates a path of four modules and one assignment to the first N of them, with passed\n"
    "modules spread over ten days. Prints the assignment id (for /team/assignments/ID).\n";

/* The number of seeded agents already there. */
static long seeded(store *db) {
    store_query *st = store_stmt(db, "SELECT count(*) FROM users WHERE email LIKE '%@seed.passport.test'", NULL);
    if (!st) return -1;
    long n = store_step(st) == STORE_ROW ? (long)store_col_int64(st, 0) : -1;
    store_done(st);
    return n;
}

int cli_seed_paths(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    long n = 0;
    if (!cli_opts_count(&o, 1000000, &n)) {
        fputs(usage, stderr);
        return 2;
    }
    if (!cli_data_dir_ready(&o)) return 1;
    store *db = cli_open_store(&o);
    if (!db) return 1;
    perr err = {{0}};
    int rc = 1;
    uint64_t t0 = clock_mono_us();
    learn_library *lib = library_load(o.courses_dir, NULL, NULL);
    if (!catalog_sync(db, lib, &err)) goto fail;
    long have = seeded(db);
    if (have < 0) {
        perr_set(&err, "database error");
        goto fail;
    }
    if (have < n) {
        talent_seed_stats ts;
        if (!skills_sync_frameworks(db, o.courses_dir, &err) || !talent_seed(db, n - have, 42, &ts, &err)) goto fail;
    }
    paths_seed_stats ps;
    if (!paths_seed(db, n, 7, &ps, &err)) goto fail;
    if (!o.quiet)
        fprintf(stderr, "Assignment %lld of path %lld to %ld agents, %ld passed modules, in %.1f s\n",
                ps.assignment_id, ps.path_id, ps.members, ps.passes, (double)(clock_mono_us() - t0) / 1e6);
    printf("%lld\n", ps.assignment_id);
    rc = 0;
fail:
    if (rc) fprintf(stderr, "passport: %s\n", err.msg);
    library_release(lib);
    store_free(db);
    return rc;
}
