/* SPDX-License-Identifier: EUPL-1.2 */
/* Units: the organisation tree. A manager's scope is their unit's subtree. */
#ifndef PASSPORT_PEOPLE_UNIT_H
#define PASSPORT_PEOPLE_UNIT_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

/* Creates a unit under parent_id (0: a root); fails on an empty name or a sibling of the
 * same name ("unit.duplicate"). */
bool unit_create(store *s, const char *name, long long parent_id, long long *id, perr *err);
/* Renames a unit and/or moves it; refuses a move under its own subtree ("unit.cycle"). */
bool unit_update(store *s, long long id, const char *name, long long parent_id, perr *err);
/* Deletes an empty unit: false with err "unit.unknown", "unit.has_units" (it has
 * sub-units) or "unit.has_people" (accounts, disabled ones included, belong to it). */
bool unit_delete(store *s, long long id, perr *err);
/* Finds a unit by slash-separated path "Direction / Service" (trimmed segments, case-
 * insensitive); creates missing segments when create is true. *id is 0 when absent. */
bool unit_resolve_path(store *s, const char *path, bool create, long long *id, perr *err);
/* True when unit is ancestor itself or inside ancestor's subtree. */
bool unit_in_subtree(store *s, long long ancestor, long long unit);
/* Lists all units depth-first as a JSON array of {id, name, parent_id, depth, path,
 * members}. New reference. */
json_t *unit_list(store *s, perr *err);
/* unit_list without members (which counts every unit's accounts: 2 515 units over a
 * million accounts cost about 40 ms): for a form's choice of unit. New reference. */
json_t *unit_choices(store *s, perr *err);
bool unit_exists(store *s, long long id);
/* The number of active accounts in unit's subtree (0 when unit is 0). */
long long unit_member_count(store *s, long long unit);

#endif
