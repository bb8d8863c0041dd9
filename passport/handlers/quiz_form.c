/* SPDX-License-Identifier: EUPL-1.2 */
/* The quiz fields of a module page assembled per draw from parts rendered once per module
 * version and locale (see quiz_form.h). A part that depends on the draw (a question's
 * number, the option shown at a position) is rendered with a slot marker in its place,
 * then cut at the marker. */
#include "handlers/quiz_form.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stands for the number or the label while a part is rendered: control characters that no
 * template writes, and checked to appear exactly once in each part. */
#define SLOT "\x01quiz-slot\x02"

typedef struct span {
    size_t off, len; /* into form.text */
} span;

typedef struct qparts {
    span open[2]; /* the question's start, before and after its number */
    bool numbered; /* false when the start shows no number */
    span close;   /* its end */
    size_t nopt;
    span (*opt)[2]; /* nopt positions: an option's markup before and after its label */
} qparts;

typedef struct form {
    char key[128]; /* module hash '|' locale */
    size_t nq;
    qparts *q; /* nq, in file order */
    buf text;
} form;

struct quiz_forms {
    _Atomic(form *) slot[QUIZ_FORMS_MAX];
};

quiz_forms *quiz_forms_new(void) {
    quiz_forms *f = xcalloc(1, sizeof *f);
    for (size_t i = 0; i < QUIZ_FORMS_MAX; i++) atomic_init(&f->slot[i], NULL);
    return f;
}

static void form_free(form *fm) {
    if (!fm) return;
    for (size_t i = 0; i < fm->nq; i++) free(fm->q[i].opt);
    free(fm->q);
    buf_free(&fm->text);
    free(fm);
}

void quiz_forms_free(quiz_forms *f) {
    if (!f) return;
    for (size_t i = 0; i < QUIZ_FORMS_MAX; i++) form_free(atomic_load(&f->slot[i]));
    free(f);
}

/* Renders template name with d into scratch, then appends it to text cut at its one slot
 * marker: part[0] before it, part[1] after it. *found (NULL: the slot is required) is
 * false when the rendering holds no slot (a translation without its {1}): part[0] is the
 * whole rendering then. */
static bool render_cut(const tmpl_set *t, const char *name, json_t *d, const char *locale, buf *scratch, buf *text,
                       span part[2], bool *found, perr *err) {
    buf_reset(scratch);
    if (!tmpl_render(t, name, d, locale, scratch, err)) return false;
    const char *s = buf_cstr(scratch), *at = strstr(s, SLOT);
    if (found) *found = at != NULL;
    if (!at && found) {
        part[0] = (span){text->len, scratch->len};
        part[1] = (span){text->len, 0};
        buf_append(text, s, scratch->len);
        return true;
    }
    if (!at || strstr(at + 1, SLOT)) {
        perr_set(err, "%s: the slot is not there exactly once", name);
        return false;
    }
    size_t before = (size_t)(at - s), after = scratch->len - before - strlen(SLOT);
    part[0] = (span){text->len, before};
    buf_append(text, s, before);
    part[1] = (span){text->len, after};
    buf_append(text, at + strlen(SLOT), after);
    return true;
}

/* The parts of question i of m (its answer-free view: m->quiz_view[i]). */
static bool question_parts(const tmpl_set *t, const learn_module *m, size_t i, const char *locale, buf *scratch,
                           form *fm, perr *err) {
    qparts *q = &fm->q[i];
    json_t *view = json_copy(json_array_get(m->quiz_view, i));
    json_object_set_new(view, "number", json_string(SLOT));
    bool ok = render_cut(t, "courses/quiz_question_open", view, locale, scratch, &fm->text, q->open, &q->numbered, err);
    buf_reset(scratch);
    if (ok && (ok = tmpl_render(t, "courses/quiz_question_close", view, locale, scratch, err))) {
        q->close = (span){fm->text.len, scratch->len};
        buf_append(&fm->text, buf_cstr(scratch), scratch->len);
    }
    const char *name = json_string_value(json_object_get(view, "name"));
    q->nopt = m->quiz->questions[i].noptions;
    q->opt = xcalloc(q->nopt ? q->nopt : 1, sizeof *q->opt);
    for (size_t k = 0; ok && k < q->nopt; k++) {
        char value[24], id[56];
        snprintf(value, sizeof value, "%zu", k + 1);
        snprintf(id, sizeof id, "%s-%zu", name, k + 1);
        json_t *o = json_pack("{s:s, s:O, s:s, s:s, s:s}", "name", name, "kind", json_object_get(view, "kind"), "id", id,
                              "value", value, "html", SLOT);
        ok = render_cut(t, "courses/quiz_option", o, locale, scratch, &fm->text, q->opt[k], NULL, err);
        json_decref(o);
    }
    json_decref(view);
    return ok;
}

static form *form_build(const tmpl_set *t, const learn_module *m, const char *key, const char *locale, perr *err) {
    form *fm = xcalloc(1, sizeof *fm);
    snprintf(fm->key, sizeof fm->key, "%s", key);
    fm->nq = m->quiz->n;
    fm->q = xcalloc(fm->nq ? fm->nq : 1, sizeof *fm->q);
    buf scratch = BUF_INIT;
    bool ok = true;
    for (size_t i = 0; ok && i < fm->nq; i++) ok = question_parts(t, m, i, locale, &scratch, fm, err);
    buf_free(&scratch);
    if (ok) return fm;
    form_free(fm);
    return NULL;
}

static uint64_t key_hash(const char *s) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The parts of m in locale: found, or built and kept (*owned false); built for this page
 * alone (*owned true, the caller frees them) when the table is full. NULL on error. */
static form *form_get(quiz_forms *f, const tmpl_set *t, const learn_module *m, const char *locale, bool *owned,
                      perr *err) {
    char key[128];
    snprintf(key, sizeof key, "%s|%s", m->hash, locale ? locale : "");
    size_t start = (size_t)(key_hash(key) % QUIZ_FORMS_MAX);
    form *built = NULL;
    *owned = false;
    for (size_t n = 0; n < QUIZ_FORMS_MAX; n++) {
        _Atomic(form *) *slot = &f->slot[(start + n) % QUIZ_FORMS_MAX];
        form *cur = atomic_load(slot);
        if (!cur) {
            if (!built && !(built = form_build(t, m, key, locale, err))) return NULL;
            if (atomic_compare_exchange_strong(slot, &cur, built)) return built;
            /* another thread filled the slot first: cur is its parts */
        }
        if (!strcmp(cur->key, key)) {
            form_free(built);
            return cur;
        }
    }
    if (!built && !(built = form_build(t, m, key, locale, err))) return NULL;
    *owned = true;
    return built;
}

static void put(buf *out, const form *fm, span s) {
    buf_append(out, fm->text.data + s.off, s.len);
}

bool quiz_forms_render(quiz_forms *f, const tmpl_set *t, const learn_module *m, const quiz_draw *draw,
                       const char *locale, buf *out, perr *err) {
    bool owned;
    form *fm = form_get(f, t, m, locale, &owned, err);
    if (!fm) return false;
    for (size_t p = 0; p < draw->n; p++) {
        size_t i = draw->q[p];
        const qparts *q = &fm->q[i];
        put(out, fm, q->open[0]);
        if (q->numbered) buf_printf(out, "%zu", p + 1);
        put(out, fm, q->open[1]);
        for (size_t k = 0; k < q->nopt; k++) {
            put(out, fm, q->opt[k][0]);
            buf_puts(out, m->qhtml[i].options[draw->perm[p][k]]);
            put(out, fm, q->opt[k][1]);
        }
        put(out, fm, q->close);
    }
    if (owned) form_free(fm);
    return true;
}
