/* SPDX-License-Identifier: EUPL-1.2 */
/* An RFC 4180 CSV reader over a UTF-8 buffer in memory, for imports (users, units):
 * quoted fields, "" escapes, CRLF or LF, newlines inside quotes, 1-based line numbers. */
#ifndef PASSPORT_CORE_CSV_H
#define PASSPORT_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Pass as sep to pick ';' or ',' from the first line (whichever occurs more often outside
 * quotes; ',' on a tie). French spreadsheets export ';'. */
#define CSV_SEP_AUTO '\0'

/* Default limits; see csv_reader_set_limits. */
#define CSV_DEFAULT_MAX_RECORD (1024u * 1024u)
#define CSV_DEFAULT_MAX_FIELDS 1024u

typedef struct csv_reader csv_reader;

/* A reader over data[0..len) (not copied: data must outlive the reader; it need not be
 * NUL-terminated). A UTF-8 byte order mark at the start is skipped. sep is ',', ';', '\t'
 * or CSV_SEP_AUTO; '"', CR and LF are not separators (they fall back to ','). The caller
 * owns the returned reader and frees it with csv_reader_free. Never NULL. */
csv_reader *csv_reader_new(const char *data, size_t len, char sep);

/* Frees r; csv_reader_free(NULL) is a no-op. */
void csv_reader_free(csv_reader *r);

/* Caps one record's decoded size in bytes and its number of fields (0 keeps the current
 * value); exceeding either makes csv_next fail with the record's line. */
void csv_reader_set_limits(csv_reader *r, size_t max_record_bytes, size_t max_fields);

/* The separator in use (the detected one after CSV_SEP_AUTO and a first csv_next). */
char csv_reader_sep(const csv_reader *r);

/* Reads the next record. Returns true with *nfields (>= 1) and *fields, an array of
 * NUL-terminated UTF-8 strings owned by the reader and valid until the next call, and
 * *line the 1-based line where the record starts. Returns false at the end of the data
 * (err->msg empty) or on an error (err->msg "line N: ..."; every later call fails the
 * same way). Empty lines between records are skipped; a trailing separator gives a final
 * empty field. Errors: unterminated quoted field, text after a closing quote, invalid
 * UTF-8, NUL byte, record too large, too many fields. line and err may be NULL. */
bool csv_next(csv_reader *r, size_t *nfields, const char *const **fields, size_t *line,
              perr *err);

/* Appends an error of csv_next ("line N: message") to out as "file:N: message\n", the
 * form course authors and importers read. */
void csv_error_append(buf *out, const char *file, const char *msg);

/* Appends one field of a CSV export to out, quoted when it holds a quote, a line break,
 * ',' ';' or sep (RFC 4180, '"' doubled), then sep or, when last, CRLF. A value starting with =, +, -, @, TAB, CR or LF gets a leading ' so
 * that no spreadsheet runs it as a formula (CSV injection). NULL writes "". */
void csv_write_field(buf *out, const char *s, char sep, bool last);

#endif
