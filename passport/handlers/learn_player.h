/* The module player: a lesson and its quiz form, server-side grading and the result page,
 * and the same as JSON under /api/v1/modules/. */
#ifndef PASSPORT_HANDLERS_LEARN_PLAYER_H
#define PASSPORT_HANDLERS_LEARN_PLAYER_H

#include "http/router.h"

/* Registers GET /modules/{id}, POST /modules/{id}/attempts, GET /api/v1/modules/{id} and
 * POST /api/v1/modules/{id}/attempts (called by courses_routes). */
void learn_player_routes(http_router *r);

#endif
