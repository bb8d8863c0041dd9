/* SPDX-License-Identifier: EUPL-1.2 */
/* Personal API tokens in the api_tokens table, keyed by the SHA-256 of the token. */
#include "people/apitoken.h"

#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"
#include "core/text.h"
#include "core/utf8.h"

#define HINT_LEN 8 /* "ppt_" and four hex digits */

static bool shape_ok(const char *token) {
    size_t n = strlen(APITOKEN_PREFIX);
    if (!token || strlen(token) != APITOKEN_LEN || strncmp(token, APITOKEN_PREFIX, n)) return false;
    for (const char *p = token + n; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

static long long count_active(store *s, long long user_id) {
    store_query *st = store_stmt(s, "SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL", NULL);
    if (!st) return -1;
    store_bind_int64(st, 1, user_id);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return n;
}

bool apitoken_create(store *s, long long user_id, const char *name, char token[APITOKEN_LEN + 1], long long *id,
                     perr *err) {
    const char *b = name ? name : "";
    while (*b == ' ' || *b == '\t') b++;
    size_t len = strlen(b);
    while (len && (b[len - 1] == ' ' || b[len - 1] == '\t')) len--;
    size_t bad;
    if (!len || len > APITOKEN_NAME_MAX || !utf8_check(b, len, &bad) || !text_clean(b, len, false))
        return perr_set(err, "apitoken.bad_name"); /* one line, no control or bidi character */
    long long n = count_active(s, user_id);
    if (n < 0) return perr_set(err, "database error: %s", store_errmsg(s));
    if (n >= APITOKEN_MAX_PER_USER) return perr_set(err, "apitoken.too_many");
    char hash[65];
    memcpy(token, APITOKEN_PREFIX, strlen(APITOKEN_PREFIX));
    rand_hex(token + strlen(APITOKEN_PREFIX), 32);
    rand_sha256_hex(token, APITOKEN_LEN, hash);
    store_query *st = store_stmt(s,
                                  "INSERT INTO api_tokens (user_id, name, token_hash, hint, created_at)"
                                  " VALUES (?, ?, ?, ?, ?) RETURNING id",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    store_bind_textn(st, 2, b, len);
    store_bind_text(st, 3, hash);
    store_bind_textn(st, 4, token, (size_t)(HINT_LEN));
    store_bind_int64(st, 5, clock_now());
    bool ok = store_step(st) == STORE_ROW;
    if (ok && id) *id = store_col_int64(st, 0);
    store_done(st);
    return ok ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

json_t *apitoken_list(store *s, long long user_id) {
    store_query *st = store_stmt(s,
                                  "SELECT id, name, hint, created_at, coalesce(last_used_at, 0) FROM api_tokens"
                                  " WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC",
                                  NULL);
    if (!st) return NULL;
    store_bind_int64(st, 1, user_id);
    json_t *out = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:I, s:I}", "id", (json_int_t)store_col_int64(st, 0),
                                             "name", store_col_text(st, 1), "hint", store_col_text(st, 2),
                                             "created_at", (json_int_t)store_col_int64(st, 3), "last_used_at",
                                             (json_int_t)store_col_int64(st, 4)));
    store_done(st);
    return out;
}

/* Sets revoked_at on the working tokens of user_id (all when id is 0); the count in *n. */
static bool revoke(store *s, long long user_id, long long id, int *n, perr *err) {
    store_query *st = store_stmt(s,
                                  "UPDATE api_tokens SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL"
                                  " AND (CAST(?3 AS BIGINT) = 0 OR id = ?3)",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, clock_now());
    store_bind_int64(st, 2, user_id);
    store_bind_int64(st, 3, id);
    bool ok = store_step(st) == STORE_DONE;
    store_done(st);
    if (!ok) return perr_set(err, "database error: %s", store_errmsg(s));
    *n = store_changes(s);
    return true;
}

bool apitoken_revoke(store *s, long long user_id, long long id, perr *err) {
    int n = 0;
    if (id <= 0) return perr_set(err, "apitoken.not_found");
    if (!revoke(s, user_id, id, &n, err)) return false;
    return n ? true : perr_set(err, "apitoken.not_found");
}

bool apitoken_revoke_all(store *s, long long user_id, perr *err) {
    int n = 0;
    return revoke(s, user_id, 0, &n, err);
}

bool apitoken_lookup(store *s, const char *token, long long *user_id) {
    if (!shape_ok(token)) return false;
    char hash[65];
    rand_sha256_hex(token, APITOKEN_LEN, hash);
    store_query *st = store_stmt(s,
                                  "SELECT t.id, t.user_id, coalesce(t.last_used_at, 0) FROM api_tokens t"
                                  " JOIN users u ON u.id = t.user_id AND u.disabled_at IS NULL"
                                  " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                                  NULL);
    if (!st) return false;
    store_bind_text(st, 1, hash);
    bool found = store_step(st) == STORE_ROW;
    long long id = found ? store_col_int64(st, 0) : 0;
    int64_t used = found ? store_col_int64(st, 2) : 0;
    if (found) *user_id = store_col_int64(st, 1);
    store_done(st);
    int64_t now = clock_now();
    if (found && now - used >= 60 && (st = store_stmt(s, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", NULL))) {
        store_bind_int64(st, 1, now);
        store_bind_int64(st, 2, id);
        store_step(st); /* a missed record of use is harmless */
        store_done(st);
    }
    return found;
}
