/* SPDX-License-Identifier: EUPL-1.2 */
/* A background worker for costly requests: one thread at the lowest CPU priority (nice 19)
 * running jobs from a bounded queue in order, so that the server's HTTP threads, and the
 * requests they serve, win the cores. A place in the queue is reserved first, then the job
 * is submitted: a caller that must do something between the two (suspend a connection)
 * cannot fail after it. No HTTP knowledge: http/server.c runs suspended requests on it. */
#ifndef PASSPORT_HTTP_OFFLOAD_H
#define PASSPORT_HTTP_OFFLOAD_H

#include <stdbool.h>

typedef struct http_offload http_offload;
typedef void (*http_offload_fn)(void *arg);

/* Starts the worker with room for cap jobs (running or waiting; at least 1). NULL when the
 * thread cannot be started. */
http_offload *http_offload_new(unsigned cap);
/* True when cap jobs are reserved or running (a reservation now would fail). */
bool http_offload_full(http_offload *o);
/* Reserves a place: false when the queue is full. Each true is followed by exactly one
 * http_offload_submit. */
bool http_offload_reserve(http_offload *o);
/* Queues fn(arg) in the reserved place; it runs on the worker thread, then the place is
 * released, then done(arg) runs there too (a client told the job is over by done may
 * send the next one at once: it finds the place free). */
void http_offload_submit(http_offload *o, http_offload_fn fn, http_offload_fn done, void *arg);
/* Runs the jobs reserved or queued to their end, stops the thread and frees the worker
 * (jobs of a stopping server answer quickly: they see it stopping). NULL: no-op. */
void http_offload_free(http_offload *o);

#endif
