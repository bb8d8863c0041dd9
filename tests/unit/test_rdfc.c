/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/rdfc: W3C rdf-canon RDFC-1.0 test vectors (inputs and expected
 * outputs of the test suite, tests 016-030, 076, 077) including tied first-degree hashes,
 * plus the UTF-16 ordering rdf-canonize uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/rdfc.h"

#define V "http://example.org/vocab#"

/* Canonicalises input without a work limit (the W3C suite needs more than jsonld.js's
 * default factor for the circles) and compares with expected. */
static void check(const char *input, const char *expected) {
    rdf_quads *q = rdf_quads_new();
    perr err = {""};
    assert_true(rdf_quads_parse(q, input, &err));
    char *out = NULL;
    if (!rdfc_canonicalize(q, -1, &out, &err)) fail_msg("%s", err.msg);
    assert_string_equal(out, expected);
    free(out);
    rdf_quads_free(q);
}

static void test_no_blank_nodes(void **state) {
    (void)state;
    check("", "");
    /* test076: duplicate quads count once */
    check("<https://www.example.org/s> <https://www.example.org/p> <https://www.example.org/o> .\n"
          "<https://www.example.org/s> <https://www.example.org/p> <https://www.example.org/o> .\n",
          "<https://www.example.org/s> <https://www.example.org/p> <https://www.example.org/o> .\n");
    /* test077 */
    check("<https://www.example.org/s> <https://www.example.org/p> _:o .\n"
          "<https://www.example.org/s> <https://www.example.org/p> _:o .\n",
          "<https://www.example.org/s> <https://www.example.org/p> _:c14n0 .\n");
}

static void test_simple_links(void **state) {
    (void)state;
    /* test017: dual link */
    check("<http://example.org/test> <" V "A> _:e0 .\n<http://example.org/test> <" V "B> _:e0 .\n",
          "<http://example.org/test> <" V "A> _:c14n0 .\n<http://example.org/test> <" V "B> _:c14n0 .\n");
    /* test019: disjoint self links (tied first-degree hashes) */
    check("_:e0 <" V "self> _:e0 .\n_:e1 <" V "self> _:e1 .\n",
          "_:c14n0 <" V "self> _:c14n0 .\n_:c14n1 <" V "self> _:c14n1 .\n");
    /* test020: diamond */
    check("<" V "test> <" V "A> _:e0 .\n<" V "test> <" V "B> _:e1 .\n"
          "_:e0 <" V "next> _:e2 .\n_:e1 <" V "next> _:e2 .\n",
          "<" V "test> <" V "A> _:c14n2 .\n<" V "test> <" V "B> _:c14n0 .\n"
          "_:c14n0 <" V "next> _:c14n1 .\n_:c14n2 <" V "next> _:c14n1 .\n");
}

static void test_circles(void **state) {
    (void)state;
    /* test021: circle of 2 (tied) */
    check("_:e0 <" V "next> _:e1 .\n_:e1 <" V "next> _:e0 .\n",
          "_:c14n0 <" V "next> _:c14n1 .\n_:c14n1 <" V "next> _:c14n0 .\n");
    /* test022: double circle of 2 */
    check("_:e0 <" V "next> _:e1 .\n_:e0 <" V "prev> _:e1 .\n_:e1 <" V "next> _:e0 .\n_:e1 <" V "prev> _:e0 .\n",
          "_:c14n0 <" V "next> _:c14n1 .\n_:c14n0 <" V "prev> _:c14n1 .\n"
          "_:c14n1 <" V "next> _:c14n0 .\n_:c14n1 <" V "prev> _:c14n0 .\n");
    /* test023: circle of 3 */
    check("_:e0 <" V "next> _:e1 .\n_:e1 <" V "next> _:e2 .\n_:e2 <" V "next> _:e0 .\n",
          "_:c14n0 <" V "next> _:c14n1 .\n_:c14n1 <" V "next> _:c14n2 .\n_:c14n2 <" V "next> _:c14n0 .\n");
    /* test024, test026, test028: double circle of 3 in three input orders, one result */
    const char *expected = "_:c14n0 <" V "next> _:c14n2 .\n_:c14n0 <" V "prev> _:c14n1 .\n"
                           "_:c14n1 <" V "next> _:c14n0 .\n_:c14n1 <" V "prev> _:c14n2 .\n"
                           "_:c14n2 <" V "next> _:c14n1 .\n_:c14n2 <" V "prev> _:c14n0 .\n";
    check("_:e0 <" V "next> _:e1 .\n_:e0 <" V "prev> _:e2 .\n_:e1 <" V "next> _:e2 .\n"
          "_:e1 <" V "prev> _:e0 .\n_:e2 <" V "next> _:e0 .\n_:e2 <" V "prev> _:e1 .\n",
          expected);
    check("_:e1 <" V "next> _:e2 .\n_:e1 <" V "prev> _:e0 .\n_:e0 <" V "next> _:e1 .\n"
          "_:e0 <" V "prev> _:e2 .\n_:e2 <" V "next> _:e0 .\n_:e2 <" V "prev> _:e1 .\n",
          expected);
    check("_:e2 <" V "next> _:e0 .\n_:e2 <" V "prev> _:e1 .\n_:e1 <" V "next> _:e2 .\n"
          "_:e1 <" V "prev> _:e0 .\n_:e0 <" V "next> _:e1 .\n_:e0 <" V "prev> _:e2 .\n",
          expected);
    /* test030: point at circle of 3 */
    check("<" V "test> <" V "A> _:e0 .\n<" V "test> <" V "B> _:e1 .\n<" V "test> <" V "C> _:e2 .\n"
          "_:e0 <" V "next> _:e1 .\n_:e1 <" V "next> _:e2 .\n_:e2 <" V "next> _:e0 .\n",
          "<" V "test> <" V "A> _:c14n0 .\n<" V "test> <" V "B> _:c14n1 .\n<" V "test> <" V "C> _:c14n2 .\n"
          "_:c14n0 <" V "next> _:c14n1 .\n_:c14n1 <" V "next> _:c14n2 .\n_:c14n2 <" V "next> _:c14n0 .\n");
}

static void test_escapes_and_graphs(void **state) {
    (void)state;
    /* the canonical N-Quads example of RDFC-1.0: control characters in a literal */
    check("<urn:ex:s> <urn:ex:p> \"\\u0008\\u0009\\u000a\\u000b\\u000c\\u000d\\u0022\\u005c\\u007f\" .\n",
          "<urn:ex:s> <urn:ex:p> \"\\b\\t\\n\\u000B\\f\\r\\\"\\\\\\u007F\" .\n");
    /* a blank node used as a graph name (expected output from rdf-canonize 5.0.0) */
    check("<http://example.org/test> <" V "A> _:e0 .\n<http://example.org/test> <" V "graph> _:g1 .\n"
          "<http://example.org/test> <" V "A> _:e0 _:g1 .\n",
          "<http://example.org/test> <" V "A> _:c14n0 .\n"
          "<http://example.org/test> <" V "A> _:c14n0 _:c14n1 .\n"
          "<http://example.org/test> <" V "graph> _:c14n1 .\n");
}

/* The default work factor is jsonld.js's: the circle of 2 needs 4 deep iterations, more
 * than 2^1, and rdf-canonize refuses it too; a factor of 2 allows it. */
static void test_work_limit(void **state) {
    (void)state;
    rdf_quads *q = rdf_quads_new();
    assert_true(rdf_quads_parse(q, "_:e0 <" V "next> _:e1 .\n_:e1 <" V "next> _:e0 .\n", NULL));
    char *out = NULL;
    perr err = {""};
    assert_false(rdfc_canonicalize(q, RDFC_WORK_DEFAULT, &out, &err));
    assert_non_null(strstr(err.msg, "maximum deep iterations"));
    assert_true(rdfc_canonicalize(q, 2, &out, &err));
    free(out);
    rdf_quads_free(q);
}

/* Whatever the work factor, the permutations are bounded: the complete bipartite graph
 * K(2,9) of tied blank nodes would need millions of them. */
static void test_permutation_budget(void **state) {
    (void)state;
    buf text = BUF_INIT;
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 9; l++) buf_printf(&text, "_:h%d <" V "p> _:l%d .\n", h, l);
    rdf_quads *q = rdf_quads_new();
    assert_true(rdf_quads_parse(q, buf_cstr(&text), NULL));
    char *out = NULL;
    perr err = {""};
    assert_false(rdfc_canonicalize(q, -1, &out, &err));
    assert_non_null(strstr(err.msg, "too many permutations"));
    rdf_quads_free(q);
    buf_free(&text);
}

static void test_utf16_order(void **state) {
    (void)state;
    assert_true(rdfc_utf16_cmp("a", "b") < 0);
    assert_true(rdfc_utf16_cmp("ab", "a") > 0);
    assert_int_equal(rdfc_utf16_cmp("é", "é"), 0);
    /* U+1F600 is a surrogate pair (D83D DE00) and sorts before U+FF01 in UTF-16 */
    assert_true(rdfc_utf16_cmp("x😀", "x！") < 0);
    assert_true(strcmp("x😀", "x！") > 0);
    assert_true(rdfc_utf16_cmp("😀", "😁") < 0);
}

/* The canonical form itself, not only the comparator: two literals on one subject and
 * predicate sort in UTF-16 code unit order ("x😀" first), as rdf-canonize sorts them; a
 * sort by bytes would put "x！" (EF BC 81) before "x😀" (F0 9F 98 80). */
static void test_utf16_order_in_canonical_form(void **state) {
    (void)state;
    check("_:b <urn:ex:p> \"x！\" .\n_:b <urn:ex:p> \"x😀\" .\n",
          "_:c14n0 <urn:ex:p> \"x😀\" .\n_:c14n0 <urn:ex:p> \"x！\" .\n");
    check("<urn:ex:s> <urn:ex:p> \"x😀\" .\n<urn:ex:s> <urn:ex:p> \"x！\" .\n",
          "<urn:ex:s> <urn:ex:p> \"x😀\" .\n<urn:ex:s> <urn:ex:p> \"x！\" .\n");
}

/* W3C test 060: \u0000 is a character like any other (written back as \u0000); test 075:
 * SHA-384 chosen, and the issued identifiers map. */
static void test_nul_sha384_and_map(void **state) {
    (void)state;
    check("<urn:ex:s> <urn:ex:p> \"a\\u0000b\\U00000000\" .\n<urn:ex:\\u0000> <urn:ex:p> \"c\" .\n",
          "<urn:ex:\\u0000> <urn:ex:p> \"c\" .\n<urn:ex:s> <urn:ex:p> \"a\\u0000b\\u0000\" .\n");
    rdf_quads *q = rdf_quads_new();
    assert_true(rdf_quads_parse(q, "_:x <urn:ex:p> _:y .\n", NULL));
    char *out256 = NULL, *out384 = NULL, *map = NULL;
    perr err = {""};
    rdfc_opts o = {-1, false, NULL};
    assert_true(rdfc_canonicalize_opts(q, &o, &out256, &err));
    o.sha384 = true;
    o.map = &map;
    assert_true(rdfc_canonicalize_opts(q, &o, &out384, &err));
    assert_non_null(map);
    /* the map names the labels the N-Quads use: x is the subject */
    bool x_first = !strcmp(map, "{\"x\":\"c14n0\",\"y\":\"c14n1\"}\n");
    assert_true(x_first || !strcmp(map, "{\"y\":\"c14n0\",\"x\":\"c14n1\"}\n"));
    assert_string_equal(out384, x_first ? "_:c14n0 <urn:ex:p> _:c14n1 .\n" : "_:c14n1 <urn:ex:p> _:c14n0 .\n");
    assert_true(!strcmp(out256, "_:c14n0 <urn:ex:p> _:c14n1 .\n") || !strcmp(out256, "_:c14n1 <urn:ex:p> _:c14n0 .\n"));
    free(out256);
    free(out384);
    free(map);
    rdf_quads_free(q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_blank_nodes),
        cmocka_unit_test(test_simple_links),
        cmocka_unit_test(test_circles),
        cmocka_unit_test(test_escapes_and_graphs),
        cmocka_unit_test(test_work_limit),
        cmocka_unit_test(test_permutation_budget),
        cmocka_unit_test(test_utf16_order),
        cmocka_unit_test(test_utf16_order_in_canonical_form),
        cmocka_unit_test(test_nul_sha384_and_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
