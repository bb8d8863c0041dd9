/* SPDX-License-Identifier: EUPL-1.2 */
/* The talent match score: points per need (see score.h and docs/talent.md). */
#include "talent/score.h"

int talent_need_points(int level, int required, int weight) {
    if (level <= 0) return 0;
    if (required < 1) required = 1;
    if (required > 8) required = 8;
    if (weight < 1) weight = 1;
    if (weight > TALENT_WEIGHT_MAX) weight = TALENT_WEIGHT_MAX;
    int capped = level < required + TALENT_SCORE_BONUS_LEVELS ? level : required + TALENT_SCORE_BONUS_LEVELS;
    return 100 * weight * capped / required;
}
