/* Tests for talent/privacy against a real store: the export holds the agent's rows of
 * every table; erasure removes personal data, withdraws applications, ends sessions,
 * keeps the audit (events kept, details scrubbed) and revokes credentials when the
 * badges tables exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/badges.h"
#include "core/clock.h"
#include "people/account.h"
#include "people/audit.h"
#include "people/inbox.h"
#include "people/session.h"
#include "skills/evidence.h"
#include "skills/skills.h"
#include "talent/calls.h"
#include "talent/privacy.h"
#include "talent/profile.h"
#include "testutil.h"

typedef struct fx {
    test_db *t;
    badges_ctx *bc;
    long long hr, agent, call;
} fx;

static long long count(store *s, const char *sql, long long id) {
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL);
    sqlite3_bind_int64(st, 1, id);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->t = test_db_open();
    store *s = f->t->s;
    perr err = {{0}};
    if (!skills_sync_frameworks(s, "courses", &err)) return -1;
    f->bc = badges_ctx_new(s, f->t->dir, "courses", "http://127.0.0.1:9", &err);
    if (!f->bc) return -1;
    if (!account_create(s, "rh@x.fr", "Rita RH", 0, ROLE_HR, "fr", NULL, &f->hr, &err)) return -1;
    if (!account_create(s, "alice@x.fr", "Alice Martin", 0, ROLE_AGENT, "fr", NULL, &f->agent, &err)) return -1;
    if (!evidence_add(s, f->agent, "CRCN-1.1", 3, EVIDENCE_MEASURED, "test", 0, NULL, &err)) return -1;
    if (!evidence_add(s, f->agent, "CRCN-2.1", 2, EVIDENCE_DECLARED, "test", 0, NULL, &err)) return -1;
    if (!profile_save(s, f->agent, "Ma bio", "vidéo", "français", true, &err)) return -1;
    if (!profile_set_visibility(s, f->agent, TALENT_VISIBLE_HR, &err)) return -1;
    if (!profile_log_view(s, f->hr, f->agent, "search", 0, &err)) return -1;
    call_draft d;
    memset(&d, 0, sizeof d);
    d.title = "Appel";
    d.opens_on = clock_now() - 86400;
    d.closes_on = clock_now() + 86400;
    snprintf(d.needs[0].code, sizeof d.needs[0].code, "CRCN-1.1");
    d.needs[0].min_level = 2;
    d.needs[0].weight = 1;
    d.nneeds = 1;
    if (!calls_create(s, f->hr, &d, &f->call, &err) || !calls_set_state(s, f->call, "open", &err)) return -1;
    if (!calls_apply(s, f->call, f->agent, "Très motivée", &err)) return -1;
    if (!calls_decide(s, f->call, f->agent, "contacted", &err)) return -1;
    if (!audit_add(s, f->hr, "user.update", "user", f->agent, "alice@x.fr renamed")) return -1;
    char sql[512]; /* a positioning test with one answer, and a re-check */
    snprintf(sql, sizeof sql,
             "INSERT INTO positioning_tests(id, user_id, kind, seed, started_at) VALUES (77, %lld, 'positioning', 1, 1);"
             "INSERT INTO positioning_responses VALUES (77, 0, 'c11-x', 'CRCN-1.1', 'fr', '{\"q1\":2}', 1, 1);"
             "INSERT INTO rechecks(user_id, competency, level, evidence_at, stale_at, created_at)"
             " VALUES (%lld, 'CRCN-1.1', 3, 1, 2, 1);", f->agent, f->agent);
    if (!store_exec(s, sql, &err)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    badges_ctx_free(f->bc);
    test_db_close(f->t);
    free(f);
    return 0;
}

static void export_has_every_table(void **state) {
    fx *f = *state;
    perr err = {{0}};
    json_t *x = privacy_export(f->t->s, f->agent, &err);
    assert_non_null(x);
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "account"), "email")), "alice@x.fr");
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "profile"), "interests")), "vidéo");
    assert_int_equal(json_array_size(json_object_get(x, "evidence")), 2);
    assert_int_equal(json_array_size(json_object_get(x, "applications")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(x, "applications"), 0),
                                                          "motivation")),
                        "Très motivée");
    assert_int_equal(json_array_size(json_object_get(x, "profile_views")), 1);
    assert_int_equal(json_array_size(json_object_get(x, "inbox")), 1);
    assert_true(json_is_array(json_object_get(x, "attempts")));
    assert_int_equal(json_array_size(json_object_get(x, "positioning_tests")), 1);
    assert_int_equal(json_array_size(json_object_get(x, "positioning_answers")), 1);
    assert_int_equal(json_array_size(json_object_get(x, "rechecks")), 1);
    assert_true(json_is_array(json_object_get(x, "badges")));
    assert_true(json_array_size(json_object_get(x, "audit")) >= 3);
    json_decref(x);
    assert_null(privacy_export(f->t->s, 424242, &err));
}

static void erase_removes_personal_data(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    perr err = {{0}};
    char token[65];
    session sess;
    assert_true(session_create(s, f->agent, "127.0.0.1", "test", token, &sess, &err));
    assert_int_equal(count(s, "SELECT count(*) FROM sessions WHERE user_id = ?", f->agent), 1);
    assert_true(store_exec(s, "INSERT INTO login_failures(key, at) VALUES ('e:alice@x.fr', 1), ('e:rh@x.fr', 1)", &err));
    long long audit_before = count(s, "SELECT count(*) FROM audit WHERE ?1 = ?1", 0);
    assert_int_equal(count(s, "SELECT count(*) FROM positioning_tests WHERE user_id = ?", f->agent), 1);
    assert_true(store_begin(s, &err));
    assert_true(privacy_erase(s, f->bc, f->agent, f->agent, &err));
    assert_true(store_commit(s, &err));
    assert_int_equal(count(s, "SELECT count(*) FROM evidence WHERE user_id = ?", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM profiles WHERE user_id = ?", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM profile_views WHERE user_id = ?", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM inbox WHERE user_id = ?", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM positioning_tests WHERE user_id = ?", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM positioning_responses WHERE ?1 = ?1", 0), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM rechecks WHERE user_id = ?", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM sessions WHERE user_id = ?", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM login_failures WHERE key LIKE 'e:%' AND ?1 = ?1", 0), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM talent_text WHERE rowid = ? AND (bio <> '' OR interests <> '')", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM applications WHERE user_id = ? AND state = 'withdrawn'"
                              " AND motivation = ''", f->agent), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM users WHERE id = ? AND email LIKE 'erased-%' AND display_name = ''"
                              " AND password_hash IS NULL AND disabled_at IS NOT NULL AND visibility = 'hidden'", f->agent), 1);
    /* the audit keeps every event, without details, and records the erasure */
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE ?1 = ?1", 0), audit_before + 1);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE target_id = ? AND detail LIKE '%alice%'", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE target_id = ? AND action = 'user.update'", f->agent), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE target_id = ? AND action = 'privacy.erase'", f->agent), 1);
    /* a second erasure finds nothing */
    assert_false(privacy_erase(s, f->bc, f->agent, f->agent, &err));
    assert_string_equal(err.msg, "privacy.not_found");
}

static void erase_revokes_credentials(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    perr err = {{0}};
    badges_ctx *bc = f->bc; /* the real badges area: keys in the test folder, achievements of the repository */
    long long c1 = 0, c2 = 0, c3 = 0;
    assert_true(badges_award(s, bc, f->agent, "securite-numerique", f->hr, "test", &c1, &err));
    assert_true(badges_award(s, bc, f->agent, "donnees-personnelles", f->hr, "test", &c2, &err));
    assert_true(badges_award(s, bc, f->hr, "securite-numerique", f->hr, "test", &c3, &err));
    json_t *b = badges_export_user(s, f->agent);
    assert_int_equal(json_array_size(b), 2);
    json_decref(b);
    assert_true(store_begin(s, &err));
    assert_false(privacy_erase(s, NULL, f->agent, f->hr, &err)); /* no badges area: refused */
    assert_string_equal(err.msg, "privacy.badges_unavailable");
    assert_true(privacy_erase(s, bc, f->agent, f->hr, &err));
    assert_true(store_commit(s, &err));
    assert_int_equal(count(s, "SELECT count(*) FROM credentials WHERE user_id = ? AND revoked_at IS NOT NULL", f->agent), 2);
    assert_int_equal(count(s, "SELECT count(*) FROM credentials WHERE user_id = ? AND revoked_at IS NULL", f->hr), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(export_has_every_table, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_removes_personal_data, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_revokes_credentials, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
