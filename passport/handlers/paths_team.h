/* SPDX-License-Identifier: EUPL-1.2 */
/* The paths area's handlers beyond the path editor (handlers/paths.c): the agent's
 * assignments, the manager dashboard and their API, registered by paths_routes. */
#ifndef PASSPORT_HANDLERS_PATHS_TEAM_H
#define PASSPORT_HANDLERS_PATHS_TEAM_H

#include "http/router.h"
#include "paths/path.h"

/* Registers /me/assignments, /team..., GET /api/v1/me/assignments and
 * GET /api/v1/assignments/{id}/progress. */
void paths_team_routes(http_router *r);

/* The HTTP status for a paths_status (200, 422, 403, 404, 500). */
int paths_http_status(paths_status ps);

#endif
