/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for http/tmpl: the input is a template source, optionally followed by
 * a NUL byte and a JSON document used as data; the template is parsed, then rendered in
 * two locales, alone and through partials (including itself). */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "http/i18n.h"
#include "http/tmpl.h"

static const char PO_FR[] = "msgid \"k\"\nmsgstr \"<{1}> & {2} {3}\"\n"
                            "msgid \"a.b\"\nmsgstr \"ok\"\n";
static const char PO_EN[] = "msgid \"k\"\nmsgstr \"{2}{1}\"\n";
static const char DEFAULT_DATA[] =
    "{\"a\": {\"b\": \"<x>\", \"n\": 2.555, \"l\": [1, \"two\", null, true, {\"c\": []}]},"
    " \"list\": [{\"name\": \"A\", \"id\": 1}, {\"name\": \"B\", \"id\": \"1\"}], \"e\": [], \"z\": 0,"
    " \"k\": \"a.b\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *src = (const char *)data;
    const char *nul = memchr(src, '\0', size);
    size_t src_len = nul ? (size_t)(nul - src) : size;

    json_t *root = NULL;
    if (nul) root = json_loadb(nul + 1, size - src_len - 1, JSON_DECODE_ANY, NULL);
    if (!root) root = json_loads(DEFAULT_DATA, 0, NULL);

    i18n_catalog *cat = i18n_new();
    i18n_add_po(cat, "fr", PO_FR, sizeof PO_FR - 1, "fr.po", NULL);
    i18n_add_po(cat, "en", PO_EN, sizeof PO_EN - 1, "en.po", NULL);

    tmpl_set *set = tmpl_set_new(cat);
    perr err;
    static const char wrap[] = "[{{#each list}}{{> t}}{{/each}}]";
    tmpl_set_add(set, "wrap", wrap, sizeof wrap - 1, &err);
    if (tmpl_set_add(set, "t", src, src_len, &err)) {
        tmpl_set_add(set, "p", src, src_len, &err);
        buf out = BUF_INIT;
        tmpl_render(set, "t", root, "fr", &out, &err);
        buf_reset(&out);
        tmpl_render(set, "wrap", root, "en-GB", &out, &err);
        buf_reset(&out);
        tmpl_render(set, "t", NULL, NULL, &out, &err);
        buf_free(&out);
    }
    tmpl_set_free(set);
    i18n_free(cat);
    json_decref(root);
    return 0;
}
