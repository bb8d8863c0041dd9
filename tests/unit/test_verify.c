/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/verify: a signed badge with a status list served from memory is
 * verified; revocation, a tampered or missing list, a purpose mismatch, dates, and the
 * credentials inside a CLR are each reported in their own field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/credential.h"
#include "badges/keys.h"
#include "badges/proof.h"
#include "badges/verify.h"

#define LIST_URL "https://ex.fr/status/1"
#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

typedef struct world {
    keys *k;
    json_t *list; /* what the "server" returns for LIST_URL */
    int fetches;
} world;

static json_t *fetch(const char *url, void *ctx, perr *err) {
    world *w = ctx;
    w->fetches++;
    if (strcmp(url, LIST_URL) || !w->list) {
        perr_set(err, "HTTP 404");
        return NULL;
    }
    return json_incref(w->list);
}

static credential_issuer issuer(world *w, char **did) {
    *did = keys_did(w->k);
    return (credential_issuer){*did, "DINUM", NULL, NULL, NULL};
}

static json_t *badge(world *w, size_t index, const char *valid_from, const char *valid_until) {
    char *did;
    credential_badge b = {
        .issuer = issuer(w, &did),
        .valid_from = valid_from,
        .valid_until = valid_until,
        .recipient_email = "agent@example.fr",
        .achievement_id = "https://ex.fr/achievements/1",
        .achievement_name = "Sécurité",
        .achievement_description = "D",
        .criteria_narrative = "N",
        .status_list_url = LIST_URL,
        .status_index = index,
    };
    json_t *d = credential_badge_new(&b, NULL);
    assert_true(proof_add(d, w->k, NULL, "2025-12-31T00:00:00Z", NULL));
    free(did);
    return d;
}

static int setup(void **state) {
    world *w = calloc(1, sizeof *w);
    w->k = keys_generate(NULL);
    statuslist *l = statuslist_new(0);
    statuslist_set(l, 666, true, NULL);
    char *did;
    credential_issuer is = issuer(w, &did);
    w->list = credential_status_list_new(LIST_URL, &is, "2024-01-01T00:00:00Z", l, NULL);
    assert_true(proof_add(w->list, w->k, NULL, "2025-12-01T00:00:00Z", NULL));
    free(did);
    statuslist_free(l);
    *state = w;
    return 0;
}

static int teardown(void **state) {
    world *w = *state;
    json_decref(w->list);
    keys_free(w->k);
    free(w);
    return 0;
}

static void test_valid_and_revoked(void **state) {
    world *w = *state;
    json_t *ok = badge(w, 7, "2025-12-31T00:00:00Z", NULL), *rev = badge(w, 666, "2025-12-31T00:00:00Z", NULL);
    verify_report r;
    if (!verify_credential(ok, NOW, fetch, w, &r)) fail_msg("%s|%s|%s|%s", r.proof.msg, r.dates.msg, r.status.msg, r.inner.msg);
    assert_false(r.revoked);
    assert_false(verify_credential(rev, NOW, fetch, w, &r));
    assert_true(r.revoked);
    assert_string_equal(r.proof.msg, "");
    assert_string_equal(r.status.msg, "revocation bit is set (index 666)");
    /* without a way to fetch, the status cannot be established */
    assert_false(verify_credential(ok, NOW, NULL, NULL, &r));
    assert_non_null(strstr(r.status.msg, "cannot fetch"));
    json_decref(ok);
    json_decref(rev);
}

static void test_list_problems(void **state) {
    world *w = *state;
    json_t *ok = badge(w, 7, NULL, NULL);
    verify_report r;
    json_t *saved = w->list;
    w->list = NULL;
    assert_false(verify_credential(ok, NOW + 86400 * 400, fetch, w, &r));
    assert_non_null(strstr(r.status.msg, "HTTP 404"));
    w->list = json_deep_copy(saved);
    json_object_set_new(json_object_get(w->list, "credentialSubject"), "encodedList",
                        json_string("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"));
    assert_false(verify_credential(ok, NOW + 86400 * 400, fetch, w, &r));
    assert_non_null(strstr(r.status.msg, "status list credential did not verify"));
    json_decref(w->list);
    w->list = saved;
    /* the entry's purpose must be the list's */
    json_object_set_new(json_object_get(ok, "credentialStatus"), "statusPurpose", json_string("suspension"));
    assert_false(verify_credential(ok, NOW + 86400 * 400, fetch, w, &r));
    assert_non_null(strstr(r.proof.msg, "does not verify")); /* the badge was altered too */
    assert_non_null(strstr(r.status.msg, "is for 'revocation'"));
    json_decref(ok);
    json_t *far = badge(w, 200000, "2025-12-31T00:00:00Z", NULL);
    assert_false(verify_credential(far, NOW, fetch, w, &r));
    assert_non_null(strstr(r.status.msg, "out of range"));
    json_decref(far);
}

static void test_dates(void **state) {
    world *w = *state;
    json_t *future = badge(w, 8, "2026-06-01T00:00:00Z", NULL);
    json_t *old = badge(w, 9, "2025-01-01T00:00:00+02:00", "2025-06-01T00:00:00Z");
    verify_report r;
    assert_false(verify_credential(future, NOW, fetch, w, &r));
    assert_non_null(strstr(r.dates.msg, "not yet valid"));
    assert_string_equal(r.proof.msg, "");
    assert_false(verify_credential(old, NOW, fetch, w, &r));
    assert_non_null(strstr(r.dates.msg, "expired"));
    assert_true(verify_credential(old, 1740000000, fetch, w, &r)); /* 2025-02-19 */
    json_decref(future);
    json_decref(old);
    int64_t t;
    assert_true(verify_parse_datetime("2026-01-01T00:00:00Z", &t));
    assert_int_equal(t, NOW);
    assert_true(verify_parse_datetime("2026-01-01T02:00:00.123+02:00", &t));
    assert_int_equal(t, NOW);
    assert_true(verify_parse_datetime("2025-12-31T19:00:00-05:00", &t));
    assert_int_equal(t, NOW);
    assert_false(verify_parse_datetime("2026-01-01T00:00:00", &t)); /* no time zone */
    assert_false(verify_parse_datetime("2026-02-31T00:00:00Z", &t));
    assert_false(verify_parse_datetime("2026-1-01T00:00:00Z", &t));
    assert_false(verify_parse_datetime("2026-01-01 00:00:00Z", &t));
    assert_false(verify_parse_datetime("", &t));
}

static void test_clr(void **state) {
    world *w = *state;
    json_t *b[2] = {badge(w, 10, "2025-12-31T00:00:00Z", NULL), badge(w, 666, "2025-12-31T00:00:00Z", NULL)};
    char *did;
    credential_clr c = {.issuer = issuer(w, &did), .valid_from = "2025-12-31T00:00:00Z", .name = "Passeport",
                        .badges = b, .nbadges = 1};
    json_t *clr = credential_clr_new(&c, NULL);
    assert_true(proof_add(clr, w->k, NULL, NULL, NULL));
    verify_report r;
    if (!verify_credential(clr, NOW, fetch, w, &r)) fail_msg("%s|%s|%s|%s", r.proof.msg, r.dates.msg, r.status.msg, r.inner.msg);
    json_decref(clr);
    c.nbadges = 2;
    clr = credential_clr_new(&c, NULL);
    assert_true(proof_add(clr, w->k, NULL, NULL, NULL));
    assert_false(verify_credential(clr, NOW, fetch, w, &r));
    assert_string_equal(r.proof.msg, "");
    assert_string_equal(r.inner.msg, "credential 1: revocation bit is set (index 666)");
    json_decref(clr);
    free(did);
    json_decref(b[0]);
    json_decref(b[1]);
    assert_false(verify_credential(json_object_get(NULL, "x"), NOW, fetch, w, &r));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_and_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_problems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clr, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
