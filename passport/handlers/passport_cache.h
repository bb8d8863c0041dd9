/* A bounded in-memory cache of rendered passport pages (the part inside the layout), so
 * that a passport with hundreds of pieces of evidence is rebuilt only when its version
 * changes. Keys carry everything the page depends on (see passport_view_version). Shared
 * by all worker threads: every function may be called concurrently. */
#ifndef PASSPORT_HANDLERS_PASSPORT_CACHE_H
#define PASSPORT_HANDLERS_PASSPORT_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define PASSPORT_CACHE_DEFAULT_SLOTS 256
#define PASSPORT_CACHE_MAX_KEY 256
#define PASSPORT_CACHE_MAX_PAGE (4u * 1024 * 1024)

typedef struct passport_cache passport_cache;

/* A new cache of `slots` entries (0: PASSPORT_CACHE_DEFAULT_SLOTS); a slot is chosen by
 * `owner` (a user id), so one user's pages replace each other and memory stays bounded
 * by slots x the largest page. The caller frees it with passport_cache_free. */
passport_cache *passport_cache_new(size_t slots);
/* Frees c and its pages; passport_cache_free(NULL) is a no-op. */
void passport_cache_free(passport_cache *c);

/* Appends the page stored under (owner, key) to out and returns true; false (out
 * untouched) when absent or stored under another key. */
bool passport_cache_get(passport_cache *c, long long owner, const char *key, buf *out);
/* Stores a copy of page[0..len) under (owner, key), replacing the slot's page. Keys
 * longer than PASSPORT_CACHE_MAX_KEY-1 and pages over PASSPORT_CACHE_MAX_PAGE are not
 * stored. */
void passport_cache_put(passport_cache *c, long long owner, const char *key, const char *page, size_t len);

#endif
