/* SPDX-License-Identifier: EUPL-1.2 */
/* The write probe of the readiness check (/readyz): a commit that changes nothing.
 * (SQLite's error log is counted and logged by store.c.) */
#include <stdio.h>

#include "store/store.h"

bool store_check_write(store *s, perr *err) {
    if (!store_begin(s, err)) return false;
    store_query *st = store_stmt(s, "PRAGMA application_id", err);
    if (!st) goto fail;
    int id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
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
