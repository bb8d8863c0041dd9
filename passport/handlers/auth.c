/* SPDX-License-Identifier: EUPL-1.2 */
/* Login, logout and the language switch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "handlers/app.h"
#include "people/audit.h"
#include "people/password.h"
#include "people/throttle.h"

/* What the login page shows besides its own fields: the provider's button, the password
 * form (unless --password-login off). Adds them to d and returns it. */
static json_t *login_data(app *a, http_req *req, json_t *d) {
    json_object_set_new(d, "password_login", json_boolean(!a->cfg.password_login_off));
    const char *next = json_string_value(json_object_get(d, "next"));
    buf q = BUF_INIT;
    buf_put_urlenc(&q, next ? next : "/", strlen(next ? next : "/"));
    json_object_set_new(d, "next_q", json_string(buf_cstr(&q)));
    buf_free(&q);
    if (a->cfg.oidc) {
        json_object_set_new(d, "sso", json_true());
        json_object_set_new(d, "sso_label", json_string(a->cfg.oidc_label ? a->cfg.oidc_label
                                                                          : app_t(a, req, "identity.sso.button")));
    }
    return d;
}

static void login_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    if (c->user) {
        http_resp_redirect(resp, "/");
        return;
    }
    const char *done = http_query(req, "done");
    app_render(a, req, resp, 200, "login", "login.title",
               login_data(a, req, json_pack("{s:s, s:s?}", "next", app_local_next(http_query(req, "next")), "notice",
                                            done && !strcmp(done, "password") ? app_t(a, req, "identity.set.done")
                                                                             : NULL)));
}

static void login_fail(app *a, http_req *req, http_resp *resp, int status, const char *key,
                       const char *email) {
    app_render(a, req, resp, status, "login", "login.title",
               login_data(a, req, json_pack("{s:s, s:s, s:s}", "error", app_t(a, req, key), "email", email ? email : "",
                                            "next", app_local_next(http_input(req, "next")))));
}

static void login_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (a->cfg.password_login_off) {
        login_fail(a, req, resp, 403, "identity.sso.password_off", NULL);
        return;
    }
    const char *email = http_input(req, "email"), *password = http_input(req, "password");
    if (!email || !*email || !password || !*password) {
        login_fail(a, req, resp, 422, "login.missing", email);
        return;
    }
    int wait = throttle_wait(a->db, email, req->ip);
    if (wait > 0) { /* the same answer for any email; nothing is verified, nothing audited one by one */
        char after[16];
        snprintf(after, sizeof after, "%d", wait);
        http_resp_header(resp, "Retry-After", after);
        login_fail(a, req, resp, 429, "login.throttled", email);
        return;
    }
    /* Exactly one password verification whatever the account's state (absent, disabled,
     * without password, wrong password), against a decoy hash of the same cost when there
     * is no real one, so that the time taken tells nothing (scripts/bench-login). */
    account *u = account_by_email(a->db, email, NULL);
    const char *hash = u && u->password_hash ? u->password_hash : a->dummy_hash;
    bool verified = password_verify(hash, password);
    bool ok = verified && u && u->password_hash && !u->disabled;
    if (!ok) {
        int n = throttle_fail(a->db, email, req->ip);
        if ((n & (n - 1)) == 0) { /* aggregated: the 1st, 2nd, 4th, 8th... failure */
            char detail[96];
            snprintf(detail, sizeof detail, "%s (%d failures)", req->ip, n);
            audit_add(a->db, u ? u->id : 0, "login.failed", "user", u ? u->id : 0, detail);
        }
        account_free(u);
        login_fail(a, req, resp, 401, "login.failed", email);
        return;
    }
    throttle_clear(a->db, email, req->ip);
    password_cost cost = password_cost_default();
    if (password_needs_rehash(u->password_hash, cost)) {
        char *h = password_hash(password, cost, NULL);
        if (h) account_set_password(a->db, u->id, h, NULL);
        free(h);
    }
    /* A new token at every login: a token planted before login is useless. */
    const char *old = http_cookie(req, "pp_session");
    if (old) session_delete(a->db, old);
    char token[65];
    session s;
    perr err = {{0}};
    if (!session_create(a->db, u->id, req->ip, http_header(req, "User-Agent"), token, &s, &err)) {
        log_error("login: %s", err.msg);
        account_free(u);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    audit_add(a->db, u->id, "login", "user", u->id, "");
    http_resp_cookie(resp, "pp_session", token, SESSION_MAX_SECONDS, req->https);
    http_resp_redirect(resp, app_local_next(http_input(req, "next")));
    account_free(u);
}

/* Ends the session; one opened through the provider ends there too (its logout page,
 * which comes back to /login). */
static void logout_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *tok = http_cookie(req, "pp_session");
    char *provider = tok ? sso_logout_url(a, req, tok) : NULL;
    if (tok) session_delete(a->db, tok);
    http_resp_cookie(resp, "pp_session", "", -1, req->https);
    http_resp_redirect(resp, provider ? provider : "/login");
    free(provider);
}

static void locale_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    const char *l = http_input(req, "locale");
    if (!l || (strcmp(l, "fr") && strcmp(l, "en"))) {
        app_error(a, req, resp, 422, "error.bad_locale");
        return;
    }
    /* the locale alone: the cached account must never be written back (DESIGN §3) */
    perr err = {{0}};
    if (c->user && !account_set_locale(a->db, c->user->id, l, &err)) log_error("locale: %s", err.msg);
    http_resp_cookie(resp, "pp_lang", l, 365L * 24 * 3600, req->https);
    http_resp_redirect(resp, app_local_next(http_input(req, "next")));
}

void auth_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/login", login_page, 0, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_POST, "/login", login_post, 8 * 1024, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_POST, "/logout", logout_post, 8 * 1024, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/locale", locale_post, 8 * 1024, ROUTE_PUBLIC, 0});
}
