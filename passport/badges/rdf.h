/* SPDX-License-Identifier: EUPL-1.2 */
/* RDF terms, quads and quad lists, with N-Quads serialisation in the canonical form
 * RDFC-1.0 uses and a small N-Quads reader (for tests and tools). */
#ifndef PASSPORT_BADGES_RDF_H
#define PASSPORT_BADGES_RDF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define RDF_XSD_STRING "http://www.w3.org/2001/XMLSchema#string"
#define RDF_LANGSTRING "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

typedef enum rdf_kind {
    RDF_DEFAULT_GRAPH, /* only as a graph name: the default graph */
    RDF_IRI,
    RDF_BLANK,   /* value is the label without "_:" */
    RDF_LITERAL, /* value is the lexical form */
} rdf_kind;

/* A term. In a quad list every string is owned by the list; the constructors below
 * return views on the caller's strings, which rdf_quads_add copies.
 * Literals: datatype NULL means xsd:string; lang non-NULL means rdf:langString. */
typedef struct rdf_term {
    rdf_kind kind;
    const char *value;
    const char *datatype;
    const char *lang;
} rdf_term;

typedef struct rdf_quad {
    rdf_term s, p, o, g;
} rdf_quad;

/* A growable list of quads, in insertion order (duplicates kept). */
/* U+0000 inside a term (from a \u0000 escape of N-Quads): terms are C strings, so the
 * character is held as the two bytes C0 80 (never in valid UTF-8) and written back as
 * "\u0000". */
#define RDF_NUL "\xc0\x80"

typedef struct rdf_quads {
    rdf_quad *items;
    size_t len, cap;
} rdf_quads;

rdf_term rdf_iri(const char *iri);
rdf_term rdf_blank(const char *label);
/* datatype NULL or xsd:string gives a simple literal. */
rdf_term rdf_literal(const char *lexical, const char *datatype);
rdf_term rdf_lang_literal(const char *lexical, const char *lang);
rdf_term rdf_default_graph(void);

/* A new empty list the caller frees with rdf_quads_free. */
rdf_quads *rdf_quads_new(void);
/* Frees the list and every string in it; NULL is a no-op. */
void rdf_quads_free(rdf_quads *q);
/* Appends a quad, copying every string of the four terms. */
void rdf_quads_add(rdf_quads *q, rdf_term s, rdf_term p, rdf_term o, rdf_term g);

/* Appends the N-Quads form of one term: <iri>, _:label, or "lexical" with ^^<datatype>
 * unless xsd:string, or @lang. Literal escaping is RDFC-1.0's: \" \\ \n \r \t \b \f,
 * other U+0000..U+001F and U+007F as \u00XX, nothing else. IRIs escape U+0000..U+0020
 * and <>"{}|^`\ as \u00XX. The default graph appends nothing. */
void rdf_term_write(buf *b, const rdf_term *t);
/* Appends "S P O [G] .\n". */
void rdf_quad_write(buf *b, const rdf_quad *q);
/* Appends every quad of q in list order. */
void rdf_quads_write(buf *b, const rdf_quads *q);

/* Parses N-Quads text (one quad per line, comments and blank lines allowed) and
 * appends its quads to q. Literal and IRI escapes are decoded. */
bool rdf_quads_parse(rdf_quads *q, const char *text, perr *err);

#endif
