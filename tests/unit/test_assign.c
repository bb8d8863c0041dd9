/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for paths/assign: scope (manager subtree, HR anywhere), bad input writing nothing,
 * members of a unit subtree and later joiners, and the idempotent inbox notices (new,
 * due in 7 days, overdue) of paths_notify_due with an injected time. */
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

#define NOW 1767225600LL /* 2026-01-01T00:00:00Z */
#define DUE "2026-01-20"
#define DUE_AT (1767225600LL + 19 * 86400 + 86399)

static long long inbox_count(store *s, long long uid, const char *kind) {
    store_query *st = NULL;
    st = store_prepare(s, "SELECT count(*) FROM inbox WHERE user_id = ? AND kind = ?", NULL);
    store_bind_int64(st, 1, uid);
    store_bind_text(st, 2, kind);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_finalize(st);
    return n;
}

static paths_status assign(fixture *fx, long long by_id, assign_input *in, long long *id, perr *err) {
    account *by = load(fx, by_id);
    assert_true(store_begin(fx->s, NULL));
    paths_status ps = assign_create(fx->s, by, in, NOW, id, NULL, err);
    if (ps == PATHS_OK) assert_true(store_commit(fx->s, NULL));
    else store_rollback(fx->s);
    account_free(by);
    return ps;
}

static void test_assign_unit(void **state) {
    fixture *fx = *state;
    long long path = make_path(fx), id = 0;
    assign_input in = {.path_id = path, .unit_id = fx->dir, .due_on = DUE, .message = "Avant la fin du mois"};
    perr err = {{0}};
    assert_int_equal(assign(fx, fx->manager, &in, &id, &err), PATHS_OK);
    /* the manager is an agent of the direction too */
    assert_int_equal(count(fx->s, "SELECT count(*) FROM assignment_members"), 3);
    assert_int_equal(inbox_count(fx->s, fx->a1, "assignment"), 1);
    assert_int_equal(inbox_count(fx->s, fx->b1, "assignment"), 0);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM audit WHERE action = 'path.assign'"), 1);
    json_t *msgs = inbox_list(fx->s, fx->a2, false, 10);
    json_t *m = json_array_get(msgs, 0);
    assert_string_equal(json_string_value(json_object_get(m, "key")), "paths.inbox.assigned");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "args"), 0)), "Sécurité");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "args"), 1)), DUE);
    assert_string_equal(json_string_value(json_object_get(m, "link")), "/me/assignments");
    json_decref(msgs);
    assert_int_equal(assign_path(fx->s, id), path);
    assert_int_equal(assign_path(fx->s, id + 9), 0);
}

static void test_scope_and_bad_input(void **state) {
    fixture *fx = *state;
    long long path = make_path(fx), id = 0;
    perr err = {{0}};
    long long outside[] = {fx->a1, fx->b1};
    assign_input in = {.path_id = path, .users = outside, .nusers = 2, .due_on = DUE};
    /* agents out of scope answer exactly as an unknown id (docs/privacy.md, "existence") */
    assert_int_equal(assign(fx, fx->manager, &in, &id, &err), PATHS_INVALID);
    assert_string_equal(err.msg, "paths.error.user");
    long long unknown[] = {fx->a1 + 100000};
    assign_input nobody_known = {.path_id = path, .users = unknown, .nusers = 1, .due_on = DUE};
    assert_int_equal(assign(fx, fx->manager, &nobody_known, &id, &err), PATHS_INVALID);
    assert_string_equal(err.msg, "paths.error.user");
    assign_input unit_out = {.path_id = path, .unit_id = fx->other, .due_on = DUE};
    assert_int_equal(assign(fx, fx->manager, &unit_out, &id, &err), PATHS_FORBIDDEN);
    assign_input unit_unknown = {.path_id = path, .unit_id = fx->other + 1000, .due_on = DUE};
    assert_int_equal(assign(fx, fx->manager, &unit_unknown, &id, &err), PATHS_FORBIDDEN); /* as out of scope */
    assert_string_equal(err.msg, "paths.error.scope");
    assert_int_equal(assign(fx, fx->hr, &unit_unknown, &id, &err), PATHS_INVALID);
    assert_string_equal(err.msg, "paths.error.unit");
    assign_input past = {.path_id = path, .unit_id = fx->svc, .due_on = "2025-12-31"};
    assert_int_equal(assign(fx, fx->manager, &past, &id, &err), PATHS_INVALID);
    assert_string_equal(err.msg, "paths.error.due");
    assign_input bad_date = {.path_id = path, .unit_id = fx->svc, .due_on = "2026-02-30"};
    assert_int_equal(assign(fx, fx->manager, &bad_date, &id, &err), PATHS_INVALID);
    assign_input nobody = {.path_id = path, .due_on = DUE};
    assert_int_equal(assign(fx, fx->manager, &nobody, &id, &err), PATHS_INVALID);
    assert_string_equal(err.msg, "paths.error.nobody");
    assign_input no_path = {.path_id = path + 7, .unit_id = fx->svc, .due_on = DUE};
    assert_int_equal(assign(fx, fx->manager, &no_path, &id, &err), PATHS_NOT_FOUND);
    long long hr_user[] = {fx->hr}; /* not an agent */
    assign_input not_agent = {.path_id = path, .users = hr_user, .nusers = 1, .due_on = DUE};
    assert_int_equal(assign(fx, fx->hr, &not_agent, &id, &err), PATHS_INVALID);
    assert_string_equal(err.msg, "paths.error.user");
    /* nothing written by any refusal */
    assert_int_equal(count(fx->s, "SELECT count(*) FROM assignments"), 0);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM assignment_members"), 0);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM inbox"), 0);
    /* today is still allowed; HR assigns anywhere */
    assign_input today = {.path_id = path, .users = outside, .nusers = 2, .due_on = "2026-01-01"};
    assert_int_equal(assign(fx, fx->hr, &today, &id, &err), PATHS_OK);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM assignment_members"), 2);
    /* a plain agent has no scope */
    account *agent = load(fx, fx->a1);
    assert_false(assign_unit_in_scope(fx->s, agent, fx->svc));
    account_free(agent);
}

static void test_visibility(void **state) {
    fixture *fx = *state;
    long long path = make_path(fx), id = 0;
    perr err = {{0}};
    long long users[] = {fx->b1};
    assign_input in = {.path_id = path, .users = users, .nusers = 1, .due_on = DUE};
    assert_int_equal(assign(fx, fx->hr, &in, &id, &err), PATHS_OK);
    account *mgr = load(fx, fx->manager), *hr = load(fx, fx->hr), *agent = load(fx, fx->a1);
    assert_false(assign_visible(fx->s, mgr, id)); /* b1 is outside the direction */
    assert_true(assign_visible(fx->s, hr, id));
    assert_false(assign_visible(fx->s, agent, id));
    long long mine[] = {fx->a1};
    assign_input in2 = {.path_id = path, .users = mine, .nusers = 1, .due_on = DUE};
    long long id2 = 0;
    assert_int_equal(assign(fx, fx->hr, &in2, &id2, &err), PATHS_OK);
    assert_true(assign_visible(fx->s, mgr, id2)); /* a1 is in the direction's subtree */
    account_free(mgr);
    account_free(hr);
    account_free(agent);
}

static void test_notices(void **state) {
    fixture *fx = *state;
    long long path = make_path(fx), id = 0;
    perr err = {{0}};
    assign_input in = {.path_id = path, .unit_id = fx->svc, .include_later = true, .due_on = DUE};
    assert_int_equal(assign(fx, fx->manager, &in, &id, &err), PATHS_OK);
    int posted = -1;
    /* nothing to do yet: no write, nothing posted */
    assert_true(paths_notify_due(fx->s, NOW + 3600, &posted, &err));
    assert_int_equal(posted, 0);
    /* a later joiner is added and told */
    long long a3 = user(fx->s, "a3@x.fr", fx->svc, ROLE_AGENT);
    assert_true(paths_notify_due(fx->s, NOW + 7200, &posted, &err));
    assert_int_equal(posted, 1);
    assert_int_equal(inbox_count(fx->s, a3, "assignment"), 1);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM assignment_members"), 3);
    /* a1 finishes; three days before the date the others get "due soon", once */
    pass_module(fx->s, fx->a1, "m1", NOW + 100);
    pass_module(fx->s, fx->a1, "m2", NOW + 200);
    assert_true(paths_notify_due(fx->s, DUE_AT - 3 * 86400, &posted, &err));
    assert_int_equal(posted, 2);
    assert_int_equal(inbox_count(fx->s, fx->a1, "due_soon"), 0);
    assert_int_equal(inbox_count(fx->s, fx->a2, "due_soon"), 1);
    assert_int_equal(inbox_count(fx->s, a3, "due_soon"), 1);
    assert_true(paths_notify_due(fx->s, DUE_AT - 2 * 86400, &posted, &err));
    assert_int_equal(posted, 0);
    /* after the date: "overdue", once, not to who finished */
    pass_module(fx->s, a3, "m1", DUE_AT - 1000);
    pass_module(fx->s, a3, "m2", DUE_AT - 900);
    assert_true(paths_notify_due(fx->s, DUE_AT + 1, &posted, &err));
    assert_int_equal(posted, 1);
    assert_int_equal(inbox_count(fx->s, fx->a2, "overdue"), 1);
    assert_int_equal(inbox_count(fx->s, a3, "overdue"), 0);
    assert_true(paths_notify_due(fx->s, DUE_AT + 86400, &posted, &err));
    assert_int_equal(posted, 0);
    /* a joiner after the due date is not added */
    user(fx->s, "a4@x.fr", fx->svc, ROLE_AGENT);
    assert_true(paths_notify_due(fx->s, DUE_AT + 2 * 86400, &posted, &err));
    assert_int_equal(posted, 0);
    assert_int_equal(count(fx->s, "SELECT count(*) FROM assignment_members"), 3);
}

static void test_near_due_no_double_notice(void **state) {
    fixture *fx = *state;
    long long path = make_path(fx), id = 0;
    perr err = {{0}};
    long long users[] = {fx->a1};
    assign_input in = {.path_id = path, .users = users, .nusers = 1, .due_on = "2026-01-04"};
    assert_int_equal(assign(fx, fx->manager, &in, &id, &err), PATHS_OK);
    int posted = -1;
    assert_true(paths_notify_due(fx->s, NOW + 60, &posted, &err));
    assert_int_equal(posted, 0);
    assert_int_equal(inbox_count(fx->s, fx->a1, "assignment"), 1);
    assert_int_equal(inbox_count(fx->s, fx->a1, "due_soon"), 0);
}

/* The assign form's list: the agents in the manager's subtree only, narrowed to a unit
 * or a piece of name or e-mail; HR sees everyone; a unit outside the scope lists no one. */
static void test_candidates(void **state) {
    fixture *fx = *state;
    account *m = load(fx, fx->manager), *hr = load(fx, fx->hr);
    json_t *l = assign_candidates(fx->s, m, 0, NULL, NULL);
    assert_int_equal(json_array_size(l), 3); /* the manager (an agent too), a1, a2; not b1 */
    json_decref(l);
    l = assign_candidates(fx->s, m, fx->svc, "A2@", NULL);
    assert_int_equal(json_array_size(l), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 0), "id")), fx->a2);
    json_decref(l);
    l = assign_candidates(fx->s, m, fx->other, NULL, NULL);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
    l = assign_candidates(fx->s, hr, 0, "b1", NULL);
    assert_int_equal(json_array_size(l), 1);
    json_decref(l);
    account_free(m);
    account_free(hr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_assign_unit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_candidates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope_and_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_near_due_no_double_notice, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
