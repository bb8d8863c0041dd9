/* SPDX-License-Identifier: EUPL-1.2 */
/* Process-wide counters that lower layers bump and /metrics reports: database errors and
 * busy timeouts (the store), and gauges that a module registers to expose a size it owns
 * (an outbox, a queue). The HTTP counters live in http/metrics.h. */
#ifndef PASSPORT_CORE_METRICS_H
#define PASSPORT_CORE_METRICS_H

#include "core/buf.h"

/* A database call failed (corruption, I/O, full disk, read-only...). */
void metrics_db_error(void);
/* A database call had to wait for a lock. */
void metrics_db_busy(void);
unsigned long metrics_db_errors(void);
unsigned long metrics_db_busies(void);

/* A gauge read when /metrics is rendered: fn(ctx) returns its current value. name must
 * be a Prometheus metric name and name/help literals; ctx must live as long as the
 * process or until metrics_gauge_unregister(name). At most 32 gauges. */
typedef long long (*metrics_gauge_fn)(void *ctx);
void metrics_gauge_register(const char *name, const char *help, metrics_gauge_fn fn, void *ctx);
void metrics_gauge_unregister(const char *name);

/* Appends the counters and gauges above in the Prometheus text format to out. */
void metrics_render(buf *out);

#endif
