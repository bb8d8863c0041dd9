/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for the credential parsers (JSON-LD, N-Quads, proofs, status lists,
 * base64url, base58): any input is processed or refused with a message, never a crash. */

/* JSON input: jsonld_canonize, proof_verify, verify_credential. The same bytes as text:
 * the N-Quads reader and RDFC-1.0, statuslist_decode (when starting with 'u'),
 * b64url_decode and base58_decode. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "badges/jsonld.h"
#include "badges/proof.h"
#include "badges/rdf.h"
#include "badges/rdfc.h"
#include "badges/statuslist.h"
#include "badges/verify.h"
#include "core/b64.h"
#include "core/base58.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_json(const uint8_t *data, size_t size) {
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, 0, &jerr);
    if (!doc) return;
    char *out = NULL;
    perr err = {""};
    if (jsonld_canonize(doc, &out, &err)) {
        if (!out) abort();
        free(out);
    } else if (!err.msg[0]) {
        abort(); /* every failure carries a message */
    }
    perr_clear(&err);
    if (!proof_verify(doc, NULL, &err) && !err.msg[0]) abort();
    verify_report r;
    verify_credential(doc, 0, NULL, NULL, &r);
    json_decref(doc);
}

static void fuzz_text(const char *text, size_t size) {
    rdf_quads *q = rdf_quads_new();
    perr err = {""};
    if (rdf_quads_parse(q, text, &err)) {
        char *out = NULL;
        if (rdfc_canonicalize(q, RDFC_WORK_DEFAULT, &out, &err)) free(out);
    }
    rdf_quads_free(q);
    if (text[0] == 'u' && size < 4096) statuslist_free(statuslist_decode(text, &err));
    uint8_t *raw = NULL;
    size_t n = 0;
    if (b64url_decode(text, size, &raw, &n, &err)) free(raw);
    if (size < 512 && base58_decode(text, &raw, &n, &err)) free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    fuzz_json(data, size);
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    fuzz_text(text, strlen(text));
    free(text);
    return 0;
}
