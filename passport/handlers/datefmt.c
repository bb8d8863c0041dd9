/* SPDX-License-Identifier: EUPL-1.2 */
/* Dates and numbers of the role pages, written for the reader's locale. */
#include "handlers/datefmt.h"

#include "core/buf.h"
#include "core/clock.h"
#include "http/locale_fmt.h"

json_t *datefmt_epoch(const char *locale, int64_t t) {
    if (t <= 0) return json_string("");
    buf b = BUF_INIT;
    locale_fmt_date(&b, locale, t);
    json_t *v = json_string(buf_cstr(&b));
    buf_free(&b);
    return v;
}

json_t *datefmt_iso(const char *locale, const char *day) {
    int64_t t = 0;
    if (!day) return json_string("");
    if (!clock_parse_date(day, &t)) return json_string(day);
    return datefmt_epoch(locale, t);
}

static void add_one(json_t *o, const char *locale, const char *member, const char *member_text) {
    json_t *v = json_object_get(o, member);
    if (json_is_integer(v)) json_object_set_new(o, member_text, datefmt_epoch(locale, json_integer_value(v)));
    else if (json_is_string(v)) json_object_set_new(o, member_text, datefmt_iso(locale, json_string_value(v)));
}

void datefmt_add(json_t *arr, const char *locale, const char *member, const char *member_text) {
    if (json_is_object(arr)) {
        add_one(arr, locale, member, member_text);
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) if (json_is_object(o)) add_one(o, locale, member, member_text);
}

json_t *datefmt_number(const char *locale, double v, int decimals) {
    buf b = BUF_INIT;
    locale_fmt_number(&b, locale, v, decimals);
    json_t *out = json_string(buf_cstr(&b));
    buf_free(&b);
    return out;
}
