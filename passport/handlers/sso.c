/* SPDX-License-Identifier: EUPL-1.2 */
/* Single sign-on through an OpenID Connect provider: /oidc/login sends the browser to the
 * provider with a new state (also in the pp_oidc cookie, which binds the sign-in to this
 * browser), nonce and PKCE verifier; /oidc/callback checks the state against the cookie
 * and the pending sign-in (single use), lets oidc/oidc.h exchange the code and check the
 * tokens, finds or makes the account (people/sso.h) and opens a session. The logout at
 * the provider is in handlers/auth.c (sso_logout_url). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rand.h"
#include "handlers/app.h"
#include "oidc/oidc.h"
#include "people/audit.h"
#include "people/sso.h"
#include "people/throttle.h"
#include "people/unit.h"

#define SSO_COOKIE "pp_oidc"

/* A refusal of the person (sso_sign_in's "sso.*" reasons) rather than a failure of ours
 * (the store's, the default unit's): the one answers 403, the other 503. */
static bool is_refusal(const char *err) {
    return !strncmp(err, "sso.", 4);
}

/* The login page with an error (the password form as configured). */
static void refuse(app *a, http_req *req, http_resp *resp, int status, const char *key) {
    http_resp_cookie(resp, SSO_COOKIE, "", -1, req->https);
    app_render(a, req, resp, status, "login", "login.title",
               json_pack("{s:s, s:s, s:b, s:b, s:s}", "error", app_t(a, req, key), "next", "/", "sso", 1,
                         "password_login", !a->cfg.password_login_off, "sso_label",
                         a->cfg.oidc_label ? a->cfg.oidc_label : app_t(a, req, "identity.sso.button")));
}

static void login_get(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!a->cfg.oidc) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    /* each start writes a pending sign-in: a client may not write them without end */
    if (!throttle_allow(a->db, THROTTLE_OIDC_CLIENT, req->ip, THROTTLE_OIDC_CLIENT_LIMIT,
                        THROTTLE_OIDC_CLIENT_WINDOW)) {
        char after[16];
        snprintf(after, sizeof after, "%d", THROTTLE_OIDC_CLIENT_WINDOW);
        http_resp_header(resp, "Retry-After", after);
        refuse(a, req, resp, 429, "identity.sso.throttled");
        return;
    }
    oidc_login l;
    buf url = BUF_INIT;
    perr err = {{0}};
    if (!oidc_login_start(a->cfg.oidc, &l, &url, &err) ||
        !sso_login_save(a->db, l.state, l.nonce, l.verifier, app_local_next(http_query(req, "next")), &err)) {
        log_error("sso: %s", err.msg);
        buf_free(&url);
        refuse(a, req, resp, 502, "identity.sso.unavailable");
        return;
    }
    http_resp_cookie(resp, SSO_COOKIE, l.state, SSO_LOGIN_SECONDS, req->https);
    http_resp_redirect(resp, buf_cstr(&url));
    buf_free(&url);
}

/* The i18n key shown for a refused sign-in. */
static const char *reason_key(const char *err) {
    if (!strcmp(err, "sso.unverified_email")) return "identity.sso.unverified_email";
    if (!strcmp(err, "sso.no_account")) return "identity.sso.no_account";
    if (!strcmp(err, "sso.disabled")) return "login.failed";
    if (!strcmp(err, "sso.linked_elsewhere")) return "identity.sso.linked_elsewhere";
    if (!strcmp(err, "oidc.provider")) return "identity.sso.unavailable";
    return "identity.sso.failed";
}

/* Finds or makes the account of the provider's identity; 0 with err. */
static long long account_of(app *a, const oidc_identity *id, perr *err) {
    sso_policy pol = {a->cfg.oidc_create_accounts, 0};
    if (pol.create_accounts && a->cfg.oidc_default_unit &&
        !unit_resolve_path(a->db, a->cfg.oidc_default_unit, true, &pol.unit_id, err))
        return 0;
    buf name = BUF_INIT;
    buf_printf(&name, "%s%s%s", id->given_name, *id->given_name && *id->family_name ? " " : "", id->family_name);
    sso_identity sid = {oidc_provider_issuer(a->cfg.oidc), id->subject, id->email, id->email_verified,
                        buf_cstr(&name), id->roles};
    long long uid = 0;
    bool ok = sso_sign_in(a->db, &sid, &pol, &uid, err);
    buf_free(&name);
    return ok ? uid : 0;
}

static void callback_get(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!a->cfg.oidc) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    const char *state = http_query(req, "state"), *cookie = http_cookie(req, SSO_COOKIE);
    oidc_login l;
    memset(&l, 0, sizeof l);
    char next[512];
    perr err = {{0}};
    /* the state must be the one this browser was sent with, and still pending */
    if (!state || !cookie || !rand_consttime_eq(state, cookie) ||
        !sso_login_take(a->db, state, l.nonce, l.verifier, next, &err)) {
        if (err.msg[0]) { /* the store failed: not the person's doing */
            log_error("sso: %s", err.msg);
            refuse(a, req, resp, 503, "identity.sso.store_failed");
            return;
        }
        audit_add(a->db, 0, "login.sso_failed", "", 0, "state");
        refuse(a, req, resp, 400, "identity.sso.failed");
        return;
    }
    if (http_query(req, "error")) { /* the person cancelled, or the provider refused */
        refuse(a, req, resp, 401, "identity.sso.failed");
        return;
    }
    oidc_identity id;
    if (!oidc_login_finish(a->cfg.oidc, &l, http_query(req, "code"), &id, &err)) {
        log_error("sso: sign-in refused: %s", err.msg);
        audit_add(a->db, 0, "login.sso_failed", "", 0, err.msg);
        refuse(a, req, resp, !strcmp(err.msg, "oidc.provider") ? 502 : 401, reason_key(err.msg));
        return;
    }
    long long uid = account_of(a, &id, &err);
    if (!uid) {
        if (is_refusal(err.msg)) {
            audit_add(a->db, 0, "login.sso_failed", "", 0, err.msg);
            refuse(a, req, resp, 403, reason_key(err.msg));
        } else {
            log_error("sso: sign-in of a valid identity failed: %s", err.msg);
            refuse(a, req, resp, 503, "identity.sso.store_failed");
        }
        oidc_identity_clear(&id);
        return;
    }
    const char *old = http_cookie(req, "pp_session");
    if (old) session_delete(a->db, old);
    char token[65];
    session s;
    if (!session_create(a->db, uid, req->ip, http_header(req, "User-Agent"), token, &s, &err) ||
        !sso_session_set(a->db, token, id.id_token, &err)) {
        log_error("sso: %s", err.msg);
        oidc_identity_clear(&id);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    oidc_identity_clear(&id);
    audit_add(a->db, uid, "login", "user", uid, "sso");
    http_resp_cookie(resp, SSO_COOKIE, "", -1, req->https);
    http_resp_cookie(resp, "pp_session", token, SESSION_MAX_SECONDS, req->https);
    http_resp_redirect(resp, app_local_next(next));
}

char *sso_logout_url(app *a, http_req *req, const char *session_token) {
    if (!a->cfg.oidc || !session_token) return NULL;
    char *id_token = sso_session_id_token(a->db, session_token);
    if (!id_token) return NULL;
    buf back = BUF_INIT, url = BUF_INIT;
    buf_printf(&back, "%s/login", a->cfg.public_url);
    bool ok = oidc_logout_url(a->cfg.oidc, id_token, buf_cstr(&back), &url);
    (void)req;
    free(id_token);
    buf_free(&back);
    if (!ok) {
        buf_free(&url);
        return NULL;
    }
    return buf_detach(&url);
}

void sso_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/oidc/login", login_get, 0, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_GET, "/oidc/callback", callback_get, 0, ROUTE_PUBLIC, 0});
}
