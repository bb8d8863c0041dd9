/* SPDX-License-Identifier: EUPL-1.2 */
/* Invitation and reset links in account_links, and the e-mails that carry them. */
#include "people/account_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/rand.h"
#include "mail/outbox.h"
#include "people/account.h"

static const char *purpose_name(account_link_purpose p) {
    return p == ACCOUNT_LINK_INVITE ? "invite" : "reset";
}

static bool step_done(store *s, store_query *st, perr *err) {
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

bool account_link_create(store *s, long long user_id, account_link_purpose purpose, char path[96], perr *err) {
    int64_t now = clock_now();
    store_query *st = store_stmt(s,
        "UPDATE account_links SET used_at = ?3 WHERE user_id = ?1 AND purpose = ?2 AND used_at IS NULL", err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, purpose_name(purpose));
    store_bind_int64(st, 3, now);
    if (!step_done(s, st, err)) return false;
    char token[ACCOUNT_LINK_TOKEN_LEN + 1], hash[65];
    rand_hex(token, ACCOUNT_LINK_TOKEN_LEN / 2);
    rand_sha256_hex(token, ACCOUNT_LINK_TOKEN_LEN, hash);
    st = store_stmt(s,
        "INSERT INTO account_links(token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)", err);
    if (!st) return false;
    store_bind_text(st, 1, hash);
    store_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, purpose_name(purpose));
    store_bind_int64(st, 4, now);
    store_bind_int64(st, 5, now + (purpose == ACCOUNT_LINK_INVITE ? ACCOUNT_LINK_INVITE_SECONDS
                                                                     : ACCOUNT_LINK_RESET_SECONDS));
    if (!step_done(s, st, err)) return false;
    snprintf(path, 96, "%s?t=%s", ACCOUNT_LINK_PATH, token);
    return true;
}

/* The hash of a well-formed token into hash; false for anything else. */
static bool token_hash(const char *token, char hash[65]) {
    if (!token || strlen(token) != ACCOUNT_LINK_TOKEN_LEN) return false;
    for (const char *p = token; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    rand_sha256_hex(token, ACCOUNT_LINK_TOKEN_LEN, hash);
    return true;
}

long long account_link_peek(store *s, const char *token, perr *err) {
    char hash[65];
    perr_clear(err);
    if (!token_hash(token, hash)) return 0;
    store_query *st = store_stmt(s,
        "SELECT l.user_id FROM account_links l JOIN users u ON u.id = l.user_id AND u.disabled_at IS NULL"
        " WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ?", err);
    if (!st) return 0;
    store_bind_text(st, 1, hash);
    store_bind_int64(st, 2, clock_now());
    long long id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

long long account_link_use(store *s, const char *token, account_link_purpose *purpose, perr *err) {
    char hash[65];
    perr_clear(err);
    if (!token_hash(token, hash)) return 0;
    int64_t now = clock_now();
    store_query *st = store_stmt(s,
        "UPDATE account_links SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2"
        " AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL) RETURNING user_id, purpose", err);
    if (!st) return 0;
    store_bind_text(st, 1, hash);
    store_bind_int64(st, 2, now);
    long long id = 0;
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        id = store_col_int64(st, 0);
        if (purpose) *purpose = strcmp(store_col_text(st, 1), "invite") ? ACCOUNT_LINK_RESET : ACCOUNT_LINK_INVITE;
        rc = store_step(st);
    }
    store_done(st);
    if (rc != STORE_DONE) {
        perr_set(err, "database error: %s", store_errmsg(s));
        return 0;
    }
    return id;
}

bool account_links_void(store *s, long long user_id, perr *err) {
    store_query *st = store_stmt(s, "UPDATE account_links SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL", err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    store_bind_int64(st, 2, clock_now());
    return step_done(s, st, err);
}

bool account_invite(store *s, long long user_id, perr *err) {
    char path[96];
    return account_link_create(s, user_id, ACCOUNT_LINK_INVITE, path, err) &&
           outbox_enqueue_essential(s, user_id, "invitation", path, err);
}

bool account_reset_request(store *s, const char *email, perr *err) {
    /* normalised as account emails are, so that export and erasure find it by the account's */
    char norm[255];
    store_query *st = store_stmt(s, "INSERT INTO reset_requests(email, created_at) VALUES (?, ?)", err);
    if (!st) return false;
    store_bind_text(st, 1, account_email_normalize(email, norm) ? norm : email);
    store_bind_int64(st, 2, clock_now());
    return step_done(s, st, err);
}

/* A reset link and e-mail for the account of email when it exists, is not disabled and
 * was not served already in this batch (done, *ndone). In the caller's transaction. */
static bool reset_one(store *s, const char *email, long long *done, size_t *ndone, int *queued, perr *err) {
    account *u = account_by_email(s, email, err);
    if (!u) return !err || !err->msg[0];
    bool ok = true, seen = u->disabled;
    for (size_t i = 0; i < *ndone && !seen; i++) seen = done[i] == u->id;
    if (!seen) {
        char path[96];
        ok = account_link_create(s, u->id, ACCOUNT_LINK_RESET, path, err) &&
             outbox_enqueue_essential(s, u->id, "reset", path, err);
        done[(*ndone)++] = u->id;
        if (ok) (*queued)++;
    }
    account_free(u);
    return ok;
}

#define RESET_BATCH 100

int account_reset_resolve(store *s, int64_t now, perr *err) {
    /* a look first: the worker's pass must not take the write lock for nothing */
    store_query *st = store_stmt(s, "SELECT 1 FROM reset_requests LIMIT 1", err);
    if (!st) return -1;
    int rc = store_step(st);
    store_done(st);
    if (rc == STORE_DONE) return 0;
    if (rc != STORE_ROW) {
        perr_set(err, "database error: %s", store_errmsg(s));
        return -1;
    }
    if (!store_begin(s, err)) return -1;
    char *emails[RESET_BATCH];
    long long done[RESET_BATCH];
    size_t n = 0, ndone = 0;
    int queued = 0;
    st = store_stmt(s,
        "DELETE FROM reset_requests WHERE id IN (SELECT id FROM reset_requests ORDER BY id LIMIT 100)"
        " RETURNING email, created_at", err);
    bool ok = st != NULL;
    while (ok && (rc = store_step(st)) == STORE_ROW)
        if (n < RESET_BATCH && store_col_int64(st, 1) > now - ACCOUNT_LINK_RESET_SECONDS)
            emails[n++] = xstrdup(store_col_text(st, 0));
    if (st) {
        store_done(st);
        if (rc != STORE_DONE) ok = perr_set(err, "database error: %s", store_errmsg(s));
    }
    for (size_t i = 0; ok && i < n; i++) ok = reset_one(s, emails[i], done, &ndone, &queued, err);
    for (size_t i = 0; i < n; i++) free(emails[i]);
    if (ok) ok = store_commit(s, err);
    else store_rollback(s);
    return ok ? queued : -1;
}
