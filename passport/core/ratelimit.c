/* SPDX-License-Identifier: EUPL-1.2 */
/* Token buckets per address and a running-calls cap (see ratelimit.h). */
#include "core/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/buf.h"

typedef struct bucket {
    double tokens;
    uint64_t at_us; /* last refill; 0: never used (full) */
} bucket;

struct ratelimit {
    pthread_mutex_t mu;
    double per_second, burst;
    int max_running, running;
    bucket slots[RATELIMIT_SLOTS];
};

ratelimit *ratelimit_new(double per_second, double burst, int max_running) {
    ratelimit *r = xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->per_second = per_second > 0 ? per_second : 1;
    r->burst = burst >= 1 ? burst : 1;
    r->max_running = max_running > 0 ? max_running : 1;
    return r;
}

void ratelimit_free(ratelimit *r) {
    if (!r) return;
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* FNV-1a of the address. */
static size_t slot_of(const char *key) {
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; p && *p; p++) h = (h ^ *p) * 16777619u;
    return h % RATELIMIT_SLOTS;
}

/* Refills key's bucket at now_us and returns it (under r->mu). */
static bucket *refill(ratelimit *r, const char *key, uint64_t now_us) {
    bucket *b = &r->slots[slot_of(key)];
    if (!b->at_us) {
        b->tokens = r->burst;
    } else if (now_us > b->at_us) {
        b->tokens += (double)(now_us - b->at_us) / 1e6 * r->per_second;
        if (b->tokens > r->burst) b->tokens = r->burst;
    }
    b->at_us = now_us ? now_us : 1;
    return b;
}

/* Takes a token, and a running place when cap: 0, or the seconds to wait (under r->mu). */
static int admit(ratelimit *r, const char *key, uint64_t now_us, bool cap) {
    bucket *b = refill(r, key, now_us);
    if (b->tokens < 1) return (int)ceil((1 - b->tokens) / r->per_second);
    if (cap && r->running >= r->max_running) return 1; /* a running call ends within a second: the work of one is bounded */
    b->tokens -= 1;
    if (cap) r->running++;
    return 0;
}

int ratelimit_enter(ratelimit *r, const char *key, uint64_t now_us) {
    pthread_mutex_lock(&r->mu);
    int wait = admit(r, key, now_us, true);
    pthread_mutex_unlock(&r->mu);
    return wait;
}

int ratelimit_take(ratelimit *r, const char *key, uint64_t now_us) {
    pthread_mutex_lock(&r->mu);
    int wait = admit(r, key, now_us, false);
    pthread_mutex_unlock(&r->mu);
    return wait;
}

void ratelimit_leave(ratelimit *r) {
    pthread_mutex_lock(&r->mu);
    if (r->running > 0) r->running--;
    pthread_mutex_unlock(&r->mu);
}
