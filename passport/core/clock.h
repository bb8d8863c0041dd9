/* SPDX-License-Identifier: EUPL-1.2 */
/* Time for the whole server: wall clock in seconds and microseconds, ISO 8601 formatting.
 * Tests may shift "now" with the environment variable PASSPORT_CLOCK_OFFSET (seconds),
 * read once per call, so that expiry and due dates can be exercised without waiting. */
#ifndef PASSPORT_CORE_CLOCK_H
#define PASSPORT_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Seconds since the epoch, with the test offset applied. */
int64_t clock_now(void);
/* Monotonic microseconds, for durations only. */
uint64_t clock_mono_us(void);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" (UTC) for t into out (at least 21 bytes). */
void clock_iso8601(int64_t t, char out[21]);
/* Writes "YYYY-MM-DD" (UTC) into out (at least 11 bytes). */
void clock_date(int64_t t, char out[11]);
/* Parses "YYYY-MM-DD" as midnight UTC; false if malformed or not a real date. */
bool clock_parse_date(const char *s, int64_t *out);

#endif
