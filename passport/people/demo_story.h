/* SPDX-License-Identifier: EUPL-1.2 */
/* The demo organisation's story, told to a visitor in a minute: colleagues of the demo
 * accounts who passed modules (so the HR heatmap shows cells: at least 5 agents in each
 * service shown), most of them visible to HR; a manager's path in progress for a team of
 * the manager's; an open intrapreneur call with applicants; badges earned by rule.
 * Deterministic for a given day. The colleagues cannot log in (no password). */
#ifndef PASSPORT_PEOPLE_DEMO_STORY_H
#define PASSPORT_PEOPLE_DEMO_STORY_H

#include <stdbool.h>
#include <stdint.h>

#include "badges/badges.h"
#include "core/err.h"
#include "store/store.h"

typedef struct demo_story_stats {
    int agents;   /* colleagues added */
    int passes;   /* passed attempts recorded */
    int badges;   /* badges issued by rule */
    int applicants;
} demo_story_stats;

/* Tells the story in s at time now, after demo_create (whose accounts it uses) and once
 * the course catalogue and the frameworks are in the store (with another library, the
 * parts whose modules or competencies are missing are left out). badges (may be NULL: no badge
 * issued) signs the badges the colleagues' passes earn. False with err on any failure;
 * what was written before it stays (each step commits on its own). stats may be NULL. */
bool demo_story(store *s, const badges_ctx *badges, int64_t now, demo_story_stats *stats, perr *err);

#endif
