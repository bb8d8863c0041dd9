/* SPDX-License-Identifier: EUPL-1.2 */
/* PostgreSQL helpers shared by the unit tests that need a server: its URL from
 * PASSPORT_TEST_PG (scripts/pg-harness start prints one; the tests skip when it is unset),
 * statements run outside any test's schema, and a schema of each test's own with a URL
 * whose search path starts there. Include after <cmocka.h> (failures are cmocka's). */
#ifndef PASSPORT_TESTS_PG_TESTUTIL_H
#define PASSPORT_TESTS_PG_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_engine.h"

/* The test server's URL, NULL when PASSPORT_TEST_PG is unset or empty. */
static inline const char *test_pg_server(void) {
    const char *u = getenv("PASSPORT_TEST_PG");
    return u && *u ? u : NULL;
}

/* Runs sql on a store of its own on the server (outside the tests' schemas); fails the
 * test when it cannot. */
static inline void test_pg_exec(const char *sql) {
    perr err = {{0}};
    store *a = store_open_bare(test_pg_server(), &err);
    if (!a) fail_msg("cannot connect to PASSPORT_TEST_PG: %s", err.msg);
    if (!store_exec(a, sql, &err)) fail_msg("%s: %s", sql, err.msg);
    store_free(a);
}

/* A test's schema: its name and the server's URL with search_path set to it, then public
 * (where the extensions unaccent and citext live). */
typedef struct test_pg_schema {
    char name[64];
    char *url;
} test_pg_schema;

/* Makes an empty schema prefix_PID_N (dropped first if a crashed run left it). */
static inline void test_pg_schema_new(test_pg_schema *t, const char *prefix) {
    static int n;
    snprintf(t->name, sizeof t->name, "%s_%d_%d", prefix, (int)getpid(), ++n);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", t->name, t->name);
    test_pg_exec(sql);
    const char *u = test_pg_server();
    size_t len = strlen(u) + 128;
    t->url = malloc(len);
    if (!t->url) abort();
    snprintf(t->url, len, "%s%coptions=-csearch_path%%3D%s%%2Cpublic", u, strchr(u, '?') ? '&' : '?', t->name);
}

/* Empties the schema: drops it and makes it again (the URL stays valid). */
static inline void test_pg_schema_reset(test_pg_schema *t) {
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE; CREATE SCHEMA %s", t->name, t->name);
    test_pg_exec(sql);
}

/* Drops the schema and frees the URL. */
static inline void test_pg_schema_drop(test_pg_schema *t) {
    char sql[160];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", t->name);
    test_pg_exec(sql);
    free(t->url);
    t->url = NULL;
}

/* At the start of a test: skips it when no server is given. */
#define TEST_PG_NEED()                                              \
    do {                                                            \
        if (!test_pg_server()) skip(); /* PASSPORT_TEST_PG unset */ \
    } while (0)

#endif
