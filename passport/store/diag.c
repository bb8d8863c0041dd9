/* Database diagnostics: SQLite's error log turned into counted, logged database errors
 * (once per request, with its id), and the write probe of the readiness check. */
#include <sqlite3.h>
#include <stdio.h>

#include "core/log.h"
#include "core/metrics.h"
#include "store/store.h"

/* The request whose first database error was logged by this thread. */
static _Thread_local const char *t_logged_for;

/* SQLite calls this for every error it meets (sqlite3_log). Expected outcomes (a
 * constraint the domain checks, a schema change, notices) are left out; failures of the
 * database itself are counted, and logged once per request. */
static void on_sqlite_log(void *arg, int code, const char *msg) {
    (void)arg;
    bool busy = false;
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: busy = true; break;
    case SQLITE_CORRUPT:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOTADB:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_MISUSE: break;
    default: return;
    }
    if (busy) metrics_db_busy();
    else metrics_db_error();
    const char *rid = log_request_id();
    if (rid && rid == t_logged_for) return;
    t_logged_for = rid;
    log_error("database %s (%s, code %d): %s", busy ? "busy" : "error", sqlite3_errstr(code), code, msg);
}

void store_diag_init(void) {
    sqlite3_config(SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
}

bool store_check_write(store *s, perr *err) {
    if (!store_begin(s, err)) return false;
    sqlite3_stmt *st = store_stmt(s, "PRAGMA application_id", err);
    if (!st) goto fail;
    int id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    store_done(st);
    /* The same value written back: page 1 is rewritten and committed, nothing changes. */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d", id);
    if (!store_exec(s, sql, err)) goto fail;
    return store_commit(s, err);
fail:
    store_rollback(s);
    return false;
}
