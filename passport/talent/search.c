/* SPDX-License-Identifier: EUPL-1.2 */
/* Queries over the talent index (see index.h): needs, searches with explained scores,
 * one agent's levels, and the heatmap. */
#include "talent/index_data.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/utf8.h"
#include "skills/level.h"
#include "talent/score.h"

/* ---- queries ---------------------------------------------------------------------- */

bool talent_query_add_need(talent_index *ix, talent_query *q, const char *code, int min_level, int weight,
                           perr *err) {
    if (q->nneeds >= TALENT_MAX_NEEDS) return perr_set(err, "talent.too_many_needs");
    if (!code || !*code || strlen(code) >= sizeof q->needs[0].code) return perr_set(err, "talent.unknown_competency");
    /* the catalogue changes rarely: refresh only when the index was never built or the
     * code is unknown to it (the search itself refreshes before scanning) */
    pthread_rwlock_rdlock(&ix->rw);
    int col = ix->built ? talent_comp_by_code(ix, code) : -1;
    pthread_rwlock_unlock(&ix->rw);
    if (col < 0) {
        if (!talent_index_refresh(ix, err)) return false;
        pthread_rwlock_rdlock(&ix->rw);
        col = talent_comp_by_code(ix, code);
        pthread_rwlock_unlock(&ix->rw);
    }
    if (col < 0) return perr_set(err, "talent.unknown_competency");
    if (min_level < 1 || min_level > 8) return perr_set(err, "talent.bad_level");
    if (weight < 1 || weight > TALENT_WEIGHT_MAX) return perr_set(err, "talent.bad_weight");
    for (size_t i = 0; i < q->nneeds; i++)
        if (!strcmp(q->needs[i].code, code)) return perr_set(err, "talent.duplicate_need");
    talent_need *n = &q->needs[q->nneeds++];
    snprintf(n->code, sizeof n->code, "%s", code);
    n->min_level = min_level;
    n->weight = weight;
    return true;
}

/* Parses a strictly decimal integer in [lo, hi]; false otherwise. */
static bool parse_int(const char *s, size_t len, int lo, int hi, int *out) {
    if (!len || len > 9) return false;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
}

bool talent_query_add_needs(talent_index *ix, talent_query *q, const char *spec, perr *err) {
    const char *p = spec;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[96];
        if (len >= sizeof item) return perr_set(err, "talent.unknown_competency");
        memcpy(item, p, len);
        item[len] = '\0';
        char *c1 = strchr(item, ':');
        if (!c1) return perr_set(err, "talent.bad_level");
        *c1++ = '\0';
        char *c2 = strchr(c1, ':');
        int level = 0, weight = 1;
        if (c2) *c2++ = '\0';
        if (!parse_int(c1, strlen(c1), 0, 99, &level)) return perr_set(err, "talent.bad_level");
        if (c2 && !parse_int(c2, strlen(c2), 0, 99, &weight)) return perr_set(err, "talent.bad_weight");
        if (!talent_query_add_need(ix, q, item, level, weight, err)) return false;
        p = end ? end + 1 : NULL;
    }
    return true;
}

/* The level a need sees for row u: verified, or declared when allowed and higher; only
 * evidence dated on or after cutoff (a day number). *declared tells which. */
static int need_level(const talent_index *ix, int col, size_t u, bool allow_declared, int cutoff, bool *declared) {
    int ver = talent_ver(ix, (size_t)col, u), dec = allow_declared ? talent_dec(ix, (size_t)col, u) : 0;
    *declared = false;
    if (cutoff > 0 && (ver || dec)) {
        int ver_day, dec_day;
        talent_days(ix, (size_t)col, u, &ver_day, &dec_day);
        if (ver_day < cutoff) ver = 0;
        if (dec_day < cutoff) dec = 0;
    }
    if (dec > ver) {
        *declared = true;
        return dec;
    }
    return ver;
}

typedef struct hit {
    int score;
    size_t row;
} hit;

/* a ranks before b: higher score, then lower id */
static bool hit_before(const talent_index *ix, hit a, hit b) {
    if (a.score != b.score) return a.score > b.score;
    return ix->ids[a.row] < ix->ids[b.row];
}

/* A bounded heap keeping the k best hits; its root is the worst kept. */
typedef struct hit_heap {
    hit *h;
    size_t n, k;
} hit_heap;

static void heap_push(const talent_index *ix, hit_heap *hp, hit x) {
    if (hp->k == 0) return;
    if (hp->n == hp->k) {
        if (!hit_before(ix, x, hp->h[0])) return;
        size_t i = 0;
        hp->h[0] = x;
        for (;;) { /* sift down: the worst goes to the root */
            size_t l = 2 * i + 1, r = l + 1, w = i;
            if (l < hp->n && hit_before(ix, hp->h[w], hp->h[l])) w = l;
            if (r < hp->n && hit_before(ix, hp->h[w], hp->h[r])) w = r;
            if (w == i) break;
            hit t = hp->h[i];
            hp->h[i] = hp->h[w];
            hp->h[w] = t;
            i = w;
        }
        return;
    }
    size_t i = hp->n++;
    hp->h[i] = x;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!hit_before(ix, hp->h[p], hp->h[i])) break;
        hit t = hp->h[i];
        hp->h[i] = hp->h[p];
        hp->h[p] = t;
        i = p;
    }
}

/* A bottom-up merge sort (qsort has no context argument for the tie-break on ids). */
static void sort_hits(const talent_index *ix, hit *h, size_t n) {
    if (n < 2) return;
    hit *tmp = xmalloc(n * sizeof *tmp);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = hit_before(ix, h[j], h[i]) ? h[j++] : h[i++];
            while (i < mid) tmp[k++] = h[i++];
            while (j < hi) tmp[k++] = h[j++];
        }
        memcpy(h, tmp, n * sizeof *h);
    }
    free(tmp);
}

/* Marks in cand (one byte per row) the rows whose text matches q's words; false on a
 * database error. A text without words matches everyone (*used stays false). */
static bool text_candidates(talent_index *ix, const char *text, uint8_t *cand, bool *used, perr *err) {
    buf folded = BUF_INIT, expr = BUF_INIT;
    utf8_fold(&folded, text, strlen(text));
    const char *s = buf_cstr(&folded);
    size_t words = 0;
    for (size_t i = 0; s[i];) {
        while (s[i] && !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || (unsigned char)s[i] >= 0x80))
            i++;
        size_t start = i;
        while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || (unsigned char)s[i] >= 0x80) i++;
        if (i > start && words < 16) {
            if (words++) buf_putc(&expr, ' ');
            buf_putc(&expr, '"');
            buf_append(&expr, s + start, i - start);
            buf_puts(&expr, "\"*");
        }
    }
    buf_free(&folded);
    if (!words) {
        buf_free(&expr);
        return true;
    }
    *used = true;
    store_query *st = store_stmt2(ix->db, "SELECT rowid FROM talent_text WHERE talent_text MATCH ?1",
                                   /* the query read once, then the GIN index (store/schema_learn.c) */
                                   "WITH x AS MATERIALIZED (SELECT passport_tsquery(?1) AS q)"
                                   " SELECT t.rowid FROM x, talent_text t WHERE t.doc @@ x.q ORDER BY t.rowid",
                                   err);
    if (!st) {
        buf_free(&expr);
        return false;
    }
    store_bind_text(st, 1, expr.data);
    size_t at = 0; /* rowids come in ascending order: walk forward, search if not */
    while (store_step(st) == STORE_ROW) {
        long long id = store_col_int64(st, 0);
        while (at < ix->n && ix->ids[at] < id) at++;
        if (at < ix->n && ix->ids[at] == id) {
            cand[at] = 1;
        } else if (at == ix->n || ix->ids[at] > id) {
            long r = talent_row_of(ix, id);
            if (r >= 0) cand[r] = 1;
            at = r >= 0 ? (size_t)r : at;
        }
    }
    store_done(st);
    buf_free(&expr);
    return true;
}

static bool table_exists(store *s, const char *name) {
    store_query *st = store_stmt2(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  "SELECT 1 WHERE to_regclass(CAST(? AS text)) IS NOT NULL", NULL);
    if (!st) return false;
    store_bind_text(st, 1, name);
    bool ok = store_step(st) == STORE_ROW;
    store_done(st);
    return ok;
}

/* Marks in cand the holders of a non-revoked credential of the achievement slug. Without
 * the badges tables nobody holds anything. */
static bool badge_candidates(talent_index *ix, const char *slug, uint8_t *cand, perr *err) {
    if (!table_exists(ix->db, "credentials") || !table_exists(ix->db, "achievements")) return true;
    store_query *st = store_stmt(ix->db,
                                  "SELECT c.user_id FROM credentials c JOIN achievements a ON a.id = c.achievement_id"
                                  " WHERE a.slug = ? AND c.revoked_at IS NULL",
                                  err);
    if (!st) return false;
    store_bind_text(st, 1, slug);
    while (store_step(st) == STORE_ROW) {
        long r = talent_row_of(ix, store_col_int64(st, 0));
        if (r >= 0) cand[r] = 1;
    }
    store_done(st);
    return true;
}

/* Units in the subtree of root (a position): one byte per unit. */
static uint8_t *subtree_mask(const talent_index *ix, long long root_id) {
    uint8_t *m = xcalloc(ix->nunits ? ix->nunits : 1, 1);
    int root = talent_unit_pos(ix, root_id);
    if (root < 0) return m;
    for (size_t i = 0; i < ix->nunits; i++) {
        int p = (int)i;
        for (int depth = 0; p >= 0 && depth < 64; depth++) {
            if (p == root) {
                m[i] = 1;
                break;
            }
            p = ix->units[p].parent_pos;
        }
    }
    return m;
}

static json_t *count_json(long n) {
    return n >= TALENT_SMALL_COUNT ? json_integer(n) : json_string("< 5");
}

static char *user_name(store *s, long long id) {
    store_query *st = store_stmt(s, "SELECT display_name FROM users WHERE id = ?", NULL);
    if (!st) return xstrdup("");
    store_bind_int64(st, 1, id);
    char *name = xstrdup(store_step(st) == STORE_ROW ? store_col_text(st, 0) : "");
    store_done(st);
    return name;
}

/* The needs explanation of row u: [{code, level, required, weight, points, kind}]; writes
 * the sum of points to *score and whether every minimum is met to *meets. */
static json_t *explain_row(const talent_index *ix, const int *cols, const talent_query *q, int cutoff, size_t u,
                           int *score, bool *meets) {
    json_t *arr = json_array();
    *score = 0;
    *meets = true;
    for (size_t i = 0; i < q->nneeds; i++) {
        bool declared;
        int lv = need_level(ix, cols[i], u, q->declared, cutoff, &declared);
        int pts = talent_need_points(lv, q->needs[i].min_level, q->needs[i].weight);
        *score += pts;
        if (lv < q->needs[i].min_level) *meets = false;
        json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:i, s:i, s:s}", "code", q->needs[i].code, "level", lv,
                                             "required", q->needs[i].min_level, "weight", q->needs[i].weight,
                                             "points", pts, "kind",
                                             lv == 0 ? "none" : declared ? "declared" : "verified"));
    }
    return arr;
}

/* Resolves the needs' columns; false ("talent.unknown_competency") if one is unknown. */
static bool resolve_cols(const talent_index *ix, const talent_query *q, int *cols, perr *err) {
    for (size_t i = 0; i < q->nneeds; i++) {
        cols[i] = talent_comp_by_code(ix, q->needs[i].code);
        if (cols[i] < 0) return perr_set(err, "talent.unknown_competency");
    }
    return true;
}

/* The first fresh day: a level dated on it or after is fresh, as level_is_stale says. */
static int cutoff_day(const talent_query *q) {
    if (q->fresh_months <= 0) return 0;
    return (int)level_day(level_stale_before(clock_now(), q->fresh_months));
}

/* Counts the hidden agents in the viewer's scope (NULL: everywhere) per unit position
 * into hidden (nunits + 1 slots, the last for "no unit") and returns their total. The
 * counts depend on nothing but the scope: no filter, need or word of a query reaches
 * them, so that they answer no question about one person (docs/privacy.md). */
static long count_hidden(const talent_index *ix, const uint8_t *scope, long *hidden) {
    long total = 0;
    for (size_t u = 0; u < ix->n; u++) {
        if (!ix->alive[u] || ix->vis[u] != TALENT_HIDDEN) continue;
        int up = ix->upos[u];
        if (scope && (up < 0 || !scope[up])) continue;
        hidden[up < 0 ? ix->nunits : (size_t)up]++;
        total++;
    }
    return total;
}

/* The "hidden" array of counts (nunits + 1 slots): one {unit_id, unit, count} per unit
 * with hidden agents, "< 5" below TALENT_SMALL_COUNT. New reference. */
static json_t *hidden_json(const talent_index *ix, const long *hidden) {
    json_t *hid = json_array();
    for (size_t p = 0; p <= ix->nunits; p++) {
        if (!hidden[p]) continue;
        json_array_append_new(hid, json_pack("{s:I, s:s, s:o}", "unit_id", (json_int_t)(p < ix->nunits ? ix->units[p].id : 0),
                                             "unit", p < ix->nunits ? ix->units[p].name : "", "count",
                                             count_json(hidden[p])));
    }
    return hid;
}

static json_t *hidden_total_json(long total) {
    return total ? count_json(total) : json_integer(0);
}

/* Makes k's text: `"hidden":[...],"hidden_total":...` as json_dumps writes them in an
 * object (compact, ASCII). */
static void kept_text(const talent_index *ix, talent_hidden_kept *k) {
    json_t *tail = json_object();
    json_object_set_new(tail, "hidden", hidden_json(ix, k->counts));
    json_object_set_new(tail, "hidden_total", hidden_total_json(k->total));
    char *s = json_dumps(tail, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(tail);
    size_t len = s ? strlen(s) : 0;
    if (len >= 2) { /* without the object's braces */
        k->text_len = len - 2;
        k->text = xmalloc(len - 1);
        memcpy(k->text, s + 1, len - 2);
        k->text[len - 2] = '\0';
    }
    free(s);
}

/* The kept hidden counts of viewer's reach at the index's version (index_data.h), counted
 * (a pass over every agent) when no kept entry matches, with their text when want_text.
 * Called under the read lock (the version cannot move) with hidden_mu held. */
static talent_hidden_kept *kept_hidden(talent_index *ix, const talent_viewer *viewer, bool want_text) {
    long long scope_unit = viewer->hr ? 0 : viewer->scope_unit;
    talent_hidden_kept *k = NULL;
    for (size_t i = 0; i < TALENT_HIDDEN_KEPT && !k; i++) {
        talent_hidden_kept *e = &ix->hidden_kept[i];
        if (e->used && e->version == ix->version && e->hr == viewer->hr && e->scope_unit == scope_unit &&
            e->slots == ix->nunits + 1)
            k = e;
    }
    if (!k) { /* a free slot, else the least recently used */
        k = &ix->hidden_kept[0];
        for (size_t i = 1; i < TALENT_HIDDEN_KEPT && k->used; i++) {
            talent_hidden_kept *e = &ix->hidden_kept[i];
            if (!e->used || e->last_use < k->last_use) k = e;
        }
        free(k->counts);
        free(k->text);
        *k = (talent_hidden_kept){.used = true, .hr = viewer->hr, .scope_unit = scope_unit, .version = ix->version,
                                  .slots = ix->nunits + 1};
        k->counts = xcalloc(k->slots, sizeof *k->counts);
        uint8_t *scope = viewer->hr ? NULL : subtree_mask(ix, scope_unit);
        k->total = count_hidden(ix, scope, k->counts);
        free(scope);
    }
    k->last_use = ++ix->hidden_clock;
    if (want_text && !k->text) kept_text(ix, k);
    return k;
}

static json_t *search_run(talent_index *ix, const talent_viewer *viewer, const talent_query *q, buf *tail,
                          perr *err) {
    if (!talent_index_refresh(ix, err)) return NULL;
    json_t *out = NULL;
    uint8_t *cand = NULL, *scope = NULL, *unit_mask = NULL;
    hit_heap hp = {0};
    int page = q->page < 1 ? 1 : q->page > TALENT_MAX_PAGE ? TALENT_MAX_PAGE : q->page;
    int per = q->per_page < 1 ? 20 : q->per_page > TALENT_MAX_PER_PAGE ? TALENT_MAX_PER_PAGE : q->per_page;
    pthread_rwlock_rdlock(&ix->rw);
    int cols[TALENT_MAX_NEEDS];
    if (!resolve_cols(ix, q, cols, err)) goto done;
    int cutoff = cutoff_day(q);
    bool use_cand = false;
    if ((q->text && *q->text) || (q->badge && *q->badge)) {
        cand = xcalloc(ix->n ? ix->n : 1, 1);
        if (q->text && *q->text && !text_candidates(ix, q->text, cand, &use_cand, err)) goto done;
        if (q->badge && *q->badge) {
            uint8_t *b = xcalloc(ix->n ? ix->n : 1, 1);
            bool ok = badge_candidates(ix, q->badge, b, err);
            if (use_cand)
                for (size_t u = 0; u < ix->n; u++) cand[u] &= b[u];
            else
                memcpy(cand, b, ix->n);
            use_cand = true;
            free(b);
            if (!ok) goto done;
        }
    }
    if (!viewer->hr) scope = subtree_mask(ix, viewer->scope_unit);
    if (q->unit_id > 0) unit_mask = subtree_mask(ix, q->unit_id);
    hp.k = (size_t)page * (size_t)per;
    hp.h = xmalloc(hp.k * sizeof *hp.h);
    long total = 0;
    /* per need: its columns and the points of each level 0..8 (hoisted out of the scan) */
    size_t nn = q->nneeds;
    const uint8_t *L[TALENT_MAX_NEEDS];
    int mins[TALENT_MAX_NEEDS], pts[TALENT_MAX_NEEDS][16];
    for (size_t i = 0; i < nn; i++) {
        L[i] = ix->lv[cols[i]];
        mins[i] = q->require_levels ? q->needs[i].min_level : 0;
        for (int l = 0; l < 16; l++) pts[i][l] = talent_need_points(l, q->needs[i].min_level, q->needs[i].weight);
    }
    bool simple = !q->declared && cutoff == 0; /* the level is the verified nibble as is */
    /* Blocks of rows: a byte mask of live rows whose verified (or, with declared, declared)
     * level meets every minimum, computed column by column in loops the compiler
     * vectorises; then only the rows left are visited (and their freshness checked). */
    enum { BLOCK = 4096, WORDS = BLOCK / 8 };
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL, nibs = 0x0f0f0f0f0f0f0f0fULL;
    uint64_t mask[WORDS];
    for (size_t base = 0; base < ix->n; base += BLOCK) {
    size_t len = ix->n - base < BLOCK ? ix->n - base : BLOCK;
    size_t words = (len + 7) / 8;
    /* SWAR: one bit 0x80 per byte; a level is a nibble, so (v | 0x80) - m never borrows
     * across bytes and keeps 0x80 exactly where v >= m */
    for (size_t w = 0; w < words; w++) {
        uint64_t a = 0;
        memcpy(&a, ix->alive + base + w * 8, len - w * 8 < 8 ? len - w * 8 : 8);
        mask[w] = (a << 7) & highs;
    }
    for (size_t i = 0; i < nn; i++) {
        if (!mins[i]) continue;
        const uint8_t *v = L[i] + base;
        const uint64_t m = (uint64_t)mins[i] * ones;
        for (size_t w = 0; w < words; w++) {
            if (!mask[w]) continue;
            uint64_t x = 0;
            memcpy(&x, v + w * 8, len - w * 8 < 8 ? len - w * 8 : 8);
            uint64_t ok = (((x & nibs) | highs) - m) & highs;
            if (q->declared) ok |= ((((x >> 4) & nibs) | highs) - m) & highs;
            mask[w] &= ok;
        }
    }
    for (size_t w = 0; w < words; w++)
    for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
        size_t u = base + w * 8 + (size_t)__builtin_ctzll(bits) / 8;
        int lv[TALENT_MAX_NEEDS];
        size_t i = 0;
        if (simple) {
            for (; i < nn; i++)
                if ((lv[i] = L[i][u] & 15) < mins[i]) break;
        } else {
            for (; i < nn; i++) {
                bool declared;
                if ((lv[i] = need_level(ix, cols[i], u, q->declared, cutoff, &declared)) < mins[i]) break;
            }
        }
        if (i < nn) continue;
        int up = ix->upos[u];
        if (scope && (up < 0 || !scope[up])) continue;
        if (unit_mask && (up < 0 || !unit_mask[up])) continue;
        if (q->available_only && !ix->avail[u]) continue;
        if (use_cand && !cand[u]) continue;
        if (q->only_user > 0 && ix->ids[u] != q->only_user) continue;
        if (ix->vis[u] == TALENT_HIDDEN) continue; /* counted below, whatever the query */
        int score = 0;
        for (i = 0; i < nn; i++) score += pts[i][lv[i]];
        total++;
        heap_push(ix, &hp, (hit){score, u});
    }
    }
    sort_hits(ix, hp.h, hp.n);
    out = json_object();
    json_t *results = json_array();
    for (size_t i = (size_t)(page - 1) * (size_t)per; i < hp.n; i++) {
        size_t u = hp.h[i].row;
        int score;
        bool meets;
        json_t *needs = explain_row(ix, cols, q, cutoff, u, &score, &meets);
        char *name = user_name(ix->db, ix->ids[u]);
        int up = ix->upos[u];
        json_array_append_new(results,
                              json_pack("{s:I, s:s, s:s, s:I, s:b, s:s, s:i, s:b, s:o}", "user_id", (json_int_t)ix->ids[u],
                                        "name", name, "unit", up >= 0 ? ix->units[up].name : "", "unit_id",
                                        (json_int_t)(up >= 0 ? ix->units[up].id : 0), "available", ix->avail[u] != 0,
                                        "visibility", talent_visibility_name((talent_visibility)ix->vis[u]), "score",
                                        score, "meets", meets, "needs", needs));
        free(name);
    }
    json_object_set_new(out, "total", json_integer(total));
    json_object_set_new(out, "page", json_integer(page));
    json_object_set_new(out, "per_page", json_integer(per));
    json_object_set_new(out, "pages", json_integer((total + per - 1) / per));
    json_object_set_new(out, "results", results);
    /* the hidden part: the viewer's reach alone decides it, never q */
    pthread_mutex_lock(&ix->hidden_mu);
    talent_hidden_kept *k = kept_hidden(ix, viewer, tail && !q->no_hidden_units);
    if (q->no_hidden_units) {
        json_object_set_new(out, "hidden_total", hidden_total_json(k->total));
    } else if (tail && k->text) {
        buf_append(tail, k->text, k->text_len);
    } else {
        json_object_set_new(out, "hidden", hidden_json(ix, k->counts));
        json_object_set_new(out, "hidden_total", hidden_total_json(k->total));
    }
    pthread_mutex_unlock(&ix->hidden_mu);
done:
    pthread_rwlock_unlock(&ix->rw);
    free(cand);
    free(scope);
    free(unit_mask);
    free(hp.h);
    return out;
}

json_t *talent_search(talent_index *ix, const talent_viewer *viewer, const talent_query *q, perr *err) {
    return search_run(ix, viewer, q, NULL, err);
}

bool talent_search_dump(talent_index *ix, const talent_viewer *viewer, const talent_query *q, buf *out, perr *err) {
    buf tail = BUF_INIT;
    json_t *r = search_run(ix, viewer, q, &tail, err);
    if (!r) {
        buf_free(&tail);
        return false;
    }
    char *s = json_dumps(r, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(r);
    size_t len = s ? strlen(s) : 0;
    bool ok = len >= 2 && s[len - 1] == '}';
    if (ok) {
        buf_reserve(out, len + tail.len + 1); /* one allocation for the 177 KB at a million */
        buf_append(out, s, len - 1); /* the object open after its last member */
        if (tail.len) {
            buf_putc(out, ',');
            buf_append(out, tail.data, tail.len);
        }
        buf_putc(out, '}');
    }
    free(s);
    buf_free(&tail);
    return ok || perr_set(err, "talent.internal");
}

json_t *talent_explain(talent_index *ix, long long user_id, const talent_query *q, perr *err) {
    if (!talent_index_complete(ix, err)) return NULL;
    json_t *out = NULL;
    pthread_rwlock_rdlock(&ix->rw);
    int cols[TALENT_MAX_NEEDS];
    long u = talent_row_of(ix, user_id);
    if (u >= 0 && resolve_cols(ix, q, cols, err)) {
        int score;
        bool meets;
        json_t *needs = explain_row(ix, cols, q, cutoff_day(q), (size_t)u, &score, &meets);
        out = json_pack("{s:i, s:b, s:o}", "score", score, "meets", meets, "needs", needs);
    }
    pthread_rwlock_unlock(&ix->rw);
    return out;
}

json_t *talent_levels(talent_index *ix, long long user_id, perr *err) {
    if (!talent_index_complete(ix, err)) return NULL;
    json_t *out = NULL;
    pthread_rwlock_rdlock(&ix->rw);
    long u = talent_row_of(ix, user_id);
    if (u >= 0) {
        out = json_array();
        for (size_t c = 0; c < ix->ncomp; c++) {
            int ver = talent_ver(ix, c, (size_t)u), dec = talent_dec(ix, c, (size_t)u);
            if (!ver && !dec) continue;
            char date[11] = "";
            int ver_day, dec_day;
            talent_days(ix, c, (size_t)u, &ver_day, &dec_day);
            if (ver) clock_date((int64_t)ver_day * TALENT_DAY, date);
            json_array_append_new(out, json_pack("{s:s, s:s, s:i, s:i, s:s}", "code", ix->comps[c].code, "framework",
                                                 ix->comps[c].fw, "level", ver, "declared", dec, "date", date));
        }
    }
    pthread_rwlock_unlock(&ix->rw);
    return out;
}

json_t *talent_heatmap(talent_index *ix, const char *fw, perr *err) {
    if (!talent_index_complete(ix, err)) return NULL;
    enum { AREAS = 5 };
    pthread_rwlock_rdlock(&ix->rw);
    size_t nu = ix->nunits;
    long *head = xcalloc(nu + 1, sizeof *head);
    double *sum = xcalloc((nu + 1) * AREAS, sizeof *sum);
    int ncol[AREAS] = {0};
    size_t cols[64], ncols = 0; /* fw's columns with an area */
    for (size_t c = 0; c < ix->ncomp; c++)
        if (!strcmp(ix->comps[c].fw, fw) && ix->comps[c].area >= 1 && ix->comps[c].area <= AREAS && ncols < 64) {
            ncol[ix->comps[c].area - 1]++;
            cols[ncols++] = c;
        }
    for (size_t u = 0; u < ix->n; u++) {
        if (!ix->alive[u] || ix->upos[u] < 0) continue;
        size_t up = (size_t)ix->upos[u];
        head[up]++;
        int s[AREAS] = {0};
        for (size_t k = 0; k < ncols; k++) s[ix->comps[cols[k]].area - 1] += talent_ver(ix, cols[k], u);
        for (int a = 0; a < AREAS; a++)
            if (ncol[a]) sum[up * AREAS + (size_t)a] += (double)s[a] / ncol[a];
    }
    json_t *rows = json_array();
    for (size_t p = 0; p < nu; p++) {
        if (!head[p]) continue;
        bool small = head[p] < TALENT_SMALL_COUNT;
        json_t *cells = json_array();
        for (int a = 0; a < AREAS; a++) {
            double avg = sum[p * AREAS + (size_t)a] / (double)head[p];
            json_t *cell = json_pack("{s:i, s:b}", "area", a + 1, "suppressed", small);
            json_object_set_new(cell, "average", small ? json_null() : json_real((double)(long)(avg * 10 + 0.5) / 10));
            json_object_set_new(cell, "level", json_integer(small ? 0 : (long)(avg + 0.5)));
            json_array_append_new(cells, cell);
        }
        json_array_append_new(rows, json_pack("{s:I, s:s, s:o, s:b, s:o}", "unit_id", (json_int_t)ix->units[p].id,
                                              "unit", ix->units[p].name, "headcount", count_json(head[p]),
                                              "suppressed", small, "cells", cells));
    }
    pthread_rwlock_unlock(&ix->rw);
    free(head);
    free(sum);
    json_t *areas = json_array();
    for (int a = 1; a <= AREAS; a++) json_array_append_new(areas, json_integer(a));
    return json_pack("{s:o, s:o}", "areas", areas, "rows", rows);
}

