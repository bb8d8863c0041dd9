/* SPDX-License-Identifier: EUPL-1.2 */
/* A linear router: routes are few (under a hundred) and matching is a segment walk. */
#include "http/router.h"

#include <stdlib.h>
#include <string.h>

struct http_router {
    http_route *routes;
    const char **json_fields; /* per route, parallel to routes */
    http_admit *admit;        /* per route, parallel to routes */
    size_t n, cap;
    size_t default_max_body;
};

http_router *http_router_new(size_t default_max_body) {
    http_router *r = xcalloc(1, sizeof *r);
    r->default_max_body = default_max_body;
    return r;
}

void http_router_free(http_router *r) {
    if (!r) return;
    free(r->routes);
    free(r->json_fields);
    free(r->admit);
    free(r);
}

void http_router_add(http_router *r, http_route route) {
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->routes = xrealloc(r->routes, r->cap * sizeof *r->routes);
        r->json_fields = xrealloc(r->json_fields, r->cap * sizeof *r->json_fields);
        r->admit = xrealloc(r->admit, r->cap * sizeof *r->admit);
    }
    r->json_fields[r->n] = NULL;
    r->admit[r->n] = NULL;
    r->routes[r->n++] = route;
}

void http_router_json(http_router *r, unsigned methods, const char *pattern, const char *spec) {
    for (size_t i = 0; i < r->n; i++)
        if ((r->routes[i].methods & methods) && !strcmp(r->routes[i].pattern, pattern)) r->json_fields[i] = spec;
}

const char *http_router_json_fields(const http_router *r, const http_route *route) {
    if (!route || !r->n || route < r->routes || route >= r->routes + r->n) return NULL;
    return r->json_fields[route - r->routes];
}

void http_router_admit(http_router *r, unsigned methods, const char *pattern, http_admit fn) {
    for (size_t i = 0; i < r->n; i++)
        if ((r->routes[i].methods & methods) && !strcmp(r->routes[i].pattern, pattern)) r->admit[i] = fn;
}

http_admit http_router_admission(const http_router *r, const http_route *route) {
    if (!route || !r->n || route < r->routes || route >= r->routes + r->n) return NULL;
    return r->admit[route - r->routes];
}

size_t http_router_max_body(const http_router *r, const http_route *route) {
    return route && route->max_body ? route->max_body : r->default_max_body;
}

size_t http_router_count(const http_router *r) {
    return r ? r->n : 0;
}

const http_route *http_router_at(const http_router *r, size_t i) {
    return r && i < r->n ? &r->routes[i] : NULL;
}

/* Matches path against pattern; on success stores up to HTTP_MAX_PARAMS parameters. */
static bool match_pattern(const char *pat, const char *path, char **params, size_t *np) {
    size_t n = 0;
    while (*pat && *path) {
        if (*pat == '{') {
            const char *close = strchr(pat, '}');
            if (!close) goto fail;
            const char *seg_end = strchr(path, '/');
            size_t len = seg_end ? (size_t)(seg_end - path) : strlen(path);
            if (len == 0 || n == HTTP_MAX_PARAMS) goto fail;
            params[n++] = xstrndup(path, len);
            pat = close + 1;
            path += len;
        } else {
            if (*pat != *path) goto fail;
            pat++;
            path++;
        }
    }
    if (*pat || *path) goto fail;
    *np = n;
    return true;
fail:
    for (size_t i = 0; i < n; i++) free(params[i]);
    return false;
}

http_match http_router_match(const http_router *r, http_method method, const char *path,
                             const http_route **route, char **params, size_t *nparams,
                             unsigned *allowed) {
    unsigned want = method == HTTP_HEAD ? (HTTP_HEAD | HTTP_GET) : method;
    unsigned seen = 0;
    for (size_t i = 0; i < r->n; i++) {
        size_t np = 0;
        if (!match_pattern(r->routes[i].pattern, path, params, &np)) continue;
        if (r->routes[i].methods & want) {
            *route = &r->routes[i];
            *nparams = np;
            return HTTP_MATCH_OK;
        }
        for (size_t k = 0; k < np; k++) free(params[k]);
        seen |= r->routes[i].methods;
    }
    if (allowed) *allowed = seen;
    return seen ? HTTP_MATCH_BAD_METHOD : HTTP_MATCH_NOT_FOUND;
}
