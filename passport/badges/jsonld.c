/* SPDX-License-Identifier: EUPL-1.2 */
/* JSON-LD expansion and RDF conversion in one walk over the jansson tree. The active
 * context is an immutable stack of context tables; "previous" remembers the context before
 * non-propagated (type-scoped) contexts, which nested node objects revert to. */
#include "badges/jsonld.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/jsonld_ctx.h"
#include "badges/jsonld_inline.h"
#include "badges/jsonld_number.h"
#include "badges/rdfc.h"
#include "core/buf.h"

#define JSONLD_MAX_DEPTH 64
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

typedef struct actx {
    const jsonld_context **layers; /* lookups from the last one down */
    size_t n;
    const struct actx *previous;   /* context to revert to in nested nodes, or NULL */
    struct actx *next_alloc;       /* arena chain */
} actx;

typedef struct conv {
    rdf_quads *out;
    perr *err;
    unsigned long next_blank;
    json_t *doc_labels; /* document blank node label -> private number */
    actx *arena;
    int depth;
    jsonld_context **inline_ctx; /* parsed inline @context objects, freed at the end */
    size_t ninline;
} conv;

/* A term produced for a value: kind RDF_IRI/RDF_BLANK/RDF_LITERAL with owned strings. */
typedef struct vterm {
    rdf_kind kind;
    char *value, *datatype, *lang;
} vterm;

static void vterm_free(vterm *t) {
    free(t->value);
    free(t->datatype);
    free(t->lang);
    *t = (vterm){0};
}

static rdf_term as_rdf(const vterm *t) {
    return (rdf_term){t->kind, t->value, t->datatype, t->lang};
}

/* ---- active contexts ---- */

static actx *actx_alloc(conv *c, size_t n) {
    actx *a = xcalloc(1, sizeof *a);
    a->layers = xcalloc(n ? n : 1, sizeof *a->layers);
    a->next_alloc = c->arena;
    c->arena = a;
    return a;
}

static const jsonld_term *lookup_in(const actx *a, const char *name, size_t *layer) {
    for (size_t i = a->n; i-- > 0;) {
        const jsonld_term *t = jsonld_ctx_term(a->layers[i], name);
        if (t) {
            if (layer) *layer = i;
            return t;
        }
    }
    return NULL;
}

static const jsonld_term *lookup(const actx *a, const char *name) {
    return a ? lookup_in(a, name, NULL) : NULL;
}

/* Pushes ctx on a. Protected terms may only be redefined identically unless
 * override_protected (property-scoped contexts). propagate false (type-scoped contexts)
 * records the context to revert to. */
static const actx *actx_push(conv *c, const actx *a, const jsonld_context *ctx, bool override_protected,
                             bool propagate) {
    if (!override_protected && a) {
        for (size_t i = 0; i < ctx->nterms; i++) {
            size_t layer = 0;
            const jsonld_term *old = lookup_in(a, ctx->terms[i].name, &layer);
            if (old && a->layers[layer]->protected_terms && !jsonld_ctx_term_equal(old, &ctx->terms[i])) {
                perr_set(c->err, "jsonld: protected term redefinition: '%s'", ctx->terms[i].name);
                return NULL;
            }
        }
    }
    size_t n = a ? a->n : 0;
    actx *r = actx_alloc(c, n + 1);
    if (n) memcpy(r->layers, a->layers, n * sizeof *r->layers);
    r->layers[n] = ctx;
    r->n = n + 1;
    r->previous = a ? a->previous : NULL;
    if (!propagate && !r->previous) r->previous = a;
    return r;
}

static const jsonld_term *lookup_active(const char *name, void *ud) {
    return lookup(ud, name);
}

/* Applies a "@context" value to *a: a known URL, an inline context object, or an array
 * of them ([] changes nothing). */
static bool apply_context(conv *c, const actx **a, const json_t *v) {
    if (json_is_object(v)) {
        if (c->ninline >= 16) return perr_set(c->err, "jsonld: more than 16 inline @context objects");
        jsonld_context *ctx = jsonld_inline_parse(v, lookup_active, (void *)*a, c->err);
        if (!ctx) return false;
        c->inline_ctx = xrealloc(c->inline_ctx, (c->ninline + 1) * sizeof *c->inline_ctx);
        c->inline_ctx[c->ninline++] = ctx;
        *a = actx_push(c, *a, ctx, false, true);
        return *a != NULL;
    }
    if (json_is_string(v)) {
        const jsonld_context *ctx = jsonld_ctx_find(json_string_value(v));
        if (!ctx) return perr_set(c->err, "jsonld: unknown @context '%s'", json_string_value(v));
        *a = actx_push(c, *a, ctx, false, true);
        return *a != NULL;
    }
    if (json_is_array(v)) {
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e) && !json_is_object(e))
                return perr_set(c->err, "jsonld: @context holds context URLs and objects");
            if (!apply_context(c, a, e)) return false;
        }
        return true;
    }
    return perr_set(c->err, "jsonld: @context holds context URLs and objects");
}

/* ---- IRIs ---- */

/* JavaScript's \s (WhiteSpace and LineTerminator) for code point cp. */
static bool js_space(uint32_t cp) {
    return cp == 9 || cp == 10 || cp == 11 || cp == 12 || cp == 13 || cp == 32 || cp == 0xa0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff;
}

static uint32_t utf8_next(const unsigned char **p) {
    const unsigned char *s = *p;
    uint32_t cp;
    int n;
    if (s[0] < 0x80) cp = s[0], n = 1;
    else if (s[0] < 0xe0) cp = s[0] & 0x1f, n = 2;
    else if (s[0] < 0xf0) cp = s[0] & 0x0f, n = 3;
    else cp = s[0] & 0x07, n = 4;
    for (int i = 1; i < n && (s[i] & 0xc0) == 0x80; i++) cp = cp << 6 | (s[i] & 0x3f);
    int i = 1;
    while (i < n && s[i] && (s[i] & 0xc0) == 0x80) i++;
    *p = s + i;
    return cp;
}

/* jsonld.js's absolute IRI test: /^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$/ */
static bool is_absolute(const char *v) {
    const unsigned char *p = (const unsigned char *)v;
    if (p[0] == '_') {
        p++;
    } else {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return false;
        p++;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '+' || *p == '-' || *p == '.')
            p++;
    }
    if (*p != ':') return false;
    p++;
    while (*p)
        if (js_space(utf8_next(&p))) return false;
    return true;
}

static const char *const KEYWORDS[] = {
    "@base", "@container", "@context", "@default", "@direction", "@embed", "@explicit", "@graph",
    "@id", "@import", "@included", "@index", "@json", "@language", "@list", "@nest", "@none",
    "@omitDefault", "@prefix", "@preserve", "@propagate", "@protected", "@requireAll", "@reverse",
    "@set", "@type", "@value", "@version", "@vocab",
};

static bool is_keyword(const char *v) {
    if (v[0] != '@') return false; /* every keyword starts with '@': skip the table */
    for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++)
        if (!strcmp(v, KEYWORDS[i])) return true;
    return false;
}

/* "@" followed by letters only: reserved for future keywords. */
static bool is_keyword_like(const char *v) {
    if (v[0] != '@' || !v[1]) return false;
    for (const char *p = v + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return false;
    return true;
}

/* IRI expansion. Returns a new string (an absolute IRI, "_:label" or a keyword) the
 * caller frees, or NULL when v does not expand to one of them. */
static char *expand_iri(const actx *a, const char *v, bool vocab) {
    if (is_keyword(v)) return xstrdup(v);
    if (is_keyword_like(v)) return NULL;
    if (vocab) {
        const jsonld_term *t = lookup(a, v);
        if (t) return xstrdup(t->iri);
    }
    const char *colon = strchr(v, ':');
    if (colon && colon > v) {
        size_t plen = (size_t)(colon - v);
        if (plen == 1 && v[0] == '_') return xstrdup(v);
        if (colon[1] == '/' && colon[2] == '/') return is_absolute(v) ? xstrdup(v) : NULL;
        char *prefix = xstrndup(v, plen);
        const jsonld_term *t = lookup(a, prefix);
        free(prefix);
        if (t && t->prefix) {
            buf b = BUF_INIT;
            buf_puts(&b, t->iri);
            buf_puts(&b, colon + 1);
            return buf_detach(&b);
        }
        if (is_absolute(v)) return xstrdup(v);
    }
    return NULL;
}

/* Turns an expanded IRI or "_:label" into a term; document labels get private numbers. */
static vterm node_term(conv *c, const char *iri) {
    if (iri[0] == '_' && iri[1] == ':') {
        json_t *n = json_object_get(c->doc_labels, iri + 2);
        unsigned long id;
        if (n) {
            id = (unsigned long)json_integer_value(n);
        } else {
            id = (unsigned long)json_object_size(c->doc_labels) + 1;
            json_object_set_new(c->doc_labels, iri + 2, json_integer((json_int_t)id));
        }
        char label[32];
        snprintf(label, sizeof label, "d%lu", id);
        return (vterm){RDF_BLANK, xstrdup(label), NULL, NULL};
    }
    return (vterm){RDF_IRI, xstrdup(iri), NULL, NULL};
}

static vterm fresh_blank(conv *c) {
    char label[32];
    snprintf(label, sizeof label, "b%lu", ++c->next_blank);
    return (vterm){RDF_BLANK, xstrdup(label), NULL, NULL};
}

static void emit(conv *c, const vterm *s, const char *p, const vterm *o, const vterm *g) {
    rdf_quads_add(c->out, as_rdf(s), rdf_iri(p), as_rdf(o), g ? as_rdf(g) : rdf_default_graph());
}

/* Expands key under a: a keyword, an IRI, or NULL (unknown term). */
static char *expand_key(const actx *a, const char *key) {
    char *e = expand_iri(a, key, true);
    if (e && e[0] == '_' && e[1] == ':') { /* blank node predicates are dropped: unsafe */
        free(e);
        return NULL;
    }
    return e;
}

/* ---- literals ---- */

/* The lexical form jsonld.js gives a JSON number (badges/jsonld_number.h). Integers
 * beyond 2^53 are first rounded to a double, as JavaScript reads them. dt_double: the term
 * coerces to xsd:double. */
static bool number_lexical(conv *c, const json_t *v, bool dt_double, buf *lex, bool *is_double) {
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    if (!isfinite(d)) return perr_set(c->err, "jsonld: number out of range");
    jsonld_number_lexical(d, dt_double, lex, is_double);
    return true;
}

/* jsonld.js's well-formedness test for language tags: /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/ */
static bool language_ok(const char *s) {
    size_t run = 0;
    bool first = true;
    for (const char *p = s;; p++) {
        bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        bool digit = *p >= '0' && *p <= '9';
        if (alpha || (digit && !first)) {
            if (++run > 8) return false;
        } else if (*p == '-' || !*p) {
            if (run == 0) return false;
            if (!*p) return true;
            run = 0;
            first = false;
        } else {
            return false;
        }
    }
}

/* Lowercases ASCII letters (language tags are normalised this way by jsonld.js). */
static char *lower(const char *s) {
    char *r = xstrdup(s);
    for (char *p = r; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return r;
}

/* A literal for a scalar JSON value v with the coercion of def (may be NULL). */
static bool scalar_literal(conv *c, const json_t *v, const char *datatype, vterm *out) {
    buf lex = BUF_INIT;
    const char *dt = datatype;
    if (json_is_string(v)) {
        if (dt && !strcmp(dt, XSD "double")) /* jsonld.js reads it with parseFloat, writes it canonical */
            jsonld_double_lexical(jsonld_parse_float(json_string_value(v)), &lex);
        else
            buf_puts(&lex, json_string_value(v));
    } else if (json_is_boolean(v)) {
        buf_puts(&lex, json_is_true(v) ? "true" : "false");
        if (!dt) dt = XSD "boolean";
    } else if (json_is_number(v)) {
        bool is_double = false;
        bool dt_double = dt && !strcmp(dt, XSD "double");
        if (!number_lexical(c, v, dt_double, &lex, &is_double)) {
            buf_free(&lex);
            return false;
        }
        if (!dt) dt = is_double ? XSD "double" : XSD "integer";
    } else {
        return perr_set(c->err, "jsonld: unexpected value kind");
    }
    if (dt && !strcmp(dt, RDF_XSD_STRING)) dt = NULL;
    *out = (vterm){RDF_LITERAL, buf_detach(&lex), xstrdup(dt), NULL};
    return true;
}

/* ---- values and nodes ---- */

static bool node(conv *c, const json_t *obj, const actx *a, const jsonld_term *def, const vterm *graph,
                 bool graph_top, vterm *subject);

/* Counts the members of obj expanding to kw under a. */
static size_t count_keyword(const actx *a, const json_t *obj, const char *kw) {
    size_t n = 0;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char *e = expand_key(a, k);
        if (e && !strcmp(e, kw)) n++;
        free(e);
    }
    return n;
}

/* A value object {"@value": ..., "@type"|"@language": ...}. */
static bool value_object(conv *c, const json_t *obj, const actx *a, vterm *out) {
    const json_t *value = NULL, *type = NULL, *lang = NULL;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char *e = expand_key(a, k);
        if (!e) return perr_set(c->err, "jsonld: unknown term '%s' in a value object", k);
        if (!strcmp(e, "@value")) value = v;
        else if (!strcmp(e, "@type")) type = v;
        else if (!strcmp(e, "@language")) lang = v;
        else {
            perr_set(c->err, "jsonld: '%s' is not supported in a value object", k);
            free(e);
            return false;
        }
        free(e);
    }
    if (json_is_null(value)) return perr_set(c->err, "jsonld: null @value");
    if (!json_is_string(value) && !json_is_number(value) && !json_is_boolean(value))
        return perr_set(c->err, "jsonld: @value must be a string, number or boolean");
    if (type && lang) return perr_set(c->err, "jsonld: a value object has both @type and @language");
    if (lang) {
        if (!json_is_string(lang) || !json_is_string(value))
            return perr_set(c->err, "jsonld: @language needs string values");
        if (!language_ok(json_string_value(lang)))
            return perr_set(c->err, "jsonld: invalid @language '%s'", json_string_value(lang));
        *out = (vterm){RDF_LITERAL, xstrdup(json_string_value(value)), NULL, lower(json_string_value(lang))};
        return true;
    }
    char *dt = NULL;
    if (type) {
        if (!json_is_string(type)) return perr_set(c->err, "jsonld: @type of a value must be a string");
        dt = expand_iri(a, json_string_value(type), true);
        if (!dt || dt[0] == '@' || (dt[0] == '_' && dt[1] == ':')) {
            free(dt);
            return perr_set(c->err, "jsonld: invalid value @type '%s'", json_string_value(type));
        }
    }
    bool ok = scalar_literal(c, value, dt, out);
    free(dt);
    return ok;
}

static bool list_value(conv *c, const json_t *items, const actx *a, const jsonld_term *def,
                       const vterm *graph, vterm *out);

/* Converts one non-array value v of a property defined by def (NULL for IRIs used as
 * keys) into *out. *skip is set for JSON null. */
static bool value_term(conv *c, const json_t *v, const actx *a, const jsonld_term *def, const vterm *graph,
                       vterm *out, bool *skip) {
    *skip = false;
    if (json_is_null(v)) {
        *skip = true;
        return true;
    }
    if (json_is_object(v)) {
        size_t nval = count_keyword(a, v, "@value"), nlist = count_keyword(a, v, "@list");
        if (nval) return value_object(c, v, a, out);
        if (nlist) {
            if (json_object_size(v) != 1) return perr_set(c->err, "jsonld: @list must be alone in its object");
            const char *k;
            const json_t *lv;
            json_object_foreach((json_t *)v, k, lv) return list_value(c, lv, a, def, graph, out);
        }
        if (count_keyword(a, v, "@set")) return perr_set(c->err, "jsonld: nested @set is not supported");
        return node(c, v, a, def, graph, false, out);
    }
    if (json_is_array(v)) return perr_set(c->err, "jsonld: nested arrays are not supported");
    const jsonld_kind kind = def ? def->kind : JSONLD_PLAIN;
    if (kind == JSONLD_JSON) return perr_set(c->err, "jsonld: @json values are not supported");
    if (json_is_string(v) && (kind == JSONLD_ID || kind == JSONLD_VOCAB)) {
        const actx *sa = a;
        if (def->scoped) {
            sa = actx_push(c, a, def->scoped, true, true);
            if (!sa) return false;
        }
        char *iri = expand_iri(sa, json_string_value(v), kind == JSONLD_VOCAB);
        if (!iri || iri[0] == '@') {
            free(iri);
            return perr_set(c->err, "jsonld: '%s' is not an absolute IRI", json_string_value(v));
        }
        *out = node_term(c, iri);
        free(iri);
        return true;
    }
    return scalar_literal(c, v, kind == JSONLD_TYPED ? def->datatype : NULL, out);
}

/* Builds an RDF collection from the array (or single value) items; *out is its head. */
static bool list_value(conv *c, const json_t *items, const actx *a, const jsonld_term *def,
                       const vterm *graph, vterm *out) {
    json_t *arr = json_is_array(items) ? json_incref((json_t *)items) : json_pack("[O]", items);
    vterm head = {RDF_IRI, xstrdup(RDF_NS "nil"), NULL, NULL}, prev = {0};
    bool ok = false;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        if (json_is_array(e)) {
            perr_set(c->err, "jsonld: lists of lists are not supported");
            goto fail;
        }
        vterm item = {0};
        bool skip = false;
        if (!value_term(c, e, a, def, graph, &item, &skip)) goto fail;
        if (skip) continue;
        vterm cell = fresh_blank(c);
        if (prev.value) {
            emit(c, &prev, RDF_NS "rest", &cell, graph);
            vterm_free(&prev);
        } else {
            vterm_free(&head);
            head = (vterm){cell.kind, xstrdup(cell.value), NULL, NULL};
        }
        emit(c, &cell, RDF_NS "first", &item, graph);
        vterm_free(&item);
        prev = cell;
    }
    if (prev.value) {
        vterm nil = {RDF_IRI, RDF_NS "nil", NULL, NULL};
        emit(c, &prev, RDF_NS "rest", &nil, graph);
    }
    *out = head;
    head = (vterm){0};
    ok = true;
fail:
    vterm_free(&prev);
    vterm_free(&head);
    json_decref(arr);
    return ok;
}

/* Emits the quads of property iri (definition def, may be NULL) with value v for subject
 * s; *present is set when the expanded value is not null (for jsonld.js's counting). */
static bool property(conv *c, const vterm *s, const char *iri, const jsonld_term *def, const json_t *v,
                     const actx *a, const vterm *graph, bool *present) {
    *present = !json_is_null(v);
    if (def && def->null_context) return perr_set(c->err, "jsonld: '%s' resets the context: not supported", def->name);
    jsonld_container cont = def ? def->container : JSONLD_NONE;
    if (cont == JSONLD_LIST && !(json_is_object(v) && count_keyword(a, v, "@list"))) {
        if (json_is_null(v)) return true;
        vterm head = {0};
        if (!list_value(c, v, a, def, graph, &head)) return false;
        emit(c, s, iri, &head, graph);
        vterm_free(&head);
        return true;
    }
    json_t *arr = json_is_array(v) ? json_incref((json_t *)v) : json_pack("[O]", v);
    /* {"@set": [...]} is its array */
    if (json_array_size(arr) == 1 && json_is_object(json_array_get(arr, 0)) &&
        count_keyword(a, json_array_get(arr, 0), "@set")) {
        const json_t *o = json_array_get(arr, 0);
        if (json_object_size(o) != 1) {
            json_decref(arr);
            return perr_set(c->err, "jsonld: @set must be alone in its object");
        }
        const char *k;
        const json_t *sv;
        json_t *inner = NULL;
        json_object_foreach((json_t *)o, k, sv) inner = json_is_array(sv) ? json_incref((json_t *)sv) : json_pack("[O]", sv);
        json_decref(arr);
        arr = inner;
    }
    bool ok = false;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        vterm o = {0};
        bool skip = false;
        if (cont == JSONLD_GRAPH) {
            if (json_is_null(e)) continue;
            vterm g = fresh_blank(c);
            json_t *nodev = json_is_string(e) && def && (def->kind == JSONLD_ID || def->kind == JSONLD_VOCAB)
                                ? json_pack("{ss}", "@id", json_string_value(e))
                                : json_incref((json_t *)e);
            bool r = json_is_object(nodev) && !count_keyword(a, nodev, "@value") &&
                     !count_keyword(a, nodev, "@list");
            if (!r) {
                perr_set(c->err, "jsonld: '%s' (a graph container) holds a value that is not a node", def->name);
            } else {
                r = node(c, nodev, a, def, &g, true, &o);
            }
            json_decref(nodev);
            if (!r) {
                vterm_free(&g);
                goto fail;
            }
            emit(c, s, iri, &g, graph);
            vterm_free(&g);
            vterm_free(&o);
            continue;
        }
        if (json_is_array(e)) { /* nested arrays flatten */
            bool pr;
            if (!property(c, s, iri, def, e, a, graph, &pr)) goto fail;
            continue;
        }
        if (!value_term(c, e, a, def, graph, &o, &skip)) goto fail;
        if (skip) continue;
        emit(c, s, iri, &o, graph);
        vterm_free(&o);
    }
    ok = true;
fail:
    json_decref(arr);
    return ok;
}

static int cmp_cstr(const void *x, const void *y) {
    return rdfc_utf16_cmp(*(const char *const *)x, *(const char *const *)y);
}

/* Applies the type-scoped contexts of the types of obj (looked up in a), in order. */
static const actx *apply_type_scopes(conv *c, const actx *a, const json_t *obj) {
    const char *names[64];
    size_t n = 0;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char *e = expand_key(a, k);
        bool is_type = e && !strcmp(e, "@type");
        free(e);
        if (!is_type) continue;
        if (json_is_string(v)) {
            if (n < 64) names[n] = json_string_value(v);
            n++;
        } else if (json_is_array(v)) {
            size_t i;
            const json_t *t;
            json_array_foreach(v, i, t) if (json_is_string(t)) {
                if (n < 64) names[n] = json_string_value(t);
                n++;
            }
        }
    }
    if (n > 64) {
        perr_set(c->err, "jsonld: more than 64 types on one node");
        return NULL;
    }
    qsort(names, n, sizeof names[0], cmp_cstr);
    const actx *r = a;
    for (size_t i = 0; i < n && r; i++) {
        const jsonld_term *t = lookup(a, names[i]);
        if (t && t->scoped) r = actx_push(c, r, t->scoped, false, false);
    }
    return r;
}

/* Emits the rdf:type quads of a @type value. */
static bool types(conv *c, const vterm *s, const json_t *v, const actx *type_ctx, const vterm *graph) {
    json_t *arr = json_is_array(v) ? json_incref((json_t *)v) : json_pack("[O]", v);
    bool ok = false;
    size_t i;
    const json_t *t;
    json_array_foreach(arr, i, t) {
        if (!json_is_string(t)) {
            perr_set(c->err, "jsonld: @type values must be strings");
            goto fail;
        }
        char *iri = expand_iri(type_ctx, json_string_value(t), true);
        if (!iri || iri[0] == '@') {
            perr_set(c->err, "jsonld: unknown type '%s'", json_string_value(t));
            free(iri);
            goto fail;
        }
        vterm o = node_term(c, iri);
        free(iri);
        emit(c, s, RDF_TYPE, &o, graph);
        vterm_free(&o);
    }
    ok = true;
fail:
    json_decref(arr);
    return ok;
}

/* Converts the node object obj. a is the active context where obj appears and def the
 * definition of the property holding it (NULL at the top). graph_top: obj is at the top
 * of a graph, where jsonld.js safe mode refuses empty and id-only objects. *subject
 * receives the node's term. */
static bool node(conv *c, const json_t *obj, const actx *a, const jsonld_term *def, const vterm *graph,
                 bool graph_top, vterm *subject) {
    if (++c->depth > JSONLD_MAX_DEPTH) {
        c->depth--;
        return perr_set(c->err, "jsonld: document nested too deeply");
    }
    bool ok = false;
    vterm s = {0};
    /* revert non-propagated contexts, unless obj is only a reference */
    if (a && a->previous && !(json_object_size(obj) == 1 && count_keyword(a, obj, "@id") == 1)) a = a->previous;
    if (def && def->null_context) {
        perr_set(c->err, "jsonld: '%s' resets the context: not supported", def->name);
        goto fail;
    }
    if (def && def->scoped && !(a = actx_push(c, a, def->scoped, true, true))) goto fail;
    const json_t *ctxv = json_object_get(obj, "@context");
    if (ctxv && !apply_context(c, &a, ctxv)) goto fail;
    if (!a) {
        perr_set(c->err, "jsonld: the document has no @context");
        goto fail;
    }
    const actx *type_ctx = a;
    if (!(a = apply_type_scopes(c, a, obj))) goto fail;
    /* subject */
    size_t count = 0;
    const char *k;
    const json_t *v;
    const json_t *idv = NULL;
    json_object_foreach((json_t *)obj, k, v) {
        char *e = expand_key(a, k);
        if (e && !strcmp(e, "@id")) {
            if (idv) {
                free(e);
                perr_set(c->err, "jsonld: colliding keywords: more than one @id");
                goto fail;
            }
            idv = v;
        }
        free(e);
    }
    bool has_id = false;
    if (idv) {
        if (!json_is_string(idv)) {
            perr_set(c->err, "jsonld: @id must be a string");
            goto fail;
        }
        char *iri = expand_iri(a, json_string_value(idv), false);
        if (!iri || iri[0] == '@') {
            perr_set(c->err, "jsonld: @id '%s' is not an absolute IRI", json_string_value(idv));
            free(iri);
            goto fail;
        }
        s = node_term(c, iri);
        free(iri);
        has_id = true;
        count++;
    } else {
        s = fresh_blank(c);
    }
    json_object_foreach((json_t *)obj, k, v) {
        char *e = expand_key(a, k);
        if (!e) {
            perr_set(c->err, "jsonld: unknown term '%s'", k);
            goto fail;
        }
        bool r = true, present = true;
        if (!strcmp(e, "@context") || !strcmp(e, "@id")) {
            present = false;
        } else if (!strcmp(e, "@type")) {
            r = types(c, &s, v, type_ctx, graph);
        } else if (e[0] == '@') {
            perr_set(c->err, "jsonld: keyword '%s' is not supported here", e);
            r = false;
        } else {
            r = property(c, &s, e, lookup(a, k), v, a, graph, &present);
        }
        free(e);
        if (!r) goto fail;
        if (present) count++;
    }
    if (graph_top && count == 0) {
        perr_set(c->err, "jsonld: empty object at the top of a graph (dropped by JSON-LD)");
        goto fail;
    }
    if (graph_top && count == 1 && has_id) {
        perr_set(c->err, "jsonld: object with only an id at the top of a graph (dropped by JSON-LD)");
        goto fail;
    }
    *subject = s;
    s = (vterm){0};
    ok = true;
fail:
    vterm_free(&s);
    c->depth--;
    return ok;
}

bool jsonld_to_quads(const json_t *doc, rdf_quads *out, perr *err) {
    if (!json_is_object(doc)) return perr_set(err, "jsonld: the document must be a JSON object");
    conv c = {.out = out, .err = err, .doc_labels = json_object()};
    vterm s = {0};
    bool ok = node(&c, doc, NULL, NULL, NULL, true, &s);
    vterm_free(&s);
    json_decref(c.doc_labels);
    while (c.arena) {
        actx *n = c.arena->next_alloc;
        free(c.arena->layers);
        free(c.arena);
        c.arena = n;
    }
    for (size_t i = 0; i < c.ninline; i++) jsonld_inline_free(c.inline_ctx[i]);
    free(c.inline_ctx);
    return ok;
}

bool jsonld_canonize(const json_t *doc, char **out, perr *err) {
    rdf_quads *q = rdf_quads_new();
    bool ok = jsonld_to_quads(doc, q, err) && rdfc_canonicalize(q, RDFC_WORK_DEFAULT, out, err);
    rdf_quads_free(q);
    return ok;
}
