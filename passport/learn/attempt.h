/* Quiz attempts: one-time nonces carried by each rendering of a quiz form, and the
 * recording of a graded attempt (with the `measured` evidence of a pass) in one
 * transaction, refusing replays, archived modules and too many attempts. */
#ifndef PASSPORT_LEARN_ATTEMPT_H
#define PASSPORT_LEARN_ATTEMPT_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "learn/grade.h"
#include "learn/library.h"
#include "store/store.h"

#define ATTEMPT_MAX_PER_HOUR 10    /* per agent and module */
#define ATTEMPT_NONCE_TTL (24 * 3600) /* seconds a quiz form stays valid */

typedef enum attempt_status {
    ATTEMPT_OK,
    ATTEMPT_REPLAY,       /* unknown, expired or already used nonce: 409 */
    ATTEMPT_RATE_LIMITED, /* ATTEMPT_MAX_PER_HOUR reached: 429 */
    ATTEMPT_ARCHIVED,     /* the module is archived or unknown to the store: 410 */
    ATTEMPT_ERROR,        /* database error: err set, 500 */
} attempt_status;

/* Creates a nonce for the user and module into out (32 hex digits + NUL) and forgets
 * nonces older than ATTEMPT_NONCE_TTL. */
bool attempt_nonce_new(store *s, long long user_id, const char *module_id, char out[33], perr *err);

/* Records the graded attempt of module m by the user in one transaction: consumes the
 * nonce (which must have been issued for this user and module), checks the rate limit and
 * that the module is live in the store, inserts the attempt (answers as JSON, score,
 * passed, started_at = the nonce's creation), and when g passed adds `measured` evidence
 * for each competency@level of m with source "module:<id>@<hash8>". On any refusal or
 * error nothing is written. *attempt_id (may be NULL) receives the new row's id. */
attempt_status attempt_record(store *s, long long user_id, const learn_module *m, const char *nonce,
                              const json_t *answers, const grade_result *g, long long *attempt_id, perr *err);

/* The number of attempts of the user on the module in the last hour. */
int attempt_count_recent(store *s, long long user_id, const char *module_id);

#endif
