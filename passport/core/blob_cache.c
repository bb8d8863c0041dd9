/* SPDX-License-Identifier: EUPL-1.2 */
/* The blob cache: a direct-mapped table of slots behind one mutex; lookups copy the
 * value out, so no pointer into the cache escapes the lock. */
#include "core/blob_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    long long owner;
    char key[BLOB_CACHE_MAX_KEY];
    char *page;
    size_t len;
} slot;

struct blob_cache {
    pthread_mutex_t lock;
    slot *slots;
    size_t n;
    size_t bytes, budget; /* the values' total; its bound (0: none) */
};

blob_cache *blob_cache_new(size_t slots) {
    blob_cache *c = xcalloc(1, sizeof *c);
    c->n = slots ? slots : BLOB_CACHE_DEFAULT_SLOTS;
    c->slots = xcalloc(c->n, sizeof *c->slots);
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void blob_cache_set_budget(blob_cache *c, size_t bytes) {
    pthread_mutex_lock(&c->lock);
    c->budget = bytes;
    pthread_mutex_unlock(&c->lock);
}

void blob_cache_free(blob_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) free(c->slots[i].page);
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static slot *slot_of(blob_cache *c, long long owner) {
    unsigned long long h = (unsigned long long)owner * 0x9E3779B97F4A7C15ull;
    return &c->slots[(h >> 32) % c->n];
}

bool blob_cache_get(blob_cache *c, long long owner, const char *key, buf *out) {
    if (!c || !key) return false;
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    slot *s = slot_of(c, owner);
    if (s->page && s->owner == owner && !strcmp(s->key, key)) {
        buf_append(out, s->page, s->len);
        hit = true;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void blob_cache_put(blob_cache *c, long long owner, const char *key, const char *page, size_t len) {
    if (!c || !key || strlen(key) >= BLOB_CACHE_MAX_KEY || len > BLOB_CACHE_MAX_PAGE) return;
    char *copy = xmalloc(len + 1);
    memcpy(copy, page, len);
    copy[len] = '\0';
    pthread_mutex_lock(&c->lock);
    slot *s = slot_of(c, owner);
    if (c->budget && c->bytes - s->len + len > c->budget) { /* over the bound: keep what is there */
        pthread_mutex_unlock(&c->lock);
        free(copy);
        return;
    }
    c->bytes = c->bytes - s->len + len;
    char *old = s->page;
    s->owner = owner;
    memcpy(s->key, key, strlen(key) + 1);
    s->page = copy;
    s->len = len;
    pthread_mutex_unlock(&c->lock);
    free(old);
}
