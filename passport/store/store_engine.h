/* The two engines behind store.h, for the store's own files only: the front (store.c)
 * keeps what both share (the store, the process write mutex, the generation, the error
 * counters, paging) and dispatches every call to store_sqlite.c (sq_*) or store_pg.c
 * (pgs_*) by the store's or the statement's engine. Domain code never includes it. */
#ifndef PASSPORT_STORE_STORE_ENGINE_H
#define PASSPORT_STORE_STORE_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define STMT_SLOTS 512 /* per connection; power of two; more distinct SQL strings than we will ever have */

typedef enum store_engine { ENGINE_SQLITE = 0, ENGINE_PG = 1 } store_engine;

struct store {
    store_engine engine;
    char *path;           /* the SQLite file, or the PostgreSQL connection URL */
    pthread_key_t key;    /* this thread's connection (the engine's own type) */
    pthread_mutex_t lock; /* guards conns */
    void *conns;          /* every open connection of the store (the engine's list) */
    int version;
    atomic_ullong generation; /* bumped after every commit that wrote (store_generation) */
    pthread_mutex_t write_mu; /* held from store_begin to its commit or rollback */
    atomic_int write_wait_ms; /* bound of the wait for write_mu, then for the engine's lock */
    atomic_bool foreign_lock; /* the holder of write_mu found the engine's write lock taken by
                                 another process, and no store_begin has succeeded since */
};

/* The first member of each engine's statement: which engine runs it. */
struct store_query {
    store_engine engine;
};

/* store_open without the migrations (the engine's unit tests, tools that look first). */
store *store_open_bare(const char *location, perr *err);

/* Shared by the engines (store.c). */
uint64_t store_now_ms(void);
/* Takes s->write_mu, waiting at most the write wait; false at once while foreign_lock. */
bool store_write_lock(store *s);
/* Kinds of a counted error (store_count_error), or-ed: an I/O error may be a full disk. */
enum { FAULT_OTHER = 0, FAULT_CORRUPT = 1, FAULT_FULL = 2, FAULT_IO = 4, FAULT_READONLY = 8 };
/* Counts a serious error (store_stats.errors and its kinds, the thread's count, the
 * metrics) and logs it, once per request: "database error: msg (detail)". */
void store_count_error(int faults, const char *msg, const char *detail);
void store_count_busy_wait(void);
void store_count_busy_refusal(void);
void store_bump_generation(store *s);

/* The SQLite engine (store_sqlite.c): each as the store.h function of the same name. */
/* The destructor of s->key (closes the thread's connection). */
void sq_thread_exit(void *conn);
/* Opens the calling thread's connection; sq_free closes every connection. */
bool sq_open(store *s, perr *err);
void sq_free(store *s);
void sq_explain(store *s, perr *err);
unsigned long long sq_generation_fresh(store *s);
store_query *sq_stmt(store *s, const char *sql, perr *err);
store_query *sq_prepare(store *s, const char *sql, perr *err);
void sq_finalize(store_query *q);
void sq_done(store_query *q);
int sq_step(store_query *q);
const char *sq_errmsg(store *s);
const char *sq_query_errmsg(store_query *q);
bool sq_begin(store *s, perr *err);
bool sq_commit(store *s, perr *err);
void sq_rollback(store *s);
bool sq_busy(store *s);
void sq_clear_busy(store *s);
bool sq_read_begin(store *s, perr *err);
void sq_read_end(store *s);
bool sq_exec(store *s, const char *sql, perr *err);
bool sq_ping(store *s);
long long sq_last_id(store *s);
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
void pgs_thread_exit(void *conn);
bool pgs_open(store *s, perr *err);
void pgs_free(store *s);
unsigned long long pgs_generation_fresh(store *s);
store_query *pgs_stmt(store *s, const char *sql, perr *err);
store_query *pgs_prepare(store *s, const char *sql, perr *err);
void pgs_finalize(store_query *q);
void pgs_done(store_query *q);
int pgs_step(store_query *q);
const char *pgs_errmsg(store *s);
const char *pgs_query_errmsg(store_query *q);
bool pgs_begin(store *s, perr *err);
bool pgs_commit(store *s, perr *err);
void pgs_rollback(store *s);
bool pgs_busy(store *s);
void pgs_clear_busy(store *s);
bool pgs_read_begin(store *s, perr *err);
void pgs_read_end(store *s);
bool pgs_exec(store *s, const char *sql, perr *err);
bool pgs_ping(store *s);
long long pgs_last_id(store *s);
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
