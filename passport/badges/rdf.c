/* SPDX-License-Identifier: EUPL-1.2 */
/* RDF terms and quad lists; N-Quads writing (RDFC-1.0 canonical escaping) and reading. */
#include "badges/rdf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

rdf_term rdf_iri(const char *iri) {
    return (rdf_term){RDF_IRI, iri, NULL, NULL};
}

rdf_term rdf_blank(const char *label) {
    return (rdf_term){RDF_BLANK, label, NULL, NULL};
}

rdf_term rdf_literal(const char *lexical, const char *datatype) {
    if (datatype && !strcmp(datatype, RDF_XSD_STRING)) datatype = NULL;
    return (rdf_term){RDF_LITERAL, lexical, datatype, NULL};
}

rdf_term rdf_lang_literal(const char *lexical, const char *lang) {
    return (rdf_term){RDF_LITERAL, lexical, NULL, lang};
}

rdf_term rdf_default_graph(void) {
    return (rdf_term){RDF_DEFAULT_GRAPH, NULL, NULL, NULL};
}

rdf_quads *rdf_quads_new(void) {
    return xcalloc(1, sizeof(rdf_quads));
}

static void term_free(rdf_term *t) {
    free((char *)t->value);
    free((char *)t->datatype);
    free((char *)t->lang);
}

void rdf_quads_free(rdf_quads *q) {
    if (!q) return;
    for (size_t i = 0; i < q->len; i++) {
        term_free(&q->items[i].s);
        term_free(&q->items[i].p);
        term_free(&q->items[i].o);
        term_free(&q->items[i].g);
    }
    free(q->items);
    free(q);
}

static rdf_term term_copy(rdf_term t) {
    return (rdf_term){t.kind, xstrdup(t.value), xstrdup(t.datatype), xstrdup(t.lang)};
}

void rdf_quads_add(rdf_quads *q, rdf_term s, rdf_term p, rdf_term o, rdf_term g) {
    if (q->len == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->items = xrealloc(q->items, q->cap * sizeof *q->items);
    }
    q->items[q->len++] = (rdf_quad){term_copy(s), term_copy(p), term_copy(o), term_copy(g)};
}

static void put_uchar(buf *b, unsigned char c) {
    static const char hex[] = "0123456789ABCDEF";
    char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
    buf_append(b, u, 6);
}

/* True for the bytes an IRI in N-Quads must write as \u00XX (RDFC-1.0 / N-Quads); 0xC0
 * only starts RDF_NUL (it is never in valid UTF-8). */
static bool iri_escaped(unsigned char c) {
    return c <= 0x20 || c == 0xc0 || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^' ||
           c == '`' || c == '\\';
}

/* Runs of bytes that need no escape are appended at once (hot path of canonicalisation). */
static void write_iri(buf *b, const char *s) {
    buf_putc(b, '<');
    const unsigned char *run = (const unsigned char *)s, *p = run;
    for (; *p; p++) {
        if (!iri_escaped(*p)) continue;
        buf_append(b, run, (size_t)(p - run));
        bool nul = *p == 0xc0 && p[1] == 0x80;
        put_uchar(b, nul ? 0 : *p);
        p += nul;
        run = p + 1;
    }
    buf_append(b, run, (size_t)(p - run));
    buf_putc(b, '>');
}

static void write_literal(buf *b, const char *s) {
    buf_putc(b, '"');
    const unsigned char *run = (const unsigned char *)s, *p = run;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f && *p != 0xc0) continue;
        buf_append(b, run, (size_t)(p - run));
        if (*p == 0xc0 && p[1] == 0x80) p++; /* RDF_NUL: "\u0000" below */
        run = p + 1;
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\b': buf_puts(b, "\\b"); break;
        case '\f': buf_puts(b, "\\f"); break;
        default: put_uchar(b, *p == 0x80 ? 0 : *p);
        }
    }
    buf_append(b, run, (size_t)(p - run));
    buf_putc(b, '"');
}

void rdf_term_write(buf *b, const rdf_term *t) {
    switch (t->kind) {
    case RDF_DEFAULT_GRAPH: break;
    case RDF_IRI: write_iri(b, t->value); break;
    case RDF_BLANK:
        buf_puts(b, "_:");
        buf_puts(b, t->value);
        break;
    case RDF_LITERAL:
        write_literal(b, t->value);
        if (t->lang) {
            buf_putc(b, '@');
            buf_puts(b, t->lang);
        } else if (t->datatype) {
            buf_puts(b, "^^");
            write_iri(b, t->datatype);
        }
        break;
    }
}

void rdf_quad_write(buf *b, const rdf_quad *q) {
    rdf_term_write(b, &q->s);
    buf_putc(b, ' ');
    rdf_term_write(b, &q->p);
    buf_putc(b, ' ');
    rdf_term_write(b, &q->o);
    if (q->g.kind != RDF_DEFAULT_GRAPH) {
        buf_putc(b, ' ');
        rdf_term_write(b, &q->g);
    }
    buf_puts(b, " .\n");
}

void rdf_quads_write(buf *b, const rdf_quads *q) {
    for (size_t i = 0; i < q->len; i++) rdf_quad_write(b, &q->items[i]);
}

/* ---- reader ---- */

typedef struct reader {
    const char *p;
    size_t line;
} reader;

static void skip_ws(reader *r) {
    while (*r->p == ' ' || *r->p == '\t') r->p++;
}

static void put_utf8(buf *b, uint32_t cp) {
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xc0 | cp >> 6));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xe0 | cp >> 12));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(b, (char)(0xf0 | cp >> 18));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* Decodes \uXXXX or \UXXXXXXXX at r->p (just after the backslash and letter). */
static bool read_hex(reader *r, int digits, buf *out, perr *err) {
    uint32_t cp = 0;
    for (int i = 0; i < digits; i++) {
        char c = r->p[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) return perr_set(err, "line %zu: bad \\u escape", r->line);
        cp = cp << 4 | (uint32_t)v;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
        return perr_set(err, "line %zu: escape is not a Unicode scalar value", r->line);
    r->p += digits;
    if (cp == 0) buf_append(out, RDF_NUL, 2); /* terms are C strings: U+0000 as C0 80 */
    else put_utf8(out, cp);
    return true;
}

static bool read_iri(reader *r, buf *out, perr *err) {
    r->p++; /* '<' */
    while (*r->p != '>') {
        if (!*r->p || *r->p == '\n') return perr_set(err, "line %zu: unterminated IRI", r->line);
        if (*r->p == '\\') {
            char k = r->p[1];
            r->p += 2;
            if (k != 'u' && k != 'U') return perr_set(err, "line %zu: bad IRI escape", r->line);
            if (!read_hex(r, k == 'u' ? 4 : 8, out, err)) return false;
        } else {
            buf_putc(out, *r->p++);
        }
    }
    r->p++;
    return true;
}

static bool read_label(reader *r, buf *out, perr *err) {
    r->p += 2; /* "_:" */
    while (*r->p && !strchr(" \t\n\r.", *r->p)) buf_putc(out, *r->p++);
    /* a label may contain '.', but not at its end */
    while (*r->p == '.' && r->p[1] && !strchr(" \t\n\r", r->p[1])) {
        buf_putc(out, *r->p++);
        while (*r->p && !strchr(" \t\n\r.", *r->p)) buf_putc(out, *r->p++);
    }
    if (!out->len) return perr_set(err, "line %zu: empty blank node label", r->line);
    return true;
}

static bool read_string(reader *r, buf *out, perr *err) {
    r->p++; /* '"' */
    while (*r->p != '"') {
        if (!*r->p || *r->p == '\n') return perr_set(err, "line %zu: unterminated literal", r->line);
        if (*r->p != '\\') {
            buf_putc(out, *r->p++);
            continue;
        }
        char k = r->p[1];
        r->p += 2;
        switch (k) {
        case 't': buf_putc(out, '\t'); break;
        case 'b': buf_putc(out, '\b'); break;
        case 'n': buf_putc(out, '\n'); break;
        case 'r': buf_putc(out, '\r'); break;
        case 'f': buf_putc(out, '\f'); break;
        case '"': buf_putc(out, '"'); break;
        case '\'': buf_putc(out, '\''); break;
        case '\\': buf_putc(out, '\\'); break;
        case 'u':
        case 'U':
            if (!read_hex(r, k == 'u' ? 4 : 8, out, err)) return false;
            break;
        default: return perr_set(err, "line %zu: bad string escape", r->line);
        }
    }
    r->p++;
    return true;
}

/* Reads one term into kind and the three buffers; allow says which kinds may appear. */
static bool read_term(reader *r, rdf_kind *kind, buf *v, buf *dt, buf *lang, bool literal_ok,
                      perr *err) {
    skip_ws(r);
    if (*r->p == '<') {
        *kind = RDF_IRI;
        return read_iri(r, v, err);
    }
    if (r->p[0] == '_' && r->p[1] == ':') {
        *kind = RDF_BLANK;
        return read_label(r, v, err);
    }
    if (*r->p == '"' && literal_ok) {
        *kind = RDF_LITERAL;
        if (!read_string(r, v, err)) return false;
        if (r->p[0] == '^' && r->p[1] == '^') {
            r->p += 2;
            if (*r->p != '<') return perr_set(err, "line %zu: datatype must be an IRI", r->line);
            return read_iri(r, dt, err);
        }
        if (*r->p == '@') {
            r->p++;
            while ((*r->p >= 'a' && *r->p <= 'z') || (*r->p >= 'A' && *r->p <= 'Z') ||
                   (*r->p >= '0' && *r->p <= '9') || *r->p == '-')
                buf_putc(lang, *r->p++);
            if (!lang->len) return perr_set(err, "line %zu: empty language tag", r->line);
        }
        return true;
    }
    return perr_set(err, "line %zu: expected a term", r->line);
}

static rdf_term as_term(rdf_kind k, const buf *v, const buf *dt, const buf *lang) {
    rdf_term t = {k, buf_cstr(v), NULL, NULL};
    if (k == RDF_LITERAL) {
        if (lang->len) t.lang = buf_cstr(lang);
        else if (dt->len) t = rdf_literal(buf_cstr(v), buf_cstr(dt));
    }
    return t;
}

bool rdf_quads_parse(rdf_quads *q, const char *text, perr *err) {
    reader r = {text, 1};
    buf v[4] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
    buf dt = BUF_INIT, lang = BUF_INIT;
    bool ok = false;
    while (*r.p) {
        skip_ws(&r);
        if (*r.p == '#' || *r.p == '\n' || *r.p == '\r' || !*r.p) {
            while (*r.p && *r.p != '\n') r.p++;
            if (*r.p) r.p++, r.line++;
            continue;
        }
        rdf_kind k[4] = {RDF_IRI, RDF_IRI, RDF_IRI, RDF_DEFAULT_GRAPH};
        for (int i = 0; i < 4; i++) buf_reset(&v[i]);
        buf_reset(&dt);
        buf_reset(&lang);
        if (!read_term(&r, &k[0], &v[0], &dt, &lang, false, err)) goto fail;
        if (!read_term(&r, &k[1], &v[1], &dt, &lang, false, err)) goto fail;
        if (k[1] != RDF_IRI) {
            perr_set(err, "line %zu: predicate must be an IRI", r.line);
            goto fail;
        }
        if (!read_term(&r, &k[2], &v[2], &dt, &lang, true, err)) goto fail;
        skip_ws(&r);
        if (*r.p != '.') {
            if (!read_term(&r, &k[3], &v[3], &dt, &lang, false, err)) goto fail;
            skip_ws(&r);
        }
        if (*r.p != '.') {
            perr_set(err, "line %zu: expected '.'", r.line);
            goto fail;
        }
        r.p++;
        skip_ws(&r);
        if (*r.p == '#')
            while (*r.p && *r.p != '\n') r.p++;
        if (*r.p == '\r') r.p++;
        if (*r.p && *r.p != '\n') {
            perr_set(err, "line %zu: trailing characters after '.'", r.line);
            goto fail;
        }
        rdf_term g = k[3] == RDF_DEFAULT_GRAPH ? rdf_default_graph() : as_term(k[3], &v[3], &dt, &lang);
        rdf_quads_add(q, as_term(k[0], &v[0], &dt, &lang), as_term(k[1], &v[1], &dt, &lang),
                      as_term(k[2], &v[2], &dt, &lang), g);
    }
    ok = true;
fail:
    for (int i = 0; i < 4; i++) buf_free(&v[i]);
    buf_free(&dt);
    buf_free(&lang);
    return ok;
}
