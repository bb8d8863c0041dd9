/* SPDX-License-Identifier: EUPL-1.2 */
/* "Continue where I left off" and "module suivant": the next module for the home page
 * and the result page, skipping every module passed in any of its languages. */
#include "learn/learn.h"

#include <string.h>

#include "core/buf.h"

static json_t *module_json(const learn_module *m, const char *status, const char *path_title) {
    buf url = BUF_INIT;
    buf_puts(&url, "/modules/");
    buf_put_urlenc(&url, m->id, strlen(m->id));
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "module_id", m->id, "title", m->title, "minutes",
                          m->minutes, "course_slug", m->course->slug, "course_title", m->course->title, "url",
                          buf_cstr(&url), "status", status);
    if (path_title) json_object_set_new(o, "path_title", json_string(path_title));
    buf_free(&url);
    return o;
}

/* The id shared by a module and its copies in other languages. */
static const char *canonical(const learn_library *lib, const char *id) {
    const learn_module *m = library_module(lib, id);
    return m && m->translation_of ? m->translation_of : id;
}

/* The user's passed modules as {canonical id: true}; NULL on a database error. */
static json_t *done_set(store *s, const learn_library *lib, long long user_id) {
    store_query *st = store_stmt(s, "SELECT DISTINCT module_id FROM attempts WHERE user_id = ?1 AND passed = 1", NULL);
    if (!st) return NULL;
    store_bind_int64(st, 1, user_id);
    json_t *done = json_object();
    while (store_step(st) == STORE_ROW) json_object_set_new(done, canonical(lib, store_col_text(st, 0)), json_true());
    store_done(st);
    return done;
}

static bool is_done(const learn_library *lib, const json_t *done, const learn_module *m) {
    return json_object_get(done, canonical(lib, m->id)) != NULL;
}

/* The first module not done of course c from position `from`, or NULL. */
static const learn_module *course_next(const learn_library *lib, const json_t *done, const learn_course *c,
                                       size_t from) {
    for (size_t i = from; i < c->nmodules; i++)
        if (!is_done(lib, done, c->modules[i])) return c->modules[i];
    return NULL;
}

/* The first module not done, after `after` when given (then only in paths holding it),
 * of the paths assigned to the user, earliest due first. */
static json_t *path_next(store *s, const learn_library *lib, const json_t *done, long long user_id,
                         const learn_module *after) {
    store_query *st = store_stmt(s,
                                  "SELECT p.id, p.title, pm.module_id FROM assignment_members am"
                                  " JOIN assignments a ON a.id = am.assignment_id"
                                  " JOIN paths p ON p.id = a.path_id"
                                  " JOIN path_modules pm ON pm.path_id = p.id"
                                  " WHERE am.user_id = ?1 ORDER BY a.due_at, a.id, pm.position",
                                  NULL);
    if (!st) return NULL;
    store_bind_int64(st, 1, user_id);
    json_t *out = NULL;
    long long path = -1;
    bool seen = after == NULL; /* in the current path, past `after` */
    while (!out && store_step(st) == STORE_ROW) {
        long long pid = store_col_int64(st, 0);
        if (pid != path) {
            path = pid;
            seen = after == NULL;
        }
        const char *id = store_col_text(st, 2);
        if (after && !strcmp(canonical(lib, id), canonical(lib, after->id))) {
            seen = true;
            continue;
        }
        const learn_module *m = library_module(lib, id);
        if (seen && m && !is_done(lib, done, m)) out = module_json(m, "path", store_col_text(st, 1));
    }
    store_done(st);
    return out;
}

/* The latest opened module not done, or NULL. */
static json_t *visited_next(store *s, const learn_library *lib, const json_t *done, long long user_id) {
    store_query *st = store_stmt(s,
                                  "SELECT module_id FROM module_visits WHERE user_id = ?1"
                                  " ORDER BY last_at DESC LIMIT 50",
                                  NULL);
    if (!st) return NULL;
    store_bind_int64(st, 1, user_id);
    json_t *out = NULL;
    while (!out && store_step(st) == STORE_ROW) {
        const learn_module *m = library_module(lib, store_col_text(st, 0));
        if (m && !is_done(lib, done, m)) out = module_json(m, "in_progress", NULL);
    }
    store_done(st);
    return out;
}

/* The first module not done of the courses of the user's passes, latest pass first. */
static json_t *passed_course_next(store *s, const learn_library *lib, const json_t *done, long long user_id) {
    store_query *st = store_stmt(s,
                                  "SELECT module_id FROM attempts WHERE user_id = ?1 AND passed = 1"
                                  " ORDER BY finished_at DESC, id DESC LIMIT 200",
                                  NULL);
    if (!st) return NULL;
    store_bind_int64(st, 1, user_id);
    json_t *out = NULL;
    while (!out && store_step(st) == STORE_ROW) {
        const learn_module *m = library_module(lib, store_col_text(st, 0));
        const learn_module *n = m ? course_next(lib, done, m->course, 0) : NULL;
        if (n) out = module_json(n, "not_started", NULL);
    }
    store_done(st);
    return out;
}

json_t *learn_continue(store *s, const learn_library *lib, long long user_id) {
    json_t *done = done_set(s, lib, user_id);
    if (!done) return NULL;
    json_t *out = visited_next(s, lib, done, user_id);
    if (!out) out = path_next(s, lib, done, user_id, NULL);
    if (!out) out = passed_course_next(s, lib, done, user_id);
    json_decref(done);
    return out;
}

json_t *learn_next_after(store *s, const learn_library *lib, long long user_id, const learn_module *m) {
    json_t *done = done_set(s, lib, user_id);
    if (!done) return NULL;
    json_t *out = path_next(s, lib, done, user_id, m);
    if (!out) {
        const learn_module *n = course_next(lib, done, m->course, m->position + 1);
        if (n) out = module_json(n, "course", NULL);
    }
    json_decref(done);
    return out;
}
