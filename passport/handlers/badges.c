/* SPDX-License-Identifier: EUPL-1.2 */
/* The badges area: the agent's badges page (downloads of the signed JSON and the baked
 * SVG, share links, CLR export), public share pages, badge images, the signed status
 * list with its ETag and the did:web document. Verify and admin pages: badges_verify.c,
 * badges_admin.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/badges.h"
#include "badges/check.h"
#include "badges/share.h"
#include "core/buf.h"
#include "core/log.h"
#include "handlers/api_page.h"
#include "handlers/badges_pages.h"
#include "people/audit.h"
#include "store/changelog.h"

/* The badges context or a 503 page. */
static badges_ctx *need_badges(app *a, http_req *req, http_resp *resp) {
    if (!a->badges) app_error(a, req, resp, 503, "badges.error.unavailable");
    return a->badges;
}

static void badges_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    badges_ctx *b = need_badges(a, req, resp);
    if (!b) return;
    req_ctx *c = app_ctx(req);
    app_page_shows(req, 0); /* credentials and share links: unscoped changes (docs/performance.md) */
    json_t *list = badges_list_user(a->db, b, c->user->id, c->locale);
    const char *notice = http_query(req, "shared") ? "badges.share.created"
                         : http_query(req, "unshared") ? "badges.share.revoked" : NULL;
    app_render(a, req, resp, 200, "badges/index", "badges.title",
               json_pack("{s:o, s:s, s:s?}", "badges", list, "public_url", b->public_url, "notice",
                         notice ? app_t(a, req, notice) : NULL));
}

static void badges_api_list(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    badges_ctx *b = need_badges(a, req, resp);
    if (!b) return;
    req_ctx *c = app_ctx(req);
    store_page pg;
    if (!api_page_read_keyed(a, req, resp, "badges", &pg)) return;
    json_t *out = json_pack("{s:o}", "badges", badges_list_user_page(a->db, b, c->user->id, c->locale, &pg));
    api_page_next_keyed(out, "badges", &pg);
    app_json(resp, 200, out);
}

/* The caller's own credential of route parameter 0: its JSON (new string) and
 * achievement, or NULL after sending 404. */
static char *own_credential(app *a, http_req *req, http_resp *resp, const achievement **ach) {
    long long id = app_param_id(req, 0), owner = 0, aid = 0;
    char *json = NULL;
    if (!id || !badges_credential_get(a->db, id, &json, &owner, &aid, NULL) || owner != app_ctx(req)->user->id) {
        free(json);
        app_error(a, req, resp, 404, NULL);
        return NULL;
    }
    if (ach) *ach = achievement_by_id(a->badges->set, aid);
    return json;
}

static void download_json(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!need_badges(a, req, resp)) return;
    const achievement *ach = NULL;
    char *json = own_credential(a, req, resp, &ach);
    if (!json) return;
    resp->content_type = "application/vc+ld+json";
    char disp[200];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.json\"", ach ? ach->slug : "badge");
    http_resp_header(resp, "Content-Disposition", disp);
    buf_puts(&resp->body, json);
    free(json);
}

/* Sends the baked SVG of the credential json of achievement ach. */
static void send_baked(app *a, http_req *req, http_resp *resp, const achievement *ach, const char *json) {
    char *svg = ach ? share_bake_svg(ach->svg, json) : NULL;
    if (!svg) {
        app_error(a, req, resp, 500, NULL);
    } else {
        resp->content_type = "image/svg+xml";
        char disp[200];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s.svg\"", ach->slug);
        http_resp_header(resp, "Content-Disposition", disp);
        buf_puts(&resp->body, svg);
    }
    free(svg);
}

static void download_svg(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!need_badges(a, req, resp)) return;
    const achievement *ach = NULL;
    char *json = own_credential(a, req, resp, &ach);
    if (!json) return;
    send_baked(a, req, resp, ach, json);
    free(json);
}

static void share_create_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    long long id = app_param_id(req, 0);
    char token[SHARE_TOKEN_LEN + 1];
    perr err = {{0}};
    const char *show = http_input(req, "show_name");
    bool show_name = (show && !strcmp(show, "1")) || json_is_true(json_object_get(req->json, "show_name"));
    if (!share_create(a->db, app_ctx(req)->user->id, id, show_name, token, &err)) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    if (req->is_api) {
        buf u = BUF_INIT;
        buf_printf(&u, "%s/s/%s", a->badges ? a->badges->public_url : "", token);
        app_json(resp, 201, json_pack("{s:s, s:s}", "token", token, "url", buf_cstr(&u)));
        buf_free(&u);
    } else {
        http_resp_redirect(resp, "/badges?shared=1");
    }
}

static void share_revoke_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    perr err = {{0}};
    if (!share_revoke(a->db, app_ctx(req)->user->id, app_param_id(req, 0), &err)) {
        bool absent = !strcmp(err.msg, "badges.error.not_found"); /* another's badge: as if absent */
        app_error(a, req, resp, absent ? 404 : 500, absent ? NULL : err.msg);
        return;
    }
    if (req->is_api) app_json(resp, 200, json_pack("{s:b}", "ok", 1));
    else http_resp_redirect(resp, "/badges?unshared=1");
}

static void clr_download(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    badges_ctx *b = need_badges(a, req, resp);
    if (!b) return;
    perr err = {{0}};
    json_t *clr = badges_clr(a->db, b, app_ctx(req)->user->id, &err);
    if (!clr && !strcmp(err.msg, "badges.error.no_badge")) { /* nothing to bundle yet: said plainly */
        app_error(a, req, resp, 404, "badges.error.no_badge");
        return;
    }
    if (!clr) {
        log_error("clr: %s", err.msg);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    char *text = json_dumps(clr, JSON_INDENT(2));
    resp->content_type = "application/vc+ld+json";
    http_resp_header(resp, "Content-Disposition", "attachment; filename=\"passeport-clr.json\"");
    buf_puts(&resp->body, text);
    free(text);
    json_decref(clr);
}

/* GET /s/{token}: the shared badge and its live verification, for anyone. */
static void share_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    badges_ctx *b = need_badges(a, req, resp);
    if (!b) return;
    long long id = share_find(a->db, http_param(req, 0));
    long long aid = 0;
    char *json = NULL;
    if (!id || !badges_credential_get(a->db, id, &json, NULL, &aid, NULL)) {
        app_error(a, req, resp, 404, "badges.share.gone");
        return;
    }
    const achievement *ach = achievement_by_id(b->set, aid);
    json_t *verdict = check_credential(a->db, b, json, strlen(json));
    badges_translate_verdict(a, req, verdict);
    const char *loc = app_ctx(req)->locale;
    char *holder = share_holder_name(a->db, http_param(req, 0));
    app_render(a, req, resp, 200, "badges/share", "badges.share.title",
               json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s?}", "slug", ach ? ach->slug : "", "name",
                         ach ? achievement_name(ach, loc) : "", "description",
                         ach ? achievement_description(ach, loc) : "", "criteria",
                         ach ? achievement_criteria(ach, loc) : "", "token", http_param(req, 0), "verdict", verdict,
                         "holder", holder));
    free(holder);
    free(json);
}

static void share_json(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    long long id = share_find(a->db, http_param(req, 0));
    char *json = NULL;
    if (!id || !badges_credential_get(a->db, id, &json, NULL, NULL, NULL)) {
        app_error(a, req, resp, 404, "badges.share.gone");
        return;
    }
    resp->content_type = "application/vc+ld+json";
    buf_puts(&resp->body, json);
    free(json);
}

/* GET /s/{token}/badge.svg: the shared badge baked, for anyone. */
static void share_svg(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    badges_ctx *b = need_badges(a, req, resp);
    if (!b) return;
    long long id = share_find(a->db, http_param(req, 0)), aid = 0;
    char *json = NULL;
    if (!id || !badges_credential_get(a->db, id, &json, NULL, &aid, NULL)) {
        app_error(a, req, resp, 404, "badges.share.gone");
        return;
    }
    send_baked(a, req, resp, achievement_by_id(b->set, aid), json);
    free(json);
}

/* GET /badges/images/{slug}.svg: the plain badge image. */
static void image(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    badges_ctx *b = need_badges(a, req, resp);
    if (!b) return;
    const char *p = http_param(req, 0);
    size_t n = strlen(p);
    char slug[128];
    if (n < 5 || n - 4 >= sizeof slug || strcmp(p + n - 4, ".svg")) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    snprintf(slug, sizeof slug, "%.*s", (int)(n - 4), p);
    const achievement *ach = achievement_find(b->set, slug);
    if (!ach) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    resp->content_type = "image/svg+xml";
    http_resp_header(resp, "Cache-Control", "public, max-age=3600");
    buf_puts(&resp->body, ach->svg);
}

/* GET /achievements/{slug}: the badge definition as JSON (the achievement's id URL). */
static void achievement_json(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    badges_ctx *b = need_badges(a, req, resp);
    if (!b) return;
    const achievement *ach = achievement_find(b->set, http_param(req, 0));
    if (!ach) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    json_t *al = json_array();
    for (size_t i = 0; i < ach->nalignment; i++) json_array_append_new(al, json_string(ach->alignment[i]));
    app_json(resp, 200, json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:o, s:i}", "slug", ach->slug, "name",
                                  "fr", ach->name_fr, "en", ach->name_en, "description", "fr", ach->description_fr,
                                  "en", ach->description_en, "criteria", "fr", ach->criteria_fr, "en",
                                  ach->criteria_en, "alignment", al, "valid_months", ach->valid_months));
}

/* GET /status/{id}: the signed status list credential, with ETag and 304. */
static void status_list(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    badges_ctx *b = need_badges(a, req, resp);
    if (!b) return;
    long long id = app_param_id(req, 0);
    char *json = NULL, *etag = NULL;
    perr err = {{0}};
    if (id < BADGES_FIRST_LIST || id > INT_MAX || !badges_status_list(a->db, b, (int)id, &json, &etag, &err)) {
        if (err.msg[0] && strcmp(err.msg, "badges.error.no_list")) log_error("status list: %s", err.msg);
        app_error(a, req, resp, 404, NULL);
        return;
    }
    http_resp_header(resp, "ETag", etag);
    http_resp_header(resp, "Cache-Control", "no-cache");
    const char *inm = http_header(req, "If-None-Match");
    if (inm && !strcmp(inm, etag)) {
        resp->status = 304;
    } else {
        resp->content_type = "application/vc+ld+json";
        buf_puts(&resp->body, json);
    }
    free(json);
    free(etag);
}

/* GET /.well-known/did.json: the did:web document of the host asked for, when it is the
 * current did:web or one credentials were issued under before a move of the public URL
 * (its lists are re-signed by our keys under that DID); else the current one, if any. */
static void did_document(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *host = http_header(req, "Host");
    char *asked = NULL;
    if (a->badges && host && *host && strlen(host) < 256 && !strpbrk(host, "/%#?")) {
        buf d = BUF_INIT;
        buf_puts(&d, "did:web:");
        for (const char *p = host; *p; p++) {
            if (*p == ':') buf_puts(&d, "%3A");
            else buf_putc(&d, *p);
        }
        asked = buf_detach(&d);
        if (!badges_issuer_recorded(a->db, asked)) {
            free(asked);
            asked = NULL;
        }
    }
    const char *did = asked ? asked : a->badges ? a->badges->web_did : NULL;
    if (!did) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    json_t *doc = keyring_did_document(a->badges->keys, did);
    free(asked);
    resp->content_type = "application/did+json";
    char *text = json_dumps(doc, JSON_INDENT(2));
    buf_puts(&resp->body, text);
    free(text);
    json_decref(doc);
}

void badges_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/badges", badges_page, 0, ROUTE_CACHE, 0});
    http_router_add(r, (http_route){HTTP_GET, "/badges/clr.json", clr_download, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/badges/{id}/credential.json", download_json, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/badges/{id}/badge.svg", download_svg, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/badges/{id}/share", share_create_post, 8 * 1024, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/badges/{id}/unshare", share_revoke_post, 8 * 1024, 0, 0});
    /* what a verifier fetches, from any site (CORS), never reading a session */
    const unsigned open = ROUTE_PUBLIC | ROUTE_CORS;
    http_router_add(r, (http_route){HTTP_GET, "/badges/images/{file}", image, 0, open, 0});
    http_router_add(r, (http_route){HTTP_GET, "/achievements/{slug}", achievement_json, 0, open, 0});
    http_router_add(r, (http_route){HTTP_GET, "/s/{token}", share_page, 0, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_GET, "/s/{token}/credential.json", share_json, 0, open, 0});
    http_router_add(r, (http_route){HTTP_GET, "/s/{token}/badge.svg", share_svg, 0, open, 0});
    http_router_add(r, (http_route){HTTP_GET, "/status/{id}", status_list, 0, open, 0});
    http_router_add(r, (http_route){HTTP_GET, "/.well-known/did.json", did_document, 0, open, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/badges", badges_api_list, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/badges/clr", clr_download, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/badges/{id}/share", share_create_post, 8 * 1024, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/badges/{id}/unshare", share_revoke_post, 8 * 1024, 0, 0});
    http_router_json(r, HTTP_POST, "/api/v1/badges/{id}/share", "show_name:boolean");
    badges_verify_routes(r);
    badges_admin_routes(r);
}
