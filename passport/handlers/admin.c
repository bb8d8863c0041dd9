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

static void user_form(app *a, http_req *req, http_resp *resp, int status, const account *u,
                      const char *error) {
    json_t *d = json_pack("{s:o, s:o, s:s?}", "units", unit_list(a->db, NULL), "roles",
                          roles_json(u ? u->roles : ROLE_AGENT), "error", error ? app_t(a, req, error) : NULL);
    if (u) {
        json_object_set_new(d, "user", json_pack("{s:I, s:s, s:s, s:I, s:s, s:b, s:s}", "id", (json_int_t)u->id,
                                                 "email", u->email, "name", u->display_name, "unit_id",
                                                 (json_int_t)u->unit_id, "locale", u->locale, "disabled",
                                                 u->disabled, "state", account_state(u)));
    } else {
        const char *email = http_input(req, "email"), *name = http_input(req, "name");
        json_object_set_new(d, "draft", json_pack("{s:s, s:s}", "email", email ? email : "", "name", name ? name : ""));
    }
    app_render(a, req, resp, status, "admin/user_form", u ? "admin.user.edit" : "admin.user.new", d);
}

static void user_new(http_req *req, http_resp *resp, void *ctx) {
    user_form(ctx, req, resp, 200, NULL, NULL);
}

static long long form_unit(app *a, http_req *req) {
    const char *u = http_input(req, "unit_id");
    long long id = u ? atoll(u) : 0;
    return id > 0 && unit_exists(a->db, id) ? id : 0;
}

static void user_create(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    const char *email = http_input(req, "email"), *name = http_input(req, "name");
    const char *password = http_input(req, "password"), *locale = http_input(req, "locale");
    unsigned roles = form_roles(req);
    perr err = {{0}};
    if (!roles) {
        user_form(a, req, resp, 422, NULL, "admin.user.no_role");
        return;
    }
    if (password && *password && !password_acceptable(password, email, &err)) {
        user_form(a, req, resp, 422, NULL, err.msg);
        return;
    }
    char *hash = password && *password ? password_hash(password, password_cost_default(), &err) : NULL;
    long long id = 0;
    if (locale && strcmp(locale, "en")) locale = "fr";
    if (!store_begin(a->db, &err)) goto fail;
    if (!account_create(a->db, email ? email : "", name ? name : "", form_unit(a, req), roles, locale, hash, &id, &err)) {
        store_rollback(a->db);
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
    if (!roles) {
        user_form(a, req, resp, 422, u, "admin.user.no_role");
        goto done;
    }
    if (u->id == c->user->id && (!(roles & ROLE_ADMIN) || disabled)) {
        user_form(a, req, resp, 422, u, "admin.user.self_lockout");
        goto done;
    }
    if (password && *password) {
        if (!password_acceptable(password, u->email, &err)) {
            user_form(a, req, resp, 422, u, err.msg);
            goto done;
        }
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
                         http_query(req, "done") ? app_t(a, req, "admin.saved") : NULL));
}

static void units_list(http_req *req, http_resp *resp, void *ctx) {
    units_page(ctx, req, resp, 200, NULL);
}

static void unit_save(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    long long id = app_param_id(req, 0);
    const char *name = http_input(req, "name"), *parent = http_input(req, "parent_id");
    long long parent_id = parent ? atoll(parent) : 0;
    perr err = {{0}};
    if (!store_begin(a->db, &err)) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    bool ok = http_param(req, 0) ? (id && unit_update(a->db, id, name, parent_id, &err))
                                 : unit_create(a->db, name, parent_id, &id, &err);
    if (!ok) {
        store_rollback(a->db);
        units_page(a, req, resp, 422, err.msg[0] ? err.msg : "unit.unknown");
        return;
    }
    audit_add(a->db, c->user->id, http_param(req, 0) ? "unit.update" : "unit.create", "unit", id, name);
    if (!store_commit(a->db, &err)) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    http_resp_redirect(resp, "/admin/units?done=1");
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
    http_router_add(r, (http_route){HTTP_GET, "/admin/import", import_page, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/import", import_post, IMPORT_MAX_BYTES + 64 * 1024, 0, ROLE_ADMIN});
}
