/* SPDX-License-Identifier: EUPL-1.2 */
/* The talent index's data, shared by its building (index.c) and its queries (search.c):
 * not for use outside the talent index. */
#ifndef PASSPORT_TALENT_INDEX_DATA_H
#define PASSPORT_TALENT_INDEX_DATA_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "talent/index.h"

#define TALENT_DAY 86400
#define TALENT_DATED_VER 0x4000u
#define TALENT_DATED_DEC 0x8000u
#define TALENT_DATED_COL 0x3fffu

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

struct talent_index {
    store *db;
    pthread_t builder;          /* the first build, started by talent_index_new */
    bool has_builder;
    volatile int stop;          /* set by talent_index_free: a running build gives up */
    pthread_mutex_t refresh_mu; /* one refresher at a time */
    pthread_rwlock_t rw;        /* readers scan, the refresher patches */
    bool built;
    long long seq; /* the last talent_changes row applied */
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
     * record is dated_len[u] words of dates from dated_at[u], one entry per column with a
     * level, in column order: a head word (the column, TALENT_DATED_VER and
     * TALENT_DATED_DEC), then the verified level's day and the declared level's day, each
     * when its flag is set. A patched row that outgrows its record moves to the end. */
    uint32_t *dated_at;
    uint8_t *dated_len;
    uint16_t *dates;
    size_t ndates, dates_cap, dates_garbage; /* words used, allocated, and left by moves */
};


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
 * level is 0. Walks the row's record (a few words). */
static inline void talent_days(const talent_index *ix, size_t c, size_t u, int *ver_day, int *dec_day) {
    *ver_day = *dec_day = 0;
    const uint16_t *w = ix->dates + ix->dated_at[u], *end = w + ix->dated_len[u];
    while (w < end) {
        unsigned head = *w++;
        size_t col = head & TALENT_DATED_COL;
        if (col > c) return;
        if (col == c) {
            if (head & TALENT_DATED_VER) *ver_day = *w++;
            if (head & TALENT_DATED_DEC) *dec_day = *w;
            return;
        }
        w += !!(head & TALENT_DATED_VER) + !!(head & TALENT_DATED_DEC);
    }
}

#endif
