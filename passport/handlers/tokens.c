/* SPDX-License-Identifier: EUPL-1.2 */
/* The agent's personal API tokens: /me/tokens (list, create: the token is shown once,
 * revoke) and the same under /api/v1/me/tokens. Making a token needs a signed-in session,
 * never another token. */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "handlers/api_page.h"
#include "handlers/app.h"
#include "people/apitoken.h"
#include "people/audit.h"

#define TOKENS_MAX_BODY 4096

/* The tokens page, with the token just made (shown this once) or an error key. */
static void page(app *a, http_req *req, http_resp *resp, int status, const json_t *created, const char *error) {
    json_t *list = apitoken_list(a->db, app_ctx(req)->user->id);
    if (!list) {
        app_error(a, req, resp, 500, NULL);
        return;
    }
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t) { /* dates for people; the API keeps the times */
        char d[11];
        clock_date(json_integer_value(json_object_get(t, "created_at")), d);
        json_object_set_new(t, "created_date", json_string(d));
        json_int_t used = json_integer_value(json_object_get(t, "last_used_at"));
        if (used) {
            clock_date(used, d);
            json_object_set_new(t, "last_used_date", json_string(d));
        }
    }
    const char *done = http_query(req, "done");
    app_render(a, req, resp, status, "me/tokens", "apitoken.title",
               json_pack("{s:o, s:O?, s:s?, s:s?}", "tokens", list, "created", created, "error",
                         error ? app_t(a, req, error) : NULL, "notice",
                         done && !strcmp(done, "revoked") ? app_t(a, req, "apitoken.revoked") : NULL));
}

static void tokens_page(http_req *req, http_resp *resp, void *ctx) {
    page(ctx, req, resp, 200, NULL, NULL);
}

/* Makes a token and audits it in one transaction; the new token's view, or NULL with err. */
static json_t *make(app *a, http_req *req, perr *err) {
    long long uid = app_ctx(req)->user->id, id = 0;
    char token[APITOKEN_LEN + 1];
    const char *name = http_input(req, "name");
    if (!store_begin(a->db, err)) return NULL;
    if (!apitoken_create(a->db, uid, name, token, &id, err)) {
        store_rollback(a->db);
        return NULL;
    }
    if (!audit_add(a->db, uid, "apitoken.create", "api_token", id, "")) {
        store_rollback(a->db);
        perr_set(err, "database error");
        return NULL;
    }
    if (!store_commit(a->db, err)) return NULL;
    return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name ? name : "", "token", token);
}

static bool is_user_error(const perr *err) {
    return !strncmp(err->msg, "apitoken.", 9);
}

static void create_form(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    perr err = {{0}};
    json_t *t = make(a, req, &err);
    if (t) page(a, req, resp, 201, t, NULL);
    else if (is_user_error(&err)) page(a, req, resp, 422, NULL, err.msg);
    else app_error(a, req, resp, 500, NULL);
    json_decref(t);
}

static void create_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    perr err = {{0}};
    json_t *t = make(a, req, &err);
    if (t) app_json(resp, 201, t);
    else app_error(a, req, resp, is_user_error(&err) ? 422 : 500, is_user_error(&err) ? err.msg : NULL);
}

/* Revokes token {id} of the signed-in user and audits it; the status to answer. */
static int revoke(app *a, http_req *req, perr *err) {
    long long uid = app_ctx(req)->user->id, id = app_param_id(req, 0);
    if (!store_begin(a->db, err)) return 500;
    if (!apitoken_revoke(a->db, uid, id, err)) {
        store_rollback(a->db);
        return is_user_error(err) ? 404 : 500;
    }
    if (!audit_add(a->db, uid, "apitoken.revoke", "api_token", id, "")) {
        store_rollback(a->db);
        return 500;
    }
    return store_commit(a->db, err) ? 200 : 500;
}

static void revoke_form(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    perr err = {{0}};
    int status = revoke(a, req, &err);
    if (status == 200) http_resp_redirect(resp, "/me/tokens?done=revoked");
    else app_error(a, req, resp, status, status == 404 ? "apitoken.not_found" : NULL);
}

static void revoke_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    perr err = {{0}};
    int status = revoke(a, req, &err);
    if (status == 200) app_json(resp, 200, json_pack("{s:b}", "revoked", 1));
    else app_error(a, req, resp, status, status == 404 ? "apitoken.not_found" : NULL);
}

static void list_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    api_page pg;
    if (!api_page_read(a, req, resp, &pg)) return;
    json_t *list = apitoken_list(a->db, app_ctx(req)->user->id);
    if (!list) {
        app_error(a, req, resp, 500, NULL);
        return;
    }
    json_t *out = json_pack("{s:o}", "tokens", list);
    api_page_apply(out, "tokens", &pg);
    app_json(resp, 200, out);
}

void tokens_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/me/tokens", tokens_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/me/tokens", create_form, TOKENS_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/me/tokens/{id}/revoke", revoke_form, TOKENS_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/tokens", list_api, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/me/tokens", create_api, TOKENS_MAX_BODY, ROUTE_SESSION_ONLY, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/me/tokens/{id}/revoke", revoke_api, TOKENS_MAX_BODY, 0, 0});
}
