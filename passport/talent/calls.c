/* SPDX-License-Identifier: EUPL-1.2 */
/* Intrapreneur calls and applications in the store (see calls.h). */
#include "talent/calls.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "people/inbox.h"
#include "talent/score.h"

#define DAY 86400

static bool step_done(store *s, store_query *st, perr *err) {
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

static long long competency_id(store *s, const char *code) {
    store_query *st = store_stmt(s, "SELECT id FROM competencies WHERE code = ? AND retired = 0", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, code);
    long long id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

bool calls_create(store *s, long long owner_id, const call_draft *d, long long *id, perr *err) {
    if (!d->title || !*d->title) return perr_set(err, "talent.call_no_title");
    if (strlen(d->title) > CALL_MAX_TITLE || (d->description && strlen(d->description) > CALL_MAX_DESCRIPTION))
        return perr_set(err, "talent.call_too_long");
    if (!text_clean(d->title, strlen(d->title), false) ||
        (d->description && !text_clean(d->description, strlen(d->description), true)))
        return perr_set(err, "talent.bad_text"); /* controls, bidi overrides (docs/privacy.md) */
    if (d->nneeds == 0) return perr_set(err, "talent.call_no_need");
    if (d->opens_on <= 0 || d->closes_on < d->opens_on) return perr_set(err, "talent.call_bad_dates");
    long long comp[TALENT_MAX_NEEDS];
    for (size_t i = 0; i < d->nneeds; i++) {
        comp[i] = competency_id(s, d->needs[i].code);
        if (!comp[i]) return perr_set(err, "talent.unknown_competency");
        if (d->needs[i].min_level < 1 || d->needs[i].min_level > 8) return perr_set(err, "talent.bad_level");
        if (d->needs[i].weight < 1 || d->needs[i].weight > TALENT_WEIGHT_MAX) return perr_set(err, "talent.bad_weight");
        for (size_t j = 0; j < i; j++)
            if (comp[j] == comp[i]) return perr_set(err, "talent.duplicate_need");
    }
    store_query *st = store_stmt(s,
                                  "INSERT INTO calls(title, description, owner_id, opens_on, closes_on, state,"
                                  " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?6) RETURNING id",
                                  err);
    if (!st) return false;
    store_bind_text(st, 1, d->title);
    store_bind_text(st, 2, d->description ? d->description : "");
    store_bind_int64(st, 3, owner_id);
    store_bind_int64(st, 4, d->opens_on);
    store_bind_int64(st, 5, d->closes_on);
    store_bind_int64(st, 6, clock_now());
    int rc = store_step(st);
    *id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    if (rc != STORE_ROW) return perr_set(err, "database error: %s", store_errmsg(s));
    for (size_t i = 0; i < d->nneeds; i++) {
        st = store_stmt(s, "INSERT INTO call_needs(call_id, competency_id, min_level, weight) VALUES (?, ?, ?, ?)", err);
        if (!st) return false;
        store_bind_int64(st, 1, *id);
        store_bind_int64(st, 2, comp[i]);
        store_bind_int(st, 3, d->needs[i].min_level);
        store_bind_int(st, 4, d->needs[i].weight);
        if (!step_done(s, st, err)) return false;
    }
    return true;
}

static bool call_state(store *s, long long id, char out[16], char **title) {
    store_query *st = store_stmt(s, "SELECT state, title, opens_on, closes_on FROM calls WHERE id = ?", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    bool found = store_step(st) == STORE_ROW;
    if (found) {
        snprintf(out, 16, "%s", store_col_text(st, 0));
        int64_t now = clock_now();
        if (!strcmp(out, "open") && (now < store_col_int64(st, 2) || now >= store_col_int64(st, 3) + DAY))
            snprintf(out, 16, "%s", "outside");
        if (title) *title = xstrdup(store_col_text(st, 1));
    }
    store_done(st);
    return found;
}

bool calls_set_state(store *s, long long id, const char *state, perr *err) {
    static const char *const moves[][2] = {{"draft", "open"}, {"open", "closed"}, {"closed", "archived"},
                                           {"closed", "open"}};
    store_query *st = store_stmt(s, "SELECT state FROM calls WHERE id = ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    char cur[16] = "";
    if (store_step(st) == STORE_ROW) snprintf(cur, sizeof cur, "%s", store_col_text(st, 0));
    store_done(st);
    if (!*cur) return perr_set(err, "talent.call_not_found");
    bool ok = false;
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        ok |= state && !strcmp(moves[i][0], cur) && !strcmp(moves[i][1], state);
    if (!ok) return perr_set(err, "talent.call_bad_state");
    st = store_stmt(s, "UPDATE calls SET state = ?, updated_at = ? WHERE id = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, state);
    store_bind_int64(st, 2, clock_now());
    store_bind_int64(st, 3, id);
    return step_done(s, st, err);
}

/* Renders Markdown safely (raw HTML and unsafe links dropped), headings demoted to h3 at
 * least so that the page keeps one h1. A new string the caller frees. */
static char *render_description(const char *md) {
    int opts = CMARK_OPT_DEFAULT | CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;
    cmark_node *doc = cmark_parse_document(md, strlen(md), opts);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING &&
            cmark_node_get_heading_level(n) < 3)
            cmark_node_set_heading_level(n, 3);
    }
    cmark_iter_free(it);
    char *html = cmark_render_html(doc, opts);
    cmark_node_free(doc);
    char *out = xstrdup(html);
    free(html);
    return out;
}

static json_t *call_needs(store *s, long long id, const char *locale) {
    json_t *arr = json_array();
    store_query *st = store_stmt(s,
                                  "SELECT c.code, c.title_fr, c.title_en, n.min_level, n.weight FROM call_needs n"
                                  " JOIN competencies c ON c.id = n.competency_id WHERE n.call_id = ?"
                                  " ORDER BY n.weight DESC, c.code",
                                  NULL);
    if (!st) return arr;
    store_bind_int64(st, 1, id);
    bool en = locale && !strcmp(locale, "en");
    while (store_step(st) == STORE_ROW)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:i}", "code", store_col_text(st, 0), "title",
                                             store_col_text(st, en ? 2 : 1), "min_level", store_col_int(st, 3),
                                             "weight", store_col_int(st, 4)));
    store_done(st);
    return arr;
}

#define CALL_COLUMNS                                                                              \
    "SELECT c.id, c.title, c.description, coalesce(c.owner_id, 0), coalesce(u.display_name, ''),"  \
    " c.opens_on, c.closes_on, c.state,"                                                          \
    " (SELECT count(*) FROM applications a WHERE a.call_id = c.id AND a.state <> 'withdrawn')"    \
    " FROM calls c LEFT JOIN users u ON u.id = c.owner_id"

static json_t *call_row(store *s, store_query *st, const char *locale, bool html) {
    char opens[11], closes[11];
    int64_t o = store_col_int64(st, 5), c = store_col_int64(st, 6), now = clock_now();
    clock_date(o, opens);
    clock_date(c, closes);
    const char *state = store_col_text(st, 7);
    long long id = store_col_int64(st, 0);
    json_t *row = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:b, s:i}", "id", (json_int_t)id, "title",
                            store_col_text(st, 1), "description", store_col_text(st, 2), "owner_id",
                            (json_int_t)store_col_int64(st, 3), "owner", store_col_text(st, 4), "opens_on", opens,
                            "closes_on", closes, "state", state, "accepting",
                            !strcmp(state, "open") && now >= o && now < c + DAY, "applicants",
                            store_col_int(st, 8));
    if (html) {
        char *h = render_description(store_col_text(st, 2));
        json_object_set_new(row, "description_html", json_string(h));
        free(h);
    }
    json_object_set_new(row, "needs", call_needs(s, id, locale));
    return row;
}

json_t *calls_get(store *s, long long id, const char *locale, perr *err) {
    store_query *st = store_stmt(s, CALL_COLUMNS " WHERE c.id = ?", err);
    if (!st) return NULL;
    store_bind_int64(st, 1, id);
    json_t *o = NULL;
    if (store_step(st) == STORE_ROW) {
        /* call_row runs other statements: read this row first */
        o = call_row(s, st, locale, true);
    }
    store_done(st);
    return o;
}

json_t *calls_list(store *s, const char *state, long long owner_id, const char *locale, perr *err) {
    store_query *st = store_stmt(s,
                                  CALL_COLUMNS " WHERE (CAST(?1 AS TEXT) IS NULL AND c.state <> 'archived' OR c.state = ?1)"
                                               " AND (CAST(?2 AS BIGINT) = 0 OR c.owner_id = ?2) ORDER BY c.id DESC LIMIT 500",
                                  err);
    if (!st) return NULL;
    store_bind_text(st, 1, state);
    store_bind_int64(st, 2, owner_id);
    json_t *arr = json_array();
    while (store_step(st) == STORE_ROW) json_array_append_new(arr, call_row(s, st, locale, false));
    store_done(st);
    return arr;
}

bool calls_query(store *s, long long id, talent_query *q, perr *err) {
    store_query *st = store_stmt(s,
                                  "SELECT c.code, n.min_level, n.weight FROM call_needs n"
                                  " JOIN competencies c ON c.id = n.competency_id WHERE n.call_id = ? ORDER BY c.code",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    memset(q, 0, sizeof *q);
    while (store_step(st) == STORE_ROW && q->nneeds < TALENT_MAX_NEEDS) {
        talent_need *n = &q->needs[q->nneeds++];
        snprintf(n->code, sizeof n->code, "%s", store_col_text(st, 0));
        n->min_level = store_col_int(st, 1);
        n->weight = store_col_int(st, 2);
    }
    store_done(st);
    q->page = 1;
    q->per_page = 20;
    return true;
}

void calls_application_state(store *s, long long call_id, long long user_id, char out[16]) {
    out[0] = '\0';
    store_query *st = store_stmt(s, "SELECT state FROM applications WHERE call_id = ? AND user_id = ?", NULL);
    if (!st) return;
    store_bind_int64(st, 1, call_id);
    store_bind_int64(st, 2, user_id);
    if (store_step(st) == STORE_ROW) snprintf(out, 16, "%s", store_col_text(st, 0));
    store_done(st);
}

bool calls_apply(store *s, long long call_id, long long user_id, const char *motivation, perr *err) {
    char state[16];
    if (!call_state(s, call_id, state, NULL) || !strcmp(state, "draft")) return perr_set(err, "talent.call_not_found");
    if (strcmp(state, "open")) return perr_set(err, "talent.call_closed");
    if (motivation && strlen(motivation) > CALL_MAX_MOTIVATION) return perr_set(err, "talent.call_too_long");
    if (motivation && !text_clean(motivation, strlen(motivation), true)) return perr_set(err, "talent.bad_text");
    char app[16];
    calls_application_state(s, call_id, user_id, app);
    if (*app && strcmp(app, "withdrawn")) return perr_set(err, "talent.already_applied");
    store_query *st = store_stmt(s,
                                  "INSERT INTO applications(call_id, user_id, motivation, state, created_at, updated_at)"
                                  " VALUES (?1, ?2, ?3, 'applied', ?4, ?4) ON CONFLICT(call_id, user_id) DO UPDATE SET"
                                  " motivation = excluded.motivation, state = 'applied', updated_at = excluded.updated_at",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, call_id);
    store_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, motivation ? motivation : "");
    store_bind_int64(st, 4, clock_now());
    return step_done(s, st, err);
}

bool calls_withdraw(store *s, long long call_id, long long user_id, perr *err) {
    char app[16];
    calls_application_state(s, call_id, user_id, app);
    if (!*app || !strcmp(app, "withdrawn")) return perr_set(err, "talent.not_applied");
    store_query *st = store_stmt(s,
                                  "UPDATE applications SET state = 'withdrawn', motivation = '', updated_at = ?"
                                  " WHERE call_id = ? AND user_id = ?",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, clock_now());
    store_bind_int64(st, 2, call_id);
    store_bind_int64(st, 3, user_id);
    return step_done(s, st, err);
}

bool calls_decide(store *s, long long call_id, long long user_id, const char *decision, perr *err) {
    if (!decision || (strcmp(decision, "shortlisted") && strcmp(decision, "declined") && strcmp(decision, "contacted")))
        return perr_set(err, "talent.bad_decision");
    char app[16], state[16];
    calls_application_state(s, call_id, user_id, app);
    if (!*app || !strcmp(app, "withdrawn")) return perr_set(err, "talent.not_applied");
    char *title = NULL;
    if (!call_state(s, call_id, state, &title)) return perr_set(err, "talent.call_not_found");
    store_query *st = store_stmt(s,
                                  "UPDATE applications SET state = ?, updated_at = ? WHERE call_id = ? AND user_id = ?",
                                  err);
    if (!st) {
        free(title);
        return false;
    }
    store_bind_text(st, 1, decision);
    store_bind_int64(st, 2, clock_now());
    store_bind_int64(st, 3, call_id);
    store_bind_int64(st, 4, user_id);
    bool ok = step_done(s, st, err);
    if (ok) {
        char key[48], link[48];
        snprintf(key, sizeof key, "talent.inbox.%s", decision);
        snprintf(link, sizeof link, "/calls/%lld", call_id);
        json_t *args = json_pack("[s]", title);
        ok = inbox_post(s, user_id, "call_decision", key, args, link, NULL, err);
        json_decref(args);
    }
    free(title);
    return ok;
}

json_t *calls_applications(store *s, long long call_id, perr *err) {
    store_query *st = store_stmt(s,
                                  "SELECT a.user_id, u.display_name, u.email, coalesce(n.name, ''), a.motivation,"
                                  " a.state, a.created_at FROM applications a JOIN users u ON u.id = a.user_id"
                                  " LEFT JOIN units n ON n.id = u.unit_id WHERE a.call_id = ? AND a.state <> 'withdrawn'"
                                  " ORDER BY a.created_at, a.user_id",
                                  err);
    if (!st) return NULL;
    store_bind_int64(st, 1, call_id);
    json_t *arr = json_array();
    while (store_step(st) == STORE_ROW) {
        char date[11];
        clock_date(store_col_int64(st, 6), date);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "user_id",
                                             (json_int_t)store_col_int64(st, 0), "name", store_col_text(st, 1),
                                             "email", store_col_text(st, 2), "unit", store_col_text(st, 3),
                                             "motivation", store_col_text(st, 4), "state", store_col_text(st, 5),
                                             "date", date));
    }
    store_done(st);
    return arr;
}

json_t *calls_of_user(store *s, long long user_id, perr *err) {
    store_query *st = store_stmt(s,
                                  "SELECT a.call_id, c.title, a.state, a.motivation, a.created_at FROM applications a"
                                  " JOIN calls c ON c.id = a.call_id WHERE a.user_id = ? ORDER BY a.created_at DESC",
                                  err);
    if (!st) return NULL;
    store_bind_int64(st, 1, user_id);
    json_t *arr = json_array();
    while (store_step(st) == STORE_ROW) {
        char date[11];
        clock_date(store_col_int64(st, 4), date);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s}", "call_id", (json_int_t)store_col_int64(st, 0),
                                             "title", store_col_text(st, 1), "state", store_col_text(st, 2),
                                             "motivation", store_col_text(st, 3), "date", date));
    }
    store_done(st);
    return arr;
}

json_t *calls_competencies(store *s, const char *locale) {
    json_t *arr = json_array();
    store_query *st = store_stmt(s,
                                  "SELECT c.code, c.title_fr, c.title_en, f.code FROM competencies c"
                                  " JOIN frameworks f ON f.id = c.framework_id WHERE c.retired = 0"
                                  " ORDER BY f.code, c.position",
                                  NULL);
    if (!st) return arr;
    bool en = locale && !strcmp(locale, "en");
    while (store_step(st) == STORE_ROW)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", store_col_text(st, 0), "title",
                                             store_col_text(st, en ? 2 : 1), "framework", store_col_text(st, 3)));
    store_done(st);
    return arr;
}
