/* SPDX-License-Identifier: EUPL-1.2 */
/* base58btc (the Bitcoin alphabet), as used by multibase 'z' and did:key.
 * Leading zero bytes are encoded as leading '1' characters and back. */
#ifndef PASSPORT_CORE_BASE58_H
#define PASSPORT_CORE_BASE58_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Encodes len bytes of data. Returns a new NUL-terminated string the caller frees;
 * never NULL (an empty input gives ""). */
char *base58_encode(const uint8_t *data, size_t len);

/* Decodes the NUL-terminated base58btc string s. On success *out is a new buffer of
 * *out_len bytes the caller frees (non-NULL even when *out_len is 0). Fails on a
 * character outside the alphabet or an input longer than 4096 characters. */
bool base58_decode(const char *s, uint8_t **out, size_t *out_len, perr *err);

#endif
