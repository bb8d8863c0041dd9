/* SPDX-License-Identifier: EUPL-1.2 */
/* The in-app inbox: /me/inbox (page), marking as read, GET /api/v1/me/inbox. */
#include <stdlib.h>

#include "core/buf.h"
#include "handlers/api_page.h"
#include "handlers/app.h"
#include "http/locale_fmt.h"
#include "people/inbox.h"
#include "store/changelog.h"

/* A copy of a notice's arguments with dates ("2026-12-20") written in the reader's
 * language ("20 décembre 2026"). */
static json_t *localised_args(const json_t *args, const char *locale) {
    json_t *out = json_array();
    size_t i;
    json_t *v;
    buf b = BUF_INIT;
    json_array_foreach(args, i, v) {
        if (json_is_string(v)) {
            buf_reset(&b);
            locale_fmt_arg(&b, locale, json_string_value(v));
            json_array_append_new(out, json_string(buf_cstr(&b)));
        } else {
            json_array_append(out, v);
        }
    }
    buf_free(&b);
    return out;
}

/* Adds a translated "text" member to every message, in the reader's language. */
/* The messages of the page pg (NULL: the newest 100, for the page), with their text. */
static json_t *translated(app *a, http_req *req, bool unread_only, store_page *pg) {
    json_t *items = pg ? inbox_list_page(a->db, app_ctx(req)->user->id, unread_only, pg)
                       : inbox_list(a->db, app_ctx(req)->user->id, unread_only, 100);
    size_t i;
    json_t *m;
    json_array_foreach(items, i, m) {
        json_t *args = localised_args(json_object_get(m, "args"), app_ctx(req)->locale);
        char *text = app_tf(a, req, json_string_value(json_object_get(m, "key")), args);
        json_decref(args);
        json_object_set_new(m, "text", json_string(text));
        free(text);
    }
    return items;
}

static void inbox_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    json_t *items = translated(a, req, false, NULL);
    app_page_shows(req, 0); /* messages: unscoped changes */
    app_render(a, req, resp, 200, "inbox", "inbox.title",
               json_pack("{s:o, s:i}", "items", items, "unread", inbox_unread_count(a->db, app_ctx(req)->user->id)));
}

static void inbox_read(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *id = http_input(req, "id");
    perr err = {{0}};
    if (!inbox_mark_read(a->db, app_ctx(req)->user->id, id ? atoll(id) : 0, &err)) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    if (req->is_api) {
        app_json(resp, 200, json_pack("{s:i}", "unread", inbox_unread_count(a->db, app_ctx(req)->user->id)));
        return;
    }
    http_resp_redirect(resp, "/me/inbox");
}

static void inbox_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *unread = http_query(req, "unread");
    store_page pg;
    if (!api_page_read_keyed(a, req, resp, "inbox", &pg)) return;
    json_t *out = json_pack("{s:o, s:i}", "items", translated(a, req, unread && *unread == '1', &pg), "unread",
                            inbox_unread_count(a->db, app_ctx(req)->user->id));
    api_page_next_keyed(out, "inbox", &pg);
    app_json(resp, 200, out);
}

void inbox_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/me/inbox", inbox_page, 0, ROUTE_CACHE, 0});
    http_router_add(r, (http_route){HTTP_POST, "/me/inbox/read", inbox_read, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/inbox", inbox_api, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/me/inbox/read", inbox_read, 4096, 0, 0});
}
