/* SPDX-License-Identifier: EUPL-1.2 */
/* Process-wide counters and registered gauges (see metrics.h). */
#include "core/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define MAX_GAUGES 32

static _Atomic unsigned long g_db_errors, g_db_busy;

typedef struct gauge {
    const char *name, *help;
    metrics_gauge_fn fn;
    void *ctx;
} gauge;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static gauge g_gauges[MAX_GAUGES];
static size_t g_ngauges;

void metrics_db_error(void) {
    atomic_fetch_add(&g_db_errors, 1);
}

void metrics_db_busy(void) {
    atomic_fetch_add(&g_db_busy, 1);
}

unsigned long metrics_db_errors(void) {
    return atomic_load(&g_db_errors);
}

unsigned long metrics_db_busies(void) {
    return atomic_load(&g_db_busy);
}

void metrics_gauge_register(const char *name, const char *help, metrics_gauge_fn fn, void *ctx) {
    pthread_mutex_lock(&g_mu);
    if (g_ngauges < MAX_GAUGES) g_gauges[g_ngauges++] = (gauge){name, help, fn, ctx};
    pthread_mutex_unlock(&g_mu);
}

void metrics_gauge_unregister(const char *name) {
    pthread_mutex_lock(&g_mu);
    for (size_t i = 0; i < g_ngauges; i++)
        if (!strcmp(g_gauges[i].name, name)) {
            g_gauges[i] = g_gauges[--g_ngauges];
            break;
        }
    pthread_mutex_unlock(&g_mu);
}

void metrics_render(buf *out) {
    buf_printf(out,
               "# HELP passport_db_errors_total Database calls that failed (corruption, I/O, full disk, read-only).\n"
               "# TYPE passport_db_errors_total counter\npassport_db_errors_total %lu\n"
               "# HELP passport_db_busy_total Waits for a database write lock (held by another writer or process).\n"
               "# TYPE passport_db_busy_total counter\npassport_db_busy_total %lu\n",
               metrics_db_errors(), metrics_db_busies());
    pthread_mutex_lock(&g_mu);
    for (size_t i = 0; i < g_ngauges; i++)
        buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", g_gauges[i].name, g_gauges[i].help,
                   g_gauges[i].name, g_gauges[i].name, g_gauges[i].fn(g_gauges[i].ctx));
    pthread_mutex_unlock(&g_mu);
}
