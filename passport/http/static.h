/* SPDX-License-Identifier: EUPL-1.2 */
/* Static files of web/static, loaded into memory once at start: served with their MIME
 * type, an ETag, and a long cache for fingerprinted names (`app.3f2a91c0.css`). Only
 * regular files inside the folder are ever served (no symlinks, no `..`). */
#ifndef PASSPORT_HTTP_STATIC_H
#define PASSPORT_HTTP_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct static_set static_set;

typedef struct static_file {
    const char *name;  /* relative path, e.g. "css/app.css" */
    const char *mime;
    const char *data;
    size_t len;
    char etag[20];     /* quoted: "\"0123456789abcdef\"" */
    char url[256];     /* fingerprinted URL: "/static/css/app.0123abcd.css" */
} static_file;

/* Loads every regular file under dir (max_bytes in all). NULL with err on failure.
 * The caller frees the set with static_set_free. */
static_set *static_set_load(const char *dir, size_t max_bytes, perr *err);
void static_set_free(static_set *s);
/* Looks up the file for a request path under /static/ (the part after "/static/"),
 * plain or fingerprinted; *immutable tells which. NULL when there is no such file. */
const static_file *static_lookup(const static_set *s, const char *rel, bool *immutable);
/* The fingerprinted URL of a file by name, or NULL if unknown. Owned by the set. */
const char *static_url(const static_set *s, const char *name);
/* The MIME type for a file name, from an allow-list; NULL when not allowed. */
const char *static_mime(const char *name);

#endif
