/* SPDX-License-Identifier: EUPL-1.2 */
/* Route registration of the badges area's handler files, all called from badges_routes
 * (handlers/badges.c): verification (badges_verify.c) and administration (badges_admin.c). */
#ifndef PASSPORT_HANDLERS_BADGES_PAGES_H
#define PASSPORT_HANDLERS_BADGES_PAGES_H

#include "handlers/app.h"

void badges_verify_routes(http_router *r);
void badges_admin_routes(http_router *r);
/* The verdict of check_credential with each check's label and text translated for the
 * request (adds "label", "text", "state" members). data is modified in place. */
void badges_translate_verdict(app *a, http_req *req, json_t *verdict);

#endif
