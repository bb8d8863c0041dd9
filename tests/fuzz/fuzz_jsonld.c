/* libFuzzer target for badges/jsonld and badges/rdfc: any bytes, parsed as JSON, must be
 * converted to canonical N-Quads or rejected with a message, never crash or leak. The
 * same bytes are also read as N-Quads and canonicalised (the rdf reader and RDFC-1.0). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "badges/jsonld.h"
#include "badges/rdf.h"
#include "badges/rdfc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, 0, &jerr);
    if (doc) {
        char *out = NULL;
        perr err = {""};
        if (jsonld_canonize(doc, &out, &err)) {
            if (!out) abort();
            free(out);
        } else if (!err.msg[0]) {
            abort(); /* every failure carries a message */
        }
        json_decref(doc);
    }
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    rdf_quads *q = rdf_quads_new();
    perr err = {""};
    if (rdf_quads_parse(q, text, &err)) {
        char *out = NULL;
        if (rdfc_canonicalize(q, RDFC_WORK_DEFAULT, &out, &err)) free(out);
    }
    rdf_quads_free(q);
    free(text);
    return 0;
}
