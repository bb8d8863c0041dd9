/* SPDX-License-Identifier: EUPL-1.2 */
/* Passwords without an admin typing them, and e-mail: "Mot de passe oublié" (/forgot),
 * the page an invitation or reset link opens (/password/set), changing one's password
 * (/me/password), the e-mail preference (/me/notifications) and the outbox
 * (/admin/outbox). */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "handlers/app.h"
#include "mail/outbox.h"
#include "people/account_link.h"
#include "people/audit.h"
#include "people/password.h"
#include "people/throttle.h"

#define IDENTITY_MAX_BODY 8192

/* With --password-login off there are no local passwords to set or reset: posts answer
 * 404; the pages (an invitation or reset link from an e-mail, "mot de passe oublié")
 * lead to the login page, whose provider button is the way in. */
static bool passwords_off(app *a, http_req *req, http_resp *resp) {
    if (!a->cfg.password_login_off) return false;
    if (req->method == HTTP_GET) http_resp_redirect(resp, "/login");
    else app_error(a, req, resp, 404, NULL);
    return true;
}

/* ---- Mot de passe oublié ---------------------------------------------------------- */

static void forgot_page(http_req *req, http_resp *resp, void *ctx) {
    if (passwords_off(ctx, req, resp)) return;
    app_render(ctx, req, resp, 200, "identity/forgot", "identity.forgot.title", json_object());
}

/* The answer, and the work done before it, are the same whether the account exists: the
 * request is recorded as typed and the mail worker makes the link later
 * (account_reset_request). Requests have counters of their own, not the login's
 * (people/throttle.h): per client, past which the page says to wait; per address, past
 * which the page answers as always but records nothing (no mail bombing of an account,
 * and the answer does not tell whether it has one). */
static void forgot_post(http_req *req, http_resp *resp, void *ctx) {
    if (passwords_off(ctx, req, resp)) return;
    app *a = ctx;
    const char *email = http_input(req, "email");
    if (!email || !account_email_valid(email)) {
        app_render(a, req, resp, 422, "identity/forgot", "identity.forgot.title",
                   json_pack("{s:s, s:s}", "error", app_t(a, req, "identity.forgot.bad_email"), "email",
                             email ? email : ""));
        return;
    }
    if (!throttle_allow(a->db, THROTTLE_RESET_CLIENT, req->ip, THROTTLE_RESET_CLIENT_LIMIT,
                        THROTTLE_RESET_CLIENT_WINDOW)) {
        audit_add(a->db, 0, "reset.throttled", "", 0, req->ip);
        app_render(a, req, resp, 429, "identity/forgot", "identity.forgot.title",
                   json_pack("{s:s, s:s}", "error", app_t(a, req, "identity.forgot.throttled"), "email", email));
        return;
    }
    char norm[255];
    const char *address = account_email_normalize(email, norm) ? norm : email;
    perr err = {{0}};
    if (throttle_allow(a->db, THROTTLE_RESET_ACCOUNT, address, THROTTLE_RESET_ACCOUNT_LIMIT,
                       THROTTLE_RESET_ACCOUNT_WINDOW) &&
        !account_reset_request(a->db, email, &err)) {
        log_error("reset request: %s", err.msg);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    app_render(a, req, resp, 200, "identity/forgot", "identity.forgot.title",
               json_pack("{s:b}", "sent", 1));
}

/* ---- the page a link opens -------------------------------------------------------- */

static void set_page(app *a, http_req *req, http_resp *resp, int status, const char *token, const char *error) {
    long long uid = account_link_peek(a->db, token, NULL);
    if (!uid && !error) status = 410;
    app_render(a, req, resp, status, "identity/password_set", "identity.set.title",
               json_pack("{s:s, s:b, s:s?}", "token", uid ? token : "", "valid", uid != 0, "error",
                         error ? app_t(a, req, error) : NULL));
}

static void set_get(http_req *req, http_resp *resp, void *ctx) {
    if (passwords_off(ctx, req, resp)) return;
    set_page(ctx, req, resp, 200, http_query(req, "t"), NULL);
}

/* Checks the two copies of a new password and the policy; the error key or NULL. */
static const char *new_password_error(const char *pw, const char *pw2, const char *email, perr *err) {
    if (!pw || !*pw) return "identity.password.missing";
    if (!pw2 || strcmp(pw, pw2)) return "identity.password.mismatch";
    if (!password_acceptable(pw, email, err)) return err->msg;
    return NULL;
}

static void set_post(http_req *req, http_resp *resp, void *ctx) {
    if (passwords_off(ctx, req, resp)) return;
    app *a = ctx;
    const char *token = http_input(req, "t"), *pw = http_input(req, "password"), *pw2 = http_input(req, "password2");
    perr err = {{0}};
    long long uid = account_link_peek(a->db, token, NULL);
    account *u = uid ? account_get(a->db, uid, NULL) : NULL;
    if (!u) {
        set_page(a, req, resp, 410, token, NULL);
        return;
    }
    const char *bad = new_password_error(pw, pw2, u->email, &err);
    if (bad) {
        set_page(a, req, resp, 422, token, bad);
        account_free(u);
        return;
    }
    char *hash = password_hash(pw, password_cost_default(), &err);
    account_link_purpose purpose = ACCOUNT_LINK_RESET;
    bool ok = hash && store_begin(a->db, &err);
    if (ok) {
        /* the link is used in the transaction that sets the password: it works once */
        long long used = account_link_use(a->db, token, &purpose, &err);
        ok = used == u->id && account_set_password(a->db, u->id, hash, &err) &&
             account_end_access(a->db, u->id, NULL, &err) &&
             audit_add(a->db, u->id, purpose == ACCOUNT_LINK_INVITE ? "user.invite_used" : "user.reset", "user",
                       u->id, req->ip);
        if (ok) ok = store_commit(a->db, &err);
        else store_rollback(a->db);
        if (!ok && !err.msg[0]) {
            free(hash);
            account_free(u);
            set_page(a, req, resp, 410, token, NULL);
            return;
        }
    }
    free(hash);
    account_free(u);
    if (!ok) {
        log_error("password set: %s", err.msg);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    http_resp_redirect(resp, "/login?done=password");
}

/* ---- Changer mon mot de passe ----------------------------------------------------- */

static void me_password_render(app *a, http_req *req, http_resp *resp, int status, const char *error,
                               bool done) {
    app_render(a, req, resp, status, "me/password", "identity.me_password.title",
               json_pack("{s:s?, s:b, s:b}", "error", error ? app_t(a, req, error) : NULL, "done", done,
                         "has_password", app_ctx(req)->user->password_hash != NULL));
}

static void me_password_page(http_req *req, http_resp *resp, void *ctx) {
    if (passwords_off(ctx, req, resp)) return;
    const char *done = http_query(req, "done");
    me_password_render(ctx, req, resp, 200, NULL, done != NULL);
}

static void me_password_post(http_req *req, http_resp *resp, void *ctx) {
    if (passwords_off(ctx, req, resp)) return;
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    const char *cur = http_input(req, "current"), *pw = http_input(req, "password"), *pw2 = http_input(req, "password2");
    if (throttle_wait(a->db, c->user->email, req->ip) > 0) {
        me_password_render(a, req, resp, 429, "login.throttled", false);
        return;
    }
    /* the current password is read fresh from the store, never from the session's memo */
    account *u = account_get(a->db, c->user->id, NULL);
    if (!u || !cur || !password_verify(u->password_hash, cur)) {
        throttle_fail(a->db, c->user->email, req->ip);
        audit_add(a->db, c->user->id, "user.password_failed", "user", c->user->id, req->ip);
        me_password_render(a, req, resp, 422, "identity.me_password.wrong_current", false);
        account_free(u);
        return;
    }
    perr err = {{0}};
    const char *bad = new_password_error(pw, pw2, u->email, &err);
    if (bad) {
        me_password_render(a, req, resp, 422, bad, false);
        account_free(u);
        return;
    }
    char *hash = password_hash(pw, password_cost_default(), &err);
    bool ok = hash && store_begin(a->db, &err);
    if (ok) {
        ok = account_set_password(a->db, u->id, hash, &err) &&
             account_end_access(a->db, u->id, http_cookie(req, "pp_session"), &err) &&
             audit_add(a->db, u->id, "user.password", "user", u->id, "self");
        if (ok) ok = store_commit(a->db, &err);
        else store_rollback(a->db);
    }
    free(hash);
    account_free(u);
    if (!ok) {
        log_error("password change: %s", err.msg);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    http_resp_redirect(resp, "/me/password?done=1");
}

/* ---- e-mail preference -------------------------------------------------------------- */

static void notifications_render(app *a, http_req *req, http_resp *resp, int status, bool done) {
    outbox_pref p = outbox_pref_get(a->db, app_ctx(req)->user->id);
    app_render(a, req, resp, status, "me/notifications", "identity.notifications.title",
               json_pack("{s:s, s:b}", "pref", outbox_pref_name(p), "done", done));
}

static void notifications_page(http_req *req, http_resp *resp, void *ctx) {
    notifications_render(ctx, req, resp, 200, http_query(req, "done") != NULL);
}

static void notifications_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    outbox_pref p;
    if (!outbox_pref_parse(http_input(req, "pref"), &p)) {
        app_error(a, req, resp, 422, "identity.notifications.bad");
        return;
    }
    perr err = {{0}};
    if (!outbox_pref_set(a->db, app_ctx(req)->user->id, p, &err)) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    http_resp_redirect(resp, "/me/notifications?done=1");
}

/* ---- /admin/outbox ---------------------------------------------------------------- */

static void outbox_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *state = http_query(req, "state");
    static const char *const states[] = {"held", "queued", "sending", "delivering", "sent", "failed", "digested"};
    bool known = false;
    for (size_t i = 0; state && i < sizeof states / sizeof states[0]; i++) known = known || !strcmp(state, states[i]);
    if (!known) state = NULL;
    app_render(a, req, resp, 200, "admin/outbox", "identity.outbox.title",
               json_pack("{s:o, s:o, s:s, s:b}", "messages", outbox_list(a->db, state, 200), "counts",
                         outbox_counts(a->db), "state", state ? state : "", "done",
                         http_query(req, "done") != NULL));
}

static void outbox_retry_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    perr err = {{0}};
    long long id = app_param_id(req, 0);
    if (!outbox_retry(a->db, id, &err)) {
        app_error(a, req, resp, strncmp(err.msg, "outbox.", 7) ? 500 : 409,
                  strcmp(err.msg, "outbox.link_gone") ? "identity.outbox.not_failed" : "identity.outbox.link_gone");
        return;
    }
    audit_add(a->db, app_ctx(req)->user->id, "outbox.retry", "outbox", id, "");
    http_resp_redirect(resp, "/admin/outbox?done=1");
}

void identity_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/forgot", forgot_page, 0, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_POST, "/forgot", forgot_post, IDENTITY_MAX_BODY, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_GET, ACCOUNT_LINK_PATH, set_get, 0, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_POST, ACCOUNT_LINK_PATH, set_post, IDENTITY_MAX_BODY, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_GET, "/me/password", me_password_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/me/password", me_password_post, IDENTITY_MAX_BODY, ROUTE_SESSION_ONLY, 0});
    http_router_add(r, (http_route){HTTP_GET, "/me/notifications", notifications_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/me/notifications", notifications_post, IDENTITY_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/admin/outbox", outbox_page, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/outbox/{id}/retry", outbox_retry_post, IDENTITY_MAX_BODY, 0, ROLE_ADMIN});
}
