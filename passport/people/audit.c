/* SPDX-License-Identifier: EUPL-1.2 */
/* Audit rows in the audit table. */
#include "people/audit.h"

#include "core/clock.h"

bool audit_add(store *s, long long actor_id, const char *action, const char *target_type,
               long long target_id, const char *detail) {
    store_query *st = store_stmt(s,
        "INSERT INTO audit(at, actor_id, action, target_type, target_id, detail)"
        " VALUES (?, nullif(CAST(? AS BIGINT), 0), ?, ?, nullif(CAST(? AS BIGINT), 0), ?)", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, clock_now());
    store_bind_int64(st, 2, actor_id);
    store_bind_text(st, 3, action);
    store_bind_text(st, 4, target_type ? target_type : "");
    store_bind_int64(st, 5, target_id);
    store_bind_text(st, 6, detail ? detail : "");
    bool ok = store_step(st) == STORE_DONE;
    store_done(st);
    return ok;
}

json_t *audit_recent(store *s, const char *action, int limit) {
    store_query *st = store_stmt(s,
        "SELECT a.at, coalesce(u.display_name, ''), a.action, a.target_type, coalesce(a.target_id, 0), a.detail"
        " FROM audit a LEFT JOIN users u ON u.id = a.actor_id"
        " WHERE CAST(?1 AS TEXT) IS NULL OR a.action = ?1 ORDER BY a.id DESC LIMIT ?2", NULL);
    json_t *arr = json_array();
    if (!st) return arr;
    store_bind_text(st, 1, action);
    store_bind_int(st, 2, limit);
    while (store_step(st) == STORE_ROW) {
        char when[21];
        clock_iso8601(store_col_int64(st, 0), when);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "at", when, "actor",
                                             store_col_text(st, 1), "action", store_col_text(st, 2),
                                             "target_type", store_col_text(st, 3), "target_id",
                                             (json_int_t)store_col_int64(st, 4), "detail",
                                             store_col_text(st, 5)));
    }
    store_done(st);
    return arr;
}
