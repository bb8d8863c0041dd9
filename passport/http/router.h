/* SPDX-License-Identifier: EUPL-1.2 */
/* Routing on method + path pattern. Patterns are literal segments and `{name}`
 * parameters, each matching one non-empty segment: "/people/{id}/passport". */
#ifndef PASSPORT_HTTP_ROUTER_H
#define PASSPORT_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

typedef struct http_route http_route;
typedef void (*http_handler)(http_req *req, http_resp *resp, void *ctx);

/* Route flags the application interprets (authentication, CSRF). */
enum {
    ROUTE_PUBLIC = 1,   /* no login required */
    ROUTE_NO_CSRF = 2,  /* state-changing but exempt from CSRF (token-authenticated API) */
    ROUTE_SESSION_ONLY = 4, /* refused to a personal API token (making tokens, erasure) */
    ROUTE_CORS = 8,     /* with ROUTE_PUBLIC: a cookie-free resource verifiers fetch from any site
                         * (Access-Control-Allow-Origin: *); its session and tokens are never read */
    ROUTE_CACHE = 16,   /* a signed-in page that shows only the user's own data and data everyone
                         * shares: its GET response may be kept per user (docs/performance.md) */
};

/* The admission of a costly request, decided by its route from the request line, query
 * and headers, before any byte of its body is read (http/server.c). */
typedef struct http_admission {
    int retry_after;     /* > 0: refused: 429 with this Retry-After (seconds), body unread */
    const char *message; /* the refusal's message, for http_app.error */
    bool background;     /* run the handler on the server's background worker (low priority,
                          * bounded queue), the connection suspended meanwhile */
} http_admission;
/* busy: the background worker's queue is full now (a request sent there would be refused
 * with message and a Retry-After of 1 s). */
typedef http_admission (*http_admit)(const http_req *req, bool busy, void *ctx);

struct http_route {
    unsigned methods; /* bit set of http_method */
    const char *pattern;
    http_handler fn;
    size_t max_body; /* bytes; 0 means the router default */
    unsigned flags;
    unsigned roles; /* application-defined: roles allowed (0 = any logged-in user) */
};

typedef struct http_router http_router;

typedef enum http_match {
    HTTP_MATCH_OK,
    HTTP_MATCH_NOT_FOUND,
    HTTP_MATCH_BAD_METHOD,
} http_match;

/* A new empty router the caller frees with http_router_free. */
http_router *http_router_new(size_t default_max_body);
void http_router_free(http_router *r);
/* Adds a route; pattern must outlive the router (use literals). */
void http_router_add(http_router *r, http_route route);
/* Finds the route for method and path. On HTTP_MATCH_OK, *route is set and the parameters
 * are written to params (new strings the caller frees) and *nparams. HEAD matches GET.
 * On HTTP_MATCH_BAD_METHOD, *allowed holds the methods the path accepts. */
http_match http_router_match(const http_router *r, http_method method, const char *path,
                             const http_route **route, char **params, size_t *nparams,
                             unsigned *allowed);
/* Declares the members of the JSON bodies the routes with pattern (and any of methods)
 * accept that are not strings: spec is "name:type[|type] ..." as http_json_check_fields
 * reads it (a literal). Undeclared routes accept string members only. */
void http_router_json(http_router *r, unsigned methods, const char *pattern, const char *spec);
/* The declaration of a route (NULL: strings only). */
const char *http_router_json_fields(const http_router *r, const http_route *route);
/* Declares the admission of the routes with pattern (and any of methods): a costly route's
 * requests are admitted or refused by fn from their headers (http_admission). Routes
 * without one are admitted and handled on the HTTP threads. */
void http_router_admit(http_router *r, unsigned methods, const char *pattern, http_admit fn);
/* The admission of a route (NULL: none). */
http_admit http_router_admission(const http_router *r, const http_route *route);
/* The body limit for a route (its own or the default). */
size_t http_router_max_body(const http_router *r, const http_route *route);
/* The number of routes, and route i (0 <= i < count) in the order they were added
 * (borrowed: valid until the router changes or is freed); NULL when i is out of range. */
size_t http_router_count(const http_router *r);
const http_route *http_router_at(const http_router *r, size_t i);

#endif
