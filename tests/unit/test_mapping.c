/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for skills/mapping: the shipped CRCN-DigComp mapping and the mapping file rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "skills/mapping.h"

static char *parse(const char *s, mapping **out) {
    buf p = BUF_INIT;
    *out = mapping_parse(s, strlen(s), "m.csv", &p);
    return buf_detach(&p);
}

static bool has_pair(const mapping *m, const char *from, const char *to) {
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->pairs[i].from, from) && !strcmp(m->pairs[i].to, to)) return true;
    return false;
}

static void test_shipped_mapping(void **state) {
    (void)state;
    FILE *f = fopen("courses/frameworks/mapping.csv", "rb");
    assert_non_null(f);
    buf b = BUF_INIT, p = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    fclose(f);
    mapping *m = mapping_parse(b.data, b.len, "mapping.csv", &p);
    assert_non_null(m);
    assert_string_equal(m->from_fw, "CRCN");
    assert_string_equal(m->to_fw, "DIGCOMP");
    assert_int_equal(m->n, 27);
    /* the README's table: 4.3 -> 4.3 + 4.4, 5.2 -> 5.2 + 5.3 + 5.4, 2.4 -> 2.3 + 2.5 + 2.6 */
    assert_true(has_pair(m, "CRCN-4.3", "DIGCOMP-4.3"));
    assert_true(has_pair(m, "CRCN-4.3", "DIGCOMP-4.4"));
    assert_true(has_pair(m, "CRCN-5.2", "DIGCOMP-5.4"));
    assert_true(has_pair(m, "CRCN-2.4", "DIGCOMP-2.6"));
    assert_false(has_pair(m, "CRCN-4.1", "DIGCOMP-4.2"));
    /* every CRCN competence has a pair and every DigComp one is covered */
    static const char *const crcn[] = {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1",
                                       "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "5.2"};
    static const char *const dig[] = {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2",
                                      "3.3", "3.4", "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4"};
    for (size_t k = 0; k < 16; k++) {
        bool found = false;
        for (size_t i = 0; i < m->n; i++) found |= !strcmp(m->pairs[i].from + 5, crcn[k]);
        assert_true(found);
    }
    for (size_t k = 0; k < 21; k++) {
        bool found = false;
        for (size_t i = 0; i < m->n; i++) found |= !strcmp(m->pairs[i].to + 8, dig[k]);
        assert_true(found);
    }
    mapping_free(m);
    buf_free(&b);
    buf_free(&p);
}

static void test_bad_mappings(void **state) {
    (void)state;
    mapping *m;
    char *p = parse("crcn\nCRCN-1.1\n", &m);
    assert_null(m);
    assert_string_equal(p, "m.csv:1: unexpected header: expected two lowercase framework codes, e.g. crcn,digcomp\n");
    free(p);
    p = parse("crcn,crcn\n", &m);
    assert_null(m);
    free(p);
    p = parse("CRCN,digcomp\n", &m);
    assert_null(m);
    free(p);
    p = parse("crcn,digcomp\nCRCN-1.1,DIGCOMP-1.1\nCRCN-1.1\nDIGCOMP-1.1,CRCN-1.1\nCRCN-1.1,DIGCOMP-1.1\n", &m);
    assert_null(m);
    assert_string_equal(p,
        "m.csv:3: 1 fields, expected 2\n"
        "m.csv:4: 'DIGCOMP-1.1' is not a CRCN competency code\n"
        "m.csv:4: 'CRCN-1.1' is not a DIGCOMP competency code\n"
        "m.csv:5: duplicate pair CRCN-1.1,DIGCOMP-1.1 (first on line 2)\n");
    free(p);
    p = parse("", &m);
    assert_null(m);
    assert_string_equal(p, "m.csv:1: empty file: expected the header row\n");
    free(p);
    mapping_free(NULL);
}

static void test_small_mapping(void **state) {
    (void)state;
    mapping *m;
    char *p = parse("siin,crcn\nSIIN-1.1,CRCN-5.1\nSIIN-1.1,CRCN-4.1\n", &m);
    assert_string_equal(p, "");
    assert_non_null(m);
    assert_string_equal(m->from_fw, "SIIN");
    assert_int_equal(m->n, 2);
    assert_int_equal(m->pairs[1].line, 3);
    mapping_free(m);
    free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_mapping),
        cmocka_unit_test(test_bad_mappings),
        cmocka_unit_test(test_small_mapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
