/* SPDX-License-Identifier: EUPL-1.2 */
/* Request counters by route and status and latency histograms, as atomics in one array
 * per route (see metrics.h). */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "core/metrics.h"

static const int STATUSES[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409,
                               410, 413, 414, 415, 422, 429, 431, 500, 503};
#define NSTATUS (sizeof STATUSES / sizeof STATUSES[0])
/* Upper bounds of the buckets, in microseconds (the last bucket is +Inf). */
static const uint64_t BOUNDS_US[HTTP_METRICS_BUCKETS] = {500,   1000,   2500,   5000,    10000,   25000,
                                                         50000, 100000, 250000, 500000, 1000000, 2500000};

typedef struct route_counts {
    _Atomic unsigned long status[NSTATUS + 1]; /* the last: any other status */
    _Atomic unsigned long bucket[HTTP_METRICS_BUCKETS + 1];
    _Atomic unsigned long long sum_us;
} route_counts;

struct http_metrics {
    const http_router *router;
    size_t nroutes;
    route_counts *routes; /* nroutes + 2 */
};

http_metrics *http_metrics_new(const http_router *r) {
    http_metrics *m = xcalloc(1, sizeof *m);
    m->router = r;
    m->nroutes = http_router_count(r);
    m->routes = xcalloc(m->nroutes + 2, sizeof *m->routes);
    return m;
}

void http_metrics_free(http_metrics *m) {
    if (!m) return;
    free(m->routes);
    free(m);
}

size_t http_metrics_slot(const http_metrics *m, const http_route *route) {
    const http_route *first = m->nroutes ? http_router_at(m->router, 0) : NULL;
    if (!route || !first || route < first || route >= first + m->nroutes) return m->nroutes + 1;
    return (size_t)(route - first);
}

size_t http_metrics_static_slot(const http_metrics *m) {
    return m->nroutes;
}

size_t http_metrics_other_slot(const http_metrics *m) {
    return m->nroutes + 1;
}

size_t http_metrics_bucket(uint64_t duration_us) {
    size_t b = 0;
    while (b < HTTP_METRICS_BUCKETS && duration_us > BOUNDS_US[b]) b++;
    return b;
}

void http_metrics_request(http_metrics *m, size_t slot, int status, uint64_t duration_us) {
    if (slot > m->nroutes + 1) slot = m->nroutes + 1;
    route_counts *rc = &m->routes[slot];
    size_t s = 0;
    while (s < NSTATUS && STATUSES[s] != status) s++;
    atomic_fetch_add_explicit(&rc->status[s], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rc->bucket[http_metrics_bucket(duration_us)], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rc->sum_us, duration_us, memory_order_relaxed);
}

static const char *method_label(unsigned methods) {
    static const char *names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"};
    for (int i = 0; i < 6; i++)
        if (methods & (1u << i)) return names[i];
    return "OTHER";
}

static void route_labels(const http_metrics *m, size_t slot, buf *out) {
    if (slot < m->nroutes) {
        const http_route *r = http_router_at(m->router, slot);
        buf_printf(out, "route=\"%s\",method=\"%s\"", r->pattern, method_label(r->methods));
    } else {
        buf_puts(out, slot == m->nroutes ? "route=\"/static/*\",method=\"GET\"" : "route=\"(none)\",method=\"\"");
    }
}

static void render_requests(const http_metrics *m, buf *out) {
    buf_puts(out, "# HELP passport_http_requests_total Requests answered, by route pattern and status.\n"
                  "# TYPE passport_http_requests_total counter\n");
    for (size_t i = 0; i < m->nroutes + 2; i++)
        for (size_t s = 0; s <= NSTATUS; s++) {
            unsigned long v = atomic_load_explicit(&m->routes[i].status[s], memory_order_relaxed);
            if (!v) continue;
            buf_puts(out, "passport_http_requests_total{");
            route_labels(m, i, out);
            if (s < NSTATUS) buf_printf(out, ",status=\"%d\"} %lu\n", STATUSES[s], v);
            else buf_printf(out, ",status=\"other\"} %lu\n", v);
        }
    buf_puts(out, "# HELP passport_http_request_duration_seconds Time from the request's headers to its answer, by route.\n"
                  "# TYPE passport_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < m->nroutes + 2; i++) {
        const route_counts *rc = &m->routes[i];
        unsigned long total = 0, cum = 0;
        for (size_t b = 0; b <= HTTP_METRICS_BUCKETS; b++) total += atomic_load(&((route_counts *)rc)->bucket[b]);
        if (!total) continue;
        for (size_t b = 0; b <= HTTP_METRICS_BUCKETS; b++) {
            cum += atomic_load(&((route_counts *)rc)->bucket[b]);
            buf_puts(out, "passport_http_request_duration_seconds_bucket{");
            route_labels(m, i, out);
            if (b < HTTP_METRICS_BUCKETS) buf_printf(out, ",le=\"%g\"} %lu\n", (double)BOUNDS_US[b] / 1e6, cum);
            else buf_printf(out, ",le=\"+Inf\"} %lu\n", cum);
        }
        buf_puts(out, "passport_http_request_duration_seconds_sum{");
        route_labels(m, i, out);
        buf_printf(out, "} %.6f\n", (double)atomic_load(&((route_counts *)rc)->sum_us) / 1e6);
        buf_puts(out, "passport_http_request_duration_seconds_count{");
        route_labels(m, i, out);
        buf_printf(out, "} %lu\n", total);
    }
}

void http_metrics_render(const http_metrics *m, const http_conns *conns, buf *out) {
    render_requests(m, out);
    if (conns) {
        buf_printf(out,
                   "# HELP passport_http_connections Connections open now.\n"
                   "# TYPE passport_http_connections gauge\npassport_http_connections %lu\n"
                   "# HELP passport_http_connections_total Connections accepted since the start.\n"
                   "# TYPE passport_http_connections_total counter\npassport_http_connections_total %lu\n"
                   "# HELP passport_http_refused_total Connections refused (503) or cut, by reason.\n"
                   "# TYPE passport_http_refused_total counter\n",
                   http_conns_current(conns), http_conns_accepted(conns));
        for (int k = HTTP_REFUSE_NONE + 1; k < HTTP_REFUSE_KINDS; k++)
            buf_printf(out, "passport_http_refused_total{reason=\"%s\"} %lu\n", http_refusal_name((http_refusal)k),
                       http_conns_refused(conns, (http_refusal)k));
    }
    metrics_render(out);
}
