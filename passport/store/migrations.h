/* SPDX-License-Identifier: EUPL-1.2 */
/* The numbered schema migrations of the store, applied in order at open. */
#ifndef PASSPORT_STORE_MIGRATIONS_H
#define PASSPORT_STORE_MIGRATIONS_H

#include <stdbool.h>

#include "core/err.h"

struct store;

/* Applies every migration above the database's PRAGMA user_version, each in its own
 * IMMEDIATE transaction; writes the resulting version to *version. */
bool migrations_apply(struct store *s, int *version, perr *err);

#endif
