/* "Continue where I left off": the next module for the home page. */
#include "learn/learn.h"

#include <string.h>

#include "core/buf.h"

static json_t *row_json(sqlite3_stmt *st, const char *status) {
    buf url = BUF_INIT;
    buf_puts(&url, "/modules/");
    const char *id = store_col_text(st, 0);
    buf_put_urlenc(&url, id, strlen(id));
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "module_id", id, "title", store_col_text(st, 1),
                          "minutes", sqlite3_column_int(st, 2), "course_slug", store_col_text(st, 3), "course_title",
                          store_col_text(st, 4), "url", buf_cstr(&url), "status", status);
    buf_free(&url);
    return o;
}

json_t *learn_continue(store *s, long long user_id) {
    json_t *out = NULL;
    /* 1. the latest module touched (visit or attempt) and not passed */
    sqlite3_stmt *st = store_stmt(
        s,
        "SELECT m.id, m.title, m.minutes, c.slug, c.title FROM module_visits v"
        " JOIN modules m ON m.id = v.module_id AND m.archived_at IS NULL"
        " JOIN courses c ON c.slug = m.course_slug"
        " WHERE v.user_id = ?1 AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.user_id = ?1"
        "   AND a.module_id = m.id AND a.passed = 1)"
        " ORDER BY v.last_at DESC LIMIT 1",
        NULL);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, user_id);
    if (sqlite3_step(st) == SQLITE_ROW) out = row_json(st, "in_progress");
    store_done(st);
    if (out) return out;
    /* 2. the next module of the course of the latest pass */
    st = store_stmt(s,
                    "SELECT m.id, m.title, m.minutes, c.slug, c.title FROM modules m"
                    " JOIN courses c ON c.slug = m.course_slug"
                    " WHERE m.archived_at IS NULL AND m.course_slug = (SELECT m2.course_slug FROM attempts a"
                    "   JOIN modules m2 ON m2.id = a.module_id WHERE a.user_id = ?1 AND a.passed = 1"
                    "   ORDER BY a.finished_at DESC, a.id DESC LIMIT 1)"
                    " AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.user_id = ?1 AND a.module_id = m.id"
                    "   AND a.passed = 1)"
                    " ORDER BY m.position LIMIT 1",
                    NULL);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, user_id);
    if (sqlite3_step(st) == SQLITE_ROW) out = row_json(st, "not_started");
    store_done(st);
    return out;
}
