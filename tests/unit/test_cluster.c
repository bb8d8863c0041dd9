/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for store/cluster: two stores on one database file stand for two servers. A lease
 * is held by one holder at a time, taken by whoever asks first once expired or released,
 * so that a task guarded by it runs once a period; a shared fact is recorded by the first server, matched by an equal value,
 * refused while another live server serves the current one, adopted when none does or
 * when the new value supersedes it; the heartbeat says whether a value is current. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/cluster.h"
#include "testutil.h"

static bool lease(store *s, const char *holder, int64_t now) {
    bool taken = false;
    perr err = {{0}};
    assert_true(cluster_lease_take(s, "housekeeping", holder, now, 60, &taken, &err));
    return taken;
}

static void test_lease(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store *b = store_open(t->path, NULL); /* the second server */
    assert_non_null(b);
    assert_true(lease(t->s, "a", 1000));
    assert_false(lease(b, "b", 1000));  /* held by a */
    assert_false(lease(b, "b", 1059));  /* one second before it expires */
    assert_false(lease(t->s, "a", 1030)); /* nor by a itself: the period is not over */
    assert_true(lease(b, "b", 1060));   /* expired: whoever asks first takes it */
    assert_false(lease(t->s, "a", 1061));
    cluster_lease_release(b, "housekeeping", "b");
    assert_true(lease(t->s, "a", 1062)); /* released: taken at once */
    cluster_lease_release(b, "housekeeping", "b"); /* not b's: no effect */
    assert_false(lease(b, "b", 1063));
    store_free(b);
    test_db_close(t);
}

/* A periodic task guarded by a lease runs once a period, whichever server ticks. */
static void test_once_per_period(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store *b = store_open(t->path, NULL);
    int runs = 0;
    for (int64_t now = 0; now < 600; now += 10) { /* both tick every 10 s for 10 minutes */
        bool taken = false;
        assert_true(cluster_lease_take(t->s, "due", "a", now, 60, &taken, NULL));
        runs += taken;
        assert_true(cluster_lease_take(b, "due", "b", now + 1, 60, &taken, NULL));
        runs += taken;
    }
    assert_int_equal(runs, 10); /* once a minute, not once per server and tick */
    store_free(b);
    test_db_close(t);
}

static cluster_verdict claim(store *s, const char *server, const char *mine, int64_t now, bool adopt,
                             cluster_supersedes sup, buf *other) {
    cluster_verdict v;
    perr err = {{0}};
    buf cur = BUF_INIT;
    if (other) buf_reset(other);
    assert_true(cluster_claim(s, server, "library", mine, now, 30, adopt, sup, &v, &cur, other, &err));
    buf_free(&cur);
    return v;
}

static bool longer(const char *mine, const char *current) {
    return strlen(mine) > strlen(current);
}

static void test_facts(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store *b = store_open(t->path, NULL);
    buf other = BUF_INIT, cur = BUF_INIT;
    assert_int_equal(claim(t->s, "a", "h1", 100, true, NULL, NULL), CLUSTER_MATCH); /* first: recorded */
    assert_true(cluster_fact(b, "library", &cur, NULL, NULL));
    assert_string_equal(buf_cstr(&cur), "h1");
    assert_int_equal(claim(b, "b", "h1", 101, true, NULL, NULL), CLUSTER_MATCH);
    /* b reloads another library while a serves h1: refused, naming a */
    assert_int_equal(claim(b, "b", "h2", 110, true, NULL, &other), CLUSTER_REFUSED);
    assert_string_equal(buf_cstr(&other), "a");
    /* unless the new value supersedes the current one (a key set that adds a key) */
    assert_int_equal(claim(b, "b", "h1+k", 111, true, longer, NULL), CLUSTER_ADOPTED);
    bool current = true;
    assert_true(cluster_report(t->s, "a", "library", "h1", 112, &current, NULL, NULL));
    assert_false(current); /* a learns at its heartbeat that it serves a stale value */
    /* a stops: b alone may adopt at its next reload */
    cluster_leave(t->s, "a");
    assert_int_equal(claim(b, "b", "h3", 113, true, NULL, NULL), CLUSTER_ADOPTED);
    /* a server that was seen long ago does not count as live */
    assert_true(cluster_report(t->s, "a", "library", "h3", 120, &current, NULL, NULL));
    assert_true(current);
    assert_int_equal(claim(b, "b", "h4", 200, true, NULL, NULL), CLUSTER_ADOPTED); /* a last seen at 120 */
    /* without may_adopt (an automatic reload), a different value is never adopted */
    assert_int_equal(claim(t->s, "a", "h5", 201, false, NULL, &other), CLUSTER_REFUSED);
    assert_int_equal(claim(t->s, "a", "h4", 202, false, NULL, NULL), CLUSTER_MATCH);
    buf_free(&other);
    buf_free(&cur);
    store_free(b);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lease),
        cmocka_unit_test(test_once_per_period),
        cmocka_unit_test(test_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
