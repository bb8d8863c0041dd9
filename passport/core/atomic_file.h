/* SPDX-License-Identifier: EUPL-1.2 */
/* Files of the data folder written atomically: a temporary file beside the target, its
 * data flushed to disk, renamed (or linked) into place, the folder flushed too. After a
 * crash at any point the target holds either its old content (or nothing) or the whole
 * new one; at worst a temporary file is left behind, which readers ignore. */
#ifndef PASSPORT_CORE_ATOMIC_FILE_H
#define PASSPORT_CORE_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Writes len bytes of data as the whole content of path, with permissions mode (applied
 * whatever the umask). The temporary file is "<folder>/.<name>.tmp-XXXXXX" (a leading dot,
 * so folder listings that skip hidden files never see it). With replace false an existing
 * path is never overwritten: false with err set and errno EEXIST (two racing writers: one
 * wins, the other learns it). False with err set on any failure, the temporary removed. */
bool atomic_file_write(const char *path, const void *data, size_t len, unsigned mode, bool replace, perr *err);

/* For content written in pieces (a large file): opens a new temporary file beside path
 * with mode, returns its descriptor and its name in *tmp (new string, caller frees), or -1
 * with err set. Write to the descriptor, then call atomic_file_commit (or
 * atomic_file_abandon on failure). */
int atomic_file_open(const char *path, unsigned mode, char **tmp, perr *err);
/* fsync and close fd, rename (replace) or link tmp to path, fsync the folder; frees tmp.
 * On failure the temporary is removed, err set, errno kept. */
bool atomic_file_commit(int fd, char *tmp, const char *path, bool replace, perr *err);
/* Closes fd, removes and frees tmp. */
void atomic_file_abandon(int fd, char *tmp);

/* True when name (a file name, not a path) is a temporary file of atomic_file_write,
 * which a crash may leave behind. */
bool atomic_file_is_temp(const char *name);

/* Logs a warning for each temporary file of atomic_file_write found in dir (left by a
 * crash: harmless, ignored by readers, safe to delete); returns their number. */
int atomic_file_warn_leftovers(const char *dir);

/* fsync of the folder holding path, so that a rename or unlink in it survives a crash. */
bool atomic_file_sync_dir(const char *path, perr *err);

#endif
