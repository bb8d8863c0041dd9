/* SPDX-License-Identifier: EUPL-1.2 */
/* View models of the learn area for templates and the JSON API: modules with the
 * agent's progress, quiz questions without their answers, graded results. */
#ifndef PASSPORT_HANDLERS_LEARN_VIEW_H
#define PASSPORT_HANDLERS_LEARN_VIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "http/http.h"
#include "learn/attempt.h"
#include "learn/draw.h"
#include "learn/library.h"

/* {id, title, minutes, lang, url, course_slug, course_title, competencies: [{code, level}],
 * status, best_score (percent), attempts} for module m with progress (may be NULL).
 * A new object the caller owns. */
json_t *learn_view_module(const learn_module *m, const json_t *progress);

/* {slug, title, lang, summary, minutes, percent, minutes_left, modules: [...]} with
 * modules the array to show (consumed; NULL: every module of c). Caller owns it. */
json_t *learn_view_course(const learn_course *c, const json_t *progress, json_t *modules);

/* The quiz of m as form fields, never with the right answers: [{name "qN", number,
 * kind "single"|"multi"|"text", prompt_html, options: [{value, id, html}]}]. */
json_t *learn_view_questions(const learn_module *m);

/* The questions of one attempt's draw as form fields, never with the right answers:
 * like learn_view_questions, but only the drawn questions, numbered 1.. in the order
 * shown, each keeping its name "qN" (N its number in the file), and options in the
 * draw's order with values "1".."k" (positions, mapped back by grade_quiz). New array. */
json_t *learn_view_drawn(const learn_module *m, const quiz_draw *draw);

/* The result of recorded attempt r of m, never with a right answer: {score (percent),
 * passed, pass (percent), right, total, details, questions: [{number, prompt_html, right,
 * given (what the agent answered, as text), explanation_html (only when reveal)}]}.
 * details is false (and questions empty) when r was made on another version of m or
 * before draws were recorded. New object. */
json_t *learn_view_result(const learn_module *m, const attempt_row *r, bool reveal);

/* Turns the "qN" fields of a form into the answers object grade_quiz expects: repeated
 * fields of a multiple-choice question make a list; empty text fields are left out. */
json_t *learn_view_form_answers(const learn_module *m, const http_kv *form, size_t nform);

#endif
