/* SPDX-License-Identifier: EUPL-1.2 */
/* The numbered schema migrations of the store, applied in order at open. */
#ifndef PASSPORT_STORE_MIGRATIONS_H
#define PASSPORT_STORE_MIGRATIONS_H

#include <stdbool.h>

#include "core/err.h"

struct store;

/* Applies every migration above the database's version (SQLite: PRAGMA user_version),
 * each in its own write transaction; writes the resulting version to *version. */
bool migrations_apply(struct store *s, int *version, perr *err);
/* On a PostgreSQL store: applies pg[current] .. pg[n - 1] (migration v is pg[v - 1]) above
 * the version kept in the table passport_schema, each in a write transaction that first
 * reads the version again (servers starting together apply each once); refuses, before
 * any is applied, when one of them is NULL. migrations_apply calls it with the binary's. */
bool migrations_apply_pg(struct store *s, const char *const *pg, int n, int *version, perr *err);

#endif
