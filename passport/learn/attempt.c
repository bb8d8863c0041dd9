/* Attempt recording: nonce consumption, rate limit, archive check, attempt row and
 * evidence, all or nothing. */
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

void attempt_nonce_new(const unsigned char *key, long long user_id, const char *module_id,
                       char out[ATTEMPT_NONCE_MAX]) {
    char rnd[17], mac[33];
    rand_hex(rnd, 8);
    int n = snprintf(out, ATTEMPT_NONCE_MAX, "%lld.%s", (long long)clock_now(), rnd);
    nonce_mac(key, user_id, module_id, out, (size_t)n, mac);
    snprintf(out + n, ATTEMPT_NONCE_MAX - (size_t)n, ".%s", mac);
}

/* Checks the nonce's MAC and age; *issued receives its time. */
static bool nonce_valid(const unsigned char *key, long long user_id, const char *module_id, const char *nonce,
                        int64_t now, int64_t *issued) {
    if (!nonce || strlen(nonce) >= ATTEMPT_NONCE_MAX) return false;
    const char *dot = strrchr(nonce, '.');
    if (!dot || strlen(dot + 1) != 32) return false;
    char *end = NULL;
    long long t = strtoll(nonce, &end, 10);
    if (end == nonce || *end != '.' || t > now + 60 || t < now - ATTEMPT_NONCE_TTL) return false;
    char mac[33];
    nonce_mac(key, user_id, module_id, nonce, (size_t)(dot - nonce), mac);
    if (!rand_consttime_eq(mac, dot + 1)) return false;
    *issued = t;
    return true;
}

int attempt_count_recent(store *s, long long user_id, const char *module_id) {
    sqlite3_stmt *st = store_stmt(s,
                                  "SELECT count(*) FROM attempts WHERE user_id = ?1 AND module_id = ?2 AND finished_at > ?3",
                                  NULL);
    if (!st) return 0;
    sqlite3_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, module_id);
    sqlite3_bind_int64(st, 3, clock_now() - 3600);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    store_done(st);
    return n;
}

/* Stores the nonce as used (false when it already was) and forgets used nonces whose
 * age means they can no longer validate anyway. */
static bool nonce_consume(store *s, long long user_id, const char *module_id, const char *nonce, int64_t now) {
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM quiz_nonces WHERE created_at < ?1", NULL);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, now - ATTEMPT_NONCE_TTL - 120);
    sqlite3_step(st);
    store_done(st);
    st = store_stmt(s,
                    "INSERT INTO quiz_nonces (nonce, user_id, module_id, created_at) VALUES (?1, ?2, ?3, ?4)"
                    " ON CONFLICT (nonce) DO NOTHING",
                    NULL);
    if (!st) return false;
    store_bind_text(st, 1, nonce);
    sqlite3_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, module_id);
    sqlite3_bind_int64(st, 4, now);
    bool ok = sqlite3_step(st) == SQLITE_DONE && store_changes(s) == 1;
    store_done(st);
    return ok;
}

attempt_status attempt_record(store *s, const unsigned char *key, long long user_id, const learn_module *m,
                              const char *nonce, const json_t *answers, const grade_result *g, long long *attempt_id,
                              perr *err) {
    int64_t now = clock_now(), started = 0;
    attempt_status rc = ATTEMPT_ERROR;
    char *json = NULL;
    if (!nonce_valid(key, user_id, m->id, nonce, now, &started)) return ATTEMPT_REPLAY;
    if (!store_begin(s, err)) return ATTEMPT_ERROR;
    sqlite3_stmt *st = store_stmt(s, "SELECT archived_at IS NULL FROM modules WHERE id = ?1 AND version_hash = ?2", err);
    if (!st) goto fail;
    store_bind_text(st, 1, m->id);
    store_bind_text(st, 2, m->hash);
    bool live = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    store_done(st);
    if (!live) {
        rc = ATTEMPT_ARCHIVED;
        goto fail;
    }
    if (!nonce_consume(s, user_id, m->id, nonce, now)) {
        rc = ATTEMPT_REPLAY;
        goto fail;
    }
    if (attempt_count_recent(s, user_id, m->id) >= ATTEMPT_MAX_PER_HOUR) {
        rc = ATTEMPT_RATE_LIMITED;
        goto fail;
    }
    json = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
    st = store_stmt(s,
                    "INSERT INTO attempts (user_id, module_id, module_version, answers_json, score, passed, started_at,"
                    " finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, m->id);
    store_bind_text(st, 3, m->hash);
    store_bind_text(st, 4, json ? json : "{}");
    sqlite3_bind_double(st, 5, g->score);
    sqlite3_bind_int(st, 6, g->passed);
    sqlite3_bind_int64(st, 7, started);
    sqlite3_bind_int64(st, 8, now);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    if (!ok) perr_set(err, "attempt: %s", sqlite3_errmsg(store_db(s)));
    store_done(st);
    if (!ok) goto fail;
    if (attempt_id) *attempt_id = store_last_id(s);
    if (g->passed) {
        char ref[128];
        snprintf(ref, sizeof ref, "module:%s@%.8s", m->id, m->hash);
        for (size_t i = 0; i < m->ncomps; i++)
            if (!evidence_add(s, user_id, m->comps[i].code, m->comps[i].level, EVIDENCE_MEASURED, ref, 0, NULL, err))
                goto fail;
    }
    if (!store_commit(s, err)) goto fail;
    free(json);
    return ATTEMPT_OK;
fail:
    store_rollback(s);
    free(json);
    return rc;
}
