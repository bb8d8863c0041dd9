/* SPDX-License-Identifier: EUPL-1.2 */
/* The adaptive positioning test and re-checks, stored on the server so that a test is
 * resumable (docs/positioning.md): starting a test (30-day cooldown), presenting one item
 * at a time chosen by learn/irt, recording an answer only for the item presented (a
 * replayed or foreign answer changes nothing), finishing with `measured` evidence (source
 * "positioning:<id>" or "recheck:<id>"), and the periodic sweep that makes re-checks due
 * 60 days before a level goes stale, with an inbox notice. No HTTP here. */
#ifndef PASSPORT_LEARN_POSITIONING_H
#define PASSPORT_LEARN_POSITIONING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "learn/grade.h"
#include "learn/posbank.h"
#include "store/store.h"

#define POSITIONING_COOLDOWN_DAYS 30 /* default; PASSPORT_POSITIONING_COOLDOWN_DAYS (0..3650) */
#define RECHECK_NOTICE_DAYS 60       /* a re-check is due this long before the level goes stale */
#define RECHECK_BATCH_AGENTS 1000    /* agent ids per transaction of the sweep */
#define RECHECK_FULL_DAYS 7          /* a sweep over every agent at least this often */

typedef enum pos_status {
    POS_OK,
    POS_NO_TEST,       /* no test running: 409 */
    POS_NOT_PRESENTED, /* the item or position is not the one presented (replay, forged): 409 */
    POS_BAD_ANSWER,    /* the answer's shape does not fit the item (grade problem set): 422 */
    POS_COOLDOWN,      /* a positioning test finished less than the cooldown ago: 429 */
    POS_RUNNING,       /* another test is running: finish it first: 409 */
    POS_UNAVAILABLE,   /* the bank has no item (for that competence): 503 */
    POS_NOT_DUE,       /* no re-check due for that competence: 404 */
    POS_ERROR,         /* database error: err set, 500 */
} pos_status;

/* The cooldown in seconds (environment or default). */
int64_t positioning_cooldown(void);

/* The agent's state, a new JSON object: {state: "ready" | "cooldown" | "running" |
 * "unavailable", available_at (ISO date-time, when in cooldown), test (running): {id, kind
 * "positioning" | "recheck", competency, answered, max_items, item: {id, position, lang,
 * competency, kind, prompt_html, options: [{value, id, html}]}}, last (the newest finished
 * positioning test, if any): {id, finished_at, items, competences: [{code, level, se}]}}.
 * Never any right answer. NULL with err on a database error. */
json_t *positioning_view(store *s, const posbank *b, long long user_id, int64_t now, perr *err);

/* Starts a positioning test in language lang ("fr"/"en": the items' language when
 * translated) and presents its first item. *test_id (may be NULL) gets its id. */
pos_status positioning_start(store *s, const posbank *b, long long user_id, const char *lang, int64_t now,
                             long long *test_id, perr *err);

/* Starts the due re-check of competence code (see recheck_sweep). */
pos_status recheck_start(store *s, const posbank *b, long long user_id, const char *code, const char *lang,
                         int64_t now, long long *test_id, perr *err);

/* Records answer (the value grade_quiz takes for one question: an option's place as the
 * view shows it (options are shuffled per agent, test and item), a list of them, or a
 * text; NULL: no answer, counted wrong) for item item_id at position (0-based
 * rank in the test) of the user's running test, in one transaction, then presents the next
 * item or finishes the test (evidence, result). Refuses, writing nothing, an item or a
 * position other than the one presented. *g gets the grading problem on POS_BAD_ANSWER
 * (may be NULL). *finished (may be NULL) tells whether the test ended. */
pos_status positioning_answer(store *s, const posbank *b, long long user_id, const char *item_id, long long position,
                              const json_t *answer, const char *lang, int64_t now, grade_problem *g, bool *finished,
                              perr *err);

/* The result of finished test test_id of the user, a new JSON object {id, kind, competency,
 * finished_at, items, competences: [{code, level, se}], passed (re-check), target_level},
 * or NULL when there is none. */
json_t *positioning_result(store *s, long long user_id, long long test_id);

/* The periodic sweep: for every active agent and competence of the bank whose verified
 * level rests on evidence going stale within RECHECK_NOTICE_DAYS (stale_months: the
 * freshness period), records a due re-check and posts an inbox notice, once (idempotent:
 * a second run does nothing). Incremental: it reads only the competences with a verified
 * piece whose date crossed the horizon since the last sweep, or recorded since (any date),
 * as the state kept in the database says (the shared fact "rechecks-swept": across
 * restarts and servers; the caller runs it on one server at a time, under a lease). It
 * goes over every agent instead (recheck_sweep_batched) when there is no state yet, when
 * the freshness period or the bank's competences changed, or RECHECK_FULL_DAYS after the
 * last such sweep (what no date shows: an account enabled again, evidence removed). The
 * state moves only once every notice is recorded: a sweep that failed is done again.
 * *posted (may be NULL) counts the new re-checks; *full (may be NULL) tells whether it went
 * over every agent. */
bool recheck_sweep(store *s, const posbank *b, int64_t now, int stale_months, int *posted, bool *full, perr *err);

/* The sweep over every agent, by id in batches of `batch` (RECHECK_BATCH_AGENTS), each
 * read and recorded in a transaction of its own, so that writers wait for one batch at
 * most, never for the whole sweep; a sweep that stopped (an error, a stop) leaves its
 * committed batches, and the next one does the rest (the result does not depend on
 * batch). Leaves the incremental sweep's state as it is. */
bool recheck_sweep_batched(store *s, const posbank *b, int64_t now, int stale_months, long long batch, int *posted,
                           perr *err);

/* The user's re-checks, newest first: a new JSON array of {competency, level, stale_at
 * (date), due (bool), done_at, outcome ("passed" | "failed" | ""), result_level}. */
json_t *recheck_list(store *s, long long user_id);

#endif
