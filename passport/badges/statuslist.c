/* SPDX-License-Identifier: EUPL-1.2 */
/* Status list bitstrings: zlib for GZIP, core/b64 for base64url, core/rand for indexes. */
#include "badges/statuslist.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/b64.h"
#include "core/buf.h"
#include "core/rand.h"

struct statuslist {
    size_t nbits;
    uint8_t *bits;      /* status, MSB first */
    uint8_t *allocated; /* same layout: indexes given to credentials */
    size_t nallocated;
};

static statuslist *alloc_list(size_t nbits) {
    statuslist *l = xcalloc(1, sizeof *l);
    l->nbits = nbits;
    l->bits = xcalloc(nbits / 8, 1);
    l->allocated = xcalloc(nbits / 8, 1);
    return l;
}

statuslist *statuslist_new(size_t nbits) {
    if (nbits < STATUSLIST_MIN_BITS) nbits = STATUSLIST_MIN_BITS;
    if (nbits > STATUSLIST_MAX_BITS) nbits = STATUSLIST_MAX_BITS;
    nbits = (nbits + 7) / 8 * 8;
    return alloc_list(nbits);
}

void statuslist_free(statuslist *l) {
    if (!l) return;
    free(l->bits);
    free(l->allocated);
    free(l);
}

size_t statuslist_size(const statuslist *l) {
    return l->nbits;
}

static bool bit(const uint8_t *v, size_t i) {
    return v[i >> 3] & (0x80 >> (i & 7));
}

static void put_bit(uint8_t *v, size_t i, bool on) {
    if (on) v[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
    else v[i >> 3] &= (uint8_t) ~(0x80 >> (i & 7));
}

bool statuslist_get(const statuslist *l, size_t index) {
    return index < l->nbits && bit(l->bits, index);
}

bool statuslist_set(statuslist *l, size_t index, bool value, perr *err) {
    if (index >= l->nbits) return perr_set(err, "statuslist: index %zu out of range (%zu bits)", index, l->nbits);
    put_bit(l->bits, index, value);
    return true;
}

char *statuslist_encode(const statuslist *l) {
    z_stream z = {0};
    /* windowBits 15 + 16: a gzip wrapper */
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    size_t cap = deflateBound(&z, (uLong)(l->nbits / 8)) + 32;
    uint8_t *gz = xmalloc(cap);
    z.next_in = l->bits;
    z.avail_in = (uInt)(l->nbits / 8);
    z.next_out = gz;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort(); /* the bound guarantees room */
    size_t n = z.total_out;
    deflateEnd(&z);
    char *b = b64url_encode(gz, n);
    free(gz);
    buf out = BUF_INIT;
    buf_putc(&out, 'u');
    buf_puts(&out, b);
    free(b);
    return buf_detach(&out);
}

statuslist *statuslist_decode(const char *encoded, perr *err) {
    if (encoded[0] != 'u') {
        perr_set(err, "statuslist: encodedList must be multibase base64url (prefix 'u')");
        return NULL;
    }
    uint8_t *gz = NULL, *raw = NULL;
    size_t n = 0;
    statuslist *l = NULL;
    if (!b64url_decode(encoded + 1, strlen(encoded + 1), &gz, &n, err)) return NULL;
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
        free(gz);
        perr_set(err, "statuslist: zlib initialisation failed");
        return NULL;
    }
    const size_t max = STATUSLIST_MAX_BITS / 8;
    raw = xmalloc(max + 1);
    z.next_in = gz;
    z.avail_in = (uInt)n;
    z.next_out = raw;
    z.avail_out = (uInt)(max + 1); /* one byte more than allowed reveals an oversized list */
    int rc = inflate(&z, Z_FINISH);
    size_t out = z.total_out;
    bool trailing = z.avail_in != 0;
    inflateEnd(&z);
    if (out > max) {
        perr_set(err, "statuslist: the list inflates beyond %u bits", STATUSLIST_MAX_BITS);
    } else if (rc != Z_STREAM_END || trailing) {
        perr_set(err, "statuslist: encodedList is not valid GZIP data");
    } else if (out * 8 < STATUSLIST_MIN_BITS) {
        perr_set(err, "statuslist: the list has %zu bits, fewer than %d", out * 8, STATUSLIST_MIN_BITS);
    } else {
        l = alloc_list(out * 8);
        memcpy(l->bits, raw, out);
    }
    free(raw);
    free(gz);
    return l;
}

bool statuslist_mark_allocated(statuslist *l, size_t index, perr *err) {
    if (index >= l->nbits) return perr_set(err, "statuslist: index %zu out of range (%zu bits)", index, l->nbits);
    if (!bit(l->allocated, index)) l->nallocated++;
    put_bit(l->allocated, index, true);
    return true;
}

bool statuslist_is_allocated(const statuslist *l, size_t index) {
    return index < l->nbits && bit(l->allocated, index);
}

bool statuslist_is_full(const statuslist *l) {
    return l->nallocated >= l->nbits;
}

bool statuslist_allocate(statuslist *l, size_t *index, perr *err) {
    if (l->nallocated >= l->nbits) return perr_set(err, "statuslist: the list is full (%zu indexes)", l->nbits);
    /* uniform over the free indexes: draw the rank of the free slot, then find it */
    uint64_t rank = rand_below((uint64_t)(l->nbits - l->nallocated));
    for (size_t i = 0; i < l->nbits; i++) {
        if (bit(l->allocated, i)) continue;
        if (rank-- == 0) {
            put_bit(l->allocated, i, true);
            l->nallocated++;
            *index = i;
            return true;
        }
    }
    return perr_set(err, "statuslist: internal error, no free index found");
}
