/* SPDX-License-Identifier: EUPL-1.2 */
/* The template engine's parser: a tokenizer with the standalone-line rule, then a parser
 * building the node tree with pre-split paths and pre-translated texts. */
#include "http/tmpl_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

/* ---- freeing ------------------------------------------------------------------------ */

static void operand_free(tmpl_operand *o) {
    for (size_t i = 0; i < o->nseg; i++) free(o->segs[i].name);
    free(o->segs);
    json_decref(o->lit);
}

static void list_free(tmpl_node_list *l);

static void node_free(tmpl_node *n) {
    if (!n) return;
    operand_free(&n->a);
    operand_free(&n->b);
    list_free(&n->body);
    list_free(&n->alt);
    free(n->pname);
    for (size_t i = 0; i < n->nargs; i++) operand_free(&n->args[i]);
    free(n->args);
    free(n->texts);
    free(n);
}

static void list_free(tmpl_node_list *l) {
    for (size_t i = 0; i < l->n; i++) node_free(l->items[i]);
    free(l->items);
}

static void list_push(tmpl_node_list *l, tmpl_node *n) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = n;
}

void tmpl_parse_free(tmpl *t) {
    if (!t) return;
    list_free(&t->root);
    free(t->name);
    free(t->fname);
    free(t->src);
    free(t);
}

/* ---- tokenizer ---------------------------------------------------------------------- */

typedef enum { K_TEXT, K_VAR, K_RAW, K_COMMENT, K_OPEN, K_CLOSE, K_ELSE, K_PARTIAL } tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t b, e; /* text: the bytes; tags: the trimmed content after the sigil */
    size_t line;
} tok;

typedef struct toks {
    tok *v;
    size_t n, cap;
} toks;

typedef struct parser {
    const tmpl_set *set;
    tmpl *t;
    const char *src;
    size_t len;
    perr *err;
    toks tk;
} parser;

static bool perror_at(parser *p, size_t line, const char *fmt, const char *arg) {
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg);
    return perr_set(p->err, "%s:%zu: %s", p->t->fname, line, msg);
}

static void tok_push(toks *tk, tok_kind kind, size_t b, size_t e, size_t line) {
    if (tk->n == tk->cap) {
        tk->cap = tk->cap ? tk->cap * 2 : 64;
        tk->v = xrealloc(tk->v, tk->cap * sizeof *tk->v);
    }
    tk->v[tk->n++] = (tok){kind, b, e, line};
}

static const char *find(const char *s, size_t from, size_t len, const char *needle) {
    size_t nl = strlen(needle);
    for (size_t i = from; i + nl <= len; i++) {
        const char *hit = memchr(s + i, needle[0], len - i);
        if (!hit) return NULL;
        i = (size_t)(hit - s);
        if (i + nl <= len && memcmp(hit, needle, nl) == 0) return hit;
    }
    return NULL;
}

static size_t count_lines(const char *s, size_t b, size_t e) {
    size_t n = 0;
    for (size_t i = b; i < e; i++) n += s[i] == '\n';
    return n;
}

static bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Splits the source into text and tag tokens. */
static bool tokenize(parser *p) {
    const char *s = p->src;
    size_t pos = 0, line = 1;
    while (pos < p->len) {
        const char *open = find(s, pos, p->len, "{{");
        size_t o = open ? (size_t)(open - s) : p->len;
        if (o > pos) tok_push(&p->tk, K_TEXT, pos, o, line);
        line += count_lines(s, pos, o);
        if (!open) break;
        const char *close_str = "}}";
        size_t cb = o + 2;
        tok_kind kind = K_VAR;
        if (cb < p->len && s[cb] == '{') {
            kind = K_RAW;
            close_str = "}}}";
            cb++;
        } else if (p->len - cb >= 3 && memcmp(s + cb, "!--", 3) == 0) {
            kind = K_COMMENT;
            close_str = "--}}";
            cb += 3;
        } else if (cb < p->len && s[cb] == '!') {
            kind = K_COMMENT;
            cb++;
        }
        const char *close = find(s, cb, p->len, close_str);
        if (!close) return perror_at(p, line, "unclosed tag %s", close_str[0] == '-' ? "{{!--" : "{{");
        size_t ce = (size_t)(close - s), next = ce + strlen(close_str);
        while (cb < ce && is_ws(s[cb])) cb++;
        while (ce > cb && is_ws(s[ce - 1])) ce--;
        if (kind == K_VAR && cb < ce) {
            char c = s[cb];
            if (c == '#' || c == '/' || c == '>') {
                kind = c == '#' ? K_OPEN : c == '/' ? K_CLOSE : K_PARTIAL;
                cb++;
                while (cb < ce && is_ws(s[cb])) cb++;
            } else if (ce - cb == 4 && memcmp(s + cb, "else", 4) == 0) {
                kind = K_ELSE;
            }
        }
        tok_push(&p->tk, kind, cb, ce, line);
        line += count_lines(s, o, next);
        pos = next;
    }
    return true;
}

static bool is_block_tag(tok_kind k) {
    return k == K_COMMENT || k == K_OPEN || k == K_CLOSE || k == K_ELSE || k == K_PARTIAL;
}

/* Applies the standalone-line rule: a block tag alone on its line removes the line. The
 * decisions use the original texts, then the surrounding text tokens are trimmed. */
static void apply_standalone(parser *p) {
    tok *v = p->tk.v;
    size_t n = p->tk.n;
    const char *s = p->src;
    size_t *nb = xmalloc((n + 1) * sizeof *nb), *ne = xmalloc((n + 1) * sizeof *ne);
    bool *alone = xcalloc(n + 1, sizeof *alone);
    for (size_t i = 0; i < n; i++) {
        nb[i] = v[i].b;
        ne[i] = v[i].e;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_block_tag(v[i].kind)) continue;
        bool before = true, after = true;
        if (i > 0) {
            const tok *t = &v[i - 1];
            if (t->kind != K_TEXT) before = false;
            else {
                size_t j = t->e;
                while (j > t->b && (s[j - 1] == ' ' || s[j - 1] == '\t')) j--;
                before = (j > t->b && s[j - 1] == '\n') || (j == t->b && i - 1 == 0);
            }
        }
        if (i + 1 < n) {
            const tok *t = &v[i + 1];
            if (t->kind != K_TEXT) after = false;
            else {
                size_t j = t->b;
                while (j < t->e && (s[j] == ' ' || s[j] == '\t')) j++;
                if (j < t->e && s[j] == '\r' && j + 1 < t->e && s[j + 1] == '\n') j++;
                after = (j < t->e && s[j] == '\n') || (j == t->e && i + 2 == n);
            }
        }
        alone[i] = before && after;
    }
    for (size_t i = 0; i < n; i++) {
        if (!alone[i]) continue;
        if (i > 0) {
            const tok *t = &v[i - 1];
            size_t j = t->e;
            while (j > t->b && s[j - 1] != '\n') j--;
            if (j < ne[i - 1]) ne[i - 1] = j;
        }
        if (i + 1 < n) {
            const tok *t = &v[i + 1];
            const char *nl = memchr(s + t->b, '\n', t->e - t->b);
            size_t j = nl ? (size_t)(nl - s) + 1 : t->e;
            if (j > nb[i + 1]) nb[i + 1] = j;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind != K_TEXT) continue;
        v[i].b = nb[i];
        v[i].e = ne[i] > nb[i] ? ne[i] : nb[i];
    }
    free(nb);
    free(ne);
    free(alone);
}

/* ---- expressions -------------------------------------------------------------------- */

typedef enum { L_END, L_LPAREN, L_RPAREN, L_STRING, L_WORD, L_BAD } lex_kind;

typedef struct lexer {
    const char *s;
    size_t pos, end;
    size_t b, e;  /* the current token's bytes (L_WORD), or string contents (L_STRING) */
    buf str;      /* unescaped L_STRING */
} lexer;

static bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c == '@' || c == '/';
}

static lex_kind lex_next(lexer *lx) {
    while (lx->pos < lx->end && is_ws(lx->s[lx->pos])) lx->pos++;
    if (lx->pos >= lx->end) return L_END;
    char c = lx->s[lx->pos];
    if (c == '(' || c == ')') {
        lx->pos++;
        return c == '(' ? L_LPAREN : L_RPAREN;
    }
    if (c == '"') {
        buf_reset(&lx->str);
        buf_append(&lx->str, "", 0);
        for (size_t i = lx->pos + 1; i < lx->end; i++) {
            if (lx->s[i] == '\\' && i + 1 < lx->end) {
                buf_putc(&lx->str, lx->s[++i]);
            } else if (lx->s[i] == '"') {
                lx->pos = i + 1;
                return L_STRING;
            } else {
                buf_putc(&lx->str, lx->s[i]);
            }
        }
        return L_BAD;
    }
    size_t b = lx->pos;
    while (lx->pos < lx->end && word_char(lx->s[lx->pos])) lx->pos++;
    if (lx->pos == b) return L_BAD;
    lx->b = b;
    lx->e = lx->pos;
    return L_WORD;
}

static bool word_is(const lexer *lx, const char *w) {
    size_t n = strlen(w);
    return lx->e - lx->b == n && memcmp(lx->s + lx->b, w, n) == 0;
}

static bool seg_ok(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Splits "a.b.c" into o->segs; false when a segment is empty or has other characters. */
static bool split_segs(tmpl_operand *o, const char *s, size_t n) {
    size_t count = 1;
    for (size_t i = 0; i < n; i++) count += s[i] == '.';
    o->segs = xcalloc(count, sizeof *o->segs);
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') continue;
        if (!seg_ok(s + start, i - start)) return false;
        tmpl_seg *sg = &o->segs[o->nseg++];
        sg->name = xstrndup(s + start, i - start);
        sg->idx = -1;
        if (i - start <= 9 && strspn(sg->name, "0123456789") == i - start) sg->idx = atol(sg->name);
        start = i + 1;
    }
    return true;
}

/* A literal from a word (number, true, false, null), or NULL. */
static json_t *word_literal(const char *s, size_t n) {
    if (n == 4 && memcmp(s, "true", 4) == 0) return json_true();
    if (n == 5 && memcmp(s, "false", 5) == 0) return json_false();
    if (n == 4 && memcmp(s, "null", 4) == 0) return json_null();
    size_t i = s[0] == '-' ? 1 : 0;
    size_t digits = strspn(s + i, "0123456789");
    if (digits == 0 || digits > 15) return NULL;
    i += digits;
    if (i == n) {
        char tmp[20];
        snprintf(tmp, sizeof tmp, "%.*s", (int)n, s);
        return json_integer(strtoll(tmp, NULL, 10));
    }
    if (s[i] != '.') return NULL;
    size_t frac = strspn(s + i + 1, "0123456789");
    if (frac == 0 || frac > 15 || i + 1 + frac != n) return NULL;
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.*s", (int)n, s);
    return json_real(strtod(tmp, NULL));
}

/* Builds an operand from the lexer's current L_WORD or L_STRING token. */
static bool parse_operand(parser *p, lexer *lx, lex_kind k, tmpl_operand *o, size_t line) {
    memset(o, 0, sizeof *o);
    if (k == L_STRING) {
        o->kind = P_LIT;
        o->lit = json_stringn(lx->str.data, lx->str.len);
        if (!o->lit) return perror_at(p, line, "%s", "string literal is not valid UTF-8");
        return true;
    }
    if (k != L_WORD) return perror_at(p, line, "%s", "expected a path or a literal");
    const char *s = lx->s + lx->b;
    size_t n = lx->e - lx->b;
    char shown[80];
    snprintf(shown, sizeof shown, "%.*s", n > 60 ? 60 : (int)n, s);
    json_t *lit = word_literal(s, n);
    if (lit) {
        o->kind = P_LIT;
        o->lit = lit;
        return true;
    }
    if ((n == 1 && s[0] == '.') || (n == 4 && memcmp(s, "this", 4) == 0)) {
        o->kind = P_THIS;
        return true;
    }
    if (n > 5 && memcmp(s, "this.", 5) == 0) {
        o->kind = P_THIS;
        if (!split_segs(o, s + 5, n - 5)) return perror_at(p, line, "bad path \"%s\"", shown);
        return true;
    }
    if (s[0] == '@') {
        if (n == 6 && memcmp(s, "@index", 6) == 0) o->kind = P_INDEX;
        else if (n == 7 && memcmp(s, "@number", 7) == 0) o->kind = P_NUMBER;
        else if (n == 4 && memcmp(s, "@key", 4) == 0) o->kind = P_KEY;
        else if (n == 7 && memcmp(s, "@locale", 7) == 0) o->kind = P_LOCALE;
        else if (n == 5 && memcmp(s, "@root", 5) == 0) o->kind = P_ROOT;
        else if (n > 6 && memcmp(s, "@root.", 6) == 0) {
            o->kind = P_ROOT;
            if (!split_segs(o, s + 6, n - 6)) return perror_at(p, line, "bad path \"%s\"", shown);
        } else {
            return perror_at(p, line, "unknown variable \"%s\"", shown);
        }
        return true;
    }
    o->kind = P_NAMED;
    if (!split_segs(o, s, n)) return perror_at(p, line, "bad path \"%s\"", shown);
    return true;
}

static bool expect_end(parser *p, lexer *lx, size_t line) {
    if (lex_next(lx) != L_END) return perror_at(p, line, "%s", "unexpected text in tag");
    return true;
}

/* Parses a condition: operand, or (eq A B) / (ne A B). */
static bool parse_cond(parser *p, lexer *lx, tmpl_node *n, size_t line) {
    lex_kind k = lex_next(lx);
    if (k == L_END) return perror_at(p, line, "%s", "missing condition");
    if (k != L_LPAREN) {
        n->op = C_TRUTHY;
        return parse_operand(p, lx, k, &n->a, line) && expect_end(p, lx, line);
    }
    if (lex_next(lx) != L_WORD || !(word_is(lx, "eq") || word_is(lx, "ne")))
        return perror_at(p, line, "%s", "expected eq or ne after (");
    n->op = word_is(lx, "eq") ? C_EQ : C_NE;
    if (!parse_operand(p, lx, lex_next(lx), &n->a, line)) return false;
    if (!parse_operand(p, lx, lex_next(lx), &n->b, line)) return false;
    if (lex_next(lx) != L_RPAREN) return perror_at(p, line, "%s", "expected ) after two operands");
    return expect_end(p, lx, line);
}

/* Parses the rest of `num PATH [DECIMALS]` or `date PATH` (the lexer is past the word,
 * k is the next token) into o; `close` is L_RPAREN inside a translation's arguments,
 * L_END in a value tag. */
static bool parse_format(parser *p, lexer *lx, lex_kind k, tmpl_fmt fmt, tmpl_operand *o, lex_kind close,
                         size_t line) {
    if (!parse_operand(p, lx, k, o, line)) return false;
    o->fmt = fmt;
    o->decimals = 1;
    k = lex_next(lx);
    if (fmt == F_NUM && k == L_WORD) {
        json_t *lit = word_literal(lx->s + lx->b, lx->e - lx->b);
        bool ok = json_is_integer(lit) && json_integer_value(lit) >= 0 && json_integer_value(lit) <= 6;
        if (ok) o->decimals = (int)json_integer_value(lit);
        json_decref(lit);
        if (!ok) return perror_at(p, line, "%s", "num takes a number of decimals from 0 to 6");
        k = lex_next(lx);
    }
    if (k != close) return perror_at(p, line, "%s", close == L_RPAREN ? "expected ) after the value" : "unexpected text in tag");
    return true;
}

/* A translation argument: an operand, or (num PATH [DECIMALS]) / (date PATH). */
static bool parse_arg(parser *p, lexer *lx, lex_kind k, tmpl_operand *o, size_t line) {
    if (k != L_LPAREN) return parse_operand(p, lx, k, o, line);
    memset(o, 0, sizeof *o);
    if (lex_next(lx) != L_WORD || !(word_is(lx, "num") || word_is(lx, "date")))
        return perror_at(p, line, "%s", "expected num or date after (");
    tmpl_fmt fmt = word_is(lx, "num") ? F_NUM : F_DATE;
    return parse_format(p, lx, lex_next(lx), fmt, o, L_RPAREN, line);
}

/* Parses `t KEY ARGS...` or `tn KEY COUNT ARGS...` (the lexer is past the word). */
static bool parse_translation(parser *p, lexer *lx, tmpl_node *n, lex_kind k, size_t line) {
    n->kind = N_T;
    if (!parse_operand(p, lx, k, &n->a, line)) return false;
    if (n->a.kind == P_LIT && !json_is_string(n->a.lit))
        return perror_at(p, line, "%s", "translation key must be a string or a path");
    size_t cap = 0;
    while ((k = lex_next(lx)) != L_END) {
        if (n->nargs == cap) {
            cap = cap ? cap * 2 : 4;
            n->args = xrealloc(n->args, cap * sizeof *n->args);
        }
        if (!parse_arg(p, lx, k, &n->args[n->nargs], line)) {
            operand_free(&n->args[n->nargs]);
            return false;
        }
        n->nargs++;
    }
    if (n->plural && !n->nargs) return perror_at(p, line, "%s", "tn needs a count after the key");
    if (n->a.kind == P_LIT && !n->plural) {
        const char *key = json_string_value(n->a.lit);
        size_t nl = p->set->nlocales;
        n->texts = xcalloc(nl + 1, sizeof *n->texts);
        for (size_t i = 0; i < nl; i++) n->texts[i] = i18n_get_at(p->set->i18n, (int)i, key);
        n->texts[nl] = i18n_get_at(p->set->i18n, -1, key);
    }
    return true;
}

/* Parses the content of a value tag ({{…}} or {{{…}}}) into n. */
static bool parse_value_tag(parser *p, lexer *lx, tmpl_node *n, bool raw, size_t line) {
    n->kind = raw ? N_RAW : N_VAR;
    lex_kind k = lex_next(lx);
    if (k == L_END) return perror_at(p, line, "%s", "empty tag");
    if (k == L_WORD && (word_is(lx, "t") || word_is(lx, "tn"))) {
        size_t save = lx->pos;
        bool plural = word_is(lx, "tn");
        lex_kind k2 = lex_next(lx);
        if (k2 != L_END) {
            n->raw = raw;
            n->plural = plural;
            return parse_translation(p, lx, n, k2, line);
        }
        lx->pos = save;
    }
    if (k == L_WORD && (word_is(lx, "num") || word_is(lx, "date"))) {
        size_t save = lx->pos;
        tmpl_fmt fmt = word_is(lx, "num") ? F_NUM : F_DATE;
        lex_kind k2 = lex_next(lx);
        if (k2 != L_END) return parse_format(p, lx, k2, fmt, &n->a, L_END, line);
        lx->pos = save; /* a value named "num" or "date" */
    }
    return parse_operand(p, lx, k, &n->a, line) && expect_end(p, lx, line);
}

/* ---- parser ------------------------------------------------------------------------- */

typedef struct open_block {
    tmpl_node *n;
    bool in_else;
} open_block;

static const char *block_name(tmpl_node_kind k) {
    return k == N_IF ? "if" : k == N_UNLESS ? "unless" : "each";
}

static tmpl_node *node_new(tmpl_node_kind kind, size_t line) {
    tmpl_node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = line;
    return n;
}

/* Builds p->t->root from the tokens. Partial nodes are collected in *partials. */
static bool build_tree(parser *p, tmpl_node_list *partials) {
    open_block stack[TMPL_MAX_BLOCK_DEPTH];
    size_t depth = 0;
    lexer lx = {.s = p->src};
    bool ok = false;
    for (size_t i = 0; i < p->tk.n; i++) {
        const tok *t = &p->tk.v[i];
        tmpl_node_list *cur = &p->t->root;
        if (depth) cur = stack[depth - 1].in_else ? &stack[depth - 1].n->alt : &stack[depth - 1].n->body;
        lx.pos = t->b;
        lx.end = t->e;
        tmpl_node *n = NULL;
        switch (t->kind) {
        case K_COMMENT:
            break;
        case K_TEXT:
            if (t->e > t->b) {
                n = node_new(N_TEXT, t->line);
                n->text = p->src + t->b;
                n->len = t->e - t->b;
                list_push(cur, n);
            }
            break;
        case K_VAR:
        case K_RAW:
            n = node_new(N_VAR, t->line);
            list_push(cur, n);
            if (!parse_value_tag(p, &lx, n, t->kind == K_RAW, t->line)) goto done;
            break;
        case K_PARTIAL: {
            size_t b = t->b, e = t->e;
            if (b == e) {
                perror_at(p, t->line, "%s", "missing partial name");
                goto done;
            }
            for (size_t j = b; j < e; j++) {
                if (!word_char(p->src[j])) {
                    perror_at(p, t->line, "%s", "bad partial name");
                    goto done;
                }
            }
            n = node_new(N_PARTIAL, t->line);
            n->pname = xstrndup(p->src + b, e - b);
            list_push(cur, n);
            list_push(partials, n);
            break;
        }
        case K_OPEN: {
            lex_kind k = lex_next(&lx);
            tmpl_node_kind kind;
            if (k == L_WORD && word_is(&lx, "if")) kind = N_IF;
            else if (k == L_WORD && word_is(&lx, "unless")) kind = N_UNLESS;
            else if (k == L_WORD && word_is(&lx, "each")) kind = N_EACH;
            else {
                perror_at(p, t->line, "%s", "unknown block (expected #if, #unless or #each)");
                goto done;
            }
            if (depth == TMPL_MAX_BLOCK_DEPTH) {
                perror_at(p, t->line, "%s", "blocks nested too deeply");
                goto done;
            }
            n = node_new(kind, t->line);
            list_push(cur, n);
            if (kind == N_EACH) {
                if (!parse_operand(p, &lx, lex_next(&lx), &n->a, t->line) ||
                    !expect_end(p, &lx, t->line))
                    goto done;
                if (n->a.kind == P_LIT) {
                    perror_at(p, t->line, "%s", "#each needs a path");
                    goto done;
                }
            } else if (!parse_cond(p, &lx, n, t->line)) {
                goto done;
            }
            stack[depth++] = (open_block){n, false};
            break;
        }
        case K_ELSE:
            if (!depth || stack[depth - 1].in_else) {
                perror_at(p, t->line, "%s", depth ? "second {{else}} in a block" : "{{else}} outside a block");
                goto done;
            }
            stack[depth - 1].in_else = true;
            break;
        case K_CLOSE: {
            lex_kind k = lex_next(&lx);
            if (!depth) {
                perror_at(p, t->line, "%s", "closing tag without an open block");
                goto done;
            }
            tmpl_node *open = stack[depth - 1].n;
            if (k != L_WORD || !word_is(&lx, block_name(open->kind)) || lex_next(&lx) != L_END) {
                char msg[64];
                snprintf(msg, sizeof msg, "{{#%s}} opened at line %zu", block_name(open->kind), open->line);
                perror_at(p, t->line, "closing tag does not match %s", msg);
                goto done;
            }
            depth--;
            break;
        }
        }
    }
    if (depth) {
        perror_at(p, stack[depth - 1].n->line, "unclosed {{#%s}}", block_name(stack[depth - 1].n->kind));
        goto done;
    }
    ok = true;
done:
    buf_free(&lx.str);
    return ok;
}

/* ---- the set ------------------------------------------------------------------------ */

bool tmpl_parse_tree(const tmpl_set *set, tmpl *t, size_t len, tmpl_node_list *partials, perr *err) {
    parser p = {.set = set, .t = t, .src = t->src, .len = len, .err = err};
    const char *src = t->src;
    size_t bad;
    bool ok = false;
    if (memchr(src, '\0', len)) {
        perror_at(&p, 1 + count_lines(src, 0, (size_t)((const char *)memchr(src, '\0', len) - src)), "%s",
                  "NUL byte");
        goto done;
    }
    if (!utf8_check(src, len, &bad)) {
        perror_at(&p, 1 + count_lines(src, 0, bad), "%s", "invalid UTF-8");
        goto done;
    }
    if (!tokenize(&p)) goto done;
    apply_standalone(&p);
    ok = build_tree(&p, partials);
done:
    free(p.tk.v);
    return ok;
}
