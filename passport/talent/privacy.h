/* The agent's privacy rights: export of everything held about them (JSON), and erasure
 * (personal data removed, badges revoked, applications withdrawn, sessions ended, the
 * audit kept without personal data). */
#ifndef PASSPORT_TALENT_PRIVACY_H
#define PASSPORT_TALENT_PRIVACY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

struct badges_ctx;

/* Everything held about user_id as a new JSON object (NULL when absent, err empty, or on
 * a database error, err set): {format, exported_at, account, profile, evidence,
 * attempts, module_visits, badges, applications, profile_views, views_made, inbox,
 * audit}. Badges come from badges_export_user. */
json_t *privacy_export(store *s, long long user_id, perr *err);

/* Erases user_id on behalf of actor_id (the user or an admin), in the caller's
 * transaction: revokes their badges through the badges area (badges, borrowed, re-signs
 * the status list; "privacy.badges_unavailable" when NULL), withdraws and blanks
 * their applications, deletes their profile, profile views of them, evidence, attempts,
 * visits, quiz nonces, inbox, sessions and login failures keyed by their email, removes
 * them as the viewer of views they made and as the author of attestations, anonymises the account row (kept as a tombstone so that numeric references in the
 * audit and in signed credentials stay consistent: email "erased-<id>@invalid", empty
 * name, no password, disabled, hidden), scrubs the detail text of audit events about
 * them (action and time kept) and appends "privacy.erase". Error "privacy.not_found". */
bool privacy_erase(store *s, const struct badges_ctx *badges, long long user_id, long long actor_id, perr *err);


#endif
