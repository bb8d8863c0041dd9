/* SPDX-License-Identifier: EUPL-1.2 */
/* Progress on assignments: per assignment (completion, overdue count, time spent,
 * burndown), per agent across assignments, and an agent's own assignments with the next
 * module. Time spent is estimated as the minutes of the modules passed.
 * A module counts as done when the agent has a passed attempt on it, at any time. */
#ifndef PASSPORT_PATHS_DASHBOARD_H
#define PASSPORT_PATHS_DASHBOARD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "people/account.h"
#include "store/store.h"

#define DASHBOARD_MAX_POINTS 120 /* burndown points at most */

/* The scope unit to filter members by for viewer: 0 (everyone) for HR and admins, the
 * manager's unit otherwise (-1 when a manager has no unit: sees nobody). */
long long dashboard_scope(const account *viewer);

/* The progress of assignment id at time now, counting only members in scope_unit's
 * subtree (0: all). A new JSON object the caller owns, NULL when the assignment does not
 * exist (err empty) or on error (err set):
 * {assignment: {id, path_id, title, due_on, due_at, created_at, message, unit, include_later,
 *   assigned_by, overdue (bool: due date passed)},
 *  summary: {agents, completed, in_progress, not_started, overdue, percent, minutes,
 *   modules_total, modules_done},
 *  modules: [{id, title, minutes, passed}],
 *  burndown: {total, days, points: [{day, date, remaining}], ideal: [{day, remaining}], due_day},
 *  agents: [{id, name, email, unit, done, total, percent, minutes, status, last_at}]}
 * status is "done", "overdue", "in_progress" or "not_started"; agents are sorted overdue
 * first, then not started, in progress, done, then by name; only agents[offset ..
 * offset+limit) are listed (limit < 0: all), summary counts them all. */
json_t *dashboard_assignment(store *s, long long id, long long scope_unit, int64_t now, int offset, int limit,
                             perr *err);

/* The assignments viewer may see (newest first, at most 100), each as the assignment
 * and summary members of dashboard_assignment. New array. */
json_t *dashboard_list(store *s, const account *viewer, int64_t now);

/* Per agent in scope_unit's subtree (0: all) with at least one assignment, by name, the
 * agents [offset, offset + limit): a new array of {id, name, unit, assigned, completed,
 * overdue, minutes}. */
json_t *dashboard_agents(store *s, long long scope_unit, int64_t now, int offset, int limit);

/* The assignments of user_id, nearest due date first: a new array of {id, path_id, title,
 * description, message, due_on, days_left, assigned_by, done, total, percent, minutes,
 * minutes_left, status ("done", "overdue", "due_soon" (7 days or less), "on_track"),
 * next: {id, title, minutes, url} or null, modules: [{id, title, minutes, url, archived,
 * status ("passed", "in_progress", "not_started")}]}. */
json_t *dashboard_mine(store *s, long long user_id, int64_t now);

#endif
