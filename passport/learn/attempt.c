/* SPDX-License-Identifier: EUPL-1.2 */
/* Attempt recording: draws seeded by nonces, nonce consumption, attempt policy, rate
 * limit, archive check, attempt row and evidence, all or nothing; reading an attempt back
 * for its result page. */
#include "learn/attempt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"
#include "skills/evidence.h"

/* The MAC of "<user>|<module>|<issued_at>.<random>" as 32 hex digits. */
static void nonce_mac(const unsigned char *key, long long user_id, const char *module_id, const char *head,
                      size_t head_len, char out[33]) {
    buf msg = BUF_INIT;
    buf_printf(&msg, "%lld|%s|", user_id, module_id);
    buf_append(&msg, head, head_len);
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[32];
    rand_hmac_sha256(key, 32, buf_cstr(&msg), msg.len, mac);
    for (size_t i = 0; i < 16; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[32] = '\0';
    buf_free(&msg);
}

void attempt_nonce_new(const unsigned char *key, long long user_id, const char *module_id, long long seq,
                       char out[ATTEMPT_NONCE_MAX]) {
    char rnd[17], mac[33];
    rand_hex(rnd, 8);
    int n = snprintf(out, ATTEMPT_NONCE_MAX, "%lld.%lld.%s", (long long)clock_now(), seq < 0 ? 0 : seq, rnd);
    nonce_mac(key, user_id, module_id, out, (size_t)n, mac);
    snprintf(out + n, ATTEMPT_NONCE_MAX - (size_t)n, ".%s", mac);
}

/* The attempt number a nonce was issued for ("<issued_at>.<seq>.<random>.<mac>"); -1
 * when it has none. Read without checking the MAC: attempt_record checks it. */
static long long nonce_seq(const char *nonce) {
    const char *dot = nonce ? strchr(nonce, '.') : NULL;
    if (!dot || dot[1] < '0' || dot[1] > '9') return -1;
    char *end = NULL;
    long long seq = strtoll(dot + 1, &end, 10);
    return end && *end == '.' && seq >= 0 ? seq : -1;
}

/* Checks the nonce's MAC and age; *issued receives its time and *seq its attempt number. */
static bool nonce_valid(const unsigned char *key, long long user_id, const char *module_id, const char *nonce,
                        int64_t now, int64_t *issued, long long *seq) {
    if (!nonce || strlen(nonce) >= ATTEMPT_NONCE_MAX) return false;
    const char *dot = strrchr(nonce, '.');
    if (!dot || strlen(dot + 1) != 32) return false;
    char *end = NULL;
    long long t = strtoll(nonce, &end, 10);
    if (end == nonce || *end != '.' || t > now + 60 || t < now - ATTEMPT_NONCE_TTL) return false;
    if ((*seq = nonce_seq(nonce)) < 0) return false;
    char mac[33];
    nonce_mac(key, user_id, module_id, nonce, (size_t)(dot - nonce), mac);
    if (!rand_consttime_eq(mac, dot + 1)) return false;
    *issued = t;
    return true;
}

/* Binds the ids of m and its copies in other languages (library_copies) to the
 * LIBRARY_COPIES_MAX parameters from first on, NULL for those left over. */
static void bind_copies(store_query *st, int first, const learn_library *lib, const learn_module *m) {
    const char *ids[LIBRARY_COPIES_MAX];
    size_t nids = library_copies(lib, m, ids);
    for (size_t i = 0; i < LIBRARY_COPIES_MAX; i++) {
        if (i < nids) store_bind_text(st, first + (int)i, ids[i]);
        else store_bind_null(st, first + (int)i);
    }
}

int attempt_count_recent(store *s, const learn_library *lib, long long user_id, const learn_module *m) {
    store_query *st = store_stmt(s,
                                  "SELECT count(*) FROM attempts WHERE user_id = ?1"
                                  " AND module_id IN (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) AND finished_at > ?2",
                                  NULL);
    if (!st) return 0;
    store_bind_int64(st, 1, user_id);
    store_bind_int64(st, 2, clock_now() - 3600);
    bind_copies(st, 3, lib, m);
    int n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return n;
}

quiz_draw *attempt_draw(const unsigned char *key, long long user_id, const learn_module *m, const char *nonce) {
    buf msg = BUF_INIT;
    buf_printf(&msg, "draw|%lld|%s|%s|%lld", user_id, m->id, m->hash, nonce_seq(nonce));
    unsigned char mac[32];
    rand_hmac_sha256(key, 32, buf_cstr(&msg), msg.len, mac);
    buf_free(&msg);
    uint64_t seed = 0;
    for (size_t i = 0; i < 8; i++) seed = seed << 8 | mac[i];
    return quiz_draw_make(m->quiz, m->ncomps, m->policy.draw, seed);
}

/* The number of attempts the user made on module_id (any version); -1 on error. */
static long long attempt_count_all(store *s, long long user_id, const char *module_id) {
    store_query *st = store_stmt(s, "SELECT count(*) FROM attempts WHERE user_id = ?1 AND module_id = ?2", NULL);
    if (!st) return -1;
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, module_id);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return n;
}

int64_t attempt_locked_until(store *s, const learn_library *lib, long long user_id, const learn_module *m, int64_t now) {
    /* failures of m's copies in other languages count too: switching language is no way
     * around the policy */
    store_query *st = store_stmt(s,
                                  "SELECT finished_at FROM attempts WHERE user_id = ?1"
                                  " AND module_id IN (?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) AND passed = 0"
                                  " AND finished_at > ?2 ORDER BY finished_at DESC LIMIT ?3",
                                  NULL);
    if (!st) return 0;
    int64_t fails[POLICY_MAX_ATTEMPTS];
    size_t n = 0;
    store_bind_int64(st, 1, user_id);
    store_bind_int64(st, 2, now - m->policy.cooldown);
    store_bind_int(st, 3, m->policy.attempts);
    bind_copies(st, 4, lib, m);
    while (n < POLICY_MAX_ATTEMPTS && store_step(st) == STORE_ROW) fails[n++] = store_col_int64(st, 0);
    store_done(st);
    return policy_locked_until(&m->policy, fails, n, now);
}

/* The attempt that nonce already made for the user: its id, 0 when the nonce was used
 * without one, -1 when the nonce is unused. */
static long long nonce_used_by(store *s, long long user_id, const char *nonce) {
    store_query *st = store_stmt(s, "SELECT coalesce(attempt_id, 0), user_id FROM quiz_nonces WHERE nonce = ?1", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, nonce);
    long long id = -1;
    if (store_step(st) == STORE_ROW) id = store_col_int64(st, 1) == user_id ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

/* Stores the nonce as used by attempt id (false when it already was) and forgets used
 * nonces whose age means they can no longer validate anyway. */
static bool nonce_consume(store *s, long long user_id, const char *module_id, const char *nonce, int64_t now,
                          long long id) {
    store_query *st = store_stmt(s, "DELETE FROM quiz_nonces WHERE created_at < ?1", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, now - ATTEMPT_NONCE_TTL - 120);
    store_step(st);
    store_done(st);
    st = store_stmt(s,
                    "INSERT INTO quiz_nonces (nonce, user_id, module_id, created_at, attempt_id)"
                    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (nonce) DO NOTHING",
                    NULL);
    if (!st) return false;
    store_bind_text(st, 1, nonce);
    store_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, module_id);
    store_bind_int64(st, 4, now);
    store_bind_int64(st, 5, id);
    bool ok = store_step(st) == STORE_DONE && store_changes(s) == 1;
    store_done(st);
    return ok;
}

/* [[question, right], ...] of draw and g as compact JSON (caller frees). */
static char *drawn_json(const quiz_draw *draw, const grade_result *g) {
    json_t *a = json_array();
    for (size_t p = 0; p < draw->n && p < g->n; p++)
        json_array_append_new(a, json_pack("[I, i]", (json_int_t)(draw->q[p] + 1), (int)g->correct[p]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/* Inserts the attempt row; *id receives its id. */
static bool attempt_insert(store *s, long long user_id, const learn_module *m, const quiz_draw *draw,
                           const grade_result *g, int64_t started, int64_t now, long long *id, perr *err) {
    char *answers = g->answers ? json_dumps(g->answers, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *drawn = drawn_json(draw, g);
    store_query *st = store_stmt(s,
                                  "INSERT INTO attempts (user_id, module_id, module_version, answers_json, score, passed,"
                                  " started_at, finished_at, drawn_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                                  err);
    bool ok = st != NULL;
    if (st) {
        store_bind_int64(st, 1, user_id);
        store_bind_text(st, 2, m->id);
        store_bind_text(st, 3, m->hash);
        store_bind_text(st, 4, answers ? answers : "{}");
        store_bind_double(st, 5, g->score);
        store_bind_int(st, 6, g->passed);
        store_bind_int64(st, 7, started);
        store_bind_int64(st, 8, now);
        store_bind_text(st, 9, drawn ? drawn : "[]");
        ok = store_step(st) == STORE_ROW;
        if (ok) *id = store_col_int64(st, 0);
        else perr_set(err, "attempt: %s", store_errmsg(s));
        store_done(st);
    }
    free(answers);
    free(drawn);
    return ok;
}

attempt_status attempt_record(store *s, const learn_library *lib, long long user_id, const learn_module *m,
                              const char *nonce, const quiz_draw *draw, const grade_result *g,
                              attempt_pass_hook on_pass, void *arg, attempt_outcome *out, perr *err) {
    int64_t now = clock_now(), started = 0;
    long long seq = -1;
    attempt_status rc = ATTEMPT_ERROR;
    attempt_outcome local = {0};
    if (!out) out = &local;
    *out = (attempt_outcome){0};
    if (!nonce_valid(lib->nonce_key, user_id, m->id, nonce, now, &started, &seq)) return ATTEMPT_REPLAY;
    if (!store_begin(s, err)) return ATTEMPT_ERROR;
    store_query *st = store_stmt(s, "SELECT archived_at IS NULL FROM modules WHERE id = ?1 AND version_hash = ?2", err);
    if (!st) goto fail;
    store_bind_text(st, 1, m->id);
    store_bind_text(st, 2, m->hash);
    bool live = store_step(st) == STORE_ROW && store_col_int(st, 0);
    store_done(st);
    if (!live) {
        rc = ATTEMPT_ARCHIVED;
        goto fail;
    }
    long long used = nonce_used_by(s, user_id, nonce);
    if (used >= 0) {
        out->id = used;
        rc = ATTEMPT_REPLAY;
        goto fail;
    }
    if (attempt_count_all(s, user_id, m->id) != seq) { /* an attempt since this form: its draw is spent */
        rc = ATTEMPT_STALE;
        goto fail;
    }
    if ((out->until = attempt_locked_until(s, lib, user_id, m, now)) != 0) {
        rc = ATTEMPT_COOLDOWN;
        goto fail;
    }
    if (attempt_count_recent(s, lib, user_id, m) >= ATTEMPT_MAX_PER_HOUR) {
        rc = ATTEMPT_RATE_LIMITED;
        goto fail;
    }
    if (!attempt_insert(s, user_id, m, draw, g, started, now, &out->id, err)) goto fail;
    if (!nonce_consume(s, user_id, m->id, nonce, now, out->id)) {
        out->id = 0;
        rc = ATTEMPT_REPLAY;
        goto fail;
    }
    if (g->passed) {
        char ref[128];
        snprintf(ref, sizeof ref, "module:%s@%.8s", m->id, m->hash);
        for (size_t i = 0; i < m->ncomps; i++)
            if (!evidence_add(s, user_id, m->comps[i].code, m->comps[i].level, EVIDENCE_MEASURED, ref, 0, NULL, err))
                goto fail;
        if (on_pass && !on_pass(s, user_id, arg, err)) goto fail;
    }
    if (!store_commit(s, err)) goto fail;
    return ATTEMPT_OK;
fail:
    if (rc != ATTEMPT_OK && rc != ATTEMPT_REPLAY && rc != ATTEMPT_COOLDOWN) out->id = 0;
    store_rollback(s);
    return rc;
}

bool attempt_get(store *s, long long id, long long user_id, const char *module_id, attempt_row *out) {
    memset(out, 0, sizeof *out);
    store_query *st = store_stmt(s,
                                  "SELECT module_version, score, passed, finished_at, answers_json, drawn_json FROM attempts"
                                  " WHERE id = ?1 AND user_id = ?2 AND module_id = ?3",
                                  NULL);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    store_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, module_id);
    bool found = store_step(st) == STORE_ROW;
    if (found) {
        const char *v = store_col_text_or_null(st, 0);
        snprintf(out->module_version, sizeof out->module_version, "%s", v ? v : "");
        out->score = store_col_double(st, 1);
        out->passed = store_col_int(st, 2) != 0;
        out->finished_at = store_col_int64(st, 3);
        const char *a = store_col_text_or_null(st, 4), *d = store_col_text_or_null(st, 5);
        out->answers = a ? json_loads(a, 0, NULL) : NULL;
        out->drawn = d ? json_loads(d, 0, NULL) : NULL;
        if (!json_is_object(out->answers)) {
            json_decref(out->answers);
            out->answers = json_object();
        }
        if (out->drawn && !json_is_array(out->drawn)) {
            json_decref(out->drawn);
            out->drawn = NULL;
        }
    }
    store_done(st);
    return found;
}

void attempt_row_free(attempt_row *r) {
    if (!r) return;
    json_decref(r->answers);
    json_decref(r->drawn);
    memset(r, 0, sizeof *r);
}
