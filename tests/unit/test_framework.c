/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for skills/framework: the framework CSV contract (header, fields, codes, areas,
 * descriptors), problem lines with numbers, and the display order of codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "skills/framework.h"

#define HEADER                                                                                        \
    "framework,framework_name,version,area,area_title_fr,area_title_en,code,title_fr,title_en,"       \
    "description_fr,description_en,level_1_fr,level_1_en,level_2_fr,level_2_en,level_3_fr,"          \
    "level_3_en,level_4_fr,level_4_en,level_5_fr,level_5_en,level_6_fr,level_6_en,level_7_fr,"       \
    "level_7_en,level_8_fr,level_8_en\n"
#define EMPTY16 ",,,,,,,,,,,,,,,,"

/* A row with the given framework, area, code and fr title (other optional fields empty). */
#define ROW(fw, area, code, title) fw ",Nom," "1," area ",Dom,Area," code "," title ",T,," EMPTY16 "\n"

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

/* Parses s; returns the problems text (caller frees) and the framework in *out. */
static char *parse(const char *s, framework **out) {
    buf p = BUF_INIT;
    *out = framework_parse(s, strlen(s), "f.csv", &p);
    return buf_detach(&p);
}

static void test_shipped_frameworks(void **state) {
    (void)state;
    static const struct { const char *file, *code; size_t n; int areas; } want[] = {
        {"courses/frameworks/crcn.csv", "CRCN", 16, 5},
        {"courses/frameworks/digcomp.csv", "DIGCOMP", 21, 5},
        {"courses/frameworks/example-it-skills.csv", "SIIN", 4, 2},
    };
    for (size_t k = 0; k < 3; k++) {
        size_t len;
        char *data = read_all(want[k].file, &len);
        buf p = BUF_INIT;
        framework *f = framework_parse(data, len, want[k].file, &p);
        if (!f) fprintf(stderr, "%s", buf_cstr(&p));
        assert_non_null(f);
        assert_int_equal(p.len, 0);
        assert_string_equal(f->code, want[k].code);
        assert_int_equal(f->n, want[k].n);
        assert_int_equal(f->items[f->n - 1].area, want[k].areas);
        for (size_t i = 1; i < f->n; i++) assert_true(framework_code_cmp(f->items[i - 1].code, f->items[i].code) < 0);
        if (k < 2)
            for (size_t i = 0; i < f->n; i++)
                for (int l = 0; l < FRAMEWORK_LEVELS; l++) {
                    assert_true(f->items[i].level_fr[l][0] != '\0');
                    assert_true(f->items[i].level_en[l][0] != '\0');
                }
        framework_free(f);
        buf_free(&p);
        free(data);
    }
}

static void test_fields_and_quotes(void **state) {
    (void)state;
    size_t len;
    char *data = read_all("courses/frameworks/example-it-skills.csv", &len);
    buf p = BUF_INIT;
    framework *f = framework_parse(data, len, "x.csv", &p);
    assert_non_null(f);
    assert_string_equal(f->name, "Référentiel interne des compétences informatiques, SI & infrastructure");
    assert_string_equal(f->version, "2025.1");
    assert_string_equal(f->items[1].code, "SIIN-1.2");
    assert_non_null(strstr(f->items[1].description_fr, "\"3-2-1\""));
    assert_string_equal(f->items[3].description_en, "");
    assert_string_equal(f->items[0].level_en[3], "Automates workstation deployment for a site and keeps its inventory.");
    assert_string_equal(f->items[0].level_en[4], "");
    assert_string_equal(f->items[2].area_title_en, "Development");
    assert_int_equal(f->items[2].line, 4);
    framework_free(f);
    buf_free(&p);
    free(data);
}

static void test_sorted_by_code(void **state) {
    (void)state;
    framework *f;
    char *p = parse(HEADER ROW("X", "1", "X-1.10", "Dix") ROW("X", "1", "X-1.9", "Neuf") ROW("X", "1", "X-1.2", "Deux"), &f);
    assert_string_equal(p, "");
    assert_non_null(f);
    assert_string_equal(f->items[0].code, "X-1.2");
    assert_string_equal(f->items[1].code, "X-1.9");
    assert_string_equal(f->items[2].code, "X-1.10");
    assert_int_equal(f->items[2].line, 2);
    framework_free(f);
    free(p);
}

static void test_bad_header(void **state) {
    (void)state;
    framework *f;
    char *p = parse("framework,code\nX,X-1\n", &f);
    assert_null(f);
    assert_string_equal(p, "f.csv:1: unexpected header: 2 columns, expected 27 (see courses/frameworks/README.md)\n");
    free(p);
    char hdr[] = HEADER ROW("X", "1", "X-1", "Un");
    memcpy(strstr(hdr, ",title_fr,") + 1, "titre_fr", 8);
    p = parse(hdr, &f);
    assert_null(f);
    assert_string_equal(p, "f.csv:1: unexpected header: column 8 is 'titre_fr', expected 'title_fr'\n");
    free(p);
    p = parse("", &f);
    assert_null(f);
    assert_string_equal(p, "f.csv:1: empty file: expected the header row\n");
    free(p);
    p = parse(HEADER, &f);
    assert_null(f);
    assert_string_equal(p, "f.csv:2: no competency rows\n");
    free(p);
}

static void test_every_bad_line_reported(void **state) {
    (void)state;
    framework *f;
    char *p = parse(HEADER ROW("X", "1", "X-1", "Un")   /* line 2: fine */
                    ROW("X", "0", "X-2", "Deux")        /* 3: area */
                    ROW("X", "1", "Y-3", "Trois")       /* 4: code prefix */
                    ROW("X", "1", "X-4", "")            /* 5: empty title */
                    "X,Nom,1,1\n"                       /* 6: field count */
                    ROW("X", "1", "X-1", "Encore")      /* 7: duplicate */
                    ROW("x", "1", "x-8", "Huit")        /* 8: framework code */
                    ROW("X", "2", "X-9", " Neuf"),      /* 9: leading space */
                    &f);
    assert_null(f);
    assert_string_equal(p,
        "f.csv:3: area must be a positive integer: 0\n"
        "f.csv:4: malformed code 'Y-3': expected X- followed by letters, digits, '.', '_' or '-'\n"
        "f.csv:5: required field is empty: title_fr\n"
        "f.csv:6: 4 fields, expected 27\n"
        "f.csv:8: malformed framework code (A-Z, 0-9, _; 16 characters at most): x\n"
        "f.csv:8: framework 'x' differs from the first row ('X')\n"
        "f.csv:9: leading or trailing space: title_fr\n"
        "f.csv:7: duplicate code 'X-1' (first on line 2)\n");
    free(p);
}

static void test_rows_must_agree(void **state) {
    (void)state;
    framework *f;
    char *p = parse(HEADER ROW("X", "1", "X-1", "Un") "X,Autre,1,1,Dom,Area,X-2,Deux,T,," EMPTY16 "\n"
                    "X,Nom,2,1,Dom,Area,X-3,Trois,T,," EMPTY16 "\n"
                    "X,Nom,1,1,Domaine,Area,X-4,Quatre,T,," EMPTY16 "\n",
                    &f);
    assert_null(f);
    assert_string_equal(p,
        "f.csv:3: framework_name 'Autre' differs from the first row ('Nom')\n"
        "f.csv:4: version '2' differs from the first row ('1')\n"
        "f.csv:5: area 1 titles differ from line 2\n");
    free(p);
}

static void test_descriptor_length(void **state) {
    (void)state;
    buf s = BUF_INIT;
    buf_puts(&s, HEADER "X,Nom,1,1,,,X-1,Un,One,,,");
    for (int i = 0; i < 160; i++) buf_puts(&s, "é"); /* 160 code points, 320 bytes: fine */
    buf_puts(&s, ",,,,,,,,,,,,,,,\nX,Nom,1,1,,,X-2,Deux,Two,,,,");
    for (int i = 0; i < 161; i++) buf_puts(&s, "e");
    buf_puts(&s, ",,,,,,,,,,,,,,\n");
    framework *f;
    char *p = parse(buf_cstr(&s), &f);
    assert_null(f);
    assert_string_equal(p, "f.csv:3: level descriptor longer than 160 characters: level_1_en\n");
    free(p);
    buf_free(&s);
}

static void test_csv_syntax_error(void **state) {
    (void)state;
    framework *f;
    char *p = parse(HEADER "X,Nom,1,1,,,X-1,\"Un,One\n", &f);
    assert_null(f);
    assert_non_null(strstr(p, "f.csv:2: "));
    free(p);
}

static void test_code_cmp(void **state) {
    (void)state;
    assert_true(framework_code_cmp("CRCN-1.9", "CRCN-1.10") < 0);
    assert_true(framework_code_cmp("CRCN-2.1", "CRCN-1.10") > 0);
    assert_int_equal(framework_code_cmp("CRCN-1.1", "CRCN-1.1"), 0);
    assert_true(framework_code_cmp("X-01", "X-1") != 0);
    assert_true(framework_code_cmp("X-01", "X-2") < 0);
    assert_true(framework_code_cmp("CRCN-1", "CRCN-1.1") < 0);
    assert_true(framework_code_cmp("A-b", "A-c") < 0);
    assert_true(framework_code_cmp("A-2", "A-10") < 0);
    assert_true(framework_code_cmp("CRCN-5.2", "DIGCOMP-1.1") < 0);
    assert_true(framework_competency_code_valid("SIIN", "SIIN-2.1"));
    assert_false(framework_competency_code_valid("SIIN", "SIIN-"));
    assert_false(framework_competency_code_valid("SIIN", "SIIN-2 1"));
    assert_false(framework_competency_code_valid("SIIN", "SIINX-1"));
    assert_true(framework_code_valid("DIG_COMP2"));
    assert_false(framework_code_valid("2DIG"));
    assert_false(framework_code_valid("ABCDEFGHIJKLMNOPQ"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_frameworks), cmocka_unit_test(test_fields_and_quotes),
        cmocka_unit_test(test_sorted_by_code),     cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_every_bad_line_reported), cmocka_unit_test(test_rows_must_agree),
        cmocka_unit_test(test_descriptor_length),  cmocka_unit_test(test_csv_syntax_error),
        cmocka_unit_test(test_code_cmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
