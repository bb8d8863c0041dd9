/* Export and erasure of one agent's data (see privacy.h). */
#include "talent/privacy.h"

#include <string.h>

#include "badges/badges.h"
#include "core/clock.h"
#include "people/account.h"
#include "people/audit.h"
#include "people/inbox.h"
#include "talent/calls.h"
#include "talent/profile.h"

/* Every row of a prepared statement (user id bound as ?1) as objects named by columns. */
static json_t *rows_json(sqlite3_stmt *st, long long user_id) {
    json_t *arr = json_array();
    if (!st) return arr;
    sqlite3_bind_int64(st, 1, user_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *name = sqlite3_column_name(st, i);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER: json_object_set_new(o, name, json_integer(sqlite3_column_int64(st, i))); break;
            case SQLITE_FLOAT: json_object_set_new(o, name, json_real(sqlite3_column_double(st, i))); break;
            case SQLITE_NULL: json_object_set_new(o, name, json_null()); break;
            default: json_object_set_new(o, name, json_string(store_col_text(st, i))); break;
            }
        }
        json_array_append_new(arr, o);
    }
    store_done(st);
    return arr;
}

json_t *privacy_export(store *s, long long user_id, perr *err) {
    account *a = account_get(s, user_id, err);
    if (!a) return NULL;
    char now[21], created[21];
    clock_iso8601(clock_now(), now);
    clock_iso8601(a->created_at, created);
    char roles[32];
    account_roles_format(a->roles, roles);
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string("passport-export/1"));
    json_object_set_new(o, "exported_at", json_string(now));
    json_object_set_new(o, "account",
                        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)a->id, "email", a->email,
                                  "name", a->display_name, "unit", a->unit_name ? a->unit_name : "", "locale", a->locale,
                                  "roles", roles, "created_at", created, "disabled", a->disabled));
    account_free(a);
    json_t *p = profile_get(s, user_id, NULL);
    json_object_set_new(o, "profile", p ? p : json_null());
    json_object_set_new(o, "evidence",
                        rows_json(store_stmt(s,
                                             "SELECT e.id, c.code, e.level, e.kind, e.source_ref, e.author_id, e.comment,"
                                             " e.created_at FROM evidence e JOIN competencies c ON c.id = e.competency_id"
                                             " WHERE e.user_id = ?1 ORDER BY e.id",
                                             NULL),
                                  user_id));
    json_object_set_new(o, "attempts",
                        rows_json(store_stmt(s,
                                             "SELECT id, module_id, module_version, answers_json, score, passed,"
                                             " started_at, finished_at FROM attempts WHERE user_id = ?1 ORDER BY id",
                                             NULL),
                                  user_id));
    json_object_set_new(o, "module_visits",
                        rows_json(store_stmt(s,
                                             "SELECT module_id, first_at, last_at FROM module_visits WHERE user_id = ?1"
                                             " ORDER BY module_id",
                                             NULL),
                                  user_id));
    json_object_set_new(o, "positioning_tests",
                        rows_json(store_stmt(s,
                                             "SELECT id, kind, competency, target_level, started_at, finished_at, result_json"
                                             " FROM positioning_tests WHERE user_id = ?1 ORDER BY id",
                                             NULL),
                                  user_id));
    json_object_set_new(o, "positioning_answers",
                        rows_json(store_stmt(s,
                                             "SELECT r.test_id, r.position, r.item_id, r.competency, r.lang, r.answer_json,"
                                             " r.correct, r.at FROM positioning_responses r JOIN positioning_tests t"
                                             " ON t.id = r.test_id WHERE t.user_id = ?1 ORDER BY r.test_id, r.position",
                                             NULL),
                                  user_id));
    json_object_set_new(o, "rechecks",
                        rows_json(store_stmt(s,
                                             "SELECT competency, level, evidence_at, stale_at, created_at, done_at, outcome,"
                                             " result_level FROM rechecks WHERE user_id = ?1 ORDER BY created_at",
                                             NULL),
                                  user_id));
    json_object_set_new(o, "badges", badges_export_user(s, user_id));
    json_object_set_new(o, "applications",
                        rows_json(store_stmt(s,
                                             "SELECT a.call_id, c.title, a.motivation, a.state, a.created_at, a.updated_at"
                                             " FROM applications a JOIN calls c ON c.id = a.call_id WHERE a.user_id = ?1"
                                             " ORDER BY a.created_at",
                                             NULL),
                                  user_id));
    json_object_set_new(o, "profile_views", profile_views(s, user_id, 100000));
    json_object_set_new(o, "views_made",
                        rows_json(store_stmt(s,
                                             "SELECT user_id, context, context_id, at FROM profile_views"
                                             " WHERE viewer_id = ?1 ORDER BY id",
                                             NULL),
                                  user_id));
    json_object_set_new(o, "inbox", inbox_list(s, user_id, false, 100000));
    json_object_set_new(o, "audit",
                        rows_json(store_stmt(s,
                                             "SELECT at, actor_id, action, target_type, target_id, detail FROM audit"
                                             " WHERE actor_id = ?1 OR (target_type = 'user' AND target_id = ?1)"
                                             " ORDER BY id",
                                             NULL),
                                  user_id));
    return o;
}

static bool run(store *s, sqlite3_stmt *st, long long user_id, perr *err) {
    if (!st) return perr_set(err, "database error: %s", sqlite3_errmsg(store_db(s)));
    sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st);
    store_done(st);
    return rc == SQLITE_DONE ? true : perr_set(err, "database error: %s", sqlite3_errmsg(store_db(s)));
}

bool privacy_erase(store *s, const struct badges_ctx *badges, long long user_id, long long actor_id, perr *err) {
    sqlite3_stmt *st = store_stmt(s, "SELECT 1 FROM users WHERE id = ? AND email NOT LIKE 'erased-%@invalid'", err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, user_id);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    store_done(st);
    if (!found) return perr_set(err, "privacy.not_found");
    if (!badges) return perr_set(err, "privacy.badges_unavailable");
    if (!badges_revoke_all_for_user(s, badges, user_id, "account erased", err)) return false;
    bool ok = run(s, store_stmt(s,
                                "UPDATE applications SET state = 'withdrawn', motivation = '', updated_at = unixepoch()"
                                " WHERE user_id = ?1",
                                err),
                  user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM profiles WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM profile_views WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "UPDATE profile_views SET viewer_id = NULL WHERE viewer_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM evidence WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "UPDATE evidence SET author_id = NULL WHERE author_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM attempts WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM positioning_tests WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM rechecks WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM module_visits WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM quiz_nonces WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM inbox WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM sessions WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s, "DELETE FROM api_tokens WHERE user_id = ?1", err), user_id, err) &&
              run(s, store_stmt(s,
                                "DELETE FROM login_failures WHERE key = 'e:' || lower((SELECT email FROM users"
                                " WHERE id = ?1))",
                                err),
                  user_id, err) &&
              run(s, store_stmt(s,
                                "UPDATE users SET email = 'erased-' || id || '@invalid', display_name = '',"
                                " password_hash = NULL, bio = '', visibility = 'hidden', unit_id = NULL,"
                                " disabled_at = coalesce(disabled_at, unixepoch()) WHERE id = ?1",
                                err),
                  user_id, err) &&
              run(s, store_stmt(s,
                                "UPDATE audit SET detail = '' WHERE detail <> '' AND ((target_type = 'user'"
                                " AND target_id = ?1) OR actor_id = ?1)",
                                err),
                  user_id, err);
    if (!ok) return false;
    if (!audit_add(s, actor_id, "privacy.erase", "user", user_id, "")) return perr_set(err, "database error: audit");
    return true;
}
