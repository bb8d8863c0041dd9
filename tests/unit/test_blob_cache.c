/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for core/blob_cache: hits only on the same owner and key, replacement,
 * limits, and concurrent use from several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/blob_cache.h"

static void test_get_put(void **state) {
    (void)state;
    blob_cache *c = blob_cache_new(8);
    buf out = BUF_INIT;
    assert_false(blob_cache_get(c, 1, "k1", &out));
    blob_cache_put(c, 1, "k1", "<p>un</p>", 9);
    assert_true(blob_cache_get(c, 1, "k1", &out));
    assert_string_equal(buf_cstr(&out), "<p>un</p>");
    buf_reset(&out);
    assert_false(blob_cache_get(c, 1, "k2", &out)); /* a new version misses */
    assert_false(blob_cache_get(c, 2, "k1", &out)); /* another owner misses */
    assert_int_equal(out.len, 0);
    blob_cache_put(c, 1, "k2", "<p>deux</p>", 11);
    assert_false(blob_cache_get(c, 1, "k1", &out)); /* replaced */
    assert_true(blob_cache_get(c, 1, "k2", &out));
    assert_string_equal(buf_cstr(&out), "<p>deux</p>");
    buf_free(&out);
    blob_cache_free(c);
    blob_cache_free(NULL);
}

static void test_one_slot_many_owners(void **state) {
    (void)state;
    blob_cache *c = blob_cache_new(1);
    buf out = BUF_INIT;
    blob_cache_put(c, 1, "k", "a", 1);
    blob_cache_put(c, 2, "k", "b", 1);
    assert_false(blob_cache_get(c, 1, "k", &out)); /* evicted: same slot */
    assert_true(blob_cache_get(c, 2, "k", &out));
    assert_string_equal(buf_cstr(&out), "b");
    buf_free(&out);
    blob_cache_free(c);
}

/* Four owners of a set are kept together; a fifth evicts the one used least recently
 * (a direct-mapped table of 4 slots cannot keep 4 of these 5 owners). */
static void test_set_keeps_four_owners(void **state) {
    (void)state;
    blob_cache *c = blob_cache_new(4);
    buf out = BUF_INIT;
    for (long long o = 1; o <= 4; o++) blob_cache_put(c, o, "k", "v", 1);
    for (long long o = 1; o <= 4; o++) assert_true(blob_cache_get(c, o, "k", &out));
    assert_true(blob_cache_get(c, 1, "k", &out)); /* 2 is now the least recently used */
    blob_cache_put(c, 5, "k", "w", 1);
    assert_false(blob_cache_get(c, 2, "k", &out));
    for (long long o = 1; o <= 5; o++)
        if (o != 2) assert_true(blob_cache_get(c, o, "k", &out));
    buf_reset(&out);
    blob_cache_put(c, 5, "k2", "x", 1); /* an owner's new value replaces its old one */
    assert_false(blob_cache_get(c, 5, "k", &out));
    assert_true(blob_cache_get(c, 5, "k2", &out));
    assert_true(blob_cache_get(c, 1, "k", &out));
    buf_free(&out);
    blob_cache_free(c);
}

static void test_limits(void **state) {
    (void)state;
    blob_cache *c = blob_cache_new(0);
    char key[BLOB_CACHE_MAX_KEY + 1];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    buf out = BUF_INIT;
    blob_cache_put(c, 1, key, "x", 1);
    assert_false(blob_cache_get(c, 1, key, &out));
    blob_cache_put(c, 1, "k", "with\0nul", 8); /* bytes, not C strings */
    assert_true(blob_cache_get(c, 1, "k", &out));
    assert_int_equal(out.len, 8);
    assert_memory_equal(out.data, "with\0nul", 8);
    assert_false(blob_cache_get(NULL, 1, "k", &out));
    blob_cache_put(NULL, 1, "k", "x", 1);
    buf_free(&out);
    blob_cache_free(c);
}

/* A byte budget: a value that would pass it is not stored, a replaced value gives its
 * bytes back. */
static void test_budget(void **state) {
    (void)state;
    blob_cache *c = blob_cache_new(64);
    blob_cache_set_budget(c, 10);
    buf out = BUF_INIT;
    blob_cache_put(c, 1, "k", "123456", 6);
    blob_cache_put(c, 2, "k", "123456", 6); /* 12 > 10: refused */
    assert_true(blob_cache_get(c, 1, "k", &out));
    assert_false(blob_cache_get(c, 2, "k", &out));
    blob_cache_put(c, 1, "k", "1234", 4); /* replaces: 4 bytes */
    blob_cache_put(c, 2, "k", "123456", 6); /* 10: fits */
    assert_true(blob_cache_get(c, 2, "k", &out));
    buf_free(&out);
    blob_cache_free(c);
}

typedef struct worker {
    blob_cache *c;
    int id;
    int bad;
} worker;

static void *work(void *p) {
    worker *w = p;
    char key[32], page[64];
    buf out = BUF_INIT;
    for (int i = 0; i < 2000; i++) {
        long long owner = (w->id * 7 + i) % 13;
        snprintf(key, sizeof key, "v%d", i % 5);
        snprintf(page, sizeof page, "page of %lld at v%d", owner, i % 5);
        blob_cache_put(w->c, owner, key, page, strlen(page));
        buf_reset(&out);
        if (blob_cache_get(w->c, owner, key, &out) && strcmp(buf_cstr(&out), page)) w->bad++;
    }
    buf_free(&out);
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    blob_cache *c = blob_cache_new(4);
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){c, i, 0};
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].bad, 0); /* a hit always returns the page stored under that key */
    }
    blob_cache_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_put),
        cmocka_unit_test(test_one_slot_many_owners),
        cmocka_unit_test(test_set_keeps_four_owners),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
