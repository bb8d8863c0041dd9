/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for learn/frontmatter: any input either parses into entries that keep
 * the reader's contract (body inside the input, lines in range, no duplicate keys) or
 * fails with a message and a line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "learn/frontmatter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t line = 0, lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    perr err = {{0}};
    frontmatter *fm = frontmatter_parse((const char *)data, size, &line, &err);
    if (!fm) {
        if (!err.msg[0] || line < 1 || line > lines + 1) abort();
        return 0;
    }
    if (fm->body_offset > size || fm->body_line < 3 || fm->body_line > lines + 1) abort();
    for (size_t i = 0; i < fm->n; i++) {
        const fm_entry *e = &fm->entries[i];
        if (!e->key || e->line < 2 || e->line >= fm->body_line) abort();
        if (frontmatter_get(fm, e->key) != e) abort(); /* keys are unique */
        if (e->value) (void)strlen(e->value);
        for (size_t j = 0; j < e->nitems; j++) (void)strlen(e->items[j]);
    }
    frontmatter_free(fm);
    return 0;
}
