/* SPDX-License-Identifier: EUPL-1.2 */
/* GET /healthz: liveness, cheap (no database, no disk). GET /readyz: readiness, for load
 * balancers and operators: the database reads and commits a write, the data folder's
 * disk has room, the issuer keys load, the course library and the secrets are the ones
 * the database records as current (several servers: handlers/app_cluster.c). Each check is
 * named in the answer; its detail (a database's error, the data folder's path) only for
 * the addresses of --metrics-allow: anyone may probe readiness, not read the setup. */
#include <stdio.h>
#include <sys/statvfs.h>

#include "badges/keyring.h"
#include "core/log.h"
#include "handlers/app.h"

/* Below this, /readyz says the disk is (nearly) full. */
#define READY_MIN_FREE_BYTES (64ull * 1024 * 1024)

static void healthz(http_req *req, http_resp *resp, void *ctx) {
    (void)req;
    app *a = ctx;
    app_json(resp, 200, json_pack("{s:s, s:s, s:i}", "status", "ok", "version", a->cfg.version, "schema",
                                  store_version(a->db)));
}

/* Adds a check {ok, detail} named name to checks, the detail empty unless shown; returns ok. */
static bool check(json_t *checks, bool shown, const char *name, bool ok, const char *detail) {
    json_object_set_new(checks, name, json_pack("{s:b, s:s}", "ok", ok, "detail", shown ? detail : ""));
    return ok;
}

static void readyz(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    json_t *checks = json_object();
    bool shown = req->operator;
    bool ok = check(checks, shown, "database_read", store_ping(a->db), "");
    perr err = {{0}};
    bool wrote = store_check_write(a->db, &err);
    ok &= check(checks, shown, "database_write", wrote, wrote ? "" : err.msg);
    struct statvfs vfs;
    char detail[320];
    if (statvfs(a->cfg.data_dir, &vfs) == 0) {
        unsigned long long free_bytes = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
        snprintf(detail, sizeof detail, "%llu MiB free in %s", free_bytes >> 20, a->cfg.data_dir);
        ok &= check(checks, shown, "disk", free_bytes >= READY_MIN_FREE_BYTES, detail);
    } else {
        snprintf(detail, sizeof detail, "cannot read the free space of %s", a->cfg.data_dir);
        ok &= check(checks, shown, "disk", false, detail);
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/keys", a->cfg.data_dir);
    perr kerr = {{0}};
    keyring *kr = keyring_load(dir, false, &kerr);
    bool keys_ok = kr && keyring_signing(kr);
    snprintf(detail, sizeof detail, "%zu issuer keys", kr ? keyring_count(kr) : 0);
    ok &= check(checks, shown, "keys", keys_ok, keys_ok ? detail : kerr.msg);
    keyring_free(kr);
    ok &= check(checks, shown, "shared_files", app_cluster_ready(a, detail, sizeof detail), detail);
    if (!ok) /* at each probe while it lasts: rate-limited */
        store_log_failure(a->db, "readyz", "readyz: not ready: %s", wrote ? "see the checks of /readyz" : err.msg);
    app_json(resp, ok ? 200 : 503,
             json_pack("{s:s, s:s, s:i, s:o}", "status", ok ? "ready" : "not ready", "version", a->cfg.version,
                       "schema", store_version(a->db), "checks", checks));
}

void health_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/healthz", healthz, 0, ROUTE_PUBLIC, 0});
    http_router_add(r, (http_route){HTTP_GET, "/readyz", readyz, 0, ROUTE_PUBLIC, 0});
}
