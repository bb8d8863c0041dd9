/* SPDX-License-Identifier: EUPL-1.2 */
/* Framework CSV parsing and validation: the format of courses/frameworks/README.md,
 * checked completely before anything is written, every problem reported with its line. */
#include "skills/framework.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

static const char *const columns[FRAMEWORK_COLUMNS] = {
    "framework", "framework_name", "version", "area", "area_title_fr", "area_title_en", "code",
    "title_fr", "title_en", "description_fr", "description_en", "level_1_fr", "level_1_en",
    "level_2_fr", "level_2_en", "level_3_fr", "level_3_en", "level_4_fr", "level_4_en",
    "level_5_fr", "level_5_en", "level_6_fr", "level_6_en", "level_7_fr", "level_7_en",
    "level_8_fr", "level_8_en",
};

enum { C_FW, C_FW_NAME, C_VERSION, C_AREA, C_AREA_FR, C_AREA_EN, C_CODE, C_TITLE_FR, C_TITLE_EN,
       C_DESC_FR, C_DESC_EN, C_LEVEL1 };

static const int required[] = {C_FW, C_FW_NAME, C_VERSION, C_AREA, C_CODE, C_TITLE_FR, C_TITLE_EN};

bool framework_code_valid(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > 16 || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return false;
    return true;
}

bool framework_competency_code_valid(const char *fw, const char *code) {
    size_t fl = strlen(fw), n = strlen(code);
    if (n > FRAMEWORK_MAX_CODE || n < fl + 2 || strncmp(code, fw, fl) || code[fl] != '-') return false;
    for (size_t i = fl + 1; i < n; i++) {
        unsigned char c = (unsigned char)code[i];
        if (!(isalnum(c) || c == '.' || c == '_' || c == '-') || c >= 0x80) return false;
    }
    return true;
}

/* Length of the segment starting at s ('.' and '-' end a segment). */
static size_t segment_len(const char *s) {
    size_t n = 0;
    while (s[n] && s[n] != '.' && s[n] != '-') n++;
    return n;
}

static bool all_digits(const char *s, size_t n) {
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* Segment-wise comparison; 0 for codes that differ only in leading zeros. */
static int segments_cmp(const char *a, const char *b) {
    for (;;) {
        size_t la = segment_len(a), lb = segment_len(b);
        int c;
        if (all_digits(a, la) && all_digits(b, lb)) {
            while (la > 1 && *a == '0') a++, la--; /* leading zeros do not count */
            while (lb > 1 && *b == '0') b++, lb--;
            c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
        } else {
            size_t m = la < lb ? la : lb;
            c = memcmp(a, b, m);
            if (!c && la != lb) c = la < lb ? -1 : 1;
        }
        if (c) return c < 0 ? -1 : 1;
        a += la;
        b += lb;
        if (!*a || !*b) return *a ? 1 : *b ? -1 : 0;
        if (*a != *b) return *a < *b ? -1 : 1; /* '-' before '.' */
        a++;
        b++;
    }
}

int framework_code_cmp(const char *a, const char *b) {
    int c = segments_cmp(a, b);
    if (c) return c;
    c = strcmp(a, b); /* "X-01" and "X-1": a total order all the same */
    return c < 0 ? -1 : c > 0;
}

static size_t codepoints(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static bool padded(const char *s) {
    size_t n = strlen(s);
    return n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]));
}

/* Parses a positive integer without leading zero, at most 9999. */
static bool parse_area(const char *s, int *out) {
    size_t n = strlen(s);
    if (!all_digits(s, n) || s[0] == '0' || n > 4) return false;
    *out = atoi(s);
    return true;
}

void framework_put_value(buf *b, const char *s) {
    size_t chars = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c & 0xC0) != 0x80 && ++chars > 60) {
            buf_puts(b, "...");
            return;
        }
        buf_putc(b, c < 0x20 || c == 0x7F ? '?' : (char)c);
    }
}

/* Appends "file:line: msg[: value]\n". */
static void problem(buf *p, const char *file, size_t line, const char *msg, const char *arg) {
    buf_printf(p, "%s:%zu: %s", file, line, msg);
    if (arg) {
        buf_puts(p, ": ");
        framework_put_value(p, arg);
    }
    buf_putc(p, '\n');
}

static void competency_clear(framework_competency *c) {
    free(c->code);
    free(c->area_title_fr);
    free(c->area_title_en);
    free(c->title_fr);
    free(c->title_en);
    free(c->description_fr);
    free(c->description_en);
    for (int i = 0; i < FRAMEWORK_LEVELS; i++) {
        free(c->level_fr[i]);
        free(c->level_en[i]);
    }
}

void framework_free(framework *f) {
    if (!f) return;
    for (size_t i = 0; i < f->n; i++) competency_clear(&f->items[i]);
    free(f->items);
    free(f->code);
    free(f->name);
    free(f->version);
    free(f);
}

static int item_cmp(const void *x, const void *y) {
    return framework_code_cmp(((const framework_competency *)x)->code, ((const framework_competency *)y)->code);
}

/* Checks the header row; one problem line when it is not exactly the 27 columns. */
static bool check_header(const char *const *f, size_t n, const char *file, size_t line, buf *p) {
    if (n != FRAMEWORK_COLUMNS) {
        buf_printf(p, "%s:%zu: unexpected header: %zu columns, expected %d (see courses/frameworks/README.md)\n",
                   file, line, n, FRAMEWORK_COLUMNS);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], columns[i])) {
            buf_printf(p, "%s:%zu: unexpected header: column %zu is '", file, line, i + 1);
            framework_put_value(p, f[i]);
            buf_printf(p, "', expected '%s'\n", columns[i]);
            return false;
        }
    return true;
}

/* Validates one data row against the file's first row (fw, may be NULL for the first);
 * appends problems; returns true when the row is usable. */
static bool check_row(const char *const *f, size_t n, const framework *fw, const char *file, size_t line,
                      buf *p) {
    if (n != FRAMEWORK_COLUMNS) {
        buf_printf(p, "%s:%zu: %zu fields, expected %d\n", file, line, n, FRAMEWORK_COLUMNS);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!f[required[i]][0]) {
            problem(p, file, line, "required field is empty", columns[required[i]]);
            ok = false;
        }
    for (size_t i = 0; i < n; i++)
        if (padded(f[i])) {
            problem(p, file, line, "leading or trailing space", columns[i]);
            ok = false;
        }
    if (f[C_FW][0] && !framework_code_valid(f[C_FW])) {
        problem(p, file, line, "malformed framework code (A-Z, 0-9, _; 16 characters at most)", f[C_FW]);
        ok = false;
    }
    int area;
    if (f[C_AREA][0] && !parse_area(f[C_AREA], &area)) {
        problem(p, file, line, "area must be a positive integer", f[C_AREA]);
        ok = false;
    }
    if (f[C_CODE][0] && f[C_FW][0] && !framework_competency_code_valid(f[C_FW], f[C_CODE])) {
        buf_printf(p, "%s:%zu: malformed code '", file, line);
        framework_put_value(p, f[C_CODE]);
        buf_puts(p, "': expected ");
        framework_put_value(p, f[C_FW]);
        buf_puts(p, "- followed by letters, digits, '.', '_' or '-'\n");
        ok = false;
    }
    for (size_t i = C_LEVEL1; i < n; i++)
        if (codepoints(f[i]) > FRAMEWORK_MAX_DESCRIPTOR) {
            problem(p, file, line, "level descriptor longer than 160 characters", columns[i]);
            ok = false;
        }
    if (fw) {
        static const struct { int col; size_t off; } same[] = {
            {C_FW, offsetof(framework, code)},
            {C_FW_NAME, offsetof(framework, name)},
            {C_VERSION, offsetof(framework, version)},
        };
        for (size_t i = 0; i < 3; i++) {
            const char *want = *(char *const *)((const char *)fw + same[i].off);
            if (f[same[i].col][0] && strcmp(f[same[i].col], want)) {
                buf_printf(p, "%s:%zu: %s '", file, line, columns[same[i].col]);
                framework_put_value(p, f[same[i].col]);
                buf_puts(p, "' differs from the first row ('");
                framework_put_value(p, want);
                buf_puts(p, "')\n");
                ok = false;
            }
        }
    }
    return ok;
}

static void take_row(framework_competency *c, const char *const *f, size_t line) {
    c->code = xstrdup(f[C_CODE]);
    c->area = atoi(f[C_AREA]);
    c->area_title_fr = xstrdup(f[C_AREA_FR]);
    c->area_title_en = xstrdup(f[C_AREA_EN]);
    c->title_fr = xstrdup(f[C_TITLE_FR]);
    c->title_en = xstrdup(f[C_TITLE_EN]);
    c->description_fr = xstrdup(f[C_DESC_FR]);
    c->description_en = xstrdup(f[C_DESC_EN]);
    for (int i = 0; i < FRAMEWORK_LEVELS; i++) {
        c->level_fr[i] = xstrdup(f[C_LEVEL1 + 2 * i]);
        c->level_en[i] = xstrdup(f[C_LEVEL1 + 2 * i + 1]);
    }
    c->line = line;
}

/* Cross-row checks on the rows read: duplicate codes, area titles. */
static bool check_rows(const framework *fw, const char *file, buf *p) {
    bool ok = true;
    for (size_t i = 0; i < fw->n; i++)
        for (size_t j = 0; j < i; j++) {
            const framework_competency *a = &fw->items[j], *b = &fw->items[i];
            if (!strcmp(a->code, b->code)) {
                buf_printf(p, "%s:%zu: duplicate code '%s' (first on line %zu)\n", file, b->line, b->code, a->line); /* valid codes: printable */
                ok = false;
            } else if (a->area == b->area &&
                       (strcmp(a->area_title_fr, b->area_title_fr) || strcmp(a->area_title_en, b->area_title_en))) {
                buf_printf(p, "%s:%zu: area %d titles differ from line %zu\n", file, b->line, b->area, a->line);
                ok = false;
                break;
            }
        }
    return ok;
}

framework *framework_parse(const char *data, size_t len, const char *filename, buf *problems) {
    framework *fw = xcalloc(1, sizeof *fw);
    csv_reader *r = csv_reader_new(data, len, ',');
    size_t n, line, before = problems->len;
    const char *const *f;
    perr err = {{0}};
    bool header = false;
    while (csv_next(r, &n, &f, &line, &err)) {
        if (!header) {
            header = true;
            if (!check_header(f, n, filename, line, problems)) goto fail;
            continue;
        }
        if (fw->n >= FRAMEWORK_MAX_ROWS) {
            buf_printf(problems, "%s:%zu: more than %d competencies\n", filename, line, FRAMEWORK_MAX_ROWS);
            goto fail;
        }
        if (!check_row(f, n, fw->code ? fw : NULL, filename, line, problems)) continue;
        if (!fw->code) {
            fw->code = xstrdup(f[C_FW]);
            fw->name = xstrdup(f[C_FW_NAME]);
            fw->version = xstrdup(f[C_VERSION]);
        }
        fw->items = xrealloc(fw->items, (fw->n + 1) * sizeof *fw->items);
        take_row(&fw->items[fw->n++], f, line);
    }
    if (err.msg[0]) csv_error_append(problems, filename, err.msg);
    else if (!header) buf_printf(problems, "%s:1: empty file: expected the header row\n", filename);
    else if (!fw->n && problems->len == before) buf_printf(problems, "%s:2: no competency rows\n", filename);
    check_rows(fw, filename, problems);
    if (problems->len != before) goto fail;
    qsort(fw->items, fw->n, sizeof *fw->items, item_cmp);
    csv_reader_free(r);
    return fw;
fail:
    csv_reader_free(r);
    framework_free(fw);
    return NULL;
}
