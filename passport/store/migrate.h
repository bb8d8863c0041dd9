/* SPDX-License-Identifier: EUPL-1.2 */
/* Copying a SQLite store into another, empty store of the same schema (a PostgreSQL
 * database: `passport migrate-to-postgresql`), and the per-table checksums that prove the
 * copy: each computed by the same code from the values the store API reads, whatever
 * engine holds them, so that equal checksums mean equal rows. */
#ifndef PASSPORT_STORE_MIGRATE_H
#define PASSPORT_STORE_MIGRATE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"
#include "store/store.h"

/* One table of the copy: its rows and checksum on each side. */
typedef struct migrate_table {
    char name[64];
    long long src_rows, dst_rows;
    char src_sum[65], dst_sum[65]; /* lowercase hex, see migrate_checksum */
    bool log; /* a change log (written by triggers): not copied, left empty */
} migrate_table;

typedef struct migrate_report {
    migrate_table *tables; /* in copy order */
    size_t n;
} migrate_report;
void migrate_report_free(migrate_report *r);

/* Copies every table of src (a SQLite store; its full-text indexes excepted: the target
 * keeps its own) into dst, parents before children, in one transaction of dst, then sets
 * dst's identity sequences past the copied ids, then reads both sides again and compares
 * the row count and checksum of every table (into r). The change logs that triggers fill
 * (changes, talent_changes: what running servers must learn) are left empty, not copied:
 * PostgreSQL numbers their rows itself, and a server starting on the copy starts from an
 * empty log. Refuses, before writing anything, a
 * dst in which a copied table has rows or that a copy already filled (shared fact
 * "migrated_from"). false with err when it refused, failed (dst unchanged) or when a
 * table differs after the copy (r says which). */
bool migrate_copy(store *src, store *dst, const char *src_name, migrate_report *r, perr *err);

/* The rows of table in s and their checksum: the sum, modulo 2^256, of the SHA-256 of
 * each row, so that it does not depend on the order rows are read in (engines sort
 * text differently). A row is hashed from its columns, in cols order, each as a typed
 * value: integers as decimal, reals by "%.17g", text by length and bytes, NULL apart.
 * types[i] is each column's declared type on the SQLite side ('i', 'r', 't'). */
bool migrate_checksum(store *s, const char *table, const char *const *cols, const char *types, size_t ncols,
                      long long *rows, char out[65], perr *err);

#endif
