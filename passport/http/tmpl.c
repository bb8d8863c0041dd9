/* The template engine: a tokenizer with the standalone-line rule, a parser building a node
 * tree with pre-split paths and pre-translated texts, and a renderer that walks the tree
 * over a jansson value without allocating (the output buffer aside). */
#include "http/tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/utf8.h"

#define MAX_BLOCK_DEPTH 64  /* nested blocks within one template */
#define MAX_EACH_DEPTH 64   /* nested `each` scopes at render time */
#define MAX_PARTIAL_DEPTH 16

/* ---- data structures ---------------------------------------------------------------- */

typedef enum { P_NAMED, P_THIS, P_ROOT, P_INDEX, P_NUMBER, P_KEY, P_LOCALE, P_LIT } path_kind;

typedef struct seg {
    char *name;
    long idx; /* array index when the segment is all digits, else -1 */
} seg;

/* A path or a literal, resolved at parse time as far as possible. */
typedef struct operand {
    path_kind kind;
    size_t nseg;
    seg *segs;
    json_t *lit; /* P_LIT */
} operand;

typedef enum { N_TEXT, N_VAR, N_RAW, N_IF, N_UNLESS, N_EACH, N_PARTIAL, N_T } node_kind;
typedef enum { C_TRUTHY, C_EQ, C_NE } cond_op;

typedef struct node node;
typedef struct tmpl tmpl;

typedef struct node_list {
    node **items;
    size_t n, cap;
} node_list;

struct node {
    node_kind kind;
    size_t line;
    const char *text; /* N_TEXT: into the template's source */
    size_t len;
    cond_op op;       /* N_IF, N_UNLESS */
    operand a, b;     /* value, condition, each subject, or translation key */
    node_list body, alt;
    char *pname;      /* N_PARTIAL */
    const tmpl *partial;
    bool raw;         /* N_T: unescaped translation */
    operand *args;    /* N_T */
    size_t nargs;
    const char **texts; /* N_T with a literal key: per locale index, then "no locale" */
};

struct tmpl {
    char *name;
    char *fname;
    char *src;
    node_list root;
};

typedef struct partial_ref {
    node *n;
    const tmpl *owner;
} partial_ref;

struct tmpl_set {
    const i18n_catalog *i18n;
    size_t nlocales;
    tmpl **items; /* sorted by name */
    size_t n, cap;
    partial_ref *partials;
    size_t npartials, partials_cap;
};

/* ---- freeing ------------------------------------------------------------------------ */

static void operand_free(operand *o) {
    for (size_t i = 0; i < o->nseg; i++) free(o->segs[i].name);
    free(o->segs);
    json_decref(o->lit);
}

static void list_free(node_list *l);

static void node_free(node *n) {
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

static void list_free(node_list *l) {
    for (size_t i = 0; i < l->n; i++) node_free(l->items[i]);
    free(l->items);
}

static void list_push(node_list *l, node *n) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = n;
}

static void tmpl_free(tmpl *t) {
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
    tmpl_set *set;
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
static bool split_segs(operand *o, const char *s, size_t n) {
    size_t count = 1;
    for (size_t i = 0; i < n; i++) count += s[i] == '.';
    o->segs = xcalloc(count, sizeof *o->segs);
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') continue;
        if (!seg_ok(s + start, i - start)) return false;
        seg *sg = &o->segs[o->nseg++];
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
static bool parse_operand(parser *p, lexer *lx, lex_kind k, operand *o, size_t line) {
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
static bool parse_cond(parser *p, lexer *lx, node *n, size_t line) {
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

/* Parses `t KEY ARGS...` (the lexer is past "t"). */
static bool parse_translation(parser *p, lexer *lx, node *n, lex_kind k, size_t line) {
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
        if (!parse_operand(p, lx, k, &n->args[n->nargs], line)) {
            operand_free(&n->args[n->nargs]);
            return false;
        }
        n->nargs++;
    }
    if (n->a.kind == P_LIT) {
        const char *key = json_string_value(n->a.lit);
        size_t nl = p->set->nlocales;
        n->texts = xcalloc(nl + 1, sizeof *n->texts);
        for (size_t i = 0; i < nl; i++) n->texts[i] = i18n_get_at(p->set->i18n, (int)i, key);
        n->texts[nl] = i18n_get_at(p->set->i18n, -1, key);
    }
    return true;
}

/* Parses the content of a value tag ({{…}} or {{{…}}}) into n. */
static bool parse_value_tag(parser *p, lexer *lx, node *n, bool raw, size_t line) {
    n->kind = raw ? N_RAW : N_VAR;
    lex_kind k = lex_next(lx);
    if (k == L_END) return perror_at(p, line, "%s", "empty tag");
    if (k == L_WORD && word_is(lx, "t")) {
        size_t save = lx->pos;
        lex_kind k2 = lex_next(lx);
        if (k2 != L_END) {
            n->raw = raw;
            return parse_translation(p, lx, n, k2, line);
        }
        lx->pos = save;
    }
    return parse_operand(p, lx, k, &n->a, line) && expect_end(p, lx, line);
}

/* ---- parser ------------------------------------------------------------------------- */

typedef struct open_block {
    node *n;
    bool in_else;
} open_block;

static const char *block_name(node_kind k) {
    return k == N_IF ? "if" : k == N_UNLESS ? "unless" : "each";
}

static node *node_new(node_kind kind, size_t line) {
    node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = line;
    return n;
}

static void remember_partial(tmpl_set *set, node *n, const tmpl *owner) {
    if (set->npartials == set->partials_cap) {
        set->partials_cap = set->partials_cap ? set->partials_cap * 2 : 16;
        set->partials = xrealloc(set->partials, set->partials_cap * sizeof *set->partials);
    }
    set->partials[set->npartials++] = (partial_ref){n, owner};
}

/* Builds p->t->root from the tokens. Partial nodes are collected in *partials. */
static bool build_tree(parser *p, node_list *partials) {
    open_block stack[MAX_BLOCK_DEPTH];
    size_t depth = 0;
    lexer lx = {.s = p->src};
    bool ok = false;
    for (size_t i = 0; i < p->tk.n; i++) {
        const tok *t = &p->tk.v[i];
        node_list *cur = &p->t->root;
        if (depth) cur = stack[depth - 1].in_else ? &stack[depth - 1].n->alt : &stack[depth - 1].n->body;
        lx.pos = t->b;
        lx.end = t->e;
        node *n = NULL;
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
            node_kind kind;
            if (k == L_WORD && word_is(&lx, "if")) kind = N_IF;
            else if (k == L_WORD && word_is(&lx, "unless")) kind = N_UNLESS;
            else if (k == L_WORD && word_is(&lx, "each")) kind = N_EACH;
            else {
                perror_at(p, t->line, "%s", "unknown block (expected #if, #unless or #each)");
                goto done;
            }
            if (depth == MAX_BLOCK_DEPTH) {
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
            node *open = stack[depth - 1].n;
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

static int find_index(const tmpl_set *set, const char *name, bool *found) {
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(set->items[mid]->name, name);
        if (c == 0) {
            *found = true;
            return (int)mid;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = false;
    return (int)lo;
}

static const tmpl *find_tmpl(const tmpl_set *set, const char *name) {
    bool found;
    int i = find_index(set, name, &found);
    return found ? set->items[i] : NULL;
}

static void resolve_partials(tmpl_set *set) {
    for (size_t i = 0; i < set->npartials; i++) {
        node *n = set->partials[i].n;
        if (!n->partial) n->partial = find_tmpl(set, n->pname);
    }
}

tmpl_set *tmpl_set_new(const i18n_catalog *i18n) {
    tmpl_set *set = xcalloc(1, sizeof *set);
    set->i18n = i18n;
    set->nlocales = i18n_locale_count(i18n);
    return set;
}

void tmpl_set_free(tmpl_set *set) {
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) tmpl_free(set->items[i]);
    free(set->items);
    free(set->partials);
    free(set);
}

static bool add_template(tmpl_set *set, const char *name, const char *fname, const char *src,
                         size_t len, perr *err) {
    bool found;
    int at = find_index(set, name, &found);
    if (found) return perr_set(err, "%s: template %s defined twice", fname, name);
    tmpl *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->fname = xstrdup(fname);
    t->src = xstrndup(src, len);
    parser p = {.set = set, .t = t, .src = t->src, .len = len, .err = err};
    node_list partials = {0};
    size_t bad;
    if (memchr(src, '\0', len)) {
        perror_at(&p, 1 + count_lines(src, 0, (size_t)((const char *)memchr(src, '\0', len) - src)),
                  "%s", "NUL byte");
        goto fail;
    }
    if (!utf8_check(src, len, &bad)) {
        perror_at(&p, 1 + count_lines(src, 0, bad), "%s", "invalid UTF-8");
        goto fail;
    }
    if (!tokenize(&p)) goto fail;
    apply_standalone(&p);
    if (!build_tree(&p, &partials)) goto fail;
    free(p.tk.v);
    for (size_t i = 0; i < partials.n; i++) remember_partial(set, partials.items[i], t);
    free(partials.items);
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->items = xrealloc(set->items, set->cap * sizeof *set->items);
    }
    memmove(set->items + at + 1, set->items + at, (set->n - (size_t)at) * sizeof *set->items);
    set->items[at] = t;
    set->n++;
    resolve_partials(set);
    return true;
fail:
    free(p.tk.v);
    free(partials.items);
    tmpl_free(t);
    return false;
}

bool tmpl_set_add(tmpl_set *set, const char *name, const char *src, size_t len, perr *err) {
    return add_template(set, name, name, src, len, err);
}

bool tmpl_exists(const tmpl_set *set, const char *name) {
    return set && name && find_tmpl(set, name) != NULL;
}

static bool read_file(const char *path, buf *out, perr *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return perr_set(err, "%s: %s", path, strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(out, chunk, n);
    bool ok = !ferror(f);
    fclose(f);
    return ok ? true : perr_set(err, "%s: read error", path);
}

/* Loads the *.html files of dir/rel (rel "" at the top) into set, recursing into folders. */
static bool load_tree(tmpl_set *set, const char *dir, const char *rel, int depth, perr *err) {
    if (depth > 16) return perr_set(err, "%s/%s: folders nested too deeply", dir, rel);
    buf path = BUF_INIT, child = BUF_INIT, text = BUF_INIT;
    buf_printf(&path, "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(path.data);
    bool ok = false;
    if (!d) {
        perr_set(err, "%s: %s", path.data, strerror(errno));
        goto fail;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        buf_reset(&child);
        buf_printf(&child, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        buf full = BUF_INIT;
        buf_printf(&full, "%s/%s", dir, child.data);
        struct stat st;
        int rc = stat(full.data, &st);
        bool step = true;
        if (rc == 0 && S_ISDIR(st.st_mode)) {
            step = load_tree(set, dir, child.data, depth + 1, err);
        } else if (rc == 0 && S_ISREG(st.st_mode) && child.len > 5 &&
                   strcmp(child.data + child.len - 5, ".html") == 0) {
            buf_reset(&text);
            step = read_file(full.data, &text, err);
            if (step) {
                child.data[child.len - 5] = '\0';
                step = add_template(set, child.data, full.data, buf_cstr(&text), text.len, err);
            }
        }
        buf_free(&full);
        if (!step) goto fail;
    }
    ok = true;
fail:
    if (d) closedir(d);
    buf_free(&path);
    buf_free(&child);
    buf_free(&text);
    return ok;
}

tmpl_set *tmpl_set_load(const char *dir, const i18n_catalog *i18n, perr *err) {
    tmpl_set *set = tmpl_set_new(i18n);
    if (!load_tree(set, dir, "", 0, err)) goto fail;
    for (size_t i = 0; i < set->npartials; i++) {
        const partial_ref *r = &set->partials[i];
        if (!r->n->partial) {
            perr_set(err, "%s:%zu: unknown partial \"%s\"", r->owner->fname, r->n->line, r->n->pname);
            goto fail;
        }
    }
    return set;
fail:
    tmpl_set_free(set);
    return NULL;
}

/* ---- rendering ---------------------------------------------------------------------- */

typedef enum { V_NONE, V_JSON, V_INT, V_STR } val_kind;

typedef struct val {
    val_kind kind;
    json_t *j;
    long long num;
    const char *s;
} val;

typedef struct frame {
    json_t *item;
    size_t index;
    const char *key;
    bool is_each;
} frame;

typedef struct render_ctx {
    const tmpl_set *set;
    size_t loc; /* index into texts: a locale, or nlocales for none */
    int loc_index;
    const char *locale; /* the catalog locale used, for @locale */
    buf *out;
    perr *err;
    frame frames[MAX_EACH_DEPTH + 1];
    size_t nframes;
    int partial_depth;
} render_ctx;

static json_t *seg_get(json_t *j, const seg *sg) {
    if (json_is_object(j)) return json_object_get(j, sg->name);
    if (json_is_array(j) && sg->idx >= 0) return json_array_get(j, (size_t)sg->idx);
    return NULL;
}

static val walk(json_t *j, const operand *o, size_t from) {
    for (size_t i = from; j && i < o->nseg; i++) j = seg_get(j, &o->segs[i]);
    return j ? (val){V_JSON, j, 0, NULL} : (val){V_NONE, NULL, 0, NULL};
}

static const frame *nearest_each(const render_ctx *c) {
    for (size_t f = c->nframes; f-- > 0;)
        if (c->frames[f].is_each) return &c->frames[f];
    return NULL;
}

static val resolve(const render_ctx *c, const operand *o) {
    const val none = {V_NONE, NULL, 0, NULL};
    const frame *f;
    switch (o->kind) {
    case P_LIT: return (val){V_JSON, o->lit, 0, NULL};
    case P_THIS: return walk(c->frames[c->nframes - 1].item, o, 0);
    case P_ROOT: return walk(c->frames[0].item, o, 0);
    case P_NAMED:
        for (size_t i = c->nframes; i-- > 0;) {
            json_t *j = seg_get(c->frames[i].item, &o->segs[0]);
            if (j) return walk(j, o, 1);
        }
        return none;
    case P_INDEX:
    case P_NUMBER:
        f = nearest_each(c);
        if (!f) return none;
        return (val){V_INT, NULL, (long long)f->index + (o->kind == P_NUMBER), NULL};
    case P_KEY:
        f = nearest_each(c);
        return f && f->key ? (val){V_STR, NULL, 0, f->key} : none;
    case P_LOCALE: return (val){V_STR, NULL, 0, c->locale};
    }
    return none;
}

/* Formats a number as templates print it into tmp; returns its length. */
static size_t format_real(double d, char *tmp, size_t size) {
    int n = snprintf(tmp, size, "%.2f", d);
    size_t len = n > 0 ? (size_t)n : 0;
    if (len >= size) len = size - 1;
    if (memchr(tmp, '.', len)) {
        while (len && tmp[len - 1] == '0') len--;
        if (len && tmp[len - 1] == '.') len--;
    }
    tmp[len] = '\0';
    if (strcmp(tmp, "-0") == 0) {
        tmp[0] = '0';
        tmp[1] = '\0';
        len = 1;
    }
    return len;
}

/* Writes v in decimal into tmp (at least 21 bytes); returns the length. */
static size_t format_int(long long v, char *tmp) {
    char rev[24];
    size_t n = 0, len = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        rev[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[len++] = '-';
    while (n) tmp[len++] = rev[--n];
    tmp[len] = '\0';
    return len;
}

/* Appends s[0..len) with & < > " ' replaced by entities, in runs (no per-byte call). */
static void put_escaped(buf *out, const char *s, size_t len) {
    static const char *const ent[256] = {
        ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
    };
    static const unsigned char entlen[256] = {['&'] = 5, ['<'] = 4, ['>'] = 4, ['"'] = 6, ['\''] = 5};
    buf_reserve(out, len);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!entlen[c]) continue;
        buf_append(out, s + run, i - run);
        buf_append(out, ent[c], entlen[c]);
        run = i + 1;
    }
    buf_append(out, s + run, len - run);
}

/* The printed form of a scalar: a pointer to its bytes (in tmp or in the value) and a
 * length; NULL for values that print as nothing. */
static const char *printed(val v, char *tmp, size_t size, size_t *len) {
    switch (v.kind) {
    case V_NONE: return NULL;
    case V_STR: *len = strlen(v.s); return v.s;
    case V_INT: *len = format_int(v.num, tmp); return tmp;
    case V_JSON:
        if (json_is_string(v.j)) {
            *len = json_string_length(v.j);
            return json_string_value(v.j);
        }
        if (json_is_integer(v.j)) {
            *len = format_int((long long)json_integer_value(v.j), tmp);
            return tmp;
        }
        if (json_is_real(v.j)) {
            *len = format_real(json_real_value(v.j), tmp, size);
            return tmp;
        }
        return NULL;
    }
    return NULL;
}

static void emit(render_ctx *c, val v, bool raw) {
    char tmp[64];
    size_t len = 0;
    const char *s = printed(v, tmp, sizeof tmp, &len);
    if (!s) return;
    if (raw) buf_append(c->out, s, len);
    else put_escaped(c->out, s, len);
}

static bool truthy(val v) {
    switch (v.kind) {
    case V_NONE: return false;
    case V_INT: return v.num != 0;
    case V_STR: return v.s[0] != '\0';
    case V_JSON:
        switch (json_typeof(v.j)) {
        case JSON_NULL:
        case JSON_FALSE: return false;
        case JSON_TRUE:
        case JSON_OBJECT: return true;
        case JSON_INTEGER: return json_integer_value(v.j) != 0;
        case JSON_REAL: return json_real_value(v.j) != 0.0;
        case JSON_STRING: return json_string_length(v.j) > 0;
        case JSON_ARRAY: return json_array_size(v.j) > 0;
        }
    }
    return false;
}

typedef enum { S_NULL, S_BOOL, S_NUM, S_STR, S_OTHER } scalar_kind;

static scalar_kind scalar_of(val v, double *num, bool *b) {
    if (v.kind == V_NONE) return S_NULL;
    if (v.kind == V_INT) {
        *num = (double)v.num;
        return S_NUM;
    }
    if (v.kind == V_STR) return S_STR;
    switch (json_typeof(v.j)) {
    case JSON_NULL: return S_NULL;
    case JSON_TRUE: *b = true; return S_BOOL;
    case JSON_FALSE: *b = false; return S_BOOL;
    case JSON_INTEGER: *num = (double)json_integer_value(v.j); return S_NUM;
    case JSON_REAL: *num = json_real_value(v.j); return S_NUM;
    case JSON_STRING: return S_STR;
    default: return S_OTHER;
    }
}

static bool values_equal(val a, val b) {
    double na = 0, nb = 0;
    bool ba = false, bb = false;
    scalar_kind ka = scalar_of(a, &na, &ba), kb = scalar_of(b, &nb, &bb);
    if (ka == S_NULL || kb == S_NULL) return ka == kb;
    if (ka == S_BOOL || kb == S_BOOL) return ka == kb && ba == bb;
    if (ka == S_NUM && kb == S_NUM) {
        if (a.kind == V_JSON && b.kind == V_JSON && json_is_integer(a.j) && json_is_integer(b.j))
            return json_integer_value(a.j) == json_integer_value(b.j);
        return na == nb;
    }
    if (ka == S_OTHER || kb == S_OTHER) return ka == kb && json_equal(a.j, b.j);
    /* strings, or a string and a number: compare printed forms */
    char ta[64], tb[64];
    size_t la = 0, lb = 0;
    const char *sa = printed(a, ta, sizeof ta, &la), *sb = printed(b, tb, sizeof tb, &lb);
    return sa && sb && la == lb && memcmp(sa, sb, la) == 0;
}

static bool render_list(render_ctx *c, const node_list *l);

static bool render_each(render_ctx *c, const node *n) {
    val v = resolve(c, &n->a);
    json_t *j = v.kind == V_JSON ? v.j : NULL;
    bool empty = !(json_is_array(j) && json_array_size(j) > 0) &&
                 !(json_is_object(j) && json_object_size(j) > 0);
    if (empty) return render_list(c, &n->alt);
    if (c->nframes > MAX_EACH_DEPTH) return perr_set(c->err, "each nested too deeply");
    frame *f = &c->frames[c->nframes++];
    bool ok = true;
    if (json_is_array(j)) {
        size_t i;
        json_t *item;
        json_array_foreach(j, i, item) {
            *f = (frame){item, i, NULL, true};
            if (!(ok = render_list(c, &n->body))) break;
        }
    } else {
        const char *key;
        json_t *item;
        size_t i = 0;
        json_object_foreach(j, key, item) {
            *f = (frame){item, i++, key, true};
            if (!(ok = render_list(c, &n->body))) break;
        }
    }
    c->nframes--;
    return ok;
}

/* Appends a translation with {N} replaced by the escaped N-th argument. */
static void render_translation(render_ctx *c, const node *n) {
    const char *text;
    if (n->texts) {
        text = n->texts[c->loc];
    } else {
        val k = resolve(c, &n->a);
        char tmp[64];
        size_t len = 0;
        const char *key = printed(k, tmp, sizeof tmp, &len);
        if (!key) return;
        if (key == tmp || memchr(key, '\0', len)) {
            put_escaped(c->out, key, len);
            return;
        }
        text = i18n_get_at(c->set->i18n, c->loc_index, key);
    }
    const char *p = text, *run = text;
    while ((p = strchr(p, '{')) != NULL) {
        size_t d = 0, num = 0;
        while (p[1 + d] >= '0' && p[1 + d] <= '9' && d < 3) num = num * 10 + (size_t)(p[1 + d++] - '0');
        if (d == 0 || p[1 + d] != '}' || num == 0 || num > n->nargs) {
            p++;
            continue;
        }
        if (n->raw) buf_append(c->out, run, (size_t)(p - run));
        else put_escaped(c->out, run, (size_t)(p - run));
        emit(c, resolve(c, &n->args[num - 1]), false);
        p += d + 2;
        run = p;
    }
    if (n->raw) buf_puts(c->out, run);
    else put_escaped(c->out, run, strlen(run));
}

static bool render_node(render_ctx *c, const node *n) {
    switch (n->kind) {
    case N_TEXT: buf_append(c->out, n->text, n->len); return true;
    case N_VAR: emit(c, resolve(c, &n->a), false); return true;
    case N_RAW: emit(c, resolve(c, &n->a), true); return true;
    case N_T: render_translation(c, n); return true;
    case N_IF:
    case N_UNLESS: {
        val a = resolve(c, &n->a);
        bool cond = n->op == C_TRUTHY ? truthy(a)
                    : n->op == C_EQ   ? values_equal(a, resolve(c, &n->b))
                                      : !values_equal(a, resolve(c, &n->b));
        if (n->kind == N_UNLESS) cond = !cond;
        return render_list(c, cond ? &n->body : &n->alt);
    }
    case N_EACH: return render_each(c, n);
    case N_PARTIAL: {
        if (!n->partial) return perr_set(c->err, "unknown partial \"%s\"", n->pname);
        if (c->partial_depth >= MAX_PARTIAL_DEPTH) return perr_set(c->err, "partials nested too deeply");
        c->partial_depth++;
        bool ok = render_list(c, &n->partial->root);
        c->partial_depth--;
        return ok;
    }
    }
    return true;
}

static bool render_list(render_ctx *c, const node_list *l) {
    for (size_t i = 0; i < l->n; i++)
        if (!render_node(c, l->items[i])) return false;
    return true;
}

bool tmpl_render(const tmpl_set *set, const char *name, json_t *data, const char *locale,
                 buf *out, perr *err) {
    perr_clear(err);
    const tmpl *t = set && name ? find_tmpl(set, name) : NULL;
    if (!t) return perr_set(err, "unknown template \"%s\"", name ? name : "(null)");
    render_ctx c = {.set = set, .out = out, .err = err};
    c.loc_index = i18n_locale_index(set->i18n, locale);
    c.loc = c.loc_index >= 0 ? (size_t)c.loc_index : set->nlocales;
    c.locale = c.loc_index >= 0 ? i18n_locale_name(set->i18n, (size_t)c.loc_index) : I18N_DEFAULT_LOCALE;
    c.frames[0] = (frame){data, 0, NULL, false};
    c.nframes = 1;
    buf_append(out, "", 0);
    return render_list(&c, &t->root);
}
