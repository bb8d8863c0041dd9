/* SPDX-License-Identifier: EUPL-1.2 */
/* The home page: one section per role of the signed-in user, linking to what exists. */
#include <string.h>

#include "core/clock.h"
#include "handlers/app.h"
#include "learn/learn.h"
#include "paths/dashboard.h"
#include "skills/evidence.h"
#include "people/unit.h"
#include "store/changelog.h"

/* The agent's part of the home page: passport counts, the module to continue, and the
 * assignments with their urgency. */
static void agent_part(app *a, const account *u, json_t *d) {
    int verified = 0, declared = 0, pieces = 0;
    skills_counts(a->db, u->id, &verified, &declared, &pieces);
    json_object_set_new(d, "passport", json_pack("{s:i, s:i, s:i}", "verified", verified, "declared", declared,
                                                 "pieces", pieces));
    learn_library *lib = app_library_acquire(a);
    json_t *next = learn_continue(a->db, lib, u->id);
    app_library_release(a, lib);
    if (next) json_object_set_new(d, "next_module", next);
    json_t *mine = dashboard_mine(a->db, u->id, clock_now());
    int open = 0, overdue = 0, due_soon = 0;
    size_t i;
    json_t *m;
    json_array_foreach(mine, i, m) {
        const char *st = json_string_value(json_object_get(m, "status"));
        if (!st || !strcmp(st, "done")) continue;
        open++;
        if (!strcmp(st, "overdue")) overdue++;
        if (!strcmp(st, "due_soon")) due_soon++;
    }
    json_decref(mine);
    json_object_set_new(d, "assignments", json_pack("{s:i, s:i, s:i}", "open", open, "overdue", overdue,
                                                    "due_soon", due_soon));
}

static void home(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    account *u = app_ctx(req)->user;
    json_t *d = json_pack("{s:s, s:s}", "name", u->display_name, "unit", u->unit_name);
    /* the counts below share one read transaction: one WAL lock instead of one per query */
    bool txn = store_read_begin(a->db, NULL);
    if (u->roles & ROLE_AGENT) agent_part(a, u, d);
    if (u->roles & ROLE_MANAGER) json_object_set_new(d, "team_size", json_integer(unit_member_count(a->db, u->unit_id)));
    if (u->roles & ROLE_ADMIN) json_object_set_new(d, "accounts", json_integer(account_count(a->db)));
    if (txn) store_read_end(a->db);
    if (u->roles & (ROLE_MANAGER | ROLE_ADMIN)) app_page_uncached(req); /* counts of other people */
    app_page_shows(req, CHANGE_LEARN | CHANGE_EVIDENCE); /* passport counts, module to continue, paths */
    app_render(a, req, resp, 200, "home", "home.title", d);
}

static void me_json(http_req *req, http_resp *resp, void *ctx) {
    (void)ctx;
    account *u = app_ctx(req)->user;
    char roles[32];
    account_roles_format(u->roles, roles);
    /* csrf: the token state-changing API calls with this session's cookie send as X-CSRF-Token */
    app_json(resp, 200, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)u->id, "email", u->email,
                                  "name", u->display_name, "unit", u->unit_name, "roles", roles, "locale",
                                  u->locale, "csrf", app_ctx(req)->csrf));
}

void home_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/", home, 0, ROUTE_CACHE, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me", me_json, 0, 0, 0});
}
