/* SPDX-License-Identifier: EUPL-1.2 */
/* The passport view model: loads a framework's competencies, the user's evidence and the
 * mapping pairs touching the framework, applies the level rule per competency, and lays
 * out the radar's geometry. */
#include "skills/passport_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "skills/evidence.h"
#include "skills/level.h"
#include "skills/skills.h"

#define RADAR_RADIUS 120.0
#define RADAR_LABEL 142.0
#define RADAR_FLOOR 0.08 /* share of the radius where level 0 sits */

typedef struct comp {
    long long id;
    char *code, *title, *description, *area_title;
    int area;
} comp;

typedef struct piece {
    long long id, competency_id;
    char *code, *title, *comment, *source, *author;
    char *module_id, *module_title; /* the module a "module:<id>@<hash8>" source names, or NULL */
    int level;
    evidence_kind kind;
    int64_t at;
    bool recheck; /* source "recheck:<id>" (learn/positioning.h) */
    json_t *json; /* {kind, level, date, at, source, author, comment, code, title}: built
                     when first shown (piece_obj), so that a page of the API builds its own */
} piece;

typedef struct pair {
    long long mine, other;
} pair;

typedef struct model {
    comp *comps;
    size_t ncomps;
    piece *pieces;
    size_t npieces;
    pair *pairs;
    size_t npairs;
} model;

static void model_clear(model *m) {
    for (size_t i = 0; i < m->ncomps; i++) {
        free(m->comps[i].code);
        free(m->comps[i].title);
        free(m->comps[i].description);
        free(m->comps[i].area_title);
    }
    for (size_t i = 0; i < m->npieces; i++) {
        free(m->pieces[i].code);
        free(m->pieces[i].title);
        free(m->pieces[i].comment);
        free(m->pieces[i].source);
        free(m->pieces[i].author);
        free(m->pieces[i].module_id);
        free(m->pieces[i].module_title);
        json_decref(m->pieces[i].json);
    }
    free(m->comps);
    free(m->pieces);
    free(m->pairs);
}

/* A JSON string of text read from the store. Everything stored was validated as UTF-8 on
 * the way in (CSV reader, HTTP request parser), so the per-request check is skipped: the
 * passport page holds hundreds of such strings. */
static json_t *jtext(const char *s) {
    return json_string_nocheck(s ? s : "");
}

static bool is_en(const char *locale) {
    return locale && !strcmp(locale, "en");
}

/* The localized column: column fr, or fr + 1 in English, falling back to French if empty. */
static const char *col_loc(store_query *st, int fr, const char *locale) {
    const char *en = store_col_text(st, fr + 1);
    return is_en(locale) && *en ? en : store_col_text(st, fr);
}

bool passport_view_version(store *s, long long user_id, const passport_view_opts *o, char *out, size_t n) {
    const char *fw_code = o && o->framework && *o->framework ? o->framework : PASSPORT_VIEW_DEFAULT_FRAMEWORK;
    int months = o && o->stale_months > 0 ? o->stale_months : skills_stale_months();
    int64_t now = o && o->now ? o->now : clock_now();
    char today[11];
    clock_date(now, today);
    store_query *st = store_stmt(s,
        "SELECT (SELECT count(*) FROM evidence WHERE user_id = ?1),"
        " (SELECT coalesce(max(id), 0) FROM evidence WHERE user_id = ?1),"
        " (SELECT coalesce(max(updated_at), 0) FROM frameworks), (SELECT count(*) FROM frameworks)",
        NULL);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    bool ok = store_step(st) == STORE_ROW;
    if (ok)
        snprintf(out, n, "%lld|%.16s|%s|%d|%s|%lld|%lld|%lld|%lld", user_id, fw_code, o && o->locale ? o->locale : "fr",
                 months, today, (long long)store_col_int64(st, 0), (long long)store_col_int64(st, 1),
                 (long long)store_col_int64(st, 2), (long long)store_col_int64(st, 3));
    store_done(st);
    return ok;
}

static long long framework_lookup(store *s, const char *code, json_t **info, perr *err) {
    store_query *st = store_stmt(s, "SELECT id, name, version FROM frameworks WHERE code = ?", err);
    if (!st) return 0;
    store_bind_text(st, 1, code);
    long long id = 0;
    if (store_step(st) == STORE_ROW) {
        id = store_col_int64(st, 0);
        if (info)
            *info = json_pack("{s:s, s:s, s:s}", "code", code, "name", store_col_text(st, 1), "version",
                              store_col_text(st, 2));
    }
    store_done(st);
    if (!id) perr_set(err, "skills.unknown_framework");
    return id;
}

static bool load_comps(store *s, long long fw, const char *locale, model *m, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT c.id, c.code, c.area, c.title_fr, c.title_en, c.description_fr, c.description_en,"
        " coalesce(a.title_fr, ''), coalesce(a.title_en, '')"
        " FROM competencies c LEFT JOIN framework_areas a ON a.framework_id = c.framework_id AND a.area = c.area"
        " WHERE c.framework_id = ? AND c.retired = 0 ORDER BY c.position",
        err);
    if (!st) return false;
    store_bind_int64(st, 1, fw);
    while (store_step(st) == STORE_ROW) {
        m->comps = xrealloc(m->comps, (m->ncomps + 1) * sizeof *m->comps);
        comp *c = &m->comps[m->ncomps++];
        c->id = store_col_int64(st, 0);
        c->code = xstrdup(store_col_text(st, 1));
        c->area = store_col_int(st, 2);
        c->title = xstrdup(col_loc(st, 3, locale));
        c->description = xstrdup(col_loc(st, 5, locale));
        c->area_title = xstrdup(col_loc(st, 7, locale));
    }
    store_done(st);
    return true;
}

static bool load_pieces(store *s, long long user_id, const char *locale, model *m, perr *err) {
#define PIECES_SELECT                                                                                          \
    "SELECT e.competency_id, c.code, c.title_fr, c.title_en, e.level, e.kind, e.source_ref, e.comment,"       \
    " e.created_at, coalesce(u.display_name, ''), e.id, md.id, md.title"                                      \
    " FROM evidence e JOIN competencies c ON c.id = e.competency_id LEFT JOIN users u ON u.id = e.author_id"  \
    " LEFT JOIN modules md ON e.source_ref LIKE 'module:%@%'"
#define PIECES_WHERE " WHERE e.user_id = ? ORDER BY e.created_at DESC, e.id DESC"
    /* "module:<id>@<hash8>": the module's title, so that the page names it (PostgreSQL has
     * no instr, and its substr refuses the negative length a row without '@' would give) */
    store_query *st = store_stmt2(s,
        PIECES_SELECT " AND md.id = substr(e.source_ref, 8, instr(e.source_ref, '@') - 8)" PIECES_WHERE,
        PIECES_SELECT " AND md.id = split_part(substr(e.source_ref, 8), '@', 1)" PIECES_WHERE,
        err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    while (store_step(st) == STORE_ROW) {
        m->pieces = xrealloc(m->pieces, (m->npieces + 1) * sizeof *m->pieces);
        piece *p = &m->pieces[m->npieces++];
        p->competency_id = store_col_int64(st, 0);
        p->code = xstrdup(store_col_text(st, 1));
        p->title = xstrdup(col_loc(st, 2, locale));
        p->level = store_col_int(st, 4);
        p->kind = evidence_kind_parse(store_col_text(st, 5));
        p->comment = xstrdup(store_col_text(st, 7));
        p->at = store_col_int64(st, 8);
        p->recheck = !strncmp(store_col_text(st, 6), "recheck:", 8);
        p->source = xstrdup(store_col_text(st, 6));
        p->author = xstrdup(store_col_text(st, 9));
        p->id = store_col_int64(st, 10);
        bool named = !store_col_null(st, 11);
        p->module_id = named ? xstrdup(store_col_text(st, 11)) : NULL;
        p->module_title = named ? xstrdup(store_col_text(st, 12)) : NULL;
        p->json = NULL;
    }
    store_done(st);
    return true;
}

/* The piece's shared JSON object, built at its first use. Borrowed reference. */
static json_t *piece_obj(piece *p) {
    if (p->json) return p->json;
    char date[11];
    clock_date(p->at, date);
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "kind", json_string_nocheck(p->kind ? evidence_kind_name(p->kind) : ""));
    json_object_set_new_nocheck(o, "level", json_integer(p->level));
    json_object_set_new_nocheck(o, "date", json_string_nocheck(date));
    json_object_set_new_nocheck(o, "at", json_integer(p->at));
    json_object_set_new_nocheck(o, "source", jtext(p->source));
    if (p->module_id) {
        buf url = BUF_INIT;
        buf_puts(&url, "/modules/");
        buf_put_urlenc(&url, p->module_id, strlen(p->module_id));
        json_object_set_new_nocheck(o, "source_title", jtext(p->module_title));
        json_object_set_new_nocheck(o, "source_url", jtext(buf_cstr(&url)));
        buf_free(&url);
    }
    json_object_set_new_nocheck(o, "author", jtext(p->author));
    json_object_set_new_nocheck(o, "comment", jtext(p->comment));
    json_object_set_new_nocheck(o, "code", jtext(p->code));
    json_object_set_new_nocheck(o, "title", jtext(p->title));
    return p->json = o;
}

static bool load_pairs(store *s, long long fw, model *m, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT m.from_id, m.to_id FROM competency_map m JOIN competencies c ON c.id = m.from_id"
        " WHERE c.framework_id = ?1"
        " UNION SELECT m.to_id, m.from_id FROM competency_map m JOIN competencies c ON c.id = m.to_id"
        " WHERE c.framework_id = ?1",
        err);
    if (!st) return false;
    store_bind_int64(st, 1, fw);
    while (store_step(st) == STORE_ROW) {
        m->pairs = xrealloc(m->pairs, (m->npairs + 1) * sizeof *m->pairs);
        m->pairs[m->npairs++] = (pair){store_col_int64(st, 0), store_col_int64(st, 1)};
    }
    store_done(st);
    return true;
}

/* The competencies mapped with c (ids into *out, a new array the caller frees). */
static size_t mapped_ids(const model *m, const comp *c, long long **out) {
    size_t n = 0;
    *out = xcalloc(m->npairs + 1, sizeof **out);
    for (size_t i = 0; i < m->npairs; i++)
        if (m->pairs[i].mine == c->id) (*out)[n++] = m->pairs[i].other;
    return n;
}

/* True when piece p counts for competency c: recorded on it or on one of mapped[0..n). */
static bool counts_for(const comp *c, const long long *mapped, size_t n, const piece *p) {
    if (p->competency_id == c->id) return true;
    for (size_t i = 0; i < n; i++)
        if (mapped[i] == p->competency_id) return true;
    return false;
}

/* The level descriptors of the framework's competencies: texts[i * 8 + level - 1]
 * (NULL when empty), for the competencies of m in order. */
static char **load_descriptors(store *s, long long fw, const model *m, const char *locale, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT l.competency_id, l.level, l.text_fr, l.text_en FROM competency_levels l"
        " JOIN competencies c ON c.id = l.competency_id WHERE c.framework_id = ? AND c.retired = 0",
        err);
    if (!st) return NULL;
    char **texts = xcalloc(m->ncomps * 8 + 1, sizeof *texts);
    store_bind_int64(st, 1, fw);
    size_t ci = 0;
    while (store_step(st) == STORE_ROW) {
        long long id = store_col_int64(st, 0);
        int l = store_col_int(st, 1);
        if (l < 1 || l > 8 || !m->ncomps) continue;
        for (size_t k = 0; k < m->ncomps && m->comps[ci].id != id; k++) ci = (ci + 1) % m->ncomps;
        const char *t = col_loc(st, 2, locale);
        if (m->comps[ci].id == id && *t && !texts[ci * 8 + (size_t)l - 1]) texts[ci * 8 + (size_t)l - 1] = xstrdup(t);
    }
    store_done(st);
    return texts;
}

static json_t *date_json(int64_t t) {
    if (!t) return json_null();
    char d[11];
    clock_date(t, d);
    return json_string(d);
}

static json_t *fixed1(double v) {
    char s[16];
    snprintf(s, sizeof s, "%.1f", v);
    return json_string(s);
}

/* The evidence entry of piece p under competency c: the shared object when recorded on
 * c itself, a copy marked "via" the mapped code otherwise. New reference. */
static json_t *piece_json(piece *p, const comp *c) {
    if (p->competency_id == c->id) return json_incref(piece_obj(p));
    json_t *o = json_copy(piece_obj(p));
    json_object_set_new_nocheck(o, "via", jtext(p->code));
    json_object_set_new_nocheck(o, "via_title", jtext(p->title));
    return o;
}

/* Builds one competency's entry, with its newest cap pieces of evidence (0: all);
 * updates the summary counters. */
static json_t *competency_json(const model *m, size_t ci, char **texts, int64_t stale_before, size_t cap,
                               int counts[4]) {
    const comp *c = &m->comps[ci];
    long long *mapped;
    size_t nmapped = mapped_ids(m, c, &mapped);
    level_evidence *lev = xcalloc(m->npieces + 1, sizeof *lev);
    json_t *list = json_array();
    size_t n = 0;
    const char *declared_comment = NULL;
    for (size_t i = 0; i < m->npieces; i++) {
        piece *p = &m->pieces[i];
        if (!counts_for(c, mapped, nmapped, p)) continue;
        /* pieces come newest first; the rule wants the later of equal times last */
        lev[n++] = (level_evidence){p->kind, p->level, p->at, p->recheck};
        if (!cap || n <= cap) json_array_append_new(list, piece_json(p, c));
        if (p->kind == EVIDENCE_DECLARED && !declared_comment) declared_comment = p->comment;
    }
    free(mapped);
    for (size_t i = 0; i < n / 2; i++) {
        level_evidence t = lev[i];
        lev[i] = lev[n - 1 - i];
        lev[n - 1 - i] = t;
    }
    level_result r;
    level_compute(lev, n, stale_before, &r);
    free(lev);
    if (!declared_comment) declared_comment = "";
    counts[0] += r.verified > 0;
    counts[1] += r.declared > 0;
    counts[2] += r.stale;
    const char *vt = r.verified ? texts[ci * 8 + (size_t)r.verified - 1] : NULL;
    const char *dt = r.declared ? texts[ci * 8 + (size_t)r.declared - 1] : NULL;
    json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:o, s:s?, s:b, s:i, s:o, s:s?, s:s, s:b, s:o}", "code", c->code, "title",
                     c->title, "description", c->description, "verified", r.verified, "verified_date",
                     date_json(r.verified_at), "verified_text", vt, "stale", r.stale, "declared", r.declared,
                     "declared_date", date_json(r.declared_at), "declared_text", dt, "declared_comment",
                     declared_comment, "declared_stale", r.declared_stale, "evidence", list);
    json_object_set_new(o, "evidence_count", json_integer((json_int_t)n));
    return o;
}

static json_t *points_text(const double *xs, const double *ys, size_t n) {
    buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) buf_printf(&b, "%s%.1f,%.1f", i ? " " : "", xs[i], ys[i]);
    json_t *v = json_string(buf_cstr(&b));
    buf_free(&b);
    return v;
}

/* The radius of a level on the radar: a level 0 sits a little off the centre
 * (RADAR_FLOOR of the radius), so that low levels still draw a visible shape. */
static double radar_r(double level) {
    return RADAR_RADIUS * (RADAR_FLOOR + (1 - RADAR_FLOOR) * level / 8.0);
}

/* Splits an axis label ("1. Communication et collaboration") in two lines at the space
 * nearest its middle when longer than 16 bytes; *line2 "" when it fits on one. */
static void radar_label_lines(const char *s, buf *line1, buf *line2) {
    size_t n = strlen(s), cut = 0;
    if (n > 16)
        for (size_t i = 1; i < n; i++)
            if (s[i] == ' ' && (!cut || (i > n / 2 ? i - n / 2 : n / 2 - i) < (cut > n / 2 ? cut - n / 2 : n / 2 - cut)))
                cut = i;
    if (!cut) {
        buf_puts(line1, s);
        buf_puts(line2, "");
        return;
    }
    buf_append(line1, s, cut);
    buf_puts(line2, s + cut + 1);
}

/* The radar: one axis per area, the value an area's average verified level on 0..8. */
static json_t *radar_json(json_t *areas) {
    size_t n = json_array_size(areas);
    double c = PASSPORT_VIEW_RADAR_SIZE / 2.0;
    json_t *rings = json_array(), *axes = json_array(), *points = json_array();
    double *xs = xcalloc(n + 1, sizeof *xs), *ys = xcalloc(n + 1, sizeof *ys);
    for (int level = 2; level <= 8; level += 2) {
        for (size_t i = 0; i < n; i++) {
            double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
            xs[i] = c + radar_r(level) * cos(a);
            ys[i] = c + radar_r(level) * sin(a);
        }
        json_array_append_new(rings, json_pack("{s:i, s:o}", "level", level, "points", points_text(xs, ys, n)));
    }
    buf l1 = BUF_INIT, l2 = BUF_INIT, name = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        json_t *area = json_array_get(areas, i);
        double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
        double avg = json_real_value(json_object_get(area, "average_value"));
        xs[i] = c + radar_r(avg) * cos(a);
        ys[i] = c + radar_r(avg) * sin(a);
        double lx = c + RADAR_LABEL * cos(a), ly = c + RADAR_LABEL * sin(a) + 5;
        const char *anchor = fabs(cos(a)) < 0.2 ? "middle" : cos(a) > 0 ? "start" : "end";
        buf_reset(&l1);
        buf_reset(&l2);
        buf_reset(&name);
        buf_printf(&name, "%d. %s", (int)json_integer_value(json_object_get(area, "area")),
                   json_string_value(json_object_get(area, "title")));
        radar_label_lines(buf_cstr(&name), &l1, &l2);
        if (sin(a) < -0.9 && l2.len) ly -= 16; /* the top label's two lines stay above the axis */
        json_array_append_new(axes, json_pack("{s:O, s:o, s:o, s:o, s:o, s:s, s:s, s:s}", "area",
                                              json_object_get(area, "area"), "x", fixed1(c + RADAR_RADIUS * cos(a)),
                                              "y", fixed1(c + RADAR_RADIUS * sin(a)), "label_x", fixed1(lx), "label_y",
                                              fixed1(ly), "anchor", anchor, "label", buf_cstr(&l1), "label2",
                                              buf_cstr(&l2)));
        json_array_append_new(points, json_pack("{s:O, s:O, s:O, s:o, s:o}", "area", json_object_get(area, "area"),
                                                "title", json_object_get(area, "title"), "level",
                                                json_object_get(area, "average"), "x", fixed1(xs[i]), "y",
                                                fixed1(ys[i])));
    }
    buf_free(&l1);
    buf_free(&l2);
    buf_free(&name);
    /* the labels reach past the rings on both sides: a wider viewBox than the circle's */
    json_t *r = json_pack("{s:i, s:s, s:i, s:o, s:o, s:o, s:o, s:o}", "size", PASSPORT_VIEW_RADAR_SIZE, "view",
                          "-130 -10 620 380", "width", 620, "center", fixed1(c), "rings", rings, "axes", axes, "points",
                          points, "polygon", points_text(xs, ys, n));
    free(xs);
    free(ys);
    return r;
}

/* Groups the competencies by area, with each area's average verified level. */
static json_t *areas_json(const model *m, char **texts, int64_t stale_before, size_t cap, int counts[4]) {
    json_t *areas = json_array();
    json_t *area = NULL;
    int sum = 0, members = 0;
    for (size_t i = 0; i < m->ncomps; i++) {
        if (!area || m->comps[i].area != m->comps[i - 1].area) {
            area = json_pack("{s:i, s:s, s:[]}", "area", m->comps[i].area, "title", m->comps[i].area_title,
                             "competencies");
            json_array_append_new(areas, area);
            sum = members = 0;
        }
        json_t *cj = competency_json(m, i, texts, stale_before, cap, counts);
        sum += (int)json_integer_value(json_object_get(cj, "verified"));
        members++;
        json_array_append_new(json_object_get(area, "competencies"), cj);
        double avg = (double)sum / members;
        avg = round(avg * 10) / 10;
        json_object_set_new(area, "average_value", json_real(avg));
        json_object_set_new(area, "average", fixed1(avg));
    }
    return areas;
}

/* Every piece, newest first; or the page pg of them, by key: the pieces are already in
 * (created_at, id) order, all of them loaded since the levels need each one, so the page
 * is found here rather than by a second query over the same rows. */
static json_t *timeline_json(const model *m, store_page *pg) {
    json_t *t = json_array();
    size_t i = 0, taken = 0;
    if (pg && pg->has_after)
        while (i < m->npieces && (m->pieces[i].at > pg->after.at ||
                                  (m->pieces[i].at == pg->after.at && m->pieces[i].id >= pg->after.id)))
            i++;
    if (pg) pg->more = false;
    for (; i < m->npieces; i++) {
        if (pg && taken++ == pg->limit) {
            pg->more = true;
            break;
        }
        if (pg) pg->last = (store_key){m->pieces[i].at, m->pieces[i].id};
        json_array_append(t, piece_obj(&m->pieces[i]));
    }
    return t;
}

static json_t *frameworks_json(store *s, const char *selected, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT f.code, f.name FROM frameworks f WHERE EXISTS"
        " (SELECT 1 FROM competencies c WHERE c.framework_id = f.id AND c.retired = 0) ORDER BY f.id",
        err);
    if (!st) return NULL;
    json_t *list = json_array();
    while (store_step(st) == STORE_ROW) {
        const char *code = store_col_text(st, 0);
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "code", code, "name", store_col_text(st, 1),
                                              "selected", !strcmp(code, selected)));
    }
    store_done(st);
    return list;
}

json_t *passport_view_frameworks(store *s, const char *selected, perr *err) {
    return frameworks_json(s, selected ? selected : "", err);
}

json_t *passport_view_build(store *s, long long user_id, const passport_view_opts *o, perr *err) {
    const char *fw_code = o && o->framework && *o->framework ? o->framework : PASSPORT_VIEW_DEFAULT_FRAMEWORK;
    const char *locale = o ? o->locale : "fr";
    int months = o && o->stale_months > 0 ? o->stale_months : skills_stale_months();
    int64_t now = o && o->now ? o->now : clock_now();
    int64_t stale_before = level_stale_before(now, months);
    model m = {0};
    json_t *info = NULL, *out = NULL;
    char **texts = NULL;
    long long fw = framework_lookup(s, fw_code, &info, err);
    if (!fw) goto done;
    if (!load_comps(s, fw, locale, &m, err) || !load_pieces(s, user_id, locale, &m, err) || !load_pairs(s, fw, &m, err))
        goto done;
    texts = load_descriptors(s, fw, &m, locale, err);
    if (!texts) goto done;
    json_t *frameworks = frameworks_json(s, fw_code, err);
    if (!frameworks) goto done;
    int counts[4] = {0, 0, 0, 0}, proofs = 0;
    /* a self-assessment is shown, never counted as a piece of evidence */
    for (size_t k = 0; k < m.npieces; k++) proofs += m.pieces[k].kind != EVIDENCE_DECLARED;
    json_t *areas = areas_json(&m, texts, stale_before, o ? o->evidence_cap : 0, counts);
    json_t *radar = radar_json(areas);
    size_t i;
    json_t *a;
    json_array_foreach(areas, i, a) json_object_del(a, "average_value");
    out = json_pack("{s:O, s:o, s:i, s:o, s:{s:i, s:i, s:i, s:i, s:i}, s:o, s:o, s:o}", "framework", info,
                    "frameworks", frameworks, "stale_months", months, "stale_before", date_json(stale_before),
                    "summary", "verified", counts[0], "declared", counts[1], "stale", counts[2], "evidence",
                    (int)m.npieces, "proofs", proofs, "areas", areas, "radar", radar, "timeline",
                    timeline_json(&m, o ? o->timeline : NULL));
done:
    if (texts) {
        for (size_t k = 0; k < m.ncomps * 8; k++) free(texts[k]);
        free(texts);
    }
    json_decref(info);
    model_clear(&m);
    return out;
}

static json_t *levels_of(store *s, long long id, const char *locale, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT level, text_fr, text_en FROM competency_levels WHERE competency_id = ? ORDER BY level", err);
    if (!st) return NULL;
    store_bind_int64(st, 1, id);
    json_t *levels = json_array();
    int next = 1;
    while (store_step(st) == STORE_ROW) {
        int l = store_col_int(st, 0);
        for (; next < l; next++) json_array_append_new(levels, json_pack("{s:i, s:s}", "level", next, "text", ""));
        json_array_append_new(levels, json_pack("{s:i, s:s}", "level", l, "text", col_loc(st, 1, locale)));
        next = l + 1;
    }
    store_done(st);
    for (; next <= 8; next++) json_array_append_new(levels, json_pack("{s:i, s:s}", "level", next, "text", ""));
    return levels;
}

json_t *passport_view_competencies(store *s, const char *fw_code, const char *locale, perr *err) {
    model m = {0};
    long long fw = framework_lookup(s, fw_code, NULL, err);
    if (!fw || !load_comps(s, fw, locale, &m, err)) {
        model_clear(&m);
        return NULL;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < m.ncomps; i++) {
        json_t *levels = levels_of(s, m.comps[i].id, locale, err);
        if (!levels) {
            json_decref(list);
            list = NULL;
            break;
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:s, s:o}", "code", m.comps[i].code, "title",
                                              m.comps[i].title, "area", m.comps[i].area, "area_title",
                                              m.comps[i].area_title, "levels", levels));
    }
    model_clear(&m);
    return list;
}

json_t *passport_view_competency(store *s, const char *code, long long user_id, const char *locale, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT c.id, f.code, c.title_fr, c.title_en, c.description_fr, c.description_en,"
        " coalesce(a.title_fr, ''), coalesce(a.title_en, '')"
        " FROM competencies c JOIN frameworks f ON f.id = c.framework_id"
        " LEFT JOIN framework_areas a ON a.framework_id = c.framework_id AND a.area = c.area"
        " WHERE c.code = ? AND c.retired = 0",
        err);
    if (!st) return NULL;
    store_bind_text(st, 1, code);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        perr_set(err, "skills.unknown_competency");
        return NULL;
    }
    long long id = store_col_int64(st, 0);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", code, "framework", store_col_text(st, 1), "title",
                          col_loc(st, 2, locale), "description", col_loc(st, 4, locale), "area_title",
                          col_loc(st, 6, locale));
    store_done(st);
    json_t *levels = levels_of(s, id, locale, err);
    if (!levels) {
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "levels", levels);
    st = store_stmt(s,
        "SELECT level, comment FROM evidence WHERE user_id = ? AND competency_id = ? AND kind = 'declared'"
        " ORDER BY created_at DESC, id DESC LIMIT 1",
        err);
    if (!st) {
        json_decref(o);
        return NULL;
    }
    store_bind_int64(st, 1, user_id);
    store_bind_int64(st, 2, id);
    bool found = store_step(st) == STORE_ROW;
    json_object_set_new(o, "declared", json_integer(found ? store_col_int(st, 0) : 0));
    json_object_set_new(o, "declared_comment", json_string(found ? store_col_text(st, 1) : ""));
    store_done(st);
    return o;
}

json_t *passport_view_team(store *s, long long unit_id, perr *err) {
    json_t *list = json_array();
    if (!unit_id) return list;
    store_query *st = store_stmt(s,
        "WITH RECURSIVE sub(id) AS (SELECT CAST(?1 AS BIGINT) UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        " SELECT us.id, us.display_name, us.email, un.name,"
        " (SELECT count(DISTINCT e.competency_id) FROM evidence e WHERE e.user_id = us.id AND e.kind <> 'declared')"
        " FROM users us JOIN sub ON us.unit_id = sub.id JOIN units un ON un.id = us.unit_id"
        " WHERE us.disabled_at IS NULL ORDER BY lower(us.display_name), us.id",
        err);
    if (!st) {
        json_decref(list);
        return NULL;
    }
    store_bind_int64(st, 1, unit_id);
    while (store_step(st) == STORE_ROW)
        json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:i}", "id", (json_int_t)store_col_int64(st, 0),
                                              "name", store_col_text(st, 1), "email", store_col_text(st, 2), "unit",
                                              store_col_text(st, 3), "verified", store_col_int(st, 4)));
    store_done(st);
    return list;
}
