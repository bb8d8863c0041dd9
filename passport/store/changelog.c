/* SPDX-License-Identifier: EUPL-1.2 */
/* The change log of the caches (see changelog.h): per bucket of user ids, the seq of the
 * last unscoped change read from the `changes` table and of the last change of each scope,
 * per bucket of (user id, module id) the seq of the last learning change of that module,
 * plus the seq of the last change for everyone; one mutex serialises the reads of the
 * table, lookups are lock-free atomics. */
#include "store/changelog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/buf.h"

#define BUCKETS 8192 /* power of two: one agent's change voids 1/8192 of the others' entries at most */
#define SCOPES 2     /* CHANGE_LEARN, CHANGE_EVIDENCE: bit i of a scope is scoped[i] */
_Static_assert(CHANGE_ANY == (1 << SCOPES) - 1, "one slot per scope bit");

struct changelog {
    store *s;
    pthread_mutex_t mu;           /* one reader of the table at a time */
    atomic_ullong synced;         /* store generation the last complete read started at, +1 (0: none) */
    atomic_llong applied;         /* last seq read */
    atomic_llong everyone;        /* seq of the last change of key 0 (or of a lost stretch) */
    atomic_llong last[BUCKETS];   /* seq of the last unscoped change of a key of this bucket */
    atomic_llong scoped[SCOPES][BUCKETS]; /* seq of the last change of that scope */
    atomic_llong learn_unnamed[BUCKETS];  /* seq of the last learning change naming no module */
    atomic_llong modules[BUCKETS];        /* by (key, module): seq of the last learning change of it */
    atomic_ullong syncs, changes, lost;
};

static size_t bucket_of(long long key) {
    unsigned long long h = (unsigned long long)key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 40) & (BUCKETS - 1);
}

/* The bucket of one module's learning data of key: FNV-1a of the id, mixed with the key. */
static size_t module_bucket_of(long long key, const char *id) {
    unsigned long long h = 1469598103934665603ull ^ (unsigned long long)key * 0x9E3779B97F4A7C15ull;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h ^ h >> 29) & (BUCKETS - 1);
}

changelog *changelog_new(store *s, perr *err) {
    store_query *st = store_stmt(s, "SELECT coalesce(max(seq), 0) FROM changes", err);
    if (!st) return NULL;
    bool ok = store_step(st) == STORE_ROW;
    long long top = ok ? store_col_int64(st, 0) : 0;
    store_done(st);
    if (!ok) {
        perr_set(err, "cannot read the change log");
        return NULL;
    }
    changelog *l = xcalloc(1, sizeof *l);
    l->s = s;
    pthread_mutex_init(&l->mu, NULL);
    atomic_store(&l->applied, top);
    atomic_store(&l->everyone, top);
    return l;
}

void changelog_free(changelog *l) {
    if (!l) return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* Reads the changes after l->applied (under l->mu). A first seq past applied + 1 means
 * the table was pruned past what this process read: every entry is voided. */
static bool read_changes(changelog *l) {
    store_query *st = store_stmt(l->s, "SELECT seq, user_id, scope, module FROM changes WHERE seq > ? ORDER BY seq", NULL);
    if (!st) return false;
    long long applied = atomic_load(&l->applied);
    store_bind_int64(st, 1, applied);
    int rc;
    bool first = true;
    while ((rc = store_step(st)) == STORE_ROW) {
        long long seq = store_col_int64(st, 0), key = store_col_int64(st, 1), scope = store_col_int64(st, 2);
        if (first && seq > applied + 1) {
            atomic_store(&l->everyone, seq);
            atomic_fetch_add(&l->lost, 1);
        }
        first = false;
        if (key == 0) {
            atomic_store(&l->everyone, seq);
        } else if (scope <= 0 || scope >= 1 << SCOPES) { /* unscoped, or a scope this build does not know */
            atomic_store(&l->last[bucket_of(key)], seq);
        } else {
            for (int i = 0; i < SCOPES; i++)
                if (scope & 1 << i) atomic_store(&l->scoped[i][bucket_of(key)], seq);
            if (scope & CHANGE_LEARN) {
                const char *module = store_col_text_or_null(st, 3);
                if (module) atomic_store(&l->modules[module_bucket_of(key, module)], seq);
                else atomic_store(&l->learn_unnamed[bucket_of(key)], seq);
            }
        }
        /* the bucket before applied: a lookup stamped with the new applied must see it */
        atomic_store(&l->applied, seq);
        atomic_fetch_add_explicit(&l->changes, 1, memory_order_relaxed);
    }
    store_done(st);
    return rc == STORE_DONE;
}

bool changelog_sync(changelog *l) {
    unsigned long long gen = store_generation_fresh(l->s) + 1;
    if (atomic_load(&l->synced) >= gen) return true;
    pthread_mutex_lock(&l->mu);
    bool ok = true;
    if (atomic_load(&l->synced) < gen) {
        atomic_fetch_add_explicit(&l->syncs, 1, memory_order_relaxed);
        ok = read_changes(l);
        if (ok) atomic_store(&l->synced, gen);
    }
    pthread_mutex_unlock(&l->mu);
    return ok;
}

bool changelog_sync_exact(changelog *l) {
    if (!store_listening(l->s)) return changelog_sync(l); /* that asks the database already */
    /* a commit made just before may still have its notification on the way: ask the table */
    store_query *st = store_stmt(l->s, "SELECT coalesce(max(seq), 0) FROM changes", NULL);
    if (!st) return false;
    bool ok = store_step(st) == STORE_ROW;
    long long top = ok ? store_col_int64(st, 0) : 0;
    store_done(st);
    if (!ok) return false;
    if (top > atomic_load(&l->applied)) {
        pthread_mutex_lock(&l->mu);
        if (top > atomic_load(&l->applied)) {
            atomic_fetch_add_explicit(&l->syncs, 1, memory_order_relaxed);
            ok = read_changes(l);
        }
        pthread_mutex_unlock(&l->mu);
        if (!ok) return false;
    }
    return changelog_sync(l);
}

long long changelog_stamp(const changelog *l) {
    return atomic_load(&((changelog *)l)->applied);
}

bool changelog_current(const changelog *l, long long key, long long stamp) {
    return changelog_current_for(l, key, CHANGE_ANY, stamp);
}

bool changelog_current_for(const changelog *l, long long key, unsigned scopes, long long stamp) {
    changelog *m = (changelog *)l;
    if (stamp < atomic_load(&m->everyone)) return false;
    if (key == 0) return true;
    size_t b = bucket_of(key);
    if (stamp < atomic_load(&m->last[b])) return false;
    for (int i = 0; i < SCOPES; i++)
        if ((scopes & 1u << i) && stamp < atomic_load(&m->scoped[i][b])) return false;
    return true;
}

bool changelog_current_modules(const changelog *l, long long key, const char *const *ids, size_t n,
                               long long stamp) {
    changelog *m = (changelog *)l;
    if (stamp < atomic_load(&m->everyone)) return false;
    if (key == 0) return true;
    size_t b = bucket_of(key);
    if (stamp < atomic_load(&m->last[b]) || stamp < atomic_load(&m->learn_unnamed[b])) return false;
    for (size_t i = 0; i < n; i++)
        if (stamp < atomic_load(&m->modules[module_bucket_of(key, ids[i])])) return false;
    return true;
}

void changelog_stats_get(const changelog *l, changelog_stats *out) {
    changelog *m = (changelog *)l;
    out->syncs = atomic_load(&m->syncs);
    out->changes = atomic_load(&m->changes);
    out->lost = atomic_load(&m->lost);
}
