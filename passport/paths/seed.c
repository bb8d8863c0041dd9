/* SPDX-License-Identifier: EUPL-1.2 */
/* The dashboard benchmark fixture: a path, an assignment to seeded agents, passes. */
#include "paths/seed.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "paths/assign.h"
#include "paths/path.h"

#define DAY 86400

/* xorshift64: the same fixture for the same seed */
static unsigned below(uint64_t *x, unsigned n) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return (unsigned)(*x % n);
}

bool paths_seed(store *s, long n, unsigned seed, paths_seed_stats *stats, perr *err) {
    paths_seed_stats z = {0};
    if (!stats) stats = &z;
    memset(stats, 0, sizeof *stats);
    char *mods[PATHS_SEED_MODULES] = {0}, *versions[PATHS_SEED_MODULES] = {0};
    size_t nmods = 0;
    long long *users = NULL;
    size_t nusers = 0;
    bool ok = false, begun = false;
    store_query *st = store_stmt(s, "SELECT id, version_hash FROM modules WHERE archived_at IS NULL"
                                     " ORDER BY course_slug, position LIMIT 4", err);
    if (!st) return false;
    while (store_step(st) == STORE_ROW && nmods < PATHS_SEED_MODULES) {
        mods[nmods] = xstrdup(store_col_text(st, 0));
        versions[nmods++] = xstrdup(store_col_text(st, 1));
    }
    store_done(st);
    if (!nmods) {
        perr_set(err, "no live module in the store: start the server once (or sync the courses) first");
        goto done;
    }
    st = store_stmt(s, "SELECT id FROM users WHERE email LIKE '%@seed.passport.test' AND disabled_at IS NULL"
                       " AND (roles & 1) = 1 ORDER BY id LIMIT ?", err);
    if (!st) goto done;
    store_bind_int64(st, 1, n);
    users = xmalloc(((size_t)n + 1) * sizeof *users);
    while (store_step(st) == STORE_ROW) users[nusers++] = store_col_int64(st, 0);
    store_done(st);
    if (!nusers) {
        perr_set(err, "no seeded agent: run `passport seed N` first");
        goto done;
    }
    int64_t now = clock_now(), start = now - 10 * DAY;
    char due[11];
    clock_date(now + 30 * DAY, due);
    if (!store_begin(s, err)) goto done;
    begun = true;
    path_input in = {"Parcours de référence (banc d’essai)", "Créé par passport seed-paths.",
                     (const char *const *)mods, nmods, NULL, 0};
    if (path_create(s, 0, &in, &stats->path_id, NULL, err) != PATHS_OK) goto done;
    account system = {.id = 0, .roles = ROLE_ADMIN};
    assign_input ai = {stats->path_id, users, nusers, 0, false, due, "Banc d’essai"};
    size_t members = 0;
    if (assign_create(s, &system, &ai, start, &stats->assignment_id, &members, err) != PATHS_OK) goto done;
    stats->members = (long)members;
    st = store_stmt(s, "INSERT INTO attempts(user_id, module_id, module_version, answers_json, score, passed,"
                       " started_at, finished_at) VALUES (?, ?, ?, '{}', 1.0, 1, ?, ?)", err);
    if (!st) goto done;
    uint64_t x = 0x2545F4914F6CDD1DULL ^ seed;
    for (size_t i = 0; i < nusers; i++) {
        unsigned k = below(&x, (unsigned)nmods + 1);
        for (unsigned m = 0; m < k; m++) {
            int64_t at = start + (int64_t)below(&x, 10 * DAY);
            store_bind_int64(st, 1, users[i]);
            store_bind_text(st, 2, mods[m]);
            store_bind_text(st, 3, versions[m]);
            store_bind_int64(st, 4, at - 600);
            store_bind_int64(st, 5, at);
            int rc = store_step(st);
            store_done(st);
            if (rc != STORE_DONE) {
                perr_set(err, "database error: %s", store_errmsg(s));
                goto done;
            }
            stats->passes++;
        }
    }
    ok = store_commit(s, err);
    if (ok) begun = false;
done:
    if (begun && !ok) store_rollback(s);
    for (size_t i = 0; i < nmods; i++) {
        free(mods[i]);
        free(versions[i]);
    }
    free(users);
    return ok;
}
