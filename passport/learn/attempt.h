/* Quiz attempts: one-time nonces carried by each rendering of a quiz form, and the
 * recording of a graded attempt (with the `measured` evidence of a pass) in one
 * transaction, refusing replays, archived modules and too many attempts.
 *
 * A nonce is "<issued_at>.<random>.<mac>": the MAC (HMAC-SHA256 under the library's key)
 * binds it to the user, the module and the time, so rendering a quiz writes nothing; the
 * first submission stores it in quiz_nonces (the primary key refuses a second use). */
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
#define ATTEMPT_NONCE_MAX 96          /* bytes of a nonce with its NUL */

typedef enum attempt_status {
    ATTEMPT_OK,
    ATTEMPT_REPLAY,       /* unknown, expired or already used nonce: 409 */
    ATTEMPT_RATE_LIMITED, /* ATTEMPT_MAX_PER_HOUR reached: 429 */
    ATTEMPT_ARCHIVED,     /* the module is archived or unknown to the store: 410 */
    ATTEMPT_ERROR,        /* database error: err set, 500 */
} attempt_status;

/* Writes a new nonce for the user and module into out, signed with key (32 bytes). */
void attempt_nonce_new(const unsigned char *key, long long user_id, const char *module_id,
                       char out[ATTEMPT_NONCE_MAX]);

/* Records the graded attempt of module m by the user in one transaction: consumes the
 * nonce (which must carry a valid MAC under key for this user and module, and be younger
 * than ATTEMPT_NONCE_TTL; consumed nonces past that age are forgotten), checks the rate limit and
 * that the module is live in the store, inserts the attempt (answers as JSON, score,
 * passed, started_at = the nonce's creation), and when g passed adds `measured` evidence
 * for each competency@level of m with source "module:<id>@<hash8>". On any refusal or
 * error nothing is written. *attempt_id (may be NULL) receives the new row's id. */
attempt_status attempt_record(store *s, const unsigned char *key, long long user_id, const learn_module *m,
                              const char *nonce,
                              const json_t *answers, const grade_result *g, long long *attempt_id, perr *err);

/* The number of attempts of the user on the module in the last hour. */
int attempt_count_recent(store *s, long long user_id, const char *module_id);

#endif
