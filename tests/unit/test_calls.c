/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for talent/calls against a real store: validation (no need, unknown competency,
 * bad level or dates), state transitions, applications (closed call refused, withdraw
 * and re-apply), decisions posted to the inbox, Markdown rendered safely. */
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
#include "people/inbox.h"
#include "skills/skills.h"
#include "talent/calls.h"
#include "talent/prospects.h"
#include "testutil.h"

typedef test_fx fx;

static int setup(void **state) {
    fx *f = test_fx_new();
    perr err = {{0}};
    if (!skills_sync_frameworks(f->t->s, "courses", &err)) return -1;
    f->hr = test_account(f->t->s, "rh@x.fr", "Rita RH", ROLE_HR | ROLE_AGENT, "fr");
    f->agent = test_account(f->t->s, "a@x.fr", "Alice", ROLE_AGENT, "en");
    *state = f;
    return 0;
}

static call_draft draft(void) {
    call_draft d;
    memset(&d, 0, sizeof d);
    d.title = "Laboratoire";
    d.description = "# Titre\nDu **gras** <script>alert(1)</script> [x](javascript:alert(1))";
    d.opens_on = clock_now() - 86400;
    d.closes_on = clock_now() + 10 * 86400;
    snprintf(d.needs[0].code, sizeof d.needs[0].code, "CRCN-1.1");
    d.needs[0].min_level = 3;
    d.needs[0].weight = 2;
    d.nneeds = 1;
    return d;
}

static void validation(void **state) {
    fx *f = *state;
    perr err = {{0}};
    long long id = 0;
    call_draft d = draft();
    d.nneeds = 0;
    assert_false(calls_create(f->t->s, f->hr, &d, &id, &err));
    assert_string_equal(err.msg, "talent.call_no_need");
    d = draft();
    snprintf(d.needs[0].code, sizeof d.needs[0].code, "NOPE");
    assert_false(calls_create(f->t->s, f->hr, &d, &id, &err));
    assert_string_equal(err.msg, "talent.unknown_competency");
    d = draft();
    d.needs[0].min_level = 9;
    assert_false(calls_create(f->t->s, f->hr, &d, &id, &err));
    assert_string_equal(err.msg, "talent.bad_level");
    d = draft();
    d.closes_on = d.opens_on - 86400;
    assert_false(calls_create(f->t->s, f->hr, &d, &id, &err));
    assert_string_equal(err.msg, "talent.call_bad_dates");
    d = draft();
    d.title = "";
    assert_false(calls_create(f->t->s, f->hr, &d, &id, &err));
    assert_int_equal(test_count(f->t->s, "SELECT count(*) FROM calls"), 0);
}

static void flow(void **state) {
    fx *f = *state;
    perr err = {{0}};
    long long id = 0;
    call_draft d = draft();
    assert_true(calls_create(f->t->s, f->hr, &d, &id, &err));
    json_t *c = calls_get(f->t->s, id, "fr", &err);
    assert_string_equal(json_string_value(json_object_get(c, "state")), "draft");
    const char *html = json_string_value(json_object_get(c, "description_html"));
    assert_non_null(strstr(html, "<strong>gras</strong>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "javascript:"));
    assert_null(strstr(html, "<h1"));
    json_decref(c);
    /* a draft takes no application */
    assert_false(calls_apply(f->t->s, id, f->agent, "hello", &err));
    assert_string_equal(err.msg, "talent.call_not_found");
    assert_false(calls_set_state(f->t->s, id, "closed", &err));
    assert_string_equal(err.msg, "talent.call_bad_state");
    assert_true(calls_set_state(f->t->s, id, "open", &err));
    assert_false(calls_apply(f->t->s, id, f->agent, "moti\xE2\x80\xAE" "vée", &err)); /* a bidi override */
    assert_string_equal(err.msg, "talent.bad_text");
    assert_true(calls_apply(f->t->s, id, f->agent, "motivée", &err));
    assert_false(calls_apply(f->t->s, id, f->agent, "again", &err));
    assert_string_equal(err.msg, "talent.already_applied");
    assert_true(calls_withdraw(f->t->s, id, f->agent, &err));
    /* withdrawn: no motivation kept, not shown to the owner (so never scored) */
    json_t *gone = calls_applications(f->t->s, id, &err);
    assert_int_equal(json_array_size(gone), 0);
    json_decref(gone);
    store_query *st = NULL;
    st = store_prepare(f->t->s, "SELECT motivation FROM applications WHERE call_id = ? AND user_id = ?", NULL);
    store_bind_int64(st, 1, id);
    store_bind_int64(st, 2, f->agent);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text_or_null(st, 0), "");
    store_finalize(st);
    assert_false(calls_withdraw(f->t->s, id, f->agent, &err));
    assert_false(calls_decide(f->t->s, id, f->agent, "shortlisted", &err));
    assert_string_equal(err.msg, "talent.not_applied");
    assert_true(calls_apply(f->t->s, id, f->agent, "de retour", &err));
    assert_false(calls_decide(f->t->s, id, f->agent, "hired", &err));
    assert_string_equal(err.msg, "talent.bad_decision");
    assert_true(calls_decide(f->t->s, id, f->agent, "shortlisted", &err));
    json_t *inbox = inbox_list(f->t->s, f->agent, false, 10);
    assert_int_equal(json_array_size(inbox), 1);
    json_t *m = json_array_get(inbox, 0);
    assert_string_equal(json_string_value(json_object_get(m, "key")), "talent.inbox.shortlisted");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "args"), 0)), "Laboratoire");
    json_decref(inbox);
    json_t *apps = calls_applications(f->t->s, id, &err);
    assert_int_equal(json_array_size(apps), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(apps, 0), "state")), "shortlisted");
    json_decref(apps);
    talent_query q;
    assert_true(calls_query(f->t->s, id, &q, &err));
    assert_int_equal(q.nneeds, 1);
    assert_int_equal(q.needs[0].weight, 2);
    assert_true(calls_set_state(f->t->s, id, "closed", &err));
    long long other = 0;
    assert_true(account_create(f->t->s, "b@x.fr", "Bruno", 0, ROLE_AGENT, "fr", NULL, &other, &err));
    assert_false(calls_apply(f->t->s, id, other, "late", &err));
    assert_string_equal(err.msg, "talent.call_closed");
    assert_true(calls_set_state(f->t->s, id, "archived", &err));
    assert_false(calls_set_state(f->t->s, id, "open", &err));
    json_t *open = calls_list(f->t->s, "open", 0, "fr", &err);
    assert_int_equal(json_array_size(open), 0);
    json_decref(open);
}

static void dates_bound_applications(void **state) {
    fx *f = *state;
    perr err = {{0}};
    long long id = 0;
    call_draft d = draft();
    d.opens_on = clock_now() + 5 * 86400;
    d.closes_on = clock_now() + 9 * 86400;
    assert_true(calls_create(f->t->s, f->hr, &d, &id, &err));
    assert_true(calls_set_state(f->t->s, id, "open", &err));
    assert_false(calls_apply(f->t->s, id, f->agent, "too early", &err));
    assert_string_equal(err.msg, "talent.call_closed");
    json_t *c = calls_get(f->t->s, id, "en", &err);
    assert_false(json_is_true(json_object_get(c, "accepting")));
    json_decref(c);
}

/* Prospects: shortlisting works in any state, inviting needs an open call and tells the
 * agent once; the list reads back both marks. */
static void prospects(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    perr err = {{0}};
    call_draft d = draft();
    long long id = 0;
    assert_true(calls_create(s, f->hr, &d, &id, &err));
    assert_true(prospects_mark(s, id, f->agent, "shortlist", clock_now(), &err));
    assert_false(prospects_mark(s, id, f->agent, "invite", clock_now(), &err)); /* a draft */
    assert_string_equal(err.msg, "talent.prospect.not_open");
    assert_false(prospects_mark(s, id, f->agent, "hire", clock_now(), &err));
    assert_string_equal(err.msg, "talent.prospect.bad_action");
    assert_false(prospects_mark(s, 987654, f->agent, "shortlist", clock_now(), &err));
    assert_string_equal(err.msg, "talent.call_not_found");
    assert_true(calls_set_state(s, id, "open", &err));
    assert_true(prospects_mark(s, id, f->agent, "invite", 1700000000, &err));
    assert_true(prospects_mark(s, id, f->agent, "invite", 1700009999, &err)); /* again: nothing more */
    assert_int_equal(test_count(s, "SELECT count(*) FROM inbox WHERE msg_key = 'talent.inbox.invited'"), 1);
    json_t *list = prospects_list(s, id, &err);
    assert_int_equal(json_array_size(list), 1);
    json_t *p = json_array_get(list, 0);
    assert_true(json_is_true(json_object_get(p, "shortlisted")));
    assert_true(json_is_true(json_object_get(p, "invited")));
    assert_int_equal(json_integer_value(json_object_get(p, "invited_at")), 1700000000); /* the first invitation */
    assert_string_equal(json_string_value(json_object_get(p, "name")), "Alice");
    json_decref(list);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(validation, setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(flow, setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(prospects, setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(dates_bound_applications, setup, test_fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
