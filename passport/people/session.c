/* SPDX-License-Identifier: EUPL-1.2 */
/* Sessions in the sessions table, keyed by the SHA-256 of the cookie token. */
#include "people/session.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/rand.h"

bool session_create(store *s, long long user_id, const char *ip, const char *user_agent,
                    char token[65], session *out, perr *err) {
    char hash[65];
    rand_hex(token, 32);
    rand_sha256_hex(token, 64, hash);
    rand_hex(out->csrf, 32);
    int64_t now = clock_now();
    out->user_id = user_id;
    out->expires_at = now + SESSION_MAX_SECONDS;
    store_query *st = store_stmt(s,
        "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, seen_at, expires_at, ip, user_agent)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, substr(?, 1, 300))", err);
    if (!st) return false;
    store_bind_text(st, 1, hash);
    store_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, out->csrf);
    store_bind_int64(st, 4, now);
    store_bind_int64(st, 5, now);
    store_bind_int64(st, 6, out->expires_at);
    store_bind_text(st, 7, ip ? ip : "");
    store_bind_text(st, 8, user_agent ? user_agent : "");
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "cannot create session");
}

static bool token_shape_ok(const char *token) {
    if (!token || strlen(token) != 64) return false;
    for (const char *p = token; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

bool session_lookup(store *s, const char *token, session *out) {
    if (!token_shape_ok(token)) return false;
    char hash[65];
    rand_sha256_hex(token, 64, hash);
    store_query *st = store_stmt(s,
        "SELECT s.user_id, s.csrf_token, s.seen_at, s.expires_at FROM sessions s"
        " JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL WHERE s.token_hash = ?", NULL);
    if (!st) return false;
    store_bind_text(st, 1, hash);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        return false;
    }
    out->user_id = store_col_int64(st, 0);
    snprintf(out->csrf, sizeof out->csrf, "%s", store_col_text(st, 1));
    int64_t seen = store_col_int64(st, 2);
    out->expires_at = store_col_int64(st, 3);
    store_done(st);
    int64_t now = clock_now();
    if (now > out->expires_at || now > seen + SESSION_IDLE_SECONDS) {
        session_delete(s, token);
        return false;
    }
    if (now - seen >= 60) {
        st = store_stmt(s, "UPDATE sessions SET seen_at = ? WHERE token_hash = ?", NULL);
        if (st) {
            store_bind_int64(st, 1, now);
            store_bind_text(st, 2, hash);
            store_step(st);
            store_done(st);
        }
    }
    return true;
}

void session_delete(store *s, const char *token) {
    if (!token_shape_ok(token)) return;
    char hash[65];
    rand_sha256_hex(token, 64, hash);
    store_query *st = store_stmt(s, "DELETE FROM sessions WHERE token_hash = ?", NULL);
    if (!st) return;
    store_bind_text(st, 1, hash);
    store_step(st);
    store_done(st);
}

int session_purge(store *s) {
    store_query *st = store_stmt(s, "DELETE FROM sessions WHERE expires_at < ?1 OR seen_at < ?1 - ?2", NULL);
    if (!st) return 0;
    store_bind_int64(st, 1, clock_now());
    store_bind_int64(st, 2, SESSION_IDLE_SECONDS);
    store_step(st);
    store_done(st);
    return store_changes(s);
}
