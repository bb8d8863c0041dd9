/* SPDX-License-Identifier: EUPL-1.2 */
/* Rate-limited failure lines (loggate.h): the state under the gate's mutex, the line
 * formatted and written outside it. */
#include "core/loggate.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/log.h"

void log_gate_init(log_gate *g, uint64_t period_ms) {
    pthread_mutex_init(&g->mu, NULL);
    g->period_ms = period_ms;
    g->last_ms = 0;
    g->suppressed = 0;
    g->failures = 0;
}

void log_gate_destroy(log_gate *g) {
    pthread_mutex_destroy(&g->mu);
}

bool log_gate_vfail(log_gate *g, uint64_t now_ms, const char *fmt, va_list ap) {
    pthread_mutex_lock(&g->mu);
    bool first = g->failures++ == 0;
    bool due = first || g->period_ms == 0 || now_ms - g->last_ms >= g->period_ms;
    unsigned long left_out = g->suppressed;
    if (due) {
        g->last_ms = now_ms;
        g->suppressed = 0;
    } else {
        g->suppressed++;
    }
    pthread_mutex_unlock(&g->mu);
    if (!due) return false;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (left_out) log_error("%s (%lu more since, not logged)", msg, left_out);
    else log_error("%s", msg);
    return true;
}

bool log_gate_vok(log_gate *g, const char *fmt, va_list ap) {
    pthread_mutex_lock(&g->mu);
    unsigned long n = g->failures;
    g->failures = 0;
    g->suppressed = 0;
    pthread_mutex_unlock(&g->mu);
    if (!n) return false;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    log_info("%s (after %lu failure%s)", msg, n, n == 1 ? "" : "s");
    return true;
}

bool log_gate_fail(log_gate *g, uint64_t now_ms, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bool r = log_gate_vfail(g, now_ms, fmt, ap);
    va_end(ap);
    return r;
}

bool log_gate_ok(log_gate *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bool r = log_gate_vok(g, fmt, ap);
    va_end(ap);
    return r;
}

unsigned long log_gate_failures(log_gate *g) {
    pthread_mutex_lock(&g->mu);
    unsigned long n = g->failures;
    pthread_mutex_unlock(&g->mu);
    return n;
}
