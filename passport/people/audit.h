/* SPDX-License-Identifier: EUPL-1.2 */
/* The append-only audit log: who did what to what, and when. The database refuses
 * deletion of audit rows. */
#ifndef PASSPORT_PEOPLE_AUDIT_H
#define PASSPORT_PEOPLE_AUDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"

/* Appends an event; actor_id 0 = the system or an anonymous visitor; target_id 0 = none.
 * detail must not carry passwords. Returns false only on a database error. */
bool audit_add(store *s, long long actor_id, const char *action, const char *target_type,
               long long target_id, const char *detail);
/* The newest events (at most limit), optionally for one action (NULL: all), as a JSON
 * array of {at, actor, action, target_type, target_id, detail}. New reference. */
json_t *audit_recent(store *s, const char *action, int limit);

#endif
