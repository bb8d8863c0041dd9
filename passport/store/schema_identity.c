/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 11: e-mail outbox, notification preference, invitation and reset links,
 * identities at an OpenID Connect provider. */
#include "store/schema.h"

const char schema_identity[] =
    /* each: every notice at once; digest: one mail a day; essential: invitation and reset only */
    "ALTER TABLE users ADD COLUMN mail_pref TEXT NOT NULL DEFAULT 'each'"
    "  CHECK (mail_pref IN ('each', 'digest', 'essential'));"
    /* One row per message. held (waits for the recipient's digest) -> digested, or
     * queued -> sending (claimed, lease_until) -> delivering (the SMTP DATA phase began)
     * -> sent; a failure before DATA goes back to queued with next_at later, or to failed
     * after the last attempt; a lease that ran out in delivering is failed, not resent. */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    "  to_addr TEXT NOT NULL,"
    "  locale TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  msg_key TEXT NOT NULL DEFAULT '',"
    "  args_json TEXT NOT NULL DEFAULT '[]',"
    "  link TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL CHECK (state IN ('held', 'queued', 'sending', 'delivering', 'sent', 'failed', 'digested')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  lease_until INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  sent_at INTEGER,"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  digest_id INTEGER"
    ") STRICT;"
    "CREATE INDEX outbox_due ON outbox(state, next_at);"
    "CREATE INDEX outbox_user ON outbox(user_id, state);"
    /* invitation and password reset links: only the SHA-256 of the token is kept */
    "CREATE TABLE account_links ("
    "  token_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  used_at INTEGER"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX account_links_user ON account_links(user_id, purpose);"
    /* the stable subject of an account at an OpenID Connect provider */
    "CREATE TABLE oidc_identities ("
    "  issuer TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (issuer, subject)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX oidc_identities_user ON oidc_identities(user_id);"
    /* a sign-in between the redirect to the provider and its callback (single use) */
    "CREATE TABLE oidc_logins ("
    "  state_hash TEXT PRIMARY KEY,"
    "  nonce TEXT NOT NULL,"
    "  verifier TEXT NOT NULL,"
    "  next TEXT NOT NULL DEFAULT '/',"
    "  expires_at INTEGER NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    /* the ID token of a session opened through the provider, for the logout's id_token_hint */
    "CREATE TABLE oidc_sessions ("
    "  session_hash TEXT PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,"
    "  id_token TEXT NOT NULL"
    ") STRICT, WITHOUT ROWID;";
