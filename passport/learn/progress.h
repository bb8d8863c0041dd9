/* SPDX-License-Identifier: EUPL-1.2 */
/* An agent's progress in the course library: visits and attempts per module (not
 * started, in progress, passed; best score; attempts), per course (percentage, minutes
 * left), and the module to continue with. */
#ifndef PASSPORT_LEARN_PROGRESS_H
#define PASSPORT_LEARN_PROGRESS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "learn/library.h"
#include "store/store.h"

#define PROGRESS_VISIT_GRAIN 60 /* seconds: a visit within this time of the last one is not written */

/* Records that the user opened the module (first and last visit times, the last one to
 * within PROGRESS_VISIT_GRAIN seconds). */
/* When user_id last viewed module_id as recorded (0: never); reads only. A view is
 * written again once PROGRESS_VISIT_GRAIN seconds have passed since. */
int64_t progress_visit_last(store *s, long long user_id, const char *module_id);
bool progress_visit(store *s, long long user_id, const char *module_id, perr *err);

/* The user's progress on every module they visited or attempted, as a new JSON object the
 * caller owns: {"<module id>": {"status": "in_progress"|"passed", "best_score": 0..1,
 * "attempts": n, "last_at": seconds}}. A module absent from it is not started. NULL on
 * error. */
json_t *progress_by_module(store *s, long long user_id, perr *err);

/* The status of one module from a progress_by_module object: "not_started",
 * "in_progress" or "passed" (static strings). */
const char *progress_status(const json_t *by_module, const char *module_id);

/* Course progress from a progress_by_module object: the share of modules passed (0..100,
 * rounded down) and the minutes of the modules not passed yet. */
void progress_course(const learn_course *c, const json_t *by_module, int *percent, int *minutes_left);

#endif
