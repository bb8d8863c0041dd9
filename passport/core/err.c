/* SPDX-License-Identifier: EUPL-1.2 */
/* Error messages: see err.h for the convention. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

bool perr_set(perr *err, const char *fmt, ...) {
    if (!err) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return false;
}

void perr_clear(perr *err) {
    if (err) err->msg[0] = '\0';
}
