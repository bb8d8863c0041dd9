/* The home page: one section per role of the signed-in user, linking to what exists. */
#include "handlers/app.h"
#include "people/unit.h"

static long long count_scope(app *a, long long unit_id) {
    if (!unit_id) return 0;
    sqlite3_stmt *st = store_stmt(a->db,
        "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        " SELECT count(*) FROM users WHERE unit_id IN (SELECT id FROM sub) AND disabled_at IS NULL", NULL);
    if (!st) return 0;
    sqlite3_bind_int64(st, 1, unit_id);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    return n;
}

static void home(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    account *u = app_ctx(req)->user;
    json_t *d = json_pack("{s:s, s:s}", "name", u->display_name, "unit", u->unit_name);
    if (u->roles & ROLE_MANAGER) json_object_set_new(d, "team_size", json_integer(count_scope(a, u->unit_id)));
    if (u->roles & ROLE_ADMIN) json_object_set_new(d, "accounts", json_integer(account_count(a->db)));
    app_render(a, req, resp, 200, "home", "home.title", d);
}

static void me_json(http_req *req, http_resp *resp, void *ctx) {
    (void)ctx;
    account *u = app_ctx(req)->user;
    char roles[32];
    account_roles_format(u->roles, roles);
    app_json(resp, 200, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)u->id, "email", u->email,
                                  "name", u->display_name, "unit", u->unit_name, "roles", roles, "locale",
                                  u->locale));
}

void home_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/", home, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me", me_json, 0, 0, 0});
}
