/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for the store's diagnostics: SQLite's error log becomes counted database errors
 * (core/metrics.h), logged once per request with its id (expected outcomes such as
 * constraints left out), and the readiness write probe (store/diag.c) commits or says why
 * it cannot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/metrics.h"
#include "store/store_sqlite.h"
#include "testutil.h"

/* Runs fn with standard error captured; returns what was written (caller frees). */
static char *captured_stderr(void (*fn)(void)) {
    char path[] = "/tmp/passport-test-diag-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    fn();
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    char *out = calloc(1, 8192);
    size_t n = fread(out, 1, 8191, f);
    out[n] = '\0';
    fclose(f);
    close(fd);
    unlink(path);
    return out;
}

static void log_some_errors(void) {
    log_set_request_id("req-one");
    sqlite3_log(SQLITE_CORRUPT, "database corruption at line 1");
    sqlite3_log(SQLITE_IOERR_WRITE, "disk I/O error"); /* same request: counted, not logged */
    sqlite3_log(SQLITE_CONSTRAINT_UNIQUE, "UNIQUE constraint failed"); /* expected: ignored */
    sqlite3_log(SQLITE_NOTICE_RECOVER_WAL, "recovered 3 frames"); /* a notice: ignored */
    log_set_request_id("req-two");
    sqlite3_log(SQLITE_FULL, "database or disk is full");
    log_set_request_id(NULL);
}

static void test_errors_counted_and_logged_once_per_request(void **state) {
    (void)state;
    unsigned long errors = metrics_db_errors();
    char *out = captured_stderr(log_some_errors);
    assert_int_equal(metrics_db_errors() - errors, 3);
    assert_non_null(strstr(out, "database corruption at line 1"));
    assert_non_null(strstr(out, "id=req-one"));
    assert_null(strstr(out, "disk I/O error"));
    assert_null(strstr(out, "UNIQUE"));
    assert_null(strstr(out, "recovered"));
    assert_non_null(strstr(out, "database or disk is full"));
    assert_non_null(strstr(out, "id=req-two"));
    free(out);
}

static void test_write_probe(void **state) {
    (void)state;
    test_db *t = test_db_open();
    perr err = {{0}};
    assert_true(store_check_write(t->s, &err));
    assert_true(store_exec(t->s, "PRAGMA query_only=1", NULL)); /* as a read-only folder would */
    assert_false(store_check_write(t->s, &err));
    assert_non_null(strstr(err.msg, "database error"));
    assert_true(store_exec(t->s, "PRAGMA query_only=0", NULL));
    assert_true(store_check_write(t->s, &err));
    test_db_close(t);
}

int main(void) {
    store_library_init(); /* before any other SQLite call */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_counted_and_logged_once_per_request),
        cmocka_unit_test(test_write_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
