/* Tests for paths/path: validation (unknown, archived, duplicate modules; bad targets),
 * create, update, copy, read and list, against a real store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "paths/assign.h"
#include "paths/dashboard.h"
#include "paths/path.h"
#include "paths/recommend.h"
#include "people/account.h"
#include "people/inbox.h"
#include "people/unit.h"
#include "skills/evidence.h"
#include "skills/skills.h"

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
    char *msg = NULL;
    if (sqlite3_exec(store_db(s), text, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", text, msg);
        abort();
    }
}

static inline long long count(store *s, const char *q) {
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(store_db(s), q, -1, &st, NULL);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

static long long user(store *s, const char *email, long long unit, unsigned roles) {
    long long id = 0;
    perr err = {{0}};
    if (!account_create(s, email, email, unit, roles, "fr", NULL, &id, &err)) abort();
    return id;
}

/* Records a passed attempt of user on module at time at. */
static inline void pass_module(store *s, long long uid, const char *module, long long at) {
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(store_db(s),
                       "INSERT INTO attempts(user_id, module_id, module_version, answers_json, score, passed,"
                       " finished_at) VALUES (?, ?, 'h', '[]', 1.0, 1, ?)", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, uid);
    sqlite3_bind_text(st, 2, module, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, at);
    if (sqlite3_step(st) != SQLITE_DONE) abort();
    sqlite3_finalize(st);
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

static void test_targets_parse(void **state) {
    (void)state;
    path_target t[4];
    size_t n = 0;
    perr err = {{0}};
    assert_true(path_targets_parse(" crcn-4.1@2, CRCN-1.1@3;\nDIGCOMP-5.4@8 ", t, 4, &n, &err));
    assert_int_equal(n, 3);
    assert_string_equal(t[0].code, "CRCN-4.1");
    assert_int_equal(t[0].level, 2);
    assert_string_equal(t[2].code, "DIGCOMP-5.4");
    assert_int_equal(t[2].level, 8);
    assert_true(path_targets_parse("", t, 4, &n, &err));
    assert_int_equal(n, 0);
    assert_false(path_targets_parse("CRCN-4.1", t, 4, &n, &err));
    assert_string_equal(err.msg, "paths.error.bad_target");
    assert_false(path_targets_parse("CRCN-4.1@9", t, 4, &n, &err));
    assert_false(path_targets_parse("@2", t, 4, &n, &err));
    assert_false(path_targets_parse("A@1 B@1 C@1 D@1 E@1", t, 4, &n, &err));
    assert_string_equal(err.msg, "paths.error.too_many");
}

static void test_create_and_get(void **state) {
    fixture *fx = *state;
    long long id = make_path(fx);
    json_t *p = path_get(fx->s, id);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Sécurité");
    assert_int_equal(json_integer_value(json_object_get(p, "minutes")), 15);
    json_t *mods = json_object_get(p, "modules");
    assert_int_equal(json_array_size(mods), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(mods, 0), "id")), "m1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(mods, 1), "url")), "/modules/m2");
    json_t *t = json_array_get(json_object_get(p, "targets"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "code")), "CRCN-4.1");
    assert_int_equal(json_integer_value(json_object_get(t, "level")), 3);
    assert_true(strlen(json_string_value(json_object_get(t, "title_fr"))) > 0);
    assert_int_equal(path_owner(fx->s, id), fx->manager);
    assert_int_equal(path_owner(fx->s, id + 100), -1);
    assert_null(path_get(fx->s, id + 100));
    json_decref(p);
    json_t *list = path_list(fx->s);
    assert_int_equal(json_array_size(list), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "modules")), 2);
    json_decref(list);
}

static void check_refused(fixture *fx, const char *const *mods, size_t n, const path_target *t, size_t nt,
                          const char *title, const char *key) {
    path_input in = {title, "", mods, n, t, nt};
    long long id = 0;
    perr err = {{0}};
    char *bad = NULL;
    assert_int_equal(path_create(fx->s, fx->manager, &in, &id, &bad, &err), PATHS_INVALID);
    assert_string_equal(err.msg, key);
    free(bad);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM paths"), 0);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM path_modules"), 0);
}

static void test_bad_input(void **state) {
    fixture *fx = *state;
    const char *archived[] = {"m1", "m4"}, *unknown[] = {"nope"}, *dup[] = {"m1", "m1"}, *ok[] = {"m1"};
    path_target bad_code[] = {{"CRCN-9.9", 2}}, bad_level[] = {{"CRCN-4.1", 0}};
    check_refused(fx, archived, 2, NULL, 0, "T", "paths.error.module");
    check_refused(fx, unknown, 1, NULL, 0, "T", "paths.error.module");
    check_refused(fx, dup, 2, NULL, 0, "T", "paths.error.duplicate_module");
    check_refused(fx, ok, 0, NULL, 0, "T", "paths.error.no_module");
    check_refused(fx, ok, 1, NULL, 0, "  ", "paths.error.title");
    check_refused(fx, ok, 1, NULL, 0, "", "paths.error.title");
    check_refused(fx, ok, 1, bad_code, 1, "T", "paths.error.target");
    check_refused(fx, ok, 1, bad_level, 1, "T", "paths.error.target");
    /* the bad module is reported */
    path_input in = {"T", "", archived, 2, NULL, 0};
    char *bad = NULL;
    long long id;
    assert_int_equal(path_validate(fx->s, &in, &bad, NULL), PATHS_INVALID);
    assert_string_equal(bad, "m4");
    free(bad);
    (void)id;
}

static void test_update_and_copy(void **state) {
    fixture *fx = *state;
    long long id = make_path(fx);
    const char *mods[] = {"m5", "m1", "m3"};
    path_input in = {"Nouveau titre", "desc", mods, 3, NULL, 0};
    perr err = {{0}};
    assert_int_equal(path_update(fx->s, id, &in, NULL, &err), PATHS_OK);
    json_t *p = path_get(fx->s, id);
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Nouveau titre");
    assert_int_equal(json_array_size(json_object_get(p, "modules")), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(p, "modules"), 0), "id")), "m5");
    assert_int_equal(json_array_size(json_object_get(p, "targets")), 0);
    json_decref(p);
    /* an update with an archived module changes nothing */
    const char *bad[] = {"m4"};
    path_input in2 = {"X", "", bad, 1, NULL, 0};
    assert_int_equal(path_update(fx->s, id, &in2, NULL, &err), PATHS_INVALID);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM path_modules"), 3);
    assert_int_equal(path_update(fx->s, id + 50, &in, NULL, &err), PATHS_NOT_FOUND);
    /* copy */
    long long copy = 0;
    assert_int_equal(path_copy(fx->s, id, fx->hr, "Copie", &copy, &err), PATHS_OK);
    assert_true(copy != id);
    p = path_get(fx->s, copy);
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Copie");
    assert_string_equal(json_string_value(json_object_get(p, "description")), "desc");
    assert_int_equal(json_integer_value(json_object_get(p, "copied_from")), id);
    assert_int_equal(json_integer_value(json_object_get(p, "owner_id")), fx->hr);
    assert_int_equal(json_array_size(json_object_get(p, "modules")), 3);
    json_decref(p);
    assert_int_equal(path_copy(fx->s, id + 50, fx->hr, "Copie", &copy, &err), PATHS_NOT_FOUND);
    size_t nt = 0;
    path_target *t = path_targets(fx->s, make_path(fx), &nt);
    assert_int_equal(nt, 1);
    assert_int_equal(t[0].level, 3);
    free(t);
}

static void test_module_choices(void **state) {
    fixture *fx = *state;
    json_t *c = path_module_choices(fx->s);
    assert_int_equal(json_array_size(c), 4); /* m4 archived */
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "course_title")), "Cours");
    json_decref(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_targets_parse),
        cmocka_unit_test_setup_teardown(test_create_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_and_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_module_choices, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
