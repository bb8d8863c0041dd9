/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for store/changelog and the triggers of migrations 16, 19 and 24: a write voids the
 * entries of the agent it touches and no other's, and of that agent only the entries that
 * show its scope (learning, evidence; learning of its module) or everything; a change for everyone voids all; a commit by
 * another connection (another process: the command line) is seen at the next sync; an
 * entry stamped before a change stays void even when stored after the sync that read it;
 * a process that fell behind the log's pruning voids everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "store/changelog.h"
#include "testutil.h"

/* Writes of agent 1's data: a self-assessment, a failed attempt on module M. */
#define EVIDENCE_1 "INSERT INTO evidence(user_id, competency_id, level, kind, created_at) VALUES (1, 1, 2, 'declared', 0)"
#define ATTEMPT_1(M)                                                                              \
    "INSERT INTO attempts(user_id, module_id, module_version, answers_json, score, passed, finished_at)" \
    " VALUES (1, '" M "', 'v', '{}', 0, 0, 0)"

/* Two accounts, ids 1 and 2. */
static void two_users(store *s) {
    assert_true(store_exec(s,
                           "INSERT INTO users(id, email, display_name, created_at) VALUES"
                           " (1, 'a@x.test', 'A', 0), (2, 'b@x.test', 'B', 0)",
                           NULL));
}

static void inbox_for(store *s, int uid) {
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO inbox(user_id, kind, msg_key, created_at) VALUES (%d, 'k', 'm', 0)", uid);
    assert_true(store_exec(s, sql, NULL));
}

/* The fixture of the tests of voiding: a database with two_users, a log synced once and
 * the stamp of an entry read then. */
typedef struct fx {
    test_db *t;
    changelog *l;
    long long stamp;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->t = test_db_open();
    two_users(f->t->s);
    f->l = changelog_new(f->t->s, NULL);
    if (!f->l || !changelog_sync(f->l)) return -1;
    f->stamp = changelog_stamp(f->l);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    changelog_free(f->l);
    test_db_close(f->t);
    free(f);
    return 0;
}

/* Runs the write sql on s, syncing l before and after; returns the stamp from before it. */
static long long logged(store *s, changelog *l, const char *sql) {
    assert_true(changelog_sync(l));
    long long stamp = changelog_stamp(l);
    assert_true(store_exec(s, sql, NULL));
    assert_true(changelog_sync(l));
    return stamp;
}

static void test_by_key(void **state) {
    fx *f = *state;
    test_db *t = f->t;
    changelog *l = f->l;
    long long stamp = f->stamp;
    assert_true(changelog_current(l, 1, stamp));
    assert_true(changelog_current(l, 2, stamp));
    inbox_for(t->s, 1); /* agent 1's write */
    assert_true(changelog_current(l, 1, stamp)); /* not before a sync */
    assert_true(changelog_sync(l));
    assert_false(changelog_current(l, 1, stamp)); /* voided */
    assert_true(changelog_current(l, 2, stamp));  /* agent 2's entries intact */
    long long later = changelog_stamp(l);
    assert_true(later > stamp);
    assert_true(changelog_current(l, 1, later)); /* an entry read after the write serves */
    /* a change of an account (roles, disabled, locale...) is one too */
    assert_true(store_exec(t->s, "UPDATE users SET roles = 3 WHERE id = 2", NULL));
    assert_true(changelog_sync(l));
    assert_false(changelog_current(l, 2, later));
    assert_true(changelog_current(l, 1, later));
}

static void test_everyone(void **state) {
    fx *f = *state;
    test_db *t = f->t;
    changelog *l = f->l;
    long long stamp = f->stamp;
    /* a unit (shared by everyone's pages) and a renamed person void every entry */
    assert_true(store_exec(t->s, "INSERT INTO units(name, created_at) VALUES ('u', 0)", NULL));
    assert_true(changelog_sync(l));
    assert_false(changelog_current(l, 1, stamp));
    assert_false(changelog_current(l, 2, stamp));
    stamp = changelog_stamp(l);
    assert_true(store_exec(t->s, "UPDATE users SET display_name = 'A2' WHERE id = 1", NULL));
    assert_true(changelog_sync(l));
    assert_false(changelog_current(l, 2, stamp));
    /* the idle-time refresh of a session is not a change */
    stamp = changelog_stamp(l);
    assert_true(store_exec(t->s,
                           "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, seen_at, expires_at)"
                           " VALUES ('h', 1, 'c', 0, 0, 9999999999)",
                           NULL));
    assert_true(store_exec(t->s, "UPDATE sessions SET seen_at = 5 WHERE token_hash = 'h'", NULL));
    assert_true(changelog_sync(l));
    assert_true(changelog_current(l, 1, stamp));
    assert_true(store_exec(t->s, "DELETE FROM sessions WHERE token_hash = 'h'", NULL)); /* a sign-out is */
    assert_true(changelog_sync(l));
    assert_false(changelog_current(l, 1, stamp));
    assert_true(changelog_current(l, 2, stamp));
}

/* A scoped change (an attempt, a module visit: learning; evidence) voids its agent's entries
 * that show its scope or anything, not those that show only other scopes; an unscoped
 * change (the inbox) voids all of them, whatever they show. */
static void test_scopes(void **state) {
    fx *f = *state;
    test_db *t = f->t;
    changelog *l = f->l;
    long long stamp = f->stamp;
    assert_true(store_exec(t->s, "PRAGMA foreign_keys = OFF", NULL)); /* no module nor competency needed */
    assert_true(store_exec(t->s,
                           "INSERT INTO evidence(user_id, competency_id, level, kind, created_at)"
                           " VALUES (1, 1, 2, 'declared', 0)",
                           NULL));
    assert_true(changelog_sync(l));
    assert_false(changelog_current_for(l, 1, CHANGE_EVIDENCE, stamp));
    assert_false(changelog_current_for(l, 1, CHANGE_LEARN | CHANGE_EVIDENCE, stamp));
    assert_false(changelog_current(l, 1, stamp)); /* an entry that may show anything */
    assert_true(changelog_current_for(l, 1, CHANGE_LEARN, stamp)); /* progress is intact */
    assert_true(changelog_current_for(l, 1, 0, stamp));            /* so is the session's memo */
    assert_true(changelog_current_for(l, 2, CHANGE_EVIDENCE, stamp)); /* and the other agent's */
    stamp = logged(t->s, l, ATTEMPT_1("m"));
    assert_false(changelog_current_for(l, 1, CHANGE_LEARN, stamp));
    assert_false(changelog_current(l, 1, stamp));
    assert_true(changelog_current_for(l, 1, CHANGE_EVIDENCE, stamp));
    assert_true(changelog_current_for(l, 1, 0, stamp));
    stamp = changelog_stamp(l);
    assert_true(store_exec(t->s, "INSERT INTO module_visits(user_id, module_id, first_at, last_at) VALUES (1, 'm', 0, 0)",
                           NULL));
    assert_true(changelog_sync(l));
    assert_false(changelog_current_for(l, 1, CHANGE_LEARN, stamp));
    assert_true(changelog_current_for(l, 1, CHANGE_EVIDENCE, stamp));
    stamp = changelog_stamp(l);
    assert_true(store_exec(t->s, "UPDATE module_visits SET last_at = 60 WHERE user_id = 1", NULL));
    assert_true(changelog_sync(l));
    assert_false(changelog_current_for(l, 1, CHANGE_LEARN, stamp));
    stamp = changelog_stamp(l);
    inbox_for(t->s, 1); /* unscoped: every entry of agent 1, whatever it shows */
    assert_true(changelog_sync(l));
    assert_false(changelog_current_for(l, 1, 0, stamp));
    assert_false(changelog_current_for(l, 1, CHANGE_LEARN, stamp));
    assert_false(changelog_current_for(l, 1, CHANGE_EVIDENCE, stamp));
    assert_true(changelog_current_for(l, 2, 0, stamp));
    /* a scope this build does not know (a newer server's) voids everything of its agent */
    stamp = changelog_stamp(l);
    assert_true(store_exec(t->s, "INSERT INTO changes(user_id, scope) VALUES (2, 64)", NULL));
    assert_true(changelog_sync(l));
    assert_false(changelog_current_for(l, 2, 0, stamp));
}

/* A learning change names its module (migration 24): it voids its agent's entries that
 * show that module's learning data (or every module's), not those of the agent's other
 * modules; a learning change naming no module, an unscoped change and a change for
 * everyone void them all. */
static void test_modules(void **state) {
    (void)state;
    test_db *t = test_db_open();
    two_users(t->s);
    assert_true(store_exec(t->s, "PRAGMA foreign_keys = OFF", NULL));
    changelog *l = changelog_new(t->s, NULL);
    const char *a[] = {"a"}, *b[] = {"b"}, *b_and_copy[] = {"b", "a-en", "a"};
    long long stamp = logged(t->s, l, ATTEMPT_1("a"));
    assert_false(changelog_current_modules(l, 1, a, 1, stamp));  /* module a's page */
    assert_true(changelog_current_modules(l, 1, b, 1, stamp));   /* module b's page is kept */
    assert_false(changelog_current_modules(l, 1, b_and_copy, 3, stamp)); /* a page that counts a's attempts */
    assert_false(changelog_current_for(l, 1, CHANGE_LEARN, stamp)); /* the catalog shows every module */
    assert_true(changelog_current_modules(l, 2, a, 1, stamp));   /* the other agent's module a */
    assert_true(changelog_current_modules(l, 1, NULL, 0, stamp)); /* no module: unscoped data alone */
    stamp = logged(t->s, l, "INSERT INTO module_visits(user_id, module_id, first_at, last_at) VALUES (1, 'b', 0, 0)");
    assert_false(changelog_current_modules(l, 1, b, 1, stamp));
    assert_true(changelog_current_modules(l, 1, a, 1, stamp));
    stamp = logged(t->s, l, "UPDATE module_visits SET last_at = 60 WHERE user_id = 1");
    assert_false(changelog_current_modules(l, 1, b, 1, stamp));
    assert_true(changelog_current_modules(l, 1, a, 1, stamp));
    stamp = logged(t->s, l, "DELETE FROM attempts WHERE user_id = 1");
    assert_false(changelog_current_modules(l, 1, a, 1, stamp));
    assert_true(changelog_current_modules(l, 1, b, 1, stamp));
    stamp = logged(t->s, l, EVIDENCE_1); /* evidence is not a module's learning data */
    assert_true(changelog_current_modules(l, 1, a, 1, stamp));
    /* a learning change that names no module (an older server's trigger) voids every module */
    logged(t->s, l, "INSERT INTO changes(user_id, scope) VALUES (1, 1)");
    assert_false(changelog_current_modules(l, 1, a, 1, stamp));
    assert_false(changelog_current_modules(l, 1, b, 1, stamp));
    stamp = logged(t->s, l, "INSERT INTO inbox(user_id, kind, msg_key, created_at) VALUES (1, 'k', 'm', 0)");
    assert_false(changelog_current_modules(l, 1, a, 1, stamp)); /* unscoped */
    assert_true(changelog_current_modules(l, 2, a, 1, stamp));
    stamp = logged(t->s, l, "INSERT INTO changes(user_id) VALUES (0)"); /* everyone */
    assert_false(changelog_current_modules(l, 2, a, 1, stamp));
    changelog_free(l);
    test_db_close(t);
}

/* Only the tables named in store/schema_changes.c (migration 19) log a scope: a new
 * narrowing must be a deliberate one, with its page tests (tests/e2e/cache.test.mjs). */
static void test_scoped_tables(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store_query *st = store_stmt(t->s,
                                  "SELECT group_concat(tbl_name, ' ') FROM (SELECT DISTINCT tbl_name FROM sqlite_master"
                                  " WHERE type = 'trigger' AND name LIKE 'changes\\_%' ESCAPE '\\'"
                                  " AND sql LIKE '%scope%' ORDER BY tbl_name)",
                                  NULL);
    assert_non_null(st);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "attempts evidence module_visits");
    store_done(st);
    test_db_close(t);
}

/* Another process: a second store on the same file, as the command line opens it. */
static void test_other_process(void **state) {
    fx *f = *state;
    test_db *t = f->t;
    changelog *l = f->l;
    long long stamp = f->stamp;
    store *cli = store_open(t->path, NULL);
    assert_non_null(cli);
    assert_true(store_exec(cli, "UPDATE users SET disabled_at = 1 WHERE id = 1", NULL));
    store_free(cli);
    assert_true(changelog_sync(l)); /* the very next request sees it */
    assert_false(changelog_current(l, 1, stamp));
    assert_true(changelog_current(l, 2, stamp));
    changelog_stats st;
    changelog_stats_get(l, &st);
    assert_true(st.changes >= 1);
}

/* An entry stamped before a change, but stored after the sync that read the change (a
 * slow request), never serves. */
static void test_late_store(void **state) {
    fx *f = *state;
    test_db *t = f->t;
    changelog *l = f->l;
    long long stamp = f->stamp; /* request 1 starts, reads... */
    inbox_for(t->s, 1);                    /* ...a write commits... */
    assert_true(changelog_sync(l));        /* ...request 2 syncs... */
    assert_false(changelog_current(l, 1, stamp)); /* ...request 1's entry is void */
}

/* The log keeps the newest 100 000 changes: a log further behind voids every entry. */
static void test_pruned(void **state) {
    fx *f = *state;
    test_db *t = f->t;
    changelog *l = f->l;
    long long stamp = f->stamp;
    /* the pruning trigger runs at every 1024th seq: jump the seq past it */
    assert_true(store_exec(t->s, "INSERT INTO changes(seq, user_id) VALUES (300000 - 1, 1)", NULL));
    assert_true(store_exec(t->s, "INSERT INTO changes(seq, user_id) VALUES (600064, 1)", NULL)); /* 586 x 1024 */
    store_query *st = store_stmt(t->s, "SELECT count(*) FROM changes WHERE seq < 300000", NULL);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 0); /* pruned */
    store_done(st);
    assert_true(changelog_sync(l));
    assert_false(changelog_current(l, 2, stamp)); /* agent 2 never wrote, yet is voided */
    changelog_stats s;
    changelog_stats_get(l, &s);
    assert_int_equal((int)s.lost, 1);
}

/* Every table holding a user's rows logs its changes, but for the tables no cached page
 * reads (named here, and in store/schema_changes.c): a new table with a user column and no
 * trigger would leave that user's pages stale. */
static void test_every_user_table_logs(void **state) {
    (void)state;
    test_db *t = test_db_open();
    const char *unlogged[] = {"outbox", "quiz_nonces", "talent_changes"};
    store_query *st = store_stmt(t->s,
                                  "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p"
                                  " WHERE m.type = 'table' AND p.name LIKE '%user_id' AND NOT EXISTS"
                                  " (SELECT 1 FROM sqlite_master g WHERE g.type = 'trigger' AND g.tbl_name = m.name"
                                  "  AND g.name LIKE 'changes\\_%' ESCAPE '\\') ORDER BY 1",
                                  NULL);
    assert_non_null(st);
    int n = 0;
    while (store_step(st) == STORE_ROW) {
        const char *table = store_col_text(st, 0);
        bool known = false;
        for (size_t i = 0; i < sizeof unlogged / sizeof *unlogged; i++) known |= !strcmp(table, unlogged[i]);
        if (!known) fprintf(stderr, "table %s has a user column and no change trigger\n", table);
        assert_true(known);
        n++;
    }
    store_done(st);
    assert_int_equal(n, 3); /* the three named tables are still there, still unlogged */
    assert_true(test_count(t->s, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'changes_call_prospects_ins'") == 1);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_by_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_everyone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scopes, setup, teardown),
        cmocka_unit_test(test_modules),
        cmocka_unit_test(test_scoped_tables),
        cmocka_unit_test_setup_teardown(test_other_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruned, setup, teardown),
        cmocka_unit_test(test_every_user_table_logs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
