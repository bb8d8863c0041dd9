/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for badges/keyring: first key created 0600 in a 0700 folder, rotation keeps old
 * keys (the newest signs), did:key vs did:web issuer, DID document, method resolution;
 * and a did:web credential verified by the server's verdict (badges/check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "badges/check.h"
#include "badges/keyring.h"
#include "core/buf.h"
#include "people/account.h"
#include "testutil.h"

static void creates_rotates_and_names(void **state) {
    (void)state;
    test_db *t = test_db_open();
    char dir[128];
    snprintf(dir, sizeof dir, "%s/keys", t->dir);
    perr err = {{0}};
    assert_null(keyring_load(dir, false, &err));
    keyring *kr = keyring_load(dir, true, &err);
    assert_non_null(kr);
    assert_int_equal(keyring_count(kr), 1);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(keyring_file(kr, 0), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *first = keys_multikey(keyring_signing(kr));
    keyring_free(kr);
    char *path = NULL;
    assert_true(keyring_add(dir, &path, &err));
    free(path);
    kr = keyring_load(dir, false, &err);
    assert_int_equal(keyring_count(kr), 2);
    char *now = keys_multikey(keyring_signing(kr));
    assert_string_not_equal(first, now);
    assert_non_null(keyring_find(kr, first)); /* old key still known */

    char *did = keyring_issuer_did(kr, "http://127.0.0.1:8080");
    assert_true(!strncmp(did, "did:key:", 8));
    assert_string_equal(did + 8, now);
    free(did);
    did = keyring_issuer_did(kr, "https://passport.example.fr:8443/app");
    assert_string_equal(did, "did:web:passport.example.fr%3A8443");
    char *vm = keyring_verification_method(kr, did);
    buf want = BUF_INIT;
    buf_printf(&want, "%s#%s", did, now);
    assert_string_equal(vm, buf_cstr(&want));
    assert_ptr_equal(keyring_resolve(kr, did, vm), keyring_signing(kr));
    buf_reset(&want);
    buf_printf(&want, "did:key:%s#%s", first, first);
    assert_non_null(keyring_resolve(kr, did, buf_cstr(&want)));
    assert_null(keyring_resolve(kr, did, "did:web:evil.example#z6Mk"));
    json_t *doc = keyring_did_document(kr, did);
    assert_string_equal(json_string_value(json_object_get(doc, "id")), did);
    assert_int_equal(json_array_size(json_object_get(doc, "verificationMethod")), 2);
    assert_int_equal(json_array_size(json_object_get(doc, "assertionMethod")), 2);
    json_t *m = json_array_get(json_object_get(doc, "verificationMethod"), 1);
    assert_string_equal(json_string_value(json_object_get(m, "type")), "Multikey");
    assert_string_equal(json_string_value(json_object_get(m, "controller")), did);
    json_decref(doc);
    buf_free(&want);
    free(vm);
    free(did);
    free(first);
    free(now);
    keyring_free(kr);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    test_db_close(t);
}

static void did_web_credentials_verify_on_the_server(void **state) {
    (void)state;
    test_db *t = test_db_open();
    perr err = {{0}};
    badges_ctx *c = badges_ctx_new(t->s, t->dir, "courses", "https://passport.example.fr/", &err);
    assert_non_null(c);
    assert_string_equal(c->issuer_did, "did:web:passport.example.fr");
    long long agent = 0, id = 0;
    assert_true(account_create(t->s, "a@x.fr", "A", 0, ROLE_AGENT, "fr", NULL, &agent, &err));
    assert_true(badges_award(t->s, c, agent, "securite-numerique", 0, "test", &id, &err));
    char *json = NULL;
    assert_true(badges_credential_get(t->s, id, &json, NULL, NULL, NULL));
    assert_non_null(strstr(json, "\"verificationMethod\":\"did:web:passport.example.fr#z6Mk"));
    assert_non_null(strstr(json, "https://passport.example.fr/status/1"));
    json_t *v = check_credential(t->s, c, json, strlen(json));
    assert_true(json_is_true(json_object_get(v, "verified")));
    json_decref(v);
    free(json);
    badges_ctx_free(c);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/keys'", t->dir);
    assert_int_equal(system(cmd), 0);
    test_db_close(t);
}

/* What a crash of an older writer left (an empty key file) and what a crash of ours may
 * leave (a temporary file) are skipped: the keys around them keep loading and signing. */
static void leftovers_of_a_crash_are_skipped(void **state) {
    (void)state;
    test_db *t = test_db_open();
    char dir[128], p[256];
    snprintf(dir, sizeof dir, "%s/keys", t->dir);
    perr err = {{0}};
    keyring *kr = keyring_load(dir, true, &err);
    assert_non_null(kr);
    char *first = keys_multikey(keyring_signing(kr));
    keyring_free(kr);
    snprintf(p, sizeof p, "%s/key-0002-20261205T000000Z-00000000.pem", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f); /* empty, as a kill during the old in-place write left it */
    snprintf(p, sizeof p, "%s/.key-0003-20261205T000000Z-00000000.pem.tmp-abcdef", dir);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("-----BEGIN PRIV", f);
    fclose(f);
    kr = keyring_load(dir, false, &err);
    assert_non_null(kr);
    assert_int_equal(keyring_count(kr), 1);
    char *mk = keys_multikey(keyring_signing(kr));
    assert_string_equal(mk, first);
    free(mk);
    keyring_free(kr);
    /* a rotation after the crash works, and its key signs */
    char *path = NULL;
    assert_true(keyring_add(dir, &path, &err));
    kr = keyring_load(dir, false, &err);
    assert_int_equal(keyring_count(kr), 2);
    assert_string_equal(keyring_file(kr, 1), path);
    free(path);
    keyring_free(kr);
    /* only a damaged key left: with create, a new one is made instead of failing */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "cd '%s' && for f in key-*.pem; do : > \"$f\"; done", dir);
    assert_int_equal(system(cmd), 0);
    assert_null(keyring_load(dir, false, &err));
    assert_non_null(strstr(err.msg, "no usable issuer key"));
    kr = keyring_load(dir, true, &err);
    assert_non_null(kr);
    assert_int_equal(keyring_count(kr), 1);
    keyring_free(kr);
    free(first);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creates_rotates_and_names),
        cmocka_unit_test(leftovers_of_a_crash_are_skipped),
        cmocka_unit_test(did_web_credentials_verify_on_the_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
