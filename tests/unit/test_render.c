/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/render: render_inline's plain-text shortcut gives exactly what cmark
 * gives, for hand-picked texts and for random ones built from the characters that matter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learn/render.h"

/* The oracle: cmark's rendering with the single paragraph stripped, as render_inline
 * documents it, computed without any shortcut. */
static char *inline_by_cmark(const char *src) {
    char *html = render_markdown(src, strlen(src), false, NULL, NULL);
    size_t n = strlen(html);
    while (n && html[n - 1] == '\n') html[--n] = '\0';
    if (n >= 7 && !strncmp(html, "<p>", 3) && !strcmp(html + n - 4, "</p>")) {
        char *inner = strndup(html + 3, n - 7);
        if (!strstr(inner, "<p>")) {
            free(html);
            return inner;
        }
        free(inner);
    }
    return html;
}

static void same_as_cmark(const char *src) {
    char *fast = render_inline(src), *slow = inline_by_cmark(src);
    if (strcmp(fast, slow)) fail_msg("render_inline(\"%s\") = \"%s\", cmark gives \"%s\"", src, fast, slow);
    free(fast);
    free(slow);
}

static void test_plain_texts(void **state) {
    (void)state;
    const char *texts[] = {
        "Le message est en français",
        "L'adresse de l'expéditeur imite celle de votre service",
        "Quelles actions sont sûres ? (plusieurs réponses)",
        "Réponse 3, 17 % ou 1/2 - au choix !",
        "Élément", "a", "A1", "x  y", "Signaler le message\xc2\xa0",
        /* not plain: each must still be what cmark makes of it */
        "1. liste", "- tiret", "# titre", "> cité", "    code", "a *gras*", "a _b_", "a `c`",
        "a <b>", "a & b", "a \"b\"", "[lien](http://x)", "a\\b", "fin ", " début", "a\nb", "a\tb",
        "***", "a ~b~", "https://exemple.fr", "a: <https://x.fr>", "", "\xff\xfe bad", "é\xc3",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) same_as_cmark(texts[i]);
}

static void test_random_texts(void **state) {
    (void)state;
    static const char *const pieces[] = {
        "a", "Z", "é", "É", "\xc2\xa0", "0", "9", " ", "  ", ".", ",", ";", ":", "?", "!", "'", "(", ")",
        "/", "%", "-", "*", "_", "`", "<", ">", "&", "\"", "[", "]", "#", "\\", "\n", "\t", "~", "+", "=",
        "1.", "- ", "> ", "http://", "@", "|", "{",
    };
    const size_t np = sizeof pieces / sizeof *pieces;
    srand(1234);
    char s[256];
    for (int round = 0; round < 4000; round++) {
        size_t len = 0, n = 1 + (size_t)rand() % 12;
        for (size_t k = 0; k < n; k++) {
            const char *p = pieces[(size_t)rand() % np];
            memcpy(s + len, p, strlen(p));
            len += strlen(p);
        }
        s[len] = '\0';
        same_as_cmark(s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_texts),
        cmocka_unit_test(test_random_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
