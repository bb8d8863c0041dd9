/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for people/inbox: paging the messages by key (store_page_bind, store_page_row):
 * every message exactly once, newest first, however many share a second; the unread
 * filter; a message posted between two pages shifts nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "people/account.h"
#include "people/inbox.h"
#include "testutil.h"

typedef test_fx fx;

static int setup(void **state) {
    fx *f = test_fx_new();
    f->agent = test_account(f->t->s, "ines@x.fr", "Inès", ROLE_AGENT, "fr");
    *state = f;
    return 0;
}

/* Posts n messages "m<first>".."m<first+n-1>" (in one second or a few: ties on created_at). */
static void post(fx *f, int first, int n) {
    perr err = {{0}};
    assert_true(store_begin(f->t->s, &err));
    for (int i = first; i < first + n; i++) {
        char link[16];
        snprintf(link, sizeof link, "m%d", i);
        assert_true(inbox_post(f->t->s, f->agent, "test", "inbox.test", NULL, link, NULL, &err));
    }
    assert_true(store_commit(f->t->s, &err));
}

/* Reads every page of limit; appends the messages' links to out; returns the pages. */
static int read_all(fx *f, bool unread, size_t limit, json_t *out) {
    store_page pg = {.limit = limit};
    int pages = 0;
    do {
        json_t *page = inbox_list_page(f->t->s, f->agent, unread, &pg);
        assert_true(json_array_size(page) <= limit);
        assert_true(!pg.more || json_array_size(page) == limit);
        size_t i;
        json_t *m;
        json_array_foreach(page, i, m) json_array_append(out, json_object_get(m, "link"));
        json_decref(page);
        pg.has_after = true;
        pg.after = pg.last;
        pages++;
    } while (pg.more && pages < 1000);
    return pages;
}

static void pages_hold_each_message_once_in_order(void **state) {
    fx *f = *state;
    post(f, 0, 250);
    json_t *whole = inbox_list(f->t->s, f->agent, false, 1000), *links = json_array(), *paged = json_array();
    assert_int_equal(json_array_size(whole), 250);
    size_t i;
    json_t *m;
    json_array_foreach(whole, i, m) json_array_append(links, json_object_get(m, "link"));
    assert_int_equal(read_all(f, false, 100, paged), 3); /* beyond the page's 100 */
    assert_true(json_equal(paged, links));
    json_t *ones = json_array();
    assert_int_equal(read_all(f, false, 1, ones), 250);
    assert_true(json_equal(ones, links));
    json_decref(whole);
    json_decref(links);
    json_decref(paged);
    json_decref(ones);
}

static void a_message_posted_between_pages_shifts_nothing(void **state) {
    fx *f = *state;
    post(f, 0, 30);
    store_page pg = {.limit = 10};
    json_t *first = inbox_list_page(f->t->s, f->agent, false, &pg);
    assert_true(pg.more);
    post(f, 100, 1); /* newer than all: belongs before the first page */
    pg.has_after = true;
    pg.after = pg.last;
    json_t *second = inbox_list_page(f->t->s, f->agent, false, &pg);
    assert_int_equal(json_array_size(second), 10);
    json_t *last_of_first = json_object_get(json_array_get(first, 9), "link");
    json_t *whole = inbox_list(f->t->s, f->agent, false, 100);
    size_t at = 0;
    while (at < json_array_size(whole) && !json_equal(json_object_get(json_array_get(whole, at), "link"), last_of_first))
        at++;
    assert_true(json_equal(json_object_get(json_array_get(second, 0), "link"),
                           json_object_get(json_array_get(whole, at + 1), "link")));
    json_decref(first);
    json_decref(second);
    json_decref(whole);
}

static void unread_pages(void **state) {
    fx *f = *state;
    post(f, 0, 12);
    json_t *all = inbox_list(f->t->s, f->agent, false, 100);
    perr err = {{0}};
    for (size_t i = 0; i < json_array_size(all); i += 2) /* every other one read */
        assert_true(inbox_mark_read(f->t->s, f->agent, json_integer_value(json_object_get(json_array_get(all, i), "id")), &err));
    json_t *unread = json_array();
    assert_int_equal(read_all(f, true, 4, unread), 2);
    assert_int_equal(json_array_size(unread), 6);
    for (size_t i = 0; i < 6; i++)
        assert_true(json_equal(json_array_get(unread, i), json_object_get(json_array_get(all, 2 * i + 1), "link")));
    json_decref(all);
    json_decref(unread);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pages_hold_each_message_once_in_order, setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(a_message_posted_between_pages_shifts_nothing, setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(unread_pages, setup, test_fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
