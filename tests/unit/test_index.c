/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for talent/index against a real store: consent (hidden agents only in the
 * aggregates), explained scores that add up, needs as AND, declared and freshness
 * filters, free text with accents folded, manager scope, patching from the change log,
 * the hidden counts kept per reach between searches (the API's text byte for byte a
 * fresh answer) and renewed by changes,
 * the heatmap's small-count suppression, bad needs; and, as a property over random
 * evidence, that the index's levels are the passport view's (one level rule). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "people/account.h"
#include "people/unit.h"
#include "skills/evidence.h"
#include "skills/level.h"
#include "skills/passport_view.h"
#include "skills/skills.h"
#include "talent/index.h"
#include "talent/profile.h"
#include "testutil.h"

typedef struct fx {
    test_db *t;
    talent_index *ix;
    long long dir, usages, formation; /* units: usages is under dir */
    long long a, b, c;                /* agents: a, b in usages, c in formation */
} fx;

static long long agent(store *s, const char *email, const char *name, long long unit) {
    long long id = 0;
    perr err = {{0}};
    assert_true(account_create(s, email, name, unit, ROLE_AGENT, "fr", NULL, &id, &err));
    return id;
}

static void ev(store *s, long long user, const char *code, int level, evidence_kind kind) {
    perr err = {{0}};
    assert_true(evidence_add(s, user, code, level, kind, "test", 0, NULL, &err));
}

static void set_vis(store *s, long long user, talent_visibility v) {
    perr err = {{0}};
    assert_true(store_begin(s, &err));
    assert_true(profile_set_visibility(s, user, v, &err));
    assert_true(store_commit(s, &err));
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->t = test_db_open();
    store *s = f->t->s;
    perr err = {{0}};
    if (!skills_sync_frameworks(s, "courses", &err)) return -1;
    if (!unit_create(s, "Direction du numérique", 0, &f->dir, &err)) return -1;
    if (!unit_create(s, "Service des usages", f->dir, &f->usages, &err)) return -1;
    if (!unit_create(s, "Service formation", 0, &f->formation, &err)) return -1;
    f->a = agent(s, "a@x.fr", "Alice", f->usages);
    f->b = agent(s, "b@x.fr", "Bruno", f->usages);
    f->c = agent(s, "c@x.fr", "Chloé", f->formation);
    ev(s, f->a, "CRCN-1.1", 4, EVIDENCE_MEASURED);
    ev(s, f->a, "CRCN-4.1", 5, EVIDENCE_ATTESTED);
    ev(s, f->b, "CRCN-1.1", 3, EVIDENCE_MEASURED);
    ev(s, f->b, "CRCN-4.1", 6, EVIDENCE_DECLARED);
    ev(s, f->c, "CRCN-1.1", 6, EVIDENCE_MEASURED);
    ev(s, f->c, "CRCN-4.1", 4, EVIDENCE_MEASURED);
    f->ix = talent_index_new(s);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    talent_index_free(f->ix);
    test_db_close(f->t);
    free(f);
    return 0;
}

static talent_query query(fx *f, const char *needs) {
    talent_query q;
    memset(&q, 0, sizeof q);
    q.require_levels = true;
    q.page = 1;
    q.per_page = 20;
    perr err = {{0}};
    if (needs) assert_true(talent_query_add_needs(f->ix, &q, needs, &err));
    return q;
}

static json_t *search_hr(fx *f, const talent_query *q) {
    talent_viewer v = {1, true, 0};
    perr err = {{0}};
    json_t *r = talent_search(f->ix, &v, q, &err);
    assert_non_null(r);
    return r;
}

static json_t *result_of(json_t *r, long long user) {
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "results"), i, x) if (json_integer_value(json_object_get(x, "user_id")) == user) return x;
    return NULL;
}

static void hidden_agents_only_in_aggregates(void **state) {
    fx *f = *state;
    talent_query q = query(f, "CRCN-1.1:3");
    json_t *r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 0);
    json_t *hidden = json_object_get(r, "hidden");
    assert_int_equal(json_array_size(hidden), 2); /* usages (a, b) and formation (c) */
    size_t i;
    json_t *h;
    json_array_foreach(hidden, i, h) assert_string_equal(json_string_value(json_object_get(h, "count")), "< 5");
    assert_string_equal(json_string_value(json_object_get(r, "hidden_total")), "< 5");
    /* the hidden counts answer no question: the same for a need nobody meets, a word
     * nobody wrote, a unit filter (docs/privacy.md) */
    char *want = json_dumps(json_object_get(r, "hidden"), JSON_SORT_KEYS);
    const char *specs[] = {"CRCN-1.1:8", "CRCN-4.1:1", NULL};
    for (int k = 0; k < 4; k++) {
        talent_query o = query(f, specs[k < 2 ? k : 2]);
        if (k == 2) o.text = "zzzunknownword";
        if (k == 3) o.unit_id = f->formation;
        json_t *other = search_hr(f, &o);
        char *got = json_dumps(json_object_get(other, "hidden"), JSON_SORT_KEYS);
        assert_string_equal(got, want);
        free(got);
        json_decref(other);
    }
    free(want);
    json_decref(r);
    set_vis(f->t->s, f->a, TALENT_VISIBLE_HR);
    r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 1);
    assert_non_null(result_of(r, f->a));
    json_decref(r);
}

/* n more agents in usages, hidden as every new profile. */
static void more_hidden_agents(fx *f, int n) {
    char email[64];
    for (int i = 0; i < n; i++) {
        snprintf(email, sizeof email, "more%d@x.fr", i);
        agent(f->t->s, email, "More", f->usages);
    }
}

/* The hidden count of unit in a search's "hidden" list (-1: absent, -5: "< 5"). */
static long hidden_of(json_t *r, long long unit) {
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(r, "hidden"), i, h) if (json_integer_value(json_object_get(h, "unit_id")) == unit) {
        json_t *c = json_object_get(h, "count");
        return json_is_integer(c) ? (long)json_integer_value(c) : -5;
    }
    return -1;
}

/* HR's hidden counts are kept between searches (a pass over every agent): a change of
 * visibility and a new agent are counted at the next search. */
static void hidden_counts_follow_changes(void **state) {
    fx *f = *state;
    more_hidden_agents(f, 6);
    talent_query q = query(f, "CRCN-1.1:3");
    json_t *r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "hidden_total")), 9);
    assert_int_equal(hidden_of(r, f->usages), 8);
    json_decref(r);
    set_vis(f->t->s, f->a, TALENT_VISIBLE_HR);
    r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "hidden_total")), 8);
    assert_int_equal(hidden_of(r, f->usages), 7);
    json_decref(r);
    agent(f->t->s, "late@x.fr", "Late", f->usages);
    r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "hidden_total")), 9);
    assert_int_equal(hidden_of(r, f->usages), 8);
    json_decref(r);
}

/* The answer of v to q as an index built afresh (used by v alone) writes it. */
static char *fresh_answer(fx *f, const talent_viewer *v, const talent_query *q) {
    talent_index *fresh = talent_index_new_lazy(f->t->s);
    perr err = {{0}};
    json_t *r = talent_search(fresh, v, q, &err);
    assert_non_null(r);
    char *s = json_dumps(r, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(r);
    talent_index_free(fresh);
    return s;
}

/* The API's text keeps the hidden part per reach while the index does not change: it is
 * byte for byte what an index built afresh answers, after a change of visibility and a
 * new agent, for HR and for managers of different subtrees (red if the kept text outlives
 * a change of the index, or if one reach's is served to another). */
static void kept_hidden_text_is_a_fresh_answer(void **state) {
    fx *f = *state;
    more_hidden_agents(f, 6);
    talent_viewer viewers[] = {{99, false, f->formation}, {1, true, 0}, {98, false, f->dir}, {97, false, 0}};
    long long hr_total[] = {9, 8, 9};
    talent_query q = query(f, "CRCN-1.1:3");
    for (int round = 0; round < 3; round++) {
        if (round == 1) set_vis(f->t->s, f->a, TALENT_VISIBLE_HR);
        if (round == 2) agent(f->t->s, "late@x.fr", "Late", f->usages);
        for (size_t v = 0; v < sizeof viewers / sizeof viewers[0]; v++) {
            char *want = fresh_answer(f, &viewers[v], &q);
            for (int again = 0; again < 2; again++) { /* counted, then kept */
                buf got = BUF_INIT;
                perr err = {{0}};
                assert_true(talent_search_dump(f->ix, &viewers[v], &q, &got, &err));
                assert_string_equal(buf_cstr(&got), want);
                buf_free(&got);
            }
            if (viewers[v].hr) {
                json_t *r = json_loads(want, 0, NULL);
                assert_int_equal(json_integer_value(json_object_get(r, "hidden_total")), hr_total[round]);
                json_decref(r);
            }
            free(want);
        }
    }
    /* an export or a call's suggestions: hidden_total without the list */
    q.no_hidden_units = true;
    json_t *r = search_hr(f, &q);
    assert_null(json_object_get(r, "hidden"));
    assert_int_equal(json_integer_value(json_object_get(r, "hidden_total")), 9);
    json_decref(r);
}

static void explanations_add_up(void **state) {
    fx *f = *state;
    set_vis(f->t->s, f->a, TALENT_VISIBLE_HR);
    set_vis(f->t->s, f->c, TALENT_VISIBLE_ALL);
    talent_query q = query(f, "CRCN-1.1:3,CRCN-4.1:4:2");
    json_t *r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 2);
    /* a: 100*4/3 = 133 + 100*2*5/4 = 250 -> 383; c: 100*5/3 (6 capped at 5) = 166 + 200 -> 366 */
    json_t *first = json_array_get(json_object_get(r, "results"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "user_id")), f->a);
    assert_int_equal(json_integer_value(json_object_get(first, "score")), 383);
    json_t *c = result_of(r, f->c);
    assert_int_equal(json_integer_value(json_object_get(c, "score")), 366);
    for (size_t k = 0; k < 2; k++) {
        json_t *x = json_array_get(json_object_get(r, "results"), k);
        long sum = 0;
        size_t i;
        json_t *n;
        json_array_foreach(json_object_get(x, "needs"), i, n) sum += (long)json_integer_value(json_object_get(n, "points"));
        assert_int_equal(sum, json_integer_value(json_object_get(x, "score")));
    }
    json_decref(r);
}

static void needs_are_and_and_declared_is_opt_in(void **state) {
    fx *f = *state;
    set_vis(f->t->s, f->b, TALENT_VISIBLE_HR);
    talent_query q = query(f, "CRCN-1.1:3,CRCN-4.1:5");
    json_t *r = search_hr(f, &q);
    assert_null(result_of(r, f->b)); /* 4.1 only declared */
    json_decref(r);
    q.declared = true;
    r = search_hr(f, &q);
    json_t *b = result_of(r, f->b);
    assert_non_null(b);
    json_t *n41 = json_array_get(json_object_get(b, "needs"), 1);
    assert_string_equal(json_string_value(json_object_get(n41, "kind")), "declared");
    assert_int_equal(json_integer_value(json_object_get(n41, "level")), 6);
    json_decref(r);
}

static void freshness_excludes_old_evidence(void **state) {
    fx *f = *state;
    set_vis(f->t->s, f->a, TALENT_VISIBLE_HR);
    /* age a's evidence on 1.1 by three years */
    perr err = {{0}};
    assert_true(store_exec(f->t->s,
                           "UPDATE evidence SET created_at = created_at - 3 * 366 * 86400 WHERE competency_id ="
                           " (SELECT id FROM competencies WHERE code = 'CRCN-1.1')",
                           &err));
    talent_query q = query(f, "CRCN-1.1:3");
    json_t *r = search_hr(f, &q);
    assert_non_null(result_of(r, f->a));
    json_decref(r);
    q.fresh_months = 24;
    r = search_hr(f, &q);
    assert_null(result_of(r, f->a));
    json_decref(r);
}

static void free_text_folds_accents(void **state) {
    fx *f = *state;
    perr err = {{0}};
    set_vis(f->t->s, f->c, TALENT_VISIBLE_HR);
    assert_true(store_begin(f->t->s, &err));
    assert_true(profile_save(f->t->s, f->c, "Référente accessibilité numérique", "Données ouvertes", "français", true,
                             &err));
    assert_true(store_commit(f->t->s, &err));
    talent_query q = query(f, NULL);
    q.text = "ACCESSIBILITE donnees";
    json_t *r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 1);
    assert_non_null(result_of(r, f->c));
    json_decref(r);
    q.text = "astrophysique";
    r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 0);
    json_decref(r);
    q.text = NULL;
    q.available_only = true;
    r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 1);
    json_decref(r);
}

static void manager_sees_own_subtree(void **state) {
    fx *f = *state;
    set_vis(f->t->s, f->a, TALENT_VISIBLE_HR);
    set_vis(f->t->s, f->c, TALENT_VISIBLE_HR);
    talent_query q = query(f, NULL);
    talent_viewer m = {99, false, f->dir};
    perr err = {{0}};
    json_t *r = talent_search(f->ix, &m, &q, &err);
    assert_non_null(result_of(r, f->a));
    assert_null(result_of(r, f->c));
    /* b is hidden and in scope: counted; c is out of scope: not even counted */
    assert_int_equal(json_array_size(json_object_get(r, "hidden")), 1);
    json_decref(r);
    talent_viewer none = {99, false, 0};
    r = talent_search(f->ix, &none, &q, &err);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 0);
    json_decref(r);
    q.unit_id = f->formation;
    r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 1);
    assert_non_null(result_of(r, f->c));
    json_decref(r);
}

static void index_follows_changes(void **state) {
    fx *f = *state;
    set_vis(f->t->s, f->a, TALENT_VISIBLE_HR);
    talent_query q = query(f, "CRCN-2.1:2");
    json_t *r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 0);
    json_decref(r);
    ev(f->t->s, f->a, "CRCN-2.1", 2, EVIDENCE_MEASURED); /* patched from the change log */
    long long d = agent(f->t->s, "d@x.fr", "Driss", f->usages); /* a new row */
    ev(f->t->s, d, "CRCN-2.1", 7, EVIDENCE_MEASURED);
    set_vis(f->t->s, d, TALENT_VISIBLE_ALL);
    r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r, "results"), 0), "user_id")), d);
    json_decref(r);
    perr err = {{0}};
    assert_true(account_set_disabled(f->t->s, d, true, &err));
    r = search_hr(f, &q);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 1);
    json_decref(r);
    /* the mapping: DigComp evidence counts on the CRCN competency it pairs with */
    ev(f->t->s, f->c, "DIGCOMP-2.1", 3, EVIDENCE_MEASURED);
    set_vis(f->t->s, f->c, TALENT_VISIBLE_HR);
    r = search_hr(f, &q);
    assert_non_null(result_of(r, f->c));
    json_decref(r);
}

static void bad_needs(void **state) {
    fx *f = *state;
    talent_query q;
    memset(&q, 0, sizeof q);
    perr err = {{0}};
    assert_false(talent_query_add_needs(f->ix, &q, "NOPE-1:3", &err));
    assert_string_equal(err.msg, "talent.unknown_competency");
    assert_false(talent_query_add_needs(f->ix, &q, "CRCN-1.1:9", &err));
    assert_string_equal(err.msg, "talent.bad_level");
    assert_false(talent_query_add_needs(f->ix, &q, "CRCN-1.1:0", &err));
    assert_false(talent_query_add_needs(f->ix, &q, "CRCN-1.1", &err));
    assert_false(talent_query_add_needs(f->ix, &q, "CRCN-1.1:3x", &err));
    assert_false(talent_query_add_needs(f->ix, &q, "CRCN-1.1:3:6", &err));
    assert_string_equal(err.msg, "talent.bad_weight");
    assert_false(talent_query_add_needs(f->ix, &q, "CRCN-1.1:3,CRCN-1.1:4", &err));
    assert_string_equal(err.msg, "talent.duplicate_need");
}

static void pagination_and_order(void **state) {
    fx *f = *state;
    for (int i = 0; i < 30; i++) {
        char email[32], name[32];
        snprintf(email, sizeof email, "p%d@x.fr", i);
        snprintf(name, sizeof name, "P%d", i);
        long long id = agent(f->t->s, email, name, f->formation);
        ev(f->t->s, id, "CRCN-3.1", 1 + i % 5, EVIDENCE_MEASURED);
        set_vis(f->t->s, id, TALENT_VISIBLE_HR);
    }
    talent_query q = query(f, "CRCN-3.1:1");
    q.per_page = 7;
    long last = 1L << 30;
    int seen = 0;
    for (int page = 1; page <= 5; page++) {
        q.page = page;
        json_t *r = search_hr(f, &q);
        assert_int_equal(json_integer_value(json_object_get(r, "total")), 30);
        assert_int_equal(json_integer_value(json_object_get(r, "pages")), 5);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(r, "results"), i, x) {
            long s = (long)json_integer_value(json_object_get(x, "score"));
            assert_true(s <= last);
            last = s;
            seen++;
        }
        json_decref(r);
    }
    assert_int_equal(seen, 30);
}

static void heatmap_suppresses_small_units(void **state) {
    fx *f = *state;
    for (int i = 0; i < 5; i++) {
        char email[32];
        snprintf(email, sizeof email, "h%d@x.fr", i);
        long long id = agent(f->t->s, email, "H", f->formation);
        ev(f->t->s, id, "CRCN-1.1", 4, EVIDENCE_MEASURED);
    }
    perr err = {{0}};
    json_t *h = talent_heatmap(f->ix, "CRCN", &err);
    assert_non_null(h);
    size_t i;
    json_t *row;
    int checked = 0;
    json_array_foreach(json_object_get(h, "rows"), i, row) {
        long long unit = json_integer_value(json_object_get(row, "unit_id"));
        json_t *cell1 = json_array_get(json_object_get(row, "cells"), 0);
        if (unit == f->usages) {
            assert_true(json_is_true(json_object_get(row, "suppressed")));
            assert_string_equal(json_string_value(json_object_get(row, "headcount")), "< 5");
            assert_true(json_is_null(json_object_get(cell1, "average")));
            checked++;
        } else if (unit == f->formation) {
            /* c (1.1 at 6) + 5 agents at 4, 3 competencies in area 1: (6/3 + 5*4/3)/6 = 1.44 */
            assert_int_equal(json_integer_value(json_object_get(row, "headcount")), 6);
            assert_true(json_real_value(json_object_get(cell1, "average")) > 1.39 &&
                        json_real_value(json_object_get(cell1, "average")) < 1.51);
            checked++;
        }
    }
    assert_int_equal(checked, 2);
    json_decref(h);
}

/* ---- one level rule: the index's levels are the passport view's ------------------- */

#define PROP_AGENTS 1500
#define PROP_YEAR (365LL * 86400)

static void prop_exec(store *s, const char *sql) {
    perr err = {{0}};
    assert_true(store_exec(s, sql, &err));
}

/* The competencies and mapped pairs the random evidence is drawn from. */
typedef struct prop_catalog {
    long long comps[128], pairs[512][2];
    size_t ncomps, npairs;
} prop_catalog;

static void prop_catalog_load(store *s, prop_catalog *c) {
    perr err = {{0}};
    memset(c, 0, sizeof *c);
    store_query *st = store_stmt(s, "SELECT id FROM competencies WHERE retired = 0 ORDER BY id", &err);
    assert_non_null(st);
    while (store_step(st) == STORE_ROW && c->ncomps < 128) c->comps[c->ncomps++] = store_col_int64(st, 0);
    store_done(st);
    st = store_stmt(s, "SELECT from_id, to_id FROM competency_map", &err);
    assert_non_null(st);
    while (store_step(st) == STORE_ROW && c->npairs < 512) {
        c->pairs[c->npairs][0] = store_col_int64(st, 0);
        c->pairs[c->npairs++][1] = store_col_int64(st, 1);
    }
    store_done(st);
    assert_true(c->ncomps > 30 && c->npairs > 10);
}

/* Adds n random pieces of evidence to user: all four kinds, levels 1..8, dates over four
 * years (so some are stale at 24 months), ties of time and of day, pieces often on both
 * sides of a mapped pair (CRCN and DigComp) and several on one competency; measured
 * pieces sometimes re-checks (capping older ones); ids not in time order. */
static void prop_add_pieces(store *s, const prop_catalog *c, uint64_t *x, long long user, int n) {
    static const char *const kinds[] = {"measured", "attested", "credential", "declared"};
    perr err = {{0}};
    int64_t now = clock_now();
    size_t pair = (size_t)test_rand_below(x, (int)c->npairs);
    long long focus = c->comps[test_rand_below(x, (int)c->ncomps)];
    int64_t last = now - test_rand_below(x, (int)(4 * PROP_YEAR));
    for (int p = 0; p < n; p++) {
        int r = test_rand_below(x, 10);
        long long comp = r < 4 ? c->pairs[pair][test_rand_below(x, 2)] : r < 7 ? focus : c->comps[test_rand_below(x, (int)c->ncomps)];
        int t = test_rand_below(x, 4);
        int64_t at = t == 0   ? last                                           /* same second */
                     : t == 1 ? last - last % 86400 + test_rand_below(x, 86400) /* same day */
                              : now - test_rand_below(x, (int)(4 * PROP_YEAR));
        if (at > now) at = now;
        last = at;
        store_query *st = store_stmt(s,
                                      "INSERT INTO evidence(user_id, competency_id, level, kind, created_at, source_ref)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?4 = 'measured' AND ?6 <> 0 THEN 'recheck:1' ELSE 'test' END)",
                                      &err);
        assert_non_null(st);
        store_bind_int64(st, 1, user);
        store_bind_int64(st, 2, comp);
        store_bind_int(st, 3, 1 + test_rand_below(x, 8));
        store_bind_text(st, 4, kinds[test_rand_below(x, 4)]);
        store_bind_int64(st, 5, at);
        store_bind_int(st, 6, test_rand_below(x, 3) == 0); /* some measured pieces are re-checks */
        assert_int_equal(store_step(st), STORE_DONE);
        store_done(st);
    }
}

/* PROP_AGENTS agents (prop_vis, prop_disabled) with 1..14 random pieces of evidence each. */
/* Agent a's visibility and whether their account is disabled: a search shows a quarter of
 * them only as HR ("hr"), a quarter to all, not the hidden half nor the disabled; the index
 * folds the shown ones first. */
static const char *prop_vis(int a) {
    return a % 4 == 1 ? "hr" : a % 4 == 2 ? "all" : "hidden";
}

static bool prop_disabled(int a) {
    return a % 7 == 3;
}

static bool prop_shown(int a) {
    return strcmp(prop_vis(a), "hidden") && !prop_disabled(a);
}

static void prop_seed(store *s, const prop_catalog *c, uint64_t *x, long long *users) {
    perr err = {{0}};
    prop_exec(s, "BEGIN");
    for (int a = 0; a < PROP_AGENTS; a++) {
        store_query *st = store_stmt(s,
                                      "INSERT INTO users(email, display_name, password_hash, locale, roles, visibility,"
                                      " disabled_at, created_at)"
                                      " VALUES ('prop' || ?1 || '@x.fr', 'Prop ' || ?1, 'x', 'fr', 1, ?2, ?3, 0) RETURNING id",
                                      &err);
        assert_non_null(st);
        store_bind_int(st, 1, a);
        store_bind_text(st, 2, prop_vis(a));
        if (prop_disabled(a)) store_bind_int64(st, 3, 1);
        else store_bind_null(st, 3);
        assert_int_equal(store_step(st), STORE_ROW);
        users[a] = store_col_int64(st, 0);
        store_done(st);
        prop_add_pieces(s, c, x, users[a], 1 + test_rand_below(x, 14));
    }
    prop_exec(s, "COMMIT");
}

/* Changes some agents' evidence after the index is built, so that its patches are
 * compared too: a third gain 1..6 pieces (their records of dates grow and move), a third
 * lose up to three (records shrink in place), the rest are left alone. */
static void prop_change(store *s, const prop_catalog *c, uint64_t *x, const long long *users) {
    perr err = {{0}};
    prop_exec(s, "BEGIN");
    for (int a = 0; a < PROP_AGENTS; a++) {
        if (a % 3 == 0) {
            prop_add_pieces(s, c, x, users[a], 1 + test_rand_below(x, 6));
        } else if (a % 3 == 1) {
            store_query *st = store_stmt(s,
                                          "DELETE FROM evidence WHERE id IN (SELECT id FROM evidence WHERE user_id = ?"
                                          " ORDER BY id LIMIT ?)",
                                          &err);
            assert_non_null(st);
            store_bind_int64(st, 1, users[a]);
            store_bind_int(st, 2, test_rand_below(x, 4));
            assert_int_equal(store_step(st), STORE_DONE);
            store_done(st);
        }
    }
    prop_exec(s, "COMMIT");
}

/* The passport's competency entry as the index should see it. */
typedef struct prop_level {
    const char *code;
    int verified, declared;
    bool stale, declared_stale;
} prop_level;

/* Checks what talent_explain sees for up to TALENT_MAX_NEEDS of want[0..n) with the
 * freshness filter at the passport's period: a stale level counts for nothing. */
static void prop_check_freshness(talent_index *ix, long long user, const prop_level *want, size_t n, bool declared) {
    talent_query q;
    memset(&q, 0, sizeof q);
    q.fresh_months = 24;
    q.declared = declared;
    q.page = 1;
    q.per_page = 1;
    perr err = {{0}};
    for (size_t i = 0; i < n && q.nneeds < TALENT_MAX_NEEDS; i++)
        assert_true(talent_query_add_need(ix, &q, want[i].code, 1, 1, &err));
    json_t *r = talent_explain(ix, user, &q, &err);
    assert_non_null(r);
    json_t *needs = json_object_get(r, "needs");
    for (size_t i = 0; i < q.nneeds; i++) {
        int expect = want[i].stale ? 0 : want[i].verified;
        if (declared && !want[i].declared_stale && want[i].declared > expect) expect = want[i].declared;
        int got = (int)json_integer_value(json_object_get(json_array_get(needs, i), "level"));
        if (got != expect)
            fail_msg("user %lld %s (declared %d): index sees %d fresh, passport %d", user, want[i].code, declared, got,
                     expect);
    }
    json_decref(r);
}

/* The number of matches of a search for user alone needing code at min_level. */
static long prop_search_total(talent_index *ix, long long user, const char *code, int min_level, bool declared,
                              int fresh_months) {
    talent_query q;
    memset(&q, 0, sizeof q);
    q.fresh_months = fresh_months;
    q.declared = declared;
    q.require_levels = true;
    q.only_user = user;
    q.page = 1;
    q.per_page = 1;
    perr err = {{0}};
    assert_true(talent_query_add_need(ix, &q, code, min_level, 1, &err));
    talent_viewer hr = {.user_id = 0, .hr = true};
    json_t *r = talent_search(ix, &hr, &q, &err);
    assert_non_null(r);
    long total = (long)json_integer_value(json_object_get(r, "total"));
    json_decref(r);
    return total;
}

/* Checks that the search's scan (byte masks over the level columns, then the days of the
 * rows left) finds user at the level the passport shows and not one above, with and
 * without declared levels and the freshness filter. */
static void prop_check_search(talent_index *ix, long long user, const prop_level *w) {
    for (int mode = 0; mode < 4; mode++) {
        bool declared = mode & 1, fresh = mode & 2;
        int expect = fresh && w->stale ? 0 : w->verified;
        if (declared && !(fresh && w->declared_stale) && w->declared > expect) expect = w->declared;
        if (expect >= 1 && prop_search_total(ix, user, w->code, expect, declared, fresh ? 24 : 0) != 1)
            fail_msg("user %lld %s (declared %d, fresh %d): not found at level %d", user, w->code, declared, fresh,
                     expect);
        if (expect < 8 && prop_search_total(ix, user, w->code, expect + 1, declared, fresh ? 24 : 0) != 0)
            fail_msg("user %lld %s (declared %d, fresh %d): found above level %d", user, w->code, declared, fresh,
                     expect);
    }
}

/* The passport view's competencies of user (both frameworks) into want[0..*nwant) (at most
 * 64, with a level; codes to free), each checked against the index's entry in idx (a
 * talent_levels array) unless idx is NULL; returns the competencies compared. */
static size_t prop_passport_levels(store *s, long long user, json_t *idx, prop_level *want, size_t *nwant) {
    perr err = {{0}};
    static const char *const fws[] = {"CRCN", "DIGCOMP"};
    size_t compared = 0;
    *nwant = 0;
    for (int f = 0; f < 2; f++) {
        passport_view_opts o = {.framework = fws[f], .locale = "fr", .stale_months = 24};
        json_t *v = passport_view_build(s, user, &o, &err);
        assert_non_null(v);
        size_t i, j, k;
        json_t *area, *c, *l;
        json_array_foreach(json_object_get(v, "areas"), i, area) json_array_foreach(json_object_get(area, "competencies"), j, c) {
            const char *code = json_string_value(json_object_get(c, "code"));
            int verified = (int)json_integer_value(json_object_get(c, "verified"));
            int declared = (int)json_integer_value(json_object_get(c, "declared"));
            const char *date = json_is_string(json_object_get(c, "verified_date")) ? json_string_value(json_object_get(c, "verified_date")) : "";
            if (idx) {
                json_t *found = NULL;
                json_array_foreach(idx, k, l) if (!strcmp(json_string_value(json_object_get(l, "code")), code)) found = l;
                int iv = found ? (int)json_integer_value(json_object_get(found, "level")) : 0;
                int id = found ? (int)json_integer_value(json_object_get(found, "declared")) : 0;
                const char *idate = found ? json_string_value(json_object_get(found, "date")) : "";
                if (iv != verified || id != declared || strcmp(idate, date))
                    fail_msg("user %lld %s: index %d/%d/%s, passport %d/%d/%s", user, code, iv, id, idate, verified,
                             declared, date);
            }
            compared++;
            if ((verified || declared) && *nwant < 64)
                want[(*nwant)++] = (prop_level){strdup(code), verified, declared, json_is_true(json_object_get(c, "stale")),
                                                json_is_true(json_object_get(c, "declared_stale"))};
        }
        json_decref(v);
    }
    return compared;
}

/* Compares the index with the passport view for every agent (see below); the search's
 * scan for one agent in search_every (of those a search shows). */
static void prop_compare(store *s, talent_index *ix, const long long *users, int search_every) {
    perr err = {{0}};
    size_t compared = 0, with_levels = 0;
    for (int a = 0; a < PROP_AGENTS; a++) {
        json_t *idx = talent_levels(ix, users[a], &err);
        assert_non_null(idx);
        prop_level want[64];
        size_t nwant;
        compared += prop_passport_levels(s, users[a], idx, want, &nwant);
        with_levels += nwant;
        /* the staleness as the search's freshness filter sees it, in batches of needs */
        for (size_t from = 0; from < nwant; from += TALENT_MAX_NEEDS) {
            prop_check_freshness(ix, users[a], want + from, nwant - from, false);
            prop_check_freshness(ix, users[a], want + from, nwant - from, true);
        }
        if (a % search_every == 0 && prop_shown(a))
            for (size_t i = 0; i < nwant; i++) prop_check_search(ix, users[a], &want[i]);
        for (size_t i = 0; i < nwant; i++) free((char *)want[i].code);
        json_decref(idx);
    }
    assert_true(compared >= (size_t)PROP_AGENTS * 30); /* both frameworks' competencies */
    assert_true(with_levels > (size_t)PROP_AGENTS * 3);
}

/* The search's scan for every agent a search shows, at the passport's levels, through
 * searches alone (which do not wait for the other agents' levels). */
static void prop_search_shown(store *s, talent_index *ix, const long long *users) {
    size_t searched = 0;
    for (int a = 0; a < PROP_AGENTS; a++) {
        if (!prop_shown(a)) continue;
        prop_level want[64];
        size_t nwant;
        prop_passport_levels(s, users[a], NULL, want, &nwant);
        for (size_t i = 0; i < nwant; i++) {
            if (i < 3) prop_check_search(ix, users[a], &want[i]);
            free((char *)want[i].code);
        }
        searched++;
    }
    assert_true(searched > PROP_AGENTS / 3);
}

/* For every agent and every competency of both frameworks (DigComp through the mapping):
 * verified level, declared level, freshness date and staleness from the index equal the
 * passport view's, as built at first and again after evidence was added and removed
 * (the index patched). */
static void index_levels_are_the_passport_levels(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store *s = t->s;
    perr err = {{0}};
    assert_true(skills_sync_frameworks(s, "courses", &err));
    prop_catalog cat;
    prop_catalog_load(s, &cat);
    uint64_t x = 0x5EEDF00DULL;
    long long *users = calloc(PROP_AGENTS, sizeof *users);
    prop_seed(s, &cat, &x, users);
    talent_index *ix = talent_index_new(s);
    prop_compare(s, ix, users, 10);
    prop_change(s, &cat, &x, users);
    prop_compare(s, ix, users, 10);
    talent_index_free(ix);
    free(users);
    test_db_close(t);
}

/* The same with the first build in its two parts, by hand: searches answered from the
 * first part (the agents a search shows) find them at the passport's levels, before and
 * after changes patched in; then the reads that need everyone's levels (levels,
 * explanations) find the hidden and disabled agents' too. */
static void index_first_part_serves_searches(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store *s = t->s;
    perr err = {{0}};
    assert_true(skills_sync_frameworks(s, "courses", &err));
    prop_catalog cat;
    prop_catalog_load(s, &cat);
    uint64_t x = 0xC0FFEEULL;
    long long *users = calloc(PROP_AGENTS, sizeof *users);
    prop_seed(s, &cat, &x, users);
    talent_index *ix = talent_index_new_lazy(s);
    prop_search_shown(s, ix, users);
    prop_change(s, &cat, &x, users); /* patched before the rest is folded */
    prop_search_shown(s, ix, users);
    prop_compare(s, ix, users, 25);
    talent_index_free(ix);
    free(users);
    test_db_close(t);
}

/* Every kind of account the first part of the build must read: each visibility, enabled or
 * disabled, an agent or not, without a profile, unavailable or available, in one unit, the
 * other or none, with evidence or without (216 accounts). */
#define KINDS 216

static void kinds_seed(store *s, long long u1, long long u2, long long *ids) {
    perr err = {{0}};
    static const char *const vis[] = {"hidden", "hr", "all"};
    prop_exec(s, "BEGIN");
    for (int k = 0; k < KINDS; k++) {
        int v = k % 3, disabled = k / 3 % 2, role = k / 6 % 2, avail = k / 12 % 3, unit = k / 36 % 3, evid = k / 108;
        store_query *st = store_stmt(s,
                                      "INSERT INTO users(email, display_name, password_hash, locale, roles, visibility,"
                                      " disabled_at, unit_id, created_at)"
                                      " VALUES ('kind' || ?1 || '@x.fr', 'Kind ' || ?1, 'x', 'fr', ?2, ?3, ?4, ?5, 0)"
                                      " RETURNING id",
                                      &err);
        assert_non_null(st);
        store_bind_int(st, 1, k);
        store_bind_int(st, 2, role ? 1 : 2); /* 2: HR only, not an agent */
        store_bind_text(st, 3, vis[v]);
        if (disabled) store_bind_int64(st, 4, 1);
        else store_bind_null(st, 4);
        if (unit) store_bind_int64(st, 5, unit == 1 ? u1 : u2);
        else store_bind_null(st, 5);
        assert_int_equal(store_step(st), STORE_ROW);
        ids[k] = store_col_int64(st, 0);
        store_done(st);
        if (avail) {
            st = store_stmt(s, "INSERT INTO profiles(user_id, available, updated_at) VALUES (?, ?, 0)", &err);
            assert_non_null(st);
            store_bind_int64(st, 1, ids[k]);
            store_bind_int(st, 2, avail == 2);
            assert_int_equal(store_step(st), STORE_DONE);
            store_done(st);
        }
        if (evid) {
            st = store_stmt(s,
                            "INSERT INTO evidence(user_id, competency_id, level, kind, created_at)"
                            " SELECT ?, id, 3, 'measured', 1700000000 FROM competencies WHERE code = 'CRCN-1.1'",
                            &err);
            assert_non_null(st);
            store_bind_int64(st, 1, ids[k]);
            assert_int_equal(store_step(st), STORE_DONE);
            store_done(st);
        }
    }
    prop_exec(s, "COMMIT");
}

/* A search, as HR, of CRCN-1.1 at 1 or more (all_units: 0, else that unit) and optionally
 * the available only. */
static json_t *kinds_search(talent_index *ix, long long unit, bool available) {
    talent_query q;
    memset(&q, 0, sizeof q);
    q.require_levels = true;
    q.page = 1;
    q.per_page = 100;
    q.unit_id = unit;
    q.available_only = available;
    perr err = {{0}};
    assert_true(talent_query_add_needs(ix, &q, "CRCN-1.1:1", &err));
    talent_viewer v = {1, true, 0};
    json_t *r = talent_search(ix, &v, &q, &err);
    assert_non_null(r);
    return r;
}

/* A search issued while the first build runs (it waits for the first part only) finds
 * every agent a search can show, whatever their unit, profile or availability, and the
 * same page and hidden counts as the index once built: red if the first part skipped a
 * kind of account (no profile, 'all', no unit) or read a column wrong (availability). */
static void a_search_during_the_build_sees_every_visible_agent(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store *s = t->s;
    perr err = {{0}};
    assert_true(skills_sync_frameworks(s, "courses", &err));
    long long u1, u2, ids[KINDS];
    assert_true(unit_create(s, "Unité une", 0, &u1, &err));
    assert_true(unit_create(s, "Unité deux", 0, &u2, &err));
    kinds_seed(s, u1, u2, ids);
    /* what a search must find: opted in, enabled, an agent, with the level */
    int shown = 0, shown_avail = 0, shown_u1 = 0, hidden_alive = 0;
    for (int k = 0; k < KINDS; k++) {
        bool alive = k / 3 % 2 == 0 && k / 6 % 2 == 1, evid = k / 108 == 1;
        if (alive && k % 3 == 0) hidden_alive++;
        if (!alive || k % 3 == 0 || !evid) continue;
        shown++;
        shown_avail += k / 12 % 3 == 2;
        shown_u1 += k / 36 % 3 == 1;
    }
    assert_int_equal(shown, 18);
    talent_index *during = talent_index_new(s); /* its thread builds as the searches come */
    talent_index *built = talent_index_new_lazy(s);
    json_t *lv = talent_levels(built, ids[KINDS - 1], &err); /* waits for every agent's levels */
    assert_non_null(lv);
    json_decref(lv);
    const long long units[] = {0, u1, 0};
    const bool avail[] = {false, false, true};
    const int want[] = {shown, shown_u1, shown_avail};
    for (int i = 0; i < 3; i++) {
        json_t *a = kinds_search(during, units[i], avail[i]), *b = kinds_search(built, units[i], avail[i]);
        assert_int_equal(json_integer_value(json_object_get(a, "total")), want[i]);
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
    }
    json_t *a = kinds_search(during, 0, false);
    assert_int_equal(json_integer_value(json_object_get(a, "hidden_total")), hidden_alive);
    json_decref(a);
    talent_index_free(during);
    talent_index_free(built);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hidden_agents_only_in_aggregates, setup, teardown),
        cmocka_unit_test_setup_teardown(hidden_counts_follow_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(kept_hidden_text_is_a_fresh_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(explanations_add_up, setup, teardown),
        cmocka_unit_test_setup_teardown(needs_are_and_and_declared_is_opt_in, setup, teardown),
        cmocka_unit_test_setup_teardown(freshness_excludes_old_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(free_text_folds_accents, setup, teardown),
        cmocka_unit_test_setup_teardown(manager_sees_own_subtree, setup, teardown),
        cmocka_unit_test_setup_teardown(index_follows_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_needs, setup, teardown),
        cmocka_unit_test_setup_teardown(pagination_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(heatmap_suppresses_small_units, setup, teardown),
        cmocka_unit_test(index_levels_are_the_passport_levels),
        cmocka_unit_test(index_first_part_serves_searches),
        cmocka_unit_test(a_search_during_the_build_sees_every_visible_agent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
