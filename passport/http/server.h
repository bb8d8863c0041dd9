/* SPDX-License-Identifier: EUPL-1.2 */
/* The HTTP server: libmicrohttpd with epoll and a thread pool, request bodies
 * accumulated under a per-route limit, routing, static files, security headers, a
 * request id (X-Request-Id) and one log line per request. Connections are limited per
 * address and in total (503 + Retry-After beyond), a whole request must arrive within a
 * deadline, framing is checked strictly, /metrics is served to configured addresses, and
 * stopping lets running requests answer. The application plugs in through http_app. */
#ifndef PASSPORT_HTTP_SERVER_H
#define PASSPORT_HTTP_SERVER_H

#include <stdbool.h>

#include "core/err.h"
#include "http/router.h"
#include "http/static.h"

typedef struct http_app {
    http_router *router;
    const static_set *statics; /* served under /static/ */
    void *ctx;
    bool https; /* the public URL is https: cookies get Secure, HSTS is sent */
    /* After routing, before the handler: return false to stop with resp filled (e.g. a
     * redirect to the login page, 403). May set req->app. */
    bool (*before)(http_req *req, http_resp *resp, const http_route *route, void *ctx);
    /* After the handler (not when before stopped the request), before the answer is sent:
     * may add headers to resp (may be NULL). */
    void (*after)(http_req *req, http_resp *resp, void *ctx);
    /* Fills resp with an error page (or JSON under /api/) for status and message. */
    void (*error)(http_req *req, http_resp *resp, int status, const char *message, void *ctx);
    /* Frees req->app at the end of the request (may be NULL). */
    void (*finish)(http_req *req, void *ctx);
} http_app;

typedef struct http_server_opts {
    const char *listen;      /* "127.0.0.1:8080"; port 0 picks a free one */
    unsigned threads;        /* 0: one per core */
    unsigned conn_limit;     /* connections served at once (0: 4096); more get 503 */
    unsigned per_ip_limit;   /* from one address (0: 256); more get 503 */
    unsigned timeout_s;      /* idle connection timeout (0: 15) */
    unsigned deadline_ms;    /* to receive a whole request, headers and body (0: 20 000) */
    unsigned shutdown_ms;    /* how long stopping waits for running requests (0: 10 000) */
    size_t conn_memory;      /* per-connection memory, bounds the request headers (0: 64 KiB) */
    const char *trusted_proxy; /* "ADDR[,ADDR]": peers whose X-Forwarded-For names the client */
    const char *metrics_allow; /* "ADDR[,ADDR]" that may read /metrics (NULL: loopback) */
    unsigned background_queue; /* requests of costly routes admitted to the background worker
                                * at once, running or waiting (0: half the cores, at least 1);
                                * more get 429 (http_admission) */
    bool quiet;              /* no per-request log lines, no refusal summaries */
} http_server_opts;

typedef struct http_server http_server;

/* Starts serving in background threads. app must outlive the server. NULL with err set
 * when an address cannot be parsed or bound. */
http_server *http_server_start(const http_app *app, const http_server_opts *opts, perr *err);
/* The port actually bound. */
unsigned http_server_port(const http_server *s);
/* Stops accepting, lets running requests finish and answer (up to opts.shutdown_ms; then
 * requests not yet handled get 503 while handlers already running finish and answer),
 * stops the threads and frees the server. NULL: no-op. */
void http_server_stop(http_server *s);

#endif
