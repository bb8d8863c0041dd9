/* Failures in login_failures, keyed "e:<lowercased email>" and "i:<address>". */
#include "people/throttle.h"

#include <ctype.h>
#include <stdio.h>

#include "core/clock.h"

static void key_for(char *out, size_t n, char kind, const char *v) {
    size_t i = 0;
    out[i++] = kind;
    out[i++] = ':';
    for (; v && *v && i + 1 < n; v++) out[i++] = (char)tolower((unsigned char)*v);
    out[i] = '\0';
}

static int failures(store *s, const char *key) {
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM login_failures WHERE key = ? AND at > ?", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, clock_now() - THROTTLE_WINDOW_SECONDS);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    store_done(st);
    return n;
}

bool throttle_blocked(store *s, const char *email, const char *ip) {
    char ke[300], ki[80];
    key_for(ke, sizeof ke, 'e', email);
    key_for(ki, sizeof ki, 'i', ip);
    return failures(s, ke) >= THROTTLE_MAX_PER_ACCOUNT || failures(s, ki) >= THROTTLE_MAX_PER_IP;
}

static void add(store *s, const char *key) {
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO login_failures(key, at) VALUES (?, ?)", NULL);
    if (!st) return;
    store_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, clock_now());
    sqlite3_step(st);
    store_done(st);
}

void throttle_fail(store *s, const char *email, const char *ip) {
    char ke[300], ki[80];
    key_for(ke, sizeof ke, 'e', email);
    key_for(ki, sizeof ki, 'i', ip);
    add(s, ke);
    add(s, ki);
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM login_failures WHERE at < ?", NULL);
    if (!st) return;
    sqlite3_bind_int64(st, 1, clock_now() - THROTTLE_WINDOW_SECONDS);
    sqlite3_step(st);
    store_done(st);
}

void throttle_clear(store *s, const char *email) {
    char ke[300];
    key_for(ke, sizeof ke, 'e', email);
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM login_failures WHERE key = ?", NULL);
    if (!st) return;
    store_bind_text(st, 1, ke);
    sqlite3_step(st);
    store_done(st);
}
