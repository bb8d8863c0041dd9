/* SPDX-License-Identifier: EUPL-1.2 */
/* Evidence behind competency levels: recording a piece (measured by a passed quiz,
 * declared by the agent, attested by a manager, or from a credential) and the verified
 * level it yields. This header is a contract with the courses feature (learn/). */
#ifndef PASSPORT_SKILLS_EVIDENCE_H
#define PASSPORT_SKILLS_EVIDENCE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

typedef enum evidence_kind { EVIDENCE_MEASURED = 1, EVIDENCE_DECLARED, EVIDENCE_ATTESTED, EVIDENCE_CREDENTIAL } evidence_kind;

#define EVIDENCE_MAX_SOURCE 200  /* bytes of source_ref */
#define EVIDENCE_MAX_COMMENT 1000 /* bytes of comment */

/* Records one piece of evidence; code is "CRCN-4.1" (any loaded framework), level 1..8,
 * source_ref a short text naming the source ("module:phishing-basics@<hash8>",
 * "credential:<uuid>"), author_id the user who attested (0 otherwise), comment may be NULL.
 * Fails with err "skills.unknown_competency" or "skills.bad_level"; must run inside the
 * caller's transaction when the caller has one (never BEGIN itself).
 * Also fails with "skills.bad_kind" for a kind outside the enum and "skills.too_long" for a
 * source_ref or comment over the limits above, "skills.bad_comment" for a comment holding a
 * control character (TAB and line breaks allowed) or a bidirectional override (text_clean).
 * A retired competency is unknown. */
bool evidence_add(store *s, long long user_id, const char *code, int level, evidence_kind kind,
                  const char *source_ref, long long author_id, const char *comment, perr *err);
/* True when code names a loaded competency (for check-courses and imports). */
bool skills_competency_exists(store *s, const char *code);

/* The title of every competency in locale ("en": English, else French) as a new object
 * {code: title} the caller owns; empty on a database error. */
json_t *skills_competency_titles(store *s, const char *locale);

/* Adds "title" (in locale, as above) to every {code, ...} object of the array comps that
 * names a known competency, one indexed lookup each (for a page showing a few). */
void skills_name_competencies(store *s, json_t *comps, const char *locale);
/* The verified level (0 if none) of a user for a competency code: the rule of
 * docs/skills.md (the highest measured, attested or credential level, counting evidence
 * recorded on this competency and on the competencies the mapping pairs it with; a piece
 * counts at most at the level of any newer re-check, source "recheck:<id>"). */
int skills_verified_level(store *s, long long user_id, const char *code);

/* "measured", "declared", "attested", "credential" (static strings); NULL if invalid. */
const char *evidence_kind_name(evidence_kind kind);
/* The kind named by name; 0 if none. */
evidence_kind evidence_kind_parse(const char *name);

/* Counts for a summary (the home page): competencies with a verified level, competencies
 * with a declared level, and pieces of evidence of user_id. false on a database error. */
bool skills_counts(store *s, long long user_id, int *verified, int *declared, int *pieces);

#endif
