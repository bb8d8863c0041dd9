/* SPDX-License-Identifier: EUPL-1.2 */
/* Mapping file parsing: a header naming two frameworks, then pairs of competency codes. */
#include "skills/mapping.h"

#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "skills/framework.h"

#define MAPPING_MAX_PAIRS 10000

void mapping_free(mapping *m) {
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->pairs[i].from);
        free(m->pairs[i].to);
    }
    free(m->pairs);
    free(m->from_fw);
    free(m->to_fw);
    free(m);
}

/* The uppercase form of a lowercase framework code from the header, or NULL if the
 * header field is not one ("crcn" -> "CRCN"). Caller frees. */
static char *header_code(const char *s) {
    char *up = xstrdup(s);
    for (char *p = up; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') { /* the header is lowercase by contract */
            free(up);
            return NULL;
        }
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    }
    if (!framework_code_valid(up)) {
        free(up);
        return NULL;
    }
    return up;
}

mapping *mapping_parse(const char *data, size_t len, const char *filename, buf *problems) {
    mapping *m = xcalloc(1, sizeof *m);
    csv_reader *r = csv_reader_new(data, len, ',');
    size_t n, line, before = problems->len;
    const char *const *f;
    perr err = {{0}};
    bool header = false;
    while (csv_next(r, &n, &f, &line, &err)) {
        if (!header) {
            header = true;
            if (n == 2) {
                m->from_fw = header_code(f[0]);
                m->to_fw = header_code(f[1]);
            }
            if (!m->from_fw || !m->to_fw || !strcmp(m->from_fw, m->to_fw)) {
                buf_printf(problems, "%s:%zu: unexpected header: expected two lowercase framework codes, e.g. crcn,digcomp\n",
                           filename, line);
                goto fail;
            }
            continue;
        }
        if (n != 2) {
            buf_printf(problems, "%s:%zu: %zu fields, expected 2\n", filename, line, n);
            continue;
        }
        bool ok = true;
        const char *fws[2] = {m->from_fw, m->to_fw};
        for (int i = 0; i < 2; i++)
            if (!framework_competency_code_valid(fws[i], f[i])) {
                buf_printf(problems, "%s:%zu: '", filename, line);
                framework_put_value(problems, f[i]);
                buf_printf(problems, "' is not a %s competency code\n", fws[i]);
                ok = false;
            }
        for (size_t i = 0; ok && i < m->n; i++)
            if (!strcmp(m->pairs[i].from, f[0]) && !strcmp(m->pairs[i].to, f[1])) {
                buf_printf(problems, "%s:%zu: duplicate pair %s,%s (first on line %zu)\n", filename, line, f[0], f[1],
                           m->pairs[i].line);
                ok = false;
            }
        if (!ok) continue;
        if (m->n >= MAPPING_MAX_PAIRS) {
            buf_printf(problems, "%s:%zu: more than %d pairs\n", filename, line, MAPPING_MAX_PAIRS);
            goto fail;
        }
        m->pairs = xrealloc(m->pairs, (m->n + 1) * sizeof *m->pairs);
        m->pairs[m->n++] = (mapping_pair){xstrdup(f[0]), xstrdup(f[1]), line};
    }
    if (err.msg[0]) csv_error_append(problems, filename, err.msg);
    else if (!header) buf_printf(problems, "%s:1: empty file: expected the header row\n", filename);
    if (problems->len != before) goto fail;
    csv_reader_free(r);
    return m;
fail:
    csv_reader_free(r);
    mapping_free(m);
    return NULL;
}
