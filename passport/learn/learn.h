/* SPDX-License-Identifier: EUPL-1.2 */
/* The learn area's entry points for other areas (the home page, the result page): what
 * the agent should take next. */
#ifndef PASSPORT_LEARN_LEARN_H
#define PASSPORT_LEARN_LEARN_H

#include <jansson.h>

#include "learn/library.h"
#include "store/store.h"

/* The module the user should continue with, or NULL when there is none. A module counts
 * as done when it or another language's copy of it (translation_of, either way) was
 * passed. In order: the most recently opened live module not done ("in_progress"); else
 * the first module not done of a path assigned to them, earliest due first ("path",
 * with "path_title"); else the first module not done of the course of their latest pass,
 * then of the courses of their earlier passes ("not_started"). lib is the loaded library
 * (modules not in it are skipped). A new JSON object the caller owns: {"module_id",
 * "title", "minutes", "course_slug", "course_title", "url", "status"[, "path_title"]}. */
json_t *learn_continue(store *s, const learn_library *lib, long long user_id);

/* The module to take after passing m, or NULL: the next module not done (as above) of
 * the first path assigned to the user that holds m, else the next module not done of m's
 * course after m. Same object as learn_continue, status "path" or "course". */
json_t *learn_next_after(store *s, const learn_library *lib, long long user_id, const learn_module *m);

#endif
