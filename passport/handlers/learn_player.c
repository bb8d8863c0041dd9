/* SPDX-License-Identifier: EUPL-1.2 */
/* Module player: renders the lesson (cached HTML) and the quiz form of one draw with a
 * one-time nonce (or, during a cooldown, when the next attempt is possible), grades
 * submissions on the server, records attempts and evidence, then redirects to the
 * attempt's result page (POST, redirect, GET), which never shows a right answer. */
#include "handlers/learn_player.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "badges/badges.h"
#include "core/blob_cache.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "handlers/app.h"
#include "handlers/learn_view.h"
#include "handlers/quiz_form.h"
#include "learn/attempt.h"
#include "learn/catalog.h"
#include "learn/grade.h"
#include "learn/learn.h"
#include "learn/library.h"
#include "learn/progress.h"
#include "skills/evidence.h"
#include "store/changelog.h"

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

/* The player's reads for one agent and module, remembered in a->memos while nothing of
 * the agent changed (the change log) and for APP_MEMO_SECONDS at most (see app.h). */
typedef struct player_memo {
    long long stamp; /* the change log's stamp at the start of the request, before the reads */
    int64_t at;
    int64_t visited; /* last recorded view: a new one is due PROGRESS_VISIT_GRAIN later */
    bool started;    /* any attempt or recorded view: the progress entry below exists */
    bool passed;
    double best;     /* best score, 0..1 */
    long long attempts, last_at;
    int recent;      /* attempts in the last hour */
    int64_t until;   /* cooldown: when the next attempt is possible, 0 when it is now */
} player_memo;

/* The reads of the player into pm, in one read transaction (one WAL lock instead of one
 * per query); *progress is the agent's progress by module (the caller frees it), NULL
 * when the store fails. */
static void player_reads(app *a, const learn_library *lib, long long uid, const learn_module *m, player_memo *pm,
                         json_t **progress, perr *err) {
    int64_t now = clock_now();
    pm->at = now;
    bool txn = store_read_begin(a->db, err);
    pm->visited = progress_visit_last(a->db, uid, m->id);
    *progress = txn ? progress_by_module(a->db, uid, err) : NULL;
    pm->recent = attempt_count_recent(a->db, lib, uid, m);
    pm->until = attempt_locked_until(a->db, lib, uid, m, now);
    if (txn) store_read_end(a->db);
}

/* The player's reads for the request's agent and m. The visit is written after them, and
 * only when due (at most once a PROGRESS_VISIT_GRAIN), so that no read transaction turns
 * into a write; the reads are then made again after it, stamped after it (app_restamp):
 * the memo and the page this request keeps are not voided by its own visit, while a
 * change made meanwhile by another request or process still voids them, or is read. */
static bool player_read(app *a, http_req *req, const learn_library *lib, const learn_module *m, player_memo *pm,
                        perr *err) {
    long long uid = app_ctx(req)->user->id;
    json_t *progress = NULL;
    player_reads(a, lib, uid, m, pm, &progress, err);
    if (progress && pm->at - pm->visited >= PROGRESS_VISIT_GRAIN) { /* record the view, then show it */
        json_decref(progress);
        progress = NULL;
        if (!progress_visit(a->db, uid, m->id, err)) return false;
        app_restamp(a, req);
        player_reads(a, lib, uid, m, pm, &progress, err);
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

/* "6 décembre 2026 à 09:14 UTC" in the request's language. */
static json_t *when_text(app *a, http_req *req, int64_t t) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char month[24], day[12], year[12], hm[24]; /* sized for any int: the release build checks */
    snprintf(month, sizeof month, "learn.month.%d", tm.tm_mon + 1);
    snprintf(day, sizeof day, "%d", tm.tm_mday);
    snprintf(year, sizeof year, "%d", tm.tm_year + 1900);
    snprintf(hm, sizeof hm, "%02d:%02d", tm.tm_hour, tm.tm_min);
    json_t *args = json_pack("[s, s, s, s]", day, app_t(a, req, month), year, hm);
    char *text = app_tf(a, req, "learn.when", args);
    json_t *out = json_string(text);
    free(text);
    json_decref(args);
    return out;
}

/* The module's attempt policy for the page: {draw, bank, pooled, max_failed, cooldown_text,
 * reveal}. */
static void policy_data(app *a, http_req *req, const learn_module *m, json_t *d) {
    const learn_policy *p = &m->policy;
    int64_t c = p->cooldown;
    const char *key = c % 86400 == 0 ? "learn.duration.days" : c % 3600 == 0 ? "learn.duration.hours" : "learn.duration.minutes";
    long long count = c % 86400 == 0 ? c / 86400 : c % 3600 == 0 ? c / 3600 : c / 60;
    char n[24];
    snprintf(n, sizeof n, "%lld", count);
    /* the form for the count ("1 jour", "2 jours"), then {1} replaced */
    const char *form = i18n_nget(a->i18n, app_ctx(req)->locale, key, count);
    buf tb = BUF_INIT;
    const char *hole = strstr(form, "{1}");
    if (hole) {
        buf_append(&tb, form, (size_t)(hole - form));
        buf_puts(&tb, n);
        buf_puts(&tb, hole + 3);
    } else {
        buf_puts(&tb, form);
    }
    char *text = buf_detach(&tb);
    size_t drawn = p->draw ? p->draw : m->quiz->n;
    json_object_set_new(d, "policy", json_pack("{s:i, s:i, s:b, s:i, s:s, s:b}", "draw", (int)drawn, "bank",
                                               (int)m->quiz->n, "pooled", drawn < m->quiz->n, "max_failed",
                                               p->attempts, "cooldown_text", text, "reveal",
                                               p->reveal == REVEAL_AFTER_PASS));
    free(text);
}

/* The player's reads for m and this request's agent, from a current memo or from the
 * store, into *pm. False with err set when the store fails. */
static bool player_memo_get(app *a, http_req *req, const learn_library *lib, const learn_module *m, player_memo *pm,
                            perr *err) {
    long long uid = app_ctx(req)->user->id;
    const char *ids[LIBRARY_COPIES_MAX]; /* the module and its copies: their attempts count in its cooldown */
    size_t nids = library_copies(lib, m, ids);
    char key[BLOB_CACHE_MAX_KEY];
    int n = snprintf(key, sizeof key, "player|%lld|%s", uid, m->id);
    bool keyed = n > 0 && (size_t)n < sizeof key;
    *pm = (player_memo){0};
    buf b = BUF_INIT;
    int64_t now = clock_now();
    const req_ctx *c = app_ctx(req);
    keyed = keyed && c->synced; /* the change log was read at the start of this request */
    /* the slot by agent and module: an agent's memos of several modules do not evict each other */
    unsigned long long h = (unsigned long long)uid * 0x9E3779B97F4A7C15ull;
    for (const char *p = m->id; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    long long slot = (long long)h;
    bool hit = keyed && blob_cache_get(a->memos, slot, key, &b) && b.len == sizeof *pm;
    if (hit) {
        memcpy(pm, b.data, sizeof *pm);
        /* progress and attempts on this module and its copies: their learning data alone (a
         * self-assessment, an attempt on another module leave it current) */
        hit = changelog_current_modules(a->changes, uid, ids, nids, pm->stamp) && now >= pm->at &&
              now - pm->at < APP_MEMO_SECONDS &&
              now - pm->visited < PROGRESS_VISIT_GRAIN && (!pm->until || now < pm->until);
    }
    buf_free(&b);
    if (!hit) {
        *pm = (player_memo){0};
        if (!player_read(a, req, lib, m, pm, err)) return false;
        pm->stamp = c->stamp; /* after player_read: moved past its own visit, whose reads came after */
        if (keyed) blob_cache_put(a->memos, slot, key, (const char *)pm, sizeof *pm);
    }
    return true;
}

/* When the reads of pm may have changed with time alone: the memo's end, the next visit to
 * record, the cooldown's end. */
static int64_t player_until(const player_memo *pm) {
    int64_t until = pm->at + APP_MEMO_SECONDS;
    if (pm->visited + PROGRESS_VISIT_GRAIN < until) until = pm->visited + PROGRESS_VISIT_GRAIN;
    if (pm->until && pm->until < until) until = pm->until;
    return until;
}

/* The page data of the player for m from pm: the module with the agent's progress and
 * the attempts left this hour. Caller owns the result. */
static json_t *player_json(app *a, http_req *req, const learn_module *m, const player_memo *pm) {
    json_t *progress = pm->started ? json_pack("{s:{s:s, s:f, s:I, s:I}}", m->id, "status",
                                               pm->passed ? "passed" : "in_progress", "best_score", pm->best,
                                               "attempts", (json_int_t)pm->attempts, "last_at", (json_int_t)pm->last_at)
                                   : json_object();
    json_t *d = json_pack("{s:o, s:i}", "module", learn_view_module(m, progress), "attempts_left",
                          ATTEMPT_MAX_PER_HOUR - pm->recent);
    json_decref(progress);
    skills_name_competencies(a->db, json_object_get(json_object_get(d, "module"), "competencies"), app_ctx(req)->locale);
    policy_data(a, req, m, d);
    if (pm->until) {
        char iso[21];
        clock_iso8601(pm->until, iso);
        json_object_set_new(d, "locked_until", json_string(iso));
        json_object_set_new(d, "locked_until_text", when_text(a, req, pm->until));
    } else {
        json_object_set_new(d, "locked_until", json_null());
    }
    return d;
}

/* The page data of the player for m (player_json), NULL with err set when the store
 * fails. Caller owns the result. */
static json_t *player_data(app *a, http_req *req, const learn_library *lib, const learn_module *m, perr *err) {
    player_memo pm;
    return player_memo_get(a, req, lib, m, &pm, err) ? player_json(a, req, m, &pm) : NULL;
}

/* A fresh one-time nonce for the quiz form of m in d; returns the draw it stands for
 * (the caller frees it). */
static quiz_draw *set_nonce(json_t *d, http_req *req, const learn_library *lib, const learn_module *m) {
    char nonce[ATTEMPT_NONCE_MAX];
    long long uid = app_ctx(req)->user->id;
    /* the attempts made so far (player_data's progress) fix the draw: a reload shows the same one */
    json_int_t seq = json_integer_value(json_object_get(json_object_get(d, "module"), "attempts"));
    attempt_nonce_new(lib->nonce_key, uid, m->id, (long long)seq, nonce);
    json_object_set_new(d, "nonce", json_string_nocheck(nonce));
    return attempt_draw(lib->nonce_key, uid, m, nonce);
}

/* The quiz fields of one draw of m as HTML in the request's locale (assembled from parts
 * kept per module version and locale: handlers/quiz_form.h); NULL when rendering fails. */
static json_t *questions_html(app *a, http_req *req, const learn_module *m, const quiz_draw *draw) {
    buf html = BUF_INIT;
    perr err = {{0}};
    bool ok = quiz_forms_render(a->quiz_forms, a->tmpl, m, draw, app_ctx(req)->locale, &html, &err);
    json_t *out = ok ? json_stringn_nocheck(buf_cstr(&html), html.len) : NULL; /* our rendering: valid UTF-8 */
    if (!ok) log_error("render quiz %s: %s", m->id, err.msg);
    buf_free(&html);
    return out;
}

/* The module page. Its renderings differ only in the quiz form's nonce and drawn
 * questions: the rest is kept with holes for them (app_page_fill) while the agent's
 * learning data of this module (and its copies) and the player's time bounds are
 * unchanged. The draw is fixed by the attempts already made (pm.attempts), which any
 * attempt on the module changes (CHANGE_LEARN, with its module). */
static void module_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    json_t *fields = NULL;
    perr err = {{0}};
    player_memo pm;
    if (!m) goto done;
    if (!player_memo_get(a, req, lib, m, &pm, &err)) {
        log_error("module %s: %s", m->id, err.msg);
        app_error(a, req, resp, 500, NULL);
        goto done;
    }
    bool locked = pm.until != 0;
    char nonce[ATTEMPT_NONCE_MAX] = "";
    if (!locked) {
        attempt_nonce_new(lib->nonce_key, app_ctx(req)->user->id, m->id, pm.attempts, nonce);
        quiz_draw *draw = attempt_draw(lib->nonce_key, app_ctx(req)->user->id, m, nonce);
        fields = questions_html(a, req, m, draw);
        quiz_draw_free(draw);
        if (!fields) {
            log_error("module %s: quiz fields", m->id);
            app_error(a, req, resp, 500, NULL);
            goto done;
        }
    }
    const char *ids[LIBRARY_COPIES_MAX]; /* the page shows learning data of m and its copies alone */
    size_t nids = library_copies(lib, m, ids);
    app_page_shows_modules(req, ids, nids);
    const char *fills[2] = {nonce, fields ? json_string_value(fields) : ""};
    size_t lens[2] = {strlen(nonce), fields ? json_string_length(fields) : 0};
    size_t holes = locked ? 0 : 2; /* a locked quiz shows no form: the page is kept whole, until the lock ends */
    if (app_page_fill(a, req, resp, CHANGE_LEARN, holes, fills, lens)) goto done;
    json_t *d = player_json(a, req, m, &pm);
    /* the holes, filled below: the page's other bytes are kept for the next requests */
    json_object_set_new(d, "nonce", json_string_nocheck(locked ? "" : APP_HOLE(0)));
    json_object_set_new(d, "questions_html", json_string_nocheck(locked ? "" : APP_HOLE(1)));
    json_object_set(d, "lesson_html", m->lesson_html);
    json_object_set_new(d, "page_title", json_string(m->title));
    app_render(a, req, resp, 200, "courses/module", "learn.module.title", d);
    app_page_keep_filled(a, req, resp, CHANGE_LEARN, player_until(&pm), holes, fills, lens);
done:
    json_decref(fields);
    app_library_release(a, lib);
}

static void api_module(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    perr err = {{0}};
    if (m) {
        json_t *d = player_data(a, req, lib, m, &err);
        if (!d) {
            log_error("module %s: %s", m->id, err.msg);
            app_error(a, req, resp, 500, NULL);
        } else {
            quiz_draw *draw = set_nonce(d, req, lib, m);
            json_object_set_new(d, "questions", learn_view_drawn(m, draw));
            quiz_draw_free(draw);
            json_object_del(d, "locked_until_text");
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
        [GRADE_NOT_DRAWN] = "learn.grade.not_drawn",
    };
    json_t *args = json_pack("[I]", (json_int_t)g->question);
    char *text = app_tf(a, req, why_key[g->problem], args);
    app_error(a, req, resp, 422, text);
    free(text);
    json_decref(args);
}

/* The badges a passed attempt completes, issued in the attempt's transaction. A failure
 * to issue (a signing key that cannot be read) is logged and does not cost the agent
 * their attempt: the badge is issued at the next check (badges_check_awards). */
typedef struct award_arg {
    const struct badges_ctx *badges;
    int earned;
    bool failed;
} award_arg;

static bool award_in_attempt(store *s, long long user_id, void *arg, perr *err) {
    award_arg *aa = arg;
    perr berr = {{0}};
    (void)err;
    if (!badges_award_due(s, aa->badges, user_id, &aa->earned, &berr)) {
        log_error("badges (the attempt is kept): %s", berr.msg);
        aa->failed = true;
    }
    return true;
}

/* Grades and records an attempt. Returns ATTEMPT_OK with out->id the new attempt, or the
 * refusal, whose page attempt_refused sends; -1 when the answers were refused (422 sent). */
static int submit(app *a, http_req *req, http_resp *resp, const learn_library *lib, const learn_module *m,
                  const json_t *answers, const char *nonce, attempt_outcome *out, int *earned) {
    req_ctx *c = app_ctx(req);
    grade_result g;
    perr err = {{0}};
    quiz_draw *draw = attempt_draw(lib->nonce_key, c->user->id, m, nonce);
    if (!grade_quiz(m->quiz, draw, answers, m->pass, &g, &err)) {
        quiz_draw_free(draw);
        refused(a, req, resp, &g);
        return -1;
    }
    award_arg aa = {a->badges, 0, false}; /* a badge is awarded with the attempt that earns it */
    attempt_status st =
        attempt_record(a->db, lib, c->user->id, m, nonce, draw, &g, award_in_attempt, &aa, out, &err);
    if (st == ATTEMPT_ERROR) log_error("attempt %s: %s", m->id, err.msg);
    *earned = aa.earned;
    if (st == ATTEMPT_OK && aa.failed) { /* one more try on its own */
        perr berr = {{0}};
        if (!badges_check_awards(a->db, a->badges, c->user->id, earned, &berr)) log_error("badges: %s", berr.msg);
    }
    grade_result_free(&g);
    quiz_draw_free(draw);
    return (int)st;
}

/* Sends the page (or JSON) of a refused attempt: nothing was recorded. */
static void attempt_refused(app *a, http_req *req, http_resp *resp, attempt_status st, const attempt_outcome *out) {
    switch (st) {
    case ATTEMPT_OK: break;
    case ATTEMPT_REPLAY: app_error(a, req, resp, 409, "learn.error.replay"); break;
    case ATTEMPT_STALE: app_error(a, req, resp, 409, "learn.error.stale"); break;
    case ATTEMPT_COOLDOWN: {
        char after[24];
        snprintf(after, sizeof after, "%lld", (long long)(out->until - clock_now()));
        http_resp_header(resp, "Retry-After", after);
        json_t *args = json_pack("[o]", when_text(a, req, out->until));
        char *text = app_tf(a, req, "learn.error.cooldown", args);
        app_error(a, req, resp, 429, text);
        free(text);
        json_decref(args);
        break;
    }
    case ATTEMPT_RATE_LIMITED:
        http_resp_header(resp, "Retry-After", "3600");
        app_error(a, req, resp, 429, "learn.error.rate");
        break;
    case ATTEMPT_ARCHIVED: app_error(a, req, resp, 410, "learn.error.archived"); break;
    case ATTEMPT_ERROR: app_error(a, req, resp, 500, NULL); break;
    }
}

/* "/modules/<id>/attempts/<n>" or the same under /api/v1. */
static void result_url(buf *out, bool api, const learn_module *m, long long id) {
    buf_puts(out, api ? "/api/v1/modules/" : "/modules/");
    buf_put_urlenc(out, m->id, strlen(m->id));
    buf_printf(out, "/attempts/%lld", id);
}

static void attempt_form(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    if (m) {
        json_t *answers = learn_view_form_answers(m, req->form, req->nform);
        attempt_outcome out = {0};
        int earned = 0;
        int st = submit(a, req, resp, lib, m, answers, http_input(req, "nonce"), &out, &earned);
        if (st == ATTEMPT_OK || (st == ATTEMPT_REPLAY && out.id > 0)) {
            /* a second submission of the same form leads to the result it made */
            buf url = BUF_INIT;
            result_url(&url, false, m, out.id);
            http_resp_redirect(resp, buf_cstr(&url));
            buf_free(&url);
        } else if (st >= 0) {
            attempt_refused(a, req, resp, (attempt_status)st, &out);
        }
        json_decref(answers);
    }
    app_library_release(a, lib);
}

/* The result view of attempt id of m for the current user, with the module's status;
 * NULL when the attempt is not theirs (or on a database error). */
static json_t *result_data(app *a, http_req *req, const learn_library *lib, const learn_module *m, long long id) {
    long long uid = app_ctx(req)->user->id;
    attempt_row r;
    if (!id || !attempt_get(a->db, id, uid, m->id, &r)) return NULL;
    perr err = {{0}};
    json_t *progress = progress_by_module(a->db, uid, &err);
    bool passed = progress && !strcmp(progress_status(progress, m->id), "passed");
    bool reveal = passed && m->policy.reveal == REVEAL_AFTER_PASS;
    json_t *result = learn_view_result(m, &r, reveal);
    attempt_row_free(&r);
    json_object_set_new(result, "wrong", json_integer(json_integer_value(json_object_get(result, "total")) -
                                                      json_integer_value(json_object_get(result, "right"))));
    json_object_set_new(result, "revealed", json_boolean(reveal));
    json_object_set_new(result, "never", json_boolean(m->policy.reveal == REVEAL_NEVER));
    buf url = BUF_INIT;
    result_url(&url, false, m, id);
    json_object_set_new(result, "attempt_id", json_integer(id));
    json_object_set_new(result, "url", json_string(buf_cstr(&url)));
    buf_free(&url);
    json_t *d = json_pack("{s:o, s:o}", "module", learn_view_module(m, progress), "result", result);
    json_t *next = passed ? learn_next_after(a->db, lib, uid, m) : NULL;
    const learn_module *nm = next ? library_module(lib, json_string_value(json_object_get(next, "module_id"))) : NULL;
    if (nm) {
        json_t *nv = learn_view_module(nm, progress);
        if (json_object_get(next, "path_title")) json_object_set(nv, "path_title", json_object_get(next, "path_title"));
        json_object_set_new(d, "next", nv);
    }
    json_decref(next);
    json_decref(progress);
    return d;
}

static void result_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    if (m) {
        json_t *d = result_data(a, req, lib, m, app_param_id(req, 1));
        if (d) {
            json_t *args = json_pack("[s]", m->title);
            char *title = app_tf(a, req, "learn.result.heading", args);
            json_object_set_new(d, "page_title", json_string(title));
            free(title);
            json_decref(args);
            app_render(a, req, resp, 200, "courses/result", "learn.result.title", d);
        }
        else app_error(a, req, resp, 404, NULL);
    }
    app_library_release(a, lib);
}

static void api_result(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    learn_library *lib = app_library_acquire(a);
    const learn_module *m = find_module(a, req, resp, lib);
    if (m) {
        json_t *d = result_data(a, req, lib, m, app_param_id(req, 1));
        if (d) app_json(resp, 200, d);
        else app_error(a, req, resp, 404, NULL);
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
        attempt_outcome out = {0};
        int st = -1, earned = 0;
        if (!json_is_object(answers)) app_error(a, req, resp, 422, "learn.error.answers");
        else st = submit(a, req, resp, lib, m, answers, nonce, &out, &earned);
        json_t *d = st == ATTEMPT_OK ? result_data(a, req, lib, m, out.id) : NULL;
        if (d) {
            buf url = BUF_INIT;
            result_url(&url, true, m, out.id);
            http_resp_header(resp, "Location", buf_cstr(&url));
            buf_free(&url);
            json_t *result = json_incref(json_object_get(d, "result"));
            json_object_set(result, "module", json_object_get(d, "module"));
            json_object_set_new(result, "badges_earned", json_integer(earned));
            if (json_object_get(d, "next")) json_object_set(result, "next", json_object_get(d, "next"));
            json_decref(d);
            app_json(resp, 201, result);
        } else if (st == ATTEMPT_OK) {
            app_error(a, req, resp, 500, NULL);
        } else if (st >= 0) {
            attempt_refused(a, req, resp, (attempt_status)st, &out);
        }
    }
    app_library_release(a, lib);
}

void learn_player_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/modules/{id}", module_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/modules/{id}/attempts", attempt_form, ATTEMPT_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/modules/{id}", api_module, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/modules/{id}/attempts", api_attempt, ATTEMPT_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/modules/{id}/attempts/{n}", result_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/modules/{id}/attempts/{n}", api_result, 0, 0, 0});
    http_router_json(r, HTTP_POST, "/api/v1/modules/{id}/attempts", "answers:object");
}
