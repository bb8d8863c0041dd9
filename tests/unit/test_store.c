/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for the store's write lock and error accounting: a write waits a bounded time for
 * another process's lock, then fails as busy (counted); within the process writers queue on
 * the mutex instead of SQLite's busy handler, writes outside a transaction too; reads go on
 * meanwhile; a corrupt page is an error counted and seen by the thread, not an empty answer. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/clock.h"
#include "store/store_engine.h"
#include "store/store_sqlite.h"
#include "testutil.h"

static void busy_when_another_process_writes(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store_set_write_wait(t->s, 150);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(t->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO units(name, created_at) VALUES ('x', 0)", NULL, NULL, NULL), SQLITE_OK);
    store_stats before, after;
    store_stats_get(&before);
    perr err = {{0}};
    uint64_t t0 = clock_mono_us();
    assert_false(store_begin(t->s, &err));
    uint64_t took = clock_mono_us() - t0;
    assert_true(took >= 100000 && took < 1000000);
    assert_true(store_busy(t->s));
    assert_non_null(strstr(err.msg, "database busy"));
    store_stats_get(&after);
    assert_int_equal(after.busy_refusals, before.busy_refusals + 1);
    assert_true(after.busy_waits > before.busy_waits);
    /* a read does not wait for the writer */
    t0 = clock_mono_us();
    assert_true(store_ping(t->s));
    assert_true(clock_mono_us() - t0 < 100000);
    store_clear_busy(t->s);
    assert_false(store_busy(t->s));
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    /* once released, writes go through, and the mutex was released by the failed begin */
    assert_true(store_begin(t->s, &err));
    assert_false(store_busy(t->s));
    assert_true(store_commit(t->s, &err));
    assert_true(store_begin(t->s, &err));
    store_rollback(t->s);
    sqlite3_close(other);
    test_db_close(t);
}

typedef struct holder {
    store *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stage; /* 1: holds the transaction; 2: may commit */
} holder;

static void *hold_write(void *arg) {
    holder *h = arg;
    perr err = {{0}};
    bool ok = store_begin(h->s, &err);
    pthread_mutex_lock(&h->mu);
    h->stage = ok ? 1 : -1;
    pthread_cond_broadcast(&h->cv);
    while (h->stage != 2) pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    if (ok) store_commit(h->s, &err);
    return NULL;
}

static void writers_of_one_process_queue_on_the_mutex(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store_set_write_wait(t->s, 100);
    holder h = {.s = t->s, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t th;
    pthread_create(&th, NULL, hold_write, &h);
    pthread_mutex_lock(&h.mu);
    while (h.stage == 0) pthread_cond_wait(&h.cv, &h.mu);
    pthread_mutex_unlock(&h.mu);
    assert_int_equal(h.stage, 1);
    perr err = {{0}};
    uint64_t t0 = clock_mono_us();
    assert_false(store_begin(t->s, &err)); /* the other thread's transaction is still open */
    assert_true(clock_mono_us() - t0 < 1000000);
    assert_true(store_busy(t->s));
    pthread_mutex_lock(&h.mu);
    h.stage = 2;
    pthread_cond_broadcast(&h.cv);
    pthread_mutex_unlock(&h.mu);
    pthread_join(th, NULL);
    assert_true(store_begin(t->s, &err));
    assert_true(store_commit(t->s, &err));
    /* a second begin on the same thread fails at once instead of waiting for itself */
    assert_true(store_begin(t->s, &err));
    t0 = clock_mono_us();
    assert_false(store_begin(t->s, &err));
    assert_true(clock_mono_us() - t0 < 50000);
    store_rollback(t->s);
    test_db_close(t);
}

typedef struct waiter {
    store *s;
    bool ok;
} waiter;

static void *try_write(void *arg) {
    waiter *w = arg;
    perr err = {{0}};
    w->ok = store_begin(w->s, &err);
    if (w->ok) store_rollback(w->s);
    return NULL;
}

/* While one thread waits for another process's lock, a second writer does not queue
 * behind it: it fails at once, so that only one worker sleeps on that lock. */
static void one_worker_waits_for_another_process(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store_set_write_wait(t->s, 600);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(t->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    store_stats before;
    store_stats_get(&before);
    waiter w = {t->s, true};
    pthread_t th;
    pthread_create(&th, NULL, try_write, &w);
    /* until the thread, holding the process mutex, is in SQLite's busy wait (counted); not a
     * fixed pause, which a loaded machine can outlast */
    for (int i = 0; i < 500; i++) {
        store_stats now;
        store_stats_get(&now);
        if (now.busy_waits > before.busy_waits) break;
        struct timespec pause = {0, 1000000L};
        nanosleep(&pause, NULL);
    }
    perr err = {{0}};
    uint64_t t0 = clock_mono_us();
    assert_false(store_begin(t->s, &err));
    assert_true(clock_mono_us() - t0 < 300000); /* at once, not after the 600 ms wait */
    assert_true(store_busy(t->s));
    pthread_join(th, NULL);
    assert_false(w.ok);
    /* the other process is done: the next writer goes through and clears the state */
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_true(store_begin(t->s, &err));
    assert_true(store_commit(t->s, &err));
    holder h = {.s = t->s, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_create(&th, NULL, hold_write, &h);
    pthread_mutex_lock(&h.mu);
    while (h.stage == 0) pthread_cond_wait(&h.cv, &h.mu);
    pthread_mutex_unlock(&h.mu);
    t0 = clock_mono_us(); /* an in-process writer holds the mutex: a bounded wait again */
    assert_false(store_begin(t->s, &err));
    assert_true(clock_mono_us() - t0 >= 500000);
    pthread_mutex_lock(&h.mu);
    h.stage = 2;
    pthread_cond_broadcast(&h.cv);
    pthread_mutex_unlock(&h.mu);
    pthread_join(th, NULL);
    sqlite3_close(other);
    test_db_close(t);
}

static void *take_write_lock(void *arg) {
    waiter *w = arg;
    w->ok = store_write_lock(w->s);
    if (w->ok) {
        perr err = {{0}};
        store_conn *c = store_conn_get(w->s, &err);
        c->holds_write = true;
        store_write_unlock(c);
    }
    return NULL;
}

/* A write outside a transaction holds the process's write mutex for as long as SQLite's
 * lock (here until its RETURNING row is reset): another thread's writer waits for the
 * mutex, instead of taking it and finding SQLite's lock taken, as if another process
 * held it (which made every other writer give up at once). Reads do not take it. */
static void an_autocommit_write_holds_the_mutex(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store_set_write_wait(t->s, 50);
    store_query *st = store_stmt(t->s, "INSERT INTO units(name, created_at) VALUES ('y', 0) RETURNING id", NULL);
    assert_int_equal(store_step(st), STORE_ROW);
    waiter w = {t->s, true};
    pthread_t th;
    pthread_create(&th, NULL, take_write_lock, &w);
    pthread_join(th, NULL);
    assert_false(w.ok);
    store_done(st);
    w.ok = false;
    pthread_create(&th, NULL, take_write_lock, &w);
    pthread_join(th, NULL);
    assert_true(w.ok);
    /* a read leaves the mutex free; a write completed in one step releases it */
    st = store_stmt(t->s, "SELECT count(*) FROM units", NULL);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_true(store_exec(t->s, "SELECT 1", NULL));
    w.ok = false;
    pthread_create(&th, NULL, take_write_lock, &w);
    pthread_join(th, NULL);
    assert_true(w.ok);
    store_done(st);
    st = store_stmt(t->s, "UPDATE units SET created_at = 1 WHERE name = 'y'", NULL);
    assert_int_equal(store_step(st), STORE_DONE);
    w.ok = false;
    pthread_create(&th, NULL, take_write_lock, &w);
    pthread_join(th, NULL);
    assert_true(w.ok);
    store_done(st);
    /* inside a transaction the statement takes nothing more (the mutex is store_begin's) */
    perr err = {{0}};
    assert_true(store_begin(t->s, &err));
    st = store_stmt(t->s, "UPDATE units SET created_at = 2 WHERE name = 'y'", NULL);
    assert_int_equal(store_step(st), STORE_DONE);
    store_done(st);
    assert_true(store_commit(t->s, &err));
    assert_true(store_begin(t->s, &err));
    store_rollback(t->s);
    test_db_close(t);
}

static void corrupt_page_is_an_error_counted(void **state) {
    (void)state;
    test_db *t = test_db_open();
    for (int i = 0; i < 400; i++)
        assert_true(store_exec(t->s, "INSERT INTO units(name, created_at) VALUES (hex(randomblob(60)), 0)", NULL));
    assert_true(store_exec(t->s, "PRAGMA wal_checkpoint(TRUNCATE)", NULL));
    store_query *st = store_stmt(t->s, "SELECT rootpage FROM sqlite_schema WHERE name = 'units'", NULL);
    assert_int_equal(store_step(st), STORE_ROW);
    int root = store_col_int(st, 0);
    store_done(st);
    store_free(t->s);
    /* overwrite the table's root page with garbage */
    FILE *f = fopen(t->path, "r+b");
    assert_non_null(f);
    fseek(f, (long)(root - 1) * 4096, SEEK_SET);
    char junk[4096];
    memset(junk, 0x5a, sizeof junk);
    fwrite(junk, 1, sizeof junk, f);
    fclose(f);
    perr err = {{0}};
    t->s = store_open(t->path, &err);
    assert_non_null(t->s);
    store_stats before, after;
    store_stats_get(&before);
    unsigned long mine = store_thread_errors();
    st = store_stmt(t->s, "SELECT sum(created_at) FROM units NOT INDEXED", NULL);
    assert_int_not_equal(store_step(st), STORE_ROW);
    store_done(st);
    store_stats_get(&after);
    assert_true(after.corrupt > before.corrupt);
    assert_true(after.errors > before.errors);
    assert_true(store_thread_errors() > mine);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(busy_when_another_process_writes),
        cmocka_unit_test(writers_of_one_process_queue_on_the_mutex),
        cmocka_unit_test(one_worker_waits_for_another_process),
        cmocka_unit_test(an_autocommit_write_holds_the_mutex),
        cmocka_unit_test(corrupt_page_is_an_error_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
