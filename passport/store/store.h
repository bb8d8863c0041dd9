/* SPDX-License-Identifier: EUPL-1.2 */
/* SQLite store: one connection per thread (opened on first use, closed when the thread
 * exits or the store is freed), cached prepared statements, IMMEDIATE write transactions,
 * numbered migrations applied at open. */
#ifndef PASSPORT_STORE_STORE_H
#define PASSPORT_STORE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct store store;

/* Configures SQLite for the process (no memory statistics, the error log of store_stats):
 * call it before any other SQLite call; store_open calls it too (then it may come late). */
void store_library_init(void);

/* Opens (creating if needed) the database at path, applies pending migrations.
 * Returns a new store the caller frees with store_free, or NULL with err set. */
store *store_open(const char *path, perr *err);
/* Closes every connection this store opened in the calling thread and frees it.
 * Other threads' connections must be closed before (their threads ended). NULL: no-op. */
void store_free(store *s);
/* Closes the calling thread's connection now rather than when the thread ends (a thread
 * done with the store gives its page cache back); a later call of this thread opens a new
 * one. No transaction may be open on it. */
void store_thread_close(store *s);
/* The schema version after migrations (PRAGMA user_version). */
int store_version(store *s);
/* A number that changes after every transaction that wrote, committed through any
 * connection of s in this process, once its data is visible; commits by other processes
 * do not change it. Read it before reading the data a memo will hold: the memo is
 * current while the number has not moved. */
unsigned long long store_generation(store *s);
/* store_generation, first moved when a commit by another connection (another process:
 * the CLI) happened since this thread's connection last looked (PRAGMA data_version: one
 * read transaction). Memos that another process's write must void check with this. */
unsigned long long store_generation_fresh(store *s);
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
 * row more to know whether items follow). pg NULL: no page (after none, LIMIT -1). The
 * query's condition reads `(?F = 0 OR at < ?F+1 OR (at = ?F+1 AND id < ?F+2))`. */
void store_page_bind(sqlite3_stmt *st, int first, const store_page *pg);
/* For each row of such a query, in order, with its key: false for the row after the page
 * (pg->more is then set: stop reading), else true and pg->last records it. *rows counts
 * the rows seen (start at 0). pg NULL: always true. */
bool store_page_row(store_page *pg, size_t *rows, int64_t at, long long id);

/* The calling thread's connection (owned by the store). NULL only if opening failed. */
sqlite3 *store_db(store *s);

/* A prepared statement for sql on this thread's connection, cached by the sql pointer:
 * pass string literals. Owned by the store; call store_done() when finished with it.
 * NULL (and err set, the SQL error logged) if it does not compile. */
sqlite3_stmt *store_stmt(store *s, const char *sql, perr *err);
/* Resets a statement from store_stmt and clears its bindings; a failure of its last step
 * that was not counted yet (see count_error in store.c) is counted and logged. NULL: no-op. */
void store_done(sqlite3_stmt *st);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on this thread's connection. store_begin first takes
 * the store's process-wide write mutex (one write transaction per process at a time), then
 * SQLite's write lock; each wait is bounded by the write wait (store_set_write_wait). When
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
/* A read transaction (BEGIN DEFERRED) for several queries that must see one snapshot, or
 * that would otherwise take and release the WAL locks once each. store_read_end commits
 * it (rolls back if that fails). Called inside a transaction already open (a read or a
 * write one), the pair does nothing, so a function may use it whoever calls it; each
 * store_read_begin that returned true needs its store_read_end. A statement that writes
 * inside a read transaction may fail with SQLITE_BUSY_SNAPSHOT: writes belong after it. */
bool store_read_begin(store *s, perr *err);
void store_read_end(store *s);
/* Runs one or more SQL statements without parameters (schema, pragmas). */
bool store_exec(store *s, const char *sql, perr *err);
/* True when this thread's connection answers a query (health checks). */
bool store_ping(store *s);
/* True when a write transaction can commit (readiness checks): a real commit of a change
 * that changes nothing. false with err set (read-only folder, full disk, lock held). */
bool store_check_write(store *s, perr *err);
/* sqlite3_last_insert_rowid / sqlite3_changes for this thread's connection. */
long long store_last_id(store *s);
int store_changes(store *s);

/* Binding helpers: text may be NULL (binds NULL). Index is 1-based as in SQLite. */
void store_bind_text(sqlite3_stmt *st, int i, const char *text);
/* Column text as a C string, "" when NULL (owned by SQLite until the next step/reset). */
const char *store_col_text(sqlite3_stmt *st, int i);

#endif
