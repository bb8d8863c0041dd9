/* SPDX-License-Identifier: EUPL-1.2 */
/* oidc_identities, oidc_logins, oidc_sessions; accounts found, linked or made. */
#include "people/sso.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"
#include "people/account.h"
#include "people/audit.h"

static bool step_done(store *s, store_query *st, perr *err) {
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

/* The role set of a provider's list: known names only, agent when none is known. */
static unsigned roles_from(const char *list) {
    unsigned roles = 0;
    char name[32];
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ", ");
        if (n && n < sizeof name) {
            unsigned r = 0;
            snprintf(name, sizeof name, "%.*s", (int)n, p);
            if (account_roles_parse(name, &r, NULL)) roles |= r;
        }
        p += n;
        while (*p == ',' || *p == ' ') p++;
    }
    return roles ? roles : ROLE_AGENT;
}

static bool set_roles(store *s, long long user_id, const char *list, perr *err) {
    if (!list) return true;
    unsigned roles = roles_from(list);
    store_query *st = store_stmt(s, "UPDATE users SET roles = ?2 WHERE id = ?1 AND roles <> ?2", err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    store_bind_int(st, 2, (int)roles);
    if (!step_done(s, st, err)) return false;
    if (store_changes(s)) {
        char detail[64];
        account_roles_format(roles, detail);
        return audit_add(s, 0, "user.roles", "user", user_id, detail) ? true : perr_set(err, "database error");
    }
    return true;
}

static long long linked_user(store *s, const char *issuer, const char *subject, perr *err) {
    store_query *st = store_stmt(s, "SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?", err);
    if (!st) return -1;
    store_bind_text(st, 1, issuer);
    store_bind_text(st, 2, subject);
    long long id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

static bool linked_elsewhere(store *s, const char *issuer, long long user_id) {
    store_query *st = store_stmt(s, "SELECT 1 FROM oidc_identities WHERE issuer = ? AND user_id = ?", NULL);
    if (!st) return true;
    store_bind_text(st, 1, issuer);
    store_bind_int64(st, 2, user_id);
    bool found = store_step(st) == STORE_ROW;
    store_done(st);
    return found;
}

static bool link(store *s, const sso_identity *id, long long user_id, perr *err) {
    store_query *st = store_stmt(s,
        "INSERT INTO oidc_identities(issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)", err);
    if (!st) return false;
    store_bind_text(st, 1, id->issuer);
    store_bind_text(st, 2, id->subject);
    store_bind_int64(st, 3, user_id);
    store_bind_int64(st, 4, clock_now());
    return step_done(s, st, err) && audit_add(s, user_id, "user.sso_link", "user", user_id, id->issuer);
}

/* The steps of sso_sign_in inside its transaction. */
static bool resolve(store *s, const sso_identity *id, const sso_policy *pol, long long *user_id, perr *err) {
    long long uid = linked_user(s, id->issuer, id->subject, err);
    if (uid < 0) return false;
    if (!uid) {
        if (!id->email_verified || !id->email || !account_email_valid(id->email))
            return perr_set(err, "sso.unverified_email");
        account *a = account_by_email(s, id->email, err);
        if (a) {
            uid = a->id;
            account_free(a);
            if (linked_elsewhere(s, id->issuer, uid)) return perr_set(err, "sso.linked_elsewhere");
        } else if (err && err->msg[0]) {
            return false;
        } else if (!pol->create_accounts) {
            return perr_set(err, "sso.no_account");
        } else {
            const char *name = id->display_name && *id->display_name ? id->display_name : id->email;
            unsigned roles = id->roles ? roles_from(id->roles) : ROLE_AGENT;
            if (!account_create(s, id->email, name, pol->unit_id, roles, "fr", NULL, &uid, err)) return false;
            if (!audit_add(s, 0, "user.create", "user", uid, "sso")) return perr_set(err, "database error");
        }
        if (!link(s, id, uid, err)) return false;
    }
    account *a = account_get(s, uid, err);
    bool disabled = !a || a->disabled;
    account_free(a);
    if (disabled) return perr_set(err, "sso.disabled");
    if (!set_roles(s, uid, id->roles, err)) return false;
    *user_id = uid;
    return true;
}

bool sso_sign_in(store *s, const sso_identity *id, const sso_policy *pol, long long *user_id, perr *err) {
    if (!store_begin(s, err)) return false;
    if (!resolve(s, id, pol, user_id, err)) {
        store_rollback(s);
        return false;
    }
    return store_commit(s, err);
}

bool sso_login_save(store *s, const char *state, const char *nonce, const char *verifier, const char *next,
                    perr *err) {
    char hash[65];
    rand_sha256_hex(state, strlen(state), hash);
    int64_t now = clock_now();
    store_query *st = store_stmt(s, "DELETE FROM oidc_logins WHERE expires_at <= ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, now);
    if (!step_done(s, st, err)) return false;
    st = store_stmt(s, "INSERT INTO oidc_logins(state_hash, nonce, verifier, next, expires_at) VALUES (?, ?, ?, ?, ?)",
                    err);
    if (!st) return false;
    store_bind_text(st, 1, hash);
    store_bind_text(st, 2, nonce);
    store_bind_text(st, 3, verifier);
    store_bind_text(st, 4, next && *next ? next : "/");
    store_bind_int64(st, 5, now + SSO_LOGIN_SECONDS);
    return step_done(s, st, err);
}

bool sso_login_take(store *s, const char *state, char nonce[44], char verifier[44], char next[512], perr *err) {
    perr_clear(err);
    if (!state || !*state) return false;
    char hash[65];
    rand_sha256_hex(state, strlen(state), hash);
    store_query *st = store_stmt(s,
        "DELETE FROM oidc_logins WHERE state_hash = ? AND expires_at > ? RETURNING nonce, verifier, next", err);
    if (!st) return false;
    store_bind_text(st, 1, hash);
    store_bind_int64(st, 2, clock_now());
    bool found = false;
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        found = true;
        snprintf(nonce, 44, "%s", store_col_text(st, 0));
        snprintf(verifier, 44, "%s", store_col_text(st, 1));
        snprintf(next, 512, "%s", store_col_text(st, 2));
        rc = store_step(st);
    }
    store_done(st);
    if (rc != STORE_DONE) return perr_set(err, "database error: %s", store_errmsg(s));
    return found;
}

bool sso_session_set(store *s, const char *session_token, const char *id_token, perr *err) {
    char hash[65];
    rand_sha256_hex(session_token, strlen(session_token), hash);
    store_query *st = store_stmt(s, "INSERT INTO oidc_sessions(session_hash, id_token) VALUES (?, ?)"
        " ON CONFLICT (session_hash) DO UPDATE SET id_token = excluded.id_token", err);
    if (!st) return false;
    store_bind_text(st, 1, hash);
    store_bind_text(st, 2, id_token);
    return step_done(s, st, err);
}

char *sso_session_id_token(store *s, const char *session_token) {
    char hash[65];
    rand_sha256_hex(session_token, strlen(session_token), hash);
    store_query *st = store_stmt(s, "SELECT id_token FROM oidc_sessions WHERE session_hash = ?", NULL);
    if (!st) return NULL;
    store_bind_text(st, 1, hash);
    char *t = store_step(st) == STORE_ROW ? xstrdup(store_col_text(st, 0)) : NULL;
    store_done(st);
    return t;
}
