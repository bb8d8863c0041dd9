/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/rdf: N-Quads serialisation of every term kind with RDFC-1.0
 * escaping, and the N-Quads reader (escapes decoded, errors reported). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/rdf.h"

static char *write_all(const rdf_quads *q) {
    buf b = BUF_INIT;
    rdf_quads_write(&b, q);
    return buf_detach(&b);
}

static void test_terms(void **state) {
    (void)state;
    rdf_quads *q = rdf_quads_new();
    rdf_quads_add(q, rdf_iri("urn:s"), rdf_iri("urn:p"), rdf_literal("plain", NULL), rdf_default_graph());
    rdf_quads_add(q, rdf_blank("b0"), rdf_iri("urn:p"),
                  rdf_literal("2024-01-01T00:00:00Z", "http://www.w3.org/2001/XMLSchema#dateTime"),
                  rdf_blank("g"));
    rdf_quads_add(q, rdf_iri("urn:s"), rdf_iri("urn:p"), rdf_literal("x", RDF_XSD_STRING), rdf_iri("urn:g"));
    rdf_quads_add(q, rdf_iri("urn:s"), rdf_iri("urn:p"), rdf_lang_literal("Bonjour", "fr"), rdf_default_graph());
    char *s = write_all(q);
    assert_string_equal(s,
                        "<urn:s> <urn:p> \"plain\" .\n"
                        "_:b0 <urn:p> \"2024-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> _:g .\n"
                        "<urn:s> <urn:p> \"x\" <urn:g> .\n"
                        "<urn:s> <urn:p> \"Bonjour\"@fr .\n");
    free(s);
    rdf_quads_free(q);
    rdf_quads_free(NULL);
}

static void test_literal_escaping(void **state) {
    (void)state;
    rdf_quads *q = rdf_quads_new();
    rdf_quads_add(q, rdf_iri("urn:s"), rdf_iri("urn:p"),
                  rdf_literal("q\" b\\ n\n r\r t\t b\b f\f v\v e\x1b del\x7f é😀 ' /", NULL),
                  rdf_default_graph());
    char *s = write_all(q);
    assert_string_equal(s, "<urn:s> <urn:p> \"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f v\\u000B e\\u001B "
                           "del\\u007F é😀 ' /\" .\n");
    free(s);
    rdf_quads_free(q);
}

static void test_iri_escaping(void **state) {
    (void)state;
    rdf_quads *q = rdf_quads_new();
    rdf_quads_add(q, rdf_iri("urn:a b"), rdf_iri("urn:p"), rdf_iri("urn:<x>é"), rdf_default_graph());
    char *s = write_all(q);
    assert_string_equal(s, "<urn:a\\u0020b> <urn:p> <urn:\\u003Cx\\u003Eé> .\n");
    free(s);
    rdf_quads_free(q);
}

static void test_parse_round_trip(void **state) {
    (void)state;
    const char *text = "# comment\n"
                       "<urn:s> <urn:p> \"a\\u00E9\\U0001F600\\t\\\"\" .\n"
                       "\n"
                       "_:e0 <urn:p> \"1\"^^<urn:dt> _:g1 .\n"
                       "<urn:s> <urn:p> \"hi\"@en-GB <urn:g> .\n"
                       "<urn:s> <urn:p> \"x\"^^<http://www.w3.org/2001/XMLSchema#string> .\n";
    rdf_quads *q = rdf_quads_new();
    perr err = {""};
    assert_true(rdf_quads_parse(q, text, &err));
    assert_int_equal(q->len, 4);
    assert_string_equal(q->items[0].o.value, "aé😀\t\"");
    assert_int_equal(q->items[1].s.kind, RDF_BLANK);
    assert_string_equal(q->items[1].s.value, "e0");
    assert_string_equal(q->items[1].g.value, "g1");
    assert_string_equal(q->items[2].o.lang, "en-GB");
    assert_null(q->items[3].o.datatype);
    char *s = write_all(q);
    assert_string_equal(s, "<urn:s> <urn:p> \"aé😀\\t\\\"\" .\n"
                           "_:e0 <urn:p> \"1\"^^<urn:dt> _:g1 .\n"
                           "<urn:s> <urn:p> \"hi\"@en-GB <urn:g> .\n"
                           "<urn:s> <urn:p> \"x\" .\n");
    free(s);
    rdf_quads_free(q);
}

static void test_parse_errors(void **state) {
    (void)state;
    const char *bad[] = {
        "<urn:s> <urn:p> \"unterminated .\n",
        "<urn:s> _:p <urn:o> .\n",
        "<urn:s> <urn:p> <urn:o>\n",
        "\"lit\" <urn:p> <urn:o> .\n",
        "<urn:s> <urn:p> \"\\u00\" .\n",
        "<urn:s> <urn:p> <urn:o> . junk\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rdf_quads *q = rdf_quads_new();
        perr err = {""};
        assert_false(rdf_quads_parse(q, bad[i], &err));
        assert_non_null(strstr(err.msg, "line 1"));
        rdf_quads_free(q);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terms),
        cmocka_unit_test(test_literal_escaping),
        cmocka_unit_test(test_iri_escaping),
        cmocka_unit_test(test_parse_round_trip),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
