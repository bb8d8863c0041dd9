/* SPDX-License-Identifier: EUPL-1.2 */
/* The passport view model: one agent's competencies in the terms of one framework (its
 * own evidence plus the evidence on competencies the mapping pairs with them), levels by
 * the rule of skills/level.h, freshness, the radar of the framework's areas, a history
 * timeline; and the lists the passport pages need (frameworks, team). Plain JSON values:
 * no HTML here (the radar's SVG markup is in web/templates/passport/radar.html). */
#ifndef PASSPORT_SKILLS_PASSPORT_VIEW_H
#define PASSPORT_SKILLS_PASSPORT_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define PASSPORT_VIEW_DEFAULT_FRAMEWORK "CRCN"
#define PASSPORT_VIEW_RADAR_SIZE 360 /* the radar's viewBox is 0 0 SIZE SIZE */

typedef struct passport_view_opts {
    const char *framework; /* "CRCN", "DIGCOMP", ...; NULL: PASSPORT_VIEW_DEFAULT_FRAMEWORK */
    const char *locale;    /* "fr" or "en": which titles */
    int stale_months;      /* freshness period; <= 0: skills_stale_months() */
    int64_t now;           /* 0: clock_now() */
    size_t evidence_cap;   /* each competency lists its newest evidence_cap pieces (0: all);
                              evidence_count says how many it has */
    store_page *timeline;  /* NULL: the whole timeline; else one page of it, by (at, id)
                              key, and its more and last set */
} passport_view_opts;

/* Builds the passport of user_id. Returns a new JSON object the caller owns, or NULL with
 * err "skills.unknown_framework" (no such loaded framework) or a database error:
 *   framework {code, name, version}, frameworks [{code, name, selected}],
 *   stale_months, stale_before (date),
 *   summary {verified, declared, stale, evidence}: counts of competencies / pieces,
 *   areas [{area, title, average ("2.5"), competencies [{code, title, description,
 *     verified, verified_date, verified_text, stale, declared, declared_date,
 *     declared_text, declared_comment, evidence [{kind, level, date, source, author,
 *     comment, via}]}]}] (via: the mapped code the piece was recorded on, or absent),
 *   radar {size, center, rings [{level, points}], axes [{area, x, y, label_x, label_y,
 *     anchor}], points [{area, title, level ("2.5"), x, y}], polygon},
 *   timeline [{date, at, kind, code, title, level, source, author, comment}] newest first.
 * Levels are integers 0..8 (0: none). Dates are "YYYY-MM-DD" (UTC). */
json_t *passport_view_build(store *s, long long user_id, const passport_view_opts *o, perr *err);

/* The competencies of a framework, for the self-assessment and attestation forms:
 * [{code, title, area, area_title, levels [{level, text}]}] in display order, or NULL
 * with err "skills.unknown_framework". New reference. */
json_t *passport_view_competencies(store *s, const char *fw_code, const char *locale, perr *err);

/* The frameworks that have active competencies, in load order: [{code, name, selected}]
 * (selected: code equals selected, which may be ""). NULL on a database error. New
 * reference. */
json_t *passport_view_frameworks(store *s, const char *selected, perr *err);

/* One competency with its 8 level descriptors in locale, and the user's current declared
 * level and comment: {code, framework, title, description, area_title, levels [{level,
 * text}], declared, declared_comment}. NULL (err "skills.unknown_competency") when code
 * names no active competency. New reference. */
json_t *passport_view_competency(store *s, const char *code, long long user_id, const char *locale, perr *err);

/* The active accounts whose unit is in the subtree of unit_id, by name:
 * [{id, name, email, unit, verified}] (verified: competencies with verified evidence).
 * An empty array when unit_id is 0. New reference. */
json_t *passport_view_team(store *s, long long unit_id, perr *err);

#endif
