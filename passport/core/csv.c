/* SPDX-License-Identifier: EUPL-1.2 */
/* RFC 4180 CSV reader: a single pass over the input; each record's fields are decoded
 * into one reusable buffer, then exposed as an array of C strings. */
#include "core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

struct csv_reader {
    const char *data;
    size_t len;
    size_t pos;
    size_t line;           /* line of data[pos] */
    char sep;              /* CSV_SEP_AUTO until the first record */
    size_t max_record;
    size_t max_fields;
    buf fieldbuf;          /* the current record's fields, each NUL-terminated */
    size_t *offsets;       /* start of each field in fieldbuf */
    const char **ptrs;     /* offsets resolved to pointers once the record is complete */
    size_t cap;            /* capacity of offsets and ptrs */
    size_t nfields;
    bool failed;
    perr error;
};

csv_reader *csv_reader_new(const char *data, size_t len, char sep) {
    csv_reader *r = xcalloc(1, sizeof *r);
    r->data = data ? data : "";
    r->len = data ? len : 0;
    if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
    r->line = 1;
    r->sep = (sep == '"' || sep == '\r' || sep == '\n') ? ',' : sep;
    r->max_record = CSV_DEFAULT_MAX_RECORD;
    r->max_fields = CSV_DEFAULT_MAX_FIELDS;
    return r;
}

void csv_reader_free(csv_reader *r) {
    if (!r) return;
    buf_free(&r->fieldbuf);
    free(r->offsets);
    free(r->ptrs);
    free(r);
}

void csv_reader_set_limits(csv_reader *r, size_t max_record_bytes, size_t max_fields) {
    if (max_record_bytes) r->max_record = max_record_bytes;
    if (max_fields) r->max_fields = max_fields;
}

char csv_reader_sep(const csv_reader *r) {
    return r->sep;
}

/* Records an error that sticks to the reader, and copies it into err. */
static bool fail(csv_reader *r, perr *err, size_t line, const char *what) {
    r->failed = true;
    perr_set(&r->error, "line %zu: %s", line, what);
    return perr_set(err, "%s", r->error.msg);
}

/* Chooses ';' or ',' by counting both on the first line outside quotes. */
static char detect_sep(const csv_reader *r) {
    size_t commas = 0, semis = 0;
    bool quoted = false;
    for (size_t i = r->pos; i < r->len; i++) {
        char c = r->data[i];
        if (c == '"') quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r')) break;
        else if (!quoted && c == ',') commas++;
        else if (!quoted && c == ';') semis++;
    }
    return semis > commas ? ';' : ',';
}

/* Consumes one line ending (CRLF, LF or CR) at pos, if any; returns whether it did. */
static bool eat_newline(csv_reader *r) {
    if (r->pos >= r->len) return false;
    if (r->data[r->pos] == '\r') {
        r->pos++;
        if (r->pos < r->len && r->data[r->pos] == '\n') r->pos++;
    } else if (r->data[r->pos] == '\n') {
        r->pos++;
    } else {
        return false;
    }
    r->line++;
    return true;
}

static void start_field(csv_reader *r) {
    if (r->nfields == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->offsets = xrealloc(r->offsets, r->cap * sizeof *r->offsets);
        r->ptrs = xrealloc(r->ptrs, r->cap * sizeof *r->ptrs);
    }
    r->offsets[r->nfields++] = r->fieldbuf.len;
}

/* Reads a quoted field whose opening quote is at pos. */
static bool read_quoted(csv_reader *r, perr *err) {
    size_t open_line = r->line;
    r->pos++;
    for (;;) {
        const char *p = r->data + r->pos;
        size_t rest = r->len - r->pos;
        const char *q = memchr(p, '"', rest);
        size_t span = q ? (size_t)(q - p) : rest;
        for (size_t i = 0; i < span; i++) {
            if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == span || p[i + 1] != '\n'))) r->line++;
        }
        buf_append(&r->fieldbuf, p, span);
        r->pos += span;
        if (!q) return fail(r, err, open_line, "unterminated quoted field");
        r->pos++; /* the quote */
        if (r->pos < r->len && r->data[r->pos] == '"') {
            buf_putc(&r->fieldbuf, '"');
            r->pos++;
            continue;
        }
        break;
    }
    if (r->pos < r->len) {
        char c = r->data[r->pos];
        if (c != r->sep && c != '\r' && c != '\n')
            return fail(r, err, r->line, "unexpected character after closing quote");
    }
    return true;
}

/* Reads an unquoted field: everything up to a separator, a line end or the end. */
static void read_plain(csv_reader *r) {
    size_t i = r->pos;
    while (i < r->len) {
        char c = r->data[i];
        if (c == r->sep || c == '\n' || c == '\r') break;
        i++;
    }
    buf_append(&r->fieldbuf, r->data + r->pos, i - r->pos);
    r->pos = i;
}

/* Fails when data[from..to) holds a NUL byte or invalid UTF-8, naming the offending line. */
static bool check_bytes(csv_reader *r, size_t from, size_t to, size_t start_line, perr *err) {
    size_t bad = to;
    bool ok = utf8_check(r->data + from, to - from, &bad);
    if (ok) bad = to;
    else bad += from;
    const char *nul = memchr(r->data + from, '\0', bad - from);
    size_t at = nul ? (size_t)(nul - r->data) : bad;
    size_t line = start_line;
    for (size_t i = from; i < at; i++) {
        if (r->data[i] == '\n' || (r->data[i] == '\r' && (i + 1 >= r->len || r->data[i + 1] != '\n')))
            line++;
    }
    if (nul) return fail(r, err, line, "NUL byte");
    if (!ok) return fail(r, err, line, "invalid UTF-8");
    return true;
}

bool csv_next(csv_reader *r, size_t *nfields, const char *const **fields, size_t *line,
              perr *err) {
    perr_clear(err);
    if (r->failed) return perr_set(err, "%s", r->error.msg);
    while (eat_newline(r)) {
    }
    if (r->pos >= r->len) return false;
    if (r->sep == CSV_SEP_AUTO) r->sep = detect_sep(r);

    size_t start = r->pos, start_line = r->line;
    buf_reset(&r->fieldbuf);
    r->nfields = 0;
    for (;;) {
        if (r->nfields == r->max_fields) {
            char msg[64];
            snprintf(msg, sizeof msg, "more than %zu fields", r->max_fields);
            return fail(r, err, start_line, msg);
        }
        start_field(r);
        if (r->pos < r->len && r->data[r->pos] == '"') {
            if (!read_quoted(r, err)) return false;
        } else {
            read_plain(r);
        }
        buf_putc(&r->fieldbuf, '\0');
        if (r->fieldbuf.len > r->max_record) {
            char msg[64];
            snprintf(msg, sizeof msg, "record longer than %zu bytes", r->max_record);
            return fail(r, err, start_line, msg);
        }
        if (r->pos < r->len && r->data[r->pos] == r->sep) {
            r->pos++;
            continue;
        }
        break;
    }
    size_t end = r->pos;
    eat_newline(r);
    if (!check_bytes(r, start, end, start_line, err)) return false;

    for (size_t i = 0; i < r->nfields; i++) r->ptrs[i] = r->fieldbuf.data + r->offsets[i];
    if (nfields) *nfields = r->nfields;
    if (fields) *fields = r->ptrs;
    if (line) *line = start_line;
    return true;
}

void csv_error_append(buf *out, const char *file, const char *msg) {
    size_t line = 0;
    const char *rest = msg;
    if (!strncmp(msg, "line ", 5)) {
        char *end;
        line = strtoul(msg + 5, &end, 10);
        rest = *end == ':' ? end + 1 : end;
        while (*rest == ' ') rest++;
    }
    buf_printf(out, "%s:%zu: %s\n", file, line, rest);
}

void csv_write_field(buf *out, const char *s, char sep, bool last) {
    if (!s) s = "";
    bool formula = *s && strchr("=+-@\t\r\n", *s);
    bool quote = formula || strpbrk(s, "\"\r\n,;") || strchr(s, sep);
    if (quote) buf_putc(out, '"');
    if (formula) buf_putc(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"') buf_putc(out, '"');
        buf_putc(out, *p);
    }
    if (quote) buf_putc(out, '"');
    if (last) buf_puts(out, "\r\n");
    else buf_putc(out, sep);
}
