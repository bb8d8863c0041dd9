/* SPDX-License-Identifier: EUPL-1.2 */
/* The one error convention of Passport: fallible functions return bool (or a small
 * enum) and, when they fail, write a message the caller can show into a perr. */
#ifndef PASSPORT_CORE_ERR_H
#define PASSPORT_CORE_ERR_H

#include <stdbool.h>

#define PERR_MAX 512

/* A human-readable error message; msg[0] == '\0' means "no error recorded". */
typedef struct perr {
    char msg[PERR_MAX];
} perr;

/* Formats a message into err (truncated to PERR_MAX-1 bytes). err may be NULL: no-op.
 * Always returns false, so that `return perr_set(err, "...")` reads naturally. */
bool perr_set(perr *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Clears err (may be NULL). */
void perr_clear(perr *err);

#endif
