/* Migration 9: privacy (docs/privacy.md). Profile views gain the passport contexts (a
 * manager's or HR's look at a passport, an admin's support access) and the reason an
 * admin gives; the table is rebuilt because SQLite cannot change a CHECK constraint.
 * Withdrawn applications lose their motivation. */
#include "store/schema.h"

const char schema_privacy[] =
    "CREATE TABLE profile_views_new ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  viewer_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  context TEXT NOT NULL CHECK (context IN ('search', 'call', 'direct', 'passport', 'support')),"
    "  context_id INTEGER,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  at INTEGER NOT NULL"
    ") STRICT;"
    "INSERT INTO profile_views_new(id, user_id, viewer_id, context, context_id, at)"
    " SELECT id, user_id, viewer_id, context, context_id, at FROM profile_views;"
    "DROP TABLE profile_views;"
    "ALTER TABLE profile_views_new RENAME TO profile_views;"
    "CREATE INDEX profile_views_user ON profile_views(user_id, at);"
    "CREATE INDEX profile_views_viewer ON profile_views(viewer_id) WHERE viewer_id IS NOT NULL;"
    /* a withdrawn application keeps no motivation (calls_withdraw blanks it from now on) */
    "UPDATE applications SET motivation = '' WHERE state = 'withdrawn';";
