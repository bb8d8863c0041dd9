/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for http/i18n: the input is parsed as a .po file (plural forms and
 * the Plural-Forms header included); on success a few lookups run, singular and plural;
 * the input is also used as an Accept-Language header value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_key(const char *key, void *ud) {
    size_t *n = ud;
    *n += strlen(key) > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    i18n_catalog *c = i18n_new();
    static const char fr[] = "msgid \"x\"\nmsgstr \"X\"\nmsgid \"y\"\nmsgstr \"Y\"\n";
    i18n_add_po(c, "fr", fr, sizeof fr - 1, "fr.po", NULL);
    perr err;
    if (i18n_add_po(c, "en", (const char *)data, size, "en.po", &err)) {
        const char *t = i18n_get(c, "en", "x");
        if (!t || !*t) abort(); /* fr has a text: never empty, never NULL */
        size_t n = 0;
        if (i18n_missing(c, "en", count_key, &n) != n) abort();
        i18n_get(c, "en-GB", "y");
        for (long long n = -1; n <= 2; n++) {
            const char *f = i18n_nget(c, "en", "x", n);
            if (!f || !*f) abort(); /* a form of en's entry, or fr's text */
            i18n_nget(c, "en", "y", n);
        }
        i18n_get(c, "EN", "");
    } else if (err.msg[0] == '\0') {
        abort(); /* a failure always says why */
    }
    char *header = malloc(size + 1);
    memcpy(header, data, size);
    header[size] = '\0';
    const char *loc = i18n_negotiate(c, header);
    if (strcmp(loc, "fr") != 0 && strcmp(loc, "en") != 0) abort();
    free(header);
    i18n_free(c);
    return 0;
}
