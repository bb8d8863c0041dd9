/* SPDX-License-Identifier: EUPL-1.2 */
/* The template engine's tree, shared by its parser (tmpl_parse.c) and its set and
 * renderer (tmpl.c): not for use outside the template engine. */
#ifndef PASSPORT_HTTP_TMPL_TREE_H
#define PASSPORT_HTTP_TMPL_TREE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "http/i18n.h"
#include "http/tmpl.h"

#define TMPL_MAX_BLOCK_DEPTH 64  /* nested blocks within one template */
#define TMPL_MAX_EACH_DEPTH 64   /* nested `each` scopes at render time */
#define TMPL_MAX_PARTIAL_DEPTH 16

/* ---- data structures ---------------------------------------------------------------- */

typedef enum { P_NAMED, P_THIS, P_ROOT, P_INDEX, P_NUMBER, P_KEY, P_LOCALE, P_LIT } tmpl_path_kind;

typedef struct tmpl_seg {
    char *name;
    long idx; /* array index when the segment is all digits, else -1 */
} tmpl_seg;

/* A path or a literal, resolved at parse time as far as possible. */
/* How a value is printed: as is, or per the render's locale (http/locale_fmt). */
typedef enum { F_NONE, F_NUM, F_DATE } tmpl_fmt;

typedef struct tmpl_operand {
    tmpl_path_kind kind;
    tmpl_fmt fmt;   /* {{num x}}, {{date x}}, or (num x) / (date x) as a translation argument */
    int decimals;   /* F_NUM: digits after the separator, at most (default 1) */
    size_t nseg;
    tmpl_seg *segs;
    json_t *lit; /* P_LIT */
} tmpl_operand;

typedef enum { N_TEXT, N_VAR, N_RAW, N_IF, N_UNLESS, N_EACH, N_PARTIAL, N_T } tmpl_node_kind;
typedef enum { C_TRUTHY, C_EQ, C_NE } tmpl_cond_op;

typedef struct tmpl_node tmpl_node;
typedef struct tmpl tmpl;

typedef struct tmpl_node_list {
    tmpl_node **items;
    size_t n, cap;
} tmpl_node_list;

struct tmpl_node {
    tmpl_node_kind kind;
    size_t line;
    const char *text; /* N_TEXT: into the template's source */
    size_t len;
    tmpl_cond_op op;       /* N_IF, N_UNLESS */
    tmpl_operand a, b;     /* value, condition, each subject, or translation key */
    tmpl_node_list body, alt;
    char *pname;      /* N_PARTIAL */
    const tmpl *partial;
    bool raw;         /* N_T: unescaped translation */
    bool plural;      /* N_T from {{tn KEY COUNT ...}}: the form chosen by args[0] */
    tmpl_operand *args;    /* N_T */
    size_t nargs;
    const char **texts; /* N_T with a literal key: per locale index, then "no locale" */
};

struct tmpl {
    char *name;
    char *fname;
    char *src;
    tmpl_node_list root;
};

typedef struct tmpl_partial_ref {
    tmpl_node *n;
    const tmpl *owner;
} tmpl_partial_ref;

struct tmpl_set {
    const i18n_catalog *i18n;
    size_t nlocales;
    tmpl **items; /* sorted by name */
    size_t n, cap;
    tmpl_partial_ref *partials;
    size_t npartials, partials_cap;
};

/* Parses t->src (len bytes, named t->fname in messages) into t->root, with the texts of
 * literal translation keys looked up in set's catalog once. The partial nodes met are
 * appended to *partials (pointers into t's tree). False with err set ("file:line:
 * message") on a NUL byte, invalid UTF-8 or a syntax error; t is then freed by the caller. */
bool tmpl_parse_tree(const tmpl_set *set, tmpl *t, size_t len, tmpl_node_list *partials, perr *err);
/* Frees a template and its tree; tmpl_parse_free(NULL) is a no-op. */
void tmpl_parse_free(tmpl *t);

#endif
