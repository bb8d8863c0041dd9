/* SPDX-License-Identifier: EUPL-1.2 */
/* Admin pages: accounts (list, search, create, edit, disable, roles, units, password),
 * units (create, rename, move) and the CSV import of users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/app.h"
#include "people/account_link.h"
#include "people/audit.h"
#include "people/import.h"
#include "people/password.h"
#include "people/unit.h"

#define PAGE_SIZE 50

static const char *const role_keys[] = {"agent", "manager", "hr", "admin"};

/* Reads the role checkboxes role_agent, role_manager... of a form. */
static unsigned form_roles(http_req *req) {
    unsigned r = 0;
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "role_%s", role_keys[i]);
        if (http_input(req, name)) r |= 1u << i;
    }
    return r;
}

static json_t *roles_json(unsigned roles) {
    json_t *o = json_object();
    for (int i = 0; i < 4; i++) json_object_set_new(o, role_keys[i], json_boolean(roles & (1u << i)));
    return o;
}

static void users_list(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *q = http_query(req, "q");
    int page = http_query(req, "page") ? atoi(http_query(req, "page")) : 1;
    if (page < 1 || page > 100000) page = 1;
    json_t *users = account_list(a->db, q, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE, NULL);
    bool more = json_array_size(users) > PAGE_SIZE;
    if (more) json_array_remove(users, PAGE_SIZE);
    size_t i;
    json_t *u;
    json_array_foreach(users, i, u) {
        unsigned roles = 0;
        account_roles_parse(json_string_value(json_object_get(u, "roles")), &roles, NULL);
        buf names = BUF_INIT;
        for (int k = 0; k < 4; k++)
            if (roles & (1u << k)) {
                char key[32];
                snprintf(key, sizeof key, "role.%s", role_keys[k]);
                buf_printf(&names, "%s%s", names.len ? ", " : "", app_t(a, req, key));
            }
        json_object_set_new(u, "role_names", json_string(buf_cstr(&names)));
        buf_free(&names);
    }
    app_render(a, req, resp, 200, "admin/users", "admin.users.title",
               json_pack("{s:o, s:s, s:b, s:i, s:i, s:i, s:s?}", "users", users, "q", q ? q : "", "more",
                         more, "page", page, "next_page", page + 1, "prev_page", page - 1, "notice",
                         http_query(req, "done") ? app_t(a, req, "admin.saved") : NULL));
}

/* The unit_id the form posted, when that unit exists; else 0. */
static long long form_unit(app *a, http_req *req) {
    const char *u = http_input(req, "unit_id");
    long long id = u ? atoll(u) : 0;
    return id > 0 && unit_exists(a->db, id) ? id : 0;
}

/* The user form: u (NULL: a new account), its problems: one i18n key (error) or several
 * ({field, key} objects of errors, which may be NULL). Every problem is listed at once,
 * each linked to its field. */
static void user_form_errors(app *a, http_req *req, http_resp *resp, int status, const account *u, const char *error,
                             json_t *errors) {
    if (!errors) errors = json_array();
    if (error) json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "", "key", error));
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
        json_object_set_new(e, "text", json_string(app_t(a, req, json_string_value(json_object_get(e, "key")))));
    json_t *d = json_pack("{s:o, s:o, s:o}", "units", unit_list(a->db, NULL), "roles",
                          roles_json(u ? u->roles : req->nform ? form_roles(req) : ROLE_AGENT), "errors", errors);
    json_object_set_new(d, "error_count", json_integer((json_int_t)json_array_size(errors)));
    json_array_foreach(errors, i, e) { /* which fields to mark invalid */
        const char *f = json_string_value(json_object_get(e, "field"));
        if (*f) json_object_set_new(d, f[0] == 'r' ? "bad_roles" : f[0] == 'e' ? "bad_email" : f[0] == 'n' ? "bad_name" : "bad_password",
                                    json_true());
    }
    if (u) {
        json_object_set_new(d, "user", json_pack("{s:I, s:s, s:s, s:I, s:s, s:b, s:s}", "id", (json_int_t)u->id,
                                                 "email", u->email, "name", u->display_name, "unit_id",
                                                 (json_int_t)u->unit_id, "locale", u->locale, "disabled",
                                                 u->disabled, "state", account_state(u)));
    } else { /* a refused new account: what was posted */
        const char *email = http_input(req, "email"), *name = http_input(req, "name");
        json_object_set_new(d, "draft", json_pack("{s:s, s:s}", "email", email ? email : "", "name", name ? name : ""));
    }
    const char *locale = http_input(req, "locale");
    json_object_set_new(d, "selected_unit", json_integer((json_int_t)(u ? u->unit_id : form_unit(a, req))));
    json_object_set_new(d, "selected_locale", json_string(u ? u->locale : locale && !strcmp(locale, "en") ? "en" : "fr"));
    app_render(a, req, resp, status, "admin/user_form", u ? "admin.user.edit" : "admin.user.new", d);
}

static void user_form(app *a, http_req *req, http_resp *resp, int status, const account *u, const char *error) {
    user_form_errors(a, req, resp, status, u, error, NULL);
}

/* Appends {field, key} to errors. */
static void add_error(json_t *errors, const char *field, const char *key) {
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "key", key));
}

static void user_new(http_req *req, http_resp *resp, void *ctx) {
    user_form(ctx, req, resp, 200, NULL, NULL);
}

static void user_create(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    const char *email = http_input(req, "email"), *name = http_input(req, "name");
    const char *password = http_input(req, "password"), *locale = http_input(req, "locale");
    unsigned roles = form_roles(req);
    perr err = {{0}};
    json_t *errors = json_array(); /* every problem of the form, reported together */
    char norm[255];
    if (!email || !account_email_normalize(email, norm)) {
        add_error(errors, "email", "account.bad_email");
    } else {
        account *other = account_by_email(a->db, norm, NULL);
        if (other) add_error(errors, "email", "account.duplicate_email");
        account_free(other);
    }
    if (!name || !account_name_valid(name)) add_error(errors, "name", "account.bad_name");
    if (!roles) add_error(errors, "roles", "admin.user.no_role");
    if (password && *password && !password_acceptable(password, email, &err)) add_error(errors, "password", err.msg);
    if (json_array_size(errors)) {
        user_form_errors(a, req, resp, 422, NULL, NULL, errors);
        return;
    }
    json_decref(errors);
    char *hash = password && *password ? password_hash(password, password_cost_default(), &err) : NULL;
    long long id = 0;
    if (locale && strcmp(locale, "en")) locale = "fr";
    if (!store_begin(a->db, &err)) goto fail;
    if (!account_create(a->db, email ? email : "", name ? name : "", form_unit(a, req), roles, locale, hash, &id, &err)) {
        store_rollback(a->db);
        if (strncmp(err.msg, "account.", 8)) goto fail; /* the store's, not the input's */
        free(hash);
        user_form(a, req, resp, 422, NULL, err.msg);
        return;
    }
    char roles_s[32];
    account_roles_format(roles, roles_s);
    audit_add(a->db, c->user->id, "user.create", "user", id, roles_s);
    /* no password typed: the person chooses one from an invitation e-mail */
    if (!hash && (!account_invite(a->db, id, &err) || !audit_add(a->db, c->user->id, "user.invite", "user", id, ""))) {
        store_rollback(a->db);
        goto fail;
    }
    if (!store_commit(a->db, &err)) goto fail;
    free(hash);
    http_resp_redirect(resp, "/admin/users?done=1");
    return;
fail:
    free(hash);
    app_error(a, req, resp, 500, err.msg);
}

static void user_edit(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    account *u = account_get(a->db, app_param_id(req, 0), NULL);
    if (!u) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    user_form(a, req, resp, 200, u, NULL);
    account_free(u);
}

static void user_update(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    account *u = account_get(a->db, app_param_id(req, 0), NULL);
    perr err = {{0}};
    char *hash = NULL;
    if (!u) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    const char *name = http_input(req, "name"), *password = http_input(req, "password");
    const char *locale = http_input(req, "locale");
    unsigned roles = form_roles(req);
    bool disabled = http_input(req, "disabled") != NULL;
    json_t *errors = json_array(); /* every problem of the form, reported together */
    if (!name || !account_name_valid(name)) add_error(errors, "name", "account.bad_name");
    if (!roles) add_error(errors, "roles", "admin.user.no_role");
    else if (u->id == c->user->id && (!(roles & ROLE_ADMIN) || disabled)) add_error(errors, "", "admin.user.self_lockout");
    if (password && *password && !password_acceptable(password, u->email, &err)) add_error(errors, "password", err.msg);
    if (json_array_size(errors)) {
        user_form_errors(a, req, resp, 422, u, NULL, errors);
        goto done;
    }
    json_decref(errors);
    if (password && *password) {
        hash = password_hash(password, password_cost_default(), &err);
        if (!hash) goto fail;
    }
    if (locale && strcmp(locale, "en")) locale = "fr";
    if (!store_begin(a->db, &err)) goto fail;
    /* what the account is now, read inside the transaction (a change committed meanwhile,
     * by the command line say, is compared against, not undone) */
    account *now = account_get(a->db, u->id, NULL);
    if (!now) {
        store_rollback(a->db);
        app_error(a, req, resp, 404, NULL);
        goto done;
    }
    account_free(u);
    u = now;
    if (!account_update(a->db, u->id, name ? name : "", form_unit(a, req), roles, locale, &err)) {
        store_rollback(a->db);
        if (strncmp(err.msg, "account.", 8)) goto fail; /* the store's, not the input's */
        user_form(a, req, resp, 422, u, err.msg);
        goto done;
    }
    if (roles != u->roles) {
        char detail[80], from[32], to[32];
        account_roles_format(u->roles, from);
        account_roles_format(roles, to);
        snprintf(detail, sizeof detail, "%s -> %s", from, to);
        audit_add(a->db, c->user->id, "user.roles", "user", u->id, detail);
    }
    if (disabled != u->disabled) {
        if (!account_set_disabled(a->db, u->id, disabled, &err)) { /* disabling ends sessions and tokens */
            store_rollback(a->db);
            goto fail;
        }
        audit_add(a->db, c->user->id, disabled ? "user.disable" : "user.enable", "user", u->id, "");
    }
    if (hash) { /* the account's other sessions end and its API tokens stop (the admin's own
                 * session stays when they change their own password here) */
        if (!account_set_password(a->db, u->id, hash, &err) ||
            !account_end_access(a->db, u->id, u->id == c->user->id ? http_cookie(req, "pp_session") : NULL, &err)) {
            store_rollback(a->db);
            goto fail;
        }
        audit_add(a->db, c->user->id, "user.password", "user", u->id, "");
    }
    audit_add(a->db, c->user->id, "user.update", "user", u->id, "");
    if (!store_commit(a->db, &err)) goto fail;
    http_resp_redirect(resp, "/admin/users?done=1");
    goto done;
fail:
    app_error(a, req, resp, 500, err.msg);
done:
    free(hash);
    account_free(u);
}

/* Sends a new invitation to an account that has no password yet (the old link stops). */
static void user_invite(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    account *u = account_get(a->db, app_param_id(req, 0), NULL);
    perr err = {{0}};
    if (!u) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    if (strcmp(account_state(u), "invited")) {
        user_form(a, req, resp, 422, u, "identity.invite.not_invited");
        account_free(u);
        return;
    }
    bool ok = store_begin(a->db, &err);
    if (ok) {
        ok = account_invite(a->db, u->id, &err) &&
             audit_add(a->db, app_ctx(req)->user->id, "user.invite", "user", u->id, "again");
        if (ok) ok = store_commit(a->db, &err);
        else store_rollback(a->db);
    }
    account_free(u);
    if (!ok) app_error(a, req, resp, 500, err.msg);
    else http_resp_redirect(resp, "/admin/users?done=invited");
}

static void units_page(app *a, http_req *req, http_resp *resp, int status, const char *error) {
    app_render(a, req, resp, status, "admin/units", "admin.units.title",
               json_pack("{s:o, s:s?, s:s?}", "units", unit_list(a->db, NULL), "error",
                         error ? app_t(a, req, error) : NULL, "notice",
                         http_query(req, "done")      ? app_t(a, req, "admin.saved")
                         : http_query(req, "deleted") ? app_t(a, req, "roles.unit.deleted")
                                                      : NULL));
}

static void units_list(http_req *req, http_resp *resp, void *ctx) {
    units_page(ctx, req, resp, 200, NULL);
}

/* The edit page of unit id (rename, move, delete); error (an i18n key, may be NULL)
 * with args (may be NULL) for the message; the form's values are read back after one. */
static void unit_page(app *a, http_req *req, http_resp *resp, int status, long long id, const char *error,
                      json_t *args) {
    json_t *all = unit_list(a->db, NULL), *unit = NULL, *parents = json_array(), *v;
    size_t i;
    json_array_foreach(all, i, v) if (json_integer_value(json_object_get(v, "id")) == id) unit = v;
    if (!unit) {
        json_decref(all);
        json_decref(parents);
        json_decref(args);
        app_error(a, req, resp, 404, NULL);
        return;
    }
    json_array_foreach(all, i, v) { /* the places it can move to: not itself nor below itself */
        long long uid = json_integer_value(json_object_get(v, "id"));
        if (!unit_in_subtree(a->db, id, uid)) json_array_append(parents, v);
    }
    long long children = 0;
    json_array_foreach(all, i, v) if (json_integer_value(json_object_get(v, "parent_id")) == id) children++;
    const char *name = http_input(req, "name"), *parent = http_input(req, "parent_id");
    char *message = error ? app_tf(a, req, error, args) : NULL;
    json_t *d = json_pack("{s:O, s:o, s:I, s:s?, s:s, s:s}", "unit", unit, "parents", parents, "children",
                          (json_int_t)children, "error", message, "name",
                          error && name ? name : json_string_value(json_object_get(unit, "name")), "parent_id",
                          error && parent ? parent : "");
    if (!error) json_object_set(d, "parent_id", json_object_get(unit, "parent_id"));
    json_object_set_new(d, "empty", json_boolean(!children && !json_integer_value(json_object_get(unit, "members"))));
    free(message);
    json_decref(args);
    json_decref(all);
    app_render(a, req, resp, status, "admin/unit", "roles.unit.title", d);
}

static void unit_get(http_req *req, http_resp *resp, void *ctx) {
    unit_page(ctx, req, resp, 200, app_param_id(req, 0), NULL, NULL);
}

/* The path of unit id ("Direction / Service"), or "" (new string the caller frees). */
static char *unit_path_of(app *a, long long id) {
    json_t *all = unit_list(a->db, NULL), *v;
    size_t i;
    char *out = NULL;
    json_array_foreach(all, i, v) if (json_integer_value(json_object_get(v, "id")) == id)
        out = xstrdup(json_string_value(json_object_get(v, "path")));
    json_decref(all);
    return out ? out : xstrdup("");
}

static void unit_save(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    long long id = app_param_id(req, 0);
    bool editing = http_param(req, 0) != NULL;
    const char *name = http_input(req, "name"), *parent = http_input(req, "parent_id");
    long long parent_id = parent ? atoll(parent) : 0;
    perr err = {{0}};
    if (editing && !unit_exists(a->db, id)) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    if (!store_begin(a->db, &err)) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    bool ok = editing ? unit_update(a->db, id, name, parent_id, &err) : unit_create(a->db, name, parent_id, &id, &err);
    if (!ok) {
        store_rollback(a->db);
        const char *key = err.msg[0] ? err.msg : "unit.unknown";
        if (!editing) {
            units_page(a, req, resp, 422, key);
        } else if (!strcmp(key, "unit.cycle")) { /* names both units: which move was refused, and why */
            char *from = unit_path_of(a, id), *to = unit_path_of(a, parent_id);
            unit_page(a, req, resp, 422, id, parent_id == id ? "roles.unit.cycle_self" : "roles.unit.cycle",
                      json_pack("[s, s]", from, to));
            free(from);
            free(to);
        } else {
            unit_page(a, req, resp, 422, id, key, NULL);
        }
        return;
    }
    audit_add(a->db, c->user->id, editing ? "unit.update" : "unit.create", "unit", id, name);
    if (!store_commit(a->db, &err)) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    http_resp_redirect(resp, "/admin/units?done=1");
}

static void unit_delete_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    long long id = app_param_id(req, 0);
    if (!unit_exists(a->db, id)) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    char *path = unit_path_of(a, id);
    perr err = {{0}};
    if (!store_begin(a->db, &err)) goto fail;
    if (!unit_delete(a->db, id, &err)) {
        store_rollback(a->db);
        if (strncmp(err.msg, "unit.", 5)) goto fail;
        unit_page(a, req, resp, 409, id, !strcmp(err.msg, "unit.has_units") ? "roles.unit.has_units" : "roles.unit.has_people",
                  json_pack("[s]", path));
        free(path);
        return;
    }
    audit_add(a->db, app_ctx(req)->user->id, "unit.delete", "unit", id, path);
    if (!store_commit(a->db, &err)) goto fail;
    free(path);
    http_resp_redirect(resp, "/admin/units?deleted=1");
    return;
fail:
    free(path);
    app_error(a, req, resp, 500, err.msg);
}

static void import_page(http_req *req, http_resp *resp, void *ctx) {
    app_render(ctx, req, resp, 200, "admin/import", "admin.import.title", json_object());
}

static void import_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    const http_file *f = http_file_get(req, "file");
    if (!f || !f->len) {
        app_render(a, req, resp, 422, "admin/import", "admin.import.title",
                   json_pack("{s:s}", "error", app_t(a, req, "admin.import.no_file")));
        return;
    }
    import_result r;
    perr err = {{0}};
    if (!import_users(a->db, f->data, f->len, c->user->id, &r, &err)) {
        json_decref(r.problems);
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    size_t i;
    json_t *pb;
    json_array_foreach(r.problems, i, pb) {
        char *text = app_tf(a, req, json_string_value(json_object_get(pb, "key")), json_object_get(pb, "args"));
        json_object_set_new(pb, "message", json_string(text));
        free(text);
    }
    app_render(a, req, resp, r.applied ? 200 : 422, "admin/import", "admin.import.title",
               json_pack("{s:b, s:i, s:i, s:i, s:o}", "applied", r.applied, "created", r.created,
                         "updated", r.updated, "units_created", r.units_created, "problems", r.problems));
}

void admin_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/admin/users", users_list, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_GET, "/admin/users/new", user_new, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/users", user_create, 16 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_GET, "/admin/users/{id}", user_edit, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/users/{id}", user_update, 16 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/users/{id}/invite", user_invite, 8 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_GET, "/admin/units", units_list, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/units", unit_save, 8 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/units/{id}", unit_save, 8 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_GET, "/admin/units/{id}", unit_get, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/units/{id}/delete", unit_delete_post, 4 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_GET, "/admin/import", import_page, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/import", import_post, IMPORT_MAX_BYTES + 64 * 1024, 0, ROLE_ADMIN});
}
