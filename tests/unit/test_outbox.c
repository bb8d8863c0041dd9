/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for mail/outbox: the preference decides what is queued, held or dropped; the
 * state machine (claim with a lease, retry with backoff, the DATA phase, sent, failed);
 * a crashed worker's row is queued again only when the server cannot have received it;
 * two claims never take the same row; digests fold held notices into one message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "mail/outbox.h"
#include "people/account.h"
#include "testutil.h"

static long long new_user(test_db *t, const char *email, const char *locale) {
    return test_account(t->s, email, "Léa Martin", ROLE_AGENT, locale);
}

/* The text that sql (a SELECT of one column, the row id as ?) reads ("" when no row). */
static char *row_text(test_db *t, const char *sql, long long id) {
    static char out[64];
    store_query *st = store_prepare(t->s, sql, NULL);
    store_bind_int64(st, 1, id);
    snprintf(out, sizeof out, "%s", store_step(st) == STORE_ROW ? store_col_text(st, 0) : "");
    store_finalize(st);
    return out;
}

static char *state_of(test_db *t, long long id) {
    return row_text(t, "SELECT state FROM outbox WHERE id = ?", id);
}

static char *link_of(test_db *t, long long id) {
    return row_text(t, "SELECT link FROM outbox WHERE id = ?", id);
}

static int count_state(test_db *t, const char *state) {
    json_t *c = outbox_counts(t->s);
    int n = (int)json_integer_value(json_object_get(c, state));
    json_decref(c);
    return n;
}

static void test_preferences(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long each = new_user(t, "each@ex.fr", "fr"), digest = new_user(t, "digest@ex.fr", "en"),
              essential = new_user(t, "essential@ex.fr", "fr"), gone = new_user(t, "gone@ex.fr", "fr");
    perr err = {{0}};
    assert_int_equal(outbox_pref_get(t->s, each), OUTBOX_PREF_EACH); /* the default */
    assert_true(outbox_pref_set(t->s, digest, OUTBOX_PREF_DIGEST, &err));
    assert_true(outbox_pref_set(t->s, essential, OUTBOX_PREF_ESSENTIAL, &err));
    assert_true(account_set_disabled(t->s, gone, true, &err));
    json_t *args = json_pack("[s]", "Sécurité");
    for (long long u = each; u <= gone; u++)
        assert_true(outbox_enqueue(t->s, u, "assignment", "paths.inbox.assigned", args, "/me/assignments", &err));
    json_decref(args);
    assert_int_equal(count_state(t, "queued"), 1);
    assert_int_equal(count_state(t, "held"), 1);
    /* essential messages go whatever the preference, but never to a disabled account */
    for (long long u = each; u <= gone; u++) assert_true(outbox_enqueue_essential(t->s, u, "reset", "/x", &err));
    assert_int_equal(count_state(t, "queued"), 4);
    json_t *list = outbox_list(t->s, "held", 10);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "to")), "digest@ex.fr");
    json_decref(list);
    outbox_pref p;
    assert_false(outbox_pref_parse("weekly", &p));
    assert_true(outbox_pref_parse("essential", &p));
    test_db_close(t);
}

static void test_claim_retry_sent(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long u = new_user(t, "lea@ex.fr", "fr");
    perr err = {{0}};
    assert_true(outbox_enqueue_essential(t->s, u, "invitation", "/password/set?t=abc", &err));
    int64_t now = clock_now();
    outbox_msg m;
    assert_true(outbox_claim(t->s, now, &m, &err));
    assert_string_equal(m.to, "lea@ex.fr");
    assert_string_equal(m.locale, "fr");
    assert_string_equal(m.kind, "invitation");
    assert_string_equal(m.name, "Léa Martin");
    assert_int_equal(m.attempts, 1);
    long long id = m.id;
    outbox_msg_clear(&m);
    assert_string_equal(state_of(t, id), "sending");
    assert_false(outbox_claim(t->s, now, &m, &err)); /* claimed rows are not claimed again */
    assert_string_equal(err.msg, "");
    /* the server was down: queued again for later, not before */
    assert_true(outbox_mark_failed(t->s, id, now, false, false, "connection refused", 10, &err));
    assert_string_equal(state_of(t, id), "queued");
    assert_false(outbox_claim(t->s, now + 9, &m, &err));
    assert_true(outbox_claim(t->s, now + 10, &m, &err));
    assert_int_equal(m.attempts, 2);
    outbox_msg_clear(&m);
    assert_true(outbox_mark_delivering(t->s, id, &err));
    assert_true(outbox_mark_sent(t->s, id, now + 11, &err));
    assert_string_equal(state_of(t, id), "sent");
    /* the secret link left with the message */
    store_query *st = store_stmt(t->s, "SELECT link FROM outbox WHERE id = ?", NULL);
    store_bind_int64(st, 1, id);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "");
    store_done(st);
    assert_false(outbox_claim(t->s, now + 10000, &m, &err));
    test_db_close(t);
}

static void test_failures_end_in_failed(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long u = new_user(t, "lea@ex.fr", "fr");
    perr err = {{0}};
    /* a few seconds ahead: a row enqueued or retried (stamped with the clock) after the
     * second turns is still due at this time */
    int64_t now = clock_now() + 5;
    outbox_msg m;
    /* refused for good */
    assert_true(outbox_enqueue_essential(t->s, u, "reset", "/r", &err));
    assert_true(outbox_claim(t->s, now, &m, &err));
    assert_true(outbox_mark_failed(t->s, m.id, now, true, false, "550 no such user", 1, &err));
    assert_string_equal(state_of(t, m.id), "failed");
    /* its secret link is gone: it cannot be sent again as it was */
    assert_string_equal(link_of(t, m.id), "");
    assert_false(outbox_retry(t->s, m.id, &err));
    assert_string_equal(err.msg, "outbox.link_gone");
    outbox_msg_clear(&m);
    /* a notice failed for good keeps its (harmless) link, and an admin sends it again */
    assert_true(outbox_enqueue(t->s, u, "assignment", "mail.assignment", NULL, "/me/paths", &err));
    assert_true(outbox_claim(t->s, now, &m, &err));
    assert_true(outbox_mark_failed(t->s, m.id, now, true, false, "550 no such user", 1, &err));
    assert_string_equal(link_of(t, m.id), "/me/paths");
    assert_true(outbox_retry(t->s, m.id, &err));
    assert_string_equal(state_of(t, m.id), "queued");
    assert_false(outbox_retry(t->s, m.id, &err)); /* only failed rows */
    assert_string_equal(err.msg, "outbox.not_failed");
    outbox_msg_clear(&m);
    assert_true(outbox_claim(t->s, now, &m, &err)); /* out of the way of the next cases */
    assert_true(outbox_mark_sent(t->s, m.id, now, &err));
    outbox_msg_clear(&m);
    /* the whole message went out and no answer came: maybe delivered, never sent again */
    assert_true(outbox_enqueue_essential(t->s, u, "reset", "/r", &err));
    assert_true(outbox_claim(t->s, now, &m, &err));
    assert_true(outbox_mark_delivering(t->s, m.id, &err));
    assert_true(outbox_mark_failed(t->s, m.id, now, false, true, "timeout after DATA", 1, &err));
    assert_string_equal(state_of(t, m.id), "failed");
    outbox_msg_clear(&m);
    /* temporary failures stop after OUTBOX_MAX_ATTEMPTS */
    assert_true(outbox_enqueue_essential(t->s, u, "reset", "/r", &err));
    int64_t at = now;
    long long id = 0;
    for (int i = 1; i <= OUTBOX_MAX_ATTEMPTS; i++) {
        assert_true(outbox_claim(t->s, at, &m, &err));
        assert_int_equal(m.attempts, i);
        id = m.id;
        outbox_msg_clear(&m);
        assert_true(outbox_mark_failed(t->s, id, at, false, false, "refused", 1, &err));
        if (i < OUTBOX_MAX_ATTEMPTS) assert_string_equal(link_of(t, id), "/r"); /* kept while it is retried */
        at += OUTBOX_BACKOFF_MAX;
    }
    assert_string_equal(state_of(t, id), "failed");
    assert_string_equal(link_of(t, id), "");
    test_db_close(t);
}

static void test_crash_recovery(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long u = new_user(t, "lea@ex.fr", "fr");
    perr err = {{0}};
    int64_t now = clock_now();
    outbox_msg a, b;
    assert_true(outbox_enqueue_essential(t->s, u, "invitation", "/a", &err));
    assert_true(outbox_enqueue_essential(t->s, u, "reset", "/b", &err));
    /* two workers claim at once: each gets its own row */
    assert_true(outbox_claim(t->s, now, &a, &err));
    assert_true(outbox_claim(t->s, now, &b, &err));
    assert_true(a.id != b.id);
    /* b's worker reached the DATA phase, then both died */
    assert_true(outbox_mark_delivering(t->s, b.id, &err));
    assert_int_equal(outbox_recover(t->s, now + OUTBOX_LEASE_SECONDS - 1), 0); /* leases still run */
    assert_int_equal(outbox_recover(t->s, now + OUTBOX_LEASE_SECONDS), 2);
    assert_string_equal(state_of(t, a.id), "queued"); /* the server never saw it: sent later */
    assert_string_equal(state_of(t, b.id), "failed"); /* it may have arrived: not sent twice */
    assert_string_equal(link_of(t, b.id), "");        /* and its link goes */
    assert_string_equal(link_of(t, a.id), "/a");      /* still to be sent: kept */
    /* the late worker of a finds its lease gone and stops before sending */
    assert_false(outbox_mark_delivering(t->s, a.id, &err));
    outbox_msg c;
    assert_true(outbox_claim(t->s, now + OUTBOX_LEASE_SECONDS, &c, &err));
    assert_int_equal(c.id, a.id);
    assert_int_equal(c.attempts, 2);
    outbox_msg_clear(&c);
    assert_false(outbox_claim(t->s, now + 10 * OUTBOX_LEASE_SECONDS, &c, &err)); /* b stays failed */
    outbox_msg_clear(&a);
    outbox_msg_clear(&b);
    outbox_msg_clear(&c);
    test_db_close(t);
}

static void test_backoff(void **state) {
    (void)state;
    assert_int_equal(outbox_backoff(1, 60), 60);
    assert_int_equal(outbox_backoff(2, 60), 120);
    assert_int_equal(outbox_backoff(3, 60), 240);
    assert_int_equal(outbox_backoff(7, 60), OUTBOX_BACKOFF_MAX);
    assert_int_equal(outbox_backoff(40, 60), OUTBOX_BACKOFF_MAX);
}

static void test_digest(void **state) {
    (void)state;
    test_db *t = test_db_open();
    long long u = new_user(t, "lea@ex.fr", "fr");
    perr err = {{0}};
    assert_true(outbox_pref_set(t->s, u, OUTBOX_PREF_DIGEST, &err));
    json_t *args = json_pack("[s, s]", "Sécurité", "2027-01-01");
    assert_true(outbox_enqueue(t->s, u, "assignment", "paths.inbox.assigned", args, "/me/assignments", &err));
    assert_true(outbox_enqueue(t->s, u, "due_soon", "paths.inbox.due_soon", args, "/me/assignments", &err));
    json_decref(args);
    int64_t now = clock_now();
    assert_int_equal(outbox_fold_digests(t->s, now, &err), 0); /* not before the digest hour */
    assert_int_equal(outbox_fold_digests(t->s, now + 86400, &err), 1);
    assert_int_equal(count_state(t, "digested"), 2);
    outbox_msg m;
    assert_true(outbox_claim(t->s, now + 86400, &m, &err));
    assert_string_equal(m.kind, "digest");
    assert_int_equal(json_array_size(m.args), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(m.args, 1), "key")), "paths.inbox.due_soon");
    outbox_msg_clear(&m);
    assert_int_equal(outbox_fold_digests(t->s, now + 2 * 86400, &err), 0); /* folded once */
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preferences),      cmocka_unit_test(test_claim_retry_sent),
        cmocka_unit_test(test_failures_end_in_failed), cmocka_unit_test(test_crash_recovery),
        cmocka_unit_test(test_backoff),          cmocka_unit_test(test_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
