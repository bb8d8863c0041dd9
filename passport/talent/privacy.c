/* SPDX-License-Identifier: EUPL-1.2 */
/* Export and erasure of one person's data (see privacy.h and docs/privacy.md). */
#include "talent/privacy.h"

#include <string.h>

#include "badges/badges.h"
#include "core/buf.h"
#include "core/clock.h"
#include "people/account.h"
#include "people/audit.h"
#include "people/inbox.h"
#include "people/throttle.h"
#include "talent/profile.h"

/* Every row of st (user id bound as ?1) as objects named by columns; NULL with err set
 * when the statement could not be prepared or a step fails: a broken query is an error,
 * never an empty list. */
static json_t *rows_json(store *s, store_query *st, long long user_id, perr *err) {
    if (!st) return NULL;
    json_t *arr = json_array();
    store_bind_int64(st, 1, user_id);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < store_col_count(st); i++) {
            const char *name = store_col_name(st, i);
            switch (store_col_type(st, i)) {
            case STORE_INTEGER: json_object_set_new(o, name, json_integer(store_col_int64(st, i))); break;
            case STORE_FLOAT: json_object_set_new(o, name, json_real(store_col_double(st, i))); break;
            case STORE_NULL: json_object_set_new(o, name, json_null()); break;
            default: json_object_set_new(o, name, json_string(store_col_text(st, i))); break;
            }
        }
        json_array_append_new(arr, o);
    }
    if (rc != STORE_DONE) {
        perr_set(err, "database error: %s", store_errmsg(s));
        json_decref(arr);
        arr = NULL;
    }
    store_done(st);
    return arr;
}

/* One part of the export: its member, the query (user id as ?1), and the columns that
 * reference users.id it covers ("table.column", space-separated) so that a column the
 * export does not know yet is found (privacy_user_columns). */
typedef struct export_part {
    const char *key;
    const char *covers;
    const char *sql;
} export_part;

static const export_part parts[] = {
    {"sessions", "sessions.user_id",
     "SELECT created_at, seen_at, expires_at, ip, user_agent FROM sessions WHERE user_id = ?1 ORDER BY created_at"},
    {"api_tokens", "api_tokens.user_id",
     "SELECT id, name, hint, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ?1 ORDER BY id"},
    {"evidence", "evidence.user_id",
     "SELECT e.id, c.code, e.level, e.kind, e.source_ref, e.author_id, e.comment, e.created_at FROM evidence e"
     " JOIN competencies c ON c.id = e.competency_id WHERE e.user_id = ?1 ORDER BY e.id"},
    {"attestations_made", "evidence.author_id",
     "SELECT e.id, e.user_id, c.code, e.level, e.comment, e.created_at FROM evidence e"
     " JOIN competencies c ON c.id = e.competency_id WHERE e.author_id = ?1 AND e.user_id <> ?1 ORDER BY e.id"},
    {"attempts", "attempts.user_id",
     "SELECT id, module_id, module_version, answers_json, score, passed, started_at, finished_at FROM attempts"
     " WHERE user_id = ?1 ORDER BY id"},
    {"module_visits", "module_visits.user_id",
     "SELECT module_id, first_at, last_at FROM module_visits WHERE user_id = ?1 ORDER BY module_id"},
    {"positioning_tests", "positioning_tests.user_id",
     "SELECT id, kind, competency, target_level, started_at, finished_at, result_json FROM positioning_tests"
     " WHERE user_id = ?1 ORDER BY id"},
    {"positioning_answers", "",
     "SELECT r.test_id, r.position, r.item_id, r.competency, r.lang, r.answer_json, r.correct, r.at"
     " FROM positioning_responses r JOIN positioning_tests t ON t.id = r.test_id WHERE t.user_id = ?1"
     " ORDER BY r.test_id, r.position"},
    {"rechecks", "rechecks.user_id",
     "SELECT competency, level, evidence_at, stale_at, created_at, done_at, outcome, result_level FROM rechecks"
     " WHERE user_id = ?1 ORDER BY created_at"},
    {"quiz_forms", "quiz_nonces.user_id",
     "SELECT module_id, created_at FROM quiz_nonces WHERE user_id = ?1 ORDER BY created_at"},
    {"assignments", "assignment_members.user_id",
     "SELECT a.id, p.title AS path, a.assigned_by, a.due_on, a.message, a.created_at, m.added_at"
     " FROM assignment_members m JOIN assignments a ON a.id = m.assignment_id JOIN paths p ON p.id = a.path_id"
     " WHERE m.user_id = ?1 ORDER BY a.id"},
    {"assignments_made", "assignments.assigned_by",
     "SELECT id, path_id, unit_id, due_on, message, created_at FROM assignments WHERE assigned_by = ?1 ORDER BY id"},
    {"paths_owned", "paths.owner_id",
     "SELECT id, title, created_at, updated_at FROM paths WHERE owner_id = ?1 ORDER BY id"},
    {"calls_owned", "calls.owner_id",
     "SELECT id, title, state, created_at, updated_at FROM calls WHERE owner_id = ?1 ORDER BY id"},
    {"applications", "applications.user_id",
     "SELECT a.call_id, c.title, a.motivation, a.state, a.created_at, a.updated_at FROM applications a"
     " JOIN calls c ON c.id = a.call_id WHERE a.user_id = ?1 ORDER BY a.created_at"},
    {"call_prospects", "call_prospects.user_id",
     "SELECT p.call_id, c.title, p.shortlisted, p.invited_at, p.created_at FROM call_prospects p"
     " JOIN calls c ON c.id = p.call_id WHERE p.user_id = ?1 ORDER BY p.created_at"},
    {"views_made", "profile_views.viewer_id",
     "SELECT user_id, context, context_id, reason, at FROM profile_views WHERE viewer_id = ?1 ORDER BY id"},
    {"credentials_awarded", "credentials.awarded_by",
     "SELECT id, user_id, achievement_id, issued_at FROM credentials WHERE awarded_by = ?1 AND"
     " coalesce(user_id, 0) <> ?1 ORDER BY id"},
    {"share_links", "",
     "SELECT l.credential_id, l.created_at, l.revoked_at FROM share_links l JOIN credentials c"
     " ON c.id = l.credential_id WHERE c.user_id = ?1 ORDER BY l.created_at"},
    /* the mail queued or sent to them; the link of an invitation or reset holds its token */
    {"mail", "outbox.user_id",
     "SELECT id, kind, msg_key, args_json, to_addr, locale, state, attempts, created_at, sent_at, last_error,"
     " CASE WHEN kind IN ('invitation', 'reset') THEN '' ELSE link END AS link FROM outbox WHERE user_id = ?1"
     " ORDER BY id"},
    /* invitation and reset links: metadata only, never the token hash */
    {"account_links", "account_links.user_id",
     "SELECT purpose, created_at, expires_at, used_at FROM account_links WHERE user_id = ?1 ORDER BY created_at"},
    /* "mot de passe oublié" requests typed with their address, not yet taken by the mail
     * worker (keyed by the address: no user id to find them by) */
    {"reset_requests", "",
     "SELECT email, created_at FROM reset_requests WHERE lower(email) = lower((SELECT email FROM users WHERE id = ?1))"
     " ORDER BY id"},
    {"oidc_identities", "oidc_identities.user_id",
     "SELECT issuer, subject, created_at FROM oidc_identities WHERE user_id = ?1 ORDER BY created_at"},
    {"audit", "",
     "SELECT at, actor_id, action, target_type, target_id, detail FROM audit"
     " WHERE actor_id = ?1 OR (target_type = 'user' AND target_id = ?1) ORDER BY id"},
};

/* Columns covered by the members filled outside parts[] (account, profile, badges,
 * profile_views of me, inbox). */
static const char *const covered_elsewhere = "profiles.user_id profile_views.user_id credentials.user_id inbox.user_id";

static bool covers(const char *list, const char *column) {
    size_t n = strlen(column);
    for (const char *p = strstr(list, column); p; p = strstr(p + 1, column))
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return true;
    return false;
}

bool privacy_column_exported(const char *column) {
    if (covers(covered_elsewhere, column)) return true;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (covers(parts[i].covers, column)) return true;
    return false;
}

json_t *privacy_user_columns(store *s, perr *err) {
    /* ?1 (bound by rows_json) is unused: `?1 = ?1` lets it be bound */
    return rows_json(s,
                     store_stmt2(s,
                                 "SELECT m.name AS tbl, f.\"from\" AS col, f.on_delete FROM sqlite_master m,"
                                 " pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f.\"table\" = 'users'"
                                 " AND ?1 = ?1 ORDER BY m.name, f.\"from\"",
                                 /* the rule named as SQLite's pragma names it */
                                 "SELECT CAST(c.conrelid::regclass AS text) AS tbl, CAST(a.attname AS text) AS col,"
                                 " CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'"
                                 " WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END"
                                 " AS on_delete FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid"
                                 " AND a.attnum = ANY (c.conkey) WHERE c.contype = 'f'"
                                 " AND c.confrelid = CAST('users' AS regclass)"
                                 " AND CAST(?1 AS BIGINT) = CAST(?1 AS BIGINT)"
                                 " ORDER BY CAST(c.conrelid::regclass AS text) COLLATE \"C\", a.attname COLLATE \"C\"",
                                 err),
                     0, err);
}

/* Rows of the columns referencing users that no part knows yet, as {"table.column":
 * [rows]} (a table added by another area is exported whole until it gets its part). */
static json_t *other_tables(store *s, long long user_id, perr *err) {
    json_t *cols = privacy_user_columns(s, err);
    if (!cols) return NULL;
    json_t *out = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        const char *t = json_string_value(json_object_get(c, "tbl")), *col = json_string_value(json_object_get(c, "col"));
        buf name = BUF_INIT, sql = BUF_INIT;
        buf_printf(&name, "%s.%s", t, col);
        if (!privacy_column_exported(buf_cstr(&name))) {
            buf_printf(&sql, "SELECT * FROM \"%s\" WHERE \"%s\" = ?1", t, col);
            /* not a literal: outside the statement cache, which is keyed by the text's address */
            store_query *st = store_prepare(s, buf_cstr(&sql), err);
            json_t *rows = rows_json(s, st, user_id, err);
            store_finalize(st);
            if (!rows) {
                json_decref(out);
                out = NULL;
            } else {
                json_object_set_new(out, buf_cstr(&name), rows);
            }
        }
        buf_free(&name);
        buf_free(&sql);
        if (!out) break;
    }
    json_decref(cols);
    return out;
}

static json_t *account_json(const account *a) {
    char created[21], roles[32];
    clock_iso8601(a->created_at, created);
    account_roles_format(a->roles, roles);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "id", (json_int_t)a->id, "email", a->email, "name",
                     a->display_name, "unit", a->unit_name ? a->unit_name : "", "locale", a->locale, "roles", roles,
                     "created_at", created, "disabled", a->disabled, "has_password", a->password_hash != NULL);
}

/* Their notification preference (users.mail_pref) as a new string; NULL with err set. */
static json_t *mail_pref_json(store *s, long long user_id, perr *err) {
    store_query *st = store_stmt(s, "SELECT mail_pref FROM users WHERE id = ?", err);
    if (!st) return NULL;
    store_bind_int64(st, 1, user_id);
    json_t *v = store_step(st) == STORE_ROW ? json_string(store_col_text(st, 0)) : NULL;
    store_done(st);
    if (!v) perr_set(err, "database error: mail_pref");
    return v;
}

/* The failed-login count kept for email: [{failures, last_at}] or [] (the key is hashed). */
static json_t *throttle_rows(store *s, const char *email, perr *err) {
    char key[65];
    throttle_email_key(email, key);
    store_query *st = store_stmt(s, "SELECT failures, last_at FROM login_throttle WHERE key = ?", err);
    if (!st) return NULL;
    store_bind_text(st, 1, key);
    json_t *arr = json_array();
    int rc = store_step(st);
    if (rc == STORE_ROW)
        json_array_append_new(arr, json_pack("{s:i, s:I}", "failures", store_col_int(st, 0), "last_at",
                                             (json_int_t)store_col_int64(st, 1)));
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE) {
        json_decref(arr);
        perr_set(err, "database error: login_throttle");
        return NULL;
    }
    return arr;
}

json_t *privacy_export(store *s, const struct badges_ctx *badges, long long user_id, perr *err) {
    account *a = account_get(s, user_id, err);
    if (!a) return NULL;
    char now[21];
    clock_iso8601(clock_now(), now);
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string("passport-export/2"));
    json_object_set_new(o, "exported_at", json_string(now));
    json_t *acc = account_json(a);
    json_object_set_new(o, "account", acc);
    json_t *pref = mail_pref_json(s, user_id, err);
    if (!pref) {
        account_free(a);
        goto fail;
    }
    json_object_set_new(acc, "mail_pref", pref);
    json_t *throttle = throttle_rows(s, a->email, err);
    account_free(a);
    if (!throttle) goto fail;
    json_object_set_new(o, "login_failures", throttle);
    json_t *p = profile_get(s, user_id, NULL);
    json_object_set_new(o, "profile", p ? p : json_null());
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *rows = rows_json(s, store_stmt(s, parts[i].sql, err), user_id, err);
        if (!rows) goto fail;
        json_object_set_new(o, parts[i].key, rows);
    }
    json_t *views = profile_views(s, user_id, 1000000);
    if (!views) {
        perr_set(err, "database error: profile views");
        goto fail;
    }
    json_object_set_new(o, "profile_views", views);
    json_object_set_new(o, "badges", badges_export_user(s, user_id));
    json_t *clr = badges ? badges_clr(s, badges, user_id, NULL) : NULL;
    json_object_set_new(o, "clr", clr ? clr : json_null());
    json_object_set_new(o, "inbox", inbox_list(s, user_id, false, 1000000));
    json_t *other = other_tables(s, user_id, err);
    if (!other) goto fail;
    json_object_set_new(o, "other_tables", other);
    return o;
fail:
    json_decref(o);
    return NULL;
}

/* Runs one erasure statement: the user id as ?1 and, where the statement has it, the
 * time as ?2. dynamic: sql is not a literal (a statement outside the cache). */
static bool run(store *s, const char *sql, bool dynamic, long long user_id, int64_t now, perr *err) {
    store_query *st = dynamic ? store_prepare(s, sql, err) : store_stmt(s, sql, err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    if (strstr(sql, "?2")) store_bind_int64(st, 2, now);
    int rc = store_step(st);
    store_done(st);
    if (dynamic) store_finalize(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

/* Runs a statement whose text differs between the engines, reading any rows it returns. */
static bool exec2(store *s, const char *sqlite_sql, const char *pg_sql, perr *err) {
    store_query *st = store_stmt2(s, sqlite_sql, pg_sql, err);
    if (!st) return false;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {}
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

/* What erasure does, in order (user id as ?1). The account row is anonymised last but
 * one: the login failures are keyed by its email. */
static const char *const erase_steps[] = {
    "DELETE FROM share_links WHERE credential_id IN (SELECT id FROM credentials WHERE user_id = ?1)",
    "UPDATE credentials SET user_id = NULL, narrative = '', reason = '', json = '{}' WHERE user_id = ?1",
    "UPDATE credentials SET awarded_by = NULL WHERE awarded_by = ?1",
    "DELETE FROM applications WHERE user_id = ?1",
    "DELETE FROM call_prospects WHERE user_id = ?1",
    "DELETE FROM profiles WHERE user_id = ?1",
    "DELETE FROM profile_views WHERE user_id = ?1",
    "UPDATE profile_views SET viewer_id = NULL, reason = '' WHERE viewer_id = ?1",
    "DELETE FROM evidence WHERE user_id = ?1",
    "UPDATE evidence SET author_id = NULL WHERE author_id = ?1",
    "DELETE FROM attempts WHERE user_id = ?1",
    "DELETE FROM positioning_tests WHERE user_id = ?1",
    "DELETE FROM rechecks WHERE user_id = ?1",
    "DELETE FROM module_visits WHERE user_id = ?1",
    "DELETE FROM quiz_nonces WHERE user_id = ?1",
    "DELETE FROM assignment_members WHERE user_id = ?1",
    "UPDATE assignments SET assigned_by = NULL WHERE assigned_by = ?1",
    "UPDATE paths SET owner_id = NULL WHERE owner_id = ?1",
    "UPDATE calls SET owner_id = NULL WHERE owner_id = ?1",
    "DELETE FROM inbox WHERE user_id = ?1",
    "DELETE FROM outbox WHERE user_id = ?1 OR lower(to_addr) = lower((SELECT email FROM users WHERE id = ?1))",
    "DELETE FROM account_links WHERE user_id = ?1",
    "DELETE FROM reset_requests WHERE lower(email) = lower((SELECT email FROM users WHERE id = ?1))",
    "DELETE FROM oidc_identities WHERE user_id = ?1",
    "DELETE FROM oidc_sessions WHERE session_hash IN (SELECT token_hash FROM sessions WHERE user_id = ?1)",
    "DELETE FROM sessions WHERE user_id = ?1",
    "DELETE FROM api_tokens WHERE user_id = ?1",
    "DELETE FROM login_failures WHERE key = 'e:' || lower((SELECT email FROM users WHERE id = ?1))",
    "UPDATE users SET email = 'erased-' || id || '@invalid', display_name = '', password_hash = NULL, bio = '',"
    " visibility = 'hidden', unit_id = NULL, mail_pref = 'each', disabled_at = coalesce(disabled_at, ?2) WHERE id = ?1",
    "DELETE FROM talent_text WHERE rowid = ?1",
    "UPDATE audit SET detail = '' WHERE detail <> '' AND ((target_type = 'user' AND target_id = ?1) OR actor_id = ?1)",
};

/* Columns referencing users that erase_steps do not handle (another area's new table):
 * rows are deleted when the key cascades, the column set to NULL when it is SET NULL;
 * any other rule is an error (erasure refuses rather than leaves data behind). */
static bool erase_other_tables(store *s, long long user_id, int64_t now, perr *err) {
    json_t *cols = privacy_user_columns(s, err);
    if (!cols) return false;
    bool ok = true;
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        const char *t = json_string_value(json_object_get(c, "tbl")), *col = json_string_value(json_object_get(c, "col"));
        const char *rule = json_string_value(json_object_get(c, "on_delete"));
        buf name = BUF_INIT, sql = BUF_INIT;
        buf_printf(&name, "%s.%s", t, col);
        if (!privacy_column_exported(buf_cstr(&name))) {
            if (!strcmp(rule, "CASCADE")) buf_printf(&sql, "DELETE FROM \"%s\" WHERE \"%s\" = ?1", t, col);
            else if (!strcmp(rule, "SET NULL")) buf_printf(&sql, "UPDATE \"%s\" SET \"%s\" = NULL WHERE \"%s\" = ?1", t, col, col);
            else ok = perr_set(err, "privacy: %s references users without a rule erasure can follow", buf_cstr(&name));
            if (ok) ok = run(s, buf_cstr(&sql), true, user_id, now, err);
        }
        buf_free(&name);
        buf_free(&sql);
        if (!ok) break;
    }
    json_decref(cols);
    return ok;
}

bool privacy_erase(store *s, const struct badges_ctx *badges, long long user_id, long long actor_id, perr *err) {
    store_query *st = store_stmt(s, "SELECT 1 FROM users WHERE id = ? AND email NOT LIKE 'erased-%@invalid'", err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    bool found = store_step(st) == STORE_ROW;
    store_done(st);
    if (!found) return perr_set(err, "privacy.not_found");
    if (!badges) return perr_set(err, "privacy.badges_unavailable");
    if (!badges_revoke_all_for_user(s, badges, user_id, "account erased", err)) return false;
    account *a = account_get(s, user_id, err);
    if (!a) return err && err->msg[0] ? false : perr_set(err, "privacy.not_found");
    char key[65], reset_key[65];
    throttle_email_key(a->email, key);
    throttle_kind_key(THROTTLE_RESET_ACCOUNT, a->email, reset_key);
    account_free(a);
    st = store_stmt(s, "DELETE FROM login_throttle WHERE key IN (?, ?)", err);
    if (!st) return false;
    store_bind_text(st, 1, key);
    store_bind_text(st, 2, reset_key);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return perr_set(err, "database error: %s", store_errmsg(s));
    int64_t now = clock_now();
    if (!erase_other_tables(s, user_id, now, err)) return false;
    for (size_t i = 0; i < sizeof erase_steps / sizeof erase_steps[0]; i++)
        if (!run(s, erase_steps[i], false, user_id, now, err)) return false;
    /* SQLite's free-text index keeps old terms in its segments until they are merged:
     * rebuild it from its content so that no page holds the erased words. PostgreSQL's is
     * a table row, replaced: nothing to do here, privacy_checkpoint vacuums the dead
     * versions (docs/privacy.md) */
    if (!exec2(s, "INSERT INTO talent_text(talent_text) VALUES ('rebuild')", "SELECT 1", err)) return false;
    if (!audit_add(s, actor_id, "privacy.erase", "user", user_id, "")) return perr_set(err, "database error: audit");
    return true;
}

bool privacy_checkpoint(store *s, perr *err) {
    return exec2(s, "PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", err);
}
