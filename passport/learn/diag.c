/* SPDX-License-Identifier: EUPL-1.2 */
/* Diagnostics of the course loader: an append-only list of file:line: message. */
#include "learn/diag.h"

#include <stdarg.h>
#include <stdlib.h>

#include "core/buf.h"

void diag_add(diag_list *d, const char *file, size_t line, const char *fmt, ...) {
    if (!d) return;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = xrealloc(d->items, d->cap * sizeof *d->items);
    }
    buf m = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&m, fmt, ap);
    va_end(ap);
    d->items[d->n++] = (diag){xstrdup(file ? file : "?"), line, buf_detach(&m)};
}

void diag_list_free(diag_list *d) {
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].msg);
    }
    free(d->items);
    d->items = NULL;
    d->n = d->cap = 0;
}

void diag_print(const diag_list *d, FILE *f) {
    for (size_t i = 0; d && i < d->n; i++) {
        if (d->items[i].line)
            fprintf(f, "%s:%zu: %s\n", d->items[i].file, d->items[i].line, d->items[i].msg);
        else
            fprintf(f, "%s: %s\n", d->items[i].file, d->items[i].msg);
    }
}
