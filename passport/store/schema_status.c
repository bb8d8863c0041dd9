/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 10: who owns each revocation list. A list is signed by the issuer DID of every
 * credential pointing at it and published at the URL those credentials name, whatever the
 * server's keys or public URL became since (docs/badges.md, "Rotation and moves"). Lists
 * of an older database get the issuer and URL of their first credential. Also: whether a
 * share page shows its holder's name (chosen at share time, off for older links). */
#include "store/schema.h"

const char schema_status[] =
    "CREATE TABLE status_list_owners ("
    "  list_id INTEGER PRIMARY KEY,"
    "  issuer TEXT NOT NULL,"
    "  url TEXT NOT NULL UNIQUE,"
    "  purpose TEXT NOT NULL DEFAULT 'revocation',"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX status_list_owners_issuer ON status_list_owners(issuer, list_id);"
    /* a bare column beside min() comes from the row holding the minimum */
    "INSERT INTO status_list_owners (list_id, issuer, url, created_at)"
    "  SELECT list_id,"
    "    coalesce(json_extract(json, '$.issuer.id'), json_extract(json, '$.issuer'), ''),"
    "    coalesce(json_extract(json, '$.credentialStatus.statusListCredential'), '#list-' || list_id),"
    "    min(issued_at)"
    "  FROM credentials GROUP BY list_id;"
    "ALTER TABLE share_links ADD COLUMN show_name INTEGER NOT NULL DEFAULT 0;";

/* The issuer and URL of an older list come from its first credential (DISTINCT ON where
 * SQLite takes the bare columns of the min() row). list_id is given: a plain key. */
const char schema_status_pg[] =
    "CREATE TABLE status_list_owners ("
    "  list_id BIGINT PRIMARY KEY,"
    "  issuer TEXT NOT NULL,"
    "  url TEXT NOT NULL UNIQUE,"
    "  purpose TEXT NOT NULL DEFAULT 'revocation',"
    "  created_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX status_list_owners_issuer ON status_list_owners(issuer, list_id);"
    "INSERT INTO status_list_owners (list_id, issuer, url, created_at)"
    "  SELECT DISTINCT ON (list_id) list_id,"
    "    coalesce(json::jsonb #>> '{issuer,id}', json::jsonb ->> 'issuer', ''),"
    "    coalesce(json::jsonb #>> '{credentialStatus,statusListCredential}', '#list-' || list_id),"
    "    issued_at"
    "  FROM credentials ORDER BY list_id, issued_at;"
    "ALTER TABLE share_links ADD COLUMN show_name BIGINT NOT NULL DEFAULT 0;";
