/* SPDX-License-Identifier: EUPL-1.2 */
/* API paging: a cursor is base64url("o" + decimal offset) for lists cut by offset, or
 * base64url("k" + list + ":" + time + ":" + id) for lists read by key; base64 so that
 * clients treat it as opaque. */
#include "handlers/api_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64.h"

#define MAX_OFFSET 1000000000UL

/* The offset a cursor stands for; false when it is not one of ours. */
static bool cursor_offset(const char *c, size_t *offset) {
    uint8_t *raw = NULL;
    size_t n = 0;
    if (!*c || strlen(c) > 32 || !b64url_decode(c, strlen(c), &raw, &n, NULL)) return false;
    bool ok = n >= 2 && n <= 11 && raw[0] == 'o' && (raw[1] != '0' || n == 2);
    unsigned long v = 0;
    for (size_t i = 1; ok && i < n; i++) {
        ok = raw[i] >= '0' && raw[i] <= '9';
        v = v * 10 + (unsigned long)(raw[i] - '0');
    }
    free(raw);
    if (!ok || v > MAX_OFFSET) return false;
    *offset = (size_t)v;
    return true;
}

/* The key a cursor of list stands for; false when it is not one of ours for that list. */
static bool cursor_key(const char *c, const char *list, store_key *key) {
    uint8_t *raw = NULL;
    size_t n = 0;
    if (!*c || strlen(c) > 96 || !b64url_decode(c, strlen(c), &raw, &n, NULL)) return false;
    char text[80], name[24];
    bool ok = n < sizeof text;
    if (ok) {
        memcpy(text, raw, n);
        text[n] = '\0';
    }
    free(raw);
    long long at = 0, id = 0;
    int used = 0;
    ok = ok && strlen(text) == n && sscanf(text, "k%23[a-z_]:%lld:%lld%n", name, &at, &id, &used) == 3 &&
         (size_t)used == n && !strcmp(name, list) && at >= 0 && id > 0;
    if (!ok) return false;
    /* only the canonical spelling: what api_page_next_keyed writes */
    char again[80];
    snprintf(again, sizeof again, "k%s:%lld:%lld", list, at, id);
    if (strcmp(again, text)) return false;
    *key = (store_key){at, id};
    return true;
}

/* Reads ?limit= into *limit; false with a 400 answer when it is malformed. */
static bool read_limit(app *a, http_req *req, http_resp *resp, size_t *limit) {
    const char *lim = http_query(req, "limit");
    *limit = API_PAGE_DEFAULT;
    if (!lim) return true;
    char *end = NULL;
    long v = strtol(lim, &end, 10);
    if (!*lim || *end || v < 1 || v > API_PAGE_MAX) {
        char msg[96];
        snprintf(msg, sizeof msg, "limit: a number from 1 to %d", API_PAGE_MAX);
        app_error(a, req, resp, 400, msg);
        return false;
    }
    *limit = (size_t)v;
    return true;
}

bool api_page_read(app *a, http_req *req, http_resp *resp, api_page *p) {
    p->offset = 0;
    if (!read_limit(a, req, resp, &p->limit)) return false;
    const char *cur = http_query(req, "cursor");
    if (cur && !cursor_offset(cur, &p->offset)) {
        app_error(a, req, resp, 400, "cursor: not a next_cursor of this API");
        return false;
    }
    return true;
}

bool api_page_read_keyed(app *a, http_req *req, http_resp *resp, const char *list, store_page *p) {
    *p = (store_page){0};
    if (!read_limit(a, req, resp, &p->limit)) return false;
    const char *cur = http_query(req, "cursor");
    if (cur && !(p->has_after = cursor_key(cur, list, &p->after))) {
        app_error(a, req, resp, 400, "cursor: not a next_cursor of this list");
        return false;
    }
    return true;
}

void api_page_next_keyed(json_t *obj, const char *list, const store_page *p) {
    if (!p->more) {
        json_object_set_new(obj, "next_cursor", json_null());
        return;
    }
    char raw[80];
    int n = snprintf(raw, sizeof raw, "k%s:%lld:%lld", list, (long long)p->last.at, p->last.id);
    char *c = b64url_encode(raw, (size_t)n);
    json_object_set_new(obj, "next_cursor", json_string(c));
    free(c);
}

bool api_page_cut(json_t *obj, const char *key, const api_page *p) {
    json_t *list = json_object_get(obj, key);
    if (!json_is_array(list)) return false;
    size_t n = json_array_size(list);
    json_t *page = json_array();
    for (size_t i = p->offset; i < n && i < p->offset + p->limit; i++) json_array_append(page, json_array_get(list, i));
    json_object_set_new(obj, key, page);
    return n > p->offset + p->limit;
}

void api_page_next(json_t *obj, const api_page *p, bool more) {
    if (!more) {
        json_object_set_new(obj, "next_cursor", json_null());
        return;
    }
    char raw[32];
    int n = snprintf(raw, sizeof raw, "o%zu", p->offset + p->limit);
    char *c = b64url_encode(raw, (size_t)n);
    json_object_set_new(obj, "next_cursor", json_string(c));
    free(c);
}

void api_page_apply(json_t *obj, const char *key, const api_page *p) {
    api_page_next(obj, p, api_page_cut(obj, key, p));
}
