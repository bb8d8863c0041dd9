/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 8: personal API tokens (sent as "Authorization: Bearer"), stored hashed. */
#include "store/schema.h"

const char schema_tokens[] =
    "CREATE TABLE api_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  token_hash TEXT NOT NULL UNIQUE," /* hex SHA-256 of the token: the token itself is never kept */
    "  hint TEXT NOT NULL,"              /* the token's first characters, to recognise it in a list */
    "  created_at INTEGER NOT NULL,"
    "  last_used_at INTEGER,"
    "  revoked_at INTEGER"
    ") STRICT;"
    "CREATE INDEX api_tokens_user ON api_tokens(user_id);";
