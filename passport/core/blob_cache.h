/* SPDX-License-Identifier: EUPL-1.2 */
/* A bounded in-memory cache of byte strings under (owner, key): rendered passport pages,
 * rendered fragments, memos of database reads. Keys carry everything a value depends on;
 * values are copied in and out. Shared by all worker threads: every function may be
 * called concurrently. */
#ifndef PASSPORT_CORE_BLOB_CACHE_H
#define PASSPORT_CORE_BLOB_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define BLOB_CACHE_DEFAULT_SLOTS 256
#define BLOB_CACHE_MAX_KEY 256
#define BLOB_CACHE_MAX_PAGE (4u * 1024 * 1024)

typedef struct blob_cache blob_cache;

/* A new cache of `slots` entries (0: BLOB_CACHE_DEFAULT_SLOTS); `owner` (a user id, say)
 * picks a set of 4 slots (1 when slots < 4) and takes one of them, so one owner's values
 * replace each other, four owners of a set are kept together (a fifth evicts the one used
 * least recently), and memory stays bounded by slots x the largest value. The caller frees
 * it with blob_cache_free. */
blob_cache *blob_cache_new(size_t slots);
/* Bounds the bytes of all values together (0: no bound, the default): a value that would
 * pass the bound is not stored. */
void blob_cache_set_budget(blob_cache *c, size_t bytes);
/* Frees c and its values; blob_cache_free(NULL) is a no-op. */
void blob_cache_free(blob_cache *c);

/* Appends the value stored under (owner, key) to out and returns true; false (out
 * untouched) when absent or stored under another key. */
bool blob_cache_get(blob_cache *c, long long owner, const char *key, buf *out);
/* Stores a copy of page[0..len) under (owner, key), replacing the slot's value. Keys
 * longer than BLOB_CACHE_MAX_KEY-1 and values over BLOB_CACHE_MAX_PAGE are not
 * stored. */
void blob_cache_put(blob_cache *c, long long owner, const char *key, const char *page, size_t len);

#endif
