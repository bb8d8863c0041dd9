/* Server-side grading of a quiz: answers as a JSON object {"q1": 2, "q2": [1, 3],
 * "q3": "text"} (1-based question and option numbers), one point per question, multiple
 * choice all or nothing, text answers compared after folding case, accents and spaces. */
#ifndef PASSPORT_LEARN_GRADE_H
#define PASSPORT_LEARN_GRADE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "learn/quiz.h"

typedef struct grade_result {
    size_t n;        /* questions */
    size_t right;    /* questions answered right */
    bool *correct;   /* n flags (owned; free with grade_result_free) */
    double score;    /* right / n, 0 when n == 0 */
    bool passed;     /* score >= pass */
} grade_result;

/* Grades answers against q with pass mark pass (0..1]. A missing answer is wrong. Returns
 * false with err set, and out left empty, when the answers are malformed: not an object,
 * a key that names no question ("q0", "q99", "x"), an option number that does not exist,
 * several options for a single-choice question, a text question answered with a number
 * or a list, a text longer than 1000 bytes. On success the caller frees out with
 * grade_result_free. */
bool grade_quiz(const quiz *q, const json_t *answers, double pass, grade_result *out, perr *err);

/* Frees out->correct and zeroes out. NULL: no-op. */
void grade_result_free(grade_result *out);

/* True when given matches one of the accepted answers once both are folded (lowercase,
 * accents stripped, runs of spaces collapsed, leading/trailing spaces removed). */
bool grade_text_matches(char *const *accepted, size_t n, const char *given);

#endif
