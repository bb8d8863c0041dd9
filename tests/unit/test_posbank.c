/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/posbank: a valid bank loads with its parameters (calibrated or derived
 * from the level) and answer-free views; each problem check-courses must report appears
 * with its file and line (missing level, duplicate id, no right answer, unknown
 * competency, English item without its French original). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "learn/irt.h"
#include "learn/posbank.h"
#include "testutil.h"

static char root[64];

static int setup(void **state) {
    (void)state;
    snprintf(root, sizeof root, "/tmp/test_posbank_XXXXXX");
    if (!mkdtemp(root)) return -1;
    test_put(root, "frameworks/crcn.csv", "framework,code,title_fr\nCRCN,CRCN-1.1,Chercher\nCRCN,CRCN-4.1,Sécuriser\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return test_rmtree(root);
}

static const char fr_41[] =
    "---\ncompetency: CRCN-4.1\nlang: fr\n---\n# Sécuriser\n\n"
    "## secu-mdp-1\nlevel: 2\n\nQuel mot de passe est le plus **solide** ?\n- [( )] azerty\n- [(X)] 4 mots au hasard\n"
    "> Plus long, plus sûr.\n\n"
    "## secu-maj-2\nlevel: 4\ndiscrimination: 1.7\ndifficulty: 0.25\n\nQue faire ? (plusieurs)\n- [[X]] Mettre à jour\n"
    "- [[ ]] Attendre\n- [[X]] Redémarrer\n\n"
    "## secu-port-3\nlevel: 3\n\nQuel port pour HTTPS ?\n[[443]]\n";

static const char en_41[] =
    "---\ncompetency: CRCN-4.1\nlang: en\n---\n"
    "## secu-mdp-1\nlevel: 2\n\nWhich password is the **strongest**?\n- [( )] qwerty\n- [(X)] 4 random words\n";

static void test_valid_bank(void **state) {
    (void)state;
    test_put(root, "positioning/CRCN-4.1.md", fr_41);
    test_put(root, "positioning/en/CRCN-4.1.md", en_41);
    diag_list d = DIAG_LIST_INIT;
    posbank *b = posbank_load(root, &d);
    diag_print(&d, stderr);
    assert_int_equal(d.n, 0);
    assert_int_equal(b->n, 3);
    assert_int_equal(b->ncodes, 1);
    assert_string_equal(b->codes[0], "CRCN-4.1");
    const posbank_item *it = posbank_find(b, "secu-mdp-1");
    assert_non_null(it);
    assert_int_equal(it->level, 2);
    assert_true(it->a == IRT_DEFAULT_A && it->b == irt_default_b(2));
    assert_false(it->has_a);
    assert_int_equal(it->line, 7);
    assert_non_null(it->en);
    assert_non_null(strstr(json_string_value(json_object_get(it->view_en, "prompt_html")), "<strong>strongest</strong>"));
    /* the views never hold the answers nor the explanation */
    char *v = json_dumps(it->view_fr, 0);
    assert_null(strstr(v, "correct"));
    assert_null(strstr(v, "Plus long"));
    free(v);
    it = posbank_find(b, "secu-maj-2");
    assert_true(it->has_a && it->has_b && it->a == 1.7 && it->b == 0.25);
    assert_string_equal(json_string_value(json_object_get(it->view_fr, "kind")), "multi");
    it = posbank_find(b, "secu-port-3");
    v = json_dumps(it->view_fr, 0);
    assert_null(strstr(v, "443"));
    free(v);
    assert_null(posbank_find(b, "nope"));
    posbank_free(b);
    diag_list_free(&d);
}

static bool has(const diag_list *d, const char *file_end, size_t line, const char *needle) {
    for (size_t i = 0; i < d->n; i++) {
        size_t fl = strlen(d->items[i].file), el = strlen(file_end);
        if (fl >= el && !strcmp(d->items[i].file + fl - el, file_end) && d->items[i].line == line &&
            strstr(d->items[i].msg, needle))
            return true;
    }
    return false;
}

static void test_problems_with_file_and_line(void **state) {
    (void)state;
    test_put(root, "positioning/CRCN-4.1.md", fr_41);
    test_put(root, "positioning/CRCN-1.1.md",
        "---\ncompetency: CRCN-1.1\nlang: fr\n---\n"
        "## no-level\n\nQ ?\n- [( )] a\n- [(X)] b\n\n"          /* line 5 */
        "## secu-mdp-1\nlevel: 1\n\nQ ?\n[[x]]\n\n"             /* line 11: duplicate */
        "## no-right\nlevel: 2\n\nQ ?\n- [( )] a\n- [( )] b\n\n" /* line 17, question 20 */
        "## Bad_Id\nlevel: 2\n\nQ ?\n[[x]]\n\n"                  /* line 24 */
        "## two\nlevel: 9\n\nQ1 ?\n[[x]]\n\nQ2 ?\n[[y]]\n");    /* line 30, level 31 */
    test_put(root, "positioning/CRCN-9.9.md", "---\ncompetency: CRCN-9.9\nlang: fr\n---\n## x\nlevel: 1\n\nQ ?\n[[x]]\n");
    test_put(root, "positioning/en/CRCN-4.1.md", "---\ncompetency: CRCN-4.1\nlang: en\n---\n## orphan\n\nQ?\n[[x]]\n");
    diag_list d = DIAG_LIST_INIT;
    posbank *b = posbank_load(root, &d);
    diag_print(&d, stderr);
    assert_true(has(&d, "positioning/CRCN-1.1.md", 5, "missing \"level"));
    assert_true(has(&d, "positioning/CRCN-4.1.md", 7, "duplicate item id secu-mdp-1")); /* files in name order */
    assert_true(has(&d, "positioning/CRCN-1.1.md", 20, "no right answer"));
    assert_true(has(&d, "positioning/CRCN-1.1.md", 24, "item id"));
    assert_true(has(&d, "positioning/CRCN-1.1.md", 31, "level must be"));
    assert_true(has(&d, "positioning/CRCN-1.1.md", 30, "exactly one question"));
    assert_true(has(&d, "positioning/CRCN-9.9.md", 2, "unknown competency CRCN-9.9"));
    assert_true(has(&d, "positioning/en/CRCN-4.1.md", 5, "no French original"));
    /* the valid items stay (secu-mdp-1 from CRCN-1.1.md, read first); the broken ones are left out */
    assert_int_equal(b->n, 3);
    assert_string_equal(posbank_find(b, "secu-mdp-1")->code, "CRCN-1.1");
    assert_null(posbank_find(b, "no-level"));
    assert_null(posbank_find(b, "two"));
    posbank_free(b);
    diag_list_free(&d);
    char p[128];
    snprintf(p, sizeof p, "%s/positioning/CRCN-1.1.md", root);
    unlink(p);
    snprintf(p, sizeof p, "%s/positioning/CRCN-9.9.md", root);
    unlink(p);
}

static void test_no_folder_is_an_empty_bank(void **state) {
    (void)state;
    diag_list d = DIAG_LIST_INIT;
    posbank *b = posbank_load("/nonexistent-passport-dir", &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(b->n, 0);
    posbank_free(b);
}

/* The bank shipped in courses/positioning (issue 12): all 16 CRCN competences, each with
 * at least 8 items covering levels 1 to 6, at least 128 French items, every item of
 * domain 4 translated into English, and no problem. */
static void test_shipped_bank(void **state) {
    (void)state;
    diag_list d = DIAG_LIST_INIT;
    posbank *b = posbank_load("courses", &d);
    diag_print(&d, stderr);
    assert_int_equal(d.n, 0);
    diag_list_free(&d);
    assert_int_equal(b->ncodes, 16);
    assert_true(b->n >= 128);
    for (size_t c = 0; c < b->ncodes; c++) {
        size_t n = 0;
        bool level[7] = {false};
        for (size_t i = 0; i < b->n; i++) {
            const posbank_item *it = &b->items[i];
            if (it->comp != c) continue;
            n++;
            if (it->level >= 1 && it->level <= 6) level[it->level] = true;
            if (!strncmp(it->code, "CRCN-4.", 7) && !it->en) fail_msg("%s: no English translation", it->id);
        }
        if (n < 8) fail_msg("%s: %zu items", b->codes[c], n);
        for (int l = 1; l <= 6; l++)
            if (!level[l]) fail_msg("%s: no item of level %d", b->codes[c], l);
    }
    posbank_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_bank),
        cmocka_unit_test(test_problems_with_file_and_line),
        cmocka_unit_test(test_no_folder_is_an_empty_bank),
        cmocka_unit_test(test_shipped_bank),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
