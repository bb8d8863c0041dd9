/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for learn/quiz and learn/grade: parse any quiz section, check the
 * questions' invariants and lines, then grade answers derived from the input. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/grade.h"
#include "learn/quiz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    diag_list d = DIAG_LIST_INIT;
    quiz *q = quiz_parse((const char *)data, size, 1, "fuzz.md", &d);
    for (size_t i = 0; i < d.n; i++)
        if (d.items[i].line > lines || !d.items[i].msg[0]) abort();
    json_t *answers = json_object();
    for (size_t i = 0; i < q->n; i++) {
        const quiz_question *qq = &q->questions[i];
        if (!qq->prompt || qq->line < 1 || qq->line > lines) abort();
        if (qq->kind == QUIZ_TEXT && qq->noptions) abort();
        if (qq->kind != QUIZ_TEXT && qq->nanswers) abort();
        char key[24];
        snprintf(key, sizeof key, "q%zu", i + 1);
        if (qq->kind == QUIZ_TEXT && qq->nanswers) json_object_set_new(answers, key, json_stringn_nocheck(qq->answers[0], strlen(qq->answers[0])));
        else if (qq->noptions) {
            json_t *right = json_array();
            for (size_t j = 0; j < qq->noptions; j++)
                if (qq->options[j].correct) json_array_append_new(right, json_integer((json_int_t)j + 1));
            json_object_set_new(answers, key, right);
        }
    }
    /* a valid quiz answered with its own right answers scores 100 % */
    grade_result g;
    perr err = {{0}};
    if (grade_quiz(q, NULL, answers, 1.0, &g, &err)) {
        if (d.n == 0 && q->n && (g.right != q->n || !g.passed)) abort();
        grade_result_free(&g);
    } else if (d.n == 0) {
        abort();
    }
    json_decref(answers);
    quiz_free(q);
    diag_list_free(&d);
    return 0;
}
