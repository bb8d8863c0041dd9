/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for http/request: urlencoded and multipart form parsing. The first
 * byte picks the parser (and a boundary for multipart); parsed fields must be valid UTF-8,
 * free of NUL (a value is never cut short where it is used as a string) and within the
 * input's size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    http_kv *kv = NULL;
    http_file *files = NULL;
    size_t nkv = 0, nf = 0;
    perr err = {{0}};
    bool ok;
    if (data[0] & 1) {
        ok = http_parse_urlencoded(body, len, &kv, &nkv, &err);
    } else {
        static const char *const cts[] = {"multipart/form-data; boundary=x",
                                          "multipart/form-data; boundary=\"----B\"",
                                          "multipart/form-data", "multipart/form-data; boundary="};
        ok = http_parse_multipart(cts[(data[0] >> 1) & 3], body, len, &kv, &nkv, &files, &nf, &err);
    }
    if (!ok && (kv || files || !err.msg[0])) abort();
    for (size_t i = 0; i < nkv; i++) {
        if (kv[i].len > len || !utf8_valid(kv[i].value, kv[i].len) || !utf8_valid(kv[i].name, strlen(kv[i].name)) ||
            strlen(kv[i].value) != kv[i].len)
            abort();
    }
    for (size_t i = 0; i < nf; i++)
        if (files[i].len > len) abort();
    http_kv_free(kv, nkv);
    http_files_free(files, nf);
    return 0;
}
