/* SPDX-License-Identifier: EUPL-1.2 */
/* Locale-aware number and date formatting for the interface (fr, en). */
#include "http/locale_fmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_en(const char *locale) {
    return locale && (locale[0] | 0x20) == 'e' && (locale[1] | 0x20) == 'n' &&
           (locale[2] == '\0' || locale[2] == '-' || locale[2] == '_');
}

void locale_fmt_number(buf *out, const char *locale, double v, int decimals) {
    if (!isfinite(v)) {
        buf_puts(out, "\xe2\x80\x93");
        return;
    }
    if (decimals < 0) decimals = 0;
    if (decimals > 6) decimals = 6;
    bool en = is_en(locale);
    char digits[64];
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    char *dot = strchr(digits, '.');
    if (dot) { /* drop trailing zeros, then a bare separator */
        char *end = digits + strlen(digits);
        while (end > dot + 1 && end[-1] == '0') *--end = '\0';
        if (end == dot + 1) *dot = '\0';
    }
    size_t intlen = dot && *dot ? (size_t)(dot - digits) : strlen(digits);
    bool zero = strspn(digits, "0.") == strlen(digits);
    if (v < 0 && !zero) buf_putc(out, '-');
    bool group = intlen > 4;
    for (size_t i = 0; i < intlen; i++) {
        if (group && i > 0 && (intlen - i) % 3 == 0) buf_puts(out, en ? "," : "\xe2\x80\xaf");
        buf_putc(out, digits[i]);
    }
    if (dot && *dot) {
        buf_putc(out, en ? '.' : ',');
        buf_puts(out, dot + 1);
    }
}

void locale_fmt_date(buf *out, const char *locale, int64_t t) {
    static const char *const fr[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                     "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
    static const char *const en[] = {"January", "February", "March",     "April",   "May",      "June",
                                     "July",    "August",   "September", "October", "November", "December"};
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        buf_puts(out, "\xe2\x80\x93");
        return;
    }
    bool e = is_en(locale);
    buf_printf(out, "%d%s %s %d", tm.tm_mday, !e && tm.tm_mday == 1 ? "er" : "", (e ? en : fr)[tm.tm_mon],
               tm.tm_year + 1900);
}

bool locale_parse_date(const char *s, int64_t *t) {
    int y, mo, d;
    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-' || (s[10] && s[10] != 'T' && s[10] != ' ')) return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    if (sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    /* days from the civil date (proleptic Gregorian), after Howard Hinnant's algorithm */
    y -= mo <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *t = ((int64_t)era * 146097 + doe - 719468) * 86400;
    return true;
}

void locale_fmt_arg(buf *out, const char *locale, const char *s) {
    int64_t t;
    if (s && strlen(s) == 10 && locale_parse_date(s, &t)) locale_fmt_date(out, locale, t);
    else if (s) buf_puts(out, s);
}
