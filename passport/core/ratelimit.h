/* SPDX-License-Identifier: EUPL-1.2 */
/* In-memory admission control for costly public endpoints: a token bucket per client
 * address (rate per second, burst) and a cap on the calls running at once. Addresses
 * hash into a fixed table of RATELIMIT_SLOTS buckets: memory is bounded whatever the
 * number of clients; two addresses sharing a slot share its budget (never more than the
 * configured rate for either). Thread-safe. */
#ifndef PASSPORT_CORE_RATELIMIT_H
#define PASSPORT_CORE_RATELIMIT_H

#include <stdint.h>

#define RATELIMIT_SLOTS 4096

typedef struct ratelimit ratelimit;

/* A new limiter the caller frees with ratelimit_free: per_second tokens refill each
 * address's bucket up to burst; at most max_running calls are admitted at once. */
ratelimit *ratelimit_new(double per_second, double burst, int max_running);
void ratelimit_free(ratelimit *r);

/* Admits one call from address key at now_us (a monotonic clock in microseconds): 0 when
 * admitted (the caller then calls ratelimit_leave once done), else the whole seconds
 * after which to retry (>= 1): the address spent its budget, or max_running calls run. */
int ratelimit_enter(ratelimit *r, const char *key, uint64_t now_us);
void ratelimit_leave(ratelimit *r);
/* Takes one token from address key's bucket at now_us, the running-calls cap aside (a
 * caller that caps running calls itself): 0 when taken, else the seconds to wait (>= 1). */
int ratelimit_take(ratelimit *r, const char *key, uint64_t now_us);

#endif
