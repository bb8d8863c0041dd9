/* SPDX-License-Identifier: EUPL-1.2 */
/* A rate limit on one kind of failure line, so that a failure repeated by every request
 * (the database down, a statement that cannot run) is seen without flooding the log: the
 * first failure of a run is logged at once, then at most one line per period, saying how
 * many were left out since the previous line; the end of the run (log_gate_ok) logs one
 * line when a failure had been logged. A gate is owned by whoever keeps the state it
 * guards (the store keeps its own: store_log_failure); it is thread-safe. */
#ifndef PASSPORT_CORE_LOGGATE_H
#define PASSPORT_CORE_LOGGATE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct log_gate {
    pthread_mutex_t mu;
    uint64_t period_ms;      /* at most one failure line per period */
    uint64_t last_ms;        /* when the last failure line was written */
    unsigned long suppressed; /* failures left out since that line */
    unsigned long failures;  /* in the current run (0: not failing) */
} log_gate;

/* A gate letting one failure line through per period_ms (0: every failure is logged);
 * log_gate_destroy releases it. */
void log_gate_init(log_gate *g, uint64_t period_ms);
void log_gate_destroy(log_gate *g);

/* One failure at now_ms (a monotonic clock): logged as an error ("fmt", then
 * " (N more since, not logged)" when some were left out) when it is the first of its run
 * or the period has passed since the last line; else only counted. True when logged. */
bool log_gate_fail(log_gate *g, uint64_t now_ms, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The failures ended: when a run was going, logs "fmt (after N failures)" as information
 * and resets the gate, so that the next failure is logged at once. True when logged. */
bool log_gate_ok(log_gate *g, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The same with the arguments as a va_list. */
bool log_gate_vfail(log_gate *g, uint64_t now_ms, const char *fmt, va_list ap);
bool log_gate_vok(log_gate *g, const char *fmt, va_list ap);

/* The failures of the current run so far (0: none). */
unsigned long log_gate_failures(log_gate *g);

#endif
