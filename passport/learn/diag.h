/* SPDX-License-Identifier: EUPL-1.2 */
/* Diagnostics of the course loader: a growing list of "file:line: message" problems that
 * the validators append to and check-courses or the server's log print. */
#ifndef PASSPORT_LEARN_DIAG_H
#define PASSPORT_LEARN_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct diag {
    char *file; /* path as given to the loader (owned) */
    size_t line;/* 1-based; 0 when the problem concerns the whole file */
    char *msg;  /* owned */
} diag;

/* A value type: start it with DIAG_LIST_INIT, free it with diag_list_free. */
typedef struct diag_list {
    diag *items;
    size_t n, cap;
} diag_list;

#define DIAG_LIST_INIT {NULL, 0, 0}

/* Appends a problem (file and the formatted message are copied). d may be NULL: no-op. */
void diag_add(diag_list *d, const char *file, size_t line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Frees every item and resets d to empty. NULL: no-op. */
void diag_list_free(diag_list *d);
/* Prints each item as "file:line: message\n" (or "file: message" when line is 0). */
void diag_print(const diag_list *d, FILE *f);

#endif
