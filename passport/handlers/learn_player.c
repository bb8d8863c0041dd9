/* Module player: renders the lesson (cached HTML) and the quiz form with a one-time nonce,
 * grades submissions on the server, records attempts and evidence, shows the result. */
#include "handlers/learn_player.h"

#include <stdlib.h>
#include <string.h>

#include "badges/badges.h"
#include "core/blob_cache.h"
#include "core/clock.h"
#include "core/log.h"
#include "handlers/app.h"
#include "handlers/learn_view.h"
#include "learn/attempt.h"
#include "learn/catalog.h"
#include "learn/grade.h"
#include "learn/library.h"
#include "learn/progress.h"

#define ATTEMPT_MAX_BODY (32u * 1024u)

/* The module of route parameter 0 from lib; sends 410 (archived) or 404 when absent. */
static const learn_module *find_module(app *a, http_req *req, http_resp *resp, const learn_library *lib) {
    const char *id = http_param(req, 0);
    const learn_module *m = library_module(lib, id);
    if (m) return m;
    if (id && catalog_module_archived(a->db, id) == 1) app_error(a, req, resp, 410, "learn.error.archived");
    else app_error(a, req, resp, 404, NULL);
    return NULL;
}

/* The player's reads for one agent and module, remembered in a->memos for
 * APP_MEMO_SECONDS while the store's generation stands still (see app.h). */
typedef struct player_memo {
    unsigned long long generation;
    int64_t at;
    int64_t visited; /* last recorded view: a new one is due PROGRESS_VISIT_GRAIN later */
    bool started;    /* any attempt or recorded view: the progress entry below exists */
    bool passed;
    double best;     /* best score, 0..1 */
    long long attempts, last_at;
    int recent;      /* attempts in the last hour */
} player_memo;

/* The reads of the player, in one read transaction (one WAL lock instead of one per
 * query). The visit is written after it, and only when due (at most once a
 * PROGRESS_VISIT_GRAIN), so that no read transaction turns into a write. */
static bool player_read(app *a, long long uid, const learn_module *m, player_memo *pm, perr *err) {
    int64_t now = clock_now();
    pm->generation = store_generation(a->db); /* before the reads it vouches for */
    pm->at = now;
    if (!store_read_begin(a->db, err)) return false;
    pm->visited = progress_visit_last(a->db, uid, m->id);
    json_t *progress = progress_by_module(a->db, uid, err);
    pm->recent = attempt_count_recent(a->db, uid, m->id);
    store_read_end(a->db);
    if (progress && now - pm->visited >= PROGRESS_VISIT_GRAIN) { /* record the view, then show it */
        json_decref(progress);
        pm->generation = store_generation(a->db);
        pm->visited = now;
        progress = progress_visit(a->db, uid, m->id, err) ? progress_by_module(a->db, uid, err) : NULL;
    }
    if (!progress) return false;
    const json_t *p = json_object_get(progress, m->id);
    pm->started = p != NULL;
    pm->passed = !strcmp(progress_status(progress, m->id), "passed");
    pm->best = json_real_value(json_object_get(p, "best_score"));
    pm->attempts = (long long)json_integer_value(json_object_get(p, "attempts"));
    pm->last_at = (long long)json_integer_value(json_object_get(p, "last_at"));
    json_decref(progress);
    return true;
}

/* The page data of the player for m: the module with the agent's progress and the
 * attempts left this hour, from a current memo or from the store. */
static json_t *player_data(app *a, http_req *req, const learn_module *m, perr *err) {
    long long uid = app_ctx(req)->user->id;
    char key[BLOB_CACHE_MAX_KEY];
    int n = snprintf(key, sizeof key, "player|%lld|%s", uid, m->id);
    bool keyed = n > 0 && (size_t)n < sizeof key;
    player_memo pm = {0};
    buf b = BUF_INIT;
    int64_t now = clock_now();
    bool hit = keyed && blob_cache_get(a->memos, uid, key, &b) && b.len == sizeof pm;
    if (hit) {
        memcpy(&pm, b.data, sizeof pm);
        hit = pm.generation == store_generation(a->db) && now >= pm.at && now - pm.at < APP_MEMO_SECONDS &&
              now - pm.visited < PROGRESS_VISIT_GRAIN;
    }
    buf_free(&b);
    if (!hit) {
        if (!player_read(a, uid, m, &pm, err)) return NULL;
        if (keyed) blob_cache_put(a->memos, uid, key, (const char *)&pm, sizeof pm);
    }
    json_t *progress = pm.started ? json_pack("{s:{s:s, s:f, s:I, s:I}}", m->id, "status",
                                              pm.passed ? "passed" : "in_progress", "best_score", pm.best,
                                              "attempts", (json_int_t)pm.attempts, "last_at", (json_int_t)pm.last_at)
                                  : json_object();
    json_t *d = json_pack("{s:o, s:i}", "module", learn_view_module(m, progress), "attempts_left",
                          ATTEMPT_MAX_PER_HOUR - pm.recent);
    json_decref(progress);
    return d;
}

/* A fresh one-time nonce for the quiz form of m. */
static void set_nonce(json_t *d, http_req *req, const learn_library *lib, const learn_module *m) {
    char nonce[ATTEMPT_NONCE_MAX];
    attempt_nonce_new(lib->nonce_key, app_ctx(req)->user->id, m->id, nonce);
    json_object_set_new(d, "nonce", json_string_nocheck(nonce));
}

/* The quiz fields of m as HTML in the request's locale: rendered once per module version
 * and locale, then taken from the fragment cache. NULL when rendering fails. */
static json_t *questions_html(app *a, http_req *req, const learn_module *m) {
    const char *locale = app_ctx(req)->locale;
    char key[BLOB_CACHE_MAX_KEY];
    int n = snprintf(key, sizeof key, "quiz|%s|%s|%s", m->id, m->hash, locale);
    bool keyed = n > 0 && (size_t)n < sizeof key;
    long long owner = (long long)(m->hash[0] & 0x7f) << 24 | (m->hash[1] & 0x7f) << 16 | (m->hash[2] & 0x7f) << 8 |
                      (m->hash[3] & 0x7f);
    buf html = BUF_INIT;
    if (!(keyed && blob_cache_get(a->fragments, owner, key, &html))) {
        json_t *d = json_pack("{s:O}", "questions", m->quiz_view);
        perr err = {{0}};
        bool ok = tmpl_render(a->tmpl, "courses/quiz_questions", d, locale, &html, &err);
        json_decref(d);
        if (!ok) {
            log_error("render quiz %s: %s", m->id, err.msg);
            buf_free(&html);
            return NULL;
        }
        if (keyed) blob_cache_put(a->fragments, owner, key, buf_cstr(&html), html.len);
    }
    json_t *out = json_stringn_nocheck(buf_cstr(&html), html.len); /* our rendering: valid UTF-8 */
    buf_free(&html);
    return out;
}

static void module_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    perr err = {{0}};
    if (m) {
        json_t *d = player_data(a, req, m, &err);
        json_t *fields = d ? questions_html(a, req, m) : NULL;
        if (!d || !fields) {
            log_error("module %s: %s", m->id, d ? "quiz fields" : err.msg);
            json_decref(d);
            json_decref(fields);
            app_error(a, req, resp, 500, NULL);
        } else {
            set_nonce(d, req, lib, m);
            json_object_set_new(d, "questions_html", fields);
            json_object_set(d, "lesson_html", m->lesson_html);
            app_render(a, req, resp, 200, "courses/module", "learn.module.title", d);
        }
    }
    app_library_release(a, lib);
}

static void api_module(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    perr err = {{0}};
    if (m) {
        json_t *d = player_data(a, req, m, &err);
        if (!d) {
            log_error("module %s: %s", m->id, err.msg);
            app_error(a, req, resp, 500, NULL);
        } else {
            set_nonce(d, req, lib, m);
            json_object_set_new(d, "questions", learn_view_questions(m));
            json_object_set(d, "lesson_html", m->lesson_html);
            app_json(resp, 200, d);
        }
    }
    app_library_release(a, lib);
}

/* Sends 422 with why grade_quiz refused the answers, in the agent's language. */
static void refused(app *a, http_req *req, http_resp *resp, const grade_result *g) {
    static const char *const why_key[] = {
        [GRADE_OK] = "learn.error.answers",          [GRADE_NOT_OBJECT] = "learn.error.answers",
        [GRADE_NO_QUESTION] = "learn.grade.no_question", [GRADE_NO_OPTION] = "learn.grade.no_option",
        [GRADE_TOO_MANY] = "learn.grade.too_many",   [GRADE_ONE_ONLY] = "learn.grade.one_only",
        [GRADE_TEXT_EXPECTED] = "learn.grade.text_expected", [GRADE_TOO_LONG] = "learn.grade.too_long",
    };
    json_t *args = json_pack("[I]", (json_int_t)g->question);
    char *text = app_tf(a, req, why_key[g->problem], args);
    app_error(a, req, resp, 422, text);
    free(text);
    json_decref(args);
}

/* Grades and records; sends the error or returns the result view (caller owns it). */
static json_t *submit(app *a, http_req *req, http_resp *resp, const learn_library *lib, const learn_module *m,
                      const json_t *answers, const char *nonce) {
    req_ctx *c = app_ctx(req);
    grade_result g;
    perr err = {{0}};
    if (!grade_quiz(m->quiz, answers, m->pass, &g, &err)) {
        refused(a, req, resp, &g);
        return NULL;
    }
    long long id = 0;
    attempt_status st = attempt_record(a->db, lib->nonce_key, c->user->id, m, nonce, answers, &g, &id, &err);
    json_t *result = NULL;
    switch (st) {
    case ATTEMPT_OK:
        result = learn_view_result(m, answers, &g);
        json_object_set_new(result, "attempt_id", json_integer(id));
        if (g.passed) { /* a badge is awarded the moment its rule becomes true */
            int earned = 0;
            perr berr = {{0}};
            if (!badges_check_awards(a->db, a->badges, c->user->id, &earned, &berr)) log_error("badges: %s", berr.msg);
            json_object_set_new(result, "badges_earned", json_integer(earned));
        }
        break;
    case ATTEMPT_REPLAY: app_error(a, req, resp, 409, "learn.error.replay"); break;
    case ATTEMPT_RATE_LIMITED:
        http_resp_header(resp, "Retry-After", "3600");
        app_error(a, req, resp, 429, "learn.error.rate");
        break;
    case ATTEMPT_ARCHIVED: app_error(a, req, resp, 410, "learn.error.archived"); break;
    case ATTEMPT_ERROR:
        log_error("attempt %s: %s", m->id, err.msg);
        app_error(a, req, resp, 500, NULL);
        break;
    }
    grade_result_free(&g);
    return result;
}

static void attempt_form(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    if (m) {
        json_t *answers = learn_view_form_answers(m, req->form, req->nform);
        json_t *result = submit(a, req, resp, lib, m, answers, http_input(req, "nonce"));
        if (result) {
            req_ctx *c = app_ctx(req);
            perr err = {{0}};
            json_t *progress = progress_by_module(a->db, c->user->id, &err);
            app_render(a, req, resp, 200, "courses/result", "learn.result.title",
                       json_pack("{s:o, s:o}", "module", learn_view_module(m, progress), "result", result));
            json_decref(progress);
        }
        json_decref(answers);
    }
    app_library_release(a, lib);
}

static void api_attempt(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    if (m) {
        json_t *answers = json_object_get(req->json, "answers");
        const char *nonce = json_string_value(json_object_get(req->json, "nonce"));
        if (!json_is_object(answers)) {
            app_error(a, req, resp, 422, "learn.error.answers");
        } else {
            json_t *result = submit(a, req, resp, lib, m, answers, nonce);
            if (result) app_json(resp, 201, result);
        }
    }
    app_library_release(a, lib);
}

void learn_player_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/modules/{id}", module_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/modules/{id}/attempts", attempt_form, ATTEMPT_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/modules/{id}", api_module, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/modules/{id}/attempts", api_attempt, ATTEMPT_MAX_BODY, 0, 0});
    http_router_json(r, HTTP_POST, "/api/v1/modules/{id}/attempts", "answers:object");
}
