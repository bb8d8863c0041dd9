/* The agent's privacy rights: export of everything held about them (JSON), and erasure
 * (personal data removed, badges revoked, applications withdrawn, sessions ended, the
 * audit kept without personal data). */
#ifndef PASSPORT_TALENT_PRIVACY_H
#define PASSPORT_TALENT_PRIVACY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

/* Everything held about user_id as a new JSON object (NULL when absent, err empty, or on
 * a database error, err set): {format, exported_at, account, profile, evidence,
 * attempts, module_visits, badges, applications, profile_views, views_made, inbox,
 * audit}. Badges come from privacy_badges_export (an empty array until the badges
 * tables exist). */
json_t *privacy_export(store *s, long long user_id, perr *err);

/* Erases user_id on behalf of actor_id (the user or an admin), in the caller's
 * transaction: revokes their badges (privacy_badges_revoke_all), withdraws and blanks
 * their applications, deletes their profile, profile views of them, evidence, attempts,
 * visits, quiz nonces, inbox, sessions and login failures keyed by their email, removes
 * them as the viewer of views they made and as the author of attestations, anonymises the account row (kept as a tombstone so that numeric references in the
 * audit and in signed credentials stay consistent: email "erased-<id>@invalid", empty
 * name, no password, disabled, hidden), scrubs the detail text of audit events about
 * them (action and time kept) and appends "privacy.erase". Error "privacy.not_found". */
bool privacy_erase(store *s, long long user_id, long long actor_id, perr *err);

/* Hooks to the badges area. Until it provides badges_revoke_all_for_user and
 * badges_export_user, these work on the DESIGN's credentials table directly when it
 * exists (revoked_at/reason set; rows exported as stored) and do nothing otherwise. */
bool privacy_badges_revoke_all(store *s, long long user_id, const char *reason, perr *err);
json_t *privacy_badges_export(store *s, long long user_id);

#endif
