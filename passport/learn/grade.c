/* SPDX-License-Identifier: EUPL-1.2 */
/* Quiz grading: validates the submitted answers' shape against the quiz, then scores. */
#include "learn/grade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"


bool grade_text_matches(char *const *accepted, size_t n, const char *given) {
    buf g = BUF_INIT, a = BUF_INIT;
    utf8_fold(&g, given, strlen(given));
    bool ok = false;
    for (size_t i = 0; i < n && !ok; i++) {
        buf_reset(&a);
        utf8_fold(&a, accepted[i], strlen(accepted[i]));
        ok = g.len > 0 && g.len == a.len && !memcmp(buf_cstr(&g), buf_cstr(&a), g.len);
    }
    buf_free(&g);
    buf_free(&a);
    return ok;
}

/* An option number from a JSON integer or a string of digits; 0 when malformed. */
static size_t option_number(const json_t *v) {
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        return i > 0 && i < 1000 ? (size_t)i : 0;
    }
    if (!json_is_string(v)) return 0;
    const char *s = json_string_value(v);
    size_t r = 0;
    if (!*s || strlen(s) > 3) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        r = r * 10 + (size_t)(*s - '0');
    }
    return r;
}

/* The question index of key "qN" (1-based N), or SIZE_MAX. */
static size_t question_index(const char *key, size_t n) {
    if (key[0] != 'q' || !key[1] || strlen(key) > 5) return (size_t)-1;
    size_t r = 0;
    for (const char *s = key + 1; *s; s++) {
        if (*s < '0' || *s > '9') return (size_t)-1;
        r = r * 10 + (size_t)(*s - '0');
    }
    return r >= 1 && r <= n ? r - 1 : (size_t)-1;
}

/* A short printable form of an answer value for error messages. */
static const char *value_text(const json_t *v, char out[24]) {
    if (json_is_integer(v)) snprintf(out, 24, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v)) snprintf(out, 24, "\"%.18s\"", json_string_value(v));
    else snprintf(out, 24, "?");
    return out;
}

/* Records why the answers were refused (question qi, 0-based) and returns false. */
static bool refuse(grade_result *out, grade_problem why, size_t qi) {
    out->problem = why;
    out->question = qi + 1;
    return false;
}

/* The file's option (0-based) shown at 1-based position o of a question (perm NULL:
 * no shuffle). */
static size_t shown_option(const unsigned char *perm, size_t o) {
    return perm ? perm[o - 1] : o - 1;
}

static bool grade_choice(const quiz_question *qq, const unsigned char *perm, size_t qi, const json_t *v, bool *right,
                         json_t **canon, grade_result *out, perr *err) {
    bool chosen[QUIZ_MAX_OPTIONS] = {false};
    size_t nchosen = 0;
    if (json_is_array(v)) {
        size_t i;
        const json_t *x;
        if (json_array_size(v) > qq->noptions) {
            perr_set(err, "question %zu: too many options chosen", qi + 1);
            return refuse(out, GRADE_TOO_MANY, qi);
        }
        json_array_foreach(v, i, x) {
            size_t o = option_number(x);
            char t[24];
            if (!o || o > qq->noptions) {
                perr_set(err, "question %zu: option %s does not exist", qi + 1, value_text(x, t));
                return refuse(out, GRADE_NO_OPTION, qi);
            }
            size_t k = shown_option(perm, o);
            if (!chosen[k]) nchosen++;
            chosen[k] = true;
        }
    } else {
        size_t o = option_number(v);
        char t[24];
        if (!o || o > qq->noptions) {
            perr_set(err, "question %zu: option %s does not exist", qi + 1, value_text(v, t));
            return refuse(out, GRADE_NO_OPTION, qi);
        }
        chosen[shown_option(perm, o)] = true;
        nchosen = 1;
    }
    if (qq->kind == QUIZ_SINGLE && nchosen > 1) {
        perr_set(err, "question %zu: only one option may be chosen", qi + 1);
        return refuse(out, GRADE_ONE_ONLY, qi);
    }
    bool ok = nchosen > 0;
    *canon = qq->kind == QUIZ_MULTI ? json_array() : NULL;
    for (size_t i = 0; i < qq->noptions; i++) {
        ok = ok && chosen[i] == qq->options[i].correct;
        if (!chosen[i]) continue;
        if (*canon) json_array_append_new(*canon, json_integer((json_int_t)(i + 1)));
        else *canon = json_integer((json_int_t)(i + 1));
    }
    *right = ok;
    return true;
}

bool grade_quiz(const quiz *q, const quiz_draw *draw, const json_t *answers, double pass, grade_result *out,
                perr *err) {
    memset(out, 0, sizeof *out);
    if (!json_is_object(answers)) {
        perr_set(err, "answers must be an object {\"q1\": ...}");
        return refuse(out, GRADE_NOT_OBJECT, (size_t)-1);
    }
    size_t n = draw ? draw->n : q->n;
    bool *correct = xcalloc(n ? n : 1, sizeof *correct);
    json_t *canon = json_object();
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)answers, key, v) {
        size_t qi = question_index(key, q->n);
        if (qi == (size_t)-1) {
            perr_set(err, "\"%.40s\" names no question of this quiz", key);
            refuse(out, GRADE_NO_QUESTION, (size_t)-1);
            goto fail;
        }
        size_t p = draw ? quiz_draw_position(draw, qi) : qi;
        if (p == (size_t)-1) {
            perr_set(err, "question %zu was not drawn for this attempt", qi + 1);
            refuse(out, GRADE_NOT_DRAWN, qi);
            goto fail;
        }
        const quiz_question *qq = &q->questions[qi];
        json_t *c = NULL;
        if (qq->kind == QUIZ_TEXT) {
            if (!json_is_string(v)) {
                perr_set(err, "question %zu expects a text answer", qi + 1);
                refuse(out, GRADE_TEXT_EXPECTED, qi);
                goto fail;
            }
            if (json_string_length(v) > GRADE_MAX_TEXT) {
                perr_set(err, "question %zu: the answer is too long", qi + 1);
                refuse(out, GRADE_TOO_LONG, qi);
                goto fail;
            }
            correct[p] = grade_text_matches(qq->answers, qq->nanswers, json_string_value(v));
            c = json_incref((json_t *)v);
        } else if (!grade_choice(qq, draw ? draw->perm[p] : NULL, qi, v, &correct[p], &c, out, err)) {
            goto fail;
        }
        if (c) json_object_set_new(canon, key, c);
    }
    out->n = n;
    out->correct = correct;
    out->answers = canon;
    for (size_t i = 0; i < n; i++) out->right += correct[i];
    out->score = n ? (double)out->right / (double)n : 0.0;
    out->passed = n > 0 && out->score + 1e-9 >= pass;
    return true;
fail:
    json_decref(canon);
    free(correct);
    return false;
}

void grade_result_free(grade_result *out) {
    if (!out) return;
    free(out->correct);
    json_decref(out->answers);
    memset(out, 0, sizeof *out);
}
