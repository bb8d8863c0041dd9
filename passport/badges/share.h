/* SPDX-License-Identifier: EUPL-1.2 */
/* Share links of a badge (an unguessable token, revocable by its holder) and the baked
 * SVG: the badge image with the credential embedded as Open Badges 3.0 specifies. */
#ifndef PASSPORT_BADGES_SHARE_H
#define PASSPORT_BADGES_SHARE_H

#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

#define SHARE_TOKEN_LEN 43 /* 32 random bytes, base64url */

/* Creates a share link for credential cred_id, which must belong to user_id and not be
 * revoked; the token into out (NUL-terminated). show_name: the holder chose to have their
 * name on the shared page (the credential itself holds only a hashed email). */
bool share_create(store *s, long long user_id, long long cred_id, bool show_name, char out[SHARE_TOKEN_LEN + 1],
                  perr *err);
/* Revokes every live link of the credential (its holder only: another's, or an unknown
 * id, fails with "badges.error.not_found", the same for both). */
bool share_revoke(store *s, long long user_id, long long cred_id, perr *err);
/* The credential a live token points to, or 0. */
long long share_find(store *s, const char *token);
/* The display name of the holder of a live token when they chose to show it (new string
 * the caller frees), else NULL. */
char *share_holder_name(store *s, const char *token);

/* The SVG svg with an <openbadges:credential> element (namespace
 * https://purl.imsglobal.org/ob/v3p0) holding credential_json in a CDATA section, placed
 * right after the opening <svg ...> tag. New string the caller frees, NULL when svg has no
 * <svg element or the JSON holds "]]>". */
char *share_bake_svg(const char *svg, const char *credential_json);
/* The credential text baked in an SVG (new string), or NULL. */
char *share_unbake_svg(const char *svg);

#endif
