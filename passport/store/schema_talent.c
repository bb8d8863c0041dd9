/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 5: talent profiles, profile views, intrapreneur calls, the free-text index of
 * profiles and the change log that keeps the in-memory talent index current (owned by
 * the talent area). Visibility and bio live in users (migration 1). */
#include "store/schema.h"

/* The migration is one statement list longer than the 4095 bytes C99 promises; GCC and
 * Clang take it. */
#pragma GCC diagnostic ignored "-Woverlength-strings"

/* The text row of one user in talent_text: bio, interests and the titles of the modules
 * they passed (rowid = users.id). Used by the triggers below. */
#define TALENT_TEXT_REFRESH(ID)                                                                  \
    "DELETE FROM talent_text WHERE rowid = " ID ";"                                              \
    "INSERT INTO talent_text(rowid, bio, interests, modules)"                                    \
    " SELECT u.id, u.bio, coalesce(p.interests, ''),"                                            \
    "  coalesce((SELECT group_concat(t, ' ') FROM (SELECT DISTINCT m.title AS t FROM attempts a" \
    "   JOIN modules m ON m.id = a.module_id WHERE a.user_id = u.id AND a.passed)), '')"        \
    " FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = " ID ";"

const char schema_talent[] =
    "CREATE TABLE profiles ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    "  interests TEXT NOT NULL DEFAULT '',"
    "  languages TEXT NOT NULL DEFAULT '',"
    "  available INTEGER NOT NULL DEFAULT 0 CHECK (available IN (0, 1)),"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE profile_views ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  viewer_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  context TEXT NOT NULL CHECK (context IN ('search', 'call', 'direct')),"
    "  context_id INTEGER,"
    "  at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX profile_views_user ON profile_views(user_id, at);"
    "CREATE INDEX profile_views_viewer ON profile_views(viewer_id) WHERE viewer_id IS NOT NULL;"
    "CREATE TABLE calls ("
    "  id INTEGER PRIMARY KEY,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  opens_on INTEGER NOT NULL,"
    "  closes_on INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed', 'archived')),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX calls_state ON calls(state, closes_on);"
    "CREATE INDEX calls_owner ON calls(owner_id);"
    "CREATE TABLE call_needs ("
    "  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,"
    "  competency_id INTEGER NOT NULL REFERENCES competencies(id) ON DELETE RESTRICT,"
    "  min_level INTEGER NOT NULL CHECK (min_level BETWEEN 1 AND 8),"
    "  weight INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 5),"
    "  PRIMARY KEY (call_id, competency_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE applications ("
    "  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  motivation TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'applied'"
    "   CHECK (state IN ('applied', 'withdrawn', 'shortlisted', 'declined', 'contacted')),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (call_id, user_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX applications_user ON applications(user_id);"
    /* free text over profiles: accents and case folded */
    "CREATE VIRTUAL TABLE talent_text USING fts5("
    "  bio, interests, modules, tokenize='unicode61 remove_diacritics 2');"
    /* users whose indexed data changed since seq (user_id 0: rebuild everything) */
    "CREATE TABLE talent_changes ("
    "  seq INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TRIGGER talent_changes_prune AFTER INSERT ON talent_changes BEGIN "
    "  DELETE FROM talent_changes WHERE seq <= NEW.seq - 50000; END;"
    "CREATE TRIGGER talent_ev_ins AFTER INSERT ON evidence BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (NEW.user_id); END;"
    "CREATE TRIGGER talent_ev_del AFTER DELETE ON evidence BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (OLD.user_id); END;"
    "CREATE TRIGGER talent_ev_upd AFTER UPDATE ON evidence BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (NEW.user_id); END;"
    "CREATE TRIGGER talent_user_ins AFTER INSERT ON users BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (NEW.id);" TALENT_TEXT_REFRESH("NEW.id") " END;"
    "CREATE TRIGGER talent_user_upd AFTER UPDATE OF unit_id, visibility, disabled_at, roles ON users"
    " BEGIN INSERT INTO talent_changes(user_id) VALUES (NEW.id); END;"
    "CREATE TRIGGER talent_user_bio AFTER UPDATE OF bio ON users BEGIN "
    TALENT_TEXT_REFRESH("NEW.id") " END;"
    "CREATE TRIGGER talent_user_del AFTER DELETE ON users BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (OLD.id);"
    "  DELETE FROM talent_text WHERE rowid = OLD.id; END;"
    "CREATE TRIGGER talent_profile_ins AFTER INSERT ON profiles BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (NEW.user_id);" TALENT_TEXT_REFRESH("NEW.user_id") " END;"
    "CREATE TRIGGER talent_profile_upd AFTER UPDATE ON profiles BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (NEW.user_id);" TALENT_TEXT_REFRESH("NEW.user_id") " END;"
    "CREATE TRIGGER talent_profile_del AFTER DELETE ON profiles BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (OLD.user_id);" TALENT_TEXT_REFRESH("OLD.user_id") " END;"
    "CREATE TRIGGER talent_attempt_ins AFTER INSERT ON attempts WHEN NEW.passed BEGIN "
    TALENT_TEXT_REFRESH("NEW.user_id") " END;"
    "CREATE TRIGGER talent_attempt_del AFTER DELETE ON attempts WHEN OLD.passed BEGIN "
    TALENT_TEXT_REFRESH("OLD.user_id") " END;"
    "CREATE TRIGGER talent_units_ins AFTER INSERT ON units BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (0); END;"
    "CREATE TRIGGER talent_units_upd AFTER UPDATE ON units BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (0); END;"
    "CREATE TRIGGER talent_comp_ins AFTER INSERT ON competencies BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (0); END;"
    "CREATE TRIGGER talent_map_ins AFTER INSERT ON competency_map BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (0); END;"
    "CREATE TRIGGER talent_map_del AFTER DELETE ON competency_map BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (0); END;";

/* Migration 15: the prospects of a call, shortlisted or invited before they apply
 * (talent/prospects.c); the talent index told about deleted units. */
const char schema_talent_prospects[] =
    "CREATE TABLE call_prospects ("
    "  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  shortlisted INTEGER NOT NULL DEFAULT 0 CHECK (shortlisted IN (0, 1)),"
    "  invited_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (call_id, user_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX call_prospects_user ON call_prospects(user_id);"
    /* a deleted (empty) unit leaves the heatmap's rows */
    "CREATE TRIGGER talent_units_del AFTER DELETE ON units BEGIN "
    "  INSERT INTO talent_changes(user_id) VALUES (0); END;";
