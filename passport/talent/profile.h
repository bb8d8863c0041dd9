/* SPDX-License-Identifier: EUPL-1.2 */
/* Talent profiles: the agent's bio, interests, languages and availability for calls,
 * their visibility (consent: hidden by default), and the log of who viewed the profile. */
#ifndef PASSPORT_TALENT_PROFILE_H
#define PASSPORT_TALENT_PROFILE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"
#include "talent/index.h"

#define PROFILE_MAX_BIO 2000
#define PROFILE_MAX_INTERESTS 500
#define PROFILE_MAX_LANGUAGES 200

/* The profile of user_id: {user_id, name, unit, unit_id, bio, interests, languages,
 * available, visibility ("hidden"|"hr"|"all"), updated_at}; NULL if the account is absent
 * or disabled. New reference. */
json_t *profile_get(store *s, long long user_id, perr *err);
/* The visibility of user_id (TALENT_HIDDEN when absent). */
talent_visibility profile_visibility(store *s, long long user_id);
/* Saves the profile's text fields (NULL keeps "") and availability. Errors
 * "talent.profile_too_long", "talent.bad_text" (invalid UTF-8, control characters
 * other than TAB and line breaks, bidirectional overrides). Caller's transaction. */
bool profile_save(store *s, long long user_id, const char *bio, const char *interests, const char *languages,
                  bool available, perr *err);
/* Changes the visibility at once and records it in the audit (action
 * "profile.visibility", detail "old -> new"). Caller's transaction. */
bool profile_set_visibility(store *s, long long user_id, talent_visibility v, perr *err);
/* Records that viewer_id looked at user_id's profile or passport in context ("search",
 * "call", "direct" on the talent profile; "passport" for a manager's or HR's look at the
 * passport; "support" for an admin's, with a reason), in profile_views and in the audit
 * ("profile.view", detail the context). context_id: the call's id or 0; reason: NULL or
 * "" except for "support". Caller's transaction. */
bool profile_log_view(store *s, long long viewer_id, long long user_id, const char *context, long long context_id,
                      const char *reason, perr *err);
/* True when a view of user_id's profile by viewer_id may carry the context of call_id:
 * viewer_id owns the call and user_id applied to it (else the view is "direct"). */
bool profile_call_context_ok(store *s, long long viewer_id, long long user_id, long long call_id);
/* The views of user_id's profile and passport, newest first (at most limit): [{viewer,
 * viewer_id, at, date, context, context_id, call, reason}] (viewer "" once the viewer's
 * account is erased). New reference; NULL on a database error. */
json_t *profile_views(store *s, long long user_id, int limit);
/* One page of those views (the API), read by key in (at, id) order: pg->limit views after
 * pg->after; sets pg->more and pg->last. NULL on a database error. */
json_t *profile_views_page(store *s, long long user_id, store_page *pg);

#endif
