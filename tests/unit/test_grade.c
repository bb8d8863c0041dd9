/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/grade: scoring, pass mark, multiple choice all or nothing, text answers
 * folded (case, spaces, accents) with | variants, and refused answer shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "learn/grade.h"

static const char quiz_src[] =
    "Single?\n- [( )] a\n- [(X)] b\n- [( )] c\n\n"
    "Multi?\n- [[X]] a\n- [[ ]] b\n- [[X]] c\n\n"
    "Text?\n[[72|72 heures|72 h]]\n\n"
    "Domain?\n[[Sécurité-Numérique.fr]]\n";

static quiz *load(void) {
    diag_list d = DIAG_LIST_INIT;
    quiz *q = quiz_parse(quiz_src, sizeof quiz_src - 1, 1, "t.md", &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(q->n, 4);
    diag_list_free(&d);
    return q;
}

static grade_result grade_ok(const quiz *q, const char *json, double pass) {
    json_error_t je;
    json_t *a = json_loads(json, 0, &je);
    assert_non_null(a);
    grade_result g;
    perr err = {{0}};
    if (!grade_quiz(q, NULL, a, pass, &g, &err)) fail_msg("grading failed: %s", err.msg);
    json_decref(a);
    return g;
}

static void test_all_right_and_pass_mark(void **state) {
    (void)state;
    quiz *q = load();
    grade_result g = grade_ok(q, "{\"q1\": 2, \"q2\": [1, 3], \"q3\": \"72\", \"q4\": \"securite-numerique.fr\"}", 0.8);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.right, 4);
    assert_true(g.passed);
    assert_true(g.score > 0.999);
    grade_result_free(&g);
    /* 3 of 4 = 0.75: below 0.8, at or above 0.75 */
    g = grade_ok(q, "{\"q1\": \"2\", \"q2\": [\"3\", \"1\"], \"q3\": \"72\"}", 0.8);
    assert_int_equal(g.right, 3);
    assert_false(g.correct[3]);
    assert_false(g.passed);
    grade_result_free(&g);
    g = grade_ok(q, "{\"q1\": \"2\", \"q2\": [\"3\", \"1\"], \"q3\": \"72\"}", 0.75);
    assert_true(g.passed);
    grade_result_free(&g);
    g = grade_ok(q, "{}", 0.5);
    assert_int_equal(g.right, 0);
    assert_false(g.passed);
    grade_result_free(&g);
    quiz_free(q);
}

static void test_multi_all_or_nothing(void **state) {
    (void)state;
    quiz *q = load();
    grade_result g = grade_ok(q, "{\"q2\": [1]}", 1);
    assert_false(g.correct[1]);
    grade_result_free(&g);
    g = grade_ok(q, "{\"q2\": [1, 2, 3]}", 1);
    assert_false(g.correct[1]);
    grade_result_free(&g);
    g = grade_ok(q, "{\"q2\": [3, 1, 1]}", 1); /* a repeated option counts once */
    assert_true(g.correct[1]);
    grade_result_free(&g);
    g = grade_ok(q, "{\"q2\": []}", 1);
    assert_false(g.correct[1]);
    grade_result_free(&g);
    g = grade_ok(q, "{\"q1\": [2]}", 1); /* one option in a list is fine for single choice */
    assert_true(g.correct[0]);
    grade_result_free(&g);
    g = grade_ok(q, "{\"q1\": 1}", 1);
    assert_false(g.correct[0]);
    grade_result_free(&g);
    quiz_free(q);
}

static void test_text_folding(void **state) {
    (void)state;
    char *acc[] = {"72", "72 heures", "72 h"};
    assert_true(grade_text_matches(acc, 3, "72"));
    assert_true(grade_text_matches(acc, 3, "  72   HEURES "));
    assert_true(grade_text_matches(acc, 3, "72\u00a0h"));
    assert_false(grade_text_matches(acc, 3, "72h"));
    assert_false(grade_text_matches(acc, 3, "73"));
    assert_false(grade_text_matches(acc, 3, ""));
    assert_false(grade_text_matches(acc, 3, "   "));
    char *dom[] = {"Sécurité-Numérique.fr"};
    assert_true(grade_text_matches(dom, 1, "securite-numerique.fr"));
    assert_true(grade_text_matches(dom, 1, "SÉCURITÉ-NUMÉRIQUE.FR"));
    assert_true(grade_text_matches(dom, 1, "Se\xcc\x81" "curite\xcc\x81" "-nume\xcc\x81" "rique.fr")); /* NFD */
    assert_false(grade_text_matches(dom, 1, "securite numerique.fr"));
    char *apos[] = {"l'hameçonnage"};
    assert_true(grade_text_matches(apos, 1, "L\u2019Hameconnage"));
}

/* grade_quiz refuses json with an English message holding want, and says why (problem)
 * and for which question (1-based, 0 for none) so that handlers can translate it. */
static void refused(const quiz *q, const char *json, const char *want, grade_problem why, size_t question) {
    json_error_t je;
    json_t *a = json_loads(json, JSON_DECODE_ANY, &je);
    assert_non_null(a);
    grade_result g = {0};
    perr err = {{0}};
    assert_false(grade_quiz(q, NULL, a, 0.5, &g, &err));
    assert_null(g.correct);
    if (!strstr(err.msg, want)) fail_msg("\"%s\" lacks \"%s\"", err.msg, want);
    assert_int_equal(g.problem, why);
    assert_int_equal(g.question, question);
    json_decref(a);
}

static void test_refused_shapes(void **state) {
    (void)state;
    quiz *q = load();
    static const struct {
        const char *json, *want;
        grade_problem why;
        size_t question;
    } cases[] = {
        {"[1]", "must be an object", GRADE_NOT_OBJECT, 0},
        {"{\"q1\": 4}", "option 4 does not exist", GRADE_NO_OPTION, 1},
        {"{\"q1\": \"0\"}", "does not exist", GRADE_NO_OPTION, 1},
        {"{\"q1\": \"x\"}", "does not exist", GRADE_NO_OPTION, 1},
        {"{\"q1\": -1}", "does not exist", GRADE_NO_OPTION, 1},
        {"{\"q2\": [1, 9]}", "does not exist", GRADE_NO_OPTION, 2},
        {"{\"q1\": [1, 2]}", "only one option", GRADE_ONE_ONLY, 1},
        {"{\"q2\": [1, 2, 3, 1]}", "too many options", GRADE_TOO_MANY, 2},
        {"{\"q5\": 1}", "names no question", GRADE_NO_QUESTION, 0},
        {"{\"q0\": 1}", "names no question", GRADE_NO_QUESTION, 0},
        {"{\"answers\": 1}", "names no question", GRADE_NO_QUESTION, 0},
        {"{\"q3\": 72}", "expects a text answer", GRADE_TEXT_EXPECTED, 3},
        {"{\"q3\": [\"72\"]}", "expects a text answer", GRADE_TEXT_EXPECTED, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused(q, cases[i].json, cases[i].want, cases[i].why, cases[i].question);
    char big[1100];
    memset(big, 'a', sizeof big);
    memcpy(big, "{\"q3\": \"", 8);
    memcpy(big + sizeof big - 3, "\"}", 3);
    refused(q, big, "too long", GRADE_TOO_LONG, 3);
    grade_result_free(NULL);
    quiz_free(q);
}

/* With a draw: option numbers are the positions shown and are mapped back to the file's
 * options; answers to questions the draw does not hold are refused; only drawn questions
 * count; the record keeps the file's option numbers. */
static void test_draw_mapped_back(void **state) {
    (void)state;
    quiz *q = load();
    quiz_draw *d = quiz_draw_make(q, 1, 3, 42);
    assert_int_equal(d->n, 3);
    size_t missing = 0; /* the question left out */
    while (quiz_draw_position(d, missing) != (size_t)-1) missing++;
    /* shown position of the right option of Q1 (file option 2) and of Q2 (1 and 3) */
    size_t p1 = quiz_draw_position(d, 0), p2 = quiz_draw_position(d, 1);
    buf a = BUF_INIT;
    buf_puts(&a, "{");
    if (p1 != (size_t)-1)
        for (size_t k = 0; k < 3; k++)
            if (d->perm[p1][k] == 1) buf_printf(&a, "\"q1\": %zu,", k + 1);
    if (p2 != (size_t)-1) {
        buf_puts(&a, "\"q2\": [");
        for (size_t k = 0, first = 1; k < 3; k++)
            if (d->perm[p2][k] != 1) buf_printf(&a, "%s%zu", first ? "" : ",", k + 1), first = 0;
        buf_puts(&a, "],");
    }
    if (quiz_draw_position(d, 2) != (size_t)-1) buf_puts(&a, "\"q3\": \"72 h\",");
    if (quiz_draw_position(d, 3) != (size_t)-1) buf_puts(&a, "\"q4\": \"securite-numerique.fr\",");
    a.data[a.len - 1] = '}';
    json_t *ans = json_loads(a.data, 0, NULL);
    assert_non_null(ans);
    grade_result g;
    perr err = {{0}};
    assert_true(grade_quiz(q, d, ans, 1.0, &g, &err));
    assert_int_equal(g.n, 3);
    assert_int_equal(g.right, 3);
    assert_true(g.passed);
    if (p1 != (size_t)-1) assert_int_equal(json_integer_value(json_object_get(g.answers, "q1")), 2);
    grade_result_free(&g);
    /* the identity reading of the same positions is wrong wherever the shuffle moved them */
    bool moved = false;
    for (size_t p = 0; p < d->n; p++)
        for (size_t k = 0; k < q->questions[d->q[p]].noptions; k++) moved = moved || d->perm[p][k] != k;
    if (moved) {
        assert_true(grade_quiz(q, NULL, ans, 1.0, &g, &err));
        assert_true(g.right < 3);
        grade_result_free(&g);
    }
    json_decref(ans);
    /* an answer to the question not drawn */
    buf_reset(&a);
    buf_printf(&a, "{\"q%zu\": %s}", missing + 1, missing < 2 ? "1" : "\"x\"");
    ans = json_loads(a.data, 0, NULL);
    assert_false(grade_quiz(q, d, ans, 0.5, &g, &err));
    assert_int_equal(g.problem, GRADE_NOT_DRAWN);
    assert_int_equal(g.question, missing + 1);
    assert_non_null(strstr(err.msg, "not drawn"));
    json_decref(ans);
    buf_free(&a);
    quiz_draw_free(d);
    quiz_free(q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_right_and_pass_mark),
        cmocka_unit_test(test_multi_all_or_nothing),
        cmocka_unit_test(test_text_folding),
        cmocka_unit_test(test_refused_shapes),
        cmocka_unit_test(test_draw_mapped_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
