/* SPDX-License-Identifier: EUPL-1.2 */
/* JSON-LD to RDF for the credentials Passport issues and verifies: JSON-LD 1.1 expansion
 * and toRDF over the known contexts, behaving like jsonld.js 9 in safe mode. */

/* Goal: canonical N-Quads byte-identical to
 * jsonld.canonize(doc, {algorithm: 'RDFC-1.0', safe: true}) (tests/e2e/canon.test.mjs). */
#ifndef PASSPORT_BADGES_JSONLD_H
#define PASSPORT_BADGES_JSONLD_H

#include <jansson.h>
#include <stdbool.h>

#include "badges/rdf.h"
#include "core/err.h"

/* Appends the quads of doc (a JSON object) to out. Supported: @context as known context
 * URLs and inline context objects (badges/jsonld_inline.h); aliases id/type; type-scoped and property-scoped contexts; @id, @vocab and datatype
 * coercion; @set, @list and @graph containers; value objects with @value and @type or
 * @language; strings, booleans and every JSON number (as jsonld.js: xsd:integer or the
 * canonical xsd:double form).
 * Rejected with a message, as jsonld.js safe mode rejects them or because Passport does not
 * implement them: unknown context or term, relative IRIs, null @id/@value, an empty object
 * or one with only an id at the top of a graph, @json, @reverse, @nest, @index, @included,
 * @direction, and in inline contexts what jsonld_inline.h lists. The VC 2.0 context (as published in
 * @digitalbazaar/credentials-context 3.2.0) has no @vocab: a term no context defines is
 * "invalid property" for jsonld.js safe mode and an "unknown term" here. Blank node labels in out are private ("b1",
 * "d1"...). On failure out may hold part of the quads. Never crashes on any JSON input. */
bool jsonld_to_quads(const json_t *doc, rdf_quads *out, perr *err);

/* The RDFC-1.0 canonical N-Quads of doc (jsonld_to_quads then rdfc_canonicalize with
 * jsonld.js's work factor). On success *out is a new string the caller frees. */
bool jsonld_canonize(const json_t *doc, char **out, perr *err);

#endif
