/* SPDX-License-Identifier: EUPL-1.2 */
/* The agent's assignments (/me/assignments, GET /api/v1/me/assignments) with
 * recommendations, and the manager dashboard (/team, /team/assignments/{id} with its
 * SVG charts and CSV export, /team/agents/{id}, GET /api/v1/assignments/{id}/progress).
 * Opening these pages runs paths_notify_due (cheap when there is nothing to post). */
#include "handlers/api_page.h"
#include "handlers/paths_team.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/csv.h"
#include "core/log.h"
#include "handlers/app.h"
#include "handlers/datefmt.h"
#include "paths/assign.h"
#include "paths/dashboard.h"
#include "paths/recommend.h"
#include "people/unit.h"
#include "store/changelog.h"

#define VIEWERS (ROLE_MANAGER | ROLE_HR | ROLE_ADMIN)
#define PAGE 50
#define API_LIMIT_MAX 5000

/* Chart geometry of the burndown (SVG user units). */
#define CW 640
#define CH 260
#define CL 48 /* left margin: the axis labels */
#define CR 16
#define CT 16
#define CB 40

static void notify(app *a) {
    perr err = {{0}};
    if (!paths_notify_due(a->db, clock_now(), NULL, &err)) log_error("paths notices: %s", err.msg);
}

/* Adds "status_key" (an i18n key) beside each item's "status". */
static void status_keys(json_t *items) {
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v) {
        char key[48];
        snprintf(key, sizeof key, "paths.status.%s", json_string_value(json_object_get(v, "status")));
        json_object_set_new(v, "status_key", json_string(key));
    }
}

/* The agent's assignments with recommendations toward each path's targets. */
static json_t *mine_with_recommendations(app *a, long long user_id, const char *lang) {
    json_t *items = dashboard_mine(a->db, user_id, clock_now());
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v) {
        size_t n = 0;
        path_target *t = path_targets(a->db, json_integer_value(json_object_get(v, "path_id")), &n);
        if (n) json_object_set_new(v, "recommendations", recommend_modules(a->db, user_id, t, n, lang));
        free(t);
        status_keys(json_object_get(v, "modules"));
    }
    status_keys(items);
    return items;
}

static void mine_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    notify(a);
    app_page_shows(req, CHANGE_LEARN | CHANGE_EVIDENCE); /* progress on each path, recommendations by level */
    app_render(a, req, resp, 200, "paths/mine", "paths.mine.title",
               json_pack("{s:o}", "assignments", mine_with_recommendations(a, c->user->id, c->locale)));
}

static void mine_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    api_page pg;
    if (!api_page_read(a, req, resp, &pg)) return;
    notify(a);
    json_t *out = json_pack("{s:o}", "assignments", mine_with_recommendations(a, c->user->id, c->locale));
    api_page_apply(out, "assignments", &pg);
    app_json(resp, 200, out);
}

static void team_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    notify(a);
    int64_t now = clock_now();
    const char *pg = http_query(req, "page");
    int page = pg ? atoi(pg) : 1;
    if (page < 1 || page > 100000) page = 1;
    json_t *list = dashboard_list(a->db, c->user, now);
    /* one more than a page tells whether a next page exists */
    json_t *agents = dashboard_agents(a->db, dashboard_scope(c->user), now, (page - 1) * PAGE, PAGE + 1);
    bool more = json_array_size(agents) > PAGE;
    if (more) json_array_remove(agents, PAGE);
    size_t k;
    json_t *item;
    json_array_foreach(list, k, item) datefmt_add(json_object_get(item, "assignment"), c->locale, "due_on", "due_text");
    json_t *d = json_pack("{s:o, s:o}", "assignments", list, "agents", agents);
    if (page > 1) json_object_set_new(d, "prev_page", json_integer(page - 1));
    if (more) json_object_set_new(d, "next_page", json_integer(page + 1));
    app_render(a, req, resp, 200, "paths/team", "paths.team.title", d);
}

/* Loads assignment id for the viewer: sends 404 or 403 and returns NULL when it cannot. */
static json_t *load_assignment(app *a, http_req *req, http_resp *resp, long long id, int offset, int limit) {
    req_ctx *c = app_ctx(req);
    if (!assign_path(a->db, id) || !assign_visible(a->db, c->user, id)) {
        app_error(a, req, resp, 404, NULL); /* not visible: exactly as an absent one */
        return NULL;
    }
    perr err = {{0}};
    json_t *d = dashboard_assignment(a->db, id, dashboard_scope(c->user), clock_now(), offset, limit, &err);
    if (!d) app_error(a, req, resp, 500, err.msg);
    return d;
}

static int chart_x(long long day, long long span) {
    return CL + (int)(day * (CW - CL - CR) / (span > 0 ? span : 1));
}

static int chart_y(long long remaining, long long total) {
    return CT + (int)((total - remaining) * (CH - CT - CB) / (total > 0 ? total : 1));
}

/* Adds burndown.chart: polyline points for the actual and ideal lines and axis marks. */
static void burndown_chart(json_t *b) {
    long long total = json_integer_value(json_object_get(b, "total"));
    long long days = json_integer_value(json_object_get(b, "days"));
    long long due = json_integer_value(json_object_get(b, "due_day"));
    long long span = days > due ? days : due;
    buf actual = BUF_INIT, ideal = BUF_INIT;
    json_t *dots = json_array(); /* one mark per day: a line of one point draws nothing */
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(b, "points"), i, p) {
        int x = chart_x(json_integer_value(json_object_get(p, "day")), span);
        int y = chart_y(json_integer_value(json_object_get(p, "remaining")), total);
        buf_printf(&actual, "%s%d,%d", i ? " " : "", x, y);
        json_array_append_new(dots, json_pack("{s:i, s:i}", "x", x, "y", y));
    }
    buf_printf(&ideal, "%d,%d %d,%d", chart_x(0, span), chart_y(total, total), chart_x(due, span), chart_y(0, total));
    json_object_set_new(b, "chart",
                        json_pack("{s:s, s:o, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "actual", buf_cstr(&actual),
                                  "dots", dots,
                                  "ideal", buf_cstr(&ideal), "x0", CL, "x1", CW - CR, "y0", CH - CB, "y1", CT,
                                  "due_x", chart_x(due, span), "w", CW, "h", CH, "label_y", CH - CB + 18));
    buf_free(&actual);
    buf_free(&ideal);
}

static void assignment_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    notify(a);
    const char *pg = http_query(req, "page");
    int page = pg ? atoi(pg) : 1;
    if (page < 1 || page > 100000) page = 1;
    json_t *d = load_assignment(a, req, resp, app_param_id(req, 0), (page - 1) * PAGE, PAGE);
    if (!d) return;
    burndown_chart(json_object_get(d, "burndown"));
    status_keys(json_object_get(d, "agents"));
    const char *locale = app_ctx(req)->locale;
    datefmt_add(json_object_get(d, "assignment"), locale, "due_on", "due_text");
    datefmt_add(json_object_get(json_object_get(d, "burndown"), "points"), locale, "date", "date_text");
    json_int_t agents = json_integer_value(json_object_get(json_object_get(d, "summary"), "agents"));
    json_object_set_new(d, "page", json_integer(page));
    if (page > 1) json_object_set_new(d, "prev_page", json_integer(page - 1));
    if ((json_int_t)page * PAGE < agents) json_object_set_new(d, "next_page", json_integer(page + 1));
    json_object_set_new(d, "assigned", json_boolean(http_query(req, "assigned") != NULL));
    app_render(a, req, resp, 200, "paths/assignment", "paths.assignment.title", d);
}

/* Appends one ';'-separated CSV field, neutralised against formulas (csv_write_field). */
static void csv_field(buf *b, const char *s, bool last) {
    csv_write_field(b, s, ';', last);
}

static void export_csv(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    json_t *d = load_assignment(a, req, resp, app_param_id(req, 0), 0, -1);
    if (!d) return;
    buf *b = &resp->body;
    buf_reset(b);
    buf_puts(b, "\xEF\xBB\xBF"); /* BOM: spreadsheets then read UTF-8 */
    static const char *const cols[] = {"paths.csv.name", "paths.csv.email", "paths.csv.unit", "paths.csv.status",
                                       "paths.csv.done", "paths.csv.total", "paths.csv.percent", "paths.csv.minutes",
                                       "paths.csv.last"};
    for (size_t i = 0; i < 9; i++) csv_field(b, app_t(a, req, cols[i]), i == 8);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(d, "agents"), i, v) {
        char key[48], n1[24], n2[24], n3[24], n4[24];
        snprintf(key, sizeof key, "paths.status.%s", json_string_value(json_object_get(v, "status")));
        snprintf(n1, sizeof n1, "%lld", (long long)json_integer_value(json_object_get(v, "done")));
        snprintf(n2, sizeof n2, "%lld", (long long)json_integer_value(json_object_get(v, "total")));
        snprintf(n3, sizeof n3, "%lld", (long long)json_integer_value(json_object_get(v, "percent")));
        snprintf(n4, sizeof n4, "%lld", (long long)json_integer_value(json_object_get(v, "minutes")));
        csv_field(b, json_string_value(json_object_get(v, "name")), false);
        csv_field(b, json_string_value(json_object_get(v, "email")), false);
        csv_field(b, json_string_value(json_object_get(v, "unit")), false);
        csv_field(b, app_t(a, req, key), false);
        csv_field(b, n1, false);
        csv_field(b, n2, false);
        csv_field(b, n3, false);
        csv_field(b, n4, false);
        csv_field(b, json_string_value(json_object_get(v, "last_at")), true);
    }
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"assignment-%lld.csv\"", app_param_id(req, 0));
    resp->status = 200;
    resp->content_type = "text/csv; charset=utf-8";
    http_resp_header(resp, "Content-Disposition", disp);
    http_resp_header(resp, "Cache-Control", "no-store");
    json_decref(d);
}

static void agent_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    account *ag = account_get(a->db, app_param_id(req, 0), NULL);
    if (ag && !(c->user->roles & (ROLE_HR | ROLE_ADMIN)) &&
        !(c->user->unit_id > 0 && ag->unit_id > 0 && unit_in_subtree(a->db, c->user->unit_id, ag->unit_id))) {
        account_free(ag); /* outside the scope: exactly as an absent account */
        ag = NULL;
    }
    if (!ag) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    json_t *items = dashboard_mine(a->db, ag->id, clock_now());
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v) status_keys(json_object_get(v, "modules"));
    status_keys(items);
    datefmt_add(items, c->locale, "due_on", "due_text");
    app_render(a, req, resp, 200, "paths/agent", "paths.agent.title",
               json_pack("{s:{s:I, s:s, s:s, s:s}, s:o}", "agent", "id", (json_int_t)ag->id, "name", ag->display_name,
                         "email", ag->email, "unit", ag->unit_name ? ag->unit_name : "", "assignments", items));
    account_free(ag);
}

static void progress_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *off = http_query(req, "offset"), *lim = http_query(req, "limit");
    int offset = off ? atoi(off) : 0, limit = lim ? atoi(lim) : 100;
    if (offset < 0) offset = 0;
    if (limit < 0 || limit > API_LIMIT_MAX) limit = API_LIMIT_MAX;
    json_t *d = load_assignment(a, req, resp, app_param_id(req, 0), offset, limit);
    if (d) app_json(resp, 200, d);
}

void paths_team_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/me/assignments", mine_page, 0, ROUTE_CACHE, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/assignments", mine_api, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/team", team_page, 0, 0, VIEWERS});
    http_router_add(r, (http_route){HTTP_GET, "/team/assignments/{id}", assignment_page, 0, 0, VIEWERS});
    http_router_add(r, (http_route){HTTP_GET, "/team/assignments/{id}/export.csv", export_csv, 0, 0, VIEWERS});
    http_router_add(r, (http_route){HTTP_GET, "/team/agents/{id}", agent_page, 0, 0, VIEWERS});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/assignments/{id}/progress", progress_api, 0, 0, VIEWERS});
}
