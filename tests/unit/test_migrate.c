/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for store/migrate: a copy between two stores (SQLite files here; the command's
 * target is PostgreSQL) gives equal checksums; a checksum does not depend on the order
 * rows are read in but changes with any value, a NULL or a real's last digit; a target
 * with rows, or filled by a copy before, is refused; a self-referencing table (units)
 * is copied parents first; the change logs are left empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/migrate.h"
#include "testutil.h"

static const char *const cols[] = {"id", "name", "parent_id", "created_at"};

static void sum_of(store *s, char out[65], long long *rows) {
    perr err = {{0}};
    assert_true(migrate_checksum(s, "units", cols, "itii", 4, rows, out, &err));
}

static void test_checksum(void **state) {
    (void)state;
    test_db *a = test_db_open(), *b = test_db_open();
    assert_true(store_exec(a->s, "INSERT INTO units VALUES (1, 'DG', NULL, 5), (2, 'RH', 1, 6)", NULL));
    assert_true(store_exec(b->s, "PRAGMA foreign_keys = OFF; INSERT INTO units VALUES (2, 'RH', 1, 6)", NULL));
    assert_true(store_exec(b->s, "INSERT INTO units VALUES (1, 'DG', NULL, 5)", NULL)); /* other order */
    char sa[65], sb[65];
    long long na, nb;
    sum_of(a->s, sa, &na);
    sum_of(b->s, sb, &nb);
    assert_int_equal(na, 2);
    assert_int_equal(nb, 2);
    assert_string_equal(sa, sb);
    assert_true(store_exec(b->s, "UPDATE units SET parent_id = NULL WHERE id = 2", NULL));
    sum_of(b->s, sb, &nb);
    assert_string_not_equal(sa, sb); /* a NULL is not a value */
    assert_true(store_exec(b->s, "UPDATE units SET parent_id = 1, name = 'Rh' WHERE id = 2", NULL));
    sum_of(b->s, sb, &nb);
    assert_string_not_equal(sa, sb);
    /* reals: to the last digit */
    const char *const mc[] = {"score"};
    assert_true(store_exec(a->s, "CREATE TABLE r (score REAL) STRICT; INSERT INTO r VALUES (0.1)", NULL));
    assert_true(store_exec(b->s, "CREATE TABLE r (score REAL) STRICT; INSERT INTO r VALUES (0.10000000000000002)", NULL));
    assert_true(migrate_checksum(a->s, "r", mc, "r", 1, &na, sa, NULL));
    assert_true(migrate_checksum(b->s, "r", mc, "r", 1, &nb, sb, NULL));
    assert_string_not_equal(sa, sb);
    test_db_close(a);
    test_db_close(b);
}

static void test_copy(void **state) {
    (void)state;
    test_db *src = test_db_open(), *dst = test_db_open();
    /* unit 1's parent (3) was made after it: parents first means by depth, not by id */
    assert_true(store_exec(src->s,
                           "INSERT INTO units VALUES (3, 'DG', NULL, 1);"
                           "INSERT INTO units VALUES (1, 'SG', 3, 1);"
                           "INSERT INTO units VALUES (2, 'Bureau', 1, 1);"
                           "INSERT INTO users (id, email, display_name, unit_id, created_at)"
                           " VALUES (7, 'a@x.test', 'A', 2, 0), (9, 'b@x.test', 'B', NULL, 0);"
                           "INSERT INTO inbox (user_id, kind, msg_key, created_at) VALUES (7, 'k', 'm', 3)",
                           NULL));
    assert_true(store_exec(dst->s, "PRAGMA foreign_keys = ON", NULL));
    migrate_report r;
    perr err = {{0}};
    assert_true(migrate_copy(src->s, dst->s, "src", &r, &err));
    size_t units = r.n, changes = r.n;
    for (size_t i = 0; i < r.n; i++) {
        if (!strcmp(r.tables[i].name, "units")) units = i;
        if (!strcmp(r.tables[i].name, "changes")) changes = i;
        if (r.tables[i].log) continue;
        assert_int_equal(r.tables[i].src_rows, r.tables[i].dst_rows);
        assert_string_equal(r.tables[i].src_sum, r.tables[i].dst_sum);
    }
    assert_true(units < r.n && changes < r.n);
    assert_int_equal(r.tables[units].dst_rows, 3);
    assert_true(r.tables[changes].src_rows > 0);
    assert_true(r.tables[changes].log);
    assert_int_equal(r.tables[changes].dst_rows, 0); /* emptied of what the copy's own triggers wrote */
    migrate_report_free(&r);
    /* a second run */
    err.msg[0] = '\0';
    assert_false(migrate_copy(src->s, dst->s, "src", &r, &err));
    assert_non_null(strstr(err.msg, "already filled by a copy"));
    migrate_report_free(&r);
    test_db_close(dst);
    /* a target with rows */
    dst = test_db_open();
    assert_true(store_exec(dst->s, "INSERT INTO units VALUES (1, 'X', NULL, 1)", NULL));
    err.msg[0] = '\0';
    assert_false(migrate_copy(src->s, dst->s, "src", &r, &err));
    assert_non_null(strstr(err.msg, "table units has rows"));
    migrate_report_free(&r);
    test_db_close(src);
    test_db_close(dst);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
