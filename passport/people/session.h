/* SPDX-License-Identifier: EUPL-1.2 */
/* Login sessions: 256-bit random tokens, stored as SHA-256 hashes, each with its own
 * CSRF token, an idle expiry and an absolute expiry. */
#ifndef PASSPORT_PEOPLE_SESSION_H
#define PASSPORT_PEOPLE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define SESSION_IDLE_SECONDS (2 * 3600)
#define SESSION_MAX_SECONDS (12 * 3600)

typedef struct session {
    long long user_id;
    char csrf[65];
    int64_t expires_at;
} session;

/* Creates a session for user: writes the cookie token (64 hex chars) into token and the
 * session into *out. */
bool session_create(store *s, long long user_id, const char *ip, const char *user_agent,
                    char token[65], session *out, perr *err);
/* Looks up a live session by cookie token; false when absent or expired (expired ones are
 * deleted). Refreshes the idle expiry at most once a minute. */
bool session_lookup(store *s, const char *token, session *out);
/* Deletes the session of this token (logout). */
void session_delete(store *s, const char *token);
/* Deletes expired sessions; returns how many. */
int session_purge(store *s);

#endif
