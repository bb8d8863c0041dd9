/* SPDX-License-Identifier: EUPL-1.2 */
/* Quiz parser: a small line-oriented state machine over the "## Quiz" section. CommonMark
 * would merge a "[[answer]]" line into the question's paragraph, so we do not use cmark
 * here; prompts, options and explanations keep their inline Markdown for the renderer. */
#include "learn/quiz.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

#define QUIZ_MAX_ANSWER 200 /* bytes of one accepted text answer (grading takes 1000) */

typedef struct parser {
    quiz *q;
    quiz_question *cur; /* the question being read, or NULL */
    bool gap;           /* a blank line was seen since the current question's prompt */
    const char *file;
    diag_list *d;
    bool too_many;
} parser;

static char *trim_dup(const char *s, size_t n) {
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    return xstrndup(s, n);
}

static void question_free(quiz_question *qq) {
    free(qq->prompt);
    for (size_t i = 0; i < qq->noptions; i++) free(qq->options[i].text);
    free(qq->options);
    for (size_t i = 0; i < qq->nanswers; i++) free(qq->answers[i]);
    free(qq->answers);
    free(qq->explanation);
}

void quiz_free(quiz *q) {
    if (!q) return;
    for (size_t i = 0; i < q->n; i++) question_free(&q->questions[i]);
    free(q->questions);
    free(q);
}

static bool has_answers(const quiz_question *qq) {
    return qq->noptions || qq->nanswers;
}

/* Checks the finished current question and forgets it. */
static void finish(parser *p) {
    quiz_question *qq = p->cur;
    p->cur = NULL;
    p->gap = false;
    if (!qq) return;
    if (!has_answers(qq)) {
        diag_add(p->d, p->file, qq->line,
                 "question without answers: add options \"- [( )]\"/\"- [[ ]]\" or a line \"[[answer]]\" right under it");
        return;
    }
    size_t right = 0;
    for (size_t i = 0; i < qq->noptions; i++) right += qq->options[i].correct;
    if (qq->kind == QUIZ_SINGLE) {
        if (right == 0) diag_add(p->d, p->file, qq->line, "single-choice question with no right answer: mark one option [(X)]");
        else if (right > 1)
            diag_add(p->d, p->file, qq->line,
                     "single-choice question with %zu right answers: exactly one option may be [(X)] (use [[X]] for multiple choice)", right);
    } else if (qq->kind == QUIZ_MULTI && right == 0) {
        diag_add(p->d, p->file, qq->line, "multiple-choice question with no right answer: mark at least one option [[X]]");
    }
    if (qq->kind != QUIZ_TEXT && qq->noptions < 2)
        diag_add(p->d, p->file, qq->line, "a choice question needs at least two options");
}

static void start(parser *p, const char *text, size_t n, size_t line) {
    finish(p);
    if (p->q->n >= QUIZ_MAX_QUESTIONS) {
        if (!p->too_many) diag_add(p->d, p->file, line, "too many questions (at most %d)", QUIZ_MAX_QUESTIONS);
        p->too_many = true;
        return;
    }
    p->q->questions = xrealloc(p->q->questions, (p->q->n + 1) * sizeof *p->q->questions);
    quiz_question *qq = &p->q->questions[p->q->n++];
    memset(qq, 0, sizeof *qq);
    qq->prompt = trim_dup(text, n);
    qq->line = line;
    qq->kind = QUIZ_TEXT;
    p->cur = qq;
}

/* Recognises "- [( )] text", "- [(X)] text", "- [[ ]] text", "- [[X]] text" (bullet -, *
 * or +; x or X). Sets *kind, *correct and the option text's start. */
static bool option_line(const char *s, size_t n, quiz_kind *kind, bool *correct, size_t *text_at) {
    if (n < 7 || (s[0] != '-' && s[0] != '*' && s[0] != '+') || s[1] != ' ') return false;
    size_t i = 2;
    while (i < n && s[i] == ' ') i++;
    if (i + 5 > n || s[i] != '[') return false;
    char open = s[i + 1], mark = s[i + 2], close = s[i + 3];
    if (s[i + 4] != ']') return false;
    if (open == '(' && close == ')') *kind = QUIZ_SINGLE;
    else if (open == '[' && close == ']') *kind = QUIZ_MULTI;
    else return false;
    if (mark == 'X' || mark == 'x') *correct = true;
    else if (mark == ' ') *correct = false;
    else return false;
    *text_at = i + 5;
    return true;
}

static void add_option(parser *p, quiz_kind kind, bool correct, const char *text, size_t n, size_t line) {
    quiz_question *qq = p->cur;
    if (!qq) {
        if (!p->too_many) diag_add(p->d, p->file, line, "option without a question above it");
        return;
    }
    if (qq->nanswers) {
        diag_add(p->d, p->file, line, "a question cannot have both a text answer and options");
        return;
    }
    if (qq->noptions && qq->kind != kind) {
        diag_add(p->d, p->file, line, "mixed option kinds: use only [( )] (single choice) or only [[ ]] (multiple choice) in one question");
        return;
    }
    if (qq->noptions >= QUIZ_MAX_OPTIONS) {
        diag_add(p->d, p->file, line, "too many options (at most %d)", QUIZ_MAX_OPTIONS);
        return;
    }
    char *t = trim_dup(text, n);
    if (!*t) diag_add(p->d, p->file, line, "empty option");
    qq->kind = kind;
    qq->options = xrealloc(qq->options, (qq->noptions + 1) * sizeof *qq->options);
    qq->options[qq->noptions++] = (quiz_option){t, correct, line};
}

/* "[[a|b|c]]" alone on its line (already trimmed): the accepted text answers. */
static void add_answers(parser *p, const char *s, size_t n, size_t line) {
    quiz_question *qq = p->cur;
    if (!qq) {
        if (!p->too_many) diag_add(p->d, p->file, line, "text answer without a question above it");
        return;
    }
    if (qq->noptions || qq->nanswers) {
        diag_add(p->d, p->file, line, "a question can have only one text answer line and no options");
        return;
    }
    const char *in = s + 2, *end = s + n - 2;
    while (in <= end) {
        const char *bar = memchr(in, '|', (size_t)(end - in));
        const char *stop = bar ? bar : end;
        char *a = trim_dup(in, (size_t)(stop - in));
        buf folded = BUF_INIT;
        utf8_fold(&folded, a, strlen(a));
        bool empty = folded.len == 0;
        buf_free(&folded);
        if (!empty && strlen(a) > QUIZ_MAX_ANSWER) {
            diag_add(p->d, p->file, line, "text answer longer than %d bytes", QUIZ_MAX_ANSWER);
            free(a);
        } else if (empty) {
            diag_add(p->d, p->file, line, "empty text answer: write [[answer]] or [[answer|variant]]");
            free(a);
        } else {
            qq->answers = xrealloc(qq->answers, (qq->nanswers + 1) * sizeof *qq->answers);
            qq->answers[qq->nanswers++] = a;
        }
        in = stop + 1;
    }
    qq->kind = QUIZ_TEXT;
}

static void add_explanation(parser *p, const char *s, size_t n, size_t line) {
    quiz_question *qq = p->cur;
    if (!qq) {
        if (!p->too_many) diag_add(p->d, p->file, line, "explanation (block quote) without a question above it");
        return;
    }
    s++, n--; /* '>' */
    if (n && *s == ' ') s++, n--;
    char *t = trim_dup(s, n);
    if (qq->explanation) {
        buf b = BUF_INIT;
        buf_puts(&b, qq->explanation);
        buf_putc(&b, '\n');
        buf_puts(&b, t);
        free(qq->explanation);
        free(t);
        qq->explanation = buf_detach(&b);
    } else {
        qq->explanation = t;
    }
}

static bool is_text_answer(const char *s, size_t n) {
    return n >= 4 && s[0] == '[' && s[1] == '[' && s[n - 2] == ']' && s[n - 1] == ']';
}

static void one_line(parser *p, const char *s, size_t n, size_t line) {
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    quiz_kind kind;
    bool correct;
    size_t at;
    if (n == 0) {
        if (p->cur && (has_answers(p->cur) || p->cur->explanation)) finish(p);
        else if (p->cur) p->gap = true;
        return;
    }
    if (*s == '#') {
        diag_add(p->d, p->file, line, "heading inside the quiz: \"## Quiz\" must be the last section");
        finish(p);
        return;
    }
    if (option_line(s, n, &kind, &correct, &at)) {
        if (p->cur && p->cur->explanation) {
            diag_add(p->d, p->file, line, "option after the explanation: the block quote must come last");
            return;
        }
        add_option(p, kind, correct, s + at, n - at, line);
    } else if (is_text_answer(s, n)) {
        add_answers(p, s, n, line);
    } else if (*s == '>') {
        add_explanation(p, s, n, line);
    } else if (p->cur && !has_answers(p->cur) && !p->cur->explanation && !p->gap) {
        buf b = BUF_INIT; /* the prompt goes on */
        buf_puts(&b, p->cur->prompt);
        buf_putc(&b, '\n');
        char *t = trim_dup(s, n);
        buf_puts(&b, t);
        free(t);
        free(p->cur->prompt);
        p->cur->prompt = buf_detach(&b);
    } else {
        start(p, s, n, line);
    }
}

quiz *quiz_parse(const char *src, size_t len, size_t first_line, const char *file, diag_list *d) {
    parser p = {xcalloc(1, sizeof(quiz)), NULL, false, file, d, false};
    const char *s = src, *end = src + len;
    size_t line = first_line;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl : end) - s);
        one_line(&p, s, n, line);
        s += n + (nl != NULL);
        line++;
    }
    finish(&p);
    if (p.q->n == 0) diag_add(d, file, first_line ? first_line - 1 : 0, "the quiz has no question");
    return p.q;
}
