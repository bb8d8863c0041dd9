/* SPDX-License-Identifier: EUPL-1.2 */
/* Assignments of a path to agents or to a unit subtree, with a due date and a message:
 * scope checks (a manager assigns inside their unit's subtree only; HR and admins
 * anywhere), members, the "new assignment" notice, and the idempotent "due in 7 days" /
 * "overdue" notices of paths_notify_due.
 *
 * Later joiners: an assignment to a unit made with include_later covers the agents who
 * join the subtree afterwards: paths_notify_due materialises them as members (and sends
 * them the "new assignment" notice) until the due date. Members who leave the unit stay
 * assigned. */
#ifndef PASSPORT_PATHS_ASSIGN_H
#define PASSPORT_PATHS_ASSIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "paths/path.h"
#include "people/account.h"
#include "store/store.h"

#define ASSIGN_MAX_MESSAGE 2000 /* bytes */
#define ASSIGN_MAX_USERS 5000   /* explicit agents per request */
#define ASSIGN_SOON_SECONDS (7 * 24 * 3600)

/* What to assign; arrays and strings borrowed. users and unit_id may both be given. */
typedef struct assign_input {
    long long path_id;
    const long long *users; /* agents' account ids */
    size_t nusers;
    long long unit_id;      /* 0: none; else every agent of the unit's subtree */
    bool include_later;     /* with unit_id: agents joining the subtree later too */
    const char *due_on;     /* "YYYY-MM-DD" (UTC day, inclusive) */
    const char *message;    /* may be NULL */
} assign_input;

/* True when viewer may act on unit_id: HR or admin always; a manager when unit_id is in
 * their unit's subtree. */
bool assign_unit_in_scope(store *s, const account *viewer, long long unit_id);

/* Assigns in->path_id as `by` at time now, in the caller's transaction: checks the path
 * (PATHS_NOT_FOUND), the due date (not before today, at most 5 years ahead:
 * "paths.error.due"), the message ("paths.error.message", "paths.error.message_text" for a
 * control character or a bidirectional override), each user (an active agent in by's
 * scope: "paths.error.user", the same for an unknown id, so that ids are no existence
 * oracle), the unit's scope (PATHS_FORBIDDEN, "paths.error.scope"); needs at least one member unless
 * include_later ("paths.error.nobody"). Adds the members, posts each the "new assignment"
 * notice and writes the audit line. *id receives the assignment id, *nmembers (may be NULL)
 * the number of members. */
paths_status assign_create(store *s, const account *by, const assign_input *in, int64_t now, long long *id,
                           size_t *nmembers, perr *err);

/* Posts the notices that are due at time now, in a transaction of its own, and adds the
 * later joiners of include_later assignments: "due in 7 days" to members who have not
 * finished when the due date is less than 7 days away, "overdue" once it has passed.
 * Idempotent (each notice at most once per member and assignment) and cheap when there is
 * nothing to do (a few indexed reads, no write). *posted (may be NULL) receives the number
 * of notices posted. */
bool paths_notify_due(store *s, int64_t now, int *posted, perr *err);

/* True when viewer may see assignment id: HR or admin; the manager who made it; a manager
 * with at least one member of the assignment in their subtree. */
bool assign_visible(store *s, const account *viewer, long long id);

#define ASSIGN_CANDIDATES_MAX 200 /* agents listed at once by assign_candidates */

/* The active agents by may assign, for the assign form: within unit_id's subtree when
 * unit_id > 0 (a unit outside by's scope gives none), whose name or e-mail contains q
 * (NULL or "": all), by unit then name: [{id, name, email, unit_id}], at most
 * ASSIGN_CANDIDATES_MAX + 1 (one more tells the caller the list is cut). NULL on a
 * database error. New reference. */
json_t *assign_candidates(store *s, const account *by, long long unit_id, const char *q, perr *err);

/* The agent user_id as assign_candidates lists them ({id, name, email, unit_id}), or NULL
 * when by may not assign them (absent, disabled, not an agent, outside by's scope) or on
 * a database error. The assign form re-lists with it the agents a refused form had
 * ticked beyond its list. New reference. */
json_t *assign_candidate(store *s, const account *by, long long user_id);

/* The assignment's path id, or 0 when the assignment does not exist. */
long long assign_path(store *s, long long id);

#endif
