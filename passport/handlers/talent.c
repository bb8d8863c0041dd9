/* SPDX-License-Identifier: EUPL-1.2 */
/* Talent pages and API: the search (/talent, CSV export, GET /api/v1/talent/search), a
 * visible profile (/talent/people/{id}, every view logged), the skills heatmap
 * (/talent/heatmap, CSV). Registers the calls and "me" routes of the area too. */
#include "handlers/talent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/badges.h"
#include "core/csv.h"
#include "handlers/datefmt.h"
#include "people/unit.h"
#include "talent/calls.h"
#include "talent/profile.h"

#define FORM_NEEDS 4

/* The one process-wide index: the app struct (not ours to change) has no slot for it yet. */
talent_index *talent_shared_index(app *a) {
    return a->talent;
}

talent_viewer talent_viewer_of(const account *u) {
    talent_viewer v = {u->id, (u->roles & ROLE_HR) != 0, u->unit_id};
    return v;
}

void talent_csv_field(buf *out, const char *s, bool last) {
    csv_write_field(out, s, ';', last);
}

static void add_key(json_t *o, const char *member, const char *prefix, const char *key_member) {
    const char *v = json_string_value(json_object_get(o, member));
    if (!v) return;
    buf k = BUF_INIT;
    buf_printf(&k, "%s%s", prefix, v);
    json_object_set_new(o, key_member, json_string(buf_cstr(&k)));
    buf_free(&k);
}

void talent_add_keys(json_t *arr, const char *member, const char *prefix, const char *key_member) {
    if (json_is_object(arr)) {
        add_key(arr, member, prefix, key_member);
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) add_key(o, member, prefix, key_member);
}

static int query_int(http_req *req, const char *name, int dflt, int lo, int hi) {
    const char *v = http_query(req, name);
    if (!v || !*v) return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi) return dflt;
    return (int)n;
}

static bool flag(http_req *req, const char *name) {
    const char *v = http_query(req, name);
    return v && (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "true"));
}

/* Reads the search filters from the query string into q; false with err (an i18n key)
 * on an unknown competency, a level outside 1..8 or a bad filter value. */
static bool parse_query(app *a, http_req *req, talent_query *q, perr *err) {
    talent_index *ix = talent_shared_index(a);
    memset(q, 0, sizeof *q);
    q->require_levels = true;
    const char *needs = http_query(req, "needs");
    if (needs && *needs && !talent_query_add_needs(ix, q, needs, err)) return false;
    for (int i = 1; i <= FORM_NEEDS; i++) {
        char cn[16], ln[16], wn[16];
        snprintf(cn, sizeof cn, "c%d", i);
        snprintf(ln, sizeof ln, "l%d", i);
        snprintf(wn, sizeof wn, "w%d", i);
        const char *code = http_query(req, cn), *lv = http_query(req, ln), *w = http_query(req, wn);
        if (!code || !*code) continue;
        char *end = NULL;
        long level = lv && *lv ? strtol(lv, &end, 10) : 0;
        if (!lv || !*lv || *end) return perr_set(err, "talent.bad_level");
        long weight = 1;
        if (w && *w) {
            weight = strtol(w, &end, 10);
            if (*end) return perr_set(err, "talent.bad_weight");
        }
        if (!talent_query_add_need(ix, q, code, (int)level, (int)weight, err)) return false;
    }
    q->declared = flag(req, "declared");
    q->available_only = flag(req, "available");
    const char *fresh = http_query(req, "fresh");
    if (fresh && *fresh) {
        q->fresh_months = query_int(req, "fresh", -1, 1, 600);
        if (q->fresh_months < 0) return perr_set(err, "talent.bad_filter");
    }
    const char *unit = http_query(req, "unit");
    if (unit && *unit && strcmp(unit, "0")) {
        q->unit_id = atoll(unit);
        if (q->unit_id <= 0 || !unit_exists(a->db, q->unit_id)) return perr_set(err, "talent.bad_filter");
    }
    q->text = http_query(req, "q");
    q->badge = http_query(req, "badge");
    q->page = query_int(req, "page", 1, 1, TALENT_MAX_PAGE);
    q->per_page = query_int(req, "per_page", 20, 1, TALENT_MAX_PER_PAGE);
    return true;
}

static bool any_filter(http_req *req) {
    static const char *const names[] = {"needs", "c1", "c2", "c3", "c4", "q", "badge", "unit", "available", "fresh"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = http_query(req, names[i]);
        if (v && *v && strcmp(v, "0")) return true;
    }
    return false;
}

/* The query string of the current search without page (for links), URL-encoded. */
static char *query_string(http_req *req, bool without_page) {
    buf b = BUF_INIT;
    for (size_t i = 0; i < req->nquery; i++) {
        if (without_page && !strcmp(req->query[i].name, "page")) continue;
        if (b.len) buf_putc(&b, '&');
        buf_put_urlenc(&b, req->query[i].name, strlen(req->query[i].name));
        buf_putc(&b, '=');
        buf_put_urlenc(&b, req->query[i].value, req->query[i].len);
    }
    return buf_detach(&b);
}

static void search_api(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    talent_query q;
    perr err = {{0}};
    if (!parse_query(a, req, &q, &err)) {
        app_error(a, req, resp, 400, err.msg);
        return;
    }
    talent_viewer v = talent_viewer_of(app_ctx(req)->user);
    buf body = BUF_INIT; /* written as text: the hidden part is kept as text (talent/index.h) */
    if (!talent_search_dump(talent_shared_index(a), &v, &q, &body, &err)) {
        buf_free(&body);
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    resp->status = 200;
    resp->content_type = "application/json";
    buf_free(&resp->body);
    resp->body = body;
}

static json_t *form_state(http_req *req) {
    json_t *rows = json_array();
    for (int i = 1; i <= FORM_NEEDS; i++) {
        char cn[16], ln[16], wn[16];
        snprintf(cn, sizeof cn, "c%d", i);
        snprintf(ln, sizeof ln, "l%d", i);
        snprintf(wn, sizeof wn, "w%d", i);
        const char *c = http_query(req, cn), *l = http_query(req, ln), *w = http_query(req, wn);
        json_array_append_new(rows, json_pack("{s:i, s:s, s:s, s:s}", "n", i, "selected_code", c ? c : "", "selected_level",
                                              l && *l ? l : "1", "weight", w && *w ? w : "1"));
    }
    const char *q = http_query(req, "q"), *unit = http_query(req, "unit"), *fresh = http_query(req, "fresh");
    const char *needs = http_query(req, "needs"), *badge = http_query(req, "badge");
    return json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "needs", rows, "q", q ? q : "", "unit",
                     unit ? unit : "0", "fresh", fresh ? fresh : "", "needs_spec", needs ? needs : "", "badge",
                     badge ? badge : "", "declared", flag(req, "declared"), "available", flag(req, "available"));
}

static json_t *levels_options(void) {
    json_t *arr = json_array();
    for (int i = 1; i <= 8; i++) json_array_append_new(arr, json_integer(i));
    return arr;
}

/* The badge filter's choices: [{slug, name}] in the request's locale. */
static json_t *badge_options(app *a, http_req *req) {
    json_t *arr = json_array();
    for (size_t i = 0; a->badges && i < a->badges->set->n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "slug", a->badges->set->items[i].slug, "name",
                                             achievement_name(&a->badges->set->items[i], app_ctx(req)->locale)));
    return arr;
}

static void search_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    json_t *d = json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "form", form_state(req), "competencies",
                          calls_competencies(a->db, c->locale), "units", unit_choices(a->db, NULL), "levels",
                          levels_options(), "badges", badge_options(a, req), "is_hr", (c->user->roles & ROLE_HR) != 0);
    int status = 200;
    if (any_filter(req)) {
        talent_query q;
        perr err = {{0}};
        json_t *r = NULL;
        if (!parse_query(a, req, &q, &err)) {
            status = 400;
            json_object_set_new(d, "error", json_string(app_t(a, req, err.msg)));
        } else {
            talent_viewer v = talent_viewer_of(c->user);
            r = talent_search(talent_shared_index(a), &v, &q, &err);
            if (!r) {
                json_decref(d);
                app_error(a, req, resp, 500, err.msg);
                return;
            }
            char *qs = query_string(req, true);
            int page = (int)json_integer_value(json_object_get(r, "page"));
            int pages = (int)json_integer_value(json_object_get(r, "pages"));
            json_object_set_new(d, "qs", json_string(qs));
            json_object_set_new(d, "prev_page", json_integer(page > 1 ? page - 1 : 0));
            json_object_set_new(d, "next_page", json_integer(page < pages ? page + 1 : 0));
            free(qs);
            size_t i;
            json_t *row, *titles = json_object_get(d, "competencies");
            json_array_foreach(json_object_get(r, "results"), i, row) talent_name_needs(json_object_get(row, "needs"), titles);
            json_object_set_new(d, "search", r);
        }
    }
    app_render(a, req, resp, status, "talent/search", "talent.search.title", d);
}

static void search_csv(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    talent_query q;
    perr err = {{0}};
    if (!parse_query(a, req, &q, &err)) {
        app_error(a, req, resp, 400, err.msg);
        return;
    }
    q.page = 1;
    q.per_page = TALENT_MAX_PER_PAGE;
    q.no_hidden_units = true; /* the file lists results only */
    talent_viewer v = talent_viewer_of(app_ctx(req)->user);
    buf out = BUF_INIT;
    buf_puts(&out, "\xEF\xBB\xBF");
    talent_csv_field(&out, app_t(a, req, "talent.col.name"), false);
    talent_csv_field(&out, app_t(a, req, "talent.col.unit"), false);
    for (size_t i = 0; i < q.nneeds; i++) talent_csv_field(&out, q.needs[i].code, false);
    talent_csv_field(&out, app_t(a, req, "talent.col.score"), true);
    /* every page, up to TALENT_MAX_PAGE pages of TALENT_MAX_PER_PAGE */
    for (int page = 1; page <= TALENT_MAX_PAGE; page++) {
        q.page = page;
        json_t *r = talent_search(talent_shared_index(a), &v, &q, &err);
        if (!r) {
            buf_free(&out);
            app_error(a, req, resp, 500, err.msg);
            return;
        }
        size_t i;
        json_t *row;
        json_t *results = json_object_get(r, "results");
        json_array_foreach(results, i, row) {
            talent_csv_field(&out, json_string_value(json_object_get(row, "name")), false);
            talent_csv_field(&out, json_string_value(json_object_get(row, "unit")), false);
            size_t k;
            json_t *n;
            json_array_foreach(json_object_get(row, "needs"), k, n) {
                char lv[16];
                snprintf(lv, sizeof lv, "%lld", (long long)json_integer_value(json_object_get(n, "level")));
                talent_csv_field(&out, lv, false);
            }
            char sc[16];
            snprintf(sc, sizeof sc, "%lld", (long long)json_integer_value(json_object_get(row, "score")));
            talent_csv_field(&out, sc, true);
        }
        bool last = page >= json_integer_value(json_object_get(r, "pages"));
        json_decref(r);
        if (last) break;
    }
    resp->status = 200;
    resp->content_type = "text/csv; charset=utf-8";
    buf_free(&resp->body);
    resp->body = out;
    http_resp_header(resp, "Content-Disposition", "attachment; filename=\"talents.csv\"");
    http_resp_header(resp, "Cache-Control", "no-store");
}

bool talent_view_intended(http_req *req) {
    if (app_ctx(req)->bearer) return true;
    const char *site = http_header(req, "Sec-Fetch-Site");
    return !site || !strcmp(site, "same-origin") || !strcmp(site, "none");
}

void talent_view_confirm(app *a, http_req *req, http_resp *resp) {
    if (req->is_api) {
        app_error(a, req, resp, 403, "privacy.cross_site");
        return;
    }
    buf href = BUF_INIT;
    buf_puts(&href, req->path);
    char *qs = query_string(req, false);
    if (*qs) buf_printf(&href, "?%s", qs);
    free(qs);
    app_render(a, req, resp, 200, "talent/confirm_view", "privacy.confirm.title",
               json_pack("{s:s}", "href", buf_cstr(&href)));
    buf_free(&href);
}

/* May viewer see the profile of target (visibility v, unit target_unit)? */
static bool may_view(app *a, const account *viewer, long long target, talent_visibility v, long long target_unit) {
    if (viewer->id == target) return true;
    if (v == TALENT_VISIBLE_ALL) return true;
    if (v != TALENT_VISIBLE_HR) return false;
    if (viewer->roles & ROLE_HR) return true;
    return (viewer->roles & ROLE_MANAGER) && viewer->unit_id && target_unit &&
           unit_in_subtree(a->db, viewer->unit_id, target_unit);
}

/* Does u manage call id (HR or admin; a manager who owns it)? */
static bool may_manage_call(app *a, const account *u, long long id) {
    if (u->roles & (ROLE_HR | ROLE_ADMIN)) return true;
    json_t *call = (u->roles & ROLE_MANAGER) ? calls_get(a->db, id, "fr", NULL) : NULL;
    bool mine = call && json_integer_value(json_object_get(call, "owner_id")) == u->id;
    json_decref(call);
    return mine;
}

/* The profile page's data: levels named (titles, dates in the locale), the way back (to
 * the search or the call the viewer came from) and the open calls the viewer may invite
 * the person to. Takes p. */
static json_t *person_page_data(app *a, http_req *req, json_t *p, const char *context, long long call_id,
                                long long id) {
    req_ctx *c = app_ctx(req);
    json_t *titles = calls_competencies(a->db, c->locale), *l, *t;
    size_t i, k;
    json_array_foreach(json_object_get(p, "levels"), i, l) {
        const char *code = json_string_value(json_object_get(l, "code"));
        json_array_foreach(titles, k, t) if (!strcmp(json_string_value(json_object_get(t, "code")), code))
            json_object_set(l, "title", json_object_get(t, "title"));
    }
    datefmt_add(json_object_get(p, "levels"), c->locale, "date", "date_text");
    json_decref(titles);
    bool hr = c->user->roles & (ROLE_HR | ROLE_ADMIN);
    json_t *calls = c->user->id == id || !(hr || (c->user->roles & ROLE_MANAGER))
                        ? json_array()
                        : calls_list(a->db, "open", hr ? 0 : c->user->id, c->locale, NULL);
    char back[64] = "";
    if (!strcmp(context, "search")) snprintf(back, sizeof back, "/talent");
    else if (!strcmp(context, "call")) snprintf(back, sizeof back, "/calls/%lld", call_id);
    return json_pack("{s:o, s:o, s:s, s:s, s:I}", "person", p, "calls", calls ? calls : json_array(), "back", back,
                     "context", context, "call_id", (json_int_t)call_id);
}

void talent_name_needs(json_t *needs, const json_t *titles) {
    size_t i, k;
    json_t *n, *t;
    json_array_foreach(needs, i, n) {
        const char *code = json_string_value(json_object_get(n, "code"));
        json_array_foreach(titles, k, t) if (code && !strcmp(code, json_string_value(json_object_get(t, "code"))))
            json_object_set(n, "title", json_object_get(t, "title"));
        if (!json_object_get(n, "title")) json_object_set_new(n, "title", json_string(code ? code : ""));
    }
}

bool talent_may_view_profile(app *a, const account *viewer, long long target) {
    json_t *p = target > 0 ? profile_get(a->db, target, NULL) : NULL;
    talent_visibility v = TALENT_HIDDEN;
    if (p) talent_visibility_parse(json_string_value(json_object_get(p, "visibility")), &v);
    bool ok = p && may_view(a, viewer, target, v, (long long)json_integer_value(json_object_get(p, "unit_id")));
    json_decref(p);
    return ok;
}

static void person(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    if (!talent_view_intended(req)) {
        talent_view_confirm(a, req, resp);
        return;
    }
    long long id = app_param_id(req, 0);
    perr err = {{0}};
    json_t *p = id ? profile_get(a->db, id, &err) : NULL;
    talent_visibility v = TALENT_HIDDEN;
    if (p) talent_visibility_parse(json_string_value(json_object_get(p, "visibility")), &v);
    if (!p || !may_view(a, c->user, id, v, (long long)json_integer_value(json_object_get(p, "unit_id")))) {
        json_decref(p);
        app_error(a, req, resp, 404, NULL); /* hidden answers exactly as absent */
        return;
    }
    const char *from = http_query(req, "from");
    const char *context = from && !strcmp(from, "search") ? "search" : from && !strcmp(from, "call") ? "call" : "direct";
    long long call_id = !strcmp(context, "call") && http_query(req, "call") ? atoll(http_query(req, "call")) : 0;
    long long back_call = call_id > 0 && may_manage_call(a, c->user, call_id) ? call_id : 0; /* the way back */
    if (!strcmp(context, "call") && !profile_call_context_ok(a->db, c->user->id, id, call_id)) {
        context = "direct"; /* only the owner of a call the agent applied to says "call" */
        call_id = 0;
    }
    if (c->user->id != id) {
        if (!store_begin(a->db, &err)) goto fail;
        if (!profile_log_view(a->db, c->user->id, id, context, call_id, NULL, &err)) {
            store_rollback(a->db);
            goto fail;
        }
        if (!store_commit(a->db, &err)) goto fail;
    }
    json_t *levels = talent_levels(talent_shared_index(a), id, &err);
    json_object_set_new(p, "levels", levels ? levels : json_array());
    if (req->is_api) {
        app_json(resp, 200, p);
        return;
    }
    app_render(a, req, resp, 200, "talent/person", "talent.person.title",
               person_page_data(a, req, p, back_call ? "call" : context, back_call, id));
    return;
fail:
    json_decref(p);
    app_error(a, req, resp, 500, err.msg);
}

#define HEAT_LEFT 300 /* x of the first column; unit labels end at HEAT_LEFT - 10 */

/* A unit name cut to 36 characters (UTF-8 aware) with an ellipsis, for the SVG's label
 * column (the table beside it has the full names). */
static json_t *short_label(const char *name) {
    size_t chars = 0, i = 0;
    for (; name && name[i]; i++) {
        if (((unsigned char)name[i] & 0xC0) != 0x80 && ++chars > 36) break;
    }
    if (!name || !name[i]) return json_string(name ? name : "");
    buf b = BUF_INIT;
    buf_append(&b, name, i);
    buf_puts(&b, "\xE2\x80\xA6");
    json_t *s = json_string(buf_cstr(&b));
    buf_free(&b);
    return s;
}

static json_t *heatmap_data(app *a, http_req *req, perr *err) {
    json_t *h = talent_heatmap(talent_shared_index(a), "CRCN", err);
    if (!h) return NULL;
    /* area titles, and the SVG geometry the template draws */
    json_t *titles = json_array();
    for (int i = 1; i <= 5; i++) {
        char key[40];
        snprintf(key, sizeof key, "talent.area.%d", i);
        char short_key[40];
        snprintf(short_key, sizeof short_key, "roles.heatmap.col.%d", i);
        json_array_append_new(titles, json_pack("{s:i, s:s, s:s, s:i}", "area", i, "title", app_t(a, req, key), "short",
                                                app_t(a, req, short_key), "x", HEAT_LEFT + (i - 1) * 90 + 45));
    }
    json_object_set_new(h, "area_titles", titles);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(h, "rows"), i, row) {
        int y = 40 + (int)i * 34;
        json_object_set_new(row, "y", json_integer(y));
        const char *unit = json_string_value(json_object_get(row, "unit"));
        json_object_set_new(row, "label", short_label(unit));
        json_object_set_new(row, "ty", json_integer(y + 21));
        size_t k;
        json_t *cell;
        json_array_foreach(json_object_get(row, "cells"), k, cell) {
            int x = HEAT_LEFT + (int)k * 90;
            json_object_set_new(cell, "x", json_integer(x));
            json_object_set_new(cell, "tx", json_integer(x + 45));
            json_object_set_new(cell, "y", json_integer(y));
            json_object_set_new(cell, "ty", json_integer(y + 21));
            json_t *avg = json_object_get(cell, "average");
            if (json_is_number(avg)) /* "0,7" in French */
                json_object_set_new(cell, "average_text", datefmt_number(app_ctx(req)->locale, json_number_value(avg), 1));
        }
    }
    json_object_set_new(h, "height", json_integer(40 + (int)json_array_size(json_object_get(h, "rows")) * 34 + 10));
    return h;
}

static void heatmap_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    perr err = {{0}};
    json_t *h = heatmap_data(a, req, &err);
    if (!h) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    if (req->is_api) {
        app_json(resp, 200, h);
        return;
    }
    app_render(a, req, resp, 200, "talent/heatmap", "talent.heatmap.title", json_pack("{s:o}", "heatmap", h));
}

static void heatmap_csv(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    perr err = {{0}};
    json_t *h = talent_heatmap(talent_shared_index(a), "CRCN", &err);
    if (!h) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    buf out = BUF_INIT;
    buf_puts(&out, "\xEF\xBB\xBF");
    talent_csv_field(&out, app_t(a, req, "talent.col.unit"), false);
    talent_csv_field(&out, app_t(a, req, "talent.col.headcount"), false);
    for (int i = 1; i <= 5; i++) {
        char key[40];
        snprintf(key, sizeof key, "talent.area.%d", i);
        talent_csv_field(&out, app_t(a, req, key), i == 5);
    }
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(h, "rows"), i, row) {
        talent_csv_field(&out, json_string_value(json_object_get(row, "unit")), false);
        json_t *hc = json_object_get(row, "headcount");
        char num[32];
        if (json_is_integer(hc)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(hc));
        else snprintf(num, sizeof num, "%s", json_string_value(hc));
        talent_csv_field(&out, num, false);
        size_t k;
        json_t *cell;
        json_array_foreach(json_object_get(row, "cells"), k, cell) {
            json_t *avg = json_object_get(cell, "average");
            if (json_is_real(avg)) snprintf(num, sizeof num, "%.1f", json_real_value(avg));
            else num[0] = '\0';
            talent_csv_field(&out, num, k == 4);
        }
    }
    json_decref(h);
    resp->status = 200;
    resp->content_type = "text/csv; charset=utf-8";
    buf_free(&resp->body);
    resp->body = out;
    http_resp_header(resp, "Content-Disposition", "attachment; filename=\"heatmap.csv\"");
    http_resp_header(resp, "Cache-Control", "no-store");
}

void talent_routes(http_router *r) {
    unsigned finders = ROLE_HR | ROLE_MANAGER;
    http_router_add(r, (http_route){HTTP_GET, "/talent", search_page, 0, 0, finders});
    http_router_add(r, (http_route){HTTP_GET, "/talent/export.csv", search_csv, 0, 0, finders});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/talent/search", search_api, 0, 0, finders});
    http_router_add(r, (http_route){HTTP_GET, "/talent/people/{id}", person, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/talent/people/{id}", person, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/talent/heatmap", heatmap_page, 0, 0, ROLE_HR});
    http_router_add(r, (http_route){HTTP_GET, "/talent/heatmap.csv", heatmap_csv, 0, 0, ROLE_HR});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/talent/heatmap", heatmap_page, 0, 0, ROLE_HR});
    talent_calls_routes(r);
    talent_me_routes(r);
}
