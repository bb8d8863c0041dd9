/* SPDX-License-Identifier: EUPL-1.2 */
/* Progress queries over module_visits and attempts. */
#include "learn/progress.h"

#include <string.h>

#include "core/clock.h"

int64_t progress_visit_last(store *s, long long user_id, const char *module_id) {
    store_query *st = store_stmt(s, "SELECT last_at FROM module_visits WHERE user_id = ?1 AND module_id = ?2", NULL);
    if (!st) return 0;
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, module_id);
    int64_t last = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return last;
}

bool progress_visit(store *s, long long user_id, const char *module_id, perr *err) {
    int64_t now = clock_now();
    if (now - progress_visit_last(s, user_id, module_id) < PROGRESS_VISIT_GRAIN) return true; /* not each view */
    store_query *st = store_stmt(s,
                                  "INSERT INTO module_visits (user_id, module_id, first_at, last_at) VALUES (?1, ?2, ?3, ?3)"
                                  " ON CONFLICT (user_id, module_id) DO UPDATE SET last_at = ?3",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, module_id);
    store_bind_int64(st, 3, now);
    bool ok = store_step(st) == STORE_DONE;
    if (!ok) perr_set(err, "visit: %s", store_errmsg(s));
    store_done(st);
    return ok;
}

json_t *progress_by_module(store *s, long long user_id, perr *err) {
    json_t *out = json_object();
    bool txn = store_read_begin(s, NULL); /* the two queries see one snapshot */
    store_query *st = store_stmt(s,
                                  "SELECT module_id, max(score), count(*), max(passed), max(finished_at) FROM attempts"
                                  " WHERE user_id = ?1 GROUP BY module_id",
                                  err);
    if (!st) goto fail;
    store_bind_int64(st, 1, user_id);
    while (store_step(st) == STORE_ROW)
        json_object_set_new(out, store_col_text(st, 0),
                            json_pack("{s:s, s:f, s:I, s:I}", "status", store_col_int(st, 3) ? "passed" : "in_progress",
                                      "best_score", store_col_double(st, 1), "attempts",
                                      (json_int_t)store_col_int64(st, 2), "last_at",
                                      (json_int_t)store_col_int64(st, 4)));
    store_done(st);
    if (!(st = store_stmt(s, "SELECT module_id, last_at FROM module_visits WHERE user_id = ?1", err))) goto fail;
    store_bind_int64(st, 1, user_id);
    while (store_step(st) == STORE_ROW) {
        json_t *m = json_object_get(out, store_col_text(st, 0));
        json_int_t at = (json_int_t)store_col_int64(st, 1);
        if (!m) {
            json_object_set_new(out, store_col_text(st, 0),
                                json_pack("{s:s, s:f, s:i, s:I}", "status", "in_progress", "best_score", 0.0,
                                          "attempts", 0, "last_at", at));
        } else if (json_integer_value(json_object_get(m, "last_at")) < at) {
            json_object_set_new(m, "last_at", json_integer(at));
        }
    }
    store_done(st);
    if (txn) store_read_end(s);
    return out;
fail:
    if (txn) store_read_end(s);
    json_decref(out);
    return NULL;
}

const char *progress_status(const json_t *by_module, const char *module_id) {
    const json_t *m = json_object_get(by_module, module_id);
    const char *s = m ? json_string_value(json_object_get(m, "status")) : NULL;
    return s && !strcmp(s, "passed") ? "passed" : s ? "in_progress" : "not_started";
}

void progress_course(const learn_course *c, const json_t *by_module, int *percent, int *minutes_left) {
    size_t passed = 0;
    int left = 0;
    for (size_t i = 0; i < c->nmodules; i++) {
        if (!strcmp(progress_status(by_module, c->modules[i]->id), "passed")) passed++;
        else left += c->modules[i]->minutes;
    }
    *percent = c->nmodules ? (int)(passed * 100 / c->nmodules) : 0;
    *minutes_left = left;
}
