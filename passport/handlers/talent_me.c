/* SPDX-License-Identifier: EUPL-1.2 */
/* The agent's side of talent: /me/profile (profile, visibility, who viewed it, my
 * applications, export button), the JSON export, erasure with a confirmation step, their
 * API, and the admin's erasure of another account. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "handlers/api_page.h"
#include "handlers/talent.h"
#include "people/audit.h"
#include "talent/calls.h"
#include "talent/privacy.h"
#include "talent/profile.h"
#include "store/changelog.h"

static void profile_page(app *a, http_req *req, http_resp *resp, int status, const char *error) {
    req_ctx *c = app_ctx(req);
    json_t *p = profile_get(a->db, c->user->id, NULL);
    if (!p) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    json_t *views = profile_views(a->db, c->user->id, 100);
    if (!views) {
        json_decref(p);
        app_error(a, req, resp, 500, "database error: profile views");
        return;
    }
    json_t *apps = calls_of_user(a->db, c->user->id, NULL);
    talent_add_keys(apps, "state", "talent.app.", "state_key");
    talent_add_keys(views, "context", "talent.context.", "context_key");
    app_render(a, req, resp, status, "talent/profile", "talent.profile.title",
               json_pack("{s:o, s:o, s:o?, s:s?, s:s?}", "profile", p, "views", views, "applications", apps, "error",
                         error ? app_t(a, req, error) : NULL, "notice",
                         http_query(req, "done") ? app_t(a, req, "talent.saved") : NULL));
}

static void profile_get_page(http_req *req, http_resp *resp, void *ctx) {
    app_page_shows(req, 0); /* profile, views, applications: unscoped changes */
    profile_page(ctx, req, resp, 200, NULL);
}

/* Saves the profile (and the visibility when given) in one transaction. */
static void profile_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    perr err = {{0}};
    const char *vis = http_input(req, "visibility");
    talent_visibility v = TALENT_HIDDEN;
    if (vis && !talent_visibility_parse(vis, &v)) {
        if (req->is_api) app_error(a, req, resp, 422, "talent.bad_visibility");
        else profile_page(a, req, resp, 422, "talent.bad_visibility");
        return;
    }
    const char *only = http_input(req, "only");
    bool visibility_only = only && !strcmp(only, "visibility");
    if (!store_begin(a->db, &err)) goto fail;
    if (!visibility_only) {
        /* a field the request does not carry keeps its stored value, read here inside the
         * transaction (never from a cached copy); an HTML form sends every text field and
         * leaves out an unticked box */
        json_t *cur = profile_get(a->db, c->user->id, NULL);
        const char *bio = http_input(req, "bio"), *interests = http_input(req, "interests");
        const char *languages = http_input(req, "languages"), *avail = http_input(req, "available");
        if (!bio) bio = json_string_value(json_object_get(cur, "bio"));
        if (!interests) interests = json_string_value(json_object_get(cur, "interests"));
        if (!languages) languages = json_string_value(json_object_get(cur, "languages"));
        bool available = avail ? !strcmp(avail, "1") || !strcmp(avail, "on") || !strcmp(avail, "true")
                               : req->is_api && json_is_true(json_object_get(cur, "available"));
        bool saved = profile_save(a->db, c->user->id, bio, interests, languages, available, &err);
        json_decref(cur);
        if (!saved) {
            store_rollback(a->db);
            if (strncmp(err.msg, "talent.", 7)) goto fail; /* the store's, not the input's */
            if (req->is_api) app_error(a, req, resp, 422, err.msg);
            else profile_page(a, req, resp, 422, err.msg);
            return;
        }
    }
    if (vis && v != profile_visibility(a->db, c->user->id) && !profile_set_visibility(a->db, c->user->id, v, &err)) {
        store_rollback(a->db);
        goto fail;
    }
    if (!store_commit(a->db, &err)) goto fail;
    if (req->is_api) app_json(resp, 200, profile_get(a->db, c->user->id, NULL));
    else http_resp_redirect(resp, "/me/profile?done=1");
    return;
fail: /* the database's text goes to the log, a plain message to the person */
    log_error("profile of %lld: %s", c->user->id, err.msg);
    app_error(a, req, resp, 500, "error.database");
}

static void profile_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    json_t *p = profile_get(a->db, app_ctx(req)->user->id, NULL);
    if (!p) app_error(a, req, resp, 404, NULL);
    else app_json(resp, 200, p);
}

static void views_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    store_page pg;
    if (!api_page_read_keyed(a, req, resp, "views", &pg)) return;
    json_t *views = profile_views_page(a->db, app_ctx(req)->user->id, &pg);
    if (!views) {
        app_error(a, req, resp, 500, "database error: profile views");
        return;
    }
    json_t *out = json_pack("{s:o}", "views", views);
    api_page_next_keyed(out, "views", &pg);
    app_json(resp, 200, out);
}

static void export_json(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    perr err = {{0}};
    json_t *x = privacy_export(a->db, a->badges, c->user->id, &err);
    if (!x) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    if (store_begin(a->db, NULL)) {
        if (audit_add(a->db, c->user->id, "privacy.export", "user", c->user->id, "")) store_commit(a->db, NULL);
        else store_rollback(a->db);
    }
    http_resp_json(resp, 200, x);
    json_decref(x);
    if (!req->is_api) http_resp_header(resp, "Content-Disposition", "attachment; filename=\"mes-donnees-passport.json\"");
    http_resp_header(resp, "Cache-Control", "no-store");
}

static void erase_page(app *a, http_req *req, http_resp *resp, int status, const char *error) {
    app_render(a, req, resp, status, "talent/erase", "talent.erase.title",
               json_pack("{s:s?}", "error", error ? app_t(a, req, error) : NULL));
}

static void erase_get(http_req *req, http_resp *resp, void *ctx) {
    erase_page(ctx, req, resp, 200, NULL);
}

/* Erases target on behalf of actor in one transaction; false with err. */
static bool erase_account(app *a, long long target, long long actor, perr *err) {
    if (!store_begin(a->db, err)) return false;
    if (!privacy_erase(a->db, a->badges, target, actor, err)) {
        store_rollback(a->db);
        return false;
    }
    if (!store_commit(a->db, err)) return false;
    perr cerr = {{0}};
    if (!privacy_checkpoint(a->db, &cerr)) log_error("privacy: checkpoint after erasure: %s", cerr.msg);
    return true;
}

static void erase_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    const char *confirm = http_input(req, "confirm");
    if (!confirm || (strcmp(confirm, "yes") && strcmp(confirm, "on") && strcmp(confirm, "1"))) {
        if (req->is_api) app_error(a, req, resp, 422, "talent.erase.confirm_needed");
        else erase_page(a, req, resp, 422, "talent.erase.confirm_needed");
        return;
    }
    perr err = {{0}};
    if (!erase_account(a, c->user->id, c->user->id, &err)) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    http_resp_cookie(resp, "pp_session", "", -1, req->https);
    if (req->is_api) app_json(resp, 200, json_pack("{s:b}", "erased", 1));
    else http_resp_redirect(resp, "/login?erased=1");
}

static void admin_erase(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    long long id = app_param_id(req, 0);
    perr err = {{0}};
    if (id == c->user->id) {
        app_error(a, req, resp, 422, "admin.user.self_lockout");
        return;
    }
    const char *confirm = http_input(req, "confirm");
    if (!confirm || (strcmp(confirm, "yes") && strcmp(confirm, "on") && strcmp(confirm, "1"))) {
        app_error(a, req, resp, 422, "talent.erase.confirm_needed");
        return;
    }
    if (!id || !erase_account(a, id, c->user->id, &err)) {
        bool absent = !id || !strcmp(err.msg, "privacy.not_found");
        app_error(a, req, resp, absent ? 404 : 500, absent ? NULL : err.msg);
        return;
    }
    if (req->is_api) app_json(resp, 200, json_pack("{s:b}", "erased", 1));
    else http_resp_redirect(resp, "/admin/users?done=1");
}

void talent_me_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/me/profile", profile_get_page, 0, ROUTE_CACHE, 0});
    http_router_add(r, (http_route){HTTP_POST, "/me/profile", profile_post, 16 * 1024, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/me/export.json", export_json, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/me/erase", erase_get, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/me/erase", erase_post, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/profile", profile_api, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/me/profile", profile_post, 16 * 1024, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/profile-views", views_api, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/export", export_json, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/me/erase", erase_post, 4096, ROUTE_SESSION_ONLY, 0});
    http_router_add(r, (http_route){HTTP_POST, "/admin/users/{id}/erase", admin_erase, 4096, 0, ROLE_ADMIN});
}
