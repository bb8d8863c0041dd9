/* SPDX-License-Identifier: EUPL-1.2 */
/* Helpers shared by unit tests: a fresh store in a temp folder, a group fixture with a
 * store and accounts, files written into a temp tree, a count query, deterministic
 * random numbers. */
#ifndef PASSPORT_TESTS_TESTUTIL_H
#define PASSPORT_TESTS_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "people/account.h"
#include "store/store.h"

typedef struct test_db {
    char dir[64];
    char path[96];
    store *s;
} test_db;

/* Standard error captured into a temp file between test_stderr_begin and
 * test_stderr_end, which returns what was written (the caller frees it). */
typedef struct test_stderr {
    char path[40];
    int fd, saved;
} test_stderr;

static inline void test_stderr_begin(test_stderr *c) {
    strcpy(c->path, "/tmp/passport-unit-err-XXXXXX");
    c->fd = mkstemp(c->path);
    if (c->fd < 0) abort();
    fflush(stderr);
    c->saved = dup(2);
    dup2(c->fd, 2);
}

static inline char *test_stderr_end(test_stderr *c) {
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    off_t n = lseek(c->fd, 0, SEEK_END);
    char *out = calloc(1, (size_t)n + 1);
    if (!out || pread(c->fd, out, (size_t)n, 0) != n) abort();
    close(c->fd);
    unlink(c->path);
    return out;
}

/* The number of times needle occurs in text. */
static inline int test_occurrences(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* Opens a new migrated store in a new temp folder; aborts the test run on failure. */
static inline test_db *test_db_open(void) {
    test_db *t = calloc(1, sizeof *t);
    strcpy(t->dir, "/tmp/passport-unit-XXXXXX");
    if (!mkdtemp(t->dir)) abort();
    snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
    perr err = {{0}};
    t->s = store_open(t->path, &err);
    if (!t->s) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        abort();
    }
    return t;
}

static inline void test_db_close(test_db *t) {
    char p[128];
    store_free(t->s);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
        unlink(p);
    }
    rmdir(t->dir);
    free(t);
}

/* Makes an account on s (no password, no unit) and returns its id; aborts the test run
 * on failure. */
static inline long long test_account(store *s, const char *email, const char *name, unsigned roles,
                                     const char *locale) {
    long long id = 0;
    perr err = {{0}};
    if (!account_create(s, email, name, 0, roles, locale, NULL, &id, &err)) {
        fprintf(stderr, "account_create %s: %s\n", email, err.msg);
        abort();
    }
    return id;
}

/* The state of a cmocka test with setup and teardown: a fresh store and the ids of the
 * accounts its setup made (0 for those it did not). */
typedef struct test_fx {
    test_db *t;
    long long hr, agent;
} test_fx;

/* A new fixture with a fresh store and no account; test_fx_teardown frees it. */
static inline test_fx *test_fx_new(void) {
    test_fx *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->t = test_db_open();
    return f;
}

/* A cmocka teardown for a test_fx made by a setup: closes its store, frees it. */
static inline int test_fx_teardown(void **state) {
    test_fx *f = *state;
    test_db_close(f->t);
    free(f);
    return 0;
}

/* Writes text to dir/rel, making rel's parent folders; aborts the test run on failure. */
static inline void test_put(const char *dir, const char *rel, const char *text) {
    char p[512];
    if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, rel) >= sizeof p) abort();
    for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0700);
        *s = '/';
    }
    FILE *f = fopen(p, "wb");
    if (!f) abort();
    fputs(text, f);
    if (fclose(f) != 0) abort();
}

/* Removes dir and everything below it; 0 on success (a cmocka teardown's answer). */
static inline int test_rmtree(const char *dir) {
    char cmd[600];
    if ((size_t)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) >= sizeof cmd) return -1;
    return system(cmd) == 0 ? 0 : -1;
}

/* The first column of the first row of sql (a count), or -1 when sql fails. */
static inline long long test_count(store *s, const char *sql) {
    store_query *st = NULL;
    long long n = -1;
    if ((st = store_prepare(s, sql, NULL)) && store_step(st) == STORE_ROW)
        n = store_col_int64(st, 0);
    store_finalize(st);
    return n;
}

/* A deterministic pseudo-random sequence for property tests (splitmix64): the same seed
 * gives the same cases on every run. */
static inline uint64_t test_rand_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number in [0, n), n > 0 (the slight modulo bias does not matter to tests). */
static inline int test_rand_below(uint64_t *state, int n) {
    return (int)(test_rand_next(state) % (uint64_t)n);
}

#endif
