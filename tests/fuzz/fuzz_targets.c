/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for paths/path's target list parser ("CRCN-4.1@2, CRCN-4.2@3"): the
 * input (up to its first NUL) is parsed with a small maximum and the result checked
 * against the contract of path_targets_parse. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "paths/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    path_target t[4];
    size_t n = 99;
    perr err = {{0}};
    if (path_targets_parse(text, t, 4, &n, &err)) {
        if (n > 4 || err.msg[0]) abort();
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(t[i].code);
            if (!len || len >= sizeof t[i].code || t[i].level < 1 || t[i].level > 8) abort();
            for (size_t k = 0; k < len; k++)
                if (islower((unsigned char)t[i].code[k]) || t[i].code[k] == ',' || t[i].code[k] == ' ') abort();
        }
    } else if (strcmp(err.msg, "paths.error.bad_target") && strcmp(err.msg, "paths.error.too_many")) {
        abort();
    }
    free(text);
    return 0;
}
