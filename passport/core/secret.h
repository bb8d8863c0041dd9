/* SPDX-License-Identifier: EUPL-1.2 */
/* Small secrets kept in files of the data folder (mode 0600), made of random bytes on
 * first use, so that they survive restarts. */
#ifndef PASSPORT_CORE_SECRET_H
#define PASSPORT_CORE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Reads exactly n bytes from path into out; when path does not exist, creates it
 * atomically (mode 0600) with n random bytes and returns those. An empty file (left by a
 * crash of an older version) is replaced with a warning logged. A file of another size,
 * or one that cannot be read or created, is an error (err set, out untouched): a secret is
 * never silently replaced. Safe when two processes race to create it. */
bool secret_file(const char *path, unsigned char *out, size_t n, perr *err);

#endif
