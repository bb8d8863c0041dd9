/* SPDX-License-Identifier: EUPL-1.2 */
/* Catalog sync into the store and full-text search (FTS5 on SQLite, a tsvector on
 * PostgreSQL: store/schema_learn.c): a light French stemmer applied to the indexed words
 * and to the query's, title matches ranked first. */
#include "learn/catalog.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"

static bool course_upsert(store *s, const learn_course *c, size_t pos, int64_t now, perr *err) {
    store_query *st = store_stmt(s,
                                  "INSERT INTO courses (slug, title, lang, summary, version_hash, position, updated_at)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (slug) DO UPDATE SET"
                                  " title = ?2, lang = ?3, summary = ?4, position = ?6, archived_at = NULL,"
                                  " updated_at = CASE WHEN courses.version_hash = ?5 THEN courses.updated_at ELSE ?7 END,"
                                  " version_hash = ?5",
                                  err);
    if (!st) return false;
    store_bind_text(st, 1, c->slug);
    store_bind_text(st, 2, c->title);
    store_bind_text(st, 3, c->lang);
    store_bind_text(st, 4, c->summary);
    store_bind_text(st, 5, c->hash);
    store_bind_int64(st, 6, (int64_t)pos);
    store_bind_int64(st, 7, now);
    bool ok = store_step(st) == STORE_DONE;
    if (!ok) perr_set(err, "course %s: %s", c->slug, store_errmsg(s));
    store_done(st);
    return ok;
}

/* Looks up a stored module: its rowid, whether it is up to date with m, whether the
 * search index holds it (a migration may have emptied the index). */
static bool module_state(store *s, const learn_module *m, long long *rid, bool *current, bool *indexed, perr *err) {
    store_query *st = store_stmt(s,
                                  "SELECT rid, version_hash = ?2 AND archived_at IS NULL AND course_slug = ?3"
                                  " AND position = ?4, EXISTS (SELECT 1 FROM module_search WHERE rowid = rid)"
                                  " FROM modules WHERE id = ?1",
                                  err);
    if (!st) return false;
    store_bind_text(st, 1, m->id);
    store_bind_text(st, 2, m->hash);
    store_bind_text(st, 3, m->course->slug);
    store_bind_int64(st, 4, (int64_t)m->position);
    *rid = 0;
    *current = *indexed = false;
    if (store_step(st) == STORE_ROW) {
        *rid = store_col_int64(st, 0);
        *current = store_col_int(st, 1) != 0;
        *indexed = store_col_int(st, 2) != 0;
    }
    store_done(st);
    return true;
}

static bool step_done(store *s, store_query *st, const char *what, perr *err) {
    bool ok = store_step(st) == STORE_DONE;
    if (!ok) perr_set(err, "%s: %s", what, store_errmsg(s));
    store_done(st);
    return ok;
}

/* Writes m's search entry under rowid rid, its words stemmed as queries are. */
static bool module_index(store *s, const learn_module *m, long long rid, perr *err) {
    store_query *st = store_stmt(s, "INSERT INTO module_search (rowid, module_id, title, body) VALUES (?1, ?2, ?3, ?4)", err);
    if (!st) return false;
    buf title = BUF_INIT, body = BUF_INIT;
    catalog_stem(m->title, 0, &title);
    catalog_stem(m->lesson_text, CATALOG_BODY_REPEATS, &body);
    store_bind_int64(st, 1, rid);
    store_bind_text(st, 2, m->id);
    store_bind_text(st, 3, buf_cstr(&title));
    store_bind_text(st, 4, buf_cstr(&body));
    bool ok = step_done(s, st, "search index", err);
    buf_free(&title);
    buf_free(&body);
    return ok;
}

/* A module whose search entry is written once every other table is synced. */
typedef struct index_todo {
    const learn_module *m;
    long long rid;
    bool drop; /* its previous entry is in the index */
} index_todo;

/* Upserts m into modules and module_competencies; *todo gets its search entry to write
 * (rid 0: the entry is current). */
static bool module_upsert(store *s, const learn_module *m, int64_t now, index_todo *todo, perr *err) {
    long long rid;
    bool current, indexed;
    *todo = (index_todo){m, 0, false};
    if (!module_state(s, m, &rid, &current, &indexed, err)) return false;
    if (current) {
        if (!indexed) todo->rid = rid;
        return true;
    }
    store_query *st = store_stmt(s,
                                  "INSERT INTO modules (id, course_slug, position, title, minutes, lang, pass, version_hash,"
                                  " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO UPDATE SET"
                                  " course_slug = ?2, position = ?3, title = ?4, minutes = ?5, lang = ?6, pass = ?7,"
                                  " version_hash = ?8, updated_at = ?9, archived_at = NULL RETURNING rid",
                                  err);
    if (!st) return false;
    store_bind_text(st, 1, m->id);
    store_bind_text(st, 2, m->course->slug);
    store_bind_int64(st, 3, (int64_t)m->position);
    store_bind_text(st, 4, m->title);
    store_bind_int(st, 5, m->minutes);
    store_bind_text(st, 6, m->lang);
    store_bind_double(st, 7, m->pass);
    store_bind_text(st, 8, m->hash);
    store_bind_int64(st, 9, now);
    if (store_step(st) != STORE_ROW) {
        perr_set(err, "module %s: %s", m->id, store_errmsg(s));
        store_done(st);
        return false;
    }
    rid = store_col_int64(st, 0);
    store_done(st);
    if (!(st = store_stmt(s, "DELETE FROM module_competencies WHERE module_id = ?1", err))) return false;
    store_bind_text(st, 1, m->id);
    if (!step_done(s, st, "module competencies", err)) return false;
    for (size_t i = 0; i < m->ncomps; i++) {
        st = store_stmt(s, "INSERT INTO module_competencies (module_id, code, level) VALUES (?1, ?2, ?3)", err);
        if (!st) return false;
        store_bind_text(st, 1, m->id);
        store_bind_text(st, 2, m->comps[i].code);
        store_bind_int(st, 3, m->comps[i].level);
        if (!step_done(s, st, "module competency", err)) return false;
    }
    *todo = (index_todo){m, rid, indexed};
    return true;
}

/* Writes the n search entries of todo: the stale ones removed first, then the new ones
 * inserted one after the other. On SQLite, a write statement that may abort halfway (an
 * upsert, a table with triggers) opens a statement savepoint, at which FTS5 writes its
 * pending words to disk as a segment of their own: entries written between such
 * statements made one small segment per module, then merges (a sixth of a cold start's
 * instructions with 500 modules). Written in a row, they make a few large segments. */
static bool index_entries(store *s, const index_todo *todo, size_t n, perr *err) {
    for (size_t i = 0; i < n; i++) {
        if (!todo[i].drop) continue;
        store_query *st = store_stmt(s, "DELETE FROM module_search WHERE rowid = ?1", err);
        if (!st) return false;
        store_bind_int64(st, 1, todo[i].rid);
        if (!step_done(s, st, "search index", err)) return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!module_index(s, todo[i].m, todo[i].rid, err)) return false;
    return true;
}

/* Archives every live module and course that lib does not hold. */
static bool archive_missing(store *s, const learn_library *lib, int64_t now, perr *err) {
    store_query *st = store_stmt(s, "SELECT id, rid FROM modules WHERE archived_at IS NULL", err);
    if (!st) return false;
    json_t *gone = json_array();
    while (store_step(st) == STORE_ROW)
        if (!library_module(lib, store_col_text(st, 0)))
            json_array_append_new(gone, json_pack("[s, I]", store_col_text(st, 0), (json_int_t)store_col_int64(st, 1)));
    store_done(st);
    size_t i;
    json_t *g;
    bool ok = true;
    json_array_foreach(gone, i, g) {
        if (!(st = store_stmt(s, "UPDATE modules SET archived_at = ?2 WHERE id = ?1", err))) { ok = false; break; }
        store_bind_text(st, 1, json_string_value(json_array_get(g, 0)));
        store_bind_int64(st, 2, now);
        if (!(ok = step_done(s, st, "archive module", err))) break;
        if (!(st = store_stmt(s, "DELETE FROM module_search WHERE rowid = ?1", err))) { ok = false; break; }
        store_bind_int64(st, 1, json_integer_value(json_array_get(g, 1)));
        if (!(ok = step_done(s, st, "search index", err))) break;
    }
    json_decref(gone);
    if (!ok) return false;
    if (!(st = store_stmt(s, "SELECT slug FROM courses WHERE archived_at IS NULL", err))) return false;
    json_t *cgone = json_array();
    while (store_step(st) == STORE_ROW)
        if (!library_course(lib, store_col_text(st, 0))) json_array_append_new(cgone, json_string(store_col_text(st, 0)));
    store_done(st);
    json_array_foreach(cgone, i, g) {
        if (!(st = store_stmt(s, "UPDATE courses SET archived_at = ?2 WHERE slug = ?1", err))) { ok = false; break; }
        store_bind_text(st, 1, json_string_value(g));
        store_bind_int64(st, 2, now);
        if (!(ok = step_done(s, st, "archive course", err))) break;
    }
    json_decref(cgone);
    return ok;
}

bool catalog_sync(store *s, const learn_library *lib, perr *err) {
    int64_t now = clock_now();
    size_t total = 0, n = 0;
    for (size_t i = 0; i < lib->ncourses; i++) total += lib->courses[i]->nmodules;
    index_todo *todo = xcalloc(total ? total : 1, sizeof *todo);
    if (!store_begin(s, err)) goto out;
    for (size_t i = 0; i < lib->ncourses; i++) {
        const learn_course *c = lib->courses[i];
        if (!course_upsert(s, c, i, now, err)) goto fail;
        for (size_t j = 0; j < c->nmodules; j++) {
            if (!module_upsert(s, c->modules[j], now, &todo[n], err)) goto fail;
            if (todo[n].rid) n++;
        }
    }
    if (!archive_missing(s, lib, now, err) || !index_entries(s, todo, n, err)) goto fail;
    free(todo);
    return store_commit(s, err);
fail:
    store_rollback(s);
out:
    free(todo);
    return false;
}

/* True for the bytes of a word: ASCII letters and digits, and any byte of a UTF-8
 * sequence (accented letters; the tokenizer folds them). */
static bool word_byte(unsigned char c) {
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool ends_with(const char *w, size_t n, const char *suffix) {
    size_t k = strlen(suffix);
    return n >= k && !memcmp(w + n - k, suffix, k);
}

/* The length of w[0..n) (ASCII lower case) once stemmed: "eaux" -> "eau", "aux" -> "al"
 * (written by the caller), then one final -s or -x dropped, then "ée" -> "é" and "ee" ->
 * "e". Words of three bytes or less are kept whole ("des", "vos"). *al receives true for
 * "aux". */
static size_t stem_len(const char *w, size_t n, bool *al) {
    *al = false;
    if (n <= 3) return n;
    if (n > 4 && ends_with(w, n, "aux") && !ends_with(w, n, "eaux")) {
        *al = true;
        return n - 3;
    }
    if (w[n - 1] == 's' || w[n - 1] == 'x') n--;
    /* "ée" -> "é", and "ee" -> "e" for the word typed without its accent ("donnees"):
     * the index folds "donné" to "donne" (remove_diacritics), which "donnee" would miss */
    if (n > 4 && (ends_with(w, n, "\xc3\xa9" "e") || ends_with(w, n, "ee"))) n--;
    return n;
}

/* Writes the word w[0..n) at o, ASCII lower-cased and stemmed; returns the end. The
 * stemmed word is never longer than the word ("aux" -> "al" shortens it). */
static char *stem_word(const unsigned char *w, size_t n, char *o) {
    for (size_t i = 0; i < n; i++) o[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] | 0x20 : w[i]);
    bool al;
    size_t k = stem_len(o, n, &al);
    o += k;
    if (al) {
        *o++ = 'a';
        *o++ = 'l';
    }
    return o;
}

/* Each byte lower-cased when it belongs to a word (word_byte), 0 when it does not. */
static unsigned char word_lower[256];
static pthread_once_t word_lower_once = PTHREAD_ONCE_INIT;

static void word_lower_init(void) {
    for (int c = 1; c < 256; c++)
        word_lower[c] = word_byte((unsigned char)c) ? (unsigned char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c) : 0;
}

/* Written in place in one reservation, in one pass over the text (a start-up cost: every
 * lesson of the library is stemmed into a fresh store's index): the stemmed text is never
 * longer than the text (a run of separators becomes one space, a word does not grow). */
/* A count of the stems written to a buffer: open addressing over their spans in it. */
typedef struct {
    size_t off, len; /* the stem in the buffer; len 0: a free slot */
    unsigned n;
} stem_count;

typedef struct {
    stem_count *slots;
    size_t size, used; /* size a power of two, at most half used */
} stem_counts;

static uint32_t stem_hash(const char *w, size_t n) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

/* The count of the stem at out[off..off+len), inserted at 0 when new. */
static stem_count *stem_slot(stem_counts *t, const buf *out, size_t off, size_t len) {
    if (2 * (t->used + 1) > t->size) {
        stem_counts g = {xcalloc(t->size ? 2 * t->size : 256, sizeof *g.slots), t->size ? 2 * t->size : 256, t->used};
        for (size_t i = 0; i < t->size; i++) {
            if (!t->slots[i].len) continue;
            size_t j = stem_hash(out->data + t->slots[i].off, t->slots[i].len) & (g.size - 1);
            while (g.slots[j].len) j = (j + 1) & (g.size - 1);
            g.slots[j] = t->slots[i];
        }
        free(t->slots);
        *t = g;
    }
    size_t j = stem_hash(out->data + off, len) & (t->size - 1);
    for (; t->slots[j].len; j = (j + 1) & (t->size - 1))
        if (t->slots[j].len == len && !memcmp(out->data + t->slots[j].off, out->data + off, len)) return &t->slots[j];
    t->slots[j] = (stem_count){off, len, 0};
    t->used++;
    return &t->slots[j];
}

void catalog_stem(const char *text, unsigned max_repeats, buf *out) {
    pthread_once(&word_lower_once, word_lower_init);
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    buf_reserve(out, strlen((const char *)p));
    char *start = out->data + out->len, *o = start;
    stem_counts counts = {NULL, 0, 0};
    for (;;) {
        while (*p && !word_lower[*p]) p++;
        if (!*p) break;
        char *before = o;
        if (o != start) *o++ = ' ';
        char *w = o;
        unsigned char c;
        while ((c = word_lower[*p])) {
            *o++ = (char)c;
            p++;
        }
        bool al;
        o = w + stem_len(w, (size_t)(o - w), &al);
        if (al) {
            *o++ = 'a';
            *o++ = 'l';
        }
        if (max_repeats && ++stem_slot(&counts, out, (size_t)(w - out->data), (size_t)(o - w))->n > max_repeats)
            o = before; /* one time too many: not written */
    }
    free(counts.slots);
    out->len += (size_t)(o - start);
    out->data[out->len] = '\0';
}

bool catalog_fts_query(const char *q, const char *column, buf *out) {
    bool any = false;
    const unsigned char *p = (const unsigned char *)(q ? q : "");
    size_t words = 0;
    while (*p && words < 16) {
        while (*p && !word_byte(*p)) p++;
        const unsigned char *w = p;
        while (*p && word_byte(*p)) p++;
        if (p == w) continue;
        if (any) buf_putc(out, ' ');
        if (column) buf_printf(out, "%s : ", column);
        buf_putc(out, '"');
        size_t n = (size_t)(p - w);
        buf_reserve(out, n);
        out->len = (size_t)(stem_word(w, n, out->data + out->len) - out->data);
        buf_puts(out, "\"*");
        any = true;
        words++;
    }
    return any;
}

json_t *catalog_search(store *s, const char *q, bool ranked, size_t limit, perr *err) {
    buf fq = BUF_INIT, tq = BUF_INIT;
    json_t *ids = json_array();
    if (!catalog_fts_query(q, NULL, &fq)) goto done;
    catalog_fts_query(q, "title", &tq);
    store_query *st = ranked ? store_stmt2(s,
                                   /* the id from modules by rowid: reading module_search's own column
                                    * would load each matching row's whole lesson text */
                                   "SELECT m.id FROM module_search JOIN modules m ON m.rid = module_search.rowid"
                                   " WHERE module_search MATCH ?1 ORDER BY module_search.rowid IN"
                                   " (SELECT rowid FROM module_search WHERE module_search MATCH ?3) DESC,"
                                   " bm25(module_search, 0.0, 10.0, 1.0), m.rid LIMIT ?2",
                                   /* PostgreSQL: the same order and the same bm25 (k1 1.2, b 0.75,
                                    * title 10, lesson 1) over the plain words (module_search_terms:
                                    * store/schema_learn.c); modules found through French stems alone
                                    * score 0. x: the query, w: its words, c: row count and mean
                                    * length, hit: the matches (doc's GIN index, never every lesson's
                                    * tsvector: passport_search_hits) and whether the title holds
                                    * every word (tdoc, small), tf: weighted counts (from the key's index),
                                    * idf per word, score: bm25 of each match, every match kept
                                    * (the order and the join to modules read one row per match:
                                    * no join that the planner's guess of few matches would turn
                                    * into a loop over matches x matches). The title query (?3)
                                    * is SQLite's: tdoc holds the title alone. */
                                   "WITH x AS MATERIALIZED (SELECT passport_tsquery(?1) AS q),"
                                   " w AS MATERIALIZED (SELECT k, t FROM unnest(passport_terms(?1)) WITH ORDINALITY u(t, k)),"
                                   " c AS MATERIALIZED (SELECT count(*)::float8 AS n, coalesce(avg(ntok), 1)::float8 AS avgdl"
                                   "  FROM module_search),"
                                   " hit AS MATERIALIZED (SELECT h.rowid, h.ntok, h.in_title FROM x, passport_search_hits(x.q) h),"
                                   " tf AS MATERIALIZED (SELECT w.k, t.rowid, sum((10 * t.tf_title + t.tf_body)::float8) AS f"
                                   "  FROM w JOIN module_search_terms t ON t.term >= w.t AND t.term < w.t || chr(1114111)"
                                   "  GROUP BY w.k, t.rowid),"
                                   " idf AS MATERIALIZED (SELECT tf.k, greatest(ln((0.5 + c.n - count(*)) / (0.5 + count(*))), 1e-6) AS v"
                                   "  FROM tf, c GROUP BY tf.k, c.n),"
                                   " score AS MATERIALIZED (SELECT h.rowid, h.in_title, coalesce(sum(idf.v * tf.f * 2.2"
                                   "  / (tf.f + 1.2 * (0.25 + 0.75 * h.ntok / c.avgdl))), 0) AS v"
                                   "  FROM c, hit h LEFT JOIN (tf JOIN idf ON idf.k = tf.k) ON tf.rowid = h.rowid"
                                   "  GROUP BY h.rowid, h.in_title)"
                                   " SELECT m.id FROM score b JOIN modules m ON m.rid = b.rowid"
                                   " ORDER BY b.in_title DESC, b.v DESC, m.rid LIMIT ?2",
                                   err)
                             : store_stmt2(s, /* the set alone, in no particular order */
                                           "SELECT m.id FROM module_search JOIN modules m ON m.rid = module_search.rowid"
                                           " WHERE module_search MATCH ?1 LIMIT ?2",
                                           "SELECT m.id FROM passport_search_hits(passport_tsquery(?1)) h"
                                           " JOIN modules m ON m.rid = h.rowid LIMIT ?2",
                                           err);
    if (!st) goto fail;
    store_bind_text(st, 1, fq.data);
    store_bind_int64(st, 2, (int64_t)limit);
    if (ranked) store_bind_text(st, 3, tq.data);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) json_array_append_new(ids, json_string(store_col_text(st, 0)));
    if (rc != STORE_DONE) {
        perr_set(err, "search: %s", store_errmsg(s));
        store_done(st);
        goto fail;
    }
    store_done(st);
done:
    buf_free(&fq);
    buf_free(&tq);
    return ids;
fail:
    buf_free(&fq);
    buf_free(&tq);
    json_decref(ids);
    return NULL;
}

int catalog_module_archived(store *s, const char *id) {
    store_query *st = store_stmt(s, "SELECT archived_at IS NOT NULL FROM modules WHERE id = ?1", NULL);
    if (!st) return -1;
    store_bind_text(st, 1, id);
    int r = store_step(st) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_done(st);
    return r;
}
