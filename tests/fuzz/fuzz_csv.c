/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for core/csv: the first byte picks the separator and limits, the rest
 * is read record by record while checking the reader's contract. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    static const char seps[] = {',', ';', '\t', CSV_SEP_AUTO};
    char sep = seps[data[0] & 3];
    csv_reader *r = csv_reader_new((const char *)data + 1, size - 1, sep);
    if (data[0] & 4) csv_reader_set_limits(r, 64, 4);
    size_t n, line, last_line = 0;
    const char *const *fields;
    perr err;
    while (csv_next(r, &n, &fields, &line, &err)) {
        if (n == 0 || line <= last_line) abort();
        for (size_t i = 0; i < n; i++) (void)strlen(fields[i]);
        last_line = line;
    }
    if (err.msg[0] && strncmp(err.msg, "line ", 5) != 0) abort();
    /* after the end or an error, the reader stays there */
    char first[sizeof err.msg];
    memcpy(first, err.msg, sizeof first);
    if (csv_next(r, &n, &fields, &line, &err) || strcmp(first, err.msg) != 0) abort();
    csv_reader_free(r);
    return 0;
}
