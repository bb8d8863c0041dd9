/* SPDX-License-Identifier: EUPL-1.2 */
/* Quizzes in a subset of LiaScript's syntax, read line by line from the "## Quiz" section
 * of a module: single choice "- [( )]"/"- [(X)]", multiple choice "- [[ ]]"/"- [[X]]",
 * text answers "[[answer|variant]]" on the line under the question, and a block quote
 * after the answers as the explanation. */
#ifndef PASSPORT_LEARN_QUIZ_H
#define PASSPORT_LEARN_QUIZ_H

#include <stdbool.h>
#include <stddef.h>

#include "learn/diag.h"

#define QUIZ_MAX_QUESTIONS 200
#define QUIZ_MAX_OPTIONS 26

typedef enum quiz_kind {
    QUIZ_SINGLE, /* radio buttons: exactly one right option */
    QUIZ_MULTI,  /* checkboxes: at least one right option; graded as a whole */
    QUIZ_TEXT,   /* a text input matched against accepted answers */
} quiz_kind;

typedef struct quiz_option {
    char *text; /* Markdown source (inline) */
    bool correct;
    size_t line;
} quiz_option;

typedef struct quiz_question {
    quiz_kind kind;
    char *prompt;      /* Markdown source, lines joined with '\n' */
    size_t line;       /* line of the prompt's first line */
    quiz_option *options;
    size_t noptions;
    char **answers;    /* accepted text answers (QUIZ_TEXT) */
    size_t nanswers;
    char *explanation; /* Markdown source without the "> ", or NULL */
} quiz_question;

typedef struct quiz {
    quiz_question *questions;
    size_t n;
} quiz;

/* Parses the quiz section src[0..len) (the lines after the "## Quiz" heading), whose first
 * line is line first_line of file. Appends every problem to d as file:line: message (a
 * question with no answer, a single-choice question without or with several right
 * answers, a multiple-choice question without a right answer, fewer than two options,
 * mixed option kinds, an empty text answer, an option or answer with no question, a
 * heading inside the quiz, no question at all). Always returns a new quiz the caller frees
 * with quiz_free; it holds the questions read, valid or not, so callers must check d. */
quiz *quiz_parse(const char *src, size_t len, size_t first_line, const char *file, diag_list *d);

/* quiz_free(NULL) is a no-op. */
void quiz_free(quiz *q);

#endif
