/* SPDX-License-Identifier: EUPL-1.2 */
/* Bitstring Status List v1.0: the revocation bitstring of a status list credential, its
 * encodedList form (GZIP, base64url without padding, multibase prefix 'u') and the random
 * allocation of indexes to new credentials. */
#ifndef PASSPORT_BADGES_STATUSLIST_H
#define PASSPORT_BADGES_STATUSLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The minimum size the specification sets (16 KiB), for group privacy. */
#define STATUSLIST_MIN_BITS 131072
/* decode refuses lists that inflate beyond this (gzip bombs): 2^24 bits, 2 MiB. */
#define STATUSLIST_MAX_BITS (1u << 24)

/* A list of status bits (bit i is bit 7 - i%8 of byte i/8, as the specification and
 * verifiers read it) and, beside it, which indexes are already given to credentials. */
typedef struct statuslist statuslist;

/* A new list of nbits bits, all clear, nothing allocated. nbits is raised to
 * STATUSLIST_MIN_BITS and rounded up to a multiple of 8; capped at STATUSLIST_MAX_BITS.
 * Caller frees with statuslist_free. */
statuslist *statuslist_new(size_t nbits);
/* Frees l; NULL is a no-op. */
void statuslist_free(statuslist *l);
/* Number of bits. */
size_t statuslist_size(const statuslist *l);

/* Bit index of l (false when index is out of range). */
bool statuslist_get(const statuslist *l, size_t index);
/* Sets or clears bit index (revoked = true). Fails when index is out of range. */
bool statuslist_set(statuslist *l, size_t index, bool value, perr *err);

/* The encodedList: "u" + base64url(gzip(bits)). New string, caller frees. */
char *statuslist_encode(const statuslist *l);
/* Decodes an encodedList into a new list (nothing marked allocated). Fails on a missing
 * 'u' prefix, bad base64url, bad gzip, a list shorter than STATUSLIST_MIN_BITS or
 * inflating beyond STATUSLIST_MAX_BITS. Caller frees. */
statuslist *statuslist_decode(const char *encoded, perr *err);

/* Records that index is already given to a credential (e.g. when loading from storage). */
bool statuslist_mark_allocated(statuslist *l, size_t index, perr *err);
/* True when index is given to a credential. */
bool statuslist_is_allocated(const statuslist *l, size_t index);
/* Picks an index not yet allocated, uniformly at random (RAND_bytes; never in issuance
 * order, so that an index reveals nothing about when or to whom it was issued), marks it
 * allocated and stores it in *index. Fails when the list is full. */
bool statuslist_allocate(statuslist *l, size_t *index, perr *err);
/* True when every index of l is allocated (statuslist_allocate would fail). */
bool statuslist_is_full(const statuslist *l);

#endif
