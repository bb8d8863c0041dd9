/* SPDX-License-Identifier: EUPL-1.2 */
/* Inbox rows in the inbox table. */
#include "people/inbox.h"

#include <stdlib.h>

#include "core/clock.h"
#include "mail/outbox.h"

bool inbox_post(store *s, long long user_id, const char *kind, const char *msg_key, json_t *args,
                const char *link, const char *dedup, perr *err) {
    char *args_s = args ? json_dumps(args, JSON_COMPACT) : NULL;
    store_query *st = store_stmt(s,
        "INSERT INTO inbox(user_id, kind, msg_key, args_json, link, dedup, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", err);
    if (!st) {
        free(args_s);
        return false;
    }
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, kind);
    store_bind_text(st, 3, msg_key);
    store_bind_text(st, 4, args_s ? args_s : "[]");
    store_bind_text(st, 5, link ? link : "");
    store_bind_text(st, 6, dedup);
    store_bind_int64(st, 7, clock_now());
    int rc = store_step(st);
    store_done(st);
    free(args_s);
    if (rc != STORE_DONE) return perr_set(err, "database error: %s", store_errmsg(s));
    /* the same notice by e-mail, as the user chose; a repeated (dedup) post sends nothing */
    return store_changes(s) == 1 ? outbox_enqueue(s, user_id, kind, msg_key, args, link, err) : true;
}

json_t *inbox_list(store *s, long long user_id, bool unread_only, int limit) {
    store_page pg = {.limit = limit > 0 ? (size_t)limit : 0};
    return inbox_list_page(s, user_id, unread_only, &pg);
}

json_t *inbox_list_page(store *s, long long user_id, bool unread_only, store_page *pg) {
    json_t *arr = json_array();
    store_query *st = store_stmt(s,
        "SELECT id, kind, msg_key, args_json, link, created_at, CASE WHEN read_at IS NULL THEN 0 ELSE 1 END FROM inbox"
        " WHERE user_id = ?1 AND (?2 = 0 OR read_at IS NULL)"
        " AND (?3 = 0 OR created_at < ?4 OR (created_at = ?4 AND id < ?5))"
        " ORDER BY created_at DESC, id DESC LIMIT ?6", NULL);
    if (!st) return arr;
    store_bind_int64(st, 1, user_id);
    store_bind_int(st, 2, unread_only);
    store_page_bind(st, 3, pg);
    size_t rows = 0;
    while (store_step(st) == STORE_ROW) {
        if (!store_page_row(pg, &rows, store_col_int64(st, 5), store_col_int64(st, 0))) break;
        char at[21];
        clock_iso8601(store_col_int64(st, 5), at);
        json_t *args = json_loads(store_col_text(st, 3), 0, NULL);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:b}", "id",
                                             (json_int_t)store_col_int64(st, 0), "kind", store_col_text(st, 1),
                                             "key", store_col_text(st, 2), "args", args ? args : json_array(),
                                             "link", store_col_text(st, 4), "at", at, "read",
                                             store_col_int(st, 6)));
    }
    store_done(st);
    return arr;
}

int inbox_unread_count(store *s, long long user_id) {
    store_query *st = store_stmt(s, "SELECT count(*) FROM inbox WHERE user_id = ? AND read_at IS NULL", NULL);
    if (!st) return 0;
    store_bind_int64(st, 1, user_id);
    int n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return n;
}

bool inbox_mark_read(store *s, long long user_id, long long id, perr *err) {
    store_query *st = store_stmt(s,
        "UPDATE inbox SET read_at = ? WHERE user_id = ? AND (CAST(? AS BIGINT) = 0 OR id = ?) AND read_at IS NULL", err);
    if (!st) return false;
    store_bind_int64(st, 1, clock_now());
    store_bind_int64(st, 2, user_id);
    store_bind_int64(st, 3, id);
    store_bind_int64(st, 4, id);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error");
}
