/* Training paths: the editor pages (/paths: list, create, edit, copy, assign) and the
 * paths API (GET|POST /api/v1/paths, GET|PUT /api/v1/paths/{id},
 * POST /api/v1/paths/{id}/assignments). The dashboards live in paths_team.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "handlers/api_page.h"
#include "handlers/app.h"
#include "handlers/paths_team.h"
#include "paths/assign.h"
#include "paths/dashboard.h"
#include "paths/path.h"
#include "people/audit.h"
#include "people/unit.h"

#define EDITORS (ROLE_MANAGER | ROLE_HR | ROLE_ADMIN)
#define FORM_MAX (256 * 1024)

int paths_http_status(paths_status ps) {
    switch (ps) {
    case PATHS_OK: return 200;
    case PATHS_INVALID: return 422;
    case PATHS_FORBIDDEN: return 403;
    case PATHS_NOT_FOUND: return 404;
    default: return 500;
    }
}

/* A path as read from a form or a JSON body; the strings point into the request. */
typedef struct path_form {
    const char *modules[PATH_MAX_MODULES];
    long order[PATH_MAX_MODULES];
    size_t nmodules;
    path_target targets[PATH_MAX_TARGETS];
    size_t ntargets;
    const char *targets_text;
    const char *error; /* i18n key of a problem found while reading */
    path_input in;
} path_form;

static void add_module(path_form *f, const char *id, long order) {
    if (f->nmodules == PATH_MAX_MODULES) {
        f->error = "paths.error.too_many";
        return;
    }
    f->order[f->nmodules] = order;
    f->modules[f->nmodules++] = id;
}

/* Reads title, description, modules and targets from a JSON body or a form: checkboxes
 * "module" with optional "order_<id>" numbers (ties keep the catalogue order). */
static void read_path_form(http_req *req, path_form *f) {
    memset(f, 0, sizeof *f);
    perr err = {{0}};
    if (req->json) {
        json_t *mods = json_object_get(req->json, "modules"), *v;
        size_t i;
        json_array_foreach(mods, i, v) {
            if (json_is_string(v)) add_module(f, json_string_value(v), (long)i);
            else f->error = "paths.error.module";
        }
        json_t *t = json_object_get(req->json, "targets");
        if (json_is_string(t)) {
            f->targets_text = json_string_value(t);
        } else if (json_is_array(t)) {
            json_array_foreach(t, i, v) {
                const char *code = json_string_value(json_object_get(v, "code"));
                json_t *lv = json_object_get(v, "level");
                if (!code || !json_is_integer(lv) || strlen(code) >= sizeof f->targets[0].code) {
                    f->error = "paths.error.target";
                    break;
                }
                if (f->ntargets == PATH_MAX_TARGETS) {
                    f->error = "paths.error.too_many";
                    break;
                }
                snprintf(f->targets[f->ntargets].code, sizeof f->targets[0].code, "%s", code);
                f->targets[f->ntargets++].level = (int)json_integer_value(lv);
            }
        }
    } else {
        for (size_t i = 0; i < req->nform; i++) {
            if (strcmp(req->form[i].name, "module")) continue;
            char name[96];
            snprintf(name, sizeof name, "order_%s", req->form[i].value);
            const char *o = http_form(req, name);
            long order = o && *o ? strtol(o, NULL, 10) : 1000;
            add_module(f, req->form[i].value, order * 1000 + (long)f->nmodules);
        }
        f->targets_text = http_form(req, "targets");
        /* stable order by the numbers the user typed */
        for (size_t i = 1; i < f->nmodules; i++)
            for (size_t j = i; j > 0 && f->order[j] < f->order[j - 1]; j--) {
                long to = f->order[j];
                f->order[j] = f->order[j - 1];
                f->order[j - 1] = to;
                const char *tm = f->modules[j];
                f->modules[j] = f->modules[j - 1];
                f->modules[j - 1] = tm;
            }
    }
    if (f->targets_text && !f->error &&
        !path_targets_parse(f->targets_text, f->targets, PATH_MAX_TARGETS, &f->ntargets, &err))
        f->error = err.msg[0] && !strcmp(err.msg, "paths.error.too_many") ? "paths.error.too_many"
                                                                         : "paths.error.bad_target";
    f->in = (path_input){http_input(req, "title"), http_input(req, "description"), f->modules, f->nmodules,
                         f->targets, f->ntargets};
}

/* The message for err after a failed path operation: the module named when it is the
 * culprit. A new string the caller frees. */
static char *path_error_text(app *a, http_req *req, const char *key, const char *bad_module) {
    if (bad_module && !strcmp(key, "paths.error.module")) {
        json_t *args = json_pack("[s]", bad_module);
        char *t = app_tf(a, req, "paths.error.module_named", args);
        json_decref(args);
        return t;
    }
    return xstrdup(app_t(a, req, key));
}

/* True when the user may change path id (its owner, HR or admin). */
static bool can_edit(const account *u, long long owner) {
    return (u->roles & (ROLE_HR | ROLE_ADMIN)) || owner == u->id;
}

static json_t *targets_text_of(const json_t *path) {
    buf b = BUF_INIT;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(path, "targets"), i, t)
        buf_printf(&b, "%s%s@%d", i ? ", " : "", json_string_value(json_object_get(t, "code")),
                   (int)json_integer_value(json_object_get(t, "level")));
    json_t *v = json_string(buf_cstr(&b));
    buf_free(&b);
    return v;
}

/* ---- pages ---------------------------------------------------------------------------- */

static void list_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    app_render(a, req, resp, 200, "paths/list", "paths.list.title",
               json_pack("{s:o, s:b}", "paths", path_list(a->db), "copied", http_query(req, "copied") != NULL));
}

/* The editor: path (may be NULL: a new one), the form read back after an error (may be
 * NULL), error text (may be NULL). */
static void form_page(app *a, http_req *req, http_resp *resp, int status, json_t *path, const path_form *f,
                      const char *error) {
    json_t *choices = path_module_choices(a->db);
    size_t i;
    json_t *c;
    json_array_foreach(choices, i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        long pos = 0;
        if (f) {
            for (size_t k = 0; k < f->nmodules; k++)
                if (!strcmp(f->modules[k], id)) pos = (long)k + 1;
        } else if (path) {
            size_t k;
            json_t *m;
            json_array_foreach(json_object_get(path, "modules"), k, m)
                if (!strcmp(json_string_value(json_object_get(m, "id")), id)) pos = (long)k + 1;
        }
        json_object_set_new(c, "checked", json_boolean(pos > 0));
        if (pos) json_object_set_new(c, "order", json_integer(pos));
    }
    json_t *d = json_pack("{s:o, s:s?}", "choices", choices, "error", error);
    const char *title = f ? f->in.title : path ? json_string_value(json_object_get(path, "title")) : "";
    const char *desc = f ? f->in.description : path ? json_string_value(json_object_get(path, "description")) : "";
    json_object_set_new(d, "draft", json_pack("{s:s, s:s}", "title", title ? title : "", "description", desc ? desc : ""));
    json_object_set_new(d, "targets_text", f ? json_string(f->targets_text ? f->targets_text : "")
                                              : path ? targets_text_of(path) : json_string(""));
    if (path) json_object_set_new(d, "tpath", path);
    app_render(a, req, resp, status, "paths/form", path ? "paths.edit.title" : "paths.new.title", d);
}

static void new_page(http_req *req, http_resp *resp, void *ctx) {
    form_page(ctx, req, resp, 200, NULL, NULL, NULL);
}

/* Answers a path create or update: the saved path (JSON with ok_status) or a redirect to
 * it; else the error, on the form page again for a form (with the stored path when editing). */
static void respond_saved(app *a, http_req *req, http_resp *resp, paths_status ps, long long id, int ok_status,
                          bool editing, const path_form *f, const char *bad, const perr *err) {
    if (ps == PATHS_OK) {
        if (req->is_api) {
            app_json(resp, ok_status, path_get(a->db, id));
        } else {
            char loc[64];
            snprintf(loc, sizeof loc, "/paths/%lld?saved=1", id);
            http_resp_redirect(resp, loc);
        }
    } else if (ps == PATHS_ERROR) {
        app_error(a, req, resp, 500, err->msg);
    } else {
        char *text = path_error_text(a, req, err->msg, bad);
        if (req->is_api) app_error(a, req, resp, paths_http_status(ps), text);
        else form_page(a, req, resp, paths_http_status(ps), editing ? path_get(a->db, id) : NULL, f, text);
        free(text);
    }
}

static void create_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    path_form f;
    read_path_form(req, &f);
    perr err = {{0}};
    char *bad = NULL;
    long long id = 0;
    paths_status ps = PATHS_INVALID;
    if (f.error) {
        perr_set(&err, "%s", f.error);
    } else if (store_begin(a->db, &err)) {
        ps = path_create(a->db, c->user->id, &f.in, &id, &bad, &err);
        if (ps == PATHS_OK && !audit_add(a->db, c->user->id, "path.create", "path", id, "")) ps = PATHS_ERROR;
        if (ps == PATHS_OK && !store_commit(a->db, &err)) ps = PATHS_ERROR;
        if (ps != PATHS_OK) store_rollback(a->db);
    } else {
        ps = PATHS_ERROR;
    }
    respond_saved(a, req, resp, ps, id, 201, false, &f, bad, &err);
    free(bad);
}

static json_t *units_in_scope(app *a, const account *u) {
    json_t *all = unit_list(a->db, NULL), *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
        if (assign_unit_in_scope(a->db, u, json_integer_value(json_object_get(v, "id"))))
            json_array_append(out, v);
    json_decref(all);
    return out;
}

/* The path page with its assign form; error (may be NULL) about the assign form. */
static void show_page(app *a, http_req *req, http_resp *resp, int status, long long id, const char *error) {
    req_ctx *c = app_ctx(req);
    json_t *p = path_get(a->db, id);
    if (!p) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    json_t *mine = json_array(), *all = dashboard_list(a->db, c->user, clock_now());
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
        if (json_integer_value(json_object_get(json_object_get(v, "assignment"), "path_id")) == id)
            json_array_append(mine, v);
    json_decref(all);
    char today[11];
    clock_date(clock_now(), today);
    const char *due = http_input(req, "due_on"), *msg = http_input(req, "message");
    const char *emails = http_input(req, "emails"), *unit = http_input(req, "unit_id");
    json_t *d = json_pack("{s:o, s:b, s:o, s:o, s:s, s:s?, s:b, s:b, s:{s:s, s:s, s:s, s:s}}", "tpath", p, "can_edit",
                          can_edit(c->user, json_integer_value(json_object_get(p, "owner_id"))), "units",
                          units_in_scope(a, c->user), "assignments", mine, "today", today, "error", error, "saved",
                          http_query(req, "saved") != NULL, "include_later",
                          error ? http_input(req, "include_later") != NULL : true, "draft", "due_on",
                          due ? due : "", "message", msg ? msg : "", "emails", emails ? emails : "", "unit_id",
                          unit ? unit : "");
    app_render(a, req, resp, status, "paths/show", "paths.show.title", d);
}

static void show_get(http_req *req, http_resp *resp, void *ctx) {
    show_page(ctx, req, resp, 200, app_param_id(req, 0), NULL);
}

static void edit_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    json_t *p = path_get(a->db, app_param_id(req, 0));
    if (!p) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    if (!can_edit(app_ctx(req)->user, json_integer_value(json_object_get(p, "owner_id")))) {
        json_decref(p);
        app_error(a, req, resp, 403, "paths.error.not_owner");
        return;
    }
    form_page(a, req, resp, 200, p, NULL, NULL);
}

static void update(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    long long id = app_param_id(req, 0), owner = path_owner(a->db, id);
    if (owner < 0) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    if (!can_edit(c->user, owner)) {
        app_error(a, req, resp, 403, "paths.error.not_owner");
        return;
    }
    path_form f;
    read_path_form(req, &f);
    perr err = {{0}};
    char *bad = NULL;
    paths_status ps = PATHS_INVALID;
    if (f.error) {
        perr_set(&err, "%s", f.error);
    } else if (store_begin(a->db, &err)) {
        ps = path_update(a->db, id, &f.in, &bad, &err);
        if (ps == PATHS_OK && !audit_add(a->db, c->user->id, "path.update", "path", id, "")) ps = PATHS_ERROR;
        if (ps == PATHS_OK && !store_commit(a->db, &err)) ps = PATHS_ERROR;
        if (ps != PATHS_OK) store_rollback(a->db);
    } else {
        ps = PATHS_ERROR;
    }
    respond_saved(a, req, resp, ps, id, 200, true, &f, bad, &err);
    free(bad);
}

static void copy_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    long long id = app_param_id(req, 0), copy = 0;
    json_t *p = path_get(a->db, id);
    if (!p) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    json_t *args = json_pack("[s]", json_string_value(json_object_get(p, "title")));
    char *title = app_tf(a, req, "paths.copy_of", args);
    json_decref(args);
    if (strlen(title) > PATH_MAX_TITLE) { /* too long with the prefix: keep the title as is */
        free(title);
        title = xstrdup(json_string_value(json_object_get(p, "title")));
    }
    json_decref(p);
    perr err = {{0}};
    paths_status ps = PATHS_ERROR;
    if (store_begin(a->db, &err)) {
        ps = path_copy(a->db, id, c->user->id, title, &copy, &err);
        if (ps == PATHS_OK && !audit_add(a->db, c->user->id, "path.copy", "path", copy, "")) ps = PATHS_ERROR;
        if (ps == PATHS_OK && !store_commit(a->db, &err)) ps = PATHS_ERROR;
        if (ps != PATHS_OK) store_rollback(a->db);
    }
    free(title);
    if (ps != PATHS_OK) {
        app_error(a, req, resp, paths_http_status(ps), err.msg);
        return;
    }
    char loc[64];
    snprintf(loc, sizeof loc, "/paths/%lld/edit", copy);
    http_resp_redirect(resp, loc);
}

/* ---- assignments ---------------------------------------------------------------------- */

/* Reads the agents of an assign request: JSON "users" (ids) and "emails", or the form's
 * "emails" text (commas, semicolons, spaces or lines between). Unknown emails: false with
 * *bad_email (owned by the request or static storage of the caller) set. */
static bool read_users(app *a, http_req *req, long long **ids, size_t *n, char **bad_email) {
    *ids = NULL;
    *n = 0;
    *bad_email = NULL;
    size_t cap = 0;
    json_t *emails_json = NULL;
    if (req->json) {
        json_t *u = json_object_get(req->json, "users"), *v;
        size_t i;
        json_array_foreach(u, i, v) {
            if (*n == cap) *ids = xrealloc(*ids, (cap = cap ? cap * 2 : 16) * sizeof **ids);
            (*ids)[(*n)++] = json_is_integer(v) ? json_integer_value(v) : -1;
        }
        emails_json = json_object_get(req->json, "emails");
    }
    buf text = BUF_INIT;
    if (emails_json) {
        size_t i;
        json_t *v;
        json_array_foreach(emails_json, i, v) if (json_is_string(v)) buf_printf(&text, "%s\n", json_string_value(v));
    } else if (!req->json && http_form(req, "emails")) {
        buf_puts(&text, http_form(req, "emails"));
    }
    bool ok = true;
    char *save = NULL, *list = buf_detach(&text); /* never NULL */
    for (char *tok = strtok_r(list, " ,;\r\n\t", &save); tok && ok; tok = strtok_r(NULL, " ,;\r\n\t", &save)) {
        account *acc = account_by_email(a->db, tok, NULL);
        if (!acc) {
            *bad_email = xstrdup(tok);
            ok = false;
            break;
        }
        if (*n == cap) *ids = xrealloc(*ids, (cap = cap ? cap * 2 : 16) * sizeof **ids);
        (*ids)[(*n)++] = acc->id;
        account_free(acc);
    }
    free(list);
    return ok;
}

static void assign_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    long long path_id = app_param_id(req, 0), aid = 0;
    if (path_owner(a->db, path_id) < 0) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    long long *users = NULL;
    size_t nusers = 0, nmembers = 0;
    char *bad_email = NULL, *text = NULL;
    perr err = {{0}};
    paths_status ps = PATHS_INVALID;
    long long unit_id = 0;
    bool later = false;
    if (req->json) {
        json_t *u = json_object_get(req->json, "unit_id");
        unit_id = json_is_integer(u) ? json_integer_value(u) : 0;
        later = json_is_true(json_object_get(req->json, "include_later"));
    } else {
        const char *u = http_form(req, "unit_id");
        unit_id = u ? atoll(u) : 0;
        later = http_form(req, "include_later") != NULL;
    }
    if (!read_users(a, req, &users, &nusers, &bad_email)) {
        json_t *args = json_pack("[s]", bad_email);
        text = app_tf(a, req, "paths.error.email", args);
        json_decref(args);
    } else if (store_begin(a->db, &err)) {
        assign_input in = {path_id, users, nusers, unit_id, later, http_input(req, "due_on"), http_input(req, "message")};
        ps = assign_create(a->db, c->user, &in, clock_now(), &aid, &nmembers, &err);
        if (ps == PATHS_OK && !store_commit(a->db, &err)) ps = PATHS_ERROR;
        if (ps != PATHS_OK) store_rollback(a->db);
        if (ps != PATHS_OK && ps != PATHS_ERROR) text = xstrdup(app_t(a, req, err.msg));
    } else {
        ps = PATHS_ERROR;
    }
    if (ps == PATHS_OK) {
        if (req->is_api) {
            app_json(resp, 201, json_pack("{s:I, s:I, s:I}", "id", (json_int_t)aid, "path_id", (json_int_t)path_id,
                                          "members", (json_int_t)nmembers));
        } else {
            char loc[64];
            snprintf(loc, sizeof loc, "/team/assignments/%lld?assigned=1", aid);
            http_resp_redirect(resp, loc);
        }
    } else if (ps == PATHS_ERROR) {
        app_error(a, req, resp, 500, err.msg);
    } else if (req->is_api) {
        app_error(a, req, resp, paths_http_status(ps), text);
    } else {
        show_page(a, req, resp, paths_http_status(ps), path_id, text);
    }
    free(text);
    free(bad_email);
    free(users);
}

/* ---- API ------------------------------------------------------------------------------ */

static void api_list(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    api_page pg;
    if (!api_page_read(a, req, resp, &pg)) return;
    json_t *out = json_pack("{s:o}", "paths", path_list(a->db));
    api_page_apply(out, "paths", &pg);
    app_json(resp, 200, out);
}

static void api_get(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    json_t *p = path_get(a->db, app_param_id(req, 0));
    if (!p) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    app_json(resp, 200, p);
}

void paths_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/paths", list_page, 0, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_GET, "/paths/new", new_page, 0, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_POST, "/paths", create_post, FORM_MAX, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_GET, "/paths/{id}", show_get, 0, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_POST, "/paths/{id}", update, FORM_MAX, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_GET, "/paths/{id}/edit", edit_page, 0, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_POST, "/paths/{id}/copy", copy_post, 8 * 1024, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_POST, "/paths/{id}/assign", assign_post, FORM_MAX, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/paths", api_list, 0, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/paths", create_post, FORM_MAX, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/paths/{id}", api_get, 0, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_PUT, "/api/v1/paths/{id}", update, FORM_MAX, 0, EDITORS});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/paths/{id}/assignments", assign_post, FORM_MAX, 0, EDITORS});
    paths_team_routes(r);
}
