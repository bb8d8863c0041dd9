/* SPDX-License-Identifier: EUPL-1.2 */
/* GET /api/v1/openapi.json: the OpenAPI 3.1 document of the JSON API (web/openapi.json),
 * read once at start and served from memory, public. */
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "handlers/app.h"

char *openapi_load(const char *path, size_t *len) {
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b = BUF_INIT;
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) goto fail;
    *len = b.len;
    buf_putc(&b, '\0'); /* a NUL-terminated copy even when the file is empty */
    return buf_detach(&b);
fail:
    buf_free(&b);
    return NULL;
}

static void openapi_get(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!a->openapi) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    resp->status = 200;
    resp->content_type = "application/json";
    resp->static_data = a->openapi;
    resp->static_len = a->openapi_len;
    http_resp_header(resp, "Cache-Control", "no-cache");
}

void openapi_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/openapi.json", openapi_get, 0, ROUTE_PUBLIC, 0});
}
