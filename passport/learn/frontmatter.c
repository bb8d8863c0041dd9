/* SPDX-License-Identifier: EUPL-1.2 */
/* YAML front matter reader: finds the "---" block, loads it with libyaml's document API
 * and flattens the root mapping into keys with text or list-of-text values. */
#include "learn/frontmatter.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/utf8.h"

#define FM_MAX_BYTES (64u * 1024u)

/* Length of the line starting at p (without its line break) within end. */
static size_t line_len(const char *p, const char *end) {
    const char *q = memchr(p, '\n', (size_t)(end - p));
    return (size_t)((q ? q : end) - p);
}

/* True when the line p[0..n) is "---" (trailing spaces and a CR allowed). */
static bool is_fence(const char *p, size_t n) {
    while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    return n == 3 && !memcmp(p, "---", 3);
}

static void entries_free(fm_entry *e, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(e[i].key);
        free(e[i].value);
        for (size_t j = 0; j < e[i].nitems; j++) free(e[i].items[j]);
        free(e[i].items);
    }
    free(e);
}

void frontmatter_free(frontmatter *fm) {
    if (!fm) return;
    entries_free(fm->entries, fm->n);
    free(fm);
}

static char *scalar_dup(yaml_node_t *n) {
    return xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
}

/* Fills fm from the loaded document; yaml lines are 0-based from the block's first line. */
static bool flatten(yaml_document_t *doc, frontmatter *fm, size_t first_line, size_t *line,
                    perr *err) {
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) return true; /* empty front matter */
    if (root->type != YAML_MAPPING_NODE) {
        *line = first_line + root->start_mark.line;
        return perr_set(err, "the front matter must be a list of \"key: value\" lines");
    }
    size_t count = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
    fm->entries = xcalloc(count ? count : 1, sizeof *fm->entries);
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (!k || !v) return perr_set(err, "invalid front matter");
        *line = first_line + k->start_mark.line;
        if (k->type != YAML_SCALAR_NODE) return perr_set(err, "a key must be a plain word");
        char *key = scalar_dup(k);
        if (frontmatter_get(fm, key)) {
            perr_set(err, "duplicate key \"%s\"", key);
            free(key);
            return false;
        }
        fm_entry *e = &fm->entries[fm->n++];
        e->key = key;
        e->line = *line;
        if (v->type == YAML_SCALAR_NODE) {
            e->value = scalar_dup(v);
        } else if (v->type == YAML_SEQUENCE_NODE) {
            size_t ni = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            e->items = xcalloc(ni ? ni : 1, sizeof *e->items);
            for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
                yaml_node_t *x = yaml_document_get_node(doc, *it);
                if (!x || x->type != YAML_SCALAR_NODE) {
                    *line = first_line + (x ? x->start_mark.line : v->start_mark.line);
                    return perr_set(err, "\"%s\" must be a list of texts", key);
                }
                e->items[e->nitems++] = scalar_dup(x);
            }
        } else {
            return perr_set(err, "\"%s\" must be a text or a list, not a mapping", key);
        }
    }
    return true;
}

frontmatter *frontmatter_parse(const char *src, size_t len, size_t *line, perr *err) {
    size_t dummy;
    if (!line) line = &dummy;
    *line = 1;
    const char *end = src + len, *p = src;
    size_t bad;
    frontmatter *fm = NULL;
    yaml_parser_t parser;
    yaml_document_t doc;
    bool have_parser = false, have_doc = false;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    size_t n = line_len(p, end);
    if (!is_fence(p, n)) {
        perr_set(err, "the file must start with a \"---\" line (front matter)");
        goto fail;
    }
    const char *yaml_start = p + n + (p + n < end);
    const char *q = yaml_start;
    size_t lineno = 2;
    while (q < end) {
        size_t m = line_len(q, end);
        if (is_fence(q, m)) break;
        q += m + (q + m < end);
        lineno++;
    }
    if (q >= end) {
        perr_set(err, "the front matter has no closing \"---\" line");
        goto fail;
    }
    size_t ylen = (size_t)(q - yaml_start);
    if (ylen > FM_MAX_BYTES) {
        perr_set(err, "the front matter is too large");
        goto fail;
    }
    if (!utf8_check(yaml_start, ylen, &bad)) {
        *line = 2;
        for (size_t i = 0; i < bad; i++) *line += yaml_start[i] == '\n';
        perr_set(err, "invalid UTF-8");
        goto fail;
    }
    *line = 0;
    for (size_t i = 0; i < ylen; i++) {
        if (yaml_start[i] == '\n') (*line)++;
        else if (yaml_start[i] == '\r' && (i + 1 == ylen || yaml_start[i + 1] != '\n')) {
            *line += 2; /* the block starts on line 2 */
            perr_set(err, "stray carriage return: end lines with LF or CRLF");
            goto fail;
        }
    }
    *line = 1;
    fm = xcalloc(1, sizeof *fm);
    size_t fence_len = line_len(q, end);
    fm->body_offset = (size_t)(q + fence_len + (q + fence_len < end) - src);
    fm->body_line = lineno + 1;
    if (!yaml_parser_initialize(&parser)) {
        perr_set(err, "out of memory");
        goto fail;
    }
    have_parser = true;
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml_start, ylen);
    if (!yaml_parser_load(&parser, &doc)) {
        *line = 2 + parser.problem_mark.line;
        perr_set(err, "invalid YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        goto fail;
    }
    have_doc = true;
    if (!flatten(&doc, fm, 2, line, err)) goto fail;
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    *line = 0;
    return fm;
fail:
    if (have_doc) yaml_document_delete(&doc);
    if (have_parser) yaml_parser_delete(&parser);
    frontmatter_free(fm);
    return NULL;
}

const fm_entry *frontmatter_get(const frontmatter *fm, const char *key) {
    for (size_t i = 0; fm && i < fm->n; i++)
        if (!strcmp(fm->entries[i].key, key)) return &fm->entries[i];
    return NULL;
}

const char *frontmatter_str(const frontmatter *fm, const char *key) {
    const fm_entry *e = frontmatter_get(fm, key);
    return e ? e->value : NULL;
}

size_t frontmatter_line(const frontmatter *fm, const char *key, size_t fallback) {
    const fm_entry *e = frontmatter_get(fm, key);
    return e ? e->line : fallback;
}
