/* SPDX-License-Identifier: EUPL-1.2 */
/* The shared fixture of the paths unit tests (test_path, test_assign, test_dashboard,
 * test_recommend): one definition instead of four copies. */
#ifndef PASSPORT_TESTS_PATHS_FIXTURE_H
#define PASSPORT_TESTS_PATHS_FIXTURE_H

#include "paths/assign.h"
#include "paths/dashboard.h"
#include "paths/path.h"
#include "paths/recommend.h"
#include "people/account.h"
#include "people/inbox.h"
#include "people/unit.h"
#include "skills/evidence.h"
#include "skills/skills.h"
#include "testutil.h"

/* The shared fixture of the paths tests: a migrated store with the shipped frameworks,
 * one course of five modules (one archived), two units under a direction, one unit apart,
 * a manager, an HR officer and three agents. */
typedef struct fixture {
    test_db *db;
    store *s;
    long long dir, svc, other;          /* units: dir > svc; other apart */
    long long manager, hr, a1, a2, b1;  /* a1, a2 in svc; b1 in other */
} fixture;

static void sql(store *s, const char *text) {
    perr err = {{0}};
    if (!store_exec(s, text, &err)) {
        fprintf(stderr, "%s: %s\n", text, err.msg);
        abort();
    }
}

static inline long long count(store *s, const char *q) {
    return test_count(s, q);
}

static long long user(store *s, const char *email, long long unit, unsigned roles) {
    long long id = 0;
    perr err = {{0}};
    if (!account_create(s, email, email, unit, roles, "fr", NULL, &id, &err)) abort();
    return id;
}

/* Records a passed attempt of user on module at time at. */
static inline void pass_module(store *s, long long uid, const char *module, long long at) {
    store_query *st = NULL;
    st = store_prepare(s, "INSERT INTO attempts(user_id, module_id, module_version, answers_json, score, passed,"
                       " finished_at) VALUES (?, ?, 'h', '[]', 1.0, 1, ?)", NULL);
    store_bind_int64(st, 1, uid);
    store_bind_text(st, 2, module);
    store_bind_int64(st, 3, at);
    if (store_step(st) != STORE_DONE) abort();
    store_finalize(st);
}

static int setup(void **state) {
    fixture *fx = calloc(1, sizeof *fx);
    fx->db = test_db_open();
    fx->s = fx->db->s;
    perr err = {{0}};
    if (!skills_sync_frameworks(fx->s, "courses", &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    sql(fx->s,
        "INSERT INTO courses(slug, title, lang, version_hash, updated_at) VALUES ('c1', 'Cours', 'fr', 'h', 0);"
        "INSERT INTO modules(id, course_slug, position, title, minutes, lang, pass, version_hash, updated_at,"
        " archived_at) VALUES"
        " ('m1', 'c1', 0, 'Module 1', 10, 'fr', 0.8, 'h', 0, NULL),"
        " ('m2', 'c1', 1, 'Module 2', 5, 'fr', 0.8, 'h', 0, NULL),"
        " ('m3', 'c1', 2, 'Module 3 EN', 3, 'en', 0.8, 'h', 0, NULL),"
        " ('m4', 'c1', 3, 'Old module', 1, 'fr', 0.8, 'h', 0, 100),"
        " ('m5', 'c1', 4, 'Module 5', 20, 'fr', 0.8, 'h', 0, NULL);"
        "INSERT INTO module_competencies(module_id, code, level) VALUES"
        " ('m1', 'CRCN-4.1', 2), ('m2', 'CRCN-4.1', 3), ('m3', 'CRCN-4.1', 3), ('m4', 'CRCN-4.1', 3),"
        " ('m5', 'CRCN-1.1', 2);");
    if (!unit_create(fx->s, "Direction", 0, &fx->dir, &err)) return -1;
    if (!unit_create(fx->s, "Service", fx->dir, &fx->svc, &err)) return -1;
    if (!unit_create(fx->s, "Autre", 0, &fx->other, &err)) return -1;
    fx->manager = user(fx->s, "manager@x.fr", fx->dir, ROLE_MANAGER | ROLE_AGENT);
    fx->hr = user(fx->s, "rh@x.fr", fx->other, ROLE_HR);
    fx->a1 = user(fx->s, "a1@x.fr", fx->svc, ROLE_AGENT);
    fx->a2 = user(fx->s, "a2@x.fr", fx->svc, ROLE_AGENT);
    fx->b1 = user(fx->s, "b1@x.fr", fx->other, ROLE_AGENT);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    test_db_close(fx->db);
    free(fx);
    return 0;
}

/* A path of m1, m2 targeting CRCN-4.1@3, owned by the manager. */
static inline long long make_path(fixture *fx) {
    const char *mods[] = {"m1", "m2"};
    path_target t[] = {{"CRCN-4.1", 3}};
    path_input in = {"Sécurité", "Les bases", mods, 2, t, 1};
    long long id = 0;
    perr err = {{0}};
    assert_int_equal(path_create(fx->s, fx->manager, &in, &id, NULL, &err), PATHS_OK);
    return id;
}

static inline account *load(fixture *fx, long long id) {
    account *a = account_get(fx->s, id, NULL);
    assert_non_null(a);
    return a;
}

#endif
