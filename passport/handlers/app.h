/* SPDX-License-Identifier: EUPL-1.2 */
/* The web application: everything a handler needs (store, templates, catalogs, static
 * files, configuration), the per-request context (user, locale, CSRF token), and the
 * helpers every handler uses to render pages, JSON and errors. */
#ifndef PASSPORT_HANDLERS_APP_H
#define PASSPORT_HANDLERS_APP_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "core/blob_cache.h"
#include "http/http.h"
#include "http/i18n.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static.h"
#include "http/tmpl.h"
#include "people/account.h"
#include "people/session.h"
#include "store/store.h"

typedef struct app_config {
    const char *data_dir;   /* ./var */
    const char *web_dir;    /* ./web */
    const char *courses_dir;/* ./courses */
    const char *public_url; /* "http://127.0.0.1:8080" */
    const char *version;
    /* the issuing organisation (NULL: "Passport" at the public URL) */
    const char *issuer_name, *issuer_url, *issuer_email, *issuer_image;
    /* single sign-on (handlers/sso.c, docs/identity.md); oidc NULL: none */
    struct oidc_provider *oidc;    /* borrowed: outlives the app */
    const char *oidc_label;        /* the login button's text; NULL: the catalog's */
    bool oidc_create_accounts;     /* make accounts at first sign-in... */
    const char *oidc_default_unit; /* ...in this unit ("Dir / Service", made when missing; NULL: none) */
    bool password_login_off;       /* --password-login off: no local passwords at all */
} app_config;

typedef struct app {
    app_config cfg;
    store *db;
    i18n_catalog *i18n;
    tmpl_set *tmpl;
    static_set *statics;
    http_router *router;
    http_app http;
    char *dummy_hash; /* verified against for unknown emails: same timing */
    unsigned char nonce_key[32]; /* signs quiz forms: <data>/quiz-nonce.key, so forms survive a restart */
    struct quiz_forms *quiz_forms; /* parts of modules' quiz fields, per version and locale */
    blob_cache *memos;          /* reads remembered while their agent's data did not change */
    blob_cache *pages;          /* rendered pages of ROUTE_CACHE routes, per agent (docs/performance.md) */
    struct changelog *changes;  /* which agents' data changed: voids memos and pages by key */
    struct talent_index *talent;    /* in-memory talent search index, built at first search */
    struct learn_library *lib; /* the course library; swap under lib_mu (app_library_*) */
    struct badges_ctx *badges;  /* achievements and issuer keys; NULL when they failed to load (logged) */
    pthread_mutex_t lib_mu;
    unsigned long lib_epoch;    /* moves at each library reload (under lib_mu): part of a kept page's key */
    char *openapi; size_t openapi_len; /* web/openapi.json, served as is; NULL when missing */
    char server[300];           /* this server's name among those on the database ("<host>:<pid>") */
    bool library_stale, secrets_stale; /* the database's current ones differ (under lib_mu) */
    char cluster_note[300];     /* why, for /readyz (under lib_mu) */
    char lib_tried[65];         /* the current library hash a reload last tried to match (main thread) */
    int64_t lib_retry_at;       /* and when it tries again with the same hash */
} app;

/* Memos of database reads (a->memos) and rendered pages (a->pages) serve while nothing of
 * their agent changed (store/changelog.h: every write, by this process or another, voids
 * its agent's entries at the next request), and at most this long, for what time alone
 * changes (a session's idle time, "due soon", attempts left this hour): */
#define APP_MEMO_SECONDS 60
#define APP_PAGE_SECONDS 30
#define APP_PAGE_MAX (64u * 1024) /* larger pages are not kept */

/* Per-request context, req->app. */
typedef struct req_ctx {
    account *user;     /* NULL when anonymous; owned */
    session sess;
    const char *locale;/* "fr" or "en" */
    char csrf[65];     /* the token forms must carry */
    bool set_csrf_cookie;
    int unread;        /* unread inbox messages of user, read with the session */
    bool bearer;       /* an API request with "Authorization: Bearer": no cookie, no CSRF token */
    bool synced;       /* the change log was read at the start of the request: caches may serve */
    long long stamp;   /* the change log's stamp at that time (store/changelog.h) */
    char *page_key;    /* where app_render keeps this page (ROUTE_CACHE, GET); NULL: not kept */
    long long page_owner;
    unsigned long db_errors; /* store_thread_errors() when the request began */
    unsigned page_scopes; /* what of the user's data the page shows (CHANGE_*); CHANGE_ANY unless said */
    const char *const *page_modules; /* its learning data of these modules alone (borrowed), when set */
    size_t page_nmodules;
    bool page_deferred; /* app_render does not keep it whole: app_holed_keep fills it first */
} req_ctx;

/* Loads catalogs, templates and static files, builds the router. NULL with err set. The
 * store is borrowed. */
app *app_new(const app_config *cfg, store *db, perr *err);
void app_free(app *a);

/* The current course library with a reference the caller drops with
 * app_library_release (requests in flight keep the library they started with). */
struct learn_library *app_library_acquire(app *a);
void app_library_release(app *a, struct learn_library *lib);
/* Reloads cfg.courses_dir (SIGHUP): logs each problem; a course that fails keeps its
 * previous version; checks it against the database's current library (below), syncs the
 * catalog into the store, then swaps the library in. false with err (the previous library
 * keeps serving) when the check refuses it. */
bool app_library_reload(app *a, perr *err);
/* The same; may_adopt false (an automatic reload) only loads the current library. */
bool app_library_reload_as(app *a, bool may_adopt, perr *err);

/* Several servers on one database (handlers/app_cluster.c, store/cluster.h). */
/* The main loop's tick in seconds (PASSPORT_TICK_SECONDS, default 10). */
int app_tick_seconds(void);
/* True when lib may be served: its hash is the database's current library's, or becomes
 * it (may_adopt, and no other live server serves the current one). false with err naming
 * both versions and what to do. */
bool app_cluster_library(app *a, const struct learn_library *lib, bool may_adopt, perr *err);
/* The same for the fingerprint of the issuer keys and the quiz-form key (a set that adds
 * keys to the current one replaces it: a rotation). */
bool app_cluster_secrets(app *a, perr *err);
/* The heartbeat: tells the database what this server serves; loads the current library
 * when another was published; marks the server not ready when its files are not current. */
void app_cluster_tick(app *a, int64_t now);
/* Forgets this server's heartbeat (a clean stop). */
void app_cluster_leave(app *a);
/* For /readyz: true when this server serves the current library and secrets; detail says
 * which server it is, or what is wrong. */
bool app_cluster_ready(app *a, char *detail, size_t n);

/* Helpers for handlers. */
static inline req_ctx *app_ctx(http_req *req) {
    return (req_ctx *)req->app;
}
/* Translates key in the request's locale (owned by the catalog). */
const char *app_t(app *a, http_req *req, const char *key);
/* Translates key and fills its {1}, {2}... with the strings of args (a JSON array,
 * borrowed; may be NULL) into a new string the caller frees. */
char *app_tf(app *a, http_req *req, const char *key, const json_t *args);
/* Renders template name inside the layout with data (consumed: the reference is
 * stolen) and the common members (user, csrf, locale, nav, static URLs); title_key is
 * an i18n key for <title>, unless data has a string "page_title" (used as is). Sets
 * status (200 when 0). */
void app_render(app *a, http_req *req, http_resp *resp, int status, const char *name,
                const char *title_key, json_t *data);
/* An error page (HTML) or {"error":{status,message}} under /api/: message may be an i18n
 * key or plain text; NULL uses the status's own text. A 4xx after a database failure
 * during the request (store_thread_errors) is answered 500 "error.database": the input
 * was not at fault (on PostgreSQL a write fails at its statement, not at the commit). */
void app_error(app *a, http_req *req, http_resp *resp, int status, const char *message);
/* This response must not be kept in the page cache (a ROUTE_CACHE page showing, for this
 * user, something that depends on other agents' data). */
void app_page_uncached(http_req *req);
/* This ROUTE_CACHE page shows, of its user's data, only the scopes given (CHANGE_* bits of
 * store/changelog.h, 0 for none of them) besides what every page may show (the account,
 * the session, the inbox's count, data shared by everyone): the user's changes of other
 * scopes leave it cached. A page that does not call it is voided by any change of its
 * user. Call it before app_render. */
void app_page_shows(http_req *req, unsigned scopes);
/* This page kept with holes (below) shows, of its user's learning data, that of the modules
 * ids[0..n) alone (store/changelog.h, changelog_current_modules): a learning change of
 * another module leaves it kept. ids are borrowed until the end of the request. Call it
 * before app_page_fill and app_page_keep_filled, with CHANGE_LEARN in their scopes. */
void app_page_shows_modules(http_req *req, const char *const *ids, size_t n);
/* After the request's own write of its user's data (the module page records a visit):
 * brings the change log up to date and, when nothing of the user but scoped data (learning,
 * evidence) and nothing for everyone changed since the request's stamp, moves the stamp to
 * now and returns true. The caller must then read again, after this call, the scoped data
 * its entries show: they are stamped after the write, not voided by it. False (the stamp
 * is kept: entries made now are void on arrival, a miss) otherwise. */
bool app_restamp(app *a, http_req *req);
/* Pages kept with holes: a GET page whose renderings differ only in a few strings (the
 * module page: its one-time nonce and drawn questions) is kept once with APP_HOLE(i)
 * markers where they go, and each request fills the holes with its own strings. Same key,
 * bounds and scopes as the page cache (user, library epoch, locale, session, path and
 * query; the change log; APP_PAGE_SECONDS), plus the `until` the page gave. Holes are
 * numbered from 0 in the order they appear in the page, each exactly once. */
#define APP_HOLES_MAX 4
#define APP_HOLE(i) "\x01pp-hole-" #i "\x01"
/* Sends the kept page of this request with hole i filled by fills[i] (lens[i] bytes) and
 * returns true; false when no current one is kept (nothing sent). Signed-in session only. */
bool app_page_fill(app *a, http_req *req, http_resp *resp, unsigned scopes, size_t n, const char *const *fills,
                   const size_t *lens);
/* Keeps the page app_render just put in resp (status 200, holes marked with APP_HOLE) for
 * later requests until `until` at most, then fills its holes as above. A page whose marks
 * are not each found once in order is sent filled but not kept. */
void app_page_keep_filled(app *a, http_req *req, http_resp *resp, unsigned scopes, int64_t until, size_t n,
                          const char *const *fills, const size_t *lens);
/* Pages kept with keyed holes: a GET page of which a few fragments alone show its user's
 * data of some scope (the catalog: each module's status and each course's progress line
 * show the agent's learning data) is kept once more with APP_KEYED_HOLE marks where those
 * fragments go, each with a key saying what it shows (a module's id). When a change of that
 * scope voids the whole page kept by the page cache, the next request reads the user's data
 * once, renders the fragments again (small) into the kept page, and keeps the result whole
 * again. The page with holes is keyed as the page cache ("k|" before the key) and is current
 * while nothing of its user in `scopes` (what the page shows OUTSIDE its holes) nor anything
 * shared changed since its stamp, for APP_PAGE_SECONDS at most. */
#define APP_KEYED_HOLE "\x01pp-keyed-hole\x01"
typedef struct app_holed app_holed; /* a kept page with keyed holes */
/* The current kept page with keyed holes of this request (the caller frees it with
 * app_holed_send or app_holed_free), or NULL: then the page app_render makes next is not
 * kept whole until app_holed_keep has filled its holes. Signed-in session only. */
app_holed *app_holed_recall(app *a, http_req *req, unsigned scopes);
size_t app_holed_count(const app_holed *p);
/* The key of hole i (i < app_holed_count), owned by p. */
const char *app_holed_key(const app_holed *p, size_t i);
/* Sends p with hole i filled by fills[i], keeps that page whole in the page cache (as
 * app_render would have), counts a refill, and frees p. */
void app_holed_send(app *a, http_req *req, http_resp *resp, app_holed *p, const buf *fills);
void app_holed_free(app_holed *p);
/* The page app_render just put in resp has n APP_KEYED_HOLE marks, the i-th showing what
 * hole_keys[i] names, filled by fills[i]: keeps it with its holes for app_holed_recall, then
 * fills them and keeps the filled page whole. A page whose marks are not n is sent filled
 * where they are, kept neither way. */
void app_holed_keep(app *a, http_req *req, http_resp *resp, unsigned scopes, size_t n, const char *const *hole_keys,
                    const buf *fills);
unsigned long long app_page_refills(void);
/* Cache counters for /metrics: pages served from the cache, pages rendered and kept,
 * kept pages found void (a change of their user or of everyone since they were kept). */
unsigned long long app_page_hits(void);
unsigned long long app_page_misses(void);
unsigned long long app_page_voided(void);
/* JSON response, data consumed. */
void app_json(http_resp *resp, int status, json_t *data);
/* True when the current user has any of roles (403 page sent otherwise). */
bool app_require(app *a, http_req *req, http_resp *resp, unsigned roles);
/* Parses a positive integer route parameter; 0 when malformed. */
long long app_param_id(http_req *req, size_t i);
/* A `next` target (where to go after signing in, or after a language switch) when it is
 * a path of this site: one "/" first, then no "//", no backslash, no space or control
 * character (a browser skips tabs and newlines, and would read "/\t/evil.example" as
 * another host). Anything else, NULL included, gives "/". Returns next or a literal. */
const char *app_local_next(const char *next);

/* Adds every route of the application to r (what app_new does; needs no database, so
 * `passport routes` can list them). */
void app_register_routes(http_router *r);

/* Route registration of each feature area (handlers/<area>.c). */
void auth_routes(http_router *r);
void home_routes(http_router *r);
void admin_routes(http_router *r);
void health_routes(http_router *r);
void passport_routes(http_router *r);
void courses_routes(http_router *r);
void inbox_routes(http_router *r);
void talent_routes(http_router *r);
void paths_routes(http_router *r);
void badges_routes(http_router *r);
void openapi_routes(http_router *r);
void tokens_routes(http_router *r);
void positioning_routes(http_router *r);
void identity_routes(http_router *r);
void sso_routes(http_router *r);
/* The provider's logout URL for the session of cookie token session_token when it was
 * opened through single sign-on (a new string the caller frees), else NULL (handlers/sso.c). */
char *sso_logout_url(app *a, http_req *req, const char *session_token);
/* Reads the OpenAPI document at path into a new string the caller frees (its length in
 * *len); NULL when the file is missing or unreadable (handlers/openapi.c). */
char *openapi_load(const char *path, size_t *len);

#endif
