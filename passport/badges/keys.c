/* SPDX-License-Identifier: EUPL-1.2 */
/* Ed25519 through OpenSSL EVP_PKEY; Multikey and did:key encodings of the public key. */
#include "badges/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/base58.h"
#include "core/buf.h"

struct keys {
    EVP_PKEY *pkey;
    bool has_private;
};

static keys *wrap(EVP_PKEY *pkey, bool priv) {
    keys *k = xcalloc(1, sizeof *k);
    k->pkey = pkey;
    k->has_private = priv;
    return k;
}

static bool ssl_fail(perr *err, const char *what) {
    unsigned long e = ERR_get_error();
    char msg[256];
    ERR_error_string_n(e, msg, sizeof msg);
    ERR_clear_error();
    return perr_set(err, "keys: %s: %s", what, e ? msg : "failed");
}

keys *keys_generate(perr *err) {
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &pkey) != 1) {
        EVP_PKEY_CTX_free(ctx);
        ssl_fail(err, "key generation");
        return NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return wrap(pkey, true);
}

keys *keys_from_seed(const uint8_t seed[32], perr *err) {
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    if (!pkey) {
        ssl_fail(err, "private key");
        return NULL;
    }
    return wrap(pkey, true);
}

keys *keys_from_public(const uint8_t pub[KEYS_PUBLIC_LEN], perr *err) {
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, KEYS_PUBLIC_LEN);
    if (!pkey) {
        ssl_fail(err, "public key");
        return NULL;
    }
    return wrap(pkey, false);
}

keys *keys_from_did_key(const char *s, perr *err) {
    if (!strncmp(s, "did:key:", 8)) s += 8;
    const char *hash = strchr(s, '#');
    char *mk = hash ? xstrndup(s, (size_t)(hash - s)) : xstrdup(s);
    if (hash && strcmp(hash + 1, mk)) {
        free(mk);
        perr_set(err, "keys: the fragment of a did:key verification method must repeat the key");
        return NULL;
    }
    uint8_t *raw = NULL;
    size_t n = 0;
    keys *k = NULL;
    if (mk[0] != 'z') {
        perr_set(err, "keys: a Multikey must start with 'z' (base58btc)");
    } else if (base58_decode(mk + 1, &raw, &n, err)) {
        if (n != 2 + KEYS_PUBLIC_LEN || raw[0] != 0xed || raw[1] != 0x01)
            perr_set(err, "keys: not an Ed25519 Multikey (0xed01 + 32 bytes)");
        else
            k = keys_from_public(raw + 2, err);
    }
    free(raw);
    free(mk);
    return k;
}

void keys_free(keys *k) {
    if (!k) return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

bool keys_has_private(const keys *k) {
    return k->has_private;
}

bool keys_save_private(const keys *k, const char *path, perr *err) {
    if (!k->has_private) return perr_set(err, "keys: no private key to save");
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem || PEM_write_bio_PrivateKey(mem, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        BIO_free(mem);
        return ssl_fail(err, "writing the PEM file");
    }
    char *pem = NULL;
    long n = BIO_get_mem_data(mem, &pem);
    perr why = {{0}};
    bool ok = n > 0 && atomic_file_write(path, pem, (size_t)n, 0600, false, &why);
    if (!ok) perr_set(err, "keys: %s", why.msg[0] ? why.msg : "empty PEM");
    OPENSSL_cleanse(pem, (size_t)(n > 0 ? n : 0));
    BIO_free(mem);
    return ok;
}

keys *keys_load_private(const char *path, perr *err) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perr_set(err, "keys: cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!pkey) {
        ssl_fail(err, "reading the PEM file");
        return NULL;
    }
    if (EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pkey);
        perr_set(err, "keys: %s does not hold an Ed25519 key", path);
        return NULL;
    }
    return wrap(pkey, true);
}

void keys_public_raw(const keys *k, uint8_t out[KEYS_PUBLIC_LEN]) {
    size_t n = KEYS_PUBLIC_LEN;
    if (EVP_PKEY_get_raw_public_key(k->pkey, out, &n) != 1 || n != KEYS_PUBLIC_LEN) abort();
}

bool keys_sign(const keys *k, const void *msg, size_t len, uint8_t sig[KEYS_SIGNATURE_LEN], perr *err) {
    if (!k->has_private) return perr_set(err, "keys: signing needs the private key");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t n = KEYS_SIGNATURE_LEN;
    bool ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
              EVP_DigestSign(ctx, sig, &n, msg, len) == 1 && n == KEYS_SIGNATURE_LEN;
    EVP_MD_CTX_free(ctx);
    return ok ? true : ssl_fail(err, "signing");
}

bool keys_verify(const keys *k, const void *msg, size_t len, const uint8_t sig[KEYS_SIGNATURE_LEN]) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
              EVP_DigestVerify(ctx, sig, KEYS_SIGNATURE_LEN, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

char *keys_multikey(const keys *k) {
    uint8_t raw[2 + KEYS_PUBLIC_LEN] = {0xed, 0x01};
    keys_public_raw(k, raw + 2);
    char *b58 = base58_encode(raw, sizeof raw);
    buf b = BUF_INIT;
    buf_putc(&b, 'z');
    buf_puts(&b, b58);
    free(b58);
    return buf_detach(&b);
}

char *keys_did(const keys *k) {
    char *mk = keys_multikey(k);
    buf b = BUF_INIT;
    buf_printf(&b, "did:key:%s", mk);
    free(mk);
    return buf_detach(&b);
}

char *keys_verification_method(const keys *k) {
    char *mk = keys_multikey(k);
    buf b = BUF_INIT;
    buf_printf(&b, "did:key:%s#%s", mk, mk);
    free(mk);
    return buf_detach(&b);
}
