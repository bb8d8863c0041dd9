/* SPDX-License-Identifier: EUPL-1.2 */
/* The write probe of the readiness check (/readyz): a commit that changes nothing.
 * (SQLite's error log is counted and logged by store.c.) */
#include <stdio.h>

#include "store/store.h"

bool store_check_write(store *s, perr *err) {
    if (!store_begin(s, err)) return false;
    /* SQLite: the application id, written back below (page 1 is rewritten and committed,
     * nothing changes). PostgreSQL: a transaction id assigned to the transaction, so
     * that its commit writes to the log (refused by a standby, failing on a full disk);
     * -1 says nothing more is to be written. */
    store_query *st = store_stmt2(s, "PRAGMA application_id",
                                  "SELECT -1 FROM (SELECT pg_current_xact_id()) AS xact", err);
    if (!st) goto fail;
    int rc = store_step(st);
    int id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (rc != STORE_ROW) {
        perr_set(err, "database error: %s", store_errmsg(s));
        goto fail;
    }
    if (id >= 0) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d", id);
        if (!store_exec(s, sql, err)) goto fail;
    }
    return store_commit(s, err);
fail:
    store_rollback(s);
    return false;
}
