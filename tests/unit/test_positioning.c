/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/positioning against a real store: a test is resumable (the presented item
 * is stored), an answer for an item or position not presented and a replayed answer are
 * refused with nothing recorded, a finished test leaves `measured` evidence with its
 * uncertainty and starts the cooldown, the views never hold a right answer, and the
 * re-check sweep is idempotent, gives the same result in any batches, and a re-check ends
 * the due entry. */
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

#include "core/buf.h"
#include "core/clock.h"
#include "learn/positioning.h"
#include "people/account.h"
#include "people/inbox.h"
#include "skills/evidence.h"
#include "skills/skills.h"
#include "testutil.h"

#define DAY 86400
#define NOW 1790000000LL

typedef struct fixture {
    char dir[64];
    store *db;
    posbank *bank;
    long long user;
} fixture;

/* Two competences, four items each (levels 1, 2, 4, 6); the right option is always 2 and
 * the explanation says "SECRET". Item skip (may be NULL) is left out. */
static void write_bank_without(const char *dir, const char *skip) {
    test_put(dir, "frameworks/crcn.csv", "framework,code,title_fr\nCRCN,CRCN-1.1,a\nCRCN,CRCN-4.1,b\n");
    const char *codes[] = {"CRCN-1.1", "CRCN-4.1"};
    const int levels[] = {1, 2, 4, 6};
    for (int c = 0; c < 2; c++) {
        buf b = BUF_INIT;
        buf_printf(&b, "---\ncompetency: %s\nlang: fr\n---\n", codes[c]);
        for (int k = 0; k < 4; k++) {
            char id[32];
            snprintf(id, sizeof id, "item-%d-%d", c, k);
            if (skip && !strcmp(id, skip)) continue;
            buf_printf(&b, "## item-%d-%d\nlevel: %d\n\nQuestion %d %d ?\n- [( )] non\n- [(X)] oui\n> SECRET\n\n", c, k,
                       levels[k], c, k);
        }
        char rel[64];
        snprintf(rel, sizeof rel, "positioning/%s.md", codes[c]);
        test_put(dir, rel, buf_cstr(&b));
        buf_free(&b);
    }
}

/* The bank, with English translations of the CRCN-4.1 items whose right option is the
 * first (to tell which version graded an answer). */
static void write_bank(const char *dir) {
    write_bank_without(dir, NULL);
    buf b = BUF_INIT;
    buf_puts(&b, "---\ncompetency: CRCN-4.1\nlang: en\n---\n");
    for (int k = 0; k < 4; k++) buf_printf(&b, "## item-1-%d\n\nEnglish question %d?\n- [(X)] yes\n- [( )] no\n\n", k, k);
    test_put(dir, "positioning/en/CRCN-4.1.md", buf_cstr(&b));
    buf_free(&b);
}

static int setup(void **state) {
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_positioning.XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/p.db", fx->dir);
    perr err = {{0}};
    fx->db = store_open(path, &err);
    if (!fx->db || !skills_sync_frameworks(fx->db, "courses", &err)) return -1;
    if (!account_create(fx->db, "lea@example.fr", "Léa", 0, ROLE_AGENT, "fr", NULL, &fx->user, &err)) return -1;
    write_bank(fx->dir);
    diag_list d = DIAG_LIST_INIT;
    fx->bank = posbank_load(fx->dir, &d);
    diag_print(&d, stderr);
    if (d.n || fx->bank->n != 8) return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    posbank_free(fx->bank);
    store_free(fx->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    if (system(cmd) != 0) return -1;
    free(fx);
    return 0;
}

/* The running test's presented item and position from the view. */
static void presented(fixture *fx, char id[64], long long *pos, int64_t now) {
    perr err = {{0}};
    json_t *v = positioning_view(fx->db, fx->bank, fx->user, now, &err);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "state")), "running");
    json_t *item = json_object_get(json_object_get(v, "test"), "item");
    snprintf(id, 64, "%s", json_string_value(json_object_get(item, "id")));
    *pos = json_integer_value(json_object_get(item, "position"));
    char *text = json_dumps(v, 0);
    assert_null(strstr(text, "SECRET"));
    assert_null(strstr(text, "correct"));
    free(text);
    json_decref(v);
}

/* The value (a new JSON integer) of the presented item's option reading html ("oui",
 * "non", "yes", "no"): options are shown shuffled, named by their place. */
static json_t *option(fixture *fx, const char *html) {
    perr err = {{0}};
    json_t *v = positioning_view(fx->db, fx->bank, fx->user, NOW, &err), *o, *out = NULL;
    size_t i;
    json_array_foreach(json_object_get(json_object_get(json_object_get(v, "test"), "item"), "options"), i, o)
        if (!strcmp(json_string_value(json_object_get(o, "html")), html))
            out = json_integer(atoi(json_string_value(json_object_get(o, "value"))));
    json_decref(v);
    assert_non_null(out);
    return out;
}

static void test_full_test_and_refusals(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    long long id = 0;
    assert_int_equal(positioning_start(fx->db, fx->bank, fx->user, "fr", NOW, &id, &err), POS_OK);
    assert_true(id > 0);
    assert_int_equal(positioning_start(fx->db, fx->bank, fx->user, "fr", NOW, NULL, &err), POS_RUNNING);
    char item[64];
    long long pos;
    presented(fx, item, &pos, NOW);
    assert_int_equal(pos, 0);
    json_t *two = json_integer(2), *bad = json_integer(7);
    /* an item not presented, a wrong position, a malformed answer: refused, nothing recorded */
    const char *other = strcmp(item, "item-0-0") ? "item-0-0" : "item-0-1";
    grade_problem g;
    assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, other, 0, two, "fr", NOW, &g, NULL, &err),
                     POS_NOT_PRESENTED);
    assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, item, 1, two, "fr", NOW, &g, NULL, &err),
                     POS_NOT_PRESENTED);
    assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, item, 0, bad, "fr", NOW, &g, NULL, &err),
                     POS_BAD_ANSWER);
    assert_int_equal(g, GRADE_NO_OPTION);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM positioning_responses"), 0);
    /* the right answer, then its replay */
    bool finished = true;
    json_t *right = option(fx, "oui");
    assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, item, 0, right, "fr", NOW, &g, &finished, &err), POS_OK);
    assert_false(finished);
    assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, item, 0, right, "fr", NOW, &g, NULL, &err),
                     POS_NOT_PRESENTED);
    json_decref(right);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM positioning_responses"), 1);
    /* resumable: the next item is stored, the same after "a restart" (a new view) */
    char next[64], again[64];
    long long p2, p3;
    presented(fx, next, &p2, NOW);
    presented(fx, again, &p3, NOW);
    assert_string_equal(next, again);
    assert_int_equal(p2, 1);
    assert_string_not_equal(next, item);
    /* answer right until the end (at most the 8 items of the bank) */
    size_t n = 1;
    while (!finished) {
        presented(fx, next, &p2, NOW);
        right = option(fx, "oui");
        assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, next, p2, right, "fr", NOW, &g, &finished, &err),
                         POS_OK);
        json_decref(right);
        n++;
        assert_true(n <= 8);
    }
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM evidence WHERE kind = 'measured' AND source_ref LIKE 'positioning:%'"
                                   " AND comment LIKE '± %'"), 2);
    assert_true(test_count(fx->db, "SELECT min(level) FROM evidence") >= 4); /* all right: high levels */
    json_t *v = positioning_view(fx->db, fx->bank, fx->user, NOW, &err);
    assert_string_equal(json_string_value(json_object_get(v, "state")), "cooldown");
    assert_int_equal(json_array_size(json_object_get(json_object_get(v, "last"), "competences")), 2);
    json_decref(v);
    assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, next, p2 + 1, two, "fr", NOW, &g, NULL, &err),
                     POS_NO_TEST);
    /* the cooldown: refused 29 days later, allowed after 30 */
    assert_int_equal(positioning_start(fx->db, fx->bank, fx->user, "fr", NOW + 29 * DAY, NULL, &err), POS_COOLDOWN);
    assert_int_equal(positioning_start(fx->db, fx->bank, fx->user, "fr", NOW + 30 * DAY, NULL, &err), POS_OK);
    json_decref(two);
    json_decref(bad);
}

static void test_recheck_sweep_idempotent(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    /* a level 4 on CRCN-4.1 recorded 23 months ago, a level 2 on CRCN-1.1 recorded now */
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO evidence(user_id, competency_id, level, kind, source_ref, created_at)"
             " SELECT %lld, id, 4, 'measured', 'module:x', %lld FROM competencies WHERE code = 'CRCN-4.1';"
             "INSERT INTO evidence(user_id, competency_id, level, kind, source_ref, created_at)"
             " SELECT %lld, id, 2, 'measured', 'module:y', %lld FROM competencies WHERE code = 'CRCN-1.1';",
             fx->user, NOW - 700LL * DAY, fx->user, NOW);
    assert_true(store_exec(fx->db, sql, &err));
    int posted = -1;
    assert_true(recheck_sweep(fx->db, fx->bank, NOW - 60 * DAY, 24, &posted, NULL, &err)); /* too early */
    assert_int_equal(posted, 0);
    assert_true(recheck_sweep(fx->db, fx->bank, NOW, 24, &posted, NULL, &err));
    assert_int_equal(posted, 1);
    assert_true(recheck_sweep(fx->db, fx->bank, NOW, 24, &posted, NULL, &err));
    assert_int_equal(posted, 0);
    assert_int_equal(inbox_unread_count(fx->db, fx->user), 1);
    json_t *l = recheck_list(fx->db, fx->user);
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "competency")), "CRCN-4.1");
    assert_true(json_is_true(json_object_get(json_array_get(l, 0), "due")));
    json_decref(l);
    assert_int_equal(recheck_start(fx->db, fx->bank, fx->user, "CRCN-1.1", "fr", NOW, NULL, &err), POS_NOT_DUE);
    /* the re-check: all wrong, so it fails and records the lower level it measured */
    long long id;
    assert_int_equal(recheck_start(fx->db, fx->bank, fx->user, "CRCN-4.1", "fr", NOW, &id, &err), POS_OK);
    bool finished = false;
    size_t n = 0;
    while (!finished) {
        char item[64];
        long long pos;
        presented(fx, item, &pos, NOW);
        assert_true(!strncmp(item, "item-1-", 7)); /* only CRCN-4.1 items */
        json_t *wrong = option(fx, "non");
        assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, item, pos, wrong, "fr", NOW, NULL, &finished, &err),
                         POS_OK);
        json_decref(wrong);
        assert_true(++n <= 6);
    }
    assert_true(n >= 3);
    l = recheck_list(fx->db, fx->user);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "outcome")), "failed");
    json_decref(l);
    assert_true(test_count(fx->db, "SELECT max(level) FROM evidence WHERE source_ref LIKE 'recheck:%'") < 4);
    assert_true(skills_verified_level(fx->db, fx->user, "CRCN-4.1") < 4); /* the failed re-check lowered it */
    assert_int_equal(skills_verified_level(fx->db, fx->user, "CRCN-1.1"), 2);
    /* done: the sweep does not make it due again */
    assert_true(recheck_sweep(fx->db, fx->bank, NOW + DAY, 24, &posted, NULL, &err));
    assert_int_equal(posted, 0);
    /* the lowered level comes due in its turn, 22 months after the re-check (recorded at
     * the real clock's time) */
    int64_t later = clock_now() + 700LL * DAY;
    assert_true(recheck_sweep(fx->db, fx->bank, later, 24, &posted, NULL, &err));
    assert_int_equal(posted, 2); /* CRCN-4.1 at its lowered level, CRCN-1.1 */
    long long lowered = test_count(fx->db, "SELECT level FROM rechecks WHERE competency = 'CRCN-4.1' AND done_at IS NULL");
    assert_true(lowered >= 1 && lowered < 4);
    assert_true(recheck_sweep(fx->db, fx->bank, later, 24, &posted, NULL, &err));
    assert_int_equal(posted, 0);
}

/* The re-checks and their notices, one line each (not their ids or creation times). */
static char *sweep_snapshot(store *db) {
    static const char *const queries[] = {
        "SELECT user_id, competency, level, evidence_at, stale_at, created_at FROM rechecks ORDER BY 1, 2, 4",
        "SELECT user_id, msg_key, args_json, link, dedup FROM inbox WHERE kind = 'recheck' ORDER BY 1, 5",
    };
    buf b = BUF_INIT;
    for (size_t q = 0; q < 2; q++) {
        store_query *st = store_prepare(db, queries[q], NULL);
        assert_non_null(st);
        while (store_step(st) == STORE_ROW) {
            for (int c = 0; c < store_col_count(st); c++) buf_printf(&b, "%s|", store_col_text(st, c));
            buf_putc(&b, '\n');
        }
        store_finalize(st);
    }
    return buf_detach(&b);
}

/* A sweep in batches of agents records exactly the re-checks and notices of one pass,
 * whatever the batch size; once done, another sweep records nothing; a sweep stopped
 * after some batches is completed by the next one. Random evidence over 40 agents (some
 * disabled, some declared or re-check pieces, some on a competence outside the bank). */
static void test_recheck_sweep_batches(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    uint64_t rng = 16;
    static const char *const codes[] = {"CRCN-1.1", "CRCN-4.1", "CRCN-3.2"};
    static const char *const kinds[] = {"measured", "attested", "declared"};
    for (int u = 0; u < 40; u++) {
        long long id = fx->user;
        char email[64], sql[512];
        snprintf(email, sizeof email, "agent%d@example.fr", u);
        if (u && !account_create(fx->db, email, "Agent", 0, ROLE_AGENT, "fr", NULL, &id, &err)) fail_msg("%s", err.msg);
        for (int k = (int)test_rand_below(&rng, 7); k > 0; k--) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO evidence(user_id, competency_id, level, kind, source_ref, created_at)"
                     " SELECT %lld, id, %d, '%s', '%s', %lld FROM competencies WHERE code = '%s'",
                     id, 1 + (int)test_rand_below(&rng, 6), kinds[test_rand_below(&rng, 3)],
                     test_rand_below(&rng, 4) ? "module:x" : "recheck:1",
                     NOW - (long long)test_rand_below(&rng, 900) * DAY, codes[test_rand_below(&rng, 3)]);
            assert_true(store_exec(fx->db, sql, &err));
        }
        if (u % 9 == 5) {
            snprintf(sql, sizeof sql, "UPDATE users SET disabled_at = %lld WHERE id = %lld", NOW, id);
            assert_true(store_exec(fx->db, sql, &err));
        }
    }
    const char *clear = "DELETE FROM rechecks; DELETE FROM inbox WHERE kind = 'recheck';";
    int one = -1, posted = -1;
    assert_true(recheck_sweep_batched(fx->db, fx->bank, NOW, 24, 1000000000000LL, &one, &err));
    assert_true(one > 5); /* the seed gives some of each */
    char *want = sweep_snapshot(fx->db);
    static const long long sizes[] = {1, 2, 3, 7, RECHECK_BATCH_AGENTS};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        assert_true(store_exec(fx->db, clear, &err));
        assert_true(recheck_sweep_batched(fx->db, fx->bank, NOW, 24, sizes[i], &posted, &err));
        assert_int_equal(posted, one);
        char *got = sweep_snapshot(fx->db);
        assert_string_equal(got, want);
        free(got);
        /* idempotent: a second sweep, in other batches, adds nothing */
        assert_true(recheck_sweep_batched(fx->db, fx->bank, NOW, 24, sizes[i] + 1, &posted, &err));
        assert_int_equal(posted, 0);
        got = sweep_snapshot(fx->db);
        assert_string_equal(got, want);
        free(got);
    }
    /* a sweep that stopped halfway (the later agents' batches never committed) */
    long long later = test_count(fx->db, "SELECT count(*) FROM rechecks WHERE user_id > 20");
    assert_true(later > 0);
    assert_true(store_exec(fx->db,
                           "DELETE FROM rechecks WHERE user_id > 20;"
                           "DELETE FROM inbox WHERE kind = 'recheck' AND user_id > 20;",
                           &err));
    assert_true(recheck_sweep(fx->db, fx->bank, NOW, 24, &posted, NULL, &err));
    assert_int_equal(posted, later);
    char *got = sweep_snapshot(fx->db);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

/* Adds k random pieces of evidence for agent id, dated between at - span and at. */
static void random_pieces(store *db, uint64_t *rng, long long id, int k, long long at, long long span) {
    static const char *const codes[] = {"CRCN-1.1", "CRCN-4.1", "CRCN-3.2"};
    static const char *const kinds[] = {"measured", "attested", "declared"};
    perr err = {{0}};
    for (; k > 0; k--) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO evidence(user_id, competency_id, level, kind, source_ref, created_at)"
                 " SELECT %lld, id, %d, '%s', '%s', %lld FROM competencies WHERE code = '%s'",
                 id, 1 + (int)test_rand_below(rng, 6), kinds[test_rand_below(rng, 3)],
                 test_rand_below(rng, 4) ? "module:x" : "recheck:1", at - (long long)test_rand_below(rng, (uint64_t)span),
                 codes[test_rand_below(rng, 3)]);
        assert_true(store_exec(db, sql, &err));
    }
}

/* The full sweep's recorded time in the incremental sweep's state. */
static long long swept_full_at(store *db) {
    store_query *st = store_prepare(db, "SELECT value FROM shared_facts WHERE name = 'rechecks-swept'", NULL);
    assert_non_null(st);
    long long before = 0, last = 0, full_at = -1;
    if (store_step(st) == STORE_ROW) assert_int_equal(sscanf(store_col_text(st, 0), "%lld %lld %lld", &before, &last, &full_at), 3);
    store_finalize(st);
    return full_at;
}

/* The incremental sweep, run at random intervals (an hour to three days) over four months
 * while evidence keeps coming (dated now, or back-dated as an import would be) and the
 * server restarts now and then (the state is in the database): after each sweep, a sweep
 * over every agent finds nothing left to record (nothing missed), each level's notice is
 * in the inbox once, and the sweeps between two full ones did not go over every agent. */
static void test_recheck_sweep_incremental(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    uint64_t rng = 23;
    enum { AGENTS = 60 };
    long long ids[AGENTS];
    for (int u = 0; u < AGENTS; u++) {
        char email[64];
        snprintf(email, sizeof email, "inc%d@example.fr", u);
        assert_true(account_create(fx->db, email, "Agent", 0, ROLE_AGENT, "fr", NULL, &ids[u], &err));
        random_pieces(fx->db, &rng, ids[u], (int)test_rand_below(&rng, 6), NOW, 900 * DAY);
    }
    char path[160];
    snprintf(path, sizeof path, "%s/p.db", fx->dir);
    long long now = NOW, first_full = -1;
    int incremental = 0, posted_incremental = 0, restarts = 0;
    while (now < NOW + 120 * DAY) {
        long long full_before = swept_full_at(fx->db);
        int posted = -1;
        bool full = true;
        assert_true(recheck_sweep(fx->db, fx->bank, now, 24, &posted, &full, &err));
        long long full_after = swept_full_at(fx->db);
        if (first_full < 0) first_full = full_after;
        assert_int_equal(full, full_after != full_before);
        if (!full) { /* an incremental sweep */
            incremental++;
            posted_incremental += posted;
            assert_true(now - full_after < RECHECK_FULL_DAYS * DAY);
        } else {
            assert_int_equal(full_after, now);
        }
        int missed = -1;
        assert_true(recheck_sweep_batched(fx->db, fx->bank, now, 24, RECHECK_BATCH_AGENTS, &missed, &err));
        if (missed) fail_msg("%d re-checks missed by the sweep at day %lld", missed, (now - NOW) / DAY);
        assert_int_equal(test_count(fx->db, "SELECT count(*) FROM (SELECT user_id, dedup FROM inbox WHERE kind = 'recheck'"
                                            " GROUP BY user_id, dedup HAVING count(*) > 1) d"),
                         0);
        assert_int_equal(test_count(fx->db, "SELECT count(*) FROM inbox WHERE kind = 'recheck'"),
                         test_count(fx->db, "SELECT count(*) FROM rechecks"));
        /* new evidence for some agents: recorded now, or dated back to 800 days */
        now += 3600 + (long long)test_rand_below(&rng, 3 * DAY);
        for (int k = (int)test_rand_below(&rng, 4); k > 0; k--)
            random_pieces(fx->db, &rng, ids[test_rand_below(&rng, AGENTS)], 1, now,
                          test_rand_below(&rng, 2) ? 1 : 800 * DAY);
        if (test_rand_below(&rng, 5) == 0) { /* a restart */
            store_free(fx->db);
            fx->db = store_open(path, &err);
            assert_non_null(fx->db);
            restarts++;
        }
    }
    assert_int_equal(first_full, NOW); /* no state at first: over every agent */
    assert_true(incremental > 40);
    assert_true(posted_incremental > 5);
    assert_true(restarts > 3);
}

/* In English, translated items are shown and graded in English, the others in French. */
static void test_english_items(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    assert_int_equal(positioning_start(fx->db, fx->bank, fx->user, "en", NOW, NULL, &err), POS_OK);
    bool finished = false;
    size_t english = 0;
    while (!finished) {
        json_t *v = positioning_view(fx->db, fx->bank, fx->user, NOW, &err);
        json_t *item = json_object_get(json_object_get(v, "test"), "item");
        const char *id = json_string_value(json_object_get(item, "id"));
        bool en = !strncmp(id, "item-1-", 7);
        assert_string_equal(json_string_value(json_object_get(item, "lang")), en ? "en" : "fr");
        if (en) assert_non_null(strstr(json_string_value(json_object_get(item, "prompt_html")), "English"));
        english += en;
        json_t *answer = option(fx, en ? "yes" : "oui"); /* the right option of the version shown */
        assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, id, json_integer_value(json_object_get(item, "position")),
                                            answer, "en", NOW, NULL, &finished, &err), POS_OK);
        json_decref(answer);
        json_decref(v);
    }
    assert_true(english > 0);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM positioning_responses WHERE correct = 0"), 0);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM positioning_responses WHERE lang = 'en'"), (long long)english);
}

/* The bank reloaded without the item a running test presents: another item is presented,
 * nothing is lost, the test goes on. */
static void test_bank_changed_under_a_running_test(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    assert_int_equal(positioning_start(fx->db, fx->bank, fx->user, "fr", NOW, NULL, &err), POS_OK);
    char item[64], next[64];
    long long pos;
    presented(fx, item, &pos, NOW);
    char dir[96];
    snprintf(dir, sizeof dir, "%s/reloaded", fx->dir);
    mkdir(dir, 0700);
    write_bank_without(dir, item);
    diag_list d = DIAG_LIST_INIT;
    posbank *b2 = posbank_load(dir, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(b2->n, 7);
    posbank *old = fx->bank;
    fx->bank = b2;
    presented(fx, next, &pos, NOW);
    assert_string_not_equal(next, item);
    assert_int_equal(pos, 0);
    json_t *two = json_integer(2);
    assert_int_equal(positioning_answer(fx->db, b2, fx->user, next, 0, two, "fr", NOW, NULL, NULL, &err), POS_OK);
    json_decref(two);
    fx->bank = old;
    posbank_free(b2);
}

/* Options are shown shuffled per agent, test and item, the same at every showing, and an
 * answer given by place is graded and recorded with the file's option numbers. */
static void test_options_shuffled(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    long long id = 0;
    assert_int_equal(positioning_start(fx->db, fx->bank, fx->user, "fr", NOW, &id, &err), POS_OK);
    char item[64], sql[128];
    long long pos;
    presented(fx, item, &pos, NOW);
    int first[2] = {0, 0};
    for (int seed = 1; seed <= 32; seed++) { /* fixed seeds: the same outcome every run */
        snprintf(sql, sizeof sql, "UPDATE positioning_tests SET seed = %d WHERE id = %lld", seed, id);
        assert_true(store_exec(fx->db, sql, &err));
        json_t *yes = option(fx, "oui"), *again = option(fx, "oui");
        assert_int_equal(json_integer_value(yes), json_integer_value(again)); /* stable */
        first[json_integer_value(yes) == 1]++;
        json_decref(yes);
        json_decref(again);
    }
    assert_true(first[0] > 0 && first[1] > 0); /* the right option is not always in its file's place */
    json_t *yes = option(fx, "oui");
    bool finished = true;
    assert_int_equal(positioning_answer(fx->db, fx->bank, fx->user, item, pos, yes, "fr", NOW, NULL, &finished, &err),
                     POS_OK);
    json_decref(yes);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM positioning_responses WHERE correct = 1"
                                        " AND answer_json = '{\"q1\":2}'"), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_test_and_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recheck_sweep_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recheck_sweep_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recheck_sweep_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_changed_under_a_running_test, setup, teardown),
        cmocka_unit_test_setup_teardown(test_english_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_shuffled, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
