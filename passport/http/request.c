/* SPDX-License-Identifier: EUPL-1.2 */
/* Request parsing (urlencoded, multipart) and request/response helpers that do not need
 * libmicrohttpd. */
#include "http/http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

#define MAX_FIELDS 512

void http_kv_free(http_kv *kv, size_t n) {
    if (!kv) return;
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

void http_files_free(http_file *f, size_t n) {
    if (!f) return;
    for (size_t i = 0; i < n; i++) {
        free(f[i].field);
        free(f[i].filename);
        free(f[i].content_type);
        free(f[i].data);
    }
    free(f);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes one urlencoded component ('+' is a space) into a new string; false on a bad
 * escape or invalid UTF-8. */
static bool url_decode(const char *s, size_t len, char **out, size_t *outlen, perr *err) {
    buf b = BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            buf_putc(&b, ' ');
        } else if (c == '%') {
            if (i + 2 >= len) goto bad;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0) goto bad;
            buf_putc(&b, (char)(h * 16 + l));
            i += 2;
        } else {
            buf_putc(&b, c);
        }
    }
    if (!utf8_valid(buf_cstr(&b), b.len)) {
        buf_free(&b);
        return perr_set(err, "the form contains text that is not valid UTF-8");
    }
    if (b.len && memchr(b.data, '\0', b.len)) { /* would cut the value short where it is used as a string */
        buf_free(&b);
        return perr_set(err, "the form contains a NUL character");
    }
    *outlen = b.len;
    *out = buf_detach(&b);
    return true;
bad:
    buf_free(&b);
    return perr_set(err, "malformed percent-encoding in the form");
}

bool http_parse_urlencoded(const char *data, size_t len, http_kv **out, size_t *n, perr *err) {
    http_kv *kv = NULL;
    size_t count = 0, cap = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && data[end] != '&') end++;
        if (end > i) {
            size_t eq = i;
            while (eq < end && data[eq] != '=') eq++;
            if (count == MAX_FIELDS) {
                perr_set(err, "too many form fields");
                goto fail;
            }
            if (count == cap) {
                cap = cap ? cap * 2 : 8;
                kv = xrealloc(kv, cap * sizeof *kv);
            }
            size_t nl = 0;
            kv[count].name = kv[count].value = NULL;
            if (!url_decode(data + i, eq - i, &kv[count].name, &nl, err)) goto fail;
            count++;
            const char *v = eq < end ? data + eq + 1 : data + end;
            size_t vl = eq < end ? end - eq - 1 : 0;
            if (!url_decode(v, vl, &kv[count - 1].value, &kv[count - 1].len, err)) goto fail;
        }
        i = end + 1;
    }
    *out = kv;
    *n = count;
    return true;
fail:
    http_kv_free(kv, count);
    return false;
}

static const char *memfind(const char *hay, size_t hlen, const char *needle, size_t nlen) {
    if (nlen == 0 || hlen < nlen) return NULL;
    for (size_t i = 0; i + nlen <= hlen; i++) {
        const char *p = memchr(hay + i, needle[0], hlen - nlen - i + 1);
        if (!p) return NULL;
        if (!memcmp(p, needle, nlen)) return p;
        i = (size_t)(p - hay);
    }
    return NULL;
}

/* Extracts param="value" (or param=value) from a header value into a new string. */
static char *header_param(const char *h, size_t hlen, const char *param) {
    size_t pl = strlen(param);
    for (size_t i = 0; i + pl < hlen; i++) {
        if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ') && !strncasecmp(h + i, param, pl) &&
            h[i + pl] == '=') {
            const char *v = h + i + pl + 1, *end = h + hlen;
            if (v < end && *v == '"') {
                const char *q = memchr(v + 1, '"', (size_t)(end - v - 1));
                if (!q) return NULL;
                return xstrndup(v + 1, (size_t)(q - v - 1));
            }
            const char *e = v;
            while (e < end && *e != ';' && *e != ' ' && *e != '\r') e++;
            return xstrndup(v, (size_t)(e - v));
        }
    }
    return NULL;
}

bool http_parse_multipart(const char *content_type, const char *data, size_t len, http_kv **fields,
                          size_t *nfields, http_file **files, size_t *nfiles, perr *err) {
    http_kv *kv = NULL;
    http_file *fs = NULL;
    size_t nkv = 0, nf = 0;
    char *boundary = header_param(content_type, strlen(content_type), "boundary");
    buf delim = BUF_INIT;
    if (!boundary || !*boundary || strlen(boundary) > 200) {
        perr_set(err, "multipart form without a valid boundary");
        goto fail;
    }
    buf_puts(&delim, "--");
    buf_puts(&delim, boundary);
    const char *p = memfind(data, len, delim.data, delim.len);
    if (!p) {
        perr_set(err, "malformed multipart form");
        goto fail;
    }
    const char *end = data + len;
    for (;;) {
        p += delim.len;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') break; /* closing delimiter */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
            perr_set(err, "malformed multipart form");
            goto fail;
        }
        p += 2;
        const char *hend = memfind(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hend) {
            perr_set(err, "malformed multipart part headers");
            goto fail;
        }
        char *name = NULL, *filename = NULL, *ctype = NULL;
        for (const char *line = p; line < hend;) {
            const char *eol = memfind(line, (size_t)(hend - line) + 2, "\r\n", 2);
            if (!eol) eol = hend;
            size_t ll = (size_t)(eol - line);
            if (ll > 20 && !strncasecmp(line, "Content-Disposition:", 20)) {
                free(name);
                free(filename);
                name = header_param(line + 20, ll - 20, "name");
                filename = header_param(line + 20, ll - 20, "filename");
            } else if (ll > 13 && !strncasecmp(line, "Content-Type:", 13)) {
                const char *v = line + 13;
                while (v < eol && *v == ' ') v++;
                free(ctype);
                ctype = xstrndup(v, (size_t)(eol - v));
            }
            line = eol + 2;
        }
        const char *body = hend + 4;
        buf crlfdelim = BUF_INIT;
        buf_puts(&crlfdelim, "\r\n");
        buf_append(&crlfdelim, delim.data, delim.len);
        const char *next = memfind(body, (size_t)(end - body), crlfdelim.data, crlfdelim.len);
        buf_free(&crlfdelim);
        if (name && (!utf8_valid(name, strlen(name)) || (filename && !utf8_valid(filename, strlen(filename))))) {
            free(name);
            free(filename);
            free(ctype);
            perr_set(err, "the form contains text that is not valid UTF-8");
            goto fail;
        }
        if (!next || !name || nkv + nf >= MAX_FIELDS) {
            free(name);
            free(filename);
            free(ctype);
            perr_set(err, !next || !name ? "malformed multipart form" : "too many form fields");
            goto fail;
        }
        size_t blen = (size_t)(next - body);
        if (filename) {
            fs = xrealloc(fs, (nf + 1) * sizeof *fs);
            fs[nf].field = name;
            fs[nf].filename = filename;
            fs[nf].content_type = ctype ? ctype : xstrdup("application/octet-stream");
            fs[nf].data = xstrndup(body, blen);
            fs[nf].len = blen;
            nf++;
        } else {
            free(ctype);
            if (!utf8_valid(body, blen) || memchr(body, '\0', blen)) {
                free(name);
                perr_set(err, memchr(body, '\0', blen) ? "the form contains a NUL character"
                                                       : "the form contains text that is not valid UTF-8");
                goto fail;
            }
            kv = xrealloc(kv, (nkv + 1) * sizeof *kv);
            kv[nkv].name = name;
            kv[nkv].value = xstrndup(body, blen);
            kv[nkv].len = blen;
            nkv++;
        }
        p = next + 2;
    }
    free(boundary);
    buf_free(&delim);
    *fields = kv;
    *nfields = nkv;
    *files = fs;
    *nfiles = nf;
    return true;
fail:
    free(boundary);
    buf_free(&delim);
    http_kv_free(kv, nkv);
    http_files_free(fs, nf);
    return false;
}

static const char *kv_find(const http_kv *kv, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(kv[i].name, name)) return kv[i].value;
    return NULL;
}

const char *http_query(const http_req *req, const char *name) {
    return kv_find(req->query, req->nquery, name);
}

const char *http_form(const http_req *req, const char *name) {
    return kv_find(req->form, req->nform, name);
}

const char *http_input(const http_req *req, const char *name) {
    const char *v = http_form(req, name);
    if (v || !req->json) return v;
    json_t *m = json_object_get(req->json, name);
    return json_is_string(m) ? json_string_value(m) : NULL;
}

/* The JSON type name of v as specs write it. */
static const char *json_type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    default: return "null";
    }
}

/* The declared types of member name in spec ("a:integer b:object|array"), copied into
 * out; false when name is not declared. */
static bool spec_types(const char *spec, const char *name, char *out, size_t cap) {
    size_t nl = strlen(name);
    for (const char *p = spec; p && *p;) {
        while (*p == ' ') p++;
        const char *e = p;
        while (*e && *e != ' ') e++;
        const char *colon = memchr(p, ':', (size_t)(e - p));
        if (colon && (size_t)(colon - p) == nl && !memcmp(p, name, nl)) {
            snprintf(out, cap, "%.*s", (int)(e - colon - 1), colon + 1);
            return true;
        }
        p = e;
    }
    return false;
}

/* True when the type t is among the '|'-separated types. "number" accepts integers. */
static bool type_listed(const char *types, const char *t) {
    size_t tl = strlen(t);
    for (const char *p = types; *p;) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if ((l == tl && !memcmp(p, t, l)) || (l == 6 && !memcmp(p, "number", 6) && !strcmp(t, "integer")))
            return true;
        p += l + (e ? 1 : 0);
    }
    return false;
}

bool http_json_check_fields(const json_t *body, const char *spec, perr *err) {
    if (spec && !strcmp(spec, "*")) return true;
    if (!json_is_object(body)) return perr_set(err, "the JSON body must be an object");
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)body, name, v) {
        char types[64];
        const char *t = json_type_name(v);
        if (!spec_types(spec, name, types, sizeof types)) {
            if (json_is_string(v) || json_is_null(v)) continue;
            return perr_set(err, "field '%.64s' must be a string, not %s", name, t);
        }
        if (json_is_null(v) || type_listed(types, t)) continue;
        char shown[80];
        snprintf(shown, sizeof shown, "%s", types);
        for (char *q = shown; *q; q++)
            if (*q == '|') *q = '/';
        return perr_set(err, "field '%.64s' must be %s %s, not %s", name,
                        strchr("aeiou", shown[0]) ? "an" : "a", shown, t);
    }
    return true;
}

const char *http_param(const http_req *req, size_t i) {
    return i < req->nparams ? req->params[i] : NULL;
}

const http_file *http_file_get(const http_req *req, const char *field) {
    for (size_t i = 0; i < req->nfiles; i++)
        if (!strcmp(req->files[i].field, field)) return &req->files[i];
    return NULL;
}

void http_resp_header(http_resp *resp, const char *name, const char *value) {
    if (resp->nheaders == HTTP_MAX_HEADERS) return;
    http_kv *h = &resp->headers[resp->nheaders++];
    h->name = xstrdup(name);
    h->value = xstrdup(value);
    h->len = strlen(value);
}

void http_resp_redirect(http_resp *resp, const char *location) {
    resp->status = 303;
    http_resp_header(resp, "Location", location);
}

void http_resp_cookie(http_resp *resp, const char *name, const char *value, long max_age,
                      bool secure) {
    char line[512];
    snprintf(line, sizeof line, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%ld%s", name,
             max_age < 0 ? "" : value, max_age < 0 ? 0 : max_age, secure ? "; Secure" : "");
    http_resp_header(resp, "Set-Cookie", line);
}

void http_resp_json(http_resp *resp, int status, const json_t *v) {
    resp->status = status;
    resp->content_type = "application/json";
    buf_reset(&resp->body);
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (s) {
        buf_puts(&resp->body, s);
        free(s);
    }
}

void http_resp_clear(http_resp *resp) {
    buf_free(&resp->body);
    for (size_t i = 0; i < resp->nheaders; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    resp->nheaders = 0;
}

http_method http_method_from(const char *name) {
    static const struct {
        const char *n;
        http_method m;
    } map[] = {{"GET", HTTP_GET},       {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
               {"PUT", HTTP_PUT},       {"DELETE", HTTP_DELETE}, {"PATCH", HTTP_PATCH}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(name, map[i].n)) return map[i].m;
    return HTTP_OTHER;
}

const char *http_status_text(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}
