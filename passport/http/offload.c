/* SPDX-License-Identifier: EUPL-1.2 */
/* The background worker of costly requests (see offload.h). */
#define _GNU_SOURCE /* gettid */
#include "http/offload.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

typedef struct job {
    http_offload_fn fn, done;
    void *arg;
} job;

struct http_offload {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned cap;
    unsigned reserved; /* places taken: reserved, queued or running */
    unsigned head, count;
    job *ring;         /* cap entries */
    bool stop;
};

/* The worker's lowest CPU priority: on Linux, nice applies to one thread (its tid). */
static void lower_priority(void) {
#ifdef __linux__
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), 19) != 0) log_error("http: cannot lower the verify worker's priority");
#endif
}

static void *run(void *arg) {
    http_offload *o = arg;
    lower_priority();
    pthread_mutex_lock(&o->mu);
    for (;;) {
        while (!o->count && !(o->stop && !o->reserved)) pthread_cond_wait(&o->cv, &o->mu);
        if (!o->count) break; /* stopping, nothing reserved nor queued */
        job j = o->ring[o->head];
        o->head = (o->head + 1) % o->cap;
        o->count--;
        pthread_mutex_unlock(&o->mu);
        j.fn(j.arg);
        pthread_mutex_lock(&o->mu);
        o->reserved--;
        pthread_mutex_unlock(&o->mu);
        j.done(j.arg);
        pthread_mutex_lock(&o->mu);
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

http_offload *http_offload_new(unsigned cap) {
    http_offload *o = xcalloc(1, sizeof *o);
    o->cap = cap ? cap : 1;
    o->ring = xcalloc(o->cap, sizeof *o->ring);
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    if (pthread_create(&o->thread, NULL, run, o) != 0) {
        pthread_cond_destroy(&o->cv);
        pthread_mutex_destroy(&o->mu);
        free(o->ring);
        free(o);
        return NULL;
    }
    return o;
}

bool http_offload_full(http_offload *o) {
    pthread_mutex_lock(&o->mu);
    bool full = o->reserved >= o->cap;
    pthread_mutex_unlock(&o->mu);
    return full;
}

bool http_offload_reserve(http_offload *o) {
    pthread_mutex_lock(&o->mu);
    bool ok = o->reserved < o->cap;
    if (ok) o->reserved++;
    pthread_mutex_unlock(&o->mu);
    return ok;
}

void http_offload_submit(http_offload *o, http_offload_fn fn, http_offload_fn done, void *arg) {
    pthread_mutex_lock(&o->mu);
    o->ring[(o->head + o->count) % o->cap] = (job){fn, done, arg};
    o->count++;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

void http_offload_free(http_offload *o) {
    if (!o) return;
    pthread_mutex_lock(&o->mu);
    o->stop = true;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
    pthread_join(o->thread, NULL);
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    free(o->ring);
    free(o);
}
