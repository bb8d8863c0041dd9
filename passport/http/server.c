/* SPDX-License-Identifier: EUPL-1.2 */
/* libmicrohttpd glue. A response is queued on the second call of the access handler (or
 * later for bodies), which keeps connections alive (see DESIGN §3); refusals (limits,
 * framing, bodies over the limit) are answered on the first call, which closes the
 * connection and, for `Expect: 100-continue`, comes before any `100 Continue`. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/utf8.h"
#include "http/conns.h"
#include "http/metrics.h"
#include "http/offload.h"

#define RETRY_AFTER_S "5"
#define MAX_QUERY_PARAMS 128

struct http_server {
    struct MHD_Daemon *daemon;
    const http_app *app;
    unsigned port;
    bool quiet;
    unsigned shutdown_ms;
    http_conns *conns;
    http_metrics *metrics;
    http_addrs trusted, metrics_allow;
    char id_prefix[9];             /* random per process: request ids differ across restarts */
    _Atomic unsigned long next_id;
    _Atomic int inflight;          /* requests between their headers and their completion */
    _Atomic int in_handler;        /* requests being dispatched right now */
    _Atomic int sending;           /* answers queued and not yet completed */
    _Atomic int suspended;         /* requests handed to the background worker, not yet answered */
    http_offload *offload;         /* the background worker of costly routes (http_admission) */
    _Atomic bool draining;         /* stopping: answers close their connection */
    _Atomic bool closing;          /* stopping, time is up: requests not yet handled get 503 */
    pthread_mutex_t log_mu;        /* the library's own messages, rate-limited */
    uint64_t log_window_us;
    unsigned log_lines, log_dropped;
};

/* Per-request state kept in *con_cls between calls. */
typedef struct req_state {
    http_req req;
    const http_route *route;
    http_match match;
    unsigned allowed;
    int status;
    size_t bytes;
    size_t slot;         /* metrics slot */
    char id[20];         /* the request id, sent as X-Request-Id */
    struct http_conn *conn;
    bool early;          /* answered on the first call (refusal, framing, 413) */
    bool refused;        /* a 503 for a limit or for stopping: counted, not logged */
    bool queued;         /* an answer is queued (counted in http_server.sending) */
    bool background;     /* admitted to run on the background worker */
    const char *busy;    /* the route's refusal message, when the worker's queue is full */
    bool suspended;      /* handed to the background worker (counted in http_server.suspended) */
    _Atomic bool ready;  /* the background worker filled out; the connection is resumed */
    http_resp out;       /* the answer made on the background worker */
    http_server *srv;
} req_state;

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
                          "base-uri 'none'; object-src 'none'";

const char *http_header(const http_req *req, const char *name) {
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(const http_req *req, const char *name) {
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size) {
    (void)kind;
    http_req *req = cls;
    if (req->nquery >= MAX_QUERY_PARAMS) {
        req->bad_query = "too many query parameters";
        return MHD_NO;
    }
    if (!utf8_valid(key, key_size) || (value && !utf8_valid(value, value_size))) {
        req->bad_query = "invalid UTF-8 in the query string";
        return MHD_NO;
    }
    if (memchr(key, '\0', key_size) || (value && memchr(value, '\0', value_size))) {
        req->bad_query = "a NUL character in the query string";
        return MHD_NO;
    }
    req->query = xrealloc(req->query, (req->nquery + 1) * sizeof *req->query);
    req->query[req->nquery].name = xstrdup(key);
    req->query[req->nquery].value = value ? xstrndup(value, value_size) : xstrdup("");
    req->query[req->nquery].len = value ? value_size : 0;
    req->nquery++;
    return MHD_YES;
}

/* Framing headers seen while checking a request (check_framing). */
typedef struct framing {
    unsigned content_length, transfer_encoding, host;
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value) {
    (void)kind;
    (void)value;
    framing *f = cls;
    if (!strcasecmp(key, "Content-Length")) f->content_length++;
    else if (!strcasecmp(key, "Transfer-Encoding")) f->transfer_encoding++;
    else if (!strcasecmp(key, "Host")) f->host++;
    return MHD_YES;
}

/* The reason to refuse a request's framing (RFC 9112 §6.3, §3.2), or NULL when it is sound:
 * a body length said twice or two ways can be read differently by a proxy in front. */
static const char *check_framing(struct MHD_Connection *c, const char *version) {
    framing f = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
    if (f.content_length > 1) return "more than one Content-Length header";
    if (f.transfer_encoding && f.content_length) return "both Transfer-Encoding and Content-Length";
    if (f.transfer_encoding > 1) return "more than one Transfer-Encoding header";
    if (f.transfer_encoding) { /* the body's length is known only when chunked is the last coding */
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
        size_t n = te ? strlen(te) : 0;
        while (n && (te[n - 1] == ' ' || te[n - 1] == '\t')) n--;
        if (n < 7 || strncasecmp(te + n - 7, "chunked", 7) || (n > 7 && !strchr(", \t", te[n - 8])))
            return "a Transfer-Encoding that does not end with chunked";
    }
    if (f.host > 1) return "more than one Host header";
    if (!f.host && version && !strcmp(version, MHD_HTTP_VERSION_1_1)) return "HTTP/1.1 request without Host";
    return NULL;
}

static void add_security_headers(struct MHD_Response *r, bool https) {
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    if (https) MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_resp(struct MHD_Connection *c, http_server *srv, req_state *rs,
                                 http_resp *resp) {
    struct MHD_Response *r;
    size_t len;
    if (resp->static_data) {
        len = resp->static_len;
        r = MHD_create_response_from_buffer(len, (void *)resp->static_data, MHD_RESPMEM_PERSISTENT);
    } else {
        len = resp->body.len;
        char *data = buf_detach(&resp->body);
        r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (!r) free(data);
    }
    if (!r) return MHD_NO;
    if (resp->status != 304 && resp->status != 204)
        MHD_add_response_header(r, "Content-Type",
                                resp->content_type ? resp->content_type : "text/html; charset=utf-8");
    for (size_t i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    add_security_headers(r, srv->app->https);
    MHD_add_response_header(r, "X-Request-Id", rs->id);
    if (rs->early || atomic_load(&srv->draining)) MHD_add_response_header(r, "Connection", "close");
    rs->status = resp->status ? resp->status : 200;
    rs->bytes = len;
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    if (ret == MHD_YES && !rs->queued) {
        rs->queued = true;
        atomic_fetch_add(&srv->sending, 1);
    }
    return ret;
}

static void serve_static(const http_server *srv, req_state *rs, http_resp *resp) {
    bool immutable = false;
    const char *rel = rs->req.path + strlen("/static/");
    const static_file *f = srv->app->statics ? static_lookup(srv->app->statics, rel, &immutable) : NULL;
    if (!f) {
        srv->app->error(&rs->req, resp, 404, NULL, srv->app->ctx);
        return;
    }
    rs->slot = http_metrics_static_slot(srv->metrics);
    http_resp_header(resp, "ETag", f->etag);
    http_resp_header(resp, "Cache-Control",
                     immutable ? "public, max-age=31536000, immutable" : "public, no-cache");
    const char *inm = http_header(&rs->req, "If-None-Match");
    if (inm && strstr(inm, f->etag)) {
        resp->status = 304;
        return;
    }
    resp->status = 200;
    resp->content_type = f->mime;
    resp->static_data = f->data;
    resp->static_len = f->len;
}

/* GET /metrics, for the addresses of --metrics-allow only (others get 404: the page is not
 * advertised). The client address is the real one behind a trusted proxy. */
static void serve_metrics(const http_server *srv, req_state *rs, http_resp *resp) {
    if (!rs->req.operator) {
        srv->app->error(&rs->req, resp, 404, NULL, srv->app->ctx);
        return;
    }
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    http_resp_header(resp, "Cache-Control", "no-store");
    http_metrics_render(srv->metrics, srv->conns, &resp->body);
}

static bool parse_body(http_req *req, perr *err) {
    const char *ct = http_header(req, "Content-Type");
    if (!req->body.len || !ct) return true;
    if (!strncasecmp(ct, "application/x-www-form-urlencoded", 33))
        return http_parse_urlencoded(req->body.data, req->body.len, &req->form, &req->nform, err);
    if (!strncasecmp(ct, "multipart/form-data", 19))
        return http_parse_multipart(ct, req->body.data, req->body.len, &req->form, &req->nform,
                                    &req->files, &req->nfiles, err);
    if (!strncasecmp(ct, "application/json", 16)) {
        json_error_t je;
        req->json = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &je);
        if (!req->json) return perr_set(err, "invalid JSON body: %s (line %d)", je.text, je.line);
        return true;
    }
    return true;
}

static void dispatch(const http_server *srv, req_state *rs, http_resp *resp) {
    const http_app *app = srv->app;
    http_req *req = &rs->req;
    if (req->too_large) {
        app->error(req, resp, 413, NULL, app->ctx);
        return;
    }
    if (!strncmp(req->path, "/static/", 8) && (req->method & (HTTP_GET | HTTP_HEAD))) {
        serve_static(srv, rs, resp);
        return;
    }
    if (!strcmp(req->path, "/metrics") && (req->method & (HTTP_GET | HTTP_HEAD))) {
        serve_metrics(srv, rs, resp);
        return;
    }
    if (rs->match == HTTP_MATCH_NOT_FOUND) {
        app->error(req, resp, 404, NULL, app->ctx);
        return;
    }
    if (rs->match == HTTP_MATCH_BAD_METHOD) {
        buf allow = BUF_INIT;
        static const char *names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"};
        for (int i = 0; i < 6; i++)
            if (rs->allowed & (1u << i)) buf_printf(&allow, "%s%s", allow.len ? ", " : "", names[i]);
        if (rs->allowed & HTTP_GET && !(rs->allowed & HTTP_HEAD)) buf_puts(&allow, ", HEAD");
        app->error(req, resp, 405, NULL, app->ctx);
        http_resp_header(resp, "Allow", buf_cstr(&allow));
        buf_free(&allow);
        return;
    }
    rs->slot = http_metrics_slot(srv->metrics, rs->route);
    perr err = {{0}};
    if (!parse_body(req, &err)) {
        app->error(req, resp, 400, err.msg, app->ctx);
        return;
    }
    if (req->json && !http_json_check_fields(req->json, http_router_json_fields(app->router, rs->route), &err)) {
        app->error(req, resp, 422, err.msg, app->ctx);
        return;
    }
    if (app->before && !app->before(req, resp, rs->route, app->ctx)) return;
    rs->route->fn(req, resp, app->ctx);
    if (app->after) app->after(req, resp, app->ctx);
}

/* The peer's address as text into out ("" when unknown). */
static void peer_address(struct MHD_Connection *c, char *out, size_t cap) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)cap);
}

/* The client's address: the peer's, or behind a trusted proxy the one it forwarded. */
static void client_address(const http_server *srv, struct MHD_Connection *c, req_state *rs) {
    http_req *req = &rs->req;
    if (rs->conn) {
        snprintf(req->ip, sizeof req->ip, "%s", http_conn_addr(rs->conn));
        if (http_conn_from_proxy(rs->conn)) {
            char fwd[64];
            if (http_forwarded_client(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For"), fwd,
                                      sizeof fwd))
                snprintf(req->ip, sizeof req->ip, "%s", fwd);
        }
        return;
    }
    (void)srv;
    peer_address(c, req->ip, sizeof req->ip);
}

/* Answers on the first call, before any body is read: status with message, the
 * connection closing after it (the library then discards the body, unread). Retry-After
 * for 503, and for 429 (retry seconds). */
static enum MHD_Result answer_refusal(struct MHD_Connection *c, http_server *srv, req_state *rs, int status,
                                      const char *message, int retry) {
    rs->early = true;
    if (rs->conn) http_conn_received(rs->conn);
    http_resp resp = {0};
    log_set_request_id(rs->id);
    srv->app->error(&rs->req, &resp, status, message, srv->app->ctx);
    if (status == 503) http_resp_header(&resp, "Retry-After", RETRY_AFTER_S);
    if (status == 429) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", retry > 0 ? retry : 1);
        http_resp_header(&resp, "Retry-After", secs);
    }
    enum MHD_Result ret = send_resp(c, srv, rs, &resp);
    log_set_request_id(NULL);
    http_resp_clear(&resp);
    return ret;
}

static enum MHD_Result answer_early(struct MHD_Connection *c, http_server *srv, req_state *rs, int status,
                                    const char *message) {
    return answer_refusal(c, srv, rs, status, message, 0);
}

/* A costly route's admission from the headers (http_admission): a refusal is answered
 * now, its body unread; an admission to the background worker is remembered. */
static enum MHD_Result admit_costly(struct MHD_Connection *c, http_server *srv, req_state *rs, http_admit admit) {
    bool busy = http_offload_full(srv->offload);
    http_admission ad = admit(&rs->req, busy, srv->app->ctx);
    if (ad.retry_after > 0) return answer_refusal(c, srv, rs, 429, ad.message, ad.retry_after);
    if (ad.background && busy) return answer_refusal(c, srv, rs, 429, ad.message, 1);
    rs->background = ad.background;
    rs->busy = ad.message;
    return MHD_YES;
}

/* The first call: the request line and headers have arrived. Sets up the request state,
 * and answers at once what is refused whatever the body. */
static enum MHD_Result on_headers(http_server *srv, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, bool too_many_query,
                                  void **con_cls) {
    req_state *rs = xcalloc(1, sizeof *rs);
    *con_cls = rs;
    atomic_fetch_add(&srv->inflight, 1);
    snprintf(rs->id, sizeof rs->id, "%s%08lx", srv->id_prefix, atomic_fetch_add(&srv->next_id, 1) & 0xffffffffUL);
    rs->slot = http_metrics_other_slot(srv->metrics);
    const union MHD_ConnectionInfo *sc = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    rs->conn = sc ? sc->socket_context : NULL;
    http_req *req = &rs->req;
    req->conn = c;
    req->start_us = clock_mono_us();
    req->method_str = method;
    req->method = http_method_from(method);
    req->path = url;
    req->https = srv->app->https;
    req->is_api = !strncmp(url, "/api/", 5);
    client_address(srv, c, rs);
    req->operator = http_addrs_has(&srv->metrics_allow, req->ip);
    http_refusal refusal = rs->conn ? http_conn_refusal(rs->conn) : HTTP_REFUSE_NONE;
    rs->refused = refusal != HTTP_REFUSE_NONE || atomic_load(&srv->closing);
    if (refusal == HTTP_REFUSE_PER_ADDRESS)
        return answer_early(c, srv, rs, 503, "too many connections from your address; retry in a few seconds");
    if (refusal != HTTP_REFUSE_NONE || atomic_load(&srv->closing))
        return answer_early(c, srv, rs, 503, "the server is busy; retry in a few seconds");
    const char *bad = check_framing(c, version);
    if (bad) return answer_early(c, srv, rs, 400, bad);
    if (too_many_query) req->bad_query = "too many query parameters";
    else MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_query, req);
    if (req->bad_query)
        return answer_early(c, srv, rs, too_many_query || req->nquery >= MAX_QUERY_PARAMS ? 414 : 400, req->bad_query);
    rs->match = http_router_match(srv->app->router, req->method, url, &rs->route, req->params,
                                  &req->nparams, &rs->allowed);
    req->max_body = http_router_max_body(srv->app->router, rs->match == HTTP_MATCH_OK ? rs->route : NULL);
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > req->max_body) {
        req->too_large = true;
        return answer_early(c, srv, rs, 413, NULL);
    }
    http_admit admit = rs->match == HTTP_MATCH_OK ? http_router_admission(srv->app->router, rs->route) : NULL;
    if (admit) return admit_costly(c, srv, rs, admit);
    return MHD_YES;
}

/* The request's context when its query string has too many parameters (see on_uri). */
static char too_many_params;

/* Called with the raw URI before the library splits the query string into parameters.
 * Each parameter takes a record of the connection's memory: past MAX_QUERY_PARAMS the
 * query is cut here (the URI is the library's own buffer, written only after the '?'),
 * so that the memory is not exhausted, which would close the connection without an
 * answer, and the request is marked to be answered 414. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    (void)cls;
    (void)c;
    char *q = strchr(uri, '?');
    if (!q) return NULL;
    size_t n = 1;
    for (const char *p = q + 1; *p && *p != ' '; p++)
        if (*p == '&' || *p == ';') n++;
    if (n <= MAX_QUERY_PARAMS) return NULL;
    q[1] = '\0';
    return &too_many_params;
}

/* On the background worker: handles a suspended request into rs->out (resume_background
 * then resumes its connection, and the library calls on_request again, which sends it). A
 * stopping server past its shutdown timeout answers 503 instead. */
static void run_background(void *arg) {
    req_state *rs = arg;
    http_server *srv = rs->srv;
    atomic_fetch_add(&srv->in_handler, 1);
    log_set_request_id(rs->id);
    if (atomic_load(&srv->closing)) {
        rs->refused = true;
        srv->app->error(&rs->req, &rs->out, 503, "the server is stopping; retry in a few seconds", srv->app->ctx);
        http_resp_header(&rs->out, "Retry-After", RETRY_AFTER_S);
    } else {
        dispatch(srv, rs, &rs->out);
    }
    log_set_request_id(NULL);
    atomic_fetch_sub(&srv->in_handler, 1);
}

/* After run_background, its place in the queue released: the answer can go. */
static void resume_background(void *arg) {
    req_state *rs = arg;
    atomic_store(&rs->ready, true);
    MHD_resume_connection(rs->req.conn);
}

/* The whole request of a route admitted to the background worker has arrived: suspends
 * the connection and queues the request, or answers 429 when the queue filled meanwhile. */
static enum MHD_Result to_background(struct MHD_Connection *c, http_server *srv, req_state *rs) {
    if (!http_offload_reserve(srv->offload)) {
        rs->early = true; /* the connection closes after the refusal */
        return answer_refusal(c, srv, rs, 429, rs->busy, 1);
    }
    rs->srv = srv;
    rs->suspended = true;
    atomic_fetch_add(&srv->suspended, 1);
    MHD_suspend_connection(c);
    http_offload_submit(srv->offload, run_background, resume_background, rs);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    http_server *srv = cls;
    req_state *rs = *con_cls;
    if (!rs || rs == (void *)&too_many_params) {
        bool too_many = rs != NULL;
        *con_cls = NULL;
        return on_headers(srv, c, url, method, version, too_many, con_cls);
    }
    if (rs->early) { /* the answer is queued; the library may still hand over body bytes */
        *upload_size = 0;
        return MHD_YES;
    }
    if (atomic_load(&rs->ready)) { /* resumed: the background worker's answer */
        if (rs->queued) return MHD_YES;
        enum MHD_Result ret = send_resp(c, srv, rs, &rs->out);
        http_resp_clear(&rs->out);
        rs->suspended = false;
        atomic_fetch_sub(&srv->suspended, 1);
        return ret;
    }
    if (*upload_size) {
        http_req *req = &rs->req;
        if (!req->too_large && req->body.len + *upload_size <= req->max_body)
            buf_append(&req->body, upload, *upload_size);
        else {
            req->too_large = true;
            buf_free(&req->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (rs->conn && !http_conn_received(rs->conn)) return MHD_NO; /* cut at the deadline */
    if (rs->background && !atomic_load(&srv->closing)) return to_background(c, srv, rs);
    http_resp resp = {0};
    atomic_fetch_add(&srv->in_handler, 1);
    log_set_request_id(rs->id);
    if (atomic_load(&srv->closing)) {
        rs->refused = true;
        srv->app->error(&rs->req, &resp, 503, "the server is stopping; retry in a few seconds", srv->app->ctx);
        http_resp_header(&resp, "Retry-After", RETRY_AFTER_S);
    } else {
        dispatch(srv, rs, &resp);
    }
    enum MHD_Result ret = send_resp(c, srv, rs, &resp);
    log_set_request_id(NULL);
    atomic_fetch_sub(&srv->in_handler, 1);
    http_resp_clear(&resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)c;
    http_server *srv = cls;
    req_state *rs = *con_cls;
    if (!rs || rs == (void *)&too_many_params) return;
    http_req *req = &rs->req;
    uint64_t us = clock_mono_us() - req->start_us;
    log_set_request_id(rs->id);
    if (rs->status) http_metrics_request(srv->metrics, rs->slot, rs->status, us);
    if (!srv->quiet) log_access(req->method_str, req->path, rs->status, rs->bytes, (unsigned long long)us, rs->id, req->ip);
    if (rs->status >= 500 && !rs->refused)
        log_error("%s %s answered %d%s", req->method_str, req->path, rs->status,
                  toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (the answer was not delivered)");
    if (rs->conn && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) http_conn_next(rs->conn);
    if (srv->app->finish) srv->app->finish(req, srv->app->ctx);
    log_set_request_id(NULL);
    http_kv_free(req->query, req->nquery);
    http_kv_free(req->form, req->nform);
    http_files_free(req->files, req->nfiles);
    json_decref(req->json);
    for (size_t i = 0; i < req->nparams; i++) free(req->params[i]);
    buf_free(&req->body);
    http_resp_clear(&rs->out);
    if (rs->suspended) atomic_fetch_sub(&srv->suspended, 1);
    if (rs->queued) atomic_fetch_sub(&srv->sending, 1);
    free(rs);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* A connection opens or closes: counted against the limits (http/conns.h). */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        http_conns_close(srv->conns, *socket_context);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *fi = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    char addr[64];
    peer_address(c, addr, sizeof addr);
    *socket_context = http_conns_open(srv->conns, fi ? fi->connect_fd : -1, addr);
}

/* The library's own messages: a connection dropped at its ceiling is counted, not logged,
 * nor is a client closing mid-request (the request deadline cuts connections that way);
 * others are logged at most 20 a minute, with the count of those left out. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    http_server *srv = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
    if (strstr(msg, "connection limit") || strstr(msg, "Too many open files")) {
        if (srv->conns) http_conns_count(srv->conns, HTTP_REFUSE_CEILING);
        return;
    }
    /* A connection cut at the request deadline (counted there), or a client that left. */
    if (strstr(msg, "closed by remote side") || strstr(msg, "closed when reading request")) return;
    uint64_t now = clock_mono_us();
    pthread_mutex_lock(&srv->log_mu);
    unsigned dropped = 0;
    if (now - srv->log_window_us > 60ull * 1000 * 1000) {
        dropped = srv->log_dropped;
        srv->log_window_us = now;
        srv->log_lines = srv->log_dropped = 0;
    }
    bool show = srv->log_lines < 20;
    if (show) srv->log_lines++;
    else srv->log_dropped++;
    pthread_mutex_unlock(&srv->log_mu);
    if (dropped) log_error("http: %u more messages of the HTTP library in the last minute were not logged", dropped);
    if (show) log_error("http: %s", msg);
}

static bool parse_listen(const char *listen, struct sockaddr_in *sa, perr *err) {
    const char *colon = strrchr(listen, ':');
    if (!colon) return perr_set(err, "listen address must be ADDR:PORT, got '%s'", listen);
    char host[64];
    size_t hl = (size_t)(colon - listen);
    if (hl == 0 || hl >= sizeof host) return perr_set(err, "bad listen address '%s'", listen);
    memcpy(host, listen, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) return perr_set(err, "bad port in '%s'", listen);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost")) strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return perr_set(err, "bad IPv4 address '%s' (use e.g. 127.0.0.1:8080)", host);
    return true;
}

static void server_free(http_server *srv) {
    http_offload_free(srv->offload);
    http_conns_free(srv->conns);
    http_metrics_free(srv->metrics);
    pthread_mutex_destroy(&srv->log_mu);
    free(srv);
}

http_server *http_server_start(const http_app *app, const http_server_opts *opts, perr *err) {
    struct sockaddr_in sa;
    if (!parse_listen(opts->listen, &sa, err)) return NULL;
    http_addrs trusted, allow;
    if (!http_addrs_parse(opts->trusted_proxy, &trusted, err)) return NULL;
    if (!http_addrs_parse(opts->metrics_allow ? opts->metrics_allow : "127.0.0.1,::1", &allow, err)) return NULL;
    http_server *srv = xcalloc(1, sizeof *srv);
    srv->app = app;
    srv->quiet = opts->quiet;
    srv->trusted = trusted;
    srv->metrics_allow = allow;
    srv->shutdown_ms = opts->shutdown_ms ? opts->shutdown_ms : 10000;
    pthread_mutex_init(&srv->log_mu, NULL);
    rand_hex(srv->id_prefix, 4);
    unsigned total = opts->conn_limit ? opts->conn_limit : 4096u;
    srv->conns = http_conns_new(&(http_conns_opts){total, opts->per_ip_limit, opts->deadline_ms, &srv->trusted,
                                                   opts->quiet});
    srv->metrics = http_metrics_new(app->router);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = opts->threads ? opts->threads : cores > 0 ? (unsigned)cores : 2;
    srv->offload = http_offload_new(opts->background_queue ? opts->background_queue
                                    : cores > 1 ? (unsigned)(cores / 2) : 1);
    if (!srv->offload) {
        perr_set(err, "cannot start the background worker thread");
        server_free(srv);
        return NULL;
    }
    /* The library's own ceiling is above ours, so that connections over our limits are
     * accepted and answered 503 rather than dropped. */
    unsigned ceiling = total + (total / 4 > 256 ? total / 4 : 256);
    srv->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_USE_ITC |
            MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
        on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, ceiling,
        MHD_OPTION_CONNECTION_TIMEOUT, opts->timeout_s ? opts->timeout_s : 15u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, opts->conn_memory ? opts->conn_memory : (size_t)(64 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_END);
    if (!srv->daemon) {
        perr_set(err, "cannot listen on %s (address in use or not available)", opts->listen);
        server_free(srv);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : ntohs(sa.sin_port);
    return srv;
}

unsigned http_server_port(const http_server *s) {
    return s->port;
}

/* Waits until *counter is 0 or ms have passed; true when it reached 0. */
static bool wait_zero(_Atomic int *counter, unsigned ms) {
    uint64_t end = clock_mono_us() + (uint64_t)ms * 1000;
    while (atomic_load(counter) > 0) {
        if (clock_mono_us() >= end) return false;
        usleep(10 * 1000);
    }
    return true;
}

void http_server_stop(http_server *s) {
    if (!s) return;
    atomic_store(&s->draining, true);
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    /* Running requests (headers received) finish and answer; idle keep-alive connections
     * are not waited for. */
    if (!wait_zero(&s->inflight, s->shutdown_ms)) {
        atomic_store(&s->closing, true);
        log_error("stopping: %d requests still running after %u ms; those not yet handled get 503",
                  atomic_load(&s->inflight), s->shutdown_ms);
        /* A handler already running may commit: it finishes, and its answer gets a moment
         * to leave. */
        wait_zero(&s->in_handler, 60u * 1000);
    }
    /* The background worker ends its jobs (each resumes its connection; the library must
     * stop with none suspended), and their answers get a moment to leave. */
    http_offload_free(s->offload);
    s->offload = NULL;
    wait_zero(&s->suspended, 2000);
    wait_zero(&s->sending, 2000);
    MHD_stop_daemon(s->daemon);
    server_free(s);
}
