/* SPDX-License-Identifier: EUPL-1.2 */
/* Repair at start: finds the agents who meet a badge's rule without ever having received
 * it, and awards it through the ordinary rule check (badges/badges.c). */
#include "badges/repair.h"

#include <jansson.h>
#include <stdlib.h>

#include "core/buf.h"

/* The active accounts that may meet a's rule and never received a, appended to *ids
 * (*n of them, a growing array the caller frees). The accounts and credentials are looked
 * up by key for each candidate h.user_id: at a million agents, a scan of `users` per badge
 * (an EXCEPT over the disabled accounts) made the repair take tens of seconds. */
#define CANDIDATES_TAIL                                                                               \
    " JOIN users u ON u.id = h.user_id WHERE u.disabled_at IS NULL AND NOT EXISTS"                    \
    " (SELECT 1 FROM credentials c WHERE c.user_id = h.user_id AND c.achievement_id = ?1)"
static bool candidates(store *s, const achievement *a, long long **ids, size_t *n, perr *err) {
    store_query *st;
    char *modules = NULL;
    if (a->nmodules) {
        json_t *list = json_array();
        for (size_t i = 0; i < a->nmodules; i++) json_array_append_new(list, json_string(a->modules[i]));
        modules = json_dumps(list, JSON_COMPACT);
        json_decref(list);
        /* the module ids as the rows of the JSON array ?2 */
#define HOLDERS_HEAD                                                                                  \
    "SELECT h.user_id FROM (SELECT user_id FROM attempts WHERE passed = 1 AND module_id IN ("
#define HOLDERS_TAIL ") GROUP BY user_id HAVING count(DISTINCT module_id) = ?3) h" CANDIDATES_TAIL
        st = store_stmt2(s, HOLDERS_HEAD "SELECT value FROM json_each(?2)" HOLDERS_TAIL,
                         HOLDERS_HEAD "SELECT json_array_elements_text(CAST(?2 AS json))" HOLDERS_TAIL, err);
    } else {
        st = store_stmt(s,
                        "SELECT h.user_id FROM (SELECT DISTINCT user_id FROM evidence WHERE kind <> 'declared') h"
                        CANDIDATES_TAIL,
                        err);
    }
    if (!st) {
        free(modules);
        return false;
    }
    store_bind_int64(st, 1, a->id);
    if (modules) {
        store_bind_text(st, 2, modules);
        store_bind_int64(st, 3, (int64_t)a->nmodules);
    }
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        *ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
        (*ids)[(*n)++] = store_col_int64(st, 0);
    }
    store_done(st);
    free(modules);
    if (rc != STORE_DONE) return perr_set(err, "%s", store_errmsg(s));
    return true;
}

static int cmp_id(const void *x, const void *y) {
    long long a = *(const long long *)x, b = *(const long long *)y;
    return (a > b) - (a < b);
}

bool badges_repair(store *s, const badges_ctx *c, int *issued, perr *err) {
    if (issued) *issued = 0;
    if (!c || !c->set->n) return true;
    long long *ids = NULL;
    size_t n = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < c->set->n; i++) ok = candidates(s, &c->set->items[i], &ids, &n, err);
    if (ok && n) qsort(ids, n, sizeof *ids, cmp_id);
    for (size_t i = 0; ok && i < n; i++) {
        if (i && ids[i] == ids[i - 1]) continue; /* one check per agent covers every badge */
        int got = 0;
        ok = badges_check_awards(s, c, ids[i], &got, err);
        if (issued) *issued += got;
    }
    free(ids);
    return ok;
}
