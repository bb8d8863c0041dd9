/* GET /healthz: liveness and database reachability, for probes and tests. */
#include "handlers/app.h"

static void healthz(http_req *req, http_resp *resp, void *ctx) {
    (void)req;
    app *a = ctx;
    bool db_ok = store_ping(a->db);
    app_json(resp, db_ok ? 200 : 503,
             json_pack("{s:s, s:s, s:b, s:i}", "status", db_ok ? "ok" : "degraded", "version",
                       a->cfg.version, "database", db_ok, "schema", store_version(a->db)));
}

void health_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/healthz", healthz, 0, ROUTE_PUBLIC, 0});
}
