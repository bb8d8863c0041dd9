/* SPDX-License-Identifier: EUPL-1.2 */
/* Verification pages: /verify (paste, upload, or a share link of this server) and
 * POST /api/v1/verify. Each check of badges/check is explained in plain words. Nothing
 * is fetched from the network. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/check.h"
#include "badges/share.h"
#include "core/clock.h"
#include "core/ratelimit.h"
#include "handlers/badges_pages.h"

/* Anyone may verify, so verification is admitted per client address (a token bucket:
 * PASSPORT_VERIFY_RATE per minute, default 30, bursts of PASSPORT_VERIFY_BURST, default
 * 15), from the request's headers before its body is read, and runs on the server's
 * background worker: one thread at the lowest CPU priority, at most half the cores'
 * worth of verifications admitted at once (at least one, running or waiting). The HTTP
 * threads keep serving everyone else. Refused calls get 429 with Retry-After, their body
 * unread. */
static ratelimit *limiter;
static pthread_once_t limiter_once = PTHREAD_ONCE_INIT;

static double env_number(const char *name, double fallback) {
    const char *v = getenv(name);
    double d = v ? strtod(v, NULL) : 0;
    return d > 0 ? d : fallback;
}

static void limiter_init(void) {
    limiter = ratelimit_new(env_number("PASSPORT_VERIFY_RATE", 30) / 60, env_number("PASSPORT_VERIFY_BURST", 15), 1);
}

/* The admission of /verify and /api/v1/verify (http_admission): a request that verifies
 * (a POST with a body, a GET with a link) spends a token and goes to the background
 * worker; the form itself and an empty body cost nothing. */
static http_admission verify_admit(const http_req *req, bool busy, void *ctx) {
    (void)ctx;
    const char *link = http_query(req, "link");
    const char *cl = http_header(req, "Content-Length");
    bool costly = req->method == HTTP_POST ? !(cl && !strcmp(cl, "0")) : (link && *link);
    http_admission ad = {0, "badges.verify.busy", false};
    if (!costly || busy) { /* busy: refused by the server without spending a token */
        ad.background = costly;
        return ad;
    }
    pthread_once(&limiter_once, limiter_init);
    ad.retry_after = ratelimit_take(limiter, req->ip, clock_mono_us());
    ad.background = !ad.retry_after;
    return ad;
}

/* "2026-12-05T10:00:00Z" as "5 décembre 2026" / "5 December 2026" in the reader's
 * language (the month names are in the badges catalog); NULL when it is no date. */
static json_t *long_date(app *a, http_req *req, const json_t *iso) {
    const char *s = json_string_value(iso);
    int y, m, d;
    if (!s || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) return NULL;
    char key[32], out[96];
    snprintf(key, sizeof key, "badges.month.%d", m);
    snprintf(out, sizeof out, "%d %s %d", d, app_t(a, req, key), y);
    return json_string(out);
}

/* Only http(s) URLs become links and images on the page. */
static void keep_http(json_t *o, const char *k) {
    const char *v = json_string_value(json_object_get(o, k));
    if (v && strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) json_object_del(o, k);
}

void badges_translate_verdict(app *a, http_req *req, json_t *verdict) {
    json_t *sum = json_object_get(verdict, "summary");
    if (sum) {
        json_t *from = long_date(a, req, json_object_get(sum, "valid_from"));
        json_t *until = long_date(a, req, json_object_get(sum, "valid_until"));
        if (from) json_object_set_new(sum, "valid_from_text", from);
        if (until) json_object_set_new(sum, "valid_until_text", until);
        keep_http(sum, "issuer_url");
        keep_http(sum, "issuer_image");
    }
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
    json_t *verdict = check_credential(a->db, a->badges, json, strlen(json));
    render(a, req, resp, 200, verdict, NULL, NULL);
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
    http_router_admit(r, HTTP_GET | HTTP_POST, "/verify", verify_admit);
    http_router_admit(r, HTTP_POST, "/api/v1/verify", verify_admit);
    http_router_json(r, HTTP_POST, "/api/v1/verify", "*");
}
