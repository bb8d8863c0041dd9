/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 17: what several servers on one database share (store/cluster.h): leases that
 * let one server alone run a periodic task, the facts every server must match (the course
 * library's hash, the fingerprint of the data folder's secrets) and what each server last
 * said it serves. No cached page reads them: no change trigger. */
#include "store/schema.h"

const char schema_cluster[] =
    "CREATE TABLE leases ("
    "  name TEXT PRIMARY KEY,"
    "  holder TEXT NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE shared_facts ("
    "  name TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  set_by TEXT NOT NULL,"
    "  set_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE server_facts ("
    "  server TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  seen_at INTEGER NOT NULL,"
    "  PRIMARY KEY (server, name)"
    ") STRICT;";

const char schema_cluster_pg[] =
    "CREATE TABLE leases ("
    "  name TEXT PRIMARY KEY,"
    "  holder TEXT NOT NULL,"
    "  expires_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE shared_facts ("
    "  name TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  set_by TEXT NOT NULL,"
    "  set_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE server_facts ("
    "  server TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  seen_at BIGINT NOT NULL,"
    "  PRIMARY KEY (server, name)"
    ");";
