/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for paths/recommend: the gap between verified and target levels and the modules
 * that close it (live, not passed, own language first, shortest first). */
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

static const char *mod_id(json_t *r, size_t i) {
    return json_string_value(json_object_get(json_array_get(json_object_get(r, "modules"), i), "id"));
}

static void test_gap_and_modules(void **state) {
    fixture *fx = *state;
    path_target t[] = {{"CRCN-4.1", 3}, {"CRCN-1.1", 2}};
    json_t *r = recommend_modules(fx->s, fx->a1, t, 2, "fr");
    json_t *gaps = json_object_get(r, "gaps");
    assert_int_equal(json_array_size(gaps), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(gaps, 0), "verified")), 0);
    /* fr first (m2 5 min closes, m1 10 min does not close 4.1@3 but m5 20 min closes 1.1@2), then en m3;
     * m4 is archived */
    assert_int_equal(json_array_size(json_object_get(r, "modules")), 4);
    assert_string_equal(mod_id(r, 0), "m2");
    assert_string_equal(mod_id(r, 1), "m5");
    assert_string_equal(mod_id(r, 2), "m1");
    assert_string_equal(mod_id(r, 3), "m3");
    assert_true(json_is_false(json_object_get(json_array_get(json_object_get(r, "modules"), 2), "closes")));
    json_decref(r);
    /* in English, the English module comes first */
    r = recommend_modules(fx->s, fx->a1, t, 1, "en");
    assert_string_equal(mod_id(r, 0), "m3");
    json_decref(r);
}

static void test_verified_level_narrows(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    assert_true(evidence_add(fx->s, fx->a1, "CRCN-4.1", 2, EVIDENCE_MEASURED, "module:m1@x", 0, NULL, &err));
    assert_true(evidence_add(fx->s, fx->a1, "CRCN-1.1", 3, EVIDENCE_DECLARED, "self", 0, NULL, &err));
    pass_module(fx->s, fx->a1, "m2", 1000);
    path_target t[] = {{"CRCN-4.1", 3}, {"CRCN-1.1", 2}};
    json_t *r = recommend_modules(fx->s, fx->a1, t, 2, "fr");
    /* 4.1: verified 2, level-2 module m1 no longer helps, m2 passed already: only m3 (en);
     * 1.1: declared evidence does not count, m5 still recommended */
    assert_int_equal(json_array_size(json_object_get(r, "gaps")), 2);
    assert_int_equal(json_array_size(json_object_get(r, "modules")), 2);
    assert_string_equal(mod_id(r, 0), "m5");
    assert_string_equal(mod_id(r, 1), "m3");
    json_decref(r);
    /* no gap, nothing recommended */
    assert_true(evidence_add(fx->s, fx->a1, "CRCN-4.1", 3, EVIDENCE_ATTESTED, "manager", fx->manager, NULL, &err));
    r = recommend_modules(fx->s, fx->a1, t, 1, "fr");
    assert_int_equal(json_array_size(json_object_get(r, "gaps")), 0);
    assert_int_equal(json_array_size(json_object_get(r, "modules")), 0);
    json_decref(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gap_and_modules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verified_level_narrows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
