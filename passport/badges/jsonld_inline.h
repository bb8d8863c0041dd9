/* SPDX-License-Identifier: EUPL-1.2 */
/* Inline "@context" objects (JSON-LD 1.1 local contexts written in the document itself),
 * turned into the same term tables as the published contexts Passport knows. */
#ifndef PASSPORT_BADGES_JSONLD_INLINE_H
#define PASSPORT_BADGES_JSONLD_INLINE_H

#include <jansson.h>

#include "badges/jsonld_ctx.h"
#include "core/err.h"

/* The definition of name in the active context, or NULL (ud is the caller's). */
typedef const jsonld_term *(*jsonld_inline_lookup_fn)(const char *name, void *ud);

/* At most this many terms in one inline context (jsonld.js has no bound; ours keeps the
 * verifier's work bounded with the document's other limits). */
#define JSONLD_INLINE_MAX_TERMS 64

/* A context from an inline object: "@version": 1.1, "@protected": true|false, and terms
 * whose definition is an IRI, a compact IRI or a term (or "@id"/"@type": an alias), or an
 * object {"@id", "@type" ("@id", "@vocab", "@json" or a datatype IRI), "@container"
 * ("@set", "@list", "@graph"), "@prefix"}. Prefixes and terms are resolved in the object
 * itself first, then through lookup (the active context). New context the caller frees
 * with jsonld_inline_free; NULL with err for anything else, as Passport does not support
 * it (@vocab, @base, @language, @import, scoped or null definitions, @reverse, compact IRI
 * terms...), or a definition that does not expand to an absolute IRI (jsonld.js safe mode
 * refuses those too). */
jsonld_context *jsonld_inline_parse(const json_t *obj, jsonld_inline_lookup_fn lookup, void *ud, perr *err);
void jsonld_inline_free(jsonld_context *ctx);

#endif
