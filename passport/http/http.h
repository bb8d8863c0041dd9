/* SPDX-License-Identifier: EUPL-1.2 */
/* HTTP requests and responses as the handlers see them, independent of libmicrohttpd:
 * a request with its parsed query, form, files, JSON body and route parameters, and a
 * response the handler fills (status, body, headers, cookies). */
#ifndef PASSPORT_HTTP_HTTP_H
#define PASSPORT_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef enum http_method {
    HTTP_GET = 1,
    HTTP_HEAD = 2,
    HTTP_POST = 4,
    HTTP_PUT = 8,
    HTTP_DELETE = 16,
    HTTP_PATCH = 32,
    HTTP_OTHER = 64,
} http_method;

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_HEADERS 16

/* A name/value pair; both NUL-terminated, len is the value's length (may contain NUL). */
typedef struct http_kv {
    char *name;
    char *value;
    size_t len;
} http_kv;

/* An uploaded file from a multipart form; data is NUL-terminated for convenience. */
typedef struct http_file {
    char *field;
    char *filename;
    char *content_type;
    char *data;
    size_t len;
} http_file;

typedef struct http_req {
    http_method method;
    const char *method_str;
    const char *path; /* decoded path without the query string */
    char ip[64];
    bool https;       /* the public URL is https (cookies get Secure) */
    bool is_api;      /* path starts with /api/: errors as JSON */
    bool operator;    /* the client is one of --metrics-allow's addresses: it may read what
                       * only operators see (/metrics, the details of /readyz) */
    http_kv *query;
    size_t nquery;
    http_kv *form; /* urlencoded or multipart fields (not files) */
    size_t nform;
    http_file *files;
    size_t nfiles;
    json_t *json; /* parsed body when Content-Type is application/json, else NULL */
    char *params[HTTP_MAX_PARAMS];
    size_t nparams;
    buf body;
    void *app; /* per-request state owned by the application (session, locale...) */
    /* internal to the server */
    void *conn;
    size_t max_body;
    bool too_large;
    const char *bad_query; /* why the query string is refused (static), or NULL */
    uint64_t start_us;
} http_req;

typedef struct http_resp {
    int status;
    const char *content_type; /* static string; default text/html; charset=utf-8 */
    buf body;
    const void *static_data;  /* when set, sent instead of body, not copied (must outlive) */
    size_t static_len;
    http_kv headers[HTTP_MAX_HEADERS];
    size_t nheaders;
} http_resp;

/* Request accessors: the returned strings are owned by the request; NULL when absent. */
const char *http_header(const http_req *req, const char *name);
const char *http_cookie(const http_req *req, const char *name);
const char *http_query(const http_req *req, const char *name);
const char *http_form(const http_req *req, const char *name);
/* The route parameter i (0-based, in pattern order), or NULL. */
const char *http_param(const http_req *req, size_t i);
const http_file *http_file_get(const http_req *req, const char *field);
/* A form field (or, for JSON bodies, a top-level string member) by name: one accessor for
 * handlers that accept both. */
const char *http_input(const http_req *req, const char *name);

/* Response helpers. Header names and values are copied. */
void http_resp_header(http_resp *resp, const char *name, const char *value);
void http_resp_redirect(http_resp *resp, const char *location);
/* Sets a cookie: HttpOnly, SameSite=Lax, Path=/, Secure when secure; max_age < 0 deletes. */
void http_resp_cookie(http_resp *resp, const char *name, const char *value, long max_age,
                      bool secure);
/* Sets the body to the JSON serialisation of v (v is not consumed) with application/json. */
void http_resp_json(http_resp *resp, int status, const json_t *v);
/* Frees what the response owns (body, headers). */
void http_resp_clear(http_resp *resp);

/* Parsers used by the server, exposed for unit tests and fuzzing. Each returns false with
 * err set on malformed input (invalid percent-encoding, invalid UTF-8, bad multipart). */
#include "core/err.h"
bool http_parse_urlencoded(const char *data, size_t len, http_kv **out, size_t *n, perr *err);
bool http_parse_multipart(const char *content_type, const char *data, size_t len, http_kv **fields,
                          size_t *nfields, http_file **files, size_t *nfiles, perr *err);
void http_kv_free(http_kv *kv, size_t n);
/* Checks the members of a JSON body against a route's declaration spec: a space-separated
 * list of "name:type[|type]" (types: string, integer, number, boolean, object, array) for
 * the members that are not strings; every other member must be a string (or null). false
 * with err naming the first offending member ("field 'bio' must be a string"); a body that
 * is not an object is refused too. spec may be NULL; "*" accepts any body (a route that
 * reads the body itself). */
bool http_json_check_fields(const json_t *body, const char *spec, perr *err);
void http_files_free(http_file *f, size_t n);
/* The method enum for a method name. */
http_method http_method_from(const char *name);
/* The standard reason phrase of a status code ("Not Found"). */
const char *http_status_text(int status);

#endif
