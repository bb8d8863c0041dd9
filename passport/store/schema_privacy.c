/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 12: privacy (docs/privacy.md). Profile views gain the passport contexts (a
 * manager's or HR's look at a passport, an admin's support access) and the reason an
 * admin gives; the table is rebuilt because SQLite cannot change a CHECK constraint.
 * Withdrawn applications lose their motivation. Login throttling gets its own table. */
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
    "UPDATE applications SET motivation = '' WHERE state = 'withdrawn';"
    /* login throttling by hashed keys, counted in one statement (people/throttle.c); the
     * failures kept by e-mail before are dropped */
    "CREATE TABLE login_throttle ("
    "  key TEXT PRIMARY KEY," /* hex SHA-256 of the kind and the e-mail and/or address */
    "  failures INTEGER NOT NULL,"
    "  last_at INTEGER NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    "DELETE FROM login_failures;";
