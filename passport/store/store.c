/* SPDX-License-Identifier: EUPL-1.2 */
/* SQLite store: per-thread connections held in a pthread key of the store, a small
 * open-addressing cache of prepared statements per connection, migrations at open; write
 * transactions serialised by a process mutex with a bounded wait; every SQLite error
 * counted (store_stats) and the serious ones logged through SQLite's error log. */
#include "store/store.h"

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
#include "core/metrics.h"
#include "store/migrations.h"

#define STMT_SLOTS 512 /* power of two; more distinct SQL strings than we will ever have */
#define CHECKPOINT_FRAMES 1000 /* SQLite's default automatic checkpoint, which our WAL hook replaces */
#define WRITE_WAIT_MS 5000     /* default bound of a write's wait for the lock (store_set_write_wait) */

typedef struct conn {
    sqlite3 *db;
    const char *keys[STMT_SLOTS];
    sqlite3_stmt *stmts[STMT_SLOTS];
    struct conn *next; /* all connections of the store, for store_free */
    int nested_reads;  /* store_read_begin calls made inside a transaction already open */
    struct store *owner;
    long long data_version; /* PRAGMA data_version when last looked (store_generation_fresh); 0: never */
    bool holds_write;  /* this thread holds owner->write_mu (between store_begin and its end) */
    bool busy;         /* the last store_begin was refused: the write lock stayed taken */
    uint64_t wait_start_ms; /* when the busy handler's current wait began */
} conn;

struct store {
    char *path;
    pthread_key_t key;
    pthread_mutex_t lock; /* guards the conns list */
    conn *conns;
    int version;
    atomic_ullong generation; /* bumped after every commit that wrote (store_generation) */
    pthread_mutex_t write_mu; /* held from store_begin to its commit or rollback */
    atomic_int write_wait_ms; /* bound of the wait for write_mu, then for SQLite's lock */
    atomic_bool foreign_lock; /* the holder of write_mu found SQLite's lock taken by another
                                 process, and no BEGIN IMMEDIATE has succeeded since */
};

/* Process-wide counters (store_stats_get): SQLite's error log has no connection. */
static atomic_ullong stat_errors, stat_corrupt, stat_full, stat_io, stat_readonly, stat_busy_waits,
    stat_busy_refusals;
/* Serious SQLite errors seen by the calling thread (store_thread_errors). */
static _Thread_local unsigned long thread_errors;
/* thread_errors when the thread last took a statement (store_stmt): store_done logs a
 * failure that nothing counted since. */
static _Thread_local unsigned long errors_at_stmt;

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* Counts an error of SQLite and logs it. Errors a caller expects (busy: counted apart;
 * constraint, SQL errors that store_stmt logs with their statement, notices, warnings) are
 * neither; everything else (corruption, I/O, a full disk, a read-only file...) is, once
 * per occurrence. */
static void count_error(int code, const char *msg) {
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
    case SQLITE_NOTADB: atomic_fetch_add(&stat_corrupt, 1); break;
    case SQLITE_FULL: atomic_fetch_add(&stat_full, 1); break;
    case SQLITE_IOERR:
        atomic_fetch_add(&stat_io, 1);
        if (errno == ENOSPC) atomic_fetch_add(&stat_full, 1);
        break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: atomic_fetch_add(&stat_readonly, 1); break;
    default: break;
    }
    atomic_fetch_add(&stat_errors, 1);
    thread_errors++;
    metrics_db_error();
    /* One failure often comes as several lines (the OS call, then the statement): a
     * request logs its first one, with its id. */
    static _Thread_local const char *logged_for;
    const char *rid = log_request_id();
    if (rid && rid == logged_for) return;
    logged_for = rid;
    log_error("database error: %s (%s)", msg ? msg : "?", sqlite3_errstr(code));
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

void store_stats_get(store_stats *out) {
    out->errors = atomic_load(&stat_errors);
    out->corrupt = atomic_load(&stat_corrupt);
    out->full = atomic_load(&stat_full);
    out->io = atomic_load(&stat_io);
    out->readonly = atomic_load(&stat_readonly);
    out->busy_waits = atomic_load(&stat_busy_waits);
    out->busy_refusals = atomic_load(&stat_busy_refusals);
}

unsigned long store_thread_errors(void) {
    return thread_errors;
}

/* SQLite's busy handler: waits in steps of up to 10 ms while the lock is taken by another
 * connection, for at most the store's write wait in all; each wait is counted. */
static int on_busy(void *arg, int count) {
    conn *c = arg;
    uint64_t now = now_ms();
    if (count == 0) {
        c->wait_start_ms = now;
        atomic_fetch_add(&stat_busy_waits, 1);
        metrics_db_busy();
    }
    if (c->holds_write) atomic_store(&c->owner->foreign_lock, true); /* another process writes */
    int bound = atomic_load(&c->owner->write_wait_ms);
    if (now - c->wait_start_ms >= (uint64_t)bound) { /* the statement fails with SQLITE_BUSY */
        c->busy = true;
        atomic_fetch_add(&stat_busy_refusals, 1);
        return 0;
    }
    uint64_t step = count < 10 ? (uint64_t)count + 1 : 10;
    if (step > (uint64_t)bound - (now - c->wait_start_ms)) step = (uint64_t)bound - (now - c->wait_start_ms);
    struct timespec t = {0, (long)step * 1000000L};
    nanosleep(&t, NULL);
    return 1;
}

static void conn_close(conn *c) {
    for (int i = 0; i < STMT_SLOTS; i++)
        if (c->stmts[i]) sqlite3_finalize(c->stmts[i]);
    sqlite3_close(c->db);
    free(c);
}

static void conn_unlink(store *s, conn *c) {
    pthread_mutex_lock(&s->lock);
    for (conn **p = &s->conns; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    pthread_mutex_unlock(&s->lock);
}

/* Thread-exit destructor of the key: closes that thread's connection. */
static void conn_thread_exit(void *p) {
    conn *c = p;
    conn_unlink(c->owner, c);
    conn_close(c);
}

/* Runs after each commit that wrote, once the write lock is released (sqlite3_wal_hook):
 * the new data is visible to every connection before the generation moves. Setting a WAL
 * hook turns SQLite's automatic checkpoint off, so it checkpoints here as SQLite would. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames) {
    store *s = arg;
    atomic_fetch_add_explicit(&s->generation, 1, memory_order_release);
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

static conn *conn_open(store *s, perr *err) {
    conn *c = xcalloc(1, sizeof *c);
    c->owner = s;
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
    return c;
fail:
    conn_close(c);
    return NULL;
}

static conn *conn_get(store *s, perr *err) {
    conn *c = pthread_getspecific(s->key);
    if (c) return c;
    c = conn_open(s, err);
    if (!c) return NULL;
    pthread_setspecific(s->key, c);
    pthread_mutex_lock(&s->lock);
    c->next = s->conns;
    s->conns = c;
    pthread_mutex_unlock(&s->lock);
    return c;
}

store *store_open(const char *path, perr *err) {
    store_library_init();
    store *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    atomic_store(&s->write_wait_ms, WRITE_WAIT_MS);
    if (pthread_key_create(&s->key, conn_thread_exit) != 0) {
        perr_set(err, "pthread_key_create failed");
        free(s->path);
        free(s);
        return NULL;
    }
    if (!conn_get(s, err)) goto fail;
    if (!migrations_apply(s, &s->version, err)) {
        explain(store_db(s), path, err);
        goto fail;
    }
    return s;
fail:
    store_free(s);
    return NULL;
}

void store_free(store *s) {
    if (!s) return;
    conn *c = pthread_getspecific(s->key);
    if (c) {
        pthread_setspecific(s->key, NULL);
        conn_unlink(s, c);
        conn_close(c);
    }
    /* Connections of threads still alive (should be none): close them too. */
    while (s->conns) {
        conn *n = s->conns->next;
        conn_close(s->conns);
        s->conns = n;
    }
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->write_mu);
    free(s->path);
    free(s);
}

void store_thread_close(store *s) {
    conn *c = pthread_getspecific(s->key);
    if (!c) return;
    pthread_setspecific(s->key, NULL);
    conn_unlink(s, c);
    conn_close(c);
}

unsigned long long store_generation(store *s) {
    return atomic_load_explicit(&s->generation, memory_order_acquire);
}

unsigned long long store_generation_fresh(store *s) {
    conn *c = conn_get(s, NULL);
    sqlite3_stmt *st = c ? store_stmt(s, "PRAGMA data_version", NULL) : NULL;
    if (st) {
        long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        store_done(st);
        /* a new value: another connection committed (perhaps another process, which
         * store_generation cannot see); the first look of a connection counts as one */
        if (v != c->data_version) atomic_fetch_add_explicit(&s->generation, 1, memory_order_release);
        c->data_version = v;
    }
    return store_generation(s);
}

int store_version(store *s) {
    return s->version;
}

sqlite3 *store_db(store *s) {
    conn *c = conn_get(s, NULL);
    return c ? c->db : NULL;
}

sqlite3_stmt *store_stmt(store *s, const char *sql, perr *err) {
    errors_at_stmt = thread_errors;
    conn *c = conn_get(s, err);
    if (!c) return NULL;
    size_t h = ((uintptr_t)sql >> 3) * 2654435761u;
    for (size_t i = 0; i < STMT_SLOTS; i++) {
        size_t slot = (h + i) & (STMT_SLOTS - 1);
        if (c->keys[slot] == sql) return c->stmts[slot];
        if (!c->keys[slot]) {
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
                log_error("sql prepare: %s in: %s", sqlite3_errmsg(c->db), sql);
                perr_set(err, "database error: %s", sqlite3_errmsg(c->db));
                return NULL;
            }
            c->keys[slot] = sql;
            c->stmts[slot] = st;
            return st;
        }
    }
    /* Cache full: should not happen; prepare would leak, so refuse loudly. */
    perr_set(err, "statement cache full");
    return NULL;
}

void store_done(sqlite3_stmt *st) {
    if (!st) return;
    /* A failed statement that SQLite's log did not report: an autocommit write whose
     * implicit COMMIT failed (a full disk, a file size limit) passes only here. */
    if (sqlite3_reset(st) != SQLITE_OK && thread_errors == errors_at_stmt) {
        sqlite3 *db = sqlite3_db_handle(st);
        count_error(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
    }
    sqlite3_clear_bindings(st);
}

void store_page_bind(sqlite3_stmt *st, int first, const store_page *pg) {
    sqlite3_bind_int(st, first, pg && pg->has_after);
    sqlite3_bind_int64(st, first + 1, pg && pg->has_after ? pg->after.at : 0);
    sqlite3_bind_int64(st, first + 2, pg && pg->has_after ? pg->after.id : 0);
    sqlite3_bind_int64(st, first + 3, pg ? (sqlite3_int64)pg->limit + 1 : -1);
}

bool store_page_row(store_page *pg, size_t *rows, int64_t at, long long id) {
    if (!pg) return true;
    if ((*rows)++ == pg->limit) {
        pg->more = true;
        return false;
    }
    pg->more = false;
    pg->last = (store_key){at, id};
    return true;
}

bool store_exec(store *s, const char *sql, perr *err) {
    conn *c = conn_get(s, err);
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
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st) return false;
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    if (!ok) perr_set(err, "database error: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
    store_done(st);
    return ok;
}

void store_set_write_wait(store *s, int ms) {
    atomic_store(&s->write_wait_ms, ms < 1 ? 1 : ms);
}

/* Takes s->write_mu, waiting at most the store's write wait; at once false when another
 * process holds SQLite's lock (the mutex holder already waits for it: one worker asleep
 * on that lock is enough, the others answer busy and serve other requests). */
static bool write_lock(store *s) {
    if (pthread_mutex_trylock(&s->write_mu) == 0) return true;
    atomic_fetch_add(&stat_busy_waits, 1);
    uint64_t deadline = now_ms() + (uint64_t)atomic_load(&s->write_wait_ms);
    /* in slices of 5 ms, to stop waiting as soon as the holder finds another process's lock */
    while (!atomic_load(&s->foreign_lock)) {
        uint64_t now = now_ms();
        if (now >= deadline) return false;
        uint64_t slice = deadline - now < 5 ? deadline - now : 5;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)slice * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pthread_mutex_timedlock(&s->write_mu, &until) == 0) return true;
    }
    return false;
}

static void write_unlock(conn *c) {
    if (!c->holds_write) return;
    c->holds_write = false;
    pthread_mutex_unlock(&c->owner->write_mu);
}

bool store_begin(store *s, perr *err) {
    conn *c = conn_get(s, err);
    if (!c) return false;
    c->busy = false;
    if (c->holds_write) return perr_set(err, "database error: a write transaction is already open");
    /* One writer per process at a time: the others wait here, bounded, instead of all
     * sleeping in SQLite's busy handler while another process holds the lock. */
    if (!write_lock(s)) {
        c->busy = true;
        atomic_fetch_add(&stat_busy_refusals, 1);
        return perr_set(err, "database busy: another write holds the lock (try again)");
    }
    c->holds_write = true;
    if (run_control(s, "BEGIN IMMEDIATE", err)) {
        atomic_store(&s->foreign_lock, false);
        return true;
    }
    int rc = sqlite3_errcode(c->db) & 0xff;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        if (!c->busy) atomic_fetch_add(&stat_busy_refusals, 1); /* else counted by on_busy */
        c->busy = true;
        perr_set(err, "database busy: another process holds the write lock (try again)");
    }
    write_unlock(c);
    return false;
}

bool store_commit(store *s, perr *err) {
    conn *c = conn_get(s, err);
    if (!c) return false;
    bool ok = run_control(s, "COMMIT", err);
    if (!ok) count_error(sqlite3_extended_errcode(c->db), sqlite3_errmsg(c->db));
    if (!ok && !sqlite3_get_autocommit(c->db)) run_control(s, "ROLLBACK", NULL);
    write_unlock(c);
    return ok;
}

bool store_busy(store *s) {
    conn *c = pthread_getspecific(s->key);
    return c && c->busy;
}

void store_clear_busy(store *s) {
    conn *c = pthread_getspecific(s->key);
    if (c) c->busy = false;
}

bool store_read_begin(store *s, perr *err) {
    conn *c = conn_get(s, err);
    if (!c) return false;
    if (!sqlite3_get_autocommit(c->db)) { /* inside a transaction: its snapshot serves */
        c->nested_reads++;
        return true;
    }
    c->nested_reads = 0;
    return run_control(s, "BEGIN DEFERRED", err);
}

void store_read_end(store *s) {
    conn *c = conn_get(s, NULL);
    if (!c || sqlite3_get_autocommit(c->db)) return; /* already ended (an error rolled it back) */
    if (c->nested_reads > 0) {
        c->nested_reads--;
        return;
    }
    if (!run_control(s, "COMMIT", NULL)) store_rollback(s);
}

void store_rollback(store *s) {
    conn *c = conn_get(s, NULL);
    if (!c) return;
    if (!sqlite3_get_autocommit(c->db)) run_control(s, "ROLLBACK", NULL);
    write_unlock(c); /* also when an error already rolled the transaction back */
}

bool store_ping(store *s) {
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM sqlite_schema", NULL);
    bool ok = st && sqlite3_step(st) == SQLITE_ROW;
    store_done(st);
    return ok;
}

long long store_last_id(store *s) {
    return (long long)sqlite3_last_insert_rowid(store_db(s));
}

int store_changes(store *s) {
    return sqlite3_changes(store_db(s));
}

void store_bind_text(sqlite3_stmt *st, int i, const char *text) {
    if (text)
        sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

const char *store_col_text(sqlite3_stmt *st, int i) {
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}
