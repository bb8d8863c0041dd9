/* SPDX-License-Identifier: EUPL-1.2 */
/* Training paths: an ordered list of live modules from any course, with a title, a
 * description and the competency levels it targets; created, edited, copied and listed. */
#ifndef PASSPORT_PATHS_PATH_H
#define PASSPORT_PATHS_PATH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

#define PATH_MAX_MODULES 50
#define PATH_MAX_TARGETS 40
#define PATH_MAX_TITLE 200        /* bytes */
#define PATH_MAX_DESCRIPTION 4000 /* bytes */

/* The outcome of a paths operation, mapped by handlers to an HTTP status. */
typedef enum paths_status {
    PATHS_OK = 0,
    PATHS_INVALID,   /* bad input: 422, err holds an i18n key */
    PATHS_FORBIDDEN, /* outside the caller's scope: 403 */
    PATHS_NOT_FOUND, /* 404 */
    PATHS_ERROR,     /* database error: 500 */
} paths_status;

/* A target competency level: "CRCN-4.1" at level 1..8. */
typedef struct path_target {
    char code[32];
    int level;
} path_target;

/* What a path is made of; strings and arrays are borrowed. */
typedef struct path_input {
    const char *title;
    const char *description; /* may be NULL */
    const char *const *modules; /* module ids in order */
    size_t nmodules;
    const path_target *targets;
    size_t ntargets;
} path_input;

/* Parses "CRCN-4.1@2, CRCN-4.2@3" (commas, semicolons, spaces or newlines between items)
 * into at most max targets; false with err "paths.error.bad_target" on a malformed item. */
bool path_targets_parse(const char *text, path_target *out, size_t max, size_t *n, perr *err);

/* Checks in (title 1..PATH_MAX_TITLE bytes, description, 1..PATH_MAX_MODULES distinct
 * modules each known and not archived, targets distinct, known competencies, levels
 * 1..8). PATHS_INVALID with err an i18n key ("paths.error.title", "paths.error.title_text"
 * and "paths.error.description_text" for a control character or a bidirectional override,
 * text_clean; "paths.error.no_module",
 * "paths.error.module" (unknown or archived; *bad_module, when not NULL, receives a copy
 * the caller frees), "paths.error.duplicate_module", "paths.error.target",
 * "paths.error.too_many"). */
paths_status path_validate(store *s, const path_input *in, char **bad_module, perr *err);

/* Creates a path owned by owner_id after path_validate; runs in the caller's
 * transaction. *id receives the new id. */
paths_status path_create(store *s, long long owner_id, const path_input *in, long long *id,
                         char **bad_module, perr *err);
/* Replaces a path's title, description, modules and targets (validated the same way).
 * PATHS_NOT_FOUND for an unknown id. Caller's transaction. */
paths_status path_update(store *s, long long id, const path_input *in, char **bad_module, perr *err);
/* Copies path src (modules and targets, even archived modules) under a new title and
 * owner; *id receives the copy's id. Caller's transaction. */
paths_status path_copy(store *s, long long src, long long owner_id, const char *title, long long *id,
                       perr *err);

/* The owner of path id (0 when it has none), or -1 when the path does not exist. */
long long path_owner(store *s, long long id);
/* A path as a new JSON object the caller owns, or NULL when absent: {id, title,
 * description, owner_id, owner, copied_from, created_at, updated_at, minutes,
 * modules: [{id, title, minutes, lang, course_slug, course_title, archived, url}],
 * targets: [{code, level, title_fr, title_en}], assignments: n}. */
json_t *path_get(store *s, long long id);
/* Every path, newest change first, as a new JSON array of {id, title, description,
 * owner, modules (count), minutes, assignments, updated_at}. */
json_t *path_list(store *s);
/* The targets of path id into a new array the caller frees (*n entries; NULL when none). */
path_target *path_targets(store *s, long long id, size_t *n);
/* The live modules of the catalogue for the path form, as a new JSON array of {id, title,
 * minutes, lang, course_slug, course_title} in catalogue order. */
json_t *path_module_choices(store *s);

#endif
