/* SPDX-License-Identifier: EUPL-1.2 */
/* Recommendations: for an agent and a target profile (a list of competency levels: a
 * path's targets, a call's needs...), the live modules that would close the gap between
 * the agent's verified levels and the targets, in the agent's language first, shortest
 * first. */
#ifndef PASSPORT_PATHS_RECOMMEND_H
#define PASSPORT_PATHS_RECOMMEND_H

#include <jansson.h>
#include <stddef.h>

#include "paths/path.h"
#include "store/store.h"

#define RECOMMEND_MAX 20 /* modules listed at most */

/* For user_id and targets[0..n), a new JSON object the caller owns:
 * {gaps: [{code, verified, target}] (only the competencies below target),
 *  modules: [{id, title, minutes, lang, course_slug, url, closes (bool: reaches the
 *  target of at least one gap), competencies: [{code, level}]}]}.
 * A module is listed when it is live, not passed by the user, and evidences a gap's
 * competency at a level above the verified one. Order: modules in lang first, then
 * those that close a gap, then fewer minutes, then id. */
json_t *recommend_modules(store *s, long long user_id, const path_target *targets, size_t n, const char *lang);

#endif
