/* SPDX-License-Identifier: EUPL-1.2 */
/* The store: one connection per thread (opened on first use, closed when the thread
 * exits or the store is freed), cached prepared statements, IMMEDIATE write transactions,
 * numbered migrations applied at open. Callers see statements (store_query) and their
 * rows through this API only, whatever engine holds the data (docs/deployment.md). */
#ifndef PASSPORT_STORE_STORE_H
#define PASSPORT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct store store;
/* A prepared statement with its bindings and its current row, owned by the store. */
typedef struct store_query store_query;

/* What store_step answers: a row is ready, the statement finished, or it failed (a
 * constraint such as a unique key, a lock that stayed taken, any other error). */
enum { STORE_ROW = 100, STORE_DONE = 101, STORE_CONSTRAINT = 19, STORE_BUSY = 5, STORE_ERROR = 1 };
/* The type of a column's value in the current row (store_col_type). */
enum { STORE_INTEGER = 1, STORE_FLOAT = 2, STORE_TEXT = 3, STORE_BLOB = 4, STORE_NULL = 5 };

/* Configures SQLite for the process (no memory statistics, the error log of store_stats):
 * call it before any other SQLite call; store_open calls it too (then it may come late). */
void store_library_init(void);

/* Opens the database at location, applies pending migrations: a SQLite file (a path or
 * sqlite:PATH, created if needed) or a PostgreSQL database (postgresql://... or
 * postgres://..., a libpq URL; the database must exist). Returns a new store the caller
 * frees with store_free, or NULL with err set (PostgreSQL: also while a migration has no
 * PostgreSQL text). */
store *store_open(const char *location, perr *err);
/* Closes every connection this store opened in the calling thread and frees it.
 * Other threads' connections must be closed before (their threads ended). NULL: no-op. */
void store_free(store *s);
/* Closes the calling thread's connection now rather than when the thread ends (a thread
 * done with the store gives its page cache back); a later call of this thread opens a new
 * one. No transaction may be open on it. */
void store_thread_close(store *s);
/* The schema version after migrations (SQLite: PRAGMA user_version; PostgreSQL: the table
 * passport_schema). */
int store_version(store *s);
/* A number that changes after every transaction that wrote, committed through any
 * connection of s in this process, once its data is visible; commits by other processes
 * do not change it. Read it before reading the data a memo will hold: the memo is
 * current while the number has not moved. */
unsigned long long store_generation(store *s);
/* store_generation, first moved when a commit by another connection (another process:
 * the CLI, another server) happened since this thread's connection last looked (SQLite:
 * PRAGMA data_version; PostgreSQL: the notification of store_listen_start when it listens,
 * else the database's snapshot, which any commit that wrote moves; one query). Memos that
 * another process's write must void check with this. */
unsigned long long store_generation_fresh(store *s);
/* Lets store_generation_fresh learn of other processes' commits without asking the
 * database at each call. PostgreSQL: a thread of its own keeps one more connection that
 * LISTENs on the channel the change log's trigger notifies at each commit that logs a
 * change (migration 23, docs/performance.md); each notification moves the generation, and
 * while that connection is up store_generation_fresh costs no query. When it is down (not
 * yet connected, dropped, being reconnected every second) store_generation_fresh asks
 * the database as before; at each (re)connection the generation moves once (what was
 * committed while nobody listened). SQLite: nothing to do (PRAGMA data_version costs no
 * round trip). Call it once; store_free stops the thread. false with err set when the
 * thread cannot start. */
bool store_listen_start(store *s, perr *err);
/* True when the database is a server reached through a socket (PostgreSQL): each query
 * waits for an answer, so more worker threads than cores keep the cores busy. */
bool store_is_remote(store *s);
/* True while the notification connection of store_listen_start is up and listening. */
bool store_listening(store *s);
/* Notifications received by the connection of store_listen_start since it started. */
unsigned long long store_notifications(store *s);
/* The number of migrations the binary knows. */
int store_latest_version(void);

/* A page of a list ordered newest first by (time, id), read by key rather than by
 * offset (keyset paging: `WHERE (at, id) < (after.at, after.id) ORDER BY at DESC, id DESC
 * LIMIT limit + 1`), so that a page costs its own rows, not those before it. The caller
 * sets limit and after; the list function sets more and last. */
typedef struct store_key {
    int64_t at;
    long long id;
} store_key;
typedef struct store_page {
    size_t limit;    /* at most this many items (> 0) */
    bool has_after;  /* start after `after` (the previous page's last), else at the first */
    store_key after;
    bool more;       /* out: items follow this page */
    store_key last;  /* out: the key of this page's last item, when more */
} store_page;

/* Binds a page query's keyset parameters from number first on: first = has_after (0 or
 * 1), first + 1 = after.at, first + 2 = after.id, first + 3 = the LIMIT (limit + 1, one
 * row more to know whether items follow). pg NULL: no page (after none, LIMIT INT64_MAX:
 * PostgreSQL refuses -1). The
 * query's condition reads `(?F = 0 OR at < ?F+1 OR (at = ?F+1 AND id < ?F+2))`. */
void store_page_bind(store_query *st, int first, const store_page *pg);
/* For each row of such a query, in order, with its key: false for the row after the page
 * (pg->more is then set: stop reading), else true and pg->last records it. *rows counts
 * the rows seen (start at 0). pg NULL: always true. */
bool store_page_row(store_page *pg, size_t *rows, int64_t at, long long id);

/* A prepared statement for sql on this thread's connection, cached by the sql pointer:
 * pass string literals. Owned by the store; call store_done() when finished with it.
 * NULL (and err set, the SQL error logged) if it does not compile. */
store_query *store_stmt(store *s, const char *sql, perr *err);
/* store_stmt for a statement whose text differs between engines: sqlite_sql on SQLite,
 * pg_sql on PostgreSQL, kept side by side where the statement is used. */
store_query *store_stmt2(store *s, const char *sqlite_sql, const char *pg_sql, perr *err);
/* A statement outside the cache, for SQL that is not a string literal (tools, tests):
 * the caller frees it with store_finalize (NULL: no-op). NULL with err set if it does not
 * compile. */
store_query *store_prepare(store *s, const char *sql, perr *err);
void store_finalize(store_query *st);
/* Resets a statement from store_stmt and clears its bindings; a failure of its last step
 * that was not counted yet (see count_error in store.c) is counted and logged. NULL: no-op. */
void store_done(store_query *st);
/* Runs the statement to its next row: STORE_ROW (read it with store_col_*), STORE_DONE,
 * or a failure (STORE_CONSTRAINT, STORE_BUSY, STORE_ERROR; store_errmsg says why). */
int store_step(store_query *st);
/* store_step for a statement whose failure the caller expects and survives, going on in
 * the same transaction (a unique key that means "already there"): on PostgreSQL, where a
 * failed statement aborts the whole transaction (every later statement fails, and so does
 * the commit), it runs under a savepoint that its failure rolls back to; on SQLite a
 * failed statement leaves the transaction as it was already. Outside a transaction, or
 * after the first row, the same as store_step. Prefer SQL that does not fail where it says
 * the same (INSERT ... ON CONFLICT DO NOTHING). The store logs a statement run after an
 * unexpected failure in the same transaction (PostgreSQL), naming both. */
int store_step_may_fail(store_query *st);
/* Rate-limited failure lines of a kind (topic, a string literal, compared by text), per
 * store: the first failure of a run logged at once as an error, then at most one line
 * each STORE_LOG_PERIOD_MS, saying how many were left out (a statement failing at every
 * request, the database down, must not flood the log); store_log_recovered ends the run
 * with one line when a failure had been logged. At most LOG_TOPICS topics (16) per
 * store: further ones share the last gate. */
#define STORE_LOG_PERIOD_MS 10000
void store_log_failure(store *s, const char *topic, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void store_log_recovered(store *s, const char *topic, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The message of the last failure on this thread's connection (owned by the store, valid
 * until the next statement). */
const char *store_errmsg(store *s);
/* The same, for the connection of st. */
const char *store_query_errmsg(store_query *st);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on this thread's connection. store_begin first takes
 * the store's process-wide write mutex (one write transaction per process at a time), then
 * SQLite's write lock (PostgreSQL: a READ COMMITTED transaction whose first statement takes
 * the advisory lock every Passport process takes for writing, store_pg.c); each wait is
 * bounded by the write wait (store_set_write_wait). On PostgreSQL a failed statement
 * aborts the whole transaction (its commit then fails): roll back on any failure, or step
 * a statement whose failure is expected with store_step_may_fail. When
 * either stays taken, store_begin fails with a "database busy" message and store_busy
 * answers true (the request answers 503 with Retry-After). While another process holds
 * SQLite's lock, only the mutex holder waits for it: other writers fail at once. Every store_begin that returned
 * true needs store_commit or store_rollback, which release the mutex (store_commit also
 * when it fails: it then rolls back). Reads never take the mutex and, in WAL mode, never
 * wait for a writer. */
bool store_begin(store *s, perr *err);
bool store_commit(store *s, perr *err);
void store_rollback(store *s);
/* The bound, in milliseconds, of a write's wait for the process mutex and then for
 * SQLite's lock (another process, or a statement outside store_begin). Default 5000 (the
 * command line tools); the server sets a short one so that no worker sleeps long. */
void store_set_write_wait(store *s, int ms);
/* True when, since store_clear_busy, a store_begin or a statement of the calling thread
 * failed because the lock stayed taken past the write wait (call store_clear_busy at the
 * start of a request). */
bool store_busy(store *s);
void store_clear_busy(store *s);

/* Counters since the process started, for metrics and health checks. */
typedef struct store_stats {
    unsigned long long errors;        /* SQLite errors other than busy, constraint and SQL errors (each logged) */
    unsigned long long corrupt;       /* of which: a corrupt database file */
    unsigned long long full;          /* of which: a full disk */
    unsigned long long io;            /* of which: I/O errors */
    unsigned long long readonly;      /* of which: a file or folder that cannot be written or opened */
    unsigned long long busy_waits;    /* waits for a lock (the process mutex or SQLite's) */
    unsigned long long busy_refusals; /* write transactions refused after the bounded wait */
} store_stats;
void store_stats_get(store_stats *out);
/* The number of errors counted in store_stats.errors that happened on the calling thread:
 * compare before and after a lookup to tell "not found" from "the database failed". */
unsigned long store_thread_errors(void);
/* A read transaction (BEGIN DEFERRED; PostgreSQL: REPEATABLE READ) for several queries
 * that must see one snapshot, or
 * that would otherwise take and release the WAL locks once each. store_read_end commits
 * it (rolls back if that fails). Called inside a transaction already open (a read or a
 * write one), the pair does nothing, so a function may use it whoever calls it; each
 * store_read_begin that returned true needs its store_read_end. A statement that writes
 * inside a read transaction may fail with SQLITE_BUSY_SNAPSHOT (PostgreSQL: a
 * serialization failure, or a change log's key taken: both leave the reads going): writes
 * belong after it. */
bool store_read_begin(store *s, perr *err);
void store_read_end(store *s);
/* Runs one or more SQL statements without parameters (schema, pragmas). */
bool store_exec(store *s, const char *sql, perr *err);
/* True when this thread's connection answers a query (health checks). */
bool store_ping(store *s);
/* True when a write transaction can commit (readiness checks): a real commit of a change
 * that changes nothing. false with err set (read-only folder, full disk, lock held). */
bool store_check_write(store *s, perr *err);
/* The rows changed by the last INSERT, UPDATE or DELETE on this thread's connection. A
 * new row's id comes back from the INSERT itself: `INSERT ... RETURNING id`, read as a
 * row (both engines). */
int store_changes(store *s);

/* Parameters, numbered from 1 (`?` or `?N` in the SQL). Text is copied; NULL binds NULL. */
void store_bind_int64(store_query *st, int i, int64_t v);
void store_bind_int(store_query *st, int i, int v);
void store_bind_double(store_query *st, int i, double v);
void store_bind_null(store_query *st, int i);
void store_bind_text(store_query *st, int i, const char *text);
/* The first len bytes of text. */
void store_bind_textn(store_query *st, int i, const char *text, size_t len);

/* Columns of the current row, numbered from 0. A NULL reads as 0, 0.0 or "". Text is
 * owned by the store until the next step or store_done. (PostgreSQL: a boolean reads 1 or
 * 0, also as text; a bytea its bytes, type STORE_BLOB; a numeric without a fraction is
 * STORE_INTEGER; a bare parameter in the select list comes back as text.) */
int64_t store_col_int64(store_query *st, int i);
int store_col_int(store_query *st, int i);
double store_col_double(store_query *st, int i);
const char *store_col_text(store_query *st, int i);
/* The column's text, NULL when the value is NULL. */
const char *store_col_text_or_null(store_query *st, int i);
/* The length in bytes of the column's text. */
size_t store_col_bytes(store_query *st, int i);
/* STORE_INTEGER, STORE_FLOAT, STORE_TEXT, STORE_BLOB or STORE_NULL. */
int store_col_type(store_query *st, int i);
bool store_col_null(store_query *st, int i);
/* The number of columns of the statement and the name of one (owned by the store). */
int store_col_count(store_query *st);
const char *store_col_name(store_query *st, int i);

#endif
