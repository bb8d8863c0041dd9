/* SPDX-License-Identifier: EUPL-1.2 */
/* The demo organisation created by `passport init`: a few units and one account per role. */
#ifndef PASSPORT_PEOPLE_DEMO_H
#define PASSPORT_PEOPLE_DEMO_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

/* Creates the demo units and accounts in one transaction. Each account gets password
 * when it is non-NULL, else its own generated one. Returns a new JSON array of
 * {email, password, roles, name} (the caller prints it once and frees it), NULL on error. */
json_t *demo_create(store *s, const char *password, perr *err);

#endif
