/* SPDX-License-Identifier: EUPL-1.2 */
/* Badge administration: every issued credential, award by hand with a narrative, revoke
 * with a reason; both audited (badges.c of the domain writes the audit rows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/badges.h"
#include "handlers/badges_pages.h"
#include "handlers/datefmt.h"

#define ADMIN_PAGE 50 /* credentials per page of the admin's list (?per=1..200 changes it) */

static void admin_page(app *a, http_req *req, http_resp *resp, int status, const char *error, const char *notice) {
    badges_ctx *b = a->badges;
    if (!b) {
        app_error(a, req, resp, 503, "badges.error.unavailable");
        return;
    }
    if (req->is_api && error) { /* API clients get the JSON error, not the admin page */
        app_error(a, req, resp, status, error);
        return;
    }
    json_t *defs = json_array();
    for (size_t i = 0; i < b->set->n; i++)
        json_array_append_new(defs, json_pack("{s:s, s:s}", "slug", b->set->items[i].slug, "name",
                                              achievement_name(&b->set->items[i], app_ctx(req)->locale)));
    const char *email = http_input(req, "email"), *narrative = http_input(req, "narrative");
    const char *q = http_query(req, "q"), *page_s = http_query(req, "page"), *per_s = http_query(req, "per");
    long page = page_s ? atol(page_s) : 1, per = per_s ? atol(per_s) : ADMIN_PAGE, total = 0;
    if (page < 1) page = 1;
    if (per < 1 || per > 200) per = ADMIN_PAGE;
    json_t *creds = badges_search_all(a->db, b, q, (page - 1) * per, (int)per, &total);
    long pages = total ? (total + per - 1) / per : 1;
    datefmt_add(creds, app_ctx(req)->locale, "issued", "issued_text");
    datefmt_add(creds, app_ctx(req)->locale, "revoked_on", "revoked_text");
    json_t *d = json_pack("{s:o, s:o, s:s?, s:s?, s:s, s:s, s:s}", "achievements", defs, "credentials", creds, "error",
                          error ? app_t(a, req, error) : NULL, "notice", notice ? app_t(a, req, notice) : NULL, "email",
                          error && email ? email : "", "narrative", error && narrative ? narrative : "", "slug",
                          error && http_input(req, "slug") ? http_input(req, "slug") : "");
    buf enc = BUF_INIT;
    if (q) buf_put_urlenc(&enc, q, strlen(q));
    char *qs = buf_detach(&enc);
    json_object_set_new(d, "list", json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "q", q ? q : "", "qs", qs,
                                             "per", (json_int_t)per, "total",
                                             (json_int_t)total, "page", (json_int_t)page, "pages", (json_int_t)pages,
                                             "prev", (json_int_t)(page > 1 ? page - 1 : 0), "next",
                                             (json_int_t)(page < pages ? page + 1 : 0)));
    free(qs);
    app_render(a, req, resp, status, "badges/admin", "badges.admin.title", d);
}

static void admin_list(http_req *req, http_resp *resp, void *ctx) {
    const char *done = http_query(req, "done");
    admin_page(ctx, req, resp, 200, NULL,
               done && !strcmp(done, "award") ? "badges.admin.awarded"
               : done                         ? "badges.admin.revoked"
                                              : NULL);
}

static void award_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!a->badges) {
        app_error(a, req, resp, 503, "badges.error.unavailable");
        return;
    }
    const char *email = http_input(req, "email"), *slug = http_input(req, "slug");
    const char *narrative = http_input(req, "narrative");
    if (!narrative || !*narrative) {
        admin_page(a, req, resp, 422, "badges.admin.narrative_required", NULL);
        return;
    }
    account *u = email ? account_by_email(a->db, email, NULL) : NULL;
    if (!u) {
        admin_page(a, req, resp, 422, "badges.admin.unknown_user", NULL);
        return;
    }
    perr err = {{0}};
    long long id = 0;
    bool ok = badges_award(a->db, a->badges, u->id, slug, app_ctx(req)->user->id, narrative, &id, &err);
    account_free(u);
    if (!ok) {
        admin_page(a, req, resp, 422, !strncmp(err.msg, "badges.", 7) ? err.msg : "badges.admin.failed", NULL);
        return;
    }
    if (req->is_api) app_json(resp, 201, json_pack("{s:I}", "id", (json_int_t)id));
    else http_resp_redirect(resp, "/admin/badges?done=award");
}

/* The confirmation page before revoking credential id: who holds it, which badge, the
 * reason asked for (or read back with error, an i18n key, may be NULL). */
static void revoke_confirm(app *a, http_req *req, http_resp *resp, int status, long long id, const char *error) {
    long long holder = 0, achievement_id = 0;
    bool revoked = false;
    if (!a->badges) { /* the badges failed to load at start (logged): no set to name the badge */
        app_error(a, req, resp, 503, "badges.error.unavailable");
        return;
    }
    if (!badges_credential_get(a->db, id, NULL, &holder, &achievement_id, &revoked)) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    if (revoked) {
        admin_page(a, req, resp, 409, "roles.badge.already_revoked", NULL);
        return;
    }
    const achievement *ach = achievement_by_id(a->badges->set, achievement_id);
    account *u = holder ? account_get(a->db, holder, NULL) : NULL;
    const char *reason = http_input(req, "reason");
    app_render(a, req, resp, status, "badges/revoke", "roles.badge.revoke_title",
               json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?}", "id", (json_int_t)id, "badge",
                         ach ? achievement_name(ach, app_ctx(req)->locale) : "?", "holder", u ? u->display_name : "—",
                         "email", u ? u->email : "", "reason", reason ? reason : "", "error",
                         error ? app_t(a, req, error) : NULL));
    account_free(u);
}

static void revoke_get(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!a->badges) {
        app_error(a, req, resp, 503, "badges.error.unavailable");
        return;
    }
    revoke_confirm(a, req, resp, 200, app_param_id(req, 0), NULL);
}

static void revoke_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!a->badges) {
        app_error(a, req, resp, 503, "badges.error.unavailable");
        return;
    }
    const char *reason = http_input(req, "reason");
    if (!req->is_api && !http_input(req, "confirm")) { /* a page asks first, with the reason */
        revoke_confirm(a, req, resp, 200, app_param_id(req, 0), NULL);
        return;
    }
    if (!reason || !*reason) {
        if (req->is_api) admin_page(a, req, resp, 422, "badges.admin.reason_required", NULL);
        else revoke_confirm(a, req, resp, 422, app_param_id(req, 0), "badges.admin.reason_required");
        return;
    }
    perr err = {{0}};
    if (!badges_revoke(a->db, a->badges, app_param_id(req, 0), app_ctx(req)->user->id, reason, &err)) {
        admin_page(a, req, resp, 422, !strncmp(err.msg, "badges.", 7) ? err.msg : "badges.admin.failed", NULL);
        return;
    }
    if (req->is_api) app_json(resp, 200, json_pack("{s:b}", "revoked", 1));
    else http_resp_redirect(resp, "/admin/badges?done=revoke");
}

void badges_admin_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/admin/badges", admin_list, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/badges/award", award_post, 16 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/admin/badges/{id}/revoke", revoke_post, 16 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_GET, "/admin/badges/{id}/revoke", revoke_get, 0, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/admin/badges/award", award_post, 16 * 1024, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/admin/badges/{id}/revoke", revoke_post, 16 * 1024, 0, ROLE_ADMIN});
}
