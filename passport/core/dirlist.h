/* SPDX-License-Identifier: EUPL-1.2 */
/* Sorted listings of a folder's entries, for the loaders of courses, frameworks and the
 * positioning bank: hidden entries left out, symbolic links never followed. */
#ifndef PASSPORT_CORE_DIRLIST_H
#define PASSPORT_CORE_DIRLIST_H

#include <stdbool.h>
#include <stddef.h>

/* The names of the entries of dir that are folders (want_dirs) or regular files, whose
 * name ends with suffix (NULL: any), sorted by strcmp. *n gets their number. NULL (and
 * *n 0) when there is none or dir cannot be read. The caller frees the array and its
 * names with dirlist_free. */
char **dirlist(const char *dir, bool want_dirs, const char *suffix, size_t *n);

/* Frees names[0..n) and the array; NULL is a no-op. */
void dirlist_free(char **names, size_t n);

#endif
