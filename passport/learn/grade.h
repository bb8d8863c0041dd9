/* SPDX-License-Identifier: EUPL-1.2 */
/* Server-side grading of a quiz: answers as a JSON object {"q1": 2, "q2": [1, 3],
 * "q3": "text"} keyed by the 1-based question number in the file, whose option numbers
 * are the 1-based positions the options were shown at in the attempt's draw (mapped back
 * to the file's options here); one point per drawn question, multiple choice all or
 * nothing, text answers compared after folding case, accents and spaces. */
#ifndef PASSPORT_LEARN_GRADE_H
#define PASSPORT_LEARN_GRADE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "learn/draw.h"
#include "learn/quiz.h"

#define GRADE_MAX_TEXT 1000 /* bytes of a text answer */

/* Why answers were refused, for a message in the agent's language. */
typedef enum grade_problem {
    GRADE_OK,
    GRADE_NOT_OBJECT,    /* answers is not an object */
    GRADE_NO_QUESTION,   /* a key names no question */
    GRADE_NO_OPTION,     /* an option number that does not exist */
    GRADE_TOO_MANY,      /* more options than the question has */
    GRADE_ONE_ONLY,      /* several options for a single-choice question */
    GRADE_TEXT_EXPECTED, /* a text question answered with a number or a list */
    GRADE_TOO_LONG,      /* a text answer over GRADE_MAX_TEXT bytes */
    GRADE_NOT_DRAWN,     /* an answer to a question this attempt did not show */
} grade_problem;

typedef struct grade_result {
    grade_problem problem; /* GRADE_OK, or why grade_quiz refused the answers */
    size_t question;       /* with a problem: the question (1-based), 0 when none applies */
    size_t n;        /* questions drawn */
    size_t right;    /* questions answered right */
    bool *correct;   /* n flags, in the draw's order (owned; free with grade_result_free) */
    json_t *answers; /* the answers with the file's option numbers (owned), for the record */
    double score;    /* right / n, 0 when n == 0 */
    bool passed;     /* score >= pass */
} grade_result;

/* Grades answers to the questions of draw (NULL: every question, options in file order)
 * against q with pass mark pass (0..1]. A missing answer is wrong. Returns false with err
 * set (in English, for logs) and out empty but for problem and question, when the answers
 * are malformed: not an object, a key that names no question ("q0", "q99", "x"), a
 * question the draw does not hold, an option number that does not exist, several options
 * for a single-choice question, a text question answered with a number or a list, a text
 * longer than GRADE_MAX_TEXT bytes. On success the caller frees out with
 * grade_result_free. */
bool grade_quiz(const quiz *q, const quiz_draw *draw, const json_t *answers, double pass, grade_result *out,
                perr *err);

/* Frees out->correct and out->answers and zeroes out. NULL: no-op. */
void grade_result_free(grade_result *out);

/* True when given matches one of the accepted answers once both are folded (lowercase,
 * accents stripped, runs of spaces collapsed, leading/trailing spaces removed). */
bool grade_text_matches(char *const *accepted, size_t n, const char *given);

#endif
