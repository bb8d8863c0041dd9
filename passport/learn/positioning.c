/* SPDX-License-Identifier: EUPL-1.2 */
/* Positioning tests and re-checks in the store: the item presented is stored with the
 * test, every answer is checked against it, and the next item is chosen (or the test
 * finished) in the same transaction. */
#include "learn/positioning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"
#include "learn/irt.h"
#include "people/inbox.h"
#include "store/cluster.h"
#include "skills/evidence.h"
#include "skills/level.h"

typedef struct test_row {
    long long id;
    bool recheck;
    char code[32];
    int target;
    uint64_t seed;
    char pending[80]; /* "" when none */
    char lang[4];
} test_row;

/* The items a test draws from: all of the bank (positioning) or one competence's
 * (re-check, as competence 0). map[k] is the bank index of pool item k. */
typedef struct pool {
    irt_item *items;
    size_t *map;
    size_t n, ncomps;
    irt_prior prior;
    irt_stop_rule rule;
} pool;

static bool db_fail(store *s, perr *err) {
    return perr_set(err, "database: %s", store_errmsg(s));
}

int64_t positioning_cooldown(void) {
    const char *v = getenv("PASSPORT_POSITIONING_COOLDOWN_DAYS");
    long d = v && *v ? strtol(v, NULL, 10) : POSITIONING_COOLDOWN_DAYS;
    if (d < 0 || d > 3650) d = POSITIONING_COOLDOWN_DAYS;
    return (int64_t)d * 86400;
}

static void pool_build(pool *p, const posbank *b, const test_row *t) {
    p->items = xcalloc(b->n ? b->n : 1, sizeof *p->items);
    p->map = xcalloc(b->n ? b->n : 1, sizeof *p->map);
    p->n = 0;
    size_t comp = t->recheck ? posbank_comp(b, t->code) : SIZE_MAX;
    for (size_t i = 0; i < b->n; i++) {
        const posbank_item *it = &b->items[i];
        if (t->recheck && it->comp != comp) continue;
        p->items[p->n] = (irt_item){it->a, it->b, t->recheck ? 0 : it->comp};
        p->map[p->n++] = i;
    }
    p->ncomps = t->recheck ? 1 : b->ncodes;
    p->prior = t->recheck ? irt_prior_recheck(t->target) : irt_prior_positioning();
    p->rule = t->recheck ? irt_rule_recheck() : irt_rule_positioning();
}

static void pool_free(pool *p) {
    free(p->items);
    free(p->map);
}

static size_t pool_index(const pool *p, const posbank *b, const char *id) {
    size_t bi = posbank_index(b, id);
    for (size_t k = 0; bi != SIZE_MAX && k < p->n; k++)
        if (p->map[k] == bi) return k;
    return SIZE_MAX;
}

/* The user's running test, if any (*found). */
static bool open_test(store *s, long long uid, test_row *t, bool *found, perr *err) {
    *found = false;
    store_query *st = store_stmt(s,
        "SELECT id, kind = 'recheck', competency, target_level, seed, coalesce(pending_item, ''), pending_lang"
        " FROM positioning_tests WHERE user_id = ? AND finished_at IS NULL", err);
    if (!st) return false;
    store_bind_int64(st, 1, uid);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        *found = true;
        t->id = store_col_int64(st, 0);
        t->recheck = store_col_int(st, 1);
        snprintf(t->code, sizeof t->code, "%s", store_col_text(st, 2));
        t->target = store_col_int(st, 3);
        t->seed = (uint64_t)store_col_int64(st, 4);
        snprintf(t->pending, sizeof t->pending, "%s", store_col_text(st, 5));
        snprintf(t->lang, sizeof t->lang, "%s", store_col_text(st, 6));
    }
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE || db_fail(s, err);
}

/* The answers of test t as pool answers (items no longer in the pool are left out but
 * counted in *n), with used flags and per-competence counts (arrays of p->n and
 * p->ncomps, owned by the caller). */
static bool load_answers(store *s, const posbank *b, const pool *p, long long test_id, irt_answer **out, size_t *nout,
                         size_t *n, bool *used, size_t *counts, perr *err) {
    store_query *st = store_stmt(s, "SELECT item_id, correct FROM positioning_responses WHERE test_id = ? ORDER BY position",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, test_id);
    *n = *nout = 0;
    size_t cap = 0;
    *out = NULL;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        (*n)++;
        size_t k = pool_index(p, b, store_col_text(st, 0));
        if (k == SIZE_MAX) continue;
        if (*nout == cap) {
            cap = cap ? cap * 2 : 32;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[(*nout)++] = (irt_answer){k, store_col_int(st, 1) != 0};
        used[k] = true;
        counts[p->items[k].comp]++;
    }
    store_done(st);
    return rc == STORE_DONE || db_fail(s, err);
}

static json_t *competences_json(const posbank *b, const test_row *t, const irt_estimate *e) {
    json_t *a = json_array();
    for (size_t c = 0; c < e->ncomps; c++) {
        const char *code = t->recheck ? t->code : b->codes[c];
        json_array_append_new(a, json_pack("{s:s, s:i, s:f, s:f}", "code", code, "level", irt_theta_level(e->theta[c]),
                                           "theta", e->theta[c], "se", e->se[c]));
    }
    return a;
}

/* Ends test t with estimate e after n answers: the result, the evidence, the re-check. */
static bool finish(store *s, const posbank *b, long long uid, const test_row *t, const irt_estimate *e, size_t n,
                   int64_t now, perr *err) {
    char src[64];
    snprintf(src, sizeof src, "%s:%lld", t->recheck ? "recheck" : "positioning", t->id);
    json_t *res = json_pack("{s:I, s:s, s:s, s:I, s:o}", "id", (json_int_t)t->id, "kind",
                            t->recheck ? "recheck" : "positioning", "competency", t->code, "items", (json_int_t)n,
                            "competences", competences_json(b, t, e));
    bool ok = true;
    if (t->recheck) {
        int got = irt_theta_level(e->theta[0]);
        bool passed = got >= t->target;
        int level = passed ? t->target : got;
        json_object_set_new(res, "passed", json_boolean(passed));
        json_object_set_new(res, "target_level", json_integer(t->target));
        char comment[64];
        /* below level 1: recorded as level 1 (the lowest the rule knows), marked "≤ 1" */
        snprintf(comment, sizeof comment, "%s± %.1f", level < 1 ? "≤ 1 " : "", e->se[0]);
        ok = evidence_add(s, uid, t->code, level < 1 ? 1 : level, EVIDENCE_MEASURED, src, 0, comment, err);
        store_query *st = ok ? store_stmt(s,
            "UPDATE rechecks SET done_at = ?3, outcome = ?4, result_level = ?5, test_id = ?6"
            " WHERE user_id = ?1 AND competency = ?2 AND done_at IS NULL", err) : NULL;
        if (ok && !st) ok = false;
        if (st) {
            store_bind_int64(st, 1, uid);
            store_bind_text(st, 2, t->code);
            store_bind_int64(st, 3, now);
            store_bind_text(st, 4, passed ? "passed" : "failed");
            store_bind_int(st, 5, got);
            store_bind_int64(st, 6, t->id);
            ok = store_step(st) == STORE_DONE || db_fail(s, err);
            store_done(st);
        }
    } else {
        for (size_t c = 0; ok && c < e->ncomps; c++) {
            int level = irt_theta_level(e->theta[c]);
            char comment[64];
            snprintf(comment, sizeof comment, "± %.1f", e->se[c]);
            if (level >= 1) ok = evidence_add(s, uid, b->codes[c], level, EVIDENCE_MEASURED, src, 0, comment, err);
        }
    }
    char *text = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    store_query *st = ok ? store_stmt(s,
        "UPDATE positioning_tests SET finished_at = ?2, pending_item = NULL, result_json = ?3 WHERE id = ?1", err) : NULL;
    if (ok && !st) ok = false;
    if (st) {
        store_bind_int64(st, 1, t->id);
        store_bind_int64(st, 2, now);
        store_bind_text(st, 3, text);
        ok = store_step(st) == STORE_DONE || db_fail(s, err);
        store_done(st);
    }
    free(text);
    return ok;
}

/* Presents the next item of t (lang: the agent's language) or finishes it. */
static bool advance(store *s, const posbank *b, long long uid, const test_row *t, const char *lang, int64_t now,
                    bool *finished, perr *err) {
    pool p;
    pool_build(&p, b, t);
    bool *used = xcalloc(p.n ? p.n : 1, sizeof *used);
    size_t *counts = xcalloc(p.ncomps ? p.ncomps : 1, sizeof *counts);
    irt_answer *ans = NULL;
    size_t nans = 0, n = 0;
    bool ok = load_answers(s, b, &p, t->id, &ans, &nans, &n, used, counts, err);
    irt_estimate e;
    if (ok && (!p.ncomps || !irt_estimate_abilities(p.items, p.n, ans, nans, p.ncomps, &p.prior, &e))) {
        ok = perr_set(err, "positioning: empty bank");
    }
    size_t next = SIZE_MAX;
    if (ok && !irt_should_stop(&e, counts, n, &p.rule)) {
        uint64_t r = t->seed + n;
        next = irt_select(p.items, p.n, used, &e, SIZE_MAX, 3, irt_rng_next(&r));
    }
    if (finished) *finished = ok && next == SIZE_MAX;
    if (ok && next == SIZE_MAX) {
        ok = finish(s, b, uid, t, &e, n, now, err);
    } else if (ok) {
        const posbank_item *it = &b->items[p.map[next]];
        const char *shown = lang && !strcmp(lang, "en") && it->en ? "en" : "fr";
        store_query *st = store_stmt(s, "UPDATE positioning_tests SET pending_item = ?2, pending_lang = ?3 WHERE id = ?1", err);
        if (!st) ok = false;
        else {
            store_bind_int64(st, 1, t->id);
            store_bind_text(st, 2, it->id);
            store_bind_text(st, 3, shown);
            ok = store_step(st) == STORE_DONE || db_fail(s, err);
            store_done(st);
        }
    }
    free(ans);
    free(used);
    free(counts);
    pool_free(&p);
    return ok;
}

/* When the newest finished positioning test of uid ended: *at (0 when none). */
static bool last_finished(store *s, long long uid, int64_t *at, long long *id, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT id, finished_at FROM positioning_tests WHERE user_id = ? AND kind = 'positioning'"
        " AND finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC LIMIT 1", err);
    if (!st) return false;
    store_bind_int64(st, 1, uid);
    int rc = store_step(st);
    *at = rc == STORE_ROW ? store_col_int64(st, 1) : 0;
    if (id) *id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE || db_fail(s, err);
}

static pos_status start(store *s, const posbank *b, long long uid, const char *code, int target, const char *lang,
                        int64_t now, long long *test_id, perr *err) {
    test_row t = {0};
    bool found;
    if (!store_begin(s, err)) return POS_ERROR;
    pos_status rc = POS_ERROR;
    if (!open_test(s, uid, &t, &found, err)) goto fail;
    if (found) {
        rc = POS_RUNNING;
        goto fail;
    }
    if (!code) {
        int64_t at;
        if (!last_finished(s, uid, &at, NULL, err)) goto fail;
        if (at && now < at + positioning_cooldown()) {
            rc = POS_COOLDOWN;
            goto fail;
        }
    }
    uint64_t seed;
    rand_bytes(&seed, sizeof seed);
    seed >>= 1; /* a positive SQLite integer */
    store_query *st = store_stmt(s,
        "INSERT INTO positioning_tests(user_id, kind, competency, target_level, seed, started_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id", err);
    if (!st) goto fail;
    store_bind_int64(st, 1, uid);
    store_bind_text(st, 2, code ? "recheck" : "positioning");
    store_bind_text(st, 3, code ? code : "");
    store_bind_int(st, 4, target);
    store_bind_int64(st, 5, (int64_t)seed);
    store_bind_int64(st, 6, now);
    bool ok = store_step(st) == STORE_ROW || db_fail(s, err);
    if (ok) t.id = store_col_int64(st, 0);
    store_done(st);
    if (!ok) goto fail;
    t.recheck = code != NULL;
    snprintf(t.code, sizeof t.code, "%s", code ? code : "");
    t.target = target;
    t.seed = seed;
    if (!advance(s, b, uid, &t, lang, now, NULL, err) || !store_commit(s, err)) goto fail;
    if (test_id) *test_id = t.id;
    return POS_OK;
fail:
    store_rollback(s);
    return rc;
}

pos_status positioning_start(store *s, const posbank *b, long long user_id, const char *lang, int64_t now,
                             long long *test_id, perr *err) {
    if (!b->n) return POS_UNAVAILABLE;
    return start(s, b, user_id, NULL, 0, lang, now, test_id, err);
}

pos_status recheck_start(store *s, const posbank *b, long long user_id, const char *code, const char *lang,
                         int64_t now, long long *test_id, perr *err) {
    if (!code || posbank_comp(b, code) == SIZE_MAX) return POS_UNAVAILABLE;
    store_query *st = store_stmt(s, "SELECT level FROM rechecks WHERE user_id = ? AND competency = ? AND done_at IS NULL",
                                  err);
    if (!st) return POS_ERROR;
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, code);
    int level = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!level) return POS_NOT_DUE;
    return start(s, b, user_id, code, level, lang, now, test_id, err);
}

/* The order in which the options of item it (its one question q) are shown in test t of
 * user_id: a draw seeded by the test's secret seed, the user and the item, as a quiz draw
 * is by its signed form, so the same at every showing, resumption and grading, and another
 * for another agent or test. The caller frees it with quiz_draw_free. */
static quiz_draw *item_draw(const test_row *t, long long user_id, const posbank_item *it, const quiz *q) {
    unsigned char key[8], mac[32];
    for (size_t i = 0; i < 8; i++) key[i] = (unsigned char)(t->seed >> (8 * i));
    buf msg = BUF_INIT;
    buf_printf(&msg, "options|%lld|%s", user_id, it->id);
    rand_hmac_sha256(key, sizeof key, buf_cstr(&msg), msg.len, mac);
    buf_free(&msg);
    uint64_t seed = 0;
    for (size_t i = 0; i < 8; i++) seed = seed << 8 | mac[i];
    return quiz_draw_make(q, 1, 0, seed);
}

pos_status positioning_answer(store *s, const posbank *b, long long user_id, const char *item_id, long long position,
                              const json_t *answer, const char *lang, int64_t now, grade_problem *g, bool *finished,
                              perr *err) {
    if (g) *g = GRADE_OK;
    if (finished) *finished = false;
    test_row t = {0};
    bool found;
    if (!store_begin(s, err)) return POS_ERROR;
    pos_status rc = POS_ERROR;
    if (!open_test(s, user_id, &t, &found, err)) goto fail;
    if (!found || !t.pending[0]) {
        rc = POS_NO_TEST;
        goto fail;
    }
    store_query *st = store_stmt(s, "SELECT count(*) FROM positioning_responses WHERE test_id = ?", err);
    if (!st) goto fail;
    store_bind_int64(st, 1, t.id);
    long long answered = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    const posbank_item *it = posbank_find(b, t.pending);
    if (!item_id || strcmp(item_id, t.pending) || position != answered || !it) {
        rc = POS_NOT_PRESENTED;
        goto fail;
    }
    const quiz *q = !strcmp(t.lang, "en") && it->en ? it->en : it->fr;
    json_t *answers = json_object();
    if (answer) json_object_set_new(answers, "q1", json_deep_copy(answer));
    grade_result gr;
    perr gerr = {{0}};
    quiz_draw *d = item_draw(&t, user_id, it, q); /* the answer names options by their place as shown */
    bool graded = grade_quiz(q, d, answers, 1.0, &gr, &gerr);
    quiz_draw_free(d);
    json_decref(answers);
    if (!graded) {
        if (g) *g = gr.problem;
        rc = POS_BAD_ANSWER;
        goto fail;
    }
    bool right = gr.right == 1;
    char *text = json_dumps(gr.answers, JSON_COMPACT); /* recorded with the file's option numbers */
    grade_result_free(&gr);
    st = store_stmt(s,
        "INSERT INTO positioning_responses(test_id, position, item_id, competency, lang, answer_json, correct, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
    bool ok = st != NULL;
    if (st) {
        store_bind_int64(st, 1, t.id);
        store_bind_int64(st, 2, answered);
        store_bind_text(st, 3, it->id);
        store_bind_text(st, 4, it->code);
        store_bind_text(st, 5, t.lang);
        store_bind_text(st, 6, text);
        store_bind_int(st, 7, right);
        store_bind_int64(st, 8, now);
        ok = store_step(st) == STORE_DONE || db_fail(s, err);
        store_done(st);
    }
    free(text);
    if (!ok || !advance(s, b, user_id, &t, lang, now, finished, err) || !store_commit(s, err)) goto fail;
    return POS_OK;
fail:
    store_rollback(s);
    if (finished) *finished = false;
    return rc;
}

static json_t *iso(int64_t t) {
    char out[21];
    clock_iso8601(t, out);
    return json_string(out);
}

/* The result JSON of a finished test row (text as stored), trimmed of abilities. */
static json_t *result_from_text(const char *text, int64_t finished_at) {
    json_t *r = json_loads(text, 0, NULL);
    if (!r) return NULL;
    json_object_set_new(r, "finished_at", iso(finished_at));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "competences"), i, c) json_object_del(c, "theta");
    return r;
}

json_t *positioning_result(store *s, long long user_id, long long test_id) {
    store_query *st = store_stmt(s,
        "SELECT result_json, finished_at FROM positioning_tests WHERE id = ? AND user_id = ? AND finished_at IS NOT NULL",
        NULL);
    if (!st) return NULL;
    store_bind_int64(st, 1, test_id);
    store_bind_int64(st, 2, user_id);
    json_t *r = store_step(st) == STORE_ROW ? result_from_text(store_col_text(st, 0), store_col_int64(st, 1))
                                               : NULL;
    store_done(st);
    return r;
}

/* The item presented by running test t of user_id, as shown (never with its answer): its
 * options in the order of item_draw, numbered by their place as shown. */
static json_t *item_json(store *s, const posbank *b, const test_row *t, long long user_id, perr *err) {
    const posbank_item *it = posbank_find(b, t->pending);
    if (!it) return json_null(); /* cannot happen after repair() */
    store_query *st = store_stmt(s, "SELECT count(*) FROM positioning_responses WHERE test_id = ?", err);
    if (!st) return NULL;
    store_bind_int64(st, 1, t->id);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    bool en = !strcmp(t->lang, "en") && it->view_en;
    json_t *o = json_deep_copy(en ? it->view_en : it->view_fr), *opts = json_object_get(o, "options");
    quiz_draw *d = item_draw(t, user_id, it, en ? it->en : it->fr);
    json_t *shown = json_array();
    for (size_t k = 0; k < json_array_size(opts); k++) {
        json_t *opt = json_deep_copy(json_array_get(opts, d->perm[0][k]));
        char value[24], oid[128];
        snprintf(value, sizeof value, "%zu", k + 1);
        snprintf(oid, sizeof oid, "%s-%zu", it->id, k + 1);
        json_object_set_new(opt, "value", json_string(value));
        json_object_set_new(opt, "id", json_string(oid));
        json_array_append_new(shown, opt);
    }
    quiz_draw_free(d);
    json_object_set_new(o, "options", shown);
    json_object_set_new(o, "id", json_string(it->id));
    json_object_set_new(o, "position", json_integer(n));
    json_object_set_new(o, "lang", json_string(en ? "en" : "fr"));
    json_object_set_new(o, "competency", json_string(it->code));
    return o;
}

/* When the bank was reloaded without the item a running test presents, presents another
 * one (or finishes the test), so that the test never gets stuck. */
static bool repair(store *s, const posbank *b, long long uid, int64_t now, perr *err) {
    test_row t = {0};
    bool found;
    if (!open_test(s, uid, &t, &found, err)) return false;
    if (!found || (t.pending[0] && posbank_find(b, t.pending))) return true;
    if (!store_begin(s, err)) return false;
    if (!open_test(s, uid, &t, &found, err)) goto fail;
    if (found && !(t.pending[0] && posbank_find(b, t.pending)) && !advance(s, b, uid, &t, t.lang, now, NULL, err))
        goto fail;
    return store_commit(s, err);
fail:
    store_rollback(s);
    return false;
}

json_t *positioning_view(store *s, const posbank *b, long long user_id, int64_t now, perr *err) {
    test_row t = {0};
    bool found;
    if (!repair(s, b, user_id, now, err)) return NULL;
    int64_t at;
    long long last_id;
    if (!store_read_begin(s, err)) return NULL;
    json_t *v = NULL;
    if (!open_test(s, user_id, &t, &found, err) || !last_finished(s, user_id, &at, &last_id, err)) goto done;
    v = json_object();
    if (found) {
        json_t *item = item_json(s, b, &t, user_id, err);
        if (!item) {
            json_decref(v);
            v = NULL;
            goto done;
        }
        irt_stop_rule rule = t.recheck ? irt_rule_recheck() : irt_rule_positioning();
        json_object_set_new(v, "state", json_string("running"));
        json_object_set_new(v, "test", json_pack("{s:I, s:s, s:s, s:I, s:I, s:o}", "id", (json_int_t)t.id, "kind",
                                                 t.recheck ? "recheck" : "positioning", "competency", t.code, "answered",
                                                 json_integer_value(json_object_get(item, "position")), "max_items",
                                                 (json_int_t)rule.max_items, "item", item));
    } else if (!b->n) {
        json_object_set_new(v, "state", json_string("unavailable"));
    } else if (at && now < at + positioning_cooldown()) {
        json_object_set_new(v, "state", json_string("cooldown"));
        json_object_set_new(v, "available_at", iso(at + positioning_cooldown()));
    } else {
        json_object_set_new(v, "state", json_string("ready"));
    }
    if (last_id) {
        json_t *last = positioning_result(s, user_id, last_id);
        if (last) json_object_set_new(v, "last", last);
    }
    json_object_set_new(v, "max_items", json_integer((json_int_t)irt_rule_positioning().max_items));
    json_object_set_new(v, "competences", json_integer((json_int_t)b->ncodes));
done:
    store_read_end(s);
    return v;
}

/* ---- re-checks ---- */

/* A level coming due (24 bytes; a batch of the sweep lists about 1.4 per agent at the seeded million). */
typedef struct due {
    long long uid;
    int64_t at;
    int level;
    unsigned comp; /* index in the bank's codes */
} due;

/* Appends to *out (*n entries) the due levels read from st: rows (user_id, code, level,
 * kind, created_at, re-check piece) of verified pieces, ordered by agent and competency;
 * each group's verified level (the level rule, with the re-checks' cap) is due when it
 * rests on evidence dated before horizon. Finishes st. */
static bool collect_due(store *s, store_query *st, const posbank *b, int64_t horizon, due **out, size_t *n,
                        perr *err) {
    due *list = *out;
    size_t cap = *n, npieces = 0, pcap = 0;
    level_evidence *pieces = NULL;
    long long cur_uid = 0; /* the group being read */
    char cur_code[32] = "";
    int rc;
    for (;;) {
        rc = store_step(st);
        long long uid = rc == STORE_ROW ? store_col_int64(st, 0) : -1;
        const char *code = rc == STORE_ROW ? store_col_text(st, 1) : "";
        if (npieces && (uid != cur_uid || strcmp(code, cur_code))) { /* a group ends */
            level_result r;
            level_compute(pieces, npieces, horizon, &r);
            size_t comp = r.stale ? posbank_comp(b, cur_code) : SIZE_MAX;
            if (comp != SIZE_MAX) {
                if (*n == cap) {
                    cap = cap ? cap * 2 : 16;
                    list = xrealloc(list, cap * sizeof *list);
                }
                list[(*n)++] = (due){cur_uid, r.verified_at, r.verified, (unsigned)comp};
            }
            npieces = 0;
        }
        if (rc != STORE_ROW) break;
        if (!npieces) {
            cur_uid = uid;
            snprintf(cur_code, sizeof cur_code, "%s", code);
        }
        if (npieces == pcap) {
            pcap = pcap ? pcap * 2 : 16;
            pieces = xrealloc(pieces, pcap * sizeof *pieces);
        }
        pieces[npieces++] = (level_evidence){evidence_kind_parse(store_col_text(st, 3)), store_col_int(st, 2),
                                             store_col_int64(st, 4), store_col_int(st, 5) != 0};
    }
    store_done(st);
    free(pieces);
    *out = list;
    return rc == STORE_DONE || db_fail(s, err);
}

#define DUE_COLUMNS "SELECT e.user_id, c.code, e.level, e.kind, e.created_at, e.source_ref LIKE 'recheck:%'"
#define DUE_JOINS " JOIN users u ON u.id = e.user_id JOIN competencies c ON c.id = e.competency_id"

/* The levels of the agents with ids in (lo, hi] whose verified level rests on evidence
 * dated before horizon, in a new array *out of *n (the caller frees it). */
static bool due_levels(store *s, const posbank *b, int64_t horizon, long long lo, long long hi, due **out, size_t *n,
                       perr *err) {
    /* the agents' verified pieces per competence, grouped */
    store_query *st = store_stmt(s,
        DUE_COLUMNS " FROM evidence e" DUE_JOINS
        " WHERE e.user_id > ?1 AND e.user_id <= ?2 AND e.kind <> 'declared' AND u.disabled_at IS NULL"
        " ORDER BY e.user_id, e.competency_id", err);
    *out = NULL;
    *n = 0;
    if (!st) return false;
    store_bind_int64(st, 1, lo);
    store_bind_int64(st, 2, hi);
    return collect_due(s, st, b, horizon, out, n, err);
}

/* The due levels (as due_levels) of the agents' competences with a verified piece dated
 * in [from, before) or recorded after evidence id last_id: the levels that may have come
 * due since a sweep that saw evidence up to last_id at the horizon from. Reads those
 * competences' pieces only (the dates by evidence_dated, the new pieces by id). */
static bool due_levels_since(store *s, const posbank *b, int64_t horizon, int64_t from, int64_t before,
                             long long last_id, due **out, size_t *n, perr *err) {
    store_query *st = store_stmt(s,
        DUE_COLUMNS " FROM (SELECT user_id, competency_id FROM evidence"
        "   WHERE kind <> 'declared' AND created_at >= ?1 AND created_at < ?2"
        "  UNION SELECT user_id, competency_id FROM evidence WHERE id > ?3 AND kind <> 'declared') g"
        " JOIN evidence e ON e.user_id = g.user_id AND e.competency_id = g.competency_id" DUE_JOINS
        " WHERE e.kind <> 'declared' AND u.disabled_at IS NULL"
        " ORDER BY e.user_id, e.competency_id", err);
    *out = NULL;
    *n = 0;
    if (!st) return false;
    store_bind_int64(st, 1, from);
    store_bind_int64(st, 2, before);
    store_bind_int64(st, 3, last_id);
    return collect_due(s, st, b, horizon, out, n, err);
}

/* Records the n due levels of list as re-checks with their notices, in one transaction;
 * those already recorded are left as they are. *posted gets the count of new ones. */
static bool record_rechecks(store *s, const posbank *b, const due *list, size_t n, int64_t now, int stale_months,
                            int *posted, perr *err) {
    *posted = 0;
    if (!store_begin(s, err)) return false;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        /* the date the level goes stale: the evidence date plus the freshness period */
        int64_t stale_at = list[i].at + (list[i].at - level_stale_before(list[i].at, stale_months));
        store_query *st = store_stmt(s,
            "INSERT INTO rechecks(user_id, competency, level, evidence_at, stale_at, created_at)"
            " SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 FROM rechecks"
            "  WHERE user_id = ?1 AND competency = ?2 AND (done_at IS NULL OR done_at >= ?4))"
            " ON CONFLICT DO NOTHING", err);
        if (!st) {
            ok = false;
            break;
        }
        store_bind_int64(st, 1, list[i].uid);
        store_bind_text(st, 2, b->codes[list[i].comp]);
        store_bind_int(st, 3, list[i].level);
        store_bind_int64(st, 4, list[i].at);
        store_bind_int64(st, 5, stale_at);
        store_bind_int64(st, 6, now);
        ok = store_step(st) == STORE_DONE || db_fail(s, err);
        bool added = ok && store_changes(s) > 0;
        store_done(st);
        if (!added) continue;
        char dedup[96], date[11], level[4];
        snprintf(dedup, sizeof dedup, "recheck:%s:%lld", b->codes[list[i].comp], (long long)list[i].at);
        clock_date(stale_at, date);
        snprintf(level, sizeof level, "%d", list[i].level);
        json_t *args = json_pack("[s, s, s]", b->codes[list[i].comp], level, date);
        ok = inbox_post(s, list[i].uid, "recheck", "positioning.notice.recheck", args, "/me/rechecks", dedup, err);
        json_decref(args);
        if (ok) (*posted)++;
    }
    if (ok) return store_commit(s, err);
    store_rollback(s);
    *posted = 0;
    return false;
}

/* The highest id of an agent with evidence (0 when there is none). */
static bool last_agent(store *s, long long *last, perr *err) {
    store_query *st = store_stmt(s, "SELECT coalesce(max(user_id), 0) FROM evidence", err);
    if (!st) return false;
    int rc = store_step(st);
    *last = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return rc == STORE_ROW || db_fail(s, err);
}

bool recheck_sweep_batched(store *s, const posbank *b, int64_t now, int stale_months, long long batch, int *posted,
                           perr *err) {
    if (posted) *posted = 0;
    if (!b || !b->ncodes) return true;
    if (batch < 1) batch = 1;
    /* evidence dated before this goes stale within RECHECK_NOTICE_DAYS */
    int64_t horizon = level_stale_before(now + (int64_t)RECHECK_NOTICE_DAYS * 86400, stale_months);
    long long last;
    if (!last_agent(s, &last, err)) return false;
    for (long long lo = 0, hi; lo < last; lo = hi) {
        due *list;
        size_t n;
        int got = 0;
        hi = batch > last - lo ? last : lo + batch;
        bool ok = due_levels(s, b, horizon, lo, hi, &list, &n, err) &&
                  (!n || record_rechecks(s, b, list, n, now, stale_months, &got, err));
        free(list);
        if (posted) *posted += got;
        if (!ok) return false;
    }
    return true;
}

/* The sweep's state, kept in the database (a shared fact, store/cluster.h) so that it
 * holds across restarts and servers: the start of the horizon's day of the last sweep
 * (evidence dated before it was seen due), the highest evidence id it had seen, when the
 * last full sweep ran, and what the horizon depends on (the freshness period, the notice
 * days, the bank's competences). */
#define RECHECK_FACT "rechecks-swept"

typedef struct sweep_state {
    long long before, last_id, full_at;
    char params[48];
} sweep_state;

static void sweep_params(const posbank *b, int stale_months, char out[48]) {
    uint32_t h = 2166136261u; /* FNV-1a over the competence codes */
    for (size_t i = 0; i < b->ncodes; i++)
        for (const char *c = b->codes[i];; c++) {
            h = (h ^ (uint8_t)*c) * 16777619u;
            if (!*c) break;
        }
    snprintf(out, 48, "m%d-n%d-b%zu-%08x", stale_months, RECHECK_NOTICE_DAYS, b->ncodes, (unsigned)h);
}

/* Reads the state into *st; *found false when none is recorded (or unreadable). */
static bool sweep_state_read(store *s, sweep_state *st, bool *found, perr *err) {
    buf v = BUF_INIT;
    *found = false;
    bool ok = cluster_fact(s, RECHECK_FACT, &v, NULL, err);
    if (ok && v.len)
        *found = sscanf(v.data, "%lld %lld %lld %47s", &st->before, &st->last_id, &st->full_at, st->params) == 4;
    buf_free(&v);
    return ok;
}

static bool sweep_state_write(store *s, const sweep_state *st, int64_t now, perr *err) {
    char v[160];
    snprintf(v, sizeof v, "%lld %lld %lld %s", st->before, st->last_id, st->full_at, st->params);
    return cluster_fact_set(s, RECHECK_FACT, v, "sweep", now, err);
}

/* The highest evidence id (0 when there is none). */
static bool last_evidence(store *s, long long *last, perr *err) {
    store_query *st = store_stmt(s, "SELECT coalesce(max(id), 0) FROM evidence", err);
    if (!st) return false;
    int rc = store_step(st);
    *last = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return rc == STORE_ROW || db_fail(s, err);
}

bool recheck_sweep(store *s, const posbank *b, int64_t now, int stale_months, int *posted, bool *full_out,
                   perr *err) {
    if (posted) *posted = 0;
    if (full_out) *full_out = false;
    if (!b || !b->ncodes) return true;
    int64_t horizon = level_stale_before(now + (int64_t)RECHECK_NOTICE_DAYS * 86400, stale_months);
    /* a piece is stale when its day is before the horizon's day (level_is_stale) */
    long long before = (long long)level_day(horizon) * 86400;
    sweep_state was = {0}, next = {0};
    bool found, full;
    long long last_id;
    /* the last id first: a piece recorded while the sweep reads is read again next time */
    if (!sweep_state_read(s, &was, &found, err) || !last_evidence(s, &last_id, err)) return false;
    sweep_params(b, stale_months, next.params);
    full = !found || strcmp(was.params, next.params) || now - was.full_at >= (int64_t)RECHECK_FULL_DAYS * 86400 ||
           now < was.full_at;
    if (full_out) *full_out = full;
    if (full) {
        if (!recheck_sweep_batched(s, b, now, stale_months, RECHECK_BATCH_AGENTS, posted, err)) return false;
        next.full_at = now;
        next.before = before;
    } else {
        due *list;
        size_t n;
        if (!due_levels_since(s, b, horizon, was.before, before, was.last_id, &list, &n, err)) return false;
        bool ok = true;
        for (size_t i = 0; ok && i < n; i += RECHECK_BATCH_AGENTS) {
            int got = 0;
            ok = record_rechecks(s, b, list + i, n - i < RECHECK_BATCH_AGENTS ? n - i : RECHECK_BATCH_AGENTS, now,
                                 stale_months, &got, err);
            if (posted) *posted += got;
        }
        free(list);
        if (!ok) return false;
        next.full_at = was.full_at;
        next.before = before > was.before ? before : was.before; /* a clock set back reads nothing twice */
    }
    next.last_id = last_id;
    return sweep_state_write(s, &next, now, err);
}

json_t *recheck_list(store *s, long long user_id) {
    json_t *a = json_array();
    store_query *st = store_stmt(s,
        "SELECT competency, level, stale_at, done_at, outcome, result_level FROM rechecks WHERE user_id = ?"
        " ORDER BY done_at IS NOT NULL, coalesce(done_at, stale_at) DESC", NULL);
    if (!st) return a;
    store_bind_int64(st, 1, user_id);
    while (store_step(st) == STORE_ROW) {
        char date[11];
        clock_date(store_col_int64(st, 2), date);
        bool done = store_col_type(st, 3) != STORE_NULL;
        json_t *o = json_pack("{s:s, s:i, s:s, s:b, s:s, s:i}", "competency", store_col_text(st, 0), "level",
                              store_col_int(st, 1), "stale_at", date, "due", !done, "outcome",
                              store_col_text(st, 4), "result_level", store_col_int(st, 5));
        json_object_set_new(o, "done_at", done ? iso(store_col_int64(st, 3)) : json_null());
        json_array_append_new(a, o);
    }
    store_done(st);
    return a;
}
