/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for learn/posbank: parse any text as a French positioning bank file and
 * check the loader's contract: every problem names the file and a line within it; every
 * item kept has a valid id, a level 1-8, a known competency, positive parameters and
 * exactly one question with a right answer; its view carries no answer. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "learn/posbank.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char *const codes[] = {"CRCN-1.1", "CRCN-4.1"};
    size_t lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    diag_list d = DIAG_LIST_INIT;
    posbank *b = posbank_parse((const char *)data, size, "f.md", codes, 2, &d);
    for (size_t i = 0; i < d.n; i++)
        if (strcmp(d.items[i].file, "f.md") || d.items[i].line > lines || !d.items[i].msg[0]) abort();
    for (size_t i = 0; i < b->n; i++) {
        const posbank_item *it = &b->items[i];
        if (!it->id[0] || strspn(it->id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(it->id)) abort();
        if (it->level < 1 || it->level > 8 || it->a <= 0 || it->comp >= b->ncodes) abort();
        if (strcmp(it->code, codes[0]) && strcmp(it->code, codes[1])) abort();
        if (!it->fr || it->fr->n != 1 || !it->view_fr || it->line < 1 || it->line > lines) abort();
        const quiz_question *qq = &it->fr->questions[0];
        size_t right = 0;
        for (size_t j = 0; j < qq->noptions; j++) right += qq->options[j].correct;
        if (qq->kind == QUIZ_TEXT ? qq->nanswers == 0 : right == 0) abort();
        if (json_object_get(it->view_fr, "answers") || json_object_get(it->view_fr, "explanation")) abort();
        if (posbank_find(b, it->id) != it) abort(); /* ids are unique */
    }
    posbank_free(b);
    diag_list_free(&d);
    return 0;
}
