/* SPDX-License-Identifier: EUPL-1.2 */
/* The store's front: opens a store on the engine its location names (a SQLite file, or a
 * PostgreSQL URL), applies the migrations, and sends every call of store.h to that engine
 * (store_sqlite.c, store_pg.c: one branch per call). What both engines share lives here:
 * the per-thread connections (a pthread key, a list for store_free) and their statement
 * caches, the process write mutex with its bounded wait around the engines' transactions,
 * nested read transactions, the busy flag, the generation, the error counters, keyset
 * paging. */
#include "store/store_engine.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/metrics.h"
#include "store/migrations.h"

#define WRITE_WAIT_MS 5000 /* default bound of a write's wait for the lock (store_set_write_wait) */

#define PG(s) ((s)->engine == ENGINE_PG)

/* Process-wide counters (store_stats_get): SQLite's error log has no connection. */
static atomic_ullong stat_errors, stat_corrupt, stat_full, stat_io, stat_readonly, stat_busy_waits,
    stat_busy_refusals;
/* Serious errors seen by the calling thread (store_thread_errors), and their number when
 * it last took a cached statement (store_errors_at_stmt). */
static _Thread_local unsigned long thread_errors, errors_at_stmt;

uint64_t store_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

void store_count_error_unlogged(int faults) {
    if (faults & FAULT_CORRUPT) atomic_fetch_add(&stat_corrupt, 1);
    if (faults & FAULT_FULL) atomic_fetch_add(&stat_full, 1);
    if (faults & FAULT_IO) atomic_fetch_add(&stat_io, 1);
    if (faults & FAULT_READONLY) atomic_fetch_add(&stat_readonly, 1);
    atomic_fetch_add(&stat_errors, 1);
    thread_errors++;
    metrics_db_error();
}

void store_count_error(int faults, const char *msg, const char *detail) {
    store_count_error_unlogged(faults);
    /* One failure often comes as several lines (the OS call, then the statement): a
     * request logs its first one, with its id. */
    static _Thread_local const char *logged_for;
    const char *rid = log_request_id();
    if (rid && rid == logged_for) return;
    logged_for = rid;
    log_error("database error: %s (%s)", msg ? msg : "?", detail ? detail : "?");
}

void store_count_busy_wait(void) {
    atomic_fetch_add(&stat_busy_waits, 1);
    metrics_db_busy();
}

void store_count_busy_refusal(void) {
    atomic_fetch_add(&stat_busy_refusals, 1);
}

void store_bump_generation(store *s) {
    atomic_fetch_add_explicit(&s->generation, 1, memory_order_release);
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

unsigned long store_errors_at_stmt(void) {
    return errors_at_stmt;
}

/* ---- connections ---- */

/* Finalizes the cached statements of c, then lets its engine close it. */
static void conn_close(store_conn *c) {
    bool pg = c->owner->engine == ENGINE_PG;
    for (int i = 0; i < STMT_SLOTS; i++)
        if (c->stmts[i].q) {
            if (pg) pgs_query_free(c->stmts[i].q);
            else sq_finalize(c->stmts[i].q);
        }
    if (pg) pgs_conn_close(c);
    else sq_conn_close(c);
}

static void conn_unlink(store *s, store_conn *c) {
    pthread_mutex_lock(&s->lock);
    for (store_conn **p = &s->conns; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    pthread_mutex_unlock(&s->lock);
}

/* Thread-exit destructor of the key: closes that thread's connection. */
static void thread_exit(void *p) {
    store_conn *c = p;
    conn_unlink(c->owner, c);
    conn_close(c);
}

store_conn *store_conn_get(store *s, perr *err) {
    store_conn *c = pthread_getspecific(s->key);
    if (c) {
        if (PG(s)) pgs_conn_revive(c);
        return c;
    }
    c = PG(s) ? pgs_conn_open(s, err) : sq_conn_open(s, err);
    if (!c) return NULL;
    pthread_setspecific(s->key, c);
    pthread_mutex_lock(&s->lock);
    c->next = s->conns;
    s->conns = c;
    pthread_mutex_unlock(&s->lock);
    return c;
}

/* The engine a location names, and the engine's own location (a path or a URL). */
static store_engine engine_of(const char *location, const char **where) {
    if (!strncmp(location, "postgresql://", 13) || !strncmp(location, "postgres://", 11)) {
        *where = location;
        return ENGINE_PG;
    }
    *where = !strncmp(location, "sqlite:", 7) ? location + 7 : location;
    return ENGINE_SQLITE;
}

/* ---- rate-limited failure lines ---- */

static void log_gates_init(store *s) {
    log_gate_init(&s->conn_log, STORE_LOG_PERIOD_MS);
    pthread_mutex_init(&s->topics_mu, NULL);
    for (int i = 0; i < LOG_TOPICS; i++) log_gate_init(&s->topics[i].gate, STORE_LOG_PERIOD_MS);
}

static void log_gates_destroy(store *s) {
    log_gate_destroy(&s->conn_log);
    pthread_mutex_destroy(&s->topics_mu);
    for (int i = 0; i < LOG_TOPICS; i++) log_gate_destroy(&s->topics[i].gate);
}

/* The gate of topic, taken when new (the last one when all are taken). */
static log_gate *topic_gate(store *s, const char *topic) {
    pthread_mutex_lock(&s->topics_mu);
    int i = 0;
    while (i < LOG_TOPICS - 1 && s->topics[i].name && strcmp(s->topics[i].name, topic)) i++;
    if (!s->topics[i].name) s->topics[i].name = topic;
    pthread_mutex_unlock(&s->topics_mu);
    return &s->topics[i].gate;
}

void store_log_failure(store *s, const char *topic, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_gate_vfail(topic_gate(s, topic), store_now_ms(), fmt, ap);
    va_end(ap);
}

void store_log_recovered(store *s, const char *topic, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_gate_vok(topic_gate(s, topic), fmt, ap);
    va_end(ap);
}

/* Opens a store on location; migrate: applies the migrations. */
static store *open_store(const char *location, bool migrate, perr *err) {
    store *s = xcalloc(1, sizeof *s);
    const char *where;
    s->engine = engine_of(location, &where);
    s->path = xstrdup(where);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    log_gates_init(s);
    atomic_store(&s->write_wait_ms, WRITE_WAIT_MS);
    if (!*where) {
        perr_set(err, "no database given (a file path, sqlite:PATH or postgresql://...)");
        goto fail_key;
    }
    if (pthread_key_create(&s->key, thread_exit) != 0) {
        perr_set(err, "pthread_key_create failed");
        goto fail_key;
    }
    if (!PG(s)) store_library_init();
    if (!store_conn_get(s, err)) goto fail;
    if (migrate && !migrations_apply(s, &s->version, err)) {
        if (!PG(s)) sq_explain(s, err);
        goto fail;
    }
    return s;
fail:
    store_free(s);
    return NULL;
fail_key:
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->write_mu);
    log_gates_destroy(s);
    free(s->path);
    free(s);
    return NULL;
}

store *store_open(const char *location, perr *err) {
    return open_store(location, true, err);
}

store *store_open_bare(const char *location, perr *err) {
    return open_store(location, false, err);
}

void store_free(store *s) {
    if (!s) return;
    if (PG(s)) pgs_listen_stop(s);
    store_thread_close(s);
    /* Connections of threads still alive (should be none): close them too. */
    while (s->conns) {
        store_conn *n = s->conns->next;
        conn_close(s->conns);
        s->conns = n;
    }
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->write_mu);
    log_gates_destroy(s);
    free(s->path);
    free(s);
}

void store_thread_close(store *s) {
    store_conn *c = pthread_getspecific(s->key);
    if (!c) return;
    pthread_setspecific(s->key, NULL);
    conn_unlink(s, c);
    conn_close(c);
}

unsigned long long store_generation(store *s) {
    return atomic_load_explicit(&s->generation, memory_order_acquire);
}

unsigned long long store_generation_fresh(store *s) {
    return PG(s) ? pgs_generation_fresh(s) : sq_generation_fresh(s);
}

bool store_listen_start(store *s, perr *err) {
    return PG(s) ? pgs_listen_start(s, err) : true;
}

bool store_is_remote(store *s) {
    return PG(s);
}

bool store_listening(store *s) {
    return PG(s) && pgs_listening(s);
}

unsigned long long store_notifications(store *s) {
    return PG(s) ? pgs_notifications(s) : 0;
}

int store_version(store *s) {
    return s->version;
}

/* ---- statements ---- */

store_query *store_stmt(store *s, const char *sql, perr *err) {
    errors_at_stmt = thread_errors;
    store_conn *c = store_conn_get(s, err);
    if (!c) return NULL;
    size_t h = ((uintptr_t)sql >> 3) * 2654435761u;
    for (size_t i = 0; i < STMT_SLOTS; i++) {
        store_slot *slot = &c->stmts[(h + i) & (STMT_SLOTS - 1)];
        if (slot->sql == sql) return slot->q;
        if (!slot->sql) {
            store_query *q = PG(s) ? pgs_stmt_new(c, sql, err) : sq_stmt_new(c, sql, err);
            if (!q) return NULL;
            slot->sql = sql;
            slot->q = q;
            return q;
        }
    }
    /* Cache full: should not happen; prepare would leak, so refuse loudly. */
    perr_set(err, "statement cache full");
    return NULL;
}

store_query *store_stmt2(store *s, const char *sqlite_sql, const char *pg_sql, perr *err) {
    return store_stmt(s, PG(s) && pg_sql ? pg_sql : sqlite_sql, err);
}

store_query *store_prepare(store *s, const char *sql, perr *err) {
    return PG(s) ? pgs_prepare(s, sql, err) : sq_prepare(s, sql, err);
}

void store_finalize(store_query *q) {
    if (!q) return;
    if (PG(q)) pgs_finalize(q);
    else sq_finalize(q);
}

void store_done(store_query *q) {
    if (!q) return;
    if (PG(q)) pgs_done(q);
    else sq_done(q);
}

int store_step(store_query *q) {
    return PG(q) ? pgs_step(q) : sq_step(q);
}

int store_step_may_fail(store_query *q) {
    return PG(q) ? pgs_step_may_fail(q) : sq_step(q);
}

const char *store_errmsg(store *s) {
    return PG(s) ? pgs_errmsg(s) : sq_errmsg(s);
}

const char *store_query_errmsg(store_query *q) {
    return PG(q) ? pgs_query_errmsg(q) : sq_query_errmsg(q);
}

void store_page_bind(store_query *st, int first, const store_page *pg) {
    store_bind_int(st, first, pg && pg->has_after);
    store_bind_int64(st, first + 1, pg && pg->has_after ? pg->after.at : 0);
    store_bind_int64(st, first + 2, pg && pg->has_after ? pg->after.id : 0);
    /* no page: the largest LIMIT rather than -1, which PostgreSQL refuses */
    store_bind_int64(st, first + 3, pg ? (int64_t)pg->limit + 1 : INT64_MAX);
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
    return PG(s) ? pgs_exec(s, sql, err) : sq_exec(s, sql, err);
}

void store_set_write_wait(store *s, int ms) {
    atomic_store(&s->write_wait_ms, ms < 1 ? 1 : ms);
}

/* Takes s->write_mu, waiting at most the store's write wait; at once false when another
 * process holds the engine's lock (the mutex holder already waits for it: one worker
 * asleep on that lock is enough, the others answer busy and serve other requests). */
bool store_write_lock(store *s) {
    if (pthread_mutex_trylock(&s->write_mu) == 0) return true;
    store_count_busy_wait();
    uint64_t deadline = store_now_ms() + (uint64_t)atomic_load(&s->write_wait_ms);
    /* in slices of 5 ms, to stop waiting as soon as the holder finds another process's lock */
    while (!atomic_load(&s->foreign_lock)) {
        uint64_t now = store_now_ms();
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

/* ---- transactions ---- */

void store_write_unlock(store_conn *c) {
    if (!c->holds_write) return;
    c->holds_write = false;
    pthread_mutex_unlock(&c->owner->write_mu);
}

bool store_begin(store *s, perr *err) {
    store_conn *c = store_conn_get(s, err);
    if (!c) return false;
    c->busy = false;
    if (c->holds_write) return perr_set(err, "database error: a write transaction is already open");
    /* One writer per process at a time: the others wait here, bounded, instead of all
     * waiting for the engine's lock while another process holds it. */
    if (!store_write_lock(s)) {
        c->busy = true;
        store_count_busy_refusal();
        return perr_set(err, "database busy: another write holds the lock (try again)");
    }
    c->holds_write = true;
    if (PG(s) ? pgs_begin(c, err) : sq_begin(c, err)) {
        atomic_store(&s->foreign_lock, false);
        return true;
    }
    store_write_unlock(c);
    return false;
}

bool store_commit(store *s, perr *err) {
    store_conn *c = store_conn_get(s, err);
    if (!c) return false;
    bool ok = PG(s) ? pgs_commit(c, err) : sq_commit(c, err);
    store_write_unlock(c);
    return ok;
}

void store_rollback(store *s) {
    store_conn *c = store_conn_get(s, NULL);
    if (!c) return;
    if (PG(s)) pgs_rollback(c);
    else sq_rollback(c);
    store_write_unlock(c); /* also when an error already ended the transaction */
}

bool store_busy(store *s) {
    store_conn *c = pthread_getspecific(s->key);
    return c && c->busy;
}

void store_clear_busy(store *s) {
    store_conn *c = pthread_getspecific(s->key);
    if (c) c->busy = false;
}

static bool in_transaction(store_conn *c) {
    return c->owner->engine == ENGINE_PG ? pgs_in_transaction(c) : sq_in_transaction(c);
}

bool store_read_begin(store *s, perr *err) {
    store_conn *c = store_conn_get(s, err);
    if (!c) return false;
    if (in_transaction(c)) { /* inside a transaction: its snapshot serves */
        c->nested_reads++;
        return true;
    }
    c->nested_reads = 0;
    return PG(s) ? pgs_read_begin(c, err) : sq_read_begin(c, err);
}

void store_read_end(store *s) {
    store_conn *c = store_conn_get(s, NULL);
    if (!c || !in_transaction(c)) return; /* already ended (an error rolled it back) */
    if (c->nested_reads > 0) {
        c->nested_reads--;
        return;
    }
    if (!(PG(s) ? pgs_read_end(c) : sq_read_end(c))) store_rollback(s);
}

/* A query on the connection (SQLite reads its schema page; PostgreSQL answers alone). */
bool store_ping(store *s) {
    store_query *st = store_stmt2(s, "SELECT count(*) FROM sqlite_schema", "SELECT 1", NULL);
    bool ok = st && store_step(st) == STORE_ROW;
    store_done(st);
    return ok;
}

int store_changes(store *s) {
    return PG(s) ? pgs_changes(s) : sq_changes(s);
}

void store_bind_int64(store_query *q, int i, int64_t v) {
    if (PG(q)) pgs_bind_int64(q, i, v);
    else sq_bind_int64(q, i, v);
}

void store_bind_int(store_query *q, int i, int v) {
    store_bind_int64(q, i, v);
}

void store_bind_double(store_query *q, int i, double v) {
    if (PG(q)) pgs_bind_double(q, i, v);
    else sq_bind_double(q, i, v);
}

void store_bind_null(store_query *q, int i) {
    if (PG(q)) pgs_bind_null(q, i);
    else sq_bind_null(q, i);
}

void store_bind_text(store_query *q, int i, const char *text) {
    if (!text) store_bind_null(q, i);
    else if (PG(q)) pgs_bind_textn(q, i, text, -1);
    else sq_bind_textn(q, i, text, -1);
}

void store_bind_textn(store_query *q, int i, const char *text, size_t len) {
    if (PG(q)) pgs_bind_textn(q, i, text, (int)len);
    else sq_bind_textn(q, i, text, (int)len);
}

int64_t store_col_int64(store_query *q, int i) {
    return PG(q) ? pgs_col_int64(q, i) : sq_col_int64(q, i);
}

int store_col_int(store_query *q, int i) {
    return PG(q) ? pgs_col_int(q, i) : sq_col_int(q, i);
}

double store_col_double(store_query *q, int i) {
    return PG(q) ? pgs_col_double(q, i) : sq_col_double(q, i);
}

const char *store_col_text(store_query *q, int i) {
    const char *t = store_col_text_or_null(q, i);
    return t ? t : "";
}

const char *store_col_text_or_null(store_query *q, int i) {
    return PG(q) ? pgs_col_text_or_null(q, i) : sq_col_text_or_null(q, i);
}

size_t store_col_bytes(store_query *q, int i) {
    return PG(q) ? pgs_col_bytes(q, i) : sq_col_bytes(q, i);
}

int store_col_type(store_query *q, int i) {
    return PG(q) ? pgs_col_type(q, i) : sq_col_type(q, i);
}

bool store_col_null(store_query *q, int i) {
    return store_col_type(q, i) == STORE_NULL;
}

int store_col_count(store_query *q) {
    return PG(q) ? pgs_col_count(q) : sq_col_count(q);
}

const char *store_col_name(store_query *q, int i) {
    return PG(q) ? pgs_col_name(q, i) : sq_col_name(q, i);
}
