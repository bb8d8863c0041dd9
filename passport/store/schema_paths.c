/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 6: training paths (ordered modules, target competencies), assignments to
 * agents or unit subtrees with a due date, their members and notice bookkeeping. */
#include "store/schema.h"

const char schema_paths[] =
    "CREATE TABLE paths ("
    "  id INTEGER PRIMARY KEY,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  copied_from INTEGER REFERENCES paths(id) ON DELETE SET NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX paths_updated ON paths(updated_at);"
    "CREATE TABLE path_modules ("
    "  path_id INTEGER NOT NULL REFERENCES paths(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  module_id TEXT NOT NULL REFERENCES modules(id) ON DELETE RESTRICT,"
    "  PRIMARY KEY (path_id, position)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX path_modules_module ON path_modules(module_id);"
    "CREATE TABLE path_targets ("
    "  path_id INTEGER NOT NULL REFERENCES paths(id) ON DELETE CASCADE,"
    "  code TEXT NOT NULL,"
    "  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 8),"
    "  PRIMARY KEY (path_id, code)"
    ") STRICT, WITHOUT ROWID;"
    /* unit_id set: assigned to that unit's subtree; include_later: members who join the
     * subtree later are added when paths_notify_due runs (until the due date).
     * due_at: the last second of due_on (UTC). swept: bit 2 = every member got the
     * "due soon" check, bit 4 = every member got the "overdue" check. */
    "CREATE TABLE assignments ("
    "  id INTEGER PRIMARY KEY,"
    "  path_id INTEGER NOT NULL REFERENCES paths(id) ON DELETE RESTRICT,"
    "  unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,"
    "  include_later INTEGER NOT NULL DEFAULT 0,"
    "  assigned_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  due_on TEXT NOT NULL,"
    "  due_at INTEGER NOT NULL,"
    "  message TEXT NOT NULL DEFAULT '',"
    "  swept INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX assignments_path ON assignments(path_id);"
    "CREATE INDEX assignments_due ON assignments(due_at);"
    "CREATE INDEX assignments_by ON assignments(assigned_by);"
    "CREATE INDEX assignments_later ON assignments(due_at) WHERE include_later = 1;"
    /* notified: bit 1 = "new assignment" posted, 2 = "due soon" checked, 4 = "overdue" checked */
    "CREATE TABLE assignment_members ("
    "  assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  added_at INTEGER NOT NULL,"
    "  notified INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (assignment_id, user_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX assignment_members_user ON assignment_members(user_id, assignment_id);"
    "CREATE INDEX assignment_members_new ON assignment_members(assignment_id) WHERE notified = 0;"
    /* the dashboards read passed attempts only, oldest first per (user, module) */
    "CREATE INDEX attempts_passed ON attempts(user_id, module_id, finished_at) WHERE passed = 1;";
