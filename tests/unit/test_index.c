/* Tests for talent/index against a real store: consent (hidden agents only in the
 * aggregates), explained scores that add up, needs as AND, declared and freshness
 * filters, free text with accents folded, manager scope, patching from the change log,
 * the heatmap's small-count suppression, and bad needs. */
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
    sqlite3_exec(store_db(f->t->s),
                 "UPDATE evidence SET created_at = created_at - 3 * 366 * 86400 WHERE competency_id ="
                 " (SELECT id FROM competencies WHERE code = 'CRCN-1.1')",
                 NULL, NULL, NULL);
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hidden_agents_only_in_aggregates, setup, teardown),
        cmocka_unit_test_setup_teardown(explanations_add_up, setup, teardown),
        cmocka_unit_test_setup_teardown(needs_are_and_and_declared_is_opt_in, setup, teardown),
        cmocka_unit_test_setup_teardown(freshness_excludes_old_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(free_text_folds_accents, setup, teardown),
        cmocka_unit_test_setup_teardown(manager_sees_own_subtree, setup, teardown),
        cmocka_unit_test_setup_teardown(index_follows_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_needs, setup, teardown),
        cmocka_unit_test_setup_teardown(pagination_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(heatmap_suppresses_small_units, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
