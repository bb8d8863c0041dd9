/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/frontmatter: the "---" block, texts and lists with their lines, and
 * every error with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learn/frontmatter.h"

static frontmatter *parse(const char *s, size_t *line, perr *err) {
    return frontmatter_parse(s, strlen(s), line, err);
}

static void test_module_front_matter(void **state) {
    (void)state;
    const char *src = "---\nid: phishing-basics   # a comment\ntitle: \"Reconnaître : un piège\"\nminutes: 8\n"
                      "competencies: [CRCN-4.1@2, CRCN-4.2@3]\npass: 0.8\n---\n# Title\nbody\n";
    size_t line = 99;
    perr err = {{0}};
    frontmatter *fm = parse(src, &line, &err);
    assert_non_null(fm);
    assert_int_equal(line, 0);
    assert_int_equal(fm->n, 5);
    assert_string_equal(frontmatter_str(fm, "id"), "phishing-basics");
    assert_string_equal(frontmatter_str(fm, "title"), "Reconnaître : un piège");
    assert_string_equal(frontmatter_str(fm, "minutes"), "8");
    const fm_entry *c = frontmatter_get(fm, "competencies");
    assert_non_null(c);
    assert_null(c->value);
    assert_int_equal(c->nitems, 2);
    assert_string_equal(c->items[0], "CRCN-4.1@2");
    assert_string_equal(c->items[1], "CRCN-4.2@3");
    assert_int_equal(c->line, 5);
    assert_int_equal(frontmatter_line(fm, "id", 0), 2);
    assert_int_equal(frontmatter_line(fm, "missing", 42), 42);
    assert_null(frontmatter_str(fm, "competencies"));
    assert_null(frontmatter_str(fm, "nope"));
    assert_int_equal(fm->body_line, 8);
    assert_string_equal(src + fm->body_offset, "# Title\nbody\n");
    frontmatter_free(fm);
}

static void test_block_list_crlf_bom_and_empty(void **state) {
    (void)state;
    perr err = {{0}};
    size_t line;
    frontmatter *fm = parse("\xEF\xBB\xBF---\r\ntitle: T\r\ncompetencies:\r\n  - A@1\r\n  - B@2\r\n---\r\nx", &line, &err);
    assert_non_null(fm);
    assert_string_equal(frontmatter_str(fm, "title"), "T");
    assert_int_equal(frontmatter_get(fm, "competencies")->nitems, 2);
    assert_int_equal(frontmatter_get(fm, "competencies")->line, 3);
    frontmatter_free(fm);
    fm = parse("---\n---\n", &line, &err);
    assert_non_null(fm);
    assert_int_equal(fm->n, 0);
    assert_int_equal(fm->body_line, 3);
    frontmatter_free(fm);
    /* an escaped quote in a flow map value stays a text when the value is a scalar */
    fm = parse("---\nsummary: \"Le \\\"bon\\\" réflexe\"\n---\n", &line, &err);
    assert_non_null(fm);
    assert_string_equal(frontmatter_str(fm, "summary"), "Le \"bon\" réflexe");
    frontmatter_free(fm);
}

#define FAILS(src, want_line, want_msg)                      \
    do {                                                     \
        size_t l_ = 0;                                       \
        perr e_ = {{0}};                                     \
        assert_null(parse(src, &l_, &e_));                   \
        assert_int_equal(l_, want_line);                     \
        assert_non_null(strstr(e_.msg, want_msg));           \
    } while (0)

static void test_errors(void **state) {
    (void)state;
    FAILS("# no front matter\n", 1, "must start with");
    FAILS("", 1, "must start with");
    FAILS("---\ntitle: x\n", 1, "no closing");
    FAILS("---\ntitle: [unclosed\n---\n", 3, "invalid YAML");
    FAILS("---\nid: a\nid: b\n---\n", 3, "duplicate key \"id\"");
    FAILS("---\n- a\n- b\n---\n", 2, "key: value");
    FAILS("---\nname: {fr: x}\n---\n", 2, "not a mapping");
    FAILS("---\nlist: [a, [b]]\n---\n", 2, "list of texts");
    FAILS("---\n[a]: b\n---\n", 2, "plain word");
    FAILS("---\ntitle: \xC3\x28\n---\n", 2, "invalid UTF-8");
    FAILS("---\ntitle: x\n  bad: indent\n---\n", 3, "invalid YAML");
    FAILS("---\ntitle: x\nsummary: a\rb\n---\n", 3, "stray carriage return");
}

static void test_free_null(void **state) {
    (void)state;
    frontmatter_free(NULL);
    assert_null(frontmatter_get(NULL, "x"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_module_front_matter),
        cmocka_unit_test(test_block_list_crlf_bom_and_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
