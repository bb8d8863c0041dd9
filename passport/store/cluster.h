/* SPDX-License-Identifier: EUPL-1.2 */
/* What several Passport servers on one database agree on (docs/deployment.md, "Several
 * servers"), through the store API alone so that it works on every engine:
 * - leases: a periodic task (due-date notices, re-checks, purges) runs on the one server
 *   that took its lease, once per period across all servers;
 * - shared facts: what every server must serve identically (the course library's hash,
 *   the fingerprint of the data folder's secrets), with the value each server last said
 *   it serves (its heartbeat), so that a server whose files differ is refused or told. */
#ifndef PASSPORT_STORE_CLUSTER_H
#define PASSPORT_STORE_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/* The shared facts: the course library's hash (learn/library.h, library_hash) and the
 * fingerprint of the issuer keys and quiz-form key (handlers/app_cluster.c). */
#define CLUSTER_LIBRARY "library"
#define CLUSTER_SECRETS "secrets"

/* This process's name among the servers, "<host>:<pid>", into out (n bytes). */
void cluster_server_name(char *out, size_t n);

/* Takes the lease `name` until now + seconds when it has expired (one write transaction
 * of its own): *taken true when holder now holds it. The periodic task it guards runs only
 * when taken, so it runs once a period (the lease's length), on whichever server ticks
 * first after the lease expired; a holder that dies mid-task leaves the next period to
 * the others. false with err when the database failed. */
bool cluster_lease_take(store *s, const char *name, const char *holder, int64_t now, int64_t seconds, bool *taken,
                        perr *err);
/* Lets the lease go if holder holds it (a clean stop), so that another server may take
 * it at once. */
void cluster_lease_release(store *s, const char *name, const char *holder);

/* The current value of the shared fact name into out (appended; nothing when unset), and
 * who set it into by (may be NULL). false with err when the database failed. */
bool cluster_fact(store *s, const char *name, buf *out, buf *by, perr *err);
/* Makes value the current one of fact name (by: who, a server or "cli"). */
bool cluster_fact_set(store *s, const char *name, const char *value, const char *by, int64_t now, perr *err);

typedef enum {
    CLUSTER_MATCH,   /* mine is the current value (recorded when there was none) */
    CLUSTER_ADOPTED, /* mine differed and became the current value */
    CLUSTER_REFUSED, /* mine differs and may not become current: see cluster_claim */
} cluster_verdict;

/* May `mine` replace `current` even while another server serves current? (e.g. a key
 * set that only adds keys to it). NULL: never. */
typedef bool (*cluster_supersedes)(const char *mine, const char *current);

/* Server declares, in one write transaction, that it is about to serve `mine` as fact
 * name. Equal to the current value (or none yet): CLUSTER_MATCH. Different: when
 * may_adopt and (no other server said within the last `live` seconds that it serves the
 * current value, or supersedes(mine, current)), mine becomes current: CLUSTER_ADOPTED;
 * else CLUSTER_REFUSED, with the current value in *current and the name of a server that
 * serves it in *other (empty when may_adopt was false and none does). Unless refused,
 * server's own value is recorded as seen now. false with err when the database failed. */
bool cluster_claim(store *s, const char *server, const char *name, const char *mine, int64_t now, int64_t live,
                   bool may_adopt, cluster_supersedes supersedes, cluster_verdict *v, buf *current, buf *other,
                   perr *err);

/* The heartbeat: server still serves value as fact name (recorded as seen now). *is_current
 * says whether value is the current one (true when none is recorded); the current value
 * is appended to current when not NULL. */
bool cluster_report(store *s, const char *server, const char *name, const char *value, int64_t now, bool *is_current,
                    buf *current, perr *err);
/* Forgets what server said it serves (a clean stop): it no longer counts as live. */
void cluster_leave(store *s, const char *server);

#endif
