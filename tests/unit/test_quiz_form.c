/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for handlers/quiz_form: the quiz fields assembled from kept parts are, byte for
 * byte, the question and option templates rendered for the draw, for every module of the
 * course library, several draws, a locale with the number's translation and one without. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/quiz_form.h"
#include "http/i18n.h"
#include "learn/diag.h"

static const char po_fr[] = "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n\n"
                            "msgid \"learn.quiz.question\"\nmsgstr \"Question {1}.\"\n\n"
                            "msgid \"learn.quiz.multi_hint\"\nmsgstr \"(plusieurs réponses possibles)\"\n";

/* The oracle: each drawn question's templates rendered with its number and options. */
static void render_whole(const tmpl_set *t, const learn_module *m, const quiz_draw *draw, const char *locale,
                         buf *out) {
    perr err = {{0}};
    for (size_t p = 0; p < draw->n; p++) {
        size_t i = draw->q[p];
        json_t *q = json_copy(json_array_get(m->quiz_view, i));
        json_object_set_new(q, "number", json_integer((json_int_t)(p + 1)));
        assert_true(tmpl_render(t, "courses/quiz_question_open", q, locale, out, &err));
        const char *name = json_string_value(json_object_get(q, "name"));
        for (size_t k = 0; k < m->quiz->questions[i].noptions; k++) {
            char value[24], id[56];
            snprintf(value, sizeof value, "%zu", k + 1);
            snprintf(id, sizeof id, "%s-%zu", name, k + 1);
            json_t *o = json_pack("{s:s, s:O, s:s, s:s, s:s}", "name", name, "kind", json_object_get(q, "kind"), "id", id,
                                  "value", value, "html", m->qhtml[i].options[draw->perm[p][k]]);
            assert_true(tmpl_render(t, "courses/quiz_option", o, locale, out, &err));
            json_decref(o);
        }
        assert_true(tmpl_render(t, "courses/quiz_question_close", q, locale, out, &err));
        json_decref(q);
    }
}

static void test_same_as_templates(void **state) {
    (void)state;
    perr err = {{0}};
    i18n_catalog *cat = i18n_new();
    assert_true(i18n_add_po(cat, "fr", po_fr, strlen(po_fr), "fr.po", &err));
    tmpl_set *t = tmpl_set_load("web/templates", cat, &err);
    if (!t) fail_msg("%s", err.msg);
    diag_list d = {0};
    learn_library *lib = library_load("courses", NULL, &d);
    assert_true(lib->ncourses > 0);
    quiz_forms *f = quiz_forms_new();
    size_t checked = 0, multi = 0, text = 0;
    for (size_t c = 0; c < lib->ncourses; c++)
        for (size_t j = 0; j < lib->courses[c]->nmodules; j++) {
            const learn_module *m = lib->courses[c]->modules[j];
            for (size_t i = 0; i < m->quiz->n; i++) {
                multi += m->quiz->questions[i].kind == QUIZ_MULTI;
                text += m->quiz->questions[i].kind == QUIZ_TEXT;
            }
            for (uint64_t seed = 1; seed <= 4; seed++) {
                quiz_draw *draw = quiz_draw_make(m->quiz, m->ncomps, m->policy.draw, seed * 7919);
                const char *locales[] = {"fr", "en"}; /* en: no translation, so no number slot */
                for (size_t l = 0; l < 2; l++) {
                    buf fast = BUF_INIT, slow = BUF_INIT;
                    assert_true(quiz_forms_render(f, t, m, draw, locales[l], &fast, &err));
                    render_whole(t, m, draw, locales[l], &slow);
                    if (strcmp(buf_cstr(&fast), buf_cstr(&slow)))
                        fail_msg("%s (%s, seed %llu): parts give\n%s\ntemplates give\n%s", m->id, locales[l],
                                 (unsigned long long)seed, buf_cstr(&fast), buf_cstr(&slow));
                    if (l == 0) assert_non_null(strstr(buf_cstr(&fast), "Question 1."));
                    buf_free(&fast);
                    buf_free(&slow);
                    checked++;
                }
                quiz_draw_free(draw);
            }
        }
    assert_true(checked >= 16);
    assert_true(multi > 0 && text > 0); /* every kind of question was assembled */
    quiz_forms_free(f);
    library_release(lib);
    diag_list_free(&d);
    tmpl_set_free(t);
    i18n_free(cat);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
