/* SPDX-License-Identifier: EUPL-1.2 */
/* VACUUM INTO for snapshots, PRAGMA integrity_check for restored files: each on its own
 * connection, outside any store (no migration runs on a file being copied or checked). */
#include "store/backup.h"

#include <sqlite3.h>
#include <stdio.h>

#include "store/store.h"

bool store_snapshot(const char *db_path, const char *dest, perr *err) {
    sqlite3 *db = NULL;
    bool ok = false;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        perr_set(err, "cannot open %s: %s", db_path, db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    sqlite3_busy_timeout(db, 10000); /* only a checkpoint or recovery can make a reader wait */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "VACUUM INTO ?", -1, &st, NULL) != SQLITE_OK) {
        perr_set(err, "cannot copy %s: %s", db_path, sqlite3_errmsg(db));
        goto done;
    }
    sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
    ok = sqlite3_step(st) == SQLITE_DONE;
    if (!ok) perr_set(err, "cannot copy %s into %s: %s", db_path, dest, sqlite3_errmsg(db));
    sqlite3_finalize(st);
done:
    sqlite3_close(db);
    return ok;
}

bool store_check_file(const char *path, int *schema, perr *err) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool ok = false;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        perr_set(err, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        perr_set(err, "the database file %s is corrupt or not a database: %s", path, sqlite3_errmsg(db));
        goto done;
    }
    const unsigned char *verdict = sqlite3_column_text(st, 0);
    if (!verdict || sqlite3_stricmp((const char *)verdict, "ok")) {
        perr_set(err, "the database file %s is corrupt: %s", path, verdict ? (const char *)verdict : "?");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        perr_set(err, "%s: %s", path, sqlite3_errmsg(db));
        goto done;
    }
    *schema = sqlite3_column_int(st, 0);
    if (*schema > store_latest_version()) {
        perr_set(err, "%s was made by a newer release of Passport (schema %d; this release knows schemas up to %d)",
                 path, *schema, store_latest_version());
        goto done;
    }
    ok = true;
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}
