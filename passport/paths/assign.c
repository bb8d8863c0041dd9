/* SPDX-License-Identifier: EUPL-1.2 */
/* Assignments in the store: creation with scope checks, members (explicit, unit subtree,
 * later joiners) and the inbox notices (new, due in 7 days, overdue). */
#include "paths/assign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/utf8.h"
#include "people/audit.h"
#include "people/inbox.h"
#include "people/unit.h"

#define LINK_MINE "/me/assignments"

static bool db_fail(store *s, perr *err) {
    return perr_set(err, "database error: %s", store_errmsg(s));
}

bool assign_unit_in_scope(store *s, const account *viewer, long long unit_id) {
    if (!viewer) return false;
    if (viewer->roles & (ROLE_HR | ROLE_ADMIN)) return true;
    if (!(viewer->roles & ROLE_MANAGER) || viewer->unit_id <= 0 || unit_id <= 0) return false;
    return unit_in_subtree(s, viewer->unit_id, unit_id);
}

/* Checks one user: an active agent within by's scope. Unknown, not an active agent and
 * out of scope get the same answer, so that an id tells nothing about an account the
 * requester may not see (docs/privacy.md, "existence"). */
static paths_status check_user(store *s, const account *by, long long user_id, perr *err) {
    store_query *st = store_stmt(s, "SELECT coalesce(unit_id, 0), roles, CASE WHEN disabled_at IS NULL THEN 1 ELSE 0 END FROM users WHERE id = ?", err);
    if (!st) return PATHS_ERROR;
    store_bind_int64(st, 1, user_id);
    bool found = store_step(st) == STORE_ROW;
    long long unit = found ? store_col_int64(st, 0) : 0;
    bool agent = found && (store_col_int(st, 1) & ROLE_AGENT) && store_col_int(st, 2);
    store_done(st);
    if (!agent || (!(by->roles & (ROLE_HR | ROLE_ADMIN)) && !assign_unit_in_scope(s, by, unit))) {
        perr_set(err, "paths.error.user");
        return PATHS_INVALID;
    }
    return PATHS_OK;
}

/* Validates due_on against now into *due_at (the last second of that UTC day). */
static bool parse_due(const char *due_on, int64_t now, int64_t *due_at, perr *err) {
    int64_t day;
    if (!due_on || strlen(due_on) != 10 || !clock_parse_date(due_on, &day)) return perr_set(err, "paths.error.due");
    *due_at = day + 86399;
    if (*due_at < now || day > now + 5LL * 366 * 86400) return perr_set(err, "paths.error.due");
    return true;
}

static bool add_member(store *s, long long aid, long long user_id, int64_t now, int notified, perr *err) {
    store_query *st = store_stmt(s,
        "INSERT INTO assignment_members(assignment_id, user_id, added_at, notified) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING", err);
    if (!st) return false;
    store_bind_int64(st, 1, aid);
    store_bind_int64(st, 2, user_id);
    store_bind_int64(st, 3, now);
    store_bind_int(st, 4, notified);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : db_fail(s, err);
}

/* Adds the active agents of unit_id's subtree as members of aid (already there: kept).
 * *added receives the number of new members. */
static bool add_subtree(store *s, long long aid, long long unit_id, int64_t now, int notified, int *added,
                        perr *err) {
    store_query *st = store_stmt(s,
        "WITH RECURSIVE sub(id) AS (SELECT CAST(?1 AS BIGINT) UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        " INSERT INTO assignment_members(assignment_id, user_id, added_at, notified)"
        " SELECT ?2, us.id, ?3, ?4 FROM users us WHERE us.unit_id IN (SELECT id FROM sub) AND us.disabled_at IS NULL"
        " AND (us.roles & 1) = 1 ON CONFLICT DO NOTHING", err);
    if (!st) return false;
    store_bind_int64(st, 1, unit_id);
    store_bind_int64(st, 2, aid);
    store_bind_int64(st, 3, now);
    store_bind_int(st, 4, notified);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return db_fail(s, err);
    *added = store_changes(s);
    return true;
}

/* Posts the "new assignment" notice to every member of aid not yet told, and marks them. */
static bool post_new_notices(store *s, long long aid, int *posted, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT m.user_id, p.title, a.due_on FROM assignment_members m JOIN assignments a ON a.id = m.assignment_id"
        " JOIN paths p ON p.id = a.path_id WHERE m.assignment_id = ? AND m.notified = 0", err);
    if (!st) return false;
    store_bind_int64(st, 1, aid);
    long long *users = NULL;
    size_t n = 0, cap = 0;
    json_t *args = NULL;
    while (store_step(st) == STORE_ROW) {
        if (!args) args = json_pack("[s, s]", store_col_text(st, 1), store_col_text(st, 2));
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            users = xrealloc(users, cap * sizeof *users);
        }
        users[n++] = store_col_int64(st, 0);
    }
    store_done(st);
    char dedup[48];
    snprintf(dedup, sizeof dedup, "paths.assigned.%lld", aid);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = inbox_post(s, users[i], "assignment", "paths.inbox.assigned", args, LINK_MINE, dedup, err);
    if (ok && n) {
        st = store_stmt(s, "UPDATE assignment_members SET notified = notified | 1 WHERE assignment_id = ? AND notified = 0",
                        err);
        if (!st) ok = false;
        else {
            store_bind_int64(st, 1, aid);
            ok = store_step(st) == STORE_DONE || db_fail(s, err);
            store_done(st);
        }
    }
    if (posted) *posted += (int)n;
    json_decref(args);
    free(users);
    return ok;
}

paths_status assign_create(store *s, const account *by, const assign_input *in, int64_t now, long long *id,
                           size_t *nmembers, perr *err) {
    if (nmembers) *nmembers = 0;
    if (path_owner(s, in->path_id) < 0) {
        perr_set(err, "paths.error.not_found");
        return PATHS_NOT_FOUND;
    }
    int64_t due_at = 0;
    if (!parse_due(in->due_on, now, &due_at, err)) return PATHS_INVALID;
    size_t ml = in->message ? strlen(in->message) : 0;
    if (ml > ASSIGN_MAX_MESSAGE || (ml && !utf8_valid(in->message, ml))) {
        perr_set(err, "paths.error.message");
        return PATHS_INVALID;
    }
    if (ml && !text_clean(in->message, ml, true)) {
        perr_set(err, "paths.error.message_text");
        return PATHS_INVALID;
    }
    if (in->nusers > ASSIGN_MAX_USERS) {
        perr_set(err, "paths.error.too_many");
        return PATHS_INVALID;
    }
    if (in->unit_id) { /* scope first: for a manager, an unknown unit is one outside the scope */
        if (!assign_unit_in_scope(s, by, in->unit_id)) {
            perr_set(err, "paths.error.scope");
            return PATHS_FORBIDDEN;
        }
        if (!unit_exists(s, in->unit_id)) {
            perr_set(err, "paths.error.unit");
            return PATHS_INVALID;
        }
    }
    if (!in->unit_id && !in->nusers) {
        perr_set(err, "paths.error.nobody");
        return PATHS_INVALID;
    }
    for (size_t i = 0; i < in->nusers; i++) {
        paths_status ps = check_user(s, by, in->users[i], err);
        if (ps != PATHS_OK) return ps;
    }
    store_query *st = store_stmt(s,
        "INSERT INTO assignments(path_id, unit_id, include_later, assigned_by, due_on, due_at, message, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", err);
    if (!st) return PATHS_ERROR;
    store_bind_int64(st, 1, in->path_id);
    if (in->unit_id) store_bind_int64(st, 2, in->unit_id);
    store_bind_int(st, 3, in->unit_id && in->include_later);
    if (by && by->id > 0) store_bind_int64(st, 4, by->id);
    store_bind_text(st, 5, in->due_on);
    store_bind_int64(st, 6, due_at);
    store_bind_text(st, 7, in->message ? in->message : "");
    store_bind_int64(st, 8, now);
    int rc = store_step(st);
    if (rc == STORE_ROW) *id = store_col_int64(st, 0);
    store_done(st);
    if (rc != STORE_ROW) {
        db_fail(s, err);
        return PATHS_ERROR;
    }
    /* members told at creation need no separate "due soon" notice when the date is near */
    bool near = due_at - now <= ASSIGN_SOON_SECONDS;
    for (size_t i = 0; i < in->nusers; i++)
        if (!add_member(s, *id, in->users[i], now, 0, err)) return PATHS_ERROR;
    int added = 0;
    if (in->unit_id && !add_subtree(s, *id, in->unit_id, now, 0, &added, err)) return PATHS_ERROR;
    st = store_stmt(s, "SELECT count(*) FROM assignment_members WHERE assignment_id = ?", err);
    if (!st) return PATHS_ERROR;
    store_bind_int64(st, 1, *id);
    long long count = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    if (!count && !(in->unit_id && in->include_later)) {
        perr_set(err, "paths.error.nobody");
        return PATHS_INVALID;
    }
    if (nmembers) *nmembers = (size_t)count;
    if (!post_new_notices(s, *id, NULL, err)) return PATHS_ERROR;
    if (near) {
        st = store_stmt(s, "UPDATE assignment_members SET notified = notified | 2 WHERE assignment_id = ?", err);
        if (!st) return PATHS_ERROR;
        store_bind_int64(st, 1, *id);
        rc = store_step(st);
        store_done(st);
        if (rc != STORE_DONE) {
            db_fail(s, err);
            return PATHS_ERROR;
        }
    }
    char detail[96];
    snprintf(detail, sizeof detail, "path=%lld members=%lld due=%s", in->path_id, count, in->due_on);
    if (!audit_add(s, by ? by->id : 0, "path.assign", "assignment", *id, detail)) {
        db_fail(s, err);
        return PATHS_ERROR;
    }
    return PATHS_OK;
}

/* Number of the path's modules the user has not passed yet (-1 on error). */
static int modules_left(store *s, long long path_id, long long user_id) {
    store_query *st = store_stmt(s,
        "SELECT (SELECT count(*) FROM path_modules WHERE path_id = ?1),"
        " (SELECT count(*) FROM path_modules pm WHERE pm.path_id = ?1 AND EXISTS (SELECT 1 FROM attempts t"
        "  WHERE t.user_id = ?2 AND t.module_id = pm.module_id AND t.passed = 1))", NULL);
    if (!st) return -1;
    store_bind_int64(st, 1, path_id);
    store_bind_int64(st, 2, user_id);
    int left = -1;
    if (store_step(st) == STORE_ROW) left = store_col_int(st, 0) - store_col_int(st, 1);
    store_done(st);
    return left;
}

/* Sends notice `bit` (2 soon, 4 overdue) to the unfinished members of aid not yet
 * checked for it, marks them, and marks the assignment swept for that bit. */
static bool sweep(store *s, long long aid, int bit, int *posted, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT m.user_id, a.path_id, p.title, a.due_on FROM assignment_members m"
        " JOIN assignments a ON a.id = m.assignment_id JOIN paths p ON p.id = a.path_id"
        " WHERE m.assignment_id = ?1 AND (m.notified & ?2) = 0", err);
    if (!st) return false;
    store_bind_int64(st, 1, aid);
    store_bind_int(st, 2, bit);
    long long *users = NULL, path_id = 0;
    size_t n = 0, cap = 0;
    json_t *args = NULL;
    while (store_step(st) == STORE_ROW) {
        if (!args) {
            path_id = store_col_int64(st, 1);
            args = json_pack("[s, s]", store_col_text(st, 2), store_col_text(st, 3));
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            users = xrealloc(users, cap * sizeof *users);
        }
        users[n++] = store_col_int64(st, 0);
    }
    store_done(st);
    char dedup[48];
    snprintf(dedup, sizeof dedup, "paths.%s.%lld", bit == 2 ? "soon" : "overdue", aid);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        if (modules_left(s, path_id, users[i]) == 0) continue;
        ok = inbox_post(s, users[i], bit == 2 ? "due_soon" : "overdue",
                        bit == 2 ? "paths.inbox.due_soon" : "paths.inbox.overdue", args, LINK_MINE, dedup, err);
        if (ok && posted) (*posted)++;
    }
    json_decref(args);
    free(users);
    if (!ok) return false;
    /* overdue implies the "due soon" window is over too */
    int mark = bit == 4 ? 6 : 2;
    st = store_stmt(s, "UPDATE assignment_members SET notified = notified | ?2 WHERE assignment_id = ?1", err);
    if (!st) return false;
    store_bind_int64(st, 1, aid);
    store_bind_int(st, 2, mark);
    ok = store_step(st) == STORE_DONE || db_fail(s, err);
    store_done(st);
    if (!ok) return false;
    st = store_stmt(s, "UPDATE assignments SET swept = swept | ?2 WHERE id = ?1", err);
    if (!st) return false;
    store_bind_int64(st, 1, aid);
    store_bind_int(st, 2, mark);
    ok = store_step(st) == STORE_DONE || db_fail(s, err);
    store_done(st);
    return ok;
}

typedef struct id_list {
    long long *v;
    size_t n, cap;
} id_list;

static void ids_push(id_list *l, long long id) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = id;
}

/* Collects the ids (column 0) of a one-parameter (now) query into l. */
static bool collect(store *s, store_query *st, int64_t now, id_list *l, perr *err) {
    if (!st) return false;
    store_bind_int64(st, 1, now);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) ids_push(l, store_col_int64(st, 0));
    store_done(st);
    return rc == STORE_DONE || db_fail(s, err);
}

bool paths_notify_due(store *s, int64_t now, int *posted, perr *err) {
    if (posted) *posted = 0;
    id_list later = {0}, soon = {0}, overdue = {0}, fresh = {0};
    bool ok = collect(s,
        store_stmt(s,
            "WITH RECURSIVE sub(aid, uid) AS (SELECT id, unit_id FROM assignments"
            "  WHERE include_later = 1 AND due_at >= ?1 AND unit_id IS NOT NULL"
            "  UNION ALL SELECT sub.aid, u.id FROM units u JOIN sub ON u.parent_id = sub.uid)"
            " SELECT DISTINCT sub.aid FROM sub JOIN users us ON us.unit_id = sub.uid"
            " WHERE us.disabled_at IS NULL AND (us.roles & 1) = 1 AND NOT EXISTS (SELECT 1 FROM assignment_members m"
            "  WHERE m.assignment_id = sub.aid AND m.user_id = us.id)", err),
        now, &later, err);
    ok = ok && collect(s, store_stmt(s, "SELECT id FROM assignments WHERE due_at >= ?1 AND due_at < ?1 + 604800"
                                        " AND (swept & 2) = 0", err), now, &soon, err);
    ok = ok && collect(s, store_stmt(s, "SELECT id FROM assignments WHERE due_at < ?1 AND (swept & 4) = 0", err), now,
                       &overdue, err);
    ok = ok && collect(s, store_stmt(s, "SELECT DISTINCT assignment_id FROM assignment_members WHERE notified = 0"
                                        " AND CAST(?1 AS BIGINT) = ?1", err), now, &fresh, err);
    bool work = later.n || soon.n || overdue.n || fresh.n;
    if (!ok || !work) goto done;
    if (!store_begin(s, err)) {
        ok = false;
        goto done;
    }
    for (size_t i = 0; ok && i < later.n; i++) {
        store_query *st = store_stmt(s, "SELECT unit_id, due_at FROM assignments WHERE id = ?", err);
        if (!st) {
            ok = false;
            break;
        }
        store_bind_int64(st, 1, later.v[i]);
        long long unit = 0;
        int64_t due_at = 0;
        if (store_step(st) == STORE_ROW) {
            unit = store_col_int64(st, 0);
            due_at = store_col_int64(st, 1);
        }
        store_done(st);
        int added = 0;
        ok = add_subtree(s, later.v[i], unit, now, 0, &added, err);
        if (ok && added && due_at - now < ASSIGN_SOON_SECONDS) {
            /* new members inside the 7-day window: check them for the "due soon" notice */
            st = store_stmt(s, "UPDATE assignments SET swept = swept & ~2 WHERE id = ?", err);
            if (!st) ok = false;
            else {
                store_bind_int64(st, 1, later.v[i]);
                ok = store_step(st) == STORE_DONE || db_fail(s, err);
                store_done(st);
            }
            bool listed = false;
            for (size_t j = 0; j < soon.n; j++) listed = listed || soon.v[j] == later.v[i];
            if (!listed) ids_push(&soon, later.v[i]);
        }
        if (ok && added) ids_push(&fresh, later.v[i]);
    }
    for (size_t i = 0; ok && i < fresh.n; i++) ok = post_new_notices(s, fresh.v[i], posted, err);
    for (size_t i = 0; ok && i < soon.n; i++) ok = sweep(s, soon.v[i], 2, posted, err);
    for (size_t i = 0; ok && i < overdue.n; i++) ok = sweep(s, overdue.v[i], 4, posted, err);
    if (ok) ok = store_commit(s, err);
    else store_rollback(s);
done:
    free(later.v);
    free(soon.v);
    free(overdue.v);
    free(fresh.v);
    return ok;
}

bool assign_visible(store *s, const account *viewer, long long id) {
    if (!viewer) return false;
    store_query *st = store_stmt(s, "SELECT coalesce(assigned_by, 0) FROM assignments WHERE id = ?", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    bool found = store_step(st) == STORE_ROW;
    long long by = found ? store_col_int64(st, 0) : 0;
    store_done(st);
    if (!found) return false;
    if (viewer->roles & (ROLE_HR | ROLE_ADMIN)) return true;
    if (!(viewer->roles & ROLE_MANAGER)) return false;
    if (by == viewer->id) return true;
    if (viewer->unit_id <= 0) return false;
    st = store_stmt(s,
        "WITH RECURSIVE sub(id) AS (SELECT CAST(?2 AS BIGINT) UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        " SELECT CASE WHEN EXISTS (SELECT 1 FROM assignment_members m JOIN users us ON us.id = m.user_id"
        "  WHERE m.assignment_id = ?1 AND us.unit_id IN (SELECT id FROM sub)) THEN 1 ELSE 0 END", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    store_bind_int64(st, 2, viewer->unit_id);
    bool vis = store_step(st) == STORE_ROW && store_col_int(st, 0);
    store_done(st);
    return vis;
}

long long assign_path(store *s, long long id) {
    store_query *st = store_stmt(s, "SELECT path_id FROM assignments WHERE id = ?", NULL);
    if (!st) return 0;
    store_bind_int64(st, 1, id);
    long long p = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return p;
}

json_t *assign_candidates(store *s, const account *by, long long unit_id, const char *q, perr *err) {
    bool everywhere = by->roles & (ROLE_HR | ROLE_ADMIN);
    if (unit_id > 0 && !assign_unit_in_scope(s, by, unit_id)) return json_array();
    if (unit_id <= 0 && !everywhere) {
        if (!(by->roles & ROLE_MANAGER) || by->unit_id <= 0) return json_array();
        unit_id = by->unit_id;
    }
    store_query *st = store_stmt2(s,
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        " SELECT us.id, us.display_name, us.email, coalesce(us.unit_id, 0) FROM users us"
        " WHERE us.disabled_at IS NULL AND (us.roles & ?2) <> 0"
        " AND (?1 = 0 OR us.unit_id IN (SELECT id FROM sub))"
        " AND (?3 = '' OR instr(lower(us.display_name), lower(?3)) > 0 OR instr(lower(us.email), lower(?3)) > 0)"
        " ORDER BY coalesce(us.unit_id, 0), us.display_name COLLATE NOCASE, us.id LIMIT ?4",
        "WITH RECURSIVE sub(id) AS (SELECT CAST(?1 AS BIGINT) UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        " SELECT us.id, us.display_name, us.email, coalesce(us.unit_id, 0) FROM users us"
        " WHERE us.disabled_at IS NULL AND (us.roles & ?2) <> 0"
        " AND (?1 = 0 OR us.unit_id IN (SELECT id FROM sub))"
        " AND (?3 = '' OR strpos(lower(us.display_name), lower(?3)) > 0 OR strpos(lower(us.email), lower(?3)) > 0)"
        " ORDER BY coalesce(us.unit_id, 0), lower(us.display_name), us.id LIMIT ?4",
        err);
    if (!st) return NULL;
    store_bind_int64(st, 1, unit_id > 0 ? unit_id : 0);
    store_bind_int(st, 2, ROLE_AGENT);
    store_bind_text(st, 3, q ? q : "");
    store_bind_int(st, 4, ASSIGN_CANDIDATES_MAX + 1);
    json_t *out = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)store_col_int64(st, 0),
                                             "name", store_col_text(st, 1), "email", store_col_text(st, 2),
                                             "unit_id", (json_int_t)store_col_int64(st, 3)));
    store_done(st);
    if (rc != STORE_DONE) {
        db_fail(s, err);
        json_decref(out);
        return NULL;
    }
    return out;
}
