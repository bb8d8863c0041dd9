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
    int64_t seen_at;  /* the last recorded use */
    bool expired;     /* session_find: found, but past its idle or absolute expiry */
} session;

/* Creates a session for user: writes the cookie token (64 hex chars) into token and the
 * session into *out. */
bool session_create(store *s, long long user_id, const char *ip, const char *user_agent,
                    char token[65], session *out, perr *err);
/* Looks up a live session by cookie token; false when absent or expired (expired ones are
 * deleted). Refreshes the idle expiry at most once a minute. */
bool session_lookup(store *s, const char *token, session *out);
/* session_lookup in two steps, for a caller that reads inside a read transaction (where
 * PostgreSQL refuses writes): session_find only reads (false when absent or expired,
 * out->expired telling which); session_settle, called after the transaction with the
 * same token and out, deletes an expired session or refreshes the idle expiry. */
bool session_find(store *s, const char *token, session *out);
void session_settle(store *s, const char *token, const session *found);
/* Deletes the session of this token (logout). */
void session_delete(store *s, const char *token);
/* Deletes expired sessions; returns how many. */
int session_purge(store *s);

#endif
