/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for handlers/mail_worker: every message Passport mails (invitation, reset,
 * assignment, due soon, overdue, badge awarded and revoked, each call decision, call
 * invitation, re-check due, the daily digest) renders from the real templates and
 * catalogs (web/) in French and in English, as text and as HTML: a translated subject,
 * the sentence filled with its arguments, the absolute link in both parts, no markup in
 * the text part, and the two languages different (a missing English text would fall back
 * to the French one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glob.h>
#include <stdio.h>

#include "handlers/mail_worker.h"

typedef struct rendered {
    buf subject, text, html;
} rendered;

static void slurp(const char *path, buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot read %s", path);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(out, chunk, n);
    fclose(f);
    buf_putc(out, '\n');
}

/* The catalogs as the server loads them: <locale>.po, then every <area>.<locale>.po. */
static i18n_catalog *catalogs(void) {
    i18n_catalog *c = i18n_new();
    static const char *const locales[] = {"fr", "en"};
    for (size_t l = 0; l < 2; l++) {
        buf src = BUF_INIT;
        char pattern[64];
        snprintf(pattern, sizeof pattern, "web/i18n/%s.po", locales[l]);
        slurp(pattern, &src);
        snprintf(pattern, sizeof pattern, "web/i18n/*.%s.po", locales[l]);
        glob_t g;
        assert_int_equal(glob(pattern, 0, NULL, &g), 0);
        for (size_t i = 0; i < g.gl_pathc; i++) slurp(g.gl_pathv[i], &src);
        globfree(&g);
        perr err = {{0}};
        if (!i18n_add_po(c, locales[l], buf_cstr(&src), src.len, locales[l], &err)) fail_msg("%s", err.msg);
        buf_free(&src);
    }
    return c;
}

static app *test_app(void) {
    static app a;
    perr err = {{0}};
    memset(&a, 0, sizeof a);
    a.cfg.public_url = "https://passport.example.org";
    a.i18n = catalogs();
    a.tmpl = tmpl_set_load("web/templates", a.i18n, &err);
    if (!a.tmpl) fail_msg("%s", err.msg);
    return &a;
}

static void free_app(app *a) {
    tmpl_set_free(a->tmpl);
    i18n_free(a->i18n);
}

/* Renders the message (kind, msg_key, args as JSON, link) for Léa in locale. */
static void render(app *a, const char *locale, const char *kind, const char *msg_key, const char *args,
                   const char *link, rendered *r) {
    outbox_msg m = {.id = 1, .user_id = 1, .to = "lea@ex.fr", .locale = (char *)locale, .kind = (char *)kind,
                    .msg_key = (char *)msg_key, .link = (char *)link, .name = "Léa Martin",
                    .args = json_loads(args, 0, NULL)};
    assert_non_null(m.args);
    perr err = {{0}};
    memset(r, 0, sizeof *r);
    if (!mail_render(a, &m, &r->subject, &r->text, &r->html, &err)) fail_msg("%s/%s: %s", kind, locale, err.msg);
    json_decref(m.args);
}

static void rendered_free(rendered *r) {
    buf_free(&r->subject);
    buf_free(&r->text);
    buf_free(&r->html);
}

/* What every message must be, in one locale. */
static void check_one(const char *what, const rendered *r, const char *link, const char *must) {
    const char *subject = buf_cstr(&r->subject), *text = buf_cstr(&r->text), *html = buf_cstr(&r->html);
    if (!*subject || strstr(subject, "mail.") || strchr(subject, '{')) fail_msg("%s: subject \"%s\"", what, subject);
    if (strstr(text, "<p") || strstr(text, "<a ") || strstr(text, "&amp;") || strchr(text, '{'))
        fail_msg("%s: markup or a placeholder in the text part:\n%s", what, text);
    if (!strstr(html, "<a ") || strchr(html, '{')) fail_msg("%s: no link, or a placeholder, in the HTML part", what);
    if (link && (!strstr(text, link) || !strstr(html, link))) fail_msg("%s: the link %s is missing", what, link);
    if (!strstr(text, "Léa Martin") || !strstr(html, "Léa Martin")) fail_msg("%s: not addressed to Léa", what);
    /* the sentence, filled with its arguments (never the bare key) */
    if (must && (!strstr(text, must) || !strstr(html, must)))
        fail_msg("%s: \"%s\" missing from the message:\n%s", what, must, text);
    if (strstr(text, ".inbox.") || strstr(text, ".notice.") || strstr(html, ".inbox."))
        fail_msg("%s: an i18n key was not translated:\n%s", what, text);
}

/* The start of what a message says, in locale (up to its first placeholder or a
 * character HTML would escape): the notice's own sentence, or the body of an invitation,
 * reset or digest. Into out (64 bytes), which is returned. */
static const char *sentence(app *a, const char *locale, const char *kind, const char *msg_key, char out[64]) {
    char key[64];
    if (!*msg_key) snprintf(key, sizeof key, "mail.%s.body", kind);
    const char *text = i18n_get(a->i18n, locale, *msg_key ? msg_key : key);
    size_t n = strcspn(text, "{\"'<>&");
    snprintf(out, 64, "%.*s", (int)(n < 40 ? n : 40), text);
    if (n < 8) fail_msg("%s %s: the sentence \"%s\" is too short to be looked for", kind, locale, text);
    return out;
}

static void test_every_kind_in_both_languages(void **state) {
    (void)state;
    app *a = test_app();
    /* kind, msg_key, args, link, a word of the arguments the sentence must show */
    static const char *const cases[][5] = {
        {"invitation", "", "[]", "/password/set?t=00ff", NULL},
        {"reset", "", "[]", "/password/set?t=00ee", NULL},
        {"assignment", "paths.inbox.assigned", "[\"Sécurité numérique\", \"2027-01-15\"]", "/me/assignments",
         "Sécurité numérique"},
        {"due_soon", "paths.inbox.due_soon", "[\"Sécurité numérique\", \"2027-01-15\"]", "/me/assignments",
         "Sécurité numérique"},
        {"overdue", "paths.inbox.overdue", "[\"Sécurité numérique\", \"2027-01-15\"]", "/me/assignments",
         "Sécurité numérique"},
        {"badge_awarded", "badges.inbox.awarded", "[\"Données personnelles\"]", "/badges", "Données personnelles"},
        {"badge_revoked", "badges.inbox.revoked", "[\"Données personnelles\", \"erreur de saisie\"]", "/badges",
         "Données personnelles"},
        {"call_decision", "talent.inbox.shortlisted", "[\"Projet Alpha\"]", "/calls/3", "Projet Alpha"},
        {"call_decision", "talent.inbox.contacted", "[\"Projet Alpha\"]", "/calls/3", "Projet Alpha"},
        {"call_decision", "talent.inbox.declined", "[\"Projet Alpha\"]", "/calls/3", "Projet Alpha"},
        {"call_invite", "talent.inbox.invited", "[\"Projet Alpha\"]", "/calls/3", "Projet Alpha"},
        {"recheck", "positioning.notice.recheck", "[\"CRCN-4.2\", \"3\", \"2027-01-15\"]", "/me/rechecks", "CRCN-4.2"},
        {"digest", "", "[{\"key\": \"paths.inbox.assigned\", \"args\": [\"Sécurité numérique\", \"2027-01-15\"],"
                       " \"link\": \"/me/assignments\"}, {\"key\": \"badges.inbox.awarded\", \"args\": "
                       "[\"Données personnelles\"], \"link\": \"/badges\"}]",
         "/badges", "Données personnelles"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rendered fr, en;
        char what[96], link[128], sentence_fr[64], sentence_en[64];
        snprintf(link, sizeof link, "https://passport.example.org%s", cases[i][3]);
        render(a, "fr", cases[i][0], cases[i][1], cases[i][2], cases[i][3], &fr);
        render(a, "en", cases[i][0], cases[i][1], cases[i][2], cases[i][3], &en);
        snprintf(what, sizeof what, "%s %s fr", cases[i][0], cases[i][1]);
        check_one(what, &fr, link, cases[i][4]);
        check_one(what, &fr, link, sentence(a, "fr", cases[i][0], cases[i][1], sentence_fr));
        snprintf(what, sizeof what, "%s %s en", cases[i][0], cases[i][1]);
        check_one(what, &en, link, cases[i][4]);
        check_one(what, &en, link, sentence(a, "en", cases[i][0], cases[i][1], sentence_en));
        if (!strcmp(sentence_fr, sentence_en)) fail_msg("%s %s: no English sentence", cases[i][0], cases[i][1]);
        if (!strcmp(buf_cstr(&fr.subject), buf_cstr(&en.subject)) || !strcmp(buf_cstr(&fr.text), buf_cstr(&en.text)))
            fail_msg("%s %s: the English message is the French one", cases[i][0], cases[i][1]);
        rendered_free(&fr);
        rendered_free(&en);
    }
    free_app(a);
}

/* A name or an argument with markup is escaped in the HTML part and plain in the text. */
static void test_escaping(void **state) {
    (void)state;
    app *a = test_app();
    rendered r;
    render(a, "fr", "badge_awarded", "badges.inbox.awarded", "[\"<b>Fort</b> & co\"]", "/badges", &r);
    assert_non_null(strstr(buf_cstr(&r.html), "&lt;b&gt;Fort&lt;/b&gt; &amp; co"));
    assert_null(strstr(buf_cstr(&r.html), "<b>Fort"));
    assert_non_null(strstr(buf_cstr(&r.text), "<b>Fort</b> & co"));
    rendered_free(&r);
    free_app(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_in_both_languages),
        cmocka_unit_test(test_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
