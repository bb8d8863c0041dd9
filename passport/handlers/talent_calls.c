/* SPDX-License-Identifier: EUPL-1.2 */
/* Intrapreneur call pages and API: list (open calls that fit the agent first), create,
 * detail with applicants and suggested matches for the owner, state changes, apply and
 * withdraw, decisions (told in the inbox), shortlist CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "handlers/api_page.h"
#include "handlers/talent.h"
#include "handlers/datefmt.h"
#include "people/audit.h"
#include "talent/calls.h"
#include "talent/prospects.h"
#include "talent/score.h"

#define FORM_NEEDS 4

/* HR and admins manage every call; a manager the calls they own. */
static bool can_manage(const account *u, const json_t *call) {
    if (u->roles & (ROLE_HR | ROLE_ADMIN)) return true;
    return (u->roles & ROLE_MANAGER) && json_integer_value(json_object_get(call, "owner_id")) == u->id;
}

static bool visible_to_agent(const json_t *call) {
    const char *st = json_string_value(json_object_get(call, "state"));
    return st && (!strcmp(st, "open") || !strcmp(st, "closed"));
}

/* Call id as the user may see it, or NULL (404 sent: a draft
 * looks absent to those who cannot manage it). */
static json_t *load_call_id(app *a, http_req *req, http_resp *resp, long long id, bool manage) {
    req_ctx *c = app_ctx(req);
    json_t *call = id ? calls_get(a->db, id, c->locale, NULL) : NULL;
    if (call && (can_manage(c->user, call) || (!manage && visible_to_agent(call)))) return call;
    bool forbidden = call && visible_to_agent(call);
    json_decref(call);
    app_error(a, req, resp, forbidden ? 403 : 404, forbidden ? "error.forbidden" : NULL);
    return NULL;
}

static json_t *load_call(app *a, http_req *req, http_resp *resp, bool manage) {
    return load_call_id(a, req, resp, app_param_id(req, 0), manage);
}

/* Adds "fit" {score, meets, needs} for user_id to each call of arr and sorts: fitting
 * open calls first, then by score. */
static void add_fit(app *a, json_t *arr, long long user_id) {
    size_t i;
    json_t *call;
    json_array_foreach(arr, i, call) {
        talent_query q;
        if (!calls_query(a->db, json_integer_value(json_object_get(call, "id")), &q, NULL)) continue;
        json_t *fit = talent_explain(talent_shared_index(a), user_id, &q, NULL);
        if (fit) json_object_set_new(call, "fit", fit);
    }
    /* insertion sort: a few dozen open calls at most */
    size_t n = json_array_size(arr);
    for (size_t k = 1; k < n; k++) {
        for (size_t j = k; j > 0; j--) {
            json_t *x = json_array_get(arr, j - 1), *y = json_array_get(arr, j);
            json_t *fx = json_object_get(x, "fit"), *fy = json_object_get(y, "fit");
            int mx = json_is_true(json_object_get(fx, "meets")), my = json_is_true(json_object_get(fy, "meets"));
            long long sx = json_integer_value(json_object_get(fx, "score")), sy = json_integer_value(json_object_get(fy, "score"));
            if (my > mx || (my == mx && sy > sx)) {
                json_incref(x);
                json_array_set(arr, j - 1, y);
                json_array_set_new(arr, j, x);
            } else {
                break;
            }
        }
    }
}

static void calls_index(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    api_page pg = {0, API_PAGE_DEFAULT};
    if (req->is_api && !api_page_read(a, req, resp, &pg)) return;
    json_t *open = calls_list(a->db, "open", 0, c->locale, NULL);
    if (!open) open = json_array();
    add_fit(a, open, c->user->id);
    json_t *mine = NULL;
    bool finder = (c->user->roles & (ROLE_HR | ROLE_MANAGER | ROLE_ADMIN)) != 0;
    if (finder)
        mine = calls_list(a->db, NULL, (c->user->roles & (ROLE_HR | ROLE_ADMIN)) ? 0 : c->user->id, c->locale, NULL);
    json_t *apps = calls_of_user(a->db, c->user->id, NULL);
    talent_add_keys(apps, "state", "talent.app.", "state_key");
    talent_add_keys(mine, "state", "talent.state.", "state_key");
    if (req->is_api) { /* one cursor for the three lists: the same positions of each */
        json_t *out = json_pack("{s:o, s:o?, s:o?}", "open", open, "managed", mine, "applications", apps);
        bool more = api_page_cut(out, "open", &pg);
        more = api_page_cut(out, "managed", &pg) || more;
        more = api_page_cut(out, "applications", &pg) || more;
        api_page_next(out, &pg, more);
        app_json(resp, 200, out);
        return;
    }
    datefmt_add(open, c->locale, "opens_on", "opens_text");
    datefmt_add(open, c->locale, "closes_on", "closes_text");
    app_render(a, req, resp, 200, "talent/calls", "talent.calls.title",
               json_pack("{s:o, s:o?, s:o?, s:b, s:s?}", "open", open, "managed", mine, "applications", apps, "finder",
                         finder, "notice", http_query(req, "done") ? app_t(a, req, "talent.saved") : NULL));
}

static json_t *levels_options(void) {
    json_t *arr = json_array();
    for (int i = 1; i <= 8; i++) json_array_append_new(arr, json_integer(i));
    return arr;
}

static void new_form(app *a, http_req *req, http_resp *resp, int status, const char *error) {
    req_ctx *c = app_ctx(req);
    json_t *rows = json_array();
    for (int i = 1; i <= FORM_NEEDS; i++) {
        char cn[16], ln[16], wn[16];
        snprintf(cn, sizeof cn, "c%d", i);
        snprintf(ln, sizeof ln, "l%d", i);
        snprintf(wn, sizeof wn, "w%d", i);
        const char *code = http_input(req, cn), *l = http_input(req, ln), *w = http_input(req, wn);
        json_array_append_new(rows, json_pack("{s:i, s:s, s:s, s:s}", "n", i, "selected_code", code ? code : "", "selected_level",
                                              l && *l ? l : "1", "weight", w && *w ? w : "1"));
    }
    const char *title = http_input(req, "title"), *desc = http_input(req, "description");
    const char *opens = http_input(req, "opens_on"), *closes = http_input(req, "closes_on");
    char today[11];
    clock_date(clock_now(), today);
    app_render(a, req, resp, status, "talent/call_form", "talent.call.new",
               json_pack("{s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:s?}", "needs", rows, "competencies",
                         calls_competencies(a->db, c->locale), "levels", levels_options(), "title", title ? title : "",
                         "description", desc ? desc : "", "opens_on", opens ? opens : today, "closes_on",
                         closes ? closes : "", "error", error ? app_t(a, req, error) : NULL));
}

static void call_new(http_req *req, http_resp *resp, void *ctx) {
    new_form(ctx, req, resp, 200, NULL);
}

static bool parse_level(const char *s, int *out) {
    if (!s || !*s) return false;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < -1000 || v > 1000) return false;
    *out = (int)v;
    return true;
}

/* Fills d from the form (c1/l1/w1...) or a JSON body ({title, description, opens_on,
 * closes_on, needs: [{code, min_level, weight}]}); false with an i18n key. */
static bool read_draft(http_req *req, call_draft *d, perr *err) {
    memset(d, 0, sizeof *d);
    d->title = http_input(req, "title");
    d->description = http_input(req, "description");
    const char *opens = http_input(req, "opens_on"), *closes = http_input(req, "closes_on");
    if (!opens || !closes || !clock_parse_date(opens, &d->opens_on) || !clock_parse_date(closes, &d->closes_on))
        return perr_set(err, "talent.call_bad_dates");
    json_t *needs = req->json ? json_object_get(req->json, "needs") : NULL;
    if (json_is_array(needs)) {
        size_t i;
        json_t *n;
        json_array_foreach(needs, i, n) {
            if (d->nneeds >= TALENT_MAX_NEEDS) return perr_set(err, "talent.too_many_needs");
            const char *code = json_string_value(json_object_get(n, "code"));
            json_t *lv = json_object_get(n, "min_level"), *w = json_object_get(n, "weight");
            if (!code || strlen(code) >= sizeof d->needs[0].code) return perr_set(err, "talent.unknown_competency");
            if (!json_is_integer(lv)) return perr_set(err, "talent.bad_level");
            talent_need *t = &d->needs[d->nneeds++];
            snprintf(t->code, sizeof t->code, "%s", code);
            t->min_level = (int)json_integer_value(lv);
            t->weight = json_is_integer(w) ? (int)json_integer_value(w) : 1;
        }
        return true;
    }
    for (int i = 1; i <= FORM_NEEDS; i++) {
        char cn[16], ln[16], wn[16];
        snprintf(cn, sizeof cn, "c%d", i);
        snprintf(ln, sizeof ln, "l%d", i);
        snprintf(wn, sizeof wn, "w%d", i);
        const char *code = http_input(req, cn);
        if (!code || !*code) continue;
        if (strlen(code) >= sizeof d->needs[0].code) return perr_set(err, "talent.unknown_competency");
        talent_need *t = &d->needs[d->nneeds++];
        snprintf(t->code, sizeof t->code, "%s", code);
        if (!parse_level(http_input(req, ln), &t->min_level)) return perr_set(err, "talent.bad_level");
        t->weight = 1;
        const char *w = http_input(req, wn);
        if (w && *w && !parse_level(w, &t->weight)) return perr_set(err, "talent.bad_weight");
    }
    return true;
}

static void call_create(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    call_draft d;
    perr err = {{0}};
    long long id = 0;
    if (!read_draft(req, &d, &err)) goto invalid;
    if (!store_begin(a->db, &err)) goto fail;
    if (!calls_create(a->db, c->user->id, &d, &id, &err)) {
        store_rollback(a->db);
        if (strncmp(err.msg, "talent.", 7)) goto fail; /* the store's, not the input's */
        goto invalid;
    }
    audit_add(a->db, c->user->id, "call.create", "call", id, "");
    if (!store_commit(a->db, &err)) goto fail;
    if (req->is_api) {
        app_json(resp, 201, calls_get(a->db, id, c->locale, NULL));
        return;
    }
    char loc[64];
    snprintf(loc, sizeof loc, "/calls/%lld", id);
    http_resp_redirect(resp, loc);
    return;
invalid:
    if (req->is_api) app_error(a, req, resp, 422, err.msg);
    else new_form(a, req, resp, 422, err.msg);
    return;
fail: /* the database's text goes to the log (app_error), a plain message to the person */
    app_error(a, req, resp, 500, err.msg);
}

/* The applicants with their explained scores, and (for the owner) the suggested matches:
 * visible agents meeting every need, applicants excluded. */
static void owner_view(app *a, http_req *req, json_t *call) {
    req_ctx *c = app_ctx(req);
    long long id = json_integer_value(json_object_get(call, "id"));
    talent_query q;
    json_t *apps = calls_applications(a->db, id, NULL);
    if (!apps || !calls_query(a->db, id, &q, NULL)) {
        json_decref(apps);
        return;
    }
    size_t i;
    json_t *ap;
    json_array_foreach(apps, i, ap) {
        json_t *fit = talent_explain(talent_shared_index(a), json_integer_value(json_object_get(ap, "user_id")), &q, NULL);
        json_object_set_new(ap, "fit", fit ? fit : json_pack("{s:i, s:[]}", "score", 0, "needs"));
    }
    json_object_set_new(call, "applications", apps);
    q.require_levels = true;
    q.per_page = 20;
    q.no_hidden_units = true; /* the page shows hidden_total only */
    talent_viewer v = talent_viewer_of(c->user);
    json_t *sug = talent_search(talent_shared_index(a), &v, &q, NULL);
    json_t *prospects = prospects_list(a->db, id, NULL);
    if (!prospects) prospects = json_array();
    datefmt_add(prospects, c->locale, "invited_at", "invited_on");
    json_object_set_new(call, "prospects", prospects);
    if (sug) {
        json_t *res = json_object_get(sug, "results"), *r, *p;
        size_t k, m;
        json_array_foreach(res, k, r) /* what the manager already did for each suggestion */
            json_array_foreach(prospects, m, p)
                if (json_integer_value(json_object_get(p, "user_id")) == json_integer_value(json_object_get(r, "user_id"))) {
                    json_object_set(r, "shortlisted", json_object_get(p, "shortlisted"));
                    json_object_set(r, "invited", json_object_get(p, "invited"));
                }
        json_object_set_new(call, "suggested", json_incref(res));
        json_object_set_new(call, "suggested_hidden", json_incref(json_object_get(sug, "hidden_total")));
        json_decref(sug);
    }
}

/* Names the competencies of every explained score on the call page (the call's needs
 * carry the titles). */
static void name_fits(json_t *call) {
    json_t *titles = json_object_get(call, "needs"), *v;
    size_t i;
    talent_name_needs(json_object_get(json_object_get(call, "fit"), "needs"), titles);
    json_array_foreach(json_object_get(call, "applications"), i, v)
        talent_name_needs(json_object_get(json_object_get(v, "fit"), "needs"), titles);
    json_array_foreach(json_object_get(call, "suggested"), i, v) talent_name_needs(json_object_get(v, "needs"), titles);
}

static void call_show(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    json_t *call = load_call(a, req, resp, false);
    if (!call) return;
    long long id = json_integer_value(json_object_get(call, "id"));
    bool manage = can_manage(c->user, call);
    char state[16];
    calls_application_state(a->db, id, c->user->id, state);
    json_object_set_new(call, "my_application", json_string(state));
    json_object_set_new(call, "manage", json_boolean(manage));
    json_object_set_new(call, "is_owner", json_boolean(json_integer_value(json_object_get(call, "owner_id")) == c->user->id));
    talent_query q;
    if (calls_query(a->db, id, &q, NULL)) {
        json_t *fit = talent_explain(talent_shared_index(a), c->user->id, &q, NULL);
        if (fit) json_object_set_new(call, "fit", fit);
    }
    if (manage) owner_view(a, req, call);
    name_fits(call);
    talent_add_keys(call, "state", "talent.state.", "state_key");
    talent_add_keys(call, "my_application", "talent.app.", "my_state_key");
    talent_add_keys(json_object_get(call, "applications"), "state", "talent.app.", "state_key");
    if (req->is_api) {
        app_json(resp, 200, call);
        return;
    }
    const char *done = http_query(req, "done");
    datefmt_add(call, c->locale, "opens_on", "opens_text");
    datefmt_add(call, c->locale, "closes_on", "closes_text");
    app_render(a, req, resp, 200, "talent/call", "talent.call.title",
               json_pack("{s:o, s:s?}", "call", call, "notice", done ? app_t(a, req, "talent.saved") : NULL));
}

/* The steps every write on a call takes, in this order: call_id_for (the call as the user
 * may see it), write_begin, the domain's change (rolled back and write_refused when it
 * refuses), write_commit (the audit line, store_commit), write_done. */

/* The id of call id when the user may see it (manage: and manage it); 0 with the answer
 * sent (404, or 403) otherwise. Used by the writes and the shortlist's export. */
static long long call_id_for(app *a, http_req *req, http_resp *resp, long long id, bool manage) {
    json_t *call = load_call_id(a, req, resp, id, manage);
    if (!call) return 0;
    id = json_integer_value(json_object_get(call, "id"));
    json_decref(call);
    return id;
}

/* Answers a write the domain refused or the store failed (err), the transaction ended: a
 * refusal ("talent.*") gets status with its message, a store failure 500 (503 when busy)
 * with a plain one, its text logged. */
static void write_refused(app *a, http_req *req, http_resp *resp, int status, const perr *err) {
    if (strncmp(err->msg, "talent.", 7)) {
        log_error("call write: %s", err->msg);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    app_error(a, req, resp, status, err->msg);
}

/* store_begin, answering its failure. */
static bool write_begin(app *a, http_req *req, http_resp *resp, perr *err) {
    if (store_begin(a->db, err)) return true;
    write_refused(a, req, resp, 500, err);
    return false;
}

/* The audit line of a write (action on target_type target_id by the user), then
 * store_commit, answering its failure. */
static bool write_commit(app *a, http_req *req, http_resp *resp, const char *action, const char *target_type,
                         long long target_id, const char *detail, perr *err) {
    audit_add(a->db, app_ctx(req)->user->id, action, target_type, target_id, detail);
    if (store_commit(a->db, err)) return true;
    write_refused(a, req, resp, 500, err);
    return false;
}

/* Answers a committed write: the API gets body (owned) with status, a form the call page
 * again (at fragment, may be ""), with its notice. */
static void write_done(http_req *req, http_resp *resp, long long id, int status, json_t *body, const char *fragment) {
    if (req->is_api) {
        app_json(resp, status, body);
        return;
    }
    json_decref(body);
    char loc[80];
    snprintf(loc, sizeof loc, "/calls/%lld?done=1%s", id, fragment);
    http_resp_redirect(resp, loc);
}

static void call_state_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    long long id = call_id_for(a, req, resp, app_param_id(req, 0), true);
    if (!id) return;
    const char *state = http_input(req, "state");
    perr err = {{0}};
    if (!write_begin(a, req, resp, &err)) return;
    if (!calls_set_state(a->db, id, state, &err)) {
        store_rollback(a->db);
        write_refused(a, req, resp, 409, &err);
        return;
    }
    if (!write_commit(a, req, resp, "call.state", "call", id, state, &err)) return;
    write_done(req, resp, id, 200, req->is_api ? calls_get(a->db, id, c->locale, NULL) : NULL, "");
}

static void call_apply(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    long long id = call_id_for(a, req, resp, app_param_id(req, 0), false);
    if (!id) return;
    const char *action = http_input(req, "action");
    bool withdraw = action && !strcmp(action, "withdraw");
    perr err = {{0}};
    if (!write_begin(a, req, resp, &err)) return;
    if (!(withdraw ? calls_withdraw(a->db, id, c->user->id, &err)
                   : calls_apply(a->db, id, c->user->id, http_input(req, "motivation"), &err))) {
        store_rollback(a->db);
        write_refused(a, req, resp, strcmp(err.msg, "talent.call_not_found") ? 409 : 404, &err);
        return;
    }
    if (!write_commit(a, req, resp, withdraw ? "call.withdraw" : "call.apply", "call", id, "", &err)) return;
    char st[16] = "";
    if (req->is_api) calls_application_state(a->db, id, c->user->id, st);
    write_done(req, resp, id, withdraw ? 200 : 201,
               req->is_api ? json_pack("{s:I, s:s}", "call_id", (json_int_t)id, "state", st) : NULL, "");
}

static void call_decide(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    long long id = call_id_for(a, req, resp, app_param_id(req, 0), true);
    if (!id) return;
    const char *user = http_input(req, "user_id"), *decision = http_input(req, "decision");
    long long uid = user ? atoll(user) : 0;
    perr err = {{0}};
    if (!write_begin(a, req, resp, &err)) return;
    if (!calls_decide(a->db, id, uid, decision, &err)) {
        store_rollback(a->db);
        write_refused(a, req, resp, 422, &err);
        return;
    }
    if (!write_commit(a, req, resp, "call.decision", "user", uid, decision, &err)) return;
    write_done(req, resp, id, 200,
               req->is_api ? json_pack("{s:I, s:I, s:s}", "call_id", (json_int_t)id, "user_id", (json_int_t)uid,
                                       "state", decision)
                           : NULL,
               "");
}

/* POST /calls/{id}/prospects: shortlist a visible profile, or invite it to apply. A
 * profile the manager may not see answers as an absent one (404). */
static void prospect_post(app *a, http_req *req, http_resp *resp, long long call_id) {
    req_ctx *c = app_ctx(req);
    long long id = call_id_for(a, req, resp, call_id, true);
    if (!id) return;
    const char *user = http_input(req, "user_id"), *action = http_input(req, "action");
    long long uid = user ? atoll(user) : 0;
    if (uid == c->user->id || !talent_may_view_profile(a, c->user, uid)) {
        app_error(a, req, resp, 404, NULL);
        return;
    }
    perr err = {{0}};
    if (!write_begin(a, req, resp, &err)) return;
    if (!prospects_mark(a->db, id, uid, action, clock_now(), &err)) {
        store_rollback(a->db);
        write_refused(a, req, resp, 409, &err);
        return;
    }
    const char *what = !strcmp(action, "invite") ? "call.invite" : "call.shortlist";
    if (!write_commit(a, req, resp, what, "user", uid, "", &err)) return;
    write_done(req, resp, id, 200,
               req->is_api ? json_pack("{s:I, s:I, s:s}", "call_id", (json_int_t)id, "user_id", (json_int_t)uid,
                                       "action", action)
                           : NULL,
               "#prospects");
}

static void call_prospect(http_req *req, http_resp *resp, void *ctx) {
    prospect_post(ctx, req, resp, app_param_id(req, 0));
}

/* POST /calls/prospects: the same, the call chosen in the form (the profile page's
 * "invite to a call"). */
static void any_call_prospect(http_req *req, http_resp *resp, void *ctx) {
    const char *call = http_input(req, "call_id");
    prospect_post(ctx, req, resp, call ? atoll(call) : 0);
}

static void shortlist_csv(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    long long id = call_id_for(a, req, resp, app_param_id(req, 0), true);
    if (!id) return;
    talent_query q;
    json_t *apps = calls_applications(a->db, id, NULL);
    if (!apps || !calls_query(a->db, id, &q, NULL)) {
        json_decref(apps);
        app_error(a, req, resp, 500, NULL);
        return;
    }
    buf out = BUF_INIT;
    buf_puts(&out, "\xEF\xBB\xBF");
    talent_csv_field(&out, app_t(a, req, "talent.col.name"), false);
    talent_csv_field(&out, app_t(a, req, "talent.col.email"), false);
    talent_csv_field(&out, app_t(a, req, "talent.col.unit"), false);
    talent_csv_field(&out, app_t(a, req, "talent.col.state"), false);
    talent_csv_field(&out, app_t(a, req, "talent.col.score"), false);
    talent_csv_field(&out, app_t(a, req, "talent.col.motivation"), true);
    size_t i;
    json_t *ap;
    json_array_foreach(apps, i, ap) {
        const char *st = json_string_value(json_object_get(ap, "state"));
        if (strcmp(st, "shortlisted") && strcmp(st, "contacted")) continue;
        json_t *fit = talent_explain(talent_shared_index(a), json_integer_value(json_object_get(ap, "user_id")), &q, NULL);
        char score[16];
        snprintf(score, sizeof score, "%lld", fit ? (long long)json_integer_value(json_object_get(fit, "score")) : 0LL);
        json_decref(fit);
        char key[48];
        snprintf(key, sizeof key, "talent.app.%s", st);
        talent_csv_field(&out, json_string_value(json_object_get(ap, "name")), false);
        talent_csv_field(&out, json_string_value(json_object_get(ap, "email")), false);
        talent_csv_field(&out, json_string_value(json_object_get(ap, "unit")), false);
        talent_csv_field(&out, app_t(a, req, key), false);
        talent_csv_field(&out, score, false);
        talent_csv_field(&out, json_string_value(json_object_get(ap, "motivation")), true);
    }
    json_decref(apps);
    resp->status = 200;
    resp->content_type = "text/csv; charset=utf-8";
    buf_free(&resp->body);
    resp->body = out;
    http_resp_header(resp, "Content-Disposition", "attachment; filename=\"shortlist.csv\"");
    http_resp_header(resp, "Cache-Control", "no-store");
}

void talent_calls_routes(http_router *r) {
    unsigned owners = ROLE_HR | ROLE_MANAGER;
    http_router_add(r, (http_route){HTTP_GET, "/calls", calls_index, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/calls/new", call_new, 0, 0, owners});
    http_router_add(r, (http_route){HTTP_POST, "/calls", call_create, 64 * 1024, 0, owners});
    http_router_add(r, (http_route){HTTP_GET, "/calls/{id}", call_show, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/calls/{id}/state", call_state_post, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/calls/{id}/apply", call_apply, 16 * 1024, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/calls/{id}/decisions", call_decide, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/calls/{id}/shortlist.csv", shortlist_csv, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/calls/{id}/prospects", call_prospect, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/calls/prospects", any_call_prospect, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/calls/{id}/prospects", call_prospect, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/calls", calls_index, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/calls", call_create, 64 * 1024, 0, owners});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/calls/{id}", call_show, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/calls/{id}/applications", call_apply, 16 * 1024, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/calls/{id}/state", call_state_post, 4096, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/calls/{id}/decisions", call_decide, 4096, 0, 0});
    http_router_json(r, HTTP_POST, "/calls", "needs:array");
    http_router_json(r, HTTP_POST, "/api/v1/calls", "needs:array");
}
