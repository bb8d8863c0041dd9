/* The learn area's entry points for other areas (the home page). */
#ifndef PASSPORT_LEARN_LEARN_H
#define PASSPORT_LEARN_LEARN_H

#include <jansson.h>

#include "store/store.h"

/* The module the user should continue with, or NULL when there is none: the most recently
 * opened or attempted live module not passed yet; else the next live module (by position)
 * of the course of their latest passed module. A new JSON object the caller owns:
 * {"module_id", "title", "minutes", "course_slug", "course_title", "url", "status"}. */
json_t *learn_continue(store *s, long long user_id);

#endif
