/* libmicrohttpd glue. A response is queued on the second call of the access handler (or
 * later for bodies), which keeps connections alive (see DESIGN §3). */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/utf8.h"

struct http_server {
    struct MHD_Daemon *daemon;
    const http_app *app;
    unsigned port;
    bool quiet;
};

/* Per-request state kept in *con_cls between calls. */
typedef struct req_state {
    http_req req;
    const http_route *route;
    http_match match;
    unsigned allowed;
    int status;
    size_t bytes;
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
    if (req->nquery >= 128) return MHD_NO;
    if (!utf8_valid(key, key_size) || (value && !utf8_valid(value, value_size))) {
        req->bad_query = true;
        return MHD_NO;
    }
    req->query = xrealloc(req->query, (req->nquery + 1) * sizeof *req->query);
    req->query[req->nquery].name = xstrdup(key);
    req->query[req->nquery].value = value ? xstrndup(value, value_size) : xstrdup("");
    req->query[req->nquery].len = value ? value_size : 0;
    req->nquery++;
    return MHD_YES;
}

static void add_security_headers(struct MHD_Response *r, bool https) {
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    if (https) MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_resp(struct MHD_Connection *c, const http_server *srv, req_state *rs,
                                 http_resp *resp) {
    struct MHD_Response *r;
    size_t len;
    bool head = rs->req.method == HTTP_HEAD;
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
    (void)head;
    if (resp->status != 304 && resp->status != 204)
        MHD_add_response_header(r, "Content-Type",
                                resp->content_type ? resp->content_type : "text/html; charset=utf-8");
    for (size_t i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    add_security_headers(r, srv->app->https);
    rs->status = resp->status ? resp->status : 200;
    rs->bytes = len;
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
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
    perr err = {{0}};
    if (req->bad_query) {
        app->error(req, resp, 400, "invalid UTF-8 in the query string", app->ctx);
        return;
    }
    if (!parse_body(req, &err)) {
        app->error(req, resp, 400, err.msg, app->ctx);
        return;
    }
    if (app->before && !app->before(req, resp, rs->route, app->ctx)) return;
    rs->route->fn(req, resp, app->ctx);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    (void)version;
    http_server *srv = cls;
    req_state *rs = *con_cls;
    if (!rs) {
        rs = xcalloc(1, sizeof *rs);
        *con_cls = rs;
        http_req *req = &rs->req;
        req->conn = c;
        req->start_us = clock_mono_us();
        req->method_str = method;
        req->method = http_method_from(method);
        req->path = url;
        req->https = srv->app->https;
        req->is_api = !strncmp(url, "/api/", 5);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, req->ip, sizeof req->ip);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, req->ip, sizeof req->ip);
        }
        MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_query, req);
        rs->match = http_router_match(srv->app->router, req->method, url, &rs->route, req->params,
                                      &req->nparams, &rs->allowed);
        req->max_body = http_router_max_body(srv->app->router, rs->match == HTTP_MATCH_OK ? rs->route : NULL);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > req->max_body) req->too_large = true;
        return MHD_YES;
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
    http_resp resp = {0};
    dispatch(srv, rs, &resp);
    enum MHD_Result ret = send_resp(c, srv, rs, &resp);
    http_resp_clear(&resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)c;
    (void)toe;
    http_server *srv = cls;
    req_state *rs = *con_cls;
    if (!rs) return;
    http_req *req = &rs->req;
    if (!srv->quiet)
        log_info("%s %s %d %zu %lluus", req->method_str, req->path, rs->status, rs->bytes,
                 (unsigned long long)(clock_mono_us() - req->start_us));
    if (srv->app->finish) srv->app->finish(req, srv->app->ctx);
    http_kv_free(req->query, req->nquery);
    http_kv_free(req->form, req->nform);
    http_files_free(req->files, req->nfiles);
    json_decref(req->json);
    for (size_t i = 0; i < req->nparams; i++) free(req->params[i]);
    buf_free(&req->body);
    free(rs);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
    log_error("http: %s", msg);
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

http_server *http_server_start(const http_app *app, const http_server_opts *opts, perr *err) {
    struct sockaddr_in sa;
    if (!parse_listen(opts->listen, &sa, err)) return NULL;
    http_server *srv = xcalloc(1, sizeof *srv);
    srv->app = app;
    srv->quiet = opts->quiet;
    unsigned threads = opts->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    srv->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_USE_ITC, 0, NULL, NULL,
        on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, opts->conn_limit ? opts->conn_limit : 1024u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, opts->per_ip_limit ? opts->per_ip_limit : 256u,
        MHD_OPTION_CONNECTION_TIMEOUT, opts->timeout_s ? opts->timeout_s : 15u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, opts->conn_memory ? opts->conn_memory : (size_t)(64 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_END);
    if (!srv->daemon) {
        perr_set(err, "cannot listen on %s (address in use or not available)", opts->listen);
        free(srv);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : ntohs(sa.sin_port);
    return srv;
}

unsigned http_server_port(const http_server *s) {
    return s->port;
}

void http_server_stop(http_server *s) {
    if (!s) return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    /* Idle keep-alive connections count too: give in-flight responses a second, then stop
     * (MHD_stop_daemon still lets a handler that is running finish). */
    for (int i = 0; i < 10; i++) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!di || di->num_connections == 0) break;
        usleep(100 * 1000);
    }
    MHD_stop_daemon(s->daemon);
    free(s);
}
