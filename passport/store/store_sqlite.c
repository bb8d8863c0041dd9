/* SPDX-License-Identifier: EUPL-1.2 */
/* The SQLite engine of the store (store_engine.h): a connection per thread (the front
 * keeps them and their statement caches), configured for WAL; write transactions (BEGIN
 * IMMEDIATE) behind the front's process mutex, SQLite's own lock waited for with a
 * bounded busy handler; every SQLite error counted (store_stats) and the serious ones
 * logged through SQLite's error log. */
#include "store/store_engine.h"
#include "store/store_sqlite.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

#define CHECKPOINT_FRAMES 1000 /* SQLite's default automatic checkpoint, which our WAL hook replaces */

_Static_assert(STORE_INTEGER == SQLITE_INTEGER && STORE_FLOAT == SQLITE_FLOAT && STORE_TEXT == SQLITE_TEXT &&
                   STORE_BLOB == SQLITE_BLOB && STORE_NULL == SQLITE_NULL,
               "store_col_type answers SQLite's type numbers");

typedef struct sq_query {
    store_query base; /* engine ENGINE_SQLITE */
    sqlite3_stmt *st;
    struct conn *c; /* its connection */
    bool locked;    /* an autocommit write holding the process's write mutex (sq_step) */
} sq_query;

#define ST(q) (((sq_query *)(q))->st)

typedef struct conn {
    store_conn base; /* owner, list, statement cache, write and busy flags (store.c) */
    sqlite3 *db;
    long long data_version; /* PRAGMA data_version when last looked (store_generation_fresh); 0: never */
    uint64_t wait_start_ms; /* when the busy handler's current wait began */
} conn;

#define CONN(c) ((conn *)(c))

/* Counts an error of SQLite and logs it. Errors a caller expects (busy: counted apart;
 * constraint, SQL errors that store_stmt logs with their statement, notices, warnings) are
 * neither; everything else (corruption, I/O, a full disk, a read-only file...) is, once
 * per occurrence. */
static void count_error(int code, const char *msg) {
    int faults = FAULT_OTHER;
    switch (code & 0xff) {
    case SQLITE_OK:
    case SQLITE_CONSTRAINT:
    case SQLITE_SCHEMA:
    case SQLITE_NOTICE:
    case SQLITE_WARNING:
    case SQLITE_ROW:
    case SQLITE_DONE:
    case SQLITE_ERROR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: faults = FAULT_CORRUPT; break;
    case SQLITE_FULL: faults = FAULT_FULL; break;
    case SQLITE_IOERR: faults = FAULT_IO | (errno == ENOSPC ? FAULT_FULL : 0); break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: faults = FAULT_READONLY; break;
    default: break;
    }
    store_count_error(faults, msg, sqlite3_errstr(code));
}

/* SQLite's error log (SQLITE_CONFIG_LOG): a failed statement passes here with its code
 * (not a failed COMMIT: store_commit counts that one itself). */
static void on_sqlite_log(void *arg, int code, const char *msg) {
    (void)arg;
    count_error(code, msg);
}

static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void library_init_once(void) {
    /* Both must come before SQLite initialises (its first open); they fail harmlessly after. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* no global mutex around every SQLite allocation */
    sqlite3_config(SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
}

void store_library_init(void) {
    pthread_once(&library_once, library_init_once);
}

/* SQLite's busy handler: waits in steps of up to 10 ms while the lock is taken by another
 * connection, for at most the store's write wait in all; each wait is counted. */
static int on_busy(void *arg, int count) {
    conn *c = arg;
    uint64_t now = store_now_ms();
    if (count == 0) {
        c->wait_start_ms = now;
        store_count_busy_wait();
    }
    if (c->base.holds_write) atomic_store(&c->base.owner->foreign_lock, true); /* another process writes */
    int bound = atomic_load(&c->base.owner->write_wait_ms);
    if (now - c->wait_start_ms >= (uint64_t)bound) { /* the statement fails with SQLITE_BUSY */
        c->base.busy = true;
        store_count_busy_refusal();
        return 0;
    }
    uint64_t step = count < 10 ? (uint64_t)count + 1 : 10;
    if (step > (uint64_t)bound - (now - c->wait_start_ms)) step = (uint64_t)bound - (now - c->wait_start_ms);
    struct timespec t = {0, (long)step * 1000000L};
    nanosleep(&t, NULL);
    return 1;
}

void sq_conn_close(store_conn *base) {
    conn *c = CONN(base);
    sqlite3_close(c->db);
    free(c);
}

/* Runs after each commit that wrote, once the write lock is released (sqlite3_wal_hook):
 * the new data is visible to every connection before the generation moves. Setting a WAL
 * hook turns SQLite's automatic checkpoint off, so it checkpoints here as SQLite would. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames) {
    store_bump_generation(arg);
    if (frames >= CHECKPOINT_FRAMES) sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

/* The folder of path is writable by this process (checked when SQLite cannot open or write). */
static bool folder_writable(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    bool ok = access(dir, W_OK) == 0;
    free(dir);
    return ok;
}

/* Rewrites err (what failed, in SQLite's words) into what an operator acts on, from the
 * failing connection's error code and the system error behind it. */
static void explain(sqlite3 *db, const char *path, perr *err) {
    if (!err || !db) return;
    int rc = sqlite3_extended_errcode(db), sys = sqlite3_system_errno(db);
    char was[PERR_MAX];
    snprintf(was, sizeof was, "%s", err->msg);
    switch (rc & 0xff) {
    case SQLITE_FULL: perr_set(err, "the disk is full (%s: %s)", path, was); return;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        perr_set(err, "the database file %s is corrupt (%s): restore a backup (passport restore)", path, was);
        return;
    case SQLITE_IOERR:
        if (sys == ENOSPC) perr_set(err, "the disk is full (%s: %s)", path, was);
        else perr_set(err, "the disk failed reading or writing %s (%s: %s)", path, was, strerror(sys));
        return;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        if (!folder_writable(path))
            perr_set(err, "the data folder of %s is read-only or not writable by this user (%s)", path, was);
        else if (access(path, F_OK) == 0 && access(path, R_OK | W_OK) != 0)
            perr_set(err, "the database file %s is read-only or not readable by this user (%s)", path, was);
        else if (sys == ENOSPC)
            perr_set(err, "the disk is full (%s: %s)", path, was);
        return;
    default: return;
    }
}

store_conn *sq_conn_open(store *s, perr *err) {
    conn *c = xcalloc(1, sizeof *c);
    c->base.owner = s;
    int rc = sqlite3_open_v2(s->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        perr_set(err, "cannot open %s: %s", s->path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
        explain(c->db, s->path, err);
        goto fail;
    }
    if (sqlite3_db_readonly(c->db, "main") == 1) { /* SQLite falls back to reading silently */
        if (!folder_writable(s->path))
            perr_set(err, "the data folder of %s is read-only or not writable by this user", s->path);
        else perr_set(err, "the database file %s is read-only or not writable by this user", s->path);
        goto fail;
    }
    sqlite3_busy_handler(c->db, on_busy, c);
    sqlite3_wal_hook(c->db, on_commit, s);
    char *msg = NULL;
    rc = sqlite3_exec(c->db,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;"
                      /* erased rows leave no bytes behind (docs/privacy.md) */
                      "PRAGMA secure_delete=ON; PRAGMA journal_size_limit=4194304;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        perr_set(err, "cannot configure %s: %s", s->path, msg ? msg : "?");
        sqlite3_free(msg);
        explain(c->db, s->path, err);
        goto fail;
    }
    return &c->base;
fail:
    sq_conn_close(&c->base);
    return NULL;
}

void sq_explain(store *s, perr *err) {
    explain(store_db(s), s->path, err);
}

unsigned long long sq_generation_fresh(store *s) {
    conn *c = CONN(store_conn_get(s, NULL));
    store_query *st = c ? store_stmt(s, "PRAGMA data_version", NULL) : NULL;
    if (st) {
        long long v = sq_step(st) == STORE_ROW ? sq_col_int64(st, 0) : -1;
        sq_done(st);
        /* a new value: another connection committed (perhaps another process, which
         * store_generation cannot see); the first look of a connection counts as one */
        if (v != c->data_version) store_bump_generation(s);
        c->data_version = v;
    }
    return store_generation(s);
}

sqlite3 *store_db(store *s) {
    if (s->engine != ENGINE_SQLITE) return NULL;
    conn *c = CONN(store_conn_get(s, NULL));
    return c ? c->db : NULL;
}

store_query *sq_stmt_new(store_conn *base, const char *sql, perr *err) {
    conn *c = CONN(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("sql prepare: %s in: %s", sqlite3_errmsg(c->db), sql);
        perr_set(err, "database error: %s", sqlite3_errmsg(c->db));
        return NULL;
    }
    sq_query *q = xcalloc(1, sizeof *q);
    q->base.engine = ENGINE_SQLITE;
    q->st = st;
    q->c = c;
    return &q->base;
}

store_query *sq_prepare(store *s, const char *sql, perr *err) {
    conn *c = CONN(store_conn_get(s, err));
    if (!c) return NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        perr_set(err, "database error: %s", sqlite3_errmsg(c->db));
        sqlite3_finalize(st);
        return NULL;
    }
    sq_query *q = xcalloc(1, sizeof *q);
    q->base.engine = ENGINE_SQLITE;
    q->st = st;
    q->c = c;
    return &q->base;
}

/* Ends an autocommit write's hold of the process's write mutex (sq_step). */
static void autocommit_unlock(sq_query *q) {
    if (!q->locked) return;
    q->locked = false;
    store_write_unlock(&q->c->base);
}

void sq_finalize(store_query *q) {
    sqlite3_finalize(ST(q));
    autocommit_unlock((sq_query *)q);
    free(q);
}

void sq_done(store_query *q) {
    sqlite3_stmt *st = ST(q);
    /* A failed statement that SQLite's log did not report: an autocommit write whose
     * implicit COMMIT failed (a full disk, a file size limit) passes only here. */
    if (sqlite3_reset(st) != SQLITE_OK && store_thread_errors() == store_errors_at_stmt()) {
        sqlite3 *db = sqlite3_db_handle(st);
        count_error(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
    }
    autocommit_unlock((sq_query *)q); /* the reset ended its implicit transaction */
    sqlite3_clear_bindings(st);
}

bool sq_exec(store *s, const char *sql, perr *err) {
    conn *c = CONN(store_conn_get(s, err));
    if (!c) return false;
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        perr_set(err, "database error: %s", msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        return false;
    }
    return true;
}

/* Steps a transaction-control statement from the statement cache: parsed once per
 * connection instead of at every transaction (the parse cost more than the statement). */
static bool run_control(store *s, const char *sql, perr *err) {
    store_query *st = store_stmt(s, sql, err);
    if (!st) return false;
    bool ok = sq_step(st) == STORE_DONE;
    if (!ok) perr_set(err, "database error: %s", sq_query_errmsg(st));
    sq_done(st);
    return ok;
}

bool sq_in_transaction(store_conn *c) {
    return !sqlite3_get_autocommit(CONN(c)->db);
}

bool sq_begin(store_conn *base, perr *err) {
    conn *c = CONN(base);
    if (run_control(base->owner, "BEGIN IMMEDIATE", err)) return true;
    int rc = sqlite3_errcode(c->db) & 0xff;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        if (!base->busy) store_count_busy_refusal(); /* else counted by on_busy */
        base->busy = true;
        perr_set(err, "database busy: another process holds the write lock (try again)");
    }
    return false;
}

bool sq_commit(store_conn *base, perr *err) {
    conn *c = CONN(base);
    bool ok = run_control(base->owner, "COMMIT", err);
    if (!ok) count_error(sqlite3_extended_errcode(c->db), sqlite3_errmsg(c->db));
    if (!ok && !sqlite3_get_autocommit(c->db)) run_control(base->owner, "ROLLBACK", NULL);
    return ok;
}

void sq_rollback(store_conn *c) {
    if (sq_in_transaction(c)) run_control(c->owner, "ROLLBACK", NULL);
}

bool sq_read_begin(store_conn *c, perr *err) {
    return run_control(c->owner, "BEGIN DEFERRED", err);
}

bool sq_read_end(store_conn *c) {
    return run_control(c->owner, "COMMIT", NULL);
}

int sq_changes(store *s) {
    return sqlite3_changes(store_db(s));
}

/* A write outside a transaction (a visit, a session's idle refresh) takes the process's
 * write mutex as store_begin does, for as long as SQLite's lock: without it, it took
 * SQLite's lock beside the mutex's holder, whose BEGIN IMMEDIATE then waited in the busy
 * handler (sleeps of up to 10 ms) and took this process's write for another process's,
 * making the other writers give up at once (503). When the mutex is not had in time (or
 * another process holds the lock), the write goes on as before, to SQLite's busy handler. */
int sq_step(store_query *q) {
    sq_query *sq = (sq_query *)q;
    if (!sq->locked && !sq->c->base.holds_write && sqlite3_get_autocommit(sq->c->db) && !sqlite3_stmt_busy(sq->st) &&
        !sqlite3_stmt_readonly(sq->st) && store_write_lock(sq->c->base.owner)) {
        sq->locked = true;
        sq->c->base.holds_write = true;
    }
    int rc = sqlite3_step(sq->st);
    if ((rc & 0xff) != SQLITE_ROW) autocommit_unlock(sq); /* its implicit transaction ended with the step */
    switch (rc & 0xff) {
    case SQLITE_ROW: return STORE_ROW;
    case SQLITE_DONE: return STORE_DONE;
    case SQLITE_CONSTRAINT: return STORE_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return STORE_BUSY;
    default: return STORE_ERROR;
    }
}

const char *sq_errmsg(store *s) {
    sqlite3 *db = store_db(s);
    return db ? sqlite3_errmsg(db) : "no database connection";
}

const char *sq_query_errmsg(store_query *q) {
    return sqlite3_errmsg(sqlite3_db_handle(ST(q)));
}

void sq_bind_int64(store_query *q, int i, int64_t v) {
    sqlite3_bind_int64(ST(q), i, (sqlite3_int64)v);
}

void sq_bind_double(store_query *q, int i, double v) {
    sqlite3_bind_double(ST(q), i, v);
}

void sq_bind_null(store_query *q, int i) {
    sqlite3_bind_null(ST(q), i);
}

void sq_bind_textn(store_query *q, int i, const char *text, int len) {
    sqlite3_bind_text(ST(q), i, text, len, SQLITE_TRANSIENT);
}

int64_t sq_col_int64(store_query *q, int i) {
    return (int64_t)sqlite3_column_int64(ST(q), i);
}

int sq_col_int(store_query *q, int i) {
    return sqlite3_column_int(ST(q), i);
}

double sq_col_double(store_query *q, int i) {
    return sqlite3_column_double(ST(q), i);
}

const char *sq_col_text_or_null(store_query *q, int i) {
    return (const char *)sqlite3_column_text(ST(q), i);
}

size_t sq_col_bytes(store_query *q, int i) {
    return (size_t)sqlite3_column_bytes(ST(q), i);
}

int sq_col_type(store_query *q, int i) {
    return sqlite3_column_type(ST(q), i); /* the STORE_ type numbers are SQLite's */
}

int sq_col_count(store_query *q) {
    return sqlite3_column_count(ST(q));
}

const char *sq_col_name(store_query *q, int i) {
    return sqlite3_column_name(ST(q), i);
}
