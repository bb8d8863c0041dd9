/* SPDX-License-Identifier: EUPL-1.2 */
/* The application glue: loading, the before-handler checks (session, locale, login,
 * roles, CSRF), rendering with the layout, and error pages. */
#include "handlers/app.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/rand.h"
#include "core/secret.h"
#include "handlers/quiz_form.h"
#include "learn/catalog.h"
#include "badges/badges.h"
#include "learn/library.h"
#include "people/apitoken.h"
#include "people/inbox.h"
#include "people/password.h"
#include "store/changelog.h"
#include "store/cluster.h"
#include "talent/index.h"

#define SESSION_COOKIE "pp_session"
#define CSRF_COOKIE "pp_csrf"
#define LANG_COOKIE "pp_lang"
/* Read-your-writes across servers sharing one PostgreSQL (docs/performance.md): a write
 * that succeeded while the store listens for other servers' commits sets this cookie; its
 * value is the time (Unix seconds) until which the browser's reads ask the change log
 * itself rather than count on the commit's notification having reached their server. */
#define SYNC_COOKIE "pp_sync"
#define SYNC_SECONDS 5
/* Set to 1 when the badges area serves /badges. */
#define APP_HAS_BADGES_PAGE 1

const char *app_t(app *a, http_req *req, const char *key) {
    req_ctx *c = app_ctx(req);
    return i18n_get(a->i18n, c ? c->locale : "fr", key);
}

char *app_tf(app *a, http_req *req, const char *key, const json_t *args) {
    const char *text = app_t(a, req, key);
    buf out = BUF_INIT;
    for (const char *p = text; *p; p++) {
        if (*p == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
            json_t *v = json_array_get(args, (size_t)(p[1] - '1'));
            if (json_is_string(v)) buf_puts(&out, json_string_value(v));
            else if (json_is_integer(v)) buf_printf(&out, "%lld", (long long)json_integer_value(v));
            p += 2;
        } else {
            buf_putc(&out, *p);
        }
    }
    return buf_detach(&out);
}

void app_json(http_resp *resp, int status, json_t *data) {
    http_resp_json(resp, status, data);
    json_decref(data);
}

static bool is_key(const char *m) {
    /* i18n keys look like "area.name": lowercase, digits, dots, underscores, no spaces */
    if (!m || !strchr(m, '.')) return false;
    for (const char *p = m; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_')) return false;
    return true;
}

void app_error(app *a, http_req *req, http_resp *resp, int status, const char *message) {
    req_ctx *c = app_ctx(req);
    if (status >= 400 && status < 500 && c && store_thread_errors() != c->db_errors) {
        status = 500;
        message = "error.database";
    }
    if (status >= 500 && message && !is_key(message)) {
        /* a failure's own text (the database's, a library's) is for the log, not for the
         * person: it may name tables, constraints, values of other rows */
        log_error("%s %s: %s", req->method_str ? req->method_str : "?", req->path ? req->path : "?", message);
        message = status == 500 ? "error.database" : NULL;
    }
    if (status == 500 && a->db && store_busy(a->db)) { /* the write lock stayed taken: try again soon */
        status = 503;
        message = "error.busy";
        http_resp_header(resp, "Retry-After", "1");
    }
    char key[32];
    snprintf(key, sizeof key, "error.%d", status);
    const char *title = app_t(a, req, key);
    if (!strcmp(title, key)) title = http_status_text(status);
    const char *text = message ? (is_key(message) ? app_t(a, req, message) : message) : NULL;
    if (req->is_api || !a->tmpl) {
        app_json(resp, status, json_pack("{s:{s:i, s:s}}", "error", "status", status, "message",
                                         text ? text : title));
        return;
    }
    app_render(a, req, resp, status, "error", key,
               json_pack("{s:i, s:s, s:s?}", "status", status, "title", title, "message", text));
}

bool app_require(app *a, http_req *req, http_resp *resp, unsigned roles) {
    req_ctx *c = app_ctx(req);
    if (c && c->user && (c->user->roles & roles)) return true;
    app_error(a, req, resp, 403, "error.forbidden");
    return false;
}

long long app_param_id(http_req *req, size_t i) {
    const char *p = http_param(req, i);
    if (!p || !*p || strlen(p) > 18) return 0;
    long long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

const char *app_local_next(const char *next) {
    if (!next || next[0] != '/' || strlen(next) > 500 || strstr(next, "//")) return "/";
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || *p == '\\') return "/";
    return next;
}

static json_t *nav_for(const account *u) {
    if (!u) return json_object();
    return json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "agent", (u->roles & ROLE_AGENT) != 0, "manager",
                     (u->roles & ROLE_MANAGER) != 0, "hr", (u->roles & ROLE_HR) != 0, "admin",
                     (u->roles & ROLE_ADMIN) != 0, "paths", (u->roles & (ROLE_MANAGER | ROLE_HR | ROLE_ADMIN)) != 0,
                     "talent", (u->roles & (ROLE_MANAGER | ROLE_HR)) != 0, "badges", APP_HAS_BADGES_PAGE);
}

/* The site section of a path, for the navigation's aria-current: "" for the home page,
 * the first segment ("passport", "courses"...), or "me/<second>" under /me/. Modules
 * belong to the courses section, people's passports to the team's. */
static json_t *section_of(const char *path) {
    const char *p = path[0] == '/' ? path + 1 : path;
    size_t n = strcspn(p, "/");
    if (n == 2 && !strncmp(p, "me", 2) && p[2] == '/') n = 3 + strcspn(p + 3, "/");
    if (n == 7 && !strncmp(p, "modules", 7)) return json_string("courses");
    if (n == 6 && !strncmp(p, "people", 6)) return json_string("team");
    return json_stringn(p, n);
}

static void page_remember(app *a, const req_ctx *c, const http_resp *resp);

void app_render(app *a, http_req *req, http_resp *resp, int status, const char *name,
                const char *title_key, json_t *data) {
    req_ctx *c = app_ctx(req);
    const char *locale = c ? c->locale : "fr";
    if (!data) data = json_object();
    json_object_set_new(data, "csrf", json_string(c ? c->csrf : ""));
    json_object_set_new(data, "locale", json_string(locale));
    json_object_set_new(data, "path", json_string(req->path));
    json_object_set_new(data, "section", section_of(req->path));
    json_object_set_new(data, "nav", nav_for(c ? c->user : NULL));
    if (c && c->user)
        json_object_set_new(data, "me", json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)c->user->id,
                                                  "name", c->user->display_name, "email", c->user->email,
                                                  "unread", c->unread));
    const char *css = static_url(a->statics, "css/app.css");
    json_object_set_new(data, "css_url", json_string(css ? css : "/static/css/app.css"));
    const char *icon = static_url(a->statics, "favicon.svg");
    json_object_set_new(data, "favicon_url", json_string(icon ? icon : "/static/favicon.svg"));
    const char *js = static_url(a->statics, "js/app.js");
    json_object_set_new(data, "js_url", json_string(js ? js : "/static/js/app.js"));
    buf page = BUF_INIT;
    perr err = {{0}};
    if (!tmpl_render(a->tmpl, name, data, locale, &page, &err)) {
        log_error("render %s: %s", name, err.msg);
        buf_free(&page);
        json_decref(data);
        resp->status = 500;
        resp->content_type = "text/plain; charset=utf-8";
        buf_reset(&resp->body);
        buf_puts(&resp->body, "500 Internal Server Error\n");
        return;
    }
    /* our own rendering: valid UTF-8 by construction, no need to check it again */
    json_object_set_new(data, "content", json_stringn_nocheck(page.data ? page.data : "", page.len));
    /* a page's own title (a module's) wins over the key's */
    const char *own = json_string_value(json_object_get(data, "page_title"));
    json_object_set_new(data, "title", json_string(own ? own : i18n_get(a->i18n, locale, title_key)));
    buf_free(&page);
    buf_reset(&resp->body);
    if (!tmpl_render(a->tmpl, "layout", data, locale, &resp->body, &err)) {
        log_error("render layout: %s", err.msg);
        resp->status = 500;
    } else {
        resp->status = status ? status : 200;
        page_remember(a, c, resp);
    }
    resp->content_type = "text/html; charset=utf-8";
    http_resp_header(resp, "Cache-Control", "no-store");
    if (c && c->set_csrf_cookie) {
        http_resp_cookie(resp, CSRF_COOKIE, c->csrf, 12 * 3600, req->https);
        c->set_csrf_cookie = false;
    }
    json_decref(data);
}

static const char *pick_locale(app *a, http_req *req, const account *u) {
    if (u && i18n_has_locale(a->i18n, u->locale)) return !strcmp(u->locale, "en") ? "en" : "fr";
    const char *ck = http_cookie(req, LANG_COOKIE);
    if (ck && (!strcmp(ck, "fr") || !strcmp(ck, "en"))) return !strcmp(ck, "en") ? "en" : "fr";
    return i18n_negotiate(a->i18n, http_header(req, "Accept-Language"));
}

static bool csrf_ok(http_req *req, const char *expected) {
    const char *got = http_input(req, "_csrf");
    if (!got) got = http_header(req, "X-CSRF-Token");
    return got && expected && *expected && rand_consttime_eq(got, expected);
}

/* What a session cookie stands for (session, account, unread count) is remembered in
 * a->memos, so that a signed-in request usually needs no database read before its
 * handler: while nothing of its user changed (the change log) and for APP_MEMO_SECONDS at
 * most (the session's idle time is refreshed by the lookup, once a minute). The memo holds
 * this header, then the packed account; its key is the token's SHA-256. */
typedef struct identity_head {
    long long stamp; /* the change log's stamp before the reads */
    int64_t at;
    session sess;
    int unread;
} identity_head;

/* The memo's key (hex SHA-256 of the token) and owner (its first 60 bits). */
static long long identity_key(const char *tok, char key[65]) {
    rand_sha256_hex(tok, strlen(tok), key);
    unsigned long long v = 0;
    for (int i = 0; i < 15; i++) v = v << 4 | (unsigned)(key[i] <= '9' ? key[i] - '0' : key[i] - 'a' + 10);
    return (long long)v;
}

/* Fills c from a current memo under (owner, key) and returns true; false when there is none. */
static bool identity_recall(app *a, long long owner, const char *key, req_ctx *c) {
    if (!c->synced) return false;
    buf b = BUF_INIT;
    identity_head h;
    bool ok = blob_cache_get(a->memos, owner, key, &b) && b.len > sizeof h;
    if (ok) {
        memcpy(&h, b.data, sizeof h);
        int64_t now = clock_now();
        /* the session, the account and the unread count: no scoped data (learning, evidence) */
        ok = changelog_current_for(a->changes, h.sess.user_id, 0, h.stamp) && now >= h.at &&
             now - h.at < APP_MEMO_SECONDS &&
             now <= h.sess.expires_at;
    }
    if (ok && (c->user = account_unpack(b.data + sizeof h, b.len - sizeof h, NULL))) {
        c->sess = h.sess;
        c->unread = h.unread;
    }
    buf_free(&b);
    return c->user != NULL;
}

/* Remembers under (owner, key) what the token stood for in c, read after stamp. */
static void identity_remember(app *a, long long owner, const char *key, long long stamp, const req_ctx *c) {
    identity_head h = {stamp, clock_now(), c->sess, c->unread};
    buf b = BUF_INIT;
    buf_append(&b, &h, sizeof h);
    account_pack(c->user, &b);
    blob_cache_put(a->memos, owner, key, b.data, b.len);
    buf_free(&b);
}

/* The page cache (a->pages): the rendered body of a GET of a ROUTE_CACHE route, per user,
 * locale, session (its CSRF token is in the forms), path and query. It serves while
 * nothing of the user (nor anything shared) changed since its stamp, and for
 * APP_PAGE_SECONDS at most. */
typedef struct page_head {
    long long stamp, user_id;
    int64_t at;
    unsigned scopes;   /* what of the user's data it shows (app_page_shows) */
    unsigned nmodules; /* of its learning data, that of the request's page_modules alone (0: all) */
} page_head;

static atomic_ullong page_hits, page_misses, page_voided, page_refills;

unsigned long long app_page_hits(void) {
    return atomic_load(&page_hits);
}

unsigned long long app_page_misses(void) {
    return atomic_load(&page_misses);
}

unsigned long long app_page_voided(void) {
    return atomic_load(&page_voided);
}

unsigned long long app_page_refills(void) {
    return atomic_load(&page_refills);
}

void app_page_shows(http_req *req, unsigned scopes) {
    req_ctx *c = app_ctx(req);
    if (c) c->page_scopes = scopes & CHANGE_ANY;
}

void app_page_shows_modules(http_req *req, const char *const *ids, size_t n) {
    req_ctx *c = app_ctx(req);
    if (!c) return;
    c->page_modules = ids;
    c->page_nmodules = ids ? n : 0;
}

bool app_restamp(app *a, http_req *req) {
    req_ctx *c = app_ctx(req);
    if (!c || !c->user || !c->synced || !changelog_sync(a->changes)) return false;
    long long now = changelog_stamp(a->changes);
    /* only scoped changes of the user since the stamp: those the caller reads again */
    if (!changelog_current_for(a->changes, c->user->id, 0, c->stamp)) return false;
    c->stamp = now;
    return true;
}

/* True when the kept page under h may serve c's request: its user's, young enough, and
 * nothing it shows changed since its stamp (the change log); counts a voided one. */
static bool page_head_current(app *a, const req_ctx *c, const page_head *h) {
    int64_t now = clock_now();
    if (h->user_id != c->user->id || now < h->at || now - h->at >= APP_PAGE_SECONDS) return false;
    bool current;
    if (h->nmodules) { /* its learning data is that of the request's modules alone */
        current = h->nmodules == c->page_nmodules &&
                  changelog_current_modules(a->changes, h->user_id, c->page_modules, c->page_nmodules, h->stamp) &&
                  changelog_current_for(a->changes, h->user_id, h->scopes & ~(unsigned)CHANGE_LEARN, h->stamp);
    } else {
        current = changelog_current_for(a->changes, h->user_id, h->scopes, h->stamp);
    }
    if (!current) atomic_fetch_add(&page_voided, 1);
    return current;
}

void app_page_uncached(http_req *req) {
    req_ctx *c = app_ctx(req);
    if (!c) return;
    free(c->page_key);
    c->page_key = NULL;
}

/* The page's key into a new string (NULL when too long to keep) and its slot owner. */
static char *page_key(app *a, http_req *req, const req_ctx *c, long long *owner) {
    pthread_mutex_lock(&a->lib_mu);
    unsigned long epoch = a->lib_epoch;
    pthread_mutex_unlock(&a->lib_mu);
    buf k = BUF_INIT;
    buf_printf(&k, "%lu|%s|%s|%s", epoch, c->locale, c->csrf, req->path);
    for (size_t i = 0; i < req->nquery; i++) {
        buf_putc(&k, i ? '&' : '?');
        buf_put_urlenc(&k, req->query[i].name, strlen(req->query[i].name));
        buf_putc(&k, '=');
        buf_put_urlenc(&k, req->query[i].value, strlen(req->query[i].value));
    }
    if (k.len >= BLOB_CACHE_MAX_KEY) {
        buf_free(&k);
        return NULL;
    }
    unsigned long long h = 1469598103934665603ull; /* FNV-1a of the key, mixed with the user */
    for (size_t i = 0; i < k.len; i++) h = (h ^ (unsigned char)k.data[i]) * 1099511628211ull;
    *owner = (long long)(h ^ (unsigned long long)c->user->id * 0x9E3779B97F4A7C15ull);
    char *key = xstrdup(buf_cstr(&k));
    buf_free(&k);
    return key;
}

/* Sends the kept page of this request and returns true; false (c->page_key set for
 * app_render to keep it) when there is none. */
static bool page_recall(app *a, http_req *req, http_resp *resp, req_ctx *c) {
    long long owner = 0;
    char *key = page_key(a, req, c, &owner);
    if (!key) return false;
    buf b = BUF_INIT;
    page_head h;
    bool ok = blob_cache_get(a->pages, owner, key, &b) && b.len >= sizeof h;
    if (ok) {
        memcpy(&h, b.data, sizeof h);
        ok = page_head_current(a, c, &h);
    }
    if (ok) {
        free(key);
        buf_reset(&resp->body);
        buf_append(&resp->body, b.data + sizeof h, b.len - sizeof h);
        resp->status = 200;
        resp->content_type = "text/html; charset=utf-8";
        http_resp_header(resp, "Cache-Control", "no-store");
        atomic_fetch_add(&page_hits, 1);
    } else {
        c->page_key = key;
        c->page_owner = owner;
        c->page_scopes = CHANGE_ANY; /* unless the handler says less (app_page_shows) */
    }
    buf_free(&b);
    return ok;
}

/* Keeps resp's page whole for this request when it may be kept; true when kept. */
static bool page_store(app *a, const req_ctx *c, const http_resp *resp) {
    if (!c || !c->page_key || resp->status != 200 || c->set_csrf_cookie || resp->body.len > APP_PAGE_MAX) return false;
    page_head h = {c->stamp, c->user->id, clock_now(), c->page_scopes, 0};
    buf b = BUF_INIT;
    buf_append(&b, &h, sizeof h);
    buf_append(&b, resp->body.data, resp->body.len);
    blob_cache_put(a->pages, c->page_owner, c->page_key, b.data, b.len);
    buf_free(&b);
    return true;
}

/* Keeps the page app_render made for this request when it may be kept (and its holes are
 * filled: page_deferred). */
static void page_remember(app *a, const req_ctx *c, const http_resp *resp) {
    if (c && !c->page_deferred && page_store(a, c, resp)) atomic_fetch_add(&page_misses, 1);
}

/* A page kept with holes: the page head, its own end of life, then the hole positions in
 * the page (whose marks are removed), ascending. */
typedef struct holes_head {
    page_head h;
    int64_t until;
    uint32_t n, off[APP_HOLES_MAX];
} holes_head;

/* The key of this request's page with holes (NULL when it may not be kept) and its owner. */
static char *holes_key(app *a, http_req *req, const req_ctx *c, long long *owner) {
    if (!c || !c->user || !c->synced || c->bearer || c->set_csrf_cookie || req->method != HTTP_GET) return NULL;
    char *k = page_key(a, req, c, owner);
    if (!k) return NULL;
    char *key = NULL;
    if (strlen(k) + 2 < BLOB_CACHE_MAX_KEY) { /* apart from the whole pages of the same path */
        key = xmalloc(strlen(k) + 3);
        memcpy(key, "h|", 2);
        strcpy(key + 2, k);
    }
    free(k);
    return key;
}

/* The first occurrence of mark (ml bytes, starting with \x01) in [p, end), or NULL. */
static const char *mark_find(const char *p, const char *end, const char *mark, size_t ml) {
    while ((p = memchr(p, mark[0], (size_t)(end - p)))) {
        if ((size_t)(end - p) < ml) return NULL;
        if (!memcmp(p, mark, ml)) return p;
        p++;
    }
    return NULL;
}

/* resp's body: page (holes at off) with fills in the holes. */
static void fill_holes(http_resp *resp, const char *page, size_t len, const uint32_t *off, size_t n,
                       const char *const *fills, const size_t *lens) {
    buf_reset(&resp->body);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        buf_append(&resp->body, page + at, off[i] - at);
        buf_append(&resp->body, fills[i], lens[i]);
        at = off[i];
    }
    buf_append(&resp->body, page + at, len - at);
    resp->status = 200;
    resp->content_type = "text/html; charset=utf-8";
}

bool app_page_fill(app *a, http_req *req, http_resp *resp, unsigned scopes, size_t n, const char *const *fills,
                   const size_t *lens) {
    req_ctx *c = app_ctx(req);
    long long owner = 0;
    char *key = holes_key(a, req, c, &owner);
    if (!key) return false;
    buf b = BUF_INIT;
    holes_head h;
    bool ok = blob_cache_get(a->pages, owner, key, &b) && b.len >= sizeof h;
    free(key);
    if (ok) {
        memcpy(&h, b.data, sizeof h);
        ok = h.n == n && h.h.scopes == (scopes & CHANGE_ANY) && clock_now() < h.until && page_head_current(a, c, &h.h);
    }
    if (ok) {
        fill_holes(resp, b.data + sizeof h, b.len - sizeof h, h.off, n, fills, lens);
        http_resp_header(resp, "Cache-Control", "no-store");
        atomic_fetch_add(&page_hits, 1);
    }
    buf_free(&b);
    return ok;
}

void app_page_keep_filled(app *a, http_req *req, http_resp *resp, unsigned scopes, int64_t until, size_t n,
                          const char *const *fills, const size_t *lens) {
    req_ctx *c = app_ctx(req);
    if (n > APP_HOLES_MAX || resp->status != 200) return;
    /* the page without its marks, and where they were */
    static const char *const marks[APP_HOLES_MAX] = {APP_HOLE(0), APP_HOLE(1), APP_HOLE(2), APP_HOLE(3)};
    holes_head h = {{c ? c->stamp : 0, c && c->user ? c->user->id : 0, clock_now(), scopes & CHANGE_ANY,
                     c ? (unsigned)c->page_nmodules : 0},
                    until, (uint32_t)n, {0}};
    buf page = BUF_INIT;
    const char *p = buf_cstr(&resp->body), *end = p + resp->body.len;
    bool ok = resp->body.len <= APP_PAGE_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        size_t ml = strlen(marks[i]);
        const char *m = mark_find(buf_cstr(&resp->body), end, marks[i], ml); /* once, after the one before */
        ok = m && m >= p && !mark_find(m + ml, end, marks[i], ml);
        if (!ok) break;
        buf_append(&page, p, (size_t)(m - p));
        h.off[i] = (uint32_t)page.len;
        p = m + ml;
    }
    if (ok) {
        buf_append(&page, p, (size_t)(end - p));
        long long owner = 0;
        char *key = holes_key(a, req, c, &owner);
        if (key) {
            buf b = BUF_INIT;
            buf_append(&b, &h, sizeof h);
            buf_append(&b, page.data, page.len);
            blob_cache_put(a->pages, owner, key, b.data, b.len);
            buf_free(&b);
            atomic_fetch_add(&page_misses, 1);
            free(key);
        }
        fill_holes(resp, page.data, page.len, h.off, n, fills, lens);
    } else { /* not kept: the marks replaced where found */
        buf out = BUF_INIT;
        buf_append(&out, resp->body.data, resp->body.len);
        for (size_t i = 0; i < n; i++) {
            size_t ml = strlen(marks[i]);
            buf next = BUF_INIT;
            const char *q = buf_cstr(&out), *qe = q + out.len, *m;
            while ((m = mark_find(q, qe, marks[i], ml))) {
                buf_append(&next, q, (size_t)(m - q));
                buf_append(&next, fills[i], lens[i]);
                q = m + ml;
            }
            buf_append(&next, q, (size_t)(qe - q));
            buf_free(&out);
            out = next;
        }
        buf_reset(&resp->body);
        buf_append(&resp->body, out.data ? out.data : "", out.len);
        buf_free(&out);
    }
    buf_free(&page);
}

/* A page kept with keyed holes, as stored: this head, the n hole offsets (ascending, in
 * the page without its marks), the n keys each ended by a NUL (keys_len bytes), the page. */
typedef struct keyed_head {
    page_head h;
    uint32_t n, keys_len;
} keyed_head;

struct app_holed {
    buf blob;
    keyed_head h;
    uint32_t *off;
    const char **keys;
    const char *page;
    size_t len;
};

/* The key of this request's page with keyed holes (NULL when it may not be kept) and its owner. */
static char *keyed_key(app *a, http_req *req, const req_ctx *c, long long *owner) {
    char *k = holes_key(a, req, c, owner); /* "h|..." */
    if (k) k[0] = 'k';
    /* another slot than the whole page's (a slot keeps one value): both are kept */
    *owner = (long long)((unsigned long long)*owner * 0xD6E8FEB86659FD93ull + 0x9E3779B97F4A7C15ull);
    return k;
}

void app_holed_free(app_holed *p) {
    if (!p) return;
    buf_free(&p->blob);
    free(p->off);
    free(p->keys);
    free(p);
}

size_t app_holed_count(const app_holed *p) {
    return p->h.n;
}

const char *app_holed_key(const app_holed *p, size_t i) {
    return p->keys[i];
}

/* p parsed from its blob; false when the blob is malformed. */
static bool holed_parse(app_holed *p) {
    const char *d = p->blob.data;
    size_t len = p->blob.len;
    if (len < sizeof p->h) return false;
    memcpy(&p->h, d, sizeof p->h);
    size_t at = sizeof p->h, offs = (size_t)p->h.n * sizeof(uint32_t);
    if (p->h.n > APP_PAGE_MAX || len - at < offs || len - at - offs < p->h.keys_len) return false;
    p->off = xcalloc(p->h.n + 1, sizeof *p->off);
    p->keys = xcalloc(p->h.n + 1, sizeof *p->keys);
    memcpy(p->off, d + at, offs);
    at += offs;
    const char *k = d + at, *kend = k + p->h.keys_len;
    for (uint32_t i = 0; i < p->h.n; i++) {
        const char *z = memchr(k, 0, (size_t)(kend - k));
        if (!z) return false;
        p->keys[i] = k;
        k = z + 1;
    }
    at += p->h.keys_len;
    p->page = d + at;
    p->len = len - at;
    for (uint32_t i = 0; i < p->h.n; i++)
        if (p->off[i] > p->len || (i && p->off[i] < p->off[i - 1])) return false;
    return true;
}

app_holed *app_holed_recall(app *a, http_req *req, unsigned scopes) {
    req_ctx *c = app_ctx(req);
    if (c) c->page_deferred = true; /* unless sent below: app_holed_keep keeps the page */
    long long owner = 0;
    char *key = keyed_key(a, req, c, &owner);
    if (!key) return NULL;
    app_holed *p = xcalloc(1, sizeof *p);
    bool ok = blob_cache_get(a->pages, owner, key, &p->blob) && holed_parse(p) &&
              p->h.h.scopes == (scopes & CHANGE_ANY) && page_head_current(a, c, &p->h.h);
    free(key);
    if (!ok) {
        app_holed_free(p);
        return NULL;
    }
    return p;
}

/* resp's body: page (n holes at off) with fills in the holes. */
static void holed_fill(http_resp *resp, const char *page, size_t len, const uint32_t *off, size_t n, const buf *fills) {
    const char **f = xcalloc(n + 1, sizeof *f);
    size_t *l = xcalloc(n + 1, sizeof *l);
    for (size_t i = 0; i < n; i++) {
        f[i] = fills[i].data ? fills[i].data : "";
        l[i] = fills[i].len;
    }
    fill_holes(resp, page, len, off, n, f, l);
    free(f);
    free(l);
}

void app_holed_send(app *a, http_req *req, http_resp *resp, app_holed *p, const buf *fills) {
    req_ctx *c = app_ctx(req);
    holed_fill(resp, p->page, p->len, p->off, p->h.n, fills);
    http_resp_header(resp, "Cache-Control", "no-store");
    if (c) c->page_deferred = false;
    page_store(a, c, resp);
    atomic_fetch_add(&page_refills, 1);
    app_holed_free(p);
}

void app_holed_keep(app *a, http_req *req, http_resp *resp, unsigned scopes, size_t n, const char *const *hole_keys,
                    const buf *fills) {
    req_ctx *c = app_ctx(req);
    if (c) c->page_deferred = false;
    if (resp->status != 200) return;
    static const char mark[] = APP_KEYED_HOLE;
    size_t ml = sizeof mark - 1;
    keyed_head h = {{c ? c->stamp : 0, c && c->user ? c->user->id : 0, clock_now(), scopes & CHANGE_ANY, 0}, (uint32_t)n, 0};
    buf page = BUF_INIT, offs = BUF_INIT, ks = BUF_INIT;
    const char *p = buf_cstr(&resp->body), *end = p + resp->body.len, *m;
    size_t found = 0;
    while ((m = mark_find(p, end, mark, ml))) {
        if (found < n) {
            buf_append(&page, p, (size_t)(m - p));
            uint32_t o = (uint32_t)page.len;
            buf_append(&offs, &o, sizeof o);
            buf_append(&ks, hole_keys[found], strlen(hole_keys[found]) + 1);
        }
        found++;
        p = m + ml;
    }
    buf_append(&page, p, (size_t)(end - p));
    if (found == n && resp->body.len <= APP_PAGE_MAX) {
        h.keys_len = (uint32_t)ks.len;
        long long owner = 0;
        char *key = keyed_key(a, req, c, &owner);
        if (key) {
            buf b = BUF_INIT;
            buf_append(&b, &h, sizeof h);
            buf_append(&b, offs.data ? offs.data : "", offs.len);
            buf_append(&b, ks.data ? ks.data : "", ks.len);
            buf_append(&b, page.data ? page.data : "", page.len);
            blob_cache_put(a->pages, owner, key, b.data, b.len);
            buf_free(&b);
            free(key);
        }
        uint32_t *off = xcalloc(n + 1, sizeof *off);
        if (n) memcpy(off, offs.data, n * sizeof *off);
        holed_fill(resp, page.data ? page.data : "", page.len, off, n, fills);
        free(off);
        page_remember(a, c, resp);
    } else { /* not kept: the marks filled in order, those past n emptied */
        buf out = BUF_INIT;
        size_t i = 0;
        p = buf_cstr(&resp->body);
        while ((m = mark_find(p, end, mark, ml))) {
            buf_append(&out, p, (size_t)(m - p));
            if (i < n) buf_append(&out, fills[i].data ? fills[i].data : "", fills[i].len);
            i++;
            p = m + ml;
        }
        buf_append(&out, p, (size_t)(end - p));
        buf_reset(&resp->body);
        buf_append(&resp->body, out.data ? out.data : "", out.len);
        buf_free(&out);
    }
    buf_free(&page);
    buf_free(&offs);
    buf_free(&ks);
}

/* True for the methods that may change something (their CSRF check, their exact sync). */
static bool is_write(const http_req *req) {
    return req->method & (HTTP_POST | HTTP_PUT | HTTP_DELETE | HTTP_PATCH);
}

/* True while the request's SYNC_COOKIE is in force. A forged one only makes that
 * browser's reads ask the database, as every read does without the listener: its time is
 * believed up to SYNC_SECONDS ahead, no further. */
static bool sync_cookie_fresh(http_req *req) {
    const char *v = http_cookie(req, SYNC_COOKIE);
    if (!v || !*v) return false;
    char *end = NULL;
    errno = 0;
    long long until = strtoll(v, &end, 10);
    if (errno || *end) return false;
    long long now = (long long)clock_now();
    return until >= now && until <= now + SYNC_SECONDS;
}

static bool before(http_req *req, http_resp *resp, const http_route *route, void *ctx) {
    app *a = ctx;
    req_ctx *c = xcalloc(1, sizeof *c);
    req->app = c;
    store_clear_busy(a->db);
    unsigned long db_errors = store_thread_errors(); /* a lookup that failed is not "signed out" */
    c->db_errors = db_errors;
    bool cors = route->flags & ROUTE_CORS;
    /* a resource any site may read answers the same with or without credentials */
    const char *tok = cors ? NULL : http_cookie(req, SESSION_COOKIE);
    const char *auth = req->is_api && !cors ? http_header(req, "Authorization") : NULL;
    if (cors) http_resp_header(resp, "Access-Control-Allow-Origin", "*");
    if (auth && !strncmp(auth, "Bearer ", 7)) { /* a program with a personal token: no cookie, no CSRF */
        c->bearer = true;
        long long uid = 0;
        if (apitoken_lookup(a->db, auth + 7, &uid) && (c->user = account_get(a->db, uid, NULL)) && c->user->disabled) {
            account_free(c->user);
            c->user = NULL;
        }
        if (c->user) c->unread = inbox_unread_count(a->db, c->user->id);
    } else if (tok) {
        /* every commit visible now, by this process or another, voids its users' entries; a
         * write does not count on a notification still on its way (changelog.h) */
        c->synced = is_write(req) || sync_cookie_fresh(req)
                        ? changelog_sync_exact(a->changes)
                        : changelog_sync(a->changes);
        c->stamp = changelog_stamp(a->changes); /* before the reads the entries made now hold */
        char key[65];
        long long owner = identity_key(tok, key); /* hashed once for the memo's lookup and its refill */
        if (!identity_recall(a, owner, key, c)) {
            /* One read transaction for the three lookups instead of one each: every SQLite
             * read transaction takes and releases WAL locks with system calls. The session's
             * writes (the once-a-minute refresh of its idle time, the deletion of an expired
             * one) come after it: PostgreSQL refuses writes in a read transaction. */
            bool txn = store_read_begin(a->db, NULL);
            if (session_find(a->db, tok, &c->sess)) {
                c->user = account_get(a->db, c->sess.user_id, NULL);
                if (c->user && c->user->disabled) {
                    account_free(c->user);
                    c->user = NULL;
                }
                if (c->user) c->unread = inbox_unread_count(a->db, c->user->id);
            }
            if (txn) store_read_end(a->db);
            session_settle(a->db, tok, &c->sess);
            if (c->user && c->synced) identity_remember(a, owner, key, c->stamp, c);
        }
    }
    c->locale = pick_locale(a, req, c->user);
    if ((tok || c->bearer) && !c->user && store_thread_errors() != db_errors) {
        app_error(a, req, resp, 500, "error.database");
        return false;
    }
    if (c->bearer || cors) {
        c->csrf[0] = '\0';
    } else if (c->user) {
        snprintf(c->csrf, sizeof c->csrf, "%s", c->sess.csrf);
    } else {
        const char *ck = http_cookie(req, CSRF_COOKIE);
        if (ck && strlen(ck) == 64) {
            snprintf(c->csrf, sizeof c->csrf, "%s", ck);
        } else {
            rand_hex(c->csrf, 32);
            c->set_csrf_cookie = true;
        }
    }
    if (!(route->flags & ROUTE_PUBLIC) && !c->user) {
        if (req->is_api) {
            app_error(a, req, resp, 401, "error.login_required");
        } else {
            buf loc = BUF_INIT;
            buf_puts(&loc, "/login?next=");
            buf_put_urlenc(&loc, req->path, strlen(req->path));
            http_resp_redirect(resp, loc.data);
            buf_free(&loc);
        }
        return false;
    }
    if (route->roles && !app_require(a, req, resp, route->roles)) return false;
    if ((route->flags & ROUTE_SESSION_ONLY) && c->bearer) {
        app_error(a, req, resp, 403, "apitoken.session_only");
        return false;
    }
    if ((route->flags & ROUTE_CACHE) && req->method == HTTP_GET && c->user && c->synced && !c->bearer &&
        page_recall(a, req, resp, c))
        return false;
    bool writes = is_write(req);
    if (writes && !(route->flags & ROUTE_NO_CSRF) && !c->bearer) {
        const char *expected = c->user ? c->sess.csrf : http_cookie(req, CSRF_COOKIE);
        if (!csrf_ok(req, expected)) {
            app_error(a, req, resp, 403, "error.csrf");
            return false;
        }
    }
    return true;
}

/* A write of a signed-in browser that succeeded, on a store that learns of other servers'
 * commits by notification: the browser's next requests, whichever server they reach, sync
 * exactly for SYNC_SECONDS (sync_cookie_fresh), so its own write is seen there at once. */
static void after(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const req_ctx *c = req->app;
    if (!c || !c->user || c->bearer || resp->status >= 400) return;
    if (!is_write(req) || !store_listening(a->db)) return;
    char until[24];
    snprintf(until, sizeof until, "%lld", (long long)(clock_now() + SYNC_SECONDS));
    http_resp_cookie(resp, SYNC_COOKIE, until, SYNC_SECONDS, req->https);
}

static void on_error(http_req *req, http_resp *resp, int status, const char *message, void *ctx) {
    app *a = ctx;
    if (!req->app) {
        req_ctx *c = xcalloc(1, sizeof *c);
        c->locale = i18n_negotiate(a->i18n, http_header(req, "Accept-Language"));
        req->app = c;
    }
    app_error(a, req, resp, status, message);
}

static void finish(http_req *req, void *ctx) {
    (void)ctx;
    req_ctx *c = req->app;
    if (!c) return;
    account_free(c->user);
    free(c->page_key);
    free(c);
    req->app = NULL;
}

static bool slurp(const char *path, buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(out, chunk, n);
    fclose(f);
    return true;
}

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Loads dir/<locale>.po for fr and en, each followed by the feature areas' files
 * dir/<area>.<locale>.po (no header entry), so that areas keep their strings apart. */
static i18n_catalog *load_catalogs(const char *dir, perr *err) {
    static const char *const locales[] = {"fr", "en"};
    i18n_catalog *c = i18n_new();
    char *names[128];
    size_t nnames = 0;
    DIR *d = opendir(dir);
    if (!d) {
        perr_set(err, "cannot open %s", dir);
        goto fail;
    }
    struct dirent *e;
    while ((e = readdir(d)) && nnames < 128)
        if (e->d_name[0] != '.') names[nnames++] = xstrdup(e->d_name);
    closedir(d);
    qsort(names, nnames, sizeof *names, cmp_str);
    for (size_t l = 0; l < 2; l++) {
        buf src = BUF_INIT, path = BUF_INIT, suffix = BUF_INIT;
        buf_printf(&path, "%s/%s.po", dir, locales[l]);
        bool ok = slurp(path.data, &src);
        buf_printf(&suffix, ".%s.po", locales[l]);
        for (size_t i = 0; ok && i < nnames; i++) {
            size_t nl = strlen(names[i]);
            if (nl <= suffix.len || strcmp(names[i] + nl - suffix.len, suffix.data)) continue;
            buf_reset(&path);
            buf_printf(&path, "%s/%s", dir, names[i]);
            buf_putc(&src, '\n');
            ok = slurp(path.data, &src);
        }
        if (ok) ok = i18n_add_po(c, locales[l], buf_cstr(&src), src.len, locales[l], err);
        else perr_set(err, "cannot read %s", path.data);
        buf_free(&src);
        buf_free(&path);
        buf_free(&suffix);
        if (!ok) goto fail;
    }
    for (size_t i = 0; i < nnames; i++) free(names[i]);
    return c;
fail:
    for (size_t i = 0; i < nnames; i++) free(names[i]);
    i18n_free(c);
    return NULL;
}

learn_library *app_library_acquire(app *a) {
    pthread_mutex_lock(&a->lib_mu);
    learn_library *lib = library_retain(a->lib);
    pthread_mutex_unlock(&a->lib_mu);
    return lib;
}

void app_library_release(app *a, learn_library *lib) {
    (void)a;
    library_release(lib);
}

bool app_library_reload(app *a, perr *err) {
    return app_library_reload_as(a, true, err);
}

bool app_library_reload_as(app *a, bool may_adopt, perr *err) {
    learn_library *old = app_library_acquire(a);
    diag_list d = DIAG_LIST_INIT;
    learn_library *lib = library_load(a->cfg.courses_dir ? a->cfg.courses_dir : "./courses", old, &d);
    memcpy(lib->nonce_key, a->nonce_key, sizeof lib->nonce_key); /* the data folder's, kept across restarts */
    for (size_t i = 0; i < d.n; i++) log_error("courses: %s:%zu: %s", d.items[i].file, d.items[i].line, d.items[i].msg);
    diag_list_free(&d);
    library_release(old);
    if (!app_cluster_library(a, lib, may_adopt, err) || !catalog_sync(a->db, lib, err)) {
        library_release(lib);
        return false;
    }
    log_info("courses: %zu courses, %zu modules loaded", lib->ncourses, lib->nindex);
    pthread_mutex_lock(&a->lib_mu);
    old = a->lib;
    a->lib = lib;
    a->lib_epoch++; /* pages rendered from the old library are not served again */
    pthread_mutex_unlock(&a->lib_mu);
    library_release(old);
    return true;
}

static long long gauge_hits(void *ctx) {
    (void)ctx;
    return (long long)app_page_hits();
}

static long long gauge_misses(void *ctx) {
    (void)ctx;
    return (long long)app_page_misses();
}

static long long gauge_voided(void *ctx) {
    (void)ctx;
    return (long long)app_page_voided();
}

static long long gauge_refills(void *ctx) {
    (void)ctx;
    return (long long)app_page_refills();
}

static long long gauge_syncs(void *ctx) {
    changelog_stats st;
    changelog_stats_get(ctx, &st);
    return (long long)st.syncs;
}

void app_register_routes(http_router *r) {
    health_routes(r);
    auth_routes(r);
    home_routes(r);
    admin_routes(r);
    passport_routes(r);
    courses_routes(r);
    inbox_routes(r);
    talent_routes(r);
    paths_routes(r);
    badges_routes(r);
    tokens_routes(r);
    positioning_routes(r);
    identity_routes(r);
    sso_routes(r);
    openapi_routes(r);
}

app *app_new(const app_config *cfg, store *db, perr *err) {
    app *a = xcalloc(1, sizeof *a);
    a->cfg = *cfg;
    a->db = db;
    pthread_mutex_init(&a->lib_mu, NULL);
    cluster_server_name(a->server, sizeof a->server);
    buf path = BUF_INIT;
    buf_printf(&path, "%s/quiz-nonce.key", cfg->data_dir ? cfg->data_dir : ".");
    if (!secret_file(path.data, a->nonce_key, sizeof a->nonce_key, err)) goto fail;
    if (!app_library_reload(a, err)) goto fail;
    buf_reset(&path);
    buf_printf(&path, "%s/i18n", cfg->web_dir);
    a->i18n = load_catalogs(path.data, err);
    if (!a->i18n) goto fail;
    buf_reset(&path);
    buf_printf(&path, "%s/templates", cfg->web_dir);
    a->tmpl = tmpl_set_load(path.data, a->i18n, err);
    if (!a->tmpl) goto fail;
    buf_reset(&path);
    buf_printf(&path, "%s/static", cfg->web_dir);
    a->statics = static_set_load(path.data, 64u * 1024 * 1024, err);
    if (!a->statics) goto fail;
    a->dummy_hash = password_decoy(password_cost_default());
    a->quiz_forms = quiz_forms_new();
    a->memos = blob_cache_new(4096);
    a->pages = blob_cache_new(4096);
    blob_cache_set_budget(a->pages, 64u * 1024 * 1024);
    a->changes = changelog_new(db, err);
    if (!a->changes) goto fail;
    metrics_gauge_register("passport_page_cache_hits", "Pages served from the page cache", gauge_hits, NULL);
    metrics_gauge_register("passport_page_cache_misses", "Pages rendered and kept in the page cache", gauge_misses, NULL);
    metrics_gauge_register("passport_page_cache_voided", "Kept pages found void by a change of their user or everyone",
                           gauge_voided, NULL);
    metrics_gauge_register("passport_page_cache_refills",
                           "Pages made again from a page kept with holes (a few fragments rendered again)", gauge_refills,
                           NULL);
    metrics_gauge_register("passport_changelog_reads", "Reads of the change log (a commit was seen)", gauge_syncs, a->changes);
    a->talent = talent_index_new(db);
    perr berr = {{0}};
    a->badges = badges_ctx_new(db, cfg->data_dir, cfg->courses_dir, cfg->public_url, &berr);
    if (!a->badges) log_error("badges unavailable: %s", berr.msg);
    if (!app_cluster_secrets(a, err)) goto fail; /* signing with other keys than the other servers' */
    if (a->badges && !badges_ctx_set_issuer(a->badges, cfg->issuer_name, cfg->issuer_url, cfg->issuer_email,
                                            cfg->issuer_image, err))
        goto fail; /* a misspelt issuer must not sign credentials */
    buf_reset(&path);
    buf_printf(&path, "%s/openapi.json", cfg->web_dir);
    a->openapi = openapi_load(path.data, &a->openapi_len);
    a->router = http_router_new(64 * 1024);
    app_register_routes(a->router);
    a->http.router = a->router;
    a->http.statics = a->statics;
    a->http.ctx = a;
    a->http.https = cfg->public_url && !strncmp(cfg->public_url, "https://", 8);
    a->http.before = before;
    a->http.error = on_error;
    a->http.finish = finish;
    a->http.after = after;
    buf_free(&path);
    return a;
fail:
    buf_free(&path);
    app_free(a);
    return NULL;
}

void app_free(app *a) {
    if (!a) return;
    http_router_free(a->router);
    static_set_free(a->statics);
    tmpl_set_free(a->tmpl);
    i18n_free(a->i18n);
    free(a->dummy_hash);
    free(a->openapi);
    quiz_forms_free(a->quiz_forms);
    blob_cache_free(a->memos);
    blob_cache_free(a->pages);
    if (a->changes) {
        metrics_gauge_unregister("passport_page_cache_hits");
        metrics_gauge_unregister("passport_page_cache_misses");
        metrics_gauge_unregister("passport_page_cache_voided");
        metrics_gauge_unregister("passport_page_cache_refills");
        metrics_gauge_unregister("passport_changelog_reads");
    }
    changelog_free(a->changes);
    talent_index_free(a->talent);
    badges_ctx_free(a->badges);
    library_release(a->lib);
    pthread_mutex_destroy(&a->lib_mu);
    free(a);
}
