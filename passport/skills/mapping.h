/* SPDX-License-Identifier: EUPL-1.2 */
/* Correspondences between two competency frameworks (courses/frameworks/mapping.csv):
 * parsing and validating the two-column file. Storing it is skills/skills.h's job. */
#ifndef PASSPORT_SKILLS_MAPPING_H
#define PASSPORT_SKILLS_MAPPING_H

#include <stddef.h>

#include "core/buf.h"

typedef struct mapping_pair {
    char *from; /* a competency code of framework `from_fw` ("CRCN-2.4") */
    char *to;   /* a competency code of framework `to_fw` ("DIGCOMP-2.6") */
    size_t line;
} mapping_pair;

typedef struct mapping {
    char *from_fw; /* "CRCN" (the header's first column, uppercased) */
    char *to_fw;   /* "DIGCOMP" */
    mapping_pair *pairs;
    size_t n;
} mapping;

/* Parses and validates a mapping file: header "crcn,digcomp" (two different lowercase
 * framework codes), then one pair of codes per line, each with its framework's prefix,
 * no duplicate pair. Whether the codes exist is checked when storing. Returns a new
 * mapping the caller frees with mapping_free, or NULL after appending one
 * "filename:line: message\n" per problem to problems. */
mapping *mapping_parse(const char *data, size_t len, const char *filename, buf *problems);

/* Frees m; mapping_free(NULL) is a no-op. */
void mapping_free(mapping *m);

#endif
