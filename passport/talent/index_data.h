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
    uint8_t **ver, **dec;       /* [column][row] */
    uint16_t **ver_day, **dec_day;
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


#endif
