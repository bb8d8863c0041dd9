/* SPDX-License-Identifier: EUPL-1.2 */
/* Training paths: the editor pages (/paths: list, create, edit, copy, assign) and the
 * paths API (GET|POST /api/v1/paths, GET|PUT /api/v1/paths/{id},
 * POST /api/v1/paths/{id}/assignments). The dashboards live in paths_team.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "handlers/api_page.h"
#include "handlers/app.h"
#include "handlers/datefmt.h"
#include "handlers/paths_team.h"
#include "paths/assign.h"
#include "paths/dashboard.h"
#include "paths/path.h"
#include "people/audit.h"
#include "people/unit.h"
#include "skills/passport_view.h"

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

/* The picker's targets: one select "target_<code>" per competency, its value the level
 * aimed at ("" or "0": not aimed at). */
static void read_picked_targets(http_req *req, path_form *f) {
    for (size_t i = 0; i < req->nform && !f->error; i++) {
        const char *name = req->form[i].name, *v = req->form[i].value;
        if (strncmp(name, "target_", 7) || !v || !*v || !strcmp(v, "0")) continue;
        if (strlen(name + 7) >= sizeof f->targets[0].code) {
            f->error = "paths.error.target";
        } else if (f->ntargets == PATH_MAX_TARGETS) {
            f->error = "paths.error.too_many";
        } else {
            char *end = NULL;
            long level = strtol(v, &end, 10);
            snprintf(f->targets[f->ntargets].code, sizeof f->targets[0].code, "%s", name + 7);
            f->targets[f->ntargets++].level = *end || level < 1 || level > 8 ? -1 : (int)level;
        }
    }
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
        read_picked_targets(req, f);
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
    size_t ntext = 0; /* the "CRCN-4.1@2, …" text, after the levels picked in the form */
    if (f->targets_text && !f->error &&
        !path_targets_parse(f->targets_text, f->targets + f->ntargets, PATH_MAX_TARGETS - f->ntargets, &ntext, &err))
        f->error = err.msg[0] && !strcmp(err.msg, "paths.error.too_many") ? "paths.error.too_many"
                                                                         : "paths.error.bad_target";
    f->ntargets += ntext;
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

/* The level aimed at for code: from the form read back (f), else the stored path; 0 when
 * none. */
static int picked_level(const path_form *f, const json_t *path, const char *code) {
    if (f) {
        for (size_t k = 0; k < f->ntargets; k++)
            if (!strcmp(f->targets[k].code, code)) return f->targets[k].level;
        return 0;
    }
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(path, "targets"), i, t)
        if (!strcmp(json_string_value(json_object_get(t, "code")), code))
            return (int)json_integer_value(json_object_get(t, "level"));
    return 0;
}

/* The target picker: [{code, name, open, areas [{title, competencies [{code, title,
 * level}]}]}], one framework after another, each competency with the level aimed at
 * (0: none). A framework is open when it is the first or has a level picked. */
static json_t *target_picker(app *a, http_req *req, const path_form *f, const json_t *path) {
    json_t *fws = passport_view_frameworks(a->db, "", NULL), *fw;
    json_t *out = json_array();
    size_t i;
    json_array_foreach(fws, i, fw) {
        const char *code = json_string_value(json_object_get(fw, "code"));
        json_t *list = passport_view_competencies(a->db, code, app_ctx(req)->locale, NULL), *c;
        json_t *areas = json_array(), *area = NULL;
        bool open = i == 0;
        size_t k;
        json_array_foreach(list, k, c) {
            const char *ccode = json_string_value(json_object_get(c, "code"));
            const char *atitle = json_string_value(json_object_get(c, "area_title"));
            if (!area || strcmp(json_string_value(json_object_get(area, "title")), atitle)) {
                area = json_pack("{s:s, s:[]}", "title", atitle, "competencies");
                json_array_append_new(areas, area);
            }
            int level = picked_level(f, path, ccode);
            if (level) open = true;
            json_array_append_new(json_object_get(area, "competencies"),
                                  json_pack("{s:s, s:s, s:i}", "code", ccode, "title",
                                            json_string_value(json_object_get(c, "title")), "selected_level", level));
        }
        json_decref(list);
        json_array_append_new(out, json_pack("{s:s, s:O, s:b, s:o}", "code", code, "name", json_object_get(fw, "name"),
                                             "open", open, "areas", areas));
    }
    json_decref(fws);
    return out;
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
    json_object_set_new(d, "frameworks", target_picker(a, req, f, path));
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

/* True when groups (of add_candidates) list the agent id. */
static bool listed(json_t *groups, json_int_t id) {
    size_t i, k;
    json_t *g, *v;
    json_array_foreach(groups, i, g) json_array_foreach(json_object_get(g, "agents"), k, v)
        if (json_integer_value(json_object_get(v, "id")) == id) return true;
    return false;
}

/* A refused form's ticks that the list does not show (beyond its first
 * ASSIGN_CANDIDATES_MAX agents, or outside its filter): a group of those agents, ticked,
 * so that the next submission keeps them; NULL when there are none. */
static json_t *kept_ticks(app *a, http_req *req, json_t *groups) {
    json_t *agents = json_array();
    size_t i, k;
    json_t *v;
    for (i = 0; i < req->nform; i++) {
        if (strcmp(req->form[i].name, "user")) continue;
        json_int_t id = (json_int_t)atoll(req->form[i].value);
        bool seen = listed(groups, id);
        json_array_foreach(agents, k, v) if (json_integer_value(json_object_get(v, "id")) == id) seen = true;
        json_t *agent = seen ? NULL : assign_candidate(a->db, app_ctx(req)->user, id);
        if (!agent) continue;
        json_object_set_new(agent, "checked", json_true());
        json_array_append_new(agents, agent);
    }
    if (!json_array_size(agents)) {
        json_decref(agents);
        return NULL;
    }
    return json_pack("{s:I, s:s, s:o}", "unit_id", (json_int_t)-1, "unit", app_t(a, req, "paths.assign.kept"), "agents",
                     agents);
}

/* The agents the assign form lists: those of the "find" form (GET unit, q) grouped by
 * unit, [{unit, agents [{id, name, email, checked}]}], and in d "find" {unit, q} and
 * "cut" (more than ASSIGN_CANDIDATES_MAX matched). units: the units in scope. */
static void add_candidates(app *a, http_req *req, json_t *d, json_t *units) {
    const char *q = http_query(req, "q"), *u = http_query(req, "unit");
    long long unit = u ? atoll(u) : 0;
    json_t *list = assign_candidates(a->db, app_ctx(req)->user, unit, q, NULL), *groups = json_array(), *g = NULL;
    if (!list) list = json_array();
    bool cut = json_array_size(list) > ASSIGN_CANDIDATES_MAX;
    if (cut) json_array_remove(list, ASSIGN_CANDIDATES_MAX);
    size_t i, k;
    json_t *v, *w;
    json_array_foreach(list, i, v) {
        long long uid = json_integer_value(json_object_get(v, "unit_id"));
        if (!g || json_integer_value(json_object_get(g, "unit_id")) != uid) {
            const char *path = "—";
            json_array_foreach(units, k, w) if (json_integer_value(json_object_get(w, "id")) == uid)
                path = json_string_value(json_object_get(w, "path"));
            g = json_pack("{s:I, s:s, s:[]}", "unit_id", (json_int_t)uid, "unit", path, "agents");
            json_array_append_new(groups, g);
        }
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(v, "id")));
        bool checked = false;
        for (k = 0; k < req->nform; k++)
            if (!strcmp(req->form[k].name, "user") && !strcmp(req->form[k].value, id)) checked = true;
        json_object_set_new(v, "checked", json_boolean(checked));
        json_array_append(json_object_get(g, "agents"), v);
    }
    json_decref(list);
    json_t *kept = kept_ticks(a, req, groups);
    if (kept) json_array_insert_new(groups, 0, kept);
    json_object_set_new(d, "candidates", groups);
    json_object_set_new(d, "cut", json_boolean(cut));
    json_object_set_new(d, "find", json_pack("{s:I, s:s, s:b}", "unit", (json_int_t)unit, "q", q ? q : "", "active",
                                             (q && *q) || unit > 0));
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
    json_array_foreach(mine, i, v) datefmt_add(json_object_get(v, "assignment"), c->locale, "due_on", "due_text");
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
    add_candidates(a, req, d, json_object_get(d, "units"));
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
 * "emails" text (commas, semicolons, spaces or lines between). An email that is unknown,
 * or not an active agent in the requester's scope (the same answer, so that the form
 * cannot tell whether an address exists): false with *bad_email (caller frees) set. */
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
    } else if (!req->json) {
        if (http_form(req, "emails")) buf_puts(&text, http_form(req, "emails"));
        for (size_t i = 0; i < req->nform; i++) { /* the agents ticked in the list */
            if (strcmp(req->form[i].name, "user")) continue;
            char *end = NULL;
            long long id = strtoll(req->form[i].value, &end, 10);
            if (*n == cap) *ids = xrealloc(*ids, (cap = cap ? cap * 2 : 16) * sizeof **ids);
            (*ids)[(*n)++] = *end || id <= 0 ? -1 : id;
        }
    }
    bool ok = true;
    char *save = NULL, *list = buf_detach(&text); /* never NULL */
    for (char *tok = strtok_r(list, " ,;\r\n\t", &save); tok && ok; tok = strtok_r(NULL, " ,;\r\n\t", &save)) {
        account *acc = account_by_email(a->db, tok, NULL);
        const account *by = app_ctx(req)->user;
        if (acc && (acc->disabled || !(acc->roles & ROLE_AGENT) ||
                    (!(by->roles & (ROLE_HR | ROLE_ADMIN)) && !assign_unit_in_scope(a->db, by, acc->unit_id)))) {
            account_free(acc); /* out of reach: answered exactly as an unknown address */
            acc = NULL;
        }
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
        text = app_tf(a, req, "privacy.assign_email", args);
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
    static const char path_json[] = "modules:array targets:string|array";
    static const char assign_json[] = "users:array emails:array unit_id:integer include_later:boolean";
    http_router_json(r, HTTP_POST, "/paths", path_json);
    http_router_json(r, HTTP_POST, "/paths/{id}", path_json);
    http_router_json(r, HTTP_POST, "/api/v1/paths", path_json);
    http_router_json(r, HTTP_PUT, "/api/v1/paths/{id}", path_json);
    http_router_json(r, HTTP_POST, "/paths/{id}/assign", assign_json);
    http_router_json(r, HTTP_POST, "/api/v1/paths/{id}/assignments", assign_json);
    paths_team_routes(r);
}
