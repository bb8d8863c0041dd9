/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/keys: RFC 8032 §7.1 Ed25519 vectors (TEST 1-3), the Multikey and
 * did:key names (checked against @digitalbazaar/ed25519-multikey for TEST 1's key), PEM
 * files created 0600 with O_EXCL, and verification failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "badges/keys.h"

static void unhex(const char *h, uint8_t *out) {
    for (size_t i = 0; h[2 * i]; i++) sscanf(h + 2 * i, "%2hhx", &out[i]);
}

static const struct {
    const char *seed, *pub, *msg, *sig;
} RFC8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

static void test_rfc8032_vectors(void **state) {
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        uint8_t seed[32], pub[32], want_pub[32], msg[8], sig[64], want_sig[64];
        unhex(RFC8032[i].seed, seed);
        unhex(RFC8032[i].pub, want_pub);
        unhex(RFC8032[i].msg, msg);
        unhex(RFC8032[i].sig, want_sig);
        size_t mlen = strlen(RFC8032[i].msg) / 2;
        perr err = {""};
        keys *k = keys_from_seed(seed, &err);
        assert_non_null(k);
        keys_public_raw(k, pub);
        assert_memory_equal(pub, want_pub, 32);
        assert_true(keys_sign(k, msg, mlen, sig, &err));
        assert_memory_equal(sig, want_sig, 64);
        keys *p = keys_from_public(want_pub, &err);
        assert_false(keys_has_private(p));
        assert_true(keys_verify(p, msg, mlen, want_sig));
        want_sig[10] ^= 1;
        assert_false(keys_verify(p, msg, mlen, want_sig));
        assert_false(keys_sign(p, msg, mlen, sig, &err)); /* no private half */
        keys_free(p);
        keys_free(k);
    }
}

static void test_did_key(void **state) {
    (void)state;
    uint8_t seed[32];
    unhex(RFC8032[0].seed, seed);
    keys *k = keys_from_seed(seed, NULL);
    char *mk = keys_multikey(k), *did = keys_did(k), *vm = keys_verification_method(k);
    assert_string_equal(mk, "z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw");
    assert_string_equal(did, "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw");
    assert_string_equal(vm, "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"
                            "#z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw");
    const char *forms[] = {mk, did, vm};
    for (size_t i = 0; i < 3; i++) {
        perr err = {""};
        keys *p = keys_from_did_key(forms[i], &err);
        assert_non_null(p);
        uint8_t a[32], b[32];
        keys_public_raw(p, a);
        keys_public_raw(k, b);
        assert_memory_equal(a, b, 32);
        keys_free(p);
    }
    perr err = {""};
    assert_null(keys_from_did_key("did:key:z6Mk0OIl", &err));
    assert_null(keys_from_did_key("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", &err));
    assert_non_null(strstr(err.msg, "Ed25519"));
    assert_null(keys_from_did_key("did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw#other", &err));
    free(mk);
    free(did);
    free(vm);
    keys_free(k);
    keys_free(NULL);
}

static void test_pem_file(void **state) {
    (void)state;
    char dir[] = "/tmp/passport-keys-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/issuer.pem", dir);
    perr err = {""};
    keys *k = keys_generate(&err);
    assert_non_null(k);
    assert_true(keys_save_private(k, path, &err));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* never overwrites */
    assert_false(keys_save_private(k, path, &err));
    assert_non_null(strstr(err.msg, "already exists"));
    keys *l = keys_load_private(path, &err);
    assert_non_null(l);
    char *a = keys_did(k), *b = keys_did(l);
    assert_string_equal(a, b);
    uint8_t sig[64];
    assert_true(keys_sign(l, "hello", 5, sig, &err));
    assert_true(keys_verify(k, "hello", 5, sig));
    assert_false(keys_verify(k, "hellO", 5, sig));
    free(a);
    free(b);
    keys_free(l);
    /* two generated keys differ */
    keys *m = keys_generate(&err);
    a = keys_multikey(k);
    b = keys_multikey(m);
    assert_string_not_equal(a, b);
    assert_true(!strncmp(a, "z6Mk", 4));
    free(a);
    free(b);
    keys_free(m);
    keys_free(k);
    /* not a key */
    char junk[128];
    snprintf(junk, sizeof junk, "%s/junk.pem", dir);
    FILE *f = fopen(junk, "w");
    fputs("not a key\n", f);
    fclose(f);
    assert_null(keys_load_private(junk, &err));
    assert_null(keys_load_private("/nonexistent/x.pem", &err));
    unlink(junk);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032_vectors),
        cmocka_unit_test(test_did_key),
        cmocka_unit_test(test_pem_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
