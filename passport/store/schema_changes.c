/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 16: the change log the server's caches consult (store/changelog.h,
 * docs/performance.md). Every commit that changes what an agent's cached pages show adds,
 * in the same transaction and through the triggers below, one row per agent it touches
 * (user_id) or one row with user_id 0 when it changes what everyone sees (the catalog,
 * frameworks, units, paths, badge definitions). Triggers, not the write paths, fill it:
 * no write can forget it, whichever process commits (the server, the command line, a
 * second server on the same database). Tables no cached page reads (audit, throttles, the
 * outbox, quiz nonces, search indexes, the talent index's own log) have no trigger. */
#include "store/schema.h"

#pragma GCC diagnostic ignored "-Woverlength-strings"

/* Triggers logging the row's user (column COL of NEW or OLD, when not NULL: an erased
 * holder's credential keeps no user) on insert, update, delete. */
#define BY_USER(T, COL)                                                                          \
    "CREATE TRIGGER changes_" T "_ins AFTER INSERT ON " T " WHEN NEW." COL " IS NOT NULL BEGIN" \
    " INSERT INTO changes(user_id) VALUES (NEW." COL "); END;"                                   \
    "CREATE TRIGGER changes_" T "_upd AFTER UPDATE ON " T " BEGIN"                              \
    " INSERT INTO changes(user_id) SELECT NEW." COL " WHERE NEW." COL " IS NOT NULL"            \
    "  UNION SELECT OLD." COL " WHERE OLD." COL " IS NOT NULL; END;"                            \
    "CREATE TRIGGER changes_" T "_del AFTER DELETE ON " T " WHEN OLD." COL " IS NOT NULL BEGIN" \
    " INSERT INTO changes(user_id) VALUES (OLD." COL "); END;"

/* Triggers logging key 0 (everyone) on any change of table T. */
#define FOR_ALL(T)                                                                               \
    "CREATE TRIGGER changes_" T "_ins AFTER INSERT ON " T " BEGIN"                              \
    " INSERT INTO changes(user_id) VALUES (0); END;"                                            \
    "CREATE TRIGGER changes_" T "_upd AFTER UPDATE ON " T " BEGIN"                              \
    " INSERT INTO changes(user_id) VALUES (0); END;"                                            \
    "CREATE TRIGGER changes_" T "_del AFTER DELETE ON " T " BEGIN"                              \
    " INSERT INTO changes(user_id) VALUES (0); END;"

const char schema_changes[] =
    "CREATE TABLE changes ("
    "  seq INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL"
    ") STRICT;"
    /* the newest 100 000 changes are kept: a process further behind empties its caches */
    "CREATE TRIGGER changes_prune AFTER INSERT ON changes WHEN NEW.seq % 1024 = 0 BEGIN"
    " DELETE FROM changes WHERE seq <= NEW.seq - 100000; END;"
    /* an account: every field a page or the session memo shows (roles, disabled, locale...) */
    "CREATE TRIGGER changes_users_upd AFTER UPDATE ON users BEGIN"
    " INSERT INTO changes(user_id) VALUES (NEW.id); END;"
    "CREATE TRIGGER changes_users_del AFTER DELETE ON users BEGIN"
    " INSERT INTO changes(user_id) VALUES (OLD.id); END;"
    /* a name or a unit other people's pages show (an evidence's author, a profile's viewer) */
    "CREATE TRIGGER changes_users_names AFTER UPDATE OF display_name, unit_id ON users BEGIN"
    " INSERT INTO changes(user_id) VALUES (0); END;"
    /* a session ended or changed; its idle-time refresh (seen_at) alone is not a change */
    "CREATE TRIGGER changes_sessions_del AFTER DELETE ON sessions BEGIN"
    " INSERT INTO changes(user_id) VALUES (OLD.user_id); END;"
    "CREATE TRIGGER changes_sessions_upd AFTER UPDATE OF user_id, csrf_token, expires_at ON sessions BEGIN"
    " INSERT INTO changes(user_id) SELECT NEW.user_id UNION SELECT OLD.user_id; END;"
    /* personal API tokens: their use (last_used_at) is not a change */
    "CREATE TRIGGER changes_api_tokens_ins AFTER INSERT ON api_tokens BEGIN"
    " INSERT INTO changes(user_id) VALUES (NEW.user_id); END;"
    "CREATE TRIGGER changes_api_tokens_upd AFTER UPDATE OF user_id, name, revoked_at ON api_tokens BEGIN"
    " INSERT INTO changes(user_id) SELECT NEW.user_id UNION SELECT OLD.user_id; END;"
    "CREATE TRIGGER changes_api_tokens_del AFTER DELETE ON api_tokens BEGIN"
    " INSERT INTO changes(user_id) VALUES (OLD.user_id); END;"
    /* a share link belongs to the holder of its credential */
    "CREATE TRIGGER changes_share_links_ins AFTER INSERT ON share_links BEGIN"
    " INSERT INTO changes(user_id) SELECT user_id FROM credentials WHERE id = NEW.credential_id AND user_id IS NOT NULL; END;"
    "CREATE TRIGGER changes_share_links_upd AFTER UPDATE ON share_links BEGIN"
    " INSERT INTO changes(user_id) SELECT user_id FROM credentials WHERE id IN (NEW.credential_id, OLD.credential_id) AND user_id IS NOT NULL; END;"
    "CREATE TRIGGER changes_share_links_del AFTER DELETE ON share_links BEGIN"
    " INSERT INTO changes(user_id) SELECT user_id FROM credentials WHERE id = OLD.credential_id AND user_id IS NOT NULL; END;"
    /* a positioning answer belongs to the agent of its test */
    "CREATE TRIGGER changes_positioning_responses_ins AFTER INSERT ON positioning_responses BEGIN"
    " INSERT INTO changes(user_id) SELECT user_id FROM positioning_tests WHERE id = NEW.test_id; END;"
    "CREATE TRIGGER changes_positioning_responses_upd AFTER UPDATE ON positioning_responses BEGIN"
    " INSERT INTO changes(user_id) SELECT user_id FROM positioning_tests WHERE id = NEW.test_id; END;"
    BY_USER("evidence", "user_id")
    BY_USER("attempts", "user_id")
    BY_USER("module_visits", "user_id")
    BY_USER("inbox", "user_id")
    BY_USER("profiles", "user_id")
    BY_USER("applications", "user_id")
    BY_USER("credentials", "user_id")
    BY_USER("assignment_members", "user_id")
    BY_USER("positioning_tests", "user_id")
    BY_USER("rechecks", "user_id")
    BY_USER("account_links", "user_id")
    BY_USER("oidc_identities", "user_id")
    BY_USER("profile_views", "user_id")
    BY_USER("call_prospects", "user_id")
    FOR_ALL("units")
    FOR_ALL("frameworks")
    FOR_ALL("framework_areas")
    FOR_ALL("competencies")
    FOR_ALL("competency_levels")
    FOR_ALL("competency_map")
    FOR_ALL("courses")
    FOR_ALL("modules")
    FOR_ALL("module_competencies")
    FOR_ALL("paths")
    FOR_ALL("path_modules")
    FOR_ALL("path_targets")
    FOR_ALL("assignments")
    FOR_ALL("achievements")
    FOR_ALL("calls")
    FOR_ALL("call_needs");

/* PostgreSQL: the same triggers, each calling one of the PL/pgSQL functions below; seq is
 * numbered in commit order by log_next_seq (store/schema_talent.c says why). */
#define BY_USER_PG(T)                                                                             \
    "CREATE TRIGGER changes_" T "_ins AFTER INSERT ON " T " FOR EACH ROW WHEN (NEW.user_id IS NOT NULL)" \
    " EXECUTE FUNCTION changes_by_user();"                                                       \
    "CREATE TRIGGER changes_" T "_upd AFTER UPDATE ON " T " FOR EACH ROW EXECUTE FUNCTION changes_by_user();" \
    "CREATE TRIGGER changes_" T "_del AFTER DELETE ON " T " FOR EACH ROW WHEN (OLD.user_id IS NOT NULL)" \
    " EXECUTE FUNCTION changes_by_user();"

#define FOR_ALL_PG(T)                                                                            \
    "CREATE TRIGGER changes_" T "_ins AFTER INSERT ON " T " FOR EACH ROW EXECUTE FUNCTION changes_all();" \
    "CREATE TRIGGER changes_" T "_upd AFTER UPDATE ON " T " FOR EACH ROW EXECUTE FUNCTION changes_all();" \
    "CREATE TRIGGER changes_" T "_del AFTER DELETE ON " T " FOR EACH ROW EXECUTE FUNCTION changes_all();"

const char schema_changes_pg[] =
    "CREATE TABLE changes ("
    "  seq BIGINT PRIMARY KEY,"
    "  user_id BIGINT NOT NULL"
    ");"
    "CREATE TRIGGER changes_seq BEFORE INSERT ON changes FOR EACH ROW EXECUTE FUNCTION log_next_seq();"
    "CREATE FUNCTION changes_prune() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN DELETE FROM changes WHERE seq <= NEW.seq - 100000; RETURN NULL; END $$;"
    "CREATE TRIGGER changes_prune AFTER INSERT ON changes FOR EACH ROW WHEN (NEW.seq % 1024 = 0)"
    "  EXECUTE FUNCTION changes_prune();"
    /* key 0: everyone */
    "CREATE FUNCTION changes_all() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN INSERT INTO changes(user_id) VALUES (0); RETURN NULL; END $$;"
    /* the row's user_id: the new one, the old one, both when an update moved the row */
    "CREATE FUNCTION changes_by_user() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF TG_OP = 'INSERT' THEN INSERT INTO changes(user_id) VALUES (NEW.user_id);"
    "  ELSIF TG_OP = 'DELETE' THEN INSERT INTO changes(user_id) VALUES (OLD.user_id);"
    "  ELSE INSERT INTO changes(user_id) SELECT NEW.user_id WHERE NEW.user_id IS NOT NULL"
    "   UNION SELECT OLD.user_id WHERE OLD.user_id IS NOT NULL;"
    "  END IF;"
    "  RETURN NULL;"
    " END $$;"
    /* an account itself (users.id) */
    "CREATE FUNCTION changes_by_id() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF TG_OP = 'DELETE' THEN INSERT INTO changes(user_id) VALUES (OLD.id);"
    "  ELSE INSERT INTO changes(user_id) VALUES (NEW.id); END IF;"
    "  RETURN NULL;"
    " END $$;"
    /* a share link: the holder of its credential */
    "CREATE FUNCTION changes_share_links() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF TG_OP = 'INSERT' THEN INSERT INTO changes(user_id) SELECT user_id FROM credentials"
    "   WHERE id = NEW.credential_id AND user_id IS NOT NULL;"
    "  ELSIF TG_OP = 'DELETE' THEN INSERT INTO changes(user_id) SELECT user_id FROM credentials"
    "   WHERE id = OLD.credential_id AND user_id IS NOT NULL;"
    "  ELSE INSERT INTO changes(user_id) SELECT user_id FROM credentials"
    "   WHERE id IN (NEW.credential_id, OLD.credential_id) AND user_id IS NOT NULL;"
    "  END IF;"
    "  RETURN NULL;"
    " END $$;"
    /* a positioning answer: the agent of its test */
    "CREATE FUNCTION changes_positioning_responses() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  INSERT INTO changes(user_id) SELECT user_id FROM positioning_tests WHERE id = NEW.test_id;"
    "  RETURN NULL;"
    " END $$;"
    "CREATE TRIGGER changes_users_upd AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION changes_by_id();"
    "CREATE TRIGGER changes_users_del AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION changes_by_id();"
    "CREATE TRIGGER changes_users_names AFTER UPDATE OF display_name, unit_id ON users"
    "  FOR EACH ROW EXECUTE FUNCTION changes_all();"
    "CREATE TRIGGER changes_sessions_del AFTER DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION changes_by_user();"
    "CREATE TRIGGER changes_sessions_upd AFTER UPDATE OF user_id, csrf_token, expires_at ON sessions"
    "  FOR EACH ROW EXECUTE FUNCTION changes_by_user();"
    "CREATE TRIGGER changes_api_tokens_ins AFTER INSERT ON api_tokens FOR EACH ROW EXECUTE FUNCTION changes_by_user();"
    "CREATE TRIGGER changes_api_tokens_upd AFTER UPDATE OF user_id, name, revoked_at ON api_tokens"
    "  FOR EACH ROW EXECUTE FUNCTION changes_by_user();"
    "CREATE TRIGGER changes_api_tokens_del AFTER DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION changes_by_user();"
    "CREATE TRIGGER changes_share_links_ins AFTER INSERT ON share_links FOR EACH ROW"
    "  EXECUTE FUNCTION changes_share_links();"
    "CREATE TRIGGER changes_share_links_upd AFTER UPDATE ON share_links FOR EACH ROW"
    "  EXECUTE FUNCTION changes_share_links();"
    "CREATE TRIGGER changes_share_links_del AFTER DELETE ON share_links FOR EACH ROW"
    "  EXECUTE FUNCTION changes_share_links();"
    "CREATE TRIGGER changes_positioning_responses_ins AFTER INSERT ON positioning_responses FOR EACH ROW"
    "  EXECUTE FUNCTION changes_positioning_responses();"
    "CREATE TRIGGER changes_positioning_responses_upd AFTER UPDATE ON positioning_responses FOR EACH ROW"
    "  EXECUTE FUNCTION changes_positioning_responses();"
    BY_USER_PG("evidence")
    BY_USER_PG("attempts")
    BY_USER_PG("module_visits")
    BY_USER_PG("inbox")
    BY_USER_PG("profiles")
    BY_USER_PG("applications")
    BY_USER_PG("credentials")
    BY_USER_PG("assignment_members")
    BY_USER_PG("positioning_tests")
    BY_USER_PG("rechecks")
    BY_USER_PG("account_links")
    BY_USER_PG("oidc_identities")
    BY_USER_PG("profile_views")
    BY_USER_PG("call_prospects")
    FOR_ALL_PG("units")
    FOR_ALL_PG("frameworks")
    FOR_ALL_PG("framework_areas")
    FOR_ALL_PG("competencies")
    FOR_ALL_PG("competency_levels")
    FOR_ALL_PG("competency_map")
    FOR_ALL_PG("courses")
    FOR_ALL_PG("modules")
    FOR_ALL_PG("module_competencies")
    FOR_ALL_PG("paths")
    FOR_ALL_PG("path_modules")
    FOR_ALL_PG("path_targets")
    FOR_ALL_PG("assignments")
    FOR_ALL_PG("achievements")
    FOR_ALL_PG("calls")
    FOR_ALL_PG("call_needs");

/* Migration 19: what a change is about (store/changelog.h, CHANGE_*). The tables below are
 * shown only by some of an agent's pages and memos, so their triggers log a scope with the
 * agent: 1 (learning: attempts, module visits), 2 (evidence). Every other trigger keeps
 * logging scope 0, which voids everything of its agent. A page that shows one of these
 * tables names its scope (handlers/app.h, app_page_shows); one that does not name it is
 * kept across the change. */
#define BY_USER_SCOPED(T, SCOPE)                                                                  \
    "DROP TRIGGER changes_" T "_ins; DROP TRIGGER changes_" T "_upd; DROP TRIGGER changes_" T "_del;" \
    "CREATE TRIGGER changes_" T "_ins AFTER INSERT ON " T " WHEN NEW.user_id IS NOT NULL BEGIN"     \
    " INSERT INTO changes(user_id, scope) VALUES (NEW.user_id, " SCOPE "); END;"                     \
    "CREATE TRIGGER changes_" T "_upd AFTER UPDATE ON " T " BEGIN"                                  \
    " INSERT INTO changes(user_id, scope) SELECT NEW.user_id, " SCOPE " WHERE NEW.user_id IS NOT NULL" \
    "  UNION SELECT OLD.user_id, " SCOPE " WHERE OLD.user_id IS NOT NULL; END;"                     \
    "CREATE TRIGGER changes_" T "_del AFTER DELETE ON " T " WHEN OLD.user_id IS NOT NULL BEGIN"     \
    " INSERT INTO changes(user_id, scope) VALUES (OLD.user_id, " SCOPE "); END;"

const char schema_changes_scope[] =
    "ALTER TABLE changes ADD COLUMN scope INTEGER NOT NULL DEFAULT 0;"
    BY_USER_SCOPED("attempts", "1")
    BY_USER_SCOPED("module_visits", "1")
    BY_USER_SCOPED("evidence", "2");

#define BY_USER_SCOPED_PG(T, SCOPE)                                                               \
    "DROP TRIGGER changes_" T "_ins ON " T "; DROP TRIGGER changes_" T "_upd ON " T ";"             \
    "DROP TRIGGER changes_" T "_del ON " T ";"                                                      \
    "CREATE TRIGGER changes_" T "_ins AFTER INSERT ON " T " FOR EACH ROW WHEN (NEW.user_id IS NOT NULL)" \
    " EXECUTE FUNCTION changes_by_user_scoped(" SCOPE ");"                                          \
    "CREATE TRIGGER changes_" T "_upd AFTER UPDATE ON " T " FOR EACH ROW"                           \
    " EXECUTE FUNCTION changes_by_user_scoped(" SCOPE ");"                                          \
    "CREATE TRIGGER changes_" T "_del AFTER DELETE ON " T " FOR EACH ROW WHEN (OLD.user_id IS NOT NULL)" \
    " EXECUTE FUNCTION changes_by_user_scoped(" SCOPE ");"

const char schema_changes_scope_pg[] =
    "ALTER TABLE changes ADD COLUMN scope BIGINT NOT NULL DEFAULT 0;"
    /* changes_by_user with the scope given as the trigger's argument */
    "CREATE FUNCTION changes_by_user_scoped() RETURNS trigger LANGUAGE plpgsql AS $$"
    " DECLARE sc BIGINT := TG_ARGV[0]::bigint;"
    " BEGIN"
    "  IF TG_OP = 'INSERT' THEN INSERT INTO changes(user_id, scope) VALUES (NEW.user_id, sc);"
    "  ELSIF TG_OP = 'DELETE' THEN INSERT INTO changes(user_id, scope) VALUES (OLD.user_id, sc);"
    "  ELSE INSERT INTO changes(user_id, scope) SELECT NEW.user_id, sc WHERE NEW.user_id IS NOT NULL"
    "   UNION SELECT OLD.user_id, sc WHERE OLD.user_id IS NOT NULL;"
    "  END IF;"
    "  RETURN NULL;"
    " END $$;"
    BY_USER_SCOPED_PG("attempts", "1")
    BY_USER_SCOPED_PG("module_visits", "1")
    BY_USER_SCOPED_PG("evidence", "2");

/* Migration 23: each commit that logs a change notifies the channel `passport_changes`
 * (PostgreSQL only: a statement-level trigger; NOTIFY is delivered at commit, once per
 * transaction since the payloads are equal), so that the servers listening on it
 * (store_listen_start) learn of it without asking the database at each request
 * (docs/performance.md). SQLite's PRAGMA data_version needs nothing. */
const char schema_changes_notify[] = "SELECT 1";
const char schema_changes_notify_pg[] =
    "CREATE FUNCTION changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN PERFORM pg_notify('passport_changes', ''); RETURN NULL; END $$;"
    "CREATE TRIGGER changes_notify AFTER INSERT ON changes FOR EACH STATEMENT EXECUTE FUNCTION changes_notify();";
/* Migration 24: the module of a learning change. An attempt or a module visit concerns
 * one module: its triggers log the module's id with the agent, so that the entries showing
 * one module's learning data (the player memo, the module page: changelog_current_modules)
 * are voided by changes of that module alone; the entries showing every module's progress
 * (the catalog, home...) are voided by any of them, as before. */
#define BY_USER_MODULE(T)                                                                         \
    "DROP TRIGGER changes_" T "_ins; DROP TRIGGER changes_" T "_upd; DROP TRIGGER changes_" T "_del;" \
    "CREATE TRIGGER changes_" T "_ins AFTER INSERT ON " T " WHEN NEW.user_id IS NOT NULL BEGIN"     \
    " INSERT INTO changes(user_id, scope, module) VALUES (NEW.user_id, 1, NEW.module_id); END;"      \
    "CREATE TRIGGER changes_" T "_upd AFTER UPDATE ON " T " BEGIN"                                  \
    " INSERT INTO changes(user_id, scope, module) SELECT NEW.user_id, 1, NEW.module_id"              \
    "  WHERE NEW.user_id IS NOT NULL"                                                                \
    "  UNION SELECT OLD.user_id, 1, OLD.module_id WHERE OLD.user_id IS NOT NULL; END;"               \
    "CREATE TRIGGER changes_" T "_del AFTER DELETE ON " T " WHEN OLD.user_id IS NOT NULL BEGIN"     \
    " INSERT INTO changes(user_id, scope, module) VALUES (OLD.user_id, 1, OLD.module_id); END;"

const char schema_changes_module[] =
    "ALTER TABLE changes ADD COLUMN module TEXT;"
    BY_USER_MODULE("attempts")
    BY_USER_MODULE("module_visits");

#define BY_USER_MODULE_PG(T)                                                                      \
    "DROP TRIGGER changes_" T "_ins ON " T "; DROP TRIGGER changes_" T "_upd ON " T ";"             \
    "DROP TRIGGER changes_" T "_del ON " T ";"                                                      \
    "CREATE TRIGGER changes_" T "_ins AFTER INSERT ON " T " FOR EACH ROW WHEN (NEW.user_id IS NOT NULL)" \
    " EXECUTE FUNCTION changes_by_user_module();"                                                   \
    "CREATE TRIGGER changes_" T "_upd AFTER UPDATE ON " T " FOR EACH ROW"                           \
    " EXECUTE FUNCTION changes_by_user_module();"                                                   \
    "CREATE TRIGGER changes_" T "_del AFTER DELETE ON " T " FOR EACH ROW WHEN (OLD.user_id IS NOT NULL)" \
    " EXECUTE FUNCTION changes_by_user_module();"

const char schema_changes_module_pg[] =
    "ALTER TABLE changes ADD COLUMN module TEXT;"
    /* changes_by_user_scoped(1) with the row's module */
    "CREATE FUNCTION changes_by_user_module() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF TG_OP = 'INSERT' THEN INSERT INTO changes(user_id, scope, module) VALUES (NEW.user_id, 1, NEW.module_id);"
    "  ELSIF TG_OP = 'DELETE' THEN INSERT INTO changes(user_id, scope, module) VALUES (OLD.user_id, 1, OLD.module_id);"
    "  ELSE INSERT INTO changes(user_id, scope, module) SELECT NEW.user_id, 1, NEW.module_id WHERE NEW.user_id IS NOT NULL"
    "   UNION SELECT OLD.user_id, 1, OLD.module_id WHERE OLD.user_id IS NOT NULL;"
    "  END IF;"
    "  RETURN NULL;"
    " END $$;"
    BY_USER_MODULE_PG("attempts")
    BY_USER_MODULE_PG("module_visits");
