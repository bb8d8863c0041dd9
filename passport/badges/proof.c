/* SPDX-License-Identifier: EUPL-1.2 */
/* eddsa-rdfc-2022: the hash data is sha256(c14n proof options) || sha256(c14n document),
 * exactly as @digitalbazaar/data-integrity computes it. */
#include "badges/proof.h"

#include <stdlib.h>
#include <string.h>

#include "badges/jsonld.h"
#include "core/base58.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"

#define VC2_CONTEXT "https://www.w3.org/ns/credentials/v2"
#define DI_CONTEXT "https://w3id.org/security/data-integrity/v2"

static bool context_has(const json_t *ctx, const char *url) {
    if (json_is_string(ctx)) return !strcmp(json_string_value(ctx), url);
    size_t i;
    const json_t *e;
    json_array_foreach(ctx, i, e) if (json_is_string(e) && !strcmp(json_string_value(e), url)) return true;
    return false;
}

/* The 64 bytes to sign or verify for doc (its proof ignored) and proof (its proofValue
 * ignored). */
static bool hash_data(const json_t *doc, const json_t *proof, unsigned char out[64], perr *err) {
    json_t *d = json_copy((json_t *)doc);
    json_t *opts = json_object();
    char *c14n_doc = NULL, *c14n_opts = NULL;
    bool ok = false;
    json_object_del(d, "proof");
    /* proof options: the document's @context, then the proof's own members */
    json_t *ctx = json_object_get(doc, "@context");
    if (ctx) json_object_set(opts, "@context", ctx);
    json_object_update(opts, (json_t *)proof);
    json_object_del(opts, "proofValue");
    const json_t *octx = json_object_get(opts, "@context");
    if (!octx || !(context_has(octx, VC2_CONTEXT) || context_has(octx, DI_CONTEXT))) {
        json_t *nc = json_is_array(octx) ? json_copy((json_t *)octx) : json_array();
        if (json_is_string(octx)) json_array_append(nc, (json_t *)octx);
        json_array_append_new(nc, json_string(DI_CONTEXT));
        json_object_set_new(opts, "@context", nc);
    }
    if (!jsonld_canonize(opts, &c14n_opts, err)) {
        if (err) {
            char why[PERR_MAX];
            memcpy(why, err->msg, sizeof why);
            perr_set(err, "proof options: %.400s", why);
        }
        goto fail;
    }
    if (!jsonld_canonize(d, &c14n_doc, err)) goto fail;
    rand_sha256(c14n_opts, strlen(c14n_opts), out);
    rand_sha256(c14n_doc, strlen(c14n_doc), out + 32);
    ok = true;
fail:
    free(c14n_doc);
    free(c14n_opts);
    json_decref(opts);
    json_decref(d);
    return ok;
}

bool proof_add(json_t *doc, const keys *k, const char *verification_method, const char *created, perr *err) {
    if (!json_is_object(doc)) return perr_set(err, "proof: the document must be a JSON object");
    char now[21];
    if (!created) {
        clock_iso8601(clock_now(), now);
        created = now;
    }
    char *vm = verification_method ? xstrdup(verification_method) : keys_verification_method(k);
    json_t *proof = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "DataIntegrityProof", "cryptosuite",
                              "eddsa-rdfc-2022", "created", created, "verificationMethod", vm,
                              "proofPurpose", "assertionMethod");
    free(vm);
    unsigned char data[64], sig[KEYS_SIGNATURE_LEN];
    if (!proof || !hash_data(doc, proof, data, err) || !keys_sign(k, data, sizeof data, sig, err)) {
        json_decref(proof);
        return false;
    }
    char *b58 = base58_encode(sig, sizeof sig);
    buf v = BUF_INIT;
    buf_printf(&v, "z%s", b58);
    free(b58);
    json_object_set_new(proof, "proofValue", json_string(buf_cstr(&v)));
    buf_free(&v);
    json_object_set_new(doc, "proof", json_pack("[o]", proof));
    return true;
}

/* XML Schema dateTime as data-integrity checks it (a time zone is required). */
static bool is_datetime(const char *s) {
    const char *pat = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; pat[i]; i++) {
        if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i]) return false;
    }
    s += strlen(pat);
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9')) return false;
        while (*s >= '0' && *s <= '9') s++;
    }
    if (!strcmp(s, "Z")) return true;
    return (s[0] == '+' || s[0] == '-') && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
           s[3] == ':' && s[4] >= '0' && s[4] <= '9' && s[5] >= '0' && s[5] <= '9' && !s[6];
}

static const char *member(const json_t *o, const char *name) {
    return json_string_value(json_object_get(o, name));
}

bool proof_verify(const json_t *doc, const keys *key, perr *err) {
    if (!json_is_object(doc)) return perr_set(err, "proof: the document must be a JSON object");
    const json_t *p = json_object_get(doc, "proof");
    if (!p) return perr_set(err, "proof: the credential has no proof");
    if (json_is_array(p)) {
        if (json_array_size(p) != 1) return perr_set(err, "proof: exactly one proof is supported, found %zu", json_array_size(p));
        p = json_array_get(p, 0);
    }
    if (!json_is_object(p)) return perr_set(err, "proof: the proof is not an object");
    const char *type = member(p, "type"), *suite = member(p, "cryptosuite"), *purpose = member(p, "proofPurpose");
    const char *vm = member(p, "verificationMethod"), *created = member(p, "created"), *value = member(p, "proofValue");
    if (!type || strcmp(type, "DataIntegrityProof")) return perr_set(err, "proof: type is not DataIntegrityProof");
    if (!suite || strcmp(suite, "eddsa-rdfc-2022")) return perr_set(err, "proof: cryptosuite is not eddsa-rdfc-2022");
    if (!purpose || strcmp(purpose, "assertionMethod")) return perr_set(err, "proof: proofPurpose is not assertionMethod");
    if (!vm) return perr_set(err, "proof: no verificationMethod");
    if (created && !is_datetime(created)) return perr_set(err, "proof: created is not an XML Schema dateTime");
    if (!created && json_object_get(p, "created")) return perr_set(err, "proof: created is not a string");
    if (!value || value[0] != 'z') return perr_set(err, "proof: proofValue is not multibase base58btc ('z')");
    /* the verification method must belong to the issuer */
    const json_t *iss = json_object_get(doc, "issuer");
    const char *issuer = json_is_object(iss) ? member(iss, "id") : json_string_value(iss);
    const char *hash = strchr(vm, '#');
    size_t dlen = hash ? (size_t)(hash - vm) : strlen(vm);
    if (!issuer || strlen(issuer) != dlen || strncmp(issuer, vm, dlen))
        return perr_set(err, "proof: the verification method %s is not controlled by the issuer %s", vm,
                        issuer ? issuer : "(none)");
    uint8_t *sig = NULL;
    size_t n = 0;
    if (!base58_decode(value + 1, &sig, &n, err)) return false;
    keys *own = NULL;
    bool ok = false;
    unsigned char data[64];
    if (n != KEYS_SIGNATURE_LEN) {
        perr_set(err, "proof: the signature has %zu bytes, not 64", n);
        goto fail;
    }
    if (!key) {
        if (strncmp(vm, "did:key:", 8)) {
            perr_set(err, "proof: cannot resolve the verification method %s", vm);
            goto fail;
        }
        if (!(own = keys_from_did_key(vm, err))) goto fail;
        key = own;
    }
    if (!hash_data(doc, p, data, err)) goto fail;
    if (!keys_verify(key, data, sizeof data, sig)) {
        perr_set(err, "proof: the signature does not verify (the credential was altered or signed by another key)");
        goto fail;
    }
    ok = true;
fail:
    keys_free(own);
    free(sig);
    return ok;
}
