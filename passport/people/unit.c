/* SPDX-License-Identifier: EUPL-1.2 */
/* The unit tree in the units table; subtrees through recursive queries. */
#include "people/unit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/text.h"

/* A unit name: 1..200 bytes on one line, without control characters or bidirectional
 * overrides (text_clean: a name must read as what it is). */
static bool name_ok(const char *name) {
    return name && *name && strlen(name) <= 200 && text_clean(name, strlen(name), false);
}

bool unit_create(store *s, const char *name, long long parent_id, long long *id, perr *err) {
    if (!name_ok(name)) return perr_set(err, "unit.bad_name");
    if (parent_id && !unit_exists(s, parent_id)) return perr_set(err, "unit.unknown");
    store_query *st = store_stmt(s,
        "INSERT INTO units(name, parent_id, created_at) VALUES (?, nullif(CAST(? AS BIGINT), 0), ?) RETURNING id", err);
    if (!st) return false;
    store_bind_text(st, 1, name);
    store_bind_int64(st, 2, parent_id);
    store_bind_int64(st, 3, clock_now());
    /* a duplicate name is reported, and import_users goes on with its next row */
    int rc = store_step_may_fail(st);
    if (rc == STORE_ROW && id) *id = store_col_int64(st, 0);
    store_done(st);
    return rc == STORE_ROW ? true : perr_set(err, "unit.duplicate");
}

bool unit_update(store *s, long long id, const char *name, long long parent_id, perr *err) {
    if (!name_ok(name)) return perr_set(err, "unit.bad_name");
    if (!unit_exists(s, id) || (parent_id && !unit_exists(s, parent_id))) return perr_set(err, "unit.unknown");
    if (parent_id && unit_in_subtree(s, id, parent_id)) return perr_set(err, "unit.cycle");
    store_query *st = store_stmt(s, "UPDATE units SET name = ?, parent_id = nullif(CAST(? AS BIGINT), 0) WHERE id = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, name);
    store_bind_int64(st, 2, parent_id);
    store_bind_int64(st, 3, id);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "unit.duplicate");
}

/* The number of rows of sql (one ? bound to id) counts. */
static long long count_of(store *s, const char *sql, long long id) {
    store_query *st = store_stmt(s, sql, NULL);
    if (!st) return -1;
    store_bind_int64(st, 1, id);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return n;
}

bool unit_delete(store *s, long long id, perr *err) {
    if (!unit_exists(s, id)) return perr_set(err, "unit.unknown");
    if (count_of(s, "SELECT count(*) FROM units WHERE parent_id = ?", id) != 0) return perr_set(err, "unit.has_units");
    if (count_of(s, "SELECT count(*) FROM users WHERE unit_id = ?", id) != 0) return perr_set(err, "unit.has_people");
    store_query *st = store_stmt(s, "DELETE FROM units WHERE id = ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

bool unit_exists(store *s, long long id) {
    store_query *st = store_stmt(s, "SELECT 1 FROM units WHERE id = ?", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    bool found = store_step(st) == STORE_ROW;
    store_done(st);
    return found;
}

static long long find_child(store *s, long long parent, const char *name, size_t len) {
    store_query *st = store_stmt2(s,
        "SELECT id FROM units WHERE coalesce(parent_id, 0) = ? AND name = ? COLLATE NOCASE",
        "SELECT id FROM units WHERE coalesce(parent_id, 0) = ? AND lower(name) = lower(?)", NULL);
    if (!st) return 0;
    store_bind_int64(st, 1, parent);
    store_bind_textn(st, 2, name, len);
    long long id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

bool unit_resolve_path(store *s, const char *path, bool create, long long *id, perr *err) {
    long long parent = 0;
    const char *p = path;
    *id = 0;
    while (*p) {
        const char *e = strchr(p, '/');
        if (!e) e = p + strlen(p);
        const char *a = p, *b = e;
        while (a < b && isspace((unsigned char)*a)) a++;
        while (b > a && isspace((unsigned char)b[-1])) b--;
        if (b == a) return perr_set(err, "unit.bad_name");
        long long child = find_child(s, parent, a, (size_t)(b - a));
        if (!child) {
            if (!create) return true;
            char *name = xstrndup(a, (size_t)(b - a));
            bool ok = unit_create(s, name, parent, &child, err);
            free(name);
            if (!ok) return false;
        }
        parent = child;
        p = *e ? e + 1 : e;
    }
    *id = parent;
    return true;
}

bool unit_in_subtree(store *s, long long ancestor, long long unit) {
    if (!ancestor || !unit) return false;
    store_query *st = store_stmt(s,
        "WITH RECURSIVE up(id) AS (SELECT CAST(?2 AS BIGINT) UNION SELECT u.parent_id FROM units u JOIN up ON u.id = up.id"
        " WHERE u.parent_id IS NOT NULL) SELECT 1 FROM up WHERE id = ?1", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, ancestor);
    store_bind_int64(st, 2, unit);
    bool in = store_step(st) == STORE_ROW;
    store_done(st);
    return in;
}

/* The sort key puts a unit's children (its key, character 1, the child's name) right
 * after it: compared byte by byte, hence COLLATE "C" on PostgreSQL, whose collations may
 * ignore control characters. */
/* unit_list, members counted only when count (a pass over a unit's accounts each). */
static json_t *unit_tree(store *s, bool count, perr *err) {
    store_query *st = store_stmt2(s,
        "WITH RECURSIVE tree(id, name, parent_id, depth, path, sortkey) AS ("
        "  SELECT id, name, coalesce(parent_id, 0), 0, name, lower(name) FROM units WHERE parent_id IS NULL"
        "  UNION ALL SELECT u.id, u.name, u.parent_id, t.depth + 1, t.path || ' / ' || u.name,"
        "  t.sortkey || char(1) || lower(u.name) FROM units u JOIN tree t ON u.parent_id = t.id)"
        " SELECT t.id, t.name, t.parent_id, t.depth, t.path,"
        " CASE WHEN ?1 <> 0 THEN (SELECT count(*) FROM users WHERE unit_id = t.id) END FROM tree t ORDER BY t.sortkey",
        "WITH RECURSIVE tree(id, name, parent_id, depth, path, sortkey) AS ("
        "  SELECT id, name, coalesce(parent_id, 0), 0, name, lower(name) FROM units WHERE parent_id IS NULL"
        "  UNION ALL SELECT u.id, u.name, u.parent_id, t.depth + 1, t.path || ' / ' || u.name,"
        "  t.sortkey || chr(1) || lower(u.name) FROM units u JOIN tree t ON u.parent_id = t.id)"
        " SELECT t.id, t.name, t.parent_id, t.depth, t.path,"
        " CASE WHEN ?1 <> 0 THEN (SELECT count(*) FROM users WHERE unit_id = t.id) END FROM tree t"
        " ORDER BY t.sortkey COLLATE \"C\"", err);
    if (!st) return NULL;
    store_bind_int(st, 1, count);
    json_t *arr = json_array();
    while (store_step(st) == STORE_ROW) {
        json_t *u = json_pack("{s:I, s:s, s:I, s:i, s:s}", "id", (json_int_t)store_col_int64(st, 0), "name",
                              store_col_text(st, 1), "parent_id", (json_int_t)store_col_int64(st, 2), "depth",
                              store_col_int(st, 3), "path", store_col_text(st, 4));
        if (count) json_object_set_new(u, "members", json_integer(store_col_int64(st, 5)));
        json_array_append_new(arr, u);
    }
    store_done(st);
    return arr;
}

json_t *unit_list(store *s, perr *err) {
    return unit_tree(s, true, err);
}

json_t *unit_choices(store *s, perr *err) {
    return unit_tree(s, false, err);
}

long long unit_member_count(store *s, long long unit) {
    if (!unit) return 0;
    store_query *st = store_stmt(s,
        "WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        " SELECT count(*) FROM users WHERE unit_id IN (SELECT id FROM sub) AND disabled_at IS NULL", NULL);
    if (!st) return 0;
    store_bind_int64(st, 1, unit);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return n;
}
