/* SPDX-License-Identifier: EUPL-1.2 */
/* RDFC-1.0 canonicalisation (W3C RDF Dataset Canonicalization) of a quad list, with
 * SHA-256, written to give byte-identical output to rdf-canonize (jsonld.js). */
#ifndef PASSPORT_BADGES_RDFC_H
#define PASSPORT_BADGES_RDFC_H

#include <stdbool.h>

#include "badges/rdf.h"
#include "core/err.h"

/* Canonicalises the dataset q (exact duplicate quads are counted once: a dataset is a
 * set): blank nodes get canonical labels c14n0, c14n1, ... and the canonical N-Quads
 * lines are sorted. Lines are ordered like JavaScript's default sort (UTF-16 code units),
 * as rdf-canonize does; this differs from code point order only between astral
 * characters and U+E000..U+FFFF.
 * On success *out is a new string the caller frees.
 * work_factor bounds the cost of poisoned graphs exactly as rdf-canonize's maxWorkFactor:
 * with n blank nodes whose first-degree hashes are not unique, at most n^work_factor
 * "hash N-degree quads" calls are made (0: none; negative: unlimited); beyond that the
 * call fails with a message. jsonld.js canonize uses 1 (RDFC_WORK_DEFAULT). Unlike
 * rdf-canonize, which bounds only those calls, the permutations explored are bounded too
 * (RDFC_MAX_PERMUTATIONS in all, whatever work_factor): k tied neighbours cost k! each,
 * so a crafted input could otherwise run for hours. Honest documents need a handful. */
bool rdfc_canonicalize(const rdf_quads *q, int work_factor, char **out, perr *err);

/* rdfc_canonicalize with options: the work factor as above, SHA-384 instead of SHA-256
 * (RDFC-1.0 lets the hash be chosen; the W3C suite's test 075), and, when map is not
 * NULL, *map a new JSON object text {"<input label>": "c14nN", ...} (the issued
 * identifiers map, labels as in q) the caller frees. */
typedef struct rdfc_opts {
    int work_factor;
    bool sha384;
    char **map;
} rdfc_opts;
bool rdfc_canonicalize_opts(const rdf_quads *q, const rdfc_opts *o, char **out, perr *err);

#define RDFC_WORK_DEFAULT 1
#define RDFC_MAX_PERMUTATIONS (1L << 16)

/* strcmp on UTF-8 strings giving the order of their UTF-16 encodings. */
int rdfc_utf16_cmp(const char *a, const char *b);

#endif
