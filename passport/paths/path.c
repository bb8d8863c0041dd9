/* SPDX-License-Identifier: EUPL-1.2 */
/* Training paths in the store: validation, create, update, copy, read and list. */
#include "paths/path.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/utf8.h"
#include "skills/evidence.h"

static bool is_sep(char c) {
    return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool path_targets_parse(const char *text, path_target *out, size_t max, size_t *n, perr *err) {
    *n = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p && is_sep(*p)) p++;
        if (!*p) break;
        const char *start = p;
        while (*p && !is_sep(*p)) p++;
        size_t len = (size_t)(p - start);
        const char *at = memchr(start, '@', len);
        if (!at || at == start || (size_t)(at - start) >= sizeof out->code || p - at != 2 || at[1] < '1' ||
            at[1] > '8')
            return perr_set(err, "paths.error.bad_target");
        if (*n == max) return perr_set(err, "paths.error.too_many");
        path_target *t = &out[(*n)++];
        memcpy(t->code, start, (size_t)(at - start));
        t->code[at - start] = '\0';
        for (char *c = t->code; *c; c++) *c = (char)toupper((unsigned char)*c);
        t->level = at[1] - '0';
    }
    return true;
}

/* PATHS_OK when module_id names a live module; PATHS_INVALID when unknown or archived. */
static paths_status module_live(store *s, const char *module_id, perr *err) {
    store_query *st = store_stmt(s, "SELECT CASE WHEN archived_at IS NULL THEN 1 ELSE 0 END FROM modules WHERE id = ?", err);
    if (!st) return PATHS_ERROR;
    store_bind_text(st, 1, module_id);
    int rc = store_step(st);
    bool live = rc == STORE_ROW && store_col_int(st, 0);
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE) {
        perr_set(err, "database error: %s", store_errmsg(s));
        return PATHS_ERROR;
    }
    if (!live) {
        perr_set(err, "paths.error.module");
        return PATHS_INVALID;
    }
    return PATHS_OK;
}

/* A path's title: not blank, at most PATH_MAX_TITLE bytes of UTF-8 ("paths.error.title"),
 * one line without control characters or bidirectional overrides
 * ("paths.error.title_text", docs/privacy.md "input hygiene"). */
static bool title_ok(const char *title, perr *err) {
    size_t tl = title ? strlen(title) : 0;
    const char *t = title;
    while (t && (*t == ' ' || *t == '\t')) t++;
    if (!tl || !*t || tl > PATH_MAX_TITLE || !utf8_valid(title, tl)) return perr_set(err, "paths.error.title");
    if (!text_clean(title, tl, false)) return perr_set(err, "paths.error.title_text");
    return true;
}

paths_status path_validate(store *s, const path_input *in, char **bad_module, perr *err) {
    if (bad_module) *bad_module = NULL;
    if (!title_ok(in->title, err)) return PATHS_INVALID;
    size_t dl = in->description ? strlen(in->description) : 0;
    if (dl > PATH_MAX_DESCRIPTION || (dl && !utf8_valid(in->description, dl))) {
        perr_set(err, "paths.error.description");
        return PATHS_INVALID;
    }
    if (dl && !text_clean(in->description, dl, true)) {
        perr_set(err, "paths.error.description_text");
        return PATHS_INVALID;
    }
    if (!in->nmodules) {
        perr_set(err, "paths.error.no_module");
        return PATHS_INVALID;
    }
    if (in->nmodules > PATH_MAX_MODULES || in->ntargets > PATH_MAX_TARGETS) {
        perr_set(err, "paths.error.too_many");
        return PATHS_INVALID;
    }
    for (size_t i = 0; i < in->nmodules; i++) {
        for (size_t j = 0; j < i; j++)
            if (!strcmp(in->modules[i], in->modules[j])) {
                perr_set(err, "paths.error.duplicate_module");
                return PATHS_INVALID;
            }
        paths_status ps = module_live(s, in->modules[i], err);
        if (ps != PATHS_OK) {
            if (ps == PATHS_INVALID && bad_module) *bad_module = xstrdup(in->modules[i]);
            return ps;
        }
    }
    for (size_t i = 0; i < in->ntargets; i++) {
        const path_target *pt = &in->targets[i];
        bool dup = false;
        for (size_t j = 0; j < i; j++) dup = dup || !strcmp(pt->code, in->targets[j].code);
        if (dup || pt->level < 1 || pt->level > 8 || !skills_competency_exists(s, pt->code)) {
            perr_set(err, "paths.error.target");
            return PATHS_INVALID;
        }
    }
    return PATHS_OK;
}

/* Inserts the modules and targets of in for path id (after their deletion on update). */
static bool write_parts(store *s, long long id, const path_input *in, perr *err) {
    store_query *st = store_stmt(s, "INSERT INTO path_modules(path_id, position, module_id) VALUES (?, ?, ?)", err);
    if (!st) return false;
    for (size_t i = 0; i < in->nmodules; i++) {
        store_bind_int64(st, 1, id);
        store_bind_int(st, 2, (int)i);
        store_bind_text(st, 3, in->modules[i]);
        int rc = store_step(st);
        store_done(st);
        if (rc != STORE_DONE) return perr_set(err, "database error: %s", store_errmsg(s));
    }
    st = store_stmt(s, "INSERT INTO path_targets(path_id, code, level) VALUES (?, ?, ?)", err);
    if (!st) return false;
    for (size_t i = 0; i < in->ntargets; i++) {
        store_bind_int64(st, 1, id);
        store_bind_text(st, 2, in->targets[i].code);
        store_bind_int(st, 3, in->targets[i].level);
        int rc = store_step(st);
        store_done(st);
        if (rc != STORE_DONE) return perr_set(err, "database error: %s", store_errmsg(s));
    }
    return true;
}

paths_status path_create(store *s, long long owner_id, const path_input *in, long long *id,
                         char **bad_module, perr *err) {
    paths_status ps = path_validate(s, in, bad_module, err);
    if (ps != PATHS_OK) return ps;
    store_query *st = store_stmt(s,
        "INSERT INTO paths(title, description, owner_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id", err);
    if (!st) return PATHS_ERROR;
    int64_t now = clock_now();
    store_bind_text(st, 1, in->title);
    store_bind_text(st, 2, in->description ? in->description : "");
    if (owner_id > 0) store_bind_int64(st, 3, owner_id);
    store_bind_int64(st, 4, now);
    store_bind_int64(st, 5, now);
    int rc = store_step(st);
    if (rc == STORE_ROW) *id = store_col_int64(st, 0);
    store_done(st);
    if (rc != STORE_ROW) {
        perr_set(err, "database error: %s", store_errmsg(s));
        return PATHS_ERROR;
    }
    return write_parts(s, *id, in, err) ? PATHS_OK : PATHS_ERROR;
}

paths_status path_update(store *s, long long id, const path_input *in, char **bad_module, perr *err) {
    if (path_owner(s, id) < 0) {
        perr_set(err, "paths.error.not_found");
        return PATHS_NOT_FOUND;
    }
    paths_status ps = path_validate(s, in, bad_module, err);
    if (ps != PATHS_OK) return ps;
    store_query *st = store_stmt(s, "UPDATE paths SET title = ?, description = ?, updated_at = ? WHERE id = ?", err);
    if (!st) return PATHS_ERROR;
    store_bind_text(st, 1, in->title);
    store_bind_text(st, 2, in->description ? in->description : "");
    store_bind_int64(st, 3, clock_now());
    store_bind_int64(st, 4, id);
    int rc = store_step(st);
    store_done(st);
    store_query *d1 = rc == STORE_DONE ? store_stmt(s, "DELETE FROM path_modules WHERE path_id = ?", err) : NULL;
    if (d1) {
        store_bind_int64(d1, 1, id);
        rc = store_step(d1);
        store_done(d1);
    }
    store_query *d2 = rc == STORE_DONE ? store_stmt(s, "DELETE FROM path_targets WHERE path_id = ?", err) : NULL;
    if (d2) {
        store_bind_int64(d2, 1, id);
        rc = store_step(d2);
        store_done(d2);
    }
    if (rc != STORE_DONE || !d1 || !d2) {
        if (!err || !err->msg[0]) perr_set(err, "database error: %s", store_errmsg(s));
        return PATHS_ERROR;
    }
    return write_parts(s, id, in, err) ? PATHS_OK : PATHS_ERROR;
}

paths_status path_copy(store *s, long long src, long long owner_id, const char *title, long long *id,
                       perr *err) {
    if (path_owner(s, src) < 0) {
        perr_set(err, "paths.error.not_found");
        return PATHS_NOT_FOUND;
    }
    if (!title_ok(title, err)) return PATHS_INVALID;
    int64_t now = clock_now();
    store_query *st = store_stmt(s,
        "INSERT INTO paths(title, description, owner_id, copied_from, created_at, updated_at)"
        " SELECT ?, description, ?, id, ?, ? FROM paths WHERE id = ? RETURNING id", err);
    if (!st) return PATHS_ERROR;
    store_bind_text(st, 1, title);
    if (owner_id > 0) store_bind_int64(st, 2, owner_id);
    store_bind_int64(st, 3, now);
    store_bind_int64(st, 4, now);
    store_bind_int64(st, 5, src);
    int rc = store_step(st);
    if (rc == STORE_ROW) *id = store_col_int64(st, 0);
    store_done(st);
    if (rc != STORE_ROW) goto fail;
    st = store_stmt(s, "INSERT INTO path_modules(path_id, position, module_id)"
                       " SELECT ?, position, module_id FROM path_modules WHERE path_id = ?", err);
    if (!st) return PATHS_ERROR;
    store_bind_int64(st, 1, *id);
    store_bind_int64(st, 2, src);
    rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) goto fail;
    st = store_stmt(s, "INSERT INTO path_targets(path_id, code, level)"
                       " SELECT ?, code, level FROM path_targets WHERE path_id = ?", err);
    if (!st) return PATHS_ERROR;
    store_bind_int64(st, 1, *id);
    store_bind_int64(st, 2, src);
    rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) goto fail;
    return PATHS_OK;
fail:
    perr_set(err, "database error: %s", store_errmsg(s));
    return PATHS_ERROR;
}

long long path_owner(store *s, long long id) {
    store_query *st = store_stmt(s, "SELECT coalesce(owner_id, 0) FROM paths WHERE id = ?", NULL);
    if (!st) return -1;
    store_bind_int64(st, 1, id);
    long long owner = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return owner;
}

static json_t *module_url(const char *id) {
    buf url = BUF_INIT;
    buf_puts(&url, "/modules/");
    buf_put_urlenc(&url, id, strlen(id));
    json_t *v = json_string(buf_cstr(&url));
    buf_free(&url);
    return v;
}

json_t *path_get(store *s, long long id) {
    store_query *st = store_stmt(s,
        "SELECT p.id, p.title, p.description, coalesce(p.owner_id, 0), coalesce(u.display_name, ''),"
        " coalesce(p.copied_from, 0), p.created_at, p.updated_at,"
        " (SELECT count(*) FROM assignments a WHERE a.path_id = p.id)"
        " FROM paths p LEFT JOIN users u ON u.id = p.owner_id WHERE p.id = ?", NULL);
    if (!st) return NULL;
    store_bind_int64(st, 1, id);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        return NULL;
    }
    char created[21], updated[21];
    clock_iso8601(store_col_int64(st, 6), created);
    clock_iso8601(store_col_int64(st, 7), updated);
    json_t *p = json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:I}", "id", (json_int_t)store_col_int64(st, 0),
                          "title", store_col_text(st, 1), "description", store_col_text(st, 2), "owner_id",
                          (json_int_t)store_col_int64(st, 3), "owner", store_col_text(st, 4), "copied_from",
                          (json_int_t)store_col_int64(st, 5), "created_at", created, "updated_at", updated,
                          "assignments", (json_int_t)store_col_int64(st, 8));
    store_done(st);
    json_t *mods = json_array();
    long long minutes = 0;
    st = store_stmt(s,
        "SELECT m.id, m.title, m.minutes, m.lang, m.course_slug, coalesce(c.title, ''),"
        " CASE WHEN m.archived_at IS NULL THEN 0 ELSE 1 END"
        " FROM path_modules pm JOIN modules m ON m.id = pm.module_id LEFT JOIN courses c ON c.slug = m.course_slug"
        " WHERE pm.path_id = ? ORDER BY pm.position", NULL);
    if (st) {
        store_bind_int64(st, 1, id);
        while (store_step(st) == STORE_ROW) {
            minutes += store_col_int(st, 2);
            json_array_append_new(mods, json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:o, s:i}", "id",
                                                  store_col_text(st, 0), "title", store_col_text(st, 1), "minutes",
                                                  store_col_int(st, 2), "lang", store_col_text(st, 3),
                                                  "course_slug", store_col_text(st, 4), "course_title",
                                                  store_col_text(st, 5), "archived", store_col_int(st, 6),
                                                  "url", module_url(store_col_text(st, 0)), "position",
                                                  (int)json_array_size(mods) + 1));
        }
        store_done(st);
    }
    json_object_set_new(p, "modules", mods);
    json_object_set_new(p, "minutes", json_integer(minutes));
    json_t *targets = json_array();
    st = store_stmt(s, "SELECT t.code, t.level, coalesce(c.title_fr, ''), coalesce(c.title_en, '') FROM path_targets t"
                       " LEFT JOIN competencies c ON c.code = t.code WHERE t.path_id = ? ORDER BY t.code", NULL);
    if (st) {
        store_bind_int64(st, 1, id);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(targets, json_pack("{s:s, s:i, s:s, s:s}", "code", store_col_text(st, 0), "level",
                                                     store_col_int(st, 1), "title_fr", store_col_text(st, 2),
                                                     "title_en", store_col_text(st, 3)));
        store_done(st);
    }
    json_object_set_new(p, "targets", targets);
    return p;
}

json_t *path_list(store *s) {
    json_t *arr = json_array();
    store_query *st = store_stmt(s,
        "SELECT p.id, p.title, p.description, coalesce(u.display_name, ''),"
        " (SELECT count(*) FROM path_modules pm WHERE pm.path_id = p.id),"
        " (SELECT coalesce(sum(m.minutes), 0) FROM path_modules pm JOIN modules m ON m.id = pm.module_id"
        "  WHERE pm.path_id = p.id),"
        " (SELECT count(*) FROM assignments a WHERE a.path_id = p.id), p.updated_at"
        " FROM paths p LEFT JOIN users u ON u.id = p.owner_id ORDER BY p.updated_at DESC, p.id DESC", NULL);
    if (!st) return arr;
    while (store_step(st) == STORE_ROW) {
        char updated[21];
        clock_iso8601(store_col_int64(st, 7), updated);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:i, s:s}", "id",
                                             (json_int_t)store_col_int64(st, 0), "title", store_col_text(st, 1),
                                             "description", store_col_text(st, 2), "owner", store_col_text(st, 3),
                                             "modules", store_col_int(st, 4), "minutes",
                                             store_col_int(st, 5), "assignments", store_col_int(st, 6),
                                             "updated_at", updated));
    }
    store_done(st);
    return arr;
}

path_target *path_targets(store *s, long long id, size_t *n) {
    *n = 0;
    store_query *st = store_stmt(s, "SELECT code, level FROM path_targets WHERE path_id = ? ORDER BY code", NULL);
    if (!st) return NULL;
    store_bind_int64(st, 1, id);
    path_target *out = NULL;
    size_t cap = 0;
    while (store_step(st) == STORE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            out = xrealloc(out, cap * sizeof *out);
        }
        snprintf(out[*n].code, sizeof out[*n].code, "%s", store_col_text(st, 0));
        out[*n].level = store_col_int(st, 1);
        (*n)++;
    }
    store_done(st);
    return out;
}

json_t *path_module_choices(store *s) {
    json_t *arr = json_array();
    store_query *st = store_stmt(s,
        "SELECT m.id, m.title, m.minutes, m.lang, m.course_slug, coalesce(c.title, '') FROM modules m"
        " LEFT JOIN courses c ON c.slug = m.course_slug WHERE m.archived_at IS NULL"
        " ORDER BY coalesce(c.position, 0), m.course_slug, m.position", NULL);
    if (!st) return arr;
    while (store_step(st) == STORE_ROW)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "id", store_col_text(st, 0), "title",
                                             store_col_text(st, 1), "minutes", store_col_int(st, 2), "lang",
                                             store_col_text(st, 3), "course_slug", store_col_text(st, 4),
                                             "course_title", store_col_text(st, 5)));
    store_done(st);
    return arr;
}
