/* SPDX-License-Identifier: EUPL-1.2 */
/* Consistent copies of a database file, for `passport backup` and `passport restore`. */
#ifndef PASSPORT_STORE_BACKUP_H
#define PASSPORT_STORE_BACKUP_H

#include <stdbool.h>

#include "core/err.h"

/* Writes a consistent copy of the database at db_path into dest, which must not exist
 * (SQLite's VACUUM INTO: one read transaction, so a running server keeps reading and
 * writing meanwhile; the copy is compact and has no WAL). The database is not migrated. */
bool store_snapshot(const char *db_path, const char *dest, perr *err);
/* Checks the database file at path without changing it: SQLite's integrity_check finds
 * nothing, and its schema version (into *schema) is not newer than this binary's. */
bool store_check_file(const char *path, int *schema, perr *err);

#endif
