/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/quiz: every question syntax (single, multiple, text with variants,
 * explanations, multi-line prompts) and every malformed input with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learn/quiz.h"

static quiz *parse(const char *s, diag_list *d) {
    return quiz_parse(s, strlen(s), 10, "m.md", d);
}

static void test_all_kinds(void **state) {
    (void)state;
    const char *src =
        "Quel indice doit vous alerter ?\n"
        "- [( )] Le message est en français\n"
        "- [(X)] L'adresse imite celle de votre service\n"
        "* [( )] Le message contient votre prénom\n"
        "> Explication : l'adresse compte.\n"
        "\n"
        "Quelles actions sont sûres ? (plusieurs réponses)\n"
        "- [[x]] Signaler le message\n"
        "- [[ ]] Cliquer pour vérifier\n"
        "+ [[X]] Contacter le service\n"
        "\n"
        "Combien d'heures\n"
        "pour notifier la CNIL ?\n"
        "[[72|72 heures| 72 h |72h]]\n"
        "> Explication : 72 heures\n"
        "> après la découverte.\n"
        "\n\n"
        "Domaine ?\n"
        "  [[verification-compte.info]]  \n";
    diag_list d = DIAG_LIST_INIT;
    quiz *q = parse(src, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(q->n, 4);
    const quiz_question *a = &q->questions[0];
    assert_int_equal(a->kind, QUIZ_SINGLE);
    assert_int_equal(a->line, 10);
    assert_string_equal(a->prompt, "Quel indice doit vous alerter ?");
    assert_int_equal(a->noptions, 3);
    assert_false(a->options[0].correct);
    assert_true(a->options[1].correct);
    assert_string_equal(a->options[1].text, "L'adresse imite celle de votre service");
    assert_int_equal(a->options[2].line, 13);
    assert_string_equal(a->explanation, "Explication : l'adresse compte.");
    const quiz_question *b = &q->questions[1];
    assert_int_equal(b->kind, QUIZ_MULTI);
    assert_int_equal(b->line, 16);
    assert_true(b->options[0].correct);
    assert_false(b->options[1].correct);
    assert_true(b->options[2].correct);
    assert_null(b->explanation);
    const quiz_question *c = &q->questions[2];
    assert_int_equal(c->kind, QUIZ_TEXT);
    assert_string_equal(c->prompt, "Combien d'heures\npour notifier la CNIL ?");
    assert_int_equal(c->nanswers, 4);
    assert_string_equal(c->answers[0], "72");
    assert_string_equal(c->answers[2], "72 h");
    assert_string_equal(c->answers[3], "72h");
    assert_string_equal(c->explanation, "Explication : 72 heures\naprès la découverte.");
    const quiz_question *e = &q->questions[3];
    assert_int_equal(e->nanswers, 1);
    assert_string_equal(e->answers[0], "verification-compte.info");
    assert_int_equal(e->line, 28);
    quiz_free(q);
    diag_list_free(&d);
}

/* Parses src and checks that the only problem is want at line want_line. */
static void expect_problem(const char *src, size_t want_line, const char *want) {
    diag_list d = DIAG_LIST_INIT;
    quiz *q = parse(src, &d);
    if (d.n != 1) {
        for (size_t i = 0; i < d.n; i++) print_message("  got %zu: %s\n", d.items[i].line, d.items[i].msg);
    }
    assert_int_equal(d.n, 1);
    assert_int_equal(d.items[0].line, want_line);
    assert_string_equal(d.items[0].file, "m.md");
    if (!strstr(d.items[0].msg, want)) fail_msg("message \"%s\" lacks \"%s\"", d.items[0].msg, want);
    quiz_free(q);
    diag_list_free(&d);
}

static void test_malformed(void **state) {
    (void)state;
    expect_problem("Q?\n- [( )] a\n- [( )] b\n", 10, "single-choice question with no right answer");
    expect_problem("Q?\n- [(X)] a\n- [(X)] b\n", 10, "single-choice question with 2 right answers");
    expect_problem("Q?\n- [[ ]] a\n- [[ ]] b\n", 10, "multiple-choice question with no right answer");
    expect_problem("Q?\n- [(X)] a\n", 10, "at least two options");
    expect_problem("Q?\n\nQ2?\n[[x]]\n", 10, "question without answers");
    expect_problem("Q?\n", 10, "question without answers");
    expect_problem("Q?\n- [(X)] a\n- [( )] c\n- [[ ]] b\n", 13, "mixed option kinds");
    expect_problem("Q?\n[[a||b]]\n", 11, "empty text answer");
    expect_problem("Q?\n[[a|\u00a0]]\n", 11, "empty text answer");
    char longq[300] = "Q?\n[[a|";
    memset(longq + 7, 'x', 250);
    strcpy(longq + 257, "]]\n");
    expect_problem(longq, 11, "text answer longer than 200 bytes");
    expect_problem("- [(X)] a\n\nQ?\n[[x]]\n", 10, "option without a question");
    expect_problem("> why\n\nQ?\n[[x]]\n", 10, "explanation (block quote) without a question");
    expect_problem("Q?\n[[a]]\n- [(X)] b\n", 12, "both a text answer and options");
    expect_problem("Q?\n[[a]]\n[[b]]\n", 12, "only one text answer line");
    expect_problem("Q?\n[[a]]\n\n## Autre\n", 13, "heading inside the quiz");
    expect_problem("Q?\n- [(X)] a\n- [( )] b\n> why\n- [( )] c\n", 14, "option after the explanation");
    expect_problem("Q?\n- [(X)]    \n- [( )] b\n", 11, "empty option");
    expect_problem("", 9, "the quiz has no question");
    expect_problem("\n\n   \n", 9, "the quiz has no question");
}

static void test_not_options(void **state) {
    (void)state;
    /* near-misses of the option syntax are prompt text, not options */
    diag_list d = DIAG_LIST_INIT;
    quiz *q = parse("Q? - [(X)] inline\n[[ok]]\n\n-[(X)] no space\n[[a]]\n", &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(q->n, 2);
    assert_string_equal(q->questions[1].prompt, "-[(X)] no space");
    quiz_free(q);
    diag_list_free(&d);
    quiz_free(NULL);
}

static void test_limits_and_binary(void **state) {
    (void)state;
    diag_list d = DIAG_LIST_INIT;
    char big[300 * 12 + 1] = "";
    for (int i = 0; i < 300; i++) strcat(big, "Q?\n[[a]]\n\n");
    quiz *q = parse(big, &d);
    assert_int_equal(q->n, 200);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.items[0].msg, "too many questions"));
    quiz_free(q);
    diag_list_free(&d);
    static const char bin[] = "Q\0?\n- [(X)] \xff\xfe\n- [( )] b\n";
    q = quiz_parse(bin, sizeof bin - 1, 1, "b.md", &d);
    assert_int_equal(q->n, 1);
    quiz_free(q);
    diag_list_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_kinds),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_not_options),
        cmocka_unit_test(test_limits_and_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
