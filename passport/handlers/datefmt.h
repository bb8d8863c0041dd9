/* SPDX-License-Identifier: EUPL-1.2 */
/* Dates and numbers of the managers', HR's and admins' pages written for the reader's
 * locale (http/locale_fmt.h) as JSON strings the templates show as they are. */
#ifndef PASSPORT_HANDLERS_DATEFMT_H
#define PASSPORT_HANDLERS_DATEFMT_H

#include <jansson.h>
#include <stdint.h>

/* "5 décembre 2026" for the epoch seconds t (t <= 0: ""). New reference. */
json_t *datefmt_epoch(const char *locale, int64_t t);

/* The same for a "YYYY-MM-DD" date; anything else is returned as it is ("" for NULL).
 * New reference. */
json_t *datefmt_iso(const char *locale, const char *day);

/* On each object of arr (an array, or one object), sets member_text to member (an
 * epoch integer or a "YYYY-MM-DD" string) written by datefmt_epoch or datefmt_iso. */
void datefmt_add(json_t *arr, const char *locale, const char *member, const char *member_text);

/* v with at most decimals digits in the locale ("0,7"). New reference. */
json_t *datefmt_number(const char *locale, double v, int decimals);

#endif
