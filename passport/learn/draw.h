/* SPDX-License-Identifier: EUPL-1.2 */
/* Question pools: which questions one attempt shows and in which order their options
 * appear. A draw is a pure function of the quiz, the number of competency strata, the
 * number of questions wanted and a 64-bit seed, so that the server can rebuild the draw
 * of a signed quiz form from its nonce instead of storing it (learn/attempt.c).
 *
 * Strata: question k (0-based, file order) evidences the module's competency
 * k mod nstrata ("round-robin", documented in courses/README.md). Each stratum gets
 * want / nstrata questions (fewer when it holds fewer); the rest go one by one to strata
 * picked at random among those with questions left. Drawn questions keep the file order;
 * the options of every question are shuffled. */
#ifndef PASSPORT_LEARN_DRAW_H
#define PASSPORT_LEARN_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "learn/quiz.h"

typedef struct quiz_draw {
    size_t n;  /* questions drawn */
    size_t *q; /* n indexes into quiz->questions, increasing */
    /* perm[p][k]: the 0-based original option shown at 0-based position k of the p-th
     * drawn question (the first noptions entries are used). */
    unsigned char (*perm)[QUIZ_MAX_OPTIONS];
} quiz_draw;

/* Draws min(want, q->n) questions of q (want 0: all) in nstrata strata (0 counts as 1)
 * with the pseudo-random sequence of seed. Returns a new draw the caller frees with
 * quiz_draw_free; never NULL. */
quiz_draw *quiz_draw_make(const quiz *q, size_t nstrata, size_t want, uint64_t seed);

/* quiz_draw_free(NULL) is a no-op. */
void quiz_draw_free(quiz_draw *d);

/* The stratum of question qi (0-based) among nstrata (0 counts as 1). */
size_t quiz_draw_stratum(size_t qi, size_t nstrata);

/* The position (0-based) of original question qi in d, or SIZE_MAX when not drawn. */
size_t quiz_draw_position(const quiz_draw *d, size_t qi);

#endif
