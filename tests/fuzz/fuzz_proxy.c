/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for the server's small parsers of client-controlled text: the
 * X-Forwarded-For client (http/conns), address lists, and JSON bodies checked against a
 * route's field declaration (http/request). The first byte picks the parser. A forwarded
 * client, when accepted, is a normalised address that an address list finds again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/conns.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    char *text = strndup((const char *)data + 1, size - 1);
    perr err = {{0}};
    switch (data[0] % 3) {
    case 0: {
        char out[64];
        if (http_forwarded_client(text, out, sizeof out)) {
            http_addrs set;
            if (!http_addrs_parse(out, &set, &err) || set.n != 1 || !http_addrs_has(&set, out)) abort();
        }
        break;
    }
    case 1: {
        http_addrs set;
        if (http_addrs_parse(text, &set, &err) && set.n > HTTP_ADDRS_MAX) abort();
        break;
    }
    default: {
        /* "spec\nJSON" */
        char *nl = strchr(text, '\n');
        const char *spec = nl ? text : NULL;
        if (nl) *nl = '\0';
        json_t *body = json_loads(nl ? nl + 1 : text, JSON_REJECT_DUPLICATES, NULL);
        if (body && !http_json_check_fields(body, spec, &err) && !err.msg[0]) abort();
        json_decref(body);
        break;
    }
    }
    free(text);
    return 0;
}
