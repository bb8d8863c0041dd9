/* SPDX-License-Identifier: EUPL-1.2 */
/* Gzip-compressed tar archives (POSIX ustar), written and read by our code over zlib: the
 * container of `passport backup` (docs/deployment.md). Regular files and folders only;
 * names up to 99 bytes; a file up to 8 GiB. Any tar tool reads what tar_writer writes. */
#ifndef PASSPORT_CORE_TAR_H
#define PASSPORT_CORE_TAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct tar_writer tar_writer;

/* A writer compressing into the open descriptor fd (which stays the caller's: it is not
 * closed, so that the caller can fsync it after tar_finish). NULL with err on failure. */
tar_writer *tar_create(int fd, perr *err);
/* Adds a folder entry (name without a trailing slash). */
bool tar_add_dir(tar_writer *w, const char *name, unsigned mode, long long mtime, perr *err);
/* Adds a file entry holding len bytes of data. */
bool tar_add(tar_writer *w, const char *name, unsigned mode, long long mtime, const void *data, size_t len,
             perr *err);
/* Adds a file entry with the content of the file at path (read in pieces), its mode and
 * modification time. */
bool tar_add_file(tar_writer *w, const char *name, const char *path, perr *err);
/* Writes the end of the archive, flushes the compressor and frees w (also on failure).
 * NULL: no-op returning false. */
bool tar_finish(tar_writer *w, perr *err);

typedef struct tar_reader tar_reader;

typedef struct tar_entry {
    char name[256];          /* path inside the archive, without a trailing slash */
    char type;               /* '0' a file, '5' a folder; anything else is skipped by callers */
    unsigned mode;
    unsigned long long size; /* bytes of content (files) */
} tar_entry;

/* Opens the archive at path for reading. NULL with err on failure. */
tar_reader *tar_open(const char *path, perr *err);
/* The next entry into e: 1, 0 at the end of the archive, -1 with err on damage (a bad
 * checksum, a truncated file). The content of the previous entry, when not read, is skipped. */
int tar_next(tar_reader *r, tar_entry *e, perr *err);
/* Copies the current entry's content to fd. */
bool tar_read_to_fd(tar_reader *r, int fd, perr *err);
/* Frees r; NULL is a no-op. */
void tar_close(tar_reader *r);

#endif
