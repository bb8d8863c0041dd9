/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 9: the adaptive positioning test and re-checks (owned by learn/positioning):
 * one row per test (a full positioning test or a one-competence re-check) with the item
 * presented and not yet answered, the answers given, and the re-checks due. */
#include "store/schema.h"

const char schema_positioning[] =
    "CREATE TABLE positioning_tests ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('positioning', 'recheck')),"
    "  competency TEXT NOT NULL DEFAULT '',"   /* a re-check's competence */
    "  target_level INTEGER NOT NULL DEFAULT 0," /* a re-check's level */
    "  seed INTEGER NOT NULL,"
    "  pending_item TEXT,"                      /* presented, not answered; NULL when none */
    "  pending_lang TEXT NOT NULL DEFAULT 'fr',"
    "  started_at INTEGER NOT NULL,"
    "  finished_at INTEGER,"
    "  result_json TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE INDEX positioning_tests_user ON positioning_tests(user_id, kind, started_at);"
    "CREATE UNIQUE INDEX positioning_tests_open ON positioning_tests(user_id) WHERE finished_at IS NULL;"
    "CREATE TABLE positioning_responses ("
    "  test_id INTEGER NOT NULL REFERENCES positioning_tests(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  item_id TEXT NOT NULL,"
    "  competency TEXT NOT NULL,"
    "  lang TEXT NOT NULL,"
    "  answer_json TEXT NOT NULL,"
    "  correct INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (test_id, position)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX positioning_responses_item ON positioning_responses(item_id);"
    "CREATE TABLE rechecks ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  competency TEXT NOT NULL,"
    "  level INTEGER NOT NULL,"
    "  evidence_at INTEGER NOT NULL," /* the date of the evidence going stale */
    "  stale_at INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  test_id INTEGER,"
    "  done_at INTEGER,"
    "  outcome TEXT NOT NULL DEFAULT '',"
    "  result_level INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (user_id, competency, evidence_at)"
    ") STRICT, WITHOUT ROWID;";
