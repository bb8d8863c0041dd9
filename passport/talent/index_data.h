/* SPDX-License-Identifier: EUPL-1.2 */
/* The talent index's data, shared by its building (index.c) and its queries (search.c):
 * not for use outside the talent index. */
#ifndef PASSPORT_TALENT_INDEX_DATA_H
#define PASSPORT_TALENT_INDEX_DATA_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "talent/index.h"

#define TALENT_DAY 86400
#define TALENT_MAX_COMPS 16383 /* competencies the index holds (a record stays < 65536 words) */

typedef struct talent_comp_info {
    long long id;
    char *code;
    char *fw;
    int area;
} talent_comp_info;

typedef struct talent_unit_info {
    long long id;
    long long parent; /* 0: root */
    int parent_pos;   /* -1: root */
    char *name;
} talent_unit_info;

/* The hidden agents of one reach (HR: everywhere; a manager: the subtree of scope_unit)
 * per unit position, as a search answers them, kept while the index's version has not
 * moved. text is the answer's tail as JSON, `"hidden":[...],"hidden_total":...` (compact,
 * ASCII), made at the first search that asks for text. */
#define TALENT_HIDDEN_KEPT 8
typedef struct talent_hidden_kept {
    bool used, hr;
    long long scope_unit;   /* 0 for HR */
    unsigned long version;  /* of the index when counted */
    unsigned long last_use; /* hidden_clock then */
    size_t slots;           /* nunits + 1, the last for "no unit" */
    long *counts, total;
    char *text; /* NULL until asked; owned */
    size_t text_len;
} talent_hidden_kept;

struct talent_index {
    store *db;
    pthread_t builder;          /* the first build, started by talent_index_new */
    bool has_builder;
    volatile int stop;          /* set by talent_index_free: a running build gives up */
    pthread_mutex_t refresh_mu; /* one refresher at a time */
    atomic_int refresh_waiting; /* refreshes waiting for refresh_mu: the builder lets them by */
    pthread_rwlock_t rw;        /* readers scan, the refresher patches */
    bool built;
    /* false while the first build has folded only the agents a search can show (opted in,
     * active): the others' levels (the heatmap's, an applicant's) are folded in steps, by
     * ids up to filled_upto, before a read that needs them (talent_index_complete) */
    bool complete;
    long long filled_upto;
    /* the last build's CPU time (log): rows, then levels here and in the second thread */
    uint64_t build_rows_cpu_us, build_levels_cpu_us, build_helper_cpu_us;
    /* while two threads fold the first part (fold_shown), pool_mu guards the pool of dates */
    bool pool_shared;
    pthread_mutex_t pool_mu;
    long long seq;         /* the last talent_changes row applied */
    unsigned long version; /* moves at every build and patch */
    /* the hidden counts of the last few reaches searched (search.c): filled and read under
     * hidden_mu, valid while version has not moved */
    pthread_mutex_t hidden_mu;
    talent_hidden_kept hidden_kept[TALENT_HIDDEN_KEPT];
    unsigned long hidden_clock; /* ticks at each use: the least recently used goes first */
    size_t ncomp;
    talent_comp_info *comps; /* by id */
    size_t *rel_start;/* CSR: columns related to column c (itself and its mapped ones) */
    int *rel;
    size_t nunits;
    talent_unit_info *units; /* by id */
    size_t n, cap;    /* agents (rows), sorted by id */
    long long *ids;
    int *upos;        /* unit position, -1: none */
    uint8_t *vis, *avail, *alive;
    /* [column][row]: the verified level (0..8) in the low nibble, the declared one in the
     * high nibble; one byte per agent and competency */
    uint8_t **lv;
    /* The days of the newest evidence of each level, only where a level is not 0: row u's
     * record is dated_len[u] words of dates from dated_at[u] (none when the agent has no
     * level): a bitmap of the columns with a verified level (bitmap_words words, column c
     * at bit c % 16 of word c / 16), the same for declared levels, then the verified
     * levels' days in column order, then the declared levels' days. A patched row that
     * outgrows its record moves to the end of the pool. */
    size_t bitmap_words;
    uint32_t *dated_at;
    uint16_t *dated_len;
    uint16_t *dates;
    size_t ndates, dates_cap, dates_garbage; /* words used, allocated, and left by moves */
};


/* talent_index_refresh, then the levels of every agent folded (not only those a search
 * can show): for reads that see hidden or inactive agents' levels. Thread-safe. */
bool talent_index_complete(talent_index *ix, perr *err);

/* ---- lookups ---------------------------------------------------------------------- */

static inline int talent_comp_col(const talent_index *ix, long long id) {
    size_t lo = 0, hi = ix->ncomp;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix->comps[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < ix->ncomp && ix->comps[lo].id == id ? (int)lo : -1;
}

static inline int talent_comp_by_code(const talent_index *ix, const char *code) {
    for (size_t c = 0; c < ix->ncomp; c++)
        if (!strcmp(ix->comps[c].code, code)) return (int)c;
    return -1;
}

static inline int talent_unit_pos(const talent_index *ix, long long id) {
    size_t lo = 0, hi = ix->nunits;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix->units[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < ix->nunits && ix->units[lo].id == id ? (int)lo : -1;
}

/* The row of user id, or -1. */
static inline long talent_row_of(const talent_index *ix, long long id) {
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix->ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < ix->n && ix->ids[lo] == id ? (long)lo : -1;
}

/* ---- levels and their days -------------------------------------------------------- */

static inline int talent_ver(const talent_index *ix, size_t c, size_t u) {
    return ix->lv[c][u] & 15;
}

static inline int talent_dec(const talent_index *ix, size_t c, size_t u) {
    return ix->lv[c][u] >> 4;
}

/* The days (day numbers) of row u's verified and declared levels on column c; 0 where the
 * level is 0. Counts the bits below c in the row's bitmaps (a few words). */
static inline void talent_days(const talent_index *ix, size_t c, size_t u, int *ver_day, int *dec_day) {
    *ver_day = *dec_day = 0;
    if (!ix->dated_len[u]) return;
    const uint16_t *vb = ix->dates + ix->dated_at[u], *db = vb + ix->bitmap_words, *days = db + ix->bitmap_words;
    size_t w = c / 16, below_v = 0, below_d = 0, all_v = 0;
    unsigned bit = 1u << (c % 16);
    for (size_t i = 0; i < ix->bitmap_words; i++) {
        all_v += (size_t)__builtin_popcount(vb[i]);
        if (i < w) {
            below_v += (size_t)__builtin_popcount(vb[i]);
            below_d += (size_t)__builtin_popcount(db[i]);
        } else if (i == w) {
            below_v += (size_t)__builtin_popcount(vb[i] & (bit - 1));
            below_d += (size_t)__builtin_popcount(db[i] & (bit - 1));
        }
    }
    if (vb[w] & bit) *ver_day = days[below_v];
    if (db[w] & bit) *dec_day = days[all_v + below_d];
}

#endif
