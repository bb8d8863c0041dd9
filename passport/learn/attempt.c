/* Attempt recording: nonce consumption, rate limit, archive check, attempt row and
 * evidence, all or nothing. */
#include "learn/attempt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/rand.h"
#include "skills/evidence.h"

bool attempt_nonce_new(store *s, long long user_id, const char *module_id, char out[33], perr *err) {
    int64_t now = clock_now();
    rand_hex(out, 16);
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM quiz_nonces WHERE created_at < ?1", err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, now - ATTEMPT_NONCE_TTL);
    sqlite3_step(st);
    store_done(st);
    if (!(st = store_stmt(s, "INSERT INTO quiz_nonces (nonce, user_id, module_id, created_at) VALUES (?1, ?2, ?3, ?4)", err)))
        return false;
    store_bind_text(st, 1, out);
    sqlite3_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, module_id);
    sqlite3_bind_int64(st, 4, now);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    if (!ok) perr_set(err, "nonce: %s", sqlite3_errmsg(store_db(s)));
    store_done(st);
    return ok;
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

/* Deletes the nonce; *started receives its creation time. False when it was not there. */
static bool nonce_consume(store *s, long long user_id, const char *module_id, const char *nonce, int64_t now,
                          int64_t *started) {
    sqlite3_stmt *st = store_stmt(s,
                                  "DELETE FROM quiz_nonces WHERE nonce = ?1 AND user_id = ?2 AND module_id = ?3"
                                  " AND created_at >= ?4 RETURNING created_at",
                                  NULL);
    if (!st) return false;
    store_bind_text(st, 1, nonce);
    sqlite3_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, module_id);
    sqlite3_bind_int64(st, 4, now - ATTEMPT_NONCE_TTL);
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    if (ok) *started = sqlite3_column_int64(st, 0);
    while (ok && sqlite3_step(st) == SQLITE_ROW) {}
    store_done(st);
    return ok;
}

attempt_status attempt_record(store *s, long long user_id, const learn_module *m, const char *nonce,
                              const json_t *answers, const grade_result *g, long long *attempt_id, perr *err) {
    int64_t now = clock_now(), started = 0;
    attempt_status rc = ATTEMPT_ERROR;
    char *json = NULL;
    if (!nonce || strlen(nonce) != 32) return ATTEMPT_REPLAY;
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
    if (!nonce_consume(s, user_id, m->id, nonce, now, &started)) {
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
