/* Verification pages: /verify (paste, upload, or a share link of this server) and
 * POST /api/v1/verify. Each check of badges/check is explained in plain words. Nothing
 * is fetched from the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/check.h"
#include "badges/share.h"
#include "handlers/badges_pages.h"

void badges_translate_verdict(app *a, http_req *req, json_t *verdict) {
    size_t i;
    json_t *ch;
    json_array_foreach(json_object_get(verdict, "checks"), i, ch) {
        char key[96];
        snprintf(key, sizeof key, "badges.check.name.%s", json_string_value(json_object_get(ch, "name")));
        json_object_set_new(ch, "label", json_string(app_t(a, req, key)));
        json_object_set_new(ch, "text", json_string(app_t(a, req, json_string_value(json_object_get(ch, "key")))));
        const json_t *ok = json_object_get(ch, "ok");
        const char *state = json_is_true(ok) ? "pass" : json_is_false(ok) ? "fail" : "na";
        json_object_set_new(ch, "state", json_string(state));
        snprintf(key, sizeof key, "badges.check.state.%s", state);
        json_object_set_new(ch, "state_text", json_string(app_t(a, req, key)));
    }
}

static void render(app *a, http_req *req, http_resp *resp, int status, json_t *verdict, const char *pasted,
                   const char *error) {
    if (verdict) badges_translate_verdict(a, req, verdict);
    app_render(a, req, resp, status, "badges/verify", "badges.verify.title",
               json_pack("{s:o?, s:s, s:s?}", "verdict", verdict, "pasted", pasted ? pasted : "", "error",
                         error ? app_t(a, req, error) : NULL));
}

/* The token of a share link of ours ("https://host/s/TOKEN", "/s/TOKEN/credential.json"
 * or the bare token) into out; false when it is not one. */
static bool link_token(const char *link, char out[SHARE_TOKEN_LEN + 1]) {
    const char *p = strstr(link, "/s/");
    p = p ? p + 3 : link;
    size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    if (n != SHARE_TOKEN_LEN) return false;
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}

static void verify_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *link = http_query(req, "link");
    if (!link || !*link) {
        render(a, req, resp, 200, NULL, NULL, NULL);
        return;
    }
    char token[SHARE_TOKEN_LEN + 1];
    long long id = link_token(link, token) ? share_find(a->db, token) : 0;
    char *json = NULL;
    if (!a->badges || !id || !badges_credential_get(a->db, id, &json, NULL, NULL, NULL)) {
        render(a, req, resp, 404, NULL, NULL, "badges.verify.link_unknown");
        return;
    }
    render(a, req, resp, 200, check_credential(a->db, a->badges, json, strlen(json)), NULL, NULL);
    free(json);
}

static void verify_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const http_file *f = http_file_get(req, "file");
    const char *text = NULL;
    size_t len = 0;
    if (f && f->len) {
        text = f->data;
        len = f->len;
        /* a baked SVG: the credential inside it */
        if (len < CHECK_MAX_BYTES * 4 && strstr(text, "<svg")) {
            char *inner = share_unbake_svg(text);
            if (inner) {
                json_t *v = check_credential(a->db, a->badges, inner, strlen(inner));
                render(a, req, resp, 200, v, NULL, NULL);
                free(inner);
                return;
            }
        }
    } else {
        text = http_input(req, "credential");
        len = text ? strlen(text) : 0;
    }
    if (!len) {
        render(a, req, resp, 422, NULL, NULL, "badges.verify.empty");
        return;
    }
    if (len > CHECK_MAX_BYTES) {
        render(a, req, resp, 413, NULL, NULL, "badges.check.too_large");
        return;
    }
    render(a, req, resp, 200, check_credential(a->db, a->badges, text, len), text, NULL);
}

static void verify_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!req->body.len) {
        app_error(a, req, resp, 400, "badges.verify.empty");
        return;
    }
    json_t *v = check_credential(a->db, a->badges, req->body.data, req->body.len);
    badges_translate_verdict(a, req, v);
    app_json(resp, 200, v);
}

void badges_verify_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/verify", verify_page, 0, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_POST, "/verify", verify_post, 4 * CHECK_MAX_BYTES, ROUTE_PUBLIC, 0});
    http_router_json(r, HTTP_POST, "/verify", "*"); /* the credential itself */
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/verify", verify_api, CHECK_MAX_BYTES, ROUTE_PUBLIC | ROUTE_NO_CSRF, 0});
    http_router_json(r, HTTP_POST, "/api/v1/verify", "*");
}
