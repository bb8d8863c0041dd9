/* SPDX-License-Identifier: EUPL-1.2 */
/* Quiz attempts: one-time nonces carried by each rendering of a quiz form, the draw each
 * nonce stands for, the module's attempt policy, and the recording of a graded attempt
 * (with the `measured` evidence of a pass) in one transaction, refusing replays, archived
 * modules, attempts during a cooldown and too many attempts.
 *
 * A nonce is "<issued_at>.<seq>.<random>.<mac>": the MAC (HMAC-SHA256 under the library's
 * key) binds it to the user, the module, the time and seq, the number of attempts the user
 * had made on the module when the form was rendered, so rendering a quiz writes nothing;
 * the first submission stores it in quiz_nonces (the primary key refuses a second use).
 * The questions and option orders of the form are drawn with a seed derived under the same
 * key from the user, the module's version and seq, not from the random part: reloading
 * the form shows the same draw until an attempt is recorded (an agent cannot shop for a
 * draw of the questions they know), the server rebuilds it at submission, and a client
 * cannot choose it. A form whose seq is no longer the count of attempts is refused. */
#ifndef PASSPORT_LEARN_ATTEMPT_H
#define PASSPORT_LEARN_ATTEMPT_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "learn/draw.h"
#include "learn/grade.h"
#include "learn/library.h"
#include "store/store.h"

#define ATTEMPT_MAX_PER_HOUR 10    /* per agent and module, its translations counted with it */
#define ATTEMPT_NONCE_TTL (24 * 3600) /* seconds a quiz form stays valid */
#define ATTEMPT_NONCE_MAX 96          /* bytes of a nonce with its NUL */

typedef enum attempt_status {
    ATTEMPT_OK,
    ATTEMPT_REPLAY,       /* unknown, expired or already used nonce: 409 */
    ATTEMPT_STALE,        /* another attempt was recorded since the form was rendered: 409 */
    ATTEMPT_RATE_LIMITED, /* ATTEMPT_MAX_PER_HOUR reached: 429 */
    ATTEMPT_COOLDOWN,     /* the module's failed attempts are used up for now: 429 */
    ATTEMPT_ARCHIVED,     /* the module is archived or unknown to the store: 410 */
    ATTEMPT_ERROR,        /* database error: err set, 500 */
} attempt_status;

/* Writes a new nonce for the user and module into out, signed with key (32 bytes); seq is
 * the number of attempts the user has made on the module (any version), which fixes the
 * draw (attempt_draw). */
void attempt_nonce_new(const unsigned char *key, long long user_id, const char *module_id, long long seq,
                       char out[ATTEMPT_NONCE_MAX]);

/* What attempt_record tells besides its status. */
typedef struct attempt_outcome {
    long long id;  /* ATTEMPT_OK: the new attempt; ATTEMPT_REPLAY: the attempt the same
                    * form already made for this user, or 0 */
    int64_t until; /* ATTEMPT_COOLDOWN: when the agent may try again */
} attempt_outcome;

/* Called by attempt_record inside its transaction, after the evidence of a passed
 * attempt (what makes a badge's rule true): false (err set) aborts the whole attempt. */
typedef bool (*attempt_pass_hook)(store *s, long long user_id, void *arg, perr *err);

/* The draw of the quiz form that carries nonce: m's `draw` questions (all when unset),
 * stratified by m's competencies, options shuffled, seeded by HMAC(key, user, m's id and
 * version, the nonce's seq). The same user, version and seq always give the same draw.
 * Caller frees it. */
quiz_draw *attempt_draw(const unsigned char *key, long long user_id, const learn_module *m, const char *nonce);

/* Records the graded attempt of module m of lib by the user in one transaction: checks the
 * nonce (a valid MAC under lib's nonce key for this user and module, younger than ATTEMPT_NONCE_TTL)
 * and that it was not used before, that its seq is the user's count of attempts on m
 * (else ATTEMPT_STALE), that the module is live in the store, its attempt
 * policy (attempt_locked_until) and the rate limit; inserts the attempt (g->answers as
 * JSON, the drawn questions of draw with their right flags, score, passed, started_at =
 * the nonce's creation), marks the nonce used by it (consumed nonces past their age are
 * forgotten), and when g passed adds `measured` evidence for each competency@level of m
 * with source "module:<id>@<hash8>", then calls on_pass (may be NULL) with arg, in the
 * same transaction. On any refusal or error nothing is written. out (may be NULL)
 * receives the attempt's id or the cooldown's end. */
attempt_status attempt_record(store *s, const learn_library *lib, long long user_id, const learn_module *m,
                              const char *nonce, const quiz_draw *draw, const grade_result *g,
                              attempt_pass_hook on_pass, void *arg, attempt_outcome *out, perr *err);

/* 0 when the user may attempt module m of lib at now, else when they may: m's policy
 * (learn/policy.h) applied to their failed attempts of m and of its copies in other
 * languages (library_copies), so that switching language gives no extra attempts. */
int64_t attempt_locked_until(store *s, const learn_library *lib, long long user_id, const learn_module *m,
                             int64_t now);

/* One recorded attempt, for its result page. */
typedef struct attempt_row {
    char module_version[65];
    double score;
    bool passed;
    int64_t finished_at;
    json_t *answers; /* as recorded, with the file's option numbers (owned) */
    json_t *drawn;   /* [[question (1-based), right (0/1)], ...] in the order shown, or NULL
                      * for attempts made before draws were recorded (owned) */
} attempt_row;

/* Reads attempt id when it belongs to user_id and module_id; false when not (or on a
 * database error). The caller frees the row with attempt_row_free. */
bool attempt_get(store *s, long long id, long long user_id, const char *module_id, attempt_row *out);
void attempt_row_free(attempt_row *r);

/* The number of attempts of the user in the last hour on m and its copies in other
 * languages (library_copies: switching language is no way around the limit). */
int attempt_count_recent(store *s, const learn_library *lib, long long user_id, const learn_module *m);

#endif
