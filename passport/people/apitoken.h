/* SPDX-License-Identifier: EUPL-1.2 */
/* Personal API tokens: an agent's programs call /api/v1/ with "Authorization: Bearer
 * <token>" instead of a session cookie. Tokens are random, shown once at creation and
 * kept only as their SHA-256; they stop working when revoked or when the account is
 * disabled. */
#ifndef PASSPORT_PEOPLE_APITOKEN_H
#define PASSPORT_PEOPLE_APITOKEN_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

#define APITOKEN_PREFIX "ppt_"
#define APITOKEN_LEN 68       /* "ppt_" and 64 lowercase hex digits */
#define APITOKEN_NAME_MAX 80  /* bytes of a token's name */
#define APITOKEN_MAX_PER_USER 20

/* Creates a token named name (1..APITOKEN_NAME_MAX bytes after trimming) for user_id and
 * writes it into token (the only time it exists in clear) and its id into *id (may be
 * NULL). Fails with "apitoken.bad_name", "apitoken.too_many" or a database error. Writes:
 * call inside a transaction when combined with others (an audit line). */
bool apitoken_create(store *s, long long user_id, const char *name, char token[APITOKEN_LEN + 1], long long *id,
                     perr *err);
/* The user's tokens not revoked, newest first: [{id, name, hint, created_at, last_used_at
 * (0: never)}]. A new array the caller owns; NULL on a database error. */
json_t *apitoken_list(store *s, long long user_id);
/* Revokes the user's token id; false with "apitoken.not_found" when the user has no such
 * token still working, or a database error. */
bool apitoken_revoke(store *s, long long user_id, long long id, perr *err);
/* Revokes every token of user_id (account_end_access). */
bool apitoken_revoke_all(store *s, long long user_id, perr *err);
/* The user a working token belongs to: true with *user_id set when token is well formed,
 * known, not revoked and its account not disabled. Records the use (at most once a
 * minute: a write, so call it outside a read transaction). */
bool apitoken_lookup(store *s, const char *token, long long *user_id);

#endif
