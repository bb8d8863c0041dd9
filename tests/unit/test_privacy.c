/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for talent/privacy against a real store. The fixture puts a row tied to the agent
 * in every column of the schema that references users (the test fails on a column it
 * does not fill): the export must have a member for each and fail rather than give an
 * empty list; erasure must leave no row tied to the agent, keep the audit (events kept,
 * details scrubbed) and revoke credentials. */
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
#include "people/throttle.h"
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
    store_query *st = NULL;
    st = store_prepare(s, sql, NULL);
    store_bind_int64(st, 1, id);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_finalize(st);
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
    if (!profile_log_view(s, f->hr, f->agent, "search", 0, NULL, &err)) return -1;
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
    /* a row tied to the agent in every other table that holds a user id */
    long long cred = 0, awarded = 0;
    if (!badges_award(s, f->bc, f->agent, "securite-numerique", f->hr, "Alice Martin a brillé", &cred, &err)) return -1;
    if (!badges_award(s, f->bc, f->hr, "securite-numerique", f->agent, "attribué en atelier", &awarded, &err)) return -1;
    if (!evidence_add(s, f->hr, "CRCN-1.1", 2, EVIDENCE_ATTESTED, "attestation", f->agent, "vu par Alice", &err)) return -1;
    if (!profile_log_view(s, f->agent, f->hr, "direct", 0, NULL, &err)) return -1;
    char token[65];
    session sess;
    if (!session_create(s, f->agent, "192.0.2.7", "Firefox Alice", token, &sess, &err)) return -1;
    char sql[4096];
    snprintf(sql, sizeof sql,
             "PRAGMA foreign_keys=OFF;"
             "INSERT INTO api_tokens(user_id, name, token_hash, hint, created_at) VALUES (%lld, 'cli', 'h', 'ppt_1', 1);"
             "INSERT INTO attempts(user_id, module_id, module_version, answers_json, score, passed, finished_at)"
             " VALUES (%lld, 'm1', 'v1', '{}', 1.0, 1, 1);"
             "INSERT INTO module_visits(user_id, module_id, first_at, last_at) VALUES (%lld, 'm1', 1, 2);"
             "INSERT INTO quiz_nonces(nonce, user_id, module_id, created_at) VALUES ('n1', %lld, 'm1', 1);"
             "INSERT INTO paths(id, title, owner_id, created_at, updated_at) VALUES (7, 'Parcours d''Alice', %lld, 1, 1);"
             "INSERT INTO assignments(id, path_id, assigned_by, due_on, due_at, created_at)"
             " VALUES (5, 7, %lld, '2030-01-01', 1, 1);"
             "INSERT INTO assignment_members(assignment_id, user_id, added_at) VALUES (5, %lld, 1);"
             "INSERT INTO calls(title, owner_id, opens_on, closes_on, created_at, updated_at)"
             " VALUES ('Appel d''Alice', %lld, 1, 2, 1, 1);"
             "INSERT INTO share_links(token, credential_id, created_at) VALUES ('share-alice', %lld, 1);"
             "INSERT INTO login_failures(key, at) VALUES ('e:alice@x.fr', 1), ('e:rh@x.fr', 1);"
             "INSERT INTO positioning_tests(id, user_id, kind, seed, started_at) VALUES (77, %lld, 'positioning', 1, 1);"
             "INSERT INTO positioning_responses VALUES (77, 0, 'c11-x', 'CRCN-1.1', 'fr', '{\"q1\":2}', 1, 1);"
             "INSERT INTO rechecks(user_id, competency, level, evidence_at, stale_at, created_at)"
             " VALUES (%lld, 'CRCN-1.1', 3, 1, 2, 1);"
             "INSERT INTO outbox(user_id, to_addr, locale, kind, link, state, next_at, created_at)"
             " VALUES (%lld, 'alice@x.fr', 'fr', 'reset', '/reset/secret-reset-token', 'sent', 1, 1),"
             " (NULL, 'Alice@X.fr', 'fr', 'invitation', '/invite/secret-invite-token', 'queued', 1, 1),"
             " (%lld, 'rh@x.fr', 'fr', 'assignment', '/me/paths', 'queued', 1, 1);"
             "INSERT INTO account_links(token_hash, user_id, purpose, created_at, expires_at)"
             " VALUES ('secret-link-hash', %lld, 'invite', 1, 2);"
             "INSERT INTO oidc_identities(issuer, subject, user_id, created_at)"
             " VALUES ('https://idp.example', 'sub-alice', %lld, 1);"
             "INSERT INTO oidc_sessions(session_hash, id_token)"
             " SELECT token_hash, 'id-token-alice' FROM sessions WHERE user_id = %lld;"
             "INSERT INTO reset_requests(email, created_at) VALUES ('alice@x.fr', 1), ('Alice@X.fr', 2), ('rh@x.fr', 3);"
             "UPDATE users SET mail_pref = 'digest' WHERE id = %lld;"
             "PRAGMA foreign_keys=ON;",
             f->agent, f->agent, f->agent, f->agent, f->agent, f->agent, f->agent, f->agent, cred, f->agent, f->agent,
             f->agent, f->hr, f->agent, f->agent, f->agent, f->agent);
    if (!store_exec(s, sql, &err)) return -1;
    snprintf(sql, sizeof sql, /* Alice shortlisted on her own call, as a prospect */
             "INSERT INTO call_prospects(call_id, user_id, shortlisted, invited_at, created_at)"
             " SELECT id, %lld, 1, NULL, 1 FROM calls WHERE title = 'Appel d''Alice';", f->agent);
    if (!store_exec(s, sql, &err)) return -1;
    throttle_fail(s, "Alice@x.fr", "192.0.2.7");
    throttle_fail(s, "rh@x.fr", "192.0.2.7");
    throttle_allow(s, THROTTLE_RESET_ACCOUNT, "alice@x.fr", 3, 3600);
    *state = f;
    return 0;
}

/* Rows of table.column equal to id. */
static long long rows_of(store *s, const char *table, const char *col, long long id) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE \"%s\" = ?", table, col);
    return count(s, sql, id);
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
    store *s = f->t->s;
    perr err = {{0}};
    /* every column referencing users is filled by the fixture and exported by a member */
    json_t *cols = privacy_user_columns(s, &err);
    assert_non_null(cols);
    assert_true(json_array_size(cols) >= 15);
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        const char *t = json_string_value(json_object_get(c, "tbl")), *col = json_string_value(json_object_get(c, "col"));
        char name[128];
        snprintf(name, sizeof name, "%s.%s", t, col);
        if (rows_of(s, t, col, f->agent) < 1) fail_msg("the fixture has no row tied to the agent in %s", name);
        if (!privacy_column_exported(name)) fail_msg("%s holds a user id and the export has no member for it", name);
    }
    json_decref(cols);
    json_t *x = privacy_export(s, f->bc, f->agent, &err);
    assert_non_null(x);
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "account"), "email")), "alice@x.fr");
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "profile"), "interests")), "vidéo");
    assert_int_equal(json_array_size(json_object_get(x, "evidence")), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(x, "applications"), 0),
                                                          "motivation")),
                        "Très motivée");
    json_t *sess = json_array_get(json_object_get(x, "sessions"), 0);
    assert_string_equal(json_string_value(json_object_get(sess, "ip")), "192.0.2.7");
    assert_string_equal(json_string_value(json_object_get(sess, "user_agent")), "Firefox Alice");
    assert_null(json_object_get(json_array_get(json_object_get(x, "api_tokens"), 0), "token_hash"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "account"), "mail_pref")), "digest");
    /* mail, links and identities: metadata, never a token or its hash */
    json_t *mail = json_object_get(x, "mail"), *m, *reset = NULL;
    json_array_foreach(mail, i, m) {
        assert_string_equal(json_string_value(json_object_get(m, "to_addr")), "alice@x.fr");
        if (!strcmp(json_string_value(json_object_get(m, "kind")), "reset")) reset = m;
    }
    assert_non_null(reset);
    assert_string_equal(json_string_value(json_object_get(reset, "state")), "sent");
    assert_string_equal(json_string_value(json_object_get(reset, "link")), "");
    json_t *link = json_array_get(json_object_get(x, "account_links"), 0);
    assert_string_equal(json_string_value(json_object_get(link, "purpose")), "invite");
    assert_true(json_is_null(json_object_get(link, "used_at")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(x, "oidc_identities"), 0),
                                                          "subject")),
                        "sub-alice");
    char *dump = json_dumps(x, JSON_COMPACT);
    assert_null(strstr(dump, "secret-"));
    assert_null(strstr(dump, "id-token-alice"));
    free(dump);
    static const char *const members[] = {"sessions", "api_tokens", "evidence", "attestations_made", "attempts",
                                          "module_visits", "quiz_forms", "assignments", "assignments_made",
                                          "paths_owned", "calls_owned", "applications", "views_made",
                                          "credentials_awarded", "share_links", "login_failures", "audit",
                                          "profile_views", "badges", "inbox", "positioning_tests",
                                          "positioning_answers", "rechecks", "mail", "account_links",
                                          "oidc_identities", "call_prospects", "reset_requests"};
    for (size_t k = 0; k < sizeof members / sizeof members[0]; k++)
        if (json_array_size(json_object_get(x, members[k])) < 1) fail_msg("export member %s is empty", members[k]);
    assert_int_equal(json_array_size(json_object_get(x, "reset_requests")), 2); /* theirs, not rh@'s */
    assert_true(json_is_object(json_object_get(x, "clr")));
    assert_int_equal(json_object_size(json_object_get(x, "other_tables")), 0);
    json_decref(x);
    assert_null(privacy_export(s, f->bc, 424242, &err));
    /* a query that fails is an error, never an empty list */
    assert_true(store_exec(s, "PRAGMA foreign_keys=OFF; DROP TABLE module_visits; PRAGMA foreign_keys=ON;", &err));
    memset(&err, 0, sizeof err);
    assert_null(privacy_export(s, f->bc, f->agent, &err));
    assert_true(err.msg[0] != '\0');
}

static void erase_removes_personal_data(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    perr err = {{0}};
    long long hr_mail = count(s, "SELECT count(*) FROM outbox WHERE user_id = ?", f->hr);
    assert_true(hr_mail >= 1);
    long long audit_before = count(s, "SELECT count(*) FROM audit WHERE ?1 = ?1", 0);
    long long audit_max = count(s, "SELECT max(id) FROM audit WHERE ?1 = ?1", 0);
    assert_true(store_begin(s, &err));
    assert_true(privacy_erase(s, f->bc, f->agent, f->agent, &err));
    assert_true(store_commit(s, &err));
    assert_true(privacy_checkpoint(s, &err));
    /* no row of any table is tied to the agent any more (the audit keeps its numbers) */
    json_t *cols = privacy_user_columns(s, &err);
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        const char *t = json_string_value(json_object_get(c, "tbl")), *col = json_string_value(json_object_get(c, "col"));
        long long n = rows_of(s, t, col, f->agent);
        if (n) fail_msg("%s.%s still has %lld rows tied to the erased agent", t, col, n);
    }
    json_decref(cols);
    assert_int_equal(count(s, "SELECT count(*) FROM login_failures WHERE key LIKE 'e:%' AND ?1 = ?1", 0), 1);
    char key[65], sql[128];
    throttle_email_key("alice@x.fr", key);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM login_throttle WHERE key = '%s' AND ?1 = ?1", key);
    assert_int_equal(count(s, sql, 0), 0);
    throttle_kind_key(THROTTLE_RESET_ACCOUNT, "alice@x.fr", key); /* their reset counter too */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM login_throttle WHERE key = '%s' AND ?1 = ?1", key);
    assert_int_equal(count(s, sql, 0), 0);
    throttle_email_key("rh@x.fr", key);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM login_throttle WHERE key = '%s' AND ?1 = ?1", key);
    assert_int_equal(count(s, sql, 0), 1); /* someone else's is kept */
    assert_int_equal(count(s, "SELECT count(*) FROM share_links WHERE ?1 = ?1", 0), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM positioning_responses WHERE ?1 = ?1", 0), 0);
    /* mail to their address is gone (also a row without user id), someone else's stays */
    assert_int_equal(count(s, "SELECT count(*) FROM outbox WHERE lower(to_addr) = 'alice@x.fr' AND ?1 = ?1", 0), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM outbox WHERE user_id = ?", f->hr), hr_mail);
    assert_int_equal(count(s, "SELECT count(*) FROM oidc_sessions WHERE ?1 = ?1", 0), 0);
    /* their reset requests (keyed by the address) are gone, someone else's stays */
    assert_int_equal(count(s, "SELECT count(*) FROM reset_requests WHERE lower(email) = 'alice@x.fr' AND ?1 = ?1", 0), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM reset_requests WHERE ?1 = ?1", 0), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM users WHERE id = ? AND mail_pref = 'each'", f->agent), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM talent_text WHERE rowid = ?", f->agent), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM talent_text WHERE talent_text MATCH 'video' AND ?1 = ?1", 0), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM credentials WHERE narrative LIKE '%Alice%' OR json LIKE '%alice%'"
                              " AND ?1 = ?1", 0), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM users WHERE id = ? AND email LIKE 'erased-%' AND display_name = ''"
                              " AND password_hash IS NULL AND disabled_at IS NOT NULL AND visibility = 'hidden'", f->agent), 1);
    /* the audit keeps every event, without details, and records the erasure */
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE id <= ?", audit_max), audit_before);
    assert_true(count(s, "SELECT count(*) FROM audit WHERE ?1 = ?1", 0) > audit_before);
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
    assert_int_equal(json_array_size(b), 3); /* with the fixture's */
    json_decref(b);
    assert_true(store_begin(s, &err));
    assert_false(privacy_erase(s, NULL, f->agent, f->hr, &err)); /* no badges area: refused */
    assert_string_equal(err.msg, "privacy.badges_unavailable");
    assert_true(privacy_erase(s, bc, f->agent, f->hr, &err));
    assert_true(store_commit(s, &err));
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM credentials WHERE id IN (%lld, %lld) AND revoked_at IS NOT NULL"
             " AND user_id IS NULL AND json = '{}' AND ?1 = ?1", c1, c2);
    assert_int_equal(count(s, sql, 0), 2);
    assert_int_equal(count(s, "SELECT count(*) FROM credentials WHERE user_id = ? AND revoked_at IS NULL", f->hr), 2);
}

/* Columns that hold a person (by name: a user id, an address) without a foreign key to
 * users escape privacy_user_columns, so neither the export nor the erasure finds them by
 * themselves: each one is reviewed here, with what is done with it. A new one fails this
 * test until it is exported and erased (or said to hold no personal data). */
static void columns_without_a_key_are_reviewed(void **state) {
    fx *f = *state;
    static const char *const reviewed[] = {
        "users.email",            /* the account itself: exported, anonymised */
        "audit.actor_id",         /* exported (audit); kept without its detail, as the design says */
        "outbox.to_addr",         /* erased by address (mail to them without their id) */
        "reset_requests.email",   /* exported and erased by address */
        "changes.user_id",        /* the caches' log: ids and times only, read by the caches */
        "talent_changes.user_id", /* the talent index's log: ids only */
        "shared_facts.set_by",    /* a server's name, not a person */
        NULL,
    };
    store_query *st = store_prepare(f->t->s,
                                    "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p"
                                    " WHERE m.type = 'table' AND (p.name LIKE '%user\\_id' ESCAPE '\\' OR p.name LIKE '%\\_by' ESCAPE '\\'"
                                    " OR p.name IN ('actor_id', 'viewer_id', 'owner_id', 'author_id', 'email', 'to_addr'))"
                                    " AND NOT EXISTS (SELECT 1 FROM pragma_foreign_key_list(m.name) k"
                                    " WHERE k.\"from\" = p.name AND k.\"table\" = 'users') ORDER BY 1",
                                    NULL);
    assert_non_null(st);
    int n = 0;
    while (store_step(st) == STORE_ROW) {
        const char *col = store_col_text(st, 0);
        bool known = false;
        for (size_t i = 0; reviewed[i]; i++) known = known || !strcmp(reviewed[i], col);
        if (!known) fail_msg("%s holds a person without a foreign key to users: export it, erase it, review it here", col);
        n++;
    }
    store_finalize(st);
    assert_true(n >= 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(export_has_every_table, setup, teardown),
        cmocka_unit_test_setup_teardown(columns_without_a_key_are_reviewed, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_removes_personal_data, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_revokes_credentials, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
