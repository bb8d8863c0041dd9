/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for store/migrations and the store: versioning, idempotence, STRICT tables,
 * foreign keys, the append-only audit, statement cache and transactions, the generation. */
#include <glob.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/migrations.h"
#include "store/store_sqlite.h"
#include "testutil.h"

static int user_version(store *s) {
    store_query *st = store_stmt(s, "PRAGMA user_version", NULL);
    int v = store_step(st) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_done(st);
    return v;
}

static void test_applies_all_and_reopens(void **state) {
    (void)state;
    test_db *t = test_db_open();
    assert_int_equal(store_version(t->s), store_latest_version());
    assert_int_equal(user_version(t->s), store_latest_version());
    store_free(t->s);
    perr err = {{0}};
    t->s = store_open(t->path, &err); /* second open: nothing to apply, no error */
    assert_non_null(t->s);
    assert_int_equal(store_version(t->s), store_latest_version());
    test_db_close(t);
}

static void test_newer_database_refused(void **state) {
    (void)state;
    test_db *t = test_db_open();
    assert_true(store_exec(t->s, "PRAGMA user_version=999", NULL));
    store_free(t->s);
    perr err = {{0}};
    t->s = store_open(t->path, &err);
    assert_null(t->s);
    assert_non_null(strstr(err.msg, "made by a newer release of Passport (schema 999"));
    t->s = NULL;
    /* reopen for cleanup with a fresh store that we do not migrate */
    char p[128];
    snprintf(p, sizeof p, "%s", t->path);
    unlink(p);
    t->s = store_open(t->path, &err);
    test_db_close(t);
}

static void test_strict_and_foreign_keys(void **state) {
    (void)state;
    test_db *t = test_db_open();
    /* STRICT: a text in an INTEGER column is refused */
    assert_false(store_exec(t->s, "INSERT INTO units(name, parent_id, created_at) VALUES ('x', NULL, 'soon')", NULL));
    /* foreign keys on: a unit under a missing parent is refused */
    assert_false(store_exec(t->s, "INSERT INTO units(name, parent_id, created_at) VALUES ('x', 12345, 0)", NULL));
    assert_true(store_exec(t->s, "INSERT INTO units(name, parent_id, created_at) VALUES ('x', NULL, 0)", NULL));
    test_db_close(t);
}

static void test_audit_append_only(void **state) {
    (void)state;
    test_db *t = test_db_open();
    assert_true(store_exec(t->s, "INSERT INTO audit(at, action) VALUES (1, 'a')", NULL));
    perr err = {{0}};
    assert_false(store_exec(t->s, "DELETE FROM audit", &err));
    assert_non_null(strstr(err.msg, "append-only"));
    assert_false(store_exec(t->s, "UPDATE audit SET action = 'b'", NULL));
    test_db_close(t);
}

static void test_statement_cache_and_rollback(void **state) {
    (void)state;
    test_db *t = test_db_open();
    static const char sql[] = "SELECT count(*) FROM units";
    store_query *a = store_stmt(t->s, sql, NULL);
    store_done(a);
    store_query *b = store_stmt(t->s, sql, NULL);
    assert_ptr_equal(a, b); /* same SQL pointer: same prepared statement */
    store_done(b);
    assert_true(store_begin(t->s, NULL));
    assert_true(store_exec(t->s, "INSERT INTO units(name, created_at) VALUES ('tmp', 0)", NULL));
    store_rollback(t->s);
    store_query *c = store_stmt(t->s, sql, NULL);
    assert_int_equal(store_step(c), STORE_ROW);
    assert_int_equal(store_col_int(c, 0), 0);
    store_done(c);
    perr err = {{0}};
    assert_null(store_stmt(t->s, "SELECT nonsense FROM nowhere", &err));
    assert_true(err.msg[0] != '\0');
    test_db_close(t);
}

static int count_units(store *s) {
    store_query *st = store_stmt(s, "SELECT count(*) FROM units", NULL);
    int n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_done(st);
    return n;
}

/* store_generation moves after each commit that wrote, whatever the thread's connection,
 * and stays put for reads, read transactions and rolled-back writes. */
static void *insert_unit(void *arg) {
    store *s = arg;
    store_exec(s, "INSERT INTO units(name, created_at) VALUES ('from a thread', 0)", NULL);
    return NULL;
}

static void test_generation(void **state) {
    (void)state;
    test_db *t = test_db_open();
    unsigned long long g0 = store_generation(t->s);
    assert_int_equal(count_units(t->s), 0);
    assert_true(store_read_begin(t->s, NULL));
    assert_int_equal(count_units(t->s), 0);
    store_read_end(t->s);
    assert_true(store_generation(t->s) == g0);
    assert_true(store_begin(t->s, NULL));
    assert_true(store_exec(t->s, "INSERT INTO units(name, created_at) VALUES ('rolled back', 0)", NULL));
    store_rollback(t->s);
    assert_true(store_generation(t->s) == g0);
    assert_true(store_exec(t->s, "INSERT INTO units(name, created_at) VALUES ('a', 0)", NULL));
    unsigned long long g1 = store_generation(t->s);
    assert_true(g1 != g0);
    assert_true(store_begin(t->s, NULL));
    assert_true(store_exec(t->s, "INSERT INTO units(name, created_at) VALUES ('b', 0)", NULL));
    assert_true(store_generation(t->s) == g1); /* not before the commit */
    assert_true(store_commit(t->s, NULL));
    unsigned long long g2 = store_generation(t->s);
    assert_true(g2 != g1);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, insert_unit, t->s), 0);
    pthread_join(th, NULL);
    assert_true(store_generation(t->s) != g2); /* another connection's commit */
    assert_int_equal(count_units(t->s), 3);
    test_db_close(t);
}

/* store_read_begin/end nest: inside an open transaction (read or write) the pair does
 * nothing, and only the outermost end commits. */
static void test_read_nesting(void **state) {
    (void)state;
    test_db *t = test_db_open();
    sqlite3 *db = store_db(t->s);
    assert_true(store_read_begin(t->s, NULL));
    assert_false(sqlite3_get_autocommit(db));
    assert_true(store_read_begin(t->s, NULL));
    store_read_end(t->s);
    assert_false(sqlite3_get_autocommit(db)); /* the inner end left the outer one open */
    store_read_end(t->s);
    assert_true(sqlite3_get_autocommit(db));
    store_read_end(t->s); /* an extra end outside any transaction is harmless */
    assert_true(sqlite3_get_autocommit(db));
    /* inside a write transaction: the read pair neither commits nor breaks it */
    assert_true(store_begin(t->s, NULL));
    assert_true(store_exec(t->s, "INSERT INTO units(name, created_at) VALUES ('w', 0)", NULL));
    assert_true(store_read_begin(t->s, NULL));
    assert_int_equal(count_units(t->s), 1);
    store_read_end(t->s);
    assert_false(sqlite3_get_autocommit(db));
    store_rollback(t->s);
    assert_int_equal(count_units(t->s), 0);
    test_db_close(t);
}

/* Reads a whole file into a new NUL-terminated string (NULL when unreadable). */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    size_t got = fread(text, 1, (size_t)n, f);
    fclose(f);
    text[got] = '\0';
    return text;
}

static long long count_of(store *s, const char *sql) {
    store_query *st = store_stmt(s, sql, NULL);
    long long n = st && store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return n;
}

/* Every database a release made (tests/fixtures/db-<release>.sql, written by
 * tests/fixtures/make-db-fixture) opens with this binary: migrated to the latest schema,
 * its data kept, consistent. Run from the repository root (scripts/run-unit does). */
static void test_previous_releases_upgrade(void **state) {
    (void)state;
    glob_t g;
    assert_int_equal(glob("tests/fixtures/db-*.sql", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 1);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *sql = slurp(g.gl_pathv[i]);
        assert_non_null(sql);
        char dir[] = "/tmp/passport-fixture-XXXXXX", path[96];
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/passport.db", dir);
        sqlite3 *raw = NULL;
        assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
        char *msg = NULL;
        int rc = sqlite3_exec(raw, sql, NULL, NULL, &msg);
        if (rc != SQLITE_OK) fail_msg("%s: %s", g.gl_pathv[i], msg);
        sqlite3_close(raw);
        free(sql);
        perr err = {{0}};
        store *s = store_open(path, &err);
        if (!s) fail_msg("%s: %s", g.gl_pathv[i], err.msg);
        assert_int_equal(store_version(s), store_latest_version());
        assert_int_equal(user_version(s), store_latest_version());
        assert_int_equal(count_of(s, "SELECT count(*) FROM users WHERE email = 'admin@demo.passport.test'"), 1);
        assert_true(count_of(s, "SELECT count(*) FROM users") >= 12);
        assert_true(count_of(s, "SELECT count(*) FROM evidence") > 0);
        assert_int_equal(count_of(s, "SELECT count(*) FROM competencies"), 37);
        assert_int_equal(count_of(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
        store_query *st = store_stmt(s, "PRAGMA integrity_check", NULL);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_string_equal(store_col_text(st, 0), "ok");
        store_done(st);
        store_free(s);
        char cmd[160];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
    globfree(&g);
}

/* Migration 25: invitations and resets that failed for good before it forget their
 * secret link; one still retried, and a notice (no secret), keep theirs. */
static void test_failed_links_forgotten(void **state) {
    (void)state;
    test_db *t = test_db_open();
    assert_true(store_exec(t->s,
                           "INSERT INTO outbox(id, to_addr, locale, kind, link, state, next_at, created_at) VALUES"
                           " (1, 'a@x.test', 'fr', 'invitation', '/password/set?t=a', 'failed', 0, 0),"
                           " (2, 'a@x.test', 'fr', 'reset', '/password/set?t=b', 'failed', 0, 0),"
                           " (3, 'a@x.test', 'fr', 'invitation', '/password/set?t=c', 'queued', 0, 0),"
                           " (4, 'a@x.test', 'fr', 'notice', '/me/inbox', 'failed', 0, 0)",
                           NULL));
    assert_true(store_exec(t->s, "PRAGMA user_version = 24", NULL)); /* as made before 25 */
    store_free(t->s);
    perr err = {{0}};
    t->s = store_open(t->path, &err);
    assert_non_null(t->s);
    assert_int_equal(user_version(t->s), store_latest_version());
    assert_int_equal(count_of(t->s, "SELECT count(*) FROM outbox WHERE id IN (1, 2) AND link = ''"), 2);
    assert_int_equal(count_of(t->s, "SELECT count(*) FROM outbox WHERE id = 3 AND link = '/password/set?t=c'"), 1);
    assert_int_equal(count_of(t->s, "SELECT count(*) FROM outbox WHERE id = 4 AND link = '/me/inbox'"), 1);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_applies_all_and_reopens),
        cmocka_unit_test(test_newer_database_refused),
        cmocka_unit_test(test_strict_and_foreign_keys),
        cmocka_unit_test(test_audit_append_only),
        cmocka_unit_test(test_statement_cache_and_rollback),
        cmocka_unit_test(test_generation),
        cmocka_unit_test(test_read_nesting),
        cmocka_unit_test(test_previous_releases_upgrade),
        cmocka_unit_test(test_failed_links_forgotten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
