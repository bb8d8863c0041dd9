/* SPDX-License-Identifier: EUPL-1.2 */
/* The learn area's catalog pages and API: the catalog with filters and full-text search,
 * a course page, course images, the course list and the agent's progress as JSON. The
 * module player and grading are in learn_player.c, registered from here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "handlers/api_page.h"
#include "handlers/app.h"
#include "handlers/learn_player.h"
#include "handlers/learn_view.h"
#include "learn/catalog.h"
#include "learn/learn.h"
#include "learn/library.h"
#include "learn/progress.h"
#include "skills/evidence.h"
#include "store/changelog.h"

#define ASSET_MAX_BYTES (5u * 1024u * 1024u)
#define SEARCH_LIMIT 5000
#define CATALOG_PAGE 50 /* modules per catalog page */

/* The catalog's filters, read from the query string. */
typedef struct filters {
    const char *q, *competency;
    const char *lang;   /* the language modules must have, NULL for any */
    const char *lang_choice; /* what the language select shows: "fr", "en" or "all" */
    int level;
    json_t *hits; /* {module id: true} from the search, or NULL when there is no query */
    json_t *ranked; /* the search's ids, best first, or NULL when there is no query */
} filters;

static bool module_matches(const learn_module *m, const filters *f) {
    if (f->lang && *f->lang && strcmp(m->lang, f->lang)) return false;
    if ((f->competency && *f->competency) || f->level) {
        bool any = false;
        size_t cl = f->competency ? strlen(f->competency) : 0;
        for (size_t i = 0; i < m->ncomps && !any; i++) {
            /* a framework prefix ("CRCN-4") selects its competencies ("CRCN-4.1") */
            bool code_ok = !cl || !strcmp(m->comps[i].code, f->competency) ||
                           (!strncmp(m->comps[i].code, f->competency, cl) && m->comps[i].code[cl] == '.');
            any = code_ok && (!f->level || m->comps[i].level == f->level);
        }
        if (!any) return false;
    }
    return !f->hits || json_object_get(f->hits, m->id) != NULL;
}

/* A search without a language chosen looks in the agent's language; lang=all (or any
 * other value) looks in every language. */
static void filters_read(http_req *req, filters *f) {
    memset(f, 0, sizeof *f);
    f->q = http_query(req, "q");
    f->competency = http_query(req, "competency");
    f->lang = http_query(req, "lang");
    const char *lv = http_query(req, "level");
    f->level = lv ? atoi(lv) : 0;
    if (f->level < 1 || f->level > 8) f->level = 0;
    if ((!f->lang || !*f->lang) && f->q && *f->q) f->lang = app_ctx(req)->locale;
    if (f->lang && strcmp(f->lang, "fr") && strcmp(f->lang, "en")) f->lang = NULL;
    f->lang_choice = f->lang ? f->lang : "all";
}

/* The search's matching modules as one list, best first, keeping those numbered
 * [offset, offset + limit); *total receives the number of matches. */
static json_t *catalog_results(const learn_library *lib, const json_t *progress, const filters *f, size_t offset,
                               size_t limit, size_t *total) {
    json_t *mods = json_array();
    size_t n = 0, i;
    json_t *id;
    json_array_foreach(f->ranked, i, id) {
        const learn_module *m = library_module(lib, json_string_value(id));
        if (!m || !module_matches(m, f)) continue;
        if (n >= offset && n < offset + limit) json_array_append_new(mods, learn_view_module(m, progress));
        n++;
    }
    *total = n;
    return mods;
}

/* The courses with their matching modules, in library order, keeping only the matches
 * numbered [offset, offset + limit); *total receives the number of matches. */
static json_t *catalog_courses(const learn_library *lib, const json_t *progress, const filters *f, size_t offset,
                               size_t limit, size_t *total) {
    json_t *courses = json_array();
    size_t n = 0;
    for (size_t i = 0; i < lib->ncourses; i++) {
        const learn_course *c = lib->courses[i];
        json_t *mods = NULL;
        for (size_t j = 0; j < c->nmodules; j++) {
            if (!module_matches(c->modules[j], f)) continue;
            if (n >= offset && n < offset + limit) {
                if (!mods) mods = json_array();
                json_array_append_new(mods, learn_view_module(c->modules[j], progress));
            }
            n++;
        }
        if (mods) json_array_append_new(courses, learn_view_course(c, progress, mods));
    }
    *total = n;
    return courses;
}

/* The query string of the current filters (without page), URL-encoded, for pager links. */
static char *filters_qs(const filters *f) {
    buf b = BUF_INIT;
    const char *names[] = {"q", "competency", "lang"};
    const char *vals[] = {f->q, f->competency, f->lang_choice};
    for (int i = 0; i < 3; i++) {
        if (!vals[i] || !*vals[i]) continue;
        buf_printf(&b, "%s=", names[i]);
        buf_put_urlenc(&b, vals[i], strlen(vals[i]));
        buf_putc(&b, '&');
    }
    if (f->level) buf_printf(&b, "level=%d&", f->level);
    return buf_detach(&b);
}

static int page_number(http_req *req) {
    const char *p = http_query(req, "page");
    int page = p ? atoi(p) : 1;
    return page < 1 || page > 100000 ? 1 : page;
}

/* Every competency the library uses, sorted by code: {code, title (in the locale; the
 * code when unknown), label (the code as people write it: "CRCN 1.1"), selected}. */
static json_t *competency_options(const learn_library *lib, const json_t *titles, const char *selected) {
    json_t *seen = json_object();
    for (size_t i = 0; i < lib->nindex; i++)
        for (size_t j = 0; j < lib->index[i]->ncomps; j++) json_object_set_new(seen, lib->index[i]->comps[j].code, json_true());
    const char **codes = xcalloc(json_object_size(seen) + 1, sizeof *codes);
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(seen, k, v) codes[n++] = k;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(codes[j - 1], codes[j]) > 0; j--) {
            const char *t = codes[j];
            codes[j] = codes[j - 1];
            codes[j - 1] = t;
        }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        char label[64];
        snprintf(label, sizeof label, "%s", codes[i]);
        char *dash = strchr(label, '-');
        if (dash) *dash = ' ';
        const char *title = json_string_value(json_object_get(titles, codes[i]));
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b}", "code", codes[i], "title", title ? title : codes[i],
                                             "label", label, "selected", selected && !strcmp(selected, codes[i])));
    }
    free(codes);
    json_decref(seen);
    return out;
}

/* Adds "title" to the competencies of a module list's items from titles ({code: title}). */
static void name_list(json_t *modules, const json_t *titles) {
    size_t i, j;
    json_t *m, *c;
    json_array_foreach(modules, i, m) {
        json_array_foreach(json_object_get(m, "competencies"), j, c) {
            json_t *t = json_object_get(titles, json_string_value(json_object_get(c, "code")));
            if (t) json_object_set(c, "title", t);
        }
    }
}

/* Names the competencies of the catalog's modules: per course, and in the results. */
static void name_modules_competencies(json_t *courses, json_t *results, const json_t *titles) {
    size_t i;
    json_t *c;
    json_array_foreach(courses, i, c) name_list(json_object_get(c, "modules"), titles);
    name_list(results, titles);
}

/* Reads the filters and runs the search (ranked: f->ranked best first; else f->ranked in
 * no particular order); false (error sent) on a database error. */
static bool prepare(app *a, http_req *req, http_resp *resp, bool ranked, filters *f, json_t **progress) {
    filters_read(req, f);
    perr err = {{0}};
    req_ctx *c = app_ctx(req);
    bool txn = store_read_begin(a->db, NULL); /* one WAL lock for the search and the progress */
    if (f->q && *f->q) {
        json_t *ids = catalog_search(a->db, f->q, ranked, SEARCH_LIMIT, &err);
        if (!ids) goto fail;
        f->hits = json_object();
        size_t i;
        json_t *id;
        json_array_foreach(ids, i, id) json_object_set_new(f->hits, json_string_value(id), json_true());
        f->ranked = ids;
    }
    *progress = progress_by_module(a->db, c->user->id, &err);
    if (!*progress) goto fail;
    if (txn) store_read_end(a->db);
    return true;
fail:
    if (txn) store_read_end(a->db);
    json_decref(f->hits);
    json_decref(f->ranked);
    f->hits = f->ranked = NULL;
    log_error("catalog: %s", err.msg);
    app_error(a, req, resp, 500, NULL);
    return false;
}

/* The catalog's holes (app_holed_keep): each module's status ("m|" + its id) and each
 * course's progress line ("c|" + its slug), the only parts showing the agent's learning
 * data. The holes' keys and fragments are gathered while the page's data is built. */
typedef struct holes {
    app *a;
    const char *locale;
    size_t n, cap;
    char **keys;
    buf *fills;
    bool ok;
} holes;

/* Appends the hole `kind|id` filled by template name rendered with data (borrowed). */
static void holes_add(holes *h, char kind, const char *id, const char *name, json_t *data) {
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->keys = xrealloc(h->keys, h->cap * sizeof *h->keys);
        h->fills = xrealloc(h->fills, h->cap * sizeof *h->fills);
    }
    size_t len = strlen(id);
    char *k = xmalloc(len + 3);
    k[0] = kind;
    k[1] = '|';
    memcpy(k + 2, id, len + 1);
    h->keys[h->n] = k;
    h->fills[h->n] = (buf)BUF_INIT;
    perr err = {{0}};
    if (!tmpl_render(h->a->tmpl, name, data, h->locale, &h->fills[h->n], &err)) {
        log_error("catalog fragment %s: %s", k, err.msg);
        h->ok = false;
    }
    h->n++;
}

static void holes_free(holes *h) {
    for (size_t i = 0; i < h->n; i++) {
        free(h->keys[i]);
        buf_free(&h->fills[i]);
    }
    free(h->keys);
    free(h->fills);
}

/* A module's status fragment (template courses/status) from its view (learn_view_module),
 * whose place becomes a hole. */
static void hole_module(holes *h, json_t *view) {
    holes_add(h, 'm', json_string_value(json_object_get(view, "id")), "courses/status", view);
    json_object_set_new(view, "status_hole", json_string_nocheck(APP_KEYED_HOLE));
}

/* A course's progress line (template courses/course_progress) from its view
 * (learn_view_course), whose place becomes a hole, then its modules' status. */
static void hole_course(holes *h, json_t *view) {
    holes_add(h, 'c', json_string_value(json_object_get(view, "slug")), "courses/course_progress", view);
    json_object_set_new(view, "progress_hole", json_string_nocheck(APP_KEYED_HOLE));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(view, "modules"), i, m) hole_module(h, m);
}

/* The catalog made again from its page kept with holes: one read of the agent's progress,
 * each hole's fragment rendered from it. False (nothing sent) when none is kept. */
static bool catalog_refill(app *a, http_req *req, http_resp *resp) {
    app_holed *p = app_holed_recall(a, req, 0); /* outside its holes: none of the agent's data */
    if (!p) return false;
    perr err = {{0}};
    json_t *progress = progress_by_module(a->db, app_ctx(req)->user->id, &err);
    learn_library *lib = progress ? app_library_acquire(a) : NULL;
    holes h = {a, app_ctx(req)->locale, 0, 0, NULL, NULL, true};
    for (size_t i = 0; lib && h.ok && i < app_holed_count(p); i++) {
        const char *k = app_holed_key(p, i);
        const learn_module *m = k[0] == 'm' ? library_module(lib, k + 2) : NULL;
        const learn_course *c = k[0] == 'c' ? library_course(lib, k + 2) : NULL;
        json_t *view = m ? learn_view_module(m, progress) : c ? learn_view_course(c, progress, json_array()) : NULL;
        if (!view) h.ok = false; /* not in this library: render the page whole */
        else holes_add(&h, k[0], k + 2, m ? "courses/status" : "courses/course_progress", view);
        json_decref(view);
    }
    bool ok = lib && h.ok;
    if (ok) app_holed_send(a, req, resp, p, h.fills);
    else app_holed_free(p);
    if (lib) app_library_release(a, lib);
    holes_free(&h);
    json_decref(progress);
    return ok;
}

static void catalog_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    filters f;
    json_t *progress;
    app_page_shows(req, CHANGE_LEARN); /* the agent's progress; no evidence */
    if (catalog_refill(a, req, resp)) return;
    if (!prepare(a, req, resp, true, &f, &progress)) return;
    learn_library *lib = app_library_acquire(a);
    int page = page_number(req);
    size_t nmod = 0, off = (size_t)(page - 1) * CATALOG_PAGE;
    json_t *results = f.ranked ? catalog_results(lib, progress, &f, off, CATALOG_PAGE, &nmod) : NULL;
    json_t *courses = f.ranked ? json_array() : catalog_courses(lib, progress, &f, off, CATALOG_PAGE, &nmod);
    holes h = {a, app_ctx(req)->locale, 0, 0, NULL, NULL, true}; /* in the order the page shows them */
    size_t i;
    json_t *v;
    json_array_foreach(results, i, v) hole_module(&h, v);
    json_array_foreach(courses, i, v) hole_course(&h, v);
    char *qs = filters_qs(&f);
    json_t *levels = json_array();
    for (int l = 1; l <= 8; l++) json_array_append_new(levels, json_pack("{s:i, s:b}", "value", l, "selected", l == f.level));
    bool filtered = (f.q && *f.q) || (f.competency && *f.competency) || f.level || f.lang;
    json_t *titles = skills_competency_titles(a->db, app_ctx(req)->locale);
    json_t *d = json_pack("{s:o, s:o, s:o, s:s, s:s, s:i, s:b, s:i, s:s, s:i, s:i, s:b}", "courses", courses,
                          "competencies", competency_options(lib, titles, f.competency), "levels", levels, "q", f.q ? f.q : "",
                          "lang", f.lang_choice, "count", (int)nmod, "filtered", filtered, "ncourses",
                          (int)json_array_size(courses), "qs", qs, "prev_page", page - 1, "next_page", page + 1, "more",
                          (size_t)page * CATALOG_PAGE < nmod);
    name_modules_competencies(courses, results, titles);
    json_decref(titles);
    json_object_set_new(d, "search", json_boolean(results != NULL));
    if (results) json_object_set_new(d, "results", results);
    app_render(a, req, resp, 200, "courses/catalog", "learn.catalog.title", d);
    if (h.ok) app_holed_keep(a, req, resp, 0, h.n, (const char *const *)h.keys, h.fills);
    else app_error(a, req, resp, 500, NULL);
    holes_free(&h);
    free(qs);
    app_library_release(a, lib);
    json_decref(f.hits);
    json_decref(f.ranked);
    json_decref(progress);
}

static void course_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *rc = app_ctx(req);
    app_page_shows(req, CHANGE_LEARN); /* the agent's progress; no evidence */
    learn_library *lib = app_library_acquire(a);
    const learn_course *c = library_course(lib, http_param(req, 0));
    perr err = {{0}};
    json_t *progress = c ? progress_by_module(a->db, rc->user->id, &err) : NULL;
    if (!c) app_error(a, req, resp, 404, NULL);
    else if (!progress) app_error(a, req, resp, 500, NULL);
    else {
        json_t *d = learn_view_course(c, progress, NULL);
        json_object_set_new(d, "intro_html", json_string(c->intro_html));
        json_t *titles = skills_competency_titles(a->db, rc->locale);
        name_list(json_object_get(d, "modules"), titles);
        json_decref(titles);
        app_render(a, req, resp, 200, "courses/course", "learn.course.title",
                   json_pack("{s:o, s:s}", "course", d, "page_title", c->title));
    }
    json_decref(progress);
    app_library_release(a, lib);
}

/* True when name is a plain folder name inside a course (letters, digits, - and _). */
static bool plain_name(const char *s) {
    if (!s || !*s || *s == '.' || strlen(s) > 64) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static void asset(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_course *c = library_course(lib, http_param(req, 0));
    const char *sub = req->nparams == 3 ? http_param(req, 1) : NULL;
    const char *file = http_param(req, req->nparams - 1);
    const char *mime = NULL;
    buf path = BUF_INIT;
    struct stat st;
    FILE *fp = NULL;
    if (!c || (sub && !plain_name(sub)) || !library_asset_type(file, &mime)) goto not_found;
    if (sub) {
        buf_printf(&path, "%s/%s", c->dir, sub);
        if (lstat(path.data, &st) != 0 || !S_ISDIR(st.st_mode)) goto not_found; /* no symlinked folders */
        buf_reset(&path);
        buf_printf(&path, "%s/%s/%s", c->dir, sub, file);
    } else {
        buf_printf(&path, "%s/%s", c->dir, file);
    }
    if (lstat(path.data, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)ASSET_MAX_BYTES) goto not_found;
    if (!(fp = fopen(path.data, "rb"))) goto not_found;
    buf_reset(&resp->body);
    buf_reserve(&resp->body, (size_t)st.st_size);
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) buf_append(&resp->body, chunk, n);
    fclose(fp);
    resp->status = 200;
    resp->content_type = mime;
    http_resp_header(resp, "Cache-Control", "private, max-age=3600");
    buf_free(&path);
    app_library_release(a, lib);
    return;
not_found:
    buf_free(&path);
    app_library_release(a, lib);
    app_error(a, req, resp, 404, NULL);
}

static void api_courses(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    filters f;
    json_t *progress;
    api_page pg;
    if (!api_page_read(a, req, resp, &pg)) return;
    /* ?page=N (pages of CATALOG_PAGE, as the catalog page) unless limit or cursor is given */
    bool paged = http_query(req, "limit") || http_query(req, "cursor");
    if (!prepare(a, req, resp, false, &f, &progress)) return; /* courses in library order: no ranking */
    learn_library *lib = app_library_acquire(a);
    int page = page_number(req);
    if (!paged) pg = (api_page){(size_t)(page - 1) * CATALOG_PAGE, CATALOG_PAGE};
    size_t total = 0;
    json_t *courses = catalog_courses(lib, progress, &f, pg.offset, pg.limit, &total);
    json_t *out = json_pack("{s:o, s:i, s:i, s:i}", "courses", courses, "total", (int)total, "page", page,
                            "per_page", (int)pg.limit);
    api_page_next(out, &pg, total > pg.offset + pg.limit);
    app_json(resp, 200, out);
    app_library_release(a, lib);
    json_decref(f.hits);
    json_decref(f.ranked);
    json_decref(progress);
}

static void api_progress(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *rc = app_ctx(req);
    api_page pg;
    if (!api_page_read(a, req, resp, &pg)) return;
    perr err = {{0}};
    learn_library *lib = app_library_acquire(a);
    bool txn = store_read_begin(a->db, NULL);
    json_t *progress = progress_by_module(a->db, rc->user->id, &err);
    json_t *next = progress ? learn_continue(a->db, lib, rc->user->id) : NULL;
    if (txn) store_read_end(a->db);
    if (!progress) {
        app_library_release(a, lib);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    json_t *courses = json_array();
    for (size_t i = 0; i < lib->ncourses; i++) {
        int percent, left;
        progress_course(lib->courses[i], progress, &percent, &left);
        json_array_append_new(courses, json_pack("{s:s, s:s, s:i, s:i, s:i}", "slug", lib->courses[i]->slug, "title",
                                                 lib->courses[i]->title, "percent", percent, "minutes_left", left,
                                                 "modules", (int)lib->courses[i]->nmodules));
    }
    app_library_release(a, lib);
    json_t *out = json_pack("{s:o, s:o, s:o}", "modules", progress, "courses", courses, "continue",
                            next ? next : json_null());
    api_page_apply(out, "courses", &pg);
    app_json(resp, 200, out);
}

void courses_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/courses", catalog_page, 0, ROUTE_CACHE, 0});
    http_router_add(r, (http_route){HTTP_GET, "/courses/{slug}", course_page, 0, ROUTE_CACHE, 0});
    http_router_add(r, (http_route){HTTP_GET, "/courses/{slug}/assets/{file}", asset, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/courses/{slug}/assets/{dir}/{file}", asset, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/courses", api_courses, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/progress", api_progress, 0, 0, 0});
    learn_player_routes(r);
}
