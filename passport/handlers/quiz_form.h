/* SPDX-License-Identifier: EUPL-1.2 */
/* The quiz fields of a module page, assembled per draw from parts rendered once per module
 * version and locale (templates courses/quiz_question_open, quiz_option and
 * quiz_question_close). Each page draws its own questions and option order (learn/draw.h),
 * so the fields cannot be kept whole; their parts can: a question's start with a slot for
 * its number, an option's markup at each position with a slot for the label. A page then
 * costs copies instead of a JSON view and a template rendering per question and option.
 * The parts hold what the form shows (prompts, option labels), never an answer. */
#ifndef PASSPORT_HANDLERS_QUIZ_FORM_H
#define PASSPORT_HANDLERS_QUIZ_FORM_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/tmpl.h"
#include "learn/draw.h"
#include "learn/library.h"

typedef struct quiz_forms quiz_forms;

/* An empty set of rendered parts, shared by all worker threads (lookups take no lock).
 * Parts are kept until quiz_forms_free, keyed by the module's content hash and the locale,
 * at most QUIZ_FORMS_MAX sets; past that, parts are rendered for the page and dropped. */
#define QUIZ_FORMS_MAX 1024
quiz_forms *quiz_forms_new(void);
/* Frees f and every part; no render may be running. quiz_forms_free(NULL) is a no-op. */
void quiz_forms_free(quiz_forms *f);

/* Appends to out the fields of draw (of m's quiz) as HTML in locale, questions numbered
 * from 1 in the draw's order, options in the draw's order with values 1, 2, ... by
 * position. False (err set) when a template fails. */
bool quiz_forms_render(quiz_forms *f, const tmpl_set *t, const learn_module *m, const quiz_draw *draw,
                       const char *locale, buf *out, perr *err);

#endif
