/* SPDX-License-Identifier: EUPL-1.2 */
/* The positioning test and re-checks (docs/positioning.md): /positioning (start, one item
 * at a time, results with recommended modules), /me/rechecks, and the JSON API
 * GET/POST /api/v1/me/positioning, GET /api/v1/me/rechecks. Forms post, then redirect
 * (a reload or the back button never re-sends an answer). */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "handlers/app.h"
#include "learn/library.h"
#include "learn/positioning.h"
#include "paths/recommend.h"

#define POSITIONING_MAX_BODY (16u * 1024u)

/* The status and message key of a refusal. */
static int refusal(pos_status st, const char **key) {
    switch (st) {
    case POS_NO_TEST: *key = "positioning.error.no_test"; return 409;
    case POS_NOT_PRESENTED: *key = "positioning.error.not_presented"; return 409;
    case POS_BAD_ANSWER: *key = "positioning.error.answer"; return 422;
    case POS_COOLDOWN: *key = "positioning.error.cooldown"; return 429;
    case POS_RUNNING: *key = "positioning.error.running"; return 409;
    case POS_UNAVAILABLE: *key = "positioning.error.unavailable"; return 503;
    case POS_NOT_DUE: *key = "positioning.error.not_due"; return 404;
    default: *key = NULL; return 500;
    }
}

static void send_refusal(app *a, http_req *req, http_resp *resp, pos_status st, const perr *err) {
    const char *key;
    int status = refusal(st, &key);
    if (status == 500) log_error("positioning: %s", err->msg);
    if (st == POS_COOLDOWN) http_resp_header(resp, "Retry-After", "86400");
    app_error(a, req, resp, status, key);
}

/* Recommended modules for the gaps of a result: the competences measured below the
 * agent's own average level get that average as target (at least one level up); with a
 * flat profile, every competence gets its next level. */
static json_t *recommendations(app *a, http_req *req, const json_t *result) {
    const json_t *comps = json_object_get(result, "competences");
    size_t n = json_array_size(comps), i, k = 0;
    if (!n) return json_pack("{s:[], s:[]}", "gaps", "modules");
    path_target *t = xcalloc(n, sizeof *t);
    double sum = 0;
    json_t *c;
    json_array_foreach(comps, i, c) sum += (double)json_integer_value(json_object_get(c, "level"));
    int avg = (int)(sum / (double)n + 0.5);
    json_array_foreach(comps, i, c) {
        int level = (int)json_integer_value(json_object_get(c, "level"));
        if (level >= avg) continue;
        snprintf(t[k].code, sizeof t[k].code, "%s", json_string_value(json_object_get(c, "code")));
        t[k++].level = avg;
    }
    if (!k)
        json_array_foreach(comps, i, c) {
            int level = (int)json_integer_value(json_object_get(c, "level"));
            if (level >= 8) continue;
            snprintf(t[k].code, sizeof t[k].code, "%s", json_string_value(json_object_get(c, "code")));
            t[k++].level = level + 1;
        }
    json_t *r = recommend_modules(a->db, app_ctx(req)->user->id, t, k, app_ctx(req)->locale);
    free(t);
    return r;
}

/* The state of the agent, with the recommendations of their last result. */
static json_t *state(app *a, http_req *req, const posbank *b, perr *err) {
    json_t *v = positioning_view(a->db, b, app_ctx(req)->user->id, clock_now(), err);
    json_t *last = json_object_get(v, "last");
    if (last) json_object_set_new(last, "recommendations", recommendations(a, req, last));
    return v;
}

/* Adds "shown" values for templates: levels and uncertainties in the reader's language. */
static void decorate(app *a, http_req *req, json_t *result) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(result, "competences"), i, c) {
        char se[16];
        snprintf(se, sizeof se, "%.1f", json_real_value(json_object_get(c, "se")));
        if (!strcmp(app_ctx(req)->locale, "fr") && strchr(se, '.')) *strchr(se, '.') = ',';
        json_object_set_new(c, "se_text", json_string(se));
    }
    (void)a;
}

static bool agent_only(app *a, http_req *req, http_resp *resp) {
    return app_require(a, req, resp, ROLE_AGENT);
}

static void page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    learn_library *lib = app_library_acquire(a);
    perr err = {{0}};
    json_t *v = state(a, req, lib->bank, &err);
    if (!v) {
        log_error("positioning: %s", err.msg);
        app_error(a, req, resp, 500, NULL);
    } else {
        decorate(a, req, json_object_get(v, "last"));
        json_t *test = json_object_get(v, "test");
        if (test) {
            json_int_t answered = json_integer_value(json_object_get(test, "answered"));
            json_object_set_new(test, "number", json_integer(answered + 1));
        }
        app_render(a, req, resp, 200, "positioning/page", "positioning.title", v);
    }
    app_library_release(a, lib);
}

static void start_form(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    learn_library *lib = app_library_acquire(a);
    perr err = {{0}};
    pos_status st = positioning_start(a->db, lib->bank, app_ctx(req)->user->id, app_ctx(req)->locale, clock_now(), NULL, &err);
    if (st == POS_OK) http_resp_redirect(resp, "/positioning");
    else send_refusal(a, req, resp, st, &err);
    app_library_release(a, lib);
}

/* The answer of a form: the "answer" fields (repeated for multiple choice) as the value
 * grade_quiz takes for one question, NULL when blank or "I don't know". */
static json_t *form_answer(http_req *req) {
    if (http_input(req, "dontknow")) return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < req->nform; i++) {
        if (strcmp(req->form[i].name, "answer")) continue;
        json_t *v = json_stringn(req->form[i].value, req->form[i].len);
        json_array_append_new(list, v ? v : json_string("?"));
    }
    const char *kind = http_input(req, "kind");
    json_t *out = NULL;
    if (json_array_size(list) == 1 && !(kind && !strcmp(kind, "multi"))) out = json_incref(json_array_get(list, 0));
    else if (json_array_size(list) >= 1) out = json_incref(list);
    json_decref(list);
    if (json_is_string(out) && !*json_string_value(out)) {
        json_decref(out);
        out = NULL;
    }
    return out;
}

/* Records one answer; sends the refusal, or returns true with *finished and the test's id
 * (before the answer, for the result's link). */
static bool answer(app *a, http_req *req, http_resp *resp, const posbank *b, const char *item, long long position,
                   const json_t *value, bool *finished, long long *test_id) {
    perr err = {{0}};
    json_t *v = positioning_view(a->db, b, app_ctx(req)->user->id, clock_now(), &err);
    *test_id = (long long)json_integer_value(json_object_get(json_object_get(v, "test"), "id"));
    json_decref(v);
    grade_problem g;
    pos_status st = positioning_answer(a->db, b, app_ctx(req)->user->id, item, position, value, app_ctx(req)->locale,
                                       clock_now(), &g, finished, &err);
    if (st != POS_OK) {
        send_refusal(a, req, resp, st, &err);
        return false;
    }
    return true;
}

static long long parse_position(const char *s) {
    if (!s || !*s || strlen(s) > 6 || strspn(s, "0123456789") != strlen(s)) return -1;
    return atoll(s);
}

static void answer_form(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    learn_library *lib = app_library_acquire(a);
    json_t *value = form_answer(req);
    bool finished = false;
    long long id = 0;
    if (answer(a, req, resp, lib->bank, http_input(req, "item"), parse_position(http_input(req, "position")), value,
               &finished, &id)) {
        char to[64];
        if (finished) snprintf(to, sizeof to, "/positioning/results/%lld", id);
        else snprintf(to, sizeof to, "/positioning");
        http_resp_redirect(resp, to);
    }
    json_decref(value);
    app_library_release(a, lib);
}

static void result_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    json_t *r = positioning_result(a->db, app_ctx(req)->user->id, app_param_id(req, 0));
    if (!r) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    if (!strcmp(json_string_value(json_object_get(r, "kind")), "positioning"))
        json_object_set_new(r, "recommendations", recommendations(a, req, r));
    else json_object_set_new(r, "recheck", json_true());
    decorate(a, req, r);
    app_render(a, req, resp, 200, "positioning/result", "positioning.result.title", json_pack("{s:o}", "result", r));
}

static void rechecks_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    app_render(a, req, resp, 200, "positioning/rechecks", "positioning.rechecks.title",
               json_pack("{s:o}", "rechecks", recheck_list(a->db, app_ctx(req)->user->id)));
}

static void recheck_form(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    learn_library *lib = app_library_acquire(a);
    perr err = {{0}};
    pos_status st = recheck_start(a->db, lib->bank, app_ctx(req)->user->id, http_param(req, 0), app_ctx(req)->locale,
                                  clock_now(), NULL, &err);
    if (st == POS_OK) http_resp_redirect(resp, "/positioning");
    else send_refusal(a, req, resp, st, &err);
    app_library_release(a, lib);
}

static void api_get(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    learn_library *lib = app_library_acquire(a);
    perr err = {{0}};
    json_t *v = state(a, req, lib->bank, &err);
    if (v) app_json(resp, 200, v);
    else send_refusal(a, req, resp, POS_ERROR, &err);
    app_library_release(a, lib);
}

/* {"action": "start"}, {"action": "recheck", "competency": "CRCN-4.1"}, or an answer
 * {"item": id, "position": n, "answer": value (omitted or null: no answer)}. */
static void api_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    learn_library *lib = app_library_acquire(a);
    const json_t *body = req->json;
    const char *action = json_string_value(json_object_get(body, "action"));
    const char *item = json_string_value(json_object_get(body, "item"));
    json_t *pos = json_object_get(body, "position");
    perr err = {{0}};
    pos_status st = POS_OK;
    bool finished = false, ok = true;
    long long id = 0;
    if (action && !strcmp(action, "start")) {
        st = positioning_start(a->db, lib->bank, app_ctx(req)->user->id, app_ctx(req)->locale, clock_now(), &id, &err);
    } else if (action && !strcmp(action, "recheck")) {
        st = recheck_start(a->db, lib->bank, app_ctx(req)->user->id, json_string_value(json_object_get(body, "competency")),
                           app_ctx(req)->locale, clock_now(), &id, &err);
    } else if (!action && item && json_is_integer(pos)) {
        json_t *v = json_object_get(body, "answer");
        ok = answer(a, req, resp, lib->bank, item, (long long)json_integer_value(pos), json_is_null(v) ? NULL : v,
                    &finished, &id);
    } else {
        app_error(a, req, resp, 422, "positioning.error.request");
        ok = false;
    }
    if (ok && st != POS_OK) send_refusal(a, req, resp, st, &err);
    else if (ok) {
        json_t *v = state(a, req, lib->bank, &err);
        if (finished) json_object_set_new(v, "finished", positioning_result(a->db, app_ctx(req)->user->id, id));
        app_json(resp, 201, v);
    }
    app_library_release(a, lib);
}

static void api_rechecks(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!agent_only(a, req, resp)) return;
    app_json(resp, 200, json_pack("{s:o}", "rechecks", recheck_list(a->db, app_ctx(req)->user->id)));
}

void positioning_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/positioning", page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/positioning/start", start_form, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/positioning/answer", answer_form, POSITIONING_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/positioning/results/{id}", result_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/me/rechecks", rechecks_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/me/rechecks/{code}/start", recheck_form, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/positioning", api_get, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/me/positioning", api_post, POSITIONING_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/rechecks", api_rechecks, 0, 0, 0});
    /* an answer is an option number, a list of them, a text, or null for "je ne sais pas" */
    http_router_json(r, HTTP_POST, "/api/v1/me/positioning", "position:integer answer:integer|array|string|null");
}
