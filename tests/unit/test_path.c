/* SPDX-License-Identifier: EUPL-1.2 */
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

#include "paths_fixture.h"

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
