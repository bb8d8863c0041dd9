/* SPDX-License-Identifier: EUPL-1.2 */
/* Prospects of an intrapreneur call: visible profiles its manager shortlists or invites
 * to apply, without waiting for them to apply. An invitation is an inbox notice (and an
 * e-mail as the agent's preference says) linking to the call. Who may be a prospect
 * (visibility, scope) is the caller's check: these functions trust the ids they get. */
#ifndef PASSPORT_TALENT_PROSPECTS_H
#define PASSPORT_TALENT_PROSPECTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/* Records, in the caller's transaction, action ("shortlist" or "invite") on user_id for
 * call_id at time now. "invite" needs an open call ("talent.prospect.not_open") and posts
 * the notice once per call and agent; inviting again is a no-op. False with err
 * "talent.prospect.bad_action", "talent.call_not_found" or a database error. */
bool prospects_mark(store *s, long long call_id, long long user_id, const char *action, int64_t now, perr *err);

/* The prospects of call_id, newest first: [{user_id, name, unit, shortlisted (bool),
 * invited (bool), invited_at}] (disabled accounts left out). NULL on a database error.
 * New reference. */
json_t *prospects_list(store *s, long long call_id, perr *err);

#endif
