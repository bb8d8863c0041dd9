/* SPDX-License-Identifier: EUPL-1.2 */
/* Logging to standard error: one line per event, with a UTC timestamp and a level, as
 * text ("2026-12-05T08:00:00.000Z info message") or as one JSON object per line
 * (--log-format json). A line written while a request is served carries its id. */
#ifndef PASSPORT_CORE_LOG_H
#define PASSPORT_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum log_format {
    LOG_TEXT,
    LOG_JSON,
} log_format;

/* Chooses the format of every following line (process-wide; set it before threads start). */
void log_set_format(log_format f);
/* Parses "text" or "json"; false for anything else. */
bool log_format_parse(const char *name, log_format *out);
/* The request id that lines of the calling thread carry (NULL: none). The string is
 * borrowed: clear it (NULL) before it is freed. */
void log_set_request_id(const char *id);
const char *log_request_id(void);

void log_info(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void log_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* One access-log line: text "GET /path 200 123 456us id=…", or JSON with the fields
 * method, path, status, bytes, duration_us, request_id, client. */
void log_access(const char *method, const char *path, int status, size_t bytes,
                unsigned long long duration_us, const char *request_id, const char *client);

/* Appends s to out (capacity cap, NUL-terminated, truncated when full) as the inside of
 * a JSON string: quotes, backslashes and control characters escaped. Returns the new
 * length. Exposed for unit tests. */
size_t log_json_escape(char *out, size_t len, size_t cap, const char *s);

#endif
