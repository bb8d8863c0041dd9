/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for core/utf8: strict validation, decoding/encoding, and folding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"

#define VALID(lit) utf8_valid(lit, sizeof(lit) - 1)

static void test_valid_accepts_well_formed(void **state) {
    (void)state;
    assert_true(VALID(""));
    assert_true(VALID("plain ascii"));
    assert_true(VALID("\x00"));
    assert_true(VALID("Évaluation réussie, cœur, Ça"));
    assert_true(VALID("\xC2\x80"));             /* U+0080, smallest 2-byte */
    assert_true(VALID("\xDF\xBF"));             /* U+07FF */
    assert_true(VALID("\xE0\xA0\x80"));         /* U+0800, smallest 3-byte */
    assert_true(VALID("\xED\x9F\xBF"));         /* U+D7FF, just below surrogates */
    assert_true(VALID("\xEE\x80\x80"));         /* U+E000, just above surrogates */
    assert_true(VALID("\xEF\xBF\xBF"));         /* U+FFFF */
    assert_true(VALID("\xF0\x90\x80\x80"));     /* U+10000 */
    assert_true(VALID("\xF4\x8F\xBF\xBF"));     /* U+10FFFF */
    assert_true(VALID("\xF0\x9F\x8E\x93 ok")); /* emoji */
}

static void test_valid_rejects_ill_formed(void **state) {
    (void)state;
    assert_false(VALID("\x80"));                 /* lone continuation */
    assert_false(VALID("\xBF"));
    assert_false(VALID("\xC0\xAF"));             /* overlong '/' */
    assert_false(VALID("\xC1\xBF"));             /* overlong */
    assert_false(VALID("\xE0\x80\xAF"));         /* overlong 3-byte */
    assert_false(VALID("\xE0\x9F\xBF"));         /* overlong U+07FF */
    assert_false(VALID("\xF0\x80\x80\xAF"));     /* overlong 4-byte */
    assert_false(VALID("\xF0\x8F\xBF\xBF"));     /* overlong U+FFFF */
    assert_false(VALID("\xED\xA0\x80"));         /* U+D800 surrogate */
    assert_false(VALID("\xED\xBF\xBF"));         /* U+DFFF surrogate */
    assert_false(VALID("\xF4\x90\x80\x80"));     /* U+110000 */
    assert_false(VALID("\xF5\x80\x80\x80"));
    assert_false(VALID("\xFE"));
    assert_false(VALID("\xFF"));
    assert_false(VALID("\xC3"));                 /* truncated */
    assert_false(VALID("\xE2\x82"));             /* truncated */
    assert_false(VALID("\xF0\x9F\x8E"));         /* truncated */
    assert_false(VALID("\xC3\x28"));             /* bad continuation */
    assert_false(VALID("\xE2\x28\xA1"));
    assert_false(VALID("\xE2\x82\x28"));
    /* A truncated sequence must be rejected even when the length cuts it off. */
    assert_false(utf8_valid("\xC3\xA9", 1));
}

static void test_check_reports_offset(void **state) {
    (void)state;
    size_t bad = 999;
    const char *s = "abc\xC3\xA9" "d\xFF" "e";
    assert_false(utf8_check(s, strlen(s), &bad));
    assert_int_equal(bad, 6);
    bad = 999;
    assert_true(utf8_check("été", strlen("été"), &bad));
    assert_int_equal(bad, 999);
}

static void test_decode_and_encode_roundtrip(void **state) {
    (void)state;
    const uint32_t cps[] = {0x41, 0xE9, 0x7FF, 0x800, 0x20AC, 0xFFFF, 0x10000, 0x1F393, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        buf b = BUF_INIT;
        utf8_encode(&b, cps[i]);
        assert_true(utf8_valid(b.data, b.len));
        size_t pos = 0;
        assert_int_equal(utf8_decode(b.data, b.len, &pos), cps[i]);
        assert_int_equal(pos, b.len);
        buf_free(&b);
    }
    /* surrogates and out-of-range values encode as U+FFFD */
    buf b = BUF_INIT;
    utf8_encode(&b, 0xD800);
    utf8_encode(&b, 0x110000);
    assert_string_equal(buf_cstr(&b), "\xEF\xBF\xBD\xEF\xBF\xBD");
    buf_free(&b);
    /* an ill-formed byte decodes as U+FFFD and advances by one */
    size_t pos = 0;
    assert_int_equal(utf8_decode("\xFF" "a", 2, &pos), 0xFFFD);
    assert_int_equal(pos, 1);
}

static void assert_folds(const char *in, const char *want) {
    buf b = BUF_INIT;
    utf8_fold(&b, in, strlen(in));
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void test_fold_french(void **state) {
    (void)state;
    assert_folds("Élève", "eleve");
    assert_folds("ÇA VA À L'ÉCOLE", "ca va a l'ecole");
    assert_folds("cœur Œuvre", "coeur oeuvre");
    assert_folds("Lætitia ÆSOP", "laetitia aesop");
    assert_folds("Ÿ ÿ ï î ô û ù ê è ë â", "y y i i o u u e e e a");
    assert_folds("l’adresse", "l'adresse");
    assert_folds("Hameçonnage", "hameconnage");
}

static void test_fold_other_eu_latin(void **state) {
    (void)state;
    assert_folds("Straße STRASSE \xE1\xBA\x9E", "strasse strasse ss");
    assert_folds("Łódź", "lodz");
    assert_folds("Škoda Čapek Řeka", "skoda capek reka");
    assert_folds("Ångström Øre", "angstrom ore");
    assert_folds("Ĳssel", "ijssel");
    assert_folds("Őrség Űrlap", "orseg urlap");
    assert_folds("Ștefan Țară", "stefan tara");
    assert_folds("Þór Ðað", "thor dad");
    assert_folds("ΑΘΗΝΑ МОСКВА", "αθηνα москва");
    /* × and ÷ are not letters: kept */
    assert_folds("2×3÷1", "2×3÷1");
}

static void test_fold_combining_marks(void **state) {
    (void)state;
    /* "école" in NFD: e + U+0301 */
    assert_folds("e\xCC\x81" "cole", "ecole");
    assert_folds("E\xCC\x81" "T\xCC\x81", "et");
    /* a mark alone after a space does not leave a trailing space */
    assert_folds("a \xCC\x81", "a");
}

static void test_fold_spaces(void **state) {
    (void)state;
    assert_folds("  deux   mots  ", "deux mots");
    assert_folds("\t\r\nA\n\nB\t", "a b");
    assert_folds("Quoi\xC2\xA0?", "quoi ?");      /* no-break space */
    assert_folds("Quoi\xE2\x80\xAF!", "quoi !");  /* narrow no-break space */
    assert_folds("", "");
    assert_folds("   ", "");
}

static void test_fold_invalid_bytes(void **state) {
    (void)state;
    assert_folds("A\xFF" "B", "a\xEF\xBF\xBD" "b");
    /* appends: existing content is kept */
    buf b = BUF_INIT;
    buf_puts(&b, "x:");
    utf8_fold(&b, "Y", 1);
    assert_string_equal(buf_cstr(&b), "x:y");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_accepts_well_formed),
        cmocka_unit_test(test_valid_rejects_ill_formed),
        cmocka_unit_test(test_check_reports_offset),
        cmocka_unit_test(test_decode_and_encode_roundtrip),
        cmocka_unit_test(test_fold_french),
        cmocka_unit_test(test_fold_other_eu_latin),
        cmocka_unit_test(test_fold_combining_marks),
        cmocka_unit_test(test_fold_spaces),
        cmocka_unit_test(test_fold_invalid_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
