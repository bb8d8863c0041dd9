/* SPDX-License-Identifier: EUPL-1.2 */
/* Gap analysis against verified levels (skills) and module selection (learn tables). */
#include "paths/recommend.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "skills/evidence.h"

typedef struct candidate {
    char *id, *title, *lang, *course;
    int minutes;
    bool closes;
    json_t *comps; /* [{code, level}] */
} candidate;

typedef struct sort_ctx_item {
    candidate *c;
    bool own_lang;
} sort_item;

static int cmp_item(const void *x, const void *y) {
    const sort_item *a = x, *b = y;
    if (a->own_lang != b->own_lang) return a->own_lang ? -1 : 1;
    if (a->c->closes != b->c->closes) return a->c->closes ? -1 : 1;
    if (a->c->minutes != b->c->minutes) return a->c->minutes < b->c->minutes ? -1 : 1;
    return strcmp(a->c->id, b->c->id);
}

json_t *recommend_modules(store *s, long long user_id, const path_target *targets, size_t n, const char *lang) {
    json_t *gaps = json_array(), *mods = json_array();
    candidate *cand = NULL;
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        int verified = skills_verified_level(s, user_id, targets[i].code);
        if (verified >= targets[i].level) continue;
        json_array_append_new(gaps, json_pack("{s:s, s:i, s:i}", "code", targets[i].code, "verified", verified,
                                              "target", targets[i].level));
        store_query *st = store_stmt(s,
            "SELECT m.id, m.title, m.minutes, m.lang, m.course_slug, mc.level FROM module_competencies mc"
            " JOIN modules m ON m.id = mc.module_id WHERE mc.code = ?1 AND mc.level > ?2 AND m.archived_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM attempts t WHERE t.user_id = ?3 AND t.module_id = m.id AND t.passed = 1)",
            NULL);
        if (!st) continue;
        store_bind_text(st, 1, targets[i].code);
        store_bind_int(st, 2, verified);
        store_bind_int64(st, 3, user_id);
        while (store_step(st) == STORE_ROW) {
            const char *id = store_col_text(st, 0);
            int level = store_col_int(st, 5);
            size_t k = 0;
            while (k < nc && strcmp(cand[k].id, id)) k++;
            if (k == nc) {
                cand = xrealloc(cand, (nc + 1) * sizeof *cand);
                cand[nc++] = (candidate){xstrdup(id), xstrdup(store_col_text(st, 1)), xstrdup(store_col_text(st, 3)),
                                         xstrdup(store_col_text(st, 4)), store_col_int(st, 2), false,
                                         json_array()};
            }
            if (level >= targets[i].level) cand[k].closes = true;
            json_array_append_new(cand[k].comps, json_pack("{s:s, s:i}", "code", targets[i].code, "level", level));
        }
        store_done(st);
    }
    sort_item *items = xmalloc((nc + 1) * sizeof *items);
    for (size_t k = 0; k < nc; k++) items[k] = (sort_item){&cand[k], lang && !strcmp(cand[k].lang, lang)};
    qsort(items, nc, sizeof *items, cmp_item);
    for (size_t k = 0; k < nc && k < RECOMMEND_MAX; k++) {
        candidate *c = items[k].c;
        buf url = BUF_INIT;
        buf_puts(&url, "/modules/");
        buf_put_urlenc(&url, c->id, strlen(c->id));
        json_array_append_new(mods, json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:O}", "id", c->id, "title",
                                              c->title, "minutes", c->minutes, "lang", c->lang, "course_slug",
                                              c->course, "url", buf_cstr(&url), "closes", c->closes,
                                              "competencies", c->comps));
        buf_free(&url);
    }
    for (size_t k = 0; k < nc; k++) {
        free(cand[k].id);
        free(cand[k].title);
        free(cand[k].lang);
        free(cand[k].course);
        json_decref(cand[k].comps);
    }
    free(cand);
    free(items);
    return json_pack("{s:o, s:o}", "gaps", gaps, "modules", mods);
}
