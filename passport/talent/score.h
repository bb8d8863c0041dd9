/* SPDX-License-Identifier: EUPL-1.2 */
/* The talent match score of docs/talent.md, as pure functions: the points one need gives
 * for an agent's level, so that a result's needs add up to its score exactly. */
#ifndef PASSPORT_TALENT_SCORE_H
#define PASSPORT_TALENT_SCORE_H

#define TALENT_SCORE_BONUS_LEVELS 2 /* levels above the required one that still count */
#define TALENT_WEIGHT_MAX 5

/* Points of one need: 100 × weight × min(level, required + 2) / required, rounded down;
 * 0 when level <= 0. required is 1..8 and weight 1..5 (other values are clamped). An
 * agent exactly at the required level earns 100 points per unit of weight. */
int talent_need_points(int level, int required, int weight);

#endif
