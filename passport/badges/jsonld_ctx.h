/* SPDX-License-Identifier: EUPL-1.2 */
/* The JSON-LD contexts Passport understands, as tables of term definitions: W3C VC 2.0,
 * Data Integrity v2, Bitstring Status List v1, Open Badges 3.0.3 and CLR 2.0.1. */
#ifndef PASSPORT_BADGES_JSONLD_CTX_H
#define PASSPORT_BADGES_JSONLD_CTX_H

#include <stdbool.h>
#include <stddef.h>

/* How a term's string values are interpreted (its "@type" mapping). */
typedef enum jsonld_kind {
    JSONLD_PLAIN,      /* no coercion: strings are xsd:string literals */
    JSONLD_ID,         /* "@type": "@id": strings are IRIs (document-relative) */
    JSONLD_VOCAB,      /* "@type": "@vocab": strings are terms or IRIs */
    JSONLD_TYPED,      /* "@type": datatype IRI: strings are typed literals */
    JSONLD_JSON,       /* "@type": "@json": not supported by Passport */
    JSONLD_ALIAS_ID,   /* the term is an alias of @id ("id") */
    JSONLD_ALIAS_TYPE, /* the term is an alias of @type ("type") */
} jsonld_kind;

typedef enum jsonld_container {
    JSONLD_NONE,
    JSONLD_SET,
    JSONLD_LIST,
    JSONLD_GRAPH,
} jsonld_container;

struct jsonld_context;

/* One term definition, transcribed from a context. */
typedef struct jsonld_term {
    const char *name;
    const char *iri;      /* expanded IRI, or "@id"/"@type" for aliases */
    jsonld_kind kind;
    const char *datatype; /* JSONLD_TYPED only, expanded */
    jsonld_container container;
    const struct jsonld_context *scoped; /* "@context" of the term, or NULL: type-scoped when
                                            the term is used as a type, property-scoped when
                                            used as a property */
    bool prefix;          /* usable as the prefix of a compact IRI */
    bool null_context;    /* "@context": null (not supported by Passport) */
} jsonld_term;

/* A context: terms sorted by name (strcmp). Identical scoped contexts of different
 * files are the same object, so definitions compare by pointer. */
typedef struct jsonld_context {
    bool protected_terms; /* "@protected": true */
    const jsonld_term *terms;
    size_t nterms;
} jsonld_context;

/* The context published at url, or NULL when Passport does not know it. Static data. */
const jsonld_context *jsonld_ctx_find(const char *url);

/* The definition of name in ctx, or NULL. Static data. */
const jsonld_term *jsonld_ctx_term(const jsonld_context *ctx, const char *name);

/* True when two definitions are the same (the test JSON-LD applies before allowing a
 * protected term to be redefined). */
bool jsonld_ctx_term_equal(const jsonld_term *a, const jsonld_term *b);

#endif
