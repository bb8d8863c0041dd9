/* SPDX-License-Identifier: EUPL-1.2 */
/* What only the SQLite engine of the store has, for the store's own SQLite tools (backup,
 * diagnostics) and the unit tests that look at the file: domain code never includes it. */
#ifndef PASSPORT_STORE_STORE_SQLITE_H
#define PASSPORT_STORE_STORE_SQLITE_H

#include <sqlite3.h>

#include "store/store.h"

/* The calling thread's SQLite connection (owned by the store). NULL if opening failed. */
sqlite3 *store_db(store *s);

#endif
