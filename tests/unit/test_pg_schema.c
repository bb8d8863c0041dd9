/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests that the PostgreSQL migrations (the pg column of store/migrations.c) keep SQLite's
 * schema and its triggers' meaning: after migrating both engines, every table has the same
 * columns in the same order with the corresponding types and NOT NULL, the same indexes
 * and triggers by name (the few PostgreSQL-only ones listed here); the same writes leave
 * the same rows in the change logs (changes, talent_changes) and the same talent texts;
 * the real course library synced on both gives the same first module for each search and
 * every module SQLite finds. Against PASSPORT_TEST_PG=postgresql://... (scripts/pg-harness
 * start prints one), in a schema of its own made and dropped here; skipped when unset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "learn/catalog.h"
#include "learn/library.h"
#include "pg_testutil.h"
#include "store/changelog.h"
#include "store/store_engine.h"
#include "testutil.h"

/* What PostgreSQL has beyond SQLite: the search tables' key (FTS5's hidden rowid), their
 * tsvector and word count, bm25's word counts, the migrations' version table (SQLite's
 * PRAGMA user_version); TRUNCATE guard, commit-order numbering. */
static const char *const pg_only_columns[] = {"module_search|rowid", "module_search|doc", "module_search|ntok",
                                              "module_search|tdoc", "talent_text|rowid", "talent_text|doc",   NULL};
static const char *const pg_only_tables[] = {"module_search_terms", "passport_schema", NULL};
static const char *const pg_only_indexes[] = {"module_search_doc", "module_search_terms_row", "talent_text_doc", NULL};
static const char *const pg_only_triggers[] = {"audit_no_truncate", "changes_notify",      "changes_seq",
                                               "module_search_terms", "talent_changes_seq", NULL};

typedef struct engines {
    test_db *lite;
    store *pg;
    test_pg_schema schema;
} engines;

/* Both engines migrated: SQLite in a temp folder, PostgreSQL in a new schema. */
static int setup(void **state) {
    if (!test_pg_server()) return 0;
    engines *e = calloc(1, sizeof *e);
    test_pg_schema_new(&e->schema, "unit_pg_schema");
    perr err = {{0}};
    e->pg = store_open(e->schema.url, &err);
    if (!e->pg) fail_msg("store_open on PostgreSQL: %s", err.msg);
    e->lite = test_db_open();
    *state = e;
    return 0;
}

static int teardown(void **state) {
    engines *e = *state;
    if (!e) return 0;
    store_free(e->pg);
    test_db_close(e->lite);
    test_pg_schema_drop(&e->schema);
    free(e);
    return 0;
}

#define NEED_PG(state) \
    TEST_PG_NEED();    \
    engines *e = *(state)

static bool listed(const char *const *list, const char *s) {
    for (; *list; list++)
        if (!strcmp(*list, s)) return true;
    return false;
}

/* The rows of sql as lines "a|b|c", in the query's order. */
static void rows(store *s, const char *sql, buf *out) {
    perr err = {{0}};
    store_query *st = store_prepare(s, sql, &err);
    if (!st) fail_msg("%s: %s", sql, err.msg);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        for (int i = 0; i < store_col_count(st); i++) {
            if (i) buf_putc(out, '|');
            buf_puts(out, store_col_null(st, i) ? "NULL" : store_col_text(st, i));
        }
        buf_putc(out, '\n');
    }
    if (rc != STORE_DONE) fail_msg("%s: %s", sql, store_errmsg(s));
    store_finalize(st);
}

/* Fails at the first line where a and b differ, naming it and the last line before it
 * that ends with ':' (a heading). */
static void same_lines(const char *what, const char *a, const char *b) {
    const char *head = "";
    size_t nhead = 0;
    for (int line = 1;; line++) {
        size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
        if (na != nb || memcmp(a, b, na))
            fail_msg("%s differ at line %d (after '%.*s'): SQLite '%.*s', PostgreSQL '%.*s'", what, line, (int)nhead,
                     head, (int)na, a, (int)nb, b);
        if (na && a[na - 1] == ':') head = a, nhead = na;
        if (!a[na]) return;
        a += na + 1;
        b += nb + 1;
    }
}

/* The lines of in whose first field(s) (up to the column's end) are not listed. */
static void drop_listed(const char *in, const char *const *list, int fields, buf *out) {
    while (*in) {
        size_t n = strcspn(in, "\n"), k = 0;
        for (int f = 0; k < n && f < fields; f++) {
            k += strcspn(in + k, "|\n");
            if (f + 1 < fields && in[k] == '|') k++;
        }
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)k, in);
        if (!listed(list, key)) buf_append(out, in, n + 1);
        in += in[n] ? n + 1 : n;
    }
}

static void same_columns(void **state) {
    NEED_PG(state);
    buf lite = BUF_INIT, pg = BUF_INIT, pg_kept = BUF_INIT, kept = BUF_INIT;
    /* FTS5 tables: columns without a type (text); their shadow tables are not compared.
     * A primary key column is NOT NULL as PostgreSQL makes it. */
    rows(e->lite->s,
         "SELECT m.name, p.name,"
         " CASE lower(p.type) WHEN 'integer' THEN 'bigint' WHEN 'real' THEN 'double precision'"
         "  WHEN 'blob' THEN 'bytea' WHEN '' THEN 'text' ELSE lower(p.type) END,"
         " CASE WHEN p.\"notnull\" OR p.pk > 0 THEN 'not null' ELSE 'null' END"
         " FROM sqlite_master m, pragma_table_info(m.name) p"
         " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND NOT EXISTS (SELECT 1 FROM sqlite_master v"
         "  WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' AND m.name LIKE v.name || '\\_%' ESCAPE '\\')"
         " ORDER BY m.name, p.cid",
         &lite);
    /* FTS5 columns are not NULL in PostgreSQL's tables: their texts always exist */
    rows(e->pg,
         "SELECT c.table_name, c.column_name,"
         " CASE WHEN c.data_type = 'USER-DEFINED' AND c.udt_name = 'citext' THEN 'text'"
         "  WHEN c.data_type = 'USER-DEFINED' THEN c.udt_name ELSE c.data_type END,"
         " CASE WHEN c.is_nullable = 'YES' OR c.table_name IN ('module_search', 'talent_text') THEN 'null'"
         "  ELSE 'not null' END"
         " FROM information_schema.columns c WHERE c.table_schema = current_schema()"
         " ORDER BY c.table_name, c.ordinal_position",
         &pg);
    drop_listed(buf_cstr(&pg), pg_only_columns, 2, &kept);
    drop_listed(buf_cstr(&kept), pg_only_tables, 1, &pg_kept);
    assert_true(lite.len > 1000); /* the schema is there at all */
    same_lines("columns (table|column|type|nullability)", buf_cstr(&lite), buf_cstr(&pg_kept));
    buf_free(&lite);
    buf_free(&pg);
    buf_free(&kept);
    buf_free(&pg_kept);
}

static void same_indexes_and_triggers(void **state) {
    NEED_PG(state);
    buf lite = BUF_INIT, pg = BUF_INIT, kept = BUF_INIT;
    /* indexes written in the migrations (not those of a PRIMARY KEY or UNIQUE) */
    rows(e->lite->s, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name", &lite);
    rows(e->pg,
         "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
         " AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname",
         &pg);
    drop_listed(buf_cstr(&pg), pg_only_indexes, 1, &kept);
    assert_true(lite.len > 100);
    same_lines("indexes", buf_cstr(&lite), buf_cstr(&kept));
    buf_reset(&lite);
    buf_reset(&pg);
    buf_reset(&kept);
    rows(e->lite->s, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name", &lite);
    rows(e->pg,
         "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
         " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY t.tgname",
         &pg);
    drop_listed(buf_cstr(&pg), pg_only_triggers, 1, &kept);
    assert_true(lite.len > 100);
    same_lines("triggers", buf_cstr(&lite), buf_cstr(&kept));
    buf_free(&lite);
    buf_free(&pg);
    buf_free(&kept);
}

/* Writes that fire every kind of trigger (per user, for everyone, through another table,
 * the talent text refresh, the cascades of a deleted account); portable SQL. */
static const char *const writes[] = {
    "INSERT INTO units(name, parent_id, created_at) VALUES ('DG', NULL, 1)",
    "INSERT INTO units(name, parent_id, created_at) VALUES ('DRH', 1, 1)",
    "INSERT INTO users(email, display_name, unit_id, created_at, bio)"
    " VALUES ('a@x.test', 'A', 2, 1, 'Formatrice en cybersécurité')",
    "INSERT INTO users(email, display_name, unit_id, created_at) VALUES ('b@x.test', 'B', 1, 1)",
    "UPDATE users SET locale = 'en' WHERE id = 2",
    "UPDATE users SET display_name = 'Bee' WHERE id = 2",
    "UPDATE users SET roles = 3 WHERE id = 1",
    "INSERT INTO frameworks(code, name, version, updated_at) VALUES ('CRCN', 'CRCN', '1', 1)",
    "INSERT INTO competencies(framework_id, code, area, position, title_fr, title_en) VALUES (1, 'C1', 1, 1, 't', 't')",
    "INSERT INTO evidence(user_id, competency_id, level, kind, created_at) VALUES (1, 1, 2, 'measured', 1)",
    "UPDATE evidence SET level = 3 WHERE id = 1",
    "INSERT INTO profiles(user_id, interests, updated_at) VALUES (1, 'Données ouvertes', 1)",
    "INSERT INTO courses(slug, title, lang, version_hash, updated_at) VALUES ('c', 'C', 'fr', 'h', 1)",
    "INSERT INTO modules(id, course_slug, position, title, minutes, lang, pass, version_hash, updated_at)"
    " VALUES ('m', 'c', 1, 'Reconnaître un hameçonnage', 5, 'fr', 0.8, 'h', 1)",
    "INSERT INTO attempts(user_id, module_id, module_version, answers_json, score, passed, finished_at)"
    " VALUES (1, 'm', 'h', '{}', 1, 1, 2)",
    "INSERT INTO attempts(user_id, module_id, module_version, answers_json, score, passed, finished_at)"
    " VALUES (2, 'm', 'h', '{}', 0, 0, 2)",
    "INSERT INTO module_visits(user_id, module_id, first_at, last_at) VALUES (2, 'm', 1, 1)",
    "UPDATE module_visits SET last_at = 2 WHERE user_id = 2",
    "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, seen_at, expires_at) VALUES ('t', 1, 'c', 1, 1, 9)",
    "UPDATE sessions SET seen_at = 5",
    "UPDATE sessions SET expires_at = 10",
    "INSERT INTO api_tokens(user_id, name, token_hash, hint, created_at) VALUES (2, 'n', 'h', 'x', 1)",
    "UPDATE api_tokens SET last_used_at = 3",
    "UPDATE api_tokens SET revoked_at = 4",
    "INSERT INTO achievements(slug, name) VALUES ('b', 'B')",
    "INSERT INTO credentials(uid, user_id, achievement_id, issued_at, status_index, json) VALUES ('u', 1, 1, 1, 7, '{}')",
    "INSERT INTO share_links(token, credential_id, created_at) VALUES ('s', 1, 1)",
    "UPDATE share_links SET revoked_at = 2",
    "INSERT INTO positioning_tests(user_id, kind, seed, started_at) VALUES (2, 'positioning', 1, 1)",
    "INSERT INTO positioning_responses(test_id, position, item_id, competency, lang, answer_json, correct, at)"
    " VALUES (1, 1, 'i', 'C1', 'fr', '{}', 1, 1)",
    "UPDATE credentials SET user_id = 2 WHERE id = 1",
    "UPDATE credentials SET user_id = NULL WHERE id = 1",
    "DELETE FROM share_links",
    "INSERT INTO competency_map(from_id, to_id) VALUES (1, 1)",
    "DELETE FROM competency_map",
    "UPDATE users SET bio = 'Jardinier' WHERE id = 1",
    "UPDATE profiles SET interests = 'Cartographie' WHERE user_id = 1",
    "DELETE FROM attempts WHERE user_id = 1",
    "DELETE FROM profiles WHERE user_id = 1",
    "DELETE FROM sessions",
    "DELETE FROM users WHERE id = 2",
    "UPDATE units SET name = 'DRH 2' WHERE id = 2",
    "DELETE FROM units WHERE id = 2",
};

/* After each write, the user ids (and scopes) it logged in table (sorted: the order of two triggers on
 * one event differs between the engines); then the talent texts. */
static void transcript(store *s, buf *out) {
    long long seen[2] = {0, 0};
    static const char *const tables[] = {"changes", "talent_changes"};
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        perr err = {{0}};
        if (!store_exec(s, writes[i], &err)) fail_msg("%s: %s", writes[i], err.msg);
        for (int t = 0; t < 2; t++) {
            char sql[160];
            /* the log's scope and module too (store/changelog.h): talent_changes has none */
            snprintf(sql, sizeof sql, "SELECT user_id%s FROM %s WHERE seq > %lld ORDER BY 1, 2, 3",
                     t ? ", 0, ''" : ", scope, coalesce(module, '')", tables[t], seen[t]);
            buf_printf(out, "%s -> %s:\n", writes[i], tables[t]);
            rows(s, sql, out);
            snprintf(sql, sizeof sql, "SELECT coalesce(max(seq), 0) FROM %s", tables[t]);
            seen[t] = test_count(s, sql);
        }
    }
    rows(s, "SELECT rowid, bio, interests, modules FROM talent_text ORDER BY rowid", out);
}

static void same_change_logs(void **state) {
    NEED_PG(state);
    buf lite = BUF_INIT, pg = BUF_INIT;
    transcript(e->lite->s, &lite);
    transcript(e->pg, &pg);
    assert_non_null(strstr(buf_cstr(&lite), "Jardinier")); /* the bio's refresh reached the text */
    same_lines("change logs and talent texts", buf_cstr(&lite), buf_cstr(&pg));
    /* numbered without gaps, as a reader of the log expects (a gap reads as pruned rows) */
    assert_int_equal(test_count(e->pg, "SELECT max(seq) - count(*) FROM changes"), 0);
    buf_free(&lite);
    buf_free(&pg);
}

/* The real library on both engines: each query finds the same first module, and every
 * module SQLite finds (PostgreSQL may find more, through French stems). */
static void same_search(void **state) {
    NEED_PG(state);
    learn_library *lib = library_load("courses", NULL, NULL);
    assert_non_null(lib);
    assert_true(lib->ncourses > 3);
    perr err = {{0}};
    if (!catalog_sync(e->lite->s, lib, &err)) fail_msg("sync on SQLite: %s", err.msg);
    if (!catalog_sync(e->pg, lib, &err)) fail_msg("sync on PostgreSQL: %s", err.msg);
    library_release(lib);
    assert_int_equal(test_count(e->pg, "SELECT count(*) FROM module_search"),
                     test_count(e->lite->s, "SELECT count(*) FROM module_search"));
    static const char *const queries[] = {"hameçonnage", "mot de passe", "MOTS DE PASSE", "sécurité",
                                          "données personnelles", "tableur", "accessib", "sauvegarde",
                                          "visioconférence", "licence", "desinfo", "phishing", "open data",
                                          "recherche", "charge", "rgpd", "signaler",
                                          "réseaux" /* bm25 alone would put another module first */};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        json_t *a = catalog_search(e->lite->s, queries[i], true, 50, &err);
        json_t *b = catalog_search(e->pg, queries[i], true, 50, &err);
        if (!a || !b) fail_msg("search %s: %s", queries[i], err.msg);
        if (!json_array_size(a)) fail_msg("search %s: SQLite finds nothing (pick another query)", queries[i]);
        const char *first_a = json_string_value(json_array_get(a, 0)), *first_b = json_string_value(json_array_get(b, 0));
        if (!first_b || strcmp(first_a, first_b))
            fail_msg("search %s: SQLite's first %s, PostgreSQL's %s", queries[i], first_a, first_b ? first_b : "none");
        size_t j, k;
        json_t *x, *y;
        json_array_foreach(a, j, x) {
            bool found = false;
            json_array_foreach(b, k, y) found = found || json_equal(x, y);
            if (!found) fail_msg("search %s: PostgreSQL misses %s", queries[i], json_string_value(x));
        }
        json_decref(a);
        json_decref(b);
        /* the unranked set (the course list's): every module SQLite finds */
        a = catalog_search(e->lite->s, queries[i], false, 1000, &err);
        b = catalog_search(e->pg, queries[i], false, 1000, &err);
        if (!a || !b) fail_msg("unranked search %s: %s", queries[i], err.msg);
        json_array_foreach(a, j, x) {
            bool found = false;
            json_array_foreach(b, k, y) found = found || json_equal(x, y);
            if (!found) fail_msg("unranked search %s: PostgreSQL misses %s", queries[i], json_string_value(x));
        }
        json_decref(a);
        json_decref(b);
    }
    /* a broad search, ranked or not, finds its matches through doc's GIN index: not one
     * block of the lessons' tsvectors (TOAST) is read. The counter holds this backend's
     * reads not yet sent to the statistics, earlier transactions' included (sent at most
     * once a second, and never inside a transaction): the search's own are the difference
     * across it, within one transaction. */
    const char *toast_sql = "SELECT pg_stat_get_xact_blocks_fetched(reltoastrelid) FROM pg_class"
                            " WHERE oid = 'module_search'::regclass";
    for (int ranked = 0; ranked < 2; ranked++) {
        assert_true(store_read_begin(e->pg, &err));
        long long before = test_count(e->pg, toast_sql);
        json_t *a = catalog_search(e->pg, "sécurité", ranked, 1000, &err);
        assert_true(json_array_size(a) > 5);
        json_decref(a);
        long long toast = test_count(e->pg, toast_sql) - before;
        if (toast) fail_msg("%s search: %lld blocks of the lessons' tsvectors read", ranked ? "ranked" : "unranked", toast);
        store_read_end(e->pg);
    }
}

/* Polls for at most 10 s: changelog_sync (no query while the store listens) until a
 * change for everyone after stamp is known. */
static bool change_arrives(changelog *l, long long stamp) {
    for (int i = 0; i < 1000; i++) {
        if (changelog_sync(l) && !changelog_current(l, 0, stamp)) return true;
        usleep(10 * 1000);
    }
    return false;
}

/* Migration 23: a commit that logs a change notifies the servers that listen, and their
 * change log learns of it without a query; a write's exact sync reads a change whose
 * notification has not come (here it never comes: the trigger is disabled). */
static void a_logged_change_is_notified_and_an_exact_sync_does_not_wait_for_it(void **state) {
    NEED_PG(state);
    perr err = {{0}};
    store *other = store_open(e->schema.url, &err); /* another server, or the command line */
    if (!other) fail_msg("store_open: %s", err.msg);
    assert_true(store_listen_start(e->pg, &err));
    for (int i = 0; i < 1000 && !store_listening(e->pg); i++) usleep(10 * 1000);
    assert_true(store_listening(e->pg));
    changelog *l = changelog_new(e->pg, &err);
    assert_non_null(l);
    assert_true(changelog_sync(l));
    long long stamp = changelog_stamp(l);
    unsigned long long notified = store_notifications(e->pg);
    assert_true(store_exec(other, "INSERT INTO units(name, created_at) VALUES ('notified', 0)", NULL));
    assert_true(change_arrives(l, stamp));
    assert_true(store_notifications(e->pg) > notified);

    assert_true(store_exec(other, "ALTER TABLE changes DISABLE TRIGGER changes_notify", NULL));
    stamp = changelog_stamp(l);
    assert_true(store_exec(other, "INSERT INTO units(name, created_at) VALUES ('not notified', 0)", NULL));
    usleep(100 * 1000);
    assert_true(changelog_sync(l));
    assert_true(changelog_current(l, 0, stamp)); /* unseen: the listener's word is trusted */
    assert_true(changelog_sync_exact(l));
    assert_false(changelog_current(l, 0, stamp));
    changelog_free(l);
    store_free(other);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(same_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(same_indexes_and_triggers, setup, teardown),
        cmocka_unit_test_setup_teardown(same_change_logs, setup, teardown),
        cmocka_unit_test_setup_teardown(same_search, setup, teardown),
        cmocka_unit_test_setup_teardown(a_logged_change_is_notified_and_an_exact_sync_does_not_wait_for_it, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
