/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for skills/framework and skills/mapping: the first byte picks the
 * parser, the rest is a CSV file; checks the parsers' contract (a result and no problem,
 * or no result and "file:line: message" problem lines; competencies sorted by code). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "skills/framework.h"
#include "skills/mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every line of p starts with "f.csv:" and ends with '\n'. */
static void check_problems(const buf *p) {
    const char *s = buf_cstr(p);
    if (!p->len || s[p->len - 1] != '\n') abort();
    for (const char *line = s; *line; line = strchr(line, '\n') + 1)
        if (strncmp(line, "f.csv:", 6) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    buf p = BUF_INIT;
    const char *text = (const char *)data + 1;
    if (data[0] & 1) {
        mapping *m = mapping_parse(text, size - 1, "f.csv", &p);
        if (m) {
            if (p.len || !m->from_fw || !m->to_fw || !strcmp(m->from_fw, m->to_fw)) abort();
            for (size_t i = 0; i < m->n; i++)
                if (!framework_competency_code_valid(m->from_fw, m->pairs[i].from) ||
                    !framework_competency_code_valid(m->to_fw, m->pairs[i].to))
                    abort();
        } else {
            check_problems(&p);
        }
        mapping_free(m);
    } else {
        framework *f = framework_parse(text, size - 1, "f.csv", &p);
        if (f) {
            if (p.len || !f->n || !framework_code_valid(f->code)) abort();
            for (size_t i = 0; i < f->n; i++) {
                if (!framework_competency_code_valid(f->code, f->items[i].code) || f->items[i].area < 1) abort();
                if (i && framework_code_cmp(f->items[i - 1].code, f->items[i].code) >= 0) abort();
                if (!f->items[i].title_fr[0] || !f->items[i].title_en[0]) abort();
            }
        } else {
            check_problems(&p);
        }
        framework_free(f);
    }
    buf_free(&p);
    return 0;
}
