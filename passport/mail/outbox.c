/* SPDX-License-Identifier: EUPL-1.2 */
/* The outbox table's state machine (see outbox.h), preferences, digests and listing. */
#include "mail/outbox.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"

#define DIGEST_HOUR_UTC 6 /* digests leave at 06:00 UTC, one a day */

static const char *const pref_names[] = {"each", "digest", "essential"};

bool outbox_pref_parse(const char *text, outbox_pref *out) {
    for (int i = 0; i < 3; i++)
        if (text && !strcmp(text, pref_names[i])) {
            *out = (outbox_pref)i;
            return true;
        }
    return false;
}

const char *outbox_pref_name(outbox_pref p) {
    return pref_names[p <= OUTBOX_PREF_ESSENTIAL ? p : 0];
}

outbox_pref outbox_pref_get(store *s, long long user_id) {
    outbox_pref p = OUTBOX_PREF_EACH;
    store_query *st = store_stmt(s, "SELECT mail_pref FROM users WHERE id = ?", NULL);
    if (!st) return p;
    store_bind_int64(st, 1, user_id);
    if (store_step(st) == STORE_ROW) outbox_pref_parse(store_col_text(st, 0), &p);
    store_done(st);
    return p;
}

static bool step_done(store *s, store_query *st, perr *err) {
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

bool outbox_pref_set(store *s, long long user_id, outbox_pref p, perr *err) {
    store_query *st = store_stmt(s, "UPDATE users SET mail_pref = ? WHERE id = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, outbox_pref_name(p));
    store_bind_int64(st, 2, user_id);
    return step_done(s, st, err);
}

/* The next DIGEST_HOUR_UTC strictly after now. */
static int64_t next_digest_time(int64_t now) {
    int64_t day = now - now % 86400, t = day + DIGEST_HOUR_UTC * 3600;
    return t > now ? t : t + 86400;
}

/* Inserts a row for user_id copying its address and locale; state "queued" or "held".
 * *id (when not NULL) receives the new row's id, 0 when the account is disabled (no row). */
static bool insert(store *s, long long user_id, const char *kind, const char *msg_key, json_t *args,
                   const char *link, const char *state, int64_t next_at, long long *id, perr *err) {
    char *args_s = args ? json_dumps(args, JSON_COMPACT) : NULL;
    store_query *st = store_stmt(s,
        "INSERT INTO outbox(user_id, to_addr, locale, kind, msg_key, args_json, link, state, next_at, created_at)"
        " SELECT id, email, locale, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM users WHERE id = ?1 AND disabled_at IS NULL"
        " RETURNING id", err);
    if (!st) {
        free(args_s);
        return false;
    }
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, kind);
    store_bind_text(st, 3, msg_key ? msg_key : "");
    store_bind_text(st, 4, args_s ? args_s : "[]");
    store_bind_text(st, 5, link ? link : "");
    store_bind_text(st, 6, state);
    store_bind_int64(st, 7, next_at);
    store_bind_int64(st, 8, clock_now());
    int rc = store_step(st);
    if (id) *id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    free(args_s);
    return rc == STORE_ROW || rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

bool outbox_enqueue(store *s, long long user_id, const char *kind, const char *msg_key, json_t *args,
                    const char *link, perr *err) {
    int64_t now = clock_now();
    switch (outbox_pref_get(s, user_id)) {
    case OUTBOX_PREF_ESSENTIAL: return true;
    case OUTBOX_PREF_DIGEST:
        return insert(s, user_id, kind, msg_key, args, link, "held", next_digest_time(now), NULL, err);
    default: return insert(s, user_id, kind, msg_key, args, link, "queued", now, NULL, err);
    }
}

bool outbox_enqueue_essential(store *s, long long user_id, const char *kind, const char *link, perr *err) {
    return insert(s, user_id, kind, NULL, NULL, link, "queued", clock_now(), NULL, err);
}

void outbox_msg_clear(outbox_msg *m) {
    free(m->to);
    free(m->locale);
    free(m->kind);
    free(m->msg_key);
    free(m->link);
    free(m->name);
    json_decref(m->args);
    memset(m, 0, sizeof *m);
}

bool outbox_claim(store *s, int64_t now, outbox_msg *out, perr *err) {
    memset(out, 0, sizeof *out);
    perr_clear(err);
    store_query *st = store_stmt(s,
        "UPDATE outbox SET state = 'sending', lease_until = ?1 + ?2, attempts = attempts + 1"
        " WHERE id = (SELECT id FROM outbox WHERE state = 'queued' AND next_at <= ?1 ORDER BY next_at, id LIMIT 1)"
        " RETURNING id, coalesce(user_id, 0), to_addr, locale, kind, msg_key, link, args_json, attempts,"
        " coalesce((SELECT display_name FROM users WHERE users.id = outbox.user_id), '')", err);
    if (!st) return false;
    store_bind_int64(st, 1, now);
    store_bind_int(st, 2, OUTBOX_LEASE_SECONDS);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        out->id = store_col_int64(st, 0);
        out->user_id = store_col_int64(st, 1);
        out->to = xstrdup(store_col_text(st, 2));
        out->locale = xstrdup(store_col_text(st, 3));
        out->kind = xstrdup(store_col_text(st, 4));
        out->msg_key = xstrdup(store_col_text(st, 5));
        out->link = xstrdup(store_col_text(st, 6));
        out->args = json_loads(store_col_text(st, 7), 0, NULL);
        if (!out->args) out->args = json_array();
        out->attempts = store_col_int(st, 8);
        out->name = xstrdup(store_col_text(st, 9));
        rc = store_step(st);
    }
    store_done(st);
    if (rc != STORE_DONE) {
        outbox_msg_clear(out);
        return perr_set(err, "database error: %s", store_errmsg(s));
    }
    return out->id != 0;
}

bool outbox_mark_delivering(store *s, long long id, perr *err) {
    store_query *st = store_stmt(s, "UPDATE outbox SET state = 'delivering' WHERE id = ? AND state = 'sending'", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    if (!step_done(s, st, err)) return false;
    return store_changes(s) == 1 ? true : perr_set(err, "outbox.lost_lease");
}

bool outbox_mark_sent(store *s, long long id, int64_t now, perr *err) {
    /* the link of an invitation or reset holds a secret: not kept once it left */
    store_query *st = store_stmt(s,
        "UPDATE outbox SET state = 'sent', sent_at = ?2, lease_until = 0, last_error = '',"
        " link = CASE WHEN kind IN ('invitation', 'reset') THEN '' ELSE link END"
        " WHERE id = ?1 AND state IN ('sending', 'delivering')", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    store_bind_int64(st, 2, now);
    return step_done(s, st, err);
}

int64_t outbox_backoff(int attempts, int base) {
    if (base < 1) base = 1;
    int64_t wait = base;
    for (int i = 1; i < attempts && wait < OUTBOX_BACKOFF_MAX; i++) wait *= 2;
    return wait < OUTBOX_BACKOFF_MAX ? wait : OUTBOX_BACKOFF_MAX;
}

bool outbox_mark_failed(store *s, long long id, int64_t now, bool permanent, bool maybe_delivered, const char *error,
                        int base, perr *err) {
    store_query *st = store_stmt(s, "SELECT attempts FROM outbox WHERE id = ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    int attempts = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 1;
    store_done(st);
    /* failed for good: the secret link of an invitation or reset goes (as once sent) */
    st = store_stmt(s,
        "UPDATE outbox SET lease_until = 0, last_error = substr(?3, 1, 300),"
        " state = CASE WHEN ?4 = 1 OR attempts >= ?5 THEN 'failed' ELSE 'queued' END, next_at = ?2,"
        " link = CASE WHEN (?4 = 1 OR attempts >= ?5) AND kind IN ('invitation', 'reset') THEN '' ELSE link END"
        " WHERE id = ?1 AND state IN ('sending', 'delivering')", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    store_bind_int64(st, 2, now + outbox_backoff(attempts, base));
    store_bind_text(st, 3, error ? error : "");
    store_bind_int(st, 4, permanent || maybe_delivered);
    store_bind_int(st, 5, OUTBOX_MAX_ATTEMPTS);
    return step_done(s, st, err);
}

int outbox_recover(store *s, int64_t now) {
    store_query *st = store_stmt(s,
        "UPDATE outbox SET lease_until = 0,"
        " state = CASE state WHEN 'sending' THEN 'queued' ELSE 'failed' END,"
        " last_error = CASE state WHEN 'sending' THEN last_error"
        "   ELSE 'interrupted during the transfer: may have been delivered, not sent again' END,"
        " link = CASE WHEN state = 'delivering' AND kind IN ('invitation', 'reset') THEN '' ELSE link END"
        " WHERE state IN ('sending', 'delivering') AND lease_until <= ?", NULL);
    if (!st) return -1;
    store_bind_int64(st, 1, now);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? store_changes(s) : -1;
}

/* Folds the held rows of one account into a new digest row. */
static bool fold_one(store *s, long long user_id, int64_t now, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT kind, msg_key, args_json, link FROM outbox WHERE user_id = ? AND state = 'held' ORDER BY id", err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    json_t *items = json_array();
    while (store_step(st) == STORE_ROW) {
        json_t *args = json_loads(store_col_text(st, 2), 0, NULL);
        json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:s}", "kind", store_col_text(st, 0), "key",
                                               store_col_text(st, 1), "args", args ? args : json_array(), "link",
                                               store_col_text(st, 3)));
    }
    store_done(st);
    if (!json_array_size(items)) { /* another server folded them since they were listed */
        json_decref(items);
        return true;
    }
    long long digest_id = 0;
    bool ok = insert(s, user_id, "digest", NULL, items, NULL, "queued", now, &digest_id, err);
    json_decref(items);
    if (!ok) return false;
    st = store_stmt(s, "UPDATE outbox SET state = 'digested', digest_id = ? WHERE user_id = ? AND state = 'held'", err);
    if (!st) return false;
    store_bind_int64(st, 1, digest_id);
    store_bind_int64(st, 2, user_id);
    return step_done(s, st, err);
}

int outbox_fold_digests(store *s, int64_t now, perr *err) {
    store_query *st = store_stmt(s, "SELECT DISTINCT user_id FROM outbox WHERE state = 'held' AND next_at <= ? LIMIT 100",
                                  err);
    if (!st) return -1;
    store_bind_int64(st, 1, now);
    long long users[100];
    int n = 0;
    while (n < 100 && store_step(st) == STORE_ROW) users[n++] = store_col_int64(st, 0);
    store_done(st);
    if (!n) return 0;
    if (!store_begin(s, err)) return -1;
    for (int i = 0; i < n; i++)
        if (!fold_one(s, users[i], now, err)) {
            store_rollback(s);
            return -1;
        }
    return store_commit(s, err) ? n : -1;
}

bool outbox_retry(store *s, long long id, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT 1 FROM outbox WHERE id = ? AND state = 'failed' AND kind IN ('invitation', 'reset') AND link = ''", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    int rc = store_step(st);
    store_done(st);
    if (rc == STORE_ROW) return perr_set(err, "outbox.link_gone");
    if (rc != STORE_DONE) return perr_set(err, "database error: %s", store_errmsg(s));
    st = store_stmt(s,
        "UPDATE outbox SET state = 'queued', next_at = ?2, attempts = 0, last_error = ''"
        " WHERE id = ?1 AND state = 'failed'", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    store_bind_int64(st, 2, clock_now());
    if (!step_done(s, st, err)) return false;
    return store_changes(s) == 1 ? true : perr_set(err, "outbox.not_failed");
}

static const char *iso_or_empty(store_query *st, int i, char out[21]) {
    if (store_col_type(st, i) == STORE_NULL || store_col_int64(st, i) == 0) return "";
    clock_iso8601(store_col_int64(st, i), out);
    return out;
}

json_t *outbox_list(store *s, const char *state, int limit) {
    json_t *arr = json_array();
    store_query *st = store_stmt(s,
        "SELECT id, to_addr, kind, state, attempts, created_at, next_at, sent_at, last_error FROM outbox"
        " WHERE CAST(?1 AS TEXT) IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2", NULL);
    if (!st) return arr;
    store_bind_text(st, 1, state);
    store_bind_int(st, 2, limit);
    while (store_step(st) == STORE_ROW) {
        char c[21], nx[21], sn[21];
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "id",
                                             (json_int_t)store_col_int64(st, 0), "to", store_col_text(st, 1),
                                             "kind", store_col_text(st, 2), "state", store_col_text(st, 3),
                                             "attempts", store_col_int(st, 4), "created_at",
                                             iso_or_empty(st, 5, c), "next_at", iso_or_empty(st, 6, nx),
                                             "sent_at", iso_or_empty(st, 7, sn), "error", store_col_text(st, 8)));
    }
    store_done(st);
    return arr;
}

json_t *outbox_counts(store *s) {
    static const char *const states[] = {"held", "queued", "sending", "delivering", "sent", "failed", "digested"};
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) json_object_set_new(o, states[i], json_integer(0));
    store_query *st = store_stmt(s, "SELECT state, count(*) FROM outbox GROUP BY state", NULL);
    if (!st) return o;
    while (store_step(st) == STORE_ROW)
        json_object_set_new(o, store_col_text(st, 0), json_integer(store_col_int64(st, 1)));
    store_done(st);
    return o;
}
