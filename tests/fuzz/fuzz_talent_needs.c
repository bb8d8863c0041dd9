/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for the talent search's needs parser ("CRCN-1.1:3,CRCN-4.1:4:2"): the
 * input (up to its first NUL) is parsed against an index over a small store made once,
 * and the result checked against the contract of talent_query_add_needs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "talent/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The store and index live for the whole fuzzing process. */
static talent_index *fixture(void) {
    static talent_index *ix;
    if (ix) return ix;
    char dir[] = "/tmp/fuzz_talent_needs.XXXXXX", path[64];
    if (!mkdtemp(dir)) abort();
    snprintf(path, sizeof path, "%s/f.db", dir);
    perr err = {{0}};
    store *s = store_open(path, &err);
    if (!s || !store_exec(s,
                          "INSERT INTO frameworks(code, name, version, updated_at) VALUES ('CRCN', 'c', '1', 0);"
                          "INSERT INTO competencies(framework_id, code, area, position, title_fr, title_en) VALUES"
                          " (1, 'CRCN-1.1', 1, 1, 'a', 'a'), (1, 'CRCN-4.1', 4, 2, 'b', 'b'),"
                          " (1, 'CRCN-5.2', 5, 3, 'c', 'c');",
                          &err))
        abort();
    ix = talent_index_new(s);
    return ix;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    talent_query q;
    memset(&q, 0, sizeof q);
    perr err = {{0}};
    bool ok = talent_query_add_needs(fixture(), &q, text, &err);
    if (q.nneeds > TALENT_MAX_NEEDS) abort();
    for (size_t i = 0; i < q.nneeds; i++) {
        const talent_need *n = &q.needs[i];
        if (n->min_level < 1 || n->min_level > 8 || n->weight < 1 || n->weight > 5) abort();
        if (strcmp(n->code, "CRCN-1.1") && strcmp(n->code, "CRCN-4.1") && strcmp(n->code, "CRCN-5.2")) abort();
        for (size_t j = 0; j < i; j++)
            if (!strcmp(q.needs[j].code, n->code)) abort();
    }
    if (!ok && strncmp(err.msg, "talent.", 7)) abort();
    if (ok && err.msg[0]) abort();
    free(text);
    return 0;
}
