/* SPDX-License-Identifier: EUPL-1.2 */
/* The in-memory talent index (see index.h): columns of small integers per competency,
 * rebuilt or patched from the store's talent_changes log; searched by search.c. */
#include "talent/index_data.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/heap.h"
#include "core/log.h"
#include "skills/evidence.h"
#include "skills/level.h"

const char *talent_visibility_name(talent_visibility v) {
    return v == TALENT_VISIBLE_ALL ? "all" : v == TALENT_VISIBLE_HR ? "hr" : "hidden";
}

bool talent_visibility_parse(const char *name, talent_visibility *out) {
    if (!name) return false;
    if (!strcmp(name, "hidden")) *out = TALENT_HIDDEN;
    else if (!strcmp(name, "hr")) *out = TALENT_VISIBLE_HR;
    else if (!strcmp(name, "all")) *out = TALENT_VISIBLE_ALL;
    else return false;
    return true;
}

/* Gives the memory freed by a build back to the system: glibc keeps freed blocks in each
 * thread's arena (the builder's page cache, the old columns), where they would stay in the
 * server's resident memory. */
static void give_back_memory(void) {
    heap_give_back();
}

static bool fill_step(talent_index *ix, perr *err);

/* CPU time of the calling thread, in microseconds: what a build costs whatever else runs. */
static uint64_t thread_cpu_us(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The first build, in its own thread (with its own store connection, closed as soon as the
 * build ends): the server answers meanwhile. The agents a search can show come first (a
 * search that comes before waits for them), then the others' levels in steps, between
 * which searches and patches go on. */
static void *build_main(void *arg) {
    talent_index *ix = arg;
    perr err = {{0}};
    uint64_t t0 = clock_mono_us(), cpu0 = thread_cpu_us();
    bool ok = talent_index_refresh(ix, &err);
    if (ok)
        log_info("talent index: %zu agents searchable in %llu ms (CPU %llu ms: rows %llu, levels %llu + %llu)",
                 ix->n, (unsigned long long)((clock_mono_us() - t0) / 1000),
                 (unsigned long long)((thread_cpu_us() - cpu0 + ix->build_helper_cpu_us) / 1000),
                 (unsigned long long)(ix->build_rows_cpu_us / 1000),
                 (unsigned long long)(ix->build_levels_cpu_us / 1000),
                 (unsigned long long)(ix->build_helper_cpu_us / 1000));
    for (bool done = !ok; !done && !ix->stop;) {
        pthread_mutex_lock(&ix->refresh_mu);
        done = !ix->built || ix->complete;
        if (!done) ok = fill_step(ix, &err);
        pthread_mutex_unlock(&ix->refresh_mu);
        done |= !ok;
        /* A mutex is not fair: relocked at once, it would keep a search waiting until the
         * last step (at 1M, the first search answered when all was built, not searchable). */
        while (!done && !ix->stop && atomic_load(&ix->refresh_waiting) > 0) {
            struct timespec pause = {0, 200000};
            nanosleep(&pause, NULL);
        }
    }
    store_thread_close(ix->db);
    give_back_memory();
    if (ok && !ix->stop)
        log_info("talent index: %zu agents built in %llu ms, %zu KiB (CPU %llu ms)", ix->n,
                 (unsigned long long)((clock_mono_us() - t0) / 1000), talent_index_bytes(ix) / 1024,
                 (unsigned long long)((thread_cpu_us() - cpu0) / 1000));
    else if (!ix->stop)
        log_error("talent index: first build failed (the next read retries): %s", err.msg);
    return NULL;
}

talent_index *talent_index_new_lazy(store *s) {
    talent_index *ix = xcalloc(1, sizeof *ix);
    ix->db = s;
    pthread_mutex_init(&ix->refresh_mu, NULL);
    pthread_rwlock_init(&ix->rw, NULL);
    pthread_mutex_init(&ix->hidden_mu, NULL);
    pthread_mutex_init(&ix->pool_mu, NULL);
    return ix;
}

talent_index *talent_index_new(store *s) {
    talent_index *ix = talent_index_new_lazy(s);
    ix->has_builder = pthread_create(&ix->builder, NULL, build_main, ix) == 0;
    return ix;
}

static void clear_data(talent_index *ix) {
    for (size_t c = 0; c < ix->ncomp; c++) {
        free(ix->comps[c].code);
        free(ix->comps[c].fw);
        if (ix->lv) free(ix->lv[c]);
    }
    free(ix->comps);
    free(ix->lv);
    free(ix->dated_at);
    free(ix->dated_len);
    free(ix->dates);
    free(ix->rel_start);
    free(ix->rel);
    for (size_t i = 0; i < ix->nunits; i++) free(ix->units[i].name);
    free(ix->units);
    free(ix->ids);
    free(ix->upos);
    free(ix->vis);
    free(ix->avail);
    free(ix->alive);
    ix->comps = NULL;
    ix->lv = NULL;
    ix->dated_at = NULL;
    ix->dated_len = NULL;
    ix->dates = NULL;
    ix->ndates = ix->dates_cap = ix->dates_garbage = 0;
    ix->rel_start = NULL;
    ix->rel = NULL;
    ix->units = NULL;
    ix->ids = NULL;
    ix->upos = NULL;
    ix->vis = ix->avail = ix->alive = NULL;
    ix->ncomp = ix->nunits = ix->n = ix->cap = 0;
    ix->built = false;
}

void talent_index_free(talent_index *ix) {
    if (!ix) return;
    ix->stop = 1;
    if (ix->has_builder) pthread_join(ix->builder, NULL);
    clear_data(ix);
    for (size_t i = 0; i < TALENT_HIDDEN_KEPT; i++) {
        free(ix->hidden_kept[i].counts);
        free(ix->hidden_kept[i].text);
    }
    pthread_mutex_destroy(&ix->hidden_mu);
    pthread_mutex_destroy(&ix->pool_mu);
    pthread_rwlock_destroy(&ix->rw);
    pthread_mutex_destroy(&ix->refresh_mu);
    free(ix);
}

/* ---- building --------------------------------------------------------------------- */

/* Room for need rows: exactly need when the index is empty (the build knows its count),
 * else half as much again, so that agents added one by one seldom move the columns. */
static void grow_rows(talent_index *ix, size_t need) {
    if (need <= ix->cap) return;
    size_t cap = ix->cap ? ix->cap + ix->cap / 2 : need;
    if (cap < need) cap = need;
    ix->ids = xrealloc(ix->ids, cap * sizeof *ix->ids);
    ix->upos = xrealloc(ix->upos, cap * sizeof *ix->upos);
    ix->vis = xrealloc(ix->vis, cap);
    ix->avail = xrealloc(ix->avail, cap);
    ix->alive = xrealloc(ix->alive, cap);
    ix->dated_at = xrealloc(ix->dated_at, cap * sizeof *ix->dated_at);
    ix->dated_len = xrealloc(ix->dated_len, cap * sizeof *ix->dated_len);
    for (size_t c = 0; c < ix->ncomp; c++) ix->lv[c] = xrealloc(ix->lv[c], cap);
    ix->cap = cap;
}

static void clear_row(talent_index *ix, size_t u) {
    for (size_t c = 0; c < ix->ncomp; c++) ix->lv[c][u] = 0;
    ix->dates_garbage += ix->dated_len[u];
    ix->dated_at[u] = 0;
    ix->dated_len[u] = 0;
}

/* Appends an empty row (its id and flags still to set); returns its position. */
static size_t new_row(talent_index *ix) {
    grow_rows(ix, ix->n + 1);
    size_t u = ix->n++;
    for (size_t c = 0; c < ix->ncomp; c++) ix->lv[c][u] = 0;
    ix->dated_at[u] = 0;
    ix->dated_len[u] = 0;
    return u;
}

/* Copies the records of the rows into a pool without the words left by moved records. */
static void compact_dates(talent_index *ix) {
    size_t total = ix->ndates - ix->dates_garbage, w = 0;
    uint16_t *pool = xmalloc((total ? total : 1) * sizeof *pool);
    for (size_t u = 0; u < ix->n; u++) {
        memcpy(pool + w, ix->dates + ix->dated_at[u], ix->dated_len[u] * sizeof *pool);
        ix->dated_at[u] = (uint32_t)w;
        w += ix->dated_len[u];
    }
    free(ix->dates);
    ix->dates = pool;
    ix->ndates = ix->dates_cap = w;
    ix->dates_garbage = 0;
}

/* Sets row u's record of dates to rec[0..n): in place when it fits, else at the end. */
static void put_dates(talent_index *ix, size_t u, const uint16_t *rec, size_t n) {
    if (n > ix->dated_len[u]) {
        if (ix->ndates + n > ix->dates_cap) {
            size_t cap = ix->dates_cap ? ix->dates_cap + ix->dates_cap / 2 : 1024;
            if (cap < ix->ndates + n) cap = ix->ndates + n;
            ix->dates = xrealloc(ix->dates, cap * sizeof *ix->dates);
            ix->dates_cap = cap;
        }
        ix->dates_garbage += ix->dated_len[u];
        ix->dated_at[u] = (uint32_t)ix->ndates;
        ix->ndates += n;
    } else {
        ix->dates_garbage += ix->dated_len[u] - n;
    }
    if (n) memcpy(ix->dates + ix->dated_at[u], rec, n * sizeof *rec);
    ix->dated_len[u] = (uint16_t)n;
    /* patches leave holes: copy the pool when they are more than a quarter of it */
    if (ix->dates_garbage > 4096 && ix->dates_garbage > ix->ndates / 4) compact_dates(ix);
}

/* One piece of an agent's evidence, held while their levels are folded. */
typedef struct fold_piece {
    int64_t at;
    long long id;
    int col;
    int level;
    evidence_kind kind;
    bool recheck;
} fold_piece;

/* An agent's evidence being gathered, and room for one competency's pieces. */
typedef struct folder {
    fold_piece *p;
    level_evidence *lev; /* the pieces of each touched column, column after column */
    size_t n, cap, lev_cap;
    uint32_t *at_col;    /* [ncomp + 1]: where each column's pieces start in lev, then fill */
    uint8_t *touched;    /* [ncomp] */
    uint8_t *row;     /* [ncomp]: the row's level bytes being written */
    uint16_t *rec;    /* the row's record of dates being written: 2 bitmaps, the days */
    uint16_t *dec_days; /* [ncomp]: the declared levels' days, until copied after the others */
} folder;

static void folder_init(folder *f, size_t ncomp) {
    memset(f, 0, sizeof *f);
    f->touched = xcalloc(ncomp ? ncomp : 1, 1);
    f->at_col = xcalloc(ncomp + 1, sizeof *f->at_col);
    f->row = xcalloc(ncomp ? ncomp : 1, 1);
    f->rec = xmalloc((2 * ((ncomp + 15) / 16) + 2 * ncomp + 1) * sizeof *f->rec);
    f->dec_days = xmalloc((ncomp + 1) * sizeof *f->dec_days);
}

static void folder_free(folder *f) {
    free(f->p);
    free(f->lev);
    free(f->at_col);
    free(f->touched);
    free(f->row);
    free(f->rec);
    free(f->dec_days);
}

static void folder_add(folder *f, int col, int level, evidence_kind kind, int64_t at, long long id, bool recheck) {
    if (col < 0) return;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 32;
        f->p = xrealloc(f->p, f->cap * sizeof *f->p);
    }
    f->p[f->n++] = (fold_piece){at, id, col, level, kind, recheck};
}

/* The passport's order: oldest first, by time then id (the later of equal times wins) */
static int piece_cmp(const void *a, const void *b) {
    const fold_piece *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Sorts an agent's pieces in the passport's order: by insertion when they are few (most
 * agents have a handful; glibc's qsort would allocate), else qsort. */
static void sort_pieces(fold_piece *p, size_t n) {
    if (n > 32) {
        qsort(p, n, sizeof *p, piece_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        fold_piece x = p[i];
        size_t j = i;
        for (; j > 0 && piece_cmp(&p[j - 1], &x) > 0; j--) p[j] = p[j - 1];
        p[j] = x;
    }
}

static uint16_t day16(int64_t at) {
    int64_t d = level_day(at);
    return d < 0 ? 0 : d > 65535 ? 65535 : (uint16_t)d;
}

/* Folds the gathered pieces into f->row (the row's level bytes, one per column) and f->rec
 * (its record of dates): for each competency, the pieces recorded on it and on the mapped
 * ones, in the passport view's order, through level_compute (the passport's own rule,
 * re-checks included). Returns the record's length (0: no level); empties f. */
static size_t folder_fold(const talent_index *ix, folder *f) {
    memset(f->row, 0, ix->ncomp);
    if (!f->n) return 0;
    sort_pieces(f->p, f->n);
    /* each piece goes to its column and the mapped ones, in order: count, place, fill */
    size_t total = 0;
    for (size_t i = 0; i < f->n; i++)
        for (size_t k = ix->rel_start[f->p[i].col]; k < ix->rel_start[f->p[i].col + 1]; k++) {
            f->touched[ix->rel[k]] = 1;
            f->at_col[ix->rel[k]]++;
            total++;
        }
    if (total > f->lev_cap) {
        f->lev_cap = total * 2;
        f->lev = xrealloc(f->lev, f->lev_cap * sizeof *f->lev);
    }
    size_t start = 0;
    for (size_t c = 0; c < ix->ncomp; c++) {
        if (!f->touched[c]) continue;
        size_t count = f->at_col[c];
        f->at_col[c] = (uint32_t)start; /* from here on: where column c's next piece goes */
        start += count;
    }
    for (size_t i = 0; i < f->n; i++)
        for (size_t k = ix->rel_start[f->p[i].col]; k < ix->rel_start[f->p[i].col + 1]; k++)
            f->lev[f->at_col[ix->rel[k]]++] = (level_evidence){f->p[i].kind, f->p[i].level, f->p[i].at, f->p[i].recheck};
    size_t bw = ix->bitmap_words, nrec = 2 * bw, ndec = 0, from = 0;
    memset(f->rec, 0, 2 * bw * sizeof *f->rec);
    for (size_t c = 0; c < ix->ncomp; c++) {
        if (!f->touched[c]) continue;
        f->touched[c] = 0;
        size_t end = f->at_col[c];
        f->at_col[c] = 0;
        level_result r;
        level_compute(f->lev + from, end - from, 0, &r);
        from = end;
        int ver = r.verified < 0 ? 0 : r.verified > 15 ? 15 : r.verified;
        int dec = r.declared < 0 ? 0 : r.declared > 15 ? 15 : r.declared;
        f->row[c] = (uint8_t)(ver | dec << 4);
        if (ver) {
            f->rec[c / 16] |= (uint16_t)(1u << (c % 16));
            f->rec[nrec++] = day16(r.verified_at);
        }
        if (dec) {
            f->rec[bw + c / 16] |= (uint16_t)(1u << (c % 16));
            f->dec_days[ndec++] = day16(r.declared_at);
        }
    }
    memcpy(f->rec + nrec, f->dec_days, ndec * sizeof *f->dec_days);
    nrec += ndec;
    f->n = 0;
    return nrec > 2 * bw ? nrec : 0;
}

/* Sets row u's levels to lv[0..ncomp) and its record of dates to rec[0..nrec). */
static void row_apply(talent_index *ix, size_t u, const uint8_t *lv, const uint16_t *rec, size_t nrec) {
    for (size_t c = 0; c < ix->ncomp; c++) ix->lv[c][u] = lv[c];
    put_dates(ix, u, rec, nrec);
}

/* Writes row u's levels and their days from the gathered pieces (folder_fold); empties f. */
static void folder_flush(talent_index *ix, folder *f, size_t u) {
    if (!f->n) return;
    size_t nrec = folder_fold(ix, f);
    if (!ix->pool_shared) {
        row_apply(ix, u, f->row, f->rec, nrec);
        return;
    }
    /* two threads fold the first part (fold_shown): each writes its own rows' level bytes,
     * the pool of dates is shared */
    for (size_t c = 0; c < ix->ncomp; c++) ix->lv[c][u] = f->row[c];
    pthread_mutex_lock(&ix->pool_mu);
    put_dates(ix, u, f->rec, nrec);
    pthread_mutex_unlock(&ix->pool_mu);
}

#define EVIDENCE_SELECT                                                                           \
    "SELECT e.user_id, e.competency_id, e.level, e.kind, e.created_at, e.id,"                           \
    " substr(e.source_ref, 1, 8) = 'recheck:'"
#define EVIDENCE_COLUMNS EVIDENCE_SELECT " FROM evidence e"

/* The agents a search can show (opted in, active): the first build folds their levels
 * first; the others' are folded afterwards, in steps (fill_step). */
#define SHOWN_AGENT "u.visibility <> 'hidden' AND u.disabled_at IS NULL AND (u.roles & 1) <> 0"

/* Adds the evidence row of st (EVIDENCE_COLUMNS) to f. */
static void folder_add_row(talent_index *ix, folder *f, store_query *st, long long *comp_id, int *col) {
    long long cid = store_col_int64(st, 1);
    if (cid != *comp_id) {
        *comp_id = cid;
        *col = talent_comp_col(ix, cid);
    }
    folder_add(f, *col, store_col_int(st, 2), evidence_kind_parse(store_col_text(st, 3)),
               store_col_int64(st, 4), store_col_int64(st, 5), store_col_int(st, 6) != 0);
}

static uint8_t vis_code(const char *v) {
    talent_visibility t = TALENT_HIDDEN;
    talent_visibility_parse(v, &t);
    return (uint8_t)t;
}

static bool load_catalog(talent_index *ix, perr *err) {
    store_query *st = store_stmt(ix->db,
                                  "SELECT c.id, c.code, c.area, f.code FROM competencies c"
                                  " JOIN frameworks f ON f.id = c.framework_id ORDER BY c.id",
                                  err);
    if (!st) return false;
    size_t cap = 0;
    while (store_step(st) == STORE_ROW && ix->ncomp < TALENT_MAX_COMPS) {
        if (ix->ncomp == cap) {
            cap = cap ? cap * 2 : 64;
            ix->comps = xrealloc(ix->comps, cap * sizeof *ix->comps);
        }
        talent_comp_info *ci = &ix->comps[ix->ncomp++];
        ci->id = store_col_int64(st, 0);
        ci->code = xstrdup(store_col_text(st, 1));
        ci->area = store_col_int(st, 2);
        ci->fw = xstrdup(store_col_text(st, 3));
    }
    store_done(st);
    size_t nc = ix->ncomp;
    ix->lv = xcalloc(nc ? nc : 1, sizeof *ix->lv);
    ix->bitmap_words = (nc + 15) / 16;
    /* the mapping as adjacency: each column relates to itself and its mapped columns */
    size_t npairs = 0, pcap = 64;
    int *pairs = xmalloc(pcap * 2 * sizeof *pairs);
    st = store_stmt(ix->db, "SELECT from_id, to_id FROM competency_map", err);
    if (!st) {
        free(pairs);
        return false;
    }
    while (store_step(st) == STORE_ROW) {
        int a = talent_comp_col(ix, store_col_int64(st, 0)), b = talent_comp_col(ix, store_col_int64(st, 1));
        if (a < 0 || b < 0 || a == b) continue;
        if (npairs + 2 > pcap) {
            pcap *= 2;
            pairs = xrealloc(pairs, pcap * 2 * sizeof *pairs);
        }
        pairs[2 * npairs] = a;
        pairs[2 * npairs + 1] = b;
        npairs++;
        pairs[2 * npairs] = b;
        pairs[2 * npairs + 1] = a;
        npairs++;
    }
    store_done(st);
    ix->rel_start = xcalloc(nc + 1, sizeof *ix->rel_start);
    for (size_t c = 0; c < nc; c++) ix->rel_start[c + 1] = 1;
    for (size_t p = 0; p < npairs; p++) ix->rel_start[pairs[2 * p] + 1]++;
    for (size_t c = 0; c < nc; c++) ix->rel_start[c + 1] += ix->rel_start[c];
    ix->rel = xmalloc((ix->rel_start[nc] + 1) * sizeof *ix->rel);
    size_t *fill = xcalloc(nc + 1, sizeof *fill);
    for (size_t c = 0; c < nc; c++) ix->rel[ix->rel_start[c] + fill[c]++] = (int)c;
    for (size_t p = 0; p < npairs; p++) {
        int a = pairs[2 * p], b = pairs[2 * p + 1];
        bool dup = false;
        for (size_t k = ix->rel_start[a]; k < ix->rel_start[a] + fill[a]; k++) dup |= ix->rel[k] == b;
        if (!dup) ix->rel[ix->rel_start[a] + fill[a]++] = b;
    }
    /* compact away duplicate slots */
    size_t w = 0;
    size_t *start = xcalloc(nc + 1, sizeof *start);
    for (size_t c = 0; c < nc; c++) {
        start[c] = w;
        for (size_t k = 0; k < fill[c]; k++) ix->rel[w++] = ix->rel[ix->rel_start[c] + k];
    }
    start[nc] = w;
    free(ix->rel_start);
    ix->rel_start = start;
    free(fill);
    free(pairs);
    /* units */
    st = store_stmt(ix->db, "SELECT id, coalesce(parent_id, 0), name FROM units ORDER BY id", err);
    if (!st) return false;
    size_t ucap = 0;
    while (store_step(st) == STORE_ROW) {
        if (ix->nunits == ucap) {
            ucap = ucap ? ucap * 2 : 64;
            ix->units = xrealloc(ix->units, ucap * sizeof *ix->units);
        }
        talent_unit_info *ui = &ix->units[ix->nunits++];
        ui->id = store_col_int64(st, 0);
        ui->parent = store_col_int64(st, 1);
        ui->name = xstrdup(store_col_text(st, 2));
    }
    store_done(st);
    for (size_t i = 0; i < ix->nunits; i++)
        ix->units[i].parent_pos = ix->units[i].parent ? talent_unit_pos(ix, ix->units[i].parent) : -1;
    return true;
}

static void set_row(talent_index *ix, size_t u, store_query *st) {
    /* columns: id, unit_id, visibility, available, alive */
    ix->ids[u] = store_col_int64(st, 0);
    long long unit = store_col_int64(st, 1);
    ix->upos[u] = unit ? talent_unit_pos(ix, unit) : -1;
    ix->vis[u] = vis_code(store_col_text(st, 2));
    ix->avail[u] = (uint8_t)(store_col_int(st, 3) != 0);
    ix->alive[u] = (uint8_t)(store_col_int(st, 4) != 0);
}

#define USER_COLUMNS                                                                  \
    "SELECT u.id, coalesce(u.unit_id, 0), u.visibility, coalesce(p.available, 0),"   \
    " u.disabled_at IS NULL AND (u.roles & 1) <> 0 FROM users u"                     \
    " LEFT JOIN profiles p ON p.user_id = u.id"

/* Gives back the room the pool of dates grew by (by halves) beyond its words. */
static void fit_dates(talent_index *ix) {
    if (ix->dates_cap > ix->ndates + 1024) {
        ix->dates = xrealloc(ix->dates, (ix->ndates ? ix->ndates : 1) * sizeof *ix->dates);
        ix->dates_cap = ix->ndates ? ix->ndates : 1;
    }
}

/* Rows folded by a fill step, held until they are written under the write lock. */
typedef struct staged_rows {
    size_t n, cap, nrec, rec_cap;
    size_t *row;
    uint8_t *lv;       /* [n][ncomp] */
    size_t *rec_at;    /* [n + 1]: row i's record is rec[rec_at[i]..rec_at[i + 1]) */
    uint16_t *rec;
} staged_rows;

static void stage_row(const talent_index *ix, staged_rows *sr, size_t u, const folder *f, size_t nrec) {
    if (sr->n == sr->cap) {
        sr->cap = sr->cap ? sr->cap * 2 : 256;
        sr->row = xrealloc(sr->row, sr->cap * sizeof *sr->row);
        sr->lv = xrealloc(sr->lv, sr->cap * (ix->ncomp ? ix->ncomp : 1));
        sr->rec_at = xrealloc(sr->rec_at, (sr->cap + 1) * sizeof *sr->rec_at);
    }
    if (sr->nrec + nrec > sr->rec_cap) {
        sr->rec_cap = (sr->nrec + nrec) * 2;
        sr->rec = xrealloc(sr->rec, sr->rec_cap * sizeof *sr->rec);
    }
    sr->row[sr->n] = u;
    memcpy(sr->lv + sr->n * ix->ncomp, f->row, ix->ncomp);
    sr->rec_at[sr->n] = sr->nrec;
    if (nrec) memcpy(sr->rec + sr->nrec, f->rec, nrec * sizeof *sr->rec);
    sr->nrec += nrec;
    sr->n++;
    sr->rec_at[sr->n] = sr->nrec;
}

static void staged_free(staged_rows *sr) {
    free(sr->row);
    free(sr->lv);
    free(sr->rec_at);
    free(sr->rec);
}

/* Folds the evidence rows of st (EVIDENCE_COLUMNS, by agent), one agent at a time as the
 * passport view folds them: into their rows directly, or (sr not NULL) into sr. False with
 * err set on a store error or a stop. */
static bool fold_agents(talent_index *ix, store_query *st, staged_rows *sr, perr *err) {
    folder f;
    folder_init(&f, ix->ncomp);
    long row = -1;
    long long uid = 0, comp_id = 0;
    int col = -1;
    unsigned long steps = 0;
    bool ok = true;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if ((++steps & 0xffff) == 0 && ix->stop) {
            ok = perr_set(err, "talent.stopped");
            break;
        }
        long long id = store_col_int64(st, 0);
        if (row < 0 || id != uid) {
            if (row >= 0 && sr) stage_row(ix, sr, (size_t)row, &f, folder_fold(ix, &f));
            else if (row >= 0) folder_flush(ix, &f, (size_t)row);
            f.n = 0;
            uid = id;
            row = talent_row_of(ix, id);
        }
        if (row >= 0) folder_add_row(ix, &f, st, &comp_id, &col);
    }
    if (ok && rc != STORE_DONE) ok = perr_set(err, "database error: %s", store_errmsg(ix->db));
    if (ok && row >= 0 && sr) stage_row(ix, sr, (size_t)row, &f, folder_fold(ix, &f));
    else if (ok && row >= 0) folder_flush(ix, &f, (size_t)row);
    store_done(st);
    folder_free(&f);
    return ok;
}

/* The evidence of the agents a search can show with ids in (lo, hi], by agent (SQLite: the
 * users' table as the outer loop, the evidence by its user index). */
static store_query *shown_evidence(talent_index *ix, long long lo, long long hi, perr *err) {
    store_query *st = store_stmt2(ix->db,
                                   EVIDENCE_SELECT " FROM users u CROSS JOIN evidence e WHERE e.user_id = u.id"
                                                   " AND u.id > ?1 AND u.id <= ?2 AND " SHOWN_AGENT " ORDER BY u.id",
                                   EVIDENCE_COLUMNS " JOIN users u ON u.id = e.user_id WHERE e.user_id > ?1"
                                                    " AND e.user_id <= ?2 AND " SHOWN_AGENT " ORDER BY e.user_id",
                                   err);
    if (st) {
        store_bind_int64(st, 1, lo);
        store_bind_int64(st, 2, hi);
    }
    return st;
}

/* From this many rows on, the first part's levels are folded by two threads (the upper
 * half of the ids in a thread of its own, with its own store connection): on two cores,
 * the first search comes about a third sooner. */
#define FIRST_PART_SPLIT_ROWS 1024

typedef struct shown_half {
    talent_index *ix;
    long long lo, hi;
    perr err;
    bool ok;
    uint64_t cpu_us;
} shown_half;

static void *shown_half_main(void *arg) {
    shown_half *h = arg;
    uint64_t cpu0 = thread_cpu_us();
    store_query *st = shown_evidence(h->ix, h->lo, h->hi, &h->err);
    h->ok = st && fold_agents(h->ix, st, NULL, &h->err);
    store_thread_close(h->ix->db);
    h->cpu_us = thread_cpu_us() - cpu0;
    return NULL;
}

/* Folds the levels of the agents a search can show (the rows are read): the lower half of
 * the ids here, the upper half in a second thread when there are many. */
static bool fold_shown(talent_index *ix, perr *err) {
    if (!ix->n) return true;
    long long first = ix->ids[0] - 1, last = ix->ids[ix->n - 1];
    shown_half h = {.ix = ix, .lo = ix->ids[ix->n / 2], .hi = last};
    pthread_t t;
    bool two = ix->n >= FIRST_PART_SPLIT_ROWS;
    if (two) {
        ix->pool_shared = true;
        two = pthread_create(&t, NULL, shown_half_main, &h) == 0;
        ix->pool_shared = two;
    }
    store_query *st = shown_evidence(ix, first, two ? h.lo : last, err);
    bool ok = st && fold_agents(ix, st, NULL, err);
    if (two) {
        pthread_join(t, NULL);
        ix->pool_shared = false;
        ix->build_helper_cpu_us = h.cpu_us;
        if (ok && !h.ok) ok = perr_set(err, "%s", h.err.msg);
    }
    return ok;
}

/* Builds the index anew: every agent's row, and the levels of every agent, or (shown_only)
 * of the agents a search can show only (the others' by fill_step afterwards). */
static bool build_all(talent_index *ix, bool shown_only, perr *err) {
    uint64_t cpu0 = thread_cpu_us();
    ix->build_helper_cpu_us = 0;
    clear_data(ix);
    if (!load_catalog(ix, err)) goto fail;
    /* the columns sized once: no copy, no slack */
    store_query *st = store_stmt(ix->db, "SELECT count(*) FROM users", err);
    if (!st) goto fail;
    if (store_step(st) == STORE_ROW && store_col_int64(st, 0) > 0)
        grow_rows(ix, (size_t)store_col_int64(st, 0));
    store_done(st);
    /* the rows' levels and records start empty: cleared column by column, not row by row */
    for (size_t c = 0; ix->cap && c < ix->ncomp; c++) memset(ix->lv[c], 0, ix->cap);
    if (ix->cap) {
        memset(ix->dated_at, 0, ix->cap * sizeof *ix->dated_at);
        memset(ix->dated_len, 0, ix->cap * sizeof *ix->dated_len);
    }
    /* the rows, then who is available: two passes in key order, not a profile looked up per
     * account (the same columns as USER_COLUMNS, which a patch reads) */
    st = store_stmt(ix->db,
                    "SELECT u.id, coalesce(u.unit_id, 0), u.visibility, 0,"
                    " u.disabled_at IS NULL AND (u.roles & 1) <> 0 FROM users u ORDER BY u.id",
                    err);
    if (!st) goto fail;
    while (store_step(st) == STORE_ROW) set_row(ix, ix->n < ix->cap ? ix->n++ : new_row(ix), st);
    store_done(st);
    st = store_stmt(ix->db, "SELECT user_id FROM profiles WHERE available <> 0 ORDER BY user_id", err);
    if (!st) goto fail;
    while (store_step(st) == STORE_ROW) {
        long u = talent_row_of(ix, store_col_int64(st, 0));
        if (u >= 0) ix->avail[u] = 1;
    }
    store_done(st);
    ix->build_rows_cpu_us = thread_cpu_us() - cpu0;
    if (shown_only) {
        if (!fold_shown(ix, err)) goto fail;
    } else {
        st = store_stmt(ix->db, EVIDENCE_COLUMNS " ORDER BY e.user_id", err);
        if (!st || !fold_agents(ix, st, NULL, err)) goto fail;
    }
    ix->build_levels_cpu_us = thread_cpu_us() - cpu0 - ix->build_rows_cpu_us;
    fit_dates(ix);
    ix->built = true;
    ix->complete = !shown_only || !ix->n;
    ix->filled_upto = 0;
    return true;
fail:
    clear_data(ix);
    return false;
}

/* Agent ids a fill step covers: about 0.5 ms of folding per 100 ids here (the write lock
 * is held only to copy the step's rows in). */
#define FILL_STEP_IDS 4096

/* Folds the levels of the agents a search cannot show with ids in (filled_upto,
 * filled_upto + FILL_STEP_IDS], read from the store now (a row patched since the build is
 * read again, as new or newer), and writes them under the write lock; the index is
 * complete once the step passed its last row. The caller holds refresh_mu. */
static bool fill_step(talent_index *ix, perr *err) {
    long long lo = ix->filled_upto, hi = lo + FILL_STEP_IDS;
    store_query *st = store_stmt(ix->db,
                                  EVIDENCE_COLUMNS " JOIN users u ON u.id = e.user_id"
                                                   " WHERE e.user_id > ? AND e.user_id <= ? AND NOT (" SHOWN_AGENT ")"
                                                   " ORDER BY e.user_id",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, lo);
    store_bind_int64(st, 2, hi);
    staged_rows sr = {0};
    bool ok = fold_agents(ix, st, &sr, err);
    if (ok) {
        pthread_rwlock_wrlock(&ix->rw);
        for (size_t i = 0; i < sr.n; i++)
            row_apply(ix, sr.row[i], sr.lv + i * ix->ncomp, sr.rec + sr.rec_at[i], sr.rec_at[i + 1] - sr.rec_at[i]);
        ix->filled_upto = hi;
        if (!ix->n || hi >= ix->ids[ix->n - 1]) {
            ix->complete = true;
            fit_dates(ix);
        }
        pthread_rwlock_unlock(&ix->rw);
    }
    staged_free(&sr);
    return ok;
}

bool talent_index_complete(talent_index *ix, perr *err) {
    if (!talent_index_refresh(ix, err)) return false;
    for (;;) {
        pthread_mutex_lock(&ix->refresh_mu);
        bool done = !ix->built || ix->complete, ok = done || fill_step(ix, err);
        pthread_mutex_unlock(&ix->refresh_mu);
        if (!ok) return false;
        if (done) return true;
    }
}

/* Reloads one user's row; false when the index must be rebuilt instead (a new id below
 * the highest one). */
static bool patch_user(talent_index *ix, long long id, perr *err, bool *rebuild) {
    store_query *st = store_stmt(ix->db, USER_COLUMNS " WHERE u.id = ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    long u = talent_row_of(ix, id);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        if (u >= 0) {
            ix->alive[u] = 0;
            ix->vis[u] = 0;
            clear_row(ix, (size_t)u);
        }
        return true;
    }
    if (u < 0) {
        if (ix->n && id < ix->ids[ix->n - 1]) {
            store_done(st);
            *rebuild = true;
            return true;
        }
        u = (long)new_row(ix);
    }
    set_row(ix, (size_t)u, st);
    store_done(st);
    clear_row(ix, (size_t)u);
    st = store_stmt(ix->db, EVIDENCE_COLUMNS " WHERE e.user_id = ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    folder f;
    folder_init(&f, ix->ncomp);
    long long comp_id = 0;
    int col = -1;
    while (store_step(st) == STORE_ROW) folder_add_row(ix, &f, st, &comp_id, &col);
    store_done(st);
    folder_flush(ix, &f, (size_t)u);
    folder_free(&f);
    return true;
}

bool talent_index_refresh(talent_index *ix, perr *err) {
    bool ok = false;
    atomic_fetch_add(&ix->refresh_waiting, 1);
    pthread_mutex_lock(&ix->refresh_mu);
    atomic_fetch_sub(&ix->refresh_waiting, 1);
    store_query *st = store_stmt(ix->db, "SELECT coalesce((SELECT max(seq) FROM talent_changes), 0),"
                                                   " coalesce((SELECT min(seq) FROM talent_changes), 0)", err);
    if (!st) goto done;
    long long max = 0, min = 0;
    if (store_step(st) == STORE_ROW) {
        max = store_col_int64(st, 0);
        min = store_col_int64(st, 1);
    }
    store_done(st);
    if (ix->built && max == ix->seq) {
        ok = true;
        goto done;
    }
    bool rebuild = !ix->built || min > ix->seq + 1 || max < ix->seq;
    long long *users = NULL;
    size_t nusers = 0, cap = 0;
    if (!rebuild) {
        st = store_stmt(ix->db, "SELECT DISTINCT user_id FROM talent_changes WHERE seq > ? AND seq <= ?", err);
        if (!st) goto done;
        store_bind_int64(st, 1, ix->seq);
        store_bind_int64(st, 2, max);
        while (store_step(st) == STORE_ROW) {
            long long id = store_col_int64(st, 0);
            if (id == 0 || nusers > 20000) rebuild = true;
            if (nusers == cap) {
                cap = cap ? cap * 2 : 64;
                users = xrealloc(users, cap * sizeof *users);
            }
            users[nusers++] = id;
        }
        store_done(st);
    }
    /* reads run inside one read transaction so that the data and max agree */
    pthread_rwlock_wrlock(&ix->rw);
    if (rebuild) {
        ok = build_all(ix, !ix->built, err); /* the first build: the agents a search shows first */
    } else {
        ok = true;
        for (size_t i = 0; ok && i < nusers && !rebuild; i++) ok = patch_user(ix, users[i], err, &rebuild);
        if (ok && rebuild) ok = build_all(ix, false, err);
    }
    if (ok) ix->seq = max;
    ix->version++; /* rows changed (or were cleared by a failed build) */
    pthread_rwlock_unlock(&ix->rw);
    free(users);
    if (rebuild) give_back_memory();
done:
    pthread_mutex_unlock(&ix->refresh_mu);
    return ok;
}

size_t talent_index_bytes(talent_index *ix) {
    pthread_rwlock_rdlock(&ix->rw);
    size_t per_row = sizeof *ix->ids + sizeof *ix->upos + 3 + sizeof *ix->dated_at + sizeof *ix->dated_len + ix->ncomp;
    size_t n = ix->cap * per_row + ix->dates_cap * sizeof *ix->dates +
               ix->ncomp * (sizeof *ix->comps + sizeof *ix->lv) + ix->nunits * sizeof *ix->units;
    pthread_rwlock_unlock(&ix->rw);
    return n;
}

size_t talent_index_size(talent_index *ix) {
    size_t n = 0;
    pthread_rwlock_rdlock(&ix->rw);
    for (size_t u = 0; u < ix->n; u++) n += ix->alive[u];
    pthread_rwlock_unlock(&ix->rw);
    return n;
}
