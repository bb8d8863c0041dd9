/* SPDX-License-Identifier: EUPL-1.2 */
/* The two engines behind store.h, for the store's own files only: the front (store.c)
 * keeps what both share (the store, its per-thread connections and their statement caches,
 * the process write mutex, nested reads, the generation, the error counters, paging) and
 * dispatches every call to store_sqlite.c (sq_*) or store_pg.c
 * (pgs_*) by the store's or the statement's engine. Domain code never includes it. */
#ifndef PASSPORT_STORE_STORE_ENGINE_H
#define PASSPORT_STORE_STORE_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/loggate.h"
#include "store/store.h"

#define STMT_SLOTS 512 /* per connection; power of two; more distinct SQL strings than we will ever have */
#define LOG_TOPICS 16    /* kinds of failure lines a store rate-limits (store_log_failure) */

typedef enum store_engine { ENGINE_SQLITE = 0, ENGINE_PG = 1 } store_engine;

typedef struct store_conn store_conn;

struct store {
    store_engine engine;
    char *path;           /* the SQLite file, or the PostgreSQL connection URL */
    pthread_key_t key;    /* this thread's connection (a store_conn) */
    pthread_mutex_t lock; /* guards conns */
    store_conn *conns;    /* every open connection of the store */
    int version;
    atomic_ullong generation; /* bumped after every commit that wrote (store_generation) */
    pthread_mutex_t write_mu; /* held from store_begin to its commit or rollback */
    atomic_int write_wait_ms; /* bound of the wait for write_mu, then for the engine's lock */
    atomic_bool foreign_lock; /* the holder of write_mu found the engine's write lock taken by
                                 another process, and no store_begin has succeeded since */
    struct pg_listener *listener; /* PostgreSQL: store_listen_start's thread, or NULL */
    log_gate conn_log;    /* PostgreSQL: the lines of a lost connection ("cannot reconnect") */
    pthread_mutex_t topics_mu; /* guards topics (their gates have their own mutexes) */
    struct store_topic {
        const char *name; /* NULL: free */
        log_gate gate;
    } topics[LOG_TOPICS]; /* store_log_failure's gates, one per topic */
};

/* The first member of each engine's statement: which engine runs it. */
struct store_query {
    store_engine engine;
};

/* One entry of a connection's statement cache: a statement of store_stmt, keyed by its
 * SQL's pointer (the statements are string literals). */
typedef struct store_slot {
    const char *sql;
    store_query *q;
} store_slot;

/* The first member of each engine's connection: what the front keeps for every engine
 * (store.c opens, lists, caches and closes through it; the engine adds its handle). */
struct store_conn {
    store *owner;
    store_conn *next;         /* all connections of the store, for store_free */
    store_slot stmts[STMT_SLOTS]; /* open addressing on the SQL pointer */
    int nested_reads;         /* store_read_begin calls made inside a transaction already open */
    bool holds_write;         /* this thread holds owner->write_mu (between store_begin and its end) */
    bool busy;                /* a lock stayed taken past the write wait since store_clear_busy */
};

/* store_open without the migrations (the engine's unit tests, tools that look first). */
store *store_open_bare(const char *location, perr *err);

/* Shared by the engines (store.c). */
uint64_t store_now_ms(void);
/* The calling thread's connection, opened by the engine on first use (NULL with err set
 * when that fails; PostgreSQL: a dropped connection is reopened here, outside a write). */
store_conn *store_conn_get(store *s, perr *err);
/* store_thread_errors() when the thread last took a statement of the cache (store_stmt):
 * an engine's store_done logs a failure that nothing counted since. */
unsigned long store_errors_at_stmt(void);
/* Takes s->write_mu, waiting at most the write wait; false at once while foreign_lock. */
bool store_write_lock(store *s);
/* Releases the write mutex when c holds it (store_begin's, or an autocommit write's). */
void store_write_unlock(store_conn *c);
/* Kinds of a counted error (store_count_error), or-ed: an I/O error may be a full disk. */
enum { FAULT_OTHER = 0, FAULT_CORRUPT = 1, FAULT_FULL = 2, FAULT_IO = 4, FAULT_READONLY = 8 };
/* Counts a serious error (store_stats.errors and its kinds, the thread's count, the
 * metrics) and logs it, once per request: "database error: msg (detail)". */
void store_count_error(int faults, const char *msg, const char *detail);
/* Counts a serious error as store_count_error does, without logging it (a line of a
 * rate-limited kind, s->conn_log, says it). */
void store_count_error_unlogged(int faults);
void store_count_busy_wait(void);
void store_count_busy_refusal(void);
void store_bump_generation(store *s);

/* The engines. The front does, for both: the connections' list and key, the statement
 * cache, the process write mutex around store_begin .. store_commit/store_rollback, the
 * nesting of store_read_begin, store_busy. An engine's begin runs once the front holds
 * the mutex (c->holds_write), and sets c->busy when the engine's own lock stayed taken;
 * its commit and rollback end the transaction, the front then releases the mutex; its
 * read_begin runs only outside a transaction, its read_end only for the outermost one
 * (false: the commit failed, the front rolls back). */

/* The SQLite engine (store_sqlite.c): each as the store.h function of the same name. */
/* A new connection to s->path (its owner set), closed by sq_conn_close once the front
 * has finalized its cached statements (sq_finalize). */
store_conn *sq_conn_open(store *s, perr *err);
void sq_conn_close(store_conn *c);
void sq_explain(store *s, perr *err);
unsigned long long sq_generation_fresh(store *s);
/* A statement for the cache of c (store_stmt found none for sql). */
store_query *sq_stmt_new(store_conn *c, const char *sql, perr *err);
store_query *sq_prepare(store *s, const char *sql, perr *err);
void sq_finalize(store_query *q);
void sq_done(store_query *q);
int sq_step(store_query *q);
const char *sq_errmsg(store *s);
const char *sq_query_errmsg(store_query *q);
bool sq_in_transaction(store_conn *c);
bool sq_begin(store_conn *c, perr *err);
bool sq_commit(store_conn *c, perr *err);
void sq_rollback(store_conn *c);
bool sq_read_begin(store_conn *c, perr *err);
bool sq_read_end(store_conn *c);
bool sq_exec(store *s, const char *sql, perr *err);
int sq_changes(store *s);
void sq_bind_int64(store_query *q, int i, int64_t v);
void sq_bind_double(store_query *q, int i, double v);
void sq_bind_null(store_query *q, int i);
void sq_bind_textn(store_query *q, int i, const char *text, int len);
int64_t sq_col_int64(store_query *q, int i);
int sq_col_int(store_query *q, int i);
double sq_col_double(store_query *q, int i);
const char *sq_col_text_or_null(store_query *q, int i);
size_t sq_col_bytes(store_query *q, int i);
int sq_col_type(store_query *q, int i);
int sq_col_count(store_query *q);
const char *sq_col_name(store_query *q, int i);

/* The PostgreSQL engine (store_pg.c), the same calls. */
store_conn *pgs_conn_open(store *s, perr *err);
void pgs_conn_close(store_conn *c);
/* Reconnects c when the server dropped it and no write transaction holds it. */
void pgs_conn_revive(store_conn *c);
unsigned long long pgs_generation_fresh(store *s);
/* store_listen_start, store_listening, store_notifications; pgs_listen_stop ends the
 * thread (store_free; no-op when none). */
bool pgs_listen_start(store *s, perr *err);
bool pgs_listening(store *s);
unsigned long long pgs_notifications(store *s);
void pgs_listen_stop(store *s);
store_query *pgs_stmt_new(store_conn *c, const char *sql, perr *err);
store_query *pgs_prepare(store *s, const char *sql, perr *err);
void pgs_finalize(store_query *q);
/* Frees q without telling the server (its connection closes). */
void pgs_query_free(store_query *q);
void pgs_done(store_query *q);
int pgs_step(store_query *q);
int pgs_step_may_fail(store_query *q);
const char *pgs_errmsg(store *s);
const char *pgs_query_errmsg(store_query *q);
bool pgs_in_transaction(store_conn *c);
bool pgs_begin(store_conn *c, perr *err);
bool pgs_commit(store_conn *c, perr *err);
void pgs_rollback(store_conn *c);
bool pgs_read_begin(store_conn *c, perr *err);
bool pgs_read_end(store_conn *c);
bool pgs_exec(store *s, const char *sql, perr *err);
int pgs_changes(store *s);
void pgs_bind_int64(store_query *q, int i, int64_t v);
void pgs_bind_double(store_query *q, int i, double v);
void pgs_bind_null(store_query *q, int i);
void pgs_bind_textn(store_query *q, int i, const char *text, int len);
int64_t pgs_col_int64(store_query *q, int i);
int pgs_col_int(store_query *q, int i);
double pgs_col_double(store_query *q, int i);
const char *pgs_col_text_or_null(store_query *q, int i);
size_t pgs_col_bytes(store_query *q, int i);
int pgs_col_type(store_query *q, int i);
int pgs_col_count(store_query *q);
const char *pgs_col_name(store_query *q, int i);
/* The schema version of a PostgreSQL store and its migrations (migrations.c): the version
 * table is created when missing; both need a write transaction open (store_begin). */
bool pgs_schema_version(store *s, int *version, perr *err);
bool pgs_set_schema_version(store *s, int version, perr *err);

#endif
