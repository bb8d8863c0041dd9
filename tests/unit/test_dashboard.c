/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for paths/dashboard: per-assignment completion, overdue count, time spent,
 * burndown and agent order; the manager scope filter; per-agent totals; an agent's own
 * assignments with the next module. */
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

static long long assign_svc_and_b1(fixture *fx, long long path) {
    account *hr = load(fx, fx->hr);
    long long users[] = {fx->b1}, id = 0;
    assign_input in = {.path_id = path, .users = users, .nusers = 1, .unit_id = fx->svc, .due_on = DUE};
    perr err = {{0}};
    assert_int_equal(assign_create(fx->s, hr, &in, NOW, &id, NULL, &err), PATHS_OK);
    account_free(hr);
    return id;
}

static json_t *agent_of(json_t *d, long long uid) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(d, "agents"), i, a) if (json_integer_value(json_object_get(a, "id")) == uid) return a;
    return NULL;
}

static long long num(json_t *o, const char *k) {
    return json_integer_value(json_object_get(o, k));
}

static void test_assignment_progress(void **state) {
    fixture *fx = *state;
    long long id = assign_svc_and_b1(fx, make_path(fx));
    pass_module(fx->s, fx->a1, "m1", NOW + 86400 + 10);      /* day 1 */
    pass_module(fx->s, fx->a1, "m1", NOW + 3 * 86400);       /* a second pass counts once */
    pass_module(fx->s, fx->a1, "m2", NOW + 2 * 86400 + 10);  /* day 2 */
    pass_module(fx->s, fx->a2, "m2", NOW + 2 * 86400 + 20);  /* day 2 */
    pass_module(fx->s, fx->b1, "m5", NOW + 10);              /* not in the path */
    perr err = {{0}};
    json_t *d = dashboard_assignment(fx->s, id, 0, NOW + 5 * 86400, 0, -1, &err);
    assert_non_null(d);
    json_t *sum = json_object_get(d, "summary");
    assert_int_equal(num(sum, "agents"), 3);
    assert_int_equal(num(sum, "completed"), 1);
    assert_int_equal(num(sum, "in_progress"), 1);
    assert_int_equal(num(sum, "not_started"), 1);
    assert_int_equal(num(sum, "overdue"), 0);
    assert_int_equal(num(sum, "modules_total"), 6);
    assert_int_equal(num(sum, "modules_done"), 3);
    assert_int_equal(num(sum, "percent"), 50);
    assert_int_equal(num(sum, "minutes"), 10 + 5 + 5);
    json_t *a1 = agent_of(d, fx->a1);
    assert_string_equal(json_string_value(json_object_get(a1, "status")), "done");
    assert_int_equal(num(a1, "percent"), 100);
    assert_int_equal(num(a1, "minutes"), 15);
    assert_string_equal(json_string_value(json_object_get(agent_of(d, fx->b1), "status")), "not_started");
    /* modules: passes per module */
    json_t *mods = json_object_get(d, "modules");
    assert_int_equal(num(json_array_get(mods, 0), "passed"), 1);
    assert_int_equal(num(json_array_get(mods, 1), "passed"), 2);
    /* burndown: 6 at day 0, 5 after day 1, 3 after day 2, up to today (day 5) */
    json_t *b = json_object_get(d, "burndown");
    json_t *pts = json_object_get(b, "points");
    assert_int_equal(json_array_size(pts), 6);
    assert_int_equal(num(json_array_get(pts, 0), "remaining"), 6);
    assert_int_equal(num(json_array_get(pts, 1), "remaining"), 5);
    assert_int_equal(num(json_array_get(pts, 2), "remaining"), 3);
    assert_int_equal(num(json_array_get(pts, 5), "remaining"), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(pts, 0), "date")), "2026-01-01");
    assert_int_equal(num(b, "due_day"), 19);
    json_decref(d);
    /* after the date: the unfinished are overdue and listed first */
    d = dashboard_assignment(fx->s, id, 0, DUE_AT + 1, 0, 2, &err);
    sum = json_object_get(d, "summary");
    assert_int_equal(num(sum, "overdue"), 2);
    assert_int_equal(num(sum, "completed"), 1);
    assert_int_equal(json_array_size(json_object_get(d, "agents")), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d, "agents"), 0), "status")),
                        "overdue");
    assert_true(json_is_true(json_object_get(json_object_get(d, "assignment"), "overdue")));
    json_decref(d);
    /* the manager's scope leaves b1 out */
    d = dashboard_assignment(fx->s, id, fx->dir, NOW, 0, -1, &err);
    assert_int_equal(num(json_object_get(d, "summary"), "agents"), 2);
    assert_null(agent_of(d, fx->b1));
    json_decref(d);
    assert_null(dashboard_assignment(fx->s, id + 40, 0, NOW, 0, -1, &err));
}

static void test_list_and_agents(void **state) {
    fixture *fx = *state;
    long long id = assign_svc_and_b1(fx, make_path(fx));
    pass_module(fx->s, fx->a1, "m1", NOW + 10);
    pass_module(fx->s, fx->a1, "m2", NOW + 20);
    account *mgr = load(fx, fx->manager), *hr = load(fx, fx->hr), *agent = load(fx, fx->a1);
    assert_int_equal(dashboard_scope(hr), 0);
    assert_int_equal(dashboard_scope(mgr), fx->dir);
    json_t *l = dashboard_list(fx->s, mgr, NOW);
    assert_int_equal(json_array_size(l), 1);
    json_t *first = json_array_get(l, 0);
    assert_int_equal(num(json_object_get(first, "assignment"), "id"), id);
    assert_int_equal(num(json_object_get(first, "summary"), "agents"), 2); /* scope */
    json_decref(l);
    l = dashboard_list(fx->s, hr, NOW);
    assert_int_equal(num(json_object_get(json_array_get(l, 0), "summary"), "agents"), 3);
    json_decref(l);
    l = dashboard_list(fx->s, agent, NOW);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
    json_t *ag = dashboard_agents(fx->s, fx->dir, DUE_AT + 1, 1, 1); /* the second one alone */
    assert_int_equal(json_array_size(ag), 1);
    assert_int_equal(num(json_array_get(ag, 0), "id"), fx->a2);
    json_decref(ag);
    ag = dashboard_agents(fx->s, fx->dir, DUE_AT + 1, 0, 100);
    assert_int_equal(json_array_size(ag), 2);
    json_t *x = json_array_get(ag, 0); /* a1@x.fr sorts first */
    assert_int_equal(num(x, "id"), fx->a1);
    assert_int_equal(num(x, "assigned"), 1);
    assert_int_equal(num(x, "completed"), 1);
    assert_int_equal(num(x, "overdue"), 0);
    assert_int_equal(num(x, "minutes"), 15);
    assert_int_equal(num(json_array_get(ag, 1), "overdue"), 1);
    json_decref(ag);
    account_free(mgr);
    account_free(hr);
    account_free(agent);
}

static void test_mine(void **state) {
    fixture *fx = *state;
    assign_svc_and_b1(fx, make_path(fx));
    pass_module(fx->s, fx->a2, "m1", NOW + 10);
    json_t *mine = dashboard_mine(fx->s, fx->a2, NOW + 15 * 86400);
    assert_int_equal(json_array_size(mine), 1);
    json_t *a = json_array_get(mine, 0);
    assert_string_equal(json_string_value(json_object_get(a, "status")), "due_soon");
    assert_int_equal(num(a, "done"), 1);
    assert_int_equal(num(a, "total"), 2);
    assert_int_equal(num(a, "percent"), 50);
    assert_int_equal(num(a, "minutes_left"), 5);
    assert_int_equal(num(a, "days_left"), 4);
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "next"), "id")), "m2");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(a, "modules"), 0), "status")),
                        "passed");
    json_decref(mine);
    mine = dashboard_mine(fx->s, fx->a2, DUE_AT + 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(mine, 0), "status")), "overdue");
    assert_int_equal(num(json_array_get(mine, 0), "days_left"), -1);
    json_decref(mine);
    mine = dashboard_mine(fx->s, fx->a2, NOW);
    assert_string_equal(json_string_value(json_object_get(json_array_get(mine, 0), "status")), "on_track");
    json_decref(mine);
    mine = dashboard_mine(fx->s, fx->manager, NOW);
    assert_int_equal(json_array_size(mine), 0);
    json_decref(mine);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_assignment_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_and_agents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mine, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
