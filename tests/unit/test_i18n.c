/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for http/i18n: .po parsing (multi-line strings, escapes, contexts, plurals,
 * errors with line numbers), lookup fallback, Accept-Language negotiation, completeness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "http/i18n.h"
#include "testutil.h"

static const char FR_PO[] =
    "# Traduction française de Passport\n"
    "msgid \"\"\n"
    "msgstr \"\"\n"
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\"Language: fr\\n\"\n"
    "\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n"
    "\n"
    "#: web/templates/login.html:3\n"
    "msgid \"login.title\"\n"
    "msgstr \"Connexion\"\n"
    "\n"
    "msgid \"login.help\"\n"
    "msgstr \"\"\n"
    "\"Saisissez votre adresse \"\n"
    "   \"« professionnelle ».\"\n"
    "\n"
    "msgid \"escapes\"\n"
    "msgstr \"a\\tb\\nc \\\"q\\\" \\\\ \\101\\x42\"\n"
    "\n"
    "msgctxt \"menu\"\n"
    "msgid \"open\"\n"
    "msgstr \"Ouvrir\"\n"
    "\n"
    "msgid \"open\"\n"
    "msgstr \"Ouvert\"\n"
    "\n"
    "msgid \"count.modules\"\n"
    "msgid_plural \"count.modules.plural\"\n"
    "msgstr[0] \"{1} module\"\n"
    "msgstr[1] \"{1} modules\"\n"
    "\n"
    "#, fuzzy\n"
    "msgid \"fuzzy.key\"\n"
    "msgstr \"Pas sûr\"\n"
    "\n"
    "msgid \"untranslated\"\n"
    "msgstr \"\"\n"
    "\n"
    "msgid \"only.fr\"\n"
    "msgstr \"Seulement en français\"\n"
    "\n"
    "#~ msgid \"old.key\"\n"
    "#~ msgstr \"Obsolète\"\n";

static const char EN_PO[] =
    "msgid \"\"\r\n"
    "msgstr \"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\r\n"
    "msgid \"count.modules\"\r\n"
    "msgid_plural \"count.modules\"\r\n"
    "msgstr[0] \"{1} module\"\r\n"
    "msgstr[1] \"{1} modules (en)\"\r\n"
    "msgid \"login.title\"\r\n"
    "msgstr \"Sign in\"\r\n"
    "msgid \"login.help\"\r\n"
    "msgstr \"Enter your work address.\"\r\n";

static i18n_catalog *make_catalog(void) {
    i18n_catalog *c = i18n_new();
    perr err = {{0}};
    assert_true(i18n_add_po(c, "fr", FR_PO, sizeof FR_PO - 1, "fr.po", &err));
    assert_string_equal(err.msg, "");
    assert_true(i18n_add_po(c, "en", EN_PO, sizeof EN_PO - 1, "en.po", &err));
    return c;
}

static void test_po_parsing(void **state) {
    (void)state;
    i18n_catalog *c = make_catalog();
    assert_string_equal(i18n_get(c, "fr", "login.title"), "Connexion");
    assert_string_equal(i18n_get(c, "fr", "login.help"),
                        "Saisissez votre adresse « professionnelle ».");
    assert_string_equal(i18n_get(c, "fr", "escapes"), "a\tb\nc \"q\" \\ AB");
    assert_string_equal(i18n_get(c, "fr", "open"), "Ouvert");
    assert_string_equal(i18n_get(c, "fr", "menu\004open"), "Ouvrir");
    assert_string_equal(i18n_get(c, "fr", "count.modules"), "{1} module");
    /* fuzzy and untranslated entries fall back to the key; the header is no message */
    assert_string_equal(i18n_get(c, "fr", "fuzzy.key"), "fuzzy.key");
    assert_string_equal(i18n_get(c, "fr", "untranslated"), "untranslated");
    assert_string_equal(i18n_get(c, "fr", ""), "");
    assert_string_equal(i18n_get(c, "fr", "old.key"), "old.key");
    /* CRLF files */
    assert_string_equal(i18n_get(c, "en", "login.help"), "Enter your work address.");
    i18n_free(c);
    i18n_free(NULL);
}

/* French says "0 module, 1 module, 2 modules", English "0 modules, 1 module, 2 modules". */
static void test_plurals(void **state) {
    (void)state;
    i18n_catalog *c = make_catalog();
    assert_string_equal(i18n_nget(c, "fr", "count.modules", 0), "{1} module");
    assert_string_equal(i18n_nget(c, "fr", "count.modules", 1), "{1} module");
    assert_string_equal(i18n_nget(c, "fr", "count.modules", 2), "{1} modules");
    assert_string_equal(i18n_nget(c, "fr", "count.modules", 1000), "{1} modules");
    assert_string_equal(i18n_nget(c, "en", "count.modules", 0), "{1} modules (en)");
    assert_string_equal(i18n_nget(c, "en", "count.modules", 1), "{1} module");
    assert_string_equal(i18n_nget(c, "en-GB", "count.modules", 2), "{1} modules (en)");
    /* a singular entry, a missing one, the fallback to French with French's rule */
    assert_string_equal(i18n_nget(c, "fr", "login.title", 5), "Connexion");
    assert_string_equal(i18n_nget(c, "en", "no.such", 5), "no.such");
    assert_string_equal(i18n_nget(c, "de", "count.modules", 1), "{1} module");
    assert_string_equal(i18n_nget_at(c, -1, "count.modules", 3), "{1} modules");
    assert_string_equal(i18n_nget(NULL, "fr", "k", 1), "k");
    i18n_free(c);
    /* nplurals=1 and a header without spaces, rules of several files for one locale */
    c = i18n_new();
    static const char ja[] = "msgid \"\"\nmsgstr \"Plural-Forms:nplurals=1;plural=0\\n\"\n"
                             "msgid \"n\"\nmsgid_plural \"n\"\nmsgstr[0] \"{1} ko\"\n";
    assert_true(i18n_add_po(c, "ja", ja, sizeof ja - 1, "ja.po", NULL));
    assert_string_equal(i18n_nget(c, "ja", "n", 7), "{1} ko");
    i18n_free(c);
}

static void test_fallback_chain(void **state) {
    (void)state;
    i18n_catalog *c = make_catalog();
    assert_string_equal(i18n_get(c, "en", "login.title"), "Sign in");
    assert_string_equal(i18n_get(c, "en", "only.fr"), "Seulement en français");
    assert_string_equal(i18n_get(c, "en", "no.such.key"), "no.such.key");
    assert_string_equal(i18n_get(c, "en-GB", "login.title"), "Sign in");
    assert_string_equal(i18n_get(c, "EN_us", "login.title"), "Sign in");
    assert_string_equal(i18n_get(c, "de", "login.title"), "Connexion");
    assert_string_equal(i18n_get(c, NULL, "login.title"), "Connexion");
    assert_string_equal(i18n_get(NULL, "fr", "login.title"), "login.title");
    assert_true(i18n_has_locale(c, "fr"));
    assert_true(i18n_has_locale(c, "EN"));
    assert_false(i18n_has_locale(c, "en-GB"));
    assert_false(i18n_has_locale(c, "de"));
    assert_int_equal(i18n_locale_count(c), 2);
    assert_string_equal(i18n_locale_name(c, 0), "en");
    assert_string_equal(i18n_locale_name(c, 1), "fr");
    assert_int_equal(i18n_locale_index(c, "en-CA"), 0);
    assert_int_equal(i18n_locale_index(c, "es"), 1);
    assert_string_equal(i18n_get_at(c, -1, "login.title"), "Connexion");
    i18n_free(c);
}

static void test_negotiate(void **state) {
    (void)state;
    i18n_catalog *c = make_catalog();
    assert_string_equal(i18n_negotiate(c, NULL), "fr");
    assert_string_equal(i18n_negotiate(c, ""), "fr");
    assert_string_equal(i18n_negotiate(c, "en"), "en");
    assert_string_equal(i18n_negotiate(c, "en-GB,en;q=0.9"), "en");
    assert_string_equal(i18n_negotiate(c, "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"), "fr");
    assert_string_equal(i18n_negotiate(c, "de-DE, en;q=0.5, fr;q=0.4"), "en");
    assert_string_equal(i18n_negotiate(c, "fr;q=0.3, en;q=0.8"), "en");
    assert_string_equal(i18n_negotiate(c, "en;q=0, de"), "fr");
    assert_string_equal(i18n_negotiate(c, "de, es"), "fr");
    assert_string_equal(i18n_negotiate(c, "*"), "fr");
    assert_string_equal(i18n_negotiate(c, "en ; q=1.000 , fr;q=1"), "en");
    assert_string_equal(i18n_negotiate(c, "en;q=2, fr;q=0.1"), "fr"); /* bad q ignored */
    assert_string_equal(i18n_negotiate(c, "EN-us"), "en");
    assert_string_equal(i18n_negotiate(c, ",,;;q=,"), "fr");
    assert_string_equal(i18n_negotiate(NULL, "en"), "fr");
    i18n_free(c);

    /* "en" also matches a catalog that only has "en-GB" */
    c = i18n_new();
    assert_true(i18n_add_po(c, "en_GB", "", 0, "en_GB.po", NULL));
    assert_string_equal(i18n_negotiate(c, "en"), "en_GB");
    i18n_free(c);
}

static void collect(const char *key, void *ud) {
    buf *b = ud;
    buf_printf(b, "%s;", key);
}

static void test_missing(void **state) {
    (void)state;
    i18n_catalog *c = make_catalog();
    buf b = BUF_INIT;
    size_t n = i18n_missing(c, "en", collect, &b);
    assert_string_equal(buf_cstr(&b), "escapes;menu\004open;open;only.fr;");
    assert_int_equal(n, 4);
    assert_int_equal(i18n_missing(c, "fr", NULL, NULL), 0);
    assert_int_equal(i18n_missing(c, "de", NULL, NULL), 7);
    buf_free(&b);
    i18n_free(c);
}

/* Parses src as locale "xx" and returns the error message (static storage). */
static const char *po_err(const char *src) {
    static perr err;
    i18n_catalog *c = i18n_new();
    perr_clear(&err);
    bool ok = i18n_add_po(c, "xx", src, strlen(src), "xx.po", &err);
    assert_false(ok);
    assert_int_equal(i18n_locale_count(c), 0);
    i18n_free(c);
    return err.msg;
}

static void test_po_errors(void **state) {
    (void)state;
    assert_string_equal(po_err("msgid \"a\"\nmsgstr \"b\nmsgid \"c\"\n"), "xx.po:2: unterminated string");
    assert_string_equal(po_err("\n\nmsgstr \"b\"\n"), "xx.po:3: msgstr without msgid");
    assert_string_equal(po_err("msgid \"a\"\nmsgstr \"b\"\nmsgfoo \"c\"\n"), "xx.po:3: unknown keyword");
    assert_string_equal(po_err("msgid \"a\"\nmsgstr \"\\q\"\n"), "xx.po:2: unknown escape sequence");
    assert_string_equal(po_err("msgid \"a\"\nmsgstr \"\\0\"\n"), "xx.po:2: bad octal escape");
    assert_string_equal(po_err("msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\"\n"),
                        "xx.po:4: duplicate message definition");
    assert_string_equal(po_err("msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"z\"\n"), "xx.po:4: msgid without msgstr");
    /* past the index's first sizes (it grows with the entries): every entry found, a late duplicate seen */
    buf many = BUF_INIT;
    for (int i = 0; i < 300; i++) buf_printf(&many, "msgid \"k%d\"\nmsgstr \"v%d\"\n\n", i, i);
    i18n_catalog *big = i18n_new();
    perr many_err = {{0}};
    assert_true(i18n_add_po(big, "xx", many.data, many.len, "xx.po", &many_err));
    for (int i = 0; i < 300; i++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "v%d", i);
        assert_string_equal(i18n_get(big, "xx", k), v);
    }
    i18n_free(big);
    buf_puts(&many, "msgid \"k7\"\nmsgstr \"again\"\n");
    assert_string_equal(po_err(buf_cstr(&many)), "xx.po:901: duplicate message definition");
    buf_free(&many);

    assert_string_equal(po_err("msgid \"a\"\nmsgid \"b\"\nmsgstr \"\"\n"), "xx.po:1: msgid without msgstr");
    assert_string_equal(po_err("\"orphan\"\n"), "xx.po:1: string without keyword");
    assert_string_equal(po_err("msgid \"a\" junk\nmsgstr \"b\"\n"), "xx.po:1: unexpected text after string");
    assert_string_equal(po_err("msgid a\nmsgstr \"b\"\n"), "xx.po:1: expected a string in double quotes");
    assert_string_equal(po_err("msgid \"a\"\nmsgstr \"\xC3\"\n"), "xx.po:2: invalid UTF-8");
    assert_string_equal(po_err("msgid \"a\"\nmsgstr \"\\xff\"\n"), "xx.po:1: invalid UTF-8 in string");
    assert_string_equal(po_err("msgid \"a\"\nmsgstr[x] \"b\"\n"), "xx.po:2: bad msgstr index");
    assert_string_equal(po_err("msgctxt \"m\"\n"), "xx.po:2: msgctxt without msgid");
    /* plurals: only known rules, declared before use, with exactly nplurals forms */
    assert_string_equal(po_err("msgid \"\"\nmsgstr \"Plural-Forms: nplurals=3; plural=(n%10==1 ? 0 : 1);\\n\"\n"),
                        "xx.po:1: unsupported Plural-Forms \"nplurals=3;plural=(n%10==1?0:1)\" (known: nplurals=2; "
                        "plural=(n > 1) or (n != 1); nplurals=1; plural=0)");
    assert_string_equal(po_err("msgid \"a\"\nmsgid_plural \"a\"\nmsgstr[0] \"x\"\nmsgstr[1] \"y\"\n"),
                        "xx.po:1: msgid_plural without a Plural-Forms header before it");
    static const char hdr[] = "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n";
    char src[256];
    snprintf(src, sizeof src, "%smsgid \"a\"\nmsgid_plural \"a\"\nmsgstr[0] \"x\"\n", hdr);
    assert_string_equal(po_err(src), "xx.po:3: expected 2 plural forms (msgstr[0] to msgstr[1]), found 1");
    snprintf(src, sizeof src, "%smsgid \"a\"\nmsgid_plural \"a\"\nmsgstr[0] \"x\"\nmsgstr[2] \"y\"\n", hdr);
    assert_string_equal(po_err(src), "xx.po:6: msgstr[N] out of order");
    snprintf(src, sizeof src, "%smsgid \"a\"\nmsgstr[0] \"x\"\n", hdr);
    assert_string_equal(po_err(src), "xx.po:4: msgstr[N] without msgid_plural");
    snprintf(src, sizeof src, "%smsgid \"a\"\nmsgid_plural \"a\"\nmsgstr \"x\"\n", hdr);
    assert_string_equal(po_err(src), "xx.po:5: msgid_plural needs msgstr[N]");
    snprintf(src, sizeof src, "%smsgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n", hdr);
    assert_string_equal(po_err(src), "xx.po:3: conflicting Plural-Forms headers");

    perr err;
    i18n_catalog *c = i18n_new();
    assert_false(i18n_add_po(c, "../etc", "", 0, "x.po", &err));
    assert_string_equal(err.msg, "x.po: invalid locale name \"../etc\"");
    assert_true(i18n_add_po(c, "fr", "", 0, "fr.po", &err));
    assert_false(i18n_add_po(c, "FR", "", 0, "FR.po", &err));
    i18n_free(c);
}

static void test_load_dir(void **state) {
    (void)state;
    char dir[] = "/tmp/test_i18n_XXXXXX";
    assert_non_null(mkdtemp(dir));
    test_put(dir, "fr.po", FR_PO);
    test_put(dir, "en.po", EN_PO);
    test_put(dir, "README.txt", "not a catalog");
    perr err = {{0}};
    i18n_catalog *c = i18n_load_dir(dir, &err);
    assert_non_null(c);
    assert_int_equal(i18n_locale_count(c), 2);
    assert_string_equal(i18n_get(c, "en", "only.fr"), "Seulement en français");
    i18n_free(c);

    test_put(dir, "de.po", "msgid \"x\"\n\nmsgstr \"y\" z\n");
    c = i18n_load_dir(dir, &err);
    assert_null(c);
    char want[600];
    snprintf(want, sizeof want, "%s/de.po:3: unexpected text after string", dir);
    assert_string_equal(err.msg, want);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    assert_null(i18n_load_dir("/nonexistent/i18n", &err));
    assert_string_equal(err.msg, "/nonexistent/i18n: No such file or directory");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_po_parsing),
        cmocka_unit_test(test_plurals),
        cmocka_unit_test(test_fallback_chain),
        cmocka_unit_test(test_negotiate),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_po_errors),
        cmocka_unit_test(test_load_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
