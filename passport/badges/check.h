/* SPDX-License-Identifier: EUPL-1.2 */
/* The server's verdict on a pasted or uploaded credential: JSON syntax, shape, issuer,
 * proof, status and dates, each check with a plain-words message key. Never fetches a
 * URL: status lists and keys are resolved locally (our own public URL prefix, did:key). */
#ifndef PASSPORT_BADGES_CHECK_H
#define PASSPORT_BADGES_CHECK_H

#include <jansson.h>
#include <stddef.h>

#include "badges/badges.h"

#define CHECK_MAX_BYTES (256u * 1024) /* larger credentials are refused (413) */
/* Bounds checked on the JSON before any expansion or canonicalization (the costly part,
 * superlinear in blank nodes): JSON values in all, and objects that become blank nodes
 * (no id, not a value object). A CLR of 30 badges uses about 2 000 and 220; 250 similar
 * blank nodes cost about 6 ms of CPU to canonicalize (docs/badges.md). */
#define CHECK_MAX_NODES 10000
#define CHECK_MAX_BLANK 250

/* Verifies text[0..len). Returns a new object {verified, checks: [{name, ok, key,
 * detail}], summary: {type, name, issuer, achievement, valid_from, valid_until}} where
 * name is json|shape|issuer|proof|status|dates (and inner for a CLR; json fails with
 * badges.check.too_complex past CHECK_MAX_NODES or CHECK_MAX_BLANK, before anything is
 * canonicalized), ok true/false/null (null: did not apply or could not run), key an i18n key explaining it, detail the
 * technical reason. s and c may be NULL (CLI without a server): the issuer check then only
 * requires a did:key and status lists cannot be read. */
json_t *check_credential(store *s, const badges_ctx *c, const char *text, size_t len);

#endif
