/* SPDX-License-Identifier: EUPL-1.2 */
/* Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded) encoding and decoding. */
#ifndef PASSPORT_CORE_B64_H
#define PASSPORT_CORE_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Standard alphabet with '=' padding. Returns a new string the caller frees. */
char *b64_encode(const void *data, size_t len);
/* URL-safe alphabet ('-', '_'), no padding. Returns a new string the caller frees. */
char *b64url_encode(const void *data, size_t len);

/* Decodes len characters of standard base64, padded to a multiple of 4 characters;
 * whitespace is not accepted. On success *out is a new buffer of *out_len bytes the caller frees. */
bool b64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len, perr *err);
/* Decodes len characters of base64url without padding ('=' is rejected). Non-zero
 * trailing bits are rejected so that every byte string has exactly one encoding. */
bool b64url_decode(const char *s, size_t len, uint8_t **out, size_t *out_len, perr *err);

#endif
