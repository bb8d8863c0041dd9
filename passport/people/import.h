/* SPDX-License-Identifier: EUPL-1.2 */
/* CSV import of accounts and units, all or nothing: every bad row is reported with its
 * line number and reason, and nothing is written if any row is bad. */
#ifndef PASSPORT_PEOPLE_IMPORT_H
#define PASSPORT_PEOPLE_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

#define IMPORT_MAX_BYTES (4u * 1024u * 1024u)

/* The result of an import: either applied (created/updated counts) or refused with the
 * list of problems [{line, message}]. */
typedef struct import_result {
    bool applied;
    int created, updated, units_created;
    json_t *problems; /* new reference, array; empty when applied */
} import_result;

/* Imports users from CSV text (',' or ';' separated, header row required). Columns, any
 * order, case-insensitive: email (required), name (required), unit (a path "Direction /
 * Service", created when missing), roles ("agent,manager"; default agent), locale (fr|en,
 * default fr). An existing email is updated. Runs in one IMMEDIATE transaction; records the
 * import in the audit log as actor_id. Returns false only when the store fails (err set);
 * bad rows are reported in result->problems with applied = false. The caller frees
 * result->problems with json_decref. */
bool import_users(store *s, const char *csv, size_t len, long long actor_id, import_result *result,
                  perr *err);

#endif
