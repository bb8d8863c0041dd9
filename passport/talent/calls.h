/* SPDX-License-Identifier: EUPL-1.2 */
/* Intrapreneur calls: a title, a Markdown description, needs (competency, minimum level,
 * weight), opening and closing dates and a state (draft -> open -> closed -> archived);
 * agents' applications (applied, withdrawn) and the owner's decisions (shortlisted,
 * declined, contacted), each told to the agent in the in-app inbox. */
#ifndef PASSPORT_TALENT_CALLS_H
#define PASSPORT_TALENT_CALLS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "talent/index.h"

#define CALL_MAX_TITLE 200
#define CALL_MAX_DESCRIPTION 20000
#define CALL_MAX_MOTIVATION 2000

typedef struct call_draft {
    const char *title;
    const char *description; /* Markdown */
    int64_t opens_on;        /* midnight UTC of the first day */
    int64_t closes_on;       /* midnight UTC of the last day (inclusive) */
    talent_need needs[TALENT_MAX_NEEDS];
    size_t nneeds;
} call_draft;

/* Creates a draft call owned by owner_id; writes its id. Errors "talent.call_no_title",
 * "talent.call_no_need", "talent.call_bad_dates", "talent.unknown_competency",
 * "talent.bad_level", "talent.bad_weight", "talent.call_too_long". Caller's transaction. */
bool calls_create(store *s, long long owner_id, const call_draft *d, long long *id, perr *err);
/* Moves a call to state: draft -> open -> closed -> archived, and closed -> open.
 * Errors "talent.call_not_found", "talent.call_bad_state". Caller's transaction. */
bool calls_set_state(store *s, long long id, const char *state, perr *err);
/* A call: {id, title, description, description_html (cmark, safe mode: raw HTML dropped),
 * owner_id, owner, opens_on, closes_on (YYYY-MM-DD), state, accepting (open and today
 * within the dates), applicants (count, withdrawn excluded), needs [{code, title,
 * min_level, weight}]}; NULL when absent. locale picks competency titles. New reference. */
json_t *calls_get(store *s, long long id, const char *locale, perr *err);
/* Calls in a state (NULL: all but archived), newest first, without description_html;
 * owner_id > 0 keeps only that owner's. New reference (array). */
json_t *calls_list(store *s, const char *state, long long owner_id, const char *locale, perr *err);
/* The needs of call id as a search query (require_levels false). */
bool calls_query(store *s, long long id, talent_query *q, perr *err);
/* Applies (or re-applies after withdrawing). Errors "talent.call_not_found",
 * "talent.call_closed", "talent.already_applied", "talent.call_too_long", "talent.bad_text"
 * (controls, bidi overrides). Caller's transaction. */
bool calls_apply(store *s, long long call_id, long long user_id, const char *motivation, perr *err);
/* Withdraws an application and blanks its motivation. Error "talent.not_applied".
 * Caller's transaction. */
bool calls_withdraw(store *s, long long call_id, long long user_id, perr *err);
/* Records the owner's decision ("shortlisted", "declined", "contacted") on an application
 * and posts it to the agent's inbox. Errors "talent.not_applied", "talent.bad_decision".
 * Caller's transaction. */
bool calls_decide(store *s, long long call_id, long long user_id, const char *decision, perr *err);
/* The applications to a call: [{user_id, name, email, unit, motivation, state, date}].
 * Withdrawn ones are left out: withdrawing takes back the consent to be seen and scored
 * (their motivation is blanked by calls_withdraw). New reference. */
json_t *calls_applications(store *s, long long call_id, perr *err);
/* The state of user_id's application to call_id ("" when none): a static-lifetime copy
 * into out (>= 16 bytes). */
void calls_application_state(store *s, long long call_id, long long user_id, char out[16]);
/* user_id's applications: [{call_id, title, state, motivation, date}]. New reference. */
json_t *calls_of_user(store *s, long long user_id, perr *err);

/* The active competencies for need pickers: [{code, title, framework}] by framework and
 * position, titles in locale. New reference. */
json_t *calls_competencies(store *s, const char *locale);

#endif
