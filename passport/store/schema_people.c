/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 4: the in-app inbox (notifications for assignments, call decisions...). */
#include "store/schema.h"

const char schema_people[] =
    "CREATE TABLE inbox ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  msg_key TEXT NOT NULL,"
    "  args_json TEXT NOT NULL DEFAULT '[]',"
    "  link TEXT NOT NULL DEFAULT '',"
    "  dedup TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  read_at INTEGER"
    ") STRICT;"
    "CREATE INDEX inbox_user ON inbox(user_id, created_at);"
    "CREATE UNIQUE INDEX inbox_dedup ON inbox(user_id, dedup) WHERE dedup IS NOT NULL;";
