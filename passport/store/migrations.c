/* SPDX-License-Identifier: EUPL-1.2 */
/* Schema migrations. Append a new entry to keep history: never edit an applied one.
 * Every table is STRICT; times are integer seconds since the epoch (UTC). */
#include "store/migrations.h"

#include <stdio.h>

#include "store/schema.h"
#include "store/store.h"

/* Each migration in the SQL of each engine: SQLite's, then PostgreSQL's (NULL: not
 * written yet, and a PostgreSQL store refuses to open). */
typedef struct migration {
    const char *sqlite;
    const char *pg;
} migration;

static const migration migrations[] = {
    /* 1: organisation, accounts, sessions, login throttling, audit */
    {"CREATE TABLE units ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  parent_id INTEGER REFERENCES units(id) ON DELETE RESTRICT,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE UNIQUE INDEX units_name_parent ON units(coalesce(parent_id, 0), name COLLATE NOCASE);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    "  display_name TEXT NOT NULL,"
    "  password_hash TEXT,"
    "  unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,"
    "  locale TEXT NOT NULL DEFAULT 'fr',"
    "  roles INTEGER NOT NULL DEFAULT 1,"
    "  visibility TEXT NOT NULL DEFAULT 'hidden',"
    "  bio TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  disabled_at INTEGER"
    ") STRICT;"
    "CREATE INDEX users_unit ON users(unit_id);"
    "CREATE TABLE sessions ("
    "  token_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  csrf_token TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  seen_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  ip TEXT NOT NULL DEFAULT '',"
    "  user_agent TEXT NOT NULL DEFAULT ''"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE login_failures ("
    "  key TEXT NOT NULL,"
    "  at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX login_failures_key ON login_failures(key, at);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER,"
    "  action TEXT NOT NULL,"
    "  target_type TEXT NOT NULL DEFAULT '',"
    "  target_id INTEGER,"
    "  detail TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE INDEX audit_target ON audit(target_type, target_id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  WHEN NOT (OLD.action = NEW.action AND OLD.at = NEW.at)"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;",
     NULL},
    /* 2: competency frameworks, evidence (store/schema_skills.c) */
    {SCHEMA_SKILLS, NULL},
    /* 3: courses, modules, attempts, progress (store/schema_learn.c) */
    {SCHEMA_LEARN, NULL},
    /* 4: in-app inbox (store/schema_people.c) */
    {SCHEMA_PEOPLE, NULL},
    /* 5: talent profiles, profile views, intrapreneur calls (store/schema_talent.c) */
    {SCHEMA_TALENT, NULL},
    /* 6: training paths, assignments (store/schema_paths.c) */
    {SCHEMA_PATHS, NULL},
    /* 7: achievements, credentials, status lists, share links (store/schema_badges.c) */
    {SCHEMA_BADGES, NULL},
    /* 8: personal API tokens (store/schema_tokens.c) */
    {SCHEMA_TOKENS, NULL},
    /* 9: positioning tests, their answers, re-checks (store/schema_positioning.c) */
    {SCHEMA_POSITIONING, NULL},
    /* 10: the issuer and URL of each revocation list, share page names (store/schema_status.c) */
    {SCHEMA_STATUS, NULL},
    /* 11: e-mail outbox, invitations and resets, OIDC identities (store/schema_identity.c) */
    {SCHEMA_IDENTITY, NULL},
    /* 12: privacy: profile views of passports, with a reason (store/schema_privacy.c) */
    {SCHEMA_PRIVACY, NULL},
    /* 13: drawn questions of an attempt, the attempt of a quiz form (store/schema_learn_draws.c) */
    {SCHEMA_LEARN_DRAWS, NULL},
    /* 14: the module search index emptied, refilled with stemmed words (store/schema_learn.c) */
    {SCHEMA_LEARN_STEMS, NULL},
    /* 15: the prospects of an intrapreneur call (store/schema_talent.c) */
    {SCHEMA_TALENT_PROSPECTS, NULL},
    /* 16: the change log the caches consult, filled by triggers (store/schema_changes.c) */
    {SCHEMA_CHANGES, NULL},
    /* 17: leases of periodic work, facts shared by several servers (store/schema_cluster.c) */
    {SCHEMA_CLUSTER, schema_cluster_pg},
};

int store_latest_version(void) {
    return (int)(sizeof migrations / sizeof migrations[0]);
}

bool migrations_apply(store *s, int *version, perr *err) {
    store_query *st = store_stmt(s, "PRAGMA user_version", err);
    if (!st) return false;
    int current = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    int latest = store_latest_version();
    if (current > latest)
        return perr_set(err,
                        "the database was made by a newer release of Passport (schema %d; this release knows "
                        "schemas up to %d): run that release or a newer one, or restore a backup made by this one",
                        current, latest);
    for (int v = current + 1; v <= latest; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v);
        if (!store_begin(s, err)) return false;
        if (!store_exec(s, migrations[v - 1].sqlite, err) || !store_exec(s, pragma, err)) {
            store_rollback(s);
            char msg[PERR_MAX];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            return perr_set(err, "migration %d failed: %s", v, msg);
        }
        if (!store_commit(s, err)) return false;
    }
    *version = latest;
    return true;
}
