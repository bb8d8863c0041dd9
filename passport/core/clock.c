/* SPDX-License-Identifier: EUPL-1.2 */
/* Wall and monotonic clocks, ISO 8601 dates. */
#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t offset(void) {
    const char *s = getenv("PASSPORT_CLOCK_OFFSET");
    return s ? strtoll(s, NULL, 10) : 0;
}

int64_t clock_now(void) {
    return (int64_t)time(NULL) + offset();
}

uint64_t clock_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void clock_iso8601(int64_t t, char out[21]) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_date(int64_t t, char out[11]) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

bool clock_parse_date(const char *s, int64_t *out) {
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return false;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != m - 1) return false; /* 31 February */
    *out = (int64_t)t;
    return true;
}
