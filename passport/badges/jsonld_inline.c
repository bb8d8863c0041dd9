/* SPDX-License-Identifier: EUPL-1.2 */
/* Inline @context objects into term tables (see jsonld_inline.h). */
#include "badges/jsonld_inline.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

typedef struct parse {
    const json_t *obj;
    jsonld_inline_lookup_fn lookup;
    void *ud;
    int depth; /* terms defined through other local terms */
} parse;

static bool gen_delim(char ch) {
    return ch && strchr(":/?#[]@", ch) != NULL;
}

/* jsonld.js's absolute IRI test, ASCII part: scheme ":" and no space. */
static bool absolute(const char *v) {
    const char *p = v;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return false;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
           *p == '-' || *p == '.')
        p++;
    return *p == ':' && !strpbrk(v, " \t\n\r\f\v");
}

static char *local_iri(parse *p, const char *name, bool *prefix);

/* Expands v (an @id, @type or simple definition) to an absolute IRI: a term (local, then
 * active), a compact IRI on a prefix, or an absolute IRI. NULL when it is none. */
static char *expand(parse *p, const char *v) {
    bool pf = false;
    if (!strchr(v, ':')) return local_iri(p, v, &pf);
    const char *colon = strchr(v, ':');
    if (colon == v || (colon - v == 1 && v[0] == '_')) return NULL; /* blank node ids: not IRIs */
    if (colon[1] == '/' && colon[2] == '/') return absolute(v) ? xstrdup(v) : NULL;
    char *prefix = xstrndup(v, (size_t)(colon - v));
    char *base = local_iri(p, prefix, &pf);
    free(prefix);
    if (base && pf) {
        buf b = BUF_INIT;
        buf_puts(&b, base);
        buf_puts(&b, colon + 1);
        free(base);
        return absolute(buf_cstr(&b)) ? buf_detach(&b) : (buf_free(&b), NULL);
    }
    free(base);
    return absolute(v) ? xstrdup(v) : NULL;
}

/* The IRI of term name, defined in the inline object or the active context, and whether
 * it may be used as a prefix. NULL when undefined. */
static char *local_iri(parse *p, const char *name, bool *prefix) {
    const json_t *def = json_object_get(p->obj, name);
    if (def && p->depth < 8) {
        const json_t *id = json_is_object(def) ? json_object_get(def, "@id") : def;
        if (!json_is_string(id) || json_string_value(id)[0] == '@') return NULL;
        p->depth++;
        char *iri = expand(p, json_string_value(id));
        p->depth--;
        const json_t *pf = json_is_object(def) ? json_object_get(def, "@prefix") : NULL;
        *prefix = iri && (json_is_string(def) ? gen_delim(iri[strlen(iri) - 1]) : json_is_true(pf));
        return iri;
    }
    if (def) return NULL;
    const jsonld_term *t = p->lookup ? p->lookup(name, p->ud) : NULL;
    if (!t || t->iri[0] == '@') return NULL;
    *prefix = t->prefix;
    return xstrdup(t->iri);
}

static int cmp_terms(const void *a, const void *b) {
    return strcmp(((const jsonld_term *)a)->name, ((const jsonld_term *)b)->name);
}

/* One term definition into t (strings owned by the context). */
static bool define(parse *p, const char *name, const json_t *def, jsonld_term *t, perr *err) {
    *t = (jsonld_term){.name = xstrdup(name), .kind = JSONLD_PLAIN, .container = JSONLD_NONE};
    if (strchr(name, ':') || !*name) return perr_set(err, "jsonld: inline @context: term '%.80s' is not supported", name);
    const json_t *id = def;
    if (json_is_object(def)) {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)def, k, v) {
            if (strcmp(k, "@id") && strcmp(k, "@type") && strcmp(k, "@container") && strcmp(k, "@prefix"))
                return perr_set(err, "jsonld: inline @context: '%.40s' in the definition of '%.80s' is not supported", k,
                                name);
        }
        id = json_object_get(def, "@id");
        const json_t *ty = json_object_get(def, "@type");
        if (ty) {
            const char *tv = json_string_value(ty);
            if (!tv) return perr_set(err, "jsonld: inline @context: @type of '%.80s' must be a string", name);
            if (!strcmp(tv, "@id")) t->kind = JSONLD_ID;
            else if (!strcmp(tv, "@vocab")) t->kind = JSONLD_VOCAB;
            else if (!strcmp(tv, "@json")) t->kind = JSONLD_JSON;
            else if (tv[0] == '@' || !(t->datatype = expand(p, tv)))
                return perr_set(err, "jsonld: inline @context: @type '%.80s' of '%.80s' is not an IRI", tv, name);
            else t->kind = JSONLD_TYPED;
        }
        const json_t *co = json_object_get(def, "@container");
        if (json_is_array(co) && json_array_size(co) == 1) co = json_array_get(co, 0);
        if (co) {
            const char *cv = json_string_value(co);
            if (cv && !strcmp(cv, "@set")) t->container = JSONLD_SET;
            else if (cv && !strcmp(cv, "@list")) t->container = JSONLD_LIST;
            else if (cv && !strcmp(cv, "@graph")) t->container = JSONLD_GRAPH;
            else return perr_set(err, "jsonld: inline @context: @container of '%.80s' is not supported", name);
        }
        const json_t *pf = json_object_get(def, "@prefix");
        if (pf && !json_is_boolean(pf)) return perr_set(err, "jsonld: inline @context: @prefix of '%.80s'", name);
        t->prefix = json_is_true(pf);
    }
    const char *iv = json_string_value(id);
    if (!iv) return perr_set(err, "jsonld: inline @context: '%.80s' has no IRI (no @vocab here)", name);
    /* a term of the active context that aliases a keyword ("id", "type") */
    const jsonld_term *at = !strchr(iv, ':') && !json_object_get(p->obj, iv) && p->lookup ? p->lookup(iv, p->ud) : NULL;
    if (at && at->iri[0] == '@') iv = at->iri;
    if (!strcmp(iv, "@id") || !strcmp(iv, "@type")) {
        if (def != id && json_object_size(def) > 1)
            return perr_set(err, "jsonld: inline @context: alias '%.80s' with other members", name);
        t->iri = xstrdup(iv);
        t->kind = iv[1] == 'i' ? JSONLD_ALIAS_ID : JSONLD_ALIAS_TYPE;
        return true;
    }
    if (iv[0] == '@') return perr_set(err, "jsonld: inline @context: '%.80s' aliases %.40s", name, iv);
    if (!(t->iri = expand(p, iv)))
        return perr_set(err, "jsonld: inline @context: '%.80s' does not expand to an absolute IRI", name);
    if (def == id) t->prefix = gen_delim(t->iri[strlen(t->iri) - 1]);
    return true;
}

jsonld_context *jsonld_inline_parse(const json_t *obj, jsonld_inline_lookup_fn lookup, void *ud, perr *err) {
    jsonld_context *ctx = xcalloc(1, sizeof *ctx);
    size_t n = json_object_size(obj);
    if (n > JSONLD_INLINE_MAX_TERMS) {
        perr_set(err, "jsonld: inline @context with more than %d terms", JSONLD_INLINE_MAX_TERMS);
        free(ctx);
        return NULL;
    }
    jsonld_term *terms = xcalloc(n ? n : 1, sizeof *terms);
    ctx->terms = terms;
    parse p = {obj, lookup, ud, 0};
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        if (!strcmp(k, "@version")) {
            if (!json_is_number(v) || json_number_value(v) != 1.1) goto unsupported;
            continue;
        }
        if (!strcmp(k, "@protected")) {
            if (!json_is_boolean(v)) goto unsupported;
            ctx->protected_terms = json_is_true(v);
            continue;
        }
        if (k[0] == '@') goto unsupported;
        ctx->nterms++;
        if (!define(&p, k, v, &terms[ctx->nterms - 1], err)) goto fail;
        continue;
    unsupported:
        perr_set(err, "jsonld: inline @context: %.40s is not supported", k);
        goto fail;
    }
    qsort(terms, ctx->nterms, sizeof *terms, cmp_terms);
    return ctx;
fail:
    jsonld_inline_free(ctx);
    return NULL;
}

void jsonld_inline_free(jsonld_context *ctx) {
    if (!ctx) return;
    jsonld_term *terms = (jsonld_term *)ctx->terms;
    for (size_t i = 0; i < ctx->nterms; i++) {
        free((char *)terms[i].name);
        free((char *)terms[i].iri);
        free((char *)terms[i].datatype);
    }
    free(terms);
    free(ctx);
}
