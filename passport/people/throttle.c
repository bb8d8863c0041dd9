/* SPDX-License-Identifier: EUPL-1.2 */
/* Failure counts in login_throttle(key, failures, last_at), keys hashed (see throttle.h).
 * The counters of throttle_allow share the table under keys of their own kinds: there
 * failures counts the window's requests and last_at is the window's end. */
#include "people/throttle.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"

/* hex SHA-256 of kind ':' lowercased parts joined by '\n' */
static void key_of(char kind, const char *a, const char *b, char out[65]) {
    buf k = BUF_INIT;
    buf_putc(&k, kind);
    buf_putc(&k, ':');
    for (const char *p = a ? a : ""; *p; p++) buf_putc(&k, (char)tolower((unsigned char)*p));
    if (b) {
        buf_putc(&k, '\n');
        buf_puts(&k, b);
    }
    rand_sha256_hex(k.data, k.len, out);
    buf_free(&k);
}

/* The three keys of a login: the account, the address, the account from that address. */
static void keys_of(const char *email, const char *ip, char ke[65], char ki[65], char kp[65]) {
    key_of('e', email, NULL, ke);
    key_of('i', ip, NULL, ki);
    key_of('p', email, ip, kp);
}

void throttle_email_key(const char *email, char out[65]) {
    key_of('e', email, NULL, out);
}

void throttle_kind_key(throttle_kind kind, const char *subject, char out[65]) {
    key_of((char)kind, subject, NULL, out);
}

/* Rows past any use: a login count quiet for its window and the longest delay, a fixed
 * window ended as long ago. */
static void sweep(store *s, int64_t now) {
    store_query *st = store_stmt(s, "DELETE FROM login_throttle WHERE last_at < ?", NULL);
    if (!st) return;
    store_bind_int64(st, 1, now - THROTTLE_WINDOW_SECONDS - THROTTLE_MAX_PAIR);
    store_step(st);
    store_done(st);
}

bool throttle_allow(store *s, throttle_kind kind, const char *subject, int limit, int window) {
    char key[65];
    key_of((char)kind, subject, NULL, key);
    int64_t now = clock_now();
    perr err = {{0}};
    /* the window's end computed here: PostgreSQL cannot type "? + ?" */
    store_query *st = store_stmt(s,
                                  "INSERT INTO login_throttle(key, failures, last_at) VALUES (?1, 1, ?3)"
                                  " ON CONFLICT(key) DO UPDATE SET"
                                  " failures = CASE WHEN login_throttle.last_at <= ?2 THEN 1 ELSE login_throttle.failures + 1 END,"
                                  " last_at = CASE WHEN login_throttle.last_at <= ?2 THEN ?3 ELSE login_throttle.last_at END"
                                  " RETURNING failures",
                                  &err);
    if (!st) {
        store_log_failure(s, "throttle", "throttle: the request counter cannot run (%s): requests pass unlimited",
                          err.msg);
        return true;
    }
    store_bind_text(st, 1, key);
    store_bind_int64(st, 2, now);
    store_bind_int64(st, 3, now + window);
    int rc = store_step(st);
    int n = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    if (rc != STORE_ROW)
        store_log_failure(s, "throttle", "throttle: the request counter failed (%s): requests pass unlimited",
                          store_query_errmsg(st));
    else store_log_recovered(s, "throttle", "throttle: the request counter works again");
    store_done(st);
    if (n == 1) sweep(s, now); /* a window opens: now and then, not at every request */
    return n <= limit;
}

/* The delay owed after n failures with free ones allowed: 0, then 2, 4, 8... seconds up
 * to max (2 at least: times are whole seconds, so 1 could be over at once). */
static int delay_after(int n, int free, int max) {
    if (n < free) return 0;
    int shift = n - free;
    return shift >= 20 ? max : (2 << shift) < max ? 2 << shift : max;
}

static int wait_of(store *s, const char *key, int free, int max, int64_t now) {
    store_query *st = store_stmt(s, "SELECT failures, last_at FROM login_throttle WHERE key = ? AND last_at > ?", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, key);
    store_bind_int64(st, 2, now - THROTTLE_WINDOW_SECONDS);
    int wait = 0;
    if (store_step(st) == STORE_ROW) {
        int64_t until = store_col_int64(st, 1) + delay_after(store_col_int(st, 0), free, max);
        wait = until > now ? (int)(until - now) : 0;
    }
    store_done(st);
    return wait;
}

int throttle_wait(store *s, const char *email, const char *ip) {
    char ke[65], ki[65], kp[65];
    keys_of(email, ip, ke, ki, kp);
    int64_t now = clock_now();
    int w = wait_of(s, kp, THROTTLE_FREE_PAIR, THROTTLE_MAX_PAIR, now), x;
    if ((x = wait_of(s, ki, THROTTLE_FREE_ADDRESS, THROTTLE_MAX_ADDRESS, now)) > w) w = x;
    if ((x = wait_of(s, ke, THROTTLE_FREE_ACCOUNT, THROTTLE_MAX_ACCOUNT, now)) > w) w = x;
    return w;
}

/* Counts one failure under key in one statement (no read-then-write race) and returns
 * the new count. */
static int add(store *s, const char *key, int64_t now) {
    store_query *st = store_stmt(s,
                                  "INSERT INTO login_throttle(key, failures, last_at) VALUES (?1, 1, ?2)"
                                  " ON CONFLICT(key) DO UPDATE SET failures = CASE WHEN login_throttle.last_at <= ?2 - ?3 THEN 1"
                                  " ELSE login_throttle.failures + 1 END, last_at = ?2 RETURNING failures",
                                  NULL);
    if (!st) return 0;
    store_bind_text(st, 1, key);
    store_bind_int64(st, 2, now);
    store_bind_int64(st, 3, THROTTLE_WINDOW_SECONDS);
    int n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return n;
}

int throttle_fail(store *s, const char *email, const char *ip) {
    char ke[65], ki[65], kp[65];
    keys_of(email, ip, ke, ki, kp);
    int64_t now = clock_now();
    add(s, ke, now);
    add(s, ki, now);
    int n = add(s, kp, now);
    sweep(s, now);
    return n;
}

void throttle_clear(store *s, const char *email, const char *ip) {
    char ke[65], kp[65];
    key_of('e', email, NULL, ke);
    key_of('p', email, ip, kp);
    store_query *st = store_stmt(s, "DELETE FROM login_throttle WHERE key IN (?, ?)", NULL);
    if (!st) return;
    store_bind_text(st, 1, ke);
    store_bind_text(st, 2, kp);
    store_step(st);
    store_done(st);
}
