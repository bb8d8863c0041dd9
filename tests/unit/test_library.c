/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/library (and `passport check-courses`): a valid course loads with its
 * HTML rendered once; each validation message appears with its file and line; a course
 * that breaks keeps its previous version on reload. */
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

#include "cli/cli.h"
#include "core/buf.h"
#include "learn/library.h"
#include "testutil.h"

static char root[64];

static int setup(void **state) {
    (void)state;
    snprintf(root, sizeof root, "/tmp/test_library_XXXXXX");
    if (!mkdtemp(root)) return -1;
    test_put(root, "frameworks/crcn.csv", "framework,code,title_fr\nCRCN,CRCN-4.1,Sécuriser\nCRCN,CRCN-1.1,Chercher\n");
    test_put(root, "badges/secu.yaml", "slug: secu\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return test_rmtree(root);
}

static const char course_md[] = "---\ntitle: Sécurité\nlang: fr\nsummary: Un résumé.\nbadge: secu\n---\nIntro avec ![logo](logo.png).\n";

static const char good_module[] =
    "---\n"
    "id: good-one\n"
    "title: Un bon module\n"
    "minutes: 8\n"
    "lang: fr\n"
    "competencies: [CRCN-4.1@2, CRCN-1.1@3]\n"
    "pass: 0.8\n"
    "---\n"
    "# Un bon module\n"
    "\n"
    "## Objectifs\n"
    "- Voir ![schéma](images/schema.svg) et [la suite](02-next.md).\n"
    "- <script>alert(1)</script> [piège](javascript:alert(1))\n"
    "\n"
    "> Un courriel d'exemple dans la leçon.\n"
    "\n"
    "## Quiz\n"
    "Quelle **bonne** réponse ?\n"
    "- [( )] non\n"
    "- [(X)] oui\n"
    "> Explication : *oui*.\n"
    "\n"
    "Texte ?\n"
    "[[abc|ABD]]\n";

static const char next_module[] =
    "---\nid: next-one\ntitle: Suite\nminutes: 5\nlang: fr\ncompetencies: [CRCN-1.1@1]\npass: 1\n---\n"
    "# Suite\nTexte.\n\n## Quiz\nQ ?\n[[x]]\n";

static void write_good_course(const char *slug) {
    char p[128];
    snprintf(p, sizeof p, "%s/course.md", slug);
    test_put(root, p, course_md);
    snprintf(p, sizeof p, "%s/01-good.md", slug);
    test_put(root, p, good_module);
    snprintf(p, sizeof p, "%s/02-next.md", slug);
    test_put(root, p, next_module);
    snprintf(p, sizeof p, "%s/logo.png", slug);
    test_put(root, p, "PNG");
    snprintf(p, sizeof p, "%s/images/schema.svg", slug);
    test_put(root, p, "<svg/>");
}

static void test_valid_course(void **state) {
    (void)state;
    write_good_course("secu");
    diag_list d = DIAG_LIST_INIT;
    learn_library *lib = library_load(root, NULL, &d);
    diag_print(&d, stderr);
    assert_int_equal(d.n, 0);
    assert_int_equal(lib->ncourses, 1);
    assert_int_equal(lib->nindex, 2);
    const learn_course *c = library_course(lib, "secu");
    assert_non_null(c);
    assert_string_equal(c->title, "Sécurité");
    assert_int_equal(c->minutes, 13);
    assert_string_equal(c->badge, "secu");
    assert_non_null(strstr(c->intro_html, "src=\"/courses/secu/assets/logo.png\""));
    const learn_module *m = library_module(lib, "good-one");
    assert_non_null(m);
    assert_ptr_equal(m->course, c);
    assert_int_equal(m->position, 0);
    assert_int_equal(m->minutes, 8);
    assert_true(m->pass > 0.79 && m->pass < 0.81);
    assert_int_equal(m->ncomps, 2);
    assert_string_equal(m->comps[1].code, "CRCN-1.1");
    assert_int_equal(m->comps[1].level, 3);
    assert_int_equal(strlen(m->hash), 64);
    /* the title is the page's h1; the lesson keeps its sections, not the quiz */
    assert_null(strstr(json_string_value(m->lesson_html), "<h1>"));
    assert_non_null(strstr(json_string_value(m->lesson_html), "<h2>Objectifs</h2>"));
    assert_non_null(strstr(json_string_value(m->lesson_html), "<blockquote>"));
    assert_null(strstr(json_string_value(m->lesson_html), "Quiz"));
    assert_non_null(strstr(json_string_value(m->lesson_html), "src=\"/courses/secu/assets/images/schema.svg\""));
    assert_non_null(strstr(json_string_value(m->lesson_html), "href=\"/modules/next-one\""));
    assert_null(strstr(json_string_value(m->lesson_html), "<script"));
    assert_null(strstr(json_string_value(m->lesson_html), "javascript:"));
    assert_int_equal(m->quiz->n, 2);
    assert_string_equal(m->qhtml[0].prompt, "Quelle <strong>bonne</strong> réponse ?");
    assert_string_equal(m->qhtml[0].options[1], "oui");
    assert_string_equal(m->qhtml[0].explanation, "Explication : <em>oui</em>.");
    assert_null(m->qhtml[1].explanation);
    /* the answer-free view: names, values and ids the form posts */
    json_t *q1 = json_array_get(m->quiz_view, 0), *o2 = json_array_get(json_object_get(q1, "options"), 1);
    assert_string_equal(json_string_value(json_object_get(q1, "name")), "q1");
    assert_int_equal(json_integer_value(json_object_get(q1, "number")), 1);
    assert_string_equal(json_string_value(json_object_get(o2, "value")), "2");
    assert_string_equal(json_string_value(json_object_get(o2, "id")), "q1-2");
    assert_string_equal(json_string_value(json_object_get(o2, "html")), "oui");
    assert_string_equal(json_string_value(json_object_get(json_array_get(m->quiz_view, 1), "name")), "q2");
    assert_non_null(strstr(m->lesson_text, "Objectifs"));
    assert_null(library_module(lib, "nope"));
    assert_null(library_course(lib, "nope"));
    assert_int_equal(library_module(lib, "next-one")->position, 1);
    library_release(lib);
    diag_list_free(&d);
}

/* Numbers of two digits in the quiz view: the twelfth question's name, option ids and values. */
static void test_quiz_view_numbers(void **state) {
    (void)state;
    buf b = BUF_INIT;
    buf_puts(&b, "---\nid: long-quiz\ntitle: Long\nminutes: 5\nlang: fr\ncompetencies: [CRCN-1.1@1]\npass: 1\n---\n"
                 "# Long\nTexte.\n\n## Quiz\n");
    for (int i = 1; i <= 12; i++) buf_printf(&b, "Question %d ?\n- [( )] non\n- [(X)] oui\n\n", i);
    test_put(root, "longq/course.md", course_md);
    test_put(root, "longq/01-long.md", buf_cstr(&b));
    test_put(root, "longq/logo.png", "PNG");
    buf_free(&b);
    diag_list d = DIAG_LIST_INIT;
    learn_library *lib = library_load(root, NULL, &d);
    diag_print(&d, stderr);
    const learn_module *m = library_module(lib, "long-quiz");
    assert_non_null(m);
    assert_int_equal(json_array_size(m->quiz_view), 12);
    json_t *q = json_array_get(m->quiz_view, 11), *o = json_array_get(json_object_get(q, "options"), 1);
    assert_string_equal(json_string_value(json_object_get(q, "name")), "q12");
    assert_int_equal(json_integer_value(json_object_get(q, "number")), 12);
    assert_string_equal(json_string_value(json_object_get(o, "value")), "2");
    assert_string_equal(json_string_value(json_object_get(o, "id")), "q12-2");
    library_release(lib);
    diag_list_free(&d);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/longq", root);
    assert_int_equal(test_rmtree(dir), 0);
}

/* Loads the library and checks that want (a "file:line: text" fragment) was reported. */
static void expect(const char *want_file, size_t want_line, const char *want) {
    diag_list d = DIAG_LIST_INIT;
    learn_library *lib = library_load(root, NULL, &d);
    bool found = false;
    for (size_t i = 0; i < d.n && !found; i++) {
        const char *f = d.items[i].file;
        size_t fl = strlen(f), wl = strlen(want_file);
        found = fl >= wl && !strcmp(f + fl - wl, want_file) && d.items[i].line == want_line && strstr(d.items[i].msg, want);
    }
    if (!found) {
        diag_print(&d, stderr);
        fail_msg("no \"%s:%zu: ...%s...\"", want_file, want_line, want);
    }
    assert_null(library_course(lib, "bad")); /* a course with a problem is not loaded */
    library_release(lib);
    diag_list_free(&d);
}

/* Writes courses/bad with one module whose text is body (course.md valid). */
static void bad_module(const char *body) {
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/bad'", root);
    assert_int_equal(system(cmd), 0);
    test_put(root, "bad/course.md", "---\ntitle: Bad\nlang: fr\nsummary: s\n---\nx\n");
    test_put(root, "bad/01-m.md", body);
}

#define FM(extra) "---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\n" extra "---\n# T\n\n## Quiz\nQ?\n[[a]]\n"

static void test_each_message(void **state) {
    (void)state;
    bad_module("---\nid: [x\n---\n");
    expect("bad/01-m.md", 3, "invalid YAML");
    bad_module("# no front matter\n");
    expect("bad/01-m.md", 1, "must start with a \"---\" line");
    bad_module("---\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n## Quiz\nQ?\n[[a]]\n");
    expect("bad/01-m.md", 1, "missing \"id\"");
    bad_module(FM("competencies: [CRCN-9.9@2]\n"));
    expect("bad/01-m.md", 7, "unknown competency code \"CRCN-9.9\"");
    bad_module(FM("competencies: [CRCN-4.1@9]\n"));
    expect("bad/01-m.md", 7, "must be a whole number from 1 to 8");
    bad_module(FM("competencies: [CRCN-4.1@0]\n"));
    expect("bad/01-m.md", 7, "must be a whole number from 1 to 8");
    bad_module(FM("competencies: [CRCN-4.1]\n"));
    expect("bad/01-m.md", 7, "must read CODE@LEVEL");
    bad_module(FM(""));
    expect("bad/01-m.md", 1, "missing \"competencies\"");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n# T\n\n## Quiz\n"
               "Q?\n- [( )] a\n- [( )] b\n");
    expect("bad/01-m.md", 12, "single-choice question with no right answer");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n# T\n\n## Quiz\n"
               "Q?\n- [(X)] a\n- [(X)] b\n");
    expect("bad/01-m.md", 12, "single-choice question with 2 right answers");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n# T\n\n## Quiz\n"
               "Q?\n- [[ ]] a\n- [[ ]] b\n");
    expect("bad/01-m.md", 12, "multiple-choice question with no right answer");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n# T\n\nSee [x](missing.md).\n");
    expect("bad/01-m.md", 0, "module without a quiz");
    expect("bad/01-m.md", 11, "broken relative link: \"missing.md\"");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n# T\n\n"
               "![a](img/none.png)\n\n## Quiz\nQ?\n[[a]]\n");
    expect("bad/01-m.md", 11, "broken relative image: \"img/none.png\"");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n# T\n\n"
               "![a](../secu/logo.png)\n\n## Quiz\nQ?\n[[a]]\n");
    expect("bad/01-m.md", 11, "must stay inside the course folder");
    test_put(root, "bad/notes.txt", "x");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n# T\n\n"
               "[notes](notes.txt)\n\n## Quiz\nQ?\n[[a]]\n");
    test_put(root, "bad/notes.txt", "x");
    expect("bad/01-m.md", 11, "only png, jpg, jpeg, gif, webp and svg");
    bad_module(FM("competencies: [CRCN-4.1@2]\nminutes: 20\n"));
    expect("bad/01-m.md", 8, "duplicate key \"minutes\"");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 20\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n## Quiz\nQ?\n[[a]]\n");
    expect("bad/01-m.md", 4, "minutes must be a whole number from 3 to 15");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: fr\npass: 1.5\ncompetencies: [CRCN-4.1@2]\n---\n## Quiz\nQ?\n[[a]]\n");
    expect("bad/01-m.md", 6, "pass must be a number above 0 and at most 1");
    bad_module("---\nid: bad-m\ntitle: T\nminutes: 5\nlang: de\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n## Quiz\nQ?\n[[a]]\n");
    expect("bad/01-m.md", 5, "lang must be fr or en");
    /* assessment keys: a bank smaller than its draw, values out of range (file:line) */
    bad_module(FM("competencies: [CRCN-4.1@2]\ndraw: 2\n"));
    expect("bad/01-m.md", 8, "draw: 2 but the quiz holds only 1 question(s)");
    bad_module(FM("competencies: [CRCN-4.1@2]\nreveal: always\n"));
    expect("bad/01-m.md", 8, "reveal must be after-pass or never");
    bad_module(FM("competencies: [CRCN-4.1@2]\nattempts: 0\n"));
    expect("bad/01-m.md", 8, "attempts must be a whole number from 1 to 100");
    bad_module(FM("competencies: [CRCN-4.1@2]\ncooldown: 1 day\n"));
    expect("bad/01-m.md", 8, "cooldown must be a duration");
    bad_module("---\nid: Bad_M\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n## Quiz\nQ?\n[[a]]\n");
    expect("bad/01-m.md", 2, "may only hold a-z, 0-9 and -");
    /* duplicate id inside a course, and across courses */
    bad_module(FM("competencies: [CRCN-4.1@2]\n"));
    test_put(root, "bad/02-m.md", FM("competencies: [CRCN-4.1@2]\n"));
    expect("bad/02-m.md", 2, "duplicate id \"bad-m\"");
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -f '%s/bad/02-m.md'", root);
    assert_int_equal(system(cmd), 0);
    /* across courses the first folder by name keeps the id: "zz" comes after "secu" */
    snprintf(cmd, sizeof cmd, "mv '%s/bad' '%s/zz'", root, root);
    assert_int_equal(system(cmd), 0);
    test_put(root, "zz/01-m.md", "---\nid: good-one\ntitle: T\nminutes: 5\nlang: fr\npass: 0.5\ncompetencies: [CRCN-4.1@2]\n---\n## Quiz\nQ?\n[[a]]\n");
    expect("zz/01-m.md", 2, "duplicate id \"good-one\"");
    snprintf(cmd, sizeof cmd, "rm -rf '%s/zz'", root);
    assert_int_equal(system(cmd), 0);
    /* course.md problems */
    bad_module(FM("competencies: [CRCN-4.1@2]\n"));
    test_put(root, "bad/course.md", "---\ntitle: Bad\nlang: fr\nsummary: s\nbadge: nope\n---\nx\n");
    expect("bad/course.md", 5, "badge \"nope\": no file badges/nope.yaml");
    test_put(root, "bad/course.md", "---\nlang: fr\nsummary: s\n---\nx\n");
    expect("bad/course.md", 1, "missing \"title\"");
    snprintf(cmd, sizeof cmd, "rm -f '%s/bad/course.md'", root);
    assert_int_equal(system(cmd), 0);
    expect("bad/course.md", 0, "every course folder needs a course.md");
    snprintf(cmd, sizeof cmd, "rm -rf '%s/bad'", root);
    assert_int_equal(system(cmd), 0);
}

static void test_previous_version_kept(void **state) {
    (void)state;
    write_good_course("secu");
    diag_list d = DIAG_LIST_INIT;
    learn_library *v1 = library_load(root, NULL, &d);
    assert_int_equal(d.n, 0);
    char old_hash[65];
    memcpy(old_hash, library_module(v1, "good-one")->hash, sizeof old_hash);
    /* break the course: the previous version keeps serving, the problem is reported */
    test_put(root, "secu/02-next.md", "---\nid: [broken\n---\n");
    learn_library *v2 = library_load(root, v1, &d);
    assert_true(d.n > 0);
    assert_ptr_equal(library_course(v2, "secu"), library_course(v1, "secu"));
    assert_non_null(library_module(v2, "next-one"));
    /* without a previous version the broken course is not loaded */
    learn_library *v3 = library_load(root, NULL, &d);
    assert_null(library_course(v3, "secu"));
    library_release(v3);
    library_release(v1); /* v2 still holds the shared course */
    assert_string_equal(library_module(v2, "good-one")->hash, old_hash);
    /* fixed and changed: a new version with a new hash */
    write_good_course("secu");
    test_put(root, "secu/01-good.md", good_module);
    FILE *f = fopen("/dev/null", "r");
    fclose(f);
    char path[128];
    snprintf(path, sizeof path, "%s/secu/01-good.md", root);
    f = fopen(path, "a");
    fputs("\nOther?\n[[y]]\n", f);
    fclose(f);
    diag_list_free(&d);
    learn_library *v4 = library_load(root, v2, &d);
    assert_int_equal(d.n, 0);
    assert_string_not_equal(library_module(v4, "good-one")->hash, old_hash);
    assert_int_equal(library_module(v4, "good-one")->quiz->n, 3);
    library_release(v2);
    library_release(library_retain(v4));
    library_release(v4);
    library_release(NULL);
    diag_list_free(&d);
}

static void test_cli_exit_status(void **state) {
    (void)state;
    write_good_course("secu");
    char *ok_argv[] = {"check-courses", root, NULL};
    assert_int_equal(cli_check_courses(2, ok_argv), 0);
    test_put(root, "broken/course.md", "---\ntitle: B\nlang: fr\nsummary: s\n---\n");
    test_put(root, "broken/01-x.md", "---\nid: x\n---\n");
    assert_int_equal(cli_check_courses(2, ok_argv), 1);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/broken'", root);
    assert_int_equal(system(cmd), 0);
    char *missing[] = {"check-courses", "/nonexistent/courses", NULL};
    assert_int_equal(cli_check_courses(2, missing), 1);
}

/* The starter library (courses/): every module draws from a bank at least 1.5 times its
 * draw, an English copy included (issue 12), and loads without a problem. */
static void test_starter_banks(void **state) {
    (void)state;
    diag_list d = DIAG_LIST_INIT;
    learn_library *lib = library_load("courses", NULL, &d);
    diag_print(&d, stderr);
    assert_int_equal(d.n, 0);
    diag_list_free(&d);
    size_t english = 0;
    for (size_t i = 0; i < lib->nindex; i++) {
        const learn_module *m = lib->index[i];
        size_t draw = m->policy.draw ? m->policy.draw : m->quiz->n;
        if (2 * m->quiz->n < 3 * draw) fail_msg("%s: a bank of %zu for a draw of %zu", m->file, m->quiz->n, draw);
        if (m->translation_of) {
            english++;
            assert_non_null(library_module(lib, m->translation_of));
        }
    }
    assert_true(lib->nindex >= 40);
    assert_true(english >= 6);
    library_release(lib);
}

static void test_asset_types(void **state) {
    (void)state;
    const char *mime = NULL;
    assert_true(library_asset_type("a.PNG", &mime));
    assert_string_equal(mime, "image/png");
    assert_true(library_asset_type("photo.jpeg", &mime));
    assert_string_equal(mime, "image/jpeg");
    assert_true(library_asset_type("s.svg", &mime));
    assert_string_equal(mime, "image/svg+xml");
    assert_false(library_asset_type("a.html", &mime));
    assert_false(library_asset_type("01-m.md", &mime));
    assert_false(library_asset_type(".png", &mime));
    assert_false(library_asset_type("../x.png", &mime));
    assert_false(library_asset_type("a/b.png", &mime));
    assert_false(library_asset_type("", &mime));
    assert_false(library_asset_type(NULL, &mime));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_course),
        cmocka_unit_test(test_each_message),
        cmocka_unit_test(test_previous_version_kept),
        cmocka_unit_test(test_cli_exit_status),
        cmocka_unit_test(test_asset_types),
        cmocka_unit_test(test_starter_banks),
        cmocka_unit_test(test_quiz_view_numbers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
