/* SPDX-License-Identifier: EUPL-1.2 */
/* Numbers and dates written the way a locale's readers expect: "0,7" and "5 décembre
 * 2026" in French, "0.7" and "5 December 2026" in English. Locale names as elsewhere
 * ("fr", "en", "en-GB": the primary subtag decides); anything else is written as French,
 * the default locale. */
#ifndef PASSPORT_HTTP_LOCALE_FMT_H
#define PASSPORT_HTTP_LOCALE_FMT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

/* Appends v with at most decimals digits after the separator (0 to 6; trailing zeros
 * dropped, so 0.70 with 2 gives "0,7"), the locale's decimal separator, and no grouping
 * below 10 000; from 10 000 the thousands are grouped (fr: narrow no-break space U+202F,
 * en: ","). NaN and infinities are written "–". */
void locale_fmt_number(buf *out, const char *locale, double v, int decimals);

/* Appends the calendar date (UTC) of the epoch seconds t: "5 décembre 2026" (fr; the
 * first of the month "1er décembre 2026"), "5 December 2026" (en). */
void locale_fmt_date(buf *out, const char *locale, int64_t t);

/* Reads a string starting "YYYY-MM-DD" (a date, or an ISO 8601 date-time whose time is
 * ignored) into the epoch seconds of that day's midnight UTC. False (t untouched) for
 * NULL or anything else. */
bool locale_parse_date(const char *s, int64_t *t);

/* A message argument as the reader sees it: a string that is exactly a date "YYYY-MM-DD"
 * is appended as locale_fmt_date writes it ("20 décembre 2026"), anything else as it is. */
void locale_fmt_arg(buf *out, const char *locale, const char *s);

#endif
