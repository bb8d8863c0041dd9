/* SPDX-License-Identifier: EUPL-1.2 */
/* The agent's passport: pages (own, someone's in scope, self-assessment, team list), the
 * manager attestation, the JSON API and the JSON download. Access rules: docs/skills.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/badges.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/text.h"
#include "handlers/api_page.h"
#include "handlers/app.h"
#include "handlers/talent.h"
#include "people/audit.h"
#include "people/unit.h"
#include "skills/evidence.h"
#include "skills/passport_view.h"
#include "talent/profile.h"
#include "store/changelog.h"

#define FORM_MAX_BODY (16 * 1024)

/* How viewer may see target's passport (docs/privacy.md): themself; a manager whose unit
 * subtree holds the target; HR when the target made their profile visible; an admin for
 * support, after giving a reason. Every look but one's own is shown to the agent. */
typedef enum passport_access {
    ACCESS_NONE,    /* answers exactly as an absent account */
    ACCESS_SELF,
    ACCESS_VIEW,    /* recorded as a "passport" view */
    ACCESS_SUPPORT, /* an admin: needs a reason, recorded as a "support" view */
} passport_access;

static passport_access access_of(app *a, const account *viewer, const account *target) {
    if (viewer->id == target->id) return ACCESS_SELF;
    if ((viewer->roles & ROLE_MANAGER) && viewer->unit_id && target->unit_id &&
        unit_in_subtree(a->db, viewer->unit_id, target->unit_id))
        return ACCESS_VIEW;
    if ((viewer->roles & ROLE_HR) && profile_visibility(a->db, target->id) != TALENT_HIDDEN) return ACCESS_VIEW;
    if (viewer->roles & ROLE_ADMIN) return ACCESS_SUPPORT;
    return ACCESS_NONE;
}

/* Records viewer's look at target's passport (nothing for one's own); false with err. */
static bool record_view(app *a, const account *viewer, const account *target, passport_access how,
                        const char *reason, perr *err) {
    if (how == ACCESS_SELF) return true;
    if (!store_begin(a->db, err)) return false;
    if (!profile_log_view(a->db, viewer->id, target->id, how == ACCESS_SUPPORT ? "support" : "passport", 0, reason,
                          err)) {
        store_rollback(a->db);
        return false;
    }
    return store_commit(a->db, err);
}

/* The admin's reason for a support access, trimmed; NULL when missing or unfit (control
 * characters, bidirectional overrides, over 500 bytes). */
static const char *support_reason(http_req *req) {
    const char *r = http_input(req, "reason");
    if (!r) r = http_query(req, "reason");
    if (!r) return NULL;
    while (*r == ' ') r++;
    size_t n = strlen(r);
    if (!n || n > 500 || !text_clean(r, n, true)) return NULL;
    return r;
}

/* May viewer attest target's competencies? A manager, for someone else in their scope. */
static bool can_attest(app *a, const account *viewer, const account *target) {
    return (viewer->roles & ROLE_MANAGER) && viewer->id != target->id && viewer->unit_id && target->unit_id &&
           unit_in_subtree(a->db, viewer->unit_id, target->unit_id);
}

/* Parses a level "1".."8"; 0 otherwise. */
static int parse_level(const char *s) {
    return s && s[0] >= '1' && s[0] <= '8' && !s[1] ? s[0] - '0' : 0;
}

/* The "level" input: a form field, a JSON string, or a JSON integer 1..8; 0 otherwise. */
static int input_level(http_req *req) {
    json_t *v = req->json ? json_object_get(req->json, "level") : NULL;
    if (json_is_integer(v)) {
        json_int_t l = json_integer_value(v);
        return l >= 1 && l <= 8 ? (int)l : 0;
    }
    return parse_level(http_input(req, "level"));
}

static const char *framework_param(http_req *req) {
    const char *f = http_query(req, "framework");
    return f && *f ? f : PASSPORT_VIEW_DEFAULT_FRAMEWORK;
}

/* Loads the account of route parameter 0, or sends 404 (NULL). Caller frees. */
static account *target_or_404(app *a, http_req *req, http_resp *resp) {
    long long id = app_param_id(req, 0);
    account *t = id ? account_get(a->db, id, NULL) : NULL;
    if (!t || t->disabled) {
        account_free(t);
        app_error(a, req, resp, 404, NULL);
        return NULL;
    }
    return t;
}

/* The view model with the subject's identity, or NULL after sending the error. */
/* A framework's name in the reader's language when the catalogue has one
 * ("framework.name.DIGCOMP"): the files carry a single name, DigComp's in English. */
static void localise_framework(app *a, http_req *req, json_t *fw) {
    char key[96];
    snprintf(key, sizeof key, "framework.name.%s", json_string_value(json_object_get(fw, "code")));
    const char *name = app_t(a, req, key);
    if (name && strcmp(name, key)) json_object_set_new(fw, "name", json_string(name));
}

static void localise_frameworks(app *a, http_req *req, json_t *v) {
    size_t i;
    json_t *fw;
    json_array_foreach(json_object_get(v, "frameworks"), i, fw) localise_framework(a, req, fw);
    if (json_is_object(json_object_get(v, "framework"))) localise_framework(a, req, json_object_get(v, "framework"));
}

static json_t *build(app *a, http_req *req, http_resp *resp, const account *subject, size_t evidence_cap,
                     store_page *timeline) {
    passport_view_opts o = {.framework = framework_param(req), .locale = app_ctx(req)->locale,
                            .evidence_cap = evidence_cap, .timeline = timeline};
    perr err = {{0}};
    json_t *v = passport_view_build(a->db, subject->id, &o, &err);
    if (!v) {
        bool unknown = !strcmp(err.msg, "skills.unknown_framework");
        app_error(a, req, resp, unknown ? 404 : 500, err.msg);
        return NULL;
    }
    localise_frameworks(a, req, v);
    json_object_set_new(v, "subject", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)subject->id, "name",
                                                subject->display_name, "unit", subject->unit_name ? subject->unit_name : ""));
    return v;
}

/* Renders the passport/view template with v (consumed) into out, with the members the
 * template needs from the request (csrf, locale). false (500 sent) on a template error. */
static bool render_content(app *a, http_req *req, http_resp *resp, json_t *v, buf *out) {
    req_ctx *c = app_ctx(req);
    perr err = {{0}};
    json_object_set_new(v, "csrf", json_string(c->csrf));
    json_object_set_new(v, "locale", json_string(c->locale));
    bool ok = tmpl_render(a->tmpl, "passport/view", v, c->locale, out, &err);
    json_decref(v);
    if (!ok) app_error(a, req, resp, 500, err.msg);
    return ok;
}

/* Sends content (HTML we rendered) inside the layout. */
static void send_page(app *a, http_req *req, http_resp *resp, int status, const char *title_key, const buf *content) {
    app_render(a, req, resp, status, "passport/page", title_key,
               json_pack("{s:o}", "html", json_stringn_nocheck(buf_cstr(content), content->len)));
}

/* Renders the passport page of subject; status, error (an i18n key) and notice optional.
 * The own page (GET /passport) is kept by the page cache of its route (ROUTE_CACHE, voided
 * by the change log: docs/performance.md). */
static void render_page(app *a, http_req *req, http_resp *resp, const account *subject, int status,
                        const char *error, const char *notice) {
    req_ctx *c = app_ctx(req);
    bool own = subject->id == c->user->id;
    const char *title = own ? "passport.title" : "passport.title_other";
    buf content = BUF_INIT;
    json_t *v = build(a, req, resp, subject, 0, NULL);
    if (!v) return;
    char base[64];
    if (own) snprintf(base, sizeof base, "/passport");
    else snprintf(base, sizeof base, "/people/%lld/passport", subject->id);
    json_object_set_new(v, "own", json_boolean(own));
    json_object_set_new(v, "base", json_string(base));
    if (can_attest(a, c->user, subject)) {
        json_t *list = passport_view_competencies(a->db, json_string_value(json_object_get(
                                                                 json_object_get(v, "framework"), "code")),
                                                  c->locale, NULL);
        json_object_set_new(v, "selected_level", json_string(http_input(req, "level") ? http_input(req, "level") : ""));
        json_object_set_new(v, "attest", json_pack("{s:o, s:s, s:s, s:s}", "competencies", list ? list : json_array(),
                                                   "code", http_input(req, "code") ? http_input(req, "code") : "",
                                                   "level", http_input(req, "level") ? http_input(req, "level") : "",
                                                   "comment", http_input(req, "comment") ? http_input(req, "comment") : ""));
    }
    if (error) json_object_set_new(v, "error", json_string(app_t(a, req, error)));
    if (notice) json_object_set_new(v, "notice", json_string(app_t(a, req, notice)));
    if (!render_content(a, req, resp, v, &content)) {
        buf_free(&content);
        return;
    }
    send_page(a, req, resp, status, title, &content);
    buf_free(&content);
}

static void own_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    app_page_shows(req, CHANGE_EVIDENCE); /* levels and evidence; no attempt nor visit */
    render_page(a, req, resp, app_ctx(req)->user, 200, NULL,
                http_query(req, "saved") ? "passport.self.saved" : NULL);
}

/* The admin's form asking why they open target's passport. */
static void support_form(app *a, http_req *req, http_resp *resp, const account *t, int status, const char *error) {
    const char *reason = http_input(req, "reason");
    app_render(a, req, resp, status, "passport/support_form", "privacy.confirm.title",
               json_pack("{s:{s:I, s:s}, s:s, s:s?}", "subject", "id", (json_int_t)t->id, "name", t->display_name,
                         "reason", reason ? reason : "", "error", error ? app_t(a, req, error) : NULL));
}

static void person_page(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    if (!talent_view_intended(req)) { /* before any lookup: the same for every id */
        talent_view_confirm(a, req, resp);
        return;
    }
    account *t = target_or_404(a, req, resp);
    if (!t) return;
    passport_access how = access_of(a, c->user, t);
    perr err = {{0}};
    if (how == ACCESS_NONE) app_error(a, req, resp, 404, NULL);
    else if (how == ACCESS_SUPPORT) support_form(a, req, resp, t, 200, NULL);
    else if (!record_view(a, c->user, t, how, NULL, &err)) app_error(a, req, resp, 500, err.msg);
    else render_page(a, req, resp, t, 200, NULL, http_query(req, "attested") ? "passport.attest.saved" : NULL);
    account_free(t);
}

/* An admin opens a passport for support with a reason (POST: CSRF-checked, so no other
 * site can make an admin's browser record it). */
static void support_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    account *t = target_or_404(a, req, resp);
    if (!t) return;
    passport_access how = access_of(a, c->user, t);
    const char *reason = support_reason(req);
    perr err = {{0}};
    if (how != ACCESS_SUPPORT) app_error(a, req, resp, 404, NULL);
    else if (!reason) support_form(a, req, resp, t, 422, "privacy.reason_required");
    else if (!record_view(a, c->user, t, how, reason, &err)) app_error(a, req, resp, 500, err.msg);
    else render_page(a, req, resp, t, 200, NULL, NULL);
    account_free(t);
}

#define API_EVIDENCE_PER_COMPETENCY 10 /* the newest pieces shown with each competency */

/* The API's passport of subject: without the radar's geometry (the HTML page's), each
 * competency with its newest API_EVIDENCE_PER_COMPETENCY pieces (evidence_count says how
 * many it has) and the page pg of the timeline (every piece, newest first), so that an
 * answer stays bounded however much evidence an agent has. NULL after an error answer. */
static json_t *api_build(app *a, http_req *req, http_resp *resp, const account *subject, store_page *pg) {
    json_t *v = build(a, req, resp, subject, API_EVIDENCE_PER_COMPETENCY, pg);
    if (!v) return NULL;
    json_object_del(v, "radar");
    api_page_next_keyed(v, "timeline", pg);
    return v;
}

static void api_me(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    store_page pg;
    if (!api_page_read_keyed(a, req, resp, "timeline", &pg)) return;
    json_t *v = api_build(a, req, resp, app_ctx(req)->user, &pg);
    if (v) app_json(resp, 200, v);
}

/* GET /api/v1/users/{id}/passport: an admin outside their scope adds ?reason=. */
static void api_user(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    if (!talent_view_intended(req)) {
        talent_view_confirm(a, req, resp);
        return;
    }
    store_page pg;
    if (!api_page_read_keyed(a, req, resp, "timeline", &pg)) return;
    account *t = target_or_404(a, req, resp);
    if (!t) return;
    passport_access how = access_of(a, app_ctx(req)->user, t);
    const char *reason = how == ACCESS_SUPPORT ? support_reason(req) : NULL;
    perr err = {{0}};
    if (how == ACCESS_NONE) {
        app_error(a, req, resp, 404, NULL);
    } else if (how == ACCESS_SUPPORT && !reason) {
        app_error(a, req, resp, 422, "privacy.reason_required");
    } else if (!record_view(a, app_ctx(req)->user, t, how, reason, &err)) {
        app_error(a, req, resp, 500, err.msg);
    } else {
        json_t *v = api_build(a, req, resp, t, &pg);
        if (v) app_json(resp, 200, v);
    }
    account_free(t);
}

static void download(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    json_t *v = build(a, req, resp, c->user, 0, NULL);
    if (!v) return;
    char name[96];
    snprintf(name, sizeof name, "attachment; filename=\"passport-%lld.json\"", c->user->id);
    json_object_del(v, "radar");
    app_json(resp, 200, v); /* the agent's own download: everything */
    http_resp_header(resp, "Content-Disposition", name);
    http_resp_header(resp, "Cache-Control", "no-store");
}

/* The passport as a spreadsheet: one row per competency of the framework (code, name,
 * verified level and date, self-assessment and date, pieces of evidence), ';'-separated,
 * every cell neutralised against formulas (csv_write_field). */
static void download_csv(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    json_t *v = build(a, req, resp, c->user, 0, NULL);
    if (!v) return;
    buf *b = &resp->body;
    buf_reset(b);
    buf_puts(b, "\xEF\xBB\xBF"); /* BOM: spreadsheets then read UTF-8 */
    static const char *const cols[] = {"passport.csv.area",     "passport.csv.code",          "passport.csv.competency",
                                       "passport.csv.verified", "passport.csv.verified_date", "passport.csv.declared",
                                       "passport.csv.declared_date", "passport.csv.evidence"};
    size_t ncols = sizeof cols / sizeof cols[0];
    for (size_t i = 0; i < ncols; i++) csv_write_field(b, app_t(a, req, cols[i]), ';', i + 1 == ncols);
    size_t i, j;
    json_t *area, *comp;
    json_array_foreach(json_object_get(v, "areas"), i, area) {
        json_array_foreach(json_object_get(area, "competencies"), j, comp) {
            char n1[24], n2[24], n3[24];
            json_int_t ver = json_integer_value(json_object_get(comp, "verified"));
            json_int_t dec = json_integer_value(json_object_get(comp, "declared"));
            snprintf(n1, sizeof n1, "%lld", (long long)ver);
            snprintf(n2, sizeof n2, "%lld", (long long)dec);
            snprintf(n3, sizeof n3, "%lld", (long long)json_integer_value(json_object_get(comp, "evidence_count")));
            csv_write_field(b, json_string_value(json_object_get(area, "title")), ';', false);
            csv_write_field(b, json_string_value(json_object_get(comp, "code")), ';', false);
            csv_write_field(b, json_string_value(json_object_get(comp, "title")), ';', false);
            csv_write_field(b, ver ? n1 : "", ';', false);
            csv_write_field(b, ver ? json_string_value(json_object_get(comp, "verified_date")) : "", ';', false);
            csv_write_field(b, dec ? n2 : "", ';', false);
            csv_write_field(b, dec ? json_string_value(json_object_get(comp, "declared_date")) : "", ';', false);
            csv_write_field(b, n3, ';', true);
        }
    }
    json_decref(v);
    char name[96];
    snprintf(name, sizeof name, "attachment; filename=\"passport-%lld.csv\"", c->user->id);
    resp->status = 200;
    resp->content_type = "text/csv; charset=utf-8";
    http_resp_header(resp, "Content-Disposition", name);
    http_resp_header(resp, "Cache-Control", "no-store");
}

/* Records an attestation by the current user for target; false with err an i18n key. */
static bool attest(app *a, http_req *req, const account *target, int *status, perr *err) {
    req_ctx *c = app_ctx(req);
    const char *code = http_input(req, "code"), *comment = http_input(req, "comment");
    int level = input_level(req);
    *status = 422;
    if (!level) return perr_set(err, "skills.bad_level");
    if (!skills_competency_exists(a->db, code)) return perr_set(err, "skills.unknown_competency");
    if (!comment || !*comment) return perr_set(err, "passport.attest.comment_required");
    *status = 500;
    if (!store_begin(a->db, err)) return false;
    char detail[128];
    snprintf(detail, sizeof detail, "%s@%d", code, level);
    if (!evidence_add(a->db, target->id, code, level, EVIDENCE_ATTESTED, "attestation", c->user->id, comment, err) ||
        !audit_add(a->db, c->user->id, "evidence.attest", "user", target->id, detail)) {
        store_rollback(a->db);
        if (strncmp(err->msg, "skills.", 7)) return false;
        *status = 422;
        return false;
    }
    if (!store_commit(a->db, err)) return false;
    perr berr = {{0}}; /* an attested level may complete a badge's rule */
    if (!badges_check_awards(a->db, a->badges, target->id, NULL, &berr)) log_error("badges: %s", berr.msg);
    return true;
}

static void attestation_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    account *t = target_or_404(a, req, resp);
    if (!t) return;
    int status = 0;
    perr err = {{0}};
    if (t->id == c->user->id) {
        app_error(a, req, resp, 403, "passport.attest.forbidden"); /* no self-attestation */
    } else if (!can_attest(a, c->user, t)) {
        app_error(a, req, resp, 404, NULL); /* outside the scope: exactly as an absent account */
    } else if (attest(a, req, t, &status, &err)) {
        if (req->is_api) {
            app_json(resp, 201, json_pack("{s:s, s:I, s:s, s:i}", "status", "created", "user", (json_int_t)t->id,
                                          "code", http_input(req, "code"), "level", input_level(req)));
        } else {
            char loc[96];
            snprintf(loc, sizeof loc, "/people/%lld/passport?attested=1", t->id);
            http_resp_redirect(resp, loc);
        }
    } else if (status == 422 && !req->is_api) {
        render_page(a, req, resp, t, 422, err.msg, NULL);
    } else {
        app_error(a, req, resp, status, err.msg);
    }
    account_free(t);
}

static void self_list(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    json_t *v = build(a, req, resp, c->user, 0, NULL);
    if (!v) return;
    app_render(a, req, resp, 200, "passport/self_list", "passport.self.title", v);
}

static void self_form(app *a, http_req *req, http_resp *resp, int status, const char *error) {
    req_ctx *c = app_ctx(req);
    perr err = {{0}};
    json_t *v = passport_view_competency(a->db, http_param(req, 0), c->user->id, c->locale, &err);
    if (!v) {
        app_error(a, req, resp, strcmp(err.msg, "skills.unknown_competency") ? 500 : 404, err.msg);
        return;
    }
    if (error) {
        json_object_set_new(v, "error", json_string(app_t(a, req, error)));
        const char *comment = http_input(req, "comment");
        json_object_set_new(v, "declared", json_integer(parse_level(http_input(req, "level"))));
        json_object_set_new(v, "declared_comment", json_string(comment ? comment : ""));
    }
    app_render(a, req, resp, status, "passport/self_form", "passport.self.title", v);
}

static void self_get(http_req *req, http_resp *resp, void *ctx) {
    self_form(ctx, req, resp, 200, NULL);
}

/* Records a self-assessment of the current user; false with err an i18n key. */
static bool declare(app *a, http_req *req, const char *code, int *status, perr *err) {
    req_ctx *c = app_ctx(req);
    const char *comment = http_input(req, "comment");
    int level = input_level(req);
    *status = 422;
    if (!skills_competency_exists(a->db, code)) {
        *status = req->is_api ? 422 : 404;
        return perr_set(err, "skills.unknown_competency");
    }
    if (!level) return perr_set(err, "skills.bad_level");
    *status = 500;
    if (!store_begin(a->db, err)) return false;
    if (!evidence_add(a->db, c->user->id, code, level, EVIDENCE_DECLARED, "self-assessment", 0, comment, err)) {
        store_rollback(a->db);
        if (!strncmp(err->msg, "skills.", 7)) *status = 422;
        return false;
    }
    return store_commit(a->db, err);
}

static void self_post(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *code = http_param(req, 0);
    int status = 0;
    perr err = {{0}};
    if (declare(a, req, code, &status, &err)) {
        buf loc = BUF_INIT;
        buf_puts(&loc, "/passport?saved=1#");
        buf_put_urlenc(&loc, code, strlen(code));
        http_resp_redirect(resp, loc.data);
        buf_free(&loc);
    } else if (status == 422) {
        self_form(a, req, resp, 422, err.msg);
    } else {
        app_error(a, req, resp, status, err.msg);
    }
}

static void api_declare(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    const char *code = http_input(req, "code");
    int status = 0;
    perr err = {{0}};
    if (declare(a, req, code, &status, &err))
        app_json(resp, 201, json_pack("{s:s, s:s, s:i}", "status", "created", "code", code, "level", input_level(req)));
    else app_error(a, req, resp, status, err.msg);
}

static void team_people(http_req *req, http_resp *resp, void *ctx) {
    app *a = ctx;
    req_ctx *c = app_ctx(req);
    perr err = {{0}};
    json_t *list = passport_view_team(a->db, c->user->unit_id, &err);
    if (!list) {
        app_error(a, req, resp, 500, err.msg);
        return;
    }
    app_render(a, req, resp, 200, "passport/team", "passport.team.title",
               json_pack("{s:o, s:s}", "people", list, "unit", c->user->unit_name ? c->user->unit_name : ""));
}

void passport_routes(http_router *r) {
    http_router_add(r, (http_route){HTTP_GET, "/passport", own_page, 0, ROUTE_CACHE, 0});
    http_router_add(r, (http_route){HTTP_GET, "/passport.json", download, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/passport.csv", download_csv, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/passport/self-assessment", self_list, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/passport/self-assessment/{code}", self_get, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/passport/self-assessment/{code}", self_post, FORM_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/people/{id}/passport", person_page, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/people/{id}/passport", support_post, FORM_MAX_BODY, 0, ROLE_ADMIN});
    http_router_add(r, (http_route){HTTP_POST, "/people/{id}/attestations", attestation_post, FORM_MAX_BODY, 0, ROLE_MANAGER});
    http_router_add(r, (http_route){HTTP_GET, "/team/people", team_people, 0, 0, ROLE_MANAGER});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/me/passport", api_me, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/me/self-assessments", api_declare, FORM_MAX_BODY, 0, 0});
    http_router_add(r, (http_route){HTTP_GET, "/api/v1/users/{id}/passport", api_user, 0, 0, 0});
    http_router_add(r, (http_route){HTTP_POST, "/api/v1/users/{id}/attestations", attestation_post, FORM_MAX_BODY, 0, ROLE_MANAGER});
    http_router_json(r, HTTP_POST, "/api/v1/me/self-assessments", "level:integer|string");
    http_router_json(r, HTTP_POST, "/api/v1/users/{id}/attestations", "level:integer|string");
    http_router_json(r, HTTP_POST, "/people/{id}/attestations", "level:integer|string");
}
