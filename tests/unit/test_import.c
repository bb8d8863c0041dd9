/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for people/import: all-or-nothing CSV import of accounts and units, with every
 * bad row reported by line number (on PostgreSQL too, where a refused row's failed
 * statement must not end the import's transaction: PASSPORT_TEST_PG, else skipped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "people/account.h"
#include "people/import.h"
#include "people/unit.h"
#include "pg_testutil.h"
#include "testutil.h"

static import_result run(store *s, const char *csv) {
    import_result r;
    perr err = {{0}};
    assert_true(import_users(s, csv, strlen(csv), 0, &r, &err));
    return r;
}

static const char *problem_at(const import_result *r, size_t i, long long *line) {
    json_t *p = json_array_get(r->problems, i);
    *line = json_integer_value(json_object_get(p, "line"));
    return json_string_value(json_object_get(p, "message"));
}

static void test_good_file_creates_accounts_and_units(void **state) {
    (void)state;
    test_db *t = test_db_open();
    import_result r = run(t->s,
                          "email;name;unit;roles;locale\n"
                          "lea@exemple.gouv.fr;Léa Dubois;DG / DRH / Formation;agent;fr\n"
                          "karim@exemple.gouv.fr;Karim;DG / DRH;manager,agent;en\n");
    assert_true(r.applied);
    assert_int_equal(r.created, 2);
    assert_int_equal(r.units_created, 3);
    json_decref(r.problems);
    account *a = account_by_email(t->s, "KARIM@exemple.gouv.fr", NULL);
    assert_non_null(a);
    assert_int_equal(a->roles, ROLE_MANAGER | ROLE_AGENT);
    assert_string_equal(a->locale, "en");
    assert_string_equal(a->unit_name, "DRH");
    account *b = account_by_email(t->s, "lea@exemple.gouv.fr", NULL);
    assert_true(unit_in_subtree(t->s, a->unit_id, b->unit_id)); /* Formation is under DRH */
    assert_false(unit_in_subtree(t->s, b->unit_id, a->unit_id));
    account_free(a);
    account_free(b);
    /* re-import updates instead of duplicating */
    r = run(t->s, "email,name,roles\nlea@exemple.gouv.fr,Léa D.,agent\n");
    assert_true(r.applied);
    assert_int_equal(r.created, 0);
    assert_int_equal(r.updated, 1);
    json_decref(r.problems);
    assert_int_equal(account_count(t->s), 2);
    test_db_close(t);
}

static void test_one_bad_row_imports_nothing(void **state) {
    (void)state;
    test_db *t = test_db_open();
    import_result r = run(t->s,
                          "email,name,unit,roles\n"
                          "ok1@exemple.gouv.fr,Ok One,Nouvelle unité,agent\n"
                          "not-an-email,Bad,,agent\n"
                          "ok2@exemple.gouv.fr,Ok Two,,wizard\n"
                          "ok1@EXEMPLE.gouv.fr,Dup,,agent\n");
    assert_false(r.applied);
    assert_int_equal(json_array_size(r.problems), 3);
    long long line;
    const char *m = problem_at(&r, 0, &line);
    assert_int_equal(line, 3);
    assert_non_null(strstr(m, "invalid email"));
    m = problem_at(&r, 1, &line);
    assert_int_equal(line, 4);
    assert_non_null(strstr(m, "wizard"));
    m = problem_at(&r, 2, &line);
    assert_int_equal(line, 5);
    assert_non_null(strstr(m, "line 2"));
    json_decref(r.problems);
    assert_int_equal(account_count(t->s), 0); /* the good row was not kept */
    long long unit = 0;
    assert_true(unit_resolve_path(t->s, "Nouvelle unité", false, &unit, NULL));
    assert_int_equal(unit, 0); /* nor its unit */
    test_db_close(t);
}

static void test_header_problems(void **state) {
    (void)state;
    test_db *t = test_db_open();
    import_result r = run(t->s, "mail,name,colour\nx@y.fr,X,blue\n");
    assert_false(r.applied);
    long long line;
    assert_non_null(strstr(problem_at(&r, 0, &line), "unknown column 'mail'"));
    assert_int_equal(line, 1);
    json_decref(r.problems);
    r = run(t->s, "");
    assert_false(r.applied);
    json_decref(r.problems);
    r = run(t->s, "email,name\n\"unterminated,X\n");
    assert_false(r.applied);
    assert_non_null(strstr(problem_at(&r, 0, &line), "unterminated"));
    json_decref(r.problems);
    assert_int_equal(account_count(t->s), 0);
    test_db_close(t);
}

/* A row the database refuses (here a trigger, as a unique key would) is reported with its
 * line, and the rows after it are still checked: the transaction goes on after the
 * failure (PostgreSQL aborts it unless the statement was allowed to fail). */
static void refused_row_then_more_rows(store *s, const char *refuse_sql) {
    perr err = {{0}};
    if (!store_exec(s, refuse_sql, &err)) fail_msg("%s", err.msg);
    const char *csv = "email;name;unit\n"
                      "refused@exemple.gouv.fr;Refusé;DG\n"
                      "next@exemple.gouv.fr;Suivant;DG / Service\n"
                      "bad-address;Mauvais;DG\n";
    import_result r;
    bool ok = import_users(s, csv, strlen(csv), 0, &r, &err);
    if (!ok) fail_msg("the import failed instead of reporting the row: %s", err.msg);
    assert_false(r.applied);
    assert_int_equal(json_array_size(r.problems), 2);
    const char *keys[] = {"import.create_failed", "import.bad_email"};
    long long lines[] = {2, 4};
    for (size_t i = 0; i < 2; i++) {
        json_t *p = json_array_get(r.problems, i);
        assert_string_equal(json_string_value(json_object_get(p, "key")), keys[i]);
        assert_int_equal(json_integer_value(json_object_get(p, "line")), lines[i]);
    }
    json_decref(r.problems);
    assert_int_equal(account_count(s), 0); /* nothing imported */
}

static void test_refused_row_is_reported_sqlite(void **state) {
    (void)state;
    test_db *t = test_db_open();
    refused_row_then_more_rows(t->s, "CREATE TRIGGER refuse BEFORE INSERT ON users"
                                     " WHEN NEW.email = 'refused@exemple.gouv.fr' BEGIN SELECT RAISE(ABORT, 'refused'); END");
    test_db_close(t);
}

static void test_refused_row_is_reported_postgresql(void **state) {
    (void)state;
    TEST_PG_NEED();
    test_pg_schema schema;
    test_pg_schema_new(&schema, "unit_import");
    perr err = {{0}};
    store *s = store_open(schema.url, &err);
    if (!s) fail_msg("store_open: %s", err.msg);
    refused_row_then_more_rows(s, "ALTER TABLE users ADD CONSTRAINT refuse CHECK (email <> 'refused@exemple.gouv.fr')");
    store_free(s);
    test_pg_schema_drop(&schema);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file_creates_accounts_and_units),
        cmocka_unit_test(test_one_bad_row_imports_nothing),
        cmocka_unit_test(test_header_problems),
        cmocka_unit_test(test_refused_row_is_reported_sqlite),
        cmocka_unit_test(test_refused_row_is_reported_postgresql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
