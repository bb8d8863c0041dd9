/* SPDX-License-Identifier: EUPL-1.2 */
/* View models of the learn area: plain JSON built from the loaded library, the agent's
 * progress and grading results, shared by the pages and the API. */
#include "handlers/learn_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "learn/progress.h"

json_t *learn_view_module(const learn_module *m, const json_t *progress) {
    json_t *comps = json_array();
    for (size_t i = 0; i < m->ncomps; i++)
        json_array_append_new(comps, json_pack("{s:s, s:i}", "code", m->comps[i].code, "level", m->comps[i].level));
    const json_t *p = json_object_get(progress, m->id);
    buf url = BUF_INIT;
    buf_puts(&url, "/modules/");
    buf_put_urlenc(&url, m->id, strlen(m->id));
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:I, s:i}", "id", m->id, "title", m->title,
                          "minutes", m->minutes, "lang", m->lang, "url", buf_cstr(&url), "course_slug", m->course->slug,
                          "course_title", m->course->title, "competencies", comps, "status",
                          progress_status(progress, m->id), "best_score",
                          (int)floor(json_real_value(json_object_get(p, "best_score")) * 100 + 0.5), "attempts",
                          (json_int_t)json_integer_value(json_object_get(p, "attempts")), "pass",
                          (int)floor(m->pass * 100 + 0.5));
    buf_free(&url);
    return o;
}

json_t *learn_view_course(const learn_course *c, const json_t *progress, json_t *modules) {
    if (!modules) {
        modules = json_array();
        for (size_t i = 0; i < c->nmodules; i++) json_array_append_new(modules, learn_view_module(c->modules[i], progress));
    }
    int percent = 0, left = 0;
    progress_course(c, progress, &percent, &left);
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:o}", "slug", c->slug, "title", c->title, "lang", c->lang,
                     "summary", c->summary, "minutes", c->minutes, "percent", percent, "minutes_left", left,
                     "nmodules", (int)c->nmodules, "modules", modules);
}

json_t *learn_view_questions(const learn_module *m) {
    return json_incref(m->quiz_view); /* built once at load, shared read-only */
}

/* The agent's answer to question i as readable HTML-free text ("" when none). */
static void given_text(const learn_module *m, size_t i, const json_t *v, buf *out) {
    const quiz_question *qq = &m->quiz->questions[i];
    if (!v) return;
    if (qq->kind == QUIZ_TEXT) {
        buf_puts(out, json_string_value(v) ? json_string_value(v) : "");
        return;
    }
    size_t k;
    const json_t *x;
    json_t *one = json_is_array(v) ? NULL : json_pack("[O]", v);
    json_array_foreach(one ? one : v, k, x) {
        long n = json_is_integer(x) ? (long)json_integer_value(x) : json_is_string(x) ? atol(json_string_value(x)) : 0;
        if (n < 1 || (size_t)n > qq->noptions) continue;
        if (out->len) buf_puts(out, " ; ");
        buf_puts(out, qq->options[n - 1].text);
    }
    json_decref(one);
}

json_t *learn_view_drawn(const learn_module *m, const quiz_draw *draw) {
    json_t *qs = json_array();
    for (size_t p = 0; p < draw->n; p++) {
        const json_t *src = json_array_get(m->quiz_view, draw->q[p]);
        const json_t *sopts = json_object_get(src, "options");
        const char *name = json_string_value(json_object_get(src, "name"));
        json_t *opts = json_array();
        for (size_t k = 0; k < json_array_size(sopts); k++) {
            char value[24], id[56];
            snprintf(value, sizeof value, "%zu", k + 1);
            snprintf(id, sizeof id, "%s-%zu", name, k + 1);
            const json_t *o = json_array_get(sopts, draw->perm[p][k]);
            json_array_append_new(opts, json_pack("{s:s, s:s, s:O}", "value", value, "id", id, "html",
                                                  json_object_get(o, "html")));
        }
        json_t *q = json_copy((json_t *)src);
        json_object_set_new(q, "number", json_integer((json_int_t)(p + 1)));
        json_object_set_new(q, "options", opts);
        json_array_append_new(qs, q);
    }
    return qs;
}

json_t *learn_view_result(const learn_module *m, const attempt_row *r, bool reveal) {
    json_t *qs = json_array();
    bool details = r->drawn && !strcmp(r->module_version, m->hash);
    int right = 0, total = 0;
    buf given = BUF_INIT;
    size_t p;
    const json_t *x;
    json_array_foreach(details ? r->drawn : NULL, p, x) {
        json_int_t n = json_integer_value(json_array_get(x, 0));
        bool ok = json_integer_value(json_array_get(x, 1)) != 0;
        if (n < 1 || (size_t)n > m->quiz->n) continue;
        size_t i = (size_t)n - 1;
        char key[24];
        snprintf(key, sizeof key, "q%zu", i + 1);
        buf_reset(&given);
        given_text(m, i, json_object_get(r->answers, key), &given);
        json_t *q = json_pack("{s:i, s:s, s:b, s:s}", "number", (int)p + 1, "prompt_html", m->qhtml[i].prompt, "right",
                              ok, "given", buf_cstr(&given));
        if (reveal && m->qhtml[i].explanation)
            json_object_set_new(q, "explanation_html", json_string(m->qhtml[i].explanation));
        json_array_append_new(qs, q);
        right += ok;
        total++;
    }
    buf_free(&given);
    return json_pack("{s:i, s:b, s:i, s:i, s:i, s:b, s:o}", "score", (int)floor(r->score * 100 + 0.5), "passed",
                     r->passed, "pass", (int)floor(m->pass * 100 + 0.5), "right", right, "total", total, "details",
                     details, "questions", qs);
}

json_t *learn_view_form_answers(const learn_module *m, const http_kv *form, size_t nform) {
    json_t *a = json_object();
    for (size_t i = 0; i < nform; i++) {
        const char *name = form[i].name;
        if (name[0] != 'q' || !name[1] || strspn(name + 1, "0123456789") != strlen(name + 1)) continue;
        long n = atol(name + 1);
        const quiz_question *qq = n >= 1 && (size_t)n <= m->quiz->n ? &m->quiz->questions[n - 1] : NULL;
        if (qq && qq->kind == QUIZ_TEXT && !*form[i].value) continue;
        json_t *prev = json_object_get(a, name);
        json_t *v = json_stringn(form[i].value, form[i].len);
        if (!v) v = json_string("?"); /* invalid UTF-8: names no option, fails grading */
        if (qq && qq->kind == QUIZ_MULTI) {
            if (!prev) json_object_set_new(a, name, prev = json_array());
            json_array_append_new(prev, v);
        } else if (prev) {
            /* a repeated single-choice or text field: keep both so that grading refuses it */
            json_t *arr = json_is_array(prev) ? json_incref(prev) : json_pack("[O]", prev);
            json_array_append_new(arr, v);
            json_object_set_new(a, name, arr);
        } else {
            json_object_set_new(a, name, v);
        }
    }
    return a;
}
