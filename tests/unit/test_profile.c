/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for talent/profile against a real store: hidden by default, saving the profile,
 * visibility changes recorded in the audit, profile views logged and listed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "people/account.h"
#include "talent/profile.h"
#include "testutil.h"

typedef test_fx fx;

static int setup(void **state) {
    fx *f = test_fx_new();
    f->hr = test_account(f->t->s, "rh@x.fr", "Rita RH", ROLE_HR, "fr");
    f->agent = test_account(f->t->s, "a@x.fr", "Alice", ROLE_AGENT, "fr");
    *state = f;
    return 0;
}

static void hidden_by_default_and_saved(void **state) {
    fx *f = *state;
    perr err = {{0}};
    assert_int_equal(profile_visibility(f->t->s, f->agent), TALENT_HIDDEN);
    json_t *p = profile_get(f->t->s, f->agent, &err);
    assert_string_equal(json_string_value(json_object_get(p, "visibility")), "hidden");
    assert_false(json_is_true(json_object_get(p, "available")));
    json_decref(p);
    assert_true(profile_save(f->t->s, f->agent, "Bio", "données", "français", true, &err));
    p = profile_get(f->t->s, f->agent, &err);
    assert_string_equal(json_string_value(json_object_get(p, "bio")), "Bio");
    assert_string_equal(json_string_value(json_object_get(p, "interests")), "données");
    assert_true(json_is_true(json_object_get(p, "available")));
    json_decref(p);
    char big[PROFILE_MAX_BIO + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_false(profile_save(f->t->s, f->agent, big, "", "", false, &err));
    assert_string_equal(err.msg, "talent.profile_too_long");
    assert_false(profile_save(f->t->s, f->agent, "\xff\xfe", "", "", false, &err));
    assert_string_equal(err.msg, "talent.bad_text");
}

static void visibility_is_audited(void **state) {
    fx *f = *state;
    perr err = {{0}};
    assert_true(profile_set_visibility(f->t->s, f->agent, TALENT_VISIBLE_ALL, &err));
    assert_int_equal(profile_visibility(f->t->s, f->agent), TALENT_VISIBLE_ALL);
    assert_int_equal(test_count(f->t->s, "SELECT count(*) FROM audit WHERE action = 'profile.visibility'"
                                    " AND detail = 'hidden -> all'"),
                     1);
    talent_visibility v;
    assert_false(talent_visibility_parse("public", &v));
    assert_true(talent_visibility_parse("hr", &v));
    assert_int_equal(v, TALENT_VISIBLE_HR);
}

static void views_are_logged_and_listed(void **state) {
    fx *f = *state;
    perr err = {{0}};
    assert_true(profile_log_view(f->t->s, f->hr, f->agent, "search", 0, NULL, &err));
    assert_true(profile_log_view(f->t->s, f->hr, f->agent, "direct", 0, NULL, &err));
    json_t *v = profile_views(f->t->s, f->agent, 10);
    assert_int_equal(json_array_size(v), 2);
    json_t *first = json_array_get(v, 0);
    assert_string_equal(json_string_value(json_object_get(first, "viewer")), "Rita RH");
    assert_string_equal(json_string_value(json_object_get(first, "context")), "direct");
    json_decref(v);
    assert_int_equal(test_count(f->t->s, "SELECT count(*) FROM audit WHERE action = 'profile.view'"), 2);
    assert_false(profile_log_view(f->t->s, f->hr, f->agent, "gossip", 0, NULL, &err));
    v = profile_views(f->t->s, f->hr, 10);
    assert_int_equal(json_array_size(v), 0);
    json_decref(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hidden_by_default_and_saved, setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(visibility_is_audited, setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(views_are_logged_and_listed, setup, test_fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
