/* SPDX-License-Identifier: EUPL-1.2 */
/* Talent profiles, visibility and profile views in the store (see profile.h). */
#include "talent/profile.h"

#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "people/audit.h"

json_t *profile_get(store *s, long long user_id, perr *err) {
    store_query *st = store_stmt(s,
                                  "SELECT u.id, u.display_name, coalesce(n.name, ''), coalesce(u.unit_id, 0), u.bio,"
                                  " coalesce(p.interests, ''), coalesce(p.languages, ''), coalesce(p.available, 0),"
                                  " u.visibility, coalesce(p.updated_at, 0)"
                                  " FROM users u LEFT JOIN profiles p ON p.user_id = u.id"
                                  " LEFT JOIN units n ON n.id = u.unit_id WHERE u.id = ? AND u.disabled_at IS NULL",
                                  err);
    if (!st) return NULL;
    store_bind_int64(st, 1, user_id);
    json_t *o = NULL;
    if (store_step(st) == STORE_ROW)
        o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:b, s:s, s:I}", "user_id",
                      (json_int_t)store_col_int64(st, 0), "name", store_col_text(st, 1), "unit",
                      store_col_text(st, 2), "unit_id", (json_int_t)store_col_int64(st, 3), "bio",
                      store_col_text(st, 4), "interests", store_col_text(st, 5), "languages", store_col_text(st, 6),
                      "available", store_col_int(st, 7), "visibility", store_col_text(st, 8), "updated_at",
                      (json_int_t)store_col_int64(st, 9));
    store_done(st);
    return o;
}

talent_visibility profile_visibility(store *s, long long user_id) {
    store_query *st = store_stmt(s, "SELECT visibility FROM users WHERE id = ? AND disabled_at IS NULL", NULL);
    if (!st) return TALENT_HIDDEN;
    store_bind_int64(st, 1, user_id);
    talent_visibility v = TALENT_HIDDEN;
    if (store_step(st) == STORE_ROW) talent_visibility_parse(store_col_text(st, 0), &v);
    store_done(st);
    return v;
}

static bool text_ok(const char *t, size_t max, perr *err) {
    if (!t) return true;
    size_t n = strlen(t);
    if (n > max) return perr_set(err, "talent.profile_too_long");
    if (!text_clean(t, n, true)) return perr_set(err, "talent.bad_text"); /* controls, bidi overrides */
    return true;
}

static bool step_done(store *s, store_query *st, perr *err) {
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

bool profile_save(store *s, long long user_id, const char *bio, const char *interests, const char *languages,
                  bool available, perr *err) {
    if (!text_ok(bio, PROFILE_MAX_BIO, err) || !text_ok(interests, PROFILE_MAX_INTERESTS, err) ||
        !text_ok(languages, PROFILE_MAX_LANGUAGES, err))
        return false;
    store_query *st = store_stmt(s, "UPDATE users SET bio = ?1 WHERE id = ?2 AND bio <> ?1", err);
    if (!st) return false;
    store_bind_text(st, 1, bio ? bio : "");
    store_bind_int64(st, 2, user_id);
    if (!step_done(s, st, err)) return false;
    st = store_stmt(s,
                    "INSERT INTO profiles(user_id, interests, languages, available, updated_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT(user_id) DO UPDATE SET interests = excluded.interests,"
                    " languages = excluded.languages, available = excluded.available, updated_at = excluded.updated_at",
                    err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, interests ? interests : "");
    store_bind_text(st, 3, languages ? languages : "");
    store_bind_int(st, 4, available ? 1 : 0);
    store_bind_int64(st, 5, clock_now());
    return step_done(s, st, err);
}

bool profile_set_visibility(store *s, long long user_id, talent_visibility v, perr *err) {
    talent_visibility old = profile_visibility(s, user_id);
    store_query *st = store_stmt(s, "UPDATE users SET visibility = ? WHERE id = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, talent_visibility_name(v));
    store_bind_int64(st, 2, user_id);
    if (!step_done(s, st, err)) return false;
    char detail[64];
    snprintf(detail, sizeof detail, "%s -> %s", talent_visibility_name(old), talent_visibility_name(v));
    if (!audit_add(s, user_id, "profile.visibility", "user", user_id, detail))
        return perr_set(err, "database error: audit");
    return true;
}

bool profile_log_view(store *s, long long viewer_id, long long user_id, const char *context, long long context_id,
                      const char *reason, perr *err) {
    store_query *st = store_stmt(s,
                                  "INSERT INTO profile_views(user_id, viewer_id, context, context_id, reason, at)"
                                  " VALUES (?, ?, ?, nullif(CAST(? AS BIGINT), 0), ?, ?)",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    store_bind_int64(st, 2, viewer_id);
    store_bind_text(st, 3, context);
    store_bind_int64(st, 4, context_id);
    store_bind_text(st, 5, reason ? reason : "");
    store_bind_int64(st, 6, clock_now());
    if (!step_done(s, st, err)) return false;
    if (!audit_add(s, viewer_id, "profile.view", "user", user_id, context))
        return perr_set(err, "database error: audit");
    return true;
}

bool profile_call_context_ok(store *s, long long viewer_id, long long user_id, long long call_id) {
    store_query *st = store_stmt(s,
                                  "SELECT 1 FROM calls c JOIN applications a ON a.call_id = c.id"
                                  " WHERE c.id = ? AND c.owner_id = ? AND a.user_id = ?",
                                  NULL);
    if (!st) return false;
    store_bind_int64(st, 1, call_id);
    store_bind_int64(st, 2, viewer_id);
    store_bind_int64(st, 3, user_id);
    bool ok = store_step(st) == STORE_ROW;
    store_done(st);
    return ok;
}

json_t *profile_views(store *s, long long user_id, int limit) {
    store_page pg = {.limit = limit > 0 ? (size_t)limit : 0};
    return profile_views_page(s, user_id, &pg);
}

json_t *profile_views_page(store *s, long long user_id, store_page *pg) {
    store_query *st = store_stmt(s,
                                  "SELECT coalesce(u.display_name, ''), coalesce(v.viewer_id, 0), v.at, v.context,"
                                  " coalesce(v.context_id, 0), coalesce(c.title, ''), v.reason, v.id"
                                  " FROM profile_views v LEFT JOIN users u ON u.id = v.viewer_id"
                                  " LEFT JOIN calls c ON v.context = 'call' AND c.id = v.context_id"
                                  " WHERE v.user_id = ?1 AND (?2 = 0 OR v.at < ?3 OR (v.at = ?3 AND v.id < ?4))"
                                  " ORDER BY v.at DESC, v.id DESC LIMIT ?5",
                                  NULL);
    if (!st) return NULL;
    json_t *arr = json_array();
    store_bind_int64(st, 1, user_id);
    store_page_bind(st, 2, pg);
    size_t rows = 0;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (!store_page_row(pg, &rows, store_col_int64(st, 2), store_col_int64(st, 7))) {
            rc = STORE_DONE;
            break;
        }
        char at[21], date[11];
        clock_iso8601(store_col_int64(st, 2), at);
        clock_date(store_col_int64(st, 2), date);
        json_array_append_new(arr, json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:s}", "viewer", store_col_text(st, 0),
                                             "viewer_id", (json_int_t)store_col_int64(st, 1), "at", at, "date",
                                             date, "context", store_col_text(st, 3), "context_id",
                                             (json_int_t)store_col_int64(st, 4), "call", store_col_text(st, 5),
                                             "reason", store_col_text(st, 6)));
    }
    store_done(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}
