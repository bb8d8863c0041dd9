/* SPDX-License-Identifier: EUPL-1.2 */
/* Request metrics of the HTTP server: counts by route pattern and status, and latency
 * histograms by route, rendered in the Prometheus text format with the connection and
 * refusal counters (http/conns.h) and the process-wide ones (core/metrics.h). */
#ifndef PASSPORT_HTTP_METRICS_H
#define PASSPORT_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/conns.h"
#include "http/router.h"

typedef struct http_metrics http_metrics;

/* Counters for the routes of r (borrowed; must not change afterwards), plus two pseudo
 * routes: static files and requests that matched no route. */
http_metrics *http_metrics_new(const http_router *r);
void http_metrics_free(http_metrics *m);
/* The slot of a matched route, of /static/, of anything else (no route, refused). */
size_t http_metrics_slot(const http_metrics *m, const http_route *route);
size_t http_metrics_static_slot(const http_metrics *m);
size_t http_metrics_other_slot(const http_metrics *m);
/* Counts one answered request. Lock-free. */
void http_metrics_request(http_metrics *m, size_t slot, int status, uint64_t duration_us);
/* The histogram bucket (0..HTTP_METRICS_BUCKETS, the last being +Inf) of a duration. */
#define HTTP_METRICS_BUCKETS 12
size_t http_metrics_bucket(uint64_t duration_us);
/* Appends everything in the Prometheus text format to out; conns may be NULL. */
void http_metrics_render(const http_metrics *m, const http_conns *conns, buf *out);

#endif
