/* SPDX-License-Identifier: EUPL-1.2 */
/* The module player: a lesson and the quiz form of one draw, server-side grading, the
 * result page of each attempt, and the same as JSON under /api/v1/modules/. */
#ifndef PASSPORT_HANDLERS_LEARN_PLAYER_H
#define PASSPORT_HANDLERS_LEARN_PLAYER_H

#include "http/router.h"

/* Registers GET /modules/{id}, POST /modules/{id}/attempts (303 to the result),
 * GET /modules/{id}/attempts/{n} (the result page), GET /api/v1/modules/{id},
 * POST /api/v1/modules/{id}/attempts (201 with the result) and
 * GET /api/v1/modules/{id}/attempts/{n} (called by courses_routes). */
void learn_player_routes(http_router *r);

#endif
