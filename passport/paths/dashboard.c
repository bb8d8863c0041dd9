/* SPDX-License-Identifier: EUPL-1.2 */
/* Assignment progress computed from the learn tables (attempts, module_visits): one query
 * for the members, one for their passes (partial index attempts_passed), aggregated here
 * without sorting the passes (burndown by day buckets). */
#include "paths/dashboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "paths/assign.h"
#include "paths/path.h"

#define DAY 86400

long long dashboard_scope(const account *viewer) {
    if (!viewer) return -1;
    if (viewer->roles & (ROLE_HR | ROLE_ADMIN)) return 0;
    return viewer->unit_id > 0 ? viewer->unit_id : -1;
}

static json_t *module_url(const char *id) {
    buf url = BUF_INIT;
    buf_puts(&url, "/modules/");
    buf_put_urlenc(&url, id, strlen(id));
    json_t *v = json_string(buf_cstr(&url));
    buf_free(&url);
    return v;
}

typedef struct member {
    long long id;
    size_t name, email; /* offsets in the strings arena */
    long long unit_id;
    const char *sort_name; /* into the arena, once it is complete */
    uint64_t passed; /* bit i: module i passed */
    int done;
    int minutes;
    int64_t last_at;
    int rank; /* sort: 0 overdue, 1 not started, 2 in progress, 3 done */
} member;

static const char *const status_names[] = {"overdue", "not_started", "in_progress", "done"};

static int cmp_member(const void *x, const void *y) {
    const member *a = x, *b = y;
    if (a->rank != b->rank) return a->rank - b->rank;
    int c = strcmp(a->sort_name, b->sort_name);
    if (c) return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* A member's id and index, to find members by id (sorted by id). */
typedef struct id_index {
    long long id;
    size_t idx;
} id_index;

/* The member with id, looking it up in by_id[0..n) sorted by id, or NULL. */
static member *find_member(member *m, const id_index *by_id, size_t n, long long id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (by_id[mid].id == id) return &m[by_id[mid].idx];
        if (by_id[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* Every unit's name by id, as a new JSON object {"<id>": name} (units are few). */
static json_t *unit_names(store *s) {
    json_t *o = json_object();
    store_query *st = store_stmt(s, "SELECT id, name FROM units", NULL);
    if (!st) return o;
    while (store_step(st) == STORE_ROW) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)store_col_int64(st, 0));
        json_object_set_new(o, key, json_string(store_col_text(st, 1)));
    }
    store_done(st);
    return o;
}

/* The name of unit id in a unit_names object; "" when none. */
static const char *unit_name(const json_t *units, long long id) {
    char key[24];
    snprintf(key, sizeof key, "%lld", id);
    const char *name = json_string_value(json_object_get(units, key));
    return name ? name : "";
}

/* Builds the burndown: remaining module passes at the end of each day from the
 * assignment's creation to max(due day, today). */
static json_t *burndown(int64_t created_at, int64_t due_at, int64_t now, long long total, const int64_t *times,
                        size_t ntimes) {
    int64_t start = created_at - created_at % DAY;
    int64_t due_day = due_at - due_at % DAY;
    int64_t today = now - now % DAY;
    int64_t last = today > due_day ? today : due_day;
    long long days = (last - start) / DAY;
    long long step = days / DASHBOARD_MAX_POINTS + 1;
    /* passes per day since the start (earlier ones on day 0), then running sums */
    long long *per_day = xcalloc((size_t)days + 2, sizeof *per_day);
    for (size_t i = 0; i < ntimes; i++) {
        long long d = times[i] < start ? 0 : (times[i] - start) / DAY;
        per_day[d > days ? days + 1 : d]++;
    }
    json_t *points = json_array(), *ideal = json_array();
    long long j = 0, passed = 0;
    for (long long d = 0; d <= days; d += step) {
        if (start + d * DAY > today) break;
        while (j <= d) passed += per_day[j++];
        char date[11];
        clock_date(start + d * DAY, date);
        json_array_append_new(points, json_pack("{s:I, s:s, s:I}", "day", (json_int_t)d, "date", date, "remaining",
                                                (json_int_t)(total - passed)));
    }
    free(per_day);
    long long due_d = (due_day - start) / DAY;
    json_array_append_new(ideal, json_pack("{s:i, s:I}", "day", 0, "remaining", (json_int_t)total));
    json_array_append_new(ideal, json_pack("{s:I, s:i}", "day", (json_int_t)due_d, "remaining", 0));
    return json_pack("{s:I, s:I, s:I, s:o, s:o}", "total", (json_int_t)total, "days", (json_int_t)days, "due_day",
                     (json_int_t)due_d, "points", points, "ideal", ideal);
}

json_t *dashboard_assignment(store *s, long long id, long long scope_unit, int64_t now, int offset, int limit,
                             perr *err) {
    json_t *out = NULL, *mods = NULL;
    member *m = NULL;
    size_t n = 0, cap = 0;
    id_index *by_id = NULL;
    buf arena = BUF_INIT; /* member names, emails, units */
    int64_t *times = NULL, *first = NULL;
    size_t ntimes = 0;
    char **mod_ids = NULL;
    int *mod_minutes = NULL, *mod_passed = NULL;
    size_t nmods = 0;
    store_query *st = store_stmt(s,
        "SELECT a.path_id, p.title, a.due_on, a.due_at, a.created_at, a.message, coalesce(un.name, ''),"
        " a.include_later, coalesce(u.display_name, '') FROM assignments a JOIN paths p ON p.id = a.path_id"
        " LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN users u ON u.id = a.assigned_by WHERE a.id = ?", err);
    if (!st) return NULL;
    store_bind_int64(st, 1, id);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        return NULL;
    }
    long long path_id = store_col_int64(st, 0);
    int64_t due_at = store_col_int64(st, 3), created_at = store_col_int64(st, 4);
    char created[21];
    clock_iso8601(created_at, created);
    json_t *head = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:b, s:s, s:b}", "id", (json_int_t)id, "path_id",
                             (json_int_t)path_id, "title", store_col_text(st, 1), "due_on", store_col_text(st, 2),
                             "due_at", (json_int_t)due_at, "created_at", created, "message", store_col_text(st, 5),
                             "unit", store_col_text(st, 6), "include_later", store_col_int(st, 7),
                             "assigned_by", store_col_text(st, 8), "overdue", now > due_at);
    store_done(st);
    /* modules, in path order (at most PATH_MAX_MODULES, so a 64-bit mask suffices) */
    st = store_stmt(s, "SELECT m.id, m.title, m.minutes FROM path_modules pm JOIN modules m ON m.id = pm.module_id"
                       " WHERE pm.path_id = ? ORDER BY pm.position LIMIT 64", err);
    if (!st) goto fail;
    store_bind_int64(st, 1, path_id);
    mods = json_array();
    while (store_step(st) == STORE_ROW) {
        mod_ids = xrealloc(mod_ids, (nmods + 1) * sizeof *mod_ids);
        mod_minutes = xrealloc(mod_minutes, (nmods + 1) * sizeof *mod_minutes);
        mod_ids[nmods] = xstrdup(store_col_text(st, 0));
        mod_minutes[nmods] = store_col_int(st, 2);
        json_array_append_new(mods, json_pack("{s:s, s:s, s:i}", "id", store_col_text(st, 0), "title",
                                              store_col_text(st, 1), "minutes", store_col_int(st, 2)));
        nmods++;
    }
    store_done(st);
    mod_passed = xcalloc(nmods + 1, sizeof *mod_passed);
    /* members in scope, by name */
    st = store_stmt(s,
        "WITH RECURSIVE sub(id) AS (SELECT CAST(?2 AS BIGINT) UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        " SELECT us.id, us.display_name, us.email, coalesce(us.unit_id, 0) FROM assignment_members m"
        " JOIN users us ON us.id = m.user_id WHERE m.assignment_id = ?1 AND (?2 = 0 OR us.unit_id IN (SELECT id FROM sub))"
        " ORDER BY m.user_id", err);
    if (!st) goto fail;
    store_bind_int64(st, 1, id);
    store_bind_int64(st, 2, scope_unit);
    while (store_step(st) == STORE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            m = xrealloc(m, cap * sizeof *m);
        }
        size_t name = arena.len;
        buf_append(&arena, store_col_text(st, 1), store_col_bytes(st, 1) + 1);
        size_t email = arena.len;
        buf_append(&arena, store_col_text(st, 2), store_col_bytes(st, 2) + 1);
        m[n] = (member){store_col_int64(st, 0), name, email, store_col_int64(st, 3), NULL, 0, 0, 0, 0, 0};
        n++;
    }
    store_done(st);
    /* rows come by user id (the primary key's order): by_id needs no sort */
    by_id = xmalloc((n + 1) * sizeof *by_id);
    for (size_t i = 0; i < n; i++) {
        by_id[i] = (id_index){m[i].id, i};
        m[i].sort_name = arena.data + m[i].name;
    }
    /* passes of the members on the path's modules */
    st = store_stmt2(s,
        "SELECT t.user_id, t.module_id, t.finished_at FROM assignment_members am"
        " JOIN attempts t INDEXED BY attempts_passed ON t.user_id = am.user_id AND t.passed = 1"
        " WHERE am.assignment_id = ?1",
        "SELECT t.user_id, t.module_id, t.finished_at FROM assignment_members am"
        " JOIN attempts t ON t.user_id = am.user_id AND t.passed = 1"
        " WHERE am.assignment_id = ?1", err);
    if (!st) goto fail;
    store_bind_int64(st, 1, id);
    /* first[i * nmods + k]: member i's first pass of module k (0: none); rows come in no
     * particular order (no sort: the earliest is kept here) */
    first = xcalloc(n * nmods + 1, sizeof *first);
    while (store_step(st) == STORE_ROW) {
        member *mm = find_member(m, by_id, n, store_col_int64(st, 0));
        if (!mm) continue; /* out of scope */
        const char *mid = store_col_text(st, 1);
        size_t k = 0;
        while (k < nmods && strcmp(mod_ids[k], mid)) k++;
        if (k == nmods) continue;
        int64_t at = store_col_int64(st, 2), *f = &first[(size_t)(mm - m) * nmods + k];
        if (!*f || at < *f) *f = at;
    }
    store_done(st);
    times = xmalloc((n * nmods + 1) * sizeof *times);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < nmods; k++) {
            int64_t at = first[i * nmods + k];
            if (!at) continue;
            m[i].passed |= 1ull << k;
            m[i].done++;
            m[i].minutes += mod_minutes[k];
            if (at > m[i].last_at) m[i].last_at = at;
            mod_passed[k]++;
            times[ntimes++] = at;
        }
    long long completed = 0, overdue = 0, not_started = 0, in_progress = 0, minutes = 0;
    for (size_t i = 0; i < n; i++) {
        member *mm = &m[i];
        minutes += mm->minutes;
        if (nmods && mm->done == (int)nmods) {
            mm->rank = 3;
            completed++;
        } else if (now > due_at) {
            mm->rank = 0;
            overdue++;
        } else if (mm->done == 0) {
            mm->rank = 1;
            not_started++;
        } else {
            mm->rank = 2;
            in_progress++;
        }
        if (mm->rank == 0 && mm->done == 0) not_started++;
        if (mm->rank == 0 && mm->done > 0) in_progress++;
    }
    for (size_t k = 0; k < nmods; k++)
        json_object_set_new(json_array_get(mods, k), "passed", json_integer(mod_passed[k]));
    long long pairs = (long long)n * (long long)nmods;
    json_t *summary = json_pack("{s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I, s:I}", "agents", (json_int_t)n, "completed",
                                (json_int_t)completed, "in_progress", (json_int_t)in_progress, "not_started",
                                (json_int_t)not_started, "overdue", (json_int_t)overdue, "percent",
                                pairs ? (int)((long long)ntimes * 100 / pairs) : 0, "minutes", (json_int_t)minutes,
                                "modules_total", (json_int_t)pairs, "modules_done", (json_int_t)ntimes);
    if (n) qsort(m, n, sizeof *m, cmp_member);
    size_t from = offset > 0 ? (size_t)offset : 0;
    json_t *agents = json_array(), *units = from < n ? unit_names(s) : NULL;
    size_t to = limit < 0 ? n : from + (size_t)limit;
    for (size_t i = from; i < n && i < to; i++) {
        char last[21] = "";
        if (m[i].last_at) clock_iso8601(m[i].last_at, last);
        const char *names = arena.data;
        json_array_append_new(agents, json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:s, s:s}", "id",
                                                (json_int_t)m[i].id, "name", names + m[i].name, "email",
                                                names + m[i].email, "unit", unit_name(units, m[i].unit_id), "done", m[i].done,
                                                "total", (int)nmods, "percent", nmods ? m[i].done * 100 / (int)nmods : 0,
                                                "minutes", m[i].minutes, "status", status_names[m[i].rank],
                                                "last_at", last));
    }
    json_decref(units);
    out = json_pack("{s:o, s:o, s:O, s:o, s:o}", "assignment", head, "summary", summary, "modules", mods, "burndown",
                    burndown(created_at, due_at, now, pairs, times, ntimes), "agents", agents);
    head = NULL;
fail:
    json_decref(head);
    json_decref(mods);
    buf_free(&arena);
    for (size_t k = 0; k < nmods; k++) free(mod_ids[k]);
    free(mod_ids);
    free(mod_minutes);
    free(mod_passed);
    free(m);
    free(by_id);
    free(times);
    free(first);
    return out;
}

json_t *dashboard_list(store *s, const account *viewer, int64_t now) {
    json_t *arr = json_array();
    long long scope = dashboard_scope(viewer);
    if (scope < 0 && !(viewer && (viewer->roles & ROLE_MANAGER))) return arr;
    store_query *st = store_stmt(s, "SELECT id FROM assignments ORDER BY created_at DESC, id DESC LIMIT 1000", NULL);
    if (!st) return arr;
    long long ids[100];
    size_t n = 0;
    /* visibility needs other statements: collect candidates first */
    long long *cand = NULL;
    size_t nc = 0;
    while (store_step(st) == STORE_ROW) {
        cand = xrealloc(cand, (nc + 1) * sizeof *cand);
        cand[nc++] = store_col_int64(st, 0);
    }
    store_done(st);
    for (size_t i = 0; i < nc && n < 100; i++)
        if (assign_visible(s, viewer, cand[i])) ids[n++] = cand[i];
    free(cand);
    for (size_t i = 0; i < n; i++) {
        json_t *d = dashboard_assignment(s, ids[i], scope < 0 ? -1 : scope, now, 0, 0, NULL);
        if (!d) continue;
        json_array_append_new(arr, json_pack("{s:O, s:O, s:O}", "assignment", json_object_get(d, "assignment"),
                                             "summary", json_object_get(d, "summary"), "burndown",
                                             json_object_get(d, "burndown")));
        json_decref(d);
    }
    return arr;
}

json_t *dashboard_agents(store *s, long long scope_unit, int64_t now, int offset, int limit) {
    json_t *arr = json_array();
    if (scope_unit < 0) return arr;
    store_query *st = store_stmt(s,
        "WITH RECURSIVE sub(id) AS (SELECT CAST(?1 AS BIGINT) UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id),"
        " who AS (SELECT us.id FROM users us WHERE us.id IN (SELECT m.user_id FROM assignment_members m)"
        "  AND (?1 = 0 OR us.unit_id IN (SELECT id FROM sub)) ORDER BY lower(us.display_name), us.id LIMIT ?3 OFFSET ?4)"
        " SELECT us.id, us.display_name, coalesce(un.name, ''), a.due_at,"
        " (SELECT count(*) FROM path_modules pm WHERE pm.path_id = a.path_id),"
        " (SELECT count(*) FROM path_modules pm WHERE pm.path_id = a.path_id AND EXISTS (SELECT 1 FROM attempts t"
        "   WHERE t.user_id = us.id AND t.module_id = pm.module_id AND t.passed = 1)),"
        " (SELECT coalesce(sum(mo.minutes), 0) FROM path_modules pm JOIN modules mo ON mo.id = pm.module_id"
        "   WHERE pm.path_id = a.path_id AND EXISTS (SELECT 1 FROM attempts t"
        "   WHERE t.user_id = us.id AND t.module_id = pm.module_id AND t.passed = 1))"
        " FROM who JOIN users us ON us.id = who.id LEFT JOIN units un ON un.id = us.unit_id"
        " JOIN assignment_members m ON m.user_id = us.id JOIN assignments a ON a.id = m.assignment_id"
        " WHERE CAST(?2 AS BIGINT) = ?2 ORDER BY lower(us.display_name), us.id", NULL);
    if (!st) return arr;
    store_bind_int64(st, 1, scope_unit);
    store_bind_int64(st, 2, now);
    store_bind_int(st, 3, limit);
    store_bind_int(st, 4, offset > 0 ? offset : 0);
    json_t *cur = NULL;
    long long cur_id = 0;
    while (store_step(st) == STORE_ROW) {
        long long uid = store_col_int64(st, 0);
        if (!cur || uid != cur_id) {
            cur = json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:i}", "id", (json_int_t)uid, "name",
                            store_col_text(st, 1), "unit", store_col_text(st, 2), "assigned", 0, "completed", 0,
                            "overdue", 0, "minutes", 0);
            json_array_append_new(arr, cur);
            cur_id = uid;
        }
        int total = store_col_int(st, 4), done = store_col_int(st, 5);
        bool complete = total > 0 && done == total;
        json_int_t add_min = store_col_int(st, 6);
#define BUMP(k, v) json_object_set_new(cur, k, json_integer(json_integer_value(json_object_get(cur, k)) + (v)))
        BUMP("assigned", 1);
        BUMP("completed", complete ? 1 : 0);
        BUMP("overdue", !complete && now > store_col_int64(st, 3) ? 1 : 0);
        BUMP("minutes", add_min);
#undef BUMP
    }
    store_done(st);
    return arr;
}

/* The modules of path_id with the user's status on each, into a->modules, and the
 * counters and next module of a. */
static void mine_modules(store *s, long long path_id, long long user_id, json_t *a) {
    json_t *mods = json_array(), *next = json_null();
    int done = 0, total = 0, minutes = 0, left = 0;
    store_query *st = store_stmt(s,
        "SELECT m.id, m.title, m.minutes, CASE WHEN m.archived_at IS NULL THEN 0 ELSE 1 END,"
        " CASE WHEN EXISTS (SELECT 1 FROM attempts t WHERE t.user_id = ?2 AND t.module_id = m.id AND t.passed = 1)"
        "  THEN 1 ELSE 0 END,"
        " CASE WHEN EXISTS (SELECT 1 FROM module_visits v WHERE v.user_id = ?2 AND v.module_id = m.id)"
        "  OR EXISTS (SELECT 1 FROM attempts t WHERE t.user_id = ?2 AND t.module_id = m.id) THEN 1 ELSE 0 END"
        " FROM path_modules pm JOIN modules m ON m.id = pm.module_id WHERE pm.path_id = ?1 ORDER BY pm.position",
        NULL);
    if (st) {
        store_bind_int64(st, 1, path_id);
        store_bind_int64(st, 2, user_id);
        while (store_step(st) == STORE_ROW) {
            bool passed = store_col_int(st, 4), started = store_col_int(st, 5);
            bool archived = store_col_int(st, 3);
            int min = store_col_int(st, 2);
            total++;
            if (passed) {
                done++;
                minutes += min;
            } else {
                left += min;
            }
            const char *status = passed ? "passed" : started ? "in_progress" : "not_started";
            json_array_append_new(mods, json_pack("{s:s, s:s, s:i, s:o, s:b, s:s}", "id", store_col_text(st, 0),
                                                  "title", store_col_text(st, 1), "minutes", min, "url",
                                                  module_url(store_col_text(st, 0)), "archived", archived,
                                                  "status", status));
            if (!passed && !archived && json_is_null(next)) {
                json_decref(next);
                next = json_pack("{s:s, s:s, s:i, s:o}", "id", store_col_text(st, 0), "title",
                                 store_col_text(st, 1), "minutes", min, "url", module_url(store_col_text(st, 0)));
            }
        }
        store_done(st);
    }
    json_object_set_new(a, "modules", mods);
    json_object_set_new(a, "next", next);
    json_object_set_new(a, "done", json_integer(done));
    json_object_set_new(a, "total", json_integer(total));
    json_object_set_new(a, "percent", json_integer(total ? done * 100 / total : 0));
    json_object_set_new(a, "minutes", json_integer(minutes));
    json_object_set_new(a, "minutes_left", json_integer(left));
}

json_t *dashboard_mine(store *s, long long user_id, int64_t now) {
    json_t *arr = json_array();
    store_query *st = store_stmt(s,
        "SELECT a.id, a.path_id, p.title, p.description, a.message, a.due_on, a.due_at,"
        " coalesce(u.display_name, '') FROM assignment_members m JOIN assignments a ON a.id = m.assignment_id"
        " JOIN paths p ON p.id = a.path_id LEFT JOIN users u ON u.id = a.assigned_by"
        " WHERE m.user_id = ? ORDER BY a.due_at, a.id", NULL);
    if (!st) return arr;
    store_bind_int64(st, 1, user_id);
    while (store_step(st) == STORE_ROW) {
        int64_t due_at = store_col_int64(st, 6);
        long long days_left = due_at >= now ? (due_at - now) / DAY : -((now - due_at) / DAY + 1);
        json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "id",
                                             (json_int_t)store_col_int64(st, 0), "path_id",
                                             (json_int_t)store_col_int64(st, 1), "title", store_col_text(st, 2),
                                             "description", store_col_text(st, 3), "message", store_col_text(st, 4),
                                             "due_on", store_col_text(st, 5), "due_at", (json_int_t)due_at,
                                             "days_left", (json_int_t)days_left, "assigned_by",
                                             store_col_text(st, 7)));
    }
    store_done(st);
    size_t i;
    json_t *a;
    json_array_foreach(arr, i, a) {
        mine_modules(s, json_integer_value(json_object_get(a, "path_id")), user_id, a);
        json_int_t done = json_integer_value(json_object_get(a, "done"));
        json_int_t total = json_integer_value(json_object_get(a, "total"));
        json_int_t due_at = json_integer_value(json_object_get(a, "due_at"));
        const char *status = total && done == total ? "done"
                             : now > due_at         ? "overdue"
                             : due_at - now < 7 * DAY ? "due_soon"
                                                    : "on_track";
        json_object_set_new(a, "status", json_string(status));
    }
    return arr;
}
