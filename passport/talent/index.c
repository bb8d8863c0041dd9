/* The in-memory talent index (see index.h): columns of small integers per competency,
 * rebuilt or patched from the store's talent_changes log; searched by search.c. */
#include "talent/index_data.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

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

talent_index *talent_index_new(store *s) {
    talent_index *ix = xcalloc(1, sizeof *ix);
    ix->db = s;
    pthread_mutex_init(&ix->refresh_mu, NULL);
    pthread_rwlock_init(&ix->rw, NULL);
    return ix;
}

static void clear_data(talent_index *ix) {
    for (size_t c = 0; c < ix->ncomp; c++) {
        free(ix->comps[c].code);
        free(ix->comps[c].fw);
        if (ix->ver) {
            free(ix->ver[c]);
            free(ix->dec[c]);
            free(ix->ver_day[c]);
            free(ix->dec_day[c]);
        }
    }
    free(ix->comps);
    free(ix->ver);
    free(ix->dec);
    free(ix->ver_day);
    free(ix->dec_day);
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
    ix->ver = ix->dec = NULL;
    ix->ver_day = ix->dec_day = NULL;
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
    clear_data(ix);
    pthread_rwlock_destroy(&ix->rw);
    pthread_mutex_destroy(&ix->refresh_mu);
    free(ix);
}

/* ---- building --------------------------------------------------------------------- */

static void grow_rows(talent_index *ix, size_t need) {
    if (need <= ix->cap) return;
    size_t cap = ix->cap ? ix->cap : 1024;
    while (cap < need) cap *= 2;
    ix->ids = xrealloc(ix->ids, cap * sizeof *ix->ids);
    ix->upos = xrealloc(ix->upos, cap * sizeof *ix->upos);
    ix->vis = xrealloc(ix->vis, cap);
    ix->avail = xrealloc(ix->avail, cap);
    ix->alive = xrealloc(ix->alive, cap);
    for (size_t c = 0; c < ix->ncomp; c++) {
        ix->ver[c] = xrealloc(ix->ver[c], cap);
        ix->dec[c] = xrealloc(ix->dec[c], cap);
        ix->ver_day[c] = xrealloc(ix->ver_day[c], cap * sizeof(uint16_t));
        ix->dec_day[c] = xrealloc(ix->dec_day[c], cap * sizeof(uint16_t));
    }
    ix->cap = cap;
}

static void clear_row(talent_index *ix, size_t u) {
    for (size_t c = 0; c < ix->ncomp; c++) {
        ix->ver[c][u] = ix->dec[c][u] = 0;
        ix->ver_day[c][u] = ix->dec_day[c][u] = 0;
    }
}

/* Applies one piece of evidence to row u: on its competency and the mapped ones. */
static void apply_evidence(talent_index *ix, size_t u, int col, int level, bool declared, int64_t at) {
    if (col < 0 || level < 1 || level > 8) return;
    int64_t d = at / TALENT_DAY;
    uint16_t day = d < 0 ? 0 : d > 65535 ? 65535 : (uint16_t)d;
    for (size_t k = ix->rel_start[col]; k < ix->rel_start[col + 1]; k++) {
        int r = ix->rel[k];
        if (!declared) {
            if (level > ix->ver[r][u]) {
                ix->ver[r][u] = (uint8_t)level;
                ix->ver_day[r][u] = day;
            } else if (level == ix->ver[r][u] && day > ix->ver_day[r][u]) {
                ix->ver_day[r][u] = day;
            }
        } else if (day >= ix->dec_day[r][u]) {
            ix->dec[r][u] = (uint8_t)level;
            ix->dec_day[r][u] = day;
        }
    }
}

static uint8_t vis_code(const char *v) {
    talent_visibility t = TALENT_HIDDEN;
    talent_visibility_parse(v, &t);
    return (uint8_t)t;
}

static bool load_catalog(talent_index *ix, perr *err) {
    sqlite3_stmt *st = store_stmt(ix->db,
                                  "SELECT c.id, c.code, c.area, f.code FROM competencies c"
                                  " JOIN frameworks f ON f.id = c.framework_id ORDER BY c.id",
                                  err);
    if (!st) return false;
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (ix->ncomp == cap) {
            cap = cap ? cap * 2 : 64;
            ix->comps = xrealloc(ix->comps, cap * sizeof *ix->comps);
        }
        talent_comp_info *ci = &ix->comps[ix->ncomp++];
        ci->id = sqlite3_column_int64(st, 0);
        ci->code = xstrdup(store_col_text(st, 1));
        ci->area = sqlite3_column_int(st, 2);
        ci->fw = xstrdup(store_col_text(st, 3));
    }
    store_done(st);
    size_t nc = ix->ncomp;
    ix->ver = xcalloc(nc ? nc : 1, sizeof *ix->ver);
    ix->dec = xcalloc(nc ? nc : 1, sizeof *ix->dec);
    ix->ver_day = xcalloc(nc ? nc : 1, sizeof *ix->ver_day);
    ix->dec_day = xcalloc(nc ? nc : 1, sizeof *ix->dec_day);
    /* the mapping as adjacency: each column relates to itself and its mapped columns */
    size_t npairs = 0, pcap = 64;
    int *pairs = xmalloc(pcap * 2 * sizeof *pairs);
    st = store_stmt(ix->db, "SELECT from_id, to_id FROM competency_map", err);
    if (!st) {
        free(pairs);
        return false;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int a = talent_comp_col(ix, sqlite3_column_int64(st, 0)), b = talent_comp_col(ix, sqlite3_column_int64(st, 1));
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
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (ix->nunits == ucap) {
            ucap = ucap ? ucap * 2 : 64;
            ix->units = xrealloc(ix->units, ucap * sizeof *ix->units);
        }
        talent_unit_info *ui = &ix->units[ix->nunits++];
        ui->id = sqlite3_column_int64(st, 0);
        ui->parent = sqlite3_column_int64(st, 1);
        ui->name = xstrdup(store_col_text(st, 2));
    }
    store_done(st);
    for (size_t i = 0; i < ix->nunits; i++)
        ix->units[i].parent_pos = ix->units[i].parent ? talent_unit_pos(ix, ix->units[i].parent) : -1;
    return true;
}

static void set_row(talent_index *ix, size_t u, sqlite3_stmt *st) {
    /* columns: id, unit_id, visibility, available, alive */
    ix->ids[u] = sqlite3_column_int64(st, 0);
    long long unit = sqlite3_column_int64(st, 1);
    ix->upos[u] = unit ? talent_unit_pos(ix, unit) : -1;
    ix->vis[u] = vis_code(store_col_text(st, 2));
    ix->avail[u] = (uint8_t)(sqlite3_column_int(st, 3) != 0);
    ix->alive[u] = (uint8_t)(sqlite3_column_int(st, 4) != 0);
}

#define USER_COLUMNS                                                                  \
    "SELECT u.id, coalesce(u.unit_id, 0), u.visibility, coalesce(p.available, 0),"   \
    " u.disabled_at IS NULL AND (u.roles & 1) <> 0 FROM users u"                     \
    " LEFT JOIN profiles p ON p.user_id = u.id"

static bool build_all(talent_index *ix, perr *err) {
    clear_data(ix);
    if (!load_catalog(ix, err)) goto fail;
    sqlite3_stmt *st = store_stmt(ix->db, USER_COLUMNS " ORDER BY u.id", err);
    if (!st) goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        grow_rows(ix, ix->n + 1);
        clear_row(ix, ix->n);
        set_row(ix, ix->n, st);
        ix->n++;
    }
    store_done(st);
    st = store_stmt(ix->db, "SELECT user_id, competency_id, level, kind = 'declared', created_at FROM evidence", err);
    if (!st) goto fail;
    long cached_user = -1;
    long long cached_id = 0;
    long long cached_comp = 0;
    int cached_col = -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long uid = sqlite3_column_int64(st, 0), cid = sqlite3_column_int64(st, 1);
        if (cached_user < 0 || uid != cached_id) {
            cached_id = uid;
            cached_user = talent_row_of(ix, uid);
        }
        if (cached_user < 0) continue;
        if (cid != cached_comp) {
            cached_comp = cid;
            cached_col = talent_comp_col(ix, cid);
        }
        apply_evidence(ix, (size_t)cached_user, cached_col, sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
                       sqlite3_column_int64(st, 4));
    }
    store_done(st);
    ix->built = true;
    return true;
fail:
    clear_data(ix);
    return false;
}

/* Reloads one user's row; false when the index must be rebuilt instead (a new id below
 * the highest one). */
static bool patch_user(talent_index *ix, long long id, perr *err, bool *rebuild) {
    sqlite3_stmt *st = store_stmt(ix->db, USER_COLUMNS " WHERE u.id = ?", err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, id);
    long u = talent_row_of(ix, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
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
        grow_rows(ix, ix->n + 1);
        u = (long)ix->n++;
    }
    set_row(ix, (size_t)u, st);
    store_done(st);
    clear_row(ix, (size_t)u);
    st = store_stmt(ix->db,
                    "SELECT competency_id, level, kind = 'declared', created_at FROM evidence"
                    " WHERE user_id = ? ORDER BY id",
                    err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW)
        apply_evidence(ix, (size_t)u, talent_comp_col(ix, sqlite3_column_int64(st, 0)), sqlite3_column_int(st, 1),
                       sqlite3_column_int(st, 2), sqlite3_column_int64(st, 3));
    store_done(st);
    return true;
}

bool talent_index_refresh(talent_index *ix, perr *err) {
    bool ok = false;
    pthread_mutex_lock(&ix->refresh_mu);
    sqlite3_stmt *st = store_stmt(ix->db, "SELECT coalesce((SELECT max(seq) FROM talent_changes), 0),"
                                                   " coalesce((SELECT min(seq) FROM talent_changes), 0)", err);
    if (!st) goto done;
    long long max = 0, min = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        max = sqlite3_column_int64(st, 0);
        min = sqlite3_column_int64(st, 1);
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
        sqlite3_bind_int64(st, 1, ix->seq);
        sqlite3_bind_int64(st, 2, max);
        while (sqlite3_step(st) == SQLITE_ROW) {
            long long id = sqlite3_column_int64(st, 0);
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
        ok = build_all(ix, err);
    } else {
        ok = true;
        for (size_t i = 0; ok && i < nusers && !rebuild; i++) ok = patch_user(ix, users[i], err, &rebuild);
        if (ok && rebuild) ok = build_all(ix, err);
    }
    if (ok) ix->seq = max;
    pthread_rwlock_unlock(&ix->rw);
    free(users);
done:
    pthread_mutex_unlock(&ix->refresh_mu);
    return ok;
}

size_t talent_index_size(talent_index *ix) {
    size_t n = 0;
    pthread_rwlock_rdlock(&ix->rw);
    for (size_t u = 0; u < ix->n; u++) n += ix->alive[u];
    pthread_rwlock_unlock(&ix->rw);
    return n;
}
