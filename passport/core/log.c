/* SPDX-License-Identifier: EUPL-1.2 */
/* Log lines are written with one write() so that lines from threads do not interleave.
 * Text or JSON lines; the request id of the calling thread, when set, rides along. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 2048

static log_format g_format = LOG_TEXT;
static _Thread_local const char *t_request_id;

void log_set_format(log_format f) {
    g_format = f;
}

bool log_format_parse(const char *name, log_format *out) {
    if (!name) return false;
    if (!strcmp(name, "text")) *out = LOG_TEXT;
    else if (!strcmp(name, "json")) *out = LOG_JSON;
    else return false;
    return true;
}

void log_set_request_id(const char *id) {
    t_request_id = id;
}

const char *log_request_id(void) {
    return t_request_id;
}

size_t log_json_escape(char *out, size_t len, size_t cap, const char *s) {
    static const char hex[] = "0123456789abcdef";
    for (; s && *s && len + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[len++] = '\\';
            out[len++] = (char)c;
        } else if (c == '\n') {
            out[len++] = '\\';
            out[len++] = 'n';
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(out + len, "\\u00", 4);
            out[len + 4] = hex[c >> 4];
            out[len + 5] = hex[c & 15];
            len += 6;
        } else {
            out[len++] = (char)c;
        }
    }
    if (len < cap) out[len] = '\0';
    return len;
}

/* The timestamp "2026-12-05T08:00:00.123Z" into out; its length. */
static int timestamp(char *out, size_t cap) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(out + n, cap - (size_t)n, ".%03ldZ", ts.tv_nsec / 1000000);
    return n;
}

static void write_line(char *line, size_t n) {
    if (n > LINE_MAX_BYTES - 2) n = LINE_MAX_BYTES - 2;
    line[n++] = '\n';
    ssize_t w = write(2, line, n);
    (void)w;
}

static void emit(const char *level, const char *fmt, va_list ap) {
    char msg[LINE_MAX_BYTES];
    int m = vsnprintf(msg, sizeof msg, fmt, ap);
    if (m < 0) return;
    char line[LINE_MAX_BYTES];
    char ts[40];
    timestamp(ts, sizeof ts);
    const char *rid = t_request_id;
    size_t n;
    if (g_format == LOG_JSON) {
        n = (size_t)snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"%s\",", ts, level);
        if (rid) {
            n += (size_t)snprintf(line + n, sizeof line - n, "\"request_id\":\"");
            n = log_json_escape(line, n, sizeof line, rid);
            n += (size_t)snprintf(line + n, sizeof line - n, "\",");
        }
        n += (size_t)snprintf(line + n, sizeof line - n, "\"msg\":\"");
        n = log_json_escape(line, n, sizeof line - 3, msg);
        n += (size_t)snprintf(line + n, sizeof line - n, "\"}");
    } else {
        n = (size_t)snprintf(line, sizeof line, "%s %s %s%s%s", ts, level, msg, rid ? " id=" : "",
                             rid ? rid : "");
    }
    write_line(line, n < sizeof line ? n : sizeof line - 1);
}

void log_info(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit("info", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit("error", fmt, ap);
    va_end(ap);
}

void log_access(const char *method, const char *path, int status, size_t bytes,
                unsigned long long duration_us, const char *request_id, const char *client) {
    char line[LINE_MAX_BYTES];
    char ts[40];
    timestamp(ts, sizeof ts);
    size_t n;
    if (g_format == LOG_JSON) {
        n = (size_t)snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"info\",\"method\":\"", ts);
        n = log_json_escape(line, n, sizeof line, method);
        n += (size_t)snprintf(line + n, sizeof line - n, "\",\"path\":\"");
        n = log_json_escape(line, n, sizeof line - 200, path);
        n += (size_t)snprintf(line + n, sizeof line - n,
                              "\",\"status\":%d,\"bytes\":%zu,\"duration_us\":%llu,\"request_id\":\"%s\","
                              "\"client\":\"%s\"}",
                              status, bytes, duration_us, request_id ? request_id : "", client ? client : "");
    } else {
        n = (size_t)snprintf(line, sizeof line, "%s info %s %s %d %zu %lluus id=%s", ts, method, path,
                             status, bytes, duration_us, request_id ? request_id : "-");
    }
    write_line(line, n < sizeof line ? n : sizeof line - 1);
}
