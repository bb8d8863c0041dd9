/* SPDX-License-Identifier: EUPL-1.2 */
/* YAML front matter of course files: the block between a first line "---" and the next
 * line "---", read with libyaml into flat keys whose values are a text or a list of
 * texts, each with its line in the file. */
#ifndef PASSPORT_LEARN_FRONTMATTER_H
#define PASSPORT_LEARN_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct fm_entry {
    char *key;
    char *value;  /* the scalar, or NULL for a list */
    char **items; /* the list's scalars when value is NULL */
    size_t nitems;
    size_t line;  /* 1-based line of the key in the file */
} fm_entry;

typedef struct frontmatter {
    fm_entry *entries;
    size_t n;
    size_t body_offset; /* byte offset of the body (after the closing "---" line) */
    size_t body_line;   /* 1-based line where the body starts */
} frontmatter;

/* Parses the front matter at the start of src[0..len). On success returns a new
 * frontmatter the caller frees with frontmatter_free. On failure returns NULL, sets err to
 * a message and *line to the 1-based line of the problem (1 when there is no front
 * matter at all). Problems: no opening or closing "---", invalid YAML, a root that is not
 * a mapping, a key that is not a text, a duplicate key, a value that is a mapping or a
 * list holding something else than texts, invalid UTF-8. */
frontmatter *frontmatter_parse(const char *src, size_t len, size_t *line, perr *err);

/* frontmatter_free(NULL) is a no-op. */
void frontmatter_free(frontmatter *fm);

/* The entry for key, or NULL (owned by fm). */
const fm_entry *frontmatter_get(const frontmatter *fm, const char *key);
/* The scalar value of key, or NULL when absent or a list (owned by fm). */
const char *frontmatter_str(const frontmatter *fm, const char *key);
/* The line of key, or fallback when absent. */
size_t frontmatter_line(const frontmatter *fm, const char *key, size_t fallback);

#endif
