/* SPDX-License-Identifier: EUPL-1.2 */
/* The blob cache: a table of slots in sets of BLOB_CACHE_WAYS behind one mutex (an owner
 * maps to one set, and takes the way it had, else an empty one, else the one used least
 * recently); lookups copy the value out, so no pointer into the cache escapes the lock.
 * Direct-mapped (one way), two of 900 pages kept in 4 096 slots shared a slot one time in
 * five and evicted each other at every other request (docs/performance.md). */
#include "core/blob_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_CACHE_WAYS 4

typedef struct slot {
    long long owner;
    unsigned long long used; /* the cache's clock at its last get or put */
    char key[BLOB_CACHE_MAX_KEY];
    char *page;
    size_t len;
} slot;

struct blob_cache {
    pthread_mutex_t lock;
    slot *slots;
    size_t n, ways; /* slots, and slots per set (sets: n / ways) */
    unsigned long long clock;
    size_t bytes, budget; /* the values' total; its bound (0: none) */
};

blob_cache *blob_cache_new(size_t slots) {
    blob_cache *c = xcalloc(1, sizeof *c);
    c->n = slots ? slots : BLOB_CACHE_DEFAULT_SLOTS;
    c->ways = c->n >= BLOB_CACHE_WAYS ? BLOB_CACHE_WAYS : 1;
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

/* The first slot of owner's set. */
static slot *set_of(blob_cache *c, long long owner) {
    unsigned long long h = (unsigned long long)owner * 0x9E3779B97F4A7C15ull;
    return &c->slots[(h >> 32) % (c->n / c->ways) * c->ways];
}

/* owner's slot in its set, or NULL. */
static slot *slot_find(blob_cache *c, long long owner) {
    slot *set = set_of(c, owner);
    for (size_t i = 0; i < c->ways; i++)
        if (set[i].page && set[i].owner == owner) return &set[i];
    return NULL;
}

/* Where owner's next value goes: its slot, else an empty one, else the least recently used. */
static slot *slot_for_put(blob_cache *c, long long owner) {
    slot *s = slot_find(c, owner);
    if (s) return s;
    slot *set = set_of(c, owner), *lru = &set[0];
    for (size_t i = 0; i < c->ways; i++) {
        if (!set[i].page) return &set[i];
        if (set[i].used < lru->used) lru = &set[i];
    }
    return lru;
}

bool blob_cache_get(blob_cache *c, long long owner, const char *key, buf *out) {
    if (!c || !key) return false;
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    slot *s = slot_find(c, owner);
    if (s && !strcmp(s->key, key)) {
        s->used = ++c->clock;
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
    slot *s = slot_for_put(c, owner);
    if (c->budget && c->bytes - s->len + len > c->budget) { /* over the bound: keep what is there */
        pthread_mutex_unlock(&c->lock);
        free(copy);
        return;
    }
    c->bytes = c->bytes - s->len + len;
    char *old = s->page;
    s->owner = owner;
    s->used = ++c->clock;
    memcpy(s->key, key, strlen(key) + 1);
    s->page = copy;
    s->len = len;
    pthread_mutex_unlock(&c->lock);
    free(old);
}
