/* SQLite store: per-thread connections held in a pthread key of the store, a small
 * open-addressing cache of prepared statements per connection, migrations at open. */
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "store/migrations.h"

#define STMT_SLOTS 512 /* power of two; more distinct SQL strings than we will ever have */
#define CHECKPOINT_FRAMES 1000 /* SQLite's default automatic checkpoint, which our WAL hook replaces */

typedef struct conn {
    sqlite3 *db;
    const char *keys[STMT_SLOTS];
    sqlite3_stmt *stmts[STMT_SLOTS];
    struct conn *next; /* all connections of the store, for store_free */
    int nested_reads;  /* store_read_begin calls made inside a transaction already open */
    struct store *owner;
    long long data_version; /* PRAGMA data_version when last looked (store_generation_fresh); 0: never */
} conn;

struct store {
    char *path;
    pthread_key_t key;
    pthread_mutex_t lock; /* guards the conns list */
    conn *conns;
    int version;
    atomic_ullong generation; /* bumped after every commit that wrote (store_generation) */
};

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

static conn *conn_open(store *s, perr *err) {
    conn *c = xcalloc(1, sizeof *c);
    c->owner = s;
    int rc = sqlite3_open_v2(s->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        perr_set(err, "cannot open %s: %s", s->path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(c->db, 5000);
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
    store *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    pthread_mutex_init(&s->lock, NULL);
    if (pthread_key_create(&s->key, conn_thread_exit) != 0) {
        perr_set(err, "pthread_key_create failed");
        free(s->path);
        free(s);
        return NULL;
    }
    if (!conn_get(s, err)) goto fail;
    if (!migrations_apply(s, &s->version, err)) goto fail;
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
    free(s->path);
    free(s);
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
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
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

bool store_begin(store *s, perr *err) {
    return run_control(s, "BEGIN IMMEDIATE", err);
}

bool store_commit(store *s, perr *err) {
    return run_control(s, "COMMIT", err);
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
    sqlite3 *db = store_db(s);
    if (db && !sqlite3_get_autocommit(db)) run_control(s, "ROLLBACK", NULL);
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
