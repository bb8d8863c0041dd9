/* SPDX-License-Identifier: EUPL-1.2 */
/* The competency catalogue in the store: frameworks and mappings upserted from their CSV
 * files (at start from <courses>/frameworks/, or one file by `passport import-framework`),
 * without ever losing evidence; and the freshness setting. */
#ifndef PASSPORT_SKILLS_SKILLS_H
#define PASSPORT_SKILLS_SKILLS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "skills/framework.h"
#include "skills/mapping.h"
#include "store/store.h"

#define SKILLS_STALE_MONTHS_DEFAULT 24

/* What an upsert changed. */
typedef struct skills_import_stats {
    size_t created;  /* competencies new to the store */
    size_t updated;  /* competencies already there (titles and descriptors refreshed) */
    size_t retired;  /* competencies of the framework no longer in the file (kept, hidden) */
} skills_import_stats;

/* Upserts framework f: its name and version, area titles, competencies (by code) and level
 * descriptors. A competency of the same framework missing from f is marked retired (its
 * evidence stays; it comes back if the file lists it again). Runs in the caller's
 * transaction (never BEGINs). stats may be NULL. */
bool skills_store_framework(store *s, const framework *f, skills_import_stats *stats, perr *err);

/* Replaces the stored pairs from m->from_fw to m->to_fw by those of m, in the caller's
 * transaction. A code that names no stored competency adds a "filename:line: message"
 * line to problems and makes it return false (err empty); a database error sets err. */
bool skills_store_mapping(store *s, const mapping *m, const char *filename, buf *problems, perr *err);

/* Loads every .csv file of <courses_dir>/frameworks into the store, in one transaction of its own:
 * framework files first (all but mapping*.csv and example*.csv, by name), then the
 * mapping*.csv files. Call once right after the store opens (serve, init). All or
 * nothing: on any problem nothing is written and err holds the first "file:line: message".
 * Idempotent: running it again with the same files changes nothing but timestamps. */
bool skills_sync_frameworks(store *s, const char *courses_dir, perr *err);

/* `passport import-framework`: reads, validates and upserts one framework file in a
 * transaction of its own. On invalid content returns false with the problem lines
 * appended to problems (err empty); on I/O or database errors false with err set.
 * *code (may be NULL) receives the framework code (a new string the caller frees). */
bool skills_import_framework(store *s, const char *path, buf *problems, skills_import_stats *stats,
                             char **code, perr *err);

/* Reads, validates and stores one mapping file (format of courses/frameworks/README.md)
 * in a transaction of its own, replacing the pairs between its two frameworks, which must
 * be loaded already. Errors as skills_import_framework; *npairs (may be NULL) receives
 * the number of pairs stored. */
bool skills_import_mapping(store *s, const char *path, buf *problems, size_t *npairs, perr *err);

/* The freshness period in months: PASSPORT_STALE_MONTHS (1..600) if set and valid, else
 * SKILLS_STALE_MONTHS_DEFAULT. Read at each call. */
int skills_stale_months(void);

#endif
