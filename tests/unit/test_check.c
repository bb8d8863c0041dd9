/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for badges/check: the verdict names the failed check for malformed, huge,
 * tampered, unknown-issuer, foreign-status-list, revoked and expired credentials, and
 * passes a good one. */
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
#include "badges/credential.h"
#include "badges/proof.h"
#include "core/buf.h"
#include "people/account.h"
#include "testutil.h"

typedef struct fx {
    test_db *t;
    badges_ctx *c;
    long long agent;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->t = test_db_open();
    perr err = {{0}};
    /* the real badge definitions of the repository */
    f->c = badges_ctx_new(f->t->s, f->t->dir, "courses", "http://127.0.0.1:9", &err);
    if (!f->c || !account_create(f->t->s, "a@x.fr", "A", 0, ROLE_AGENT, "fr", NULL, &f->agent, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    badges_ctx_free(f->c);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/keys'", f->t->dir);
    if (system(cmd) != 0) return -1;
    test_db_close(f->t);
    free(f);
    return 0;
}

/* The ok member of check name in verdict v: 1, 0, or -1 for null/absent. */
static int check_ok(const json_t *v, const char *name) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(v, "checks"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "name")), name)) continue;
        const json_t *ok = json_object_get(c, "ok");
        return json_is_true(ok) ? 1 : json_is_false(ok) ? 0 : -1;
    }
    return -1;
}

static json_t *run(fx *f, const char *text) {
    return check_credential(f->t->s, f->c, text, strlen(text));
}

static char *issue(fx *f, long long *id) {
    perr err = {{0}};
    assert_true(badges_award(f->t->s, f->c, f->agent, "securite-numerique", 0, "test", id, &err));
    char *json = NULL;
    assert_true(badges_credential_get(f->t->s, *id, &json, NULL, NULL, NULL));
    return json;
}

static void good_then_revoked(void **state) {
    fx *f = *state;
    long long id;
    char *json = issue(f, &id);
    json_t *v = run(f, json);
    assert_true(json_is_true(json_object_get(v, "verified")));
    assert_int_equal(check_ok(v, "proof"), 1);
    assert_int_equal(check_ok(v, "status"), 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "summary"), "achievement")),
                        "Sécurité numérique au quotidien");
    json_decref(v);
    perr err = {{0}};
    assert_true(badges_revoke(f->t->s, f->c, id, 0, "test", &err));
    v = run(f, json);
    assert_false(json_is_true(json_object_get(v, "verified")));
    assert_int_equal(check_ok(v, "status"), 0);
    assert_int_equal(check_ok(v, "proof"), 1);
    json_decref(v);
    free(json);
}

static void malformed_huge_tampered(void **state) {
    fx *f = *state;
    json_t *v = run(f, "{\"@context\": [");
    assert_int_equal(check_ok(v, "json"), 0);
    assert_false(json_is_true(json_object_get(v, "verified")));
    json_decref(v);
    v = run(f, "[1,2]");
    assert_int_equal(check_ok(v, "json"), 0);
    json_decref(v);
    buf big = BUF_INIT;
    buf_puts(&big, "{\"a\":\"");
    for (int i = 0; i < 300000; i++) buf_putc(&big, 'x');
    buf_puts(&big, "\"}");
    v = run(f, buf_cstr(&big));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "checks"), 0), "key")),
                        "badges.check.too_large");
    json_decref(v);
    buf_free(&big);
    long long id;
    char *json = issue(f, &id);
    char *p = strstr(json, "Sécurité numérique au quotidien");
    assert_non_null(p);
    p[0] = 'Z';
    p[1] = 'Z'; /* "Sé" is 3 bytes: drop the third so the text stays UTF-8 */
    memmove(p + 2, p + 3, strlen(p + 3) + 1);
    v = run(f, json);
    assert_int_equal(check_ok(v, "json"), 1);
    assert_int_equal(check_ok(v, "proof"), 0);
    assert_false(json_is_true(json_object_get(v, "verified")));
    json_decref(v);
    free(json);
}

/* A credential signed by a key that is not ours, optionally expired or with a foreign list. */
static char *foreign(fx *f, bool own_key, const char *until, const char *list) {
    perr err = {{0}};
    keys *k = own_key ? NULL : keys_generate(&err);
    const keys *sk = own_key ? keyring_signing(f->c->keys) : k;
    char *did = keys_did(sk);
    credential_badge b = {.issuer = {did, "Autre", "https://autre.example", NULL, NULL},
                          .valid_from = "2020-01-01T00:00:00Z",
                          .valid_until = until,
                          .recipient_email = "a@x.fr",
                          .achievement_id = "https://autre.example/a",
                          .achievement_name = "A",
                          .achievement_description = "D",
                          .criteria_narrative = "C",
                          .status_list_url = list,
                          .status_index = 3};
    json_t *doc = credential_badge_new(&b, &err);
    assert_non_null(doc);
    assert_true(proof_add(doc, sk, NULL, NULL, &err));
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    free(did);
    keys_free(k);
    return text;
}

static void unknown_issuer_expired_foreign_list(void **state) {
    fx *f = *state;
    char *t = foreign(f, false, NULL, NULL);
    json_t *v = run(f, t);
    assert_int_equal(check_ok(v, "proof"), 1);
    assert_int_equal(check_ok(v, "issuer"), 0);
    assert_false(json_is_true(json_object_get(v, "verified")));
    json_decref(v);
    free(t);
    t = foreign(f, true, "2021-01-01T00:00:00Z", NULL);
    v = run(f, t);
    assert_int_equal(check_ok(v, "issuer"), 1);
    assert_int_equal(check_ok(v, "dates"), 0);
    assert_int_equal(check_ok(v, "status"), -1);
    assert_false(json_is_true(json_object_get(v, "verified")));
    json_decref(v);
    free(t);
    t = foreign(f, true, NULL, "http://169.254.169.254/status/1");
    v = run(f, t);
    assert_int_equal(check_ok(v, "status"), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "checks"), 4), "key")),
                        "badges.check.status_foreign");
    json_decref(v);
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(good_then_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_huge_tampered, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_issuer_expired_foreign_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
