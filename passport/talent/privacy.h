/* SPDX-License-Identifier: EUPL-1.2 */
/* A person's privacy rights (docs/privacy.md): the export of everything held about them
 * (JSON, GDPR articles 15 and 20), and erasure (personal data removed, badges revoked,
 * share links gone, the audit kept without personal data, no copy left in the database
 * or WAL files). */
#ifndef PASSPORT_TALENT_PRIVACY_H
#define PASSPORT_TALENT_PRIVACY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

struct badges_ctx;

/* Everything held about user_id as a new JSON object, documented field by field in
 * docs/privacy.md: {format, exported_at, account, profile, sessions, api_tokens, evidence,
 * attestations_made, attempts, module_visits, positioning_tests, positioning_answers,
 * rechecks, quiz_forms, assignments, assignments_made,
 * paths_owned, calls_owned, applications, views_made, credentials_awarded, share_links,
 * login_failures, audit, profile_views, badges, clr (signed, null without badges or
 * badge), inbox, other_tables}. other_tables holds, whole, the rows of any column
 * referencing users that no member covers yet. NULL when the account is absent (err
 * empty) or when any query fails (err set): never a partial export. */
json_t *privacy_export(store *s, const struct badges_ctx *badges, long long user_id, perr *err);

/* The columns that reference users.id in the schema: [{tbl, col, on_delete}] (new
 * reference), or NULL with err. */
json_t *privacy_user_columns(store *s, perr *err);
/* True when the export has a member for column ("table.column"). */
bool privacy_column_exported(const char *column);

/* Erases user_id on behalf of actor_id (the user or an admin), in the caller's
 * transaction: revokes their badges through the badges area (badges, borrowed;
 * "privacy.badges_unavailable" when NULL), deletes their share links, detaches their
 * credentials (user, narrative, reason and signed JSON blanked: the row keeps its status
 * index), deletes their applications, profile, views of them, evidence, attempts, visits,
 * quiz forms, assignments, inbox, sessions, API tokens and login failures; removes them
 * as the viewer of views they made, author of attestations, awarder, assigner and owner
 * of paths and calls; anonymises the account row (kept as a tombstone so that numeric
 * references in the audit and in signed credentials stay consistent: email
 * "erased-<id>@invalid", empty name, no password, disabled, hidden); rebuilds the
 * free-text index without them; scrubs the detail text of audit events about or by them
 * (action and time kept) and appends "privacy.erase". A column referencing users that
 * is not known here is emptied by its ON DELETE rule (an error when it has none). Error
 * "privacy.not_found". After the commit, call privacy_checkpoint. */
bool privacy_erase(store *s, const struct badges_ctx *badges, long long user_id, long long actor_id, perr *err);

/* Copies the WAL into the database and truncates it to zero bytes, so that no earlier
 * version of an erased row stays in the WAL file (outside any transaction). On
 * PostgreSQL: VACUUM, which removes the dead versions of erased rows from tables and
 * indexes (docs/privacy.md says what it does not reach). */
bool privacy_checkpoint(store *s, perr *err);

#endif
