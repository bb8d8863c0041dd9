/* SPDX-License-Identifier: EUPL-1.2 */
/* Numbers as jsonld.js writes them (see jsonld_number.h). */
#include "badges/jsonld_number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when JavaScript's String(d) holds a '.': more than one significant digit in its
 * shortest round-trip form, for |d| < 1e-6 where JavaScript writes an exponent. */
static bool js_small_has_dot(double d) {
    char tmp[40];
    for (int p = 0; p < 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p, d);
        if (strtod(tmp, NULL) == d) return p > 0;
    }
    return true;
}

void jsonld_double_lexical(double d, buf *out) {
    if (isnan(d)) {
        buf_puts(out, "NaN");
        return;
    }
    if (isinf(d)) {
        buf_puts(out, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) d = 0.0; /* toExponential writes no sign for -0 */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.15e", d);
    char *e = strchr(tmp, 'e');
    char *end = e;
    while (end > tmp + 1 && end[-1] == '0' && end[-2] != '.') end--;
    buf_append(out, tmp, (size_t)(end - tmp));
    buf_printf(out, "E%d", atoi(e + 1));
}

void jsonld_number_lexical(double d, bool dt_double, buf *out, bool *is_double) {
    bool integral = d == floor(d) && fabs(d) < 1e21;
    bool has_dot = !integral && fabs(d) < 1e21 && (fabs(d) >= 1e-6 || js_small_has_dot(d));
    *is_double = has_dot || fabs(d) >= 1e21 || dt_double;
    if (*is_double) jsonld_double_lexical(d, out);
    else buf_printf(out, "%.0f", d == 0 ? 0.0 : d); /* toFixed(0): "-0" for -1e-7, "0" for -0 */
}

/* The length of the StrWhiteSpaceChar at s (UTF-8), 0 when there is none: tab, line feed,
 * vertical tab, form feed, carriage return, space, U+00A0, U+1680, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000, U+FEFF. */
static size_t js_space(const unsigned char *s) {
    if (*s == ' ' || (*s >= '\t' && *s <= '\r')) return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0) return 2;
    if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80) return 3;
    if (s[0] == 0xE2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) return 3;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) return 3;
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) return 3;
    return 0;
}

static size_t digits(const char *p) {
    size_t n = 0;
    while (p[n] >= '0' && p[n] <= '9') n++;
    return n;
}

double jsonld_parse_float(const char *s) {
    for (size_t n; (n = js_space((const unsigned char *)s)) > 0;) s += n;
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    if (!strncmp(p, "Infinity", 8)) return *s == '-' ? -INFINITY : INFINITY;
    size_t whole = digits(p), frac = 0;
    p += whole;
    if (*p == '.') {
        frac = digits(p + 1);
        if (whole || frac) p += 1 + frac;
    }
    if (!whole && !frac) return NAN;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        if (*q == '+' || *q == '-') q++;
        size_t ex = digits(q);
        if (ex) p = q + ex;
    }
    /* strtod reads the prefix alone: it would also take hexadecimal, "inf" and "nan" */
    char *lit = xstrndup(s, (size_t)(p - s));
    double d = strtod(lit, NULL);
    free(lit);
    return d;
}
