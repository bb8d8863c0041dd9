/* SPDX-License-Identifier: EUPL-1.2 */
/* Growable byte buffers, always NUL-terminated: the one string builder of Passport.
 * Allocation failure aborts the process (we cannot serve without memory). */
#ifndef PASSPORT_CORE_BUF_H
#define PASSPORT_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* A value type: embed it or put it on the stack, start it with BUF_INIT or buf_init().
 * data is NULL until the first append; buf_cstr() never returns NULL. */
typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

void buf_init(buf *b);
/* Frees the storage and resets b to empty. */
void buf_free(buf *b);
/* Keeps the storage, sets the length to 0. */
void buf_reset(buf *b);
void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *data, size_t len);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* The contents as a C string, owned by b (valid until the next change to b). */
const char *buf_cstr(const buf *b);
/* Hands the storage to the caller (who frees it with free()) and resets b.
 * Never returns NULL: an empty buffer gives an allocated "". */
char *buf_detach(buf *b);

/* Appends s with &<>"' replaced by HTML entities. */
void buf_put_html(buf *b, const char *s, size_t len);
/* Appends s percent-encoded for a URL component (unreserved characters kept). */
void buf_put_urlenc(buf *b, const char *s, size_t len);

/* Duplicates n bytes into a new NUL-terminated string the caller frees; aborts on OOM. */
/* Appends the whole file at path to out; false with a message when it cannot be read or
 * holds more than max bytes (what was read stays in out). */
bool buf_read_file(buf *out, const char *path, size_t max, perr *err);

char *xstrndup(const char *s, size_t n);
/* strdup that aborts on OOM; xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
/* malloc/calloc/realloc that abort on OOM. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);

#endif
